"""DRF habits that Bolt used to ignore silently, or answer with a 500, now stop startup.

A developer coming from Django REST framework writes ``lookup_url_kwarg = "post_id"`` and
expects ``/posts/{post_id}``, or ``perform_create(self, serializer)`` with
``serializer.save(owner=...)``. Bolt names the path parameter after ``lookup_field`` and
calls ``perform_create(instance)`` with the unsaved model instance, so the first habit was
ignored (the URL stayed ``{pk}``) and the second answered every ``POST`` with a 500
(``Model.save() got an unexpected keyword argument``). Both are now refused when the class
is registered, with the Bolt spelling in the message.
"""

from __future__ import annotations

from typing import Any

import pytest

from bolt import BoltAPI
from bolt.exceptions import ImproperlyConfigured
from bolt.testing import TestClient
from bolt.views import ModelViewSet
from tests.testapp.models import Article


def _register(**body: Any) -> BoltAPI:
    api = BoltAPI()
    cls = type("ArticleViewSet", (ModelViewSet,), {"queryset": Article.objects.all(), **body})
    cls.__module__ = __name__
    api.viewset("/articles")(cls)
    api.compile()
    return api


def test_lookup_url_kwarg_is_refused_with_lookup_field_named() -> None:
    with pytest.raises(ImproperlyConfigured) as info:
        _register(lookup_url_kwarg="article_id")
    message = str(info.value)
    assert "ArticleViewSet.lookup_url_kwarg" in message
    assert "lookup_field" in message


def _perform_create(self: Any, serializer: Any) -> None:
    serializer.save(author="me")


def _perform_update(self: Any, serializer: Any) -> None:
    serializer.save()


@pytest.mark.parametrize(
    ("name", "method"),
    [("perform_create", _perform_create), ("perform_update", _perform_update)],
)
def test_drf_perform_hook_taking_a_serializer_is_refused(name: str, method: Any) -> None:
    with pytest.raises(ImproperlyConfigured) as info:
        _register(**{name: method})
    message = str(info.value)
    assert f"ArticleViewSet.{name}(self, serializer)" in message
    assert f"{name}(self, instance)" in message
    assert "instance.save()" in message


@pytest.mark.orm
@pytest.mark.django_db(transaction=True)
def test_bolt_perform_create_taking_the_instance_still_works() -> None:
    def perform_create(self: Any, instance: Any) -> None:
        instance.author = "set by the view"
        instance.save()

    api = _register(perform_create=perform_create, read_only_fields=("author",))
    with TestClient(api) as client:
        response = client.post("/articles", json={"title": "Hello"})
    assert response.status_code == 201, response.text
    assert response.json()["author"] == "set by the view"
