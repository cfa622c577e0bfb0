"""The core endpoints on Litestar, idiomatic: typed handlers, msgspec body as ``data``."""

from __future__ import annotations

from litestar import Litestar, get, post

from bench.apps.payload import Item


@get("/hello")
async def hello() -> dict[str, str]:
    return {"message": "Hello, World!"}


@get("/items/{item_id:int}")
async def read_item(item_id: int, q: str | None = None) -> dict[str, object]:
    return {"item_id": item_id, "q": q}


@post("/items")
async def create_item(data: Item) -> Item:
    return data


app = Litestar(route_handlers=[hello, read_item, create_item], openapi_config=None)
