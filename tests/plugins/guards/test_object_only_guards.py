"""Guards that only define ``has_object_permission`` (DRF's ``IsOwnerOrReadOnly``).

Such a guard has no opinion about the request: beside other guards (a list, ``a & b``) it
lets the others decide who may call and decides itself about each loaded object. It never
lets a request through on its own: in ``a | b`` it cannot stand in for ``a``, and a route
whose guards only have object rules is refused at startup (a list or a create has no object
to ask about, so nothing would decide). A guard with neither method is a startup error.
"""

from __future__ import annotations

from typing import Any

import pytest

from bolt import BoltAPI
from bolt.auth import (
    IsAuthenticated,
    IsAuthenticatedOrReadOnly,
    IsStaff,
    JWTAuthentication,
    create_jwt_for_user,
)
from bolt.exceptions import ImproperlyConfigured
from bolt.testing import TestClient
from bolt.views import ModelViewSet
from bolt_plugins.guards import BaseGuard
from tests.testapp.models import Post

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class IsOwnerOrReadOnly(BaseGuard):
    """DRF's tutorial guard, as DRF users write it: no ``has_permission``."""

    message = "Only the author may change this post."

    def has_object_permission(self, request: Any, obj: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return bool(obj.author_id == request.auth["user_id"])


class IsOwner(BaseGuard):
    message = "Only the author may do that."

    def has_object_permission(self, request: Any, obj: Any) -> bool:
        return request.auth is not None and obj.author_id == request.auth["user_id"]


def posts_api(*guards: Any) -> BoltAPI:
    api = BoltAPI(plugins=["viewsets", "crud", "auth", "guards"])
    chosen = list(guards)

    @api.viewset("/posts")
    class Posts(ModelViewSet):
        queryset = Post.objects.all()
        auth = [JWTAuthentication()]
        guards = chosen
        read_only_fields = ("author",)

        def perform_create(self, instance: Post) -> None:
            instance.author_id = self.request.auth["user_id"]
            instance.save(force_insert=True)

    return api


def as_(user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_jwt_for_user(user)}"}


def titles() -> list[str]:
    return sorted(Post.objects.values_list("title", flat=True))


def test_drf_is_owner_or_read_only_beside_is_authenticated_or_read_only(
    user: Any, staff: Any
) -> None:
    post = Post.objects.create(title="Mine", slug="mine", author=user)
    with TestClient(posts_api(IsAuthenticatedOrReadOnly(), IsOwnerOrReadOnly())) as c:
        assert c.get("/posts").status_code == 200
        assert c.get(f"/posts/{post.pk}").json()["title"] == "Mine"
        anonymous = c.patch(f"/posts/{post.pk}", json={"title": "x"})
        assert anonymous.status_code == 401, anonymous.text
        assert c.post("/posts", json={"title": "n", "slug": "n"}).status_code == 401
        other = c.patch(f"/posts/{post.pk}", json={"title": "x"}, headers=as_(staff))
        assert other.status_code == 403, other.text
        assert other.json() == {"detail": "Only the author may change this post."}
        assert c.delete(f"/posts/{post.pk}", headers=as_(staff)).status_code == 403
        assert titles() == ["Mine"]
        mine = c.patch(f"/posts/{post.pk}", json={"title": "Changed"}, headers=as_(user))
        assert mine.status_code == 200, mine.text
        created = c.post("/posts", json={"title": "New", "slug": "new"}, headers=as_(staff))
        assert created.status_code == 201, created.text
    assert titles() == ["Changed", "New"]


def test_object_only_guard_combined_with_and(user: Any, staff: Any) -> None:
    post = Post.objects.create(title="Mine", slug="mine", author=user)
    with TestClient(posts_api(IsAuthenticated() & IsOwner())) as c:
        assert c.get("/posts").status_code == 401
        assert c.patch(f"/posts/{post.pk}", json={"title": "x"}).status_code == 401
        r = c.patch(f"/posts/{post.pk}", json={"title": "x"}, headers=as_(staff))
        assert r.status_code == 403
        assert r.json() == {"detail": "Authentication required. Only the author may do that."}
        assert c.get(f"/posts/{post.pk}", headers=as_(user)).status_code == 200
    assert titles() == ["Mine"]


# --- attacks: the default "yes" of a request rule never opens a route ---------------------
def test_or_with_an_object_only_guard_lets_no_anonymous_write_through(user: Any) -> None:
    """``IsAuthenticatedOrReadOnly() | IsOwner()``: the owner rule has no request rule, so
    anonymous writes are refused as before (a default ``True`` would have opened create)."""
    post = Post.objects.create(title="Mine", slug="mine", author=user)
    with TestClient(posts_api(IsAuthenticatedOrReadOnly() | IsOwner())) as c:
        assert c.get("/posts").status_code == 200
        r = c.post("/posts", json={"title": "Spam", "slug": "spam"})
        assert r.status_code == 401, r.text
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert c.patch(f"/posts/{post.pk}", json={"title": "x"}).status_code == 401
        assert c.delete(f"/posts/{post.pk}").status_code == 401
    assert titles() == ["Mine"]


def test_or_with_an_object_only_guard_opens_no_list_or_create(user: Any, staff: Any) -> None:
    """``IsStaff() | IsOwner()`` where ``IsOwner`` has only an object rule: a plain user is
    refused everywhere ``IsStaff`` refuses (create and list have no object to own)."""
    post = Post.objects.create(title="Mine", slug="mine", author=user)
    with TestClient(posts_api(IsStaff() | IsOwner())) as c:
        r = c.post("/posts", json={"title": "Spam", "slug": "spam"}, headers=as_(user))
        assert r.status_code == 403, r.text
        assert c.get("/posts", headers=as_(user)).status_code == 403
        assert (
            c.patch(f"/posts/{post.pk}", json={"title": "x"}, headers=as_(user)).status_code == 403
        )
        assert c.get("/posts", headers=as_(staff)).status_code == 200
    assert titles() == ["Mine"]


def test_a_subclass_of_a_guard_keeps_its_parents_request_rule(user: Any, staff: Any) -> None:
    """Adding an object rule to ``IsAuthenticated`` keeps ``IsAuthenticated``'s check."""

    class AuthenticatedOwner(IsAuthenticated):
        def has_object_permission(self, request: Any, obj: Any) -> bool:
            return bool(obj.author_id == request.auth["user_id"])

    post = Post.objects.create(title="Mine", slug="mine", author=user)
    with TestClient(posts_api(AuthenticatedOwner())) as c:
        assert c.get("/posts").status_code == 401
        assert c.post("/posts", json={"title": "Spam", "slug": "spam"}).status_code == 401
        assert c.get(f"/posts/{post.pk}", headers=as_(staff)).status_code == 403
        assert c.get(f"/posts/{post.pk}", headers=as_(user)).status_code == 200
    assert titles() == ["Mine"]


def test_route_whose_guards_only_have_object_rules_is_refused_at_startup() -> None:
    """Nothing would decide who may list or create: say so (``AllowAny()``,
    ``IsAuthenticatedOrReadOnly()``...) instead of getting an open route by default."""
    for guards in ([IsOwnerOrReadOnly()], [IsOwner() | IsOwnerOrReadOnly()]):
        with pytest.raises(ImproperlyConfigured, match="only object rules") as caught:
            posts_api(*guards).compile()
        assert "IsAuthenticatedOrReadOnly()" in str(caught.value)


def test_object_only_guard_beside_allow_any_is_what_the_user_asked(user: Any) -> None:
    from bolt.auth import AllowAny

    post = Post.objects.create(title="Mine", slug="mine", author=user)
    with TestClient(posts_api(AllowAny(), IsOwnerOrReadOnly())) as c:
        assert c.get("/posts").status_code == 200
        assert c.get(f"/posts/{post.pk}").status_code == 200
        # the owner rule itself refuses an anonymous caller's write (no auth context)
        assert c.delete(f"/posts/{post.pk}", headers=as_(user)).status_code == 200


@pytest.mark.parametrize("where", ["list", "or", "and"])
def test_guard_with_neither_method_is_refused_at_startup(where: str) -> None:
    """A misspelt method name must not become a guard that allows everyone."""

    class Misspelt(BaseGuard):
        def has_permision(self, request: Any) -> bool:  # sic
            return False

    guard: Any = {
        "list": Misspelt(),
        "or": IsStaff() | Misspelt(),
        "and": IsAuthenticated() & Misspelt(),
    }[where]
    with pytest.raises(ImproperlyConfigured, match="Misspelt defines neither has_permission"):
        posts_api(guard).compile()
