"""Declarative filtering, searching and ordering with whitelists.

On a ViewSet:

- ``filterset_fields = ["status", "author"]`` allows ``?status=published`` (exact match); a
  dict allows lookups: ``{"created_at": ["gte", "lte"], "status": ["exact", "in"]}`` gives
  ``?created_at__gte=...`` and ``?status__in=a,b``.
- ``search_fields = ["title", "author__username"]`` allows ``?search=words`` (every word must
  match one of the fields, case-insensitively).
- ``ordering_fields = ["created_at", "title"]`` allows ``?ordering=-created_at,title``;
  ``ordering = "-created_at"`` is the default order.

Anything else is refused before a query is built: ordering by an undeclared field
(``?ordering=password``) or, when ``filterset_fields`` is declared, a query parameter that is
neither a declared filter nor known to the endpoint is a 400; a filter value the model field
cannot parse is a 422. The whitelists are checked against the model when the route compiles.
"""

from __future__ import annotations

import operator
from functools import reduce
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Q

from bolt.exceptions import BadRequest, ImproperlyConfigured, RequestValidationError
from bolt.exceptions import validation_error as verr

__all__ = ["FilterSpec"]

MAX_SEARCH_TERMS = 10
MAX_SEARCH_LENGTH = 200
MAX_ORDERING_TERMS = 5
MAX_IN_VALUES = 100
_BOOLS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
_LOOKUPS = {"exact", "iexact", "in", "gt", "gte", "lt", "lte", "contains", "icontains",
            "startswith", "istartswith", "isnull"}  # fmt: skip


def _resolve(model: Any, path: str, owner: str) -> Any:
    """The model field at ``path`` (``author__username``), or ImproperlyConfigured."""
    field = None
    current = model
    for part in path.split("__"):
        if current is None:
            raise ImproperlyConfigured(f"{owner}: {path!r} does not name a model field")
        try:
            field = current._meta.pk if part == "pk" else current._meta.get_field(part)
        except FieldDoesNotExist:
            raise ImproperlyConfigured(
                f"{owner}: {path!r} does not name a field of {current.__name__}"
            ) from None
        current = field.related_model if field.is_relation else None
    return field


class FilterSpec:
    """The compiled whitelists of one ViewSet class."""

    __slots__ = ("declared", "default_ordering", "filters", "ordering", "search", "strict")

    def __init__(self, view_class: type, model: Any) -> None:
        owner = view_class.__name__
        declared = getattr(view_class, "filterset_fields", None) or {}
        if isinstance(declared, list | tuple):
            declared = {name: ["exact"] for name in declared}
        self.strict = bool(declared)
        # query parameter → (ORM lookup, model field, lookup name)
        self.filters: dict[str, tuple[str, Any, str]] = {}
        for name, lookups in declared.items():
            field = _resolve(model, name, owner)
            for lookup in lookups:
                if lookup not in _LOOKUPS:
                    raise ImproperlyConfigured(f"{owner}: unknown lookup {lookup!r} for {name!r}")
                param = name if lookup == "exact" else f"{name}__{lookup}"
                self.filters[param] = (f"{name}__{lookup}", field, lookup)
        self.search = list(getattr(view_class, "search_fields", None) or [])
        for name in self.search:
            _resolve(model, name.lstrip("^=@"), owner)
        self.ordering = set(getattr(view_class, "ordering_fields", None) or [])
        for name in self.ordering:
            _resolve(model, name, owner)
        default = getattr(view_class, "ordering", None)
        self.default_ordering = [default] if isinstance(default, str) else list(default or [])
        for item in self.default_ordering:
            # A typo is a startup error, not a 500 on every list (``?`` is random order;
            # expressions such as ``F("x").desc()`` are the ORM's to check).
            if isinstance(item, str) and item != "?":
                _resolve(model, item.removeprefix("-"), owner)
        # Whether the class declares any whitelist or default order at all.
        self.declared = bool(self.filters or self.search or self.ordering or self.default_ordering)

    def _value(self, param: str, raw: str, field: Any, lookup: str) -> Any:
        try:
            if lookup == "isnull":
                if raw.lower() not in ("true", "false", "1", "0"):
                    raise ValidationError("Expected true or false")
                return raw.lower() in ("true", "1")
            if lookup == "in":
                items = [v for v in raw.split(",") if v != ""]
                if len(items) > MAX_IN_VALUES:
                    raise ValidationError(f"At most {MAX_IN_VALUES} values")
                return [self._one(field, v) for v in items]
            if lookup in ("contains", "icontains", "startswith", "istartswith", "iexact"):
                if "\x00" in raw:
                    raise ValidationError("NUL characters are not allowed")
                return raw
            return self._one(field, raw)
        except ValidationError as exc:
            raise RequestValidationError(
                [verr(["query", param], "; ".join(exc.messages), "value_error")]
            ) from None

    @staticmethod
    def _one(field: Any, raw: str) -> Any:
        if "\x00" in raw:
            raise ValidationError("NUL characters are not allowed")
        target = field.target_field if field.is_relation and field.many_to_one else field
        if target.get_internal_type() == "BooleanField":
            flag = _BOOLS.get(raw.lower())
            if flag is None:
                raise ValidationError("Expected true or false")
            return flag
        try:
            value = target.to_python(raw)
        except (ValueError, TypeError, OverflowError):
            raise ValidationError("Invalid value") from None
        bounds = BaseDatabaseOperations.integer_field_ranges.get(target.get_internal_type())
        if bounds is not None and isinstance(value, int) and not bounds[0] <= value <= bounds[1]:
            # No row can hold it, and the driver would overflow (a 500) on `in` and foreign keys.
            raise ValidationError(f"Must be between {bounds[0]} and {bounds[1]}")
        return value

    def apply(self, queryset: Any, query: dict[str, str], known: frozenset[str]) -> Any:
        """Filter, search and order ``queryset`` from the request's query parameters."""
        if self.strict:
            unknown = [k for k in query if k not in self.filters and k not in known]
            if unknown:
                raise BadRequest(
                    detail=f"Unknown query parameter {unknown[0]!r}; filters allowed here: "
                    f"{', '.join(sorted(self.filters)) or 'none'}"
                )
        conditions = {}
        for param, (lookup, field, kind) in self.filters.items():
            raw = query.get(param)
            if raw is not None:
                conditions[lookup] = self._value(param, raw, field, kind)
        if conditions:
            queryset = queryset.filter(**conditions)
        term = query.get("search")
        if term and self.search:
            queryset = queryset.filter(self._search(term))
        raw_order = query.get("ordering")
        if raw_order:
            queryset = queryset.order_by(*self._ordering(raw_order))
        elif self.default_ordering:
            queryset = queryset.order_by(*self.default_ordering)
        return queryset

    def _search(self, term: str) -> Q:
        if len(term) > MAX_SEARCH_LENGTH or "\x00" in term:
            raise RequestValidationError(
                [verr(["query", "search"], f"At most {MAX_SEARCH_LENGTH} characters")]
            )
        words = term.split()[:MAX_SEARCH_TERMS]
        lookups = []
        for name in self.search:
            if name.startswith("^"):
                lookups.append(f"{name[1:]}__istartswith")
            elif name.startswith("="):
                lookups.append(f"{name[1:]}__iexact")
            else:
                lookups.append(f"{name.lstrip('@')}__icontains")
        return reduce(
            operator.and_,
            (reduce(operator.or_, (Q(**{lk: word}) for lk in lookups)) for word in words),
            Q(),
        )

    def _ordering(self, raw: str) -> list[str]:
        items = [item.strip() for item in raw.split(",") if item.strip()]
        if len(items) > MAX_ORDERING_TERMS:
            raise BadRequest(detail=f"At most {MAX_ORDERING_TERMS} ordering fields")
        for item in items:
            # One leading "-" means descending; "--qty" names no field (and would crash).
            name = item[1:] if item.startswith("-") else item
            if name not in self.ordering:
                allowed = ", ".join(sorted(self.ordering)) or "none"
                raise BadRequest(detail=f"Cannot order by {name!r}; allowed: {allowed}")
        return items
