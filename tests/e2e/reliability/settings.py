"""Django settings of the reliability server (a real Granian process).

Paths come from the environment so each test session gets its own database and file root.
``DEBUG`` is off: every 500 must be the generic body.
"""

from __future__ import annotations

import os

from tests.e2e.reliability.common import GOOD_ORIGIN, JWT_SECRET, MAX_BODY

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "good.example"]
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "bolt",
    "tests.e2e.reliability.relapp",
]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = None
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("RELIABILITY_DB", "reliability.sqlite3"),
        # A locked database must become a 503 quickly, not after SQLite's 5 s default.
        "OPTIONS": {"timeout": 0.5},
    }
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"bolt": {"handlers": ["console"], "level": "WARNING"}},
}

BOLT_JWT_SECRET = JWT_SECRET
BOLT_MAX_BODY_SIZE = MAX_BODY
BOLT_MAX_FORM_FIELDS = 1000
BOLT_MAX_MULTIPART_PARTS = 20
BOLT_ALLOWED_FILE_PATHS = [os.environ.get("RELIABILITY_FILES", "/nonexistent")]

# Every route gets CORS for one origin (with credentials), so every error can be checked.
CORS_ALLOWED_ORIGINS = [GOOD_ORIGIN]
CORS_ALLOW_CREDENTIALS = True
CORS_PREFLIGHT_MAX_AGE = 86400
if os.environ.get("RELIABILITY_BAD_CORS") == "1":
    CORS_ALLOWED_ORIGINS = ["*"]
