"""The plugin contract: every hook Bolt calls, with what a plugin may rely on.

All hooks run while the application is being built or routes are compiled, never while a
request is handled: a plugin's per-request work lives in the ``Middleware`` it returns from
``bolt_route_middleware`` or in the extractor it returns from ``bolt_resolve_param``. The
kernel's own defaults are registered as an ordinary plugin with ``trylast=True``, so any
third-party implementation runs first and wins a ``firstresult`` hook.

Register implementations with ``bolt.hookimpl``::

    from bolt import hookimpl

    @hookimpl
    def bolt_route_middleware(api, route):
        if "audit" in route.options:
            route.claim("audit")
            return Middleware(phase=500, wrap=make_audit(route), name="audit")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from pydantic import BaseModel

    from bolt.api import BoltAPI
    from bolt.conf import ActiveSettings
    from bolt.params import Param
    from bolt.pipeline import Middleware
    from bolt.route import Route

hookspec = pluggy.HookspecMarker("bolt")
hookimpl = pluggy.HookimplMarker("bolt")

# --- phase 1: loading -------------------------------------------------------------------


@hookspec(historic=True)
def bolt_addhooks(pluginmanager: pluggy.PluginManager) -> None:
    """Add hook specifications of a plugin's own (``pluginmanager.add_hookspecs(module)``).

    Historic: a plugin registered later still receives the call. ``bolt_granian`` uses it
    for its server hooks.
    """


@hookspec
def bolt_settings_model() -> type[BaseModel] | None:
    """Return the pydantic model of this plugin's settings, or ``None`` (no settings).

    Field ``X`` is the setting ``BOLT_X``, read from Django settings first, then from the
    environment, then the field's default (``bolt.conf.PluginSettings`` is a convenient
    base; any ``BaseModel`` works). The kernel validates the model once per process when an
    API enabling the plugin is built (a bad value stops startup naming the setting), freezes
    it, and hands it to the plugin as ``settings.of(name)`` and field by field as
    ``settings.X`` in ``bolt_configure``; ``bolt.conf.load_settings(Model)`` returns the
    same object anywhere else. Every declared name counts as known, so a ``BOLT_*`` Django
    setting nobody declares is reported with the nearest known name, and
    ``manage.py bolt_settings`` lists the plugin's values and where they came from. Two
    plugins declaring the same name stop startup.

    Called plugin by plugin (the kernel must know whose model it is); it cannot be a
    wrapper.
    """


@hookspec
def bolt_configure(api: BoltAPI, settings: ActiveSettings) -> None:
    """Called once per API after all plugins are loaded and settings are validated.

    ``settings`` (also ``api.settings``) holds the kernel's settings and those of every
    enabled plugin: ``settings.JWT_LEEWAY``, or a plugin's whole model with
    ``settings.of("auth")``. Validate what a model cannot express here (raise
    ``ImproperlyConfigured`` naming the setting), declare the route options the plugin owns
    with ``api.register_option(name, plugin)`` and the middleware names it may produce with
    ``api.register_middleware_name(name)`` so ``skip_middleware(name)`` can check them.
    """


# --- phase 2: registration --------------------------------------------------------------


@hookspec(firstresult=True)
def bolt_collect_routes(
    api: BoltAPI, obj: Any, path: str, options: dict[str, Any]
) -> list[Route] | None:
    """Turn a registered object into route specifications.

    Called by ``api.get/post/...`` (``options["kind"] == "route"``, ``options["methods"]``
    set), ``api.view()`` (``"view"``) and ``api.viewset()`` (``"viewset"``). ``options`` holds
    every keyword the user passed. Return a list of ``Route`` (possibly empty, meaning "I took
    it and will add routes myself later", as for decorators inside a class body), or ``None``
    to let the next plugin try. The kernel answers for plain functions; the viewsets plugin
    answers for classes and methods.
    """


# --- phase 3: compilation (once per route) ----------------------------------------------


@hookspec
def bolt_before_compile(api: BoltAPI) -> None:
    """Called once when compilation starts, before any route compiles.

    The last moment to add routes (``api.add_routes``) or to refuse an incomplete
    registration, e.g. route decorators in a class body whose class never became a view.
    """


@hookspec(firstresult=True)
def bolt_resolve_param(api: BoltAPI, route: Route, param: Param) -> Any:
    """Return an extractor for one handler parameter, or ``None`` for the default.

    An extractor is a callable ``extract(request) -> value`` (plain or ``async``); it is
    called once per request for that parameter. Raise ``RequestValidationError`` for a bad
    value. This hook is called once per parameter when the route compiles.
    """


@hookspec
def bolt_route_middleware(api: BoltAPI, route: Route) -> Middleware | list[Middleware] | None:
    """Return the middleware this plugin puts on ``route``, or ``None`` (which costs nothing).

    Call ``route.claim(option)`` for each route option the plugin handles; an option no
    plugin claims stops startup (fail closed). The kernel asks the plugins one by one in
    load order (``BOLT_PLUGINS`` order, plugin objects last), sorts all returned middleware
    by ``phase`` (stable: on equal phases the plugin loaded first runs first, outermost),
    removes the ones named in ``skip_middleware``, and folds the chain once. Phase bands
    are in ``bolt.middleware`` (first-party 100-499; third parties below 100 or 500-899).
    This hook cannot be a wrapper.
    """


@hookspec(firstresult=True)
def bolt_response_encoder(api: BoltAPI, route: Route, return_type: Any) -> Any:
    """Return a callable that shapes a handler's return value before JSON encoding.

    ``return_type`` is the route's ``response_model`` or the handler's return annotation
    (``None`` when neither says anything). The callable may be ``async`` (the ORM plugin
    evaluates querysets there). Return ``None`` to let the next plugin decide.
    """


@hookspec
def bolt_exception_handlers(api: BoltAPI) -> dict[type[BaseException], Any] | None:
    """Map exception types to handlers ``(request, exc) -> Response``.

    Collected once per API. The most specific type in an exception's MRO wins. The ORM plugin
    maps ``DoesNotExist`` to 404, ``IntegrityError`` to 409, ``OperationalError`` to 503.
    """


@hookspec
def bolt_route_compiled(api: BoltAPI, route: Route) -> None:
    """Called once per route after it is compiled and frozen (OpenAPI collects here)."""


@hookspec
def bolt_openapi_operation(api: BoltAPI, route: Route, operation: dict[str, Any], doc: Any) -> None:
    """Add what this plugin does to ``route`` to its OpenAPI Operation object (mutate it).

    Called by the openapi plugin once per route when the route compiles (never per
    request), after the operation holds what the kernel knows: parameters from
    ``route.params``, the request body per content type, the success response from the
    route's return type and the kernel's own error statuses. A plugin adds what it
    enforces or shapes: parameters (``operation.setdefault("parameters", [])``),
    responses (``operation["responses"]["429"] = ...``), or ``operation["security"]``.
    ``doc`` helps with the parts that live in the document as a whole:
    ``doc.schema(tp)`` stands for the JSON Schema of a Python type (resolved, with shared
    components, when the document is built), ``doc.error(status)`` and
    ``doc.validation_error()`` are responses in Bolt's error shapes, and
    ``doc.security_scheme(name, scheme)`` registers a Security Scheme and returns the name
    it got. Decide from the compiled route (``route.middleware_names``,
    ``route.option_layer(...)``, ``route.meta``) so the document says what the server does.
    """


@hookspec(firstresult=True)
def bolt_openapi_document(api: BoltAPI) -> dict[str, Any] | None:
    """Return ``api``'s OpenAPI document as a dict, or ``None`` when this plugin has none.

    Asked by tools that want the document without knowing which plugin builds it
    (``manage.py bolt_openapi``), never while requests are handled. The openapi plugin
    answers last (``trylast``), with the document it serves, compiling the API first if
    needed; it raises ``ImproperlyConfigured`` naming the setting when its settings turn
    the document off. No answer at all means no enabled plugin provides a document.
    """


# --- phase 4: lifespan -------------------------------------------------------------------


@hookspec
def bolt_startup(api: BoltAPI) -> None:
    """ASGI lifespan startup, once per worker. May be ``async``."""


@hookspec
def bolt_shutdown(api: BoltAPI) -> None:
    """ASGI lifespan shutdown, once per worker. May be ``async``."""
