"""``@cors`` + ``@rate_limit`` (memory store) on a route, beside the same route without them.

The limit is far above what one core can serve, so every request takes the allowed path:
the measurement is the cost of the two middleware steps, not of refusing requests.
"""

from __future__ import annotations

from bolt import BoltAPI
from bolt.middleware import cors, rate_limit

api = BoltAPI(plugins=["cors", "ratelimit"])


@api.get("/plain")
async def plain() -> dict:
    return {"message": "Hello, World!"}


@api.get("/guarded")
@cors(origins=["http://localhost:3000"])
@rate_limit(rps=10_000_000, burst=10_000_000)
async def guarded() -> dict:
    return {"message": "Hello, World!"}
