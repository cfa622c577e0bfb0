"""ORM exceptions → HTTP answers (hook ``bolt_exception_handlers``), through HTTP."""

from __future__ import annotations

import decimal

import pytest
from django.db import connections, transaction

from bolt import BoltAPI
from bolt.testing import TestClient
from tests.testapp.models import Category, Product

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


def make_api() -> BoltAPI:
    api = BoltAPI()

    @api.post("/categories", status_code=201)
    def create_category(data: dict) -> dict:
        with transaction.atomic():
            cat = Category.objects.create(name=data["name"])
        return {"id": cat.pk}

    @api.post("/products", status_code=201)
    def create_product(data: dict) -> dict:
        with transaction.atomic():
            item = Product.objects.create(
                name=data["name"], price=decimal.Decimal("1"), category_id=data["category"]
            )
        return {"id": item.pk}

    @api.get("/categories/{pk}")
    async def get_category(pk: int) -> dict:
        cat = await Category.objects.aget(pk=pk)
        return {"id": cat.pk}

    @api.get("/count")
    def count() -> dict:
        return {"n": Category.objects.count()}

    return api


def test_hook_bolt_exception_handlers() -> None:
    """DoesNotExist → 404 naming the model, never a 500."""
    response = TestClient(make_api()).get("/categories/12345")
    assert response.status_code == 404
    assert response.json() == {"detail": "Category not found"}


def test_duplicate_unique_value_is_409_naming_the_field() -> None:
    client = TestClient(make_api())
    assert client.post("/categories", json={"name": "books"}).status_code == 201
    response = client.post("/categories", json={"name": "books"})
    assert response.status_code == 409
    body = response.json()
    assert body["fields"] == ["name"]
    assert "name" in body["detail"]
    assert "UNIQUE" not in response.text
    assert "duplicate key" not in response.text
    assert "INSERT" not in response.text
    assert "testapp_" not in response.text
    assert Category.objects.count() == 1


def test_foreign_key_to_missing_row_is_422_and_nothing_written() -> None:
    client = TestClient(make_api())
    response = client.post("/products", json={"name": "ghost", "category": 99999})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["type"] == "foreign_key"
    assert "testapp_" not in response.text
    assert Product.objects.count() == 0


def test_operational_error_is_503_with_retry_after_and_no_dsn(monkeypatch) -> None:
    """The database is unreachable (a path that cannot be opened, or a server that refuses
    connections): 503, ``Retry-After``, nothing about the connection in the body. When the
    settings are back, the same app answers again without a restart."""
    client = TestClient(make_api())
    assert client.get("/count").json() == {"n": 0}
    settings = connections.settings["default"]
    vendor = connections["default"].vendor
    if vendor == "sqlite":
        bad = {"NAME": "/nonexistent-dir/secret-name.sqlite3"}
    else:
        bad = {"PORT": "1", "PASSWORD": "secret-password"}
    saved = {k: settings[k] for k in bad}
    try:
        for key, value in bad.items():
            monkeypatch.setitem(settings, key, value)
        response = client.get("/count")
        assert response.status_code == 503
        assert response.headers["retry-after"] == "2"
        assert response.json() == {"detail": "The database is unavailable; try again shortly."}
        assert "secret" not in response.text
        assert "nonexistent" not in response.text
    finally:
        settings.update(saved)
    assert client.get("/count").json() == {"n": 0}
