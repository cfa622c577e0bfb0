"""Authentication that tells the truth about the user, on a real Granian server.

The rows change under the running server (``sqlite3`` on the server's own database file, as
an admin tool or another service would): a demoted admin keeps a valid token, a user is
deleted or deactivated, a permission is taken away. With ``verify_user=True`` the very next
request sees it; dead accounts are a 401 with a reason on every path; refused tokens say
why (RFC 6750) without repeating anything the client sent.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Server
from tests.e2e.reliability.helpers import assert_clean_error, bearer, token

pytestmark = [pytest.mark.e2e]

CHALLENGE = 'Bearer realm="api", error="invalid_token", error_description="{}"'
USER_GONE = "The user of this token is inactive or deleted"


@pytest.fixture(scope="module")
def server(serve_app: Any) -> Server:
    return serve_app("tests.e2e.security.auth_app:api")


@pytest.fixture
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=10) as c:
        yield c


def run_sql(server: Server, sql: str, *params: Any) -> None:
    """Change the server's database behind its back (committed at once)."""
    db: Path = server.db  # type: ignore[attr-defined]
    conn = sqlite3.connect(db, timeout=10)
    try:
        with conn:
            conn.execute(sql, params)
    finally:
        conn.close()


def refused(response: httpx.Response, description: str) -> None:
    assert_clean_error(response, 401)
    assert response.headers["www-authenticate"] == CHALLENGE.format(description)
    assert response.json() == {"detail": description}


def test_demoted_admin_is_refused_on_the_next_request(
    client: httpx.Client, server: Server, seeded: dict[str, Any]
) -> None:
    headers = bearer(token(seeded["admin"], is_superuser=True, is_staff=True))
    assert client.get("/api/admin/strict", headers=headers).json() == {"admin": True}
    assert client.get("/api/admin/trusting", headers=headers).json() == {"admin": True}
    run_sql(server, "UPDATE auth_user SET is_superuser = 0 WHERE username = 'admin'")
    r = client.get("/api/admin/strict", headers=headers)
    assert_clean_error(r, 403)
    assert r.json() == {"detail": "Administrator access required."}
    # The stateless route trusts the claims until the token expires (the documented trade).
    assert client.get("/api/admin/trusting", headers=headers).json() == {"admin": True}


def test_forged_admin_claims_grant_nothing_with_verify_user(
    client: httpx.Client, seeded: dict[str, Any]
) -> None:
    """A token for alice that says she is a superuser (minted before a demotion, or by a
    careless issuer) is judged by alice's row."""
    headers = bearer(token(seeded["alice"], is_superuser=True, is_staff=True))
    assert_clean_error(client.get("/api/admin/strict", headers=headers), 403)


def test_revoked_permission_is_refused(
    client: httpx.Client, server: Server, seeded: dict[str, Any]
) -> None:
    headers = bearer(token(seeded["writer"], permissions=["relapp.add_item"]))
    assert client.get("/api/items/can-add", headers=headers).json() == {
        "permissions": ["relapp.add_item"]
    }
    run_sql(server, "DELETE FROM auth_user_user_permissions WHERE user_id = ?", seeded["writer"])
    r = client.get("/api/items/can-add", headers=headers)
    assert_clean_error(r, 403)
    assert r.json() == {"detail": "Missing permission: relapp.add_item."}


def test_deleted_user_is_401_on_every_path(
    client: httpx.Client, server: Server, seeded: dict[str, Any]
) -> None:
    headers = bearer(token(seeded["doomed"]))
    for path in ("/api/me", "/api/me/sync", "/api/me/strict"):
        assert client.get(path, headers=headers).json() == {"username": "doomed"}, path
    run_sql(server, "DELETE FROM auth_user WHERE id = ?", seeded["doomed"])
    for path in ("/api/me", "/api/me/sync", "/api/me/strict"):
        refused(client.get(path, headers=headers), USER_GONE)


def test_deactivated_user_is_401(
    client: httpx.Client, server: Server, seeded: dict[str, Any]
) -> None:
    headers = bearer(token(seeded["fading"]))
    assert client.get("/api/me/strict", headers=headers).status_code == 200
    run_sql(server, "UPDATE auth_user SET is_active = 0 WHERE id = ?", seeded["fading"])
    for path in ("/api/me", "/api/me/sync", "/api/me/strict"):
        refused(client.get(path, headers=headers), USER_GONE)


def test_never_active_user_is_401(client: httpx.Client, seeded: dict[str, Any]) -> None:
    refused(client.get("/api/me/strict", headers=bearer(token(seeded["inactive"]))), USER_GONE)


def test_expired_token_says_so(client: httpx.Client, seeded: dict[str, Any]) -> None:
    expired = token(seeded["alice"], expires_in=-30)
    for path in ("/api/me", "/api/me/strict", "/api/admin/strict"):
        refused(client.get(path, headers=bearer(expired)), "The token has expired")


def test_forged_expired_token_is_a_bad_signature(
    client: httpx.Client, seeded: dict[str, Any]
) -> None:
    """Expiry is never reported for a token the key did not sign: no oracle for forgers."""
    forged = token(seeded["alice"], secret="x" * 64, expires_in=-30)
    refused(client.get("/api/me", headers=bearer(forged)), "The token signature is invalid")


@pytest.mark.parametrize("value", ["abc", "a.b.c", 'x"y.z\\w', "e30." + "A" * 9000 + ".e30"])
def test_malformed_token(client: httpx.Client, value: str) -> None:
    r = client.get("/api/me", headers=bearer(value))
    refused(r, "The token is malformed")
    assert value not in r.text


def test_no_credentials_is_the_bare_challenge(client: httpx.Client) -> None:
    r = client.get("/api/me")
    assert_clean_error(r, 401)
    assert r.headers["www-authenticate"] == 'Bearer realm="api"'


def test_read_only_for_anonymous_callers(client: httpx.Client, seeded: dict[str, Any]) -> None:
    assert client.get("/api/board").json() == {"posts": []}
    assert client.head("/api/board").status_code == 200
    r = client.post("/api/board")
    assert_clean_error(r, 401)
    assert r.headers["www-authenticate"] == 'Bearer realm="api"'
    posted = client.post("/api/board", headers=bearer(token(seeded["alice"])))
    assert posted.json() == {"posted_by": seeded["alice"]}
