"""ORM faults on a ModelViewSet: conflicts, races, missing rows, a database that goes away."""

from __future__ import annotations

import asyncio
import decimal
import os
import shlex
import subprocess
import threading
import time
from typing import Any

import pytest
from django.db import connections

from bolt import BoltAPI, ModelViewSet
from bolt.testing import TestClient
from tests.plugins.crud.schemas import ProductIn, ProductOut, ProductUpdate
from tests.testapp.models import Category, Product

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class ProductViewSet(ModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductOut
    create_serializer_class = ProductIn
    update_serializer_class = ProductUpdate


def make_api() -> BoltAPI:
    api = BoltAPI()
    api.viewset("/products")(ProductViewSet)
    return api


@pytest.fixture
def client() -> TestClient:
    return TestClient(make_api())


def table_state() -> list[tuple]:
    return list(Product.objects.order_by("pk").values_list("pk", "name", "price", "stock"))


def test_duplicate_unique_value_is_409_and_changes_nothing(client: TestClient) -> None:
    assert client.post("/products", json={"name": "Dune", "price": "9.90"}).status_code == 201
    before = table_state()
    response = client.post("/products", json={"name": "Dune", "price": "1.00", "stock": 5})
    assert response.status_code == 409
    assert response.json()["fields"] == ["name"]
    assert "name" in response.json()["detail"]
    assert table_state() == before


def test_update_into_a_duplicate_is_409_and_rolls_back(client: TestClient) -> None:
    a = Product.objects.create(name="A", price=decimal.Decimal(1))
    Product.objects.create(name="B", price=decimal.Decimal(2))
    before = table_state()
    response = client.patch(f"/products/{a.pk}", json={"name": "B", "stock": 9})
    assert response.status_code == 409
    assert table_state() == before


def test_twenty_concurrent_creates_of_one_unique_value(client: TestClient) -> None:
    barrier = threading.Barrier(20)
    codes: list[int] = []
    lock = threading.Lock()

    def create() -> None:
        barrier.wait()
        response = client.post("/products", json={"name": "Same", "price": "1.00"})
        with lock:
            codes.append(response.status_code)

    threads = [threading.Thread(target=create) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(codes) == [201] + [409] * 19
    assert Product.objects.filter(name="Same").count() == 1


def test_foreign_key_to_a_missing_row_is_422_naming_the_field(client: TestClient) -> None:
    response = client.post("/products", json={"name": "X", "price": "1.00", "category": 4242})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "category"]
    assert Product.objects.count() == 0
    cat = Category.objects.create(name="ok")
    ok = client.post("/products", json={"name": "X", "price": "1.00", "category": cat.pk})
    assert ok.status_code == 201
    assert ok.json()["category"] == cat.pk


def test_patch_of_a_missing_object_is_404(client: TestClient) -> None:
    response = client.patch("/products/99999", json={"stock": 1})
    assert response.status_code == 404
    assert response.json() == {"detail": "Product not found"}
    assert Product.objects.count() == 0


def test_double_delete_is_200_then_404(client: TestClient) -> None:
    pk = Product.objects.create(name="A", price=decimal.Decimal(1)).pk
    first = client.delete(f"/products/{pk}")
    assert (first.status_code, first.json()) == (200, {"deleted": True})
    assert client.delete(f"/products/{pk}").status_code == 404


def test_out_of_range_integer_is_422_and_not_written(client: TestClient) -> None:
    pk = Product.objects.create(name="A", price=decimal.Decimal(1)).pk
    response = client.patch(f"/products/{pk}", json={"stock": 2**63})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "stock"]
    too_precise = client.patch(f"/products/{pk}", json={"price": "123456789.123"})
    assert too_precise.status_code == 422
    assert Product.objects.get(pk=pk).stock == 0


def test_database_down_is_503_and_recovers_without_restart(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection really fails (SQLite: a file that cannot be opened; PostgreSQL: a port
    nobody listens on): every action answers 503 with ``Retry-After`` and no connection
    details, no row changes, and the same app serves again once the database is back."""
    Product.objects.create(name="A", price=decimal.Decimal(1))
    settings = connections.settings["default"]
    if connections["default"].vendor == "sqlite":
        bad = {"NAME": "/nonexistent-dir/secret-name.sqlite3"}
    else:
        bad = {"PORT": "1", "PASSWORD": "secret-password"}
    saved = {k: settings[k] for k in bad}
    try:
        for key, value in bad.items():
            settings[key] = value
        for method, url, body in [
            ("GET", "/products", None),
            ("GET", "/products/1", None),
            ("POST", "/products", {"name": "B", "price": "1"}),
            ("DELETE", "/products/1", None),
        ]:
            response = client.request(method, url, json=body)
            assert response.status_code == 503, (method, url)
            assert int(response.headers["retry-after"]) >= 1
            assert "secret" not in response.text
            assert "nonexistent" not in response.text
            assert response.json()["detail"] == "The database is unavailable; try again shortly."
    finally:
        settings.update(saved)
    response = client.get("/products")
    assert response.status_code == 200
    assert [p["name"] for p in response.json()] == ["A"]


def test_failure_after_the_first_write_rolls_back_everything() -> None:
    class Failing(ProductViewSet):
        def perform_create(self, instance):
            instance.save()
            Category.objects.create(name="side effect")
            raise RuntimeError("boom after writing")

    api = BoltAPI()
    api.viewset("/products")(Failing)
    response = TestClient(api).post("/products", json={"name": "A", "price": "1"})
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error"}
    assert "boom" not in response.text
    assert Product.objects.count() == 0
    assert Category.objects.count() == 0


def test_async_hooks_run_inside_the_write_transaction() -> None:
    """``async def perform_*`` hooks use the async ORM; their queries join the transaction."""

    class Audited(ProductViewSet):
        async def perform_create(self, instance):
            await instance.asave()
            await Category.objects.acreate(name=f"audit {instance.name}")
            if instance.name == "bad":
                raise RuntimeError("refused")

    api = BoltAPI()
    api.viewset("/products")(Audited)
    client = TestClient(api)
    assert client.post("/products", json={"name": "good", "price": "1"}).status_code == 201
    assert client.post("/products", json={"name": "bad", "price": "1"}).status_code == 500
    assert list(Product.objects.values_list("name", flat=True)) == ["good"]
    assert list(Category.objects.values_list("name", flat=True)) == ["audit good"]


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("BOLT_TEST_PG_CTL"),
    reason="set BOLT_TEST_PG_CTL to a command that takes stop/start (e.g. 'pg_ctlcluster 15 main')",
)
def test_postgres_server_stopped_then_started(client: TestClient) -> None:
    """The real thing: the PostgreSQL server stops under a running app (503 with
    ``Retry-After``, nothing about the connection in the body) and starts again (the same
    app answers 200 without a restart)."""
    if connections["default"].vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    Product.objects.create(name="A", price=decimal.Decimal(1))
    assert client.get("/products").status_code == 200
    command = shlex.split(os.environ["BOLT_TEST_PG_CTL"])
    subprocess.run([*command, "stop", "-m", "fast"], check=True, timeout=60)
    try:
        for method, url in [("GET", "/products"), ("POST", "/products")]:
            response = client.request(method, url, json={"name": "B", "price": "1"})
            assert response.status_code == 503
            assert response.headers["retry-after"] == "2"
            assert "5432" not in response.text
            assert "postgres" not in response.text.lower()
    finally:
        subprocess.run([*command, "start"], check=True, timeout=60)
        connections.close_all()
    deadline = time.monotonic() + 30
    while True:
        response = client.get("/products")
        if response.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert response.status_code == 200
    assert [p["name"] for p in response.json()] == ["A"]


def test_update_of_a_row_deleted_meanwhile_is_404_and_not_recreated() -> None:
    """A row deleted by someone else between the fetch and the save: PUT/PATCH answer 404
    and never re-insert it (a plain ``save()`` would fall back to INSERT)."""
    from tests.testapp.models import Article

    class RacingViewSet(ModelViewSet):
        queryset = Article.objects.all()

        async def get_object(self, pk=None, **lookup):
            instance = await super().get_object(pk, **lookup)
            await Article.objects.filter(pk=instance.pk).adelete()  # a concurrent delete
            return instance

    api = BoltAPI()
    api.viewset("/racing")(RacingViewSet)
    client = TestClient(api)
    for method in ("PATCH", "PUT"):
        row = Article.objects.create(title="gone soon")
        response = client.request(method, f"/racing/{row.pk}", json={"title": "back?"})
        assert (response.status_code, response.json()) == (404, {"detail": "Article not found"})
        assert not Article.objects.filter(pk=row.pk).exists(), method


def test_async_hooks_run_on_the_loop_that_serves_the_request() -> None:
    """An ``async def`` hook called from the ORM thread runs on the server's own event
    loop (objects bound to that loop keep working there), not on a loop of its own."""
    loops: dict[str, Any] = {}

    class Recording(ProductViewSet):
        async def perform_create(self, instance):
            loops["hook"] = asyncio.get_running_loop()
            await instance.asave()

    api = BoltAPI()
    api.viewset("/products")(Recording)

    @api.get("/loop")
    async def which_loop() -> dict:
        loops["request"] = asyncio.get_running_loop()
        return {}

    client = TestClient(api)
    assert client.get("/loop").status_code == 200
    assert client.post("/products", json={"name": "looped", "price": "1"}).status_code == 201
    assert loops["hook"] is loops["request"]
    assert list(Product.objects.values_list("name", flat=True)) == ["looped"]
