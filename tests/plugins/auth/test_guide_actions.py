"""The guide's "Inheritance of Class-Level Auth and Guards" (Custom Actions), on a database.

Stand-in: the test app's ``Article`` has a ``status`` field where the guide sets
``published``/``featured`` flags, so ``publish`` sets ``status="published"`` and ``feature``
sets ``status="featured"``; the counts in ``public_stats`` read the same field.
"""

from __future__ import annotations

from typing import Any

import jwt
import msgspec
import pytest

from bolt import BoltAPI, action
from bolt.auth import IsAdminUser, IsAuthenticated, JWTAuthentication
from bolt.views import ViewSet
from tests.testapp.models import Article

from .conftest import SECRET, claims_for

pytestmark = pytest.mark.django_db(transaction=True)


class ArticleOut(msgspec.Struct):
    id: int
    title: str
    status: str


def headers(**claims: Any) -> dict[str, str]:
    token = jwt.encode(claims_for(**claims), SECRET, algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def client(client_for: Any) -> Any:
    api = BoltAPI(plugins=["viewsets", "crud", "auth", "guards"])

    @api.viewset("/articles")
    class ArticleViewSet(ViewSet):
        # Class-level security - inherited by all methods and actions
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated()]

        async def list(self, request) -> list[ArticleOut]:
            """Inherits: JWTAuthentication + IsAuthenticated"""
            return Article.objects.all()[:100]

        @action(methods=["POST"], detail=True)
        async def publish(self, request, id: int):
            """Inherits: JWTAuthentication + IsAuthenticated"""
            article = await Article.objects.aget(id=id)
            article.status = "published"
            await article.asave()
            return {"id": id, "published": True}

        @action(methods=["POST"], detail=True, guards=[IsAdminUser()])
        async def feature(self, request, id: int):
            """Overrides guards: JWTAuthentication + IsAdminUser"""
            article = await Article.objects.aget(id=id)
            article.status = "featured"
            await article.asave()
            return {"id": id, "featured": True}

        @action(methods=["GET"], detail=False, auth=[], guards=[])
        async def public_stats(self, request):
            """Overrides both: No auth, no guards (public endpoint)"""
            return {
                "total": await Article.objects.acount(),
                "published": await Article.objects.filter(status="published").acount(),
            }

    return client_for(api)


@pytest.fixture
def article() -> Article:
    return Article.objects.create(title="Hello", slug="hello")


def test_list_inherits_class_security(client: Any, article: Article) -> None:
    assert client.get("/articles").status_code == 401
    r = client.get("/articles", headers=headers())
    assert r.status_code == 200
    assert r.json() == [{"id": article.pk, "title": "Hello", "status": "draft"}]


def test_publish_inherits_and_any_user_may(client: Any, article: Article) -> None:
    r = client.post(f"/articles/{article.pk}/publish")
    assert r.status_code == 401
    article.refresh_from_db()
    assert article.status == "draft"  # the handler never ran
    r = client.post(f"/articles/{article.pk}/publish", headers=headers())
    assert r.json() == {"id": article.pk, "published": True}
    article.refresh_from_db()
    assert article.status == "published"


def test_feature_overrides_guards_only(client: Any, article: Article) -> None:
    assert client.post(f"/articles/{article.pk}/feature").status_code == 401
    assert client.post(f"/articles/{article.pk}/feature", headers=headers()).status_code == 403
    article.refresh_from_db()
    assert article.status == "draft"
    r = client.post(f"/articles/{article.pk}/feature", headers=headers(is_superuser=True))
    assert r.json() == {"id": article.pk, "featured": True}
    # auth is still the class's JWT backend: an admin flag elsewhere does not count
    r = client.post(f"/articles/{article.pk}/feature", headers={"X-Admin": "1"})
    assert r.status_code == 401


def test_public_stats_is_public(client: Any, article: Article) -> None:
    Article.objects.create(title="B", slug="b", status="published")
    assert client.get("/articles/public_stats").json() == {"total": 2, "published": 1}
    # a bad token is not even looked at: the route has no auth at all
    r = client.get("/articles/public_stats", headers={"Authorization": "Bearer junk"})
    assert r.status_code == 200
