"""A plain Django view, to show non-Bolt paths reach Django."""

from django.http import HttpResponse
from django.urls import path


def django_ping(request):  # type: ignore[no-untyped-def]
    return HttpResponse("pong from django", content_type="text/plain")


urlpatterns = [path("django/ping", django_ping)]
