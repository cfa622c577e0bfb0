"""Rights read from the database: ``verify_user=True``, sessions and API keys bound to users.

A token's ``is_staff`` / ``is_superuser`` / ``permissions`` claims are a snapshot of minting
time. Where a backend loads the user anyway, the guards must read the user's current row:
a demoted admin is refused at once, a deleted or deactivated user is a 401 (never a 404),
and the stateless route stays stateless (no query at all).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client as DjangoClient

from bolt.auth import (
    APIKeyAuthentication,
    HasAllPermissions,
    HasAnyPermission,
    HasPermission,
    IsAdminUser,
    IsAuthenticated,
    IsStaff,
    JWTAuthentication,
    SessionAuthentication,
    create_jwt_for_user,
)
from bolt.exceptions import ImproperlyConfigured

from .conftest import grant

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]

USER_GONE = (
    'Bearer realm="api", error="invalid_token", '
    'error_description="The user of this token is inactive or deleted"'
)
KEY = "k-9f2b7c1d4e6a8b0c2d4e6f8a0b1c3d5e"


@pytest.fixture
def queries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL statement any thread runs while the test does (the ORM may run in a worker
    thread, where a per-connection capture would miss it)."""
    from django.db.backends import utils

    seen: list[str] = []
    original = utils.CursorWrapper.execute

    def execute(self: Any, sql: str, params: Any = None) -> Any:
        seen.append(sql)
        return original(self, sql, params)

    monkeypatch.setattr(utils.CursorWrapper, "execute", execute)
    return seen


def fresh(user: Any) -> Any:
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def client(make_api: Any, client_for: Any) -> Any:
    strict = JWTAuthentication(verify_user=True)
    api = make_api(auth=[strict])

    @api.get("/admin", guards=[IsAdminUser()])
    async def admin_only(request) -> dict:
        return {"ok": True}

    @api.get("/admin-stateless", auth=[JWTAuthentication()], guards=[IsAdminUser()])
    async def admin_stateless(request) -> dict:
        return {"ok": True}

    @api.get("/staff", guards=[IsStaff()])
    async def staff_only(request) -> dict:
        return {"ok": True}

    @api.get("/perm", guards=[HasPermission("auth.add_group")])
    async def perm(request) -> dict:
        return {"permissions": list(request.get("auth", {})["permissions"])}

    @api.get("/any", guards=[HasAnyPermission("auth.add_group", "auth.change_group")])
    async def any_perm(request) -> dict:
        return {"ok": True}

    @api.get("/all", guards=[HasAllPermissions("auth.add_group", "auth.change_group")])
    async def all_perms(request) -> dict:
        return {"ok": True}

    @api.get("/staff-or-perm", guards=[IsStaff() | HasPermission("auth.add_group")])
    async def staff_or_perm(request) -> dict:
        return {"ok": True}

    @api.get("/context", guards=[IsAuthenticated()])
    async def context(request) -> dict:
        user = await request.auser()
        auth = request.get("auth", {})
        return {
            "username": auth["username"],
            "is_staff": auth["is_staff"],
            "is_admin": auth["is_admin"],
            "loaded": user.username,
        }

    @api.get("/stateless", auth=[JWTAuthentication()], guards=[IsAuthenticated()])
    async def stateless(request) -> dict:
        return {"user_id": request.get("auth", {})["user_id"]}

    return client_for(api)


def test_demoted_admin_is_refused_at_once(client: Any, admin: Any, bearer: Any) -> None:
    headers = bearer(create_jwt_for_user(admin))
    assert client.get("/admin", headers=headers).status_code == 200
    admin.is_superuser = False
    admin.save()
    r = client.get("/admin", headers=headers)
    assert r.status_code == 403
    assert r.json() == {"detail": "Administrator access required."}
    # Without verify_user the token's claims are trusted until it expires (documented).
    assert client.get("/admin-stateless", headers=headers).status_code == 200


def test_promotion_counts_at_once_too(client: Any, user: Any, bearer: Any) -> None:
    headers = bearer(create_jwt_for_user(user))
    assert client.get("/staff", headers=headers).status_code == 403
    user.is_staff = True
    user.save()
    assert client.get("/staff", headers=headers).status_code == 200


def test_demoted_staff_is_refused(client: Any, staff: Any, bearer: Any) -> None:
    headers = bearer(create_jwt_for_user(staff))
    assert client.get("/staff", headers=headers).status_code == 200
    staff.is_staff = False
    staff.save()
    r = client.get("/staff", headers=headers)
    assert r.status_code == 403
    assert r.json() == {"detail": "Staff access required."}


def test_context_holds_the_current_row(client: Any, staff: Any, bearer: Any) -> None:
    headers = bearer(create_jwt_for_user(staff))
    staff.username = "samuel"
    staff.is_staff = False
    staff.save()
    assert client.get("/context", headers=headers).json() == {
        "username": "samuel",
        "is_staff": False,
        "is_admin": False,
        "loaded": "samuel",
    }


def test_forged_rights_claims_are_ignored(client: Any, user: Any, bearer: Any) -> None:
    """Claims that disagree with the row (a token minted with more rights than the user
    has, e.g. under a leaked old key rotation) grant nothing when the row is read."""
    token = create_jwt_for_user(
        user,
        extra_claims={"is_superuser": True, "is_staff": True, "permissions": ["auth.add_group"]},
    )
    for path in ("/admin", "/staff", "/perm", "/any"):
        assert client.get(path, headers=bearer(token)).status_code == 403, path


def test_revoked_permission_is_refused(client: Any, user: Any, bearer: Any) -> None:
    granted = grant(user, "auth.add_group", "auth.change_group")
    headers = bearer(create_jwt_for_user(granted))
    for path in ("/perm", "/any", "/all", "/staff-or-perm"):
        assert client.get(path, headers=headers).status_code == 200, path
    granted.user_permissions.remove(Permission.objects.get(codename="change_group"))
    assert client.get("/all", headers=headers).status_code == 403
    assert client.get("/perm", headers=headers).json() == {"permissions": ["auth.add_group"]}
    granted.user_permissions.clear()
    for path in ("/perm", "/any", "/all", "/staff-or-perm"):
        assert client.get(path, headers=headers).status_code == 403, path
    assert client.get("/perm", headers=headers).json() == {
        "detail": "Missing permission: auth.add_group."
    }


def test_permission_granted_later_and_through_a_group(client: Any, user: Any, bearer: Any) -> None:
    headers = bearer(create_jwt_for_user(user))
    assert client.get("/perm", headers=headers).status_code == 403
    editors = Group.objects.create(name="editors")
    editors.permissions.add(Permission.objects.get(codename="add_group"))
    user.groups.add(editors)
    assert client.get("/perm", headers=headers).status_code == 200


def test_deleted_or_inactive_user_is_401_with_a_reason(client: Any, user: Any, bearer: Any) -> None:
    headers = bearer(create_jwt_for_user(user))
    user.is_active = False
    user.save()
    for path in ("/admin", "/context", "/perm"):
        r = client.get(path, headers=headers)
        assert r.status_code == 401, path
        assert r.headers["www-authenticate"] == USER_GONE
        assert r.json() == {"detail": "The user of this token is inactive or deleted"}
    user.delete()
    r = client.get("/context", headers=headers)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == USER_GONE


def test_one_query_for_the_user_none_without_verify_user(
    client: Any, user: Any, bearer: Any, queries: list[str]
) -> None:
    headers = bearer(create_jwt_for_user(grant(user, "auth.add_group")))
    queries.clear()
    assert client.get("/stateless", headers=headers).status_code == 200
    assert client.get("/stateless", headers=headers).status_code == 200
    assert queries == [], "verify_user=False must not touch the database"
    assert client.get("/context", headers=headers).status_code == 200
    assert len(queries) == 1, queries  # the user row; auser() reuses it
    queries.clear()
    assert client.get("/staff", headers=headers).status_code == 403
    assert len(queries) == 1, queries  # no permission guard: permissions are not loaded
    queries.clear()
    assert client.get("/perm", headers=headers).status_code == 200
    assert len(queries) == 2, queries  # the user, then all its permissions in one query


def test_superuser_needs_no_permission_query(
    client: Any, admin: Any, bearer: Any, queries: list[str]
) -> None:
    headers = bearer(create_jwt_for_user(admin))
    queries.clear()
    assert client.get("/all", headers=headers).status_code == 200
    assert len(queries) == 1, queries


# --- sessions ------------------------------------------------------------------------------


def session_cookie(user: Any) -> str:
    django_client = DjangoClient()
    django_client.force_login(user)
    return django_client.cookies["sessionid"].value


@pytest.fixture
def session_client(make_api: Any, client_for: Any) -> Any:
    api = make_api(auth=[SessionAuthentication()])

    @api.get("/admin", guards=[IsAdminUser()])
    async def admin_only(request) -> dict:
        return {"ok": True}

    @api.get("/me", guards=[IsAuthenticated()])
    async def me(request) -> dict:
        return {"name": (await request.auser()).username}

    @api.get("/perm", guards=[HasPermission("auth.add_group")])
    async def perm(request) -> dict:
        return {"ok": True}

    return client_for(api)


def test_session_rights_are_current(session_client: Any, admin: Any, user: Any) -> None:
    session_client.cookies.set("sessionid", session_cookie(admin))
    assert session_client.get("/admin").status_code == 200
    admin.is_superuser = False
    admin.save()
    assert session_client.get("/admin").status_code == 403
    session_client.cookies.set("sessionid", session_cookie(user))
    assert session_client.get("/perm").status_code == 403
    grant(user, "auth.add_group")
    assert session_client.get("/perm").status_code == 200


def test_session_loads_permissions_only_for_permission_guards(
    session_client: Any, user: Any, queries: list[str]
) -> None:
    session_client.cookies.set("sessionid", session_cookie(grant(user, "auth.add_group")))
    queries.clear()
    assert session_client.get("/me").json() == {"name": "alice"}
    assert len(queries) == 2, queries  # the session row and the user row
    queries.clear()
    assert session_client.get("/perm").status_code == 200
    assert len(queries) == 3, queries  # ... and the permissions, in one query


# --- API keys bound to Django users -----------------------------------------------------------


@pytest.fixture
def key_client(make_api: Any, client_for: Any, user: Any) -> Any:
    keys = APIKeyAuthentication(api_keys={KEY: {"user_id": user.pk}}, django_user=True)
    api = make_api(auth=[keys])

    @api.get("/staff", guards=[IsStaff()])
    async def staff_only(request) -> dict:
        return {"name": (await request.auser()).username}

    @api.get("/perm", guards=[HasPermission("auth.add_group")])
    async def perm(request) -> dict:
        return {"ok": True}

    @api.get("/me", guards=[IsAuthenticated()])
    def me(request) -> dict:
        return {"name": request.user.username, "username": request.auth["username"]}

    return client_for(api)


def test_api_key_bound_to_a_user_reads_its_row(key_client: Any, user: Any) -> None:
    headers = {"X-API-Key": KEY}
    assert key_client.get("/me", headers=headers).json() == {"name": "alice", "username": "alice"}
    assert key_client.get("/staff", headers=headers).status_code == 403
    user.is_staff = True
    user.save()
    assert key_client.get("/staff", headers=headers).json() == {"name": "alice"}
    assert key_client.get("/perm", headers=headers).status_code == 403
    grant(user, "auth.add_group")
    assert key_client.get("/perm", headers=headers).status_code == 200
    user.is_active = False
    user.save()
    for path in ("/me", "/staff", "/perm"):
        r = key_client.get(path, headers=headers)
        assert r.status_code == 401, path
        assert r.headers["www-authenticate"].startswith("APIKey")
    user.delete()
    assert key_client.get("/me", headers=headers).status_code == 401


def test_api_key_bound_to_a_user_cannot_claim_rights(user: Any) -> None:
    """With ``django_user=True`` the row decides; rights written beside the key would be
    silently ignored, so they stop startup instead."""
    for identity in (
        {"user_id": 1, "is_staff": True},
        {"user_id": 1, "is_admin": True},
        {"user_id": 1, "permissions": ["auth.add_group"]},
    ):
        with pytest.raises(ImproperlyConfigured):
            APIKeyAuthentication(api_keys={KEY: identity}, django_user=True)
    with pytest.raises(ImproperlyConfigured):
        APIKeyAuthentication(
            api_keys={KEY: {"user_id": 1}}, permissions={KEY: ["a.b"]}, django_user=True
        )


# --- a dead account is a 401 on every path, with the ORM plugin's 404 mapping installed -----


@pytest.fixture
def crud_client(make_api: Any, client_for: Any, user: Any) -> Any:
    api = make_api(plugins=["auth", "guards", "crud"])
    lazy = JWTAuthentication()

    @api.get("/async-user", auth=[lazy], guards=[IsAuthenticated()])
    async def async_user(request) -> dict:
        return {"name": (await request.auser()).username}

    @api.get("/sync-user", auth=[lazy], guards=[IsAuthenticated()])
    def sync_user(request) -> dict:
        return {"name": request.user.username}

    @api.get("/strict", auth=[JWTAuthentication(verify_user=True)], guards=[IsStaff()])
    async def strict(request) -> dict:
        return {"ok": True}

    @api.get("/key", auth=[APIKeyAuthentication(api_keys={KEY: str(user.pk)}, django_user=True)])
    def key(request) -> dict:
        return {"name": request.user.username}

    return client_for(api)


def test_dead_account_is_401_never_404(crud_client: Any, user: Any, bearer: Any) -> None:
    headers = bearer(create_jwt_for_user(user))
    assert crud_client.get("/async-user", headers=headers).json() == {"name": "alice"}
    assert crud_client.get("/key", headers={"X-API-Key": KEY}).json() == {"name": "alice"}
    user.delete()
    for path, hdrs in (
        ("/async-user", headers),
        ("/sync-user", headers),
        ("/strict", headers),
        ("/key", {"X-API-Key": KEY}),
    ):
        r = crud_client.get(path, headers=hdrs)
        assert r.status_code == 401, (path, r.text)
        assert "www-authenticate" in r.headers
        assert "not found" not in r.text.lower()
