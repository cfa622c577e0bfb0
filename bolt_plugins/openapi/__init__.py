"""The openapi plugin: an OpenAPI 3.1 document of the API and a docs page to read it.

Hooks: ``bolt_configure`` validates the settings and prepares the per-API state,
``bolt_before_compile`` adds the plugin's routes (schema, docs page, the page's assets),
and ``bolt_route_compiled`` turns each compiled route into an operation; after the API's
last route the document is built and encoded once. Requests only read the prepared bytes.
``bolt_openapi_document`` hands the document to tools (``manage.py bolt_openapi``).
The page and its script and stylesheet ship in this package (``static/``); the page loads
nothing from elsewhere. See ``docs/openapi.md``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from bolt.conf import PluginSettings
from bolt.exceptions import ImproperlyConfigured
from bolt.hookspecs import hookimpl
from bolt.routing import normalize

from .config import OpenAPIConfig, read_config
from .document import OpenAPIState
from .operations import check_responses
from .serve import build_routes

__all__ = ["OpenAPIConfig", "OpenAPIState", "openapi_document"]

STATE_KEY = "openapi"


def openapi_document(api: Any) -> dict[str, Any]:
    """The API's OpenAPI document as a dict (compiles the API first if needed)."""
    api.compile()
    state: OpenAPIState | None = api.state.get(STATE_KEY)
    if state is None or state.document is None:
        raise ImproperlyConfigured(
            "This API has no OpenAPI document: the openapi plugin is disabled "
            "(BOLT_OPENAPI_ENABLED / BOLT_OPENAPI_PATH / BOLT_PLUGINS)"
        )
    return state.document


class OpenAPISettings(PluginSettings):
    """Whether and where the schema and the docs page are served (``""`` turns one off)."""

    OPENAPI_ENABLED: bool = True
    OPENAPI_PATH: str | None = Field(default="/openapi.json")
    OPENAPI_DOCS_PATH: str | None = Field(default="/docs")
    # The docs page: Swagger UI (try it out, Authorize), ReDoc (reading only), or Bolt's own
    # small page; "auto" is Swagger UI when drf-spectacular-sidecar (``bolt[docs]``) is
    # installed, else Bolt's page. Every asset is served by the API itself.
    OPENAPI_UI: Literal["auto", "swagger", "redoc", "bolt"] = "auto"


@hookimpl
def bolt_settings_model() -> type[OpenAPISettings]:
    return OpenAPISettings


@hookimpl(trylast=True)
def bolt_configure(api: Any, settings: Any) -> None:
    api.register_option("openapi_route_options", "openapi", route=False)
    # ``responses={404: "No such item"}``: answers a handler produces itself (an
    # ``HTTPException`` it raises), which no plugin can see.
    api.register_option("responses", "openapi")
    config = read_config(api, settings)
    if config.active:
        state = OpenAPIState(api)
        state.config = config
        api.state[STATE_KEY] = state


@hookimpl(trylast=True)
def bolt_before_compile(api: Any) -> None:
    state: OpenAPIState | None = api.state.get(STATE_KEY)
    if state is None:
        return
    routes = build_routes(api, state, state.config)
    taken = {(r.method, normalize(r.path)): r for r in api.routes}
    for route in routes:
        other = taken.get((route.method, normalize(route.path)))
        if other is not None:
            raise ImproperlyConfigured(
                f"{route.method} {route.path} is served by the openapi plugin but also "
                f"registered by {other!r}; change BOLT_OPENAPI_PATH / BOLT_OPENAPI_DOCS_PATH "
                "or the route's path"
            )
    api.add_routes(routes)


@hookimpl(trylast=True)
def bolt_route_middleware(api: Any, route: Any) -> None:
    if route.options.get("responses") is not None:
        check_responses(route)
        route.claim("responses")


@hookimpl(trylast=True)
def bolt_openapi_document(api: Any) -> dict[str, Any]:
    # trylast: a plugin that provides a document of its own answers first.
    return openapi_document(api)


@hookimpl(wrapper=True)
def bolt_route_compiled(api: Any, route: Any) -> Any:
    # A wrapper, so the operation is built after every other plugin's implementation has
    # run and recorded what it knows about the route (the CRUD plugin's accepted query).
    result = yield
    state: OpenAPIState | None = api.state.get(STATE_KEY)
    if state is not None:
        state.add(route)
    return result
