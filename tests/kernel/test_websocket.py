"""WebSocket routes in the kernel: typed parameters, messages, limits, refusals, consumers."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import msgspec
import pytest

from bolt import BoltAPI, Router, WebSocket, WebSocketConsumer, WebSocketDisconnect
from bolt.exceptions import ImproperlyConfigured, Unauthorized
from bolt.testing import TestClient, WebSocketDenied, assert_no_hook_calls

NO_PLUGINS = ["-viewsets", "-crud", "-auth", "-guards", "-cors", "-ratelimit", "-openapi"]


class Move(msgspec.Struct):
    x: int
    y: int


def make_api(**options: Any) -> BoltAPI:
    return BoltAPI(plugins=NO_PLUGINS, **options)


@pytest.fixture
def api() -> BoltAPI:
    api = make_api()

    @api.websocket("/ws/rooms/{room}")
    async def room(ws: WebSocket, room: str, limit: int = 10) -> None:
        await ws.accept()
        await ws.send_json({"room": room, "limit": limit, "path_params": ws.path_params})
        async for message in ws:
            await ws.send_text(f"echo:{message}")

    @api.websocket("/ws/moves")
    async def moves(ws: WebSocket) -> None:
        await ws.accept()
        while True:
            move = await ws.receive_json(type=Move)
            await ws.send_json({"sum": move.x + move.y})

    @api.websocket("/ws/silent")
    async def silent(ws: WebSocket) -> None:
        return None  # never accepts

    @api.websocket("/ws/boom")
    async def boom(ws: WebSocket) -> None:
        await ws.accept()
        await ws.receive_text()
        raise RuntimeError("handler bug")

    @api.websocket("/ws/expire")
    async def expire(ws: WebSocket) -> None:
        await ws.accept()
        await ws.receive_text()
        raise Unauthorized(detail="Token expired")

    @api.websocket("/ws/small", ws_max_message_size=10)
    async def small(ws: WebSocket) -> None:
        await ws.accept()
        async for _message in ws:
            await ws.send_text("ok")

    @api.websocket("/ws/slow", ws_message_rate="3/minute")
    async def slow(ws: WebSocket) -> None:
        await ws.accept()
        async for _message in ws:
            await ws.send_text("ok")

    @api.websocket("/ws/idle", ws_idle_timeout=0.2)
    async def idle(ws: WebSocket) -> None:
        await ws.accept()
        async for _message in ws:
            await ws.send_text("ok")

    @api.get("/plain")
    def plain() -> dict[str, str]:
        return {"ok": "yes"}

    return api


@pytest.fixture
def client(api: BoltAPI) -> Any:
    c = TestClient(api)
    yield c
    c.close()


def test_typed_path_and_query_parameters_and_echo(client: TestClient) -> None:
    with client.websocket_connect("/ws/rooms/lobby?limit=5") as ws:
        assert ws.receive_json() == {"room": "lobby", "limit": 5, "path_params": {"room": "lobby"}}
        ws.send_text("hi")
        assert ws.receive_text() == "echo:hi"
        ws.send_bytes(b"\x00\x01")
        assert ws.receive_text() == "echo:b'\\x00\\x01'"


def test_invalid_query_parameter_refuses_the_handshake_with_422(client: TestClient) -> None:
    with (
        pytest.raises(WebSocketDenied) as denied,
        client.websocket_connect("/ws/rooms/lobby?limit=many"),
    ):
        pass
    assert denied.value.status_code == 422
    assert denied.value.json()["detail"][0]["loc"] == ["query", "limit"]


def test_unknown_path_is_404_and_http_routes_still_work(client: TestClient) -> None:
    with pytest.raises(WebSocketDenied) as denied, client.websocket_connect("/ws/nowhere"):
        pass
    assert denied.value.status_code == 404
    assert denied.value.json() == {"detail": "Not Found"}
    assert client.get("/plain").json() == {"ok": "yes"}
    # An HTTP GET to a WebSocket path is not a route.
    assert client.get("/ws/moves").status_code == 404


def test_without_the_http_response_extension_a_refusal_is_a_close(client: TestClient) -> None:
    with (
        pytest.raises(WebSocketDenied) as denied,
        client.websocket_connect("/ws/nowhere", http_response=False),
    ):
        pass
    assert denied.value.status_code == 403  # what clients see for a close before accept
    assert denied.value.body == b""


def test_typed_receive_decodes_and_invalid_payload_closes_1003(client: TestClient) -> None:
    with client.websocket_connect("/ws/moves") as ws:
        ws.send_json({"x": 1, "y": 2})
        assert ws.receive_json() == {"sum": 3}
        ws.send_json({"x": "one", "y": 2})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive()
    assert closed.value.code == 1003
    assert "Expected `int`" in closed.value.reason


def test_malformed_json_closes_1003(client: TestClient) -> None:
    with client.websocket_connect("/ws/moves") as ws:
        ws.send_text("{not json")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive()
    assert closed.value.code == 1003


def test_a_handler_that_never_accepts_refuses_with_403(client: TestClient) -> None:
    with pytest.raises(WebSocketDenied) as denied, client.websocket_connect("/ws/silent"):
        pass
    assert denied.value.status_code == 403


def test_an_error_after_accept_closes_1011_and_is_logged(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="bolt"), client.websocket_connect("/ws/boom") as ws:
        ws.send_text("go")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive()
    assert closed.value.code == 1011
    assert closed.value.reason == "internal error"  # no exception text to the client
    assert any("handler bug" in str(r.exc_info) for r in caplog.records)


def test_auth_failing_after_accept_closes_4401(client: TestClient) -> None:
    with client.websocket_connect("/ws/expire") as ws:
        ws.send_text("go")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive()
    assert closed.value.code == 4401
    assert closed.value.reason == "Token expired"


def test_message_over_the_size_limit_closes_1009(client: TestClient) -> None:
    with client.websocket_connect("/ws/small") as ws:
        ws.send_text("0123456789")
        assert ws.receive_text() == "ok"
        ws.send_text("é" * 6)  # six characters, twelve bytes
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive()
    assert closed.value.code == 1009


def test_message_rate_limit_closes_1008(client: TestClient) -> None:
    with client.websocket_connect("/ws/slow") as ws:
        for _ in range(3):
            ws.send_text("m")
            assert ws.receive_text() == "ok"
        ws.send_text("one too many")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive()
    assert closed.value.code == 1008


def test_idle_connection_closes_1001(client: TestClient) -> None:
    with client.websocket_connect("/ws/idle") as ws:
        ws.send_text("m")
        assert ws.receive_text() == "ok"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive()  # nothing sent for longer than 0.2 s
    assert closed.value.code == 1001


def test_no_hook_is_called_per_connection_or_message(api: BoltAPI, client: TestClient) -> None:
    api.compile()
    with assert_no_hook_calls(api), client.websocket_connect("/ws/rooms/a") as ws:
        ws.receive_json()
        for i in range(3):
            ws.send_text(str(i))
            assert ws.receive_text() == f"echo:{i}"


class Chat(WebSocketConsumer):
    message_type = Move
    events: list[Any] = []

    async def on_connect(self, websocket: WebSocket, room: int) -> None:
        self.room = room
        await websocket.accept()
        await websocket.send_json({"joined": room})

    async def on_receive(self, websocket: WebSocket, message: Move) -> None:
        await websocket.send_json({"room": self.room, "x": message.x})

    async def on_disconnect(self, websocket: WebSocket, code: int) -> None:
        Chat.events.append(("left", self.room, code))


def test_class_consumer_on_a_router_with_typed_path() -> None:
    api = make_api()
    router = Router("/chat")
    router.websocket("/{room}")(Chat)
    api.include_router(router)
    Chat.events.clear()
    with TestClient(api) as client:
        with client.websocket_connect("/chat/7") as ws:
            assert ws.receive_json() == {"joined": 7}
            ws.send_json({"x": 3, "y": 0})
            assert ws.receive_json() == {"room": 7, "x": 3}
            ws.close(1000)
        with pytest.raises(WebSocketDenied) as denied, client.websocket_connect("/chat/seven"):
            pass
        assert denied.value.status_code == 422
        with client.websocket_connect("/chat/8") as ws:
            ws.receive_json()
            ws.send_json({"x": "bad", "y": 0})
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive()
            assert closed.value.code == 1003
    assert Chat.events == [("left", 7, 1000), ("left", 8, 1003)]


def test_subprotocol_and_accept_headers() -> None:
    api = make_api()

    @api.websocket("/ws")
    async def handler(ws: WebSocket) -> None:
        await ws.accept(subprotocol="chat.v2", headers={"x-served-by": "bolt"})
        await ws.send_json({"offered": ws.subprotocols, "header": ws.headers.get("x-hello")})

    with (
        TestClient(api) as client,
        client.websocket_connect(
            "/ws", headers={"X-Hello": "there"}, subprotocols=["chat.v1", "chat.v2"]
        ) as ws,
    ):
        assert ws.accepted_subprotocol == "chat.v2"
        assert ws.accept_headers["x-served-by"] == "bolt"
        assert ws.receive_json() == {"offered": ["chat.v1", "chat.v2"], "header": "there"}


def test_registration_mistakes_stop_startup() -> None:
    api = make_api()
    with pytest.raises(ImproperlyConfigured, match="async def"):

        @api.websocket("/ws")
        def sync_handler(ws: WebSocket) -> None: ...

    async def handler(ws: WebSocket) -> None: ...

    with pytest.raises(ImproperlyConfigured, match="ws_orgins"):
        api.websocket("/ws", ws_orgins=["https://a.example"])(handler)

    @api.websocket("/ws/body")
    async def wants_body(ws: WebSocket, data: Move) -> None: ...

    with pytest.raises(ImproperlyConfigured, match="handshake has none"):
        api.compile()


def test_ws_option_on_an_http_route_is_refused_but_api_wide_is_fine() -> None:
    api = make_api(ws_idle_timeout=30)

    @api.get("/fine")
    def fine() -> dict[str, bool]:
        return {"ok": True}

    api.compile()  # an API-wide WebSocket option does not trouble HTTP routes
    other = make_api()

    @other.get("/wrong", ws_idle_timeout=30)
    def wrong() -> None: ...

    with pytest.raises(ImproperlyConfigured, match="ws_idle_timeout"):
        other.compile()


def test_bad_message_rate_stops_startup() -> None:
    api = make_api()

    @api.websocket("/ws", ws_message_rate="lots")
    async def handler(ws: WebSocket) -> None: ...

    with pytest.raises(ImproperlyConfigured, match="ws_message_rate"):
        api.compile()


def test_client_vanishing_mid_send_logs_one_debug_line(caplog: pytest.LogCaptureFixture) -> None:
    """A raw ASGI drive: the server's send fails as Granian's does when the peer is gone."""
    api = make_api()
    reached: list[str] = []

    @api.websocket("/ws/feed")
    async def feed(ws: WebSocket) -> None:
        await ws.accept()
        try:
            for i in range(100):
                await ws.send_text(str(i))
        finally:
            reached.append("finally")

    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "websocket.send" and len(sent) >= 3:
            raise RuntimeError("Transport not initialized or closed")
        sent.append(message)

    scope = {
        "type": "websocket",
        "path": "/ws/feed",
        "raw_path": b"/ws/feed",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "subprotocols": [],
    }
    with caplog.at_level(logging.DEBUG, logger="bolt"):
        asyncio.run(api(scope, receive, send))
    assert reached == ["finally"]
    assert [m["type"] for m in sent] == ["websocket.accept", "websocket.send", "websocket.send"]
    records = [r for r in caplog.records if r.name == "bolt"]
    assert [r.levelno for r in records] == [logging.DEBUG], [r.getMessage() for r in records]


@pytest.mark.parametrize(("option", "value"), [("ws_max_message_size", 0), ("ws_idle_timeout", 0)])
def test_zero_limits_stop_startup(option: str, value: int) -> None:
    """0 used to mean "the default size" or "no timeout" without a word."""
    api = BoltAPI(plugins=[])

    @api.websocket("/ws/x", **{option: value})
    async def x(ws: WebSocket) -> None:
        await ws.accept()

    with pytest.raises(ImproperlyConfigured, match=option):
        api.compile()


def test_a_wrap_step_sees_a_fresh_session_answer_per_connection() -> None:
    """A third-party ``wrap`` step that stamps the answer of a WebSocket session (as an HTTP
    timing step would) never sees what it wrote for an earlier connection."""
    from bolt import hookimpl
    from bolt.pipeline import Middleware

    seen: list[dict[str, str]] = []

    class Stamp:
        @hookimpl
        def bolt_route_middleware(self, api: Any, route: Any) -> Any:
            def wrap(next_handler: Any) -> Any:
                async def handle(request: Any) -> Any:
                    response = await next_handler(request)
                    seen.append(dict(response.headers))
                    response.headers[f"x-stamp-{len(seen)}"] = "1"
                    return response

                return handle

            return Middleware(phase=50, wrap=wrap, name="stamp")

    api = BoltAPI(plugins=[Stamp()])

    @api.websocket("/ws/once")
    async def once(ws: WebSocket) -> None:
        await ws.accept()
        await ws.close()

    with TestClient(api) as client:
        for _ in range(3):
            with client.websocket_connect("/ws/once"):
                pass
    assert seen == [{}, {}, {}]
