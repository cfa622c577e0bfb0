"""``bolt.reverse`` / ``api.reverse``: named routes back to paths, through HTTP."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from bolt import reverse
from bolt.testing import TestClient
from bolt.urls import NoReverseMatch

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def client(settings: Any) -> Any:
    from bolt.conf import reset_settings

    settings.BOLT_API = ["tests.django_native.reverse_app:api"]
    reset_settings()
    from tests.django_native.reverse_app import api

    yield TestClient(api)
    reset_settings()


def test_viewset_routes_are_named_by_basename(client: Any) -> None:
    from tests.testapp.models import Article

    pk = Article.objects.create(title="t").pk
    assert reverse("article-list") == "/api/articles"
    assert reverse("article-detail", pk=pk) == f"/api/articles/{pk}"
    assert reverse("article-publish", pk=7) == "/api/articles/7/publish"
    response = client.post(f"/api/articles/{pk}/publish")
    assert response.status_code == 200
    assert response.json() == {"self": f"/api/articles/{pk}"}
    assert client.get(response.json()["self"]).json()["title"] == "t"


def test_values_are_percent_encoded_and_route_back(client: Any) -> None:
    response = client.get("/api/tags/caf%C3%A9%20au%20lait")
    assert response.json() == {"self": "/api/tags/caf%C3%A9%20au%20lait"}
    assert client.get(response.json()["self"]).json() == response.json()
    assert reverse("tag", tag="a?b#c%d") == "/api/tags/a%3Fb%23c%25d"
    assert client.get(reverse("tag", tag="a?b#c%d")).status_code == 200


def test_path_and_uuid_converters(client: Any) -> None:
    key = uuid.uuid4()
    path = reverse("user-file", user_id=3, rest="docs/a b.txt")
    assert path == "/api/users/3/files/docs/a%20b.txt"
    assert client.get(path).json() == {"again": path}
    thing = reverse("thing", key=key, slug="my-thing")
    assert thing == f"/api/things/{key}/my-thing"
    assert client.get(thing).json() == {"self": thing}


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("nope", {}, "No route is named 'nope'"),
        ("article-detail", {}, "missing pk"),
        ("article-list", {"pk": 1}, "unknown pk"),
        ("user-file", {"user_id": "x", "rest": "a"}, "int converter"),
        ("user-file", {"user_id": -1, "rest": "a"}, "int converter"),
        ("user-file", {"user_id": True, "rest": "a"}, "cannot be True"),
        ("user-file", {"user_id": 1, "rest": "a/../b"}, "dot segment"),
        ("tag", {"tag": "a/b"}, "one path segment"),
        ("tag", {"tag": ".."}, "one path segment"),
        ("tag", {"tag": ""}, "str converter"),
        ("tag", {"tag": None}, "cannot be None"),
        ("thing", {"key": "not-a-uuid", "slug": "s"}, "uuid converter"),
        ("thing", {"key": uuid.uuid4(), "slug": "no spaces"}, "slug converter"),
    ],
)
def test_errors_name_the_problem(client: Any, name: str, params: Any, message: str) -> None:
    from tests.django_native.reverse_app import api

    with pytest.raises(NoReverseMatch, match=message) as caught:
        api.reverse(name, **params)
    assert isinstance(caught.value, ValueError)
    from django.urls import NoReverseMatch as DjangoNoReverseMatch

    assert isinstance(caught.value, DjangoNoReverseMatch)
    with pytest.raises(NoReverseMatch):
        reverse(name, **params)
