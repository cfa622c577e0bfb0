"""Planning handler parameters and building their extractors (the kernel's defaults).

``plan_params`` runs once per route (and once per dependency): it decides each
parameter's source; ``default_extractor`` builds one extractor per path, query, header and
cookie parameter (``bolt.bodies`` builds those of bodies and forms). At request time the compiled
route only calls the extractors in order; nothing here inspects a signature per request.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Callable, Mapping
from typing import Annotated, Any, get_args, get_origin

import msgspec

from bolt.exceptions import (
    ImproperlyConfigured,
    RequestValidationError,
    UnsupportedMediaType,
    validation_error,
)
from bolt.params import (
    REQUIRED,
    Depends,
    Param,
    ParamMarker,
    UploadFile,
)
from bolt.request import Request
from bolt.routing import INT64_MAX, INT64_MIN, parse_path

__all__ = ["default_extractor", "msgspec_errors", "plan_params"]

SCALARS = (str, int, float, bool, bytes)
_AT = re.compile(r"^(.*?)(?: - at `\$(.*)`)?$", re.S)
_PATH_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]")
_TYPE_MSG = re.compile(r"Expected `[^`]+`, got")
_MISSING = re.compile(r"missing required field `([^`]+)`")


def msgspec_errors(exc: msgspec.ValidationError, root: list[Any]) -> list[dict[str, Any]]:
    """Turn a msgspec error message into the ``{loc, msg, type}`` wire shape."""
    text = str(exc)
    m = _AT.match(text)
    msg, where = (m.group(1), m.group(2)) if m else (text, None)
    loc = list(root)
    if where:
        for name, index in _PATH_PART.findall(where):
            loc.append(int(index) if index else name)
    missing = _MISSING.search(msg)
    if missing:
        loc.append(missing.group(1))
        return [validation_error(loc, "Field required", "missing")]
    kind = "type_error" if _TYPE_MSG.match(msg) else "value_error"
    return [validation_error(loc, msg, kind)]


def _unwrap_optional(tp: Any) -> tuple[Any, bool]:
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) < len(get_args(tp)) and len(args) == 1:
            return args[0], True
    return tp, False


def _is_scalar(tp: Any) -> bool:
    import datetime
    import decimal
    import enum
    import uuid

    tp, _ = _unwrap_optional(tp)
    if tp in SCALARS or tp is Any:
        return True
    if isinstance(tp, type) and issubclass(
        tp, datetime.date | datetime.time | datetime.timedelta | decimal.Decimal | uuid.UUID
    ):
        return True
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return True
    return get_origin(tp) is typing.Literal


def _is_sequence(tp: Any) -> bool:
    tp, _ = _unwrap_optional(tp)
    return get_origin(tp) in (list, set, frozenset, tuple) or tp in (list, set, tuple)


def _is_struct(tp: Any) -> bool:
    tp, _ = _unwrap_optional(tp)
    return isinstance(tp, type) and issubclass(tp, msgspec.Struct)


def _is_upload(tp: Any) -> bool:
    tp, _ = _unwrap_optional(tp)
    if _is_sequence(tp):
        args = get_args(tp)
        tp = args[0] if args else None
    return tp is UploadFile


def infer_source(param: inspect.Parameter, annotation: Any, path_names: set[str]) -> str:
    """The source of a parameter that has no marker."""
    if param.name in path_names:
        return "path"
    if param.name == "data" and annotation is inspect.Parameter.empty:
        # The guide's convention: an unannotated ``data`` is the request body.
        return "body"
    if _is_upload(annotation):
        return "file"
    if annotation is inspect.Parameter.empty:
        return "query"
    if _is_scalar(annotation):
        return "query"
    if _is_sequence(annotation):
        args = get_args(_unwrap_optional(annotation)[0])
        if args and all(_is_scalar(a) for a in args if a is not Ellipsis):
            return "query"
    return "body"


def is_request_param(param: inspect.Parameter, annotation: Any) -> bool:
    if annotation is Request or (isinstance(annotation, type) and issubclass(annotation, Request)):
        return True
    return param.name == "request" and annotation in (
        inspect.Parameter.empty,
        dict,
        Any,
        object,
        Mapping,
        dict[str, Any],
        Mapping[str, Any],
    )


def plan_params(
    func: Callable[..., Any],
    signature: inspect.Signature,
    path_names: set[str],
    *,
    owner: str,
) -> list[Param]:
    """Describe every parameter of ``signature`` (sources, wire names, defaults)."""
    try:
        hints = typing.get_type_hints(func, include_extras=True)
    except Exception:
        hints = {}
    out: list[Param] = []
    for p in signature.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise ImproperlyConfigured(f"{owner}: *args/**kwargs parameters are not supported")
        annotation = hints.get(p.name, p.annotation)
        if isinstance(annotation, str):
            annotation = _eval_annotation(func, p.name, annotation, owner)
        marker: ParamMarker | Depends | None = None
        metadata: list[Any] = []
        if get_origin(annotation) is Annotated:
            args = get_args(annotation)
            annotation = args[0]
            for extra in args[1:]:
                if isinstance(extra, ParamMarker | Depends):
                    marker = extra
                else:
                    metadata.append(extra)
        default = REQUIRED if p.default is p.empty else p.default
        if isinstance(default, ParamMarker | Depends):
            marker, default = default, REQUIRED
        if isinstance(marker, ParamMarker) and marker.default is not REQUIRED:
            default = marker.default
        if isinstance(marker, Depends):
            source = "depends"
        elif isinstance(marker, ParamMarker):
            source = marker.source
        elif is_request_param(p, annotation):
            source = "request"
        else:
            source = infer_source(p, annotation, path_names)
        alias = p.name
        if isinstance(marker, ParamMarker) and marker.alias:
            alias = marker.alias
        elif source == "header":
            alias = p.name.replace("_", "-")
        if source == "header":
            alias = alias.lower()
        if source == "path" and p.name not in path_names:
            raise ImproperlyConfigured(
                f"{owner}: parameter {p.name!r} is marked Path() but the route path has no "
                f"{{{p.name}}}"
            )
        if annotation is inspect.Parameter.empty:
            annotation = Any
        if source == "body":
            from bolt.serializers import input_view

            # a Serializer body is its write variant (read-only fields refused)
            annotation = input_view(annotation)
        out.append(Param(p.name, annotation, default, source, alias, marker, metadata))
    return out


def _eval_annotation(func: Callable[..., Any], name: str, text: str, owner: str) -> Any:
    """Resolve one string annotation against the function's module globals."""
    namespace = dict(getattr(inspect.unwrap(func), "__globals__", {}))
    namespace.setdefault("Request", Request)
    try:
        return eval(text, namespace)
    except Exception:
        raise ImproperlyConfigured(
            f"{owner}: cannot resolve the annotation {text!r} of parameter {name!r}; define "
            "the type at module level (string annotations are evaluated in the module)"
        ) from None


def _target_type(param: Param) -> Any:
    tp = param.annotation
    marker = param.marker
    meta = [m for m in param.metadata if isinstance(m, msgspec.Meta)]
    constraints = marker.constraints() if isinstance(marker, ParamMarker) else {}
    if constraints:
        meta.append(msgspec.Meta(**constraints))
    if meta:
        inner, optional = _unwrap_optional(tp)
        tp = Annotated[(inner, *meta)]
        if optional:
            tp = tp | None
    return tp


def _int_error(root: list[Any], value: Any) -> RequestValidationError:
    """The 422 for a value that is not a signed 64-bit decimal integer."""
    digits = value[1:] if type(value) is str and value[:1] == "-" else value
    if type(value) is int or (digits.isdigit() and digits.isascii()):
        negative = value < 0 if type(value) is int else value[:1] == "-"
        msg = f"Expected `int` >= {INT64_MIN}" if negative else f"Expected `int` <= {INT64_MAX}"
        return RequestValidationError([validation_error(root, msg, "value_error")])
    return RequestValidationError(
        [validation_error(root, "Expected `int`, got `str`", "type_error")]
    )


_INT64 = msgspec.Meta(ge=INT64_MIN, le=INT64_MAX)


def _bounded_ints(tp: Any) -> Any:
    """``tp`` with every ``int`` element of a sequence limited to signed 64 bits."""
    tp, optional = _unwrap_optional(tp)
    origin = get_origin(tp)
    if origin is Annotated:  # a sequence with constraints (``Query(min_length=1)``)
        inner, *meta = get_args(tp)
        tp = Annotated[(_bounded_ints(inner), *meta)]
    elif origin in (list, set, frozenset, tuple):
        args = get_args(tp)
        if int in args:
            bounded = Annotated[int, _INT64]
            tp = origin[tuple(bounded if a is int else a for a in args)]
    return tp | None if optional else tp


def _converter(param: Param) -> Callable[[Any], Any]:
    """A value converter for string-typed sources (path, query, header, cookie, form).

    ``int`` means a signed 64-bit integer written as plain ASCII decimal digits: beyond that
    range a value could not be stored in a database column or sent to the ORM (SQLite raises
    OverflowError), so it is a 422 here rather than a 500 later.
    """
    tp = _target_type(param)
    if tp is str or tp is Any or tp == (str | None):
        return lambda value: value
    root = [param.source, param.alias]
    if _unwrap_optional(param.annotation)[0] is int:
        # Constraints (``Query(ge=1)``) are checked by msgspec on the parsed integer.
        constrained = None if tp is int or tp == (int | None) else tp

        def convert_int(value: Any) -> Any:
            # hot path: only plain ASCII decimal integers ("1e3", "5.0", "+1" and non-ASCII
            # digits are refused rather than silently reinterpreted)
            if type(value) is int:
                number = value
            else:
                digits = value[1:] if value[:1] == "-" else value
                if not (digits.isdigit() and digits.isascii()):
                    raise _int_error(root, value)
                if len(digits) > 19 and len(digits.lstrip("0")) > 19:
                    raise _int_error(root, value)  # out of range, and never parsed
                number = int(value)
            if not INT64_MIN <= number <= INT64_MAX:
                raise _int_error(root, number)
            if constrained is None:
                return number
            try:
                return msgspec.convert(number, constrained)
            except msgspec.ValidationError as exc:
                raise RequestValidationError(msgspec_errors(exc, root)) from None

        return convert_int
    tp = _bounded_ints(tp)

    def convert(value: Any) -> Any:
        try:
            return msgspec.convert(value, tp, strict=False)
        except msgspec.ValidationError as exc:
            raise RequestValidationError(msgspec_errors(exc, root)) from None

    return convert


def _missing(param: Param) -> Any:
    if param.default is not REQUIRED:
        return param.default
    raise RequestValidationError(
        [validation_error([param.source, param.alias], "Field required", "missing")]
    )


def default_extractor(param: Param, route: Any, api: Any) -> Callable[..., Any] | None:
    """Build the kernel's extractor for ``param``; ``None`` for sources it does not know."""
    source = param.source
    name, alias = param.name, param.alias
    if source == "request":
        return lambda request: request
    if source == "path":
        convert = _converter(param)
        inner, _ = _unwrap_optional(param.annotation)
        if inner is int:
            tp = _target_type(param)
            if tp is not int and tp != (int | None):
                # constraints (``Path(ge=1)``) apply to an int from ``{id:int}`` as well
                return lambda request: convert(request.params[name])

            def path_int(request: Request) -> Any:
                # hot path: an int from ``{id:int}`` may still be beyond 64 bits
                value = request.params[name]
                if type(value) is int and INT64_MIN <= value <= INT64_MAX:
                    return value
                return convert(value)

            return path_int
        route_path = getattr(route, "path", None)
        if route_path and any(n == name and c == "int" for _, n, c in parse_path(route_path)):
            # ``{id:int}`` read without an ``int`` annotation: still a 64-bit integer
            root = [source, alias]

            def path_int_route(request: Request) -> Any:
                value = request.params[name]
                if not INT64_MIN <= value <= INT64_MAX:
                    raise _int_error(root, value)
                return value if type(value) is inner else convert(value)

            return path_int_route

        def path_value(request: Request) -> Any:
            # hot path
            value = request.params[name]
            if type(value) is inner:
                return value
            return convert(value)

        return path_value
    if source == "query":
        return _query_extractor(param)
    if source == "header":
        convert = _converter(param)
        if _is_sequence(param.annotation):
            return lambda request: (
                convert(request.header_list(alias))
                if request.header_list(alias)
                else _missing(param)
            )

        def header_value(request: Request) -> Any:
            value = request.headers.get(alias)
            return _missing(param) if value is None else convert(value)

        return header_value
    if source == "cookie":
        convert = _converter(param)

        def cookie_value(request: Request) -> Any:
            value = request.cookies.get(alias)
            return _missing(param) if value is None else convert(value)

        return cookie_value
    return None  # body, form and file parameters: bolt.bodies (see bolt.defaults)


def _query_extractor(param: Param) -> Callable[[Request], Any]:
    alias = param.alias
    if _is_struct(param.annotation):
        struct, _ = _unwrap_optional(param.annotation)
        list_fields = {
            f.encode_name for f in msgspec.structs.fields(struct) if _is_sequence(f.type)
        }

        def struct_value(request: Request) -> Any:
            data: dict[str, Any] = {}
            for key, value in request.query.items():
                data[key] = request.query_list(key) if key in list_fields else value
            try:
                return msgspec.convert(data, struct, strict=False)
            except msgspec.ValidationError as exc:
                raise RequestValidationError(msgspec_errors(exc, ["query"])) from None

        return struct_value
    convert = _converter(param)
    if _is_sequence(param.annotation):

        def list_value(request: Request) -> Any:
            values = request.query_list(alias)
            return convert(values) if values else _missing(param)

        return list_value

    def query_value(request: Request) -> Any:
        # hot path
        value = request.query.get(alias)
        return _missing(param) if value is None else convert(value)

    return query_value


def check_content_type(request: Request, accepted: tuple[str, ...], what: str) -> str:
    """Return the request's media type or raise 415 when it is not one of ``accepted``."""
    raw = None
    for name, value in request.scope["headers"]:
        if name == b"content-type":
            raw = str(value.decode("latin-1"))
            break
    if raw is None:
        raise UnsupportedMediaType(detail=f"Missing Content-Type; this route expects {what}")
    media = raw.split(";", 1)[0].strip().lower()
    if media in accepted or (what == "JSON" and media.endswith("+json")):
        return raw
    raise UnsupportedMediaType(detail=f"Unsupported Content-Type {media!r}; expected {what}")
