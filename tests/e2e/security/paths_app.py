"""A real-server app for the path attacks (``test_paths.py``).

``/api/admin`` is guarded (JWT, admin only). ``/api/{section}/{rest:path}`` is an unguarded
catch-all at the very place where a dot-segment spelling of ``/api/admin`` would land if dot
segments reached parameters (``/api/./admin``, ``/api/x/../admin``). Both record an ``Event``
row when they run, so the tests can tell from the database whether a variant got through.
The integer routes look rows up through the ORM, so a value beyond 64 bits that slipped past
validation would show as a 500.
"""

from __future__ import annotations

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.e2e.reliability.settings")
django.setup()

from bolt import BoltAPI  # noqa: E402
from bolt.auth import IsAdminUser, JWTAuthentication  # noqa: E402
from bolt.exceptions import NotFound  # noqa: E402
from tests.e2e.reliability.relapp.models import Event, Item  # noqa: E402

api = BoltAPI(title="Path security")


@api.get("/api/hello")
async def hello() -> dict[str, str]:
    return {"message": "Hello, World!"}


@api.get("/api/admin", auth=[JWTAuthentication()], guards=[IsAdminUser()])
def admin() -> dict[str, bool]:
    Event.objects.create(kind="admin")
    return {"admin": True}


@api.get("/api/{section}/{rest:path}")
def catch_all(section: str, rest: str) -> dict[str, str]:
    Event.objects.create(kind="catch_all")
    return {"section": section, "rest": rest}


@api.get("/files/{name}")
async def file(name: str) -> dict[str, str]:
    return {"name": name}


@api.get("/dl/{rest:path}")
async def download(rest: str) -> dict[str, str]:
    return {"rest": rest}


def _item(pk: int) -> dict[str, int]:
    item = Item.objects.filter(pk=pk).first()
    if item is None:
        raise NotFound()
    return {"id": item.pk}


@api.get("/items/{pk:int}")
def item_by_converter(pk: int) -> dict[str, int]:
    return _item(pk)


@api.get("/things/{pk}")
def item_by_annotation(pk: int) -> dict[str, int]:
    return _item(pk)


@api.get("/items")
def items_in(pk: list[int]) -> dict[str, list[int]]:
    """An ``IN`` lookup: SQLite raises OverflowError for an int beyond 64 bits there."""
    return {"ids": sorted(Item.objects.filter(pk__in=pk).values_list("pk", flat=True))}


@api.get("/count")
def count(qty: int) -> dict[str, int]:
    return {"count": Item.objects.filter(qty__in=[qty]).count()}
