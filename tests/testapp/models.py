"""Models the test suite uses (plugins' tests add theirs here).

The CRUD plugin's tests use ``Article`` (the guide's ModelViewSet chapter), ``Post`` (the
hooks chapter: an author that is a Django user), and ``Category``/``Product`` for the field
types a schema converts (dates, decimals, UUIDs, foreign keys, nested objects).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Article(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True, null=True, blank=True)
    content = models.TextField(blank=True, default="")
    author = models.CharField(max_length=100, blank=True, default="")
    status = models.CharField(max_length=20, default="draft")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "testapp"

    def __str__(self) -> str:
        return self.title


class Post(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    content = models.TextField(blank=True, default="")
    status = models.CharField(max_length=20, default="draft")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "testapp"


class Category(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        app_label = "testapp"


class Product(models.Model):
    name = models.CharField(max_length=80, unique=True)
    sku = models.UUIDField(default=uuid.uuid4, unique=True)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    stock = models.IntegerField(default=0)
    released = models.DateField(null=True, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", null=True, blank=True
    )
    secret_note = models.CharField(max_length=50, blank=True, default="")
    is_featured = models.BooleanField(default=False)

    class Meta:
        app_label = "testapp"
