"""Request bodies of Serializer types: one msgspec decode when the body is valid, every
error at once when it is not.

msgspec stops at the first error. Only on that error path is the body checked again field
by field (``collect``), against the same types, so a 422 lists every failing field with its
full ``loc``; the happy path is the one typed decode (and the validators msgspec calls).
"""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any, get_args, get_origin

import msgspec

from bolt.exceptions import RequestValidationError, validation_error
from bolt.serializers._core import SerializerMeta, ValidationError, ValidatorFailed
from bolt.serializers._fields import struct_field
from bolt.serializers._variants import _map

__all__ = [
    "BodyDecoder",
    "contains_serializer",
    "convert_value",
    "doc_view",
    "input_view",
    "output_passthrough",
    "output_view",
]

_JSON_NAMES = {dict: "object", list: "array", str: "str", int: "int", float: "float"}


def contains_serializer(tp: Any) -> bool:
    if isinstance(tp, SerializerMeta):
        return True
    return any(contains_serializer(a) for a in get_args(tp) if a is not Ellipsis)


def input_view(tp: Any) -> Any:
    """A body type with every full Serializer replaced by its write variant."""
    return _map(tp, "write", True) if contains_serializer(tp) else tp


def output_view(tp: Any) -> Any:
    """An answer type with every Serializer replaced by its read variant."""
    return _map(tp, "read", True) if contains_serializer(tp) else tp


def output_passthrough(target: Any) -> Any:
    """For an answer type ``R`` or ``list[R]`` (``R`` a read class): a predicate telling
    that a value already encodes as ``target`` (decoded write objects of a class whose
    write and read fields are the same), so it is sent without a conversion; else ``None``.
    """
    many = get_origin(target) is list
    inner = get_args(target)[0] if many else target
    if not isinstance(inner, SerializerMeta) or inner.__bolt__.role != "read":
        return None
    write = inner.__bolt__.origin.write_type()
    if not write.__bolt__.mirror:
        return None
    if many:
        return lambda value: type(value) is list and all(type(v) is write for v in value)
    return lambda value: type(value) is write


def doc_view(tp: Any) -> Any:
    """``tp`` as documented: write classes without the computed fields they carry."""
    if isinstance(tp, SerializerMeta):
        return _doc_twin(tp)
    origin = get_origin(tp)
    args = get_args(tp)
    if origin is None or origin is typing.Literal or not contains_serializer(tp):
        return tp
    if origin is Annotated:
        return Annotated[(doc_view(args[0]), *args[1:])]
    mapped = tuple(a if a is Ellipsis else doc_view(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return typing.Union[mapped]  # noqa: UP007
    return origin[mapped] if len(mapped) > 1 else origin[mapped[0]]


def _doc_twin(cls: Any) -> Any:
    plan = cls.__bolt__
    if plan.role != "write" or not (cls.__bolt_compute__ or contains_nested(cls)):
        return cls
    if plan.doc is None:
        computed = {name for name, _ in cls.__bolt_compute__}
        spec = [
            (
                info.name,
                doc_view(info.type),
                struct_field(info.default, info.default_factory, info.encode_name),
            )
            for info in msgspec.structs.fields(cls)
            if info.name not in computed
        ]
        plan.doc = msgspec.defstruct(
            cls.__name__, spec, kw_only=True, forbid_unknown_fields=plan.forbid,
            module=cls.__module__,
        )  # fmt: skip
        plan.doc.__doc__ = cls.__doc__
    return plan.doc


def contains_nested(cls: Any) -> bool:
    return any(contains_serializer(info.type) for info in msgspec.structs.fields(cls))


class _Field:
    __slots__ = ("after", "before", "decoder", "name", "nested", "required", "type", "wire")

    def __init__(self, cls: Any, info: Any) -> None:
        plan = cls.__bolt__
        self.name, self.wire, self.type = info.name, info.encode_name, info.type
        self.required = info.required
        self.before = plan.before.get(info.name, ())
        self.after = next((fns for n, fns in plan.after if n == info.name), ())
        self.nested = contains_serializer(info.type)
        self.decoder = msgspec.json.Decoder(info.type)


def _shape(cls: Any) -> list[_Field]:
    plan = cls.__bolt__
    if plan.shape is None:
        computed = {name for name, _ in cls.__bolt_compute__}  # output only: never sent
        infos = [i for i in msgspec.structs.fields(cls) if i.name not in computed]
        plan.shape = [_Field(cls, info) for info in infos]
    return plan.shape  # type: ignore[no-any-return]


def _needs_prepare(tp: Any, seen: set[Any] | None = None) -> bool:
    """True when a ``before`` validator sits anywhere in ``tp`` (the body is then decoded
    to plain data first, prepared, and converted)."""
    seen = seen if seen is not None else set()
    if isinstance(tp, SerializerMeta):
        if tp in seen:
            return False
        seen.add(tp)
        plan = tp.__bolt__
        if plan.before or plan.model_before:
            return True
        struct = typing.cast("type[msgspec.Struct]", tp)  # a SerializerMeta class is a Struct
        return any(_needs_prepare(f.type, seen) for f in msgspec.structs.fields(struct))
    return any(_needs_prepare(a, seen) for a in get_args(tp) if a is not Ellipsis)


def _call(fn: Any, owner: Any, value: Any) -> Any:
    try:
        return fn(owner, value)
    except ValidationError:
        raise
    except Exception as exc:
        raise ValidatorFailed(f"{owner.__name__}: validator {fn.__name__!r} failed") from exc


def _prepare(tp: Any, value: Any) -> Any:
    """Run the ``before`` validators over plain data (errors propagate)."""
    inner = _strip(tp)
    if isinstance(inner, SerializerMeta):
        plan = inner.__bolt__
        for fn in plan.model_before:
            value = _call(fn, inner, value)
        if not isinstance(value, dict):
            return value
        value = dict(value)
        for f in _shape(inner):
            if f.wire not in value:
                continue
            for fn in f.before:
                value[f.wire] = _call(fn, inner, value[f.wire])
            if f.nested:
                value[f.wire] = _prepare(f.type, value[f.wire])
        return value
    if isinstance(value, list):
        args = get_args(inner)
        if args and contains_serializer(args[0]):
            return [_prepare(args[0], item) for item in value]
    return value


def _strip(tp: Any) -> Any:
    """``X | None``, ``Annotated[X, ...]`` → ``X`` (one level)."""
    origin = get_origin(tp)
    if origin is Annotated:
        return _strip(get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None) and a is not msgspec.UnsetType]
        if len(args) == 1:
            return _strip(args[0])
    return tp


def _json_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    return _JSON_NAMES.get(type(value), type(value).__name__)


def collect(tp: Any, value: Any, loc: list[Any], errors: list[dict[str, Any]]) -> None:
    """Append every error of ``value`` against ``tp`` to ``errors`` (the error path)."""
    from bolt.binding import msgspec_errors

    inner = _strip(tp)
    if value is None and inner is not tp and _accepts_none(tp):
        return
    if isinstance(inner, SerializerMeta):
        _collect_object(inner, value, loc, errors)
        return
    origin = get_origin(inner)
    args = get_args(inner)
    if origin in (list, tuple, set, frozenset) and args and contains_serializer(args[0]):
        if not isinstance(value, list):
            errors.append(
                validation_error(loc, f"Expected `array`, got `{_json_name(value)}`", "type_error")
            )
            return
        for index, item in enumerate(value):
            collect(args[0], item, [*loc, index], errors)
        return
    try:
        msgspec.json.decode(msgspec.json.encode(value), type=tp)
    except msgspec.ValidationError as exc:
        errors.extend(msgspec_errors(exc, loc))
    except ValidationError as exc:
        errors.extend(validation_error([*loc, *where], m, t) for where, m, t in exc.items)


def _accepts_none(tp: Any) -> bool:
    origin = get_origin(tp)
    if origin is Annotated:
        return _accepts_none(get_args(tp)[0])
    return type(None) in get_args(tp) if origin in (typing.Union, types.UnionType) else False


def _collect_object(cls: Any, value: Any, loc: list[Any], errors: list[dict[str, Any]]) -> None:
    from bolt.binding import msgspec_errors

    plan = cls.__bolt__
    start = len(errors)
    try:
        for fn in plan.model_before:
            value = _call(fn, cls, value)
    except ValidationError as exc:
        errors.extend(validation_error([*loc, *w], m, t) for w, m, t in exc.items)
        return
    if not isinstance(value, dict):
        kind = _json_name(value)
        errors.append(validation_error(loc, f"Expected `object`, got `{kind}`", "type_error"))
        return
    clean: dict[str, Any] = {}
    fields = _shape(cls)
    for f in fields:
        where = [*loc, f.wire]
        if f.wire not in value:
            if f.required:
                errors.append(validation_error(where, "Field required", "missing"))
            continue
        item = value[f.wire]
        try:
            for fn in f.before:
                item = _call(fn, cls, item)
        except ValidationError as exc:
            errors.extend(validation_error([*where, *w], m, t) for w, m, t in exc.items)
            continue
        clean[f.wire] = item
        if f.nested:
            collect(f.type, item, where, errors)
            continue
        try:
            typed = f.decoder.decode(msgspec.json.encode(item))
        except msgspec.ValidationError as exc:
            errors.extend(msgspec_errors(exc, where))
            continue
        try:
            for fn in f.after:
                if typed is not msgspec.UNSET:
                    typed = _call(fn, cls, typed)
        except ValidationError as exc:
            errors.extend(validation_error([*where, *w], m, t) for w, m, t in exc.items)
    if plan.forbid:
        known = {f.wire for f in fields}
        errors.extend(
            validation_error([*loc, key], "Unknown field", "extra_forbidden")
            for key in value
            if key not in known
        )
    if len(errors) > start or not plan.model_after:
        return
    try:  # every field is valid: the model validators can see the whole object
        msgspec.json.decode(msgspec.json.encode(clean), type=cls)
    except ValidationError as exc:
        errors.extend(validation_error([*loc, *w], m, t) for w, m, t in exc.items)
    except msgspec.ValidationError as exc:
        errors.extend(msgspec_errors(exc, loc))


def convert_value(tp: Any, value: Any, root: list[Any]) -> Any:
    """``value`` (plain JSON data, one field of an embedded body) as ``tp``; every error
    under ``root`` in one ``RequestValidationError``."""
    try:
        if _needs_prepare(tp):
            value = _prepare(tp, value)
        return msgspec.convert(value, tp)
    except (msgspec.ValidationError, ValidationError):
        pass
    errors: list[dict[str, Any]] = []
    collect(tp, value, list(root), errors)
    if not errors:
        errors = [validation_error(list(root), "Invalid value", "value_error")]
    raise RequestValidationError(errors)


class BodyDecoder:
    """Decode a JSON body into ``tp`` (Serializers already in their write/patch variant).

    ``decode`` raises ``RequestValidationError`` listing every error under ``root``; a
    malformed body raises msgspec's ``DecodeError`` as plain decoding does.
    """

    __slots__ = ("decoder", "prepare", "root", "tp")

    def __init__(self, tp: Any, root: list[Any] | None = None) -> None:
        self.tp = tp
        self.root = ["body"] if root is None else root
        self.decoder = msgspec.json.Decoder(tp)
        self.prepare = _needs_prepare(tp)

    def decode(self, body: bytes | str) -> Any:
        # hot path: one typed decode (validators run inside it)
        try:
            if not self.prepare:
                return self.decoder.decode(body)
            data = _prepare(self.tp, msgspec.json.decode(body))
            return self.decoder.decode(msgspec.json.encode(data))
        except (msgspec.ValidationError, ValidationError):
            pass
        errors: list[dict[str, Any]] = []
        collect(self.tp, msgspec.json.decode(body), list(self.root), errors)
        if not errors:  # the field-by-field pass found nothing: report msgspec's own error
            from bolt.binding import msgspec_errors

            try:
                msgspec.json.decode(body, type=self.tp)
            except msgspec.ValidationError as exc:
                errors = msgspec_errors(exc, list(self.root))
            except ValidationError as exc:
                errors = [validation_error([*self.root, *w], m, t) for w, m, t in exc.items]
        raise RequestValidationError(errors)
