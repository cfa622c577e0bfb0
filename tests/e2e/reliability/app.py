"""The reliability server: one ``BoltAPI`` using every first-party plugin, served by Granian.

``granian --interface asgi tests.e2e.reliability.app:api``. Routes exist only to give the
catalogue's bad inputs something real to hit: a ModelViewSet over SQLite, owner-scoped notes,
JWT and API-key routes with guards, rate-limited writes, streams, files, forms and crashes.
Handlers that must never run for a refused request write an ``Event`` row, so the tests can
tell from the database alone whether they ran.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any, Literal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.e2e.reliability.settings")
django.setup()

import msgspec  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import F  # noqa: E402

from bolt import BoltAPI, ModelViewSet, action  # noqa: E402
from bolt.auth import (  # noqa: E402
    APIKeyAuthentication,
    HasPermission,
    IsAdminUser,
    IsAuthenticated,
    JWTAuthentication,
)
from bolt.middleware import rate_limit  # noqa: E402
from bolt.pagination import LimitOffsetPagination  # noqa: E402
from bolt.params import File, Form, Query  # noqa: E402
from bolt.params import UploadFile as Upload  # noqa: E402
from bolt.request import Request  # noqa: E402
from bolt.responses import FileResponse, Response, StreamingResponse  # noqa: E402
from bolt.views import CreateMixin, ViewSet  # noqa: E402
from bolt_plugins.crud.db import runner_for  # noqa: E402
from tests.e2e.reliability.common import (  # noqa: E402
    API_KEY,
    RATE_BURST,
    REVOKED_JTI,
    STAFF_API_KEY,
    STREAM_CHUNKS,
    XFF_BURST,
)
from tests.e2e.reliability.relapp.models import Event, Item, Note  # noqa: E402

JWT = JWTAuthentication(
    verify_user=True, is_revoked=lambda claims: claims.get("jti") == REVOKED_JTI
)
KEYS = APIKeyAuthentication(
    api_keys={API_KEY: "service", STAFF_API_KEY: {"user_id": "ops", "is_staff": True}}
)

api = BoltAPI(prefix="/api", title="Reliability")


def record(kind: str) -> None:
    """A side effect the tests count (runs in the ORM thread, in a transaction)."""
    Event.objects.create(kind=kind)


# --- basics -------------------------------------------------------------------------------
@api.get("/hello")
async def hello() -> dict[str, str]:
    return {"message": "Hello, World!"}


@api.get("/echo/{name}")
async def echo(name: str) -> dict[str, str]:
    return {"name": name}


@api.get("/kinds")
async def kinds(kind: Literal["a", "b"] = "a", n: int = 0) -> dict[str, Any]:
    return {"kind": kind, "n": n}


@api.post("/echo-json")
async def echo_json(data: dict[str, Any]) -> dict[str, int]:
    """A free-form JSON object: decoded without a schema to stop deep nesting early."""
    return {"keys": len(data)}


@api.post("/pair")
async def pair(a: dict[str, Any], b: dict[str, int]) -> dict[str, int]:
    """Two body parameters: the body is one object with keys ``a`` and ``b``."""
    return {"a": len(a), "b": len(b)}


@api.get("/boom")
async def boom() -> dict[str, str]:
    raise RuntimeError(f"leaky failure: SECRET_KEY={settings.SECRET_KEY} API_KEY={API_KEY}")


@api.get("/boom-sql")
def boom_sql() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM auth_user WHERE nonsense = = 1")
    return {"never": "here"}


# --- CRUD ---------------------------------------------------------------------------------
class ItemPagination(LimitOffsetPagination):
    max_limit = 50


@api.viewset("/items")
class ItemViewSet(ModelViewSet):
    model = Item
    pagination_class = ItemPagination
    ordering_fields = ["name", "qty"]
    filterset_fields = {"name": ["exact"], "qty": ["exact", "gte", "in"], "category": ["exact"]}
    ordering = "pk"

    @action(methods=["POST"], detail=True)
    async def bump(self, request: Request, pk: int) -> dict[str, int]:
        """``qty = qty + 1`` as one SQL UPDATE: concurrent bumps never lose an increment."""

        def work() -> int:
            updated = Item.objects.filter(pk=pk).update(qty=F("qty") + 1)
            if not updated:
                raise Item.DoesNotExist
            return int(Item.objects.values_list("qty", flat=True).get(pk=pk))

        return {"qty": await runner_for().write(work)}


@api.viewset("/flaky")
class FlakyViewSet(CreateMixin, ViewSet):
    """Saves, records an event, then crashes: the whole request must roll back."""

    model = Item

    def perform_create(self, instance: Item) -> None:
        instance.save(force_insert=True)
        record("flaky")
        raise RuntimeError(f"crash after write; DSN={settings.DATABASES['default']['NAME']}")


@api.viewset("/notes")
class NoteViewSet(ModelViewSet):
    """Each user sees only their own notes; anyone else's are 404."""

    model = Note
    auth = [JWT]
    guards = [IsAuthenticated()]

    async def get_queryset(self) -> Any:
        return Note.objects.filter(owner_id=self.request.auth["user_id"])

    def perform_create(self, instance: Note) -> None:
        instance.owner_id = self.request.auth["user_id"]
        instance.save(force_insert=True)


# --- authentication and guards ------------------------------------------------------------
@api.get("/me", auth=[JWT, KEYS], guards=[IsAuthenticated()])
async def me(request: Request) -> dict[str, Any]:
    auth = request.auth or {}
    return {"user_id": str(auth.get("user_id")), "backend": auth.get("backend")}


@api.get("/keyed", auth=[KEYS], guards=[IsAuthenticated()])
async def keyed(request: Request) -> dict[str, Any]:
    return {"backend": (request.auth or {}).get("backend")}


@api.get("/admin", auth=[JWT, KEYS], guards=[IsAdminUser()])
async def admin_panel() -> dict[str, bool]:
    await runner_for().write(record, "admin")
    return {"admin": True}


@api.post("/admin/items", auth=[JWT], guards=[HasPermission("relapp.add_item")], status_code=201)
async def admin_create(data: dict[str, Any]) -> dict[str, Any]:
    def work() -> int:
        record("admin_create")
        return int(Item.objects.create(name=str(data.get("name", "x"))[:40]).pk)

    return {"id": await runner_for().write(work)}


# --- rate limits --------------------------------------------------------------------------
@api.post("/limited", status_code=201)
@rate_limit(rps=0.2, burst=RATE_BURST)
async def limited() -> dict[str, bool]:
    await runner_for().write(record, "limited")
    return {"ok": True}


@api.get("/limited-xff")
@rate_limit(rps=0.2, burst=XFF_BURST)
async def limited_xff() -> dict[str, bool]:
    return {"ok": True}


# --- forms --------------------------------------------------------------------------------
@api.post("/upload", status_code=201)
async def upload(title: Annotated[str, Form()], file: Annotated[Upload, File()]) -> dict[str, Any]:
    return {"title": title, "size": file.size}


@api.post("/form")
async def form(name: Annotated[str, Form()]) -> dict[str, str]:
    return {"name": name}


# --- streams, files, headers --------------------------------------------------------------
STREAM_STATE: dict[str, Any] = {"started": 0, "sent": 0, "closed_at": None, "finished": False}


@api.get("/stream")
async def stream() -> StreamingResponse:
    """200 chunks 20 ms apart (4 s); records how far it got and when it was closed."""
    STREAM_STATE.update(started=time.time(), sent=0, closed_at=None, finished=False)

    async def chunks() -> AsyncIterator[bytes]:
        try:
            for i in range(STREAM_CHUNKS):
                STREAM_STATE["sent"] = i + 1
                yield b"x" * 1024
                await asyncio.sleep(0.02)
            STREAM_STATE["finished"] = True
        finally:
            STREAM_STATE["closed_at"] = time.time()

    return StreamingResponse(chunks(), media_type="application/octet-stream")


@api.get("/stream-sync")
def stream_sync() -> StreamingResponse:
    """The same stream from a plain generator (advanced in a worker thread)."""
    STREAM_STATE.update(started=time.time(), sent=0, closed_at=None, finished=False)

    def chunks() -> Iterator[bytes]:
        try:
            for i in range(STREAM_CHUNKS):
                STREAM_STATE["sent"] = i + 1
                yield b"x" * 1024
                time.sleep(0.02)
            STREAM_STATE["finished"] = True
        finally:
            STREAM_STATE["closed_at"] = time.time()

    return StreamingResponse(chunks(), media_type="application/octet-stream")


@api.get("/stream-state")
async def stream_state() -> dict[str, Any]:
    return dict(STREAM_STATE)


def _root() -> str:
    return str(settings.BOLT_ALLOWED_FILE_PATHS[0])


@api.get("/files/{name:path}")
async def files(name: str) -> FileResponse:
    return FileResponse(os.path.join(_root(), name))


@api.get("/download")
async def download(filename: str) -> FileResponse:
    return FileResponse(os.path.join(_root(), "data.bin"), filename=filename)


@api.get("/echo-header")
async def echo_header(value: Annotated[str, Query()]) -> Response:
    return Response({"ok": True}, 200, {"x-echo": value})


class Slow(msgspec.Struct):
    name: str


@api.post("/slow-upload", status_code=201)
async def slow_upload(data: Slow) -> dict[str, int]:
    """Creates an item from the body: a client that leaves mid-upload must create nothing."""
    item = await runner_for().write(lambda: Item.objects.create(name=data.name))
    return {"id": item.pk}
