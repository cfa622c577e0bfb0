"""A notes service built from one ViewSet with custom actions, one APIView and a route
decorator in a class body. No database: notes live in memory, so the module runs alone.

Serve it (from this directory)::

    granian --interface asgi app:api
    curl -X POST localhost:8000/notes -H 'content-type: application/json' \\
         -d '{"title": "Buy milk", "body": "2 litres"}'
    curl localhost:8000/notes/1
    curl -X POST localhost:8000/notes/1/pin
    curl localhost:8000/notes/pinned
    curl 'localhost:8000/notes/search?q=milk'

``python app.py routes`` lists the routes (in a Django project, ``python manage.py
bolt_routes`` does the same for every API).
"""

from __future__ import annotations

import itertools
import sys
import threading

import msgspec

from bolt import BoltAPI, ViewSet, action
from bolt.exceptions import NotFound
from bolt.middleware import rate_limit
from bolt.serializers import Serializer, ValidationError, field_validator
from bolt.views import APIView

api = BoltAPI(plugins=["viewsets", "ratelimit"])


class NoteIn(Serializer):
    """A note as clients write it: a 422 lists every bad field (and unknown ones)."""

    title: str
    body: str = ""

    @field_validator("title")
    def not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValidationError("This field may not be blank.")
        if len(value) > 200:
            raise ValidationError("Ensure this field has no more than 200 characters.")
        return value


#: PATCH bodies: every field optional; absent is ``msgspec.UNSET``, so ``null`` is refused
#: instead of being taken for "unchanged".
NotePatch = NoteIn.patch_type()


class Note(msgspec.Struct):
    id: int
    title: str
    body: str
    pinned: bool = False


class NoteSummary(msgspec.Struct):
    id: int
    title: str


class NoteStore:
    """A tiny thread-safe in-memory table (sync handlers run in worker threads)."""

    def __init__(self) -> None:
        self.rows: dict[int, Note] = {}
        self.ids = itertools.count(1)
        self.lock = threading.Lock()

    def add(self, data: NoteIn) -> Note:
        with self.lock:
            note = Note(id=next(self.ids), title=data.title, body=data.body)
            self.rows[note.id] = note
            return note

    def get(self, note_id: int) -> Note:
        try:
            return self.rows[note_id]
        except KeyError:
            raise NotFound(detail=f"Note {note_id} not found") from None


store = NoteStore()


@api.viewset("/notes")
class NoteViewSet(ViewSet):
    """``GET/POST /notes``, ``GET/PATCH/DELETE /notes/{id}`` and the actions below."""

    serializer_class = Note
    list_serializer_class = NoteSummary
    tags = ["notes"]

    async def list(self, request, limit: int = 50) -> list[NoteSummary]:
        return list(store.rows.values())[:limit]

    async def create(self, request, data: NoteIn) -> Note:
        return store.add(data)

    async def retrieve(self, request, id: int) -> Note:
        return store.get(id)

    def partial_update(self, request, id: int, data: NotePatch) -> Note:
        note = store.get(id)
        if data.title is not msgspec.UNSET:
            note.title = data.title
        if data.body is not msgspec.UNSET:
            note.body = data.body
        return note

    async def destroy(self, request, id: int) -> None:
        store.get(id)
        del store.rows[id]

    @action(methods=["POST"], detail=True)
    async def pin(self, request, id: int) -> Note:
        note = store.get(id)
        note.pinned = True
        return note

    @action(methods=["POST"], detail=True)
    async def unpin(self, request, id: int) -> Note:
        note = store.get(id)
        note.pinned = False
        return note

    @action(methods=["GET"], detail=False)
    async def pinned(self, request) -> list[NoteSummary]:
        return [n for n in store.rows.values() if n.pinned]

    @api.get("/notes/search")
    @rate_limit(rps=20, burst=40)
    async def search(self, request, q: str) -> list[NoteSummary]:
        needle = q.lower()
        return [n for n in store.rows.values() if needle in (n.title + n.body).lower()]


@api.view("/health")
class HealthView(APIView):
    async def get(self, request):
        return {"status": "ok", "notes": len(store.rows)}


def print_routes() -> None:
    for route in api.iter_routes():
        plugins = ", ".join(route.middleware_names) or "-"
        print(f"{route.method:7} {route.path:22} {route.name or '':14} {plugins}")


if __name__ == "__main__" and sys.argv[1:] == ["routes"]:
    print_routes()
