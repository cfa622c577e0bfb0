"""Python types → JSON Schema (OpenAPI 3.1 dialect), resolved in one pass per document.

While routes compile, operations hold ``SchemaSlot`` placeholders instead of schemas. When
the last route has been seen, ``resolve_slots`` hands every distinct type to msgspec in a
single ``schema_components`` call, so a Struct used by many routes becomes one entry under
``components/schemas`` and name clashes between Structs are settled once, consistently.
"""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any, get_args, get_origin

import msgspec

from bolt.params import REQUIRED, ParamMarker, UploadFile

__all__ = ["REF_TEMPLATE", "SchemaSlot", "constrained", "json_default", "resolve_slots"]

REF_TEMPLATE = "#/components/schemas/{name}"
_BINARY = {"type": "string", "format": "binary"}


class SchemaSlot:
    """A placeholder for the schema of ``tp``; ``extra`` keys are merged into the result."""

    __slots__ = ("extra", "tp")

    def __init__(self, tp: Any, extra: dict[str, Any] | None = None) -> None:
        self.tp = tp
        self.extra = extra or {}

    def __repr__(self) -> str:
        return f"SchemaSlot({self.tp!r})"


def _unwrap_optional(tp: Any) -> tuple[Any, bool]:
    if get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(args) < len(get_args(tp)):
            return args[0], True
    return tp, False


def constrained(tp: Any, marker: Any, metadata: list[Any]) -> Any:
    """``tp`` with a parameter marker's constraints attached, so they appear in the schema."""
    meta = [m for m in metadata if isinstance(m, msgspec.Meta)]
    if isinstance(marker, ParamMarker):
        limits = marker.constraints()
        if limits:
            meta.append(msgspec.Meta(**limits))
    meta = [m for m in meta if _has_constraints(m)]
    if not meta:
        return tp
    inner, optional = _unwrap_optional(tp)
    out: Any = Annotated[(inner, *meta)]
    return out | None if optional else out


def _has_constraints(meta: msgspec.Meta) -> bool:
    names = ("gt", "ge", "lt", "le", "min_length", "max_length", "pattern", "multiple_of")
    return any(getattr(meta, n, None) is not None for n in names)


def json_default(value: Any) -> tuple[bool, Any]:
    """``(True, json_value)`` when a default can be shown in a schema, else ``(False, None)``."""
    if value is REQUIRED:
        return False, None
    try:
        return True, msgspec.json.decode(msgspec.json.encode(value))
    except (TypeError, msgspec.EncodeError, ValueError):
        return False, None


def _special(tp: Any) -> dict[str, Any] | None:
    """Schemas for types msgspec does not describe (uploads), or ``None``."""
    inner, optional = _unwrap_optional(tp)
    if inner is UploadFile:
        schema: dict[str, Any] = dict(_BINARY)
    elif get_origin(inner) in (list, tuple, set, frozenset) and get_args(inner)[:1] == (
        UploadFile,
    ):
        schema = {"type": "array", "items": dict(_BINARY)}
    else:
        return None
    return {"anyOf": [schema, {"type": "null"}]} if optional else schema


def _supported(tp: Any) -> bool:
    try:
        msgspec.json.schema(tp)
    except (TypeError, ValueError, NameError):
        return False
    return True


def _collect(node: Any, out: list[SchemaSlot]) -> None:
    if isinstance(node, SchemaSlot):
        out.append(node)
    elif isinstance(node, dict):
        for value in node.values():
            _collect(value, out)
    elif isinstance(node, list):
        for value in node:
            _collect(value, out)


def _replace(node: Any, resolved: dict[int, dict[str, Any]]) -> Any:
    if isinstance(node, SchemaSlot):
        return resolved[id(node)]
    if isinstance(node, dict):
        return {key: _replace(value, resolved) for key, value in node.items()}
    if isinstance(node, list):
        return [_replace(value, resolved) for value in node]
    return node


def resolve_slots(document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Replace every ``SchemaSlot`` in ``document``; return it and the component schemas.

    Types msgspec cannot describe (a Django model, an arbitrary class) get the empty schema
    ``{}`` ("any value") rather than failing startup: the route works, only its schema is
    unspecific.
    """
    from bolt.serializers import doc_view, output_view

    slots: list[SchemaSlot] = []
    _collect(document, slots)
    for slot in slots:
        # A Serializer in an answer is its read variant; bodies already hold write variants
        # (``FooWrite``/``FooPatch``), so both appear, named apart, under components.
        slot.tp = doc_view(output_view(slot.tp))
    kinds: list[Any] = []  # distinct types, in first-seen order
    index_of: dict[int, int] = {}
    for slot in slots:
        for i, known in enumerate(kinds):
            if known is slot.tp or _same(known, slot.tp):
                index_of[id(slot)] = i
                break
        else:
            index_of[id(slot)] = len(kinds)
            kinds.append(slot.tp)
    fixed: dict[int, dict[str, Any]] = {}
    batch: list[int] = []
    for i, tp in enumerate(kinds):
        special = _special(tp)
        if special is not None:
            fixed[i] = special
        elif tp is Any or tp is typing.Any:
            fixed[i] = {}
        elif _supported(tp):
            batch.append(i)
        else:
            fixed[i] = {}
    components: dict[str, Any] = {}
    if batch:
        schemas, components = msgspec.json.schema_components(
            [kinds[i] for i in batch], ref_template=REF_TEMPLATE
        )
        fixed.update(zip(batch, schemas, strict=True))
    resolved = {id(slot): {**fixed[index_of[id(slot)]], **slot.extra} for slot in slots}
    return _replace(document, resolved), components


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return False
