"""The CRUD actions: ``list``, ``retrieve``, ``create``, ``update``, ``partial_update`` and
``destroy``, each a small async method over the hooks of ``GenericView``.

Combine them with a view class (``class V(ViewSet, ListMixin, CreateMixin)``, or
``ModelViewSet`` for all six); override any action or hook and call ``super()`` to extend it.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from bolt.params import Body
from bolt.request import Request
from bolt_plugins.crud.db import runner_for
from bolt_plugins.crud.encoding import to_struct, to_structs, with_relations
from bolt_plugins.crud.generics import GenericView, paginator_of, serializer_is_dynamic
from bolt_plugins.crud.prepared import FALLBACK, prepared_detail, prepared_list

__all__ = [
    "CreateMixin",
    "DestroyMixin",
    "ListMixin",
    "PartialUpdateMixin",
    "RetrieveMixin",
    "UpdateMixin",
]


class ListMixin(GenericView):
    """``GET {path}``: the filtered (and, with ``pagination_class``, paginated) list."""

    async def list(self, request: Request) -> Any:
        if serializer_is_dynamic(type(self)):
            await self._prime_serializer("list")
        prepared = prepared_list(self)
        if prepared is not None:
            alias = prepared.source.db
            result = await runner_for(alias).read(prepared.fetch_list, alias)
            if result is not FALLBACK:
                return result
        queryset = await self._queryset()
        queryset = await self._filtered(queryset)
        schema = self._read_schema("list")
        if not isinstance(queryset, models.QuerySet):
            if schema is not None and queryset and isinstance(queryset[0], models.Model):
                return [to_struct(o, schema) for o in queryset]
            return queryset
        if schema is not None:
            queryset = with_relations(queryset, schema)
            convert = lambda rows: to_structs(rows, schema)  # noqa: E731
        else:
            convert = list
        paginator = paginator_of(type(self))
        if paginator is not None:
            return await runner_for(queryset.db).read(
                paginator.paginate, queryset, request, convert
            )
        return await runner_for(queryset.db).read(convert, queryset)


class RetrieveMixin(GenericView):
    """``GET {path}/{lookup}``: one object, or 404."""

    async def retrieve(self, request: Request, **kwargs: Any) -> Any:
        if serializer_is_dynamic(type(self)):
            await self._prime_serializer("retrieve")
        # The prepared read answers without a model instance, so without get_object: a
        # route with object checks (``has_object_permission``) never takes it.
        route = request.route
        checks = route is not None and route.object_checks
        if not checks:
            prepared = prepared_detail(self, kwargs)
            if prepared is not None:
                alias = prepared[0].source.db
                result = await runner_for(alias).read(prepared[0].fetch_one, alias, prepared[1])
                if result is not FALLBACK:
                    return result
        instance = await self._object(kwargs)
        if checks and self.__dict__.get("_bolt_checked") is not instance:
            await self.check_object_permissions(instance)
        if not isinstance(instance, models.Model):
            return instance
        schema = self._read_schema("retrieve")
        if schema is None:
            return instance
        from bolt_plugins.crud.encoder import convert_instance

        return await convert_instance(instance, schema)


class CreateMixin(GenericView):
    """``POST {path}``: validate the body with the create schema, save, answer 201."""

    async def create(self, request: Request, data: Any = Body()) -> Any:
        return await self.create_object(data)


class UpdateMixin(GenericView):
    """``PUT {path}/{lookup}``: replace the writable fields given by the update schema."""

    async def update(self, request: Request, data: Any = Body(), **kwargs: Any) -> Any:
        instance = await self._get_checked(kwargs)
        return await self.update_object(instance, data, partial=False)


class PartialUpdateMixin(GenericView):
    """``PATCH {path}/{lookup}``: change only the fields present in the body."""

    async def partial_update(self, request: Request, data: Any = Body(), **kwargs: Any) -> Any:
        instance = await self._get_checked(kwargs)
        return await self.update_object(instance, data, partial=True)


class DestroyMixin(GenericView):
    """``DELETE {path}/{lookup}``: delete, answer ``{"deleted": true}``; 404 when missing."""

    async def destroy(self, request: Request, **kwargs: Any) -> Any:
        instance = await self._get_checked(kwargs)
        await self.destroy_object(instance)
        return {"deleted": True}
