"""CORS on actual (non-preflight) requests: exact origins, Vary, credentials, error responses."""

from __future__ import annotations

import pytest

from bolt import BoltAPI
from bolt.exceptions import Forbidden, NotFound
from bolt.middleware import cors, rate_limit
from bolt.responses import JSONResponse, StreamingResponse
from bolt.testing import TestClient
from tests.plugins.cors.conftest import GOOD


def test_allowed_origin_gets_exact_acao_and_vary(api: BoltAPI, client: TestClient) -> None:
    @api.get("/data")
    @cors(origins=[GOOD])
    async def data() -> dict:
        return {"ok": True}

    r = client.get("/data", headers={"Origin": GOOD})
    assert r.status_code == 200
    assert r.json() == {"ok": True}
    assert r.headers["access-control-allow-origin"] == GOOD
    assert r.headers["vary"] == "Origin"
    assert "access-control-allow-credentials" not in r.headers
    assert "access-control-expose-headers" not in r.headers


def test_credentials_header_only_when_enabled(api: BoltAPI, client: TestClient) -> None:
    @api.get("/with")
    @cors(origins=[GOOD], credentials=True)
    async def with_credentials() -> dict:
        return {}

    @api.get("/without")
    @cors(origins=[GOOD])
    async def without_credentials() -> dict:
        return {}

    r = client.get("/with", headers={"Origin": GOOD})
    assert r.headers["access-control-allow-credentials"] == "true"
    assert r.headers["access-control-allow-origin"] == GOOD
    r = client.get("/without", headers={"Origin": GOOD})
    assert "access-control-allow-credentials" not in r.headers


def test_disallowed_origin_gets_no_acao_but_vary(api: BoltAPI, client: TestClient) -> None:
    @api.get("/data")
    @cors(origins=[GOOD], credentials=True)
    async def data() -> dict:
        return {"ok": True}

    r = client.get("/data", headers={"Origin": "https://evil.com"})
    assert r.status_code == 200  # CORS is enforced by the browser; the server only withholds
    assert "access-control-allow-origin" not in r.headers
    assert "access-control-allow-credentials" not in r.headers
    assert r.headers["vary"] == "Origin"


def test_request_without_origin_still_varies(api: BoltAPI, client: TestClient) -> None:
    @api.get("/data")
    @cors(origins=[GOOD])
    async def data() -> dict:
        return {}

    r = client.get("/data")
    assert r.headers["vary"] == "Origin"
    assert "access-control-allow-origin" not in r.headers


@pytest.mark.parametrize(
    "origin",
    [
        "null",
        "https://good.com.evil.com",
        "https://evilgood.com",
        "http://good.com",
        "https://good.com:8443",
        "https://GOOD.com",
        "https://good.com/",
        "https://sub.good.com",
        "",
    ],
)
def test_lookalike_origins_are_refused(api: BoltAPI, client: TestClient, origin: str) -> None:
    @api.get("/data")
    @cors(origins=[GOOD, "https://good.com:9000"], credentials=True)
    async def data() -> dict:
        return {}

    r = client.get("/data", headers={"Origin": origin})
    assert "access-control-allow-origin" not in r.headers
    assert r.headers["vary"] == "Origin"


def test_configured_default_port_matches_browser_form(api: BoltAPI, client: TestClient) -> None:
    @api.get("/data")
    @cors(origins=["HTTPS://Good.com:443", "http://localhost:3000"])
    async def data() -> dict:
        return {}

    assert (
        client.get("/data", headers={"Origin": GOOD}).headers["access-control-allow-origin"] == GOOD
    )
    r = client.get("/data", headers={"Origin": "http://localhost:3000"})
    assert r.headers["access-control-allow-origin"] == "http://localhost:3000"
    r = client.get("/data", headers={"Origin": "http://localhost:3001"})
    assert "access-control-allow-origin" not in r.headers


def test_wildcard_without_credentials_sends_star_without_vary(
    api: BoltAPI, client: TestClient
) -> None:
    @api.get("/public")
    @cors(origins=["*"])
    async def public() -> dict:
        return {}

    r = client.get("/public", headers={"Origin": "https://anyone.example"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "vary" not in r.headers
    assert "access-control-allow-credentials" not in r.headers


def test_expose_headers(api: BoltAPI, client: TestClient) -> None:
    @api.get("/data")
    @cors(origins=[GOOD], expose_headers=["X-Total-Count", "ETag"])
    async def data() -> JSONResponse:
        return JSONResponse([], headers={"X-Total-Count": "0"})

    r = client.get("/data", headers={"Origin": GOOD})
    assert r.headers["access-control-expose-headers"] == "x-total-count, etag"
    assert r.headers["x-total-count"] == "0"


def test_vary_merges_with_handler_vary(api: BoltAPI, client: TestClient) -> None:
    @api.get("/data")
    @cors(origins=[GOOD])
    async def data() -> JSONResponse:
        return JSONResponse({}, headers={"Vary": "Accept-Encoding"})

    @api.get("/already")
    @cors(origins=[GOOD])
    async def already() -> JSONResponse:
        return JSONResponse({}, headers={"Vary": "origin"})

    r = client.get("/data", headers={"Origin": GOOD})
    assert r.headers["vary"] == "Accept-Encoding, Origin"
    r = client.get("/already", headers={"Origin": GOOD})
    assert r.headers["vary"] == "origin"


def test_cors_headers_on_error_responses(api: BoltAPI, client: TestClient) -> None:
    """401 (auth step), 403/404 (handler), 422 (validation), 429 (limiter), 500 (crash):
    every error answer still carries CORS headers, so browsers show the real error."""

    @api.get("/secure", needs_token=True)
    @cors(origins=[GOOD], credentials=True)
    async def secure() -> dict:
        return {}

    @api.get("/forbidden")
    @cors(origins=[GOOD], credentials=True)
    async def forbidden() -> dict:
        raise Forbidden(detail="no")

    @api.get("/missing/{item_id}")
    @cors(origins=[GOOD], credentials=True)
    async def missing(item_id: int) -> dict:
        raise NotFound(detail=f"item {item_id} not found")

    @api.get("/limited")
    @cors(origins=[GOOD], credentials=True)
    @rate_limit(rps=0.01, burst=1)
    async def limited() -> dict:
        return {}

    @api.get("/crash")
    @cors(origins=[GOOD], credentials=True)
    async def crash() -> dict:
        raise RuntimeError("secret internals")

    h = {"Origin": GOOD}
    client.get("/limited", headers=h)
    cases = [
        ("/secure", 401),
        ("/forbidden", 403),
        ("/missing/5", 404),
        ("/missing/abc", 422),
        ("/limited", 429),
        ("/crash", 500),
    ]
    for path, status in cases:
        r = client.get(path, headers=h)
        assert r.status_code == status, path
        assert r.headers["access-control-allow-origin"] == GOOD, path
        assert r.headers["access-control-allow-credentials"] == "true", path
        assert r.headers["vary"] == "Origin", path
        assert "detail" in r.json(), path
    assert "secret" not in client.get("/crash", headers=h).text
    r = client.get("/secure", headers=h)
    assert r.headers["www-authenticate"] == "Bearer"
    r = client.get("/limited", headers=h)
    assert int(r.headers["retry-after"]) >= 1


def test_error_responses_of_disallowed_origin_still_vary(api: BoltAPI, client: TestClient) -> None:
    @api.get("/secure", needs_token=True)
    @cors(origins=[GOOD])
    async def secure() -> dict:
        return {}

    r = client.get("/secure", headers={"Origin": "https://evil.com"})
    assert r.status_code == 401
    assert "access-control-allow-origin" not in r.headers
    assert r.headers["vary"] == "Origin"


def test_options_without_request_method_is_not_a_preflight(
    api: BoltAPI, client: TestClient
) -> None:
    @api.get("/data")
    @cors(origins=[GOOD])
    async def data() -> dict:
        return {}

    r = client.options("/data", headers={"Origin": GOOD})
    assert r.status_code == 204
    assert r.headers["allow"] == "GET, HEAD, OPTIONS"
    assert r.headers["access-control-allow-origin"] == GOOD
    assert "access-control-allow-methods" not in r.headers


def test_head_gets_cors_headers_like_get(api: BoltAPI, client: TestClient) -> None:
    @api.get("/data")
    @cors(origins=[GOOD])
    async def data() -> dict:
        return {"a": 1}

    r = client.head("/data", headers={"Origin": GOOD})
    assert r.status_code == 200
    assert r.content == b""
    assert r.headers["access-control-allow-origin"] == GOOD


def test_routes_without_cors_are_untouched(api: BoltAPI, client: TestClient) -> None:
    @api.get("/plain")
    async def plain() -> dict:
        return {}

    r = client.get("/plain", headers={"Origin": GOOD})
    assert "access-control-allow-origin" not in r.headers
    assert "vary" not in r.headers
    r = client.options("/plain", headers={"Origin": GOOD, "Access-Control-Request-Method": "GET"})
    assert r.status_code == 204
    assert "access-control-allow-origin" not in r.headers


def test_streaming_response_gets_cors_headers(api: BoltAPI, client: TestClient) -> None:
    @api.get("/stream")
    @cors(origins=[GOOD])
    async def stream() -> StreamingResponse:
        async def chunks():
            yield b"a"
            yield b"b"

        return StreamingResponse(chunks(), media_type="text/plain")

    r = client.get("/stream", headers={"Origin": GOOD})
    assert r.text == "ab"
    assert r.headers["access-control-allow-origin"] == GOOD


def test_header_names_as_a_case_preserving_server_sends_them(api: BoltAPI) -> None:
    """ASGI servers should lower-case header names but need not; ``Origin`` as sent by one
    that keeps the case is found all the same, and only a header named exactly that."""

    @api.get("/data")
    @cors(origins=[GOOD])
    async def data() -> dict:
        return {"ok": True}

    async def case_preserving(scope: dict, receive: object, send: object) -> None:
        if scope["type"] == "http":
            names = {b"origin": b"Origin", b"x-origin": b"X-Origin", b"origins": b"Origins"}
            scope = {**scope, "headers": [(names.get(n, n), v) for n, v in scope["headers"]]}
        await api(scope, receive, send)

    with TestClient(case_preserving) as client:
        r = client.get("/data", headers={"Origin": GOOD})
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == GOOD
        assert r.headers["vary"] == "Origin"
        r = client.get("/data", headers={"X-Origin": GOOD, "Origins": GOOD})
        assert r.status_code == 200
        assert "access-control-allow-origin" not in r.headers
        assert r.headers["vary"] == "Origin"
