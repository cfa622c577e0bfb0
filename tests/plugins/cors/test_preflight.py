"""CORS preflights: answered before authentication; method and headers checked; Max-Age capped."""

from __future__ import annotations

from typing import Any

import pytest

from bolt import BoltAPI
from bolt.middleware import cors
from bolt.testing import TestClient
from tests.plugins.cors.conftest import GOOD


def preflight(
    client: TestClient, path: str, method: str = "GET", headers: str | None = None, **extra: Any
) -> Any:
    h = {"Origin": extra.pop("origin", GOOD), "Access-Control-Request-Method": method}
    if headers is not None:
        h["Access-Control-Request-Headers"] = headers
    return client.options(path, headers=h)


ALLOW_HEADERS = (
    "access-control-allow-origin",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-allow-credentials",
    "access-control-max-age",
)


def assert_refused(r: Any) -> None:
    assert r.status_code == 403
    assert r.json()["detail"].startswith("CORS preflight refused")
    for name in ALLOW_HEADERS:
        assert name not in r.headers, name
    assert "Origin" in r.headers["vary"]


def test_valid_preflight_succeeds_without_auth(api: BoltAPI, client: TestClient) -> None:
    @api.post("/items", needs_token=True)
    @cors(origins=[GOOD], credentials=True, headers=["content-type", "authorization"])
    async def create() -> dict:
        return {"created": True}

    r = preflight(client, "/items", "POST", "Content-Type, Authorization")
    assert r.status_code == 204
    assert r.content == b""
    assert r.headers["access-control-allow-origin"] == GOOD
    assert r.headers["access-control-allow-credentials"] == "true"
    assert r.headers["access-control-allow-headers"] == "authorization, content-type"
    assert "POST" in r.headers["access-control-allow-methods"]
    assert r.headers["access-control-max-age"] == "600"
    assert r.headers["vary"] == (
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    )
    # The actual request still needs the token.
    assert client.post("/items", headers={"Origin": GOOD}).status_code == 401
    ok = client.post("/items", headers={"Origin": GOOD, "Authorization": "Bearer ok"})
    assert ok.status_code == 200
    assert ok.json() == {"created": True}


def test_preflight_on_explicit_options_route_is_answered_before_it(
    api: BoltAPI, client: TestClient
) -> None:
    calls: list[str] = []

    @api.options("/thing", needs_token=True)
    @cors(origins=[GOOD])
    async def thing_options() -> dict:
        calls.append("options")
        return {"options": True}

    r = preflight(client, "/thing", "OPTIONS")
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == GOOD
    assert calls == []


def test_disallowed_method_is_refused(api: BoltAPI, client: TestClient) -> None:
    @api.post("/api/upload")
    @cors(origins=["*"], methods=["POST"])
    async def upload() -> dict:
        return {"uploaded": True}

    assert preflight(client, "/api/upload", "POST").status_code == 204
    assert_refused(preflight(client, "/api/upload", "DELETE"))
    assert_refused(preflight(client, "/api/upload", "GET"))


def test_disallowed_header_is_refused(api: BoltAPI, client: TestClient) -> None:
    @api.get("/data")
    @cors(origins=[GOOD], headers=["content-type"])
    async def data() -> dict:
        return {}

    assert preflight(client, "/data", "GET", "content-type").status_code == 204
    assert_refused(preflight(client, "/data", "GET", "content-type, x-secret"))
    assert_refused(preflight(client, "/data", "GET", "bad header(x)"))


def test_disallowed_origin_is_refused(api: BoltAPI, client: TestClient) -> None:
    @api.get("/data")
    @cors(origins=[GOOD], credentials=True)
    async def data() -> dict:
        return {}

    for origin in ("null", "https://good.com.evil.com", "https://evilgood.com", "http://good.com"):
        assert_refused(preflight(client, "/data", origin=origin))


def test_any_header_reflects_only_valid_requested_names(api: BoltAPI, client: TestClient) -> None:
    @api.get("/data")
    @cors(origins=[GOOD], headers=["*"])
    async def data() -> dict:
        return {}

    r = preflight(client, "/data", "GET", "X-One,  x-two")
    assert r.status_code == 204
    assert r.headers["access-control-allow-headers"] == "x-one, x-two"
    r = preflight(client, "/data", "GET")
    assert "access-control-allow-headers" not in r.headers


@pytest.mark.parametrize(
    ("given", "sent"), [(100_000, "7200"), (7200, "7200"), (0, "0"), (60, "60")]
)
def test_max_age_is_capped(api: BoltAPI, client: TestClient, given: int, sent: str) -> None:
    @api.get("/data")
    @cors(origins=[GOOD], max_age=given)
    async def data() -> dict:
        return {}

    assert preflight(client, "/data").headers["access-control-max-age"] == sent


def test_each_method_at_a_path_has_its_own_policy(api: BoltAPI, client: TestClient) -> None:
    @api.get("/res")
    @cors(origins=["https://reader.com"])
    async def read() -> dict:
        return {}

    @api.post("/res")
    @cors(origins=["https://writer.com"], methods=["POST"])
    async def write() -> dict:
        return {}

    r = preflight(client, "/res", "POST", origin="https://writer.com")
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "https://writer.com"
    assert_refused(preflight(client, "/res", "POST", origin="https://reader.com"))
    r = preflight(client, "/res", "GET", origin="https://reader.com")
    assert r.headers["access-control-allow-origin"] == "https://reader.com"


def test_wildcard_preflight(api: BoltAPI, client: TestClient) -> None:
    @api.get("/public")
    @cors(origins=["*"])
    async def public() -> dict:
        return {}

    r = preflight(client, "/public", origin="https://anyone.example")
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers


def test_preflight_skips_rate_limit(api: BoltAPI, client: TestClient) -> None:
    from bolt.middleware import rate_limit

    @api.get("/limited")
    @cors(origins=[GOOD])
    @rate_limit(rps=0.01, burst=1)
    async def limited() -> dict:
        return {}

    for _ in range(3):
        assert preflight(client, "/limited").status_code == 204
    assert client.get("/limited", headers={"Origin": GOOD}).status_code == 200
    assert client.get("/limited", headers={"Origin": GOOD}).status_code == 429
