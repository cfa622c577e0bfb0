"""The Redis store: one limit shared by every worker, atomic under concurrency, and the
documented policy (never a 500) when Redis is down or stops mid-test."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from bolt import BoltAPI
from bolt.middleware import cors, rate_limit
from bolt.testing import AsyncTestClient, TestClient
from bolt_plugins.ratelimit import RedisStore
from bolt_plugins.ratelimit.redis_store import DOWN_FOR
from tests.plugins.ratelimit.conftest import OwnRedis, free_port

GOOD = "https://good.com"


@pytest.fixture
def path() -> str:
    """A path of this test's own: bucket keys contain the path, so tests running in
    parallel (pytest -n) against one Redis never share buckets."""
    return f"/api/heavy-{uuid.uuid4().hex}"


def limited_api(
    make_api: Callable[..., BoltAPI], path: str, rps: float = 0.01, burst: int = 3
) -> BoltAPI:
    api = make_api()

    @api.post(path)
    @cors(origins=[GOOD])
    @rate_limit(rps=rps, burst=burst)
    async def heavy_operation() -> dict:
        return {"processed": True}

    return api


@pytest.mark.redis
def test_redis_store_limits_bursts(
    path: str, settings: Any, redis_url: str, make_api: Callable[..., BoltAPI]
) -> None:
    settings.BOLT_RATELIMIT_STORE = redis_url
    api = limited_api(make_api, path)
    assert isinstance(api.state["ratelimit"].store, RedisStore)
    with TestClient(api) as client:
        responses = [client.post(path) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r.headers.get("ratelimit-remaining") for r in responses] == ["2", "1", "0", "0"]
    last = responses[-1]
    assert int(last.headers["retry-after"]) >= 1
    assert last.json()["retry_after"] == int(last.headers["retry-after"])


@pytest.mark.redis
def test_redis_store_headers_only_on_refusals_when_configured(
    path: str, settings: Any, redis_url: str, make_api: Callable[..., BoltAPI]
) -> None:
    settings.BOLT_RATELIMIT_STORE = redis_url
    settings.BOLT_RATELIMIT_HEADERS = "refused"
    api = limited_api(make_api, path, burst=1)
    with TestClient(api) as client:
        ok, refused = client.post(path), client.post(path)
    assert (ok.status_code, refused.status_code) == (200, 429)
    assert "ratelimit-remaining" not in ok.headers
    assert refused.headers["ratelimit-remaining"] == "0"


@pytest.mark.redis
def test_two_workers_share_one_limit(
    path: str, settings: Any, redis_url: str, make_api: Callable[..., BoltAPI]
) -> None:
    """Two APIs with their own connections stand in for two Granian workers."""
    settings.BOLT_RATELIMIT_STORE = redis_url
    first, second = limited_api(make_api, path, burst=4), limited_api(make_api, path, burst=4)
    with TestClient(first) as a, TestClient(second) as b:
        statuses = [(a if i % 2 else b).post(path).status_code for i in range(10)]
    assert statuses.count(200) == 4
    assert statuses[4:] == [429] * 6


@pytest.mark.redis
def test_concurrent_requests_are_counted_atomically(
    path: str, settings: Any, redis_url: str, make_api: Callable[..., BoltAPI]
) -> None:
    settings.BOLT_RATELIMIT_STORE = redis_url
    api = limited_api(make_api, path, burst=10)

    async def flood() -> list[Any]:
        async with AsyncTestClient(api) as client:
            return await asyncio.gather(*(client.post(path) for _ in range(60)))

    responses = asyncio.run(flood())
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == 10
    assert statuses.count(429) == 50


@pytest.mark.redis
def test_redis_refills_at_rps(
    path: str, settings: Any, redis_url: str, make_api: Callable[..., BoltAPI]
) -> None:
    settings.BOLT_RATELIMIT_STORE = redis_url
    api = limited_api(make_api, path, rps=2, burst=2)
    with TestClient(api) as client:
        # Three requests well inside the 0.5 s a token takes to come back.
        assert [client.post(path).status_code for _ in range(3)] == [200, 200, 429]
        time.sleep(0.6)
        assert client.post(path).status_code == 200


@pytest.mark.redis
def test_hook_bolt_shutdown_closes_the_connection(
    path: str, settings: Any, redis_url: str, make_api: Callable[..., BoltAPI]
) -> None:
    settings.BOLT_RATELIMIT_STORE = redis_url
    api = limited_api(make_api, path)
    store: RedisStore = api.state["ratelimit"].store
    with TestClient(api) as client:
        client.post(path)
        assert store._client is not None
    assert store._client is None


@pytest.mark.parametrize(
    ("fail_open", "status"),
    [(False, 503), (True, 200)],
)
def test_unreachable_redis_applies_the_policy_never_500(
    path: str, settings: Any, make_api: Callable[..., BoltAPI], fail_open: bool, status: int
) -> None:
    settings.BOLT_RATELIMIT_STORE = f"redis://:s3cret@127.0.0.1:{free_port()}/0"
    settings.BOLT_RATELIMIT_FAIL_OPEN = fail_open
    api = limited_api(make_api, path, burst=1)
    with TestClient(api) as client:
        for _ in range(3):
            r = client.post(path, headers={"Origin": GOOD})
            assert r.status_code == status
            assert r.headers["access-control-allow-origin"] == GOOD
            assert "s3cret" not in r.text
            if status == 503:
                assert r.headers["retry-after"] == "1"
                assert "unavailable" in r.json()["detail"]
            else:
                assert r.json() == {"processed": True}


@pytest.mark.redis
@pytest.mark.parametrize(("fail_open", "down_status"), [(False, 503), (True, 200)])
def test_redis_stopped_mid_test(
    path: str,
    settings: Any,
    own_redis: OwnRedis,
    make_api: Callable[..., BoltAPI],
    fail_open: bool,
    down_status: int,
) -> None:
    settings.BOLT_RATELIMIT_STORE = own_redis.url
    settings.BOLT_RATELIMIT_FAIL_OPEN = fail_open
    api = limited_api(make_api, path, burst=2)
    with TestClient(api) as client:
        assert [client.post(path).status_code for _ in range(3)] == [200, 200, 429]
        own_redis.stop()
        down = [client.post(path) for _ in range(5)]
        assert [r.status_code for r in down] == [down_status] * 5
        assert all("detail" in r.json() or r.json() == {"processed": True} for r in down)
        own_redis.start()  # empty: the old buckets are gone
        time.sleep(DOWN_FOR + 0.1)
        assert [client.post(path).status_code for _ in range(3)] == [200, 200, 429]


def test_hook_bolt_shutdown_closes_client_of_unreachable_redis(
    path: str, settings: Any, make_api: Callable[..., BoltAPI]
) -> None:
    settings.BOLT_RATELIMIT_STORE = f"redis://127.0.0.1:{free_port()}/0"
    api = limited_api(make_api, path)
    store: RedisStore = api.state["ratelimit"].store
    with TestClient(api) as client:
        assert client.post(path).status_code == 503
        assert store._client is not None
    assert store._client is None


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:notaport/0", "redis://[::1/0", "redis://:pw@127.0.0.1:99999/0"]
)
def test_malformed_redis_url_is_a_startup_error_not_a_500_per_request(
    path: str, settings: Any, make_api: Callable[..., BoltAPI], url: str
) -> None:
    """Before: the URL was parsed on the first request, so every request was a 500."""
    from bolt.exceptions import ImproperlyConfigured

    settings.BOLT_RATELIMIT_STORE = url
    with pytest.raises(ImproperlyConfigured, match="BOLT_RATELIMIT_STORE") as info:
        limited_api(make_api, path, burst=1)
    assert "pw@" not in str(info.value)
