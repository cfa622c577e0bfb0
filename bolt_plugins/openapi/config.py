"""The plugin's configuration for one API, validated when the API is built.

Settings: ``BOLT_OPENAPI_ENABLED`` (default ``True``), ``BOLT_OPENAPI_PATH`` (default
``"/openapi.json"``; ``""`` serves no schema and no docs page) and
``BOLT_OPENAPI_DOCS_PATH`` (default ``"/docs"``; ``""`` serves the schema only). An empty
string turns a path off because a Django setting of ``None`` means "not set". Paths are
joined to ``BoltAPI(prefix=...)``. ``BoltAPI(openapi_route_options={...})`` gives the
plugin's own routes options such as ``auth``/``guards`` (they otherwise inherit the API's
defaults, like any route).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bolt.exceptions import ImproperlyConfigured
from bolt.routing import normalize

__all__ = ["OpenAPIConfig", "read_config"]


@dataclass(frozen=True)
class OpenAPIConfig:
    """Where the schema and the docs page are served, or ``None`` when they are not."""

    schema_path: str | None
    docs_path: str | None
    route_options: dict[str, Any] = field(default_factory=dict)
    ui: str = "bolt"

    @property
    def active(self) -> bool:
        return self.schema_path is not None


def _path(prefix: str, value: Any, setting: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.startswith("/"):
        raise ImproperlyConfigured(
            f"BOLT_{setting} must be a path starting with '/', got {value!r}"
        )
    if "{" in value or "}" in value or "?" in value or "#" in value:
        raise ImproperlyConfigured(
            f"BOLT_{setting} must be a plain path without parameters, query or fragment, "
            f"got {value!r}"
        )
    if not prefix:
        return normalize(value)
    return normalize(prefix.rstrip("/") + "/" + value.lstrip("/"))


def read_config(api: Any, settings: Any) -> OpenAPIConfig:
    """Validate the settings for ``api``; a disabled plugin gets a config that serves nothing."""
    route_options = api.defaults.get("openapi_route_options") or {}
    if not isinstance(route_options, dict):
        raise ImproperlyConfigured(
            "BoltAPI(openapi_route_options=...) must be a dict of route options, "
            f"got {type(route_options).__name__}"
        )
    if not settings.OPENAPI_ENABLED:
        return OpenAPIConfig(None, None, route_options)
    schema_path = _path(api.prefix, settings.OPENAPI_PATH, "OPENAPI_PATH")
    docs_path = _path(api.prefix, settings.OPENAPI_DOCS_PATH, "OPENAPI_DOCS_PATH")
    if schema_path is None:
        docs_path = None  # the page has nothing to show without the schema
    if docs_path is not None and docs_path == schema_path:
        raise ImproperlyConfigured(
            f"BOLT_OPENAPI_PATH and BOLT_OPENAPI_DOCS_PATH are both {schema_path!r}; give the "
            "docs page its own path"
        )
    return OpenAPIConfig(schema_path, docs_path, dict(route_options), _ui(settings.OPENAPI_UI))


def _sidecar() -> bool:
    import importlib.util

    return importlib.util.find_spec("drf_spectacular_sidecar") is not None


def _ui(value: str) -> str:
    """The docs page to serve; a page whose assets are not installed stops startup."""
    if value == "auto":
        return "swagger" if _sidecar() else "bolt"
    if value in ("swagger", "redoc") and not _sidecar():
        raise ImproperlyConfigured(
            f"BOLT_OPENAPI_UI = {value!r} needs the drf-spectacular-sidecar package, which "
            "ships its assets (pip install 'bolt[docs]'); or set BOLT_OPENAPI_UI = 'bolt'"
        )
    return value
