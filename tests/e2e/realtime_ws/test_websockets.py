"""WebSockets on a real Granian over TCP, with the ``websockets`` client."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import struct
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
import websockets
from websockets.asyncio.client import connect

from tests.e2e.conftest import Server

pytestmark = [pytest.mark.e2e]

SECRET = "e2e-websocket-secret-key-long-enough-for-hs256-0123456789"


def token(user_id: int) -> str:
    now = int(time.time())
    return jwt.encode({"sub": str(user_id), "iat": now, "exp": now + 600}, SECRET, "HS256")


def ws_url(server: Server, path: str) -> str:
    return f"ws://127.0.0.1:{server.port}{path}"


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 60))


@pytest.fixture
def server(serve_ws: Callable[..., Server]) -> Server:
    return serve_ws()


def test_echo_typed_query_and_protocol_ping(server: Server) -> None:
    async def go() -> None:
        async with connect(ws_url(server, "/ws/echo?prefix=re:")) as ws:
            await ws.send("hello")
            assert await ws.recv() == "re:hello"
            await ws.send(b"\x00\xff")
            assert await ws.recv() == b"\x00\xff"
            # Granian answers protocol pings itself; the handler never sees them.
            pong = await ws.ping()
            await asyncio.wait_for(pong, 5)

    run(go())


def test_refused_handshake_is_a_real_http_answer_on_granian(server: Server) -> None:
    """Granian supports ``websocket.http.response``: the client gets the plugin's status
    and JSON body, not a bare 403."""

    async def go() -> None:
        with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
            async with connect(ws_url(server, "/ws/me")):
                pass
        response = refused.value.response
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert bytes(response.body) == b'{"detail":"Authentication credentials were not provided."}'
        async with connect(
            ws_url(server, "/ws/me"), additional_headers={"Authorization": f"Bearer {token(4)}"}
        ) as ws:
            assert await ws.recv() == '{"user_id":4}'

    run(go())


def test_cross_site_websocket_hijacking_refused(server: Server) -> None:
    cookie = {"Cookie": f"access={token(5)}"}

    async def go() -> None:
        host = f"127.0.0.1:{server.port}"
        async with connect(
            ws_url(server, "/ws/cookie"), origin=f"http://{host}", additional_headers=cookie
        ) as ws:
            assert await ws.recv() == '{"user_id":5}'
        with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
            async with connect(
                ws_url(server, "/ws/cookie"),
                origin="https://evil.example",
                additional_headers=cookie,
            ):
                pass
        assert refused.value.response.status_code == 403
        assert b"origin not allowed" in bytes(refused.value.response.body)

    run(go())


def test_message_over_the_limit_closes_1009(server: Server) -> None:
    async def go() -> None:
        async with connect(ws_url(server, "/ws/echo"), max_size=None) as ws:
            await ws.send("x" * (1024 * 1024 + 1))
            with pytest.raises(websockets.exceptions.ConnectionClosedError):
                await ws.recv()
            assert ws.close_code == 1009

    run(go())


def _raw_handshake(port: int, path: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), 5)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def test_client_vanishing_mid_send_leaves_no_error_in_the_log(server: Server) -> None:
    for _ in range(5):
        sock = _raw_handshake(server.port, "/ws/feed")
        sock.recv(65536)  # the feed is streaming
        # Vanish: reset the connection (no close frame) while the server is sending.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    time.sleep(1.0)

    async def still_serving() -> None:
        async with connect(ws_url(server, "/ws/echo")) as ws:
            await ws.send("ok?")
            assert await ws.recv() == "ok?"

    run(still_serving())
    log = server.output()
    assert "Traceback" not in log, log
    assert "Unhandled" not in log, log
    assert "ERROR" not in log, log


@pytest.mark.redis
def test_channels_across_two_granian_workers_through_redis(
    serve_ws: Callable[..., Server], redis_url: str
) -> None:
    server = serve_ws("--workers", "2", BOLT_CHANNELS_BACKEND=redis_url)

    async def go() -> None:
        sockets: list[Any] = []
        pids: set[int] = set()
        try:
            # Connect until both workers hold subscribers. The kernel hands connections to
            # whichever worker accepts first, and on a busy machine one worker can take many
            # in a row: pause between attempts and allow plenty (bounded: 10 s at most).
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                ws = await connect(ws_url(server, "/ws/rooms/lobby"))
                sockets.append(ws)
                ready = await asyncio.wait_for(ws.recv(), 10)
                pids.add(int(ready.split('"pid":')[1].rstrip("}")))
                if len(pids) == 2 and len(sockets) >= 4:
                    break
                await asyncio.sleep(0.05)
            assert len(pids) == 2, f"all {len(sockets)} connections went to one worker"
            await sockets[0].send("hello everyone")
            for ws in sockets:
                message = await asyncio.wait_for(ws.recv(), 10)
                assert '"text":"hello everyone"' in message
        finally:
            for ws in sockets:
                await ws.close()

    run(go())
