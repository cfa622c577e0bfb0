"""Prepared reads: ``list`` and ``retrieve`` of a view that keeps the default hooks reuse the
SQL compiled for their first request, and answer exactly what the ordinary path answers."""

from __future__ import annotations

import datetime
import threading
import uuid
from typing import Any

import msgspec
import pytest
from django.db import connection, models
from django.db.backends.utils import CursorWrapper
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from bolt import BoltAPI
from bolt.testing import TestClient
from bolt.views import ModelViewSet, ReadOnlyModelViewSet
from bolt_plugins.crud import prepared as prepared_module
from bolt_plugins.crud.pagination import PageNumberPagination
from tests.plugins.crud.schemas import ProductNested, ProductOut
from tests.testapp.models import Article, Category, Product

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class ArticleOut(msgspec.Struct):
    id: int
    title: str
    slug: str | None
    status: str
    created_at: datetime.datetime


@pytest.fixture
def counters(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts SQL compilations and executed statements in every thread (the ORM thread
    included)."""
    counts = {"compiled": 0, "executed": 0}
    as_sql = SQLCompiler.as_sql
    execute = CursorWrapper.execute
    threads: set[int] = set()
    counts_threads: Any = threads  # the threads that executed statements

    def counting_as_sql(self: Any, *args: Any, **kwargs: Any) -> Any:
        counts["compiled"] += 1
        return as_sql(self, *args, **kwargs)

    def counting_execute(self: Any, *args: Any, **kwargs: Any) -> Any:
        counts["executed"] += 1
        threads.add(threading.get_ident())
        return execute(self, *args, **kwargs)

    counters_threads[id(counts)] = counts_threads

    monkeypatch.setattr(SQLCompiler, "as_sql", counting_as_sql)
    monkeypatch.setattr(CursorWrapper, "execute", counting_execute)
    return counts


counters_threads: dict[int, set[int]] = {}


def _client(view: type, path: str) -> TestClient:
    api = BoltAPI()
    api.viewset(path)(view)
    return TestClient(api)


def _pair(view: type, path: str) -> tuple[TestClient, TestClient]:
    """One client serving ``view`` prepared and one serving an unprepared copy of it."""
    fast, slow = BoltAPI(), BoltAPI()
    fast.viewset(path)(view)
    slow.viewset(path)(type(view.__name__ + "Plain", (view,), {"prepare_queries": False}))
    return TestClient(fast), TestClient(slow)


def _prepared_actions(view: type) -> set[str]:
    """The actions of ``view`` served by a compiled statement."""
    return {
        key[1]
        for key, entry in prepared_module._prepared.items()
        if key[0] is view and entry[1] is not None and not entry[1].disabled
    }


def _same(fast: TestClient, slow: TestClient, url: str) -> Any:
    a, b = fast.get(url), slow.get(url)
    assert (a.status_code, a.json()) == (b.status_code, b.json()), url
    assert a.headers["content-type"] == b.headers["content-type"]
    return a


def test_detail_and_list_compile_once_and_run_one_statement(
    catalog: dict, counters: dict[str, int]
) -> None:
    class Products(ReadOnlyModelViewSet):
        queryset = Product.objects.all()
        serializer_class = ProductOut
        ordering = "name"

    client = _client(Products, "/products")
    dune = catalog["products"][0]
    first = client.get(f"/products/{dune.pk}")
    assert first.status_code == 200
    assert first.json()["name"] == "Dune"
    assert first.json()["sku"] == str(dune.sku)
    assert client.get("/products").json()[0]["name"] == "Dune"
    threads = counters_threads[id(counters)]
    if connection.vendor == "sqlite":
        # One ORM thread, one connection: nothing is compiled after the first requests.
        counters.update(compiled=0, executed=0)
        for _ in range(3):
            assert client.get(f"/products/{dune.pk}").json() == first.json()
            assert [p["name"] for p in client.get("/products").json()] == ["Dune", "Emma", "Go"]
        assert counters == {"compiled": 0, "executed": 6}
        return
    # A pool of ORM threads, a connection each: each compiles each statement once (the
    # whole query, the one kept, the time-zone check; a detail also its second sentinel:
    # seven for both), never per request.
    for _ in range(20):
        assert client.get(f"/products/{dune.pk}").json() == first.json()
        assert [p["name"] for p in client.get("/products").json()] == ["Dune", "Emma", "Go"]
    assert counters["executed"] == 42
    assert counters["compiled"] <= 7 * len(threads) < 40 * 3


def test_prepared_answers_equal_the_ordinary_path(catalog: dict) -> None:
    class Products(ReadOnlyModelViewSet):
        queryset = Product.objects.filter(stock__lte=3)
        serializer_class = ProductOut
        ordering = "-name"

    fast, slow = _pair(Products, "/products")
    ids = [p.pk for p in catalog["products"]]
    _same(fast, slow, "/products")
    for pk in [*ids, max(ids) + 1, 0, -1, 2**62, 2**63 + 5, 10**30]:
        _same(fast, slow, f"/products/{pk}")
    assert fast.get(f"/products/{max(ids) + 1}").json() == {"detail": "Product not found"}
    assert _same(fast, slow, "/products/abc").status_code == 422
    # Query strings take the ordinary path (filters, ordering), with the same answers.
    _same(fast, slow, "/products?ordering=name")
    assert _prepared_actions(Products) == {"list", "retrieve"}


def test_class_queryset_filter_applies_to_detail(catalog: dict) -> None:
    class InStock(ReadOnlyModelViewSet):
        queryset = Product.objects.filter(stock__gt=0)
        serializer_class = ProductOut

    fast, slow = _pair(InStock, "/stock")
    dune, emma, _ = catalog["products"]
    assert _same(fast, slow, f"/stock/{dune.pk}").status_code == 200
    assert _same(fast, slow, f"/stock/{emma.pk}").status_code == 404
    assert [p["name"] for p in _same(fast, slow, "/stock").json()] == ["Dune"]


def test_text_and_uuid_lookup_fields(catalog: dict) -> None:
    class BySku(ReadOnlyModelViewSet):
        queryset = Product.objects.all()
        serializer_class = ProductOut
        lookup_field = "sku"

    class BySlug(ReadOnlyModelViewSet):
        queryset = Article.objects.all()
        serializer_class = ArticleOut
        lookup_field = "slug"

    Article.objects.create(title="One", slug="one-ünï")
    Article.objects.create(title="Two", slug="Two")
    fast, slow = _pair(BySku, "/sku")
    dune = catalog["products"][0]
    assert _same(fast, slow, f"/sku/{dune.sku}").json()["name"] == "Dune"
    assert _same(fast, slow, f"/sku/{uuid.uuid4()}").status_code == 404
    _same(fast, slow, "/sku/not-a-uuid")
    fast, slow = _pair(BySlug, "/articles")
    r = _same(fast, slow, "/articles/one-%C3%BCn%C3%AF")
    assert r.json()["title"] == "One", r.json()
    assert _same(fast, slow, "/articles/two").status_code == 404  # exact, case-sensitive
    assert _same(fast, slow, "/articles/Two").json()["slug"] == "Two"
    assert _same(fast, slow, "/articles/%27%20OR%201=1--").status_code == 404
    assert _prepared_actions(BySku) == _prepared_actions(BySlug) == {"retrieve"}


def test_non_unique_lookup_answers_as_django_get_does(catalog: dict) -> None:
    class ByTitle(ReadOnlyModelViewSet):
        queryset = Article.objects.all()
        serializer_class = ArticleOut
        lookup_field = "title"

    Article.objects.create(title="Twin", slug="a")
    Article.objects.create(title="Twin", slug="b")
    fast, slow = _pair(ByTitle, "/articles")
    assert _same(fast, slow, "/articles/Twin").status_code == 500


def test_model_configured_view_and_replaced_queryset(catalog: dict) -> None:
    class ByModel(ModelViewSet):
        model = Category
        serializer_class = msgspec.defstruct("CategoryRow", [("id", int), ("name", str)])

    fast, slow = _pair(ByModel, "/categories")
    books = catalog["books"]
    assert _same(fast, slow, f"/categories/{books.pk}").json() == {"id": books.pk, "name": "books"}
    assert len(_same(fast, slow, "/categories").json()) == 2
    assert _prepared_actions(ByModel) == {"list", "retrieve"}

    class Products(ReadOnlyModelViewSet):
        queryset = Product.objects.all()
        serializer_class = ProductOut

    client = _client(Products, "/products")
    assert len(client.get("/products").json()) == 3
    Products.queryset = Product.objects.filter(name="Go")
    assert [p["name"] for p in client.get("/products").json()] == ["Go"]
    assert client.get(f"/products/{catalog['products'][0].pk}").status_code == 404


def test_writes_are_seen_by_the_next_prepared_read(catalog: dict) -> None:
    class Products(ModelViewSet):
        queryset = Product.objects.all()
        serializer_class = ProductOut

    client = _client(Products, "/products")
    dune = catalog["products"][0]
    assert client.get(f"/products/{dune.pk}").json()["stock"] == 3
    r = client.patch(f"/products/{dune.pk}", json={"stock": 7})
    assert r.status_code == 200, r.text
    assert client.get(f"/products/{dune.pk}").json()["stock"] == 7
    assert client.delete(f"/products/{dune.pk}").status_code == 200
    assert client.get(f"/products/{dune.pk}").status_code == 404
    assert len(client.get("/products").json()) == 2


def test_overridden_hooks_keep_the_ordinary_path(catalog: dict, counters: dict[str, int]) -> None:
    """``get_queryset``/``get_object``/``filter_queryset`` overrides and per-request schemas
    decide every request."""
    dune, emma, go = catalog["products"]

    class Scoped(ReadOnlyModelViewSet):
        queryset = Product.objects.all()
        serializer_class = ProductOut

        async def get_queryset(self) -> Any:
            base = await super().get_queryset()
            return base.filter(name=self.request.headers.get("x-name", ""))

    class Guarded(ReadOnlyModelViewSet):
        queryset = Product.objects.all()
        serializer_class = ProductOut

        async def get_object(self, pk: Any = None, **lookup: Any) -> Any:
            obj = await super().get_object(pk, **lookup)
            if obj.name == "Go":
                from bolt.exceptions import Forbidden

                raise Forbidden(detail="not yours")
            return obj

    class Filtered(ReadOnlyModelViewSet):
        queryset = Product.objects.all()
        serializer_class = ProductOut

        async def filter_queryset(self, queryset: Any) -> Any:
            return queryset.filter(stock__gt=0)

    class PerUser(ReadOnlyModelViewSet):
        queryset = Product.objects.all()

        def get_serializer_class(self, action: str | None = None) -> Any:
            return ProductNested if self.request.headers.get("x-nested") else ProductOut

    api = BoltAPI()
    for path, view in [("/s", Scoped), ("/g", Guarded), ("/f", Filtered), ("/u", PerUser)]:
        api.viewset(path)(view)
    client = TestClient(api)
    for _ in range(2):
        assert [p["name"] for p in client.get("/s", headers={"x-name": "Emma"}).json()] == ["Emma"]
        assert client.get(f"/s/{dune.pk}", headers={"x-name": "Emma"}).status_code == 404
        assert client.get(f"/g/{go.pk}").status_code == 403
        assert client.get(f"/g/{emma.pk}").status_code == 200
        assert [p["name"] for p in client.get("/f").json()] == ["Dune"]
        plain = client.get(f"/u/{dune.pk}").json()
        nested = client.get(f"/u/{dune.pk}", headers={"x-nested": "1"}).json()
        assert plain["category"] == catalog["books"].pk
        assert nested["category"] == {"id": catalog["books"].pk, "name": "books"}
    assert not any(_prepared_actions(v) for v in (Scoped, Guarded, Filtered))
    assert _prepared_actions(PerUser) == {"retrieve"}  # ProductOut only; the nested one never


def test_unpreparable_views_fall_back_once(catalog: dict) -> None:
    """A queryset Django proves empty while compiling (``pk__in=[]``) serves from the
    ordinary path, and the view is not compiled again."""

    class Nothing(ReadOnlyModelViewSet):
        queryset = Product.objects.filter(pk__in=[])
        serializer_class = ProductOut

    fast, slow = _pair(Nothing, "/none")
    for _ in range(2):
        assert _same(fast, slow, "/none").json() == []
        assert _same(fast, slow, f"/none/{catalog['products'][0].pk}").status_code == 404
    entries = [e for k, e in prepared_module._prepared.items() if k[0] is Nothing]
    assert entries
    assert all(e[1] is None or e[1].disabled for e in entries)


def test_database_settings_changes_recompile(
    catalog: dict, counters: dict[str, int], settings: Any
) -> None:
    """Compiled parameters may depend on the time zone and the database settings: when a
    test (or a settings reload) changes them, the next request compiles again."""

    class Products(ReadOnlyModelViewSet):
        queryset = Product.objects.all()
        serializer_class = ProductOut

    client = _client(Products, "/products")
    assert len(client.get("/products").json()) == 3
    if connection.vendor == "sqlite":
        # One ORM thread and connection: nothing compiles again until the settings change.
        # (PostgreSQL's ORM threads are a pool: a request may reach a thread whose connection
        # compiles for the first time; the detail test above counts that per thread.)
        counters.update(compiled=0)
        assert len(client.get("/products").json()) == 3
        assert counters["compiled"] == 0
    settings.TIME_ZONE = "Europe/Paris"
    counters.update(compiled=0)
    assert len(client.get("/products").json()) == 3
    assert counters["compiled"] > 0


def test_queryset_django_refuses_keeps_its_error(catalog: dict) -> None:
    """A class queryset Django refuses to run (``select_related`` of a misspelt relation)
    is refused the same way: the prepared statement (``values()`` drops relations) must
    not answer where ``get()`` fails."""

    class Products(ReadOnlyModelViewSet):
        queryset = Product.objects.select_related("categry")
        serializer_class = ProductOut

    fast, slow = _pair(Products, "/products")
    assert _same(fast, slow, f"/products/{catalog['products'][0].pk}").status_code == 500
    assert "retrieve" not in _prepared_actions(Products)


class ProductRow(msgspec.Struct, array_like=True):
    id: int
    name: str


def test_array_like_schemas_are_served(catalog: dict) -> None:
    """``array_like`` Structs are built by position: detail and list answer arrays."""

    class Products(ReadOnlyModelViewSet):
        queryset = Product.objects.order_by("name")
        serializer_class = ProductRow

    fast, slow = _pair(Products, "/products")
    dune = catalog["products"][0]
    assert _same(fast, slow, f"/products/{dune.pk}").json() == [dune.pk, "Dune"]
    assert _same(fast, slow, "/products").json()[0] == [dune.pk, "Dune"]


class InStockQuerySet(models.QuerySet):
    """A queryset class whose ``get`` hides products out of stock."""

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return models.QuerySet.get(self.filter(stock__gt=0), *args, **kwargs)


class PublishedQuerySet(models.QuerySet):
    """A queryset class whose ``all()`` keeps what is published by now."""

    def all(self) -> Any:
        return super().all().filter(created_at__lte=timezone.now())


class CatalogQuerySet(models.QuerySet):
    """A queryset class that only adds a method (the usual ``as_manager()`` pattern)."""

    def in_stock(self) -> Any:
        return self.filter(stock__gt=0)


def test_queryset_classes_that_change_reading_keep_the_ordinary_path(catalog: dict) -> None:
    """Overriding ``get`` or ``all`` changes what a request reads (and ``all()`` here
    depends on the time): such classes are read the ordinary way on every request; a class
    that only adds methods is prepared."""

    class Hidden(ReadOnlyModelViewSet):
        queryset = InStockQuerySet(model=Product)
        serializer_class = ProductOut

    class Published(ReadOnlyModelViewSet):
        queryset = PublishedQuerySet(model=Article).order_by("id")
        serializer_class = ArticleOut

    class Catalog(ReadOnlyModelViewSet):
        queryset = CatalogQuerySet(model=Product).in_stock()
        serializer_class = ProductOut

    emma = catalog["products"][1]
    fast, slow = _pair(Hidden, "/hidden")
    assert _same(fast, slow, f"/hidden/{emma.pk}").status_code == 404
    Article.objects.create(title="first", slug="first")
    fast, slow = _pair(Published, "/articles")
    assert len(_same(fast, slow, "/articles").json()) == 1
    Article.objects.create(title="second", slug="second")
    assert len(_same(fast, slow, "/articles").json()) == 2
    fast, slow = _pair(Catalog, "/catalog")
    assert [p["name"] for p in _same(fast, slow, "/catalog").json()] == ["Dune"]
    assert _same(fast, slow, f"/catalog/{emma.pk}").status_code == 404
    assert not _prepared_actions(Hidden)
    assert not _prepared_actions(Published)
    assert _prepared_actions(Catalog) == {"list", "retrieve"}


def test_time_zone_dependent_sql_is_not_kept(catalog: dict) -> None:
    """``__date`` lookups compile the active time zone into the SQL: such a view is read
    the ordinary way, so a request under another zone gets its own query."""

    class Today(ReadOnlyModelViewSet):
        queryset = Article.objects.filter(created_at__date__gte=datetime.date(2000, 1, 1))
        serializer_class = ArticleOut

    Article.objects.create(title="one", slug="one")
    fast, slow = _pair(Today, "/today")
    assert len(_same(fast, slow, "/today").json()) == 1
    assert not _prepared_actions(Today)


def test_class_settings_are_read_per_request(catalog: dict) -> None:
    """``pagination_class`` and ``prepare_queries`` changed on the class after the first
    request take effect, as everything the ordinary path reads per request does."""

    class Products(ReadOnlyModelViewSet):
        queryset = Product.objects.order_by("id")
        serializer_class = ProductOut

    fast, slow = _pair(Products, "/products")
    assert isinstance(_same(fast, slow, "/products").json(), list)
    Products.pagination_class = PageNumberPagination
    assert "results" in _same(fast, slow, "/products").json()
    Products.pagination_class = None
    Products.prepare_queries = False
    client = _client(Products, "/products")
    with pytest.MonkeyPatch.context() as patch:
        calls: list[int] = []
        patch.setattr(prepared_module.PreparedRead, "fetch_list", lambda *a: calls.append(1) or [])
        assert len(client.get("/products").json()) == 3
        assert calls == []
