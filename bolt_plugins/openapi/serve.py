"""The routes the plugin adds: the schema, the docs page and the page's own assets.

Everything a response carries is prepared when the routes are built: the page is rendered
with the API's title and URLs, the assets are read from this package once, and the schema
bytes are encoded once after the last route compiled. Per request, a handler only wraps
those bytes in a fresh ``Response`` (middleware such as CORS may add headers to it).
"""

from __future__ import annotations

import hashlib
import html
from importlib import resources
from typing import Any

from bolt.request import Request
from bolt.responses import Response
from bolt.route import Route

from .config import OpenAPIConfig
from .document import OpenAPIState

__all__ = ["DOCS_CSP", "UI_CSP", "build_routes", "read_asset"]

# The page loads nothing but its own script and stylesheet and fetches only the schema.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
# Scripts only from this API (no inline script, no eval). Swagger UI and ReDoc set element
# styles from script (``style-src 'unsafe-inline'``, which runs no code); ReDoc also starts
# a worker from a blob. "Try it out" may call only this origin.
UI_CSP = {
    "bolt": DOCS_CSP,
    "swagger": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "connect-src 'self'; img-src 'self' data:; font-src 'self' data:; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'self'"
    ),
    "redoc": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "connect-src 'self'; img-src 'self' data:; font-src 'self' data:; "
        "worker-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
    ),
}
_JS = "text/javascript; charset=utf-8"
_CSS = "text/css; charset=utf-8"
_SIDECAR = "static/drf_spectacular_sidecar"
# Per page: asset name -> (package, path inside it, content type); the HTML template.
_UI_ASSETS: dict[str, dict[str, tuple[str, str, str]]] = {
    "bolt": {
        "docs.js": (__package__, "static/docs.js", _JS),
        "docs.css": (__package__, "static/docs.css", _CSS),
    },
    "swagger": {
        "swagger-ui.css": (
            "drf_spectacular_sidecar",
            f"{_SIDECAR}/swagger-ui-dist/swagger-ui.css",
            _CSS,
        ),
        "swagger-ui-bundle.js": (
            "drf_spectacular_sidecar",
            f"{_SIDECAR}/swagger-ui-dist/swagger-ui-bundle.js",
            _JS,
        ),
        "swagger-init.js": (__package__, "static/swagger-init.js", _JS),
    },
    "redoc": {
        "redoc.js": (
            "drf_spectacular_sidecar",
            f"{_SIDECAR}/redoc/bundles/redoc.standalone.js",
            _JS,
        ),
    },
}
_UI_PAGE = {"bolt": "docs.html", "swagger": "swagger.html", "redoc": "redoc.html"}
# Template placeholder -> asset name.
_PLACEHOLDERS = {
    "{css_url}": "docs.css",
    "{js_url}": "docs.js",
    "{ui_css_url}": "swagger-ui.css",
    "{ui_js_url}": ("swagger-ui-bundle.js", "redoc.js"),
    "{init_url}": "swagger-init.js",
}


def read_asset(name: str) -> bytes:
    """A file shipped in ``bolt_plugins/openapi/static``."""
    return resources.files(__package__).joinpath("static", name).read_bytes()


def _static(body: bytes, headers: dict[str, str]) -> Any:
    async def serve(request: Request) -> Response:
        # hot path
        return Response(body, 200, headers)

    return serve


def _asset_url(docs_path: str, name: str) -> str:
    return f"{docs_path.rstrip('/')}/assets/{name}"


def build_routes(api: Any, state: OpenAPIState, config: OpenAPIConfig) -> list[Route]:
    """Routes for the schema and, when enabled, the docs page and its assets."""
    options = {"include_in_schema": False, **config.route_options}
    routes: list[Route] = []
    if config.schema_path is not None:

        async def openapi_schema(request: Request) -> Response:
            # hot path
            return Response(state.body, 200, {"content-type": "application/json"})

        routes.append(
            Route("GET", config.schema_path, openapi_schema, options={**options, "name": "openapi"})
        )
    if config.docs_path is None or config.schema_path is None:
        return routes
    urls: dict[str, str] = {}
    ui = config.ui
    for name, (package, where, content_type) in _UI_ASSETS[ui].items():
        body = resources.files(package).joinpath(where).read_bytes()
        version = hashlib.sha256(body).hexdigest()[:12]
        path = _asset_url(config.docs_path, name)
        urls[name] = f"{path}?v={version}"
        headers = {
            "content-type": content_type,
            "cache-control": "public, max-age=86400",
            "x-content-type-options": "nosniff",
        }
        routes.append(
            Route("GET", path, _static(body, headers), options={**options, "name": f"docs-{name}"})
        )
    page = read_asset(_UI_PAGE[ui]).decode("utf-8")
    # URLs first: they cannot contain braces, while a title could spell a placeholder.
    replacements: list[tuple[str, str]] = []
    for key, names in _PLACEHOLDERS.items():
        for name in (names,) if isinstance(names, str) else names:
            if name in urls:
                replacements.append((key, urls[name]))
    replacements += [("{schema_url}", config.schema_path), ("{title}", api.title)]
    for key, value in replacements:
        page = page.replace(key, html.escape(value, quote=True))
    page_headers = {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": UI_CSP[ui],
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
    }
    routes.append(
        Route(
            "GET",
            config.docs_path,
            _static(page.encode("utf-8"), page_headers),
            options={**options, "name": "docs"},
        )
    )
    return routes
