"""The guide's serializer-selection examples, as written: "Customizing Serializers Per
Action", "get_serializer_class(action) - Action-Specific Serializers" and "Dynamic Serializer
Selection with get_serializer_class()".

Those ViewSets configure serializers and implement no action yet. ``api.viewset()`` registers
them (no routes: their paths answer 404, and a warning is logged); the selection itself is
then shown through HTTP by a subclass that adds a ``list``/``retrieve`` reporting the choice.
"""

from __future__ import annotations

import logging

import msgspec
import pytest

from bolt import BoltAPI, hookimpl
from bolt.exceptions import ImproperlyConfigured
from bolt.middleware import Middleware
from bolt.views import ViewSet
from tests.testapp.models import Article

# The views have a queryset, so their routes close stale ORM connections after each request.
pytestmark = pytest.mark.django_db(transaction=True)


class ArticleMiniSchema(msgspec.Struct):
    """Minimal article info for lists."""

    id: int
    title: str
    author: str


class ArticleDetailSchema(msgspec.Struct):
    """Full article details."""

    id: int
    title: str
    content: str
    author: str
    created_at: str
    tags: list[str]


class ArticleCreateSchema(msgspec.Struct):
    """Schema for creating articles."""

    title: str
    content: str
    tags: list[str] = []


class ArticleUpdateSchema(msgspec.Struct):
    """Schema for updating articles."""

    title: str | None = None
    content: str | None = None
    tags: list[str] | None = None


class ArticleFullSchema(msgspec.Struct):
    id: int
    title: str


class ArticleAdminListSchema(msgspec.Struct):
    id: int
    title: str
    status: str


class ArticleAdminDetailSchema(msgspec.Struct):
    id: int
    title: str
    status: str
    created_at: str


class IsAdminHeader:
    """Test plugin: ``X-Admin: yes`` sets ``request.auth = {"is_admin": True}``."""

    @hookimpl
    def bolt_route_middleware(self, api, route):
        def wrap(next_handler):
            async def handle(request):
                if request.headers.get("x-admin") == "yes":
                    request.auth = {"is_admin": True}
                return await next_handler(request)

            return handle

        return Middleware(phase=200, wrap=wrap, name="admin-header")


def test_customizing_serializers_per_action():
    class ArticleViewSet(ViewSet):
        serializer_class = ArticleFullSchema
        list_serializer_class = ArticleMiniSchema
        detail_serializer_class = ArticleDetailSchema

        def get_serializer_class(self, action=None):
            """Override to customize serializer per action."""
            if action == "list":
                return self.list_serializer_class
            elif action == "retrieve":  # noqa: RET505 (the guide's code, verbatim)
                return self.detail_serializer_class
            return self.serializer_class

    view = ArticleViewSet()
    assert view.get_serializer_class("list") is ArticleMiniSchema
    assert view.get_serializer_class("retrieve") is ArticleDetailSchema
    assert view.get_serializer_class("create") is ArticleFullSchema


def test_action_specific_serializers_registered_as_written(client_for, caplog):
    api = BoltAPI()

    with caplog.at_level(logging.WARNING, logger="bolt"):

        @api.viewset("/articles")
        class ArticleViewSet(ViewSet):
            queryset = Article.objects.all()
            serializer_class = ArticleDetailSchema  # Default serializer

            def get_serializer_class(self, action: str | None = None):
                """
                Return different serializers based on action.
                Called automatically by the framework.
                """
                # Use instance action if not provided
                if action is None:
                    action = self.action

                # Action-specific serializers
                if action == "list":
                    return ArticleMiniSchema
                elif action == "retrieve":  # noqa: RET505 (the guide's code, verbatim)
                    return ArticleDetailSchema
                elif action == "create":
                    return ArticleCreateSchema
                elif action in ("update", "partial_update"):
                    return ArticleUpdateSchema

                # Default
                return self.serializer_class

    assert "implements no action yet" in caplog.text
    assert [r for r in api.iter_routes() if r.path.startswith("/articles")] == []
    missing = client_for(api).get("/articles")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not Found"}

    routed = BoltAPI()

    @routed.viewset("/articles")
    class Routed(ArticleViewSet):
        async def list(self, request):
            return {"serializer": self.get_serializer_class().__name__}

        async def retrieve(self, request, pk: int):
            return {"serializer": self.get_serializer_class().__name__}

        async def create(self, request):
            return {"serializer": self.get_serializer_class().__name__}

        async def partial_update(self, request, pk: int):
            return {"serializer": self.get_serializer_class().__name__}

    client = client_for(routed)
    assert client.get("/articles").json() == {"serializer": "ArticleMiniSchema"}
    assert client.get("/articles/1").json() == {"serializer": "ArticleDetailSchema"}
    assert client.post("/articles").json() == {"serializer": "ArticleCreateSchema"}
    assert client.patch("/articles/1").json() == {"serializer": "ArticleUpdateSchema"}


def test_dynamic_role_based_selection(client_for):
    api = BoltAPI(plugins=["viewsets", "crud", IsAdminHeader()])

    @api.viewset("/articles")
    class ArticleViewSet(ViewSet):
        queryset = Article.objects.all()
        serializer_class = ArticleFullSchema

        def get_serializer_class(self, action: str | None = None):
            """Dynamically select serializer based on action and context."""
            if action is None:
                action = self.action

            # Different serializers based on user role
            auth = self.request.get("auth", {})
            is_admin = auth.get("is_admin", False)

            if action == "list":
                # Admins see more info in lists
                return ArticleAdminListSchema if is_admin else ArticleMiniSchema
            elif action == "retrieve":  # noqa: RET505 (the guide's code, verbatim)
                # Admins see full details including metadata
                return ArticleAdminDetailSchema if is_admin else ArticleDetailSchema
            elif action == "create":
                return ArticleCreateSchema
            elif action in ("update", "partial_update"):
                return ArticleUpdateSchema

            return self.serializer_class

    assert api.iter_routes() == []
    routed = BoltAPI(plugins=["viewsets", "crud", IsAdminHeader()])

    @routed.viewset("/articles")
    class Routed(ArticleViewSet):
        async def list(self, request):
            return {"serializer": self.get_serializer_class().__name__}

        async def retrieve(self, request, pk: int):
            return {"serializer": self.get_serializer_class("retrieve").__name__}

    client = client_for(routed)
    assert client.get("/articles").json() == {"serializer": "ArticleMiniSchema"}
    admin = {"x-admin": "yes"}
    assert client.get("/articles", headers=admin).json() == {"serializer": "ArticleAdminListSchema"}
    assert client.get("/articles/2").json() == {"serializer": "ArticleDetailSchema"}
    assert client.get("/articles/2", headers=admin).json() == {
        "serializer": "ArticleAdminDetailSchema"
    }


def test_viewset_placeholder_registers_nothing_but_verbs_are_refused(api):
    # The guide's "One line - automatic route generation!" placeholder, as written
    @api.viewset("/users")
    class UserViewSet(ViewSet): ...

    assert api.iter_routes() == []

    class OnlyVerbs(ViewSet):
        async def get(self, request):
            return {}

    with pytest.raises(ImproperlyConfigured, match=r"only get; .*registered with api\.view\(\)"):
        api.viewset("/verbs", OnlyVerbs)
