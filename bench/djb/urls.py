"""No Django views: django-bolt serves the API from ``BOLT_API``."""

urlpatterns: list = []
