"""Fixtures for the openapi plugin: APIs with the plugins a test names, and their documents."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bolt import BoltAPI
from bolt.testing import TestClient

REQUIRED_TOP = ("openapi", "info", "paths", "components")


@pytest.fixture
def make_api() -> Callable[..., BoltAPI]:
    """``make_api("auth", "guards", title=...)``: openapi plus the named plugins."""

    def build(*names: str, **options: Any) -> BoltAPI:
        return BoltAPI(plugins=["openapi", *names], **options)

    return build


@pytest.fixture
def client_for() -> Iterator[Callable[[BoltAPI], TestClient]]:
    clients: list[TestClient] = []

    def make(api: BoltAPI) -> TestClient:
        client = TestClient(api)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def fetch_doc(client_for: Callable[[BoltAPI], TestClient]) -> Callable[..., dict[str, Any]]:
    """GET the schema over HTTP, check it is a valid OpenAPI 3.1 document, return it."""

    def fetch(api: BoltAPI, path: str = "/openapi.json") -> dict[str, Any]:
        response = client_for(api).get(path)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        doc: dict[str, Any] = response.json()
        check_document(doc)
        return doc

    return fetch


def check_document(doc: dict[str, Any]) -> None:
    """Structural checks of our own, then the full OpenAPI 3.1 validator."""
    from openapi_spec_validator import validate

    for key in REQUIRED_TOP:
        assert key in doc, key
    assert doc["openapi"].startswith("3.1.")
    assert doc["info"]["title"]
    assert doc["info"]["version"]
    ids = []
    for path, item in doc["paths"].items():
        assert path.startswith("/")
        for method, op in item.items():
            assert method in {"get", "put", "post", "delete", "patch", "head", "options"}
            assert op["responses"], (method, path)
            ids.append(op["operationId"])
            templated = {seg[1:-1] for seg in path.split("/") if seg.startswith("{")}
            declared = {p["name"] for p in op.get("parameters", ()) if p["in"] == "path"}
            assert templated == declared, (method, path)
    assert len(ids) == len(set(ids)), "operationIds must be unique"
    validate(doc)
