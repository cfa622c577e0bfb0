"""``APIView`` and ``ViewSet``: the routing half of the classes users subclass (the CRUD
plugin's ``GenericView`` is the ORM half).

A view class is configuration plus handlers. Routes are made from it once (by
``api.view()``, ``api.viewset()`` or route decorators in its body); each request then gets a
new instance with ``request``, ``action`` and ``kwargs`` set, so nothing leaks between
requests.
"""

from __future__ import annotations

import inspect
from types import MappingProxyType
from typing import Any, ClassVar

__all__ = ["STANDARD_ACTIONS", "VIEW_ACTIONS", "APIView", "ViewSet"]

# action -> (HTTP method, is a detail route). The route table of ``api.viewset()``.
STANDARD_ACTIONS: dict[str, tuple[str, bool]] = {
    "list": ("GET", False),
    "create": ("POST", False),
    "retrieve": ("GET", True),
    "update": ("PUT", True),
    "partial_update": ("PATCH", True),
    "destroy": ("DELETE", True),
}

# ``api.view()`` of a class with the CRUD mixins and no handler of its own for a method:
# the standard action that serves it (the guide's mixin method mapping), first match wins;
# ``True`` marks actions on one object, which need a path parameter. PATCH falls back to
# ``update`` (``UpdateMixin`` alone serves PUT and PATCH; the PATCH body's fields are all
# optional).
VIEW_ACTIONS: dict[str, tuple[tuple[str, bool], ...]] = {
    "GET": (("retrieve", True), ("list", False)),
    "POST": (("create", False),),
    "PUT": (("update", True),),
    "PATCH": (("partial_update", True), ("update", True)),
    "DELETE": (("destroy", True),),
}

_EMPTY: MappingProxyType[str, Any] = MappingProxyType({})


class APIView:
    """A class whose ``get``/``post``/``put``/``patch``/``delete``/``head``/``options``
    methods handle one path (``api.view(path)``).

    Class attributes ``auth``, ``guards``, ``status_code`` and ``tags`` apply to every route
    made from the class, including route decorators in its body, unless a method sets its
    own (``[]`` means none). Per request: ``self.request``, ``self.action`` (the lower-case
    HTTP method, or the method name for class-body routes) and ``self.kwargs`` (path
    parameters).
    """

    auth: ClassVar[list[Any] | None] = None
    guards: ClassVar[list[Any] | None] = None
    # Methods this class may serve (``["get", "head"]``); handlers for others get no route.
    http_method_names: ClassVar[list[str] | None] = None
    status_code: ClassVar[int | None] = None
    tags: ClassVar[list[str] | None] = None

    request: Any = None
    action: str | None = None
    kwargs: Any = _EMPTY

    def __init__(self, **attrs: Any) -> None:
        # Argument-free construction is what the per-request endpoint does; keyword
        # arguments set attributes (handy in tests and for subclasses).
        for name, value in attrs.items():
            setattr(self, name, value)

    async def check_object_permissions(self, obj: Any) -> None:
        """Run the route's ``object_checks`` (guards' ``has_object_permission``) on ``obj``;
        they raise 401/403 to refuse. ``get_object`` calls it; so may custom handlers that
        load an object another way. Records ``obj`` as checked, so the CRUD actions do not
        run the checks twice."""
        request = self.request
        route = getattr(request, "route", None)
        if route is None or not route.object_checks:
            return
        for check in route.object_checks:
            result = check(request, obj)
            if inspect.isawaitable(result):
                await result
        self.__dict__["_bolt_checked"] = obj

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        from bolt_plugins.viewsets.classbody import bind_class_body_routes

        bind_class_body_routes(cls)

    @classmethod
    def get_lookup_field(cls) -> str:
        """The path parameter naming one object (the CRUD plugin's ``get_object()`` reads
        it): the one ``api.view()`` chose from the registered path, else ``lookup_field``,
        else ``"pk"``."""
        chosen = cls.__dict__.get("_bolt_lookup_field")
        return str(chosen or getattr(cls, "lookup_field", None) or "pk")


class ViewSet(APIView):
    """A resource: ``list``/``create`` on the collection, ``retrieve``/``update``/
    ``partial_update``/``destroy`` on ``{path}/{lookup}``, and ``@action`` endpoints, all
    registered by ``api.viewset(path)``. Only the actions a class implements get routes.

    ``lookup_field`` names the detail path parameter. When no class below ``ViewSet`` sets
    it, the name the detail handlers ask for is used (``retrieve(self, request, id: int)``
    gives ``{id}``), else ``pk``.

    This class knows routes, not models: ``bolt.views.ViewSet`` (the CRUD plugin's
    ``GenericViewSet``) adds ``queryset``, ``get_queryset()``, ``get_object()``,
    ``filter_queryset()`` and ``get_serializer_class()``.
    """

    lookup_field: str = "pk"
    basename: str | None = None

    # --- registration-time helpers ------------------------------------------------------
    @classmethod
    def get_lookup_field(cls) -> str:
        """The detail path parameter's name (see the class docstring for the rule)."""
        cached = cls.__dict__.get("_bolt_lookup_field")
        if cached is None:
            from bolt_plugins.viewsets.discovery import resolve_lookup_field

            cached = resolve_lookup_field(cls)
            cls._bolt_lookup_field = cached  # type: ignore[attr-defined]
        return cached

    @classmethod
    def get_lookup_annotation(cls) -> Any:
        """The type of the lookup value for generic (``**kwargs``) detail handlers.

        Cooperative: a mixin listed after the view class in the bases (the guide writes
        ``class V(ViewSet, ListMixin)``) still gets to answer.
        """
        parent = getattr(super(), "get_lookup_annotation", None)
        return parent() if parent is not None else str

    @classmethod
    def handler_signature(cls, action: str, signature: inspect.Signature) -> inspect.Signature:
        """Adjust a handler's planned signature per subclass (called once per route).

        The default returns it unchanged; generic base classes override it, for example to
        type ``data`` with the subclass's create serializer. Cooperative, like
        ``get_lookup_annotation``, so mixins after the view class in the bases take part.
        """
        parent = getattr(super(), "handler_signature", None)
        return parent(action, signature) if parent is not None else signature
