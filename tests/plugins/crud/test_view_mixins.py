"""The guide's mixin method mapping under ``api.view()``: ListMixin -> GET without path
parameters, RetrieveMixin -> GET with them, CreateMixin -> POST, UpdateMixin -> PUT/PATCH,
DestroyMixin -> DELETE."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from bolt import APIView, BoltAPI
from bolt.exceptions import ImproperlyConfigured
from bolt.testing import TestClient
from bolt_plugins.crud import (
    CreateMixin,
    DestroyMixin,
    ListMixin,
    RetrieveMixin,
    UpdateMixin,
)
from tests.testapp.models import Article

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class ArticleSchema(msgspec.Struct):
    id: int
    title: str
    status: str = "draft"


class ArticleList(ListMixin, CreateMixin, APIView):
    queryset = Article.objects.order_by("id")
    serializer_class = ArticleSchema


class ArticleDetail(RetrieveMixin, UpdateMixin, DestroyMixin, APIView):
    queryset = Article.objects.all()
    serializer_class = ArticleSchema


@pytest.fixture
def client() -> TestClient:
    api = BoltAPI()
    api.view("/articles", ArticleList)
    api.view("/articles/{pk}", ArticleDetail)
    return TestClient(api)


def test_list_and_create(client: TestClient) -> None:
    created = client.post("/articles", json={"title": "one"})
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json() == {"id": pk, "title": "one", "status": "draft"}
    assert client.get("/articles").json() == [{"id": pk, "title": "one", "status": "draft"}]
    refused = client.post("/articles", json={"title": 5})
    assert refused.status_code == 422


def test_retrieve_update_partial_destroy(client: TestClient) -> None:
    pk = Article.objects.create(title="t").pk
    assert client.get(f"/articles/{pk}").json() == {"id": pk, "title": "t", "status": "draft"}
    assert client.get("/articles/abc").status_code == 422
    assert client.get("/articles/999999").status_code == 404
    put = client.put(f"/articles/{pk}", json={"title": "u", "status": "live"})
    assert put.json() == {"id": pk, "title": "u", "status": "live"}
    patch = client.patch(f"/articles/{pk}", json={"title": "v"})
    assert patch.status_code == 200
    assert patch.json() == {"id": pk, "title": "v", "status": "live"}
    assert client.delete(f"/articles/{pk}").json() == {"deleted": True}
    assert not Article.objects.filter(pk=pk).exists()
    assert client.post(f"/articles/{pk}").status_code == 405


def test_own_handler_wins_over_the_mixin() -> None:
    class Custom(ListMixin, APIView):
        queryset = Article.objects.all()

        async def get(self, request: Any) -> dict[str, str]:
            return {"own": "handler"}

    api = BoltAPI()
    api.view("/custom", Custom)
    assert TestClient(api).get("/custom").json() == {"own": "handler"}


def test_detail_mixins_need_a_path_parameter() -> None:
    api = BoltAPI()
    with pytest.raises(ImproperlyConfigured, match="path parameter"):
        api.view("/articles", ArticleDetail)
