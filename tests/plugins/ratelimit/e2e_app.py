"""The application the end-to-end rate-limit test serves with ``granian --workers 2``.

Its limit comes from the environment so the test owns the numbers; the store comes from
``BOLT_RATELIMIT_STORE`` (the test points it at Redis). Every response, 429s included,
names the worker process that answered (``X-Worker-Pid``), so the test can show both
workers were serving while the limit held.
"""

from __future__ import annotations

import os
from typing import Any

from bolt import BoltAPI, hookimpl
from bolt.middleware import Middleware, rate_limit

RPS = float(os.environ.get("E2E_RPS", "5"))
BURST = int(os.environ.get("E2E_BURST", "10"))
PID = str(os.getpid())


class WorkerPid:
    """Outermost step (phase 50): tag every response with this worker's pid."""

    __name__ = "worker_pid"

    @hookimpl
    def bolt_route_middleware(self, api: Any, route: Any) -> Middleware:
        def wrap(next_handler: Any) -> Any:
            async def tag(request: Any) -> Any:
                try:
                    response = await next_handler(request)
                except Exception as exc:
                    response = api.error_response(request, exc)
                response.headers["x-worker-pid"] = PID
                return response

            return tag

        return Middleware(50, wrap, "worker_pid", optional=False)


api = BoltAPI(plugins=["ratelimit", WorkerPid()])


@api.get("/health")
async def health() -> dict:
    return {"pid": os.getpid()}


@api.get("/limited")
@rate_limit(rps=RPS, burst=BURST)
async def limited() -> dict:
    return {"pid": os.getpid()}
