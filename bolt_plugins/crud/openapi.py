"""What the CRUD plugin tells the OpenAPI document about a ViewSet's routes.

A ``ModelViewSet``'s standard handlers declare no return type: this plugin encodes models
with the class's serializer for each action, and its list reads query parameters the
handler's signature does not show. So this module documents, for each CRUD route:

- the answer: the list as an array or the paginator's envelope, and the detail (read)
  schema for ``retrieve`` and for the writes (``create``/``update``/``partial_update``
  answer the written object as ``retrieve`` would, whatever schema the body used);
- the list's query parameters: each ``filterset_fields`` lookup typed from its model field,
  ``search`` (with ``search_fields``), ``ordering`` (the allowed values, ``-`` for
  descending) and the paginator's own parameters with their bounds;
- the ORM's error answers: 404 for routes that load one object, 409 (unique violation) for
  writes, 422 for bad filter values and constraint failures, 400 for an unknown query
  parameter, a bad ordering or cursor, and 503 when the database is unavailable.

It runs once per route when the route compiles (``bolt_openapi_operation``).
"""

from __future__ import annotations

from typing import Any

from bolt.routing import parse_path
from bolt_plugins.crud.filters import MAX_SEARCH_LENGTH
from bolt_plugins.crud.generics import (
    GenericView,
    filter_spec_of,
    paginator_of,
    static_serializer,
    uses_crud_mixins,
)
from bolt_plugins.crud.mixins import DestroyMixin
from bolt_plugins.crud.pagination import (
    CursorPagination,
    LimitOffsetPagination,
    PageNumberPagination,
    paged_endpoint,
)

__all__ = ["document_crud", "envelope"]

_WRITES = ("create", "update", "partial_update")
_INT = {"type": "integer"}
_NULL_INT = {"type": ["integer", "null"]}
_NULL_STR = {"type": ["string", "null"]}
_FIELD_TYPES: dict[str, dict[str, Any]] = {
    "AutoField": _INT,
    "BigAutoField": _INT,
    "SmallAutoField": _INT,
    "IntegerField": _INT,
    "BigIntegerField": _INT,
    "SmallIntegerField": _INT,
    "PositiveIntegerField": {"type": "integer", "minimum": 0},
    "PositiveBigIntegerField": {"type": "integer", "minimum": 0},
    "PositiveSmallIntegerField": {"type": "integer", "minimum": 0},
    "FloatField": {"type": "number"},
    "DecimalField": {"type": "number"},
    "BooleanField": {"type": "boolean"},
    "DateField": {"type": "string", "format": "date"},
    "DateTimeField": {"type": "string", "format": "date-time"},
    "TimeField": {"type": "string", "format": "time"},
    "UUIDField": {"type": "string", "format": "uuid"},
}


def envelope(paginator: Any, items: Any) -> Any:
    """The answer of a paginated list whose rows have the schema ``items``.

    A paginator of one's own describes its envelope with ``openapi_schema(items)``.
    """
    custom = getattr(paginator, "openapi_schema", None)
    if callable(custom):
        return custom(items)
    if type(paginator).envelope not in _OWN_ENVELOPES:
        return {"type": "object"}  # its own envelope(page), undescribed
    results = {"type": "array", "items": items}
    link = _NULL_STR if paginator.absolute_urls else _NULL_INT
    if isinstance(paginator, PageNumberPagination):
        props: dict[str, Any] = {
            "count": _INT,
            "page": _INT,
            "page_size": _INT,
            "total_pages": _INT,
            "next": link,
            "previous": link,
        }
    elif isinstance(paginator, LimitOffsetPagination):
        props = {"count": _INT, "limit": _INT, "offset": _INT}
        if paginator.absolute_urls:
            props.update(next=_NULL_STR, previous=_NULL_STR)
    elif isinstance(paginator, CursorPagination):
        props = {"next": _NULL_STR, "previous": _NULL_STR}
    else:
        props = {}
    props = {**props, "results": results}
    return {"type": "object", "properties": props, "required": list(props)}


_OWN_ENVELOPES = (
    PageNumberPagination.envelope,
    LimitOffsetPagination.envelope,
    CursorPagination.envelope,
)


def _paging_params(paginator: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(name: str | None, schema: dict[str, Any], text: str) -> None:
        if name:
            out.append(
                {"name": name, "in": "query", "required": False, "schema": schema,
                 "description": text}
            )  # fmt: skip

    if isinstance(paginator, PageNumberPagination):
        page = {"type": "integer", "minimum": 1, "maximum": paginator.max_page}
        add(paginator.page_query_param, page, "Page number, from 1")
        size = {"type": "integer", "minimum": 1, "maximum": paginator.max_page_size}
        add(paginator.page_size_query_param, size, "Rows per page")
    elif isinstance(paginator, LimitOffsetPagination):
        limit = {"type": "integer", "minimum": 1, "maximum": paginator.max_limit}
        add(paginator.limit_query_param, limit, "Rows to return")
        offset = {"type": "integer", "minimum": 0, "maximum": paginator.max_offset}
        add(paginator.offset_query_param, offset, "Rows to skip")
    elif isinstance(paginator, CursorPagination):
        add(paginator.cursor_query_param, {"type": "string"}, "Opaque cursor from next/previous")
        size = {"type": "integer", "minimum": 1, "maximum": paginator.max_page_size}
        add(paginator.page_size_query_param, size, "Rows per page")
    else:
        for name in getattr(paginator, "query_params", ()):
            add(name, {"type": "string"}, "Pagination")
    return out


def _field_schema(field: Any) -> dict[str, Any]:
    target = field.target_field if field.is_relation and field.many_to_one else field
    return dict(_FIELD_TYPES.get(target.get_internal_type(), {"type": "string"}))


def _filter_params(spec: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for param, (_, field, lookup) in spec.filters.items():
        if lookup == "isnull":
            schema: dict[str, Any] = {"type": "boolean"}
            text = f"Whether {field.name} is null"
        elif lookup == "in":
            schema = {"type": "string"}
            text = f"Comma-separated values of {field.name}"
        elif lookup in ("contains", "icontains", "startswith", "istartswith", "iexact"):
            schema = {"type": "string"}
            text = f"Filter {field.name} ({lookup})"
        else:
            schema = _field_schema(field)
            text = f"Filter {field.name} ({lookup})"
        out.append(
            {"name": param, "in": "query", "required": False, "schema": schema,
             "description": text}
        )  # fmt: skip
    if spec.search:
        out.append(
            {"name": "search", "in": "query", "required": False,
             "schema": {"type": "string", "maxLength": MAX_SEARCH_LENGTH},
             "description": "Words to find in " + ", ".join(spec.search)}
        )  # fmt: skip
    if spec.ordering:
        values = [v for name in sorted(spec.ordering) for v in (name, f"-{name}")]
        out.append(
            {"name": "ordering", "in": "query", "required": False,
             "schema": {"type": "string", "enum": values},
             "description": "Order by a field; a leading '-' sorts descending"}
        )  # fmt: skip
    return out


def _success(operation: dict[str, Any]) -> dict[str, Any] | None:
    responses: dict[str, dict[str, Any]] = operation["responses"]
    for status, response in responses.items():
        if status.startswith("2"):
            return response
    return None


def _answer(route: Any, view: type, doc: Any) -> Any:
    """The documented answer of a CRUD action, or ``None`` when the handler is custom."""
    action = route.action
    if route.return_type not in (None, Any, dict, list, object):
        return None  # the handler declares its answer; the kernel documented it
    if not uses_crud_mixins(view):
        # A plain ViewSet's own handler may answer anything (dicts of its own making); its
        # serializer, or the model's every field, is no promise about it.
        return None
    if action == "destroy":
        if getattr(view, "destroy", None) is not DestroyMixin.destroy:
            return None
        return {
            "type": "object",
            "properties": {"deleted": {"type": "boolean"}},
            "required": ["deleted"],
        }
    if action not in ("list", "retrieve", *_WRITES):
        return None
    try:
        schema = static_serializer(view, "list" if action == "list" else "retrieve")
    except Exception:
        return None
    if schema is None:
        return None
    if action != "list":
        return doc.schema(schema)
    paginator = paginator_of(view)
    if paginator is None:
        return {"type": "array", "items": doc.schema(schema)}
    return envelope(paginator, doc.schema(schema))


def _document_paged(paged: Any, operation: dict[str, Any], doc: Any) -> None:
    """A ``@paginate`` function route: the envelope and the paginator's parameters."""
    paginator = paged.paginator
    success = _success(operation)
    items = doc.schema(paged.item) if paged.item is not None else {}
    if success is not None:
        success["content"] = {"application/json": {"schema": envelope(paginator, items)}}
    params = operation.setdefault("parameters", [])
    taken = {(p["name"], p["in"]) for p in params}
    params += [p for p in _paging_params(paginator) if (p["name"], p["in"]) not in taken]
    operation["responses"].setdefault("422", doc.validation_error())
    if isinstance(paginator, CursorPagination):
        operation["responses"].setdefault("400", doc.error(400, "Invalid pagination cursor"))


def document_crud(route: Any, operation: dict[str, Any], doc: Any) -> None:
    """Add a CRUD route's answer, list parameters and ORM error statuses to ``operation``."""
    paged = paged_endpoint(route.endpoint)
    if paged is not None:
        _document_paged(paged, operation, doc)
        return
    view = route.view_class
    if view is None or not issubclass(view, GenericView):
        return
    responses = operation["responses"]
    success = _success(operation)
    answer = _answer(route, view, doc)
    if success is not None and answer is not None:
        success["content"] = {"application/json": {"schema": answer}}
    if route.action == "list":
        model = view.get_model()
        params = operation.setdefault("parameters", [])
        taken = {(p["name"], p["in"]) for p in params}
        extra: list[dict[str, Any]] = []
        spec = filter_spec_of(view, model) if model is not None else None
        if spec is not None:
            extra += _filter_params(spec)
            if spec.strict or spec.ordering:
                responses.setdefault("400", doc.error(400, "Unknown query parameter or ordering"))
        paginator = paginator_of(view)
        if paginator is not None:
            extra += _paging_params(paginator)
            if isinstance(paginator, CursorPagination):
                responses.setdefault("400", doc.error(400, "Invalid pagination cursor"))
        params += [p for p in extra if (p["name"], p["in"]) not in taken]
        if not params:
            del operation["parameters"]
        if extra:
            responses.setdefault("422", doc.validation_error())
    if any(name for _, name, _ in parse_path(route.path)):
        responses.setdefault("404", doc.error(404, "No such object"))
    if route.action in (*_WRITES, "destroy"):
        responses.setdefault("409", doc.error(409, "Conflicts with an existing object"))
    if route.action in _WRITES:
        responses.setdefault("422", doc.validation_error())
    if "orm" in route.middleware_names or route.action is not None:
        responses.setdefault("503", doc.error(503, "The database is unavailable"))
