"""What the CORS step echoes: configured IDN origins and origins with control characters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bolt import BoltAPI
from bolt.middleware import cors
from bolt.testing import TestClient
from tests.plugins.cors.conftest import GOOD


def test_unicode_origin_in_config_does_not_break_the_route(
    make_api: Callable[..., BoltAPI],
) -> None:
    """An origin configured in Unicode does not stop the route from serving the others."""
    api = make_api()

    @api.get("/a")
    @cors(origins=[GOOD, "https://例え.jp"])
    async def a() -> dict:
        return {}

    r = TestClient(api).get("/a", headers={"Origin": GOOD})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == GOOD


def test_preflight_never_echoes_control_characters(
    settings: Any, make_api: Callable[..., BoltAPI]
) -> None:
    """Neither an actual request nor a preflight echoes an origin with control characters,
    even when a loose pattern would match it."""
    settings.CORS_ALLOWED_ORIGIN_REGEXES = [r"https://[^/]+\.good\.com"]
    api = make_api()

    @api.get("/a")
    async def a() -> dict:
        return {}

    client = TestClient(api)
    good = client.get("/a", headers={"Origin": "https://x.good.com"})
    assert good.headers["access-control-allow-origin"] == "https://x.good.com"
    bad = "https://x\x00y\x7f.good.com"
    assert "access-control-allow-origin" not in client.get("/a", headers={"Origin": bad}).headers
    r = client.options("/a", headers={"Origin": bad, "Access-Control-Request-Method": "GET"})
    assert r.status_code == 403
    assert "access-control-allow-origin" not in r.headers


def test_unicode_origin_in_config_matches_the_ascii_form_browsers_send(
    make_api: Callable[..., BoltAPI],
) -> None:
    api = make_api()

    @api.get("/a")
    @cors(origins=["https://例え.jp"])
    async def a() -> dict:
        return {}

    client = TestClient(api)
    sent = "https://xn--r8jz45g.jp"
    assert client.get("/a", headers={"Origin": sent}).headers["access-control-allow-origin"] == sent
    r = client.options("/a", headers={"Origin": sent, "Access-Control-Request-Method": "GET"})
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == sent
