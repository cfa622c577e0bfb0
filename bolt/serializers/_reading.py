"""Model instances and querysets → ``msgspec.Struct`` schemas, by field name.

The kernel's reading plan, used by ``Serializer.dump``/``dump_many`` and by the CRUD plugin
(so dumping a model needs no plugin). A schema is a plain ``msgspec.Struct`` (a Serializer
is read through its read variant). Each of its fields is read from the model instance under
the same name, with the conversions an API needs: foreign keys become ids (or a nested
Struct when the schema field is a Struct), reverse and many-to-many relations become lists,
dates/decimals/UUIDs become strings when the schema field is ``str``. The plan for one
(model, schema) pair is computed once and cached; converting a row only runs the plan.

A schema's own ``from_model`` classmethod, when it defines one, is used instead.
"""

from __future__ import annotations

import datetime
import decimal
import types
import typing
import uuid
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, get_args, get_origin

import msgspec
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.query import ModelIterable

from bolt.serializers._core import Serializer, SerializerMeta

__all__ = [
    "OrmPlan",
    "generic_from_model",
    "has_own_from_model",
    "is_struct",
    "plan_for",
    "related_paths",
    "schema_target",
    "to_struct",
    "to_structs",
    "with_relations",
]

Getter = Callable[[Any], Any]


def _unwrap(tp: Any) -> tuple[Any, bool]:
    """``X | None`` → ``(X, True)``; anything else → ``(tp, False)``."""
    if get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return tp, False


def is_struct(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, msgspec.Struct)


def schema_target(tp: Any) -> tuple[type[msgspec.Struct], bool] | None:
    """``S`` → ``(S, False)``; ``list[S]`` (any sequence) → ``(S, True)``; else ``None``."""
    inner, _ = _unwrap(tp)
    if is_struct(inner):
        return inner, False
    if get_origin(inner) in (list, tuple, set, frozenset, Iterable, typing.Sequence):
        args = get_args(inner)
        if args and is_struct(args[0]):
            return args[0], True
    return None


def _as_text(value: Any) -> Any:
    """The text form of values a JSON schema declares as ``str``."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def _attr(name: str, text: bool) -> Getter:
    if text:
        return lambda obj: _as_text(getattr(obj, name))
    return lambda obj: getattr(obj, name)


def _nested_one(name: str, schema: type[msgspec.Struct]) -> Getter:
    def get(obj: Any) -> Any:
        related = getattr(obj, name)
        return None if related is None else to_struct(related, schema)

    return get


def _nested_many(name: str, schema: Any) -> Getter:
    target = schema_target(schema)

    def get(obj: Any) -> Any:
        items = getattr(obj, name).all()
        if target is not None:
            return [to_struct(item, target[0]) for item in items]
        return [item.pk for item in items]

    return get


class OrmPlan:
    """How to read one schema from one model: a getter per schema field.

    ``simple`` means every field is a plain attribute of the same name, so msgspec can read
    the instance directly (``from_attributes``), which is the fastest path.
    ``select``/``prefetch`` name the relations the schema reads, so a list can fetch them in
    the same query (or one extra query) instead of one query per row.
    """

    __slots__ = ("getters", "list_type", "prefetch", "schema", "select", "simple", "values")

    def __init__(self, model: type[models.Model], schema: type[msgspec.Struct]) -> None:
        self.schema = schema
        self.getters: list[tuple[str, Getter]] = []
        self.select: list[str] = []
        self.prefetch: list[str] = []
        self.list_type: Any = list[schema]  # type: ignore[valid-type]
        simple = True
        # Column names for ``queryset.values(...)`` when every field the schema reads is a
        # column whose stored value is the JSON value: then a list is read as dicts and
        # converted in one msgspec call, without building a model instance per row.
        # (renamed fields would need their wire names as keys: those schemas keep instances)
        # A model that builds its instances its own way (``__init__``, ``from_db``) may
        # change what the columns hold: its lists keep instances too.
        own_loading = model.__init__ is not models.Model.__init__ or getattr(
            model.from_db, "__func__", None
        ) is not getattr(models.Model.from_db, "__func__", None)
        renamed = any(f.encode_name != f.name for f in msgspec.structs.fields(schema))
        # array_like schemas are converted from positions, not from names (a dict row would
        # be refused): they read instances
        array_like = schema.__struct_config__.array_like
        values: list[str] | None = None if own_loading or renamed or array_like else []
        opts = model._meta
        # a Serializer's computed fields are filled by its read class, not read from rows
        computed = {name for name, _ in getattr(schema, "__bolt_compute__", ())}
        for info in msgspec.structs.fields(schema):
            name = info.name
            if name in computed:
                continue
            tp, _ = _unwrap(info.type)
            text = tp is str
            values = _values_column(opts, name, tp, values)
            try:
                field: Any = opts.get_field(name)
            except FieldDoesNotExist:
                if not hasattr(model, name):
                    if info.required:
                        raise TypeError(
                            f"Schema {schema.__name__} field {name!r} has no counterpart on "
                            f"model {model.__name__} and no default"
                        ) from None
                    continue
                self.getters.append((name, _attr(name, text)))
                simple = simple and not text
                continue
            if field.many_to_many or field.one_to_many:
                accessor = field.get_accessor_name() if field.auto_created else field.name
                self.getters.append((name, _nested_many(accessor, info.type)))
                self.prefetch.append(accessor)
                simple = False
            elif field.is_relation and field.concrete:
                if name == field.attname and name != field.name:
                    self.getters.append((name, _attr(name, False)))
                elif is_struct(tp):
                    self.getters.append((name, _nested_one(field.name, tp)))
                    self.select.append(field.name)
                    simple = False
                else:
                    self.getters.append((name, _attr(field.attname, False)))
                    simple = False
            elif field.one_to_one:  # reverse one-to-one
                self.getters.append((name, _nested_one(name, tp)))
                self.select.append(name)
                simple = False
            else:
                needs_text = text and isinstance(
                    field,
                    models.DateField
                    | models.TimeField
                    | models.DecimalField
                    | models.UUIDField
                    | models.DurationField,
                )
                self.getters.append((name, _attr(field.attname, needs_text)))
                simple = simple and not needs_text and field.attname == name
        self.simple = simple
        self.values = tuple(values) if values else None

    def convert(self, obj: Any) -> msgspec.Struct:
        # hot path
        if self.simple:
            return msgspec.convert(obj, self.schema, from_attributes=True, strict=False)
        values = {name: get(obj) for name, get in self.getters}
        return msgspec.convert(values, self.schema, strict=False)


_TEXT_FIELDS = (
    models.DateField,
    models.TimeField,
    models.DecimalField,
    models.UUIDField,
    models.DurationField,
)


def _values_column(opts: Any, name: str, tp: Any, names: list[str] | None) -> list[str] | None:
    """``names`` plus the ``values()`` column for schema field ``name``, or ``None`` when
    the field needs a model instance (a property, a relation read as a Struct or a list, a
    file, a value that must become text)."""
    if names is None:
        return None
    try:
        field: Any = opts.get_field(name)
    except FieldDoesNotExist:
        return None
    if not field.concrete or field.many_to_many or isinstance(field, models.FileField):
        return None
    if field.is_relation:
        if is_struct(tp):
            return None  # values(fk) gives the id under the field's name, as the plan does
    elif tp is str and isinstance(field, _TEXT_FIELDS):
        return None
    names.append(name)
    return names


@lru_cache(maxsize=1024)
def plan_for(model: type[models.Model], schema: type[msgspec.Struct]) -> OrmPlan:
    """The cached conversion plan of a (model, schema) pair (types only, so safe to share).

    A Serializer is read through its read variant (write-only fields left out, computed
    fields filled)."""
    if issubclass(schema, Serializer):
        schema = schema.read_type()
    return OrmPlan(model, schema)


def generic_from_model(cls: type[msgspec.Struct], obj: Any) -> msgspec.Struct:
    """``Schema.from_model(instance)``: build the schema from a model instance by field name."""
    model: Any = type(obj)
    return plan_for(model, cls).convert(obj)


def has_own_from_model(schema: type[msgspec.Struct]) -> bool:
    """True when the schema (or a base of it) defines its own ``from_model``."""
    if type(schema) is SerializerMeta:
        return False  # ``Serializer.from_model`` builds classes; instances use the plan
    found = getattr(schema, "from_model", None)
    return found is not None and getattr(found, "__func__", None) is not generic_from_model


def to_struct(obj: Any, schema: type[msgspec.Struct]) -> Any:
    """Convert one model instance (Structs and mappings pass through ``msgspec.convert``)."""
    # hot path
    if type(schema) is SerializerMeta:
        # mypy cannot narrow a Struct class by its exact metaclass (issubclass() would, at
        # a call per object): a SerializerMeta class is a Serializer.
        schema = schema.read_type()  # type: ignore[attr-defined]
    if type(obj) is schema:
        return obj
    if isinstance(obj, models.Model):
        if has_own_from_model(schema):
            return schema.from_model(obj)  # type: ignore[attr-defined]
        # mypy does not count type[Any] (untyped Django) as Hashable for lru_cache
        return plan_for(type(obj), schema).convert(obj)  # type: ignore[arg-type]
    return msgspec.convert(obj, schema, from_attributes=True, strict=False)


def related_paths(
    model: type[models.Model], schema: type[msgspec.Struct]
) -> tuple[list[str], list[str]]:
    """``(select_related, prefetch_related)`` names a list of this schema should fetch."""
    if has_own_from_model(schema):
        return [], []
    try:
        # mypy does not count type[Any] (untyped Django) as Hashable for lru_cache
        plan = plan_for(model, schema)  # type: ignore[arg-type]
    except TypeError:
        return [], []
    return plan.select, plan.prefetch


def with_relations(items: Any, schema: type[msgspec.Struct]) -> Any:
    """A queryset that also fetches the relations ``schema`` reads (anything else as is)."""
    if (
        not isinstance(items, models.QuerySet)
        or items.model is None
        or getattr(items, "_fields", None) is not None
    ):
        return items
    select, prefetch = related_paths(items.model, schema)
    if select and items.query.select_related is not True:
        items = items.select_related(*select)
    if prefetch:
        items = items.prefetch_related(*prefetch)
    return items


def _values_plan(items: Any, schema: type[msgspec.Struct]) -> OrmPlan | None:
    """The plan when ``items`` is a model queryset the schema can read as columns.

    Custom queryset classes qualify unless they change how rows are fetched or iterated
    (then their instances may differ from the stored columns). Querysets already evaluated
    (their instances may have been changed in memory) and ``distinct()`` ones (DISTINCT
    over the schema's columns only would merge rows) keep the instance path.
    """
    kind = type(items)
    if (
        not isinstance(items, models.QuerySet)
        or (
            kind is not models.QuerySet
            and any(getattr(kind, name) is not getattr(models.QuerySet, name) for name in _FETCH)
        )
        or items._iterable_class is not ModelIterable
        or getattr(items, "_prefetch_related_lookups", None)
        or getattr(items, "_result_cache", None) is not None  # rows the caller may have changed
        or items.query.distinct  # DISTINCT over fewer columns would merge rows
        or has_own_from_model(schema)
    ):
        return None
    model: Any = items.model
    try:
        plan = plan_for(model, schema)
    except TypeError:
        return None
    return plan if plan.values is not None else None


_FETCH = ("_fetch_all", "iterator", "__iter__", "values")


def to_structs(items: Iterable[Any], schema: type[msgspec.Struct]) -> list[Any]:
    """Convert every row of a queryset or list; querysets fetch the schema's relations.

    A queryset whose schema reads only columns is fetched with ``values()`` and converted
    in one call: building a model instance per row was most of the cost of a list.
    """
    # hot path (in the ORM thread)
    plan = _values_plan(items, schema)
    if plan is not None:
        rows = list(items.values(*plan.values))  # type: ignore[attr-defined,misc]
        return msgspec.convert(rows, plan.list_type, strict=False)  # type: ignore[no-any-return]
    return [to_struct(obj, schema) for obj in with_relations(items, schema)]
