"""``force_authenticate`` whatever the import order, with guards, WebSockets and ``TestCase``.

Forced authentication is a test client's switch: routes take the forced identity only once
a test client asked for it, whenever the routes were compiled, and nothing a request carries
can turn it on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import TestCase

from bolt import BoltAPI
from bolt.auth import IsAdminUser, IsAuthenticated, JWTAuthentication, SessionAuthentication
from bolt.testing import AsyncTestClient, TestClient
from tests.django_native.auth_app import api as auth_api

pytestmark = pytest.mark.orm

ROOT = Path(__file__).resolve().parents[2]


def test_routes_compiled_before_bolt_testing_honour_force_authenticate() -> None:
    """A fresh process (no pytest plugin, like Django's ``manage.py test``): the API compiles
    and serves a plain client first, ``bolt.testing`` is imported afterwards."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.django_native.compiled_first"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.splitlines()[-1])
    assert out["compiled_before_bolt_testing"] is True
    assert out["plain"] == [401, 401, 401]
    # Until a test client forces, no route looks at the forced identity, even when set.
    assert out["identity_while_off"] == [401, 401, 401]
    assert out["switched_on_before"] is False
    forced = {"username": "ada", "backend": "force_authenticate"}
    assert out["forced"]["/key"] == {**forced, "user": "ada"}
    assert out["forced"]["/session"] == {**forced, "user": "ada"}
    assert out["forced"]["/admin"] == {"detail": "Administrator access required."}
    assert out["other"] == [401, 401, 401]  # the other client is not forced
    assert out["ws"] == forced
    assert out["ws_other"] == 401
    assert out["admin"] == {
        "username": "root",
        "backend": "force_authenticate",
        "authenticated": True,
    }
    # A context of one's own has no Django user behind it.
    assert out["context_only"] == {"username": "svc", "backend": None, "authenticated": False}
    assert out["unforced"] == [401, 401, 401]
    assert out["later"] == forced  # compiled after forcing was switched on


def _guarded_api() -> BoltAPI:
    api = BoltAPI(plugins=["auth", "guards"])

    @api.get("/me", auth=[JWTAuthentication()], guards=[IsAuthenticated()])
    async def me(request: Any) -> dict[str, Any]:
        return {"user_id": request.auth["user_id"], "backend": request.auth["backend"]}

    @api.get("/admin", auth=[JWTAuthentication(), SessionAuthentication()], guards=[IsAdminUser()])
    async def admin(request: Any) -> dict[str, Any]:
        return {"user": (await request.auser()).get_username()}

    return api


def test_force_after_the_api_served_a_plain_client() -> None:
    api = _guarded_api()
    with TestClient(api) as plain:
        assert plain.get("/me").status_code == 401  # compiled now
    user = get_user_model()(id=5, username="late")
    with TestClient(api) as client:
        client.force_authenticate(user)
        assert client.get("/me").json() == {"user_id": 5, "backend": "force_authenticate"}
        response = client.get("/admin")
        assert response.status_code == 403
        assert response.json() == {"detail": "Administrator access required."}


def test_nothing_in_a_request_turns_forcing_on() -> None:
    """With forcing switched on in this process (another client forces), a request that
    carries every name the feature goes by, as header, cookie or query, stays anonymous."""
    api = _guarded_api()
    user = get_user_model()(id=5, username="forced")
    names = ["force_authenticate", "forced-auth", "bolt_forced_auth", "x-bolt-force-auth"]
    with TestClient(api) as forcing, TestClient(api) as attacker:
        forcing.force_authenticate(user)
        assert forcing.get("/me").status_code == 200
        for name in names:
            attacker.cookies.set(name, "5")
            response = attacker.get(
                "/me", params={name: "5"}, headers={name: "5", "Authorization": "Bearer forced"}
            )
            assert response.status_code == 401, (name, response.text)
            assert "detail" in response.json()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_async_test_client_is_not_forced_by_a_sync_client() -> None:
    """Forcing belongs to the client that asked: requests of an ``AsyncTestClient`` in the
    same process, on the same routes, still authenticate for real."""
    api = _guarded_api()
    user = get_user_model()(id=5, username="forced")
    with TestClient(api) as forcing:
        forcing.force_authenticate(user)
        assert forcing.get("/me").status_code == 200
        async with AsyncTestClient(api) as other:
            assert (await other.get("/me")).status_code == 401


class ForcedInTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        model = get_user_model()
        cls.ada = model.objects.create_user("ada", password="pw-123456")
        cls.root = model.objects.create_superuser("root", password="pw-123456")

    def setUp(self) -> None:
        self.client = TestClient(auth_api)  # type: ignore[assignment]
        self.addCleanup(self.client.close)

    def test_forced_user_is_the_test_row(self) -> None:
        self.client.force_authenticate(self.ada)
        response = self.client.get("/key")
        assert response.status_code == 200, response.text
        assert response.json() == {
            "username": "ada",
            "backend": "force_authenticate",
            "user": "ada",
        }
        assert self.client.get("/admin").status_code == 403

    def test_forced_admin_meets_is_admin_user(self) -> None:
        self.client.force_authenticate(self.root)
        response = self.client.get("/admin")
        assert response.status_code == 200, response.text
        assert response.json() == {"username": "root", "backend": "force_authenticate"}
