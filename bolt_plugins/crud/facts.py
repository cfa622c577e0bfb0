"""What the CRUD plugin knows about a route's answer and query, recorded as route facts.

A CRUD ViewSet's standard handlers declare no return type: this plugin encodes models with
the class's serializer for each action, and its list accepts query parameters (search,
ordering, pagination) that are not in the handler's signature. Documentation plugins need
both, so they are written into ``route.meta`` in the kernel's documented shape (see
docs/plugins.md, "Route facts") instead of being read out of this package:

- ``route.meta["response_schema"]``: a Python type, or a JSON schema whose values may be
  Python types (each standing for that type's schema);
- ``route.meta["query_params"]``: query parameter name → Python type.
"""

from __future__ import annotations

from typing import Any

from bolt_plugins.crud.mixins import DestroyMixin, paginator_of, static_serializer

__all__ = ["record_facts"]

_ITEM_ACTIONS = ("retrieve", "create", "update", "partial_update")


def response_schema(route: Any, view: type) -> Any:
    """The answer of a CRUD action, or ``None`` when the plugin does not shape it."""
    action = route.action
    if action == "destroy" and getattr(view, "destroy", None) is DestroyMixin.destroy:
        return {
            "type": "object",
            "properties": {"deleted": {"type": "boolean"}},
            "required": ["deleted"],
        }
    if action != "list" and action not in _ITEM_ACTIONS:
        return None
    try:
        schema = static_serializer(view, action)
    except Exception:
        return None
    if schema is None:
        return None
    if action != "list":
        return schema
    if paginator_of(view) is None:
        return list[schema]  # type: ignore[valid-type]
    return {
        "type": "object",
        "properties": {"results": list[schema]},  # type: ignore[valid-type]
        "required": ["results"],
    }


def record_facts(route: Any, view: type, known_query: frozenset[str]) -> None:
    """Write the route facts of a compiled CRUD route (once per route, at compile time)."""
    schema = response_schema(route, view)
    if schema is not None:
        route.meta["response_schema"] = schema
    if route.action == "list":
        paginator = paginator_of(view)
        paging = set(paginator.query_params) if paginator is not None else set()
        route.meta["query_params"] = {
            name: int if name in paging and "cursor" not in name else str
            for name in sorted(known_query)
        }
