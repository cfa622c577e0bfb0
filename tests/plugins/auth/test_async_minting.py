"""``create_jwt_for_user`` called in an ``async`` login handler (the handler everyone writes).

On the event loop the user's permissions cannot be read without blocking, so the token
says they live in the database: a permission guard reads them there (one query, only when
it asks), which also makes them current. Anywhere else the token carries the list, as before.
"""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from django.contrib.auth import aauthenticate
from django.contrib.auth.models import Permission

from bolt import BoltAPI
from bolt.auth import HasPermission, JWTAuthentication, create_jwt_for_user
from bolt.testing import TestClient
from tests.plugins.auth.conftest import SECRET, grant

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]

PERM = "auth.view_user"


def login_api(**mint: Any) -> BoltAPI:
    # crud: sync handlers get Django's connection hygiene (a worker thread's connection is
    # closed after the request, as under Django), as in any project using the ORM.
    api = BoltAPI(plugins=["auth", "guards", "crud"], auth=[JWTAuthentication()])

    @api.post("/token", auth=[], guards=[])
    async def token(data: dict) -> dict:
        user = await aauthenticate(username=data["username"], password=data["password"])
        if user is None:
            return {"access": None}
        return {"access": create_jwt_for_user(user, **mint)}

    @api.post("/sync-token", auth=[], guards=[])
    def sync_token(data: dict) -> dict:
        from django.contrib.auth import authenticate

        user = authenticate(username=data["username"], password=data["password"])
        return {"access": create_jwt_for_user(user, **mint)}

    @api.get("/users", guards=[HasPermission(PERM)])
    async def users() -> dict:
        return {"ok": True}

    @api.get("/whoami")
    async def whoami(request: Any) -> dict:
        auth = request.auth
        return {"user_id": auth["user_id"], "username": auth["username"]}

    return api


def login(c: TestClient, path: str = "/token") -> str:
    r = c.post(path, json={"username": "alice", "password": "pw-alice-123"})
    assert r.status_code == 200, r.text
    access: str = r.json()["access"]
    return access


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_async_login_handler_mints_a_working_token(user: Any) -> None:
    grant(user, PERM)
    with TestClient(login_api()) as c:
        token = login(c)
        who = c.get("/whoami", headers=bearer(token))
        assert who.status_code == 200, who.text
        assert who.json() == {"user_id": user.pk, "username": "alice"}
        allowed = c.get("/users", headers=bearer(token))
        assert allowed.status_code == 200, allowed.text


def test_rights_of_a_token_minted_on_the_loop_are_read_from_the_database(
    user: Any, django_user_model: Any
) -> None:
    """No stale list in the token: a right taken away counts on the next request."""
    grant(user, PERM)
    with TestClient(login_api()) as c:
        token = login(c)
        claims = jwt.decode(token, SECRET, algorithms=["HS256"])
        assert claims["permissions"] == []
        assert c.get("/users", headers=bearer(token)).status_code == 200
        user.user_permissions.remove(Permission.objects.get(codename="view_user"))
        refused = c.get("/users", headers=bearer(token))
        assert refused.status_code == 403, refused.text
        assert refused.json() == {"detail": f"Missing permission: {PERM}."}


def test_a_user_without_the_right_is_refused(user: Any) -> None:
    with TestClient(login_api()) as c:
        r = c.get("/users", headers=bearer(login(c)))
    assert r.status_code == 403, r.text


def test_deleted_user_holds_no_rights(user: Any) -> None:
    grant(user, PERM)
    with TestClient(login_api()) as c:
        token = login(c)
        user.delete()
        r = c.get("/users", headers=bearer(token))
    assert r.status_code == 403, r.text


def test_inactive_user_holds_no_rights(user: Any) -> None:
    """As Django's ``has_perm``: an inactive account has no permission."""
    grant(user, PERM)
    with TestClient(login_api()) as c:
        token = login(c)
        type(user).objects.filter(pk=user.pk).update(is_active=False)
        r = c.get("/users", headers=bearer(token))
    assert r.status_code == 403, r.text


def test_include_permissions_false_on_the_loop_grants_nothing(user: Any) -> None:
    """A token minted without permissions must not gain the user's rights from the
    database: only tokens that say their rights live there are read there."""
    grant(user, PERM)
    with TestClient(login_api(include_permissions=False)) as c:
        r = c.get("/users", headers=bearer(login(c)))
    assert r.status_code == 403, r.text


def test_extra_claims_cannot_switch_a_token_to_database_rights(user: Any) -> None:
    """The switch is Bolt's own claim, written after ``extra_claims``; a caller-supplied
    value of it is overwritten (a sync mint carries the list, never the switch)."""
    grant(user, PERM)
    with TestClient(login_api(extra_claims={"bolt_perms": "db"})) as c:
        token = login(c, "/sync-token")
        claims = jwt.decode(token, SECRET, algorithms=["HS256"])
        assert claims["permissions"] == [PERM]
        assert "bolt_perms" not in claims
        assert c.get("/users", headers=bearer(token)).status_code == 200


def test_sync_handler_still_puts_the_list_in_the_token(user: Any) -> None:
    grant(user, PERM)
    with TestClient(login_api()) as c:
        token = login(c, "/sync-token")
        claims = jwt.decode(token, SECRET, algorithms=["HS256"])
        assert claims["permissions"] == [PERM]
        assert c.get("/users", headers=bearer(token)).status_code == 200
