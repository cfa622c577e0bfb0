"""A real-server app for ``request.data`` (``test_request_data.py``): ``/api/data`` answers
what ``request.data`` gave, so framings a test client cannot send (an empty chunked body,
``Content-Length: 00``) reach it as Granian hands them over."""

from __future__ import annotations

import os
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.e2e.reliability.settings")
django.setup()

from bolt import BoltAPI  # noqa: E402
from bolt.request import Request  # noqa: E402

api = BoltAPI(prefix="/api", title="request.data", plugins=["-ratelimit"])


@api.get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}


@api.post("/data")
async def data(request: Request) -> dict[str, Any]:
    return {"data": request.data}
