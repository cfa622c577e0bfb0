"""What every authentication backend shares: the auth context, 401s, and the user loader.

A backend is any object with ``authenticate(request)`` (plain or ``async``) that returns
the auth context dict when the request carries valid credentials *for this backend*,
``None`` when it carries none, and raises ``Unauthorized`` (see ``invalid_credentials``)
when it carries credentials that are wrong. Optional attributes:

- ``prepare(api)``: called once per route when it compiles; validate configuration there
  (a short signing key, for example) so mistakes stop startup instead of a request. It may
  return the object the route should use instead (bound to that API's settings), or
  ``None`` to use the backend itself.
- ``challenge``: the ``WWW-Authenticate`` value sent with a 401 (``"Bearer"``).
- ``user_loader``: an object with ``load(request)`` / ``async aload(request)`` that
  ``request.user`` / ``await request.auser()`` use to fetch the Django user lazily.
- ``name``: the backend name stored in the context (``"jwt"``, ``"api_key"``, ...).
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Any

from django.core.exceptions import ValidationError

from bolt.exceptions import ImproperlyConfigured, Unauthorized

__all__ = [
    "BaseAuthentication",
    "DjangoUserLoader",
    "invalid_credentials",
    "make_context",
    "pk_converter",
]


def invalid_credentials(challenge: str, detail: str = "Invalid credentials") -> Unauthorized:
    """The 401 for credentials that were presented but are not acceptable.

    The detail is deliberately generic: telling a client *why* a token failed (expired vs
    bad signature) helps attackers more than it helps legitimate clients.
    """
    return Unauthorized(detail=detail, headers={"www-authenticate": challenge})


def make_context(
    *,
    user_id: Any,
    username: str | None,
    is_staff: bool,
    is_admin: bool,
    permissions: Iterable[str],
    backend: str,
    claims: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the dict handlers read with ``request.get("auth", {})``.

    Keys: ``user_id`` (typed like the user model's primary key for Django users),
    ``username``, ``is_staff``, ``is_admin`` (superuser), ``permissions`` (list of
    ``"app_label.codename"``), ``backend`` and ``claims`` (the raw token claims, ``{}`` for
    backends without claims).
    """
    return {
        "user_id": user_id,
        "username": username,
        "is_staff": is_staff,
        "is_admin": is_admin,
        "permissions": list(permissions),
        "backend": backend,
        "claims": claims if claims is not None else {},
    }


def pk_converter() -> Any:
    """``to_python`` of the user model's primary key, so ``"7"`` becomes ``7`` (or a UUID).

    The guide compares ``obj.author_id == auth["user_id"]``; that only holds when the id
    has the primary key's own type.
    """
    from django.contrib.auth import get_user_model

    return get_user_model()._meta.pk.to_python


class DjangoUserLoader:
    """Loads ``request.user`` from ``request.auth["user_id"]``, once, when first asked.

    A user who no longer exists or is inactive gets a 401: the credentials outlived the
    account. Loading is lazy so routes that never touch ``request.user`` never query.
    """

    __slots__ = ("challenge",)

    def __init__(self, challenge: str) -> None:
        self.challenge = challenge

    def _check(self, user: Any) -> Any:
        if user is None or not getattr(user, "is_active", False):
            raise invalid_credentials(self.challenge, "User not found or inactive")
        return user

    def load(self, request: Any) -> Any:
        """Synchronous load (sync handlers run in a worker thread, where this is fine)."""
        from django.contrib.auth import get_user_model

        model = get_user_model()
        try:
            user = model._default_manager.get(pk=request.auth["user_id"])
        except (model.DoesNotExist, ValueError, TypeError, OverflowError, ValidationError):
            user = None  # an id the column cannot hold names no user either
        return self._check(user)

    async def aload(self, request: Any) -> Any:
        """Asynchronous load for ``await request.auser()``."""
        from django.contrib.auth import get_user_model

        model = get_user_model()
        try:
            user = await model._default_manager.aget(pk=request.auth["user_id"])
        except (model.DoesNotExist, ValueError, TypeError, OverflowError, ValidationError):
            user = None
        return self._check(user)


class PreloadedUser:
    """A user loader for backends that already fetched the user (sessions)."""

    __slots__ = ("user",)

    def __init__(self, user: Any) -> None:
        self.user = user

    def load(self, request: Any) -> Any:
        return self.user

    async def aload(self, request: Any) -> Any:
        return self.user


class BaseAuthentication:
    """Optional base class for backends; documents the protocol and gives defaults."""

    name: str = "custom"
    challenge: str = "Bearer"
    user_loader: Any = None

    def prepare(self, api: Any) -> Any:
        """Validate configuration once per route compile; may return a replacement backend.

        The default does nothing (``None``: the backend itself is used).
        """
        return None

    def authenticate(
        self, request: Any
    ) -> dict[str, Any] | Awaitable[dict[str, Any] | None] | None:
        """Return the auth context, ``None`` (no credentials), or raise ``Unauthorized``."""
        raise NotImplementedError


def check_backend(item: Any, where: str) -> None:
    """Reject configuration entries that are not authentication backends."""
    if not callable(getattr(item, "authenticate", None)):
        raise ImproperlyConfigured(
            f"{where}: {item!r} is not an authentication backend (it needs an "
            "authenticate(request) method)"
        )
