"""Dumping querysets from ``async`` handlers, the way a DRF user writes
``Response(Serializer(qs, many=True).data)``.

``Serializer.dump_many(queryset)`` reads the database, which Django forbids on the event
loop: in an ``async def`` handler it used to fail deep inside Django with
``SynchronousOnlyOperation`` ("use a thread or sync_to_async"), a message that names no
Bolt API. ``await Serializer.adump_many(queryset)`` / ``await Serializer.adump(instance)``
do the same work off the loop, and ``dump_many`` called on the loop says to use them.
"""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth import get_user_model

from bolt import BoltAPI
from bolt.serializers import Serializer
from tests.testapp.models import Post

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class AuthorSerializer(Serializer):
    class Meta:
        model = get_user_model()
        fields = ("id", "username")


class PostSerializer(Serializer):
    author: AuthorSerializer

    class Meta:
        model = Post
        fields = ("id", "title", "author")


def _posts() -> Post:
    user = get_user_model().objects.create_user("ada", password="pw-ada-123")
    Post.objects.create(title="second", slug="second", author=user)
    return Post.objects.create(title="first", slug="first", author=user)


def test_adump_many_answers_a_queryset_from_an_async_handler(client_for) -> None:
    _posts()
    api = BoltAPI()

    @api.get("/posts")
    async def posts() -> list:
        return await PostSerializer.adump_many(Post.objects.order_by("title"))

    response = client_for(api).get("/posts")
    assert response.status_code == 200, response.text
    assert [(p["title"], p["author"]["username"]) for p in response.json()] == [
        ("first", "ada"),
        ("second", "ada"),
    ]


def test_adump_reads_a_nested_relation_from_an_async_handler(client_for) -> None:
    post = _posts()
    api = BoltAPI()

    @api.get("/posts/{pk}")
    async def one(pk: int) -> dict:
        obj = await Post.objects.aget(pk=pk)  # author not fetched: reading it queries
        dumped = await PostSerializer.adump(obj)
        return {"title": dumped.title, "author": dumped.author.username}

    response = client_for(api).get(f"/posts/{post.pk}")
    assert response.status_code == 200, response.text
    assert response.json() == {"title": "first", "author": "ada"}


def test_dump_many_on_the_event_loop_names_adump_many(client_for, caplog) -> None:
    _posts()
    api = BoltAPI()

    @api.get("/posts")
    async def posts() -> list:
        return PostSerializer.dump_many(Post.objects.all())

    with caplog.at_level(logging.ERROR, logger="bolt"):
        response = client_for(api).get("/posts")
    assert response.status_code == 500
    assert response.json()["detail"] == "Internal Server Error"
    logged = "\n".join(r.getMessage() + str(r.exc_info and r.exc_info[1]) for r in caplog.records)
    assert "await PostSerializer.adump_many(" in logged
