"""The route's inlined counting decides as ``MemoryStore.hit`` does, whatever the clock reads.

A store's ``clock`` only has to give whole microseconds; one that reads below zero must not
make a client the store has never seen look as if it had spent its burst.
"""

from __future__ import annotations

from bolt import BoltAPI
from bolt.testing import TestClient
from bolt_plugins.ratelimit import MemoryStore, rate_limit
from tests.plugins.ratelimit.conftest import with_peer


def _api(store: MemoryStore) -> BoltAPI:
    api = BoltAPI(plugins=["cors", "ratelimit"])

    @api.get("/a")
    @rate_limit(rps=1, burst=3)
    async def a() -> dict:
        return {}

    api.state["ratelimit"].store = store
    return api


def test_store_allows_a_new_client_with_a_negative_clock() -> None:
    store = MemoryStore(1000, clock=lambda: -5_000_000)
    assert [store.hit("k", 1_000_000, 3)[0] for _ in range(4)] == [True, True, True, False]


def test_route_allows_a_new_client_with_a_negative_clock() -> None:
    store = MemoryStore(1000, clock=lambda: -5_000_000)  # stands still, below zero
    with TestClient(with_peer(_api(store), "192.0.2.7")) as client:
        responses = [client.get("/a") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r.headers["ratelimit-remaining"] for r in responses] == ["2", "1", "0", "0"]
    assert responses[3].headers["retry-after"] == "1"
    assert responses[3].json() == {"detail": "Too many requests", "retry_after": 1}
    assert len(store) == 1
