"""The core and ORM endpoints on django-bolt, written as its guide writes them."""

from __future__ import annotations

import datetime as dt

import msgspec
from django_bolt import BoltAPI
from django_bolt.views import ReadOnlyModelViewSet

from bench.apps.payload import Item
from bench.orm.models import Article

api = BoltAPI()


@api.get("/hello")
async def hello() -> dict:
    return {"message": "Hello, World!"}


@api.get("/items/{item_id}")
async def read_item(item_id: int, q: str | None = None) -> dict:
    return {"item_id": item_id, "q": q}


@api.post("/items", status_code=201)
async def create_item(item: Item) -> Item:
    return item


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
