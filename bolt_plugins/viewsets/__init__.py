"""The ``viewsets`` plugin: class-based views on the kernel's route hooks.

- ``api.view(path)`` routes an ``APIView``'s ``get``/``post``/... methods;
- ``api.viewset(path)`` routes a ``ViewSet``'s ``list``/``create``/``retrieve``/``update``/
  ``partial_update``/``destroy`` and its ``@action`` handlers;
- ``@api.get(...)`` and friends inside a class body bind to the class when it is created.

Each request gets a fresh view instance; discovery, signatures and inherited options are
worked out once, at registration. See ``docs/viewsets.md``.
"""

from __future__ import annotations

from typing import Any

from bolt.hookspecs import hookimpl
from bolt.route import Route
from bolt_plugins.viewsets.actions import ActionHandler, action
from bolt_plugins.viewsets.classbody import check_unbound, collect_class_body_route
from bolt_plugins.viewsets.discovery import view_routes, viewset_routes
from bolt_plugins.viewsets.views import STANDARD_ACTIONS, APIView, ViewSet

__all__ = [
    "STANDARD_ACTIONS",
    "APIView",
    "ActionHandler",
    "ViewSet",
    "action",
    "bolt_before_compile",
    "bolt_collect_routes",
]


@hookimpl
def bolt_collect_routes(
    api: Any, obj: Any, path: str, options: dict[str, Any]
) -> list[Route] | None:
    """Classes for ``api.view()``/``api.viewset()``; methods for class-body decorators.

    Not ``trylast``: the kernel's own (trylast) implementation rejects class-body
    functions, so this one must be asked first.
    """
    kind = options.get("kind")
    if kind == "view":
        return view_routes(api, obj, path, options)
    if kind == "viewset":
        return viewset_routes(api, obj, path, options)
    if kind == "route":
        return collect_class_body_route(api, obj, path, options)
    return None


@hookimpl
def bolt_before_compile(api: Any) -> None:
    """Refuse class-body routes that never found their class (the class does not subclass
    ``APIView``), instead of serving an API that silently lacks them."""
    check_unbound(api)
