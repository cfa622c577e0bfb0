"""What a Serializer class body declares (validators, computed fields, field options) and
the per-class plan they compile to, including the generated ``__post_init__``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, Literal

import msgspec

from bolt.exceptions import ImproperlyConfigured

__all__ = [
    "ValidationError",
    "ValidatorFailed",
    "camel",
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


def struct_field(default: Any, default_factory: Any, name: str | None) -> Any:
    """``msgspec.field`` for a field whose default and default factory come as a pair with
    one of them ``NODEFAULT`` (a declared ``field()``, or a field copied from another
    class). msgspec's signature takes one or the other; both set is refused as it would."""
    if default_factory is msgspec.NODEFAULT:
        return msgspec.field(default=default, name=name)
    if default is msgspec.NODEFAULT:
        return msgspec.field(default_factory=default_factory, name=name)
    raise TypeError("Cannot set both `default` and `default_factory`")


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
