"""Which declaration of ``guards`` / ``auth`` a route runs: the most specific one, always.

Layers, most specific first: route (decorator, ``@action``, class-body decorator) >
registration (``api.view``/``api.viewset`` keywords) > class attributes > inner router >
``include_router`` keywords > outer router > ``BoltAPI`` > settings. Every pair of layers is
tried on every entry point that has both: a guard that refuses with its layer's name tells,
through HTTP, which declaration ran.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from bolt import BoltAPI, Router, action
from bolt.auth import APIKeyAuthentication, IsAdminUser, IsAuthenticated
from bolt.views import APIView, ViewSet
from bolt_plugins.guards import BaseGuard

KEY = "precedence-test-key-0123456789"
HEADERS = {"X-API-Key": KEY}


class Refuse(BaseGuard):
    """Refuses everyone, naming the layer it was declared at."""

    def __init__(self, layer: str) -> None:
        self.layer = layer
        self.message = f"refused by {layer}"

    def has_permission(self, request: Any) -> bool:
        return False


ORDER = ["route", "registration", "class", "inner", "include", "outer", "api", "settings"]
# Which layers each entry point has (``route`` exists for guards only where a keyword can be
# written per route: function routes, @action and class-body decorators).
ENTRIES = {
    "function": ["route", "inner", "include", "outer", "api", "settings"],
    "view": ["registration", "class", "inner", "include", "outer", "api", "settings"],
    "viewset": ["registration", "class", "inner", "include", "outer", "api", "settings"],
    "action": ["route", "registration", "class", "inner", "include", "outer", "api", "settings"],
    # (class attributes on a class-body route's class: test_class_body_routes_take_...)
    "classbody": ["route", "inner", "include", "outer", "api", "settings"],
}


def _g(layers: set[str], name: str) -> dict[str, Any]:
    return {"guards": [Refuse(name)]} if name in layers else {}


def build(entry: str, layers: set[str]) -> tuple[BoltAPI, str]:
    """An API whose one route gets ``guards`` at each named layer; returns it and the path."""
    api = BoltAPI(
        plugins=["viewsets", "auth", "guards"],
        auth=[APIKeyAuthentication({KEY: "svc"})],
        **_g(layers, "api"),
    )
    outer = Router("/outer", **_g(layers, "outer"))
    inner = Router("/inner", **_g(layers, "inner"))
    class_attrs: dict[str, Any] = {}
    if "class" in layers:
        class_attrs["guards"] = [Refuse("class")]
    registration = _g(layers, "registration")

    if entry == "function":

        async def handler() -> dict:
            return {"ran": True}

        inner.get("/r", **_g(layers, "route"))(handler)
    elif entry == "view":

        async def get(self: Any) -> dict:
            return {"ran": True}

        view = type("V", (APIView,), {**class_attrs, "get": get})
        inner.view("/r", view, **registration)
    elif entry == "viewset":

        async def list_(self: Any) -> dict:
            return {"ran": True}

        viewset = type("VS", (ViewSet,), {**class_attrs, "list": list_})
        inner.viewset("/r", viewset, **registration)
    elif entry == "action":

        async def go(self: Any) -> dict:
            return {"ran": True}

        go.__qualname__ = "VS.go"
        handler_ = action(methods=["GET"], detail=False, **_g(layers, "route"))(go)
        viewset = type("VS", (ViewSet,), {**class_attrs, "go": handler_})
        inner.viewset("/r", viewset, **registration)
    else:  # a route decorator in a class body

        class Body(APIView):
            @inner.get("/r", **_g(layers, "route"))
            async def body(self) -> dict:
                return {"ran": True}

        for name, value in class_attrs.items():
            setattr(Body, name, value)
    outer.include_router(inner, "", **_g(layers, "include"))
    api.include_router(outer)
    suffix = "/go" if entry == "action" else ""
    return api, "/outer/inner/r" + suffix


def winner(layers: set[str]) -> str:
    return next(name for name in ORDER if name in layers)


CASES = [
    (entry, pair)
    for entry, available in ENTRIES.items()
    for pair in [*itertools.combinations(available, 2), *((name,) for name in available)]
]


@pytest.mark.parametrize(("entry", "layers"), CASES, ids=[f"{e}-{'+'.join(p)}" for e, p in CASES])
def test_most_specific_guards_win(
    entry: str, layers: tuple[str, ...], client_for: Any, settings: Any
) -> None:
    chosen = set(layers)
    if "settings" in chosen:
        settings.BOLT_DEFAULT_PERMISSION_CLASSES = [Refuse("settings")]
    api, path = build(entry, chosen)
    response = client_for(api).get(path, headers=HEADERS)
    assert response.status_code == 403, response.text
    assert response.json() == {"detail": f"refused by {winner(chosen)}"}


def test_class_body_routes_take_the_class_guards_over_routers(client_for: Any) -> None:
    api = BoltAPI(plugins=["viewsets", "auth", "guards"], auth=[APIKeyAuthentication({KEY: "svc"})])
    router = Router("/r", guards=[Refuse("router")])

    class Body(APIView):
        guards = [Refuse("class")]

        @router.get("/x")
        async def x(self) -> dict:
            return {"ran": True}

        @router.get("/y", guards=[Refuse("route")])
        async def y(self) -> dict:
            return {"ran": True}

    api.include_router(router)
    client = client_for(api)
    assert client.get("/r/x", headers=HEADERS).json() == {"detail": "refused by class"}
    assert client.get("/r/y", headers=HEADERS).json() == {"detail": "refused by route"}


@pytest.mark.orm
@pytest.mark.django_db(transaction=True)
def test_router_default_never_opens_an_admin_viewset(
    client_for: Any, user: Any, admin: Any, bearer: Any
) -> None:
    """The attack: a router that only asks for a login must not open a class that asks for
    an admin, nor its actions, nor an APIView mounted through it."""
    from bolt.auth import JWTAuthentication, create_jwt_for_user

    api = BoltAPI(plugins=["viewsets", "auth", "guards"])
    router = Router("/admin", auth=[JWTAuthentication()], guards=[IsAuthenticated()])

    @router.viewset("/users")
    class AdminUsers(ViewSet):
        guards = [IsAdminUser()]

        async def list(self, request) -> list:
            return ["everyone's data"]

        @action(methods=["POST"], detail=False)
        async def purge(self, request) -> dict:
            return {"purged": True}

    @router.view("/panel")
    class Panel(APIView):
        guards = [IsAdminUser()]

        async def get(self, request) -> dict:
            return {"panel": True}

    api.include_router(router, guards=[IsAuthenticated()])
    client = client_for(api)
    plain = bearer(create_jwt_for_user(user))
    root = bearer(create_jwt_for_user(admin))
    for method, path in [("GET", "/admin/users"), ("POST", "/admin/users/purge")]:
        assert client.request(method, path, headers=plain).status_code == 403, path
        assert client.request(method, path).status_code == 401, path
        assert client.request(method, path, headers=root).status_code == 200, path
    assert client.get("/admin/panel", headers=plain).status_code == 403
    assert client.get("/admin/panel", headers=root).json() == {"panel": True}


def test_empty_list_at_a_more_specific_layer_makes_a_route_public(client_for: Any) -> None:
    api = BoltAPI(plugins=["viewsets", "auth", "guards"], guards=[Refuse("api")])
    router = Router("/r", guards=[Refuse("router")])

    @router.viewset("/v")
    class Public(ViewSet):
        guards: list[Any] = []

        async def list(self, request) -> dict:
            return {"public": True}

    api.include_router(router)
    assert client_for(api).get("/r/v").json() == {"public": True}


def test_auth_follows_the_same_layers(client_for: Any) -> None:
    """``auth`` resolves like ``guards``: the class's backend beats the router's."""
    api = BoltAPI(plugins=["viewsets", "auth", "guards"])
    router = Router("/r", auth=[APIKeyAuthentication({"router-key-0123456789": "router"})])

    @router.view("/who")
    class Who(APIView):
        auth = [APIKeyAuthentication({"class-key-0123456789ab": "klass"})]
        guards = [IsAuthenticated()]

        async def get(self, request) -> dict:
            return {"who": request.auth["username"]}

    api.include_router(router)
    client = client_for(api)
    assert client.get("/r/who", headers={"X-API-Key": "class-key-0123456789ab"}).json() == {
        "who": "klass"
    }
    assert client.get("/r/who", headers={"X-API-Key": "router-key-0123456789"}).status_code == 401
