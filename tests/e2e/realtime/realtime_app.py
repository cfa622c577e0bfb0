"""A real-server app for ``test_realtime.py``: event streams, compressed and tagged bodies.

``/events/{name}`` streams numbered events forever (a ping every 0.2 s between them) and,
in its ``finally`` block, writes the time it ran to ``$REALTIME_DIR/<name>``; the test
disconnects and reads that file. No Django project: Bolt configures Django itself.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from bolt import BoltAPI, EventSourceResponse, Request, ServerSentEvent
from bolt_plugins.etag import etag

api = BoltAPI(title="Realtime", compression=True)
CHANNEL = Path(os.environ.get("REALTIME_DIR", "/tmp"))


@api.get("/api/hello")
async def hello() -> dict[str, str]:
    return {"message": "Hello, World!"}


def _mark(name: str) -> None:
    (CHANNEL / name).write_text(repr(time.time()))


@api.get("/events/{name}")
async def events(request: Request, name: str) -> EventSourceResponse:
    start = int(request.headers.get("last-event-id") or 0) + 1

    async def gen() -> AsyncIterator[ServerSentEvent]:
        try:
            n = start
            while True:
                yield ServerSentEvent({"n": n}, id=n)
                n += 1
                await asyncio.sleep(0.5)
        finally:
            _mark(name)

    return EventSourceResponse(gen(), ping=0.2)


@api.get("/sync-events/{name}")
async def sync_events(name: str) -> EventSourceResponse:
    def gen() -> Iterator[dict[str, int]]:
        try:
            n = 0
            while True:
                n += 1
                yield {"n": n}
                time.sleep(0.1)
        finally:
            _mark(name)

    return EventSourceResponse(gen())


@api.get("/big")
async def big() -> dict[str, Any]:
    return {"items": [{"id": i, "name": f"item {i}"} for i in range(200)]}


@api.get("/tagged")
@etag
async def tagged() -> dict[str, Any]:
    return {"items": list(range(200))}
