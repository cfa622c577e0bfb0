"""The variants of a Serializer (write, PATCH, read, subsets), derived from the class when
first asked for and cached on its plan."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Literal, get_args, get_origin

import msgspec

from bolt.exceptions import ImproperlyConfigured
from bolt.serializers import _core
from bolt.serializers._fields import _Plan, camel, struct_field

__all__ = ["_derive", "_map", "_subset", "_variant"]


def _meta_of(plan: _Plan, **overrides: Any) -> type:
    options = {k: v for k, v in plan.options.items() if k in ("extra", "field_sets")}
    options.update(overrides)
    return type("Meta", (), options)


def _map(tp: Any, role: str, only_full: bool = False) -> Any:
    """``tp`` with every Serializer in it replaced by its ``role`` variant (and, for read,
    constraints dropped: stored data is shown as it is, never refused on the way out).
    ``only_full`` leaves variants (a write class in a request body) as they are."""
    if isinstance(tp, _core.SerializerMeta):
        if only_full and tp.__bolt__.role != "full":
            return tp
        return _variant(tp, role if role != "patch" else "write")
    origin = get_origin(tp)
    if origin is None:
        return tp
    args = get_args(tp)
    if origin is Annotated:
        inner = _map(args[0], role, only_full)
        if role == "read":
            return inner
        return tp if inner is args[0] else Annotated[(inner, *args[1:])]
    if origin is Literal:
        return tp
    mapped = tuple(a if a is Ellipsis else _map(a, role, only_full) for a in args)
    if all(m is a for m, a in zip(mapped, args, strict=True)):
        return tp
    if origin in (typing.Union, types.UnionType):
        return typing.Union[mapped]  # noqa: UP007
    return origin[mapped] if len(mapped) > 1 else origin[mapped[0]]


def _variant(cls: Any, role: str) -> Any:
    plan: _Plan = cls.__bolt__
    if plan.role == role:
        return cls
    base = plan.origin
    found = base.__bolt__.variants.get(role)
    if found is None:
        found = base.__bolt__.variants[role] = _derive(base, role)
    return found


def _mirrors(plan: _Plan, ann: dict[str, Any]) -> bool:
    """True when the write class (fields ``ann``) encodes exactly as the read class would:
    no read-only, write-only or write-typed fields, here or in nested serializers."""
    if plan.read_only or plan.write_only or plan.write_types:
        return False
    return all(_nested_mirror(tp) for tp in ann.values())


def _nested_mirror(tp: Any) -> bool:
    if isinstance(tp, _core.SerializerMeta):
        return bool(tp.__bolt__.mirror)
    return all(_nested_mirror(a) for a in get_args(tp) if a is not Ellipsis)


def _subset(cls: Any, name: str | None, fields: Any, exclude: Iterable[str]) -> Any:
    plan: _Plan = cls.__bolt__
    if name is not None:
        sets = plan.options.get("field_sets") or {}
        if name not in sets:
            raise ImproperlyConfigured(f"{cls.__name__} has no field set {name!r}")
        fields = sets[name]
    keep = None if fields is None else tuple(fields)
    drop = tuple(exclude)
    known = set(cls.__struct_fields__) | set(plan.computed)
    unknown = sorted(set(keep or ()) - known | set(drop) - known)
    if unknown:
        raise ImproperlyConfigured(f"{cls.__name__}.subset(): unknown field(s) {unknown}")
    key = ("subset", keep, drop)
    found = plan.variants.get(key)
    if found is None:
        label = name.title().replace("_", "") if name else "Subset"
        found = plan.variants[key] = _derive(cls, "full", keep, drop, f"{cls.__name__}{label}")
    return found


def _derive(
    cls: Any,
    role: str,
    keep: tuple[str, ...] | None = None,
    drop: tuple[str, ...] = (),
    name: str | None = None,
) -> Any:
    """Build a variant class of ``cls`` through the metaclass (so it is a Serializer)."""
    plan: _Plan = cls.__bolt__
    suffix = {"write": "Write", "patch": "Patch", "read": "Read", "full": ""}[role]
    title = name or f"{cls.__name__}{suffix}"
    ann: dict[str, Any] = {}
    ns: dict[str, Any] = {"__module__": cls.__module__, "__qualname__": title}
    ns["__doc__"] = cls.__doc__
    kept: set[str] = set()
    for info in msgspec.structs.fields(cls):
        n = info.name
        if (keep is not None and n not in keep) or n in drop:
            continue
        if role in ("write", "patch") and n in plan.read_only:
            continue
        if role == "read" and n in plan.write_only:
            continue
        tp = info.type
        if role in ("write", "patch") and n in plan.write_types:
            tp = plan.write_types[n]
        tp = _map(tp, role)
        kept.add(n)
        if role == "patch":
            ann[n] = tp | msgspec.UnsetType
            ns[n] = msgspec.field(default=msgspec.UNSET, name=info.encode_name)
            continue
        ann[n] = tp
        ns[n] = struct_field(info.default, info.default_factory, info.encode_name)
    camel_case = bool(plan.options.get("camel_case"))
    compute: list[tuple[str, Callable[..., Any]]] = []
    mirror = role == "write" and _mirrors(plan, ann)
    for key, comp in plan.computed.items():
        if (keep is not None and key not in keep) or key in drop:
            continue
        if role == "read" or mirror:
            hints = typing.get_type_hints(comp.fn) if comp.fn.__annotations__ else {}
            ann[key] = _map(hints.get("return", Any), "read")
            alias = comp.alias or (camel(key) if camel_case else key)
            ns[key] = msgspec.field(default=None, name=alias)
            if mirror:  # sent by nobody: absent (UNSET) until computed
                ann[key] = ann[key] | msgspec.UnsetType
                ns[key] = msgspec.field(default=msgspec.UNSET, name=alias)
            compute.append((key, comp.fn))
        elif role == "full":
            ns[key] = comp
    if role != "read":
        for key, validator in plan.validators.items():
            if validator.kind == "model" and role == "patch":
                continue  # a PATCH body is not the whole object: model checks cannot judge it
            if validator.kind == "model" or any(f in kept for f in validator.fields):
                ns[key] = validator
    ns["__annotations__"] = ann
    ns["__bolt_role__"] = role
    ns["__bolt_origin__"] = None if role == "full" else cls
    ns["__bolt_derived__"] = True
    ns["__bolt_compute__"] = tuple(compute)
    ns["__bolt_mirror__"] = mirror
    if role == "full":
        ns["__bolt_write_types__"] = {k: v for k, v in plan.write_types.items() if k in kept}
        meta = _meta_of(
            plan,
            read_only_fields=tuple(plan.read_only & kept),
            write_only_fields=tuple(plan.write_only & kept),
            camel_case=camel_case,
        )
    else:
        meta = _meta_of(plan, camel_case=camel_case)
    ns["Meta"] = meta
    return _core.SerializerMeta(title, (_core.Serializer,), ns)
