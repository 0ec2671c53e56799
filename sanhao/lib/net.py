"""The address a request comes from, as far as it can be trusted.

Behind a reverse proxy every connection comes from the proxy, so REMOTE_ADDR alone would
put every user on one address. The proxy's X-Forwarded-For is believed only when
BEHIND_PROXY is set, only on a connection from one of TRUSTED_PROXY_IPS, and only as far
as the trusted proxies go: each proxy appends the address it saw, so with N trusted
proxies the client is the N-th address from the right (REMOTE_ADDR counts as the
nearest). Anything a client wrote further left is ignored.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Any

from django.conf import settings

_PORT = re.compile(r"^\[(?P<v6>[^\]]+)\](:\d+)?$|^(?P<v4>\d{1,3}(\.\d{1,3}){3}):\d+$")


def _parse(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address as proxies write it: bare, `1.2.3.4:5678` or `[2001:db8::1]:443`."""
    text = text.strip()
    match = _PORT.match(text)
    if match:
        text = match.group("v6") or match.group("v4")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _networks(
    entries: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _from_trusted_proxy(remote: str) -> bool:
    address = _parse(remote)
    if address is None:
        return False
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXY_IPS", ())))
    return any(address in network for network in networks)


def client_ip(request: Any) -> str:
    remote = str(request.META.get("REMOTE_ADDR") or "")
    if not getattr(settings, "BEHIND_PROXY", False) or not _from_trusted_proxy(remote):
        return remote
    trusted = max(1, int(getattr(settings, "TRUSTED_PROXIES", 1)))
    header = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    chain = [part.strip() for part in header.split(",") if part.strip()] + [remote]
    if len(chain) <= trusted:
        # Fewer hops than proxies: the request did not come through them all.
        return remote
    candidate = chain[-(trusted + 1)]
    address = _parse(candidate)
    # An address nobody can parse is still the client's own: never the proxy's, which
    # would put every such client on one lock again.
    return str(address) if address is not None else candidate[:64]


def throttle_address(request: Any) -> str:
    """The address the login throttle keys on: the client's, an IPv6 client by the first
    address of its /64 (one household or host has a whole /64 to move around in)."""
    text = client_ip(request)
    address = _parse(text)
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return text
