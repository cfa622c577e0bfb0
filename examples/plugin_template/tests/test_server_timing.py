"""The plugin's tests, written with Bolt's pytest plugin (``bolt_make_api``) and test client.

Each test builds an API with exactly the plugins it needs, serves requests through the
ASGI interface and asserts on status, body and headers.
"""

from __future__ import annotations

import re

import bolt_server_timing
import pytest
from bolt_server_timing import timed

from bolt import Router
from bolt.exceptions import Forbidden, ImproperlyConfigured
from bolt.middleware import skip_middleware
from bolt.testing import TestClient, WebSocketDenied, assert_no_hook_calls

TIMING = re.compile(r"^(?P<metric>[\w.-]+);dur=(?P<ms>\d+\.\d{3})$")


def test_every_response_is_timed(bolt_make_api) -> None:
    api = bolt_make_api(bolt_server_timing)

    @api.get("/hello")
    async def hello() -> dict:
        return {"hello": "world"}

    client = TestClient(api)
    response = client.get("/hello")
    assert response.status_code == 200
    assert response.json() == {"hello": "world"}
    match = TIMING.match(response.headers["server-timing"])
    assert match is not None
    assert match["metric"] == "app"


def test_errors_and_unknown_methods_are_timed_too(bolt_make_api) -> None:
    api = bolt_make_api(bolt_server_timing)

    @api.get("/boom")
    async def boom() -> dict:
        raise KeyError("boom")

    response = TestClient(api).get("/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error"}
    assert TIMING.match(response.headers["server-timing"])


def test_metric_name_comes_from_settings(bolt_make_api) -> None:
    api = bolt_make_api(bolt_server_timing, settings={"SERVER_TIMING_METRIC": "api"})

    @api.get("/x")
    async def x() -> dict:
        return {}

    assert TestClient(api).get("/x").headers["server-timing"].startswith("api;dur=")


def test_marked_routes_only(bolt_make_api) -> None:
    api = bolt_make_api(bolt_server_timing, settings={"SERVER_TIMING_ROUTES": "marked"})

    @api.get("/fast")
    @timed
    async def fast() -> dict:
        return {}

    @api.get("/plain")
    async def plain() -> dict:
        return {}

    client = TestClient(api)
    assert "server-timing" in client.get("/fast").headers
    assert "server-timing" not in client.get("/plain").headers


def test_skip_middleware_turns_it_off(bolt_make_api) -> None:
    api = bolt_make_api(bolt_server_timing)

    @api.get("/quiet")
    @skip_middleware("server_timing")
    async def quiet() -> dict:
        return {}

    assert "server-timing" not in TestClient(api).get("/quiet").headers


def test_outside_the_first_party_steps(bolt_make_api) -> None:
    """Phase 50 runs before CORS (100): a refused preflight-less CORS request and the
    rate limiter's 429 are timed as well."""
    from bolt.middleware import rate_limit

    api = bolt_make_api("ratelimit", bolt_server_timing)

    @api.get("/limited")
    @rate_limit(rps=1, burst=1)
    async def limited() -> dict:
        return {}

    client = TestClient(api)
    assert client.get("/limited").status_code == 200
    refused = client.get("/limited")
    assert refused.status_code == 429
    assert TIMING.match(refused.headers["server-timing"])
    assert list(api.iter_routes()[0].middleware_names) == ["server_timing", "rate_limit"]


def test_no_hook_runs_per_request(bolt_make_api) -> None:
    api = bolt_make_api(bolt_server_timing)

    @api.get("/items/{item_id}")
    async def item(item_id: int) -> dict:
        return {"id": item_id}

    api.compile()
    client = TestClient(api)
    with assert_no_hook_calls(api):
        for i in range(5):
            assert client.get(f"/items/{i}").json() == {"id": i}


def test_websocket_routes_get_no_http_step(bolt_make_api) -> None:
    """``bolt_route_middleware`` also sees WebSocket routes (``route.method ==
    "WEBSOCKET"``), where a ``wrap`` step would wrap the whole session: an HTTP-only step
    returns ``None`` for them, so even a refused handshake carries no timing."""
    api = bolt_make_api(bolt_server_timing)

    @api.websocket("/ws")
    async def ws(websocket) -> None:
        raise Forbidden("not you")

    with pytest.raises(WebSocketDenied) as denied, TestClient(api).websocket_connect("/ws"):
        pass
    assert denied.value.status_code == 403
    assert denied.value.json() == {"detail": "not you"}
    assert "server-timing" not in denied.value.headers


def test_option_on_router_api_and_view_class(bolt_make_api) -> None:
    """``api.register_option`` makes ``server_timing=`` a route option everywhere options
    are written: the route, a ``Router``, the ``BoltAPI`` and a view class attribute."""
    from bolt.views import APIView

    api = bolt_make_api("viewsets", bolt_server_timing, settings={"SERVER_TIMING_ROUTES": "marked"})
    router = Router(prefix="/r", server_timing=True)

    @router.get("/x")
    async def x() -> dict:
        return {}

    class Timed(APIView):
        server_timing = True

        async def get(self) -> dict:
            return {}

    api.include_router(router)
    api.view("/v", Timed)
    client = TestClient(api)
    assert TIMING.match(client.get("/r/x").headers["server-timing"])
    assert TIMING.match(client.get("/v").headers["server-timing"])


def test_option_while_the_plugin_is_off_stops_startup(bolt_make_api) -> None:
    api = bolt_make_api()  # the first-party defaults, without this plugin

    @api.get("/x", server_timing=True)
    async def x() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match="server_timing"):
        api.compile()
