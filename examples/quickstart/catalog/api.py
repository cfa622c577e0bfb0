"""The quick start's API: plain functions (and one class-based view) on one ``BoltAPI``.

``BOLT_API = ["catalog.api:api"]`` in settings tells ``bolt.asgi.get_asgi_application`` to
serve it; every path it does not route (``/admin/``, ``/about/``) goes on to Django.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Annotated

import msgspec
from django.conf import settings

from bolt import BoltAPI
from bolt.exceptions import NotFound
from bolt.params import Query
from bolt.request import Request
from bolt.responses import FileResponse, StreamingResponse
from bolt.serializers import Serializer, ValidationError, field_validator
from bolt.views import APIView
from catalog.models import Item

api = BoltAPI(prefix="/api", title="Quick start")


class ItemIn(Serializer):
    """What a client sends to create an item, derived from the model: ``name`` at most 100
    characters and not blank, ``price`` within ``max_digits=10, decimal_places=2``. Every
    failing field is listed in one 422; a price the column cannot hold is never stored."""

    @field_validator("price")
    def not_negative(cls, value: Decimal) -> Decimal:
        if value < 0:
            raise ValidationError("Ensure this value is greater than or equal to 0.")
        return value

    class Meta:
        model = Item
        fields = ["name", "price"]


class ItemOut(msgspec.Struct):
    id: int
    name: str
    price: float


def _out(item: Item) -> ItemOut:
    return ItemOut(id=item.pk, name=item.name, price=float(item.price))


@api.get("/hello")
async def hello() -> dict[str, str]:
    return {"message": "Hello, World!"}


@api.get("/items")
async def list_items(limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[ItemOut]:
    return [_out(item) async for item in Item.objects.all()[:limit]]


@api.get("/items/{item_id}", responses={404: "No item with this id"})
async def read_item(item_id: int, q: str | None = None) -> dict[str, object]:
    try:
        item = await Item.objects.aget(pk=item_id)
    except Item.DoesNotExist:
        raise NotFound(detail=f"Item {item_id} not found") from None
    return {"item": msgspec.to_builtins(_out(item)), "q": q}


@api.post("/items", status_code=201)
async def create_item(data: ItemIn) -> ItemOut:
    item = await Item.objects.acreate(name=data.name, price=data.price)
    return _out(item)


@api.get("/count/{n}", responses={404: "n is not between 1 and 1000"})
async def count(n: int) -> StreamingResponse:
    """Stream ``n`` lines, one every 10 ms; the stream stops if the client goes away."""
    if not 0 < n <= 1000:
        raise NotFound(detail="n must be between 1 and 1000")

    async def lines() -> AsyncIterator[bytes]:
        for i in range(n):
            yield f"{i}\n".encode()
            await asyncio.sleep(0.01)

    return StreamingResponse(lines(), media_type="text/plain")


@api.get("/files/hello")
async def hello_file() -> FileResponse:
    """A file from ``BOLT_ALLOWED_FILE_PATHS``, streamed in chunks, as a download."""
    path = f"{settings.BOLT_ALLOWED_FILE_PATHS[0]}/hello.txt"
    return FileResponse(path, filename="hello.txt", media_type="text/plain")


@api.view("/status")
class StatusView(APIView):
    """A class-based view: one method per HTTP verb (the ``viewsets`` plugin)."""

    async def get(self, request: Request) -> dict[str, object]:
        return {"status": "ok", "items": await Item.objects.acount()}
