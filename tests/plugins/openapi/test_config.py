"""Settings, startup errors, the plugin's hooks and the per-request promise."""

from __future__ import annotations

from typing import Any

import pytest

from bolt import BoltAPI, hookimpl
from bolt.exceptions import ImproperlyConfigured
from bolt.testing import TestClient


@pytest.fixture(autouse=True)
def bolt_page(settings: Any) -> None:
    """These tests read Bolt's own small docs page (``BOLT_OPENAPI_UI = "bolt"``)."""
    settings.BOLT_OPENAPI_UI = "bolt"


def test_hook_bolt_configure(make_api, client_for, settings) -> None:
    """Configure validates the settings and prepares the state; disabled means no routes."""
    api = make_api()
    assert "openapi" in api.state
    settings.BOLT_OPENAPI_ENABLED = False
    off = make_api()

    @off.get("/a")
    async def a() -> dict:
        return {}

    assert "openapi" not in off.state
    client = client_for(off)
    assert client.get("/openapi.json").status_code == 404
    assert client.get("/docs").status_code == 404
    assert client.get("/a").status_code == 200


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("BOLT_OPENAPI_PATH", "openapi.json", "must be a path starting with '/'"),
        ("BOLT_OPENAPI_DOCS_PATH", "/docs/{x}", "plain path"),
        ("BOLT_OPENAPI_DOCS_PATH", "/openapi.json", "both '/openapi.json'"),
    ],
)
def test_bad_settings_stop_startup(make_api, settings, name: str, value: str, message: str) -> None:
    setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        make_api()


def test_bad_route_options_stop_startup(make_api) -> None:
    with pytest.raises(ImproperlyConfigured, match="openapi_route_options"):
        make_api(openapi_route_options=["guards"])


def test_schema_only_and_nothing(make_api, client_for, settings) -> None:
    settings.BOLT_OPENAPI_DOCS_PATH = ""  # empty turns a path off (None means "not set")
    api = make_api()
    client = client_for(api)
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/docs").status_code == 404
    settings.BOLT_OPENAPI_PATH = ""
    settings.BOLT_OPENAPI_DOCS_PATH = "/docs"
    none = make_api()
    client = client_for(none)
    assert client.get("/openapi.json").status_code == 404
    assert client.get("/docs").status_code == 404


def test_blocking_the_plugin_removes_its_routes() -> None:
    api = BoltAPI(plugins=["-openapi"])
    client = TestClient(api)
    assert client.get("/openapi.json").status_code == 404
    client.close()


def test_hook_bolt_before_compile(make_api, client_for) -> None:
    """The plugin's routes are added when compilation starts, after every user route; a
    user route on one of its paths is a startup error naming the settings."""
    api = make_api()

    @api.get("/a")
    async def a() -> dict:
        return {}

    assert [r.path for r in api.routes] == ["/a"]
    api.compile()
    assert [r.path for r in api.routes][:2] == ["/a", "/openapi.json"]
    assert {r.path for r in api.routes} >= {"/docs", "/docs/assets/docs.js"}
    assert all(not r.include_in_schema for r in api.routes[1:])

    clash = make_api()

    @clash.get("/docs")
    async def docs() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match="BOLT_OPENAPI_DOCS_PATH"):
        clash.compile()


def test_hook_bolt_route_compiled(make_api, client_for) -> None:
    """Operations are collected from compiled routes after every other plugin's
    implementation ran (even a ``trylast`` one), and the document is encoded once."""

    class Tagger:
        __name__ = "tagger"

        @hookimpl(trylast=True)
        def bolt_route_compiled(self, api: Any, route: Any) -> None:
            route.tags.append("tagged")

    api = BoltAPI(plugins=["openapi", Tagger()])

    @api.get("/a")
    async def a() -> dict:
        return {}

    @api.get("/b")
    async def b() -> dict:
        return {}

    api.compile()
    state = api.state["openapi"]
    assert state.seen == len(api.routes)
    body = state.body
    assert body
    doc = client_for(api).get("/openapi.json")
    assert doc.content is body or doc.content == body
    assert doc.json()["paths"]["/a"]["get"]["tags"] == ["tagged"]
    assert set(doc.json()["paths"]) == {"/a", "/b"}


def test_no_hook_called_per_request(make_api) -> None:
    api = make_api()

    @api.get("/items/{item_id}")
    async def read(item_id: int) -> dict:
        return {"id": item_id}

    api.compile()
    calls: list[str] = []
    undo = api.pm.add_hookcall_monitoring(
        lambda name, impls, kwargs: calls.append(name), lambda *args: None
    )
    client = TestClient(api)
    try:
        for _ in range(5):
            assert client.get("/openapi.json").status_code == 200
            assert client.get("/docs").status_code == 200
            assert client.get("/docs/assets/docs.js").status_code == 200
            assert client.get("/items/3").status_code == 200
    finally:
        undo()
        client.close()
    assert calls == []


def test_default_plugins_include_openapi(client_for) -> None:
    """With no plugin list the first-party default set serves the schema."""
    api = BoltAPI()

    @api.get("/a")
    async def a() -> dict:
        return {}

    assert "openapi" in api.pm.loaded_names
    assert "/a" in client_for(api).get("/openapi.json").json()["paths"]
