"""IsAuthenticatedOrReadOnly: anyone may read (GET, HEAD, OPTIONS); writing needs a caller
an authentication backend identified, and a refused write never reaches the handler."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

import bolt.auth
import bolt_plugins.guards
from bolt.auth import IsAdminUser, IsAuthenticatedOrReadOnly, JWTAuthentication
from tests.plugins.auth.conftest import SECRET, claims_for

WRITES: list[str] = []


def token(**claims: Any) -> dict[str, str]:
    return {
        "Authorization": "Bearer " + jwt.encode(claims_for(**claims), SECRET, algorithm="HS256")
    }


@pytest.fixture
def client(make_api: Any, client_for: Any) -> Any:
    api = make_api(auth=[JWTAuthentication()], guards=[IsAuthenticatedOrReadOnly()])
    WRITES.clear()

    @api.get("/posts")
    async def read(request) -> dict:
        return {"user": request.get("auth", {}).get("user_id")}

    @api.options("/posts")
    async def describe() -> dict:
        return {"methods": ["GET", "POST"]}

    for method in ("post", "put", "patch", "delete"):

        @getattr(api, method)("/posts")
        async def write(request) -> dict:
            WRITES.append(request.method)
            return {"written": True}

    @api.post("/admin-posts", guards=[IsAuthenticatedOrReadOnly() & IsAdminUser()])
    async def admin_write() -> dict:
        WRITES.append("admin")
        return {"written": True}

    return client_for(api)


def test_exported_where_users_look() -> None:
    assert bolt.auth.IsAuthenticatedOrReadOnly is bolt_plugins.guards.IsAuthenticatedOrReadOnly
    assert "IsAuthenticatedOrReadOnly" in bolt.auth.__all__
    assert "IsAuthenticatedOrReadOnly" in bolt_plugins.guards.__all__


def test_anyone_may_read(client: Any) -> None:
    assert client.get("/posts").json() == {"user": None}
    head = client.head("/posts")
    assert head.status_code == 200
    assert head.content == b""
    assert client.options("/posts").json() == {"methods": ["GET", "POST"]}
    assert client.get("/posts", headers=token()).json() == {"user": 1}


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_anonymous_writes_are_401(client: Any, method: str) -> None:
    r = client.request(method, "/posts")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'Bearer realm="api"'
    assert r.json() == {"detail": "Authentication credentials were not provided."}
    assert WRITES == []


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_identified_callers_may_write(client: Any, method: str) -> None:
    r = client.request(method, "/posts", headers=token())
    assert r.json() == {"written": True}
    assert [method] == WRITES


def test_bad_credentials_are_401_even_for_reads(client: Any) -> None:
    r = client.get("/posts", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401
    assert "invalid_token" in r.headers["www-authenticate"]


def test_composes_with_other_guards(client: Any) -> None:
    assert client.post("/admin-posts").status_code == 401
    r = client.post("/admin-posts", headers=token())
    assert r.status_code == 403
    assert "Administrator access required." in r.json()["detail"]
    assert WRITES == []
    assert client.post("/admin-posts", headers=token(is_superuser=True)).status_code == 200
    assert WRITES == ["admin"]


def test_repr() -> None:
    assert repr(IsAuthenticatedOrReadOnly()) == "IsAuthenticatedOrReadOnly()"
