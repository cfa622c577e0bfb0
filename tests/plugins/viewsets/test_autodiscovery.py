"""Guide chapter "Route Autodiscovery for ViewSets": the 10-route example, the read-only
example, and the discovery rules (lookup field, sync handlers, inherited handlers, names)."""

import inspect

import pytest

from bolt import BoltAPI, ViewSet, action
from bolt.exceptions import ImproperlyConfigured


def ten_route_api() -> BoltAPI:
    api = BoltAPI(plugins=["viewsets"])

    @api.viewset("/articles")
    class ArticleViewSet(ViewSet):
        serializer_class = dict
        lookup_field = "slug"

        async def list(self, request):
            return {"action": self.action}

        async def retrieve(self, request, slug: str):
            return {"action": self.action, "slug": slug}

        async def create(self, request, data: dict):
            return {"action": self.action, "data": data}

        async def update(self, request, slug: str, data: dict):
            return {"action": self.action, "slug": slug, "data": data}

        async def destroy(self, request, slug: str):
            return {"action": self.action, "slug": slug}

        @action(methods=["POST"], detail=True)
        async def publish(self, request, slug: str):
            return {"action": self.action, "slug": slug}

        @action(methods=["POST"], detail=True, path="unpublish")
        async def unpublish_article(self, request, slug: str):
            return {"action": self.action, "slug": slug}

        @action(methods=["GET"], detail=False)
        async def published(self, request):
            return {"action": self.action}

        @action(methods=["GET", "POST"], detail=False, path="drafts")
        async def draft_articles(self, request, data: dict | None = None):
            return {"action": self.action, "method": request.method, "data": data}

    return api


def test_ten_routes_generated():
    api = ten_route_api()
    table = {(r.method, r.path): r.action for r in api.iter_routes()}
    assert table == {
        ("GET", "/articles"): "list",
        ("GET", "/articles/{slug}"): "retrieve",
        ("POST", "/articles"): "create",
        ("PUT", "/articles/{slug}"): "update",
        ("DELETE", "/articles/{slug}"): "destroy",
        ("POST", "/articles/{slug}/publish"): "publish",
        ("POST", "/articles/{slug}/unpublish"): "unpublish_article",
        ("GET", "/articles/published"): "published",
        ("GET", "/articles/drafts"): "draft_articles",
        ("POST", "/articles/drafts"): "draft_articles",
    }
    assert len(api.iter_routes()) == 10


def test_ten_routes_through_http(client_for):
    client = client_for(ten_route_api())
    assert client.get("/articles").json() == {"action": "list"}
    assert client.get("/articles/hello").json() == {"action": "retrieve", "slug": "hello"}
    created = client.post("/articles", json={"t": 1})
    assert created.status_code == 201
    assert created.json() == {"action": "create", "data": {"t": 1}}
    assert client.put("/articles/hello", json={}).json()["action"] == "update"
    assert client.delete("/articles/hello").json() == {"action": "destroy", "slug": "hello"}
    assert client.post("/articles/hello/publish").json()["action"] == "publish"
    assert client.post("/articles/hello/unpublish").json()["action"] == "unpublish_article"
    # collection actions win over the detail route /articles/{slug}
    assert client.get("/articles/published").json() == {"action": "published"}
    assert client.get("/articles/drafts").json() == {
        "action": "draft_articles",
        "method": "GET",
        "data": None,
    }
    assert client.post("/articles/drafts", json={"x": 1}).json()["data"] == {"x": 1}
    # PATCH was not implemented: 405 with the methods that exist
    patched = client.patch("/articles/hello", json={})
    assert patched.status_code == 405
    assert patched.headers["allow"] == "DELETE, GET, HEAD, OPTIONS, PUT"
    # DELETE on a collection action path is 405, not the detail route
    assert client.delete("/articles/published").status_code == 405


def test_read_only_viewset(api, client_for):
    @api.viewset("/articles")
    class ReadOnlyArticleViewSet(ViewSet):
        async def list(self, request):
            return [1, 2]

        async def retrieve(self, request, pk: int):
            return {"pk": pk}

    assert [(r.method, r.path) for r in api.iter_routes()] == [
        ("GET", "/articles"),
        ("GET", "/articles/{pk}"),
    ]
    client = client_for(api)
    assert client.get("/articles").json() == [1, 2]
    assert client.get("/articles/3").json() == {"pk": 3}
    for method, path in [("POST", "/articles"), ("PUT", "/articles/3"), ("DELETE", "/articles/3")]:
        response = client.request(method, path)
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, HEAD, OPTIONS"


def test_sync_handlers_are_routed(api, client_for):
    @api.viewset("/items")
    class ItemViewSet(ViewSet):
        def list(self, request):
            return {"sync": True, "action": self.action}

        def retrieve(self, request, id: int):
            return {"id": id}

        @action(methods=["POST"], detail=True)
        def touch(self, request, id: int):
            return None

    client = client_for(api)
    assert client.get("/items").json() == {"sync": True, "action": "list"}
    assert client.get("/items/2").json() == {"id": 2}
    touched = client.post("/items/2/touch")
    assert touched.status_code == 204
    assert touched.content == b""


def test_inherited_handlers_are_discovered(api, client_for):
    class ListMixin:
        async def list(self, request):
            return {"from": "mixin", "view": type(self).__name__}

    class Base(ViewSet):
        @action(methods=["GET"], detail=False)
        async def ping(self, request):
            return {"pong": type(self).__name__}

        @action(methods=["GET"], detail=False)
        async def hidden(self, request):
            return {}

    @api.viewset("/things")
    class ThingViewSet(Base, ListMixin):
        hidden = None  # a subclass can withdraw an inherited action

    client = client_for(api)
    assert client.get("/things").json() == {"from": "mixin", "view": "ThingViewSet"}
    assert client.get("/things/ping").json() == {"pong": "ThingViewSet"}
    assert client.get("/things/hidden").status_code == 404


def test_lookup_field_inferred_from_detail_handlers(api, client_for):
    @api.viewset("/users")
    class UserViewSet(ViewSet):
        async def retrieve(self, request, id: int):
            return {"id": id}

        @action(methods=["POST"], detail=True)
        async def activate(self, request, id: int):
            return {"activated": id}

    assert UserViewSet.get_lookup_field() == "id"
    assert {r.path for r in api.iter_routes()} == {"/users/{id}", "/users/{id}/activate"}
    assert client_for(api).post("/users/9/activate").json() == {"activated": 9}


@pytest.mark.parametrize(
    ("handler_src", "expected"),
    [
        ("async def retrieve(self, request, user_uuid): ...", "user_uuid"),
        ("async def retrieve(self, id: int, request): ...", "id"),
        ("async def retrieve(self, request, q: int = 1): ...", "pk"),
        ("async def retrieve(self, request, data: dict): ...", "pk"),
        ("async def retrieve(self, request, **kwargs): ...", "pk"),
        ("async def retrieve(self, request, key: Annotated[str, Path()]): ...", "key"),
        ("async def destroy(self, request, slug: str): ...", "slug"),
    ],
)
def test_lookup_inference_rules(handler_src, expected):
    from typing import Annotated  # noqa: F401  (used by the handler source)

    from bolt.params import Path  # noqa: F401

    namespace: dict = {}
    exec(handler_src, {**globals(), **locals()}, namespace)
    cls = type("V", (ViewSet,), dict(namespace))
    assert cls.get_lookup_field() == expected


def test_explicit_lookup_field_wins_and_is_inherited():
    class Base(ViewSet):
        lookup_field = "slug"

    class Child(Base):
        async def retrieve(self, request, id: int): ...

    assert Child.get_lookup_field() == "slug"


def test_conflicting_lookup_names_are_a_startup_error(api):
    class Mixed(ViewSet):
        async def retrieve(self, request, id: int): ...

        async def destroy(self, request, pk: int): ...

    with pytest.raises(ImproperlyConfigured, match="set `lookup_field`"):
        api.viewset("/mixed", Mixed)


def test_generic_kwargs_handler_gets_the_lookup_parameter(api, client_for):
    class Base(ViewSet):
        @classmethod
        def get_lookup_annotation(cls):
            return int

        async def retrieve(self, request, **kwargs):
            return {"kwargs": kwargs, "self_kwargs": dict(self.kwargs)}

        async def list(self, request, **kwargs):
            return {"kwargs": kwargs}

    @api.viewset("/things")
    class Things(Base):
        lookup_field = "thing_id"

    client = client_for(api)
    assert client.get("/things/4").json() == {
        "kwargs": {"thing_id": 4},
        "self_kwargs": {"thing_id": 4},
    }
    assert client.get("/things/x").status_code == 422
    assert client.get("/things").json() == {"kwargs": {}}


def test_handler_signature_hook(api, client_for):
    class Base(ViewSet):
        body_type = dict

        @classmethod
        def handler_signature(cls, action, signature):
            if action != "create":
                return signature
            params = [
                p.replace(annotation=cls.body_type) if p.name == "data" else p
                for p in signature.parameters.values()
            ]
            return signature.replace(parameters=params)

        async def create(self, request, data):
            return {"data": data, "type": type(data).__name__}

    @api.viewset("/typed")
    class Typed(Base):
        body_type = dict[str, int]

    client = client_for(api)
    assert client.post("/typed", json={"a": 1}).json() == {"data": {"a": 1}, "type": "dict"}
    assert client.post("/typed", json={"a": "x"}).status_code == 422
    signature = next(iter(api.iter_routes())).signature
    assert signature.parameters["data"].annotation == dict[str, int]
    assert "self" not in signature.parameters
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in signature.parameters.values())


def test_route_names_and_basename(api):
    from django.contrib.auth.models import User

    @api.viewset("/people")
    class PeopleViewSet(ViewSet):
        queryset = User.objects.all()

        async def list(self, request): ...

    @api.viewset("/blog-posts")
    class BlogPostViewSet(ViewSet):
        async def retrieve(self, request, pk: int): ...

        @action(methods=["POST"], detail=True, name="blog-promote")
        async def promote(self, request, pk: int): ...

    @api.viewset("/tags", basename="label")
    class TagViewSet(ViewSet):
        async def list(self, request): ...

    names = {r.path: r.name for r in api.iter_routes()}
    assert names == {
        "/people": "user-list",
        "/blog-posts/{pk}": "blog_post-detail",
        "/blog-posts/{pk}/promote": "blog-promote",
        "/tags": "label-list",
    }


def test_viewset_without_actions_is_a_startup_error(api):
    class OnlyVerbs(ViewSet):
        async def get(self, request): ...

    with pytest.raises(ImproperlyConfigured, match=r"registered with api\.view\(\)"):
        api.viewset("/verbs", OnlyVerbs)

    from bolt.views import APIView

    class Plain(APIView):
        async def get(self, request): ...

    with pytest.raises(ImproperlyConfigured, match="needs a ViewSet subclass"):
        api.viewset("/plain", Plain)


def test_viewset_under_a_prefix_and_router(client_for):
    from bolt import Router

    api = BoltAPI(prefix="/api", plugins=["viewsets"])
    router = Router(prefix="/v1")

    class Things(ViewSet):
        async def list(self, request):
            return ["a"]

        @action(methods=["GET"], detail=False)
        async def count(self, request):
            return 1

    api.viewset("/things", Things)
    router.viewset("/things", Things)
    api.include_router(router)
    client = client_for(api)
    assert client.get("/api/things").json() == ["a"]
    assert client.get("/api/things/count").json() == 1
    assert client.get("/api/v1/things/count").json() == 1


def test_positional_only_and_reserved_parameter_names(api, client_for):
    @api.viewset("/pos")
    class Positional(ViewSet):
        async def retrieve(self, request, id: int, /, q: int = 0):
            return {"id": id, "q": q, "kwargs": dict(self.kwargs)}

    client = client_for(api)
    assert client.get("/pos/3", params={"q": 2}).json() == {"id": 3, "q": 2, "kwargs": {"id": 3}}

    class Reserved(ViewSet):
        async def list(self, request, _bv_view: int = 0):
            return {}

    with pytest.raises(ImproperlyConfigured, match="'_bv_' are reserved"):
        api.viewset("/reserved", Reserved)


def test_nested_base_path(api, client_for):
    @api.viewset("/posts/{post_id}/comments")
    class CommentViewSet(ViewSet):
        async def list(self, request, post_id: int):
            return {"post": post_id}

        async def retrieve(self, request, post_id: int, id: int):
            return {"post": post_id, "comment": id, "kwargs": dict(self.kwargs)}

        @action(methods=["POST"], detail=True)
        async def like(self, request, post_id: int, id: int):
            return {"liked": [post_id, id]}

    assert CommentViewSet.get_lookup_field() == "id"
    client = client_for(api)
    assert client.get("/posts/1/comments").json() == {"post": 1}
    assert client.get("/posts/1/comments/2").json() == {
        "post": 1,
        "comment": 2,
        "kwargs": {"post_id": 1, "id": 2},
    }
    assert client.post("/posts/1/comments/2/like").json() == {"liked": [1, 2]}

    class Clash(ViewSet):
        lookup_field = "post_id"

        async def retrieve(self, request, post_id: int): ...

    with pytest.raises(ImproperlyConfigured, match="already a parameter of the base path"):
        api.viewset("/posts/{post_id}/x", Clash)


def test_name_given_to_viewset_is_the_basename(api):
    @api.viewset("/tags", basename="label", name="ignored-when-basename-given")
    class TagViewSet(ViewSet):
        async def list(self, request): ...

        async def retrieve(self, request, pk: int): ...

    @api.viewset("/cats", name="kitten")
    class CatViewSet(ViewSet):
        async def list(self, request): ...

    assert sorted(r.name for r in api.iter_routes()) == [
        "kitten-list",
        "label-detail",
        "label-list",
    ]
