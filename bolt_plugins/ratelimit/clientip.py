"""Who is the client? The socket peer, unless that peer is one of our own proxies.

Proxy headers are attacker-controlled unless a trusted proxy wrote them, so they are read
only when the socket peer is in ``BOLT_TRUSTED_PROXIES``, and then **from the right**: each
proxy appends the address it received the connection from, so the rightmost address that is
not itself a trusted proxy is the real client. Anything a client put further left is ignored,
which is what makes a rotating spoofed ``X-Forwarded-For`` useless against the rate limiter.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from bolt.exceptions import ImproperlyConfigured

__all__ = ["ClientIPResolver", "parse_address", "parse_forwarded"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_MAX_HOPS = 32  # a longer chain is not a real deployment; bound the work per request


def parse_address(text: str) -> IPAddress | None:
    """An IP from a header hop: ``1.2.3.4``, ``1.2.3.4:80``, ``[::1]:80``, ``"[::1]"``."""
    text = text.strip().strip('"')
    if not text:
        return None
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def parse_forwarded(values: list[str]) -> list[str]:
    """The ``for=`` nodes of RFC 7239 ``Forwarded`` header values, left to right."""
    hops: list[str] = []
    for value in values:
        for element in value.split(","):
            for pair in element.split(";"):
                name, sep, node = pair.partition("=")
                if sep and name.strip().lower() == "for":
                    hops.append(node.strip())
    return hops


def client_key(addr: IPAddress) -> str:
    """The limiter key for an address: IPv4 as is, IPv6 by its /64 (one subscriber's
    allocation, inside which a client can pick any address)."""
    if isinstance(addr, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((int(addr) >> 64 << 64, 64)))
    return str(addr)


@lru_cache(maxsize=4096)
def _key_for_peer(host: str) -> str:
    addr = parse_address(host)
    return host if addr is None else client_key(addr)


def _peer_ip_key(request: Any) -> str:
    # hot path: ClientIPResolver.__call__ without proxies, with the key's prefix
    client = request.scope.get("client")
    host = client[0] if client else "unknown"
    return "ip:" + (_key_for_peer(host) if ":" in host else host)


class ClientIPResolver:
    """Resolve a request's client address for rate limiting.

    ``trusted`` are IPs or networks (``"10.0.0.0/8"``); ``header`` is the proxy header those
    proxies write: ``"x-forwarded-for"`` or ``"forwarded"``.
    """

    __slots__ = ("_trusted_cache", "header", "networks")

    def __init__(self, trusted: list[str], header: str = "x-forwarded-for") -> None:
        networks = []
        for item in trusted:
            try:
                networks.append(ipaddress.ip_network(str(item).strip(), strict=False))
            except ValueError:
                raise ImproperlyConfigured(
                    f"BOLT_TRUSTED_PROXIES: {item!r} is not an IP address or network "
                    "(write '10.0.0.1' or '10.0.0.0/8')"
                ) from None
        self.networks = tuple(networks)
        self.header = header.lower()
        self._trusted_cache: dict[str, bool] = {}

    def is_trusted(self, addr: IPAddress | None) -> bool:
        if addr is None:
            return False
        return any(addr in net for net in self.networks)

    def _peer_trusted(self, host: str) -> bool:
        known = self._trusted_cache.get(host)
        if known is None:
            known = self.is_trusted(parse_address(host))
            if len(self._trusted_cache) < 4096:
                self._trusted_cache[host] = known
        return known

    def ip_key(self) -> Any:
        """``request -> "ip:<client>"``, the limiter key of ``key="ip"``: with no trusted
        proxies a plain function of the socket peer (one call per request, not three)."""
        if self.networks:
            return lambda request: "ip:" + self(request)
        return _peer_ip_key

    def __call__(self, request: Any) -> str:
        # hot path
        client = request.scope.get("client")
        host = client[0] if client else "unknown"
        if not self.networks or not self._peer_trusted(host):
            # IPv4 peers arrive in canonical form; only IPv6 needs parsing (for its /64).
            return _key_for_peer(host) if ":" in host else host
        values = request.header_list(self.header)
        if not values:
            return _key_for_peer(host)
        if self.header == "forwarded":
            hops = parse_forwarded(values)
        else:
            hops = [hop for value in values for hop in value.split(",")]
        hops = hops[-_MAX_HOPS:]
        for hop in reversed(hops):
            addr = parse_address(hop)
            if addr is None:
                # A trusted proxy passed on something that is not an address ("unknown",
                # an obfuscated id): it is still the best identity we have for this hop.
                return f"raw:{hop.strip()[:64]}"
            if not self.is_trusted(addr):
                return client_key(addr)
        first = parse_address(hops[0]) if hops else None
        return client_key(first) if first is not None else _key_for_peer(host)
