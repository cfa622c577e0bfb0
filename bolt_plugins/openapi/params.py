"""Parameters and request bodies of one operation, read from the route's planned parameters.

The kernel has already planned ``route.params`` (source, wire name, default, marker) when
``bolt_route_compiled`` runs, so the document describes exactly what the extractors accept.
Dependencies (``Depends``) are planned the same way the kernel plans them, and their own
query, header, cookie and body parameters are documented on every route that uses them.
"""

from __future__ import annotations

import inspect
from typing import Any

import msgspec

from bolt.binding import plan_params
from bolt.params import Depends, Param, ParamMarker
from bolt.routing import parse_path

from .schema import SchemaSlot, _unwrap_optional, constrained, json_default

__all__ = ["VALIDATED_SOURCES", "all_params", "parameters", "request_body"]

# Sources whose values are parsed and validated (a bad value is a 422).
VALIDATED_SOURCES = frozenset({"path", "query", "header", "cookie", "body", "form", "file"})
# Integers in paths, queries, headers and cookies are 64-bit: a larger one is a 422.
INT64 = {"minimum": -(2**63), "maximum": 2**63 - 1}
_CONVERTER_SCHEMAS: dict[str, dict[str, Any]] = {
    "int": {"type": "integer", **INT64},
    "float": {"type": "number"},
    "uuid": {"type": "string", "format": "uuid"},
}
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def all_params(route: Any) -> list[Param]:
    """The route's parameters plus, recursively, those of its dependencies."""
    path_names = {name for _, name, _ in parse_path(route.path) if name}
    out: list[Param] = []
    seen: set[Any] = set()

    def visit(params: list[Param], depth: int) -> None:
        for param in params:
            if param.source != "depends":
                out.append(param)
                continue
            marker = param.marker
            if not isinstance(marker, Depends) or depth > 32 or marker.dependency in seen:
                continue
            seen.add(marker.dependency)
            fn = marker.dependency
            sub = plan_params(fn, inspect.signature(fn), path_names, owner=f"dependency {fn!r}")
            visit(sub, depth + 1)

    visit(list(route.params), 0)
    return out


def _shown(param: Param) -> bool:
    marker = param.marker
    return not (isinstance(marker, ParamMarker) and not marker.include_in_schema)


def _description(param: Param) -> str | None:
    marker = param.marker
    return marker.description if isinstance(marker, ParamMarker) else None


def _int_bounds(param: Param) -> dict[str, Any]:
    """The 64-bit bounds of an ``int`` parameter, where no constraint of its own is tighter."""
    inner, _ = _unwrap_optional(param.annotation)
    if inner is not int or param.source not in ("path", "query", "header", "cookie"):
        return {}
    given: set[str] = set()
    if isinstance(param.marker, ParamMarker):
        given.update(param.marker.constraints())
    for meta in param.metadata:
        if isinstance(meta, msgspec.Meta):
            given.update(k for k in ("ge", "gt", "le", "lt") if getattr(meta, k) is not None)
    out: dict[str, Any] = {}
    if not given & {"ge", "gt"}:
        out["minimum"] = INT64["minimum"]
    if not given & {"le", "lt"}:
        out["maximum"] = INT64["maximum"]
    return out


def _slot(param: Param) -> SchemaSlot:
    extra: dict[str, Any] = _int_bounds(param)
    ok, value = json_default(param.default)
    if ok:
        extra["default"] = value
    return SchemaSlot(constrained(param.annotation, param.marker, param.metadata), extra)


def _struct(tp: Any) -> type[msgspec.Struct] | None:
    inner, _ = _unwrap_optional(tp)
    if isinstance(inner, type) and issubclass(inner, msgspec.Struct):
        return inner
    return None


def _struct_fields(struct: type[msgspec.Struct], where: str) -> list[dict[str, Any]]:
    """A Struct read field by field from the query string: one parameter per field."""
    out = []
    for f in msgspec.structs.fields(struct):
        extra: dict[str, Any] = {}
        if not f.required:
            default = f.default if f.default is not msgspec.NODEFAULT else f.default_factory()
            ok, value = json_default(default)
            if ok:
                extra["default"] = value
        out.append(
            {
                "name": f.encode_name,
                "in": where,
                "required": f.required,
                "schema": SchemaSlot(f.type, extra),
            }
        )
    return out


def parameters(route: Any, params: list[Param]) -> list[dict[str, Any]]:
    """OpenAPI Parameter objects for path, query, header and cookie values."""
    out: list[dict[str, Any]] = []
    declared: set[tuple[str, str]] = set()
    for param in params:
        if param.source not in ("path", "query", "header", "cookie") or not _shown(param):
            continue
        struct = _struct(param.annotation) if param.source == "query" else None
        if struct is not None:
            items = _struct_fields(struct, "query")
        else:
            item: dict[str, Any] = {
                "name": param.alias,
                "in": param.source,
                "required": param.source == "path" or param.required,
                "schema": _slot(param),
            }
            description = _description(param)
            if description:
                item["description"] = description
            items = [item]
        for item in items:
            key = (item["name"], item["in"])
            if key not in declared:  # a dependency may read the same value as the handler
                declared.add(key)
                out.append(item)
    # Every templated segment must be declared, even one no handler parameter binds.
    for _, name, converter in parse_path(route.path):
        if name and (name, "path") not in declared:
            declared.add((name, "path"))
            schema = _CONVERTER_SCHEMAS.get(converter or "", {"type": "string"})
            out.append({"name": name, "in": "path", "required": True, "schema": dict(schema)})
    return out


def _json_body(route: Any, params: list[Param]) -> tuple[dict[str, Any], bool] | None:
    body = [p for p in params if p.source == "body" and _shown(p)]
    if not body:
        return None
    embedded = route.body_params > 1 or any(getattr(p.marker, "embed", False) for p in body)
    media = next(
        (
            p.marker.media_type
            for p in body
            if isinstance(p.marker, ParamMarker) and p.marker.media_type
        ),
        "application/json",
    )
    if not embedded:
        param = body[0]
        return {media: {"schema": _slot(param)}}, param.required
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {p.alias: _slot(p) for p in body},
    }
    required = [p.alias for p in body if p.required]
    if required:
        schema["required"] = required
    return {media: {"schema": schema}}, bool(required)


def _form_body(params: list[Param]) -> tuple[dict[str, Any], bool] | None:
    fields = [p for p in params if p.source in ("form", "file") and _shown(p)]
    if not fields:
        return None
    properties: dict[str, Any] = {}
    required: list[str] = []
    for param in fields:
        struct = _struct(param.annotation)
        if struct is not None:
            for f in msgspec.structs.fields(struct):
                properties[f.encode_name] = SchemaSlot(f.type)
                if f.required:
                    required.append(f.encode_name)
            continue
        properties[param.alias] = _slot(param)
        if param.required:
            required.append(param.alias)
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    has_file = any(p.source == "file" for p in fields)
    media_types = ("multipart/form-data",) if has_file else _FORM_TYPES
    return {m: {"schema": schema} for m in media_types}, bool(required)


def request_body(route: Any, params: list[Param]) -> dict[str, Any] | None:
    """The Request Body object: JSON, form or multipart, as the route's parameters accept."""
    content: dict[str, Any] = {}
    required = False
    for part in (_json_body(route, params), _form_body(params)):
        if part is not None:
            content.update(part[0])
            required = required or part[1]
    if not content:
        return None
    return {"required": required, "content": content}
