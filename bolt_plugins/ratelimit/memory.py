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

import math
import threading
import time
from collections.abc import Callable
from itertools import islice
from typing import Any

from bolt.request import Request
from bolt_plugins.ratelimit.clientip import _key_for_peer, _peer_ip_key

__all__ = ["Decision", "Headers", "MemoryStore"]

# (allowed, remaining, µs until a request would pass, µs until the bucket is full again);
# whole microseconds, so no float is made per request.
Decision = tuple[bool, int, int, int]


# Encoded response headers a step adds to the request's response.
Headers = tuple[tuple[bytes, bytes], ...]

_monotonic_ns = time.monotonic_ns
# The time a key never seen (or evicted) starts from: before any clock reading, even a custom
# clock's negative one, and told apart from a stored time by identity.
_NEW: Any = -math.inf


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
        """Count one request for ``key`` (``interval_us`` = 1/rps in µs); return the decision.

        The counting is written out a second time, for speed, in the step ``make_step``
        builds; the two blocks are kept identical line for line (a seeded random sequence
        in the tests compares their answers).
        """
        # hot path
        clock = self._clock
        interval = interval_us
        cap = burst * interval
        tats = self._tats
        lock = self._lock
        # --- counting, as in make_step ------------------------------------------------
        now = _monotonic_ns() // 1000 if clock is None else int(clock())
        lock.acquire()  # not ``with lock``: the context manager protocol costs twice as much
        try:
            tat = tats.pop(key, _NEW)  # moved to the end: the least recently used go first
            if tat <= now:  # a full bucket: one interval until it is full again
                tats[key] = now + interval
                full_in = interval
                if tat is _NEW and len(tats) > self.max_keys:  # only a new key grows the store
                    self._evict()
            else:
                full_in = tat + interval - now  # µs until full again if this one counts
                tats[key] = tat if full_in > cap else tat + interval
        finally:
            lock.release()
        # --- end of counting ------------------------------------------------------------
        if full_in > cap:
            return False, 0, full_in - cap, tat - now
        return True, (cap - full_in) // interval, 0, full_in

    def make_step(
        self,
        interval_us: int,
        burst: int,
        key_func: Callable[[Request], str],
        prefix: str,
        *,
        full: Headers | None,
        partial: Callable[[int], Headers | None],
        refuse: Callable[[int, int], Exception],
    ) -> Callable[[Request], None]:
        """The rate-limit ``before`` step for this store: ``hit`` inlined into one closure.

        With the memory store the whole limiter is this function, so the call into ``hit``,
        the decision tuple and the default key function's call are not made per request.
        The request counts under ``prefix + key_func(request)``; ``key_func`` being the
        default peer-address key (``key="ip"`` without trusted proxies) is read inline.
        An allowed request from a full bucket (the usual case) adds the pre-built ``full``
        headers; one that drew on its burst adds ``partial(µs until full again)``; a
        refused one raises ``refuse(µs until a request would pass, µs until full again)``.
        ``full=None`` and a ``partial`` returning ``None``: allowed requests add nothing.
        """
        tats = self._tats
        acquire = self._lock.acquire
        release = self._lock.release
        evict = self._evict
        max_keys = self.max_keys
        clock = self._clock  # None: the monotonic clock, read inline
        interval = interval_us
        cap = burst * interval
        new = _NEW
        peer_key = key_func is _peer_ip_key
        ip_prefix = prefix + "ip:"

        def rate_limit_step(request: Request) -> None:
            # hot path
            if peer_key:  # _peer_ip_key, inline
                client = request.scope.get("client")
                host = client[0] if client else "unknown"
                key = ip_prefix + (_key_for_peer(host) if ":" in host else host)
            else:
                key = prefix + key_func(request)
            # --- counting, as in hit --------------------------------------------------------
            now = _monotonic_ns() // 1000 if clock is None else int(clock())
            acquire()  # not ``with lock``: the context manager protocol costs twice as much
            try:
                tat = tats.pop(key, new)  # moved to the end: the least recently used go first
                if tat <= now:  # a full bucket: one interval until it is full again
                    tats[key] = now + interval
                    full_in = interval
                    if tat is new and len(tats) > max_keys:  # only a new key grows the store
                        evict()
                else:
                    full_in = tat + interval - now  # µs until full again if this one counts
                    tats[key] = tat if full_in > cap else tat + interval
            finally:
                release()
            # --- end of counting --------------------------------------------------------
            if full_in == interval:  # the usual case: the headers built once
                headers = full
            elif full_in > cap:
                raise refuse(full_in - cap, tat - now)
            else:
                headers = partial(full_in)
            if headers is None:
                return
            current = request.response_headers
            if current is None:
                request.response_headers = list(headers)
            else:
                current += headers

        return rate_limit_step

    def _evict(self) -> None:
        tats = self._tats
        drop = max(1, self.max_keys // 10)
        for key in list(islice(tats, drop)):
            del tats[key]

    def clear(self) -> None:
        with self._lock:
            self._tats.clear()
