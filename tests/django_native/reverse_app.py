"""An API loaded through BOLT_API by the reverse tests: named function routes and a
ModelViewSet with an @action."""

from __future__ import annotations

import uuid
from typing import Any

from bolt import BoltAPI, ModelViewSet, action, reverse
from tests.testapp.models import Article

api = BoltAPI(prefix="/api")


class ArticleViewSet(ModelViewSet):
    queryset = Article.objects.order_by("id")

    @action(detail=True, methods=["post"], path="publish")
    async def publish(self, request: Any, pk: int) -> dict[str, str]:
        return {"self": reverse("article-detail", pk=pk)}


api.viewset("/articles", ArticleViewSet)


@api.get("/users/{user_id:int}/files/{rest:path}", name="user-file")
async def user_file(user_id: int, rest: str) -> dict[str, str]:
    return {"again": api.reverse("user-file", user_id=user_id, rest=rest)}


@api.get("/tags/{tag}", name="tag")
async def tag(tag: str) -> dict[str, str]:
    return {"self": reverse("tag", tag=tag)}


@api.get("/things/{key:uuid}/{slug:slug}", name="thing")
async def thing(key: uuid.UUID, slug: str) -> dict[str, str]:
    return {"self": reverse("thing", key=key, slug=slug)}
