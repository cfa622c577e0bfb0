"""Per-object guards on a ModelViewSet: only the author may change a post (docs/auth.md)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from bolt import BoltAPI
from bolt.auth import JWTAuthentication, create_jwt_for_user
from bolt.views import ModelViewSet
from bolt_plugins.guards import BaseGuard, check_object_permissions
from tests.testapp.models import Post

pytestmark = pytest.mark.django_db(transaction=True)


class PostSchema(msgspec.Struct):
    id: int
    title: str
    slug: str
    author_id: int


class PostUpdate(msgspec.Struct):
    title: str
    slug: str


class IsOwner(BaseGuard):
    message = "Only the author may do that."

    def has_permission(self, request: Any) -> bool:
        return request.auth is not None

    def has_object_permission(self, request: Any, obj: Any) -> bool:
        return obj.author_id == request.auth["user_id"]


@pytest.fixture
def client(client_for: Any) -> Any:
    api = BoltAPI(plugins=["viewsets", "crud", "auth", "guards"])

    @api.viewset("/posts")
    class PostViewSet(ModelViewSet):
        queryset = Post.objects.all()
        serializer_class = PostSchema
        create_serializer_class = PostUpdate
        auth = [JWTAuthentication()]
        guards = [IsOwner()]

        async def get_object(self, pk: Any = None, **lookup: Any) -> Any:
            post = await super().get_object(pk, **lookup)
            await check_object_permissions(self.request, post)
            return post

    return client_for(api)


def test_only_the_author_may_update_or_delete(
    client: Any, user: Any, staff: Any, bearer: Any
) -> None:
    post = Post.objects.create(title="Mine", slug="mine", author=user)
    mine, theirs = bearer(create_jwt_for_user(user)), bearer(create_jwt_for_user(staff))
    body = {"title": "Changed", "slug": "changed"}

    assert client.get(f"/posts/{post.pk}").status_code == 401
    r = client.put(f"/posts/{post.pk}", json=body, headers=theirs)
    assert r.status_code == 403
    assert r.json() == {"detail": "Only the author may do that."}
    assert client.delete(f"/posts/{post.pk}", headers=theirs).status_code == 403
    post.refresh_from_db()
    assert post.title == "Mine"  # B's row unchanged

    r = client.put(f"/posts/{post.pk}", json=body, headers=mine)
    assert r.status_code == 200, r.text
    assert r.json()["author_id"] == user.pk
    assert client.delete(f"/posts/{post.pk}", headers=mine).status_code in (200, 204)
    assert not Post.objects.filter(pk=post.pk).exists()
