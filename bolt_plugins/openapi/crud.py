"""What ``ModelViewSet`` routes add to the document, read from the CRUD plugin's own answers.

A CRUD ViewSet's standard handlers declare no return type: the CRUD plugin encodes models
with the class's serializer for each action. The document asks the same question the
encoder asks (``static_serializer``), wraps it the way the handler answers (a list, a page
with ``results``), and lists the query parameters the list route accepts, which the CRUD
plugin records in ``route.meta["crud_known_query"]`` when the route compiles.
"""

from __future__ import annotations

from typing import Any

from .schema import SchemaSlot

__all__ = ["crud_extra_query", "crud_response"]

_ITEM_ACTIONS = ("retrieve", "create", "update", "partial_update")


def _crud() -> Any:
    try:
        from bolt_plugins.crud import mixins
    except ImportError:  # pragma: no cover - the CRUD plugin ships with Bolt
        return None
    return mixins


def _crud_view(route: Any) -> Any:
    mixins = _crud()
    view = route.view_class
    if mixins is None or view is None or not issubclass(view, mixins.CrudBase):
        return None
    return view


def crud_response(route: Any) -> Any:
    """A JSON schema (or ``SchemaSlot``) for a CRUD action without a declared return type."""
    view = _crud_view(route)
    if view is None or route.return_type not in (None, Any, dict, list, object):
        return None
    mixins = _crud()
    action = route.action
    if action == "destroy" and getattr(view, "destroy", None) is mixins.DestroyMixin.destroy:
        return {
            "type": "object",
            "properties": {"deleted": {"type": "boolean"}},
            "required": ["deleted"],
        }
    if action != "list" and action not in _ITEM_ACTIONS:
        return None
    try:
        schema = mixins.static_serializer(view, action)
    except Exception:
        return None
    if schema is None:
        return None
    if action != "list":
        return SchemaSlot(schema)
    items = SchemaSlot(list[schema])  # type: ignore[valid-type]
    if mixins.paginator_of(view) is None:
        return items
    return {"type": "object", "properties": {"results": items}, "required": ["results"]}


def crud_extra_query(route: Any, declared: set[str]) -> list[dict[str, Any]]:
    """Query parameters of a CRUD list (search, ordering, filters, pagination) not yet shown."""
    view = _crud_view(route)
    known = route.meta.get("crud_known_query")
    if view is None or not known or route.action != "list":
        return []
    paginator = _crud().paginator_of(view)
    paging = set(paginator.query_params) if paginator is not None else set()
    out = []
    for name in sorted(set(known) - declared):
        numeric = name in paging and "cursor" not in name
        out.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "schema": {"type": "integer" if numeric else "string"},
            }
        )
    return out
