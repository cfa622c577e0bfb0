"""The API the Django-native tests call: a ModelViewSet, a sync and an async function route."""

from __future__ import annotations

import msgspec

from bolt import BoltAPI, ModelViewSet
from tests.testapp.models import Article


class ArticleOut(msgspec.Struct):
    id: int
    title: str
    slug: str | None = None


class ArticleViewSet(ModelViewSet):
    queryset = Article.objects.order_by("id")
    serializer_class = ArticleOut


api = BoltAPI()
api.viewset("/articles")(ArticleViewSet)


@api.get("/sync-titles")
def sync_titles() -> list[str]:
    return list(Article.objects.order_by("id").values_list("title", flat=True))


@api.get("/async-count")
async def async_count() -> dict[str, int]:
    return {"count": await Article.objects.acount()}


@api.post("/sync-create")
def sync_create(title: str) -> dict[str, int]:
    return {"id": Article.objects.create(title=title).pk}
