"""Path compilation and matching.

Static paths are one dict lookup. Paths with parameters live in a segment trie where static
children are tried before parameter children, so ``/articles/published`` wins over
``/articles/{pk}`` whatever the registration order. Parameters are whole segments:
``{name}`` or ``{name:converter}`` with converters ``str``, ``int``, ``slug``, ``uuid`` and
``path`` (the rest of the path, last segment only).

Trailing slash policy (``BOLT_TRAILING_SLASH``): ``"strip"`` (default) treats ``/items/`` as
``/items``; ``"strict"`` makes them different paths. Percent-encoded request paths are matched
segment by segment from ``raw_path``, so ``%2f`` never splits a segment and ``%00``, ``.`` or
``..`` segments never match.

Dot segments (``.`` and ``..``, literal or percent-encoded in any case) are refused, not
resolved: clients resolve them before sending (RFC 3986 5.2.4), so a request that still carries
one was written by hand, and resolving it server-side would give every guarded path a second
spelling. A route path may not contain one either.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from bolt.exceptions import ImproperlyConfigured

__all__ = [
    "CONVERTERS",
    "INT64_MAX",
    "INT64_MIN",
    "PathRouter",
    "has_dot_segment",
    "normalize",
    "parse_path",
]

_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?\}\Z")


def _conv_str(value: str) -> str:
    if not value:
        raise ValueError("empty")
    return value


INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def _conv_int(value: str) -> int:
    """Digits only (the route exists for them); the range is checked by the parameter's
    extractor, which answers 422. A value with more than 19 significant digits comes back
    as ``INT64_MAX + 1`` without parsing it: only its being out of range matters."""
    if not value.isascii() or not value.isdigit():
        raise ValueError("not an int")
    if len(value) > 19 and len(value.lstrip("0")) > 19:
        return INT64_MAX + 1
    return int(value)


def _conv_slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError("not a slug")
    return value


def _conv_uuid(value: str) -> uuid.UUID:
    if len(value) not in (32, 36):
        raise ValueError("not a uuid")
    return uuid.UUID(value)


CONVERTERS: dict[str, Callable[[str], Any]] = {
    "str": _conv_str,
    "int": _conv_int,
    "slug": _conv_slug,
    "uuid": _conv_uuid,
    "path": _conv_str,
}


def parse_path(path: str) -> list[tuple[str, str | None, str | None]]:
    """Split a route path into ``(static, param_name, converter)`` segments."""
    if not path.startswith("/"):
        raise ImproperlyConfigured(f"Route path {path!r} must start with '/'")
    segments = path.strip("/").split("/") if path != "/" else []
    out: list[tuple[str, str | None, str | None]] = []
    for i, seg in enumerate(segments):
        if not seg:
            raise ImproperlyConfigured(f"Route path {path!r} has an empty segment")
        if seg in (".", ".."):
            raise ImproperlyConfigured(
                f"Route path {path!r} has a dot segment {seg!r}; requests with dot segments "
                "are refused, so this route could never match"
            )
        if "{" in seg or "}" in seg:
            m = _PARAM.match(seg)
            if not m:
                raise ImproperlyConfigured(
                    f"Route path {path!r}: parameter segment {seg!r} must be the whole "
                    "segment, like '{name}' or '{name:int}'"
                )
            name, conv = m.group(1), m.group(2)
            if conv is not None and conv not in CONVERTERS:
                raise ImproperlyConfigured(
                    f"Route path {path!r}: unknown converter {conv!r} "
                    f"(known: {', '.join(CONVERTERS)})"
                )
            if conv == "path" and i != len(segments) - 1:
                raise ImproperlyConfigured(f"Route path {path!r}: '{{...:path}}' must be last")
            out.append(("", name, conv))
        else:
            out.append((seg, None, None))
    return out


def has_dot_segment(path: str) -> bool:
    """Whether a decoded path has a ``.`` or ``..`` segment (callers test ``"/." in path``
    first, which is all most paths cost)."""
    return any(seg == "." or seg == ".." for seg in path.split("/"))


def normalize(path: str) -> str:
    """The canonical form routes are registered under (no trailing slash)."""
    return "/" + "/".join(s for s in path.strip("/").split("/") if s) if path != "/" else "/"


class _Node:
    __slots__ = ("catchall", "endpoint", "param", "static")

    def __init__(self) -> None:
        self.static: dict[str, _Node] = {}
        self.param: tuple[Callable[[str], Any] | None, _Node] | None = None
        self.catchall: tuple[tuple[str, ...], Any] | None = None
        self.endpoint: tuple[tuple[str, ...], Any] | None = None


class PathRouter:
    """Maps a request path to ``(endpoint, path_params)``; the endpoint is opaque here."""

    __slots__ = ("_root", "static", "strict_slash")

    def __init__(self, *, strict_slash: bool = False) -> None:
        self.static: dict[str, Any] = {}
        self._root = _Node()
        self.strict_slash = strict_slash

    def add(self, path: str, endpoint: Any) -> None:
        """Register ``endpoint`` at ``path``; a second endpoint at the same path is an error."""
        parts = parse_path(path)
        if all(name is None for _, name, _ in parts):
            key = path if self.strict_slash else normalize(path)
            if key in self.static:
                raise ImproperlyConfigured(f"Path {path!r} registered twice")
            self.static[key] = endpoint
            return
        node = self._root
        names: list[str] = []
        for static, name, conv in parts:
            if name is None:
                node = node.static.setdefault(static, _Node())
                continue
            names.append(name)
            if conv == "path":
                if node.catchall is not None:
                    raise ImproperlyConfigured(f"Path {path!r} conflicts with another route")
                node.catchall = (tuple(names), endpoint)
                return
            func = CONVERTERS[conv] if conv else None
            if node.param is None:
                node.param = (func, _Node())
            elif node.param[0] is not func:
                raise ImproperlyConfigured(
                    f"Path {path!r}: parameter {{{name}}} uses a different converter than a "
                    "route already registered at the same position"
                )
            node = node.param[1]
        if node.endpoint is not None:
            raise ImproperlyConfigured(f"Path {path!r} registered twice")
        node.endpoint = (tuple(names), endpoint)

    def match(self, path: str, raw_path: bytes | None = None) -> tuple[Any, dict[str, Any]] | None:
        """Find the endpoint for a request path. ``raw_path`` is used when it holds escapes."""
        # hot path
        if raw_path is not None and b"%" in raw_path:
            return self._match_escaped(raw_path)
        if not self.strict_slash and len(path) > 1 and path[-1] == "/":
            path = path[:-1]
        endpoint = self.static.get(path)
        if endpoint is not None:
            return endpoint, {}
        if path[:1] != "/":
            return None
        # Static paths never hold a dot segment (refused at registration), so only parameter
        # paths pay for this check, and only a substring search unless "/." occurs.
        if "/." in path and has_dot_segment(path):
            return None
        # An empty segment ("//") matches nothing: static children and parameters need text.
        return self._find(path[1:].split("/"))

    def _find(self, segments: list[str]) -> tuple[Any, dict[str, Any]] | None:
        """Greedy walk (static child first, else parameter); full backtracking only when the
        greedy walk dead-ends."""
        # hot path
        node = self._root
        values: list[Any] = []
        for seg in segments:
            child = node.static.get(seg)
            if child is not None:
                node = child
                continue
            param = node.param
            if param is None or not seg:
                return self._walk(self._root, segments, 0, [])
            conv, child = param
            if conv is None:
                values.append(seg)
            else:
                try:
                    values.append(conv(seg))
                except ValueError:
                    return self._walk(self._root, segments, 0, [])
            node = child
        if node.endpoint is None:
            return self._walk(self._root, segments, 0, [])
        names, endpoint = node.endpoint
        if len(names) == 1:
            return endpoint, {names[0]: values[0]}
        return endpoint, dict(zip(names, values, strict=True))

    def _match_escaped(self, raw_path: bytes) -> tuple[Any, dict[str, Any]] | None:
        raw = raw_path.decode("latin-1").split("?", 1)[0]
        if not self.strict_slash and len(raw) > 1 and raw[-1] == "/":
            raw = raw[:-1]
        if not raw.startswith("/"):
            return None
        segments = []
        for seg in raw[1:].split("/"):
            try:
                value = unquote(seg, errors="strict")
            except UnicodeDecodeError:
                return None
            if not value or "/" in value or "\x00" in value or value in (".", ".."):
                return None
            segments.append(value)
        joined = "/" + "/".join(segments)
        endpoint = self.static.get(joined)
        if endpoint is not None:
            return endpoint, {}
        return self._find(segments)

    def _walk(
        self, node: _Node, segments: list[str], i: int, values: list[Any]
    ) -> tuple[Any, dict[str, Any]] | None:
        if i == len(segments):
            if node.endpoint is None:
                return None
            names, endpoint = node.endpoint
            return endpoint, dict(zip(names, values, strict=True))
        seg = segments[i]
        child = node.static.get(seg)
        if child is not None:
            found = self._walk(child, segments, i + 1, values)
            if found is not None:
                return found
        if node.param is not None and seg:
            conv, child = node.param
            ok = True
            if conv is None:
                value: Any = seg
            else:
                try:
                    value = conv(seg)
                except ValueError:
                    ok = False
            if ok:
                found = self._walk(child, segments, i + 1, [*values, value])
                if found is not None:
                    return found
        if node.catchall is not None and all(segments[i:]):
            names, endpoint = node.catchall
            return endpoint, dict(zip(names, [*values, "/".join(segments[i:])], strict=True))
        return None

    def paths(self) -> list[str]:
        """Registered static paths (for listings)."""
        return list(self.static)
