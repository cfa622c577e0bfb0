"""django-bolt's settings: the ORM section's database and model, its API from ``api.py``."""

from bench.orm.settings import DATABASES, RESULTS, SECRET_KEY  # noqa: F401

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django_bolt",
    "bench.orm",
]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.djb.urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
BOLT_API = ["bench.djb.api:api"]
# No per-request access log: every server in the benchmark runs without one.
DJANGO_BOLT_LOG_LEVEL = "WARNING"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django_bolt": {"level": "WARNING"},
    },
}
