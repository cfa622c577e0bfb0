"""The option layers a view class contributes to its routes (see ``bolt.layers``).

From most to least specific: the route's own options (``@action(...)`` keywords, a class-body
decorator's keywords, decorators such as ``@rate_limit`` on the method) → the keywords of
``api.view()``/``api.viewset()`` (they name this class at this path) → the class's attributes
(``auth``, ``guards``, ``status_code``, ``tags`` and every plugin option such as
``rate_limit`` or ``cors``) → what the action implies (route names, ``create`` answers 201)
→ routers, the API and settings (added by the kernel). A class is more specific than the
router or API it is mounted under, so no router or API default can loosen what the class
declares.

Attributes that mean something in DRF but not here (``permission_classes``, ...) stop
startup with the Bolt equivalent, instead of being silently ignored.
"""

from __future__ import annotations

from typing import Any

from bolt.classoptions import CLASS_OPTIONS, FOREIGN_ATTRIBUTES, class_layer, declared
from bolt.layers import Layer

__all__ = [
    "CLASS_OPTIONS",
    "FOREIGN_ATTRIBUTES",
    "action_layer",
    "class_layer",
    "declared",
    "registration_layer",
]

# Keys of a registration call that describe the registration, not the routes.
_NOT_ROUTE_OPTIONS = frozenset({"kind", "methods", "basename", "layers"})


def registration_layer(kind: str, path: str, cls: type, registration: dict[str, Any]) -> Layer:
    """The keywords of ``api.view()``/``api.viewset()``: above the class's own attributes."""
    options = {k: v for k, v in registration.items() if k not in _NOT_ROUTE_OPTIONS}
    return Layer("registration", f"api.{kind}({path!r}, {cls.__qualname__})", options)


def action_layer(cls: type, action: str, defaults: dict[str, Any]) -> Layer:
    """What an action implies unless something above says otherwise (name, status)."""
    return Layer("action", f"{cls.__qualname__}.{action}", defaults)
