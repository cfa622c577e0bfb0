"""The kernel's own hook implementations, registered on every API with ``trylast``.

They make plain functions routes, supply the default parameter extractors and validate
return values against ``response_model`` / the return annotation. Any plugin answering the
same ``firstresult`` hook first replaces them.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any

import msgspec

from bolt.binding import default_extractor
from bolt.bodies import form_extractor, json_extractor
from bolt.exceptions import ImproperlyConfigured
from bolt.hookspecs import hookimpl
from bolt.params import Param
from bolt.route import Route

log = logging.getLogger("bolt")

_PASSTHROUGH = (Any, dict, list, str, bytes, object, None)


def looks_like_method(func: Any) -> bool:
    """True for a function defined directly in a class body (its qualname says so)."""
    qualname = getattr(func, "__qualname__", "")
    parts = qualname.split(".")
    return len(parts) >= 2 and parts[-2] != "<locals>"


@hookimpl
def bolt_settings_model() -> Any:
    """The kernel's WebSocket and channel settings (``BOLT_WS_*``, ``BOLT_CHANNELS_BACKEND``)."""
    from bolt.websocket import WebSocketSettings

    return WebSocketSettings


@hookimpl(trylast=True)
def bolt_configure(api: Any, settings: Any) -> None:
    # WebSocket route options are the kernel's; declared so BoltAPI/Router keywords and
    # registrations accept them.
    from bolt.compile import WS_OPTIONS

    for name in WS_OPTIONS:
        api.register_option(name, "kernel")
    # Django's MIDDLEWARE around a route (bolt.django_middleware), opt-in per layer.
    api.register_option("django_middleware", "kernel")


@hookimpl(trylast=True)
def bolt_collect_routes(api: Any, obj: Any, path: str, options: dict[str, Any]) -> Any:
    kind = options.get("kind")
    if kind in ("view", "viewset"):
        return None
    if isinstance(obj, type) or not callable(obj):
        raise ImproperlyConfigured(f"Cannot register {obj!r} at {path!r}: not a function")
    if looks_like_method(obj):
        raise ImproperlyConfigured(
            f"{obj.__qualname__} is defined in a class body; route decorators on methods "
            "need the 'viewsets' plugin (add it to BOLT_PLUGINS)"
        )
    return [Route(method, path, obj, options=options) for method in options["methods"]]


@hookimpl(trylast=True)
def bolt_resolve_param(api: Any, route: Route, param: Param) -> Any:
    if param.source in ("body", "form", "file") and param.required:
        from bolt.compile import BODY_METHODS

        if route.method not in BODY_METHODS:
            raise ImproperlyConfigured(
                f"{route!r}: {route.method} requests carry no body, but parameter "
                f"{param.name!r} requires one; give it a default or use POST/PUT/PATCH"
            )
    if param.source == "depends":
        from bolt.compile import depends_extractor

        return depends_extractor(api, route, param)
    if param.source in ("form", "file"):
        return form_extractor(param, api)
    if param.source == "body":
        return json_extractor(param, route, api)
    return default_extractor(param, route, api)


class ResponseValidationError(Exception):
    """A handler returned a value that does not fit its declared response type (a 500)."""


@hookimpl(trylast=True)
def bolt_response_encoder(api: Any, route: Route, return_type: Any) -> Any:
    if return_type is None or return_type in _PASSTHROUGH or return_type is inspect._empty:
        return None
    try:
        msgspec.inspect.type_info(return_type)
    except (TypeError, ValueError):
        return None
    return validating_shape(route, return_type)


def validating_shape(route: Route, target: Any) -> Any:
    """A shaper converting a return value to ``target`` (attributes, dicts, other Structs);
    a value that does not fit is a server error (``ResponseValidationError``).

    Serializers in ``target`` answer with their read variant (computed fields filled,
    write-only fields left out)."""
    from bolt.serializers import output_passthrough, output_view

    target = output_view(target)
    ready = output_passthrough(target)

    def shape(value: Any) -> Any:
        if type(value) is target or (ready is not None and ready(value)):
            return value
        try:
            return msgspec.convert(value, target, from_attributes=True)
        except msgspec.ValidationError as exc:
            raise ResponseValidationError(
                f"{route!r} returned a value that does not match {target!r}: {exc}"
            ) from None

    return shape
