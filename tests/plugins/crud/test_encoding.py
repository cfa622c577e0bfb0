"""Model instances and querysets → Structs (hook ``bolt_response_encoder``), through HTTP."""

from __future__ import annotations

import datetime
import decimal

import msgspec
import pytest

from bolt import BoltAPI
from bolt.testing import TestClient
from bolt_plugins.crud.encoding import to_structs
from tests.plugins.crud.schemas import (
    CategoryWithProducts,
    ProductNested,
    ProductOut,
    ProductText,
)
from tests.testapp.models import Category, Product

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class UserMini(msgspec.Struct):
    id: int
    username: str


class UserFull(msgspec.Struct):
    id: int
    username: str
    email: str
    is_active: bool


def make_api() -> BoltAPI:
    api = BoltAPI()

    @api.get("/products")
    async def products() -> list[ProductOut]:
        return Product.objects.order_by("name")

    @api.get("/products/{pk}")
    async def product(pk: int) -> ProductOut:
        return await Product.objects.aget(pk=pk)

    @api.get("/nested")
    async def nested() -> list[ProductNested]:
        return Product.objects.order_by("name")

    @api.get("/text/{pk}")
    async def text(pk: int) -> ProductText:
        return await Product.objects.aget(pk=pk)

    @api.get("/categories")
    async def categories() -> list[CategoryWithProducts]:
        return Category.objects.order_by("name")

    @api.get("/plain")
    async def plain() -> list[ProductOut]:
        return [p async for p in Product.objects.order_by("name")]

    @api.get("/dicts")
    async def dicts() -> list[ProductNested]:
        return [{"id": 1, "name": "x", "category": None}]

    return api


def test_hook_bolt_response_encoder(catalog: dict) -> None:
    """A queryset returned for ``-> list[Schema]`` is evaluated and converted by name:
    decimals, UUIDs, dates and foreign keys as ids."""
    dune = catalog["products"][0]
    dune.released = datetime.date(1965, 8, 1)
    dune.save()
    client = TestClient(make_api())
    response = client.get("/products")
    assert response.status_code == 200
    body = response.json()
    assert [p["name"] for p in body] == ["Dune", "Emma", "Go"]
    first = body[0]
    assert first["price"] == 9.9
    assert first["sku"] == str(dune.sku)
    assert first["released"] == "1965-08-01"
    assert first["category"] == catalog["books"].pk
    assert set(first) == {"id", "name", "sku", "price", "stock", "released", "category"}


def test_single_instance_and_text_fields(catalog: dict) -> None:
    dune = catalog["products"][0]
    client = TestClient(make_api())
    assert client.get(f"/products/{dune.pk}").json()["name"] == "Dune"
    text = client.get(f"/text/{dune.pk}").json()
    assert text == {
        "name": "Dune",
        "sku": str(dune.sku),
        "price": "9.90",
        "released": None,
        "category_id": catalog["books"].pk,
    }


def test_missing_instance_is_404(catalog: dict) -> None:
    response = TestClient(make_api()).get("/products/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Product not found"}


def test_nested_structs_from_related_objects(catalog: dict) -> None:
    client = TestClient(make_api())
    body = client.get("/nested").json()
    assert body[0]["category"] == {"id": catalog["books"].pk, "name": "books"}
    cats = client.get("/categories").json()
    assert [c["name"] for c in cats] == ["books", "games"]
    assert [p["name"] for p in cats[0]["products"]] == ["Dune", "Emma"]


def test_list_of_instances_and_plain_values(catalog: dict) -> None:
    client = TestClient(make_api())
    assert [p["name"] for p in client.get("/plain").json()] == ["Dune", "Emma", "Go"]
    assert client.get("/dicts").json() == [{"id": 1, "name": "x", "category": None}]


def test_related_objects_are_fetched_with_the_list(
    catalog: dict, django_assert_num_queries
) -> None:
    """The schema names ``category`` as a nested Struct: one query, not one per row."""
    with django_assert_num_queries(1):
        rows = to_structs(Product.objects.all(), ProductNested)
    assert len(rows) == 3
    with django_assert_num_queries(2):  # categories + one prefetch of their products
        to_structs(Category.objects.all(), CategoryWithProducts)


def test_from_model_on_plain_structs_and_own_from_model_wins(catalog: dict) -> None:
    class Mini(msgspec.Struct):
        id: int
        name: str

    class Custom(msgspec.Struct):
        label: str

        @classmethod
        def from_model(cls, obj: Product) -> Custom:
            return cls(label=f"{obj.name}!")

    api = make_api()  # bolt_configure installs from_model
    assert api is not None
    dune = catalog["products"][0]
    assert Mini.from_model(dune) == Mini(id=dune.pk, name="Dune")
    assert Custom.from_model(dune) == Custom(label="Dune!")
    assert to_structs([dune], Custom) == [Custom(label="Dune!")]


def test_schema_field_missing_on_model_is_an_error(catalog: dict) -> None:
    class Wrong(msgspec.Struct):
        nonexistent: str

    with pytest.raises(TypeError, match="nonexistent"):
        to_structs(Product.objects.all(), Wrong)


def test_decimal_precision_is_kept_for_decimal_fields(catalog: dict) -> None:
    row = to_structs(Product.objects.filter(name="Dune"), ProductOut)[0]
    assert row.price == decimal.Decimal("9.90")


def test_viewset_handlers_returning_querysets_and_instances() -> None:
    """The guide's "Basic Custom Actions": a plain ViewSet whose handlers return querysets and
    instances, shaped by the return annotation or else the class's serializer."""
    from django.contrib.auth.models import User

    from bolt import ViewSet, action

    class UserViewSet(ViewSet):
        queryset = User.objects.all()
        serializer_class = UserFull

        async def list(self, request) -> list[UserMini]:
            return User.objects.order_by("id")[:100]

        async def retrieve(self, request, id: int) -> UserFull:
            return await User.objects.aget(id=id)

        @action(methods=["GET"], detail=False)
        async def active(self, request) -> list[UserMini]:
            return User.objects.filter(is_active=True).order_by("id")[:100]

        @action(methods=["GET"], detail=False, path="search")
        async def search_users(self, request, query: str):
            return User.objects.filter(username__icontains=query).order_by("id")[:10]

    ann = User.objects.create(username="ann", email="ann@example.com")
    User.objects.create(username="bob", is_active=False)
    api = BoltAPI()
    api.viewset("/users")(UserViewSet)
    client = TestClient(api)
    assert client.get("/users").json() == [
        {"id": ann.pk, "username": "ann"},
        {"id": ann.pk + 1, "username": "bob"},
    ]
    assert client.get(f"/users/{ann.pk}").json() == {
        "id": ann.pk,
        "username": "ann",
        "email": "ann@example.com",
        "is_active": True,
    }
    assert client.get("/users/active").json() == [{"id": ann.pk, "username": "ann"}]
    found = client.get("/users/search?query=an").json()
    assert found == [
        {"id": ann.pk, "username": "ann", "email": "ann@example.com", "is_active": True}
    ]
    assert client.get("/users/424242").status_code == 404


def test_column_schemas_are_read_without_model_instances(
    catalog: dict, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries
) -> None:
    """A schema of plain columns (foreign keys as ids) is read with ``values()``: one query,
    no model instance per row, and the same Structs the instance path builds."""
    from bolt_plugins.crud.encoding import to_struct

    expected = [to_struct(p, ProductOut) for p in Product.objects.order_by("name")]
    built: list[int] = []
    original = Product.from_db.__func__  # type: ignore[attr-defined]

    def counting_from_db(cls, *args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(1)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(Product, "from_db", classmethod(counting_from_db))
    with django_assert_num_queries(1):
        rows = to_structs(Product.objects.order_by("name"), ProductOut)
    assert rows == expected
    assert built == []
    # Schemas that need an instance (text forms of dates, nested relations) still get one.
    texts = to_structs(Product.objects.order_by("name"), ProductText)
    assert len(built) == len(texts) == 3
    assert texts[0].price == "9.90"
    assert texts[0].sku == str(catalog["products"][0].sku)


def test_custom_querysets_use_columns_unless_they_change_fetching(catalog: dict) -> None:
    from django.db import models as dj_models

    from bolt_plugins.crud.encoding import _values_plan

    class Filtering(dj_models.QuerySet):
        def cheap(self) -> Filtering:
            return self.filter(price__lt=10)

    class Rewriting(dj_models.QuerySet):
        def _fetch_all(self) -> None:
            super()._fetch_all()

    filtering = Filtering(model=Product).cheap().order_by("name")
    rewriting = Rewriting(model=Product).order_by("name")
    assert _values_plan(filtering, ProductOut) is not None
    assert _values_plan(rewriting, ProductOut) is None
    assert _values_plan(Product.objects.values("id"), ProductOut) is None
    assert _values_plan(Product.objects.prefetch_related("category"), ProductOut) is None
    assert [p.name for p in to_structs(filtering, ProductOut)] == ["Dune", "Emma"]
    assert [p.name for p in to_structs(rewriting, ProductOut)] == ["Dune", "Emma", "Go"]
