"""Real Django users: tokens minted for them, request.user / auser(), dead accounts."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group

from bolt.auth import (
    HasPermission,
    IsAuthenticated,
    JWTAuthentication,
    create_jwt_for_user,
)
from bolt_plugins.auth import acreate_jwt_for_user

from .conftest import grant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client(make_api: Any, client_for: Any) -> Any:
    api = make_api(auth=[JWTAuthentication()], guards=[IsAuthenticated()])

    @api.get("/async-user")
    async def async_user(request) -> dict:
        user = await request.auser()
        return {"username": user.username, "same_pk": user.pk == request.get("auth")["user_id"]}

    @api.get("/sync-user")
    def sync_user(request) -> dict:
        return {"username": request.user.username}

    @api.get("/context")
    async def context(request) -> dict:
        return request.get("auth", {})

    @api.post("/groups", guards=[HasPermission("auth.add_group")])
    async def add_group(request) -> dict:
        group = await Group.objects.acreate(name="made-by-handler")
        return {"id": group.pk}

    return client_for(api)


def test_context_from_minted_token(client: Any, user: Any, bearer: Any) -> None:
    user = grant(user, "auth.view_group")
    auth = client.get("/context", headers=bearer(create_jwt_for_user(user))).json()
    assert auth["user_id"] == user.pk
    assert type(auth["user_id"]) is int
    assert auth["username"] == "alice"
    assert auth["permissions"] == ["auth.view_group"]
    assert auth["is_admin"] is False


def test_user_id_compares_equal_to_a_foreign_key(
    make_api: Any, client_for: Any, user: Any, bearer: Any
) -> None:
    """The guide's ``obj.author_id == user_id`` holds: both are the pk's own type."""
    user = grant(user, "auth.view_group")
    api = make_api(auth=[JWTAuthentication()], guards=[IsAuthenticated()])
    through = type(user).user_permissions.through

    @api.get("/owned")
    async def owned(request) -> dict:
        user_id = request.get("auth", {}).get("user_id")
        row = await through.objects.afirst()
        return {"owner": row.user_id == user_id}

    client = client_for(api)
    assert client.get("/owned", headers=bearer(create_jwt_for_user(user))).json() == {"owner": True}


def test_request_auser_and_user(client: Any, user: Any, bearer: Any) -> None:
    headers = bearer(create_jwt_for_user(user))
    assert client.get("/async-user", headers=headers).json() == {
        "username": "alice",
        "same_pk": True,
    }
    assert client.get("/sync-user", headers=headers).json() == {"username": "alice"}


def test_deleted_user_is_401_when_loaded(client: Any, user: Any, bearer: Any) -> None:
    headers = bearer(create_jwt_for_user(user))
    user.delete()
    for path in ("/async-user", "/sync-user"):
        r = client.get(path, headers=headers)
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Bearer")


def test_inactive_user_is_401_when_loaded(client: Any, user: Any, bearer: Any) -> None:
    headers = bearer(create_jwt_for_user(user))
    user.is_active = False
    user.save()
    assert client.get("/async-user", headers=headers).status_code == 401
    assert client.get("/sync-user", headers=headers).status_code == 401


def test_verify_user_rejects_dead_accounts_up_front(
    make_api: Any, client_for: Any, user: Any, bearer: Any
) -> None:
    api = make_api()
    calls: list[int] = []

    @api.get("/strict", auth=[JWTAuthentication(verify_user=True)], guards=[IsAuthenticated()])
    async def strict(request) -> dict:
        calls.append(1)
        return {"name": (await request.auser()).username}

    client = client_for(api)
    headers = bearer(create_jwt_for_user(user))
    assert client.get("/strict", headers=headers).json() == {"name": "alice"}
    user.is_active = False
    user.save()
    assert client.get("/strict", headers=headers).status_code == 401
    user.delete()
    assert client.get("/strict", headers=headers).status_code == 401
    assert calls == [1]


def test_revoked_jti_is_401(make_api: Any, client_for: Any, user: Any, bearer: Any) -> None:
    import jwt as pyjwt
    from django.conf import settings

    revoked: set[str] = set()

    async def is_revoked(claims: dict) -> bool:
        return claims.get("jti") in revoked

    api = make_api()

    @api.get("/r", auth=[JWTAuthentication(is_revoked=is_revoked)], guards=[IsAuthenticated()])
    async def r() -> dict:
        return {"ok": True}

    client = client_for(api)
    token = create_jwt_for_user(user)
    assert client.get("/r", headers=bearer(token)).status_code == 200
    revoked.add(pyjwt.decode(token, settings.SECRET_KEY, algorithms=["HS256"])["jti"])
    assert client.get("/r", headers=bearer(token)).status_code == 401


def test_guarded_write_never_runs(client: Any, user: Any, bearer: Any) -> None:
    before = Group.objects.count()
    assert client.post("/groups").status_code == 401
    assert client.post("/groups", headers=bearer(create_jwt_for_user(user))).status_code == 403
    assert Group.objects.count() == before
    allowed = grant(user, "auth.add_group")
    assert client.post("/groups", headers=bearer(create_jwt_for_user(allowed))).status_code == 200
    assert Group.objects.count() == before + 1


def test_superuser_token_passes_permission_guards(client: Any, admin: Any, bearer: Any) -> None:
    token = create_jwt_for_user(admin)
    assert client.post("/groups", headers=bearer(token)).status_code == 200
    auth = client.get("/context", headers=bearer(token)).json()
    assert auth["is_admin"] is True
    assert auth["permissions"] == []  # superusers hold every permission without listing them


def test_acreate_jwt_for_user(client: Any, user: Any, bearer: Any) -> None:
    from asgiref.sync import async_to_sync

    user = grant(user, "auth.add_group")
    token = async_to_sync(acreate_jwt_for_user)(user)
    assert client.post("/groups", headers=bearer(token)).status_code == 200


def test_without_permissions_claim(client: Any, user: Any, bearer: Any) -> None:
    user = grant(user, "auth.add_group")
    token = create_jwt_for_user(user, include_permissions=False)
    assert client.post("/groups", headers=bearer(token)).status_code == 403


def test_permissions_are_a_snapshot(client: Any, user: Any, bearer: Any) -> None:
    """Tokens carry the permissions of minting time; revoking needs a new token."""
    granted = grant(user, "auth.add_group")
    token = create_jwt_for_user(granted)
    granted.user_permissions.clear()
    assert client.post("/groups", headers=bearer(token)).status_code == 200
    fresh = type(user).objects.get(pk=user.pk)
    assert client.post("/groups", headers=bearer(create_jwt_for_user(fresh))).status_code == 403


def test_token_for_an_id_beyond_the_column_is_401(client: Any, bearer: Any) -> None:
    import jwt as pyjwt
    from django.conf import settings

    from .conftest import claims_for

    token = pyjwt.encode(claims_for(2**70), settings.SECRET_KEY, algorithm="HS256")
    assert client.get("/context", headers=bearer(token)).status_code == 200  # no DB needed
    assert client.get("/async-user", headers=bearer(token)).status_code == 401
    assert client.get("/sync-user", headers=bearer(token)).status_code == 401
