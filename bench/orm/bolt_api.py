"""The ORM endpoints on Bolt: a ``ReadOnlyModelViewSet`` with a msgspec schema."""

from __future__ import annotations

import datetime as dt

import msgspec

from bolt import BoltAPI
from bolt.views import ReadOnlyModelViewSet

api = BoltAPI(plugins=["viewsets", "crud"])

from bench.orm.models import Article  # noqa: E402  (needs the app registry BoltAPI sets up)


class ArticleSchema(msgspec.Struct):
    id: int
    title: str
    content: str
    author: str
    created_at: dt.datetime


@api.viewset("/articles")
class ArticleViewSet(ReadOnlyModelViewSet):
    queryset = Article.objects.all()
    serializer_class = ArticleSchema
