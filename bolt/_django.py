"""Make sure Django is configured before an API is built.

A module holding a ``BoltAPI`` and no Django project still serves: when neither
``DJANGO_SETTINGS_MODULE`` nor ``settings.configure()`` has configured Django, Bolt configures
it with safe defaults (in-memory SQLite, no DEBUG, a random ``SECRET_KEY`` per process and
``ALLOWED_HOSTS`` limited to local names).
"""

from __future__ import annotations

import os
import secrets
from typing import Any

__all__ = ["DEFAULT_SETTINGS", "ensure_django"]

DEFAULT_SETTINGS: dict[str, Any] = {
    "DEBUG": False,
    "ALLOWED_HOSTS": ["localhost", "127.0.0.1", "[::1]", "testserver"],
    "INSTALLED_APPS": ["django.contrib.contenttypes", "django.contrib.auth", "bolt"],
    "DATABASES": {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    "USE_TZ": True,
    "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
}


def ensure_django() -> None:
    """Configure (if nobody did) and set up Django; safe to call many times."""
    import django
    from django.apps import apps
    from django.conf import settings

    if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
        settings.configure(
            SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
            **DEFAULT_SETTINGS,
        )
    if not apps.ready and not getattr(apps, "loading", False):
        django.setup()
