"""The notes example (``examples/viewsets_demo``) takes its bodies from a Serializer: every
error at once, PATCH tells an absent field from ``null``."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[3] / "examples" / "viewsets_demo" / "app.py"


@pytest.fixture
def demo():
    spec = importlib.util.spec_from_file_location("viewsets_demo_serializers", APP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_note_bodies_are_validated_all_at_once(demo, client_for):
    client = client_for(demo.api)
    response = client.post("/notes", json={"title": "   ", "body": 5, "colour": "red"})
    assert response.status_code == 422
    assert {tuple(e["loc"]) for e in response.json()["detail"]} == {
        ("body", "title"),
        ("body", "body"),
        ("body", "colour"),
    }
    created = client.post("/notes", json={"title": "  Buy milk "})
    assert created.status_code == 201, created.text
    assert created.json()["title"] == "Buy milk"


def test_note_patch_keeps_absent_fields_and_refuses_null(demo, client_for):
    client = client_for(demo.api)
    note = client.post("/notes", json={"title": "Call Ann", "body": "at 5"}).json()
    patched = client.patch(f"/notes/{note['id']}", json={"body": "at 6"})
    assert patched.json() == {**note, "body": "at 6"}
    refused = client.patch(f"/notes/{note['id']}", json={"title": None})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "title"]
