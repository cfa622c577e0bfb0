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

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


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


# --- object rules run by get_object, without a handler asking for them ----------------------
class IsAuthorOrPublished(BaseGuard):
    """Anyone may read a published post; only its author may see a draft or change it."""

    message = "Only the author may do that."

    def has_permission(self, request: Any) -> bool:
        return True

    async def has_object_permission(self, request: Any, obj: Any) -> bool:
        if request.method in ("GET", "HEAD") and obj.status == "published":
            return True
        return request.auth is not None and obj.author_id == request.auth["user_id"]


def posts_api(*guards: Any) -> BoltAPI:
    from bolt import action
    from bolt.views import ViewSet

    api = BoltAPI(plugins=["viewsets", "crud", "auth", "guards", "openapi"])
    chosen = list(guards)

    @api.viewset("/posts")
    class Posts(ModelViewSet):
        queryset = Post.objects.all()
        serializer_class = PostSchema
        create_serializer_class = PostUpdate
        auth = [JWTAuthentication()]
        guards = chosen

        @action(methods=["POST"], detail=True)
        async def publish(self, request: Any, pk: int) -> dict[str, str]:
            post = await self.get_object()
            await Post.objects.filter(pk=post.pk).aupdate(status="published")
            return {"status": "published"}

    @api.viewset("/own")
    class Own(ModelViewSet):
        """``get_object`` overridden without ``super()``: the standard actions still check."""

        queryset = Post.objects.all()
        serializer_class = PostSchema
        create_serializer_class = PostUpdate
        auth = [JWTAuthentication()]
        guards = [IsOwner()]

        async def get_object(self, pk: Any = None, **lookup: Any) -> Any:
            return await Post.objects.aget(pk=self.kwargs["pk"])

    @api.viewset("/plain")
    class Plain(ViewSet):
        """The viewsets plugin's own ``get_object`` (no CRUD mixins)."""

        queryset = Post.objects.all()
        auth = [JWTAuthentication()]
        guards = [IsOwner()]

        async def retrieve(self, request: Any, pk: int) -> dict[str, Any]:
            post = await self.get_object()
            return {"id": post.pk, "title": post.title}

    return api


@pytest.fixture
def posts(client_for: Any) -> Any:
    return client_for(posts_api(IsAuthorOrPublished()))


def row(pk: int) -> tuple[str, str, str]:
    post = Post.objects.get(pk=pk)
    return (post.title, post.slug, post.status)


def test_get_object_runs_object_rules_on_every_detail_action(
    posts: Any, user: Any, staff: Any, bearer: Any
) -> None:
    draft = Post.objects.create(title="Draft", slug="draft", author=user)
    theirs = bearer(create_jwt_for_user(staff))
    body = {"title": "Changed", "slug": "changed"}
    for method, url, payload in (
        ("GET", f"/posts/{draft.pk}", None),
        ("PUT", f"/posts/{draft.pk}", body),
        ("PATCH", f"/posts/{draft.pk}", {"title": "Changed"}),
        ("DELETE", f"/posts/{draft.pk}", None),
        ("POST", f"/posts/{draft.pk}/publish", None),
    ):
        r = posts.request(method, url, json=payload, headers=theirs)
        assert r.status_code == 403, (method, url, r.text)
        assert r.json() == {"detail": "Only the author may do that."}
        anonymous = posts.request(method, url, json=payload)
        assert anonymous.status_code == 401, (method, url, anonymous.text)
        assert anonymous.json() == {"detail": "Authentication credentials were not provided."}
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert row(draft.pk) == ("Draft", "draft", "draft")  # nothing changed, nothing deleted

    mine = bearer(create_jwt_for_user(user))
    assert posts.get(f"/posts/{draft.pk}", headers=mine).json()["title"] == "Draft"
    assert (
        posts.patch(f"/posts/{draft.pk}", json={"title": "Mine"}, headers=mine).status_code == 200
    )
    assert posts.post(f"/posts/{draft.pk}/publish", headers=mine).status_code == 200
    # published: readable by anyone, still writable by the author only
    assert posts.get(f"/posts/{draft.pk}").status_code == 200
    assert posts.get(f"/posts/{draft.pk}", headers=theirs).status_code == 200
    assert posts.delete(f"/posts/{draft.pk}", headers=theirs).status_code == 403
    assert row(draft.pk) == ("Mine", "draft", "published")
    assert posts.delete(f"/posts/{draft.pk}", headers=mine).status_code == 200
    assert not Post.objects.filter(pk=draft.pk).exists()


def test_list_does_not_run_object_rules(posts: Any, user: Any) -> None:
    """As in DRF: a list is filtered by ``get_queryset``, not by object rules."""
    Post.objects.create(title="Draft", slug="draft", author=user)
    listed = posts.get("/posts")
    assert listed.status_code == 200
    assert [p["title"] for p in listed.json()] == ["Draft"]


def test_repeated_retrieves_never_take_a_path_around_the_rules(
    posts: Any, user: Any, staff: Any, bearer: Any
) -> None:
    """The prepared read (compiled SQL, no model instance) would skip ``get_object``."""
    draft = Post.objects.create(title="Draft", slug="draft", author=user)
    theirs = bearer(create_jwt_for_user(staff))
    for _ in range(5):
        assert posts.get(f"/posts/{draft.pk}", headers=theirs).status_code == 403


def test_get_object_override_without_super_is_still_checked(
    posts: Any, user: Any, staff: Any, bearer: Any
) -> None:
    post = Post.objects.create(title="Mine", slug="mine", author=user)
    theirs = bearer(create_jwt_for_user(staff))
    for method, payload in (("GET", None), ("PUT", {"title": "x", "slug": "x"}),
                            ("PATCH", {"title": "x"}), ("DELETE", None)):  # fmt: skip
        r = posts.request(method, f"/own/{post.pk}", json=payload, headers=theirs)
        assert r.status_code == 403, (method, r.text)
    assert row(post.pk) == ("Mine", "mine", "draft")
    mine = bearer(create_jwt_for_user(user))
    assert posts.patch(f"/own/{post.pk}", json={"title": "x"}, headers=mine).status_code == 200


def test_viewset_get_object_runs_object_rules(
    posts: Any, user: Any, staff: Any, bearer: Any
) -> None:
    post = Post.objects.create(title="Mine", slug="mine", author=user)
    r = posts.get(f"/plain/{post.pk}", headers=bearer(create_jwt_for_user(staff)))
    assert r.status_code == 403, r.text
    ok = posts.get(f"/plain/{post.pk}", headers=bearer(create_jwt_for_user(user)))
    assert ok.json() == {"id": post.pk, "title": "Mine"}


def test_staff_or_owner_on_a_viewset(client_for: Any, user: Any, staff: Any, bearer: Any) -> None:
    from bolt.auth import IsStaff

    c = client_for(posts_api(IsStaff() | IsOwner()))
    post = Post.objects.create(title="Mine", slug="mine", author=staff)
    other = Post.objects.create(title="Theirs", slug="theirs", author=staff)
    mine = Post.objects.create(title="Own", slug="own", author=user)
    plain = bearer(create_jwt_for_user(user))
    assert c.patch(f"/posts/{post.pk}", json={"title": "x"}, headers=plain).status_code == 403
    assert c.patch(f"/posts/{mine.pk}", json={"title": "x"}, headers=plain).status_code == 200
    boss = bearer(create_jwt_for_user(staff))
    assert c.patch(f"/posts/{other.pk}", json={"title": "y"}, headers=boss).status_code == 200
    assert (row(post.pk)[0], row(mine.pk)[0], row(other.pk)[0]) == ("Mine", "x", "y")


def test_routes_without_object_rules_carry_no_object_checks() -> None:
    from bolt.auth import IsAuthenticated, IsStaff

    api = posts_api(IsAuthenticated(), IsStaff() | IsAuthenticated())
    api.compile()
    by_path = {(r.method, r.path): r for r in api.iter_routes()}
    assert by_path[("GET", "/posts/{pk}")].object_checks == []
    assert len(by_path[("GET", "/own/{pk}")].object_checks) == 1
    api.compile()  # compiling again does not add a second check
    assert len(by_path[("GET", "/own/{pk}")].object_checks) == 1
