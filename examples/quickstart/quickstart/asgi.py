"""ASGI entry point: Bolt routes first, every other path (the admin) to Django.

Serve with ``python manage.py runbolt`` or ``granian --interface asgi quickstart.asgi:application``.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quickstart.settings")

from bolt.asgi import get_asgi_application

application = get_asgi_application()
