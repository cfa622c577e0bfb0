"""Attacks on ``GenericView``'s hooks called from DRF-style sync handlers: object rules on a
non-detail action, lookups a client chooses, and the sync-override flag between requests."""

from __future__ import annotations

from typing import Any

import pytest

from bolt import BoltAPI, action
from bolt.auth import IsAuthenticated, JWTAuthentication, create_jwt_for_user
from bolt.testing import TestClient
from bolt.views import ModelViewSet
from bolt_plugins.guards import BaseGuard
from tests.testapp.models import Post

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class IsAuthor(BaseGuard):
    message = "Only the author."

    def has_object_permission(self, request: Any, obj: Any) -> bool:
        return bool(obj.author_id == request.auth["user_id"])


def posts_api() -> BoltAPI:
    api = BoltAPI()

    @api.viewset("/posts")
    class Posts(ModelViewSet):
        queryset = Post.objects.all()
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated(), IsAuthor()]
        read_only_fields = ("author",)

        @action(detail=False, methods=["post"])
        def retitle(self, request: Any) -> dict[str, Any]:
            """A non-detail sync action that picks the object from the query string."""
            obj = self.get_object(pk=request.query.get("id"))
            obj.title = "retitled"
            obj.save()
            return {"title": obj.title}

        def get_queryset(self) -> Any:
            # A sync override calling super(): the flag it sets must not outlive the call.
            return super().get_queryset().order_by("pk")

    return api


@pytest.fixture
def user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("alice", password="pw-alice-123")


@pytest.fixture
def staff(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("sam", password="pw-sam-123", is_staff=True)


def bearer(user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_jwt_for_user(user)}"}


def test_sync_non_detail_action_get_object_runs_the_object_rule(user: Any, staff: Any) -> None:
    post = Post.objects.create(title="Mine", slug="mine", author=user)
    with TestClient(posts_api()) as c:
        r = c.post(f"/posts/retitle?id={post.pk}", headers=bearer(staff))
        assert r.status_code == 403, r.text
        assert r.json() == {"detail": "Only the author."}
        assert c.post(f"/posts/retitle?id={post.pk}").status_code == 401
        ok = c.post(f"/posts/retitle?id={post.pk}", headers=bearer(user))
        assert ok.status_code == 200, ok.text
    post.refresh_from_db()
    assert post.title == "retitled"


@pytest.mark.parametrize("value", ["abc", "99999999999999999999999", "1 OR 1=1", "", "-1"])
def test_sync_get_object_with_a_lookup_the_column_cannot_hold_is_404(user: Any, value: str) -> None:
    Post.objects.create(title="Mine", slug="mine", author=user)
    with TestClient(posts_api()) as c:
        r = c.post("/posts/retitle", params={"id": value}, headers=bearer(user))
        assert r.status_code == 404, r.text
        assert "detail" in r.json()


def test_sync_override_flag_leaks_into_no_later_request(user: Any, staff: Any) -> None:
    """The list runs the sync ``get_queryset`` override with the flag set; the view is made
    per request, so a later request (a sync action in a worker thread) starts without it."""
    post = Post.objects.create(title="A", slug="a", author=user)
    Post.objects.create(title="B", slug="b", author=staff)
    with TestClient(posts_api()) as c:
        for _ in range(3):
            listed = c.get("/posts", headers=bearer(user))
            assert listed.status_code == 200, listed.text
            refused = c.post(f"/posts/retitle?id={post.pk}", headers=bearer(staff))
            assert refused.status_code == 403, refused.text
