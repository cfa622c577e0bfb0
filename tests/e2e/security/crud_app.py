"""A real-server app for the CRUD write and object-permission attacks (``test_crud.py``).

- ``/api/notes``: a ModelViewSet over every note (no per-user ``get_queryset``), guarded by an
  owner rule (``has_object_permission``) alone: anyone may list, only the owner may read one
  note, change it or delete it;
- ``/api/items``: the serializer depends on the caller (``request.user.is_staff``, the DRF
  idiom): plain users write ``name`` and ``qty``; staff also ``price`` and ``category``;
- ``/api/categories``: the schema depends on the token's claims (``request.auth``).
"""

from __future__ import annotations

import os
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.e2e.reliability.settings")
django.setup()

import msgspec  # noqa: E402

from bolt import BoltAPI, ModelViewSet, action  # noqa: E402
from bolt.auth import IsAuthenticated, JWTAuthentication  # noqa: E402
from bolt_plugins.guards import BaseGuard  # noqa: E402
from tests.e2e.reliability.relapp.models import Category, Item, Note  # noqa: E402

JWT = JWTAuthentication()
api = BoltAPI(prefix="/api", title="CRUD security")


@api.get("/hello")
async def hello() -> dict[str, str]:
    return {"message": "Hello, World!"}


class IsOwner(BaseGuard):
    """Only the note's owner may see one note or change it (lists stay open)."""

    message = "Only the owner may do that."

    def has_permission(self, request: Any) -> bool:
        return True

    def has_object_permission(self, request: Any, obj: Any) -> bool:
        return request.auth is not None and obj.owner_id == request.auth["user_id"]


class NoteOut(msgspec.Struct):
    id: int
    owner: int
    text: str


class NoteIn(msgspec.Struct):
    text: str


@api.viewset("/notes")
class NoteViewSet(ModelViewSet):
    model = Note
    serializer_class = NoteOut
    create_serializer_class = NoteIn
    auth = [JWT]
    guards = [IsOwner()]

    def perform_create(self, instance: Note) -> None:
        instance.owner_id = self.request.auth["user_id"]
        instance.save(force_insert=True)

    @action(methods=["POST"], detail=True)
    async def shout(self, request: Any, pk: int) -> dict[str, str]:
        note = await self.get_object()
        note.text = note.text.upper()
        await note.asave(update_fields=["text"])
        return {"text": note.text}


class ItemPublic(msgspec.Struct, kw_only=True):
    id: int
    name: str
    qty: int = 0


class ItemStaff(msgspec.Struct, kw_only=True):
    id: int
    name: str
    qty: int = 0
    price: float = 0.0
    category: int | None = None


@api.viewset("/items")
class ItemViewSet(ModelViewSet):
    model = Item
    auth = [JWT]
    guards = [IsAuthenticated()]

    def get_serializer_class(self, action: str | None = None) -> Any:
        return ItemStaff if self.request.user.is_staff else ItemPublic


class CategoryPublic(msgspec.Struct):
    id: int


class CategoryStaff(msgspec.Struct):
    id: int
    name: str


@api.viewset("/categories")
class CategoryViewSet(ModelViewSet):
    model = Category
    serializer_class = CategoryStaff
    auth = [JWT]
    guards = [IsAuthenticated()]

    def get_serializer_class(self, action: str | None = None) -> Any:
        return CategoryStaff if self.request.auth["is_staff"] else CategoryPublic
