"""APIs whose routes opt in to Django's ``MIDDLEWARE`` (``django_middleware=``), and the
middleware the tests put around them."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, HttpResponseForbidden
from django.utils.translation import get_language

from bolt import BoltAPI, Router
from bolt.responses import StreamingResponse

SESSION_AUTH = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
HERE = "tests.django_native.middleware_app"

# How often the handlers behind the short-circuiting middleware ran (must stay 0).
calls = {"blocked": 0}


class BlockUnlessHeader:
    """Sync middleware: answers 403 itself unless the request carries ``X-Let-In``."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if request.headers.get("X-Let-In") != "yes":
            return HttpResponseForbidden("blocked by middleware")
        return self.get_response(request)


class AsyncStamp:
    """Async-only middleware: marks the request and adds a header after the handler."""

    sync_capable = False
    async_capable = True

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    async def __call__(self, request: Any) -> Any:
        request.stamped = "async"
        response = await self.get_response(request)
        response["X-Async-Stamp"] = "done"
        return response


class HeaderAndCookie:
    """Middleware that sets a response header and a cookie (Django's response API)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        response["X-Frame-Note"] = "from-middleware"
        response.set_cookie("mw_cookie", "yum", httponly=True)
        return response


class Teapot:
    """Middleware that answers every request itself with a 418."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        return HttpResponse("teapot", status=418)


class RaisesPermissionDenied:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("no")


api = BoltAPI()


@api.get("/me", django_middleware=SESSION_AUTH)
def me(request: Any) -> dict[str, Any]:
    user = request.user
    return {"authenticated": user.is_authenticated, "username": user.get_username()}


@api.get("/ame", django_middleware=SESSION_AUTH)
async def ame(request: Any) -> dict[str, Any]:
    user = await request.auser()
    return {"authenticated": user.is_authenticated, "username": user.get_username()}


@api.get("/session-count", django_middleware=SESSION_AUTH)
def session_count(request: Any) -> dict[str, int]:
    request.session["count"] = request.session.get("count", 0) + 1
    return {"count": request.session["count"]}


@api.get("/blocked", django_middleware=[f"{HERE}.BlockUnlessHeader"])
def blocked() -> dict[str, str]:
    calls["blocked"] += 1
    return {"reached": "handler"}


@api.post("/blocked-post", django_middleware=[f"{HERE}.BlockUnlessHeader"])
def blocked_post(payload: dict[str, Any]) -> dict[str, Any]:
    return {"echo": payload}


@api.get("/async", django_middleware=[f"{HERE}.AsyncStamp"])
async def async_route(request: Any) -> dict[str, Any]:
    return {"stamped": getattr(request.django_request, "stamped", None)}


@api.get("/decorated", django_middleware=[f"{HERE}.HeaderAndCookie"])
def decorated() -> dict[str, bool]:
    return {"ok": True}


@api.get("/stream", django_middleware=[f"{HERE}.HeaderAndCookie"])
def stream() -> StreamingResponse:
    return StreamingResponse(iter([b"a", b"b", b"c"]), media_type="text/plain")


@api.get("/locale", django_middleware=["django.middleware.locale.LocaleMiddleware"])
def locale(request: Any) -> dict[str, Any]:
    return {"language": request.language, "active": get_language()}


@api.get("/raises", django_middleware=[f"{HERE}.RaisesPermissionDenied"])
def raises() -> dict[str, bool]:
    return {"ok": True}


@api.get("/plain")
def plain(request: Any) -> dict[str, Any]:
    return {"django_request": request.django_request is not None}


# Layering: the API turns it on for every route; one route turns it off.
teapot_api = BoltAPI(django_middleware=[f"{HERE}.Teapot"])


@teapot_api.get("/on")
def on() -> dict[str, str]:
    return {"reached": "handler"}


@teapot_api.get("/off", django_middleware=False)
def off() -> dict[str, str]:
    return {"reached": "handler"}


router = Router("/r", django_middleware=[f"{HERE}.Teapot"])


@router.get("/on")
def router_on() -> dict[str, str]:
    return {"reached": "handler"}


@router.get("/own", django_middleware=[f"{HERE}.HeaderAndCookie"])
def router_own() -> dict[str, str]:
    return {"reached": "handler"}


teapot_api.include_router(router)

# All of settings.MIDDLEWARE (the test settings: sessions, common, CSRF, authentication).
all_api = BoltAPI(django_middleware=True)


@all_api.get("/me")
def all_me(request: Any) -> dict[str, Any]:
    return {"authenticated": request.user.is_authenticated}


@all_api.post("/write")
def all_write() -> dict[str, bool]:
    return {"written": True}


@all_api.post("/exempt")
def all_exempt() -> dict[str, bool]:
    return {"written": True}


# Django's csrf_exempt decorator wraps a view taking a request; a Bolt function is marked
# the way it marks views, with the attribute CSRF's process_view reads.
all_exempt.csrf_exempt = True  # type: ignore[attr-defined]
