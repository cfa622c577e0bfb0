"""The Redis limiter store: one GCRA bucket per key, shared by every worker and host.

The whole decision — read the key's theoretical arrival time, compare, write the new one —
runs inside Redis as one Lua script, with Redis's own clock (``TIME``). Scripts run
atomically, so concurrent requests from any number of Granian workers or machines see one
consistent bucket and the limit holds globally: at most ``burst + rps * t`` requests pass
over ``t`` seconds.

When Redis cannot be reached the store raises ``StoreUnavailable`` quickly (short socket
timeouts, no client-side retries) and then stays "down" for one second without trying, so a
dead Redis costs requests nothing; the middleware then applies ``BOLT_RATELIMIT_FAIL_OPEN``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from bolt.exceptions import ImproperlyConfigured
from bolt_plugins.ratelimit.memory import Decision

__all__ = ["GCRA_SCRIPT", "RedisStore", "StoreUnavailable"]

log = logging.getLogger("bolt.ratelimit")

# KEYS[1] = bucket key; ARGV[1] = interval (µs), ARGV[2] = burst.
# Returns {allowed (0/1), remaining or µs until allowed, µs until the bucket is full}.
# Numbers are formatted with %.0f when stored: Lua's default number formatting keeps only
# 14 significant digits, which would round microsecond timestamps.
GCRA_SCRIPT = """
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if (not tat) or tat < now then
  tat = now
end
local new_tat = tat + interval
local allow_at = new_tat - burst * interval
if now < allow_at then
  return {0, allow_at - now, tat - now}
end
local ttl_ms = math.floor((new_tat - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', string.format('%d', ttl_ms))
return {1, math.floor((now - allow_at) / interval), new_tat - now}
"""

DOWN_FOR = 1.0  # seconds to skip Redis after a failure
DEFAULT_TIMEOUT = 0.5  # seconds; a URL's own socket_timeout=... wins


class StoreUnavailable(Exception):
    """The shared store could not answer; the caller applies the fail-open/closed policy."""


class RedisStore:
    """GCRA buckets in Redis (``redis://``, ``rediss://`` or ``unix://`` URL)."""

    is_async = True

    __slots__ = ("_client", "_down_until", "_loop", "_script", "url")

    def __init__(self, url: str) -> None:
        from redis.asyncio.connection import parse_url

        try:
            parse_url(url)  # no I/O; a bad port or host must stop startup, not fail requests
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                f"BOLT_RATELIMIT_STORE: {_safe(url)!r} is not a usable Redis URL ({exc})"
            ) from None
        self.url = url
        self._client: Any = None
        self._script: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._down_until = 0.0

    def _connect(self, loop: asyncio.AbstractEventLoop) -> Any:
        import redis.asyncio as redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        # A client's connections belong to the event loop that opened them; each worker
        # (and each test client) has its own loop, so keep one client per loop.
        self._client = redis.from_url(
            self.url,
            socket_timeout=DEFAULT_TIMEOUT,
            socket_connect_timeout=DEFAULT_TIMEOUT,
            retry=Retry(NoBackoff(), 0),
        )
        self._script = self._client.register_script(GCRA_SCRIPT)
        self._loop = loop
        return self._script

    async def hit(self, key: str, interval_us: int, burst: int) -> Decision:
        """Count one request for ``key`` in Redis; raise ``StoreUnavailable`` on failure."""
        # hot path
        if self._down_until and time.monotonic() < self._down_until:
            raise StoreUnavailable("rate-limit store marked down")
        loop = asyncio.get_running_loop()
        try:
            script = self._script if self._loop is loop else self._connect(loop)
            allowed, value, full_in = await script(keys=[key], args=[interval_us, burst])
        except Exception as exc:  # ConnectionError, TimeoutError, ResponseError, OSError...
            if not self._down_until:
                log.warning("Rate-limit store %s unavailable: %s", _safe(self.url), exc)
            self._down_until = time.monotonic() + DOWN_FOR
            raise StoreUnavailable(str(exc)) from None
        if self._down_until:
            log.warning("Rate-limit store %s is back", _safe(self.url))
            self._down_until = 0.0
        if allowed:
            return True, int(value), 0, int(full_in)
        return False, 0, int(value), int(full_in)

    async def close(self) -> None:
        client, self._client, self._script, self._loop = self._client, None, None, None
        if client is not None:
            try:
                await client.aclose()
            except Exception:  # closing a client of a dead Redis must not fail shutdown
                log.debug("Closing the rate-limit store failed", exc_info=True)


def _safe(url: str) -> str:
    """The URL without its password, for logs."""
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        rest = "***@" + rest.rpartition("@")[2]
    return f"{scheme}{sep}{rest}"
