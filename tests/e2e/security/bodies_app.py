"""A real-server app for big and oversized JSON bodies (``test_bodies.py``).

``BODIES_APP_LIMIT`` (bytes, from the environment) is ``BOLT_MAX_BODY_SIZE``, so one module
serves both a roomy server (twenty 8 MB documents at once) and a strict one (uploads over
the limit).

- ``/api/docs?hold=N``: decodes a document and holds it until ``N`` requests hold theirs (at
  most 10 s), as a slow database write would, so every body of a burst is in flight at once.
- ``/api/titles?hold=N``: the same, decoding only the title (msgspec skips the rest), so
  what stays in memory is the body as it was read.
"""

from __future__ import annotations

import asyncio
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.e2e.reliability.settings")
django.setup()

from django.conf import settings  # noqa: E402

settings.BOLT_MAX_BODY_SIZE = int(os.environ.get("BODIES_APP_LIMIT", str(16 * 1024 * 1024)))

import msgspec  # noqa: E402

from bolt import BoltAPI  # noqa: E402
from bolt.conf import reset_settings  # noqa: E402

reset_settings()
api = BoltAPI(prefix="/api", title="Big bodies")


class Doc(msgspec.Struct):
    title: str
    text: str


class Title(msgspec.Struct):
    title: str


_held = 0
_all_held = asyncio.Event()


async def hold_until(count: int) -> None:
    """Wait until ``count`` requests are waiting here (at most 10 s)."""
    global _held, _all_held
    if not count:
        return
    _held += 1
    if _held >= count:
        _all_held.set()
    try:
        await asyncio.wait_for(_all_held.wait(), 10)
    except TimeoutError:
        pass
    _held -= 1
    if _held == 0:
        _all_held = asyncio.Event()


@api.get("/hello")
async def hello() -> dict[str, str]:
    return {"message": "Hello, World!"}


@api.post("/docs", status_code=201)
async def create_doc(data: Doc, hold: int = 0) -> dict[str, object]:
    await hold_until(hold)
    return {"title": data.title, "size": len(data.text)}


@api.post("/titles", status_code=201)
async def create_title(data: Title, hold: int = 0) -> dict[str, object]:
    await hold_until(hold)
    return {"title": data.title}
