"""The guide's examples that several test modules use, written once.

The user schemas of "Different Serializers Per Action" serve the manual ViewSet tests and the
ModelViewSet tests alike. The guide's "Combining Everything" example is shared by the tests of
every plugin it uses.

``combining_everything(api)`` defines the guide's ``ArticleViewSet`` exactly as written; the
class-body routes (``@api.post(...)``) bind to the ``api`` passed in. Each plugin's test module
registers it and asserts its own plugin's part (views, auth and guards, CORS and rate limits).
"""

from __future__ import annotations

from typing import Any

import msgspec

from bolt import BoltAPI
from bolt.auth import HasPermission, IsAuthenticated, JWTAuthentication
from bolt.exceptions import Forbidden, NotFound
from bolt.middleware import cors, rate_limit
from bolt.params import Depends
from bolt.responses import StreamingResponse
from bolt.views import ViewSet


class UserMiniSchema(msgspec.Struct):
    """Minimal user info for lists."""

    id: int
    username: str


class UserFullSchema(msgspec.Struct):
    """Full user details (``date_joined``: Django's user has no ``created_at``)."""

    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    is_active: bool
    date_joined: str


class UserCreateSchema(msgspec.Struct):
    username: str
    email: str
    password: str
    first_name: str = ""
    last_name: str = ""


class UserUpdateSchema(msgspec.Struct):
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class ArticleRequest(msgspec.Struct):
    title: str
    content: str
    tags: list[str] = []


class ArticleResponse(msgspec.Struct):
    id: int
    title: str
    content: str
    author_id: int
    tags: list[str]


async def get_current_user(request: dict) -> dict:
    auth = request.get("auth", {})
    return {"id": auth.get("user_id"), "is_admin": auth.get("is_admin", False)}


def combining_everything(api: BoltAPI) -> type:
    class ArticleViewSet(ViewSet):
        # Class-level security
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated()]

        @rate_limit(rps=100)
        async def get(
            self, request: Any, article_id: int, current_user: dict = Depends(get_current_user)
        ) -> ArticleResponse:
            """Retrieve article with rate limiting."""
            if article_id > 1000:
                raise NotFound(detail=f"Article {article_id} not found")

            return ArticleResponse(
                id=article_id,
                title="My Article",
                content="Content here",
                author_id=current_user["id"],
                tags=["python", "django"],
            )

        @cors(origins=["*"])
        @rate_limit(rps=50)
        async def post(
            self, request: Any, data: ArticleRequest, current_user: dict = Depends(get_current_user)
        ) -> ArticleResponse:
            """Create article with CORS and rate limiting."""
            return ArticleResponse(
                id=123,
                title=data.title,
                content=data.content,
                author_id=current_user["id"],
                tags=data.tags,
            )

        @api.post("/articles/{article_id}/publish", guards=[HasPermission("articles.publish")])
        @rate_limit(rps=10)
        async def publish(
            self, request: Any, article_id: int, current_user: dict = Depends(get_current_user)
        ) -> dict:
            """Custom action: publish article (admin only)."""
            if not current_user["is_admin"]:
                raise Forbidden(detail="Only admins can publish articles")

            return {"id": article_id, "published": True, "published_by": current_user["id"]}

        @api.get("/articles/{article_id}/export")
        @rate_limit(rps=5)
        async def export(self, request: Any, article_id: int) -> StreamingResponse:
            """Custom action: export article as markdown."""

            async def generate_markdown() -> Any:
                yield f"# Article {article_id}\n\n"
                yield "Content goes here...\n"

            return StreamingResponse(
                generate_markdown(),
                media_type="text/markdown",
                headers={"Content-Disposition": f"attachment; filename=article-{article_id}.md"},
            )

    return ArticleViewSet
