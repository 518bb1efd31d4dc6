"""Optimistic concurrency for the API: rows carry a `version`, detail responses an
`ETag: "<version>"`, and every write names the version it was made from, either as
`If-Match: "<version>"` (stale → 412) or as a `version` field in the body (stale → 409).

The comparison itself happens in the service, under a row lock (`expected_version`), so two
parallel writers can never both win; here we only read the client's claim and translate
services.StaleVersion into the HTTP answer."""
from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from plans.api.errors import Conflict, PreconditionFailed
from plans.services import StaleVersion

MAX_VERSION = 2**31 - 1
_ENTITY_TAG = re.compile(r'^\s*"(\d{1,10})"\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


@dataclass(frozen=True)
class Precondition:
    version: int
    from_header: bool


def _if_match(request) -> int | None:
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    match = _ENTITY_TAG.match(raw)
    if not match or int(match[1]) > MAX_VERSION:
        raise ValidationError(
            {"version": [_('If-Match 须为带引号的版本号，如 "3" (If-Match must be a quoted version number, e.g. "3")')]}
        )
    return int(match[1])


def precondition(request, body_version: int | None) -> Precondition:
    """The version the client wrote from: the If-Match header wins over a body `version`;
    neither is a 400 with errors {"version": [...]}."""
    header = _if_match(request)
    if header is not None:
        return Precondition(header, from_header=True)
    if body_version is not None:
        return Precondition(body_version, from_header=False)
    raise ValidationError({"version": [
        _('请提供版本号：If-Match 头或请求体中的 version (send the version: an If-Match header or a "version" field)'),
    ]})


@contextmanager
def stale_as_http(pre: Precondition):
    """Run a service call; a stale version becomes 412 (If-Match) or 409 (body version)."""
    try:
        yield
    except StaleVersion as stale:
        raise (PreconditionFailed if pre.from_header else Conflict)(detail=str(stale)) from stale


def with_etag(response, version: int):
    response["ETag"] = etag(version)
    return response
