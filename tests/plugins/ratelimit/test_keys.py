"""Whose bucket: client IP (socket, trusted proxies, spoofing), user, API key, header, callable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bolt import BoltAPI
from bolt.middleware import rate_limit
from bolt.testing import TestClient
from tests.plugins.ratelimit.conftest import with_peer

Peer = Callable[[str], TestClient]


def one_per_client(api: BoltAPI, **kwargs: Any) -> None:
    @api.get("/a")
    @rate_limit(rps=0.001, burst=1, **kwargs)
    async def a() -> dict:
        return {}


def test_distinct_socket_peers_have_distinct_buckets(api: BoltAPI, peer_client: Peer) -> None:
    one_per_client(api)
    first, second = peer_client("203.0.113.1"), peer_client("203.0.113.2")
    assert first.get("/a").status_code == 200
    assert first.get("/a").status_code == 429
    assert second.get("/a").status_code == 200


def test_rotating_spoofed_xff_from_untrusted_peer_is_still_limited(
    api: BoltAPI, peer_client: Peer
) -> None:
    one_per_client(api)
    attacker = peer_client("198.51.100.7")
    statuses = [
        attacker.get(
            "/a",
            headers={
                "X-Forwarded-For": f"10.{i}.0.1",
                "Forwarded": f"for=10.{i}.0.2",
                "X-Real-IP": f"10.{i}.0.3",
            },
        ).status_code
        for i in range(20)
    ]
    assert statuses == [200] + [429] * 19


def test_trusted_proxy_header_is_read_from_the_right(
    settings: Any, make_api: Callable[..., BoltAPI]
) -> None:
    settings.BOLT_TRUSTED_PROXIES = ["10.0.0.0/8"]
    api = make_api()
    one_per_client(api)
    proxy = TestClient(with_peer(api, "10.0.0.5"))
    # A client behind the proxy rotates the part of the header it controls (the left);
    # the proxy appended the real address on the right.
    statuses = [
        proxy.get("/a", headers={"X-Forwarded-For": f"1.1.1.{i}, 203.0.113.9"}).status_code
        for i in range(10)
    ]
    assert statuses == [200] + [429] * 9
    # Another real client behind the same proxy has its own bucket.
    assert proxy.get("/a", headers={"X-Forwarded-For": "203.0.113.10"}).status_code == 200
    # Chains of trusted proxies are skipped from the right.
    r = proxy.get("/a", headers={"X-Forwarded-For": "203.0.113.11, 10.1.1.1, 10.2.2.2"})
    assert r.status_code == 200
    r = proxy.get("/a", headers={"X-Forwarded-For": "9.9.9.9, 203.0.113.11, 10.1.1.1"})
    assert r.status_code == 429
    # Two header lines are one list, in order.
    r = proxy.get(
        "/a", headers=[("X-Forwarded-For", "8.8.8.8"), ("X-Forwarded-For", "203.0.113.9")]
    )
    assert r.status_code == 429
    # Without the header the proxy itself is the client.
    assert proxy.get("/a").status_code == 200
    assert proxy.get("/a").status_code == 429
    proxy.close()


def test_proxy_headers_from_untrusted_peer_are_ignored_even_when_proxies_are_set(
    settings: Any, make_api: Callable[..., BoltAPI]
) -> None:
    settings.BOLT_TRUSTED_PROXIES = ["10.0.0.5"]
    api = make_api()
    one_per_client(api)
    outsider = TestClient(with_peer(api, "198.51.100.8"))
    statuses = [
        outsider.get("/a", headers={"X-Forwarded-For": f"10.0.0.5, 7.7.7.{i}"}).status_code
        for i in range(5)
    ]
    assert statuses == [200] + [429] * 4
    outsider.close()


def test_forwarded_header_when_configured(settings: Any, make_api: Callable[..., BoltAPI]) -> None:
    settings.BOLT_TRUSTED_PROXIES = ["10.0.0.5", "2001:db8::/32"]
    settings.BOLT_TRUSTED_PROXY_HEADER = "forwarded"
    api = make_api()
    one_per_client(api)
    proxy = TestClient(with_peer(api, "10.0.0.5"))
    h = {"Forwarded": 'for=1.2.3.4;proto=https, for="[2001:db8:cafe::17]:4711"'}
    assert proxy.get("/a", headers=h).status_code == 200  # client 1.2.3.4 (2001:db8 trusted)
    same = {"Forwarded": "for=9.9.9.9, for=1.2.3.4:8080;by=10.0.0.5"}
    assert proxy.get("/a", headers=same).status_code == 429
    # X-Forwarded-For is not the configured header: a client could have written it.
    spoof = {"X-Forwarded-For": "5.5.5.5", "Forwarded": "for=1.2.3.4"}
    assert proxy.get("/a", headers=spoof).status_code == 429
    # Obfuscated identifiers are still one identity each.
    assert proxy.get("/a", headers={"Forwarded": "for=_hidden"}).status_code == 200
    assert proxy.get("/a", headers={"Forwarded": "for=_hidden"}).status_code == 429
    proxy.close()


def test_ipv6_clients_share_their_slash_64(api: BoltAPI, peer_client: Peer) -> None:
    one_per_client(api)
    assert peer_client("2001:db8:1:2::1").get("/a").status_code == 200
    assert peer_client("2001:db8:1:2:ffff::9").get("/a").status_code == 429
    assert peer_client("2001:db8:1:3::1").get("/a").status_code == 200
    assert peer_client("::ffff:192.0.2.1").get("/a").status_code == 200
    assert peer_client("192.0.2.1").get("/a").status_code == 429


def test_user_key_limits_per_user_and_falls_back_to_ip(api: BoltAPI, peer_client: Peer) -> None:
    one_per_client(api, key="user")
    here, there = peer_client("203.0.113.1"), peer_client("203.0.113.2")
    assert here.get("/a", headers={"X-Test-User": "1"}).status_code == 200
    # Same user from another address: same bucket.
    assert there.get("/a", headers={"X-Test-User": "1"}).status_code == 429
    assert here.get("/a", headers={"X-Test-User": "2"}).status_code == 200
    # Anonymous: by address.
    assert here.get("/a").status_code == 200
    assert here.get("/a").status_code == 429
    assert there.get("/a").status_code == 200


def test_api_key_key_counts_authenticated_keys_only(api: BoltAPI, peer_client: Peer) -> None:
    one_per_client(api, key="api_key")
    c = peer_client("203.0.113.1")
    assert c.get("/a", headers={"X-Api-Key": "valid-one"}).status_code == 200
    assert c.get("/a", headers={"X-Api-Key": "valid-one"}).status_code == 429
    assert c.get("/a", headers={"X-Api-Key": "valid-two"}).status_code == 200
    # Invented (unauthenticated) keys do not buy new buckets: they count by address.
    statuses = [c.get("/a", headers={"X-Api-Key": f"bogus-{i}"}).status_code for i in range(4)]
    assert statuses == [200, 429, 429, 429]


def test_header_key(api: BoltAPI, peer_client: Peer) -> None:
    one_per_client(api, key="header:X-Tenant")
    c = peer_client("203.0.113.1")
    assert c.get("/a", headers={"X-Tenant": "acme"}).status_code == 200
    assert c.get("/a", headers={"X-Tenant": "acme"}).status_code == 429
    assert c.get("/a", headers={"X-Tenant": "globex"}).status_code == 200
    long_value = "t" * 5000
    assert c.get("/a", headers={"X-Tenant": long_value}).status_code == 200
    assert c.get("/a", headers={"X-Tenant": long_value}).status_code == 429
    assert c.get("/a").status_code == 200  # no header: by address
    assert c.get("/a").status_code == 429


@pytest.mark.parametrize("is_async", [False, True])
def test_callable_key(api: BoltAPI, peer_client: Peer, is_async: bool) -> None:
    def plan(request: Any) -> str | None:
        return request.query.get("plan")

    async def aplan(request: Any) -> str | None:
        return plan(request)

    one_per_client(api, key=aplan if is_async else plan)
    c = peer_client("203.0.113.1")
    assert c.get("/a?plan=free").status_code == 200
    assert c.get("/a?plan=free").status_code == 429
    assert c.get("/a?plan=pro").status_code == 200
    assert c.get("/a").status_code == 200  # None: by address
    assert c.get("/a").status_code == 429


@pytest.mark.django_db(transaction=True)
def test_api_key_bucket_ignores_credentials_nobody_checked(
    settings: Any, make_api: Callable[..., BoltAPI]
) -> None:
    """``key="api_key"`` with the real auth backends: a caller who authenticated must not
    buy fresh buckets by rotating a header no backend verified (an ``X-Api-Key`` next to a
    JWT, or an ``Authorization`` next to a key in a custom header)."""
    import jwt

    from bolt.auth import APIKeyAuthentication, JWTAuthentication
    from tests.plugins.auth.conftest import claims_for

    api = BoltAPI(plugins=["auth", "guards", "ratelimit"])
    backend = APIKeyAuthentication({"svc-key-0123456789": "svc"}, header="x-token")

    @api.get("/jwt", auth=[JWTAuthentication()])
    @rate_limit(rps=0.001, burst=1, key="api_key")
    async def by_jwt() -> dict:
        return {}

    @api.get("/key", auth=[backend])
    @rate_limit(rps=0.001, burst=1, key="api_key")
    async def by_key() -> dict:
        return {}

    token = jwt.encode(claims_for(5), settings.SECRET_KEY, algorithm="HS256")
    with TestClient(api) as c:
        jwt_statuses = [
            c.get(
                "/jwt", headers={"Authorization": f"Bearer {token}", "X-Api-Key": f"junk-{i}"}
            ).status_code
            for i in range(3)
        ]
        key_statuses = [
            c.get(
                "/key", headers={"X-Token": "svc-key-0123456789", "Authorization": f"junk-{i}"}
            ).status_code
            for i in range(3)
        ]
    assert jwt_statuses == [200, 429, 429]
    assert key_statuses == [200, 429, 429]
