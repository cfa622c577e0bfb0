"""Django's own URLs: the admin and one plain Django view, served beside the Bolt API."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import path


def about(request: HttpRequest) -> HttpResponse:
    """A plain Django view: shows that paths Bolt does not route still reach Django."""
    return HttpResponse("Bolt quick start: the API lives under /api/", content_type="text/plain")


urlpatterns = [
    path("admin/", admin.site.urls),
    path("about/", about),
]
