"""Attacks on how guards are judged: a request rule that the object-only test misses, DRF
permission classes used as guards, and object-only guards on a WebSocket route."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from bolt import BoltAPI
from bolt.auth import (
    IsAuthenticatedOrReadOnly,
    IsStaff,
    JWTAuthentication,
    create_jwt_for_user,
)
from bolt.exceptions import ImproperlyConfigured
from bolt.testing import TestClient
from bolt_plugins.guards import BaseGuard

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class StaffOnlyEditor(BaseGuard):
    """A guard built from a function: its request rule is set on the instance."""

    message = "Staff only."

    def __init__(self) -> None:
        self.has_permission = lambda request: bool(request.auth and request.auth["is_staff"])

    def has_object_permission(self, request: Any, obj: Any) -> bool:
        return True


def _api(*guards: Any) -> BoltAPI:
    api = BoltAPI(plugins=["auth", "guards"])

    @api.post("/things", auth=[JWTAuthentication()], guards=list(guards))
    async def create() -> dict[str, str]:
        return {"created": "yes"}

    return api


@pytest.mark.parametrize("composition", ["list", "or", "and"])
def test_a_request_rule_set_on_the_instance_still_decides(
    composition: str, user: Any, staff: Any, bearer: Any
) -> None:
    """``self.has_permission = ...`` is a request rule: it must not be taken for the
    inherited "no opinion" and skipped (a plain user created through it)."""
    guards: list[Any] = {
        "list": [IsAuthenticatedOrReadOnly(), StaffOnlyEditor()],
        "or": [StaffOnlyEditor() | IsStaff()],
        "and": [IsAuthenticatedOrReadOnly() & StaffOnlyEditor()],
    }[composition]
    with TestClient(_api(*guards)) as c:
        r = c.post("/things", headers=bearer(create_jwt_for_user(user)))
        assert r.status_code == 403, r.text
        assert "Staff only." in r.json()["detail"]
        ok = c.post("/things", headers=bearer(create_jwt_for_user(staff)))
        assert ok.status_code == 200, ok.text


def test_a_lone_guard_with_an_instance_request_rule_is_no_startup_error(
    staff: Any, bearer: Any
) -> None:
    with TestClient(_api(StaffOnlyEditor())) as c:
        assert c.post("/things").status_code == 401
        assert c.post("/things", headers=bearer(create_jwt_for_user(staff))).status_code == 200


class DrfIsOwner:
    """DRF's signatures: has_permission(request, view), has_object_permission(request,
    view, obj)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return True

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return False


class DrfObjectOnly(BaseGuard):
    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return False


@pytest.mark.parametrize(
    "guard",
    [
        DrfIsOwner(),
        DrfObjectOnly(),
        "rest_framework.permissions.IsAuthenticated",
        "rest_framework.permissions.IsAdminUser",
    ],
)
def test_drf_permission_signatures_stop_startup(guard: Any) -> None:
    """A DRF permission class (or one written with DRF's signatures) would fail every
    request with a TypeError, a 500: refused while the route compiles, naming the fix."""
    api = BoltAPI(plugins=["auth", "guards"])

    @api.get("/x", guards=[IsAuthenticatedOrReadOnly(), guard])
    async def x() -> dict[str, str]:
        return {}

    # DRF itself is not a test dependency: without it the dotted path cannot be imported,
    # which stops startup too (the project that names it has DRF installed).
    drf_missing = isinstance(guard, str) and importlib.util.find_spec("rest_framework") is None
    expected = "No module named 'rest_framework'" if drf_missing else "Bolt passes no view"
    with pytest.raises(ImproperlyConfigured, match=expected):
        api.compile()


class IsOwner(BaseGuard):
    def has_object_permission(self, request: Any, obj: Any) -> bool:
        return False


def test_websocket_route_whose_guards_only_have_object_rules_is_refused() -> None:
    """A handshake loads no object: an object-only guard must not open it."""
    api = BoltAPI(plugins=["auth", "guards"])

    @api.websocket("/ws", guards=[IsOwner()])
    async def ws(websocket: Any) -> None:
        await websocket.accept()
        await websocket.close()

    with pytest.raises(ImproperlyConfigured, match="only object rules"):
        api.compile()


def test_websocket_handshake_beside_a_request_rule_is_decided_by_it(
    user: Any, staff: Any, bearer: Any
) -> None:
    """``IsStaff() | IsOwner()`` on a WebSocket route: the owner rule cannot stand in for
    ``IsStaff`` on a handshake, which loads no object."""
    api = BoltAPI(plugins=["auth", "guards"])

    @api.websocket("/ws", auth=[JWTAuthentication()], guards=[IsStaff() | IsOwner()])
    async def ws(websocket: Any) -> None:
        await websocket.accept()
        await websocket.send_text("in")
        await websocket.close()

    with TestClient(api) as c:
        plain = bearer(create_jwt_for_user(user))
        with pytest.raises(Exception, match="403"), c.websocket_connect("/ws", headers=plain):
            pass
        with c.websocket_connect("/ws", headers=bearer(create_jwt_for_user(staff))) as w:
            assert w.receive_text() == "in"
