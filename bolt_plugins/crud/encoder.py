"""The ``bolt_response_encoder`` of the CRUD plugin: handlers may return models and querysets.

Built once per route. The schema comes from the route's return type (``-> ArticleSchema``,
``-> list[ArticleSchema]``, ``response_model=``) or, for a ViewSet route without one, from the
class's serializer for that action. A queryset is evaluated in an ORM thread (with the
relations the schema reads fetched in the same query); a model instance is converted on the
loop when its schema reads only its own columns, else in an ORM thread. Everything else is
handed on unchanged (or validated against the declared return type, as the kernel does).
"""

from __future__ import annotations

import collections.abc
import functools
import inspect
from collections.abc import Callable
from typing import Any, get_args, get_origin

import msgspec
from django.core.exceptions import SynchronousOnlyOperation
from django.db import models

from bolt.binding import is_request_param
from bolt.defaults import validating_shape
from bolt.exceptions import ImproperlyConfigured
from bolt.route import Route
from bolt_plugins.crud.db import runner_for
from bolt_plugins.crud.encoding import (
    _unwrap,
    has_own_from_model,
    plan_for,
    schema_target,
    to_struct,
    to_structs,
)
from bolt_plugins.crud.generics import (
    GenericView,
    chosen_serializer,
    serializer_is_dynamic,
    static_serializer,
)
from bolt_plugins.crud.hygiene import crud_default
from bolt_plugins.crud.schemas import model_schema

__all__ = ["answer_per_request", "make_encoder"]

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
        # mypy does not count type[Any] (untyped Django) as Hashable for lru_cache
        plan = plan_for(model, schema)  # type: ignore[arg-type]
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
    from bolt_plugins.crud.pagination import paged_endpoint

    paged = paged_endpoint(route.endpoint)
    if paged is not None:
        return paged.prepare(route, return_type)
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
    elif view is None:
        return _function_shape(route, return_type)
    else:
        return None
    return _schema_shape(schema, rest)


def _schema_shape(schema: type[msgspec.Struct], rest: Any) -> Any:
    """Models and querysets → ``schema``; anything else to ``rest`` (or unchanged)."""

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


# What a function route may declare and still return models: no annotation, ``Any``,
# ``object``, a bare ``list`` (the model's own schema per value), or the forms below.
_MODEL_ANY = (Any, object, list)
_SEQUENCES = (list, collections.abc.Sequence, collections.abc.Iterable)


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, models.Model)


def _holds_model(tp: Any) -> bool:
    return _is_model(tp) or any(_holds_model(arg) for arg in get_args(tp))


def _function_shape(route: Route, return_type: Any) -> Any:
    """The shaper of a function route that may return models: the model's own schema
    (``model_schema``), decided from the declared type once; ``None`` when the route cannot
    return models. A type that holds models in a place no schema can be derived for
    (``dict[str, Article]``) stops startup, instead of failing on every request."""
    if return_type is None or return_type in _MODEL_ANY:
        return _model_shape
    inner, _ = _unwrap(return_type)
    if inner is models.QuerySet or (isinstance(inner, type) and issubclass(inner, models.QuerySet)):
        return _model_shape
    if _is_model(inner):
        return _schema_shape(model_schema(inner), None)
    origin = get_origin(inner)
    args = get_args(inner)
    if origin in _SEQUENCES and len(args) == 1 and _is_model(args[0]):
        return _schema_shape(model_schema(args[0]), None)
    if _holds_model(return_type):
        raise ImproperlyConfigured(
            f"{route!r} declares it returns {return_type!r}: Django models there cannot be "
            "encoded. Return a model, a list of models or a QuerySet (each answered with the "
            "model's fields), or declare `response_model=` with a msgspec Struct for the answer"
        )
    return None


async def _model_shape(value: Any) -> Any:
    """Models and querysets → the schema of their model; anything else unchanged."""
    # hot path
    if isinstance(value, models.QuerySet):
        model: Any = value.model
        return await runner_for(value.db).read(to_structs, value, model_schema(model))
    # (ignores below) mypy does not count type[Any] (untyped Django) as Hashable for lru_cache
    if isinstance(value, models.Model):
        return await convert_instance(value, model_schema(type(value)))  # type: ignore[arg-type]
    if type(value) is list and value and isinstance(value[0], models.Model):
        schema = model_schema(type(value[0]))  # type: ignore[arg-type]
        return await runner_for(value[0]._state.db).read(to_structs, value, schema)
    return value


def _returns_models(route: Route) -> bool:
    """True when the handler declares no schema of its own for what it returns."""
    if route.options.get("response_model") is not None:
        return False
    signature = route.signature or inspect.signature(route.endpoint)
    returned = signature.return_annotation
    return returned is inspect.Signature.empty or returned in _PASSTHROUGH


def answer_per_request(routes: list[Route] | None) -> list[Route] | None:
    """Handlers of classes that choose their serializer per request, returning models or
    querysets without declaring a schema, answer with the schema chosen for the caller.

    The encoder is built once per route and sees no request: it could only use the schema
    the class gives without one (the widest fallback), showing a plain user the fields of
    the staff schema. The CRUD mixins' own actions already convert per request.
    """
    for route in routes or ():
        view = route.view_class
        if not (isinstance(view, type) and issubclass(view, GenericView)):
            continue
        if not serializer_is_dynamic(view) or crud_default(route) or not _returns_models(route):
            continue
        signature = route.signature or inspect.signature(route.endpoint)
        names = [p.name for p in signature.parameters.values() if is_request_param(p, p.annotation)]
        if names:
            route.endpoint = _per_request(route.endpoint, view, route.action, names[0])
    return routes


def _chooser(view: type, action: str | None, request: Any) -> Any:
    chooser: Any = object.__new__(view)
    chooser.request = request
    chooser.action = action
    chooser.kwargs = request.params
    return chooser


def _has_models(value: Any) -> bool:
    return isinstance(value, models.QuerySet | models.Model) or (
        type(value) is list and bool(value) and isinstance(value[0], models.Model)
    )


def _per_request(
    endpoint: Callable[..., Any], view: type, action: str | None, request_name: str
) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(endpoint):

        @functools.wraps(endpoint)
        async def answer(**kwargs: Any) -> Any:
            # hot path (handlers of per-request serializer classes)
            value = await endpoint(**kwargs)
            if not _has_models(value):
                return value
            schema = await chosen_serializer(_chooser(view, action, kwargs[request_name]), action)
            if isinstance(value, models.Model):
                return await convert_instance(value, schema)
            db = value.db if isinstance(value, models.QuerySet) else value[0]._state.db
            return await runner_for(db).read(to_structs, value, schema)

        return answer

    @functools.wraps(endpoint)
    def answer_sync(**kwargs: Any) -> Any:
        # in the handler's worker thread, where the ORM (and request.user) may be used
        value = endpoint(**kwargs)
        if not _has_models(value):
            return value
        schema = _chooser(view, action, kwargs[request_name]).get_serializer_class(action)
        if isinstance(value, models.Model):
            return to_struct(value, schema)
        return to_structs(value, schema)

    return answer_sync
