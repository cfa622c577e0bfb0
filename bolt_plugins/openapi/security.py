"""The document's ``securitySchemes``, filled by the plugins that authenticate.

The auth plugin (and any third-party plugin) registers the schemes its routes use through
``doc.security_scheme(name, scheme)`` in its ``bolt_openapi_operation`` implementation;
see ``bolt_plugins/auth/openapi.py``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SchemeRegistry"]


class SchemeRegistry:
    """The document's ``securitySchemes``: equal schemes share a name, different ones don't."""

    def __init__(self) -> None:
        self.schemes: dict[str, dict[str, Any]] = {}

    def add(self, name: str, scheme: dict[str, Any]) -> str:
        candidate, n = name, 1
        while candidate in self.schemes and self.schemes[candidate] != scheme:
            n += 1
            candidate = f"{name}{n}"
        self.schemes[candidate] = scheme
        return candidate
