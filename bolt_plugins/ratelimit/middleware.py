"""The rate-limit middleware step (phase 300): count, then pass or answer 429.

It runs after authentication (so ``key="user"`` sees the user) and before guards and the
handler, which never run for a refused request. Allowed responses carry ``RateLimit-Limit``,
``RateLimit-Remaining`` and ``RateLimit-Reset`` (seconds until the bucket is full again). A
refusal is ``429`` with ``Retry-After`` and ``{"detail": ..., "retry_after": N}``, the same
headers and ``RateLimit-Policy`` (only there: it never changes, and each header costs on the
hot path).
"""

from __future__ import annotations

import math
from typing import Any

from bolt.exceptions import ServiceUnavailable, TooManyRequests
from bolt.middleware import Handler
from bolt.request import Request
from bolt.responses import Response
from bolt_plugins.ratelimit.memory import Decision
from bolt_plugins.ratelimit.redis_store import StoreUnavailable
from bolt_plugins.ratelimit.rules import RateLimitRule

__all__ = ["make_rate_limit_wrap"]


def make_rate_limit_wrap(
    rule: RateLimitRule,
    store: Any,
    key_func: Any,
    key_is_async: bool,
    prefix: str,
    fail_open: bool,
) -> Any:
    """``wrap(next_handler)`` enforcing ``rule`` with ``store``; everything is prepared here."""
    interval = max(1, round(1_000_000 / rule.rps))  # µs between requests
    burst = rule.burst
    limit_value = str(burst)
    policy_value = f"{burst};w={max(1, math.ceil(burst / rule.rps))}"
    hit = store.hit
    store_async = store.is_async

    def refuse(retry_after: float, full_in: float) -> TooManyRequests:
        wait = max(1, math.ceil(retry_after))
        return TooManyRequests(
            retry_after=wait,
            headers={
                "RateLimit-Limit": limit_value,
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(max(wait, math.ceil(full_in))),
                "RateLimit-Policy": policy_value,
            },
        )

    def unavailable() -> ServiceUnavailable:
        return ServiceUnavailable(
            detail="Rate limiting is temporarily unavailable; try again shortly",
            headers={"Retry-After": "1"},
        )

    def wrap(next_handler: Handler) -> Handler:
        async def limited(request: Request, decision: Decision) -> Response:
            # hot path
            allowed, remaining, retry_after, full_in = decision
            if not allowed:
                raise refuse(retry_after, full_in)
            response = await next_handler(request)
            headers = response.headers
            headers["ratelimit-limit"] = limit_value
            headers["ratelimit-remaining"] = str(remaining)
            headers["ratelimit-reset"] = str(math.ceil(full_in))
            return response

        if not store_async:

            async def rate_limit_step(request: Request) -> Response:
                # hot path
                key = prefix + ((await key_func(request)) if key_is_async else key_func(request))
                allowed, remaining, retry_after, full_in = hit(key, interval, burst)
                if not allowed:
                    raise refuse(retry_after, full_in)
                response = await next_handler(request)
                headers = response.headers
                headers["ratelimit-limit"] = limit_value
                headers["ratelimit-remaining"] = str(remaining)
                headers["ratelimit-reset"] = str(math.ceil(full_in))
                return response

            return rate_limit_step

        async def shared_rate_limit_step(request: Request) -> Response:
            # hot path
            key = prefix + ((await key_func(request)) if key_is_async else key_func(request))
            try:
                decision = await hit(key, interval, burst)
            except StoreUnavailable:
                if fail_open:
                    return await next_handler(request)
                raise unavailable() from None
            return await limited(request, decision)

        return shared_rate_limit_step

    return wrap
