"""``@cors`` + ``@rate_limit`` (memory store) on a route, beside the same route without them.

The limit is far above what one core can serve, so every request takes the allowed path:
the measurement is the cost of the two middleware steps, not of refusing requests.
"""

from __future__ import annotations

from bolt import BoltAPI
from bolt.middleware import cors, rate_limit
from bolt.responses import JSONResponse

api = BoltAPI(plugins=["cors", "ratelimit"])


@api.get("/plain")
async def plain() -> dict:
    return {"message": "Hello, World!"}


@api.get("/guarded")
@cors(origins=["http://localhost:3000"])
@rate_limit(rps=10_000_000, burst=10_000_000)
async def guarded() -> dict:
    return {"message": "Hello, World!"}


# The decomposition: each middleware alone, and the plain route carrying the same six extra
# response headers as static values (what the headers cost without any middleware logic).
SIX_HEADERS = {
    "access-control-allow-origin": "http://localhost:3000",
    "vary": "Origin",
    "ratelimit-limit": "10000000",
    "ratelimit-remaining": "9999999",
    "ratelimit-reset": "1",
    "ratelimit-policy": "10000000;w=1",
}


@api.get("/cors-only")
@cors(origins=["http://localhost:3000"])
async def cors_only() -> dict:
    return {"message": "Hello, World!"}


@api.get("/limit-only")
@rate_limit(rps=10_000_000, burst=10_000_000)
async def limit_only() -> dict:
    return {"message": "Hello, World!"}


@api.get("/headers-only")
async def headers_only() -> JSONResponse:
    return JSONResponse({"message": "Hello, World!"}, 200, SIX_HEADERS)
