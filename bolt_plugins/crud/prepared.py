"""Prepared reads: the SQL of a view's fixed queryset, compiled once per connection.

Most of what ``queryset.get(pk=7)`` costs is Django building the query anew: cloning the
queryset, resolving the lookup, compiling the SQL (about 120 of the 165 µs the call takes on
the benchmark machine; the SQLite query itself is about 20). For a ``ModelViewSet`` that
keeps the default hooks, that SQL is the same for every request, except for the lookup
value. So ``retrieve`` and ``list`` compile it the first time a database connection serves
the view, with Django's own compiler, and afterwards only execute it: the row goes through
Django's converters (the same ``from_db_value``/backend conversions ``values()`` applies)
and becomes the schema in one ``msgspec.convert``.

This applies only where the result cannot differ from the ordinary path:

- the class keeps ``get_queryset``, ``get_object`` (retrieve) and ``filter_queryset``
  (list) as the mixins define them, and ``queryset``/``model`` are plain class attributes
  (a ``model`` whose default manager builds its own queryset is excluded);
- the schema reads only columns (the ``values()`` plan of ``bolt_plugins.crud.encoding``:
  no nested relations, no properties, no text conversions, no own ``from_model``), and the
  queryset qualifies for ``values()`` (no ``distinct()``, prefetches, custom fetching);
- a list has no ``pagination_class`` and the request has no query string (filters,
  search and ordering from the query keep the ordinary path; the class's default
  ``ordering`` is part of the compiled SQL);
- a retrieve looks up one concrete, non-relation column (``pk``, ``id``, ``slug``…) of an
  integer, text or UUID type with Django's own ``exact`` lookup. When compiling, the lookup
  is compiled with two different values and the value's position in the SQL parameters is
  checked against Bolt's own conversion of those values; any disagreement (a custom lookup,
  a backend that inlines values) turns the prepared path off for that view.

The database is chosen per request as the queryset would choose it (``queryset.db``, so
routers still decide), and the compiled SQL is kept on that thread's connection object.
``prepare_queries = False`` on a class turns this off for it.
"""

from __future__ import annotations

import datetime
import inspect
import uuid
from typing import Any

import msgspec
from django.core.exceptions import EmptyResultSet, ValidationError
from django.core.signals import setting_changed
from django.db import DatabaseError, connections, models
from django.db.models import lookups
from django.db.models.manager import BaseManager
from django.db.models.query import MAX_GET_RESULTS
from django.db.models.sql.compiler import cursor_iter
from django.db.models.sql.constants import GET_ITERATOR_CHUNK_SIZE
from django.utils import timezone

from bolt.exceptions import NotFound
from bolt_plugins.crud.encoding import OrmPlan, _values_plan

__all__ = ["FALLBACK", "PreparedRead", "prepared_detail", "prepared_list"]

FALLBACK: Any = object()
"""Returned by a prepared read that found, when compiling, that it cannot serve the view:
the caller then takes the ordinary path (and the view is not tried again)."""

_INT_SENTINELS = (12345, 23456)  # inside every integer column's range
_UUID_SENTINELS = (
    uuid.UUID("5b0c6f1e-8f0a-4d63-9a53-2f1f0c6b7a11"),
    uuid.UUID("c2a1e7d4-3b6f-4e0b-8d2c-9a7f5e1b3c22"),
)
_TEXT_SENTINELS = ("Bolt Sentinel A 5b0c", "bolt sentinel b C2A1")
_EXACT = (lookups.Exact, getattr(lookups, "IntegerFieldExact", lookups.Exact))
_CACHE_ATTR = "_bolt_prepared_reads"
# A fixed offset no project uses by accident (and no tz database needed to build it).
_OTHER_ZONE = datetime.timezone(datetime.timedelta(hours=12, minutes=45))
_MAX_PER_CONNECTION = 256


def _sentinels(field: Any) -> tuple[Any, Any] | None:
    if isinstance(field, models.IntegerField):
        return _INT_SENTINELS
    if isinstance(field, models.UUIDField):
        return _UUID_SENTINELS
    if isinstance(field, models.CharField | models.TextField):
        return _TEXT_SENTINELS
    return None


class PreparedRead:
    """One view class's ``list`` or ``retrieve`` for one source and schema.

    Built on the event loop (no database work); compiled in the ORM thread, once per
    connection, by ``compile``. ``disabled`` is set when compiling finds the view
    unsuitable, so later requests go straight to the ordinary path.
    """

    __slots__ = ("disabled", "field", "lookup", "model", "plan", "source", "template")

    def __init__(self, source: Any, template: Any, plan: OrmPlan, lookup: str, field: Any) -> None:
        self.source = source  # the class's queryset or manager (``.db`` picks the database)
        self.template = template  # the queryset whose SQL is compiled
        self.plan = plan
        self.lookup = lookup  # "" for a list
        self.field = field
        self.model = template.model
        self.disabled = False

    # --- in the ORM thread -----------------------------------------------------------
    def _compiled(self, alias: str) -> Any:
        conn = connections[alias]
        cache = conn.__dict__.get(_CACHE_ATTR)
        if cache is None:
            cache = conn.__dict__[_CACHE_ATTR] = {}
        entry = cache.get(self)
        if entry is None:
            if len(cache) >= _MAX_PER_CONNECTION:
                cache.clear()
            entry = cache[self] = self._compile(conn, alias)
        return conn, entry

    def _query(self, value: Any, full: bool = False) -> Any:
        queryset = self.template
        if self.lookup:
            # What ``QuerySet.get`` builds: filter, no ordering, at most MAX_GET_RESULTS rows.
            clone = queryset.filter(**{self.lookup: value})
            if queryset.query.can_filter() and not queryset.query.distinct_fields:
                clone = clone.order_by()
            clone.query.set_limits(high=MAX_GET_RESULTS)
            queryset = clone
        return queryset if full else queryset.values(*self.plan.values)  # type: ignore[misc]

    def _compile(self, conn: Any, alias: str) -> Any:
        """``(compiler, sql, params, index, names)``, or ``None`` when not preparable."""
        a, b = _sentinels(self.field) if self.lookup else (None, None)  # type: ignore[misc]
        try:
            # The whole query as the ordinary path runs it (``get()`` compiles relations
            # and deferred fields that ``values()`` drops): what Django refuses there, it
            # must refuse here too, so such a view keeps the ordinary path.
            self._query(a, full=True).query.get_compiler(using=alias).as_sql()
            query = self._query(a).query
            compiler = query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            # A query whose SQL follows the active time zone (``__date`` lookups, ``Trunc``)
            # cannot be kept: compiled under another zone it must come out the same.
            with timezone.override(_OTHER_ZONE):
                other = self._query(a).query.get_compiler(using=alias).as_sql()
            if (other[0], tuple(other[1])) != (sql, tuple(params)):
                return None
            if not self.lookup:
                return (compiler, sql, tuple(params), -1, _names(query)) if sql else None
            sql_b, params_b = self._query(b).query.get_compiler(using=alias).as_sql()
        except EmptyResultSet:
            return None
        except DatabaseError:
            raise  # the database is unreachable: a 503, and compiled again next time
        except Exception:
            return None  # whatever Django objects to, the ordinary path reports it
        if not sql or sql != sql_b or len(params) != len(params_b):
            return None
        differ = [i for i, (x, y) in enumerate(zip(params, params_b, strict=True)) if x != y]
        if len(differ) != 1:
            return None
        index = differ[0]
        try:
            if params[index] != self._param(a, conn) or params_b[index] != self._param(b, conn):
                return None
        except NotFound:
            return None
        return compiler, sql, tuple(params), index, _names(query)

    def _param(self, value: Any, conn: Any) -> Any:
        """The SQL parameter Django's ``exact`` lookup makes of ``value``; NotFound when the
        column cannot hold it (as ``get_object`` answers for such values)."""
        field = self.field
        try:
            value = field.get_prep_value(value)
            if isinstance(value, int) and isinstance(field, models.IntegerField):
                low, high = conn.ops.integer_field_range(field.get_internal_type())
                if (low is not None and value < low) or (high is not None and value > high):
                    raise OverflowError
            return field.get_db_prep_value(value, conn, prepared=True)
        except (ValidationError, ValueError, TypeError, OverflowError):
            raise NotFound(detail=f"{self.model.__name__} not found") from None

    def _rows(self, conn: Any, entry: Any, params: Any) -> list[dict[str, Any]]:
        compiler, sql, _, _, names = entry
        cursor = conn.cursor()
        try:
            cursor.execute(sql, params)
        except Exception:
            cursor.close()
            raise
        # As ``SQLCompiler.execute_sql`` reads a non-chunked result, then Django's converters.
        chunks = list(
            cursor_iter(
                cursor,
                conn.features.empty_fetchmany_value,
                compiler.col_count if compiler.has_extra_select else None,
                GET_ITERATOR_CHUNK_SIZE,
            )
        )
        return [dict(zip(names, row, strict=True)) for row in compiler.results_iter(chunks)]

    def fetch_list(self, alias: str) -> Any:
        conn, entry = self._compiled(alias)
        if entry is None:
            self.disabled = True
            return FALLBACK
        rows = self._rows(conn, entry, entry[2])
        return msgspec.convert(rows, self.plan.list_type, strict=False)

    def fetch_one(self, alias: str, value: Any) -> Any:
        conn, entry = self._compiled(alias)
        if entry is None:
            self.disabled = True
            return FALLBACK
        params = list(entry[2])
        params[entry[3]] = self._param(value, conn)
        try:
            rows = self._rows(conn, entry, params)
        except OverflowError:  # a value the driver cannot send names no row either
            raise NotFound(detail=f"{self.model.__name__} not found") from None
        if len(rows) != 1:
            if not rows:
                raise NotFound(detail=f"{self.model.__name__} not found")
            num = len(rows)
            shown = num if num < MAX_GET_RESULTS else f"more than {MAX_GET_RESULTS - 1}"
            raise self.model.MultipleObjectsReturned(
                f"get() returned more than one {self.model._meta.object_name} -- it "
                f"returned {shown}!"
            )
        return msgspec.convert(rows[0], self.plan.schema, strict=False)


def _names(query: Any) -> list[str]:
    return [*query.extra_select, *query.values_select, *query.annotation_select]


def _forget(*, setting: str, **kwargs: Any) -> None:
    """Compiled parameters depend on the database settings and the time zone (an aware
    datetime in a class's filter is converted for the connection): start over when tests
    change them."""
    if setting in ("DATABASES", "USE_TZ", "TIME_ZONE"):
        _prepared.clear()


setting_changed.connect(_forget, dispatch_uid="bolt-crud-prepared-reads")


# --- choosing, on the event loop ---------------------------------------------------------
_class_ok: dict[tuple[type, str], bool] = {}
# (class, action, schema) → [source, prepared or None, times rebuilt]
_prepared: dict[tuple[type, str, Any], list[Any]] = {}
_MAX_REBUILDS = 8


def _class_reads_statically(cls: type, action: str) -> bool:
    """True when the class reads its queryset the mixins' way (checked once per class)."""
    from bolt_plugins.crud.generics import GenericView

    if getattr(cls, "get_queryset", None) is not GenericView.get_queryset:
        return False
    if action == "retrieve" and getattr(cls, "get_object", None) is not GenericView.get_object:
        return False
    # The prepared retrieve loads no instance, so nothing could run a class's own object
    # check (DRF's way: overriding ``check_object_permissions``); such a class reads the
    # ordinary way, through ``get_object``.
    if action == "retrieve" and _own_object_check(cls):
        return False
    own_filter = getattr(cls, "filter_queryset", None)
    if action == "list" and own_filter is not GenericView.filter_queryset:
        return False
    # Plain class attributes, not properties computing a queryset per request.
    queryset = inspect.getattr_static(cls, "queryset", None)
    model = inspect.getattr_static(cls, "model", None)
    return (queryset is None or isinstance(queryset, models.QuerySet)) and (
        model is None or (isinstance(model, type) and issubclass(model, models.Model))
    )


def _own_object_check(cls: type) -> bool:
    from bolt_plugins.viewsets import APIView

    return getattr(cls, "check_object_permissions", None) is not APIView.check_object_permissions


_CLASS_NAMES = frozenset(
    ("__module__", "__qualname__", "__doc__", "__dict__", "__weakref__", "__annotations__",
     "__firstlineno__", "__static_attributes__", "__orig_bases__", "__parameters__")
)  # fmt: skip


def _only_adds(kind: type, base: type) -> bool:
    """True when ``kind`` (a subclass of ``base``) only adds methods: everything ``base``
    does (``all``, ``filter``, ``get``, cloning, fetching…) behaves as in ``base``."""
    if kind is base:
        return True
    inherited = set().union(*(vars(k) for k in base.__mro__))
    for klass in kind.__mro__:
        if klass is base:
            return True
        if any(name in inherited and name not in _CLASS_NAMES for name in vars(klass)):
            return False
    return False


def _build(cls: type, action: str, source: Any, schema: Any) -> PreparedRead | None:
    if isinstance(source, BaseManager):
        # A manager (or queryset class) that changes how querysets are made or read may
        # decide per call: ``get_queryset``/``all`` overrides, ``get`` hiding rows…
        manager = type(source)
        if (
            manager.get_queryset is not BaseManager.get_queryset
            or manager.all is not BaseManager.all
            or not _only_adds(source._queryset_class, models.QuerySet)
        ):
            return None
    elif not isinstance(source, models.QuerySet) or not _only_adds(type(source), models.QuerySet):
        return None
    queryset = source.all()
    if queryset.query.combinator or queryset.query.select_for_update:
        return None
    lookup, field = "", None
    if action == "list":
        from bolt_plugins.crud.generics import filter_spec_of

        # The declared default ordering is part of the SQL; a request with a query string
        # never reaches the prepared path.
        queryset = filter_spec_of(cls, queryset.model).apply(queryset, {}, frozenset())
    else:
        lookup = cls.get_lookup_field()  # type: ignore[attr-defined]
        opts = queryset.model._meta
        if "__" in lookup:
            return None
        try:
            field = opts.pk if lookup == "pk" else opts.get_field(lookup)
        except Exception:
            return None
        if (
            not getattr(field, "concrete", False)
            or field.is_relation
            or _sentinels(field) is None
            or field.get_lookup("exact") not in _EXACT
        ):
            return None
    plan = _values_plan(queryset, schema)
    if plan is None:
        return None
    return PreparedRead(source, queryset, plan, lookup, field)


def _prepared_for(view: Any, action: str) -> PreparedRead | None:
    # hot path
    cls = type(view)
    key = (cls, action)
    ok = _class_ok.get(key)
    if ok is None:
        ok = _class_ok[key] = _class_reads_statically(cls, action)
    # Read per request, as the ordinary path reads them.
    if not ok or not view.prepare_queries or (action == "list" and view.pagination_class):
        return None
    source = view.queryset
    if source is None:
        model = view.model
        if model is None:
            return None
        source = model._default_manager
    schema = view._read_schema(action)
    if schema is None:
        return None
    entry = _prepared.get((cls, action, schema))
    if entry is None or entry[0] is not source:
        # First use, or the class's queryset was replaced: build again (a view that keeps
        # replacing it is left to the ordinary path).
        rebuilt = 0 if entry is None else entry[2] + 1
        if len(_prepared) >= 1024:
            _prepared.clear()
        prepared = _build(cls, action, source, schema) if rebuilt <= _MAX_REBUILDS else None
        entry = _prepared[(cls, action, schema)] = [source, prepared, rebuilt]
    found: PreparedRead | None = entry[1]
    if found is None or found.disabled:
        return None
    return found


def prepared_list(view: Any) -> PreparedRead | None:
    """The prepared ``list`` of ``view``, or None for the ordinary path."""
    # hot path
    if view.request.query_string:
        return None
    return _prepared_for(view, "list")


def prepared_detail(view: Any, kwargs: dict[str, Any]) -> tuple[PreparedRead, Any] | None:
    """The prepared ``retrieve`` of ``view`` and the lookup value, or None."""
    # hot path
    if len(kwargs) != 1:
        return None
    found = _prepared_for(view, "retrieve")
    if found is None:
        return None
    value = kwargs.get(found.lookup)
    if value is None:
        return None
    return found, value
