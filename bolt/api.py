"""``BoltAPI``: the route registry, its decorators, compilation, and the ASGI entry point."""

from __future__ import annotations

import inspect
import logging
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from bolt._django import ensure_django
from bolt.asgi import handle_http, handle_lifespan
from bolt.compile import compile_route, fold_middleware
from bolt.conf import (
    app_settings_models,
    check_unknown_settings,
    get_settings,
    raw_setting_is_set,
)
from bolt.exceptions import HTTPException, ImproperlyConfigured
from bolt.facts import AUTH_CHALLENGE
from bolt.layers import OPTION_SETTINGS, PLUGIN_FOR_OPTION, Layer, option_error
from bolt.plugins import BoltPluginManager
from bolt.request import Request
from bolt.responses import JSONResponse, Response
from bolt.route import KERNEL_OPTIONS, Route
from bolt.routing import PathRouter, normalize

__all__ = ["BoltAPI", "Router"]

log = logging.getLogger("bolt")
F = TypeVar("F", bound=Callable[..., Any])
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
# Keywords of api.view()/api.viewset() that describe the registration, not its routes.
REGISTRATION_KEYS = frozenset({"kind", "methods", "basename", "layers"})


def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    return normalize(prefix.rstrip("/") + "/" + path.lstrip("/"))


class PathEntry:
    """Everything registered at one path: method → route, and the ``Allow`` header."""

    __slots__ = ("allow", "methods")

    def __init__(self, methods: dict[str, Route]) -> None:
        self.methods = methods
        self.allow = ", ".join(sorted({*methods, "OPTIONS"}))


class _Registrar:
    """The decorator surface shared by ``BoltAPI`` and ``Router``."""

    prefix: str

    def _register(self, obj: Any, path: str, options: dict[str, Any]) -> None:
        raise NotImplementedError

    def route(self, path: str, methods: list[str], **options: Any) -> Callable[[F], F]:
        """Register a handler for several methods at ``path``."""
        bad = [m for m in methods if m.upper() not in HTTP_METHODS]
        if bad:
            raise ImproperlyConfigured(f"Unknown HTTP method(s) {bad} for {path!r}")

        def decorate(func: F) -> F:
            self._register(
                func,
                path,
                {**options, "kind": "route", "methods": [m.upper() for m in methods]},
            )
            return func

        return decorate

    def get(self, path: str, **options: Any) -> Callable[[F], F]:
        """``GET path``. Options: ``status_code``, ``response_model``, ``name``, ``tags``,
        ``summary``, ``description``, ``include_in_schema`` and plugin options such as
        ``auth``, ``guards``."""
        return self.route(path, ["GET"], **options)

    def post(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, ["POST"], **options)

    def put(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, ["PUT"], **options)

    def patch(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, ["PATCH"], **options)

    def delete(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, ["DELETE"], **options)

    def head(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, ["HEAD"], **options)

    def options(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, ["OPTIONS"], **options)

    def websocket(self, path: str, **options: Any) -> Callable[[F], F]:
        """A WebSocket route: an ``async def`` handler taking a ``WebSocket`` (and typed path
        and query parameters), or a ``WebSocketConsumer`` subclass. Route options (``auth``,
        ``guards``, ``rate_limit``...) apply to the handshake; ``ws_origins``,
        ``ws_message_rate``, ``ws_max_message_size``, ``ws_idle_timeout``,
        ``ws_auth_subprotocol`` and ``ws_auth_query`` to the connection (docs/realtime.md)."""

        def decorate(obj: F) -> F:
            self._register(obj, path, {**options, "kind": "websocket"})
            return obj

        return decorate

    def view(self, path: str, view: Any = None, **options: Any) -> Any:
        """Register a class-based view (``APIView``/``ViewSet`` HTTP-method handlers)."""
        return self._class_registration(path, view, "view", options)

    def viewset(self, path: str, viewset: Any = None, **options: Any) -> Any:
        """Register a ViewSet with automatic list/detail/action routes."""
        return self._class_registration(path, viewset, "viewset", options)

    def _class_registration(self, path: str, cls: Any, kind: str, options: dict[str, Any]) -> Any:
        def decorate(klass: Any) -> Any:
            self._register(klass, path, {**options, "kind": kind})
            return klass

        return decorate(cls) if cls is not None else decorate


class Router(_Registrar):
    """A group of routes under a prefix, registered later with ``api.include_router``.

    Keyword options (``auth=``, ``guards=``, ``tags=``, ...) are defaults for its routes: a
    route's own options and a view class's attributes are more specific and win. Routers
    nest: ``router.include_router(other)``.
    """

    def __init__(self, prefix: str = "", **options: Any) -> None:
        self.prefix = prefix
        self.default_options = options
        self.layer = Layer("router", f"Router({prefix!r})", options)
        # (object, path below this router, registration options, layers innermost first)
        self.registrations: list[tuple[Any, str, dict[str, Any], tuple[Layer, ...]]] = []

    def _register(self, obj: Any, path: str, options: dict[str, Any]) -> None:
        self.registrations.append((obj, _join(self.prefix, path), options, (self.layer,)))

    def include_router(self, router: Router, prefix: str = "", **options: Any) -> None:
        """Nest ``router`` under ``prefix``; ``options`` are defaults below its own."""
        outer = _include_layer(router, prefix, options)
        for obj, path, route_options, layers in router.registrations:
            self.registrations.append(
                (
                    obj,
                    _join(self.prefix, _join(prefix, path)),
                    route_options,
                    (*layers, *outer, self.layer),
                )
            )


def _include_layer(router: Router, prefix: str, options: dict[str, Any]) -> tuple[Layer, ...]:
    if not options:
        return ()
    return (Layer("router", f"include_router(Router({router.prefix!r}), {prefix!r})", options),)


class BoltAPI(_Registrar):
    """A Bolt application: register routes on it, then serve it as an ASGI app.

    ``plugins`` lists plugin names (``"cors"``, ``"-ratelimit"``, dotted paths) and plugin
    objects; names replace ``BOLT_PLUGINS``, objects are added. ``auth``, ``guards`` and other
    keyword options are API-wide defaults read by the plugins that own them.
    """

    def __init__(
        self,
        *,
        prefix: str = "",
        plugins: list[Any] | None = None,
        title: str = "Bolt API",
        version: str = "0.1.0",
        description: str = "",
        **options: Any,
    ) -> None:
        ensure_django()
        kernel_settings = get_settings()
        self.prefix = prefix
        self.title, self.version, self.description = title, version, description
        # API-wide defaults for plugin-owned route options (auth, guards, ...).
        self.defaults: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
        # Option name -> the plugin that owns it (register_option), and which of them are
        # API settings rather than route defaults.
        self.known_options: dict[str, str] = {}
        self._api_only_options: set[str] = set()
        self.routes: list[Route] = []
        self.ws_routes: list[Route] = []
        self._channels: Any = None
        self.mounts: list[tuple[str, Any]] = []
        self.middleware_names: set[str] = set()
        self.state: dict[str, Any] = {}
        self.fallback: Any = None
        self.compiled = False
        self.router = PathRouter(strict_slash=kernel_settings.TRAILING_SLASH == "strict")
        self.ws_router = PathRouter(strict_slash=kernel_settings.TRAILING_SLASH == "strict")
        self._exception_handlers: dict[type[BaseException], Any] = {}
        self._handler_cache: dict[type[BaseException], Any] = {}
        self._host_check: Any = None
        self._started = False
        names: list[Any] | None = kernel_settings.PLUGINS
        extra: list[Any] = []
        autoload = kernel_settings.PLUGIN_AUTOLOAD
        if plugins is not None:
            given = [p for p in plugins if isinstance(p, str)]
            extra = [p for p in plugins if not isinstance(p, str)]
            if not plugins:
                names, autoload = [], False  # plugins=[]: the kernel alone
            elif any(not n.startswith(("-", "+")) for n in given):
                names = given
            elif given:
                names = [*(names or []), *given] if names is not None else given
        self.pm = BoltPluginManager()
        self.pm.load(names, extra=extra, autoload=autoload)
        self.settings = self.pm.active_settings(kernel_settings)
        known = set(self.settings.owners())
        for model in app_settings_models().values():
            known.update(model.model_fields)
        check_unknown_settings(known, self.pm.declared_elsewhere)
        self.pm.hook.bolt_configure(api=self, settings=self.settings)
        self._check_option_names(self.defaults, "BoltAPI(...)")
        self.layer = Layer(
            "api",
            "BoltAPI(...)",
            {k: v for k, v in self.defaults.items() if k not in self._api_only_options},
        )
        self.settings_layers = self._setting_layers()

    def _setting_layers(self) -> list[Layer]:
        """One ``settings`` layer per option whose default is a project setting. An option
        set there while its plugin is off stops startup here, not silently later."""
        out: list[Layer] = []
        owners = self.settings.owners()
        for option, setting in OPTION_SETTINGS.items():
            if setting in owners:
                value = getattr(self.settings, setting)
            elif raw_setting_is_set(setting):
                value = True  # given, but no enabled plugin declares or applies it
            else:
                value = None
            if value is None:
                continue
            if option not in self.known_options:
                raise ImproperlyConfigured(
                    f"BOLT_{setting} is set, but the {PLUGIN_FOR_OPTION[option]!r} plugin that "
                    "applies it is not enabled; enable it in BOLT_PLUGINS or remove the setting "
                    "(refusing to serve routes the setting was meant to protect)"
                )
            out.append(Layer("settings", f"BOLT_{setting}", {option: value}))
        return out

    def register_option(self, name: str, plugin: str, *, route: bool = True) -> None:
        """Declare that ``plugin`` implements option ``name`` (call it in ``bolt_configure``).

        Keyword options given to ``BoltAPI``, ``Router``, ``include_router`` and
        ``api.view``/``api.viewset`` are checked against the declared names, so a misspelt or
        orphaned option stops startup where it is written. ``route=False`` declares an API
        setting (``BoltAPI(openapi_route_options=...)``) that is not a default for routes.
        """
        self.known_options[name] = plugin
        if not route:
            self._api_only_options.add(name)

    @property
    def plugin_options(self) -> tuple[str, ...]:
        """Route options declared by enabled plugins (view classes may set them as class
        attributes)."""
        return tuple(n for n in self.known_options if n not in self._api_only_options)

    def _check_option_names(self, options: dict[str, Any], where: str) -> None:
        known = {*KERNEL_OPTIONS, *self.known_options}
        for name in options:
            if name not in known and name not in REGISTRATION_KEYS:
                raise option_error(name, where, known)

    # --- registration ------------------------------------------------------------------
    def register_middleware_name(self, name: str) -> None:
        """Declare a middleware name a plugin may produce (``skip_middleware`` checks it)."""
        self.middleware_names.add(name)

    def _register(
        self, obj: Any, path: str, options: dict[str, Any], outer: tuple[Layer, ...] = ()
    ) -> None:
        full = _join(self.prefix, path)
        if options.get("kind") == "websocket":
            self._register_websocket(obj, full, options, outer)
            return
        if options.get("kind") != "route":
            where = f"api.{options.get('kind')}({path!r}, {getattr(obj, '__qualname__', obj)})"
            self._check_option_names(options, where)
        for layer in outer:
            self._check_option_names(layer.options, layer.where)
        if outer and options.get("kind") != "route":
            # A class registration hands its router layers to the plugin too, for routes of
            # the class that were registered elsewhere (class-body route decorators).
            options = {**options, "layers": outer}
        routes = self.pm.hook.bolt_collect_routes(api=self, obj=obj, path=full, options=options)
        if routes is None:
            kind = options.get("kind")
            raise ImproperlyConfigured(
                f"api.{kind}() for {obj!r} needs the 'viewsets' plugin; add it to BOLT_PLUGINS"
                if kind in ("view", "viewset")
                else f"No plugin can register {obj!r} at {full!r}"
            )
        for route in routes:
            route.add_layers(*outer)
        self.add_routes(routes)

    def _register_websocket(
        self, obj: Any, path: str, options: dict[str, Any], outer: tuple[Layer, ...]
    ) -> None:
        from bolt.websocket import websocket_route

        where = f"api.websocket({path!r})"
        self._check_option_names({k: v for k, v in options.items() if k != "kind"}, where)
        for layer in outer:
            self._check_option_names(layer.options, layer.where)
        if self.compiled:
            raise ImproperlyConfigured(
                "Routes were already compiled (the app has served a request); register all "
                "routes before serving"
            )
        route = websocket_route(obj, path, options, self.plugin_options)
        route.add_layers(*outer)
        self.ws_routes.append(route)

    @property
    def channels(self) -> Any:
        """Broadcast groups for this process (``BOLT_CHANNELS_BACKEND``): ``publish`` and
        ``subscribe``; see ``bolt.channels``."""
        if self._channels is None:
            from bolt.channels import Channels

            self._channels = Channels(self.settings.CHANNELS_BACKEND)
        return self._channels

    def add_routes(self, routes: list[Route]) -> None:
        """Add compiled-later route specifications (used by plugins that build routes)."""
        if self.compiled:
            raise ImproperlyConfigured(
                "Routes were already compiled (the app has served a request); register all "
                "routes before serving"
            )
        self.routes.extend(routes)

    def include_router(self, router: Router, prefix: str = "", **options: Any) -> None:
        """Register every route of ``router`` under ``prefix``.

        ``options`` are defaults below the router's own (``Router(..., **options)``), which
        are below what a route or view class declares itself.
        """
        outer = _include_layer(router, prefix, options)
        for obj, path, route_options, layers in router.registrations:
            self._register(obj, _join(prefix, path), route_options, (*layers, *outer))

    def mount(self, path: str, app: Any) -> None:
        """Hand every request under ``path`` to another ASGI app (paths are stripped)."""
        self.mounts.append((normalize(_join(self.prefix, path)), app))

    # --- compilation -------------------------------------------------------------------
    def compile(self) -> None:
        """Compile all routes once; afterwards the route table is frozen."""
        if self.compiled:
            return
        self.pm.hook.bolt_before_compile(api=self)
        for mapping in self.pm.hook.bolt_exception_handlers(api=self):
            if mapping:
                self._exception_handlers.update(mapping)
        table: dict[str, dict[str, Route]] = {}
        for route in self.routes:
            route.add_layers(self.layer, *self.settings_layers)
            compile_route(self, route)
            methods = table.setdefault(normalize(route.path), {})
            if route.method in methods:
                raise ImproperlyConfigured(
                    f"{route.method} {route.path} registered twice: {methods[route.method]!r} "
                    f"and {route!r}"
                )
            methods[route.method] = route
        for path, methods in table.items():
            if "GET" in methods and "HEAD" not in methods:
                methods["HEAD"] = methods["GET"]
            entry = PathEntry(methods)
            for route in set(methods.values()):
                route.preflight_handler = fold_middleware(
                    route.preflight_middleware, _allow_responder(entry.allow)
                )
            self.router.add(path, entry)
        if self.ws_routes:
            self._compile_websockets()
        self.mounts.sort(key=lambda m: len(m[0]), reverse=True)
        self._host_check = _host_checker()
        for route in self.routes:
            self.pm.hook.bolt_route_compiled(api=self, route=route)
        self.compiled = True

    def _compile_websockets(self) -> None:
        from bolt.websocket import compile_websocket_route

        seen: dict[str, Route] = {}
        for route in self.ws_routes:
            route.add_layers(self.layer, *self.settings_layers)
            compile_websocket_route(self, route)
            path = normalize(route.path)
            if path in seen:
                raise ImproperlyConfigured(
                    f"WebSocket {route.path} registered twice: {seen[path]!r} and {route!r}"
                )
            seen[path] = route
            self.ws_router.add(path, route)

    # --- errors ------------------------------------------------------------------------
    def error_response(self, request: Request | None, exc: BaseException) -> Response:
        """Turn any exception into a response: plugin handlers, HTTPException, or a 500."""
        kind = type(exc)
        handler = self._handler_cache.get(kind, False)
        if handler is False:
            handler = None
            for klass in kind.__mro__:
                if klass in self._exception_handlers:
                    handler = self._exception_handlers[klass]
                    break
            self._handler_cache[kind] = handler
        if handler is not None:
            try:
                response: Response = handler(request, exc)
                return response
            except Exception as inner:
                exc = inner
        if isinstance(exc, HTTPException):
            headers = exc.headers
            if exc.status_code == 401:
                headers = _with_challenge(request, headers)
            return JSONResponse(exc.body(), exc.status_code, headers or None)
        where = f"{request.method} {request.path}" if request is not None else "request"
        log.error("Unhandled error in %s", where, exc_info=exc)
        body: dict[str, Any] = {"detail": "Internal Server Error"}
        from django.conf import settings

        if settings.DEBUG:
            body["traceback"] = traceback.format_exception(exc)
        return JSONResponse(body, 500)

    # --- lifespan ----------------------------------------------------------------------
    async def startup(self) -> None:
        """Compile routes and run ``bolt_startup`` (once per worker)."""
        self.compile()
        if self._started:
            return
        self._started = True
        for result in self.pm.hook.bolt_startup(api=self):
            if inspect.isawaitable(result):
                await result

    async def shutdown(self) -> None:
        if not self._started:
            return
        self._started = False
        for result in self.pm.hook.bolt_shutdown(api=self):
            if inspect.isawaitable(result):
                await result
        if self._channels is not None:
            await self._channels.close()

    # The ASGI entry point: ``await api(scope, receive, send)`` (bolt.asgi.handle_http).
    __call__ = handle_http

    async def handle_other(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Non-HTTP scopes: the lifespan protocol; anything else goes to the fallback app."""
        if scope["type"] == "lifespan":
            await handle_lifespan([self], receive, send)
        elif scope["type"] == "websocket":
            from bolt.websocket import handle_websocket

            await handle_websocket(self, scope, receive, send)
        elif self.fallback is not None:
            await self.fallback(scope, receive, send)

    def reverse(self, name: str, /, **params: Any) -> str:
        """The path of this API's route named ``name``, with ``params`` substituted and
        percent-encoded (``bolt.urls.reverse`` looks in every API of the project). An
        unknown name or parameters that do not fit raise ``bolt.urls.NoReverseMatch``."""
        from bolt.urls import reverse_in

        return reverse_in([self], name, params)

    def iter_routes(self) -> list[Route]:
        """All routes, compiled, in registration order (for listings and schemas)."""
        self.compile()
        return list(self.routes)


def _allow_responder(allow: str) -> Any:
    async def respond(request: Request) -> Response:
        return Response(b"", 204, {"allow": allow})

    return respond


def _host_checker() -> Any:
    """A Host header check from ``ALLOWED_HOSTS``, or ``None`` when ``"*"`` allows all."""
    from django.conf import settings
    from django.http.request import split_domain_port, validate_host

    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    if "*" in allowed:
        return None
    cache: dict[bytes, bool] = {}

    def check(host: bytes) -> bool:
        """Validate a Host value; ``check.known`` holds the answers so far (the hot path
        looks there first)."""
        ok = cache.get(host)
        if ok is None:
            domain, port = split_domain_port(host.decode("latin-1"))
            valid_port = not port or (port.isdigit() and 0 < int(port) < 65536)
            ok = bool(domain) and valid_port and validate_host(domain, allowed)
            if len(cache) < 1024:
                cache[host] = ok
        return ok

    check.known = cache  # type: ignore[attr-defined]
    return check


def _with_challenge(request: Request | None, headers: Any) -> Any:
    """A 401's headers with the route's ``WWW-Authenticate`` (recorded by the plugin that
    authenticates it) when the exception brought none: every 401 says how to authenticate,
    whether a guard or the handler raised it."""
    route = getattr(request, "route", None)
    if route is None:
        return headers
    if headers and any(name.lower() == "www-authenticate" for name in headers):
        return headers
    challenge = route.meta.get(AUTH_CHALLENGE)
    if not challenge:
        return headers
    return {**(headers or {}), "WWW-Authenticate": challenge}
