"""Compatibility: every first-party plugin alone and in every pair builds, compiles, serves.

A plugin that silently needs another one (an import, a state key, an option) fails here
first. Each API registers a function route, a POST with a body and, where the viewsets
plugin is on, a ViewSet; then requests go through the test client.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from bolt import BoltAPI
from bolt.plugins import DEFAULT_PLUGINS
from bolt.testing import TestClient, assert_no_hook_calls

COMBOS = [(name,) for name in DEFAULT_PLUGINS] + list(itertools.combinations(DEFAULT_PLUGINS, 2))


def build(names: tuple[str, ...]) -> BoltAPI:
    api = BoltAPI(plugins=list(names))

    @api.get("/ping")
    async def ping() -> dict:
        return {"pong": True}

    @api.post("/echo")
    async def echo(data: dict) -> dict:
        return data

    if "viewsets" in names:
        from bolt_plugins.viewsets import ViewSet

        @api.viewset("/things")
        class Things(ViewSet):
            async def list(self) -> list[dict]:
                return [{"id": 1}]

            async def retrieve(self, pk: int) -> dict:
                return {"id": pk}

    return api


@pytest.mark.parametrize("names", COMBOS, ids="+".join)
def test_plugins_alone_and_in_pairs(names: tuple[str, ...]) -> None:
    api = build(names)
    assert api.pm.loaded_names == list(names)
    api.compile()
    client = TestClient(api)
    with assert_no_hook_calls(api):
        response = client.get("/ping")
        assert (response.status_code, response.json()) == (200, {"pong": True})
        response = client.post("/echo", json={"a": 1})
        assert (response.status_code, response.json()) == (200, {"a": 1})
        assert client.get("/missing").status_code == 404
        if "viewsets" in names:
            assert client.get("/things").json() == [{"id": 1}]
            assert client.get("/things/7").json() == {"id": 7}
        if "openapi" in names:
            assert client.get("/openapi.json").status_code == 200
    client.close()


def test_crud_viewsets_need_the_viewsets_plugin() -> None:
    """crud's one declared dependency: its ViewSets cannot be registered without viewsets."""
    from bolt.exceptions import ImproperlyConfigured
    from bolt_plugins.crud import ReadOnlyModelViewSet

    api = BoltAPI(plugins=["crud"])
    with pytest.raises(ImproperlyConfigured, match="'viewsets' plugin"):
        api.viewset("/x", type("Things", (ReadOnlyModelViewSet,), {}))


def test_matrix_covers_every_first_party_plugin() -> None:
    seen: set[Any] = {n for combo in COMBOS for n in combo}
    assert seen == set(DEFAULT_PLUGINS)
    assert len(COMBOS) == len(DEFAULT_PLUGINS) * (len(DEFAULT_PLUGINS) + 1) // 2
