"""The core endpoints on Bolt, written the way the user guide writes them."""

from __future__ import annotations

from bench.apps.payload import Item
from bolt import BoltAPI

api = BoltAPI()


@api.get("/hello")
async def hello() -> dict:
    return {"message": "Hello, World!"}


@api.get("/items/{item_id}")
async def read_item(item_id: int, q: str | None = None) -> dict:
    return {"item_id": item_id, "q": q}


@api.post("/items", status_code=201)
async def create_item(item: Item) -> Item:
    return item
