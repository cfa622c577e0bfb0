"""The user guide's ``Article`` model, shared by every framework in the ORM section."""

from django.db import models


class Article(models.Model):
    title = models.CharField(max_length=200)
    content = models.TextField()
    author = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "benchorm"
        ordering = ["id"]
