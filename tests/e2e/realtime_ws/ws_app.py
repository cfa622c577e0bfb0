"""The app the WebSocket end-to-end tests serve on Granian (``ws_app:api``).

Channels use ``BOLT_CHANNELS_BACKEND`` from the environment (``memory`` unless a test gives
a Redis URL). The ``bolt`` logger writes to stderr at INFO, so tests can read the log.
"""

from __future__ import annotations

import os
import time

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="e2e-websocket-secret-key-long-enough-for-hs256-0123456789",
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "bolt"],
        DATABASES={},
        LOGGING={
            "version": 1,
            "disable_existing_loggers": False,
            "handlers": {"err": {"class": "logging.StreamHandler", "level": "INFO"}},
            "loggers": {"bolt": {"handlers": ["err"], "level": "INFO", "propagate": False}},
        },
    )
    django.setup()

from bolt import BoltAPI, WebSocket
from bolt_plugins.auth import JWTAuthentication
from bolt_plugins.guards import IsAuthenticated

api = BoltAPI(plugins=["auth", "guards", "ratelimit"])
PID = os.getpid()


@api.get("/api/hello")
async def hello() -> dict[str, int]:
    return {"pid": PID}


@api.websocket("/ws/echo")
async def echo(ws: WebSocket, prefix: str = "") -> None:
    await ws.accept()
    async for message in ws:
        if isinstance(message, bytes):
            await ws.send_bytes(message)
        else:
            await ws.send_text(prefix + message)


@api.websocket("/ws/me", auth=[JWTAuthentication()], guards=[IsAuthenticated()])
async def me(ws: WebSocket) -> None:
    await ws.accept()
    await ws.send_json({"user_id": ws.auth["user_id"]})


@api.websocket("/ws/cookie", auth=[JWTAuthentication(cookie="access")], guards=[IsAuthenticated()])
async def cookie(ws: WebSocket) -> None:
    await ws.accept()
    await ws.send_json({"user_id": ws.auth["user_id"]})


@api.websocket("/ws/feed")
async def feed(ws: WebSocket) -> None:
    """Sends as fast as it can until the client is gone."""
    await ws.accept()
    chunk = "x" * 4096
    while True:
        await ws.send_text(chunk)


@api.websocket("/ws/rooms/{room}")
async def room(ws: WebSocket, room: str) -> None:
    await ws.accept()
    group = f"room:{room}"
    async with api.channels.subscribe(group) as sub:
        await ws.send_json({"ready": True, "pid": PID})

        async def publish(message: str | bytes) -> None:
            await api.channels.publish(group, {"from": PID, "text": message, "at": time.time()})

        await ws.relay(sub, on_message=publish)
