"""``@paginate(...)`` on function routes, absolute ``next``/``previous`` URLs and custom
envelopes, through HTTP."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import msgspec
import pytest
from django.db.models import QuerySet

from bolt import BoltAPI, Request, paginate
from bolt.exceptions import ImproperlyConfigured
from bolt.pagination import (
    CursorPagination,
    LimitOffsetPagination,
    Page,
    PageNumberPagination,
)
from bolt.pagination import paginate as paginate_too
from bolt.testing import TestClient
from tests.testapp.models import Article

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class Mini(msgspec.Struct):
    id: int
    title: str


class Pages(PageNumberPagination):
    page_size = 2
    max_page_size = 3


class AbsolutePages(Pages):
    absolute_urls = True


class Limits(LimitOffsetPagination):
    default_limit = 2
    max_limit = 3
    absolute_urls = True


class Cursors(CursorPagination):
    page_size = 2
    ordering = "pk"


@pytest.fixture
def five() -> list[int]:
    return [Article.objects.create(title=f"a{i}").pk for i in range(5)]


def titles(body: dict[str, Any]) -> list[str]:
    return [row["title"] for row in body["results"]]


def test_both_import_paths_name_one_decorator() -> None:
    assert paginate is paginate_too
    from bolt_plugins.crud.pagination import PagedEndpoint

    @paginate(Pages)
    async def handler() -> QuerySet:
        return Article.objects.all()

    assert isinstance(handler.__bolt_paginated__, PagedEndpoint)


def test_queryset_route_without_annotation(five: list[int]) -> None:
    api = BoltAPI()
    seen: list[str] = []

    @api.get("/articles")
    @paginate(Pages)
    async def articles() -> QuerySet:
        seen.append(threading.current_thread().name)
        return Article.objects.order_by("id")

    client = TestClient(api)
    body = client.get("/articles?page=2").json()
    assert body["count"] == 5
    assert body["page"] == 2
    assert body["total_pages"] == 3
    assert (body["next"], body["previous"]) == (3, 1)
    # the model's own schema: every column, no surprises
    assert body["results"][0]["id"] == five[2]
    assert body["results"][0]["title"] == "a2"
    assert "content" in body["results"][0]


def test_item_schema_from_annotation_and_request_param(five: list[int]) -> None:
    api = BoltAPI()

    @api.get("/articles")
    @paginate(Pages)
    async def articles(request: Request, prefix: str = "a") -> list[Mini]:
        assert request.method == "GET"
        return Article.objects.filter(title__startswith=prefix).order_by("-id")

    client = TestClient(api)
    body = client.get("/articles?page_size=3&prefix=a").json()
    assert body["results"] == [
        {"id": five[4], "title": "a4"},
        {"id": five[3], "title": "a3"},
        {"id": five[2], "title": "a2"},
    ]


def test_sync_handler_and_plain_list() -> None:
    api = BoltAPI()

    @api.get("/numbers")
    @paginate(LimitOffsetPagination)
    def numbers() -> list[int]:
        return list(range(10))

    @api.get("/dicts")
    @paginate(Pages)
    async def dicts() -> list[dict[str, int]]:
        return [{"n": n} for n in range(5)]

    client = TestClient(api)
    body = client.get("/numbers?limit=3&offset=4").json()
    assert body["results"] == [4, 5, 6]
    assert body["count"] == 10
    assert client.get("/dicts?page=3").json()["results"] == [{"n": 4}]


@pytest.mark.parametrize(
    ("query", "status"),
    [("page=0", 422), ("page=x", 422), ("page_size=4", 422), ("page=1&page=2", 422)],
)
def test_bad_page_values_are_json_errors(five: list[int], query: str, status: int) -> None:
    api = BoltAPI()

    @api.get("/articles")
    @paginate(Pages)
    async def articles() -> QuerySet:
        return Article.objects.all()

    response = TestClient(api).get(f"/articles?{query}")
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["detail"][0]["loc"][0] == "query"


def test_bad_limit_and_cursor(five: list[int]) -> None:
    api = BoltAPI()

    @api.get("/limits")
    @paginate(Limits)
    async def limits() -> QuerySet:
        return Article.objects.all()

    @api.get("/cursors")
    @paginate(Cursors)
    async def cursors() -> QuerySet:
        return Article.objects.all()

    client = TestClient(api)
    assert client.get("/limits?limit=99").status_code == 422
    bad = client.get("/cursors?cursor=garbage")
    assert bad.status_code == 400
    assert bad.json() == {"detail": "Invalid pagination cursor"}


def test_cursor_pages_on_a_function_route(five: list[int]) -> None:
    api = BoltAPI()

    @api.get("/articles")
    @paginate(Cursors)
    async def articles() -> list[Mini]:
        return Article.objects.all()

    client = TestClient(api)
    first = client.get("/articles").json()
    assert titles(first) == ["a0", "a1"]
    second = client.get("/articles", params={"cursor": first["next"]}).json()
    assert titles(second) == ["a2", "a3"]


def test_paginator_parameters_are_documented(five: list[int]) -> None:
    api = BoltAPI()

    @api.get("/articles")
    @paginate(Pages)
    async def articles(q: str = "") -> list[Mini]:
        return Article.objects.all()

    schema = TestClient(api).get("/openapi.json").json()
    operation = schema["paths"]["/articles"]["get"]
    names = {p["name"]: p["schema"]["type"] for p in operation["parameters"]}
    assert names == {"q": "string", "page": "integer", "page_size": "integer"}
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer["properties"]["results"]["items"] == {"$ref": "#/components/schemas/Mini"}
    assert answer["properties"]["next"] == {"type": ["integer", "null"]}
    assert "422" in operation["responses"]


def test_absolute_urls_keep_other_query_parameters(five: list[int]) -> None:
    api = BoltAPI(prefix="/api")

    @api.get("/authors/{name}/articles")
    @paginate(AbsolutePages)
    async def articles(name: str, q: str = "") -> list[Mini]:
        return Article.objects.order_by("id")

    client = TestClient(api)
    body = client.get("/api/authors/Jo%20Ann/articles?q=x%26y&page=2").json()
    base = "http://testserver/api/authors/Jo%20Ann/articles"
    assert body["next"] == f"{base}?q=x%26y&page=3"
    assert body["previous"] == f"{base}?q=x%26y&page=1"
    last = client.get("/api/authors/jo/articles?page=3").json()
    assert last["next"] is None


def test_absolute_limit_offset_urls(five: list[int]) -> None:
    api = BoltAPI()

    @api.get("/articles")
    @paginate(Limits)
    async def articles() -> list[Mini]:
        return Article.objects.order_by("id")

    body = TestClient(api).get("/articles?offset=1").json()
    assert body["next"] == "http://testserver/articles?limit=2&offset=3"
    assert body["previous"] == "http://testserver/articles?limit=2&offset=0"


def test_spoofed_forwarded_host_is_ignored(five: list[int]) -> None:
    api = BoltAPI()

    @api.get("/articles")
    @paginate(AbsolutePages)
    async def articles() -> list[Mini]:
        return Article.objects.all()

    client = TestClient(api)
    body = client.get(
        "/articles", headers={"x-forwarded-host": "evil.example", "x-forwarded-proto": "https"}
    ).json()
    assert body["next"] == "http://testserver/articles?page=2"
    refused = client.get("/articles", headers={"host": "evil.example"})
    assert refused.status_code == 400


def test_forwarded_host_only_when_trusted_and_allowed(five: list[int], settings: Any) -> None:
    settings.USE_X_FORWARDED_HOST = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    api = BoltAPI()

    @api.get("/articles")
    @paginate(AbsolutePages)
    async def articles() -> list[Mini]:
        return Article.objects.all()

    client = TestClient(api)
    body = client.get(
        "/articles", headers={"x-forwarded-host": "localhost", "x-forwarded-proto": "https"}
    ).json()
    assert body["next"] == "https://localhost/articles?page=2"
    evil = client.get("/articles", headers={"x-forwarded-host": "evil.example"})
    assert evil.status_code == 400
    assert evil.json() == {"detail": "Invalid host"}


def test_custom_envelope_by_overriding_one_method(five: list[int]) -> None:
    class Compact(Pages):
        def envelope(self, page: Page) -> Any:
            return {"items": page.results, "total": page.count, "more": page.next is not None}

    api = BoltAPI()

    @api.get("/articles")
    @paginate(Compact)
    async def articles() -> list[Mini]:
        return Article.objects.order_by("id")

    body = TestClient(api).get("/articles").json()
    assert body == {
        "items": [{"id": five[0], "title": "a0"}, {"id": five[1], "title": "a1"}],
        "total": 5,
        "more": True,
    }


def test_drf_style_override_is_refused_at_class_creation() -> None:
    with pytest.raises(ImproperlyConfigured, match="envelope"):

        class Drf(PageNumberPagination):
            def get_paginated_response(self, data: Any) -> Any:
                return data


def test_absolute_urls_on_a_viewset(five: list[int]) -> None:
    from bolt import ModelViewSet

    class ArticleViewSet(ModelViewSet):
        queryset = Article.objects.order_by("id")
        serializer_class = Mini
        pagination_class = AbsolutePages

    api = BoltAPI()
    api.viewset("/articles", ArticleViewSet)
    body = TestClient(api).get("/articles?page=2").json()
    assert body["next"] == "http://testserver/articles?page=3"


def test_misplaced_decorator_is_refused_at_startup() -> None:
    api = BoltAPI()

    @paginate(Pages)
    @api.get("/articles")
    async def articles() -> QuerySet:
        return Article.objects.all()

    with pytest.raises(ImproperlyConfigured, match="below"):
        api.compile()


def test_clashing_parameter_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="page"):

        @paginate(Pages)
        async def articles(page: int = 1) -> QuerySet:
            return Article.objects.all()


def test_queryset_is_evaluated_off_the_event_loop(five: list[int]) -> None:
    api = BoltAPI()

    @api.get("/articles")
    @paginate(Pages)
    async def articles() -> QuerySet:
        # evaluating here would raise SynchronousOnlyOperation (a 500)
        asyncio.get_running_loop()
        return Article.objects.all()

    response = TestClient(api).get("/articles")
    assert response.status_code == 200
    assert response.json()["count"] == 5


def test_importing_bolt_does_not_import_the_crud_plugin() -> None:
    import subprocess
    import sys

    code = (
        "import sys, bolt, bolt.pagination; "
        "assert 'bolt_plugins.crud' not in sys.modules, 'crud imported'; "
        "from bolt import paginate; assert 'bolt_plugins.crud' in sys.modules; "
        "assert paginate is sys.modules['bolt_plugins.crud.pagination'].paginate"
    )
    env = {"DJANGO_SETTINGS_MODULE": "tests.settings", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_any_host_allowed_still_refuses_a_host_that_is_not_one(
    five: list[int], settings: Any
) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    api = BoltAPI()

    @api.get("/articles")
    @paginate(AbsolutePages)
    async def articles() -> list[Mini]:
        return Article.objects.all()

    client = TestClient(api)
    ok = client.get("/articles", headers={"host": "api.example:8443"})
    assert ok.json()["next"] == "http://api.example:8443/articles?page=2"
    bad = client.get("/articles", headers={"host": "evil.example/phish?x="})
    assert bad.status_code == 400
    assert bad.json() == {"detail": "Invalid host"}
