"""Guide chapter "Custom Actions", the examples that read and write models, run as written.

The guide never defines these models; ``tests/testapp`` does (``FlaggedArticle`` has the
``published``/``featured``/``is_published``/``scheduled_time`` fields the examples set,
``Member`` has the ``preferences`` they store, ``Document`` the workflow's fields). The
handler bodies are the guide's, unchanged; only the model names are bound here.
"""

from __future__ import annotations

import msgspec
import pytest
from django.contrib.auth.models import User as AuthUser

from bolt import BoltAPI, ViewSet, action
from bolt.auth import IsAdminUser, IsAuthenticated, JWTAuthentication, create_jwt_for_user
from tests.testapp.models import Document
from tests.testapp.models import FlaggedArticle as Article
from tests.testapp.models import Member as User

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class DocumentSchema(msgspec.Struct):
    id: int
    title: str
    status: str
    locked: bool


class ArticleSchema(msgspec.Struct):
    id: int
    title: str
    is_published: bool


class RejectRequest(msgspec.Struct):
    reason: str


class StatusUpdate(msgspec.Struct):
    is_published: bool


class PublishRequest(msgspec.Struct):
    scheduled_time: str | None = None
    notify_subscribers: bool = True


def bearer(user: AuthUser) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_jwt_for_user(user)}"}


def test_inheritance_of_class_level_auth_and_guards(client_for):
    api = BoltAPI()

    @api.viewset("/articles")
    class ArticleViewSet(ViewSet):
        # Class-level security - inherited by all methods and actions
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated()]

        async def list(self, request):
            """Inherits: JWTAuthentication + IsAuthenticated"""
            return Article.objects.all()[:100]

        @action(methods=["POST"], detail=True)
        async def publish(self, request, id: int):
            article = await Article.objects.aget(id=id)
            article.published = True
            await article.asave()
            return {"id": id, "published": True}

        @action(methods=["POST"], detail=True, guards=[IsAdminUser()])
        async def feature(self, request, id: int):
            article = await Article.objects.aget(id=id)
            article.featured = True
            await article.asave()
            return {"id": id, "featured": True}

        @action(methods=["GET"], detail=False, auth=[], guards=[])
        async def public_stats(self, request):
            return {
                "total": await Article.objects.acount(),
                "published": await Article.objects.filter(published=True).acount(),
            }

    first = Article.objects.create(title="one")
    Article.objects.create(title="two", published=True)
    writer = AuthUser.objects.create_user("writer", password="pw-123456")
    boss = AuthUser.objects.create_superuser("boss", password="pw-123456")
    client = client_for(api)

    anonymous = client.get("/articles")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    listed = client.get("/articles", headers=bearer(writer))
    assert listed.status_code == 200
    # no serializer declared: a queryset is encoded with its model's fields
    assert listed.json()[0] == {
        "id": first.id,
        "title": "one",
        "content": "",
        "published": False,
        "featured": False,
        "is_published": False,
        "scheduled_time": None,
    }
    assert client.post(f"/articles/{first.id}/publish").status_code == 401
    published = client.post(f"/articles/{first.id}/publish", headers=bearer(writer))
    assert (published.status_code, published.json()) == (200, {"id": first.id, "published": True})
    denied = client.post(f"/articles/{first.id}/feature", headers=bearer(writer))
    assert denied.status_code == 403
    assert Article.objects.get(id=first.id).featured is False
    featured = client.post(f"/articles/{first.id}/feature", headers=bearer(boss))
    assert featured.json() == {"id": first.id, "featured": True}
    stats = client.get("/articles/public_stats")
    assert (stats.status_code, stats.json()) == (200, {"total": 2, "published": 2})
    missing = client.post("/articles/999999/publish", headers=bearer(writer))
    assert missing.status_code == 404
    assert missing.json() == {"detail": "FlaggedArticle not found"}


def test_one_action_with_get_and_post(client_for):
    api = BoltAPI()

    @api.viewset("/users")
    class UserViewSet(ViewSet):
        # Single action handling both GET and POST
        @action(methods=["GET", "POST"], detail=True, path="preferences")
        async def preferences(self, request, id: int, data: dict | None = None):
            if request.get("method") == "POST" and data:
                # Update preferences
                user = await User.objects.aget(id=id)
                user.preferences = data
                await user.asave()
                return {"id": id, "updated": True, "preferences": data}
            else:  # noqa: RET505 (the guide's code, verbatim)
                # Get preferences
                user = await User.objects.aget(id=id)
                return {"id": id, "preferences": user.preferences}

    member = User.objects.create(username="ann", preferences={"theme": "light"})
    client = client_for(api)
    got = client.get(f"/users/{member.id}/preferences")
    assert got.json() == {"id": member.id, "preferences": {"theme": "light"}}
    posted = client.post(f"/users/{member.id}/preferences", json={"theme": "dark"})
    assert posted.json() == {"id": member.id, "updated": True, "preferences": {"theme": "dark"}}
    assert User.objects.get(id=member.id).preferences == {"theme": "dark"}
    assert client.get("/users/424242/preferences").status_code == 404


def test_separate_actions_per_http_verb(client_for):
    api = BoltAPI()

    @api.viewset("/users")
    class UserViewSet(ViewSet):
        # GET /users/{id}/preferences
        @action(methods=["GET"], detail=True, path="preferences")
        async def get_preferences(self, request, id: int):
            """Fetch user preferences."""
            user = await User.objects.aget(id=id)
            return {"id": id, "preferences": user.preferences}

        # POST /users/{id}/preferences
        @action(methods=["POST"], detail=True, path="preferences")
        async def update_preferences(self, request, id: int, data: dict):
            """Update user preferences."""
            user = await User.objects.aget(id=id)
            user.preferences = data
            await user.asave()
            return {"id": id, "updated": True, "preferences": data}

    member = User.objects.create(username="bob")
    client = client_for(api)
    assert client.get(f"/users/{member.id}/preferences").json() == {
        "id": member.id,
        "preferences": {},
    }
    posted = client.post(f"/users/{member.id}/preferences", json={"lang": "fr"})
    assert posted.status_code == 200
    assert User.objects.get(id=member.id).preferences == {"lang": "fr"}
    assert client.put(f"/users/{member.id}/preferences").headers["allow"] == (
        "GET, HEAD, OPTIONS, POST"
    )


def test_document_workflow(client_for):
    api = BoltAPI()

    @api.viewset("/documents")
    class DocumentViewSet(ViewSet):
        queryset = Document.objects.all()
        serializer_class = DocumentSchema

        async def list(self, request):
            return Document.objects.all()[:100]

        async def retrieve(self, request, id: int):
            return await Document.objects.aget(id=id)

        @action(methods=["POST"], detail=True)
        async def submit(self, request, id: int):
            """POST /documents/{id}/submit - Submit document for review"""
            doc = await Document.objects.aget(id=id)
            doc.status = "submitted"
            await doc.asave()
            return {"id": id, "status": "submitted"}

        @action(methods=["POST"], detail=True)
        async def approve(self, request, id: int):
            """POST /documents/{id}/approve - Approve document"""
            doc = await Document.objects.aget(id=id)
            doc.status = "approved"
            await doc.asave()
            return {"id": id, "status": "approved"}

        @action(methods=["POST"], detail=True)
        async def reject(self, request, id: int, data: RejectRequest):
            """POST /documents/{id}/reject - Reject document with reason"""
            doc = await Document.objects.aget(id=id)
            doc.status = "rejected"
            doc.rejection_reason = data.reason
            await doc.asave()
            return {"id": id, "status": "rejected", "reason": data.reason}

        @action(methods=["POST"], detail=True)
        async def lock(self, request, id: int):
            """POST /documents/{id}/lock - Lock document for editing"""
            doc = await Document.objects.aget(id=id)
            doc.locked = True
            await doc.asave()
            return {"id": id, "locked": True}

        @action(methods=["POST"], detail=True)
        async def unlock(self, request, id: int):
            """POST /documents/{id}/unlock - Unlock document"""
            doc = await Document.objects.aget(id=id)
            doc.locked = False
            await doc.asave()
            return {"id": id, "locked": False}

    doc = Document.objects.create(title="spec")
    client = client_for(api)
    base = f"/documents/{doc.id}"
    assert client.post(f"{base}/submit").json() == {"id": doc.id, "status": "submitted"}
    assert client.post(f"{base}/approve").json() == {"id": doc.id, "status": "approved"}
    refused = client.post(f"{base}/reject", json={})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "reason"]
    assert Document.objects.get(id=doc.id).status == "approved"
    rejected = client.post(f"{base}/reject", json={"reason": "typos"})
    assert rejected.json() == {"id": doc.id, "status": "rejected", "reason": "typos"}
    assert client.post(f"{base}/lock").json() == {"id": doc.id, "locked": True}
    assert client.get(base).json() == {
        "id": doc.id,
        "title": "spec",
        "status": "rejected",
        "locked": True,
    }
    assert client.post(f"{base}/unlock").json() == {"id": doc.id, "locked": False}
    assert client.get("/documents").json() == [
        {"id": doc.id, "title": "spec", "status": "rejected", "locked": False}
    ]
    row = Document.objects.get(id=doc.id)
    assert (row.status, row.rejection_reason, row.locked) == ("rejected", "typos", False)
    assert client.post("/documents/999999/approve").status_code == 404


def test_multiple_http_methods_and_action_with_validation(client_for):
    api = BoltAPI()

    @api.viewset("/articles")
    class ArticleViewSet(ViewSet):
        queryset = Article.objects.all()
        serializer_class = ArticleSchema

        async def list(self, request):
            return Article.objects.all()[:100]

        # GET /articles/{id}/status
        @action(methods=["GET"], detail=True, path="status")
        async def get_status(self, request, id: int):
            """Get article publication status."""
            article = await Article.objects.aget(id=id)
            return {"is_published": article.is_published}

        # POST /articles/{id}/status
        @action(methods=["POST"], detail=True, path="status")
        async def update_status(self, request, id: int, data: StatusUpdate):
            """Update article publication status."""
            article = await Article.objects.aget(id=id)
            article.is_published = data.is_published
            await article.asave()
            return {"updated": True, "is_published": article.is_published}

        @action(methods=["POST"], detail=True)
        async def publish(self, request, id: int, data: PublishRequest):
            """POST /articles/{id}/publish - Publish article with options"""
            article = await Article.objects.aget(id=id)
            article.is_published = True
            article.scheduled_time = data.scheduled_time
            await article.asave()

            if data.notify_subscribers:
                # Send notifications
                pass

            return {
                "id": id,
                "published": True,
                "scheduled": data.scheduled_time,
                "notifications_sent": data.notify_subscribers,
            }

    art = Article.objects.create(title="news")
    client = client_for(api)
    assert client.get("/articles").json() == [
        {"id": art.id, "title": "news", "is_published": False}
    ]
    assert client.get(f"/articles/{art.id}/status").json() == {"is_published": False}
    updated = client.post(f"/articles/{art.id}/status", json={"is_published": True})
    assert updated.json() == {"updated": True, "is_published": True}
    wrong = client.post(f"/articles/{art.id}/status", json={"is_published": "yes"})
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["body", "is_published"]
    published = client.post(f"/articles/{art.id}/publish", json={"scheduled_time": "2030-01-01"})
    assert published.json() == {
        "id": art.id,
        "published": True,
        "scheduled": "2030-01-01",
        "notifications_sent": True,
    }
    assert Article.objects.get(id=art.id).scheduled_time == "2030-01-01"
    quiet = client.post(f"/articles/{art.id}/publish", json={"notify_subscribers": False})
    assert quiet.json()["notifications_sent"] is False
    assert Article.objects.get(id=art.id).scheduled_time is None
    assert client.get("/articles/abc/status").status_code == 422
