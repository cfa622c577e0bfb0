"""The reference: a bare ASGI function doing the minimum work each endpoint needs.

It still parses the int path parameter and the query string and validates the body into the
Struct, so a framework's ratio to it measures the framework, not skipped work.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import msgspec

from bench.apps.payload import HELLO, Item

_JSON = [(b"content-type", b"application/json")]
_HELLO = msgspec.json.encode(HELLO)
_decode_item = msgspec.json.Decoder(Item).decode
_encode = msgspec.json.Encoder().encode


async def _send(send: Any, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*_JSON, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _read(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                kind = message["type"].rsplit(".", 1)[-1]
                await send({"type": f"lifespan.{kind}.complete"})
                if kind == "shutdown":
                    return
        return
    path = scope["path"]
    method = scope["method"]
    if path == "/hello" and method == "GET":
        await _send(send, 200, _HELLO)
        return
    if path == "/items" and method == "POST":
        try:
            item = _decode_item(await _read(receive))
        except msgspec.ValidationError as exc:
            await _send(send, 422, _encode({"detail": str(exc)}))
            return
        except msgspec.DecodeError:
            await _send(send, 400, b'{"detail":"Malformed JSON body"}')
            return
        await _send(send, 201, _encode(item))
        return
    if path.startswith("/items/") and method == "GET":
        try:
            item_id = int(path[7:])
        except ValueError:
            await _send(send, 422, b'{"detail":"id must be an integer"}')
            return
        query = dict(parse_qsl(scope["query_string"].decode("latin-1")))
        await _send(send, 200, _encode({"item_id": item_id, "q": query.get("q")}))
        return
    await _send(send, 404, b'{"detail":"Not Found"}')
