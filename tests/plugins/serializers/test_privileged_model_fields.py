"""A Serializer generated from a user model never lets a body set the account flags
(``is_superuser``, ``is_staff``, ``is_active``, ``last_login``, ``date_joined``) unless
``fields=`` lists them by name, and never shows ``password``."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from bolt import BoltAPI, ModelViewSet
from bolt.serializers import Serializer

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]

PRIVILEGED = ("is_superuser", "is_staff", "is_active", "last_login", "date_joined")

FromModel = Serializer.from_model(User)


class ByMeta(Serializer):
    class Meta:
        model = User
        exclude = ("groups", "user_permissions")


StaffEditor = Serializer.from_model(User, fields=("id", "username", "is_staff"))


def _api() -> BoltAPI:
    api = BoltAPI(plugins=["viewsets", "crud"])
    for prefix, serializer in (("/a", FromModel), ("/b", ByMeta), ("/staff", StaffEditor)):

        class Users(ModelViewSet):
            queryset = User.objects.order_by("id")
            serializer_class = serializer

        api.viewset(prefix)(Users)
    return api


@pytest.mark.parametrize("prefix", ["/a", "/b"])
@pytest.mark.parametrize("flag", PRIVILEGED)
def test_generated_serializer_refuses_account_flags(client_for, prefix: str, flag: str) -> None:
    bob = User.objects.create_user("bob", password="pw")
    client = client_for(_api())
    value = True if flag.startswith("is_") else "2020-01-01T00:00:00Z"
    response = client.patch(f"{prefix}/{bob.pk}", json={flag: value})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", flag]
    created = client.post(prefix, json={"username": "eve", flag: value})
    assert created.status_code == 422, created.text
    bob.refresh_from_db()
    assert (bob.is_superuser, bob.is_staff, bob.is_active) == (False, False, True)
    assert not User.objects.filter(username="eve").exists()


@pytest.mark.parametrize("prefix", ["/a", "/b"])
def test_generated_serializer_still_reads_flags_and_writes_the_rest(client_for, prefix) -> None:
    bob = User.objects.create_user("bob", password="pw")
    client = client_for(_api())
    response = client.patch(f"{prefix}/{bob.pk}", json={"first_name": "Bob"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["first_name"] == "Bob"
    assert body["is_superuser"] is False
    assert "password" not in body


def test_fields_listing_a_flag_makes_it_writable(client_for) -> None:
    bob = User.objects.create_user("bob", password="pw")
    client = client_for(_api())
    response = client.patch(f"/staff/{bob.pk}", json={"is_staff": True})
    assert response.status_code == 200, response.text
    assert response.json() == {"id": bob.pk, "username": "bob", "is_staff": True}
    bob.refresh_from_db()
    assert bob.is_staff is True
