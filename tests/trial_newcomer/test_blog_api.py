"""The blog API a developer coming from Django REST framework writes on day one, with
public imports only (``bolt.*``, never ``bolt_plugins``), tested the DRF way: Django's
``TestCase``, a test client per test, ``force_authenticate(user=...)``.

A ModelViewSet with a Serializer, ``IsAuthenticatedOrReadOnly`` plus an owner rule
(``has_object_permission``), pagination, filters/search/ordering, an ``@action``, a JWT
login, and the OpenAPI document of the writes.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from django.contrib.auth import aauthenticate, get_user_model
from django.test import TestCase

from bolt import BoltAPI, action
from bolt.auth import (
    BaseGuard,
    IsAuthenticatedOrReadOnly,
    JWTAuthentication,
    acreate_jwt_for_user,
)
from bolt.exceptions import Unauthorized
from bolt.pagination import PageNumberPagination
from bolt.serializers import Serializer, ValidationError, field_validator
from bolt.testing import TestClient
from bolt.views import ModelViewSet
from tests.testapp.models import Post

pytestmark = [pytest.mark.orm]


class PostSerializer(Serializer):
    class Meta:
        model = Post
        fields = ("id", "title", "slug", "content", "status", "author", "created_at")
        read_only_fields = ("author",)

    @field_validator("title")
    def no_shouting(cls, value: str) -> str:
        if value.isupper():
            raise ValidationError("Do not shout.")
        return value


class IsAuthorOrReadOnly(BaseGuard):
    message = "Only the author may change this post."

    def has_permission(self, request: Any) -> bool:
        return True

    def has_object_permission(self, request: Any, obj: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return bool(obj.author_id == request.auth["user_id"])


class Credentials(msgspec.Struct):
    username: str
    password: str


api = BoltAPI()


@api.post("/token", auth=[], guards=[])
async def token(data: Credentials) -> dict:
    user = await aauthenticate(username=data.username, password=data.password)
    if user is None:
        raise Unauthorized(detail="Bad credentials")
    return {"access": await acreate_jwt_for_user(user)}


@api.viewset("/posts")
class PostViewSet(ModelViewSet):
    queryset = Post.objects.all()
    serializer_class = PostSerializer
    auth = [JWTAuthentication()]
    guards = [IsAuthenticatedOrReadOnly(), IsAuthorOrReadOnly()]
    pagination_class = PageNumberPagination
    filterset_fields = ["status"]
    search_fields = ["title", "content"]
    ordering_fields = ["created_at", "title"]
    ordering = "-created_at"

    def perform_create(self, instance: Post) -> None:
        instance.author_id = self.request.auth["user_id"]
        instance.save()

    @action(detail=True, methods=["post"])
    async def publish(self, request: Any, pk: int) -> PostSerializer:
        post = await self.get_object()
        post.status = "published"
        await post.asave()
        return post


class BlogApiTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        users = get_user_model().objects
        cls.ada = users.create_user("ada", password="pw-ada-123")
        cls.bob = users.create_user("bob", password="pw-bob-123")
        cls.post = Post.objects.create(
            title="Hello", slug="hello", content="first", status="published", author=cls.ada
        )
        Post.objects.create(title="Draft", slug="draft", content="wip django", author=cls.bob)

    def setUp(self) -> None:
        self.client = TestClient(api)  # type: ignore[assignment]
        self.addCleanup(self.client.close)

    def test_anyone_reads_a_page(self) -> None:
        response = self.client.get("/posts")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["count"] == 2
        assert [p["title"] for p in body["results"]] == ["Draft", "Hello"]

    def test_filter_search_ordering(self) -> None:
        titles = lambda r: [p["title"] for p in r.json()["results"]]  # noqa: E731
        assert titles(self.client.get("/posts?status=draft")) == ["Draft"]
        assert titles(self.client.get("/posts?search=django")) == ["Draft"]
        assert titles(self.client.get("/posts?ordering=title")) == ["Draft", "Hello"]

    def test_anonymous_write_is_401(self) -> None:
        response = self.client.post("/posts", json={"title": "x", "slug": "x"})
        assert response.status_code == 401, response.text

    def test_create_sets_the_author_and_refuses_it_in_the_body(self) -> None:
        self.client.force_authenticate(user=self.bob)
        body = {"title": "Mine", "slug": "mine", "author": self.ada.pk}
        refused = self.client.post("/posts", json=body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"][0]["loc"] == ["body", "author"]
        del body["author"]
        created = self.client.post("/posts", json=body)
        assert created.status_code == 201, created.text
        assert created.json()["author"] == self.bob.pk

    def test_validator_message(self) -> None:
        self.client.force_authenticate(user=self.bob)
        response = self.client.post("/posts", json={"title": "LOUD", "slug": "loud"})
        assert response.status_code == 422
        assert response.json()["detail"] == [
            {"loc": ["body", "title"], "msg": "Do not shout.", "type": "value_error"}
        ]

    def test_only_the_author_edits(self) -> None:
        self.client.force_authenticate(user=self.bob)
        for method, path in [
            ("patch", f"/posts/{self.post.pk}"),
            ("delete", f"/posts/{self.post.pk}"),
            ("post", f"/posts/{self.post.pk}/publish"),
        ]:
            kwargs = {"json": {"title": "hijack"}} if method == "patch" else {}
            response = getattr(self.client, method)(path, **kwargs)
            assert response.status_code == 403, (method, response.text)
            assert response.json() == {"detail": "Only the author may change this post."}
        self.client.force_authenticate(user=self.ada)
        response = self.client.patch(f"/posts/{self.post.pk}", json={"title": "Hello again"})
        assert response.status_code == 200, response.text
        assert response.json()["title"] == "Hello again"

    def test_publish_action(self) -> None:
        draft = Post.objects.get(slug="draft")
        self.client.force_authenticate(user=self.bob)
        response = self.client.post(f"/posts/{draft.pk}/publish")
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "published"

    def test_jwt_login(self) -> None:
        bad = self.client.post("/token", json={"username": "ada", "password": "nope"})
        assert bad.status_code == 401
        response = self.client.post("/token", json={"username": "ada", "password": "pw-ada-123"})
        assert response.status_code == 200, response.text
        headers = {"Authorization": f"Bearer {response.json()['access']}"}
        created = self.client.post(
            "/posts", json={"title": "via jwt", "slug": "jwt"}, headers=headers
        )
        assert created.status_code == 201, created.text
        assert created.json()["author"] == self.ada.pk

    def test_openapi_write_bodies_are_what_the_endpoints_accept(self) -> None:
        doc = self.client.get("/openapi.json").json()
        schemas = doc["components"]["schemas"]

        def body(path: str, method: str) -> dict:
            ref = doc["paths"][path][method]["requestBody"]["content"]["application/json"]
            return schemas[ref["schema"]["$ref"].rsplit("/", 1)[1]]

        ref = doc["paths"]["/posts"]["post"]["requestBody"]["content"]["application/json"]
        assert ref["schema"]["$ref"].endswith("/PostSerializerWrite")
        write = body("/posts", "post")
        assert sorted(write["properties"]) == ["content", "slug", "status", "title"]
        assert write["additionalProperties"] is False
        assert body("/posts/{pk}", "put") == write
        patch = body("/posts/{pk}", "patch")
        assert sorted(patch["properties"]) == sorted(write["properties"])
        assert patch["required"] == []
        assert "requestBody" not in doc["paths"]["/posts/{pk}/publish"]["post"]
