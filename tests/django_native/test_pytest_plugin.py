"""Bolt's pytest plugin: ``bolt_app``, ``bolt_client``, ``bolt_client_as`` and
``TestClient.force_authenticate``."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from bolt.conf import reset_settings
from bolt.testing import TestClient
from tests.django_native.auth_app import api as auth_api

pytestmark = pytest.mark.orm


@pytest.fixture
def user() -> Any:
    return get_user_model().objects.create_user("ada", password="pw-123456")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/jwt", "/key", "/session"])
def test_force_authenticate_on_every_backend(path: str, user: Any) -> None:
    with TestClient(auth_api) as client:
        assert client.get(path).status_code == 401
        client.force_authenticate(user)
        response = client.get(path)
        assert response.status_code == 200, response.text
        assert response.json()["username"] == "ada"
        assert response.json()["backend"] == "force_authenticate"
        client.force_authenticate(None)
        assert client.get(path).status_code == 401


@pytest.mark.django_db
def test_forced_user_meets_the_guards(user: Any) -> None:
    with TestClient(auth_api) as client:
        client.force_authenticate(user)
        assert client.get("/admin").status_code == 403
        admin = get_user_model().objects.create_superuser("root", password="pw-123456")
        client.force_authenticate(admin)
        assert client.get("/admin").json() == {
            "username": "root",
            "backend": "force_authenticate",
        }


@pytest.mark.django_db
def test_forced_context_without_a_user() -> None:
    with TestClient(auth_api) as client:
        client.force_authenticate(context={"user_id": "svc", "username": "svc", "is_admin": True})
        assert client.get("/admin").json() == {"username": "svc", "backend": None}


@pytest.mark.django_db
def test_forced_client_does_not_leak_to_other_clients(user: Any) -> None:
    with TestClient(auth_api) as forced, TestClient(auth_api) as plain:
        forced.force_authenticate(user)
        assert forced.get("/jwt").status_code == 200
        assert plain.get("/jwt").status_code == 401


class TestFixtures:
    @pytest.fixture
    def bolt_app(self) -> Any:
        return auth_api

    @pytest.mark.django_db
    def test_bolt_client_as(self, bolt_client: Any, bolt_client_as: Any, user: Any) -> None:
        assert bolt_client.get("/jwt").status_code == 401
        response = bolt_client_as(user).get("/jwt")
        assert response.status_code == 200
        assert response.json()["user"] == "ada"


@pytest.mark.django_db
def test_default_bolt_app_is_the_project(settings: Any, request: Any) -> None:
    settings.BOLT_API = ["tests.django_native.api_app:api"]
    reset_settings()
    request.addfinalizer(reset_settings)
    client = request.getfixturevalue("bolt_client")
    assert client.get("/sync-titles").json() == []
    assert client.get("/django/ping").text == "pong from django"


def test_plugin_is_registered_as_an_entry_point(pytestconfig: Any) -> None:
    assert pytestconfig.pluginmanager.has_plugin("bolt")


def test_import_without_httpx_names_what_to_install() -> None:
    code = textwrap.dedent(
        """
        import sys
        sys.modules["httpx"] = None
        try:
            import bolt.testing
        except ImportError as exc:
            print(exc)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert "pip install 'bolt-framework[testing]'" in out
