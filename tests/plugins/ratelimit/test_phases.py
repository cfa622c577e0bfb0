"""Failed logins count against IP- and header-keyed limits: those limits run before
authentication, identity-keyed ones after it."""

from __future__ import annotations

import pytest

from bolt import BoltAPI
from bolt.auth import APIKeyAuthentication, IsAuthenticated
from bolt.middleware import rate_limit
from bolt.testing import TestClient


@pytest.mark.parametrize("key", ["ip", "header:x-client"])
def test_wrong_credentials_use_up_client_keyed_limits(key: str) -> None:
    api = BoltAPI(plugins=["-compression"])
    ran: list[int] = []

    @api.get(
        "/secret",
        auth=[APIKeyAuthentication(api_keys={"right-key-0123456789": "svc"})],
        guards=[IsAuthenticated()],
    )
    @rate_limit(rps=0.01, burst=2, key=key)
    async def secret() -> dict:
        ran.append(1)
        return {"ok": True}

    client = TestClient(api)
    headers = {"x-client": "c1"}
    statuses = [
        client.get("/secret", headers={**headers, "x-api-key": f"guess-{i}"}).status_code
        for i in range(6)
    ]
    assert statuses == [401, 401, 429, 429, 429, 429]
    r = client.get("/secret", headers={**headers, "x-api-key": "right-key-0123456789"})
    assert r.status_code == 429  # the budget is spent, whoever asks from there
    assert "retry-after" in r.headers
    assert ran == []
    route = next(r for r in api.iter_routes() if r.path == "/secret")
    assert list(route.middleware_names) == ["rate_limit", "auth", "guards"]


def test_identity_keyed_limits_still_follow_authentication() -> None:
    api = BoltAPI(plugins=["-compression"])

    @api.get(
        "/mine",
        auth=[APIKeyAuthentication(api_keys={"right-key-0123456789": "svc"})],
        guards=[IsAuthenticated()],
    )
    @rate_limit(rps=0.01, burst=1, key="api_key")
    async def mine() -> dict:
        return {"ok": True}

    route = next(r for r in api.iter_routes() if r.path == "/mine")
    assert list(route.middleware_names) == ["auth", "rate_limit", "guards"]
    client = TestClient(api)
    good = {"x-api-key": "right-key-0123456789"}
    assert client.get("/mine", headers=good).status_code == 200
    assert client.get("/mine", headers=good).status_code == 429
