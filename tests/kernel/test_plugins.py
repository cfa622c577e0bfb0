"""The plugin contract: loading, hooks (one test per hook), middleware, fail-closed options."""

from __future__ import annotations

import inspect
import re
import types
from pathlib import Path
from typing import Any

import pytest

from bolt import BoltAPI, Middleware, hookimpl, hookspecs
from bolt.exceptions import ImproperlyConfigured, NotFound
from bolt.middleware import route_option, skip_middleware
from bolt.params import Param
from bolt.request import Request
from bolt.responses import JSONResponse, Response
from bolt.route import Route
from bolt.testing import TestClient

KERNEL_ONLY = ["-viewsets", "-crud", "-auth", "-guards", "-cors", "-ratelimit", "-openapi"]


def make_api(*plugins: Any, **options: Any) -> BoltAPI:
    return BoltAPI(plugins=[*KERNEL_ONLY, *plugins], **options)


class Recorder:
    """A plugin that records the hooks called on it."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    @hookimpl
    def bolt_configure(self, api: BoltAPI, settings: Any) -> None:
        self.calls.append("configure")
        api.register_middleware_name("recorder")

    @hookimpl
    def bolt_route_middleware(self, api: BoltAPI, route: Route) -> Any:
        self.calls.append(f"middleware {route.method} {route.path}")
        return None

    @hookimpl
    def bolt_route_compiled(self, api: BoltAPI, route: Route) -> None:
        self.calls.append(f"compiled {route.method} {route.path}")


def test_hook_bolt_addhooks() -> None:
    spec_module = types.ModuleType("extra_specs")

    @hookspecs.hookspec
    def bolt_extra_event(api: Any) -> None:
        """An extra hook a plugin adds."""

    spec_module.bolt_extra_event = bolt_extra_event  # type: ignore[attr-defined]

    class AddsHooks:
        @hookimpl
        def bolt_addhooks(self, pluginmanager: Any) -> None:
            pluginmanager.add_hookspecs(spec_module)

    class UsesHooks:
        seen: list[Any] = []

        @hookimpl
        def bolt_extra_event(self, api: Any) -> None:
            self.seen.append(api)

    api = make_api(AddsHooks(), UsesHooks())
    api.pm.hook.bolt_extra_event(api=api)
    assert UsesHooks.seen == [api]


def test_hook_bolt_configure() -> None:
    recorder = Recorder()
    api = make_api(recorder)
    assert recorder.calls == ["configure"]
    assert "recorder" in api.middleware_names


def test_hook_bolt_settings_model(settings: Any) -> None:
    """A plugin declares its settings; the kernel validates them and hands them back."""
    from pydantic import Field

    from bolt.conf import PluginSettings

    class GreetingSettings(PluginSettings):
        GREETING: str = Field(default="hello", min_length=1)

    class Greeter:
        @hookimpl
        def bolt_settings_model(self) -> type[PluginSettings]:
            return GreetingSettings

        @hookimpl
        def bolt_configure(self, api: BoltAPI, settings: Any) -> None:
            api.state["greeting"] = settings.GREETING

    def build() -> BoltAPI:
        api = make_api(Greeter())

        @api.get("/greet")
        async def greet() -> dict:
            return {"greeting": api.state["greeting"]}

        return api

    assert TestClient(build()).get("/greet").json() == {"greeting": "hello"}
    settings.BOLT_GREETING = "bonjour"
    assert TestClient(build()).get("/greet").json() == {"greeting": "bonjour"}
    assert isinstance(build().settings.of("Greeter"), GreetingSettings)
    settings.BOLT_GREETING = ""
    with pytest.raises(ImproperlyConfigured, match=r"plugin 'Greeter'.*BOLT_GREETING"):
        build()


def test_hook_bolt_collect_routes() -> None:
    class Resource:
        """A third-party way to declare routes: a class with a `handlers` dict."""

        handlers: dict[str, Any] = {}

    class ResourcePlugin:
        @hookimpl
        def bolt_collect_routes(self, api: Any, obj: Any, path: str, options: dict) -> Any:
            if isinstance(obj, type) and issubclass(obj, Resource):
                return [Route(m, path, fn, options=options) for m, fn in obj.handlers.items()]
            return None

    api = make_api(ResourcePlugin())

    async def show() -> dict:
        return {"shown": True}

    class Things(Resource):
        handlers = {"GET": show}

    api.view("/things", Things)
    assert TestClient(api).get("/things").json() == {"shown": True}


def test_view_without_viewsets_plugin_names_it() -> None:
    api = make_api()
    with pytest.raises(ImproperlyConfigured, match="'viewsets' plugin"):

        @api.viewset("/x")
        class X:
            pass


def test_method_decorator_without_viewsets_plugin_names_it() -> None:
    api = make_api()
    with pytest.raises(ImproperlyConfigured, match="'viewsets' plugin"):

        class X:
            @api.get("/x")
            async def get(self) -> dict:
                return {}


class Tenant:
    def __init__(self, name: str) -> None:
        self.name = name


class Money:
    def __init__(self, cents: int) -> None:
        self.cents = cents


def test_hook_bolt_before_compile() -> None:
    """A plugin may add routes at the last moment, before anything compiles."""

    class LateRoutes:
        @hookimpl
        def bolt_before_compile(self, api: Any) -> None:
            async def health() -> dict:
                return {"status": "healthy"}

            api.add_routes([Route("GET", "/health", health)])

    api = make_api(LateRoutes())
    assert TestClient(api).get("/health").json() == {"status": "healthy"}


def test_hook_bolt_resolve_param() -> None:
    class TenantPlugin:
        @hookimpl
        def bolt_resolve_param(self, api: Any, route: Any, param: Param) -> Any:
            if param.annotation is Tenant:

                def extract(request: Request) -> Tenant:
                    return Tenant(request.headers.get("x-tenant", "public"))

                return extract
            return None

    api = make_api(TenantPlugin())

    @api.get("/whoami")
    async def whoami(tenant: Tenant) -> dict:
        return {"tenant": tenant.name}

    client = TestClient(api)
    assert client.get("/whoami", headers={"x-tenant": "acme"}).json() == {"tenant": "acme"}
    assert client.get("/whoami").json() == {"tenant": "public"}


def test_hook_bolt_route_middleware() -> None:
    order: list[str] = []

    def tagger(name: str) -> Any:
        def wrap(nxt: Any) -> Any:
            async def handler(request: Request) -> Response:
                order.append(name)
                response = await nxt(request)
                response.headers[f"x-{name}"] = "1"
                return response

            return handler

        return wrap

    class Chain:
        @hookimpl
        def bolt_configure(self, api: Any, settings: Any) -> None:
            for name in ("outer", "inner", "audit"):
                api.register_middleware_name(name)

        @hookimpl
        def bolt_route_middleware(self, api: Any, route: Route) -> Any:
            return [
                Middleware(400, tagger("inner"), "inner"),
                Middleware(100, tagger("outer"), "outer"),
                Middleware(500, tagger("audit"), "audit", optional=False),
            ]

    api = make_api(Chain())

    @api.get("/all")
    async def all_of_them() -> dict:
        order.append("handler")
        return {}

    @api.get("/some")
    @skip_middleware("outer")
    async def some() -> dict:
        order.append("handler")
        return {}

    @api.get("/star")
    @skip_middleware("*")
    async def star() -> dict:
        order.append("handler")
        return {}

    client = TestClient(api)
    r = client.get("/all")
    assert order == ["outer", "inner", "audit", "handler"]
    assert {"x-outer", "x-inner", "x-audit"} <= set(r.headers)
    order.clear()
    r = client.get("/some")
    assert order == ["inner", "audit", "handler"]
    assert "x-outer" not in r.headers
    order.clear()
    client.get("/star")
    assert order == ["audit", "handler"]  # "*" keeps non-optional middleware


def test_skip_unknown_middleware_is_startup_error() -> None:
    api = make_api()

    @api.get("/x")
    @skip_middleware("rate_limt")
    async def x() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match="rate_limt"):
        api.compile()


def test_unclaimed_option_fails_closed() -> None:
    api = make_api()

    async def admin_only() -> dict:
        return {"secret": True}

    api.get("/admin", guards=["anything"])(admin_only)
    with pytest.raises(ImproperlyConfigured, match=r"enable plugin 'guards'"):
        api.compile()


def test_unclaimed_decorator_option_fails_closed() -> None:
    api = make_api()

    async def handler() -> dict:
        return {}

    route_option(handler, "audit_log", True)
    api.get("/x")(handler)
    with pytest.raises(ImproperlyConfigured, match="'audit_log'"):
        api.compile()


def test_claimed_option_reaches_plugin() -> None:
    class Audit:
        @hookimpl
        def bolt_route_middleware(self, api: Any, route: Route) -> Any:
            label = route.options.get("audit_log")
            if label is None:
                return None
            route.claim("audit_log")

            def wrap(nxt: Any) -> Any:
                async def handler(request: Request) -> Response:
                    response = await nxt(request)
                    response.headers["x-audit"] = label
                    return response

                return handler

            return Middleware(500, wrap, "audit")

    api = make_api(Audit())

    async def handler() -> dict:
        return {}

    # decorator order does not matter: the option is read when routes compile
    api.get("/x")(handler)
    route_option(handler, "audit_log", "orders")
    assert TestClient(api).get("/x").headers["x-audit"] == "orders"


def test_hook_bolt_response_encoder() -> None:
    class MoneyPlugin:
        @hookimpl
        def bolt_response_encoder(self, api: Any, route: Any, return_type: Any) -> Any:
            if return_type is Money:
                return lambda value: {"amount": value.cents / 100, "currency": "EUR"}
            return None

    api = make_api(MoneyPlugin())

    @api.get("/price")
    async def price() -> Money:
        return Money(1250)

    assert TestClient(api).get("/price").json() == {"amount": 12.5, "currency": "EUR"}


def test_async_response_encoder() -> None:
    class Deferred:
        @hookimpl
        def bolt_response_encoder(self, api: Any, route: Any, return_type: Any) -> Any:
            if return_type == list[int]:

                async def shape(value: Any) -> Any:
                    return sorted(value)

                return shape
            return None

    api = make_api(Deferred())

    @api.get("/sorted")
    async def numbers() -> list[int]:
        return [3, 1, 2]

    assert TestClient(api).get("/sorted").json() == [1, 2, 3]


def test_hook_bolt_exception_handlers() -> None:
    class Missing(Exception):
        pass

    class SpecificMissing(Missing):
        pass

    class Mapper:
        @hookimpl
        def bolt_exception_handlers(self, api: Any) -> Any:
            return {
                Missing: lambda request, exc: JSONResponse({"detail": "gone"}, 410),
                KeyError: lambda request, exc: (_ for _ in ()).throw(NotFound()),
            }

    api = make_api(Mapper())

    @api.get("/gone")
    async def gone() -> dict:
        raise SpecificMissing

    @api.get("/key")
    async def key() -> dict:
        raise KeyError("x")

    client = TestClient(api)
    r = client.get("/gone")
    assert (r.status_code, r.json()) == (410, {"detail": "gone"})
    r = client.get("/key")  # a handler may itself raise an HTTPException
    assert (r.status_code, r.json()) == (404, {"detail": "Not Found"})


def test_hook_bolt_route_compiled() -> None:
    recorder = Recorder()
    api = make_api(recorder)

    @api.get("/a")
    async def a() -> dict:
        return {}

    api.compile()
    assert recorder.calls == ["configure", "middleware GET /a", "compiled GET /a"]


def test_hook_bolt_openapi_operation() -> None:
    """A plugin adds to each route's Operation object once, when the route compiles."""
    seen: list[str] = []

    class Documenter:
        @hookimpl
        def bolt_openapi_operation(self, api: Any, route: Route, operation: Any, doc: Any) -> None:
            seen.append(f"{route.method} {route.path}")
            operation["responses"]["304"] = {"description": "Not Modified"}
            operation["x-note"] = doc.security_scheme(
                "key", {"type": "apiKey", "in": "header", "name": "x-key"}
            )

    api = BoltAPI(plugins=["openapi", Documenter()])

    @api.get("/a")
    async def a() -> dict:
        return {}

    client = TestClient(api)
    doc = client.get("/openapi.json").json()
    client.get("/openapi.json")
    client.close()
    assert seen == ["GET /a"]  # the plugin's own routes are not in the schema
    op = doc["paths"]["/a"]["get"]
    assert op["responses"]["304"] == {"description": "Not Modified"}
    assert op["x-note"] == "key"
    assert doc["components"]["securitySchemes"]["key"]["name"] == "x-key"


def test_hook_bolt_openapi_document() -> None:
    """Tools get the document from whichever plugin builds it; the openapi plugin answers
    last with what it serves, so another plugin's answer wins."""
    api = BoltAPI(plugins=["openapi"])

    @api.get("/a")
    async def a() -> dict:
        return {}

    client = TestClient(api)
    served = client.get("/openapi.json").json()
    client.close()
    assert api.pm.hook.bolt_openapi_document(api=api) == served

    class Own:
        @hookimpl
        def bolt_openapi_document(self, api: Any) -> dict[str, Any]:
            return {"openapi": "3.1.0", "info": {"title": "own", "version": "1"}}

    own = BoltAPI(plugins=["openapi", Own()])
    assert own.pm.hook.bolt_openapi_document(api=own)["info"]["title"] == "own"
    bare = BoltAPI(plugins=[])
    assert bare.pm.hook.bolt_openapi_document(api=bare) is None


def test_hook_bolt_startup() -> None:
    events: list[str] = []

    class Life:
        @hookimpl
        async def bolt_startup(self, api: Any) -> None:
            events.append("async-start")

        @hookimpl
        def bolt_shutdown(self, api: Any) -> None:
            events.append("stop")

    api = make_api(Life())
    with TestClient(api):
        assert events == ["async-start"]
    assert events == ["async-start", "stop"]


def test_hook_bolt_shutdown() -> None:
    events: list[str] = []

    class Life:
        @hookimpl
        async def bolt_shutdown(self, api: Any) -> None:
            events.append("async-stop")

    with TestClient(make_api(Life())):
        pass
    assert events == ["async-stop"]


def test_startup_failure_is_reported() -> None:
    class Broken:
        @hookimpl
        def bolt_startup(self, api: Any) -> None:
            raise RuntimeError("cannot connect")

    client = TestClient(make_api(Broken()))
    with pytest.raises(RuntimeError, match="cannot connect"):
        client.__enter__()
    client.close()


def test_no_hook_is_called_per_request() -> None:
    """Hooks run at build and compile time only: monitor every hook call during requests."""

    class Plugin(Recorder):
        @hookimpl
        def bolt_route_middleware(self, api: Any, route: Route) -> Any:
            async def noop(request: Request) -> Response:
                raise AssertionError

            return Middleware(300, lambda nxt: nxt, "noop")

    api = make_api(Plugin())

    @api.get("/items/{item_id}")
    async def read(item_id: int, q: str = "") -> dict:
        return {"id": item_id}

    @api.post("/items")
    async def create(data: dict) -> dict:
        return data

    api.compile()
    calls: list[str] = []
    undo = api.pm.add_hookcall_monitoring(
        lambda name, impls, kwargs: calls.append(name), lambda *args: None
    )
    try:
        client = TestClient(api)
        for i in range(20):
            assert client.get(f"/items/{i}?q=x").status_code == 200
            assert client.post("/items", json={"i": i}).status_code == 200
            assert client.get("/missing").status_code == 404
            assert client.delete("/items").status_code == 405
            assert client.options("/items").status_code == 204
        client.close()
    finally:
        undo()
    assert calls == []


def test_misspelt_hook_fails_at_load() -> None:
    class Typo:
        @hookimpl
        def bolt_route_midleware(self, api: Any, route: Any) -> None:
            return None

    with pytest.raises(ImproperlyConfigured, match="bolt_route_midleware"):
        make_api(Typo())


def test_bolt_plugins_setting_dotted_path_and_blocking(settings: Any) -> None:
    settings.BOLT_PLUGINS = ["tests.kernel.sample_plugin", "-cors"]
    api = BoltAPI()
    assert api.pm.has_plugin("tests.kernel.sample_plugin")
    assert not api.pm.has_plugin("cors")
    assert "sample" in api.middleware_names


def test_unknown_plugin_name_is_clear(settings: Any) -> None:
    settings.BOLT_PLUGINS = ["no_such_plugin_anywhere"]
    with pytest.raises(ImproperlyConfigured, match="no_such_plugin_anywhere"):
        BoltAPI()


def test_each_api_has_its_own_plugin_manager() -> None:
    a, b = make_api(Recorder()), make_api()
    assert a.pm is not b.pm
    assert len(a.pm.get_plugins()) == len(b.pm.get_plugins()) + 1


def test_every_hook_is_documented_and_tested() -> None:
    """Meta-test: each hookspec has a docstring and a `test_hook_<name>` in this module."""
    specs = [
        name
        for name, obj in vars(hookspecs).items()
        if name.startswith("bolt_") and inspect.isfunction(obj)
    ]
    assert specs, "no hookspecs found"
    source = Path(__file__).read_text()
    for name in specs:
        assert (getattr(hookspecs, name).__doc__ or "").strip(), f"{name} has no docstring"
        assert re.search(rf"def test_hook_{name}\b", source), f"no test_hook_{name}"
