"""``GenericView``: the ORM half of a view class (DRF's ``GenericAPIView``), which the CRUD
mixins, ``ModelViewSet`` and the public ``ViewSet`` build on.

The viewsets plugin's ``APIView``/``ViewSet`` know routes, not models. This class adds what
a view over the Django ORM needs, each step an overridable hook (sync or async where a
handler may touch the database), so a subclass changes one step and keeps the rest:

- ``queryset``/``model`` and ``get_queryset()``, ``filter_queryset(qs)`` (the declared
  ``filterset_fields``/``search_fields``/``ordering_fields``/``ordering``),
  ``get_object(**lookup)`` (404 when missing, object permissions checked),
  ``get_serializer_class(action)`` (the ``*_serializer_class`` chain, then the model's own
  schema), ``pagination_class``;
- ``create_object(data)``, ``update_object(instance, data, partial)``,
  ``destroy_object(instance)``, which run the write in one transaction and call
  ``perform_create(instance)``, ``perform_update(instance)``, ``perform_destroy(instance)``
  (sync or async) inside it.

A class whose ``get_serializer_class()`` depends on the request (``StaffSchema if
self.request.user.is_staff else PublicSchema``) has its write bodies decoded per request with
the schema chosen for that caller (``body_extractor``), and the write helpers never write a
field that schema lacks, whatever handler called them. ``get_object`` runs the route's
``object_checks`` (the guards plugin puts ``has_object_permission`` there).

ORM work runs in an ORM thread (see ``bolt_plugins.crud.db``), never on the event loop.

``get_queryset()``, ``filter_queryset(qs)`` and ``get_object()`` are plain methods that
answer in the caller's world: called where an event loop runs (an ``async`` handler) they
return an awaitable, so ``await self.get_object()`` works; called from a sync handler (a
worker thread, DRF's ``def publish(self, request, pk)``) they return the queryset or the
object itself, the object permissions checked. A sync override calling ``super()``
(DRF's ``return super().get_queryset().filter(...)``) gets the plain queryset wherever it
is called from; an ``async`` override's ``await super().get_queryset()`` keeps working.
``get_serializer(instance, many=False)`` answers with the action's schema (a Struct or a
list of them), which a handler returns as is.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from asyncio import events
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import msgspec
from asgiref.sync import async_to_sync
from django.core.exceptions import SynchronousOnlyOperation, ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, models, router

from bolt.bodies import json_extractor
from bolt.exceptions import ImproperlyConfigured, NotFound, RequestValidationError
from bolt.exceptions import validation_error as verr
from bolt.request import Request
from bolt_plugins.crud.db import call_maybe_async, runner_for
from bolt_plugins.crud.encoding import to_struct, to_structs, with_relations
from bolt_plugins.crud.facts import KNOWN_QUERY
from bolt_plugins.crud.filters import FilterSpec
from bolt_plugins.crud.schemas import covering_names, field_type, model_schema, write_schema
from bolt_plugins.viewsets.options import declared

__all__ = [
    "GenericView",
    "body_extractor",
    "check_view",
    "chosen_serializer",
    "filter_spec_of",
    "paginator_of",
    "serializer_is_dynamic",
    "static_serializer",
    "uses_crud_mixins",
]

try:  # Django 6+: what a forced update that matched no row raises
    from django.core.exceptions import ObjectNotUpdated as _NotUpdated

    _NOT_UPDATED: tuple[type[BaseException], ...] = (_NotUpdated,)
except ImportError:  # pragma: no cover - Django < 6
    _NOT_UPDATED = ()

WRITE_ACTIONS = {"create": False, "update": False, "partial_update": True}
METHOD_ACTIONS = {"post": "create", "put": "update", "patch": "partial_update"}
SERIALIZER_ATTRS = {
    "list": ("list_serializer_class",),
    "retrieve": ("detail_serializer_class",),
    "create": ("create_serializer_class",),
    "update": ("update_serializer_class", "create_serializer_class"),
    "partial_update": ("update_serializer_class", "create_serializer_class"),
}


def _model_of(cls: Any) -> Any:
    model = getattr(cls, "model", None)
    if model is None:
        qs = getattr(cls, "queryset", None)
        model = getattr(qs, "model", None)
    return model


class _NoRequest(dict):  # type: ignore[type-arg]
    """Stands in for ``self.request`` when a serializer is chosen at registration: an
    anonymous request with no headers, query or auth."""

    headers: dict[str, str] = {}
    query: dict[str, str] = {}
    params: dict[str, str] = {}
    auth = None
    method = ""
    path = ""


_NO_REQUEST = _NoRequest()


_SERIALIZER_NAMES = (
    "serializer_class",
    "list_serializer_class",
    "detail_serializer_class",
    "create_serializer_class",
    "update_serializer_class",
)
_dynamic: dict[type, bool] = {}


def serializer_is_dynamic(cls: type) -> bool:
    """True when ``cls`` may choose its schemas per request (decided once per class): it
    has its own ``get_serializer_class`` or computes a serializer attribute (a property).

    Such a class cannot be asked at registration which schema a write body has: the
    anonymous stand-in request says nothing about the callers who will write.
    """
    # hot path
    found = _dynamic.get(cls)
    if found is None:
        found = _dynamic[cls] = _computes_serializer(cls)
    return found


def _computes_serializer(cls: type) -> bool:
    if getattr(cls, "get_serializer_class", None) is not GenericView.get_serializer_class:
        return True
    for name in _SERIALIZER_NAMES:
        static = inspect.getattr_static(cls, name, None)
        if static is not None and not isinstance(static, type) and hasattr(type(static), "__get__"):
            return True
    return False


_read_only: dict[type, frozenset[str]] = {}


def read_only_of(cls: type) -> frozenset[str]:
    """The class's ``read_only_fields`` as a set (never in a write body), each model field
    under both its names (``author`` and ``author_id``): a body naming either is refused,
    and ``_assign`` never writes either. Worked out once per class."""
    found = _read_only.get(cls)
    if found is None:
        found = _read_only[cls] = covering_names(
            _model_of(cls), frozenset(declared(cls, "read_only_fields") or ())
        )
    return found


def check_view(cls: type) -> None:
    """Refuse, at startup, serializer configurations that cannot be honoured per request."""
    chooser = getattr(cls, "get_serializer_class", None)
    if inspect.iscoroutinefunction(chooser):
        raise ImproperlyConfigured(
            f"{cls.__name__}.get_serializer_class() is `async def`; it must be a plain method "
            "returning a schema class: it is called for every request to choose the schema "
            "of the body and of the answer. Read `self.request.auth` or `self.request.user` "
            "in it (the user is loaded for you); keep database work in `get_queryset()`"
        )
    names = declared(cls, "read_only_fields") or ()
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise ImproperlyConfigured(
            f"{cls.__name__}.read_only_fields must be a tuple of field names, not {names!r}"
        )
    model = _model_of(cls)
    if model is not None:
        for name in names:
            try:
                model._meta.get_field(name)
            except Exception:
                raise ImproperlyConfigured(
                    f"{cls.__name__}.read_only_fields names {name!r}, which is not a field of "
                    f"{model.__name__}"
                ) from None


_MIXINS = "bolt_plugins.crud.mixins"
_has_mixins: dict[type, bool] = {}


def uses_crud_mixins(cls: type) -> bool:
    """True when ``cls`` has one of the CRUD mixins among its bases (decided once per class).

    Only such classes take the mixins' conventions for handlers of their own: an untyped
    ``data`` of a write handler typed with the write schema, the serializer documented as
    a handler's answer. A plain ``ViewSet``'s own ``create(self, request, data)`` gets the
    JSON body as sent, as before the ORM hooks moved to ``GenericView``.
    """
    found = _has_mixins.get(cls)
    if found is None:
        found = _has_mixins[cls] = any(k.__module__ == _MIXINS for k in cls.__mro__)
    return found


def _writes_through_orm(cls: type, action: str) -> bool:
    """Whether ``action`` ends in the plugin's own ``create_object``/``update_object``
    (which copy body fields onto a model), not in the class's overrides."""
    name = "create_object" if action == "create" else "update_object"
    own = getattr(cls, name, None)
    return own is getattr(GenericView, name, None)


def static_serializer(cls: type, action: str | None) -> Any:
    """The serializer an action uses, asked of the class at registration (no request).

    A ``get_serializer_class`` that needs ``self.request`` fails here; the class
    attributes' fallback chain answers instead. Such classes choose per request
    (``serializer_is_dynamic``); this answer only documents them.
    """
    check_view(cls)
    probe: Any = object.__new__(cls)
    probe.request = _NO_REQUEST
    probe.action = action
    probe.kwargs = {}
    try:
        found = probe.get_serializer_class(action)
        if found is not None:
            return found
    except Exception:
        pass
    for name in (*SERIALIZER_ATTRS.get(action or "", ()), "serializer_class"):
        found = getattr(cls, name, None)
        if found is not None:
            return found
    model = _model_of(cls)
    return model_schema(model) if model is not None else None


async def chosen_serializer(view: Any, action: str | None) -> Any:
    """``view.get_serializer_class(action)`` on the event loop.

    A chooser reading ``self.request.user`` makes Django load the user synchronously, which
    Django refuses on the loop: the user is then loaded with the async ORM (once per
    request, cached on the request) and the chooser asked again.
    """
    try:
        return view.get_serializer_class(action)
    except SynchronousOnlyOperation:
        await view.request.auser()
        return view.get_serializer_class(action)


def _body_type(cls: type, schema: Any, partial: bool) -> Any:
    """The write Struct of ``schema`` for ``cls`` (cached by ``write_schema``)."""
    try:
        return write_schema(_model_of(cls), schema, partial, read_only_of(cls))
    except TypeError:
        raise ImproperlyConfigured(
            f"{cls.__name__}.get_serializer_class() returned {schema!r}; a write needs a "
            "msgspec.Struct class"
        ) from None


# Where ``body_extractor`` leaves (write action, schema) on the request it chose for.
_CHOSEN = "_bolt_write_schema"

# (route, chosen schema) -> the kernel's JSON extractor for that schema's write Struct:
# built the first time a schema is chosen for a route, never per request.
BODY_DECODERS: dict[tuple[Any, Any], Callable[[Request], Any]] = {}


def body_extractor(api: Any, route: Any, param: Any) -> Callable[[Request], Any] | None:
    """The ``data`` extractor of a write route whose class chooses its schema per request.

    ``None`` (the kernel's own decoder of the static body type) for every other parameter
    and route: classes with a fixed serializer keep their one decoder. For the others, the
    body is decoded strictly (unknown fields are a 422 naming them) against the write Struct
    of what ``get_serializer_class()`` returns for this request and action.
    """
    view = route.view_class
    if param.name != "data" or param.source != "body" or view is None:
        return None
    if not (isinstance(view, type) and issubclass(view, GenericView)):
        return None
    handler_action = route.action
    action = METHOD_ACTIONS.get(handler_action or "", handler_action)
    if action not in WRITE_ACTIONS or not serializer_is_dynamic(view):
        return None
    partial = WRITE_ACTIONS[action]
    try:
        static = _body_type(view, static_serializer(view, action), partial)
    except ImproperlyConfigured:
        static = None
    if param.annotation is not static:
        return None  # the handler declared its own body type: the kernel decodes it
    typed = dataclasses.replace

    def build(schema: Any) -> Callable[[Request], Any]:
        body = _body_type(view, schema, partial)
        if len(BODY_DECODERS) >= 1024:
            BODY_DECODERS.clear()
        decode = BODY_DECODERS[(route, schema)] = json_extractor(
            typed(param, annotation=body), route, api
        )
        return decode

    async def extract(request: Request) -> Any:
        # hot path (classes that choose their serializer per request)
        chooser: Any = object.__new__(view)
        chooser.request = request
        chooser.action = handler_action
        chooser.kwargs = request.params
        schema = await chosen_serializer(chooser, action)
        # The write helpers check against this same choice (``_chosen_write_fields``).
        request.__dict__[_CHOSEN] = (action, schema)
        decode = BODY_DECODERS.get((route, schema))
        if decode is None:
            decode = build(schema)
        return decode(request)

    return extract


def _unknown(names: list[str]) -> RequestValidationError:
    """Fields a write schema lacks, reported as the kernel's strict decoding reports them."""
    return RequestValidationError(
        [verr(["body"], f"Object contains unknown field `{name}`") for name in names]
    )


_names: dict[type, dict[str, str]] = {}


def _field_names(struct: type) -> dict[str, str]:
    """A Struct's attribute names mapped to their JSON names (cached per class)."""
    found = _names.get(struct)
    if found is None:
        found = _names[struct] = {f.name: f.encode_name for f in msgspec.structs.fields(struct)}
    return found


_types: dict[type, dict[str, Any]] = {}
# What a client's JSON can carry: the values whose type is checked here.
_JSON_VALUES = (str, int, float, bool, list, dict)


def _check_values(data: dict[str, Any], body: type) -> None:
    """Each value of a dict a handler writes has its field's type in ``body``, as a decoded
    body would (a list for a text field is a 422 naming it, not stored as its string form).

    Only the names the dict gives are checked (and written): a dict may leave fields out."""
    types = _types.get(body)
    if types is None:
        types = _types[body] = {f.name: f.type for f in msgspec.structs.fields(body)}
    errors = []
    for name, value in data.items():
        if value is None or value is msgspec.UNSET:
            continue  # NULL: Django's own validation decides; UNSET: never written
        if not isinstance(value, _JSON_VALUES):
            continue  # a Python object a handler built (a date, a File): Django checks it
        try:
            msgspec.convert(value, types[name])
        except msgspec.ValidationError as exc:
            errors.append(verr(["body", name], str(exc).split(" - at ", 1)[0]))
    if errors:
        raise RequestValidationError(errors)


# Set on a view while the plugin calls a sync override of ``get_queryset``/``filter_queryset``
# on the event loop: ``super()`` inside it answers with the plain queryset.
_SYNC_OVERRIDE = "_bolt_sync_override"


async def _ready(value: Any) -> Any:
    """``value`` as an awaitable (what the hooks return on the event loop)."""
    return value


def _loop_running() -> bool:
    """Whether this thread runs an event loop (an ``async`` handler), not a worker thread."""
    return events._get_running_loop() is not None


def _settle(value: Any) -> Any:
    """A hook's answer in a worker thread: an awaitable (an ``async`` override) is run on
    the event loop this thread was started from."""
    if inspect.isawaitable(value):
        return async_to_sync(_ready_await)(value)
    return value


async def _ready_await(value: Awaitable[Any]) -> Any:
    return await value


def _loop_aware(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """A subclass's sync (DRF-style) override of ``get_queryset``/``filter_queryset``/
    ``get_object``, made to answer like the hook it overrides: awaitable when an ``async``
    handler calls it on the event loop (``await self.get_queryset()``), plain otherwise.
    Queryset hooks run on the loop with ``super()`` answering plainly; ``get_object`` (which
    queries) runs in a worker thread."""

    @functools.wraps(func)
    def hook(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not _loop_running() or self.__dict__.get(_SYNC_OVERRIDE):
            return func(self, *args, **kwargs)
        if name == "get_object":
            return self._in_orm_thread(functools.partial(func, self, *args, **kwargs))
        return self._call_sync_override(functools.partial(func, self, **kwargs), *args)

    hook._bolt_loop_aware = True  # type: ignore[attr-defined]
    return hook


_LOOP_AWARE_HOOKS = ("get_queryset", "filter_queryset", "get_object")

_bare_get_object: dict[Any, bool] = {}


def _takes_no_lookup(method: Any) -> bool:
    """True for DRF's ``def get_object(self)``: it reads ``self.kwargs``, not arguments."""
    found = _bare_get_object.get(method)
    if found is None:
        try:
            found = len(inspect.signature(method).parameters) == 1
        except (TypeError, ValueError):
            found = False
        _bare_get_object[method] = found
    return found


_GET_SERIALIZER_DATA = (
    "{cls}.get_serializer(data=...) is DRF's way to validate a body; in Bolt the body "
    "arrives validated as the handler's `data` parameter (typed with the write schema), "
    "and `await self.create_object(data)` / `await self.update_object(obj, data, "
    "partial)` save it. get_serializer(instance, many=False) only answers with the schema."
)


# (class, handler action, partial, helper action) -> the write body type, ``None`` (no
# schema) or ``PER_REQUEST``: decided once per class and action.
_write_bodies: dict[tuple[Any, ...], Any] = {}
_UNKNOWN = object()
PER_REQUEST = object()


class GenericView:
    """The ORM hooks of a view class: combine it with the viewsets plugin's ``APIView`` or
    ``ViewSet`` (the CRUD mixins and the public ``ViewSet`` do).

    Class attributes: ``queryset`` or ``model``, ``serializer_class`` and the per-action
    ``list_``/``detail_``/``create_``/``update_serializer_class``, ``pagination_class``,
    ``filterset_fields``, ``search_fields``, ``ordering_fields``, ``ordering``,
    ``read_only_fields`` (model fields no write body may name, such as an ``owner`` set in
    ``perform_create``). ``lookup_field`` belongs to the view class (it names a path
    parameter).
    """

    model: Any = None
    queryset: Any = None
    serializer_class: Any = None
    list_serializer_class: Any = None
    detail_serializer_class: Any = None
    create_serializer_class: Any = None
    update_serializer_class: Any = None
    read_only_fields: tuple[str, ...] = ()
    pagination_class: Any = None
    filterset_fields: Any = None
    search_fields: Any = None
    ordering_fields: Any = None
    ordering: Any = None
    #: Reuse the compiled SQL of ``list``/``retrieve`` when the class reads its queryset
    #: the default way (see ``bolt_plugins.crud.prepared``); ``False`` builds every query anew.
    prepare_queries: bool = True
    request: Request
    action: str | None
    kwargs: dict[str, Any]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in _LOOP_AWARE_HOOKS:
            # The definition calls find first: the class's own, or a plain mixin's
            # (``class V(OwnedMixin, ModelViewSet)``), above GenericView's.
            own = None
            for klass in cls.__mro__:
                if klass is GenericView:
                    break
                if name in klass.__dict__:
                    own = klass.__dict__[name]
                    break
            if not inspect.isfunction(own) or inspect.iscoroutinefunction(own):
                continue
            if not getattr(own, "_bolt_loop_aware", False):
                setattr(cls, name, _loop_aware(name, own))

    if TYPE_CHECKING:
        # Provided by the view class the hooks are combined with (``APIView``/``ViewSet``):
        # the object checks have one implementation, and the lookup field is routing.
        async def check_object_permissions(self, obj: Any) -> None: ...

        @classmethod
        def get_lookup_field(cls) -> str: ...

    # --- registration-time hooks (called by the viewsets plugin) ------------------------
    @classmethod
    def get_model(cls) -> Any:
        """The model this view works on (``model``, else ``queryset.model``), or ``None``."""
        return _model_of(cls)

    @classmethod
    def get_lookup_annotation(cls) -> Any:
        """The lookup path parameter's type, from the model field (int ids → 422 on 'abc')."""
        model = _model_of(cls)
        if model is None:
            return str
        name = cls.get_lookup_field()
        try:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        except Exception:
            return str
        tp = field_type(field)
        return tp if tp in (int, str) or isinstance(tp, type) else str

    @classmethod
    def handler_signature(cls, action: str, signature: inspect.Signature) -> inspect.Signature:
        """Type the mixins' ``data`` parameter with this class's write schema."""
        parent = getattr(super(), "handler_signature", None)
        if parent is not None:
            signature = parent(action, signature)
        param = signature.parameters.get("data")
        handler = action
        # HTTP-method handlers under api.view() (``post``/``put``/``patch``) write too.
        action = METHOD_ACTIONS.get(action, action)
        if param is None or action not in WRITE_ACTIONS:
            return signature
        if param.annotation not in (Any, inspect.Parameter.empty, "Any"):
            return signature
        if not uses_crud_mixins(cls):
            return signature  # a plain ViewSet's own handler: ``data`` is the body as sent
        schema = static_serializer(cls, action)
        if schema is None:
            if serializer_is_dynamic(cls) or not _writes_through_orm(cls, action):
                return signature  # the class's own create_object/update_object decide
            own = getattr(cls, handler, None) or getattr(cls, action, None)
            if getattr(own, "__module__", None) != _MIXINS:
                return signature  # the class's own handler decides what its body is
            raise ImproperlyConfigured(
                f"{cls.__qualname__}.{action} writes a body to the ORM, but no write schema can"
                " be derived: the class needs `queryset`, `model` or `serializer_class` (or a"
                " typed `data` parameter). A `get_queryset()` alone does not say which fields"
                " a client may write, and every editable field would be open."
            )
        body = _body_type(cls, schema, WRITE_ACTIONS[action])
        params = [p.replace(annotation=body) if p.name == "data" else p for p in
                  signature.parameters.values()]  # fmt: skip
        return signature.replace(parameters=params)

    # --- per-request helpers -------------------------------------------------------------
    def get_queryset(self) -> Any:
        """A fresh clone of ``queryset`` (or of ``model``'s default manager), per call.

        Awaitable in an ``async`` handler (``await self.get_queryset()``), the queryset
        itself in a sync one. Overrides may be sync (``return
        super().get_queryset().filter(...)``, as in DRF) or async (``await
        super().get_queryset()``)."""
        queryset = self._declared_queryset()
        return _ready(queryset) if self._answers_later() else queryset

    def _declared_queryset(self) -> Any:
        if self.queryset is not None:
            return self.queryset.all()
        if self.model is not None:
            return self.model._default_manager.all()
        raise ImproperlyConfigured(
            f"{type(self).__name__} has no `queryset`; set `queryset = Model.objects.all()`, "
            "`model = Model`, or override `get_queryset()`"
        )

    def _answers_later(self) -> bool:
        """True when a hook must return an awaitable: on the event loop, except inside a
        sync override the plugin is calling there."""
        return _loop_running() and not self.__dict__.get(_SYNC_OVERRIDE)

    async def _call_sync_override(self, method: Callable[..., Any], *args: Any) -> Any:
        """Call a sync override of a queryset hook on the event loop: ``super()`` inside it
        answers plainly. A ``self.request.user`` it reads is loaded first if Django refuses
        the synchronous load here."""
        previous = self.__dict__.get(_SYNC_OVERRIDE, False)
        self.__dict__[_SYNC_OVERRIDE] = True
        try:
            try:
                result = method(*args)
            except SynchronousOnlyOperation:
                await self.request.auser()
                result = method(*args)
        finally:
            self.__dict__[_SYNC_OVERRIDE] = previous
        return await result if inspect.isawaitable(result) else result

    async def _queryset(self) -> Any:
        own = type(self).get_queryset
        if own is GenericView.get_queryset:
            return self._declared_queryset()
        if inspect.iscoroutinefunction(own):
            return await self.get_queryset()
        return await self._call_sync_override(self.get_queryset)

    def _queryset_now(self) -> Any:
        """``get_queryset()`` in a worker thread (an async override runs on the loop)."""
        if type(self).get_queryset is GenericView.get_queryset:
            return self._declared_queryset()
        return _settle(self.get_queryset())

    async def _filtered(self, queryset: Any) -> Any:
        own = type(self).filter_queryset
        if own is GenericView.filter_queryset:
            return self._filter(queryset)
        if inspect.iscoroutinefunction(own):
            return await self.filter_queryset(queryset)
        return await self._call_sync_override(self.filter_queryset, queryset)

    def filter_queryset(self, queryset: Any) -> Any:
        """Apply the declared ``filterset_fields``/``search_fields``/``ordering_fields`` and
        ``ordering`` (awaitable in an ``async`` handler, plain in a sync one).

        A class without the CRUD mixins that declares none of them gets ``queryset``
        unchanged: its handlers read their own query parameters (``?ordering=`` may be
        theirs). The mixins' ``list`` refuses an ``?ordering=`` nothing allows (400). In a
        sync handler it also takes what an ``async`` override of ``get_queryset`` returned
        (``self.filter_queryset(self.get_queryset())``) and runs it on the event loop.
        """
        if self._answers_later():
            return _ready(self._filter(queryset))
        if not _loop_running():
            queryset = _settle(queryset)
        return self._filter(queryset)

    def _filter(self, queryset: Any) -> Any:
        if not isinstance(queryset, models.QuerySet):
            return queryset
        spec = filter_spec_of(type(self), queryset.model)
        if not spec.declared and not uses_crud_mixins(type(self)):
            return queryset
        route = getattr(self.request, "route", None)
        known = route.meta.get(KNOWN_QUERY, frozenset()) if route is not None else ()
        return spec.apply(queryset, self.request.query, frozenset(known))

    def get_object(self, pk: Any = None, **lookup: Any) -> Any:
        """One object of ``get_queryset()`` by ``pk``/``lookup``, else by the URL's lookup
        value. A missing object, or a value the column cannot hold, is a 404.

        The route's ``object_checks`` (the guards' ``has_object_permission``) run on the
        object before it is returned; a refusal raises 401/403. Awaitable in an ``async``
        handler (``await self.get_object()``); in a sync handler the object itself."""
        lookup = self._lookup(pk, lookup)
        if _loop_running():
            return self._aget_object(lookup)
        return self._get_object_now(lookup)

    def _lookup(self, pk: Any, lookup: dict[str, Any]) -> dict[str, Any]:
        field = self.get_lookup_field()
        lookup = {k: v for k, v in lookup.items() if v is not None}
        if pk is not None:
            lookup = {field: pk, **lookup}
        if not lookup:
            if field not in self.kwargs:
                raise ImproperlyConfigured(
                    f"{type(self).__name__}.get_object() got no lookup value and the URL has "
                    f"no {{{field}}} parameter"
                )
            lookup = {field: self.kwargs[field]}
        return lookup

    async def _aget_object(self, lookup: dict[str, Any]) -> Any:
        queryset = await self._queryset()
        obj = await runner_for(queryset.db).read(_fetch, queryset, lookup)
        await self.check_object_permissions(obj)
        return obj

    def _get_object_now(self, lookup: dict[str, Any]) -> Any:
        """``get_object`` in a worker thread (a sync handler): the query runs here, the
        object checks on the event loop."""
        obj = _fetch(self._queryset_now(), lookup)
        route = getattr(self.request, "route", None)
        if route is not None and route.object_checks:
            async_to_sync(self.check_object_permissions)(obj)
        return obj

    async def _object(self, kwargs: dict[str, Any]) -> Any:
        """``get_object(**kwargs)`` for the CRUD actions, whatever kind the override is: a
        sync one (DRF's ``def get_object(self)``) runs in a worker thread."""
        # hot path
        own = type(self).get_object
        if own is GenericView.get_object:
            return await self._aget_object(self._lookup(None, kwargs))
        args = {} if _takes_no_lookup(own) else kwargs
        if inspect.iscoroutinefunction(own):
            return await self.get_object(**args)
        result = await self._in_orm_thread(functools.partial(self.get_object, **args))
        return await result if inspect.isawaitable(result) else result

    async def _in_orm_thread(self, call: Callable[[], Any]) -> Any:
        """A sync ``get_object`` override, run as any ORM unit is: in the ORM thread of the
        class's database, with Django's connection hygiene around it."""
        queryset = self.queryset
        if queryset is not None:
            alias = queryset.db
        elif self.model is not None:
            alias = router.db_for_read(self.model)
        else:
            alias = DEFAULT_DB_ALIAS
        result = await runner_for(alias).read(call)
        return await result if inspect.isawaitable(result) else result

    async def _get_checked(self, kwargs: dict[str, Any]) -> Any:
        """``get_object(**kwargs)``, with the route's object checks passed for it even when
        an overridden ``get_object`` did not run them (it loaded the object another way)."""
        # hot path
        obj = await self._object(kwargs)
        route = self.request.route
        checks = route is not None and route.object_checks
        if checks and self.__dict__.get("_bolt_checked") is not obj:
            await self.check_object_permissions(obj)
        return obj

    async def _prime_serializer(self, action: str) -> None:
        """Let a per-request ``get_serializer_class`` run on the loop (see
        ``chosen_serializer``); its errors are reported by the real call."""
        try:
            await chosen_serializer(self, action)
        except Exception:
            pass

    # --- answers ---------------------------------------------------------------------------
    def get_serializer(
        self, instance: Any = None, *args: Any, many: bool = False, **kwargs: Any
    ) -> Any:
        """``instance`` as the current action's schema (``get_serializer_class()``): a Struct,
        or a list of them for a queryset or ``many=True``. Return it from the handler as it
        is (there is no ``.data``).

        DRF's ``get_serializer(data=...)`` validation is refused with an explanation: the
        body arrives validated as the handler's ``data``. On the event loop a conversion
        that needs the database (a queryset, a list, relations to load) cannot run: use
        ``await self.aget_serializer(...)`` there."""
        if args or kwargs or instance is None:
            raise TypeError(_GET_SERIALIZER_DATA.format(cls=type(self).__qualname__))
        schema = self.get_serializer_class(getattr(self, "action", None))
        if not _loop_running():
            return _serialize(instance, schema, many)
        refusal = TypeError(
            f"{type(self).__qualname__}.get_serializer() in an async handler can only convert "
            "one model instance whose schema reads no relation; use `await "
            "self.aget_serializer(...)` (it reads in the ORM thread)"
        )
        if many or not isinstance(instance, models.Model):
            raise refusal
        try:
            return to_struct(instance, schema)
        except SynchronousOnlyOperation:
            raise refusal from None

    async def aget_serializer(self, instance: Any, *, many: bool = False) -> Any:
        """``get_serializer`` for ``async`` handlers: any conversion, in the ORM thread."""
        schema = await chosen_serializer(self, getattr(self, "action", None))
        if isinstance(instance, models.QuerySet):
            alias = instance.db
        elif isinstance(instance, models.Model):
            alias = instance._state.db or DEFAULT_DB_ALIAS
        else:
            alias = DEFAULT_DB_ALIAS
        return await runner_for(alias).read(_serialize, instance, schema, many)

    def get_serializer_class(self, action: str | None = None) -> Any:
        """The schema of an action (``*_serializer_class`` chain, then an automatic model
        schema for a ModelViewSet that declares none)."""
        action = action if action is not None else getattr(self, "action", None)
        for name in (*SERIALIZER_ATTRS.get(action or "", ()), "serializer_class"):
            found = getattr(self, name, None)
            if found is not None:
                return found
        model = _model_of(type(self))
        if model is None:
            raise ImproperlyConfigured(
                f"{type(self).__name__} has no serializer for action {action!r}; set "
                "`serializer_class` (or `queryset`/`model` to derive one from the model), or "
                "override `get_serializer_class()`"
            )
        return model_schema(model)

    def _read_schema(self, action: str) -> Any:
        try:
            return self.get_serializer_class(action)
        except ImproperlyConfigured:
            return None

    def _output(self, instance: Any) -> Any:
        """Serialize a written/fetched instance with the detail schema."""
        schema = self._read_schema("retrieve")
        if schema is None or not isinstance(instance, models.Model):
            return instance
        return to_struct(instance, schema)

    # --- writes ----------------------------------------------------------------------------
    def _write_fields(self, data: Any, partial: bool, write_action: str) -> Any:
        """The names ``data`` may write: ``None`` when it is exactly the body type of the
        schema chosen for this request (then every field of it may be written), or
        ``PER_REQUEST`` when the class chooses per request (``_chosen_write_fields``).

        The schema is ``get_serializer_class()`` of the request's write action (a custom
        action's helper call uses ``write_action``). Data of another shape (a dict, a wider
        Struct a handler declared) that names a field outside it is a 422 before anything
        is written; fields it has only by default are not written.
        """
        # hot path (one dict lookup for classes with fixed serializers)
        key = (type(self), self.action, partial, write_action)
        body = _write_bodies.get(key, _UNKNOWN)
        if body is _UNKNOWN:
            body = _write_bodies[key] = self._fixed_body(partial, write_action)
        if body is None:
            if isinstance(data, msgspec.Struct):
                return None  # a typed body: its own fields are what may be written
            raise ImproperlyConfigured(
                f"{type(self).__qualname__} writes {type(data).__name__} data without a write"
                " schema; set `serializer_class` (or `queryset`/`model`) so the fields a"
                " client may write are known"
            )
        if type(data) is body:
            return None  # exactly the schema's body
        if body is PER_REQUEST:
            return PER_REQUEST
        return self._allowed(data, body)

    def _write_action(self, write_action: str) -> str:
        action = METHOD_ACTIONS.get(self.action or "", self.action)
        return action if action in WRITE_ACTIONS else write_action

    def _fixed_body(self, partial: bool, write_action: str) -> Any:
        """The body type of a class with fixed serializers (what ``handler_signature``
        typed the body with, asked the same way), or ``PER_REQUEST``."""
        cls = type(self)
        if serializer_is_dynamic(cls):
            return PER_REQUEST
        schema = static_serializer(cls, self._write_action(write_action))
        return None if schema is None else _body_type(cls, schema, partial)

    async def _chosen_write_fields(self, data: Any, partial: bool, write_action: str) -> Any:
        """``_write_fields`` for a class that chooses its serializer per request."""
        cls = type(self)
        action = self._write_action(write_action)
        chosen = self.request.__dict__.get(_CHOSEN)
        if chosen is not None and chosen[0] == action:
            schema = chosen[1]  # chosen for this request when its body was decoded
        else:
            schema = await chosen_serializer(self, action)
        body = _body_type(cls, schema, partial)
        return None if type(data) is body else self._allowed(data, body)

    def _allowed(self, data: Any, body: Any) -> Any:
        allowed = _field_names(body)
        if isinstance(data, dict):
            sent = list(data)
        elif isinstance(data, msgspec.Struct):
            present = self._present
            sent = [
                name
                for name, wire in _field_names(type(data)).items()
                if wire in present and getattr(data, name) is not msgspec.UNSET
            ]
        else:
            return allowed
        refused = [name for name in sent if name not in allowed]
        if refused:
            raise _unknown(refused)
        if isinstance(data, dict):
            _check_values(data, body)
        return allowed

    def _assign(self, instance: Any, data: Any, partial: bool, only: Any = None) -> list[str]:
        """Copy body fields onto the instance (only the names in ``only`` when given);
        return the model field names written."""
        opts = instance._meta
        written: list[str] = []
        if isinstance(data, msgspec.Struct):
            items = [(f, getattr(data, f)) for f in data.__struct_fields__]
        elif isinstance(data, dict):
            items = list(data.items())
        else:
            raise TypeError(f"Cannot write {type(data).__name__} to {opts.model_name}")
        errors = []
        read_only = read_only_of(type(self))
        for name, value in items:
            if value is msgspec.UNSET or (only is not None and name not in only):
                continue
            try:
                field = opts.get_field(name)
            except Exception:
                continue
            if not field.concrete or field.primary_key or not field.editable or field.many_to_many:
                continue
            if field.name in read_only:
                continue  # whatever the name data gives it (``author_id`` for ``author``)
            if isinstance(value, str) and "\x00" in value:
                errors.append(verr(["body", name], "NUL characters are not allowed"))
                continue
            if not partial and value is None and name not in self._present:
                continue
            if name == "password" and hasattr(instance, "set_password"):
                # A user model's password is hashed, never stored as sent.
                instance.set_password(value)
            else:
                setattr(instance, field.attname, value)
            written.append(field.name)
        if errors:
            raise RequestValidationError(errors)
        return written

    def _validate(self, instance: Any, written: list[str]) -> None:
        exclude = [f.name for f in instance._meta.concrete_fields if f.name not in written]
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)

    def perform_create(self, instance: Any) -> None:
        """Save a new instance (inside the write transaction)."""
        instance.save(force_insert=True)

    def perform_update(self, instance: Any) -> None:
        """Save a changed instance (inside the write transaction); 404 if it is gone.

        ``force_update``: a row deleted since it was fetched must not be re-created by the
        INSERT a plain ``save()`` falls back to when its UPDATE matches nothing.
        """
        try:
            instance.save(force_update=True)
        except DatabaseError as exc:
            # Django < 6 raises a plain DatabaseError, 6+ ``Model.NotUpdated``; OperationalError
            # & co. keep their own mapping (503, ...).
            if type(exc) is not DatabaseError and not isinstance(exc, _NOT_UPDATED):
                raise
            raise NotFound(detail=f"{type(instance).__name__} not found") from None

    def perform_destroy(self, instance: Any) -> None:
        """Delete an instance (inside the write transaction); 404 if it is already gone."""
        deleted, _ = instance.delete()
        if not deleted:
            raise NotFound(detail=f"{type(instance).__name__} not found")

    async def create_object(self, data: Any) -> Any:
        """Build, validate and save a new object from the body, in one transaction."""
        queryset = await self._queryset()
        model = queryset.model
        only = self._write_fields(data, False, "create")
        if only is PER_REQUEST:
            only = await self._chosen_write_fields(data, False, "create")

        def work() -> Any:
            instance = model()
            written = self._assign(instance, data, partial=False, only=only)
            self._validate(instance, written)
            call_maybe_async(self.perform_create, instance)
            return self._output(instance)

        return await runner_for(queryset.db).write(work)

    async def update_object(self, instance: Any, data: Any, partial: bool) -> Any:
        """Apply the body to ``instance`` and save it, in one transaction."""
        action = "partial_update" if partial else "update"
        only = self._write_fields(data, partial, action)
        if only is PER_REQUEST:
            only = await self._chosen_write_fields(data, partial, action)

        def work() -> Any:
            written = self._assign(instance, data, partial=partial, only=only)
            self._validate(instance, written)
            call_maybe_async(self.perform_update, instance)
            return self._output(instance)

        return await runner_for(instance._state.db).write(work)

    async def destroy_object(self, instance: Any) -> None:
        """Delete ``instance`` in one transaction."""
        await runner_for(instance._state.db).write(call_maybe_async, self.perform_destroy, instance)

    @property
    def _present(self) -> set[str]:
        """Names present in the JSON body (PUT leaves absent ``None`` fields unchanged)."""
        cached = self.__dict__.get("_bolt_present")
        if cached is None:
            try:
                raw = msgspec.json.decode(self.request.body) if self.request.body else {}
            except Exception:
                raw = {}
            cached = set(raw) if isinstance(raw, dict) else set()
            self.__dict__["_bolt_present"] = cached
        return cached


def _fetch(queryset: Any, lookup: dict[str, Any]) -> Any:
    """``queryset.get(**lookup)``; a value the column cannot hold (``"abc"`` for an
    integer, a bad UUID, an out-of-range number) names no object either: 404, never a 500."""
    model = queryset.model
    try:
        return queryset.get(**lookup)
    except (model.DoesNotExist, ValidationError, ValueError, TypeError, OverflowError):
        raise NotFound(detail=f"{model.__name__} not found") from None


def _serialize(instance: Any, schema: Any, many: bool) -> Any:
    """Model instances → ``schema`` (off the event loop: it may query)."""
    if isinstance(instance, models.QuerySet):
        return to_structs(with_relations(instance, schema), schema)
    if many:
        return [to_struct(item, schema) for item in instance]
    return to_struct(instance, schema)


_specs: dict[tuple[type, type], FilterSpec] = {}


def filter_spec_of(cls: type, model: Any) -> FilterSpec:
    """The compiled whitelists of a class for a model (checked when its routes compile)."""
    key = (cls, model)
    spec = _specs.get(key)
    if spec is None:
        spec = _specs[key] = FilterSpec(cls, model)
    return spec


def paginator_of(cls: type) -> Any:
    """One paginator instance per class (paginators hold configuration only)."""
    klass = getattr(cls, "pagination_class", None)
    if klass is None:
        return None
    cached = _paginators.get(cls)
    if cached is None or type(cached) is not klass:
        cached = _paginators[cls] = klass()
    return cached


_paginators: dict[type, Any] = {}
