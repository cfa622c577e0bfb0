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


class IsOwnerOfDict(BaseGuard):
    message = "Only the owner may edit."

    def has_permission(self, request: Any) -> bool:
        return request.auth is not None

    def has_object_permission(self, request: Any, obj: Any) -> bool:
        return obj["owner"] == request.auth["user_id"]


def composed_client(make_api: Any, client_for: Any, guard: Any, writes: list[int]) -> Any:
    from bolt.auth import JWTAuthentication as JWT

    docs = {1: {"owner": 1}, 2: {"owner": 2}}
    api = make_api(auth=[JWT()], guards=[guard])

    @api.put("/docs/{doc_id}")
    async def edit(request, doc_id: int) -> dict:
        await check_object_permissions(request, docs[doc_id])
        writes.append(doc_id)
        return {"edited": doc_id}

    return client_for(api)


def as_user(user_id: int, **claims: Any) -> dict[str, str]:
    import jwt

    from tests.plugins.auth.conftest import SECRET, claims_for

    return {"Authorization": "Bearer " + jwt.encode(claims_for(user_id, **claims), SECRET)}


def test_object_permission_inside_or_composition(make_api: Any, client_for: Any) -> None:
    """``IsStaff() | IsOwner()``: staff may edit anything, others only their own."""
    from bolt.auth import IsStaff

    writes: list[int] = []
    c = composed_client(make_api, client_for, IsStaff() | IsOwnerOfDict(), writes)
    assert c.put("/docs/1", headers=as_user(1)).status_code == 200
    r = c.put("/docs/2", headers=as_user(1))
    assert r.status_code == 403, r.text
    assert c.put("/docs/2", headers=as_user(1, is_staff=True)).status_code == 200
    assert writes == [1, 2]


def test_object_permission_inside_and_composition(make_api: Any, client_for: Any) -> None:
    from bolt.auth import IsAuthenticated

    writes: list[int] = []
    c = composed_client(make_api, client_for, IsAuthenticated() & IsOwnerOfDict(), writes)
    assert c.put("/docs/1", headers=as_user(1)).status_code == 200
    assert c.put("/docs/2", headers=as_user(1)).status_code == 403
    assert c.put("/docs/2").status_code == 401
    assert writes == [1]
