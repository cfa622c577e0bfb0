"""The ``bolt_response_encoder`` of the CRUD plugin: handlers may return models and querysets.

Built once per route. The schema comes from the route's return type (``-> ArticleSchema``,
``-> list[ArticleSchema]``, ``response_model=``) or, for a ViewSet route without one, from the
class's serializer for that action. A queryset is evaluated in an ORM thread (with the
relations the schema reads fetched in the same query); a model instance is converted on the
loop when its schema reads only its own columns, else in an ORM thread. Everything else is
handed on unchanged (or validated against the declared return type, as the kernel does).
"""

from __future__ import annotations

from typing import Any

import msgspec
from django.core.exceptions import SynchronousOnlyOperation
from django.db import models

from bolt.defaults import validating_shape
from bolt.route import Route
from bolt_plugins.crud.db import runner_for
from bolt_plugins.crud.encoding import (
    has_own_from_model,
    plan_for,
    schema_target,
    to_struct,
    to_structs,
)
from bolt_plugins.crud.mixins import static_serializer
from bolt_plugins.crud.schemas import model_schema

__all__ = ["make_encoder"]

_PASSTHROUGH = (Any, dict, list, str, bytes, object)


def _uses_orm(view: type | None) -> bool:
    if view is None:
        return False
    return any(
        getattr(view, name, None) is not None
        for name in ("queryset", "model", "serializer_class", "list_serializer_class")
    )


def _inline_ok(model: type[models.Model], schema: type[msgspec.Struct]) -> bool:
    """True when converting an instance cannot touch the database."""
    if has_own_from_model(schema):
        return True
    try:
        plan = plan_for(model, schema)
    except TypeError:
        return True  # the conversion raises its own error; no query either way
    return not plan.select and not plan.prefetch


async def convert_instance(obj: models.Model, schema: type[msgspec.Struct]) -> Any:
    """One instance → schema, off the loop only when the conversion may query."""
    if _inline_ok(type(obj), schema):
        try:
            return to_struct(obj, schema)
        except SynchronousOnlyOperation:
            pass
    return await runner_for(obj._state.db).read(to_struct, obj, schema)


def make_encoder(route: Route, return_type: Any) -> Any:
    """The shape callable for ``route``, or ``None`` when models cannot appear."""
    target = schema_target(return_type) if return_type is not None else None
    view = route.view_class
    if target is not None:
        schema = target[0]
        rest = validating_shape(route, return_type)
    elif (return_type is None or return_type in _PASSTHROUGH) and view is not None:
        # A view handler may return models or querysets without declaring a schema (the
        # guide's ``return Article.objects.all()[:100]``): the class's serializer for the
        # action, else the model's own schema (``model_schema``: no ``password``).
        found = static_serializer(view, route.action) if _uses_orm(view) else None
        if found is None:
            return _model_shape
        schema = found
        rest = None
    else:
        return None

    async def shape(value: Any) -> Any:
        # hot path
        if isinstance(value, models.QuerySet):
            return await runner_for(value.db).read(to_structs, value, schema)
        if isinstance(value, models.Model):
            return await convert_instance(value, schema)
        if type(value) is list and value and isinstance(value[0], models.Model):
            if all(_inline_ok(type(o), schema) for o in value[:1]):
                return [to_struct(o, schema) for o in value]
            return await runner_for(value[0]._state.db).read(to_structs, value, schema)
        return value if rest is None else rest(value)

    return shape


async def _model_shape(value: Any) -> Any:
    """Models and querysets → the schema of their model; anything else unchanged."""
    # hot path
    if isinstance(value, models.QuerySet):
        model: Any = value.model
        return await runner_for(value.db).read(to_structs, value, model_schema(model))
    if isinstance(value, models.Model):
        return await convert_instance(value, model_schema(type(value)))
    if type(value) is list and value and isinstance(value[0], models.Model):
        schema = model_schema(type(value[0]))
        return await runner_for(value[0]._state.db).read(to_structs, value, schema)
    return value
