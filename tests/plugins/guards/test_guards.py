"""Guards: 401 without credentials, 403 when not allowed, and the handler never runs."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from bolt import BoltAPI
from bolt.auth import (
    AllowAny,
    HasAllPermissions,
    HasAnyPermission,
    HasPermission,
    IsAdminUser,
    IsAuthenticated,
    IsStaff,
    JWTAuthentication,
)
from bolt.exceptions import ImproperlyConfigured, NotFound
from bolt_plugins.guards import BaseGuard, check_object_permissions
from tests.plugins.auth.conftest import SECRET, claims_for

CALLS: list[str] = []


def token(**claims: Any) -> dict[str, str]:
    return {
        "Authorization": "Bearer " + jwt.encode(claims_for(**claims), SECRET, algorithm="HS256")
    }


ANON = None
PLAIN = {}
STAFF = {"is_staff": True}
ADMIN = {"is_superuser": True}
READER = {"permissions": ["docs.read"]}
WRITER = {"permissions": ["docs.read", "docs.write"]}


@pytest.fixture
def guarded(make_api: Any, client_for: Any) -> Any:
    """``guarded(guards)`` -> a function ``call(identity) -> status`` for one route."""

    def build(guards: list[Any]) -> Any:
        api = make_api(auth=[JWTAuthentication()])
        CALLS.clear()

        @api.post("/op", guards=guards)
        async def op() -> dict:
            CALLS.append("ran")
            return {"ok": True}

        client = client_for(api)

        def call(identity: dict[str, Any] | None) -> int:
            headers = token(**identity) if identity is not None else {}
            r = client.post("/op", headers=headers)
            if r.status_code == 401:
                assert r.headers["www-authenticate"].startswith("Bearer")
            if r.status_code in (401, 403):
                assert set(r.json()) == {"detail"}
            return r.status_code

        return call

    return build


@pytest.mark.parametrize(
    ("guards", "expected"),
    [
        ([AllowAny()], {"anon": 200, "plain": 200, "staff": 200, "admin": 200, "reader": 200}),
        (
            [IsAuthenticated()],
            {"anon": 401, "plain": 200, "staff": 200, "admin": 200, "reader": 200},
        ),
        ([IsAdminUser()], {"anon": 401, "plain": 403, "staff": 403, "admin": 200, "reader": 403}),
        ([IsStaff()], {"anon": 401, "plain": 403, "staff": 200, "admin": 403, "reader": 403}),
        (
            [HasPermission("docs.read")],
            {"anon": 401, "plain": 403, "staff": 403, "admin": 200, "reader": 200},
        ),
        (
            [HasPermission("docs.write")],
            {"anon": 401, "plain": 403, "admin": 200, "reader": 403, "writer": 200},
        ),
        (
            [HasAnyPermission("docs.write", "docs.read")],
            {"anon": 401, "plain": 403, "reader": 200, "writer": 200},
        ),
        (
            [HasAllPermissions("docs.write", "docs.read")],
            {"anon": 401, "plain": 403, "reader": 403, "writer": 200, "admin": 200},
        ),
        # combinations: a list means all must allow
        (
            [IsAuthenticated(), HasPermission("docs.write")],
            {"anon": 401, "reader": 403, "writer": 200},
        ),
        (
            [IsStaff(), HasPermission("docs.read")],
            {"anon": 401, "staff": 403, "reader": 403, "staff_reader": 200},
        ),
        ([AllowAny(), IsAdminUser()], {"anon": 401, "plain": 403, "admin": 200}),
        ([IsStaff() | IsAdminUser()], {"anon": 401, "plain": 403, "staff": 200, "admin": 200}),
        (
            [IsStaff() & HasPermission("docs.read")],
            {"anon": 401, "staff": 403, "staff_reader": 200},
        ),
        (
            [HasPermission("docs.write") | IsStaff()],
            {"anon": 401, "reader": 403, "writer": 200, "staff": 200},
        ),
    ],
)
def test_guard_matrix(guarded: Any, guards: list[Any], expected: dict[str, int]) -> None:
    identities = {
        "anon": ANON,
        "plain": PLAIN,
        "staff": STAFF,
        "admin": ADMIN,
        "reader": READER,
        "writer": WRITER,
        "staff_reader": {**STAFF, **READER},
    }
    call = guarded(guards)
    for who, status in expected.items():
        CALLS.clear()
        assert call(identities[who]) == status, who
        ran = len(CALLS)
        assert ran == (1 if status == 200 else 0), who


def test_forbidden_detail_names_the_missing_permission(make_api: Any, client_for: Any) -> None:
    api = make_api(auth=[JWTAuthentication()])

    @api.get("/x", guards=[HasPermission("docs.publish")])
    async def x() -> dict:
        return {}

    r = client_for(api).get("/x", headers=token())
    assert r.status_code == 403
    assert r.json() == {"detail": "Missing permission: docs.publish."}


def test_custom_guards_sync_async_and_raising(make_api: Any, client_for: Any) -> None:
    def weekday_only(request: Any) -> bool:
        return request.headers.get("x-day") != "sunday"

    class TenantGuard(BaseGuard):
        message = "Wrong tenant."

        async def has_permission(self, request: Any) -> bool:
            auth = request.auth
            return auth is not None and auth["claims"].get("tenant") == request.params["tenant"]

    class HideExistence:
        async def has_permission(self, request: Any) -> bool:
            if request.headers.get("x-probe"):
                raise NotFound()
            return True

    api = make_api(auth=[JWTAuthentication()])

    @api.get("/t/{tenant}", guards=[weekday_only, TenantGuard(), HideExistence()])
    async def tenant_route(tenant: str) -> dict:
        return {"tenant": tenant}

    c = client_for(api)
    assert c.get("/t/acme").status_code == 401
    assert c.get("/t/acme", headers=token(tenant="acme")).json() == {"tenant": "acme"}
    r = c.get("/t/acme", headers=token(tenant="other"))
    assert r.status_code == 403
    assert r.json() == {"detail": "Wrong tenant."}
    assert c.get("/t/acme", headers={**token(tenant="acme"), "X-Day": "sunday"}).status_code == 403
    assert c.get("/t/acme", headers={**token(tenant="acme"), "X-Probe": "1"}).status_code == 404


def test_object_permissions(make_api: Any, client_for: Any) -> None:
    docs = {1: {"id": 1, "owner": 1}, 2: {"id": 2, "owner": 2}}
    writes: list[int] = []

    class IsOwner(BaseGuard):
        message = "Only the owner may edit."

        def has_permission(self, request: Any) -> bool:
            return request.auth is not None

        async def has_object_permission(self, request: Any, obj: Any) -> bool:
            return obj["owner"] == request.auth["user_id"]

    api = make_api(auth=[JWTAuthentication()], guards=[IsOwner()])

    @api.put("/docs/{doc_id}")
    async def edit(request, doc_id: int) -> dict:
        doc = docs[doc_id]
        await check_object_permissions(request, doc)
        writes.append(doc_id)
        return {"edited": doc_id}

    c = client_for(api)
    assert c.put("/docs/1", headers=token()).json() == {"edited": 1}
    r = c.put("/docs/2", headers=token())
    assert r.status_code == 403
    assert r.json() == {"detail": "Only the owner may edit."}
    assert c.put("/docs/2").status_code == 401
    assert writes == [1]


def test_allow_any_only_adds_no_middleware(make_api: Any) -> None:
    api = make_api()

    @api.get("/x", guards=[AllowAny()])
    async def x() -> dict:
        return {}

    api.compile()
    assert list(api.routes[0].middleware_names) == []


def test_hook_bolt_route_middleware_guards_phase(make_api: Any) -> None:
    api = make_api()

    @api.get("/x", auth=[JWTAuthentication()], guards=[IsAuthenticated()])
    async def x() -> dict:
        return {}

    api.compile()
    assert list(api.routes[0].middleware_names) == ["auth", "guards"]
    assert "guards" in api.middleware_names


def test_guards_without_auth_plugin_still_refuse(client_for: Any) -> None:
    api = BoltAPI(plugins=["guards"])

    @api.get("/x", guards=[IsAuthenticated()])
    async def x() -> dict:
        return {}

    r = client_for(api).get("/x", headers=token())
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "build",
    [
        lambda: HasPermission(""),
        lambda: HasPermission("no_dot"),
        lambda: HasAnyPermission(),
        lambda: HasAllPermissions("docs.read", 3),
    ],
)
def test_bad_permission_names(build: Any) -> None:
    with pytest.raises(ImproperlyConfigured):
        build()


def test_non_guard_is_a_startup_error(make_api: Any) -> None:
    api = make_api()

    @api.get("/x", guards=["not a guard"])
    async def x() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match="dotted path"):
        api.compile()

    api2 = make_api()

    @api2.get("/y", guards=[42])
    async def y() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match="not a guard"):
        api2.compile()


def test_hook_bolt_configure_declares_guards_name() -> None:
    api = BoltAPI(plugins=["guards"])
    assert "guards" in api.middleware_names
    assert "auth" not in api.middleware_names
