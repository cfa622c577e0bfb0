"""Holes an independent attack run found in option handling, each now closed.

Each test is the attacker's request (or the developer's habit) against what the class
declares; they failed before the fixes named in their docstrings.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from bolt import BoltAPI, Router
from bolt.auth import IsAdminUser, IsAuthenticated, JWTAuthentication, create_jwt_for_user
from bolt.exceptions import ImproperlyConfigured
from bolt.middleware import skip_middleware
from bolt.views import APIView, ModelViewSet, ViewSet
from tests.testapp.models import Post


def make(*plugins: str, **options: Any) -> BoltAPI:
    return BoltAPI(plugins=["viewsets", "auth", "guards", *plugins], **options)


def jwt(who: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_jwt_for_user(who)}"}


# --- a get_queryset()-only ModelViewSet could write any field ------------------------------
def test_orm_writes_without_a_schema_stop_startup() -> None:
    """Scoped only by ``get_queryset()``, the write body was typed ``Any``: a user could
    PATCH ``is_superuser`` on their own account."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    api = make("crud")

    class Me(ModelViewSet):
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated()]

        async def get_queryset(self):
            return user_model.objects.filter(pk=self.request.auth["user_id"])

    with pytest.raises(ImproperlyConfigured, match="no write schema can be derived"):
        api.viewset("/me", Me)


# --- an option stored on a shared inherited function ---------------------------------------
@pytest.mark.orm
@pytest.mark.django_db(transaction=True)
def test_a_decorated_inherited_method_changes_only_its_class(client_for: Any) -> None:
    """``list = skip_middleware("guards")(ModelViewSet.list)`` in one class used to store
    the option on ``ListMixin.list`` and open every ModelViewSet's list."""
    api = make("crud")

    class PostOut(msgspec.Struct):
        id: int
        title: str

    class Public(ModelViewSet):
        queryset = Post.objects.all()
        serializer_class = PostOut
        guards = [IsAdminUser()]
        list = skip_middleware("guards")(ModelViewSet.list)

    class Private(ModelViewSet):
        queryset = Post.objects.all()
        serializer_class = PostOut
        auth = [JWTAuthentication()]
        guards = [IsAdminUser()]

    api.viewset("/public", Public)
    api.viewset("/private", Private)
    client = client_for(api)
    assert client.get("/public").status_code == 200
    assert client.get("/private").status_code == 401
    assert not getattr(ModelViewSet.list, "__bolt_route_options__", None)


# --- options on a mixin listed after the framework base ------------------------------------
class AdminOnly:
    auth = [JWTAuthentication()]
    guards = [IsAdminUser()]
    http_method_names = ["get"]


@pytest.mark.parametrize("order", ["mixin-first", "mixin-after-base"])
def test_mixin_options_count_in_either_order(order: str, client_for: Any) -> None:
    """``class V(APIView, AdminOnly)`` found APIView's ``guards = None`` first."""

    async def get(self: Any, request: Any) -> dict:
        return {"secret": 1}

    async def delete(self: Any, request: Any) -> dict:
        return {"deleted": 1}

    bases = (AdminOnly, APIView) if order == "mixin-first" else (APIView, AdminOnly)
    view = type("V", bases, {"get": get, "delete": delete})
    api = make()
    api.view("/v", view)
    client = client_for(api)
    assert client.get("/v").status_code == 401
    assert client.delete("/v").status_code == 405  # http_method_names from the mixin


class Owned:
    read_only_fields = ("author",)


class PostIn(msgspec.Struct):
    title: str
    slug: str
    author: int | None = None


@pytest.mark.orm
@pytest.mark.django_db(transaction=True)
def test_read_only_fields_on_a_mixin_after_the_viewset(
    client_for: Any, user: Any, staff: Any
) -> None:
    api = make("crud")

    class Posts(ModelViewSet, Owned):
        queryset = Post.objects.all()
        create_serializer_class = PostIn
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated()]

    api.viewset("/posts", Posts)
    post = Post.objects.create(title="x", slug="x", author=user)
    answer = client_for(api).patch(
        f"/posts/{post.pk}", json={"author": staff.pk}, headers=jwt(user)
    )
    assert answer.status_code == 422, answer.text
    post.refresh_from_db()
    assert post.author_id == user.pk


# --- class-body routes and the class's registration ----------------------------------------
def test_class_body_routes_take_registration_and_router_options(client_for: Any) -> None:
    api = make(auth=[JWTAuthentication()])

    class Panel(APIView):
        async def get(self, request) -> dict:
            return {"panel": True}

        @api.post("/panel/reset")
        async def reset(self, request) -> dict:
            return {"reset": True}

    class Tools(ViewSet):
        async def list(self, request) -> list:
            return []

        @api.delete("/admin/tools/purge")
        async def purge(self, request) -> dict:
            return {"purged": True}

    api.view("/panel", Panel, guards=[IsAdminUser()])
    admin = Router("/admin", guards=[IsAdminUser()])
    admin.viewset("/tools", Tools)
    api.include_router(admin)
    client = client_for(api)
    for method, path in [
        ("GET", "/panel"),
        ("POST", "/panel/reset"),
        ("GET", "/admin/tools"),
        ("DELETE", "/admin/tools/purge"),
    ]:
        assert client.request(method, path).status_code == 401, path


def test_class_body_route_outside_http_method_names_stops_startup() -> None:
    api = make()
    with pytest.raises(ImproperlyConfigured, match="http_method_names"):

        class Panel(APIView):
            http_method_names = ["get"]

            async def get(self, request) -> dict:
                return {}

            @api.post("/panel/reset")
            async def reset(self, request) -> dict:
                return {}


def test_a_class_with_body_routes_registered_twice_with_different_options() -> None:
    api = make()

    class Panel(APIView):
        async def get(self, request) -> dict:
            return {}

        @api.post("/panel/reset")
        async def reset(self, request) -> dict:
            return {}

    api.view("/a", Panel, guards=[IsAdminUser()])
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        api.view("/b", Panel, guards=[])


# --- class attributes that are not lists ---------------------------------------------------
def test_a_bare_guard_class_as_the_class_attribute_applies(client_for: Any) -> None:
    api = make(auth=[JWTAuthentication()])

    @api.view("/v")
    class V(APIView):
        guards = IsAdminUser  # a class, not a list of instances

        async def get(self, request) -> dict:
            return {"secret": 1}

    assert client_for(api).get("/v").status_code == 401


def test_a_method_as_a_class_option_stops_startup() -> None:
    api = make()

    def only_admins(request: Any) -> bool:
        return False

    view = type("V", (APIView,), {"guards": staticmethod(only_admins), "get": lambda self: {}})
    with pytest.raises(ImproperlyConfigured, match="method or property"):
        api.view("/v", view)


# --- DRF hooks and near-miss names ---------------------------------------------------------
@pytest.mark.parametrize(
    "attribute",
    [
        "get_permissions",
        "check_permissions",
        "has_permission",
        "get_authenticators",
        "get_throttles",
        "has_object_permission",
    ],
)
def test_drf_permission_hooks_stop_startup(attribute: str) -> None:
    def hook(self: Any, *args: Any) -> Any:
        return [IsAdminUser()]

    view = type("V", (ViewSet,), {attribute: hook, "list": lambda self: []})
    with pytest.raises(ImproperlyConfigured, match=attribute):
        make().viewset("/v", view)


@pytest.mark.parametrize(
    "attribute",
    ["permission_class", "authentication_class", "Guards", "guard_classes", "permissions_classes"],
)
def test_near_miss_attribute_names_stop_startup(attribute: str) -> None:
    view = type("V", (ViewSet,), {attribute: [IsAdminUser()], "list": lambda self: []})
    with pytest.raises(ImproperlyConfigured, match=attribute):
        make().viewset("/v", view)


def test_an_action_named_like_a_drf_hook_is_fine(client_for: Any) -> None:
    """The guide has an ``@action`` called ``get_permissions``."""
    from bolt import action

    api = make()

    @api.viewset("/users")
    class Users(ViewSet):
        @action(methods=["GET"], detail=True, path="permissions")
        async def get_permissions(self, request, pk: int) -> dict:
            return {"id": pk}

    assert client_for(api).get("/users/3/permissions").json() == {"id": 3}


@pytest.mark.orm
@pytest.mark.django_db(transaction=True)
def test_account_flags_are_not_writable_through_a_derived_schema(
    client_for: Any, user: Any
) -> None:
    from django.contrib.auth import get_user_model

    api = make("crud")

    @api.viewset("/accounts")
    class Accounts(ModelViewSet):
        queryset = get_user_model().objects.all()
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated()]

    client = client_for(api)
    for field, value in [("is_active", False), ("date_joined", "2001-01-01T00:00:00Z")]:
        answer = client.patch(f"/accounts/{user.pk}", json={field: value}, headers=jwt(user))
        assert answer.status_code == 422, (field, answer.text)
    user.refresh_from_db()
    assert user.is_active


def test_one_class_registered_with_two_lookups_stops_startup() -> None:
    """A review found the last registration's lookup used by every path of the class."""
    api = make()

    class Items(ViewSet):
        async def retrieve(self, request, **kwargs) -> dict:
            return {}

    api.viewset("/items", Items)  # lookup {pk}
    Items.lookup_field = "slug"  # the same class, now asking for another parameter
    with pytest.raises(ImproperlyConfigured, match="get_object"):
        api.viewset("/other", Items)
