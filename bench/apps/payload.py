"""The shared request/response shapes of the core endpoints."""

from __future__ import annotations

import msgspec

HELLO = {"message": "Hello, World!"}

# The POST body: 59 bytes of JSON, four fields. bench/post.lua sends exactly this.
POST_BODY = b'{"name":"Widget","price":12.5,"quantity":3,"in_stock":true}'


class Item(msgspec.Struct):
    """The 4-field body every app validates and echoes."""

    name: str
    price: float
    quantity: int
    in_stock: bool
