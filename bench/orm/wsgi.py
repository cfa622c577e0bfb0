"""The WSGI application for django-ninja and DRF (``BENCH_ORM_URLS`` picks which)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.orm.settings")
application = get_wsgi_application()
