"""Connection hygiene: Django's per-request ``close_old_connections`` for Bolt handlers
(hooks ``bolt_configure``, ``bolt_collect_routes``, ``bolt_route_middleware``)."""

from __future__ import annotations

import datetime
from typing import Any

import msgspec
import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections

from bolt import BoltAPI, ModelViewSet
from bolt.testing import TestClient
from bolt.views import ViewSet
from tests.testapp.models import Article

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


def is_closed(raw: Any) -> bool:
    """Whether the DB-API connection is closed. Django never closes an in-memory SQLite
    database (that would drop it), so there "closed" means "Django was asked to close it"."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        return CLOSES[-1:] == ["after"]
    if hasattr(raw, "closed"):  # psycopg
        return bool(raw.closed)
    try:
        raw.execute("select 1")
    except Exception:
        return True
    return False


CLOSES: list[str] = []


@pytest.fixture(autouse=True)
def count_closes(monkeypatch: pytest.MonkeyPatch) -> None:
    import bolt_plugins.crud.hygiene as hygiene

    real = hygiene.close_stale
    CLOSES.clear()

    def spy() -> None:
        CLOSES.append("after")
        real()

    monkeypatch.setattr(hygiene, "close_stale", spy)


def grab() -> Any:
    """The DB-API connection of the calling thread (opening it if needed)."""
    connection.ensure_connection()
    return connection.connection


def test_hook_bolt_configure() -> None:
    api = BoltAPI()
    assert "orm" in api.middleware_names

    class Plain(msgspec.Struct):
        id: int

    assert callable(Plain.from_model)


def test_hook_bolt_collect_routes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sync handler's connection is closed after its request (``CONN_MAX_AGE = 0``) and
    kept with a positive ``CONN_MAX_AGE``."""
    seen: list[Any] = []
    api = BoltAPI()

    @api.get("/sync")
    def sync_handler() -> dict:
        CLOSES.append("during")
        seen.append(grab())
        return {"n": Article.objects.count()}

    client = TestClient(api)
    assert client.get("/sync").json() == {"n": 0}
    assert is_closed(seen[-1])
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 60)
    try:
        assert client.get("/sync").status_code == 200
        if connection.vendor != "sqlite" or not connection.is_in_memory_db():
            assert not is_closed(seen[-1])
    finally:
        seen[-1].close()  # the pool thread keeps its wrapper; end the session now


def test_hook_bolt_route_middleware() -> None:
    """Async handlers of ORM views get the ``orm`` middleware, which closes the shared ORM
    thread's connection after the request; the CRUD actions' own routes and plain routes
    don't need it."""
    seen: list[Any] = []

    class ArticleViewSet(ViewSet):
        queryset = Article.objects.all()

        async def list(self, request):
            CLOSES.append("during")
            seen.append(await sync_to_async(grab)())
            return {"n": await Article.objects.acount()}

    class Crud(ModelViewSet):
        model = Article

    api = BoltAPI()
    api.viewset("/articles")(ArticleViewSet)
    api.viewset("/crud")(Crud)

    @api.get("/plain")
    async def plain() -> dict:
        return {}

    client = TestClient(api)
    assert client.get("/articles").json() == {"n": 0}
    assert is_closed(seen[-1])
    middleware = {(r.method, r.path): r.middleware_names for r in api.iter_routes()}
    assert "orm" in middleware[("GET", "/articles")]
    assert "orm" not in middleware[("GET", "/crud")]
    assert "orm" not in middleware[("GET", "/plain")]


@pytest.mark.django_db  # the test runs inside a transaction on this thread
def test_hygiene_leaves_a_callers_transaction_alone() -> None:
    """A sync endpoint called inside an ``atomic`` block (here the test's own transaction)
    must not close that connection: the caller's transaction goes on."""
    api = BoltAPI()

    @api.get("/sync")
    def sync_handler() -> dict:
        return {"n": Article.objects.count()}

    route = next(r for r in api.iter_routes() if r.path == "/sync")
    Article.objects.create(title="uncommitted")
    assert route.endpoint() == {"n": 1}
    assert Article.objects.filter(title="uncommitted").exists()


def test_orm_units_see_the_callers_time_zone() -> None:
    """``timezone.override`` around ORM work holds inside the ORM thread, as it does under
    ``sync_to_async``: ``__date`` filters use the caller's zone."""
    from django.utils import timezone

    from bolt_plugins.crud.db import runner_for

    evening = Article.objects.create(title="evening")
    Article.objects.filter(pk=evening.pk).update(
        created_at=datetime.datetime(2026, 1, 1, 20, 0, tzinfo=datetime.UTC)
    )
    api = BoltAPI()

    def titles_on(day: datetime.date) -> list[str]:
        return list(Article.objects.filter(created_at__date=day).values_list("title", flat=True))

    @api.get("/on/{day}")
    async def on(day: datetime.date, zone: str) -> dict:
        with timezone.override(zone):
            names = await runner_for().read(titles_on, day)
            current = await runner_for().read(timezone.get_current_timezone_name)
        return {"titles": names, "zone": current}

    client = TestClient(api)
    assert client.get("/on/2026-01-01?zone=UTC").json() == {"titles": ["evening"], "zone": "UTC"}
    tokyo = client.get("/on/2026-01-02?zone=Asia/Tokyo").json()
    assert tokyo == {"titles": ["evening"], "zone": "Asia/Tokyo"}  # 05:00 there
    assert client.get("/on/2026-01-01?zone=Asia/Tokyo").json()["titles"] == []


def _zone_and_language() -> list[str]:
    from django.utils import timezone, translation

    return [timezone.get_current_timezone_name(), translation.get_language()]


def _activate_in_unit() -> list[str]:
    from django.utils import timezone, translation

    timezone.activate("Asia/Tokyo")
    translation.activate("de")
    return _zone_and_language()


def test_context_set_inside_an_orm_unit_reaches_the_caller() -> None:
    """As under ``sync_to_async``: a time zone or language activated in ORM code (a hook,
    ``perform_create``) holds for the rest of the handler, whichever way the unit went."""
    from bolt_plugins.crud.db import runner_for

    api = BoltAPI()

    @api.get("/direct")
    async def direct() -> dict:
        inside = await runner_for().read(_activate_in_unit)
        return {"inside": inside, "after": _zone_and_language()}

    @api.get("/asgiref")
    async def asgiref() -> dict:
        sensitive = runner_for()._sensitive
        inside = await sync_to_async(_activate_in_unit, thread_sensitive=sensitive)()
        return {"inside": inside, "after": _zone_and_language()}

    client = TestClient(api)
    reference = client.get("/asgiref").json()
    assert reference == {"inside": ["Asia/Tokyo", "de"], "after": ["Asia/Tokyo", "de"]}
    assert client.get("/direct").json() == reference
