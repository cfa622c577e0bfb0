"""The runnable example in ``examples/viewsets_demo``: its ViewSet, actions and APIView."""

import importlib.util
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[3] / "examples" / "viewsets_demo" / "app.py"


@pytest.fixture
def demo():
    spec = importlib.util.spec_from_file_location("viewsets_demo_app", APP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_notes_lifecycle(demo, client_for):
    client = client_for(demo.api)
    created = client.post("/notes", json={"title": "Buy milk", "body": "2 litres"})
    assert created.status_code == 201
    assert created.json() == {"id": 1, "title": "Buy milk", "body": "2 litres", "pinned": False}
    client.post("/notes", json={"title": "Call Ann"})
    assert client.get("/notes").json() == [
        {"id": 1, "title": "Buy milk"},
        {"id": 2, "title": "Call Ann"},
    ]
    assert client.post("/notes/1/pin").json()["pinned"] is True
    assert client.get("/notes/pinned").json() == [{"id": 1, "title": "Buy milk"}]
    assert client.get("/notes/search", params={"q": "ANN"}).json() == [
        {"id": 2, "title": "Call Ann"}
    ]
    assert client.patch("/notes/2", json={"body": "at 5"}).json()["body"] == "at 5"
    assert client.post("/notes/1/unpin").json()["pinned"] is False
    assert client.delete("/notes/2").status_code == 204
    missing = client.get("/notes/2")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Note 2 not found"}
    assert client.get("/notes/x").status_code == 422
    assert client.put("/notes/1", json={}).headers["allow"] == "DELETE, GET, HEAD, OPTIONS, PATCH"
    assert client.get("/health").json() == {"status": "ok", "notes": 1}


def test_route_listing(demo, capsys):
    demo.print_routes()
    out = capsys.readouterr().out
    assert "POST    /notes/{id}/pin" in out
    assert "rate_limit" in out.splitlines()[0]
