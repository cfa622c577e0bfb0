"""The rate-limit step (phase 150 or 300): count, then pass or answer 429.

A ``before`` step: it runs before guards and the handler, which never run for a refused
request. Every response of an allowed request (the handler's, or an error it ends in)
carries ``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset`` (seconds until
the bucket is full again), unless ``BOLT_RATELIMIT_HEADERS = "refused"``. A refusal is
``429`` with ``Retry-After`` and ``{"detail": ..., "retry_after": N}``, the same headers and
``RateLimit-Policy`` (only there: it never changes, and each header costs on the hot path).
"""

from __future__ import annotations

import math
from typing import Any

from bolt.exceptions import ServiceUnavailable, TooManyRequests
from bolt.request import Request
from bolt_plugins.ratelimit.memory import Headers, MemoryStore
from bolt_plugins.ratelimit.redis_store import StoreUnavailable
from bolt_plugins.ratelimit.rules import RateLimitRule

__all__ = ["make_rate_limit_before"]

# Pre-built header pairs for the values most responses carry (no formatting per request).
_RESET = tuple((b"ratelimit-reset", b"%d" % n) for n in range(256))
_REMAINING_TABLE_MAX = 1024


def make_rate_limit_before(
    rule: RateLimitRule,
    store: Any,
    key_func: Any,
    key_is_async: bool,
    prefix: str,
    fail_open: bool,
    *,
    headers_when_allowed: bool = True,
) -> Any:
    """The ``before`` step enforcing ``rule`` with ``store``; everything is prepared here.

    Synchronous for the memory store with a synchronous key (no coroutine per request),
    async for the Redis store or an async key function. ``headers_when_allowed=False``
    (``BOLT_RATELIMIT_HEADERS = "refused"``) keeps the ``RateLimit-*`` headers to 429s.
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

    if not headers_when_allowed:  # decided here, not per request
        allow = _no_headers

    if type(store) is MemoryStore and not key_is_async:
        full, partial = _memory_headers(interval, burst, limit_header, headers_when_allowed)
        return store.make_step(
            interval, burst, key_func, prefix, full=full, partial=partial, refuse=refuse
        )

    if not store_async and not key_is_async:

        def rate_limit_step(request: Request) -> None:
            # hot path
            allowed, remaining, retry_after, full_in = hit(
                prefix + key_func(request), interval, burst
            )
            if not allowed:
                raise refuse(retry_after, full_in)
            allow(request, remaining, full_in)

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


def _no_headers(request: Request, remaining: int, full_in_us: int) -> None:
    """``allow`` under ``BOLT_RATELIMIT_HEADERS = "refused"``: allowed responses say nothing."""


def _memory_headers(
    interval: int, burst: int, limit_header: tuple[bytes, bytes], send: bool
) -> tuple[Headers | None, Any]:
    """``(full, partial)`` for ``MemoryStore.make_step``: the headers of an allowed request.

    A client under its limit (most requests of most clients) finds its bucket full: then
    the three headers are always the same (burst - 1 left, full again in one interval) and
    built here. ``remaining`` follows from the time until the bucket is full:
    ``(burst * interval - full_in) // interval``.
    """
    if not send:
        return None, _nothing
    cap = burst * interval
    remaining_table = (
        tuple((b"ratelimit-remaining", b"%d" % n) for n in range(burst + 1))
        if burst <= _REMAINING_TABLE_MAX
        else None
    )
    full = (
        limit_header,
        (b"ratelimit-remaining", b"%d" % (burst - 1)),
        (b"ratelimit-reset", b"%d" % -(-interval // 1_000_000)),
    )

    def partial(full_in: int) -> Headers:
        remaining = (cap - full_in) // interval
        reset = -(-full_in // 1_000_000)
        return (
            limit_header,
            remaining_table[remaining]
            if remaining_table is not None
            else (b"ratelimit-remaining", b"%d" % remaining),
            _RESET[reset] if reset < 256 else (b"ratelimit-reset", b"%d" % reset),
        )

    return full, partial


def _nothing(full_in: int) -> None:
    """``partial`` under ``BOLT_RATELIMIT_HEADERS = "refused"``."""
