"""The rate-limit step (phase 150 or 300): count, then pass or answer 429.

A ``before`` step: it runs before guards and the handler, which never run for a refused
request. Every response of an allowed request (the handler's, or an error it ends in)
carries ``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset`` (seconds until
the bucket is full again). A refusal is ``429`` with ``Retry-After`` and ``{"detail": ...,
"retry_after": N}``, the same headers and ``RateLimit-Policy`` (only there: it never
changes, and each header costs on the hot path).
"""

from __future__ import annotations

import math
from typing import Any

from bolt.exceptions import ServiceUnavailable, TooManyRequests
from bolt.request import Request
from bolt_plugins.ratelimit.redis_store import StoreUnavailable
from bolt_plugins.ratelimit.rules import RateLimitRule

__all__ = ["make_rate_limit_before"]


def make_rate_limit_before(
    rule: RateLimitRule,
    store: Any,
    key_func: Any,
    key_is_async: bool,
    prefix: str,
    fail_open: bool,
) -> Any:
    """The ``before`` step enforcing ``rule`` with ``store``; everything is prepared here.

    Synchronous for the memory store with a synchronous key (no coroutine per request),
    async for the Redis store or an async key function.
    """
    interval = max(1, round(1_000_000 / rule.rps))  # µs between requests
    burst = rule.burst
    limit_value = str(burst)
    policy_value = f"{burst};w={max(1, math.ceil(burst / rule.rps))}"
    hit = store.hit
    store_async = store.is_async

    def refuse(retry_after_us: int, full_in_us: int) -> TooManyRequests:
        wait = max(1, -(-retry_after_us // 1_000_000))  # whole seconds, rounded up
        return TooManyRequests(
            retry_after=wait,
            headers={
                "RateLimit-Limit": limit_value,
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(max(wait, -(-full_in_us // 1_000_000))),
                "RateLimit-Policy": policy_value,
            },
        )

    def unavailable() -> ServiceUnavailable:
        return ServiceUnavailable(
            detail="Rate limiting is temporarily unavailable; try again shortly",
            headers={"Retry-After": "1"},
        )

    limit_header = (b"ratelimit-limit", limit_value.encode())

    def allow(request: Request, remaining: int, full_in_us: int) -> None:
        headers = [
            limit_header,
            (b"ratelimit-remaining", b"%d" % remaining),
            (b"ratelimit-reset", b"%d" % -(-full_in_us // 1_000_000)),
        ]
        current = request.response_headers
        if current is None:
            request.response_headers = headers
        else:
            current += headers

    if not store_async and not key_is_async:

        def rate_limit_step(request: Request) -> None:
            # hot path
            allowed, remaining, retry_after, full_in = hit(
                prefix + key_func(request), interval, burst
            )
            if not allowed:
                raise refuse(retry_after, full_in)
            # allow(), inlined: with a memory store this is the whole per-request cost
            headers = [
                limit_header,
                (b"ratelimit-remaining", b"%d" % remaining),
                (b"ratelimit-reset", b"%d" % -(-full_in // 1_000_000)),
            ]
            current = request.response_headers
            if current is None:
                request.response_headers = headers
            else:
                current += headers

        return rate_limit_step

    async def shared_rate_limit_step(request: Request) -> None:
        # hot path
        key = prefix + ((await key_func(request)) if key_is_async else key_func(request))
        if store_async:
            try:
                decision = await hit(key, interval, burst)
            except StoreUnavailable:
                if fail_open:
                    return
                raise unavailable() from None
        else:
            decision = hit(key, interval, burst)
        allowed, remaining, retry_after, full_in = decision
        if not allowed:
            raise refuse(retry_after, full_in)
        allow(request, remaining, full_in)

    return shared_rate_limit_step
