"""The ``doc`` argument of ``bolt_openapi_operation``: document-wide helpers for plugins.

A plugin documents what it does to a route by mutating the route's Operation object; the
pieces that are shared across the document (component schemas, Security Schemes, the error
shapes) go through this object so a plugin never imports the openapi plugin.
"""

from __future__ import annotations

import http
from typing import Any

from .schema import SchemaSlot
from .security import SchemeRegistry

__all__ = ["ERROR_REF", "VALIDATION_REF", "OperationDoc", "phrase"]

ERROR_REF = "#/components/schemas/BoltError"
VALIDATION_REF = "#/components/schemas/BoltValidationError"


def phrase(status: int) -> str:
    """The reason phrase of ``status`` (``"Response"`` for an unknown code)."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Response"


class OperationDoc:
    """What ``bolt_openapi_operation`` implementations may use besides the operation."""

    def __init__(self, registry: SchemeRegistry) -> None:
        self._registry = registry

    @staticmethod
    def schema(tp: Any, **extra: Any) -> SchemaSlot:
        """The JSON Schema of the Python type ``tp`` (a Struct becomes a shared component);
        ``extra`` keys (``description``, ``default``, ...) are merged into it."""
        return SchemaSlot(tp, extra)

    @staticmethod
    def error(status: int, description: str | None = None, **fields: Any) -> dict[str, Any]:
        """A Response object in Bolt's error shape ``{"detail": str}``.

        ``fields`` adds properties (name → JSON Schema) that this error also carries, such
        as the rate limiter's ``retry_after``.
        """
        schema: dict[str, Any] = {"$ref": ERROR_REF}
        if fields:
            schema = {
                "allOf": [
                    {"$ref": ERROR_REF},
                    {"type": "object", "properties": dict(fields)},
                ]
            }
        return {
            "description": description or phrase(status),
            "content": {"application/json": {"schema": schema}},
        }

    @staticmethod
    def validation_error() -> dict[str, Any]:
        """The 422 Response object: ``{"detail": [{"loc", "msg", "type"}, ...]}``."""
        return {
            "description": phrase(422),
            "content": {"application/json": {"schema": {"$ref": VALIDATION_REF}}},
        }

    def security_scheme(self, name: str, scheme: dict[str, Any]) -> str:
        """Register a Security Scheme; equal schemes share a name, a different one under
        a taken name gets a numbered name, which is returned."""
        return self._registry.add(name, scheme)
