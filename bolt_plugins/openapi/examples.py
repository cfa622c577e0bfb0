"""Examples for request bodies, built from the resolved schemas when the document is built.

An example is the smallest value the schema accepts as written: required properties only
(plus those with a default), each its ``default``, first ``enum`` value or a zero value of
its type, honouring ``minimum``/``minLength``. It is what the docs page pre-fills in
"Try it out", so a reader starts from a body the server accepts.
"""

from __future__ import annotations

from typing import Any

__all__ = ["add_examples", "example_of"]

_FORMATS = {
    "date": "2024-01-01",
    "date-time": "2024-01-01T00:00:00Z",
    "time": "00:00:00",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "decimal": "0",
}


def example_of(schema: Any, components: dict[str, Any], depth: int = 0) -> Any:
    """A value valid for ``schema`` (``#/components/schemas/`` references are followed)."""
    if not isinstance(schema, dict) or depth > 8:
        return None
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        return example_of(components.get(ref.rsplit("/", 1)[1]), components, depth + 1)
    for key in ("examples",):
        if isinstance(schema.get(key), list) and schema[key]:
            return schema[key][0]
    if "default" in schema:
        return schema["default"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            usable = [o for o in options if o.get("type") != "null"] or options
            return example_of(usable[0], components, depth + 1)
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            piece = example_of(part, components, depth + 1)
            if isinstance(piece, dict):
                merged.update(piece)
        return merged
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        required = set(schema.get("required") or ())
        return {
            name: example_of(sub, components, depth + 1)
            for name, sub in props.items()
            if name in required or (isinstance(sub, dict) and "default" in sub)
        }
    if kind == "array":
        count = int(schema.get("minItems") or 0)
        return [example_of(schema.get("items"), components, depth + 1) for _ in range(count)]
    if kind == "string":
        if schema.get("format") in _FORMATS:
            return _FORMATS[schema["format"]]
        if schema.get("pattern"):
            return None  # cannot guess a value for an arbitrary pattern
        return "x" * max(1, int(schema.get("minLength") or 0)) if schema.get("minLength") else ""
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        value: Any = 0 if low is None else low + (1 if "exclusiveMinimum" in schema else 0)
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return False
    return None


def _no_holes(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, dict):
        return all(_no_holes(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_holes(v) for v in value)
    return True


def add_examples(document: dict[str, Any], components: dict[str, Any]) -> None:
    """Give each JSON request body without one an ``example`` (when one can be made)."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            content = (operation.get("requestBody") or {}).get("content") or {}
            media = content.get("application/json")
            if not media or "example" in media or "examples" in media:
                continue
            value = example_of(media.get("schema"), components)
            if _no_holes(value):
                media["example"] = value
