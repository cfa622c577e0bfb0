"""CRUD writes and object permissions on a real Granian server (``crud_app.py``).

The attacker holds a valid token for a plain user. They send staff-only fields in POST, PUT
and PATCH bodies of a view whose serializer depends on the caller, put another row's id in a
body, and read, change, delete or act on another user's note. Every refusal leaves the
database as it was (read back from the SQLite file the server uses).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Server
from tests.e2e.reliability.helpers import assert_clean_error, bearer, db_state, token

pytestmark = [pytest.mark.e2e]


@pytest.fixture(scope="module")
def server(serve_app: Any) -> Server:
    return serve_app("tests.e2e.security.crud_app:api")


@pytest.fixture
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=10) as c:
        yield c


@pytest.fixture
def unchanged(server: Server) -> Iterator[None]:
    before = db_state(server.db)  # type: ignore[attr-defined]
    yield
    assert db_state(server.db) == before  # type: ignore[attr-defined]


def as_user(ids: dict[str, Any], name: str, **claims: Any) -> dict[str, str]:
    return bearer(token(ids[name], **claims))


def unknown(field: str) -> dict[str, Any]:
    return {
        "loc": ["body"],
        "msg": f"Object contains unknown field `{field}`",
        "type": "value_error",
    }


@pytest.mark.usefixtures("unchanged")
def test_plain_user_cannot_write_staff_fields(client: httpx.Client, seeded: dict[str, Any]) -> None:
    alice = as_user(seeded, "alice")
    item = seeded["item"]
    attempts = [
        ("POST", "/api/items", {"name": "cheap", "price": 0.01}, "price"),
        ("POST", "/api/items", {"name": "moved", "category": seeded["category"]}, "category"),
        ("PUT", f"/api/items/{item}", {"name": "hammer", "price": 0.01}, "price"),
        ("PATCH", f"/api/items/{item}", {"price": 0.01}, "price"),
        ("PATCH", f"/api/items/{item}", {"category": None}, "category"),
        ("PUT", f"/api/items/{item}", {"id": item + 1, "name": "hammer"}, "id"),
        ("POST", "/api/categories", {"name": "mine"}, "name"),
    ]
    for method, path, body, field in attempts:
        r = client.request(method, path, json=body, headers=alice)
        data = assert_clean_error(r, 422)
        assert data == {"detail": [unknown(field)]}, (method, path)


def test_plain_and_staff_users_get_their_own_schemas(
    client: httpx.Client, seeded: dict[str, Any]
) -> None:
    alice, admin = as_user(seeded, "alice"), as_user(seeded, "admin", is_staff=True)
    item = seeded["item"]
    plain = client.get(f"/api/items/{item}", headers=alice)
    assert plain.status_code == 200, plain.text
    assert set(plain.json()) == {"id", "name", "qty"}
    staff = client.get(f"/api/items/{item}", headers=admin)
    assert set(staff.json()) == {"id", "name", "qty", "price", "category"}
    changed = client.patch(f"/api/items/{item}", json={"price": 2.5}, headers=admin)
    assert changed.status_code == 200, changed.text
    assert changed.json()["price"] == 2.5
    assert client.get(f"/api/items/{item}", headers=admin).json()["price"] == 2.5
    qty = client.patch(f"/api/items/{item}", json={"qty": 4}, headers=alice)
    assert qty.status_code == 200, qty.text
    assert qty.json() == {"id": item, "name": "hammer", "qty": 4}
    made = client.post("/api/categories", json={"name": "saws"}, headers=admin)
    assert made.status_code == 201, made.text
    assert set(client.get("/api/categories", headers=alice).json()[0]) == {"id"}


@pytest.mark.usefixtures("unchanged")
def test_other_users_note_is_refused_on_every_detail_action(
    client: httpx.Client, seeded: dict[str, Any]
) -> None:
    note = seeded["bob_note"]
    alice = as_user(seeded, "alice")
    for method, path, body in (
        ("GET", f"/api/notes/{note}", None),
        ("PUT", f"/api/notes/{note}", {"text": "pwned"}),
        ("PATCH", f"/api/notes/{note}", {"text": "pwned"}),
        ("DELETE", f"/api/notes/{note}", None),
        ("POST", f"/api/notes/{note}/shout", None),
    ):
        refused = client.request(method, path, json=body, headers=alice)
        assert assert_clean_error(refused, 403) == {"detail": "Only the owner may do that."}
        anonymous = client.request(method, path, json=body)
        assert_clean_error(anonymous, 401)
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
    # a note's owner is not part of any write schema
    owner = client.patch(f"/api/notes/{note}", json={"owner": seeded["alice"]},
                         headers=as_user(seeded, "bob"))  # fmt: skip
    assert assert_clean_error(owner, 422) == {"detail": [unknown("owner")]}


def test_owner_may_use_every_detail_action(client: httpx.Client, seeded: dict[str, Any]) -> None:
    alice = as_user(seeded, "alice")
    made = client.post("/api/notes", json={"text": "mine"}, headers=alice)
    assert made.status_code == 201, made.text
    assert made.json()["owner"] == seeded["alice"]
    pk = made.json()["id"]
    assert client.get(f"/api/notes/{pk}", headers=alice).json()["text"] == "mine"
    assert client.patch(f"/api/notes/{pk}", json={"text": "edit"}, headers=alice).status_code == 200
    assert client.post(f"/api/notes/{pk}/shout", headers=alice).json() == {"text": "EDIT"}
    bob = as_user(seeded, "bob")
    assert client.delete(f"/api/notes/{pk}", headers=bob).status_code == 403
    assert client.delete(f"/api/notes/{pk}", headers=alice).status_code == 200
    assert client.get(f"/api/notes/{pk}", headers=alice).status_code == 404
