"""The application the end-to-end rate-limit test serves with ``granian --workers 2``.

Its limit comes from the environment so the test owns the numbers; the store comes from
``BOLT_RATELIMIT_STORE`` (the test points it at Redis).
"""

from __future__ import annotations

import os

from bolt import BoltAPI
from bolt.middleware import rate_limit

RPS = float(os.environ.get("E2E_RPS", "5"))
BURST = int(os.environ.get("E2E_BURST", "10"))

api = BoltAPI(plugins=["ratelimit"])


@api.get("/health")
async def health() -> dict:
    return {"pid": os.getpid()}


@api.get("/limited")
@rate_limit(rps=RPS, burst=BURST)
async def limited() -> dict:
    return {"pid": os.getpid()}
