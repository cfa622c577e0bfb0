"""Guide chapter "Middleware" (Rate Limiting, Skip Middleware, Multiple Middleware) and the
middleware parts of "Combining Everything": as written (classes, viewsets plugin) and as
function routes, through HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType

from bolt import BoltAPI
from bolt.auth import create_jwt_for_user
from bolt.middleware import cors, rate_limit, skip_middleware
from bolt.testing import TestClient
from bolt.views import ViewSet
from tests.guide_examples import combining_everything
from tests.plugins.ratelimit.conftest import freeze_clock

LOCAL = "http://localhost:3000"


def statuses(client: TestClient, method: str, path: str, n: int, **kw: Any) -> list[int]:
    return [client.request(method, path, **kw).status_code for _ in range(n)]


# --- Rate Limiting --------------------------------------------------------------------------


def check_rate_limiting(client: TestClient, data_path: str) -> None:
    got = statuses(client, "GET", data_path, 201)
    assert got[:200] == [200] * 200  # burst=200
    assert got[200] == 429
    assert client.get(data_path).json()["detail"] == "Too many requests"
    got = statuses(client, "POST", "/api/heavy", 21)
    assert got == [200] * 20 + [429]
    r = client.post("/api/heavy")
    assert r.headers["ratelimit-limit"] == "20"
    assert int(r.headers["retry-after"]) >= 1


def test_rate_limiting_example_as_a_class() -> None:
    api = BoltAPI()
    freeze_clock(api)

    class APIViewSet(ViewSet):
        @rate_limit(rps=100, burst=200)
        async def get(self, request: Any) -> dict:
            """Rate limited endpoint."""
            return {"data": "limited"}

        @api.post("/api/heavy")
        @rate_limit(rps=10, burst=20)
        async def heavy_operation(self, request: Any) -> dict:
            """Custom action with strict rate limit."""
            return {"processed": True}

    api.view("/api/data", APIViewSet)
    check_rate_limiting(TestClient(api), "/api/data")


def test_rate_limiting_example_as_functions() -> None:
    api = BoltAPI(plugins=["ratelimit"])
    freeze_clock(api)

    @api.get("/api/data")
    @rate_limit(rps=100, burst=200)
    async def get(request: Any) -> dict:
        return {"data": "limited"}

    @api.post("/api/heavy")
    @rate_limit(rps=10, burst=20)
    async def heavy_operation(request: Any) -> dict:
        return {"processed": True}

    check_rate_limiting(TestClient(api), "/api/data")


# --- Skip Middleware ------------------------------------------------------------------------


def test_skip_middleware_example_as_a_class() -> None:
    api = BoltAPI()
    freeze_clock(api)

    class APIViewSet(ViewSet):
        @skip_middleware("rate_limit")
        @rate_limit(rps=1, burst=1)  # what is skipped, to show it is gone
        async def get(self, request: Any) -> dict:
            """Skip rate limiting for this endpoint."""
            return {"data": "unlimited"}

    api.view("/api/data", APIViewSet)
    client = TestClient(api)
    assert statuses(client, "GET", "/api/data", 10) == [200] * 10
    assert client.get("/api/data").json() == {"data": "unlimited"}


def test_skip_middleware_example_as_written_and_as_function() -> None:
    api = BoltAPI(plugins=["cors", "ratelimit"])
    freeze_clock(api)

    @api.get("/api/data")
    @skip_middleware("rate_limit")
    async def get(request: Any) -> dict:
        return {"data": "unlimited"}

    client = TestClient(api)
    assert statuses(client, "GET", "/api/data", 10) == [200] * 10
    assert client.get("/api/data").json() == {"data": "unlimited"}


# --- Multiple Middleware --------------------------------------------------------------------


def check_multiple(client: TestClient, data_path: str) -> None:
    got = [client.get(data_path, headers={"Origin": LOCAL}) for _ in range(51)]
    assert [r.status_code for r in got] == [200] * 50 + [429]  # rps=50: burst 50
    assert got[0].json() == {"data": "protected"}
    assert all(r.headers["access-control-allow-origin"] == LOCAL for r in got)
    got = [client.post("/api/action", headers={"Origin": "https://x.example"}) for _ in range(11)]
    assert [r.status_code for r in got] == [200] * 10 + [429]
    assert got[0].json() == {"action": "completed"}
    assert all(r.headers["access-control-allow-origin"] == "*" for r in got)


def test_multiple_middleware_example_as_a_class() -> None:
    api = BoltAPI()
    freeze_clock(api)

    class APIViewSet(ViewSet):
        @cors(origins=["http://localhost:3000"])
        @rate_limit(rps=50)
        async def get(self, request: Any) -> dict:
            """Multiple middleware decorators."""
            return {"data": "protected"}

        @api.post("/api/action")
        @cors(origins=["*"])
        @rate_limit(rps=10)
        async def custom_action(self, request: Any) -> dict:
            """Custom action with multiple middleware."""
            return {"action": "completed"}

    api.view("/api/data", APIViewSet)
    check_multiple(TestClient(api), "/api/data")


def test_multiple_middleware_example_as_functions() -> None:
    api = BoltAPI(plugins=["cors", "ratelimit"])
    freeze_clock(api)

    @api.get("/api/data")
    @cors(origins=["http://localhost:3000"])
    @rate_limit(rps=50)
    async def get(request: Any) -> dict:
        return {"data": "protected"}

    @api.post("/api/action")
    @cors(origins=["*"])
    @rate_limit(rps=10)
    async def custom_action(request: Any) -> dict:
        return {"action": "completed"}

    check_multiple(TestClient(api), "/api/data")


# --- Combining Everything -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_combining_everything_middleware_parts() -> None:
    api = BoltAPI()
    freeze_clock(api)
    api.view("/articles", combining_everything(api))
    writer = User.objects.create_user("writer", password="pw-123456")
    publisher = User.objects.create_user("publisher", password="pw-123456")
    content_type, _ = ContentType.objects.get_or_create(app_label="articles", model="article")
    publisher.user_permissions.add(
        Permission.objects.create(codename="publish", name="Publish", content_type=content_type)
    )
    admin = User.objects.create_superuser("boss", password="pw-123456")

    def bearer(user: User) -> dict[str, str]:
        return {"Authorization": f"Bearer {create_jwt_for_user(user)}"}

    client = TestClient(api)
    # get: authenticated, rate limited (rps=100 -> burst 100), 404 past 1000.
    r = client.get("/articles", params={"article_id": 7}, headers=bearer(writer))
    assert r.status_code == 200
    assert r.json()["author_id"] == writer.id
    assert r.headers["ratelimit-limit"] == "100"
    assert client.get("/articles", params={"article_id": 7}).status_code == 401
    r = client.get("/articles", params={"article_id": 1001}, headers=bearer(writer))
    assert r.status_code == 404

    # post: CORS for any origin, also on its 401; rate limited at 50.
    body = {"title": "T", "content": "C", "tags": ["x"]}
    r = client.post("/articles", json=body, headers={**bearer(writer), "Origin": "https://a.b"})
    assert r.status_code == 200
    assert r.json() == {
        "id": 123,
        "title": "T",
        "content": "C",
        "author_id": writer.id,
        "tags": ["x"],
    }
    assert r.headers["access-control-allow-origin"] == "*"
    r = client.post("/articles", json=body, headers={"Origin": "https://a.b"})
    assert r.status_code == 401
    assert r.headers["access-control-allow-origin"] == "*"
    pre = {"Origin": "https://a.b", "Access-Control-Request-Method": "POST"}
    r = client.options(
        "/articles", headers={**pre, "Access-Control-Request-Headers": "authorization"}
    )
    assert r.status_code == 204  # preflight answered without a token
    # Two requests counted so far: the 401 one too (IsAuthenticated refuses it in the guard
    # phase, after the rate limit); the preflight was not.
    got = [
        client.post("/articles", json=body, headers=bearer(writer)).status_code for _ in range(50)
    ]
    assert got == [200] * 48 + [429] * 2

    # publish: permission guard, then the handler's admin check; rate limit 10.
    assert client.post("/articles/5/publish", headers=bearer(writer)).status_code == 403
    r = client.post("/articles/5/publish", headers=bearer(publisher))
    assert r.status_code == 403
    assert r.json() == {"detail": "Only admins can publish articles"}
    r = client.post("/articles/5/publish", headers=bearer(admin))
    assert r.json() == {"id": 5, "published": True, "published_by": admin.id}

    # export: streaming, rate limited at 5 per second.
    r = client.get("/articles/9/export", headers=bearer(writer))
    assert r.status_code == 200
    assert r.text == "# Article 9\n\nContent goes here...\n"
    assert r.headers["content-disposition"] == "attachment; filename=article-9.md"
    got = [client.get("/articles/9/export", headers=bearer(writer)).status_code for _ in range(5)]
    assert got == [200] * 4 + [429]
