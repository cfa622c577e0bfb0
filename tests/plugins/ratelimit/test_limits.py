"""Rate limits through HTTP with the in-memory store: bursts, refill, 429 shape, headers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bolt import BoltAPI
from bolt.exceptions import ImproperlyConfigured, NotFound
from bolt.middleware import rate_limit, skip_middleware
from bolt.testing import TestClient
from bolt_plugins.ratelimit import MemoryStore, RateLimitState


class Clock:
    """A hand-driven monotonic clock for the memory store (whole microseconds)."""

    def __init__(self) -> None:
        self.now = 1_000_000_000

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += round(seconds * 1_000_000)


@pytest.fixture
def clock(api: BoltAPI) -> Clock:
    clock = Clock()
    state: RateLimitState = api.state["ratelimit"]
    state.store = MemoryStore(1000, clock=clock)
    return clock


def test_burst_plus_one_is_429_and_handler_does_not_run(
    api: BoltAPI, client: TestClient, clock: Clock
) -> None:
    calls: list[int] = []

    @api.post("/api/heavy")
    @rate_limit(rps=10, burst=20)
    async def heavy_operation() -> dict:
        calls.append(1)
        return {"processed": True}

    statuses = [client.post("/api/heavy").status_code for _ in range(21)]
    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429
    assert len(calls) == 20
    r = client.post("/api/heavy")
    assert r.status_code == 429
    assert len(calls) == 20
    assert int(r.headers["retry-after"]) >= 1
    body = r.json()
    assert body["detail"] == "Too many requests"
    assert body["retry_after"] == int(r.headers["retry-after"])
    assert r.headers["ratelimit-limit"] == "20"
    assert r.headers["ratelimit-remaining"] == "0"
    assert r.headers["ratelimit-policy"] == "20;w=2"


def test_ratelimit_headers_count_down(api: BoltAPI, client: TestClient, clock: Clock) -> None:
    @api.get("/a")
    @rate_limit(rps=1, burst=3)
    async def a() -> dict:
        return {}

    seen = [client.get("/a").headers for _ in range(3)]
    assert [h["ratelimit-remaining"] for h in seen] == ["2", "1", "0"]
    assert [h["ratelimit-reset"] for h in seen] == ["1", "2", "3"]
    assert all(h["ratelimit-limit"] == "3" for h in seen)
    r = client.get("/a")
    assert r.status_code == 429
    assert r.headers["retry-after"] == "1"
    assert r.headers["ratelimit-reset"] == "3"


class SubclassedStore(MemoryStore):
    """A store the middleware cannot inline: it goes through ``hit()``."""


@pytest.mark.parametrize("store_class", [MemoryStore, SubclassedStore])
def test_large_bursts_count_exactly_on_both_store_paths(
    api: BoltAPI, store_class: type[MemoryStore]
) -> None:
    """Bursts above the pre-built header table (1024) and the generic ``hit()`` path give
    the same counts, resets and refusal."""
    clock = Clock()
    api.state["ratelimit"].store = store_class(1000, clock=clock)

    @api.get("/a")
    @rate_limit(rps=500, burst=1500)
    async def a() -> dict:
        return {}

    client = TestClient(api)
    first = client.get("/a").headers
    assert (first["ratelimit-limit"], first["ratelimit-remaining"]) == ("1500", "1499")
    assert first["ratelimit-reset"] == "1"  # 2 ms until full, rounded up
    for _ in range(1499):
        last = client.get("/a")
    assert last.headers["ratelimit-remaining"] == "0"
    assert last.headers["ratelimit-reset"] == "3"
    refused = client.get("/a")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"
    clock.advance(0.004)  # two intervals: two more requests
    assert [client.get("/a").status_code for _ in range(3)] == [200, 200, 429]


def test_errors_of_allowed_requests_carry_the_counts_too(
    api: BoltAPI, client: TestClient, clock: Clock
) -> None:
    @api.get("/things/{thing_id}")
    @rate_limit(rps=1, burst=2)
    async def thing(thing_id: int) -> dict:
        raise NotFound(f"Thing {thing_id} not found")

    r = client.get("/things/1")
    assert r.status_code == 404
    assert r.json() == {"detail": "Thing 1 not found"}
    assert (r.headers["ratelimit-limit"], r.headers["ratelimit-remaining"]) == ("2", "1")
    r = client.get("/things/oops")  # a 422 counts as well: the request was served
    assert r.status_code == 422
    assert r.headers["ratelimit-remaining"] == "0"
    assert client.get("/things/1").status_code == 429


def test_bucket_refills_at_rps(api: BoltAPI, client: TestClient, clock: Clock) -> None:
    @api.get("/a")
    @rate_limit(rps=2, burst=2)
    async def a() -> dict:
        return {}

    assert [client.get("/a").status_code for _ in range(3)] == [200, 200, 429]
    clock.advance(0.5)  # one token back
    assert [client.get("/a").status_code for _ in range(2)] == [200, 429]
    clock.advance(10)  # full again, never more than burst
    assert [client.get("/a").status_code for _ in range(3)] == [200, 200, 429]


def test_total_allowed_is_at_most_burst_plus_rps_times_t(
    api: BoltAPI, client: TestClient, clock: Clock
) -> None:
    @api.get("/a")
    @rate_limit(rps=5, burst=10)
    async def a() -> dict:
        return {}

    allowed = 0
    start = clock.now
    for _ in range(400):  # 4 requests every 0.05 s over 5 s: 80 req/s offered
        for _ in range(4):
            allowed += client.get("/a").status_code == 200
        clock.advance(0.05)
    elapsed = (clock.now - start) / 1_000_000
    assert allowed <= 10 + 5 * elapsed
    assert allowed >= 10 + 5 * (elapsed - 0.05) - 1


def test_retry_after_for_slow_rates(api: BoltAPI, client: TestClient, clock: Clock) -> None:
    @api.get("/slow")
    @rate_limit(rps=0.1, burst=1)
    async def slow() -> dict:
        return {}

    assert client.get("/slow").status_code == 200
    r = client.get("/slow")
    assert r.status_code == 429
    assert r.headers["retry-after"] == "10"
    assert r.json()["retry_after"] == 10
    clock.advance(4)
    assert client.get("/slow").json()["retry_after"] == 6


def test_default_burst_is_one_second_of_requests(
    api: BoltAPI, client: TestClient, clock: Clock
) -> None:
    @api.get("/a")
    @rate_limit(rps=50)
    async def a() -> dict:
        return {}

    statuses = [client.get("/a").status_code for _ in range(51)]
    assert statuses.count(200) == 50
    assert statuses[-1] == 429


def test_each_route_has_its_own_bucket(api: BoltAPI, client: TestClient) -> None:
    @api.get("/one")
    @rate_limit(rps=0.01, burst=1)
    async def one() -> dict:
        return {}

    @api.get("/two")
    @rate_limit(rps=0.01, burst=1)
    async def two() -> dict:
        return {}

    assert client.get("/one").status_code == 200
    assert client.get("/one").status_code == 429
    assert client.get("/two").status_code == 200


def test_head_shares_the_get_bucket(api: BoltAPI, client: TestClient) -> None:
    @api.get("/a")
    @rate_limit(rps=0.01, burst=2)
    async def a() -> dict:
        return {}

    assert client.head("/a").status_code == 200
    assert client.get("/a").status_code == 200
    assert client.head("/a").status_code == 429


def test_skip_middleware_rate_limit(api: BoltAPI, client: TestClient) -> None:
    @api.get("/a")
    @skip_middleware("rate_limit")
    @rate_limit(rps=0.01, burst=1)
    async def a() -> dict:
        return {"data": "unlimited"}

    assert [client.get("/a").status_code for _ in range(5)] == [200] * 5
    assert "ratelimit-limit" not in client.get("/a").headers


def test_skip_all_optional_middleware(api: BoltAPI, client: TestClient) -> None:
    @api.get("/a")
    @skip_middleware("*")
    @rate_limit(rps=0.01, burst=1)
    async def a() -> dict:
        return {}

    assert [client.get("/a").status_code for _ in range(3)] == [200] * 3


def test_rate_limit_route_keyword(api: BoltAPI, client: TestClient) -> None:
    @api.get("/a", rate_limit={"rps": 0.01, "burst": 2})
    async def a() -> dict:
        return {}

    assert [client.get("/a").status_code for _ in range(3)] == [200, 200, 429]


def test_hook_bolt_configure_registers_name_and_builds_state(api: BoltAPI) -> None:
    assert "rate_limit" in api.middleware_names
    state = api.state["ratelimit"]
    assert isinstance(state.store, MemoryStore)
    assert state.store.max_keys == 100_000
    assert state.fail_open is False


def test_hook_bolt_configure_rejects_bad_trusted_proxies(
    settings: Any, make_api: Callable[..., BoltAPI]
) -> None:
    settings.BOLT_TRUSTED_PROXIES = ["10.0.0.0/8", "not-an-ip"]
    with pytest.raises(ImproperlyConfigured, match=r"BOLT_TRUSTED_PROXIES.*not-an-ip"):
        make_api()


def test_bad_store_setting_is_a_startup_error(
    settings: Any, make_api: Callable[..., BoltAPI]
) -> None:
    settings.BOLT_RATELIMIT_STORE = "memcached://x"
    with pytest.raises(ImproperlyConfigured, match="BOLT_RATELIMIT_STORE"):
        make_api()


def test_hook_bolt_route_middleware_claims_and_orders(api: BoltAPI) -> None:
    from bolt.middleware import cors

    @api.get("/a")
    @rate_limit(rps=5)
    @cors(origins=["https://good.com"])
    async def a() -> dict:
        return {}

    @api.get("/b")
    async def b() -> dict:
        return {}

    api.compile()
    route_a, route_b = api.routes
    assert "rate_limit" in route_a.claimed
    # an IP-keyed limit runs before authentication (failed logins count)
    assert list(route_a.middleware_names) == ["cors", "rate_limit", "fake_auth"]
    assert list(route_b.middleware_names) == ["fake_auth"]


def test_disabled_plugin_fails_closed(make_api: Callable[..., BoltAPI]) -> None:
    api = make_api("cors")

    @api.get("/a")
    @rate_limit(rps=5)
    async def a() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match=r"'rate_limit'.*ratelimit"):
        api.compile()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rps": 0}, "rps must be a number > 0"),
        ({"rps": -1}, "rps must be a number > 0"),
        ({"rps": "10"}, "rps must be a number > 0"),
        ({"rps": float("inf")}, "finite"),
        ({"rps": 10, "burst": 0}, "burst"),
        ({"rps": 10, "burst": 2.5}, "burst"),
        ({"rps": 10, "key": "ipaddress"}, "not a rate-limit key"),
        ({"rps": 10, "key": "header:"}, "not a rate-limit key"),
    ],
)
def test_bad_arguments_fail_at_once(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        rate_limit(**kwargs)


def test_bad_route_keyword(api: BoltAPI) -> None:
    @api.get("/a", rate_limit={"rate": 5})
    async def a() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match="rate_limit= takes"):
        api.compile()


def test_facade_reexports_the_decorator() -> None:
    import bolt.middleware
    import bolt_plugins.ratelimit

    assert bolt.middleware.rate_limit is bolt_plugins.ratelimit.rate_limit


def test_no_hook_calls_per_request(api: BoltAPI, client: TestClient) -> None:
    from bolt.middleware import cors

    @api.get("/a")
    @cors(origins=["https://good.com"])
    @rate_limit(rps=0.01, burst=2)
    async def a() -> dict:
        return {}

    api.compile()
    calls: list[str] = []
    undo = api.pm.add_hookcall_monitoring(
        lambda name, impls, kwargs: calls.append(name), lambda *args: None
    )
    try:
        h = {"Origin": "https://good.com"}
        assert [client.get("/a", headers=h).status_code for _ in range(3)] == [200, 200, 429]
        pre = {**h, "Access-Control-Request-Method": "GET"}
        assert client.options("/a", headers=pre).status_code == 204
    finally:
        undo()
    assert calls == []


def test_clocks_returning_floats_count_the_same_on_both_store_paths() -> None:
    """A clock giving microseconds as floats (``time.monotonic() * 1e6``) is truncated to
    whole microseconds: same statuses and integer headers on the inlined and generic
    paths."""

    def clock() -> float:
        return 1_000_000_000.5

    def seen(store: MemoryStore) -> list[tuple[int, dict[str, str]]]:
        api = BoltAPI(plugins=["ratelimit"])
        api.state["ratelimit"].store = store

        @api.get("/a")
        @rate_limit(rps=2, burst=3)
        async def a() -> dict:
            return {}

        client = TestClient(api)
        out = []
        for _ in range(4):
            r = client.get("/a")
            out.append((r.status_code, {k: v for k, v in r.headers.items() if "rate" in k}))
        return out

    generic = seen(SubclassedStore(1000, clock=clock))  # type: ignore[arg-type]
    assert [status for status, _ in generic] == [200, 200, 200, 429]
    assert generic[3][1]["ratelimit-reset"] == "2"
    assert seen(MemoryStore(1000, clock=clock)) == generic  # type: ignore[arg-type]


@pytest.mark.parametrize("store_class", [MemoryStore, SubclassedStore])
def test_headers_only_on_refusals_when_configured(
    settings: Any, make_api: Callable[..., BoltAPI], store_class: type[MemoryStore]
) -> None:
    """``BOLT_RATELIMIT_HEADERS = "refused"``: allowed responses (and their errors) carry
    no ``RateLimit-*`` headers; the 429 carries all of them and ``Retry-After``."""
    settings.BOLT_RATELIMIT_HEADERS = "refused"
    api = make_api()
    api.state["ratelimit"].store = store_class(1000, clock=Clock())

    @api.get("/things/{thing_id}")
    @rate_limit(rps=1, burst=2)
    async def thing(thing_id: int) -> dict:
        if thing_id == 0:
            raise NotFound("no thing 0")
        return {"id": thing_id}

    client = TestClient(api)
    ok = client.get("/things/1")
    missing = client.get("/things/0")
    assert (ok.status_code, missing.status_code) == (200, 404)
    for r in (ok, missing):
        assert not [k for k in r.headers if k.lower().startswith("ratelimit")]
    refused = client.get("/things/1")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["ratelimit-limit"] == "2"
    assert refused.headers["ratelimit-remaining"] == "0"
    assert refused.headers["ratelimit-policy"] == "2;w=2"


def test_unknown_headers_setting_stops_startup(settings: Any) -> None:
    settings.BOLT_RATELIMIT_HEADERS = "sometimes"
    with pytest.raises(ImproperlyConfigured, match="BOLT_RATELIMIT_HEADERS"):
        BoltAPI(plugins=["ratelimit"])
