"""Django models → Serializer fields, and model instances → read objects.

A model field becomes a msgspec type with the constraints the database and the model's
validators would enforce, so a value that cannot be stored is a 422 when the body is
decoded, never a row that fails later:

- ``CharField(max_length=n)`` → ``str`` with ``max_length`` (``min_length=1`` unless
  ``blank=True``); ``choices`` → ``Literal[...]`` of the stored values;
- integer fields → ``int`` within the column's portable range (and ``Min``/``MaxValue``
  validators);
- ``DecimalField(max_digits, decimal_places)`` → ``Decimal`` checked against both (msgspec
  has no bounds for decimals: the model field's own ``DecimalValidator`` runs as a check,
  and the bounds are documented in the schema);
- the remaining validators (email, URL, slug, regex, custom) run as field checks;
- ``null=True`` → ``T | None``; defaults, ``null`` and ``blank`` make a field optional;
- primary keys, ``auto_now``/``auto_now_add`` and ``editable=False`` fields are read-only;
- a foreign key is its target's primary key, or (``depth`` > 0) a nested serializer of the
  related model on reads, still a primary key on writes; many-to-many is a read-only list.
"""

from __future__ import annotations

import datetime
import decimal
import types
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Annotated, Any, Literal

import msgspec
from django.core import validators as dj
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models.base import ModelBase

from bolt.exceptions import ImproperlyConfigured
from bolt.serializers._core import ValidationError
from bolt.serializers._reading import to_struct, to_structs

__all__ = [
    "FIELD_TYPES",
    "PRIVILEGED_FIELDS",
    "dump_many",
    "dump_one",
    "from_model",
    "integer_range",
    "model_fields",
    "python_type",
]

# Never writable through a schema derived from a model unless named explicitly (``fields=``,
# or a declared write schema): Django's account flags and bookkeeping. ``is_active`` is among
# them: a deactivated user who could write it would undo their own suspension.
PRIVILEGED_FIELDS = frozenset(
    {"is_staff", "is_superuser", "is_active", "last_login", "date_joined"}
)

# The Python type of each Django field, the one table of the framework: Serializers build
# their fields from it and the CRUD plugin its model-derived schemas. The first match wins,
# so subclasses come before their bases (``DateTimeField`` is a ``DateField``). Every
# integer field, the auto fields included, is an ``IntegerField``.
# ``GenericIPAddressField`` and ``FilePathField`` hold text without being ``CharField``s.
FIELD_TYPES: tuple[tuple[type, Any], ...] = (
    (models.BooleanField, bool),
    (models.IntegerField, int),
    (models.FloatField, float),
    (models.DecimalField, decimal.Decimal),
    (models.DateTimeField, datetime.datetime),
    (models.DateField, datetime.date),
    (models.TimeField, datetime.time),
    (models.DurationField, datetime.timedelta),
    (models.UUIDField, uuid.UUID),
    (models.JSONField, Any),
    (models.BinaryField, bytes),
    (models.GenericIPAddressField, str),
    (models.FilePathField, str),
    (models.CharField, str),
    (models.TextField, str),
    (models.FileField, str),
)


def python_type(model_field: Any) -> Any:
    """The Python type of a model field's value (``Any`` for a field the table does not
    know); a foreign key or one-to-one field is its target's primary key type."""
    if model_field.is_relation and (model_field.many_to_one or model_field.one_to_one):
        return python_type(model_field.target_field)
    for klass, tp in FIELD_TYPES:
        if isinstance(model_field, klass):
            return tp
    return Any


def integer_range(model_field: Any) -> tuple[int, int] | None:
    """The portable range of an integer column (``IntegerField`` 32 bits, ``BigIntegerField``
    64, ...), or ``None``; a foreign key holds its target key's range.

    Bodies are checked against it on every database: SQLite alone would store a value
    PostgreSQL refuses, and a value past 64 bits would crash the driver.
    """
    if model_field.is_relation and (model_field.many_to_one or model_field.one_to_one):
        return integer_range(model_field.target_field)
    bounds = BaseDatabaseOperations.integer_field_ranges.get(model_field.get_internal_type())
    return None if bounds is None else (bounds[0], bounds[1])


# Validators expressed as msgspec constraints instead of running as checks.
_AS_CONSTRAINTS = (
    dj.MaxLengthValidator,
    dj.MinLengthValidator,
    dj.MaxValueValidator,
    dj.MinValueValidator,
)


@dataclass
class FieldSpec:
    """One generated field: its type, default, and what only the model knows."""

    name: str
    type: Any
    default: Any = msgspec.NODEFAULT
    read_only: bool = False
    write_type: Any = None
    checks: list[Callable[..., Any]] = field(default_factory=list)


def _django_check(validator: Any) -> Callable[..., Any]:
    """A Django validator as a field check: its message becomes the 422's ``msg``."""

    def check(cls: Any, value: Any) -> Any:
        if value in dj.EMPTY_VALUES:  # as Django: blank values skip the validators
            return value
        try:
            validator(value)
        except DjangoValidationError as exc:
            raise ValidationError([str(m) for m in exc.messages]) from None
        return value

    return check


def _integer_bounds(model_field: Any) -> dict[str, Any]:
    bounds = integer_range(model_field)
    return {"ge": bounds[0], "le": bounds[1]} if bounds else {}


def _constraints(model_field: Any, tp: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if tp is int:
        out.update(_integer_bounds(model_field))
    for v in model_field.validators:
        limit: Any = getattr(v, "limit_value", None)
        if callable(limit):
            limit = limit()
        if isinstance(v, dj.MaxLengthValidator) and tp in (str, bytes):
            out["max_length"] = min(limit, out.get("max_length", limit))
        elif isinstance(v, dj.MinLengthValidator) and tp in (str, bytes):
            out["min_length"] = max(limit, out.get("min_length", limit))
        elif isinstance(v, dj.MaxValueValidator) and tp in (int, float):
            out["le"] = min(limit, out.get("le", limit))
        elif isinstance(v, dj.MinValueValidator) and tp in (int, float):
            out["ge"] = max(limit, out.get("ge", limit))
    if tp is str and not model_field.blank and not model_field.choices:
        out["min_length"] = max(1, out.get("min_length", 1))
    return out


def _decimal_doc(model_field: Any) -> msgspec.Meta:
    whole = model_field.max_digits - model_field.decimal_places
    top = float(decimal.Decimal(10) ** whole - decimal.Decimal(10) ** -model_field.decimal_places)
    return msgspec.Meta(
        extra_json_schema={"maximum": top, "minimum": -top},
        description=f"at most {model_field.max_digits} digits, "
        f"{model_field.decimal_places} after the point",
    )


def _finite(cls: Any, value: Any) -> Any:
    if isinstance(value, decimal.Decimal) and not value.is_finite():
        raise ValidationError("Enter a number.")
    return value


def _scalar(model_field: Any) -> tuple[Any, list[Callable[..., Any]]]:
    """The type of a non-relation field and the checks that run besides msgspec's."""
    checks: list[Callable[..., Any]] = []
    if model_field.choices:
        values = tuple(value for value, _ in model_field.flatchoices)
        return Literal[values], checks
    tp = python_type(model_field)
    for v in model_field.validators:
        if isinstance(v, _AS_CONSTRAINTS) and tp in (int, float, str, bytes):
            continue
        if tp is int and isinstance(v, _AS_CONSTRAINTS):
            continue
        checks.append(_django_check(v))
    meta = _constraints(model_field, tp)
    if tp is decimal.Decimal:
        checks.insert(0, _finite)
        return Annotated[tp, _decimal_doc(model_field)], checks
    if meta:
        return Annotated[tp, msgspec.Meta(**meta)], checks
    return tp, checks


def _default(model_field: Any) -> Any:
    if model_field.has_default():
        default = model_field.default
        if callable(default):
            return msgspec.field(default_factory=default)
        if isinstance(model_field, models.DecimalField) and default is not None:
            return decimal.Decimal(str(default))
        return default
    if model_field.null:
        return None
    if model_field.blank and isinstance(model_field, models.CharField | models.TextField):
        return ""
    if model_field.blank and isinstance(model_field, models.BooleanField):
        return False
    return msgspec.NODEFAULT


def _read_only(model_field: Any) -> bool:
    return bool(
        model_field.primary_key
        or not model_field.editable
        or getattr(model_field, "auto_now", False)
        or getattr(model_field, "auto_now_add", False)
        or isinstance(model_field, models.FileField)
    )


def model_fields(model: Any, fields: Any, exclude: Any, depth: int) -> list[FieldSpec]:
    """The fields a Serializer of ``model`` declares (``fields``/``exclude`` applied)."""
    # ModelBase rather than ``type``: a model class is one of its instances (and stays
    # typed as a model class, not a bare ``type``, after the check).
    if not (isinstance(model, ModelBase) and issubclass(model, models.Model)):
        raise ImproperlyConfigured(f"Meta.model must be a Django model class, not {model!r}")
    opts = model._meta
    wanted = None if fields in (None, "__all__") else list(fields)
    drop = set(exclude or ())
    available = {f.name: f for f in opts.get_fields() if not f.auto_created or f.concrete}
    for name in [*(wanted or ()), *drop]:
        if name not in available:
            raise ImproperlyConfigured(f"{model.__name__} has no field {name!r}")
    order = wanted or [f.name for f in opts.concrete_fields] + [f.name for f in opts.many_to_many]
    out: list[FieldSpec] = []
    for name in order:
        if name in drop or (wanted is None and name == "password"):
            continue
        spec = _spec(available[name], depth)
        if name in PRIVILEGED_FIELDS and name not in (wanted or ()):
            # Account flags (``is_superuser``, ``is_staff``, ...) are shown, never written,
            # unless ``fields`` names them: a client must not grant itself rights.
            spec.read_only = True
        out.append(spec)
    return out


def _spec(model_field: Any, depth: int) -> FieldSpec:
    if model_field.many_to_many:
        target = model_field.related_model
        pk_type, _ = _scalar(target._meta.pk)
        item = nested(target, depth - 1) if depth > 0 else pk_type
        many = types.GenericAlias(list, item)  # list[item], built from a runtime type
        return FieldSpec(model_field.name, many, msgspec.field(default_factory=list),
                         read_only=True)  # fmt: skip
    if model_field.is_relation:
        target = model_field.related_model
        pk_type, _ = _scalar(model_field.target_field)
        tp: Any = nested(target, depth - 1) if depth > 0 else pk_type
        write: Any = pk_type if depth > 0 else None
        if model_field.null:
            tp = tp | None
            write = None if write is None else write | None
        return FieldSpec(model_field.name, tp, _default(model_field), _read_only(model_field),
                         write)  # fmt: skip
    tp, checks = _scalar(model_field)
    if model_field.null:
        tp = tp | None
    return FieldSpec(
        model_field.name, tp, _default(model_field), _read_only(model_field), checks=checks
    )


@lru_cache(maxsize=256)
def nested(model: Any, depth: int) -> Any:
    """The Serializer of a related model (every field, ``depth`` levels further)."""
    from bolt.serializers._core import Serializer

    return from_model(Serializer, model, None, (), depth, None, (), ())


def from_model(
    base: Any,
    model: Any,
    fields: Any,
    exclude: tuple[str, ...],
    depth: int,
    name: str | None,
    read_only_fields: Iterable[str],
    write_only_fields: Iterable[str],
) -> Any:
    from bolt.serializers._core import SerializerMeta

    options = {
        "model": model,
        "fields": fields,
        "exclude": exclude,
        "depth": depth,
        "read_only_fields": tuple(read_only_fields),
        "write_only_fields": tuple(write_only_fields),
    }
    ns = {
        "__module__": model.__module__,
        "__qualname__": name or f"{model.__name__}Serializer",
        "Meta": type("Meta", (), options),
    }
    return SerializerMeta(name or f"{model.__name__}Serializer", (base,), ns)


def dump_one(cls: Any, obj: Any) -> Any:
    """``cls.dump(obj)``: a model instance through the reading plan, else convert."""
    read = cls.read_type()
    if isinstance(obj, models.Model):
        return to_struct(obj, read)
    return msgspec.convert(obj, read, from_attributes=True, strict=False)


def dump_many(cls: Any, objs: Iterable[Any]) -> list[Any]:
    """``cls.dump_many(objs)``: a queryset fetches what the read variant nests (and reads
    plain columns without building instances), anything else is dumped item by item."""
    read = cls.read_type()
    if isinstance(objs, models.QuerySet):
        if objs._result_cache is None:
            _refuse_on_event_loop(cls)
        return to_structs(objs, read)
    return [dump_one(cls, obj) for obj in objs]


def _refuse_on_event_loop(cls: Any) -> None:
    """Evaluating a queryset on the event loop fails inside Django with a message that names
    no Bolt API; say here what to write instead (Django's own ``DJANGO_ALLOW_ASYNC_UNSAFE``
    opt-out is honoured)."""
    import asyncio
    import os

    from django.core.exceptions import SynchronousOnlyOperation

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    if os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE"):
        return
    name = cls.__name__
    raise SynchronousOnlyOperation(
        f"{name}.dump_many(queryset) reads the database, which async code cannot do on the "
        f"event loop; write `await {name}.adump_many(queryset)`, or return the queryset "
        f"from a handler annotated `-> list[{name}]`"
    )
