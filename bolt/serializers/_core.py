"""The ``Serializer`` class: a ``msgspec.Struct`` with validators, computed fields, field
options and derived variants (write, PATCH, read, named subsets).

Everything a class needs is worked out once, when the class is created (``SerializerMeta``):
which validators run on which fields, which fields are read-only or write-only, which names
are computed. Decoding and encoding stay msgspec's: a class with validators gets a
``__post_init__`` that msgspec calls while it decodes, and nothing else runs per object.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Iterable
from typing import Annotated, Any, ClassVar, Literal, get_args, get_origin

import msgspec

from bolt.exceptions import ImproperlyConfigured

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

Mode = Literal["before", "after"]
_ROLES = ("full", "write", "patch", "read")
_OPTION_NAMES = (
    "model",
    "fields",
    "exclude",
    "depth",
    "read_only_fields",
    "write_only_fields",
    "extra",
    "camel_case",
    "field_sets",
)


class ValidationError(Exception):
    """Raised by a validator: the value (or object) is invalid; becomes part of a 422.

    ``message`` is a text, a list of texts, or (in a model validator) a mapping of field
    name to text(s). ``loc`` is relative to the field (field validators) or to the object
    (model validators). Any other exception a validator raises is a bug: a logged 500.
    """

    def __init__(
        self,
        message: str | list[str] | dict[str, Any] = "Invalid value",
        *,
        loc: Iterable[str | int] = (),
        type: str = "value_error",
    ) -> None:
        base = list(loc)
        self.items: list[tuple[list[Any], str, str]] = []
        if isinstance(message, dict):
            for key, texts in message.items():
                for text in texts if isinstance(texts, list | tuple) else [texts]:
                    self.items.append(([*base, key], str(text), type))
        elif isinstance(message, list | tuple):
            self.items.extend((list(base), str(text), type) for text in message)
        else:
            self.items.append((base, str(message), type))
        super().__init__("; ".join(text for _, text, _ in self.items))

    @classmethod
    def of(cls, items: list[tuple[list[Any], str, str]]) -> ValidationError:
        error = cls()
        error.items = items
        error.args = ("; ".join(text for _, text, _ in items),)
        return error


class ValidatorFailed(RuntimeError):
    """A validator raised something other than ``ValidationError`` (a bug: a 500).

    Wrapped so msgspec, which turns a ``ValueError``/``TypeError`` raised while decoding
    into a validation error, cannot show the bug's message to the client."""


class _Validator:
    __slots__ = ("fields", "fn", "kind", "mode", "name")

    def __init__(self, kind: str, fields: tuple[str, ...], mode: str, fn: Callable[..., Any]):
        if mode not in ("before", "after"):
            raise ImproperlyConfigured(f"validator mode must be 'before' or 'after', not {mode!r}")
        fn = getattr(fn, "__func__", fn)  # @classmethod / @staticmethod underneath
        self.kind, self.fields, self.mode, self.fn = kind, fields, mode, fn
        self.name = fn.__name__


def field_validator(*fields: str, mode: Mode = "after") -> Callable[[Callable[..., Any]], Any]:
    """Validate (and clean) one or more fields: ``fn(cls, value) -> value``.

    ``mode="after"`` gets the typed value (constraints already checked); ``"before"`` gets
    the raw JSON value. Return the cleaned value or raise ``ValidationError``.
    """
    if not fields or not all(isinstance(f, str) for f in fields):
        raise ImproperlyConfigured("field_validator() needs the names of the fields it checks")
    return lambda fn: _Validator("field", fields, mode, fn)


def model_validator(fn: Callable[..., Any] | None = None, *, mode: Mode = "after") -> Any:
    """Validate across fields. ``after``: ``fn(self)`` on the built object (return ``None``
    or a replacement); ``before``: ``fn(cls, data: dict) -> dict`` on the raw object."""
    if fn is None:
        return lambda f: _Validator("model", (), mode, f)
    return _Validator("model", (), mode, fn)


class _Computed:
    __slots__ = ("alias", "fn", "name", "type")

    def __init__(self, fn: Callable[..., Any], alias: str | None) -> None:
        fn = getattr(fn, "fget", fn)  # @property underneath
        self.fn, self.alias, self.name = fn, alias, fn.__name__
        self.type: Any = None


def computed_field(fn: Callable[..., Any] | None = None, *, alias: str | None = None) -> Any:
    """An output-only field computed from the object: ``def full_name(self) -> str``.

    Its return annotation is its type in the read schema; clients cannot send it."""
    if fn is None:
        return lambda f: _Computed(f, alias)
    return _Computed(fn, alias)


class _FieldSpec:
    __slots__ = ("alias", "default", "default_factory", "read_only", "write_only")

    def __init__(self, default: Any, default_factory: Any, alias: Any, ro: bool, wo: bool):
        self.default, self.default_factory, self.alias = default, default_factory, alias
        self.read_only, self.write_only = ro, wo


def field(
    *,
    default: Any = msgspec.NODEFAULT,
    default_factory: Any = msgspec.NODEFAULT,
    alias: str | None = None,
    read_only: bool = False,
    write_only: bool = False,
) -> Any:
    """Field options: a default, the JSON name (``alias``), ``read_only`` (answers only,
    never accepted in a body) or ``write_only`` (bodies only, never in an answer)."""
    if read_only and write_only:
        raise ImproperlyConfigured("a field cannot be both read_only and write_only")
    return _FieldSpec(default, default_factory, alias, read_only, write_only)


_CAMEL = re.compile(r"_([a-z0-9])")


def camel(name: str) -> str:
    return _CAMEL.sub(lambda m: m.group(1).upper(), name.strip("_")) if "_" in name else name


class _Plan:
    """What one Serializer class runs, compiled when the class is created."""

    def __init__(self) -> None:
        self.role = "full"
        self.origin: Any = None
        self.options: dict[str, Any] = {}
        self.validators: dict[str, _Validator] = {}
        self.computed: dict[str, _Computed] = {}
        self.read_only: frozenset[str] = frozenset()
        self.write_only: frozenset[str] = frozenset()
        self.write_types: dict[str, Any] = {}
        self.forbid = True
        self.before: dict[str, list[Callable[..., Any]]] = {}
        self.after: list[tuple[str, list[Callable[..., Any]]]] = []
        self.model_before: list[Callable[..., Any]] = []
        self.model_after: list[Callable[..., Any]] = []
        self.variants: dict[Any, Any] = {}
        self.wire: dict[str, str] = {}
        self.shape: Any = None  # resolved field table (``_load.shape_of``), built lazily
        # a write class whose answer is itself: same fields as the read class (computed
        # ones filled when decoded), so a route may send a decoded body back unconverted
        self.mirror = False
        self.doc: Any = None  # the write class as documented (without computed fields)


def _field_error(errors: Any, cls: Any, name: str, exc: ValidationError) -> list[Any]:
    errors = errors or []
    wire = cls.__bolt__.wire.get(name, name)
    errors.extend(([wire, *loc], m, t) for loc, m, t in exc.items)
    return errors  # type: ignore[no-any-return]


def _failed(cls: Any, what: str, exc: BaseException) -> ValidatorFailed:
    failed = ValidatorFailed(f"{cls.__name__}: {what} failed")
    failed.__cause__ = exc
    return failed


def _model_after(self: Any, fn: Callable[..., Any]) -> None:
    try:
        result = fn(self)
    except ValidationError:
        raise
    except Exception as exc:
        raise _failed(type(self), f"model validator {fn.__name__!r}", exc) from exc
    if result is not None and result is not self:
        for name in self.__struct_fields__:
            setattr(self, name, getattr(result, name))


def _unknown_computed(cls: Any, name: str) -> ValidationError:
    wire = cls.__bolt__.wire.get(name, name)
    return ValidationError("Unknown field", loc=(wire,), type="extra_forbidden")


def _post_init_for(plan: _Plan, names: set[str], compute: Any) -> Any:
    """The class's ``__post_init__``, generated as straight-line code once per class (no
    loop, no lookups per object): after-validators of each field, model validators, then
    computed fields. ``None`` when there is nothing to run."""
    env: dict[str, Any] = {
        "UNSET": msgspec.UNSET,
        "ValidationError": ValidationError,
        "_field_error": _field_error,
        "_failed": _failed,
        "_model_after": _model_after,
        "_unknown_computed": _unknown_computed,
    }
    lines = ["def __post_init__(self):", "    cls = type(self)", "    errors = None"]
    body = 0
    if plan.role != "read":
        after: dict[str, list[Callable[..., Any]]] = {}
        for validator in plan.validators.values():
            if validator.kind == "field" and validator.mode == "after":
                for name in validator.fields:
                    if name in names and name.isidentifier():
                        after.setdefault(name, []).append(validator.fn)
        for i, (name, fns) in enumerate(after.items()):
            lines += [f"    v = o = self.{name}", "    if v is not UNSET:", "        try:"]
            for j, fn in enumerate(fns):
                env[f"f{i}_{j}"] = fn
                lines.append(f"            v = f{i}_{j}(cls, v)")
            lines += [
                "        except ValidationError as exc:",
                f"            errors = _field_error(errors, cls, {name!r}, exc)",
                "        except Exception as exc:",
                f"            raise _failed(cls, 'validator of {name}', exc) from exc",
                "        else:",
                f"            if v is not o: self.{name} = v",
            ]
            body += 1
        lines.append("    if errors: raise ValidationError.of(errors)")
        for k, validator in enumerate(plan.validators.values()):
            if validator.kind == "model" and validator.mode == "after":
                env[f"m{k}"] = validator.fn
                lines.append(f"    _model_after(self, m{k})")
                body += 1
    for k, (name, fn) in enumerate(compute):
        env[f"c{k}"] = fn
        if plan.role != "read" and plan.forbid:
            lines.append(f"    if self.{name} is not UNSET: raise _unknown_computed(cls, {name!r})")
        lines += [
            "    try:",
            f"        self.{name} = c{k}(self)",
            "    except Exception as exc:",
            f"        raise _failed(cls, 'computed field {name}', exc) from exc",
        ]
        body += 1
    if not body:
        return None
    exec("\n".join(lines), env)
    return env["__post_init__"]


class SerializerMeta(msgspec.StructMeta):
    """Builds a Serializer class and compiles its plan (see the module docstring)."""

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
        for base in reversed(bases):
            parent = getattr(base, "__bolt__", None)
            if isinstance(parent, _Plan):
                plan.options.update(parent.options)
                plan.validators.update(parent.validators)
                plan.computed.update(parent.computed)
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
        read_only = set(opts.get("read_only_fields") or ())
        write_only = set(opts.get("write_only_fields") or ())
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
            keep, drop = opts.get("fields"), opts.get("exclude") or ()
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
                ns[key] = msgspec.field(
                    default=value.default, default_factory=value.default_factory,
                    name=value.alias,
                )  # fmt: skip
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
        return _variant(cls, "write")

    @classmethod
    def patch_type(cls) -> Any:
        """The PATCH body type: every writable field optional, absent = ``msgspec.UNSET``."""
        return _variant(cls, "patch")

    @classmethod
    def read_type(cls) -> Any:
        """The answer type: readable fields plus computed fields."""
        return _variant(cls, "read")

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
        return _subset(cls, name, fields, exclude)

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


def _meta_of(plan: _Plan, **overrides: Any) -> type:
    options = {k: v for k, v in plan.options.items() if k in ("extra", "field_sets")}
    options.update(overrides)
    return type("Meta", (), options)


def _map(tp: Any, role: str, only_full: bool = False) -> Any:
    """``tp`` with every Serializer in it replaced by its ``role`` variant (and, for read,
    constraints dropped: stored data is shown as it is, never refused on the way out).
    ``only_full`` leaves variants (a write class in a request body) as they are."""
    if isinstance(tp, SerializerMeta):
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
    if isinstance(tp, SerializerMeta):
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
        ns[n] = msgspec.field(
            default=info.default, default_factory=info.default_factory, name=info.encode_name
        )
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
    return SerializerMeta(title, (Serializer,), ns)
