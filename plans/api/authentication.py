"""How API clients prove who they are: `Authorization: Token <key>` (or the admin session).
Kept apart from the views: settings import it while DRF itself loads."""
import re

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

_TOKEN_KEY = re.compile(r"[0-9a-f]{40}")


class StrictTokenAuthentication(TokenAuthentication):
    """Token auth that refuses malformed keys before they reach the database (a NUL byte in
    a key would make PostgreSQL fail the lookup)."""

    def authenticate_credentials(self, key):
        if not _TOKEN_KEY.fullmatch(key):
            raise exceptions.AuthenticationFailed("无效令牌 (invalid token)")
        return super().authenticate_credentials(key)

