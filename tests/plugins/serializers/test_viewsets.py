"""Serializers chosen per request and per action by ``get_serializer_class()``, in
paginated lists, and their answers (subsets, computed fields, write-only fields)."""

from __future__ import annotations

import decimal
from typing import Any

import pytest

from bolt import BoltAPI
from bolt.pagination import PageNumberPagination
from bolt.serializers import Serializer, computed_field, field_validator
from bolt.serializers import ValidationError as SerializerError
from bolt.views import ModelViewSet
from tests.testapp.models import Category, Product

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class ProductSerializer(Serializer):
    @computed_field
    def label(self) -> str:
        return f"{self.name} at {self.price}"

    @field_validator("name")
    def title_case(cls, value: str) -> str:
        if not value[:1].isupper():
            raise SerializerError("Start with a capital letter.")
        return value

    class Meta:
        model = Product
        fields = ("id", "name", "price", "stock", "category", "secret_note")
        write_only_fields = ("secret_note",)
        field_sets = {"list": ("id", "name", "price", "label"), "public": ("id", "name", "price")}


class Paging(PageNumberPagination):
    page_size = 2


class Products(ModelViewSet):
    queryset = Product.objects.order_by("id")
    pagination_class = Paging

    def get_serializer_class(self, action: str | None = None) -> Any:
        if self.request.headers.get("x-role") == "staff":
            return ProductSerializer
        if action == "list":
            return ProductSerializer.subset("list")
        return ProductSerializer.subset("public")


@pytest.fixture
def api() -> BoltAPI:
    api = BoltAPI(plugins=["viewsets", "crud", "openapi"])
    api.viewset("/products")(Products)
    return api


STAFF = {"x-role": "staff"}


def test_list_page_uses_the_list_subset_with_computed_fields(api, client_for):
    books = Category.objects.create(name="books")
    for name in ("Dune", "Emma", "Go"):
        Product.objects.create(name=name, price=decimal.Decimal("2.50"), category=books)
    response = client_for(api).get("/products")
    assert response.status_code == 200
    page = response.json()
    assert page["results"] == [
        {"id": page["results"][0]["id"], "name": "Dune", "price": 2.5, "label": "Dune at 2.50"},
        {"id": page["results"][1]["id"], "name": "Emma", "price": 2.5, "label": "Emma at 2.50"},
    ]


def test_per_request_write_schema_refuses_fields_of_the_wider_one(api, client_for):
    client = client_for(api)
    body = {"name": "Dune", "price": "9.90", "secret_note": "cost 2"}
    refused = client.post("/products", json=body)
    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        {"loc": ["body", "secret_note"], "msg": "Unknown field", "type": "extra_forbidden"}
    ]
    created = client.post("/products", json=body, headers=STAFF)
    assert created.status_code == 201, created.text
    answer = created.json()
    assert "secret_note" not in answer  # write-only: stored, never shown
    assert answer["label"] == "Dune at 9.90"
    assert Product.objects.get().secret_note == "cost 2"


def test_every_error_at_once_through_a_viewset(api, client_for):
    response = client_for(api).post(
        "/products", json={"name": "dune", "price": "1e9", "stock": "many"}, headers=STAFF
    )
    assert response.status_code == 422
    assert {e["loc"][1] for e in response.json()["detail"]} == {"name", "price", "stock"}
    assert not Product.objects.exists()


def test_patch_through_a_viewset_keeps_absent_fields(api, client_for):
    product = Product.objects.create(name="Dune", price=decimal.Decimal("9.90"), stock=4)
    client = client_for(api)
    response = client.patch(f"/products/{product.pk}", json={"stock": 5}, headers=STAFF)
    assert response.status_code == 200, response.text
    product.refresh_from_db()
    assert (product.name, product.stock, product.price) == ("Dune", 5, decimal.Decimal("9.90"))
    response = client.patch(f"/products/{product.pk}", json={"name": "dune"}, headers=STAFF)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]
