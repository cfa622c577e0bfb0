"""Pagination for list endpoints: page number, limit/offset and opaque cursors.

Set ``pagination_class`` on a ViewSet (subclass a paginator to change its limits), or write
``@paginate(PageNumberPagination)`` below the route decorator of a function route that
returns a queryset or a list. Every paginator reads only its own query parameters, rejects
bad values with 422 (``loc`` names the parameter), caps the page size, and returns a
documented envelope:

- ``PageNumberPagination`` (``?page=2&page_size=50``):
  ``{"count", "page", "page_size", "total_pages", "next", "previous", "results"}``; ``next``
  and ``previous`` are page numbers or ``null``. A page past the end has empty ``results``.
- ``LimitOffsetPagination`` (``?limit=20&offset=40``): ``{"count", "limit", "offset",
  "results"}``.
- ``CursorPagination`` (``?cursor=...``): ``{"next", "previous", "results"}`` with opaque
  cursors. The order is ``ordering`` plus the primary key as a tie-break, so pages neither
  skip nor repeat rows while rows are inserted. No ``count``: counting defeats the point.
  Cursors are signed with ``SECRET_KEY`` (``SECRET_KEY_FALLBACKS`` still accepted): a
  cursor a client made up or altered is a 400, so it cannot choose the ordering values
  that reach the query.

``absolute_urls = True`` makes ``next``/``previous`` full URLs (and adds them to the
limit/offset envelope); ``envelope(page)`` is the one method to override for another shape.

``paginate(queryset, request, convert)`` runs in an ORM thread (it evaluates the queryset).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import inspect
import json
import typing
import weakref
from collections.abc import Callable
from typing import Any, ClassVar, get_args, get_origin
from urllib.parse import parse_qsl, urlencode

import msgspec
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.crypto import constant_time_compare, salted_hmac

from bolt.binding import is_request_param
from bolt.exceptions import (
    BadRequest,
    ImproperlyConfigured,
    RequestValidationError,
    validation_error,
)
from bolt.request import Request
from bolt.responses import Response

__all__ = [
    "BasePagination",
    "CursorPagination",
    "LimitOffsetPagination",
    "Page",
    "PageNumberPagination",
    "paginate",
]

Convert = Callable[[Any], list[Any]]


def _int_param(request: Any, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    if len(request.query_list(name)) > 1:
        raise RequestValidationError(
            [validation_error(["query", name], "Give this parameter once", "value_error")]
        )
    try:
        value = int(raw)
    except ValueError:
        raise RequestValidationError(
            [validation_error(["query", name], "Expected an integer", "type_error")]
        ) from None
    if value < low or value > high:
        raise RequestValidationError(
            [validation_error(["query", name], f"Must be between {low} and {high}", "value_error")]
        )
    return value


@dataclasses.dataclass(slots=True)
class Page:
    """One page, as ``envelope(page)`` receives it. ``next``/``previous`` are what the
    default envelope shows (page numbers, cursors, or URLs with ``absolute_urls``); fields a
    paginator does not compute stay ``None``."""

    results: list[Any]
    request: Any
    next: Any = None
    previous: Any = None
    count: int | None = None
    number: int | None = None
    page_size: int | None = None
    total_pages: int | None = None
    limit: int | None = None
    offset: int | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class _Origin:
    """How to read the request's origin, from Django's settings (read once per paginator)."""

    forwarded_host: bool
    proto_header: tuple[str, str] | None
    allowed: tuple[str, ...]


def _origin_rules() -> _Origin:
    from django.conf import settings

    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    proto = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    header = None
    if proto:
        name, value = proto
        name = name[5:] if name.startswith("HTTP_") else name
        header = (name.lower().replace("_", "-"), value)
    return _Origin(bool(getattr(settings, "USE_X_FORWARDED_HOST", False)), header, tuple(allowed))


class BasePagination:
    """What every paginator offers: its query parameter names, ``paginate`` and the
    ``envelope(page)`` it answers with.

    One instance serves every request of its route or class, so a paginator keeps no
    per-request state: what a custom envelope needs arrives in the ``Page``.
    """

    query_params: ClassVar[tuple[str, ...]] = ()
    #: ``next``/``previous`` as absolute URLs (scheme and host of the request, the route's
    #: path, the other query parameters kept), as DRF answers.
    absolute_urls: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "get_paginated_response" in vars(cls):
            # DRF's hook reads per-request state from the paginator; here it would
            # silently never be called.
            raise ImproperlyConfigured(
                f"{cls.__qualname__} overrides get_paginated_response(data), which Bolt does "
                "not call: override `envelope(self, page)` instead (``page.results``, "
                "``page.count``, ``page.next``, ``page.previous``, ``page.request``)"
            )

    def paginate(self, queryset: Any, request: Any, convert: Convert) -> Any:
        raise NotImplementedError

    def envelope(self, page: Page) -> Any:
        """The answer for one page; override to change its shape."""
        raise NotImplementedError

    # --- absolute URLs ----------------------------------------------------------------
    def page_url(self, request: Any, **replace: Any) -> str:
        """The absolute URL of this request with the query parameters in ``replace`` set
        (``None`` removes one); the others keep their order."""
        origin = self._origin(request)
        route = getattr(request, "route", None)
        if route is not None:
            from bolt.urls import build_path

            path = build_path(route.path, {k: str(v) for k, v in request.params.items()})
        else:
            from urllib.parse import quote

            path = quote(request.path)
        root = request.scope.get("root_path", "")
        raw = request.query_string.decode("utf-8", "replace")
        pairs = [(k, v) for k, v in parse_qsl(raw, keep_blank_values=True) if k not in replace]
        pairs += [(k, str(v)) for k, v in replace.items() if v is not None]
        query = urlencode(pairs)
        return f"{origin}{root}{path}" + (f"?{query}" if query else "")

    def _origin(self, request: Any) -> str:
        from django.http.request import split_domain_port, validate_host

        rules = self.__dict__.get("_bolt_origin")
        if rules is None:
            rules = self.__dict__["_bolt_origin"] = _origin_rules()
        headers = request.headers
        host = None
        if rules.forwarded_host and headers.get("x-forwarded-host"):
            # The proxy the settings trust appends the value it saw last.
            host = headers["x-forwarded-host"].split(",")[-1].strip()
        if host is None:
            host = headers.get("host")
        if not host:
            server = request.scope.get("server") or ("localhost", None)
            host = server[0] if server[1] in (None, 80, 443) else f"{server[0]}:{server[1]}"
        domain, _port = split_domain_port(host)
        if not domain or not validate_host(domain, list(rules.allowed)):
            raise BadRequest(detail="Invalid host")
        scheme = request.scheme
        if rules.proto_header is not None:
            name, value = rules.proto_header
            sent = headers.get(name, "").split(",")[0].strip()
            if sent:
                scheme = "https" if sent == value else "http"
        return f"{scheme}://{host}"


def _stable(items: Any) -> Any:
    """An unordered queryset gets the primary key as its order, so pages do not overlap."""
    if isinstance(items, QuerySet) and not items.ordered:
        return items.order_by("pk")
    return items


def _count(items: Any) -> int:
    return items.count() if isinstance(items, QuerySet) else len(items)


class PageNumberPagination(BasePagination):
    """``?page=N`` (from 1) and, if ``page_size_query_param`` is set, ``?page_size=M``."""

    page_size: int = 20
    max_page_size: int = 100
    max_page: int = 1_000_000
    page_query_param: str = "page"
    page_size_query_param: str | None = "page_size"

    @property
    def query_params(self) -> tuple[str, ...]:  # type: ignore[override]
        names = [self.page_query_param]
        if self.page_size_query_param:
            names.append(self.page_size_query_param)
        return tuple(names)

    def paginate(self, queryset: Any, request: Any, convert: Convert) -> Any:
        page = _int_param(request, self.page_query_param, 1, 1, self.max_page)
        size = self.page_size
        if self.page_size_query_param:
            size = _int_param(request, self.page_size_query_param, size, 1, self.max_page_size)
        queryset = _stable(queryset)
        count = _count(queryset)
        total = max(1, -(-count // size))
        start = (page - 1) * size
        rows = convert(queryset[start : start + size]) if start < count else []
        # page numbers, or URLs with absolute_urls
        after: int | str | None = page + 1 if page < total else None
        before: int | str | None = min(page - 1, total) if page > 1 else None
        if self.absolute_urls:
            name = self.page_query_param
            after = None if after is None else self.page_url(request, **{name: after})
            before = None if before is None else self.page_url(request, **{name: before})
        return self.envelope(
            Page(rows, request, after, before, count, page, size, total_pages=total)
        )

    def envelope(self, page: Page) -> Any:
        return {
            "count": page.count,
            "page": page.number,
            "page_size": page.page_size,
            "total_pages": page.total_pages,
            "next": page.next,
            "previous": page.previous,
            "results": page.results,
        }


class LimitOffsetPagination(BasePagination):
    """``?limit=N&offset=M``; ``limit`` defaults to ``default_limit``, at most ``max_limit``."""

    default_limit: int = 20
    max_limit: int = 100
    max_offset: int = 10_000_000
    limit_query_param: str = "limit"
    offset_query_param: str = "offset"

    @property
    def query_params(self) -> tuple[str, ...]:  # type: ignore[override]
        return (self.limit_query_param, self.offset_query_param)

    def paginate(self, queryset: Any, request: Any, convert: Convert) -> Any:
        limit = _int_param(request, self.limit_query_param, self.default_limit, 1, self.max_limit)
        offset = _int_param(request, self.offset_query_param, 0, 0, self.max_offset)
        queryset = _stable(queryset)
        count = _count(queryset)
        rows = convert(queryset[offset : offset + limit]) if offset < count else []
        after = before = None
        if self.absolute_urls:
            lim, off = self.limit_query_param, self.offset_query_param
            if offset + limit < count:
                after = self.page_url(request, **{lim: limit, off: offset + limit})
            if offset > 0:
                back = max(0, min(offset, count) - limit)
                before = self.page_url(request, **{lim: limit, off: back})
        return self.envelope(Page(rows, request, after, before, count, limit=limit, offset=offset))

    def envelope(self, page: Page) -> Any:
        body: dict[str, Any] = {"count": page.count, "limit": page.limit, "offset": page.offset}
        if self.absolute_urls:
            body["next"] = page.next
            body["previous"] = page.previous
        body["results"] = page.results
        return body


def _cursor_signature(payload: str, secret: Any) -> str:
    """The HMAC-SHA256 of a cursor's payload under ``secret``, URL-safe base64."""
    mac = salted_hmac("bolt.pagination.cursor", payload, secret=secret, algorithm="sha256")
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


class CursorPagination(BasePagination):
    """Opaque cursors over a stable order: ``ordering`` then the primary key; signed, so
    only the cursors the server gave out are followed."""

    page_size: int = 20
    max_page_size: int = 100
    ordering: str | tuple[str, ...] = "-pk"
    cursor_query_param: str = "cursor"
    page_size_query_param: str | None = None

    @property
    def query_params(self) -> tuple[str, ...]:  # type: ignore[override]
        names = [self.cursor_query_param]
        if self.page_size_query_param:
            names.append(self.page_size_query_param)
        return tuple(names)

    def _order(self, model: Any) -> list[tuple[str, bool]]:
        """``[(field name, descending)]`` ending with the primary key."""
        items = [self.ordering] if isinstance(self.ordering, str) else list(self.ordering)
        out: list[tuple[str, bool]] = []
        pk = model._meta.pk.name
        for item in items:
            name = item.lstrip("-")
            out.append((pk if name == "pk" else name, item.startswith("-")))
        if not any(name == pk for name, _ in out):
            out.append((pk, out[-1][1] if out else False))
        return out

    @staticmethod
    def _encode(values: list[Any], backwards: bool) -> str:
        raw = json.dumps({"v": values, "b": backwards}, default=str, separators=(",", ":"))
        payload = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
        return f"{payload}.{_cursor_signature(payload, settings.SECRET_KEY)}"

    def _decode(
        self, token: str, model: Any, order: list[tuple[str, bool]]
    ) -> tuple[list[Any], bool]:
        bad = BadRequest(detail="Invalid pagination cursor")
        if len(token) > 1024:
            raise bad
        payload, _, signature = token.partition(".")
        secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())]
        if not any(
            constant_time_compare(signature, _cursor_signature(payload, key)) for key in secrets
        ):
            raise bad
        try:
            data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            values, backwards = data["v"], bool(data["b"])
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise bad from None
        if not isinstance(values, list) or len(values) != len(order):
            raise bad
        out = []
        for (name, _), value in zip(order, values, strict=True):
            if value is None:  # no row is after NULL in SQL: such a cursor cannot page
                raise bad
            try:
                out.append(model._meta.get_field(name).to_python(value))
            except (ValidationError, ValueError, TypeError):
                raise bad from None
        return out, backwards

    @staticmethod
    def _after(order: list[tuple[str, bool]], values: list[Any], backwards: bool) -> Q:
        """Rows strictly after ``values`` in ``order`` (before, when ``backwards``)."""
        condition = Q()
        for i, (name, desc) in enumerate(order):
            op = "lt" if desc != backwards else "gt"
            step = Q(**{f"{name}__{op}": values[i]})
            for j in range(i):
                step &= Q(**{order[j][0]: values[j]})
            condition |= step
        return condition

    def paginate(self, queryset: Any, request: Any, convert: Convert) -> Any:
        if not isinstance(queryset, QuerySet):
            raise TypeError("CursorPagination needs a QuerySet")
        model = queryset.model
        order = self._order(model)
        size = self.page_size
        if self.page_size_query_param:
            size = _int_param(request, self.page_size_query_param, size, 1, self.max_page_size)
        token = request.query.get(self.cursor_query_param)
        backwards = False
        qs = queryset
        if token:
            values, backwards = self._decode(token, model, order)
            qs = qs.filter(self._after(order, values, backwards))
        fields = [("-" if desc != backwards else "") + name for name, desc in order]
        rows = list(qs.order_by(*fields)[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()

        def key(obj: Any) -> list[Any]:
            return [getattr(obj, name) for name, _ in order]

        has_next = more if not backwards else bool(token)
        has_prev = bool(token) if not backwards else more
        after = self._encode(key(rows[-1]), False) if rows and has_next else None
        before = self._encode(key(rows[0]), True) if rows and has_prev else None
        if self.absolute_urls:
            name = self.cursor_query_param
            after = None if after is None else self.page_url(request, **{name: after})
            before = None if before is None else self.page_url(request, **{name: before})
        return self.envelope(Page(convert(rows), request, after, before))

    def envelope(self, page: Page) -> Any:
        return {"next": page.next, "previous": page.previous, "results": page.results}


# --- @paginate on function routes ---------------------------------------------------------
PAGED_ATTR = "__bolt_paginated__"
# The name of the request parameter added when a handler takes none of its own.
REQUEST_KW = "_bolt_page_request_"
# Functions that a @paginate wrapper wraps: a route serving one of them directly had the
# decorator written above the route decorator (the wrapper was never registered).
_wrapped_originals: weakref.WeakSet[Any] = weakref.WeakSet()
_SEQUENCES = (list, tuple, typing.Sequence, typing.Iterable)


def _item_type(returned: Any) -> Any:
    """What one item of the handler's list is, from its return annotation: a Struct, a
    model (its own schema), or ``None`` (unknown: querysets use their model's schema)."""
    from bolt_plugins.crud.schemas import model_schema

    if returned in (inspect.Signature.empty, None, Any, list, object) or returned is QuerySet:
        return None
    if isinstance(returned, type) and issubclass(returned, QuerySet):
        return None
    args = get_args(returned)
    if get_origin(returned) in _SEQUENCES and args:
        item = args[0]
        if isinstance(item, type) and issubclass(item, models.Model):
            return model_schema(item)
        if isinstance(item, type) and issubclass(item, msgspec.Struct):
            return item
        return None
    raise ImproperlyConfigured(
        f"@paginate: the handler declares it returns {returned!r}; a paginated handler "
        "returns a QuerySet or a list (declare `-> list[ItemSchema]`, `-> QuerySet` or nothing)"
    )


class PagedEndpoint:
    """What ``@paginate`` knows about one handler; the wrapper calls ``answer``."""

    __slots__ = ("func", "item", "paginator", "returned")

    def __init__(self, func: Callable[..., Any], paginator: BasePagination, returned: Any):
        self.func = func
        self.paginator = paginator
        self.returned = returned
        self.item: Any = _item_type(returned)

    def prepare(self, route: Any, return_type: Any) -> None:
        """At compile time: refuse a ``response_model`` (the answer is the envelope)."""
        if route.response_model is not None:
            raise ImproperlyConfigured(
                f"{route!r}: @paginate answers with a page envelope; declare the item type as "
                "the handler's return annotation (`-> list[ItemSchema]`), not response_model="
            )

    def _convert(self, value: Any) -> tuple[Any, Any]:
        """``(items, convert)`` for a handler's value: models become the item schema."""
        from bolt_plugins.crud.encoding import to_structs, with_relations
        from bolt_plugins.crud.schemas import model_schema

        if isinstance(value, QuerySet):
            if getattr(value, "_fields", None) is not None or value._iterable_class is not (
                models.query.ModelIterable
            ):
                return value, list  # values()/values_list(): rows are plain data already
            schema = self.item if self.item is not None else model_schema(value.model)
            return with_relations(value, schema), lambda rows: to_structs(rows, schema)
        if isinstance(value, list | tuple):
            if value and isinstance(value[0], models.Model):
                # mypy does not count type[Any] (untyped Django) as Hashable for lru_cache
                schema = self.item if self.item is not None else model_schema(type(value[0]))  # type: ignore[arg-type]
                return list(value), lambda rows: to_structs(rows, schema)
            return list(value), list
        raise TypeError(
            f"@paginate: {self.func.__qualname__} returned {type(value).__name__}; a "
            "paginated handler returns a QuerySet or a list"
        )

    async def answer(self, value: Any, request: Request) -> Any:
        """The page for ``value``: querysets and models in an ORM thread."""
        from bolt_plugins.crud.db import runner_for

        if isinstance(value, Response):
            return value
        items, convert = self._convert(value)
        if isinstance(items, QuerySet):
            return await runner_for(items.db).read(self.paginator.paginate, items, request, convert)
        if convert is not list:
            alias = items[0]._state.db
            return await runner_for(alias).read(self.paginator.paginate, items, request, convert)
        return self.paginator.paginate(items, request, convert)

    def answer_sync(self, value: Any, request: Request) -> Any:
        """``answer`` for sync handlers, in their worker thread (the ORM may be used)."""
        if isinstance(value, Response):
            return value
        items, convert = self._convert(value)
        return self.paginator.paginate(items, request, convert)


def paged_endpoint(endpoint: Any) -> PagedEndpoint | None:
    """The ``@paginate`` state of a route's endpoint, or ``None``. A route serving the very
    function a ``@paginate`` wrapper wraps is refused: the decorator was written above the
    route decorator, and the route would answer unpaginated."""
    found = getattr(endpoint, PAGED_ATTR, None)
    if found is not None:
        return found  # type: ignore[no-any-return]
    target = endpoint
    for _ in range(8):
        if target in _wrapped_originals:
            raise ImproperlyConfigured(
                f"@paginate on {target.__qualname__} was applied after the route decorator; "
                "write it below @api.get(...) so the route serves the paginated handler"
            )
        target = getattr(target, "__wrapped__", None)
        if target is None:
            break
    return None


def _hints(func: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(func, include_extras=True)
    except Exception:
        return dict(getattr(func, "__annotations__", {}) or {})


def _wrap(func: Callable[..., Any], paginator: BasePagination) -> Callable[..., Any]:
    signature = inspect.signature(func)
    hints = _hints(func)
    params = [
        p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values()
    ]
    clash = [p.name for p in params if p.name in paginator.query_params]
    if clash:
        raise ImproperlyConfigured(
            f"@paginate: {func.__qualname__} has a parameter {clash[0]!r}, which "
            f"{type(paginator).__name__} reads from the query string; rename it (or change the "
            "paginator's query parameter names)"
        )
    request_name = next((p.name for p in params if is_request_param(p, p.annotation)), None)
    hidden = request_name is None
    if hidden:
        extra = inspect.Parameter(REQUEST_KW, inspect.Parameter.KEYWORD_ONLY, annotation=Request)
        at = next(
            (i for i, p in enumerate(params) if p.kind is inspect.Parameter.VAR_KEYWORD),
            len(params),
        )
        params.insert(at, extra)
        request_name = REQUEST_KW
    returned = hints.get("return", signature.return_annotation)
    state = PagedEndpoint(func, paginator, returned)
    name: str = request_name  # type: ignore[assignment]

    if inspect.iscoroutinefunction(func):

        async def endpoint(*args: Any, **kwargs: Any) -> Any:
            # hot path (paginated routes)
            request = kwargs.pop(name) if hidden else kwargs[name]
            return await state.answer(await func(*args, **kwargs), request)

    else:

        def endpoint(*args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
            # in the handler's worker thread
            request = kwargs.pop(name) if hidden else kwargs[name]
            return state.answer_sync(func(*args, **kwargs), request)

    functools.update_wrapper(endpoint, func)
    new = signature.replace(parameters=params, return_annotation=Any)
    endpoint.__signature__ = new  # type: ignore[attr-defined]
    endpoint.__annotations__ = {
        p.name: p.annotation for p in params if p.annotation is not inspect.Parameter.empty
    } | {"return": Any}
    setattr(endpoint, PAGED_ATTR, state)
    _wrapped_originals.add(func)
    return endpoint


def paginate(
    pagination_class: type[BasePagination] | BasePagination | Callable[..., Any] | None = None,
) -> Any:
    """Paginate what a function route returns (a QuerySet or a list)::

        @api.get("/articles")
        @paginate(PageNumberPagination)
        async def articles() -> list[ArticleSchema]:
            return Article.objects.order_by("-created_at")

    Written below the route decorator. The handler gets no extra parameters; the
    paginator's query parameters are validated (422), documented, and may not also be
    parameters of the handler. Querysets are evaluated in an ORM thread, with the relations
    the item schema reads; without an item type, models use their own schema. ``@paginate``
    alone uses ``PageNumberPagination``.
    """
    if pagination_class is None:
        pagination_class = PageNumberPagination
    if inspect.isfunction(pagination_class):
        return _wrap(pagination_class, PageNumberPagination())
    if isinstance(pagination_class, type) and issubclass(pagination_class, BasePagination):
        paginator = pagination_class()
    elif isinstance(pagination_class, BasePagination):
        paginator = pagination_class
    else:
        raise ImproperlyConfigured(
            f"@paginate needs a pagination class such as PageNumberPagination, got "
            f"{pagination_class!r}"
        )

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        if not callable(func) or isinstance(func, type):
            raise ImproperlyConfigured(f"@paginate decorates a function, not {func!r}")
        return _wrap(func, paginator)

    return decorate
