"""A view's ``read_only_fields`` protect the model field whatever its spelling: a foreign
key named ``author`` or by its column name ``author_id``, in ``read_only_fields`` or in the
body's schema, is never written from a body."""

from __future__ import annotations

import msgspec
import pytest
from django.contrib.auth.models import User

from bolt import BoltAPI, ModelViewSet
from bolt.serializers import Serializer
from bolt.testing import TestClient
from tests.testapp.models import Post

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class PostSerializer(Serializer):
    id: int = 0
    title: str
    slug: str
    author_id: int = 0

    class Meta:
        read_only_fields = ("id",)


class PostStruct(msgspec.Struct, kw_only=True):
    id: int = 0
    title: str
    slug: str
    author_id: int = 0


class OwnedPosts(ModelViewSet):
    """The author is the caller (``X-Uid`` stands in for authentication)."""

    queryset = Post.objects.order_by("id")
    read_only_fields: tuple[str, ...] = ("author",)

    def perform_create(self, instance: Post) -> None:
        if not instance.author_id:
            instance.author_id = int(self.request.headers["x-uid"])
        instance.save(force_insert=True)


class SerializerPosts(OwnedPosts):
    serializer_class = PostSerializer


class StructPosts(OwnedPosts):
    serializer_class = PostStruct


class AttnamePosts(OwnedPosts):
    read_only_fields = ("author_id",)


class AttnameSerializerPosts(SerializerPosts):
    read_only_fields = ("author_id",)


@pytest.fixture
def users() -> tuple[User, User]:
    return User.objects.create_user("alice"), User.objects.create_user("victim")


def client() -> TestClient:
    api = BoltAPI(plugins=["viewsets", "crud"])
    api.viewset("/ser")(SerializerPosts)
    api.viewset("/struct")(StructPosts)
    api.viewset("/attname")(AttnamePosts)
    api.viewset("/attname-ser")(AttnameSerializerPosts)
    return TestClient(api)


def refused(response, name: str) -> bool:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/json")
    return any(name in (e["msg"] + " ".join(map(str, e["loc"]))) for e in response.json()["detail"])


@pytest.mark.parametrize("prefix", ["/ser", "/struct", "/attname-ser"])
def test_column_name_of_a_read_only_foreign_key_is_refused(users, prefix: str) -> None:
    alice, victim = users
    with client() as c:
        response = c.post(
            prefix,
            json={"title": "t", "slug": "s1", "author_id": victim.pk},
            headers={"x-uid": str(alice.pk)},
        )
        assert refused(response, "author_id")
        post = Post.objects.create(title="x", slug="s2", author=alice)
        patched = c.patch(f"{prefix}/{post.pk}", json={"author_id": victim.pk})
        assert refused(patched, "author_id")
        # the other fields stay writable
        ok = c.post(prefix, json={"title": "t", "slug": "s3"}, headers={"x-uid": str(alice.pk)})
        assert ok.status_code == 201, ok.text
    assert {p.slug: p.author_id for p in Post.objects.all()} == {"s2": alice.pk, "s3": alice.pk}


def test_read_only_fields_spelled_as_a_column_name_protect_the_field(users) -> None:
    alice, victim = users
    with client() as c:
        response = c.post(
            "/attname",
            json={"title": "t", "slug": "s1", "author": victim.pk},
            headers={"x-uid": str(alice.pk)},
        )
        assert refused(response, "author")
        post = Post.objects.create(title="x", slug="s2", author=alice)
        assert refused(c.patch(f"/attname/{post.pk}", json={"author": victim.pk}), "author")
        assert refused(
            c.put(f"/attname/{post.pk}", json={"title": "y", "slug": "s2", "author": victim.pk}),
            "author",
        )
    assert list(Post.objects.values_list("author_id", flat=True)) == [alice.pk]


class WiderBody(msgspec.Struct, kw_only=True):
    title: str
    slug: str
    author_id: int = 0


def test_a_handler_writing_its_own_data_never_touches_a_read_only_field(users) -> None:
    """Data a custom action hands to ``create_object`` that names the read-only field under
    its column name is refused like a body naming it (never written)."""
    alice, victim = users

    class Custom(OwnedPosts):
        serializer_class = PostStruct
        read_only_fields = ("author",)

        async def create(self, data: WiderBody) -> dict:  # type: ignore[override]
            created = await self.create_object(
                {"title": data.title, "slug": data.slug, "author_id": data.author_id}
            )
            return {"id": created.id}

    api = BoltAPI(plugins=["viewsets", "crud"])
    api.viewset("/custom")(Custom)
    with TestClient(api) as c:
        response = c.post(
            "/custom",
            json={"title": "t", "slug": "s1", "author_id": victim.pk},
            headers={"x-uid": str(alice.pk)},
        )
        assert refused(response, "author_id")
    assert not Post.objects.exists()
