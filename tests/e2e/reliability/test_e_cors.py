"""Catalogue E (cases 45-49): CORS. The server's settings give every route CORS for
``https://good.com`` with credentials and ask for a one-day preflight cache (capped)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Server
from tests.e2e.reliability.common import GOOD_ORIGIN
from tests.e2e.reliability.helpers import assert_clean_error, bearer, token

pytestmark = pytest.mark.e2e


def vary(response: httpx.Response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("vary", "").split(",") if v.strip()}


def assert_allowed(response: httpx.Response) -> None:
    assert response.headers.get("access-control-allow-origin") == GOOD_ORIGIN
    assert response.headers.get("access-control-allow-credentials") == "true"
    assert "origin" in vary(response)


def assert_refused(response: httpx.Response) -> None:
    assert not any(h.startswith("access-control-") for h in response.headers), response.headers
    assert "origin" in vary(response)


def test_case45_allowed_and_disallowed_origins(client: httpx.Client) -> None:
    allowed = client.get("/api/hello", headers={"origin": GOOD_ORIGIN})
    assert allowed.status_code == 200
    assert_allowed(allowed)
    refused = client.get("/api/hello", headers={"origin": "https://evil.com"})
    assert refused.status_code == 200
    assert_refused(refused)
    no_origin = client.get("/api/hello")
    assert_refused(no_origin)


@pytest.mark.parametrize(
    "origin",
    ["null", "https://good.com.evil.com", "https://evilgood.com", "http://good.com",
     "https://good.com:8443", "https://GOOD.com.", "https://good.com/", "https://good.co",
     "https://xgood.com", "https://good.com@evil.com", "https://good.com%2f.evil.com", "*"],
)  # fmt: skip
def test_case46_lookalike_origins_are_refused(client: httpx.Client, origin: str) -> None:
    response = client.get("/api/hello", headers={"origin": origin})
    assert_refused(response)
    preflight = client.options(
        "/api/hello", headers={"origin": origin, "access-control-request-method": "GET"}
    )
    assert not any(h.startswith("access-control-allow") for h in preflight.headers)


def test_case47_preflight(client: httpx.Client, db: Path) -> None:
    ok = client.options(
        "/api/notes",
        headers={
            "origin": GOOD_ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type",
        },
    )
    assert ok.status_code in (200, 204), ok.text  # no credentials needed for a preflight
    assert ok.headers["access-control-allow-origin"] == GOOD_ORIGIN
    assert "POST" in ok.headers["access-control-allow-methods"]
    assert "authorization" in ok.headers["access-control-allow-headers"].lower()
    assert 0 < int(ok.headers["access-control-max-age"]) <= 7200
    for headers in (
        {"access-control-request-method": "TRACE"},
        {"access-control-request-method": "PROPFIND"},
        {"access-control-request-method": "POST", "access-control-request-headers": "x-evil"},
        {"access-control-request-method": "GET", "access-control-request-headers": "cookie"},
    ):
        refused = client.options("/api/notes", headers={"origin": GOOD_ORIGIN, **headers})
        assert refused.status_code >= 400, (headers, refused.status_code)
        assert not any(h.startswith("access-control-allow") for h in refused.headers), headers
        assert_clean_error(refused)
    # An OPTIONS without Access-Control-Request-Method is not a preflight.
    plain = client.options("/api/hello", headers={"origin": GOOD_ORIGIN})
    assert "access-control-allow-methods" not in plain.headers
    assert set(plain.headers["allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_case48_cors_headers_on_errors(client: httpx.Client, seeded: dict[str, Any]) -> None:
    origin = {"origin": GOOD_ORIGIN}
    alice = {**origin, **bearer(token(seeded["alice"]))}
    answers = {
        401: client.get("/api/me", headers=origin),
        403: client.get("/api/admin", headers=alice),
        404: client.get("/api/items/999999", headers=origin),
        422: client.post("/api/items", json={"name": 1}, headers=origin),
        500: client.get("/api/boom", headers=origin),
    }
    for _ in range(10):
        limited = client.get("/api/limited-xff", headers=origin)
        if limited.status_code == 429:
            answers[429] = limited
            break
    assert 429 in answers
    for status, response in answers.items():
        assert_clean_error(response, status)
        assert_allowed(response)


def test_case49_wildcard_with_credentials_refuses_to_start(
    start_server: Callable[..., Server], tmp_path: Path
) -> None:
    server = start_server(tmp_path / "unused.sqlite3", ready=False, RELIABILITY_BAD_CORS="1")
    deadline = time.monotonic() + 20
    while server.proc.poll() is None and time.monotonic() < deadline:
        try:
            answer = httpx.get(server.base_url + "/api/hello", timeout=1)
        except httpx.HTTPError:
            time.sleep(0.2)
            continue
        # If the process has not exited yet, it must not serve the route.
        assert answer.status_code >= 500
        assert "access-control-allow-origin" not in answer.headers
        time.sleep(0.2)
    assert server.proc.poll() not in (None, 0), "the server kept running"
    assert "credentials" in server.output()
