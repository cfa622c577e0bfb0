"""What a developer coming from Django REST framework tripped on, in code this trial could
not change (other colleagues own it). Each test is what the DRF habit should give: working
behaviour, or a clear 4xx / startup error. Today each fails with a 500 or a Python error, so
each is a strict xfail whose reason names the file, the cause and a suggested fix; remove
the marker with the fix.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from bolt import BoltAPI, action
from bolt.auth import IsAuthenticated, IsAuthenticatedOrReadOnly, JWTAuthentication
from bolt.testing import TestClient
from bolt.views import ModelViewSet
from tests.testapp.models import Article, Post

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


def _user(name: str = "ada") -> Any:
    return get_user_model().objects.create_user(name, password=f"pw-{name}-123")


def test_guard_with_only_an_object_rule_is_drf_is_owner_or_read_only() -> None:
    from bolt_plugins.guards import BaseGuard

    class IsOwnerOrReadOnly(BaseGuard):
        message = "Only the author may change this post."

        def has_object_permission(self, request: Any, obj: Any) -> bool:
            if request.method in ("GET", "HEAD", "OPTIONS"):
                return True
            return bool(obj.author_id == request.auth["user_id"])

    ada, bob = _user("ada"), _user("bob")
    post = Post.objects.create(title="t", slug="t", author=ada)
    api = BoltAPI()

    @api.viewset("/posts")
    class PostViewSet(ModelViewSet):
        queryset = Post.objects.all()
        auth = [JWTAuthentication()]
        guards = [IsAuthenticatedOrReadOnly(), IsOwnerOrReadOnly()]

    with TestClient(api) as client:
        assert client.get(f"/posts/{post.pk}").status_code == 200
        client.force_authenticate(bob)
        refused = client.patch(f"/posts/{post.pk}", json={"title": "x"})
    assert refused.status_code == 403, refused.text


def test_create_jwt_for_user_in_an_async_login_handler() -> None:
    from django.contrib.auth import aauthenticate

    from bolt.auth import create_jwt_for_user

    _user("ada")
    api = BoltAPI()

    @api.post("/token", auth=[], guards=[])
    async def token(data: dict) -> dict:
        user = await aauthenticate(username=data["username"], password=data["password"])
        return {"access": create_jwt_for_user(user)}

    with TestClient(api) as client:
        response = client.post("/token", json={"username": "ada", "password": "pw-ada-123"})
    assert response.status_code == 200, response.text


def test_sync_drf_action_calling_get_object() -> None:
    ada = _user("ada")
    article = Article.objects.create(title="t")
    api = BoltAPI()

    @api.viewset("/articles")
    class ArticleViewSet(ModelViewSet):
        queryset = Article.objects.all()

        @action(detail=True, methods=["post"])
        def publish(self, request: Any, pk: int) -> dict:
            obj = self.get_object()
            if inspect.iscoroutine(obj):  # today: close it, so no "never awaited" warning
                obj.close()
                raise TypeError("get_object() gave a coroutine in a sync handler")
            obj.status = "published"
            obj.save()
            return {"status": obj.status}

    with TestClient(api) as client:
        client.force_authenticate(ada)
        response = client.post(f"/articles/{article.pk}/publish")
    assert response.status_code == 200, response.text


def test_get_serializer_in_a_custom_action() -> None:
    article = Article.objects.create(title="t")
    api = BoltAPI()

    @api.viewset("/articles")
    class ArticleViewSet(ModelViewSet):
        queryset = Article.objects.all()

        @action(detail=True, methods=["get"])
        async def preview(self, request: Any, pk: int) -> Any:
            return self.get_serializer(await self.get_object())

    with TestClient(api) as client:
        response = client.get(f"/articles/{article.pk}/preview")
    assert response.status_code == 200, response.text
    assert response.json()["title"] == "t"


def test_request_data_in_an_action() -> None:
    ada = _user("ada")
    article = Article.objects.create(title="t")
    api = BoltAPI()

    @api.viewset("/articles")
    class ArticleViewSet(ModelViewSet):
        queryset = Article.objects.all()
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated()]

        @action(detail=True, methods=["post"])
        async def rename(self, request: Any, pk: int) -> dict:
            obj = await self.get_object()
            obj.title = request.data["title"]
            await obj.asave()
            return {"title": obj.title}

    with TestClient(api) as client:
        client.force_authenticate(ada)
        response = client.post(f"/articles/{article.pk}/rename", json={"title": "new"})
    assert response.status_code == 200, response.text


def test_drf_exception_names() -> None:
    from bolt import exceptions

    api = BoltAPI()

    @api.get("/secret")
    async def secret() -> dict:
        raise exceptions.PermissionDenied(detail="no")

    with TestClient(api) as client:
        response = client.get("/secret")
    assert response.status_code == 403, response.text


def test_apiclient_format_json() -> None:
    ada = _user("ada")
    api = BoltAPI()

    @api.viewset("/articles")
    class ArticleViewSet(ModelViewSet):
        queryset = Article.objects.all()

    with TestClient(api) as client:
        client.force_authenticate(user=ada)
        response = client.post("/articles", {"title": "t"}, format="json")
    assert response.status_code == 201, response.text
