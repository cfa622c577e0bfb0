"""SessionAuthentication: Django's login session on Bolt routes, with CSRF."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client as DjangoClient

from bolt.auth import (
    IsAuthenticated,
    JWTAuthentication,
    SessionAuthentication,
    create_jwt_for_user,
)

pytestmark = pytest.mark.django_db(transaction=True)

CSRF = "A" * 32


@pytest.fixture
def api(make_api: Any) -> Any:
    api = make_api(auth=[SessionAuthentication()], guards=[IsAuthenticated()])

    @api.get("/me")
    async def me(request) -> dict:
        user = await request.auser()
        return {**request.get("auth", {}), "loaded": user.username}

    @api.post("/groups")
    async def create_group(request) -> dict:
        await Group.objects.acreate(name="from-session")
        return {"created": True}

    @api.get("/either", auth=[JWTAuthentication(), SessionAuthentication()])
    async def either(request) -> dict:
        return {"backend": request.get("auth", {}).get("backend")}

    return api


@pytest.fixture
def client(api: Any, client_for: Any) -> Any:
    return client_for(api)


def session_cookie(user: Any) -> str:
    django_client = DjangoClient()
    django_client.force_login(user)
    return django_client.cookies["sessionid"].value


def test_logged_in_user(client: Any, user: Any) -> None:
    client.cookies.set("sessionid", session_cookie(user))
    r = client.get("/me")
    assert r.status_code == 200
    body = r.json()
    assert body["user_id"] == user.pk
    assert body["username"] == "alice"
    assert body["backend"] == "session"
    assert body["loaded"] == "alice"


def test_no_or_bogus_session_is_401(client: Any) -> None:
    r = client.get("/me")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'Session realm="api"'
    client.cookies.set("sessionid", "not-a-session-key")
    assert client.get("/me").status_code == 401


def test_inactive_user_session_is_401(client: Any, user: Any) -> None:
    client.cookies.set("sessionid", session_cookie(user))
    user.is_active = False
    user.save()
    assert client.get("/me").status_code == 401


def test_password_change_ends_sessions(client: Any, user: Any) -> None:
    client.cookies.set("sessionid", session_cookie(user))
    user.set_password("a-new-password-456")
    user.save()
    assert client.get("/me").status_code == 401


def test_unsafe_method_needs_csrf(client: Any, user: Any) -> None:
    client.cookies.set("sessionid", session_cookie(user))
    before = Group.objects.count()
    r = client.post("/groups")
    assert r.status_code == 403
    assert r.json()["detail"].startswith("CSRF failed")
    client.cookies.set("csrftoken", CSRF)
    assert client.post("/groups", headers={"X-CSRFToken": "B" * 32}).status_code == 403
    assert (
        client.post(
            "/groups", headers={"X-CSRFToken": CSRF, "Origin": "https://evil.example"}
        ).status_code
        == 403
    )
    assert client.post("/groups", headers={"X-CSRFToken": "garbage!"}).status_code == 403
    assert Group.objects.count() == before
    r = client.post("/groups", headers={"X-CSRFToken": CSRF, "Origin": "http://testserver"})
    assert r.status_code == 200
    assert Group.objects.count() == before + 1


def test_csrf_can_be_disabled(make_api: Any, client_for: Any, user: Any) -> None:
    api = make_api()

    @api.post("/nocsrf", auth=[SessionAuthentication(csrf=False)], guards=[IsAuthenticated()])
    async def nocsrf() -> dict:
        return {"ok": True}

    client = client_for(api)
    client.cookies.set("sessionid", session_cookie(user))
    assert client.post("/nocsrf").status_code == 200


def test_jwt_or_session(client: Any, user: Any, bearer: Any) -> None:
    r = client.get("/either", headers=bearer(create_jwt_for_user(user)))
    assert r.json() == {"backend": "jwt"}
    client.cookies.set("sessionid", session_cookie(user))
    assert client.get("/either").json() == {"backend": "session"}
    client.cookies.clear()
    r = client.get("/either")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'Bearer realm="api", Session realm="api"'


def test_jwt_cookie_needs_csrf_on_unsafe_methods(make_api: Any, client_for: Any, user: Any) -> None:
    api = make_api()
    backend = JWTAuthentication(cookie="access_token")

    @api.get("/c", auth=[backend], guards=[IsAuthenticated()])
    async def read() -> dict:
        return {"ok": True}

    @api.post("/c", auth=[backend], guards=[IsAuthenticated()])
    async def write() -> dict:
        return {"ok": True}

    client = client_for(api)
    client.cookies.set("access_token", create_jwt_for_user(user))
    assert client.get("/c").status_code == 200
    assert client.post("/c").status_code == 403
    client.cookies.set("csrftoken", CSRF)
    assert client.post("/c", headers={"X-CSRFToken": CSRF}).status_code == 200
