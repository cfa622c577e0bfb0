"""The same WebSocket echo on Bolt, Starlette and Litestar (``apps:bolt_app`` etc.)."""

from __future__ import annotations

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-websocket-secret-key-0123456789-0123456789",
        ALLOWED_HOSTS=["127.0.0.1"],
        INSTALLED_APPS=["bolt"],
        DATABASES={},
    )
    django.setup()

from litestar import Litestar, websocket_listener
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocketDisconnect

from bolt import BoltAPI, WebSocket

bolt_app = BoltAPI(plugins=[])


@bolt_app.get("/api/hello")
async def hello() -> dict[str, bool]:
    return {"ok": True}


@bolt_app.websocket("/ws")
async def bolt_echo(ws: WebSocket) -> None:
    await ws.accept()
    async for message in ws:
        await ws.send_text(message)  # type: ignore[arg-type]


async def starlette_echo(ws):  # type: ignore[no-untyped-def]
    await ws.accept()
    try:
        while True:
            await ws.send_text(await ws.receive_text())
    except WebSocketDisconnect:
        pass


starlette_app = Starlette(routes=[WebSocketRoute("/ws", starlette_echo)])


@websocket_listener("/ws")
async def litestar_echo(data: str) -> str:
    return data


litestar_app = Litestar(route_handlers=[litestar_echo])
