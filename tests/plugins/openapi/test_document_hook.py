"""``manage.py bolt_openapi`` asks the API's plugins for the document
(``bolt_openapi_document``) instead of importing the openapi plugin: it prints what the
server serves, what another plugin provides, and names the plugin when none answers."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bolt import BoltAPI, hookimpl

HERE = sys.modules[__name__]


@pytest.fixture
def api_name() -> Iterator[Callable[[BoltAPI], str]]:
    """Publish an API as an attribute of this module; returns its ``--api`` name."""
    published: list[str] = []

    def publish(api: BoltAPI) -> str:
        attr = f"published_api_{len(published)}"
        setattr(HERE, attr, api)
        published.append(attr)
        return f"{__name__}:{attr}"

    yield publish
    for attr in published:
        delattr(HERE, attr)


def run(api: str) -> str:
    out = io.StringIO()
    call_command("bolt_openapi", api=api, stdout=out)
    return out.getvalue()


def test_prints_the_document_the_server_serves(api_name, client_for) -> None:
    api = BoltAPI(plugins=["openapi"], title="Served")

    @api.get("/items/{pk}")
    async def item(pk: int) -> dict[str, int]:
        return {"pk": pk}

    printed = json.loads(run(api_name(api)))
    served = client_for(api).get("/openapi.json")
    assert served.status_code == 200
    assert printed == served.json()
    assert printed["info"]["title"] == "Served"
    assert "/items/{pk}" in printed["paths"]


def test_prints_the_document_another_plugin_provides(api_name) -> None:
    """Any plugin may answer the hook: the command does not know the openapi plugin."""
    seen: list[Any] = []

    class HandWritten:
        @hookimpl
        def bolt_openapi_document(self, api: Any) -> dict[str, Any]:
            seen.append(api)
            return {"openapi": "3.1.0", "info": {"title": "by hand", "version": "1"}}

    api = BoltAPI(plugins=[HandWritten()])
    assert json.loads(run(api_name(api))) == {
        "openapi": "3.1.0",
        "info": {"title": "by hand", "version": "1"},
    }
    assert seen == [api]


def test_without_the_openapi_plugin_the_error_names_it(api_name) -> None:
    api = BoltAPI(plugins=[])

    @api.get("/a")
    async def a() -> dict[str, str]:
        return {}

    with pytest.raises(CommandError) as caught:
        run(api_name(api))
    message = str(caught.value)
    assert "'openapi' plugin" in message
    assert "BOLT_PLUGINS" in message


def test_with_the_document_turned_off_the_error_names_the_setting(api_name, bolt_make_api) -> None:
    api = bolt_make_api("openapi", settings={"OPENAPI_ENABLED": False})
    with pytest.raises(CommandError, match="BOLT_OPENAPI_ENABLED"):
        run(api_name(api))
