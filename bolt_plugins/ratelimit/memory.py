"""The in-memory limiter store: GCRA per key, bounded by ``BOLT_RATELIMIT_MAX_KEYS``.

GCRA (the generic cell rate algorithm) is a token bucket written as one number per key, the
*theoretical arrival time* (TAT): the moment the bucket would be full again. A request at
``now`` is allowed when ``TAT + interval - burst * interval <= now``, and then TAT advances by
one ``interval`` (``1 / rps``). ``burst`` requests pass at once from a full bucket, and then
one every ``interval``: over any window of ``t`` seconds at most ``burst + rps * t`` pass.

Memory stays flat: keys live in insertion order and are moved to the end when used, so when
the store holds more than ``max_keys`` the least recently used tenth is dropped. A dropped key
whose bucket was not yet full simply starts again with a full bucket — the cost of a flood of
invented keys is a little leniency for idle clients, never unbounded memory.

The state is per process: with several Granian workers each has its own buckets. Use the
Redis store (``BOLT_RATELIMIT_STORE = "redis://..."``) for limits that hold across workers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from itertools import islice

__all__ = ["Decision", "MemoryStore"]

# (allowed, remaining, µs until a request would pass, µs until the bucket is full again);
# whole microseconds, so no float is made per request.
Decision = tuple[bool, int, int, int]


_monotonic_ns = time.monotonic_ns


class MemoryStore:
    """Process-local GCRA buckets; ``hit`` is synchronous and takes well under a microsecond.

    Times are whole microseconds (``clock`` returns them; a float is truncated), so the
    arithmetic is exact: with floats, ``(now + interval) - interval`` can land a hair after
    ``now`` and refuse a request from a full bucket.
    """

    is_async = False

    __slots__ = ("_clock", "_lock", "_tats", "max_keys")

    def __init__(self, max_keys: int, clock: Callable[[], int] | None = None) -> None:
        self.max_keys = max_keys
        self._tats: dict[str, int] = {}
        self._lock = threading.Lock()
        self._clock = clock  # None: the monotonic clock, read inline (no call per hit)

    def __len__(self) -> int:
        return len(self._tats)

    def hit(self, key: str, interval_us: int, burst: int) -> Decision:
        """Count one request for ``key`` (``interval_us`` = 1/rps in µs); return the decision."""
        # hot path
        clock = self._clock
        now = _monotonic_ns() // 1000 if clock is None else int(clock())
        tats = self._tats
        lock = self._lock
        lock.acquire()
        try:
            tat = tats.pop(key, now)  # moved to the end: the least recently used go first
            if tat < now:
                tat = now
            new_tat = tat + interval_us
            allow_at = new_tat - burst * interval_us
            if now < allow_at:
                tats[key] = tat
                return False, 0, allow_at - now, tat - now
            tats[key] = new_tat
            if len(tats) > self.max_keys:
                self._evict()
        finally:
            lock.release()
        return True, (now - allow_at) // interval_us, 0, new_tat - now

    def _evict(self) -> None:
        tats = self._tats
        drop = max(1, self.max_keys // 10)
        for key in list(islice(tats, drop)):
            del tats[key]

    def clear(self) -> None:
        with self._lock:
            self._tats.clear()
