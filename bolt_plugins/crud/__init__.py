"""The CRUD plugin: the ORM half of view classes (``GenericView``; the public ``ViewSet`` is
``GenericViewSet``), the CRUD mixins, ``ModelViewSet`` and ``ReadOnlyModelViewSet`` over the
Django ORM, model → Struct encoding, ORM error mapping, pagination and declarative filters.

Hooks: ``bolt_configure`` (gives Structs ``from_model``), ``bolt_collect_routes`` (a wrapper:
sync endpoints get connection hygiene), ``bolt_resolve_param`` (the write body of a class that
chooses its serializer per request), ``bolt_route_middleware`` (the ``"orm"`` middleware),
``bolt_response_encoder`` (models
and querysets → the route's schema), ``bolt_exception_handlers`` (ORM errors → 404/409/422/
503), ``bolt_route_compiled`` (checks a ViewSet's filter whitelists against its model and
records which query parameters its list accepts) and ``bolt_openapi_operation`` (answers,
list parameters and ORM errors in the OpenAPI document, ``bolt_plugins/crud/openapi.py``).
See ``docs/crud.md``.

Depends on the viewsets plugin for ``GenericViewSet``/``ModelViewSet``/``ReadOnlyModelViewSet``
(the viewsets plugin's ``ViewSet`` plus ``GenericView``; registering one without viewsets
stops startup naming it). The encoder and the error mapping also serve plain function routes
without it. It is the only first-party plugin that imports another.
"""

from __future__ import annotations

from typing import Any

from bolt.exceptions import ImproperlyConfigured
from bolt.hookspecs import hookimpl
from bolt.route import Route
from bolt_plugins.crud.encoder import answer_per_request, make_encoder
from bolt_plugins.crud.encoding import install_from_model
from bolt_plugins.crud.errors import exception_handlers
from bolt_plugins.crud.facts import KNOWN_QUERY
from bolt_plugins.crud.generics import (
    GenericView,
    body_extractor,
    check_view,
    filter_spec_of,
    paginator_of,
)
from bolt_plugins.crud.hygiene import crud_default, orm_middleware, wrap_sync_endpoints
from bolt_plugins.crud.mixins import (
    CreateMixin,
    DestroyMixin,
    ListMixin,
    PartialUpdateMixin,
    RetrieveMixin,
    UpdateMixin,
)
from bolt_plugins.crud.pagination import (
    CursorPagination,
    LimitOffsetPagination,
    PageNumberPagination,
)

__all__ = [
    "CreateMixin",
    "CursorPagination",
    "DestroyMixin",
    "GenericView",
    "LimitOffsetPagination",
    "ListMixin",
    "PageNumberPagination",
    "PartialUpdateMixin",
    "RetrieveMixin",
    "UpdateMixin",
]


def __getattr__(name: str) -> Any:
    # The ViewSet classes need the viewsets plugin; import it only when they are used, so
    # the encoder and error mapping also serve plain function routes without it.
    if name in ("GenericViewSet", "ModelViewSet", "ReadOnlyModelViewSet", "ViewSet"):
        from bolt_plugins.crud import viewsets

        return getattr(viewsets, name)
    raise AttributeError(f"module 'bolt_plugins.crud' has no attribute {name!r}")


@hookimpl(trylast=True)
def bolt_configure(api: Any, settings: Any) -> None:
    install_from_model()
    api.register_middleware_name("orm")


@hookimpl(wrapper=True)
def bolt_collect_routes(api: Any, obj: Any, path: str, options: dict[str, Any]) -> Any:
    # Whoever builds the routes, sync endpoints get Django's connection hygiene (around the
    # per-request answer schema of classes that choose their serializer per request).
    routes = yield
    return wrap_sync_endpoints(answer_per_request(routes))


# Not ``trylast``: the kernel's default extractors are, and this one must answer first for
# the ``data`` of per-request serializers (it returns ``None`` for every other parameter).
@hookimpl
def bolt_resolve_param(api: Any, route: Route, param: Any) -> Any:
    return body_extractor(api, route, param)


@hookimpl(trylast=True)
def bolt_route_middleware(api: Any, route: Route) -> Any:
    return orm_middleware(route)


# Not ``trylast``: the kernel's own default encoder is ``trylast`` and must come after this
# one; third-party plugins registered later still run first.
@hookimpl
def bolt_response_encoder(api: Any, route: Route, return_type: Any) -> Any:
    return make_encoder(route, return_type)


@hookimpl(trylast=True)
def bolt_exception_handlers(api: Any) -> dict[type[BaseException], Any]:
    return exception_handlers()


@hookimpl(trylast=True)
def bolt_route_compiled(api: Any, route: Route) -> None:
    view = route.view_class
    if view is None or not issubclass(view, GenericView):
        return
    check_view(view)
    model = view.get_model()
    if model is None and _default_queryset(view) and crud_default(route):
        raise ImproperlyConfigured(
            f"{view.__name__} ({route.method} {route.path}) needs `queryset = Model.objects...`"
            ", `model = Model`, or its own `get_queryset()`"
        )
    if model is not None and route.action == "list":
        filter_spec_of(view, model)  # raises ImproperlyConfigured for a bad whitelist
    known = {"search", "ordering"}
    paginator = paginator_of(view)
    if paginator is not None:
        known.update(paginator.query_params)
    known.update(p.alias for p in route.params if p.source == "query")
    route.meta[KNOWN_QUERY] = frozenset(known)


@hookimpl(trylast=True)
def bolt_openapi_operation(api: Any, route: Route, operation: dict[str, Any], doc: Any) -> None:
    from bolt_plugins.crud.openapi import document_crud

    document_crud(route, operation, doc)


def _default_queryset(view: type) -> bool:
    """True when no class overrides ``get_queryset`` (so a model or queryset is required)."""
    own: Any = view.get_queryset  # type: ignore[attr-defined]
    return own is GenericView.get_queryset
