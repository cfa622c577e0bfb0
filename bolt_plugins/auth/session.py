"""Django's session cookie as a Bolt authentication backend.

A user logged in through Django (``django.contrib.auth.login``, the admin) is
authenticated on Bolt routes too. The session is read with Django's own machinery
(``SESSION_ENGINE``, session-hash verification, ``AUTHENTICATION_BACKENDS``), and an
inactive user or a session whose password hash no longer matches counts as no session.
The context is the user's current row (``is_staff``, ``is_superuser``; permissions are
read only when a permission guard asks).
Because a browser sends cookies on cross-site requests, unsafe methods (POST, PUT, PATCH,
DELETE) must also pass Django's CSRF check: send the ``csrftoken`` cookie's value in the
``X-CSRFToken`` header.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .base import BaseAuthentication, PreloadedUser, user_context
from .csrf import CsrfChecker

__all__ = ["SessionAuthentication"]


class _SessionRequest:
    """What ``django.contrib.auth.aget_user`` reads from a request: its session."""

    __slots__ = ("session",)

    def __init__(self, session: Any) -> None:
        self.session = session


class SessionAuthentication(BaseAuthentication):
    """Authenticate by Django's session cookie (``SESSION_COOKIE_NAME``), with CSRF.

    ``csrf=False`` turns the CSRF check off; only do that for routes no browser can reach
    with the user's cookies (there are few).
    """

    name = "session"
    challenge = 'Session realm="api"'

    def __init__(self, *, csrf: bool = True) -> None:
        self.csrf = csrf
        self._csrf = CsrfChecker() if csrf else None
        self._cookie = "sessionid"
        self._store: Any = None

    def prepare(self, api: Any) -> None:
        from django.conf import settings

        self._cookie = settings.SESSION_COOKIE_NAME
        self._store = import_module(settings.SESSION_ENGINE).SessionStore

    async def authenticate(self, request: Any) -> dict[str, Any] | None:
        """Load the session's user; ``None`` for no, expired or stale sessions."""
        key = request.cookies.get(self._cookie)
        if not key:
            return None
        from django.contrib.auth import aget_user

        session = self._store(key)
        shim: Any = _SessionRequest(session)
        user: Any = await aget_user(shim)
        if not user.is_authenticated or not user.is_active:
            return None
        if self._csrf is not None:
            self._csrf.check(request, session)
        request.user_loader = PreloadedUser(user)
        # The row just read; permissions are fetched only if a permission guard asks.
        return user_context(user, backend=self.name)
