"""Fail closed at every entry point of options: what no enabled plugin handles stops startup.

Each place an option can be written (``BoltAPI``, ``Router``, ``include_router``,
``api.view``/``api.viewset`` registration, route decorators, ``@action``, class-body
decorators, class attributes, settings) is tried with three kinds of options no plugin
handles: a misspelt name, a first-party option whose plugin is disabled, and a name no
plugin knows. Each must raise ``ImproperlyConfigured`` before a request is served; the
meta-test at the end checks that the list of entry points covers every layer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bolt import BoltAPI, Router, action
from bolt.auth import IsAdminUser, IsAuthenticated
from bolt.exceptions import ImproperlyConfigured
from bolt.layers import LEVELS
from bolt.views import APIView, ViewSet

# (option name, value, plugins enabled, what the error must say)
BAD_OPTIONS = [
    pytest.param("guard", [IsAdminUser()], ["auth", "guards"], "guards", id="typo"),
    pytest.param("guards", [IsAdminUser()], ["auth"], "enable plugin 'guards'", id="no-guards"),
    pytest.param("rate_limit", "5/minute", [], "enable plugin 'ratelimit'", id="no-ratelimit"),
    pytest.param(
        "cors", {"origins": ["https://a.example"]}, [], "enable plugin 'cors'", id="no-cors"
    ),
    pytest.param("audit_trail", True, [], "audit_trail", id="unknown"),
]


def make(plugins: list[str], **options: Any) -> BoltAPI:
    return BoltAPI(plugins=["viewsets", *plugins], **options)


async def _get(self: Any) -> dict:
    return {"served": True}


def _api_keyword(name: str, value: Any, plugins: list[str]) -> BoltAPI:
    api = make(plugins, **{name: value})
    api.get("/x")(_function())
    return api


def _function() -> Callable[..., Any]:
    async def handler() -> dict:
        return {"served": True}

    return handler


def _route_keyword(name: str, value: Any, plugins: list[str]) -> BoltAPI:
    api = make(plugins)
    api.get("/x", **{name: value})(_function())
    return api


def _router_keyword(name: str, value: Any, plugins: list[str]) -> BoltAPI:
    api = make(plugins)
    router = Router("/r", **{name: value})
    router.get("/x")(_function())
    api.include_router(router)
    return api


def _include_keyword(name: str, value: Any, plugins: list[str]) -> BoltAPI:
    api = make(plugins)
    router = Router("/r")
    router.get("/x")(_function())
    api.include_router(router, **{name: value})
    return api


def _nested_include_keyword(name: str, value: Any, plugins: list[str]) -> BoltAPI:
    api = make(plugins)
    inner, outer = Router("/i"), Router("/o")
    inner.get("/x")(_function())
    outer.include_router(inner, **{name: value})
    api.include_router(outer)
    return api


def _view_registration(name: str, value: Any, plugins: list[str]) -> BoltAPI:
    api = make(plugins)
    api.view("/x", type("V", (APIView,), {"get": _get}), **{name: value})
    return api


def _viewset_registration(name: str, value: Any, plugins: list[str]) -> BoltAPI:
    api = make(plugins)
    api.viewset("/x", type("VS", (ViewSet,), {"list": _get}), **{name: value})
    return api


def _class_attribute(name: str, value: Any, plugins: list[str]) -> BoltAPI:
    api = make(plugins)
    api.viewset("/x", type("VS", (ViewSet,), {"list": _get, name: value}))
    return api


def _action_keyword(name: str, value: Any, plugins: list[str]) -> BoltAPI:
    api = make(plugins)
    handler = action(methods=["GET"], detail=False, **{name: value})(_get)
    api.viewset("/x", type("VS", (ViewSet,), {"go": handler}))
    return api


def _class_body_keyword(name: str, value: Any, plugins: list[str]) -> BoltAPI:
    api = make(plugins)

    class Body(APIView):
        @api.get("/x", **{name: value})
        async def body(self) -> dict:
            return {"served": True}

    return api


# entry point -> the layer it writes to (see bolt.layers.LEVELS)
ENTRY_POINTS: dict[str, tuple[Callable[[str, Any, list[str]], BoltAPI], str]] = {
    "BoltAPI(...)": (_api_keyword, "api"),
    "@api.get(...)": (_route_keyword, "route"),
    "Router(...)": (_router_keyword, "router"),
    "include_router(...)": (_include_keyword, "router"),
    "Router.include_router(...)": (_nested_include_keyword, "router"),
    "api.view(...)": (_view_registration, "registration"),
    "api.viewset(...)": (_viewset_registration, "registration"),
    "class attribute": (_class_attribute, "class"),
    "@action(...)": (_action_keyword, "route"),
    "class-body @api.get(...)": (_class_body_keyword, "route"),
}


# Any attribute name may be a view class's own, so an unknown name is not an option there.
CASES = [
    pytest.param(entry, *bad.values, id=f"{bad.id}-{entry}")
    for entry in ENTRY_POINTS
    for bad in BAD_OPTIONS
    if not (entry == "class attribute" and bad.values[0] == "audit_trail")
]


@pytest.mark.parametrize(("entry", "name", "value", "plugins", "message"), CASES)
def test_every_entry_point_refuses_unclaimed_options(
    entry: str, name: str, value: Any, plugins: list[str], message: str
) -> None:
    build, _level = ENTRY_POINTS[entry]
    with pytest.raises(ImproperlyConfigured, match=message):
        build(name, value, plugins).compile()  # as the first request or startup would


@pytest.mark.parametrize(
    ("setting", "plugins", "message"),
    [
        ("BOLT_DEFAULT_PERMISSION_CLASSES", ["auth"], "enable it in BOLT_PLUGINS"),
        ("BOLT_AUTHENTICATION_CLASSES", ["guards"], "enable it in BOLT_PLUGINS"),
    ],
)
def test_settings_for_a_disabled_plugin_stop_startup(
    settings: Any, setting: str, plugins: list[str], message: str
) -> None:
    setattr(settings, setting, ["bolt_plugins.guards.IsAuthenticated"])
    with pytest.raises(ImproperlyConfigured, match=message) as info:
        make(plugins)
    assert setting in str(info.value)


def test_every_layer_has_an_entry_point() -> None:
    """A new layer must get an entry point above (settings and action defaults are covered
    by their own tests: settings above, action defaults are derived, never written)."""
    covered = {level for _, level in ENTRY_POINTS.values()} | {"settings", "action"}
    assert covered == set(LEVELS)


DRF_ATTRIBUTES = [
    ("permission_classes", [IsAuthenticated], "guards = "),
    ("authentication_classes", [object], "auth = "),
    ("throttle_classes", [object], "rate_limit"),
    ("filter_backends", [object], "filterset_fields"),
    ("renderer_classes", [object], "Response"),
    ("parser_classes", [object], "body parameter"),
]


@pytest.mark.parametrize(("attribute", "value", "instead"), DRF_ATTRIBUTES)
@pytest.mark.parametrize("register", ["view", "viewset", "class-body"])
def test_drf_attribute_names_stop_startup_naming_the_bolt_equivalent(
    attribute: str, value: Any, instead: str, register: str
) -> None:
    api = make(["auth", "guards"])
    with pytest.raises(ImproperlyConfigured, match=rf"{attribute}.*{instead}"):
        _register_with(api, register, attribute, value)


def _register_with(api: BoltAPI, register: str, attribute: str, value: Any) -> None:
    if register == "view":
        api.view("/x", type("V", (APIView,), {"get": _get, attribute: value}))
    elif register == "viewset":
        api.viewset("/x", type("VS", (ViewSet,), {"list": _get, attribute: value}))
    else:

        class Body(APIView):
            locals()[attribute] = value

            @api.get("/x")
            async def body(self) -> dict:
                return {}


@pytest.mark.orm
@pytest.mark.django_db(transaction=True)
def test_drf_permission_classes_can_no_longer_open_a_delete() -> None:
    """The attack: ``permission_classes`` was ignored and an anonymous client deleted a row."""
    from bolt.views import ModelViewSet
    from tests.testapp.models import Article

    api = BoltAPI(plugins=["viewsets", "crud", "auth", "guards"])
    with pytest.raises(ImproperlyConfigured, match="permission_classes"):

        @api.viewset("/articles")
        class Articles(ModelViewSet):
            queryset = Article.objects.all()
            permission_classes = [IsAuthenticated]

    assert Article.objects.count() == 0


def test_http_method_names_limits_the_routes(client_for: Any) -> None:
    """django-bolt and DRF users limit methods with ``http_method_names``; it takes effect."""
    api = make([])

    @api.viewset("/items")
    class Items(ViewSet):
        http_method_names = ["get"]

        async def list(self, request) -> list:
            return []

        async def destroy(self, request, pk: int) -> None:
            raise AssertionError("must not be routed")

        @action(methods=["POST"], detail=False)
        async def wipe(self, request) -> dict:
            raise AssertionError("must not be routed")

    client = client_for(api)
    assert client.get("/items").json() == []
    assert client.delete("/items/1").status_code in (404, 405)
    assert client.post("/items/wipe").status_code in (404, 405)
    with pytest.raises(ImproperlyConfigured, match="http_method_names"):
        api.viewset("/bad", type("B", (ViewSet,), {"list": _get, "http_method_names": "get"}))
