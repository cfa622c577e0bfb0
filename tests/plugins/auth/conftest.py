"""Fixtures for the auth plugin tests: APIs with auth + guards, users and token helpers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings

from bolt import BoltAPI
from bolt.testing import TestClient

SECRET = settings.SECRET_KEY


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(
    header: dict[str, Any], claims: dict[str, Any], key: bytes | None = SECRET.encode()
) -> str:
    """Build a JWT by hand (so attacks PyJWT refuses to produce can be sent anyway).

    ``key=None`` leaves the signature empty; otherwise it is HMAC-SHA256 over the input.
    """
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    if key is None:
        return signing_input + "."
    sig = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(sig)}"


def claims_for(user_id: Any = 1, **extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": str(user_id), "iat": now, "exp": now + 600, **extra}


@pytest.fixture
def make_api() -> Callable[..., BoltAPI]:
    """Build an API with only the plugins these tests exercise."""

    def build(**options: Any) -> BoltAPI:
        options.setdefault("plugins", ["auth", "guards"])
        return BoltAPI(**options)

    return build


@pytest.fixture
def client_for() -> Iterator[Callable[[BoltAPI], TestClient]]:
    clients: list[TestClient] = []

    def make(api: BoltAPI) -> TestClient:
        c = TestClient(api)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def bearer() -> Callable[[str], dict[str, str]]:
    return lambda token: {"Authorization": f"Bearer {token}"}


@pytest.fixture
def user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("alice", password="pw-alice-123")


@pytest.fixture
def staff(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("sam", password="pw", is_staff=True)


@pytest.fixture
def admin(django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser("root", password="pw-root-123")


def grant(user: Any, *perms: str) -> Any:
    """Give ``user`` permissions named ``app_label.codename`` (auth app's own perms)."""
    from django.contrib.auth.models import Permission

    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return type(user).objects.get(pk=user.pk)  # fresh: permission cache cleared
