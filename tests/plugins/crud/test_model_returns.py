"""Function routes returning model instances and querysets: answered with the model's own
schema (or the declared one), or refused at startup; never a 500 per request."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from django.db.models import QuerySet

from bolt import BoltAPI
from bolt.exceptions import ImproperlyConfigured
from bolt.testing import TestClient
from tests.testapp.models import Article

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class Mini(msgspec.Struct):
    id: int
    title: str


@pytest.fixture
def two() -> list[int]:
    return [Article.objects.create(title=f"a{i}").pk for i in range(2)]


def _client() -> TestClient:
    api = BoltAPI()

    @api.get("/bare/list")
    async def bare_list():  # type: ignore[no-untyped-def]
        return Article.objects.order_by("id")

    @api.get("/bare/one")
    async def bare_one():  # type: ignore[no-untyped-def]
        return await Article.objects.order_by("id").afirst()

    @api.get("/bare/sync")
    def bare_sync():  # type: ignore[no-untyped-def]
        return list(Article.objects.order_by("id"))

    @api.get("/bare/dict")
    async def bare_dict():  # type: ignore[no-untyped-def]
        return {"plain": True}

    @api.get("/model")
    async def model() -> Article:
        return await Article.objects.order_by("id").afirst()  # type: ignore[return-value]

    @api.get("/model-list")
    async def model_list() -> list[Article]:
        return Article.objects.order_by("id")  # type: ignore[return-value]

    @api.get("/model-list-sync")
    def model_list_sync() -> list[Article]:
        return list(Article.objects.order_by("id"))

    @api.get("/queryset")
    async def queryset() -> QuerySet:
        return Article.objects.order_by("id")

    @api.get("/queryset-of")
    async def queryset_of() -> QuerySet[Article]:
        return Article.objects.order_by("id")

    @api.get("/any")
    async def any_value() -> Any:
        return Article.objects.order_by("id")

    @api.get("/schema")
    async def schema() -> list[Mini]:
        return Article.objects.order_by("id")  # type: ignore[return-value]

    @api.get("/response-model", response_model=Article)
    async def response_model() -> Any:
        return await Article.objects.order_by("id").afirst()

    return TestClient(api)


@pytest.mark.parametrize(
    "path",
    [
        "/bare/list",
        "/bare/sync",
        "/model-list",
        "/model-list-sync",
        "/queryset",
        "/queryset-of",
        "/any",
    ],
)
def test_lists_of_models(two: list[int], path: str) -> None:
    response = _client().get(path)
    assert response.status_code == 200, response.text
    rows = response.json()
    assert [(r["id"], r["title"]) for r in rows] == [(two[0], "a0"), (two[1], "a1")]
    assert set(rows[0]) >= {"id", "title", "status", "created_at"}


@pytest.mark.parametrize("path", ["/bare/one", "/model", "/response-model"])
def test_single_models(two: list[int], path: str) -> None:
    response = _client().get(path)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == two[0]
    assert response.json()["title"] == "a0"


def test_declared_schema_and_plain_values(two: list[int]) -> None:
    client = _client()
    assert client.get("/schema").json() == [
        {"id": two[0], "title": "a0"},
        {"id": two[1], "title": "a1"},
    ]
    assert client.get("/bare/dict").json() == {"plain": True}


def test_a_missing_instance_is_no_content(two: list[int]) -> None:
    api = BoltAPI()

    @api.get("/none")
    async def none() -> Article | None:
        return await Article.objects.filter(title="nope").afirst()

    response = TestClient(api).get("/none")
    assert (response.status_code, response.content) == (204, b"")


@pytest.mark.parametrize("annotation", [dict[str, Article], tuple[Article, int], set[Article]])
def test_shapes_that_cannot_be_encoded_are_refused_at_startup(annotation: Any) -> None:
    api = BoltAPI()

    async def handler() -> Any:
        return {}

    handler.__annotations__["return"] = annotation
    api.get("/x")(handler)
    with pytest.raises(ImproperlyConfigured, match="response_model"):
        api.compile()
