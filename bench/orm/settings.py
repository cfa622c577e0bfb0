"""Settings every ORM-section server shares: SQLite file, no Django middleware, no auth.

``BENCH_ORM_URLS`` picks the URLconf (django-ninja or DRF); Bolt serves its own API object.
Connections persist (``CONN_MAX_AGE``) for all three, as a tuned deployment would.
"""

import os
from pathlib import Path

RESULTS = Path(__file__).resolve().parent.parent / "results"

SECRET_KEY = "bench-only-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "bolt",
    "rest_framework",
    "bench.orm",
]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = os.environ.get("BENCH_ORM_URLS", "bench.orm.drf_urls")
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("BENCH_ORM_DB", str(RESULTS / "orm.sqlite3")),
        "CONN_MAX_AGE": 600,
    }
}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
