"""Lists whose rows must come from model instances, not from ``values()``: renamed
schemas, ``distinct()`` querysets, querysets the handler already evaluated and changed."""

from __future__ import annotations

import decimal

import msgspec
import pytest

from bolt import BoltAPI
from bolt.testing import TestClient
from bolt_plugins.crud.encoding import to_structs
from tests.plugins.crud.schemas import ProductOut
from tests.testapp.models import Product

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class ProductCamel(msgspec.Struct, rename="camel"):
    id: int
    name: str
    is_featured: bool


class StockOnly(msgspec.Struct):
    stock: int


def test_renamed_schema_list_is_served(catalog: dict) -> None:
    """A schema with ``rename="camel"`` (common for JS clients) lists correctly: its wire
    names are not column names, so it is read from instances."""
    api = BoltAPI()

    @api.get("/camel")
    async def camel() -> list[ProductCamel]:
        return Product.objects.order_by("name")

    r = TestClient(api).get("/camel")
    assert r.status_code == 200, r.text
    assert [p["name"] for p in r.json()] == ["Dune", "Emma", "Go"]
    assert r.json()[0]["isFeatured"] is False


def test_distinct_queryset_keeps_every_row(catalog: dict) -> None:
    """``.distinct()`` keeps rows that differ only in columns the schema does not read
    (Emma and Go both have stock 0)."""
    api = BoltAPI()

    @api.get("/stock")
    async def stock() -> list[StockOnly]:
        return Product.objects.distinct()

    r = TestClient(api).get("/stock")
    assert r.status_code == 200
    assert sorted(p["stock"] for p in r.json()) == [0, 0, 3]


def test_evaluated_queryset_keeps_in_memory_changes(catalog: dict) -> None:
    """A handler that evaluates the queryset and adjusts its instances, then returns it:
    the changed instances are what is sent."""
    api = BoltAPI()

    @api.get("/adjusted")
    async def adjusted() -> list[ProductOut]:
        products = Product.objects.order_by("name")
        async for product in products:
            product.price = product.price * 2
        return products

    r = TestClient(api).get("/adjusted")
    assert r.status_code == 200
    assert [p["price"] for p in r.json()] == [19.8, 9.0, 60.0]


def test_decimal_price_sanity(catalog: dict) -> None:
    # control: the plain list is unchanged
    api = BoltAPI()

    @api.get("/p")
    async def p() -> list[ProductOut]:
        return Product.objects.order_by("name")

    assert [x["price"] for x in TestClient(api).get("/p").json()] == [9.9, 4.5, 30.0]
    assert decimal.Decimal("9.90") == Product.objects.get(name="Dune").price


def test_models_that_load_their_own_way_keep_instances(
    catalog: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model overriding ``from_db`` (say, to fill a value computed on load) is read from
    instances, so what it does on load still shows."""
    original = Product.from_db.__func__  # type: ignore[attr-defined]

    def loud_from_db(cls, *args, **kwargs):  # type: ignore[no-untyped-def]
        instance = original(cls, *args, **kwargs)  # Django 6 passes fetch_mode too
        instance.name = instance.name.upper()
        return instance

    monkeypatch.setattr(Product, "from_db", classmethod(loud_from_db))

    class Names(msgspec.Struct):  # a schema of its own: plans are cached per schema
        id: int
        name: str

    rows = to_structs(Product.objects.order_by("name"), Names)
    assert [r.name for r in rows] == ["DUNE", "EMMA", "GO"]
