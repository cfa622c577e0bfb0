"""One OpenAPI Operation object per compiled route.

Names and texts come from the route first (``operation_id``, ``summary``, ``description``,
``tags``) and fall back to the handler: its docstring (first line is the summary, the rest
the description) and its name. Class-based routes fall back to the view class and action,
and are tagged with the class name unless they carry tags of their own.

The kernel's part (parameters, request body, the success answer, and the errors the kernel
itself produces: 400 for a body that does not parse, 413, 415 and 422) is built here; then
every plugin adds what it enforces through ``bolt_openapi_operation`` (security, 401/403,
429, the CRUD plugin's answers and list parameters, ...).
"""

from __future__ import annotations

import inspect
import re
import typing
from typing import Any

from bolt.exceptions import ImproperlyConfigured
from bolt.responses import Response

from .context import ERROR_REF, VALIDATION_REF, OperationDoc, phrase
from .params import VALIDATED_SOURCES, all_params, parameters, request_body
from .schema import SchemaSlot

__all__ = ["ERROR_COMPONENTS", "base_operation_id", "build_operation", "check_responses"]

# The wire shapes every Bolt error uses (see the error contract in docs/responses-and-errors).
ERROR_COMPONENTS: dict[str, Any] = {
    "BoltError": {
        "title": "Error",
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "BoltValidationErrorItem": {
        "title": "ValidationErrorItem",
        "type": "object",
        "properties": {
            "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
            "msg": {"type": "string"},
            "type": {"type": "string"},
        },
        "required": ["loc", "msg", "type"],
    },
    "BoltValidationError": {
        "title": "ValidationError",
        "type": "object",
        "properties": {
            "detail": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/BoltValidationErrorItem"},
            }
        },
        "required": ["detail"],
    },
}
_NON_WORD = re.compile(r"[^0-9A-Za-z_]+")


def _docstring(route: Any) -> tuple[str | None, str | None]:
    target = route.source if route.source is not None else route.endpoint
    doc = inspect.getdoc(target)
    if not doc:
        return None, None
    first, _, rest = doc.strip().partition("\n")
    return first.strip() or None, rest.strip() or None


def _handler_name(route: Any) -> str:
    target = route.source if route.source is not None else route.endpoint
    return str(getattr(target, "__name__", None) or "handler")


def base_operation_id(route: Any) -> str:
    """The operationId before de-duplication: explicit, ``View_action``, or the function."""
    explicit = route.options.get("operation_id")
    if explicit:
        return str(explicit)
    if route.view_class is not None:
        name = f"{route.view_class.__name__}_{route.action or route.method.lower()}"
    else:
        name = _handler_name(route)
    return _NON_WORD.sub("_", name).strip("_") or route.method.lower()


def _title(name: str) -> str:
    return " ".join(part.capitalize() for part in name.split("_") if part)


def _declared_return(route: Any) -> Any:
    signature = route.signature
    if signature is None:
        return inspect.Signature.empty
    declared = signature.return_annotation
    if isinstance(declared, str):  # ``from __future__ import annotations``
        try:
            declared = typing.get_type_hints(route.endpoint).get("return", declared)
        except Exception:
            return declared
    return declared


def _success(route: Any) -> tuple[str, dict[str, Any]]:
    declared = _declared_return(route)
    returns_none = declared is None or declared is type(None) or declared == "None"
    status = route.status_code or (204 if returns_none and route.return_type is None else 200)
    description = phrase(status)
    out: dict[str, Any] = {"description": description}
    if status == 204 or (returns_none and route.return_type is None):
        return str(status), out
    tp = route.return_type
    if tp is None and isinstance(declared, type) and issubclass(declared, Response):
        media = getattr(declared, "default_media_type", None)
        if media:
            out["content"] = {media: {}}
        return str(status), out
    if tp is str:
        out["content"] = {"text/plain": {"schema": {"type": "string"}}}
    elif tp is bytes:
        out["content"] = {"application/octet-stream": {"schema": {"type": "string"}}}
    else:
        schema: Any = SchemaSlot(tp) if tp else {}
        out["content"] = {"application/json": {"schema": schema}}
    return str(status), out


def _error(status: int, ref: str = ERROR_REF, description: str | None = None) -> dict[str, Any]:
    return {
        "description": description or phrase(status),
        "content": {"application/json": {"schema": {"$ref": ref}}},
    }


def check_responses(route: Any) -> None:
    """Refuse a ``responses`` option that is not ``{status: description | type | dict}``."""
    value = route.options.get("responses")
    ok = isinstance(value, dict) and all(
        isinstance(k, int) and 100 <= k <= 599 and not isinstance(k, bool) for k in value
    )
    if not ok:
        raise ImproperlyConfigured(
            f"{route!r}: responses= must be a dict of HTTP status (int) -> description, "
            f"Python type of the body, or OpenAPI Response object; got {value!r}"
        )


def _declared_responses(route: Any, doc: OperationDoc) -> dict[str, Any]:
    """The route's ``responses`` option as Response objects."""
    out: dict[str, Any] = {}
    for status, value in (route.options.get("responses") or {}).items():
        if isinstance(value, dict):
            out[str(status)] = value
        elif isinstance(value, str):
            out[str(status)] = doc.error(status, value) if status >= 400 else {"description": value}
        else:
            out[str(status)] = {
                "description": phrase(status),
                "content": {"application/json": {"schema": SchemaSlot(value)}},
            }
    return out


def build_operation(api: Any, route: Any, doc: OperationDoc) -> dict[str, Any]:
    """The Operation object for ``route`` (schemas still as ``SchemaSlot`` placeholders),
    with every plugin's ``bolt_openapi_operation`` contribution."""
    summary, description = _docstring(route)
    op: dict[str, Any] = {}
    tags = list(route.tags) or ([route.view_class.__name__] if route.view_class else [])
    if tags:
        op["tags"] = tags
    op["summary"] = route.summary or summary or _title(route.action or _handler_name(route))
    text = route.description or description
    if text:
        op["description"] = text
    op["operationId"] = base_operation_id(route)
    params = all_params(route)
    found = parameters(route, params)
    if found:
        op["parameters"] = found
    body = request_body(route, params)
    if body is not None:
        op["requestBody"] = body
    status, success = _success(route)
    responses: dict[str, Any] = {status: success}
    if body is not None:
        responses["400"] = _error(400, description="The body cannot be parsed")
        responses["413"] = _error(413, description="The body is larger than the route accepts")
        responses["415"] = _error(415, description="The Content-Type is not one listed here")
    if found or any(p.source in VALIDATED_SOURCES for p in params):
        responses["422"] = _error(422, VALIDATION_REF)
    responses.update(_declared_responses(route, doc))
    op["responses"] = responses
    if route.options.get("deprecated"):
        op["deprecated"] = True
    api.pm.hook.bolt_openapi_operation(api=api, route=route, operation=op, doc=doc)
    op["responses"] = dict(sorted(op["responses"].items()))
    return op
