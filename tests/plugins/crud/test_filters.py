"""Declarative ``filterset_fields``/``search_fields``/``ordering_fields`` with whitelists
(hook ``bolt_route_compiled`` checks them against the model)."""

from __future__ import annotations

import decimal

import msgspec
import pytest

from bolt import BoltAPI, ModelViewSet
from bolt.exceptions import ImproperlyConfigured
from bolt.pagination import PageNumberPagination
from bolt.testing import TestClient
from tests.testapp.models import Category, Product

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class Row(msgspec.Struct):
    name: str
    stock: int


class ProductViewSet(ModelViewSet):
    queryset = Product.objects.all()
    serializer_class = Row
    filterset_fields = {"category": ["exact"], "stock": ["gte", "lte"], "is_featured": ["exact"]}
    search_fields = ["name", "category__name"]
    ordering_fields = ["name", "stock"]
    ordering = "name"
    pagination_class = PageNumberPagination


@pytest.fixture
def client() -> TestClient:
    api = BoltAPI()
    api.viewset("/products")(ProductViewSet)
    return TestClient(api)


@pytest.fixture
def rows() -> dict[str, int]:
    books = Category.objects.create(name="books")
    games = Category.objects.create(name="games")
    for name, stock, cat, featured in [
        ("Dune", 5, books, True),
        ("Emma", 1, books, False),
        ("Go", 9, games, False),
        ("Chess", 3, games, True),
    ]:
        Product.objects.create(
            name=name, stock=stock, category=cat, price=decimal.Decimal(1), is_featured=featured
        )
    return {"books": books.pk, "games": games.pk}


def names(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [r["name"] for r in response.json()["results"]]


def test_hook_bolt_route_compiled(rows: dict[str, int], client: TestClient) -> None:
    """Declared filters, search, ordering and the default order work together."""
    assert names(client.get("/products")) == ["Chess", "Dune", "Emma", "Go"]
    assert names(client.get(f"/products?category={rows['books']}")) == ["Dune", "Emma"]
    assert names(client.get("/products?stock__gte=3&stock__lte=5")) == ["Chess", "Dune"]
    assert names(client.get("/products?is_featured=true")) == ["Chess", "Dune"]
    assert names(client.get("/products?search=GAMES")) == ["Chess", "Go"]
    assert names(client.get("/products?search=du books")) == ["Dune"]
    assert names(client.get("/products?ordering=-stock,name")) == ["Go", "Dune", "Chess", "Emma"]
    assert names(client.get("/products?ordering=-stock&page_size=1&page=2")) == ["Dune"]


@pytest.mark.parametrize(
    "query",
    [
        "ordering=secret_note",
        "ordering=password",
        "ordering=category__name",
        "ordering=name,-price",
        "secret_note=x",
        "price=1",
        "stock=5",
        "name__startswith=D",
    ],
)
def test_undeclared_ordering_or_filter_is_400(
    rows: dict[str, int], client: TestClient, query: str
) -> None:
    response = client.get(f"/products?{query}")
    assert response.status_code == 400
    assert "detail" in response.json()
    assert "SELECT" not in response.text


@pytest.mark.parametrize("query", ["stock__gte=abc", "category=x", "is_featured=maybe"])
def test_unparseable_filter_value_is_422(rows: dict[str, int], client: TestClient, query: str):
    response = client.get(f"/products?{query}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", query.split("=")[0]]


def test_ordering_is_refused_without_ordering_fields(rows: dict[str, int]) -> None:
    class Plain(ModelViewSet):
        queryset = Product.objects.all()
        serializer_class = Row

    api = BoltAPI()
    api.viewset("/plain")(Plain)
    client = TestClient(api)
    assert client.get("/plain?ordering=secret_note").status_code == 400
    assert len(client.get("/plain?whatever=1").json()) == 4  # no filterset: not strict


def test_whitelist_naming_a_missing_field_fails_at_startup() -> None:
    class Broken(ModelViewSet):
        queryset = Product.objects.all()
        serializer_class = Row
        ordering_fields = ["nope"]

    api = BoltAPI()
    api.viewset("/broken")(Broken)
    with pytest.raises(ImproperlyConfigured, match="nope"):
        api.compile()
