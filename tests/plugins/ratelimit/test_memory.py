"""The in-memory store stays bounded: invented keys cannot grow memory without limit."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from typing import Any

from bolt import BoltAPI
from bolt.middleware import rate_limit
from bolt.testing import TestClient
from bolt_plugins.ratelimit import MemoryStore
from bolt_plugins.ratelimit.clientip import _key_for_peer
from tests.plugins.ratelimit.conftest import with_peer

SECOND = 1_000_000


def test_keys_over_the_cap_are_evicted_least_recently_used_first() -> None:
    now = [0]
    store = MemoryStore(100, clock=lambda: now[0])
    assert store.hit("keep", SECOND, 1)[0] is True
    for i in range(150):
        store.hit(f"k{i}", SECOND, 1)
        store.hit("keep", SECOND, 1)  # used all along: never the eldest
    assert len(store) <= 100
    assert store.hit("keep", SECOND, 1)[0] is False  # still limited: its state survived


def test_memory_is_flat_under_100k_distinct_keys() -> None:
    """600k distinct keys through a store capped at 100k: it never holds more than 100k
    buckets (each bucket's key and time are freed on eviction), and its table stops growing
    once the first eviction cycle has run — memory does not follow the number of keys."""
    store = MemoryStore(100_000)
    sizes: list[int] = []
    for i in range(600_000):
        store.hit(f"bolt:rl:GET /a:ip:10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", SECOND, 5)
        if i % 50_000 == 49_999:
            assert len(store) <= 100_000
            sizes.append(sys.getsizeof(store._tats))
    at_cap = sizes[1]  # after the first 100k keys
    steady = sizes[3:]  # from 200k keys on
    assert len(set(steady)) == 1, sizes
    assert steady[0] <= 2 * at_cap, sizes


def test_http_flood_of_invented_addresses_is_bounded(
    settings: Any, make_api: Callable[..., BoltAPI]
) -> None:
    settings.BOLT_RATELIMIT_MAX_KEYS = 200
    api = make_api()

    @api.get("/a")
    @rate_limit(rps=1, burst=1)
    async def a() -> dict:
        return {}

    store = api.state["ratelimit"].store
    assert store.max_keys == 200
    for i in range(1000):
        client = TestClient(with_peer(api, f"198.18.{i >> 8}.{i & 255}"))
        assert client.get("/a").status_code == 200
        client.close()
        assert len(store) <= 200


def test_http_clients_in_use_keep_their_state_through_evictions(
    make_api: Callable[..., BoltAPI],
) -> None:
    """The route's own (inlined) counting evicts as the store does: least recently used
    first, and only when a new client arrives; a client refused all along stays refused."""
    api = make_api()

    @api.get("/a")
    @rate_limit(rps=1, burst=1)
    async def a() -> dict:
        return {}

    store = MemoryStore(50, clock=lambda: 1_000_000_000)  # the clock stands still
    api.state["ratelimit"].store = store
    keep = TestClient(with_peer(api, "192.0.2.1"))
    assert keep.get("/a").status_code == 200
    for i in range(200):
        client = TestClient(with_peer(api, f"198.18.0.{i}"))
        assert client.get("/a").status_code == 200
        client.close()
        assert len(store) <= 50
        assert keep.get("/a").status_code == 429  # used all along: never the eldest
    first = TestClient(with_peer(api, "198.18.0.0"))
    assert first.get("/a").status_code == 200  # long evicted: a full bucket again
    keep.close()
    first.close()


def test_route_counts_as_the_store_on_a_seeded_random_sequence(
    make_api: Callable[..., BoltAPI],
) -> None:
    """The route's inlined counting (``MemoryStore.make_step``) and ``MemoryStore.hit`` give
    the same answers, headers and buckets for a random mix of clients, bursts, pauses and
    evictions (a small store, so keys are dropped and come back)."""
    rng = random.Random(20240611)
    api = make_api()

    @api.get("/a")
    @rate_limit(rps=1000, burst=3)
    async def a() -> dict:
        return {}

    now = [5_000_000]
    store = MemoryStore(6, clock=lambda: now[0])
    reference = MemoryStore(6, clock=lambda: now[0])
    api.state["ratelimit"].store = store
    # IPv4 peers and two IPv6 peers of one /64, which count as one client
    hosts = [f"192.0.2.{i}" for i in range(8)] + ["2001:db8::1", "2001:db8::2"]
    clients = {host: TestClient(with_peer(api, host)) for host in hosts}
    host = hosts[0]
    statuses: list[int] = []
    try:
        for step in range(400):
            now[0] += rng.choice((0, 0, 0, 1, 400, 1000, 2500, 4000, 1_500_000))
            if rng.random() < 0.3:  # else the same client again: bursts that run out
                host = rng.choice(hosts)
            r = clients[host].get("/a")
            statuses.append(r.status_code)
            allowed, remaining, retry_us, full_us = reference.hit(_key_for_peer(host), 1000, 3)
            seen = (r.status_code, r.headers["ratelimit-remaining"], r.headers["ratelimit-reset"])
            reset = -(-full_us // SECOND)
            if allowed:
                assert seen == (200, str(remaining), str(reset)), step
            else:
                wait = max(1, -(-retry_us // SECOND))
                assert seen == (429, "0", str(max(wait, reset))), step
                assert r.headers["retry-after"] == str(wait), step
            buckets = [(k.rpartition(":ip:")[2], t) for k, t in store._tats.items()]
            assert buckets == list(reference._tats.items()), step
    finally:
        for c in clients.values():
            c.close()
    assert 20 < statuses.count(429) < 380  # both answers, many times
