"""The ``Serializer`` class: a ``msgspec.Struct`` with validators, computed fields, field
options and derived variants (write, PATCH, read, named subsets: ``_variants``).

Everything a class needs is worked out once, when the class is created (``SerializerMeta``):
which validators run on which fields, which fields are read-only or write-only, which names
are computed. Decoding and encoding stay msgspec's: a class with validators gets a
``__post_init__`` that msgspec calls while it decodes, and nothing else runs per object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import msgspec

from bolt.exceptions import ImproperlyConfigured
from bolt.serializers import _variants
from bolt.serializers._fields import (
    _OPTION_NAMES,
    ValidationError,
    ValidatorFailed,
    _Computed,
    _FieldSpec,
    _Plan,
    _post_init_for,
    _Validator,
    computed_field,
    field,
    field_validator,
    model_validator,
    struct_field,
)

__all__ = [
    "Serializer",
    "SerializerMeta",
    "ValidationError",
    "ValidatorFailed",
    "computed_field",
    "field",
    "field_validator",
    "model_validator",
]


class SerializerMeta(msgspec.StructMeta):
    """Builds a Serializer class and compiles its plan (see the module docstring)."""

    # What every class this metaclass builds carries (set in ``__new__``).
    __bolt__: _Plan
    __bolt_compute__: tuple[tuple[str, Callable[..., Any]], ...]

    def __new__(mcls, name: str, bases: tuple[type, ...], ns: dict[str, Any], **kw: Any) -> Any:
        if ns.get("__bolt_base__"):
            kw.setdefault("kw_only", True)
            return super().__new__(mcls, name, bases, ns, **kw)
        plan = _Plan()
        plan.role = ns.pop("__bolt_role__", "full")
        origin = ns.pop("__bolt_origin__", None)
        derived = ns.pop("__bolt_derived__", False)
        compute = ns.pop("__bolt_compute__", ())
        plan.mirror = ns.pop("__bolt_mirror__", False)
        # A parent's field(read_only=...)/field(write_only=...) flags hold in its subclasses
        # (or a child could accept ``is_admin`` and answer ``password``), unless the child
        # declares the name again: its own declaration then decides.
        inherited_ro: set[str] = set()
        inherited_wo: set[str] = set()
        for base in reversed(bases):
            parent = getattr(base, "__bolt__", None)
            if isinstance(parent, _Plan):
                plan.options.update(parent.options)
                plan.validators.update(parent.validators)
                plan.computed.update(parent.computed)
                inherited_ro |= parent.read_only
                inherited_wo |= parent.write_only
        meta = ns.pop("Meta", None) or ns.pop("Config", None)
        if meta is not None:
            for option in _OPTION_NAMES:
                if hasattr(meta, option):
                    plan.options[option] = getattr(meta, option)
            unknown = {n for n in vars(meta) if not n.startswith("_")} - set(_OPTION_NAMES)
            if unknown:
                raise ImproperlyConfigured(f"{name}.Meta: unknown option(s) {sorted(unknown)}")
        opts = plan.options
        if opts.get("extra", "forbid") not in ("forbid", "ignore"):
            raise ImproperlyConfigured(f"{name}.Meta.extra must be 'forbid' or 'ignore'")
        annotations: dict[str, Any] = dict(ns.get("__annotations__", {}))
        own = set(annotations)
        read_only = set(opts.get("read_only_fields") or ()) | (inherited_ro - own)
        write_only = set(opts.get("write_only_fields") or ()) | (inherited_wo - own)
        extra_validators: list[_Validator] = []
        if opts.get("model") is not None and plan.role == "full" and origin is None:
            from bolt.serializers._models import model_fields

            generated = model_fields(
                opts["model"], opts.get("fields"), opts.get("exclude"), opts.get("depth", 0)
            )
            merged: dict[str, Any] = {}
            for spec in generated:
                if spec.name in annotations:
                    continue
                merged[spec.name] = spec.type
                if spec.default is not msgspec.NODEFAULT and spec.name not in ns:
                    ns[spec.name] = spec.default
                if spec.read_only:
                    read_only.add(spec.name)
                if spec.write_type is not None:
                    plan.write_types[spec.name] = spec.write_type
                extra_validators.extend(
                    _Validator("field", (spec.name,), "after", check) for check in spec.checks
                )
            annotations = {**merged, **annotations}
        elif origin is None and plan.role == "full":
            # ``fields``/``exclude`` filter what this class itself declares, so they come from
            # its own Meta only: a parent's list would silently drop a subclass's new fields.
            keep = getattr(meta, "fields", None) if meta is not None else None
            drop = (getattr(meta, "exclude", None) if meta is not None else None) or ()
            if keep not in (None, "__all__"):
                annotations = {k: v for k, v in annotations.items() if k in keep}
            annotations = {k: v for k, v in annotations.items() if k not in drop}
        inherited = ns.pop("__bolt_write_types__", None)
        if inherited:
            plan.write_types.update(inherited)
        for key, value in list(ns.items()):
            if isinstance(value, _Validator):
                del ns[key]
                plan.validators[key] = value
            elif isinstance(value, _Computed):
                del ns[key]
                if key in annotations:
                    raise ImproperlyConfigured(
                        f"{name}: computed field {key!r} clashes with a field of that name"
                    )
                plan.computed[key] = value
                ns[key] = property(value.fn)
            elif isinstance(value, _FieldSpec):
                if value.read_only:
                    read_only.add(key)
                if value.write_only:
                    write_only.add(key)
                ns[key] = struct_field(value.default, value.default_factory, value.alias)
        for index, check in enumerate(extra_validators):
            plan.validators[f"__model_check_{index}"] = check
        ns["__annotations__"] = annotations
        for key in list(plan.computed):
            if key in annotations and ns.get(key) is None:
                raise ImproperlyConfigured(
                    f"{name}: computed field {key!r} clashes with a field of that name"
                )
        if opts.get("camel_case"):
            kw.setdefault("rename", "camel")
        plan.forbid = plan.role in ("full", "write", "patch") and opts.get("extra", "forbid") == (
            "forbid"
        )
        kw.setdefault("forbid_unknown_fields", plan.forbid)
        kw.setdefault("kw_only", True)
        if "__post_init__" not in ns:
            names = set(annotations)
            for base in bases:
                names.update(getattr(base, "__struct_fields__", ()))
            post_init = _post_init_for(plan, names, compute)
            if post_init is not None:
                ns["__post_init__"] = post_init
        cls = super().__new__(mcls, name, bases, ns, **kw)
        plan.origin = origin or cls
        cls.__bolt__ = plan
        cls.__bolt_compute__ = tuple(compute)
        _compile(cls, plan, read_only, write_only, derived)
        return cls


def _compile(
    cls: Any, plan: _Plan, read_only: set[str], write_only: set[str], derived: bool
) -> None:
    """Check the class's declarations against its fields and order its validators."""
    fields = set(cls.__struct_fields__)
    # names only: the types may be forward references, resolved when first used
    plan.wire = dict(zip(cls.__struct_fields__, cls.__struct_encode_fields__, strict=True))
    where = cls.__name__
    for label, names in (("read_only_fields", read_only), ("write_only_fields", write_only)):
        missing = sorted(set(names) - fields)
        if missing and not derived:
            raise ImproperlyConfigured(f"{where}: {label} names unknown field(s) {missing}")
    plan.read_only = frozenset(read_only & fields)
    plan.write_only = frozenset(write_only & fields)
    wires = set(plan.wire.values())
    for key, comp in plan.computed.items():
        if key in fields or (comp.alias or key) in wires:
            raise ImproperlyConfigured(f"{where}: computed field {key!r} clashes with a field")
    after: dict[str, list[Callable[..., Any]]] = {}
    for validator in plan.validators.values():
        if validator.kind == "model":
            target = plan.model_before if validator.mode == "before" else plan.model_after
            target.append(validator.fn)
            continue
        for name in validator.fields:
            if name not in fields:
                if not derived:
                    raise ImproperlyConfigured(
                        f"{where}: validator {validator.name!r} names unknown field {name!r}"
                    )
                continue
            bucket = plan.before.setdefault(name, []) if validator.mode == "before" else (
                after.setdefault(name, [])
            )  # fmt: skip
            bucket.append(validator.fn)
    plan.after = list(after.items())


class Serializer(msgspec.Struct, metaclass=SerializerMeta, kw_only=True):
    """A msgspec Struct with validators, computed fields and derived variants.

    Request bodies typed with a Serializer decode into its write variant (read-only fields
    refused, every error reported at once); answers typed with it are its read variant
    (write-only fields left out, computed fields filled).
    """

    __bolt_base__: ClassVar[bool] = True
    __bolt__: ClassVar[Any]

    # --- variants ----------------------------------------------------------------------
    @classmethod
    def write_type(cls) -> Any:
        """The body type of a create/replace: writable fields, unknown fields refused."""
        return _variants._variant(cls, "write")

    @classmethod
    def patch_type(cls) -> Any:
        """The PATCH body type: every writable field optional, absent = ``msgspec.UNSET``."""
        return _variants._variant(cls, "patch")

    @classmethod
    def read_type(cls) -> Any:
        """The answer type: readable fields plus computed fields."""
        return _variants._variant(cls, "read")

    @classmethod
    def subset(
        cls,
        name: str | None = None,
        *,
        fields: Iterable[str] | None = None,
        exclude: Iterable[str] = (),
    ) -> Any:
        """A Serializer with only some fields: a named ``Meta.field_sets`` entry, or
        ``fields``/``exclude``. Validators and computed fields of kept names come along."""
        return _variants._subset(cls, name, fields, exclude)

    # --- validating --------------------------------------------------------------------
    @classmethod
    def validate(cls, data: Any, *, partial: bool = False) -> Any:
        """Validate Python data like a request body; all errors at once
        (``RequestValidationError`` with ``loc`` relative to the data)."""
        from bolt.serializers._load import BodyDecoder

        target = cls.patch_type() if partial else cls.write_type()
        return BodyDecoder(target, root=[]).decode(msgspec.json.encode(data))

    @classmethod
    def validate_json(cls, body: bytes | str, *, partial: bool = False) -> Any:
        """``validate`` for JSON text."""
        from bolt.serializers._load import BodyDecoder

        target = cls.patch_type() if partial else cls.write_type()
        return BodyDecoder(target, root=[]).decode(body)

    # --- dumping -----------------------------------------------------------------------
    @classmethod
    def dump(cls, obj: Any) -> Any:
        """One object (model instance, Struct, mapping) → the read variant."""
        from bolt.serializers._models import dump_one

        return dump_one(cls, obj)

    @classmethod
    def dump_many(cls, objs: Iterable[Any]) -> list[Any]:
        """Many objects → read variants; a queryset fetches the nested relations in the
        same query (``select_related``/``prefetch_related`` derived from the fields)."""
        from bolt.serializers._models import dump_many

        return dump_many(cls, objs)

    @classmethod
    async def adump(cls, obj: Any) -> Any:
        """``dump`` for ``async`` code: reading a model's relations queries the database,
        which Django forbids on the event loop, so the work runs in a thread."""
        from asgiref.sync import sync_to_async

        from bolt.serializers._models import dump_one

        return await sync_to_async(dump_one)(cls, obj)

    @classmethod
    async def adump_many(cls, objs: Iterable[Any]) -> list[Any]:
        """``dump_many`` for ``async`` code (a queryset is evaluated in a thread)."""
        from asgiref.sync import sync_to_async

        from bolt.serializers._models import dump_many

        return await sync_to_async(dump_many)(cls, objs)

    @classmethod
    def from_model(
        cls,
        model: Any,
        *,
        fields: Iterable[str] | str | None = None,
        exclude: Iterable[str] = (),
        depth: int = 0,
        name: str | None = None,
        read_only_fields: Iterable[str] = (),
        write_only_fields: Iterable[str] = (),
    ) -> Any:
        """A Serializer derived from a Django model (given an instance: ``dump`` it)."""
        from bolt.serializers._models import from_model

        if not isinstance(model, type):
            return cls.dump(model)
        return from_model(
            cls, model, fields, tuple(exclude), depth, name, read_only_fields, write_only_fields
        )
