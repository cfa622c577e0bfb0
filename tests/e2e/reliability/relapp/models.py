"""Models of the reliability server: a unique name, an integer column, a foreign key,
owner-scoped notes and an outbox of handler side effects."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Category(models.Model):
    name = models.CharField(max_length=40)


class Item(models.Model):
    name = models.CharField(max_length=40, unique=True)
    qty = models.IntegerField(default=0)
    price = models.FloatField(default=0.0)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT)


class Note(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, editable=False)
    text = models.CharField(max_length=100)


class Event(models.Model):
    """One row per handler run that must not happen (the 'outbox' the tests count)."""

    kind = models.CharField(max_length=40)
