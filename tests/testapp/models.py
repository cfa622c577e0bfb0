"""Models the test suite uses (plugins' tests add theirs here).

The CRUD plugin's tests use ``Article`` (the guide's ModelViewSet chapter), ``Post`` (the
hooks chapter: an author that is a Django user), and ``Category``/``Product`` for the field
types a schema converts (dates, decimals, UUIDs, foreign keys, nested objects).
``FlaggedArticle``, ``Document`` and ``Member`` are the models the guide's "Custom Actions"
examples assume without defining them.
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


class FlaggedArticle(models.Model):
    """The article the guide's "Custom Actions" chapter assumes: publication flags, a
    feature flag and a publishing schedule (its tests bind it to the name ``Article``)."""

    title = models.CharField(max_length=200)
    content = models.TextField(blank=True, default="")
    published = models.BooleanField(default=False)
    featured = models.BooleanField(default=False)
    is_published = models.BooleanField(default=False)
    scheduled_time = models.CharField(max_length=40, null=True, blank=True)

    class Meta:
        app_label = "testapp"


class Document(models.Model):
    """The "Document Workflow" example's model."""

    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20, default="draft")
    rejection_reason = models.CharField(max_length=200, blank=True, default="")
    locked = models.BooleanField(default=False)

    class Meta:
        app_label = "testapp"


class Member(models.Model):
    """A user with stored preferences, as the guide's preferences actions assume (its tests
    bind it to the name ``User``)."""

    username = models.CharField(max_length=150, unique=True)
    is_active = models.BooleanField(default=True)
    preferences = models.JSONField(default=dict, blank=True)

    class Meta:
        app_label = "testapp"


class Specimen(models.Model):
    """One field of every common type, for ``Serializer.from_model`` (``tests/plugins/
    serializers``): choices, text with validators, every number kind, dates, JSON, a
    nullable foreign key and a many-to-many."""

    class Size(models.TextChoices):
        SMALL = "s", "Small"
        LARGE = "l", "Large"

    name = models.CharField(max_length=20)
    size = models.CharField(max_length=1, choices=Size.choices, default=Size.SMALL)
    level = models.IntegerField(choices=[(1, "one"), (2, "two")], default=1)
    email = models.EmailField(blank=True, default="")
    website = models.URLField(null=True, blank=True)
    slug = models.SlugField(max_length=30, blank=True, default="")
    notes = models.TextField(blank=True, default="")
    count = models.IntegerField(default=0)
    small = models.PositiveSmallIntegerField(default=0)
    big = models.BigIntegerField(default=0)
    ratio = models.FloatField(default=0.0)
    price = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    active = models.BooleanField(default=True)
    day = models.DateField(null=True, blank=True)
    at = models.TimeField(null=True, blank=True)
    took = models.DurationField(null=True, blank=True)
    token = models.UUIDField(default=uuid.uuid4)
    data = models.JSONField(default=dict, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="specimens"
    )
    tags = models.ManyToManyField(Category, blank=True, related_name="tagged_specimens")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "testapp"
