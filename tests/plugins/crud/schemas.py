"""Schemas the CRUD tests share (plain msgspec Structs, as users write them)."""

from __future__ import annotations

import datetime
import decimal
import uuid

import msgspec


class CategoryOut(msgspec.Struct):
    id: int
    name: str


class ProductOut(msgspec.Struct):
    id: int
    name: str
    sku: uuid.UUID
    price: decimal.Decimal
    stock: int
    released: datetime.date | None
    category: int | None


class ProductNested(msgspec.Struct):
    id: int
    name: str
    category: CategoryOut | None


class ProductText(msgspec.Struct):
    name: str
    sku: str
    price: str
    released: str | None
    category_id: int | None


class CategoryWithProducts(msgspec.Struct):
    id: int
    name: str
    products: list[ProductNested]


class ProductIn(msgspec.Struct):
    name: str
    price: decimal.Decimal
    stock: int = 0
    category: int | None = None


class ProductUpdate(msgspec.Struct):
    name: str | None = None
    price: decimal.Decimal | None = None
    stock: int | None = None
    released: datetime.date | None = None
    category: int | None = None


# The guide's "ModelViewSet Automatic CRUD" schemas, with its own ``from_model``.
class ArticleSchema(msgspec.Struct):
    id: int
    title: str
    content: str
    author: str
    status: str
    created_at: str

    @classmethod
    def from_model(cls, obj):
        return cls(
            id=obj.id,
            title=obj.title,
            content=obj.content,
            author=obj.author,
            status=obj.status,
            created_at=obj.created_at.isoformat(),
        )


class ArticleCreateSchema(msgspec.Struct):
    title: str
    content: str
    author: str
    status: str = "draft"
