"""The guide's Authentication & Guards chapter and auth examples, run as written.

Imports are the guide's with ``django_bolt`` replaced by ``bolt``. Where an example reads
a model field the test app does not have (``Article.published``), the stand-in is noted.
"""

from __future__ import annotations

from typing import Any

import pytest

from bolt import BoltAPI, action
from bolt.auth import (
    APIKeyAuthentication,
    HasPermission,
    IsAdminUser,
    IsAuthenticated,
    JWTAuthentication,
)
from bolt.views import APIView, ViewSet
from tests.guide_examples import combining_everything

from .conftest import SECRET, claims_for


def jwt_for(user_id: int = 1, **claims: Any) -> dict[str, str]:
    import jwt

    token = jwt.encode(claims_for(user_id, **claims), SECRET, algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api() -> BoltAPI:
    return BoltAPI(plugins=["viewsets", "auth", "guards"])


@pytest.fixture
def client(api: BoltAPI, client_for: Any) -> Any:
    return client_for(api)


def test_apiview_class_level_configuration(api: BoltAPI, client: Any) -> None:
    class SecureView(APIView):
        # Apply to all methods in this view
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated()]

        async def get(self, request):
            # Access auth context
            auth = request.get("auth", {})
            user_id = auth.get("user_id")
            return {"user_id": user_id, "message": "Secure data"}

        async def post(self, request):
            # Auth/guards automatically applied
            return {"created": True}

    api.view("/secure", SecureView)
    assert client.get("/secure").status_code == 401
    assert client.post("/secure").status_code == 401
    assert client.get("/secure", headers=jwt_for(3)).json() == {
        "user_id": 3,
        "message": "Secure data",
    }
    assert client.post("/secure", headers=jwt_for(3)).json() == {"created": True}


def test_apiview_method_level_overrides(api: BoltAPI, client: Any) -> None:
    class MixedSecurityView(APIView):
        # Default auth for all methods
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated()]

        async def get(self, request):
            """Public read access."""
            return {"data": "public"}

        async def post(self, request):
            """Requires admin."""
            return {"created": True}

    api.view("/mixed", MixedSecurityView)
    # As written both methods inherit the class-level security.
    assert client.get("/mixed").status_code == 401
    assert client.get("/mixed", headers=jwt_for()).json() == {"data": "public"}
    assert client.post("/mixed", headers=jwt_for()).json() == {"created": True}


def test_class_level_security(api: BoltAPI, client: Any) -> None:
    class SecureViewSet(ViewSet):
        # Apply to ALL methods (including custom actions)
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated()]

        async def get(self, request, resource_id: int):
            """Protected by class-level auth."""
            auth = request.get("auth", {})
            return {"resource_id": resource_id, "user_id": auth.get("user_id")}

        @api.post("/resources/{resource_id}/delete")
        async def delete_action(self, request, resource_id: int):
            """Custom action - also protected by class-level auth."""
            auth = request.get("auth", {})
            return {"resource_id": resource_id, "deleted_by": auth.get("user_id")}

    api.view("/resources/{resource_id}", SecureViewSet)
    assert client.get("/resources/5").status_code == 401
    assert client.post("/resources/5/delete").status_code == 401
    assert client.get("/resources/5", headers=jwt_for(8)).json() == {
        "resource_id": 5,
        "user_id": 8,
    }
    assert client.post("/resources/5/delete", headers=jwt_for(8)).json() == {
        "resource_id": 5,
        "deleted_by": 8,
    }


def test_custom_action_with_different_auth(api: BoltAPI, client: Any) -> None:
    class ArticleViewSet(ViewSet):
        # Default auth for standard methods
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated()]

        async def get(self, request, article_id: int):
            """Requires JWT."""
            return {"id": article_id}

        # Custom action with different auth
        @api.post(
            "/articles/{article_id}/webhook",
            auth=[APIKeyAuthentication(api_keys={"webhook-key": "system"})],
        )
        async def webhook(self, request, article_id: int):
            """Webhook endpoint - requires API key instead of JWT."""
            return {"article_id": article_id, "processed": True}

    api.view("/articles/{article_id}", ArticleViewSet)
    assert client.get("/articles/1", headers=jwt_for()).json() == {"id": 1}
    assert client.get("/articles/1", headers={"X-API-Key": "webhook-key"}).status_code == 401
    r = client.post("/articles/1/webhook", headers={"X-API-Key": "webhook-key"})
    assert r.json() == {"article_id": 1, "processed": True}
    assert client.post("/articles/1/webhook", headers=jwt_for()).status_code == 401
    assert client.post("/articles/1/webhook", headers={"X-API-Key": "webhook"}).status_code == 401


def test_guards_with_custom_actions(api: BoltAPI, client: Any) -> None:
    class DocumentViewSet(ViewSet):
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated()]

        async def get(self, request, doc_id: int):
            """Anyone authenticated can read."""
            return {"id": doc_id}

        @api.post("/documents/{doc_id}/approve", guards=[IsAdminUser()])
        async def approve(self, request, doc_id: int):
            """Only admins can approve."""
            return {"id": doc_id, "approved": True}

        @api.post("/documents/{doc_id}/publish", guards=[HasPermission("documents.publish")])
        async def publish(self, request, doc_id: int):
            """Requires specific permission."""
            return {"id": doc_id, "published": True}

    api.view("/documents/{doc_id}", DocumentViewSet)
    user, admin = jwt_for(), jwt_for(is_superuser=True)
    publisher = jwt_for(permissions=["documents.publish"])
    assert client.get("/documents/4", headers=user).json() == {"id": 4}
    assert client.post("/documents/4/approve").status_code == 401
    assert client.post("/documents/4/approve", headers=user).status_code == 403
    assert client.post("/documents/4/approve", headers=admin).json() == {"id": 4, "approved": True}
    assert client.post("/documents/4/publish", headers=user).status_code == 403
    assert client.post("/documents/4/publish", headers=publisher).json() == {
        "id": 4,
        "published": True,
    }


def test_accessing_auth_context(api: BoltAPI, client: Any) -> None:
    class SecureViewSet(ViewSet):
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated()]

        async def get(self, request, resource_id: int):
            """Access authentication context."""
            auth = request.get("auth", {})

            # JWT auth provides:
            user_id = auth.get("user_id")
            username = auth.get("username")
            is_admin = auth.get("is_admin", False)
            is_staff = auth.get("is_staff", False)
            permissions = auth.get("permissions", [])

            return {
                "resource_id": resource_id,
                "accessed_by": user_id,
                "is_admin": is_admin,
                "extra": [username, is_staff, permissions],
            }

    api.view("/ctx/{resource_id}", SecureViewSet)
    r = client.get("/ctx/2", headers=jwt_for(11, username="eve", is_superuser=True, is_staff=True))
    assert r.json() == {
        "resource_id": 2,
        "accessed_by": 11,
        "is_admin": True,
        "extra": ["eve", True, []],
    }


def test_combining_everything(client_for: Any) -> None:
    """ "Combining Everything" as written, with every first-party plugin enabled."""
    api = BoltAPI()
    ArticleViewSet = combining_everything(api)

    api.view("/articles/{article_id}", ArticleViewSet)
    client = client_for(api)
    for method, path in [
        ("GET", "/articles/7"),
        ("POST", "/articles/7"),
        ("POST", "/articles/7/publish"),
        ("GET", "/articles/7/export"),
    ]:
        r = client.request(method, path, json={"title": "t", "content": "c"})
        assert r.status_code == 401, path
        assert r.headers["www-authenticate"].startswith("Bearer")

    user = jwt_for(21)
    r = client.get("/articles/7", headers=user)
    assert r.json() == {
        "id": 7,
        "title": "My Article",
        "content": "Content here",
        "author_id": 21,
        "tags": ["python", "django"],
    }
    assert client.get("/articles/1001", headers=user).status_code == 404
    r = client.post("/articles/7", json={"title": "T", "content": "C"}, headers=user)
    assert r.json()["author_id"] == 21
    assert client.post("/articles/7/publish", headers=user).status_code == 403
    r = client.post("/articles/7/publish", headers=jwt_for(21, permissions=["articles.publish"]))
    assert r.status_code == 403
    assert r.json() == {"detail": "Only admins can publish articles"}
    r = client.post("/articles/7/publish", headers=jwt_for(1, is_superuser=True))
    assert r.json() == {"id": 7, "published": True, "published_by": 1}
    r = client.get("/articles/7/export", headers=user)
    assert r.text == "# Article 7\n\nContent goes here...\n"


def test_class_attributes_with_api_level_defaults(client_for: Any) -> None:
    """Class level beats the API default; an action's own value beats the class."""
    api = BoltAPI(
        plugins=["viewsets", "auth", "guards"], auth=[JWTAuthentication()], guards=[IsAdminUser()]
    )

    @api.viewset("/things")
    class ThingViewSet(ViewSet):
        guards = [IsAuthenticated()]

        async def list(self, request):
            return {"list": True}

        @action(methods=["GET"], detail=False, guards=[])
        async def public(self, request):
            return {"public": True}

    client = client_for(api)
    assert client.get("/things").status_code == 401
    assert client.get("/things", headers=jwt_for()).json() == {"list": True}  # class wins
    assert client.get("/things/public").json() == {"public": True}
