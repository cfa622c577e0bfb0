"""Pagination for list endpoints: page number, limit/offset and opaque cursors.

Set ``pagination_class`` on a ViewSet (subclass a paginator to change its limits). Every
paginator reads only its own query parameters, rejects bad values with 422 (``loc`` names
the parameter), caps the page size, and returns a documented envelope:

- ``PageNumberPagination`` (``?page=2&page_size=50``):
  ``{"count", "page", "page_size", "total_pages", "next", "previous", "results"}``; ``next``
  and ``previous`` are page numbers or ``null``. A page past the end has empty ``results``.
- ``LimitOffsetPagination`` (``?limit=20&offset=40``): ``{"count", "limit", "offset",
  "results"}``.
- ``CursorPagination`` (``?cursor=...``): ``{"next", "previous", "results"}`` with opaque
  cursors. The order is ``ordering`` plus the primary key as a tie-break, so pages neither
  skip nor repeat rows while rows are inserted. No ``count``: counting defeats the point.

``paginate(queryset, request, convert)`` runs in an ORM thread (it evaluates the queryset).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from bolt.exceptions import BadRequest, RequestValidationError, validation_error

__all__ = [
    "BasePagination",
    "CursorPagination",
    "LimitOffsetPagination",
    "PageNumberPagination",
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


class BasePagination:
    """What every paginator offers: its query parameter names and ``paginate``."""

    query_params: ClassVar[tuple[str, ...]] = ()

    def paginate(self, queryset: Any, request: Any, convert: Convert) -> dict[str, Any]:
        raise NotImplementedError


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

    def paginate(self, queryset: Any, request: Any, convert: Convert) -> dict[str, Any]:
        page = _int_param(request, self.page_query_param, 1, 1, self.max_page)
        size = self.page_size
        if self.page_size_query_param:
            size = _int_param(request, self.page_size_query_param, size, 1, self.max_page_size)
        queryset = _stable(queryset)
        count = _count(queryset)
        total = max(1, -(-count // size))
        start = (page - 1) * size
        rows = convert(queryset[start : start + size]) if start < count else []
        return {
            "count": count,
            "page": page,
            "page_size": size,
            "total_pages": total,
            "next": page + 1 if page < total else None,
            "previous": min(page - 1, total) if page > 1 else None,
            "results": rows,
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

    def paginate(self, queryset: Any, request: Any, convert: Convert) -> dict[str, Any]:
        limit = _int_param(request, self.limit_query_param, self.default_limit, 1, self.max_limit)
        offset = _int_param(request, self.offset_query_param, 0, 0, self.max_offset)
        queryset = _stable(queryset)
        count = _count(queryset)
        rows = convert(queryset[offset : offset + limit]) if offset < count else []
        return {"count": count, "limit": limit, "offset": offset, "results": rows}


class CursorPagination(BasePagination):
    """Opaque cursors over a stable order: ``ordering`` then the primary key."""

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
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def _decode(
        self, token: str, model: Any, order: list[tuple[str, bool]]
    ) -> tuple[list[Any], bool]:
        bad = BadRequest(detail="Invalid pagination cursor")
        if len(token) > 1024:
            raise bad
        try:
            data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            values, backwards = data["v"], bool(data["b"])
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise bad from None
        if not isinstance(values, list) or len(values) != len(order):
            raise bad
        out = []
        for (name, _), value in zip(order, values, strict=True):
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

    def paginate(self, queryset: Any, request: Any, convert: Convert) -> dict[str, Any]:
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
        return {
            "next": self._encode(key(rows[-1]), False) if rows and has_next else None,
            "previous": self._encode(key(rows[0]), True) if rows and has_prev else None,
            "results": convert(rows),
        }
