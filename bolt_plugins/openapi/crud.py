"""What a route's answer and query look like when its handler does not say: route facts.

A plugin that shapes a route's answer itself (the CRUD plugin's ``ModelViewSet`` encodes
models with the class's serializer for each action) records what it knows in the kernel's
documented route facts when the route compiles: ``route.meta["response_schema"]`` (a
Python type, or a JSON schema whose values may be Python types) and
``route.meta["query_params"]`` (name → Python type). This module turns those facts into
schema pieces; it imports no other plugin, so any plugin can document its routes the same
way.
"""

from __future__ import annotations

from typing import Any

from .schema import SchemaSlot

__all__ = ["crud_extra_query", "crud_response"]

_JSON_SCALARS = (str, int, float, bool, type(None))


def _slots(value: Any) -> Any:
    """A fact as a schema: Python types become ``SchemaSlot`` placeholders."""
    if isinstance(value, dict):
        return {key: _slots(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_slots(item) for item in value]
    if isinstance(value, _JSON_SCALARS):
        return value
    return SchemaSlot(value)


def crud_response(route: Any) -> Any:
    """The recorded answer of a route without a declared return type, or ``None``."""
    fact = route.meta.get("response_schema")
    if fact is None or route.return_type not in (None, Any, dict, list, object):
        return None
    return _slots(fact)


def crud_extra_query(route: Any, declared: set[str]) -> list[dict[str, Any]]:
    """Recorded query parameters the handler's signature does not show."""
    facts: dict[str, Any] = route.meta.get("query_params") or {}
    out = []
    for name in sorted(set(facts) - declared):
        numeric = facts[name] is int
        out.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "schema": {"type": "integer" if numeric else "string"},
            }
        )
    return out
