"""One table of Django field → Python type, shared by Serializers and the CRUD plugin's
model-derived schemas (a ModelViewSet without a serializer): the stricter answer of the two
former copies holds on both paths, over HTTP and in the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models

from bolt import BoltAPI
from bolt.serializers import Serializer
from bolt.testing import TestClient
from bolt.views import ModelViewSet
from tests.testapp.models import Category, Product, Specimen

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]

BIGINT_MAX = 2**63 - 1  # the test project's DEFAULT_AUTO_FIELD is BigAutoField


class Specimens(ModelViewSet):
    queryset = Specimen.objects.order_by("id")


class Products(ModelViewSet):
    queryset = Product.objects.order_by("id")


@pytest.fixture
def client() -> Any:
    api = BoltAPI(plugins=["viewsets", "crud", "openapi"])
    api.viewset("/specimens")(Specimens)
    api.viewset("/products")(Products)
    client = TestClient(api)
    yield client
    client.close()


def _schema(client: TestClient, name: str) -> dict[str, Any]:
    doc = client.get("/openapi.json").json()
    found: dict[str, Any] = doc["components"]["schemas"][name]
    return found


@pytest.mark.parametrize("value", [[], {}, 123, True])
def test_an_ip_address_field_takes_only_text(client, value) -> None:
    """``GenericIPAddressField`` is ``str`` in the model schema: an empty list or object
    used to pass (the model skips validators on blank values) and was stored."""
    response = client.post("/specimens", json={"name": "x", "address": value})
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "address"]]
    assert not Specimen.objects.exists()


def test_an_ip_address_is_stored_and_answered_as_text(client) -> None:
    response = client.post("/specimens", json={"name": "x", "address": "192.0.2.1"})
    assert response.status_code == 201, response.text
    assert response.json()["address"] == "192.0.2.1"
    assert client.get("/specimens").json()[0]["address"] == "192.0.2.1"


def test_the_document_types_an_ip_address_as_text(client) -> None:
    for name in ("SpecimenSchema", "SpecimenSchemaWrite", "SpecimenSchemaPatch"):
        assert _schema(client, name)["properties"]["address"]["anyOf"] == [
            {"type": "string"},
            {"type": "null"},
        ], name


def test_a_foreign_key_id_is_limited_to_the_target_keys_range(client) -> None:
    """A foreign key written as an id holds its target primary key's column range, as a
    Serializer's does: a body is refused before any query is built from it."""
    books = Category.objects.create(name="books")
    for value in (BIGINT_MAX + 1, -BIGINT_MAX - 2, 2**70):
        response = client.post(
            "/products", json={"name": f"p{value}", "price": "1.00", "category": value}
        )
        assert response.status_code == 422, response.text
        (error,) = response.json()["detail"]
        assert error["loc"] == ["body", "category"]
        assert str(BIGINT_MAX) in error["msg"] or str(-BIGINT_MAX - 1) in error["msg"]
    response = client.post("/products", json={"name": "ok", "price": "1.00", "category": books.pk})
    assert response.status_code == 201, response.text
    assert response.json()["category"] == books.pk
    assert not Product.objects.exclude(name="ok").exists()
    write = _schema(client, "ProductSchemaWrite")["properties"]["category"]["anyOf"][0]
    assert (write["minimum"], write["maximum"]) == (-BIGINT_MAX - 1, BIGINT_MAX)


class Upload(models.Model):
    """A model no migration creates (its app is not installed): only its fields are used."""

    path = models.FilePathField(path="/srv/uploads")

    class Meta:
        app_label = "field_types_probe"


class UploadIn(Serializer):
    class Meta:
        model = Upload
        fields = ["path"]


def test_a_file_path_field_is_text_in_a_serializer() -> None:
    """``FilePathField`` is not a ``CharField``; it stores a path, so bodies hold text."""
    api = BoltAPI(plugins=[])

    @api.post("/uploads")
    async def upload(data: UploadIn) -> dict[str, str]:
        return {"path": data.path}

    client = TestClient(api)
    try:
        refused = client.post("/uploads", json={"path": 5})
        assert refused.status_code == 422, refused.text
        assert [e["loc"] for e in refused.json()["detail"]] == [["body", "path"]]
        taken = client.post("/uploads", json={"path": "a.txt"})
        assert (taken.status_code, taken.json()) == (200, {"path": "a.txt"})
    finally:
        client.close()
