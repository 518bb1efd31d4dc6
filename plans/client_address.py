"""The client's address for the login limits and the token throttle: REMOTE_ADDR, or behind
NUM_PROXIES proxies of our own the address the outermost of them saw. A client can send any
X-Forwarded-For it likes; only the entries our proxies appended are believed."""
from __future__ import annotations

from django.conf import settings


def client_address(request) -> str | None:
    """As Django REST framework's throttles read it (SimpleRateThrottle.get_ident), so that the
    admin's login limits and the API's throttle count the same client."""
    remote_addr = request.META.get("REMOTE_ADDR")
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies == 0 or not forwarded:
        return remote_addr
    addresses = [address.strip() for address in forwarded.split(",")]
    return addresses[-min(proxies, len(addresses))] or remote_addr
