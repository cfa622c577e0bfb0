"""The per-API OpenAPI document: collected route by route, encoded once.

``OpenAPIState`` lives in ``api.state["openapi"]``. ``bolt_route_compiled`` adds one
operation per route; when the last route of the API has been seen, ``finalize`` resolves
schemas, settles operationIds and encodes the JSON bytes the schema route serves. Nothing
here runs while a request is handled.
"""

from __future__ import annotations

from typing import Any

import msgspec

from bolt.exceptions import ImproperlyConfigured
from bolt.routing import parse_path

from .context import OperationDoc
from .examples import add_examples
from .operations import ERROR_COMPONENTS, build_operation
from .schema import resolve_slots
from .security import SchemeRegistry

__all__ = ["OPENAPI_VERSION", "OpenAPIState", "openapi_path"]

OPENAPI_VERSION = "3.1.0"


def openapi_path(path: str) -> str:
    """Bolt's ``/items/{id:int}`` as an OpenAPI path template ``/items/{id}``."""
    parts: list[str] = []
    for static, name, _ in parse_path(path):
        parts.append(f"{{{name}}}" if name else static)
    return "/" + "/".join(parts)


class OpenAPIState:
    """What the plugin keeps per API: the document being built, then its encoded bytes."""

    def __init__(self, api: Any) -> None:
        self.api = api
        self.config: Any = None
        self.seen = 0
        self.operations: list[tuple[str, str, dict[str, Any], Any]] = []
        self.registry = SchemeRegistry()
        self.doc = OperationDoc(self.registry)
        self.document: dict[str, Any] | None = None
        self.body: bytes = b""

    def add(self, route: Any) -> None:
        """Record one compiled route; build the document after the API's last route."""
        self.seen += 1
        if route.include_in_schema:
            operation = build_operation(self.api, route, self.doc)
            self.operations.append(
                (openapi_path(route.path), route.method.lower(), operation, route)
            )
        if self.seen >= len(self.api.routes):
            self.finalize()

    def finalize(self) -> None:
        api = self.api
        info: dict[str, Any] = {"title": api.title, "version": api.version}
        if api.description:
            info["description"] = api.description
        paths: dict[str, dict[str, Any]] = {}
        self._settle_operation_ids()
        for path, method, operation, _ in self.operations:
            paths.setdefault(path, {})[method] = operation
        document: dict[str, Any] = {"openapi": OPENAPI_VERSION, "info": info, "paths": paths}
        document, schemas = resolve_slots(document)
        clash = set(schemas) & set(ERROR_COMPONENTS)
        if clash:
            raise ImproperlyConfigured(
                f"OpenAPI: Struct name(s) {', '.join(sorted(clash))} clash with Bolt's error "
                "schemas; rename the Struct(s)"
            )
        components: dict[str, Any] = {"schemas": {**schemas, **ERROR_COMPONENTS}}
        add_examples(document, components["schemas"])
        if self.registry.schemes:
            components["securitySchemes"] = dict(self.registry.schemes)
        document["components"] = components
        tags = sorted({t for _, _, op, _ in self.operations for t in op.get("tags", ())})
        if tags:
            document["tags"] = [{"name": t} for t in tags]
        self.document = document
        self.body = msgspec.json.encode(document)

    def _settle_operation_ids(self) -> None:
        """Make every operationId unique; two routes given the same explicit id is an error."""
        explicit: dict[str, Any] = {}
        for _, _, operation, route in self.operations:
            if route.options.get("operation_id"):
                other = explicit.setdefault(operation["operationId"], route)
                if other is not route:
                    raise ImproperlyConfigured(
                        f"operation_id {operation['operationId']!r} is used by {other!r} and "
                        f"{route!r}; operationIds must be unique in the OpenAPI document"
                    )
        taken = set(explicit)
        counts: dict[str, int] = {}
        for _, _, operation, route in self.operations:
            if route.options.get("operation_id"):
                continue
            base = operation["operationId"]
            counts[base] = counts.get(base, 0) + 1
        for _, method, operation, route in self.operations:
            if route.options.get("operation_id"):
                continue
            base = operation["operationId"]
            candidate = base if counts[base] == 1 else f"{base}_{method}"
            n = 1
            while candidate in taken:
                n += 1
                candidate = f"{base}_{method}_{n}"
            taken.add(candidate)
            operation["operationId"] = candidate
