"""The address a request comes from, as far as it can be trusted.

Behind a reverse proxy every connection comes from the proxy, so REMOTE_ADDR alone would
put every user on one address. The proxy's X-Forwarded-For is believed only when
BEHIND_PROXY is set, and only as far as the trusted proxies go: each proxy appends the
address it saw, so with N trusted proxies the client is the N-th address from the right
(REMOTE_ADDR counts as the nearest). Anything a client wrote further left is ignored.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_ip(request: Any) -> str:
    remote = str(request.META.get("REMOTE_ADDR") or "")
    if not getattr(settings, "BEHIND_PROXY", False):
        return remote
    trusted = max(1, int(getattr(settings, "TRUSTED_PROXIES", 1)))
    header = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    chain = [part.strip() for part in header.split(",") if part.strip()] + [remote]
    if len(chain) <= trusted:
        # Fewer hops than proxies: the request did not come through them all.
        return remote
    candidate = chain[-(trusted + 1)]
    return candidate if _valid(candidate) else remote
