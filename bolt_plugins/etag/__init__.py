"""Conditional GET: a weak ``ETag`` from the body, and ``304 Not Modified`` for a match.

Opt-in: ``@etag`` on a route, ``etag=True`` as a route option, or ``BoltAPI(etag=True)``
(``Router(etag=True)``) for every GET route below; ``etag=False`` turns it off again for one.
For a ``200`` answer to ``GET`` or ``HEAD`` whose body is held in memory, the step sets
``ETag: W/"<hash of the body>"`` (unless the handler set an ``ETag`` itself, in any letter
case) and, when the request's ``If-None-Match`` (all its lines) lists that tag (weak
comparison) or is ``*``, answers ``304`` with no body, the ``ETag`` and the response's
``Cache-Control``, ``Vary``, ``Expires`` and ``Content-Location``. The handler still runs:
this saves bandwidth, not work. Streaming and file responses are never tagged. An
``If-None-Match`` longer than 8 KiB is ignored.

The step runs at phase 450, after the guards, so a ``304`` is only ever the answer to a
request that was allowed to see the body; it runs inside compression, so the tag is of the
uncompressed body (hence weak: every coding of it matches).

Hooks: ``bolt_configure`` declares the option ``etag`` and the middleware name ``"etag"``;
``bolt_route_middleware`` claims the option and returns the step for GET routes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar, overload

from bolt.exceptions import ImproperlyConfigured
from bolt.hookspecs import hookimpl
from bolt.pipeline import Handler, Middleware
from bolt.request import Request
from bolt.responses import Response, merge_vary
from bolt.route_options import route_option

__all__ = ["PHASE_ETAG", "etag", "make_etag_wrap"]

F = TypeVar("F", bound=Callable[..., Any])

#: After the guards (400), inside compression (110): first-party band.
PHASE_ETAG = 450
MAX_IF_NONE_MATCH = 8192
_KEPT = ("cache-control", "vary", "expires", "content-location")
# The response headers this step reads, and those of them that hold one value (the first
# written wins when a handler wrote one twice); the others are comma-separated lists.
_READ = frozenset({"etag", *_KEPT})
_SINGLE = frozenset({"etag", "expires", "content-location"})


@overload
def etag(func: F) -> F: ...
@overload
def etag(func: None = None, *, enabled: bool = True) -> Callable[[F], F]: ...
def etag(func: Any = None, *, enabled: bool = True) -> Any:
    """Tag this GET route's responses and answer ``If-None-Match`` with 304.

    ``@etag`` or ``@etag(enabled=False)`` (to opt one route out of ``BoltAPI(etag=True)``).
    """
    if func is not None:
        return route_option(func, "etag", True)

    def decorate(inner: F) -> F:
        return route_option(inner, "etag", bool(enabled))

    return decorate


def _tag_of(body: bytes) -> str:
    return 'W/"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith(("W/", "w/")) else tag


def matches(header: str, tag: str) -> bool:
    """Whether ``If-None-Match: header`` matches ``tag`` (weak comparison, RFC 9110)."""
    if len(header) > MAX_IF_NONE_MATCH:
        return False
    if header.strip() == "*":
        return True
    wanted = _opaque(tag)
    return any(_opaque(candidate) == wanted for candidate in header.split(","))


def _fold_header_names(headers: dict[str, str]) -> None:
    """Give the response headers this step reads (``ETag``, ``Cache-Control``, ``Vary``,
    ``Expires``, ``Content-Location``) their lower-case names, in place.

    ``Response.headers`` holds lower-case names when given to the constructor, but it is a
    plain dict: a handler may write ``response.headers["ETag"]`` afterwards. Without this,
    such a tag was neither found (a second, computed ``ETag`` was sent beside it and the
    handler's own tag never matched) nor kept on the 304. A name written in several cases
    becomes one: list headers are joined, a one-value header keeps the first value written.
    """
    # hot path: one pass over a few names when they are all lower-case already
    for name in headers:
        if not name.islower():
            break
    else:
        return
    found: dict[str, list[str]] = {}
    for name in list(headers):
        lower = name.lower()
        if lower in _READ:
            found.setdefault(lower, []).append(headers.pop(name))
    for lower, values in found.items():
        if lower in _SINGLE or len(values) == 1:
            headers[lower] = values[0]
        elif lower == "vary":
            merged = values[0]
            for value in values[1:]:
                merged = merge_vary(merged, value)
            headers[lower] = merged
        else:
            headers[lower] = ", ".join(values)


_IF_NONE_MATCH = b"if-none-match"


def _if_none_match(raw: list[tuple[bytes, bytes]]) -> str | None:
    """The request's ``If-None-Match``: every line of it, as one comma-separated list (how
    HTTP reads a list header sent more than once), names compared without letter case.
    ``Request.header_list`` does the same for any name; this scan is cheaper on the hot
    path (only 13-byte names are compared)."""
    # hot path
    found: bytes | None = None
    for name, value in raw:
        if len(name) == 13 and (name == _IF_NONE_MATCH or name.lower() == _IF_NONE_MATCH):
            found = value if found is None else found + b", " + value
    return None if found is None else found.decode("latin-1")


def make_etag_wrap() -> Callable[[Handler], Handler]:
    def wrap(handler: Handler) -> Handler:
        async def tagged(request: Request) -> Response:
            # hot path
            response = await handler(request)
            if response.status_code != 200 or not response.in_memory:
                return response
            headers = response.headers
            _fold_header_names(headers)
            tag = headers.get("etag")
            if tag is None:
                tag = headers["etag"] = _tag_of(response.body)
            header = _if_none_match(request.scope["headers"])
            if header is None or not matches(header, tag):
                return response
            kept = {name: headers[name] for name in _KEPT if name in headers}
            kept["etag"] = tag
            not_modified = Response(b"", 304, kept)
            not_modified.cookies = response.cookies
            return not_modified

        return tagged

    return wrap


@hookimpl(trylast=True)
def bolt_configure(api: Any, settings: Any) -> None:
    api.register_middleware_name("etag")
    api.register_option("etag", "etag")


@hookimpl(trylast=True)
def bolt_route_middleware(api: Any, route: Any) -> Middleware | None:
    value = route.options.get("etag")
    if value is None:
        return None
    route.claim("etag")
    if not isinstance(value, bool):
        raise ImproperlyConfigured(f"{route!r}: etag= takes True or False, not {value!r}")
    if not value or route.method != "GET":
        return None
    return Middleware(PHASE_ETAG, wrap=make_etag_wrap(), name="etag", optional=True)
