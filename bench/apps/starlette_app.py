"""The core endpoints on Starlette, idiomatic: JSONResponse, typed path converter."""

from __future__ import annotations

import msgspec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench.apps.payload import Item

_decode_item = msgspec.json.Decoder(Item).decode


async def hello(request: Request) -> JSONResponse:
    return JSONResponse({"message": "Hello, World!"})


async def read_item(request: Request) -> JSONResponse:
    return JSONResponse(
        {"item_id": request.path_params["item_id"], "q": request.query_params.get("q")}
    )


async def create_item(request: Request) -> Response:
    try:
        item = _decode_item(await request.body())
    except msgspec.ValidationError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=422)
    except msgspec.DecodeError:
        return JSONResponse({"detail": "Malformed JSON body"}, status_code=400)
    return Response(msgspec.json.encode(item), 201, media_type="application/json")


app = Starlette(
    routes=[
        Route("/hello", hello),
        Route("/items/{item_id:int}", read_item),
        Route("/items", create_item, methods=["POST"]),
    ]
)
