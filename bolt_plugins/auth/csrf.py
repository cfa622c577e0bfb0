"""Django's CSRF check for cookie-borne credentials (sessions, JWT cookies).

A browser sends cookies with cross-site requests, so any credential read from a cookie
must prove the request came from our own pages. Bolt reuses Django's own
``CsrfViewMiddleware`` logic (Origin/Referer checks, ``CSRF_TRUSTED_ORIGINS``, masked
tokens) instead of re-implementing it: the token travels in the ``X-CSRFToken`` header
(``CSRF_HEADER_NAME``) and must match the ``csrftoken`` cookie. Safe methods (GET, HEAD,
OPTIONS, TRACE) are not checked.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware

from bolt.exceptions import Forbidden

__all__ = ["CsrfChecker"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class _Rejected(Exception):
    pass


class _Check(CsrfViewMiddleware):
    def _reject(self, request: Any, reason: str) -> Any:
        # Django would render its HTML failure view; Bolt answers JSON instead.
        raise _Rejected(reason)


class _CsrfRequest(HttpRequest):
    """Just enough of a Django request for the CSRF check to read."""

    def __init__(self, request: Any, session: Any) -> None:
        super().__init__()
        self.method = request.method
        self.path = self.path_info = request.path
        self.COOKIES = request.cookies
        meta = self.META
        for name, value in request.headers.items():
            key = name.upper().replace("-", "_")
            if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                meta[key] = value
            else:
                meta["HTTP_" + key] = value
        server = request.scope.get("server") or ("localhost", 80)
        meta["SERVER_NAME"], meta["SERVER_PORT"] = str(server[0]), str(server[1])
        self._bolt_scheme = request.scheme
        if session is not None:
            self.session = session

    def _get_scheme(self) -> str:
        scheme: str = self._bolt_scheme
        return scheme


def _no_response(request: Any) -> Any:
    return None


class CsrfChecker:
    """Raises ``Forbidden`` (403) when an unsafe request fails Django's CSRF check."""

    __slots__ = ("_check",)

    def __init__(self) -> None:
        self._check = _Check(_no_response)

    def check(self, request: Any, session: Any = None) -> None:
        if request.method in SAFE_METHODS:
            return
        try:
            no_view: Any = None
            self._check.process_view(_CsrfRequest(request, session), no_view, (), {})
        except _Rejected as exc:
            raise Forbidden(detail=f"CSRF failed: {exc}") from None
        except Exception:
            # A malformed Host, Origin or token must not become a 500.
            raise Forbidden(detail="CSRF failed") from None
