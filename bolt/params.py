"""Parameter markers (``Query``, ``Path``, ``Header``, ``Cookie``, ``Body``, ``Form``, ``File``,
``Depends``) and ``UploadFile``.

Markers may be given as a default (``q: int = Query(10, ge=1)``) or inside ``Annotated``
(``q: Annotated[int, Query(ge=1)] = 10``). Constraints (``gt``, ``ge``, ``lt``, ``le``,
``min_length``, ``max_length``, ``pattern``) are enforced by msgspec and reported as 422.
Without a marker a parameter's source is inferred: a name in the path is a path parameter;
scalars and lists of scalars are query parameters; Structs, dicts and other containers are
the JSON body; ``UploadFile`` is a multipart file; a parameter named ``request`` (or typed
``Request``) receives the request.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "REQUIRED",
    "Body",
    "Cookie",
    "Depends",
    "File",
    "Form",
    "Header",
    "Param",
    "ParamMarker",
    "Path",
    "Query",
    "UploadFile",
    "safe_filename",
]


class _Required:
    __slots__ = ()

    def __repr__(self) -> str:
        return "REQUIRED"

    def __bool__(self) -> bool:
        return False


REQUIRED: Any = _Required()


class ParamMarker:
    """Where a value comes from and the rules it must follow."""

    source = ""
    __slots__ = (
        "alias",
        "default",
        "description",
        "embed",
        "ge",
        "gt",
        "include_in_schema",
        "le",
        "lt",
        "max_length",
        "media_type",
        "min_length",
        "pattern",
    )

    def __init__(
        self,
        default: Any = REQUIRED,
        *,
        alias: str | None = None,
        gt: float | None = None,
        ge: float | None = None,
        lt: float | None = None,
        le: float | None = None,
        min_length: int | None = None,
        max_length: int | None = None,
        pattern: str | None = None,
        description: str | None = None,
        include_in_schema: bool = True,
        embed: bool = False,
        media_type: str | None = None,
    ) -> None:
        if default is Ellipsis:
            default = REQUIRED
        self.default = default
        self.alias = alias
        self.gt, self.ge, self.lt, self.le = gt, ge, lt, le
        self.min_length, self.max_length, self.pattern = min_length, max_length, pattern
        self.description = description
        self.include_in_schema = include_in_schema
        self.embed = embed
        self.media_type = media_type

    def constraints(self) -> dict[str, Any]:
        """Constraints as ``msgspec.Meta`` keyword arguments."""
        names = ("gt", "ge", "lt", "le", "min_length", "max_length", "pattern")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(default={self.default!r}, alias={self.alias!r})"


class Query(ParamMarker):
    """A query-string parameter (``?name=value``); lists collect repeated keys; a Struct
    collects its fields from the query string."""

    source = "query"
    __slots__ = ()


class Path(ParamMarker):
    """A path parameter (``/items/{item_id}``)."""

    source = "path"
    __slots__ = ()


class Header(ParamMarker):
    """A request header; ``x_token`` reads ``x-token`` unless ``alias`` is given."""

    source = "header"
    __slots__ = ()


class Cookie(ParamMarker):
    """A cookie value."""

    source = "cookie"
    __slots__ = ()


class Body(ParamMarker):
    """The JSON body (or, with ``embed=True`` or several bodies, one key of it)."""

    source = "body"
    __slots__ = ()


class Form(ParamMarker):
    """A field of an urlencoded or multipart form; a Struct collects every field."""

    source = "form"
    __slots__ = ()


class File(ParamMarker):
    """A file part of a multipart form, as ``UploadFile`` (or ``bytes``)."""

    source = "file"
    __slots__ = ()


class Depends:
    """Inject the result of ``dependency`` (sync or async function, or generator).

    The dependency's own parameters are resolved like a handler's (request, query,
    headers, other ``Depends``…). With ``use_cache`` (default) it runs once per request
    even when several parameters depend on it. A generator dependency's code after
    ``yield`` runs after the response has been sent.
    """

    __slots__ = ("dependency", "use_cache")

    def __init__(self, dependency: Callable[..., Any], *, use_cache: bool = True) -> None:
        if not callable(dependency):
            raise TypeError("Depends() needs a callable")
        self.dependency = dependency
        self.use_cache = use_cache

    def __repr__(self) -> str:
        return f"Depends({getattr(self.dependency, '__qualname__', self.dependency)})"


MAX_FILENAME_BYTES = 255
_SEPARATORS = str.maketrans("\\", "/")


def safe_filename(raw: str) -> str:
    """The client's file name reduced to a base name that never leads out of a directory.

    Only the last path component survives (``/`` and ``\\`` both separate, whatever the
    client's OS), characters that are not printable (NUL, control characters, bidirectional
    overrides that disguise an extension) are dropped, surrounding spaces trimmed, ``.`` and
    ``..`` become empty, and the name is cut to 255 UTF-8 bytes keeping its extension. An
    empty result means the client sent no usable name.
    """
    name = raw.translate(_SEPARATORS).rpartition("/")[2]
    if not name.isprintable():
        name = "".join(ch for ch in name if ch.isprintable())
    name = name.strip()
    if name in (".", ".."):
        return ""
    encoded = name.encode("utf-8")
    if len(encoded) > MAX_FILENAME_BYTES:
        stem, dot, ext = name.rpartition(".")
        suffix = (dot + ext).encode("utf-8") if dot and stem and len(ext) <= 16 else b""
        room = MAX_FILENAME_BYTES - len(suffix)
        stem_bytes = encoded[: len(encoded) - len(suffix)][:room]
        name = stem_bytes.decode("utf-8", "ignore") + suffix.decode("utf-8")
    return name


class UploadFile:
    """An uploaded file held in memory (bounded by ``BOLT_MAX_BODY_SIZE``).

    ``filename`` is the sanitized base name (see ``safe_filename``): never a path, never a
    control character, at most 255 bytes, possibly empty. ``raw_filename`` is exactly what
    the client sent, for display or logging only: never build a path from it.
    """

    __slots__ = ("content_type", "file", "filename", "headers", "raw_filename", "size")

    def __init__(
        self,
        filename: str,
        content: bytes,
        content_type: str = "application/octet-stream",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.raw_filename = filename
        self.filename = safe_filename(filename)
        self.content_type = content_type
        self.size = len(content)
        # BytesIO shares a bytes object's buffer until written to: no copy here.
        self.file = io.BytesIO(content)
        self.headers = headers or {}

    async def read(self, size: int = -1) -> bytes:
        return self.file.read(size)

    async def seek(self, offset: int) -> int:
        return self.file.seek(offset)

    def __repr__(self) -> str:
        return f"UploadFile(filename={self.filename!r}, size={self.size})"


@dataclass(slots=True)
class Param:
    """One handler parameter as planned at compile time (what ``bolt_resolve_param`` sees)."""

    name: str
    annotation: Any
    default: Any
    source: str
    alias: str
    marker: ParamMarker | Depends | None = None
    metadata: list[Any] = field(default_factory=list)

    @property
    def required(self) -> bool:
        return self.default is REQUIRED
