"""Schemas derived from models and from read schemas, built once per class and cached.

- ``model_schema(model)``: a read Struct of the model's concrete fields, for a ModelViewSet
  that declares no serializer (fields named ``password`` are never included);
- ``write_schema(model, schema, partial, read_only)``: the body type of create/update/
  partial_update. It keeps the schema's fields except the primary key, non-editable model
  fields and the view's ``read_only_fields`` (so an ``id``, ``created_at`` or ``owner`` in a
  body is refused, never written), refuses unknown fields (422), leaves out
  ``is_staff``/``is_superuser``/``last_login`` when the schema is the model-derived one, and
  for PATCH makes every field optional with ``UNSET`` meaning "absent", so absent and
  ``null`` stay different.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

import msgspec
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from bolt.serializers import Serializer
from bolt.serializers._models import PRIVILEGED_FIELDS, integer_range, python_type

__all__ = ["PRIVILEGED_FIELDS", "covering_names", "field_type", "model_schema", "write_schema"]

_FIELD = type(msgspec.field())


def field_type(field: Any) -> Any:
    """The Python type a schema uses for a model field (a foreign key's target pk type).

    The kernel's table (``bolt.serializers._models.python_type``), the one Serializers
    derive their fields from, so a model reads and writes alike with or without one.
    """
    return python_type(field)


def _hidden(field: Any) -> bool:
    return bool(field.name == "password")


@lru_cache(maxsize=256)
def model_schema(model: type[models.Model]) -> type[msgspec.Struct]:
    """A read schema of every concrete field (foreign keys as ids under the field name)."""
    spec = []
    for field in model._meta.concrete_fields:
        if _hidden(field):
            continue
        tp = field_type(field)
        spec.append((field.name, tp | None if field.null else tp))
    return msgspec.defstruct(f"{model.__name__}Schema", spec, kw_only=True)


def covering_names(model: Any, names: frozenset[str]) -> frozenset[str]:
    """``names`` plus the other name of each model field among them: a foreign key's
    ``author`` and its column's ``author_id`` both name one field, and a read-only field
    must be refused under either."""
    if model is None:
        return names
    out = set(names)
    for name in names:
        found = _model_field(model, name)
        if found is not None and found.concrete:
            out.update((found.name, found.attname))
    return frozenset(out)


def _model_field(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _default_of(model_field: Any) -> Any:
    """A write-schema default mirroring the model's (``NODEFAULT`` when it has none)."""
    if model_field is None:
        return msgspec.NODEFAULT
    if model_field.has_default():
        default = model_field.default
        if callable(default):
            return msgspec.field(default_factory=default)
        return default
    if model_field.null:
        return None
    if model_field.blank and isinstance(model_field, models.CharField | models.TextField):
        return ""
    return msgspec.NODEFAULT


def _ranged(model_field: Any, tp: Any) -> Any:
    """An ``int`` field limited to its column's portable range (32 bits for
    ``IntegerField``; a foreign key's is its target key's), so a value PostgreSQL would
    refuse is a 422 on every database: SQLite alone would store it, and a value past 64
    bits would crash the driver."""
    if model_field is None or tp not in (int, int | None):
        return tp
    bounds = integer_range(model_field)
    if bounds is None:
        return tp
    ranged = Annotated[int, msgspec.Meta(ge=bounds[0], le=bounds[1])]
    return ranged if tp is int else ranged | None


def write_schema(
    model: type[models.Model] | None,
    schema: type[msgspec.Struct],
    partial: bool,
    read_only: frozenset[str] = frozenset(),
) -> type[msgspec.Struct]:
    """The body type of a write action (see the module docstring); ``read_only`` names the
    view's ``read_only_fields``, left out like the primary key.

    One class per distinct arguments, however they are spelled: callers compare body types
    by identity to know that data already has the shape of the chosen schema.
    """
    # mypy does not count type[Any] (untyped Django) as Hashable for lru_cache
    return _write_schema(model, schema, bool(partial), frozenset(read_only))  # type: ignore[arg-type]


@lru_cache(maxsize=512)
def _write_schema(
    model: type[models.Model] | None,
    schema: type[msgspec.Struct],
    partial: bool,
    read_only: frozenset[str],
) -> type[msgspec.Struct]:
    if not (isinstance(schema, type) and issubclass(schema, msgspec.Struct)):
        raise TypeError(f"a write schema must be a msgspec.Struct class, not {schema!r}")
    read_only = covering_names(model, read_only)  # either spelling covers the model field
    if issubclass(schema, Serializer):
        # A Serializer has its own write and PATCH variants (validators, read-only fields,
        # nested bodies); the view's read_only_fields are left out of them too.
        serializer: type[Serializer] = schema
        if read_only:
            serializer = schema.subset(exclude=sorted(read_only & set(schema.__struct_fields__)))
        variant: type[msgspec.Struct] = (
            serializer.patch_type() if partial else serializer.write_type()
        )
        return variant
    # mypy does not count type[Any] (untyped Django) as Hashable for lru_cache
    auto = model is not None and schema is model_schema(model)  # type: ignore[arg-type]
    spec: list[tuple[Any, ...]] = []
    for info in msgspec.structs.fields(schema):
        field = _model_field(model, info.name) if model is not None else None
        if field is not None and (field.primary_key or not field.editable):
            continue
        if info.name in read_only or (field is not None and field.name in read_only):
            continue
        if auto and info.name in PRIVILEGED_FIELDS:
            continue  # a schema nobody wrote must not let clients grant themselves rights
        if field is not None and (field.many_to_many or field.one_to_many):
            continue
        tp = _ranged(field, info.type)
        if partial:
            spec.append((info.name, tp | msgspec.UnsetType, msgspec.field(
                default=msgspec.UNSET, name=info.encode_name)))  # fmt: skip
            continue
        if auto:
            default = _default_of(field)
        elif info.default is not msgspec.NODEFAULT:
            default = info.default
        elif info.default_factory is not msgspec.NODEFAULT:
            default = msgspec.field(default_factory=info.default_factory)
        else:
            default = msgspec.NODEFAULT
        if isinstance(default, _FIELD):
            spec.append((info.name, tp, default))
        else:
            spec.append((info.name, tp, msgspec.field(default=default, name=info.encode_name)))
    suffix = "Patch" if partial else "Write"
    return msgspec.defstruct(
        f"{schema.__name__}{suffix}", spec, kw_only=True, forbid_unknown_fields=True
    )
