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

Backends that load the user anyway (sessions, ``JWTAuthentication(verify_user=True)``, API
keys bound to Django users) build the context from the user's current row with
``user_context``: guards then read today's ``is_staff``/``is_superuser`` and permissions,
not a snapshot taken when a token was minted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Any

from django.core.exceptions import ValidationError

from bolt.exceptions import ImproperlyConfigured, Unauthorized

__all__ = [
    "RIGHTS_CLAIM",
    "RIGHTS_IN_DATABASE",
    "USER_GONE",
    "BaseAuthentication",
    "DjangoUserLoader",
    "StoredPermissions",
    "UserPermissions",
    "invalid_credentials",
    "make_context",
    "pk_converter",
    "user_context",
]

# Why credentials whose account is gone are refused (the same words for "deleted" and
# "inactive": the holder of a valid credential learns nothing more than that it is dead).
USER_GONE = "The user of this token is inactive or deleted"
_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def invalid_credentials(challenge: str, detail: str = "Invalid credentials") -> Unauthorized:
    """The 401 for credentials that were presented but are not acceptable.

    ``challenge`` is the whole ``WWW-Authenticate`` value. Backends put a fixed reason in
    it and in ``detail`` (RFC 6750 ``error_description`` for bearer tokens), chosen from a
    short list of constants: nothing the client sent is ever repeated back.
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


def _permissions_query(user: Any) -> Any:
    """One query (a ``UNION``) for the user's own and its groups' permissions, or ``None``.

    Only used when Django's ``ModelBackend`` is the sole authentication backend: then the
    answer is exactly what ``user.get_all_permissions()`` computes with two queries. Other
    backends may add permissions of their own, so they are asked through Django.
    """
    from django.conf import settings

    if list(settings.AUTHENTICATION_BACKENDS) != [_MODEL_BACKEND]:
        return None
    from django.contrib.auth.models import Permission
    from django.core.exceptions import FieldDoesNotExist

    opts = type(user)._meta
    try:
        direct = opts.get_field("user_permissions").related_query_name()
        via_group = "group__" + opts.get_field("groups").related_query_name()
    except FieldDoesNotExist:
        return None
    from django.db.models import Q

    names = ("content_type__app_label", "codename")
    # One query, the user's own permissions or their groups': an OR over both relations,
    # distinct. (A UNION of the two ordered querysets breaks on Django 6, which keeps the
    # model's default ordering on the combined query.)
    either = Q(**{direct: user}) | Q(**{via_group: user})
    return Permission.objects.filter(either).order_by().values_list(*names).distinct()


class UserPermissions(list):  # type: ignore[type-arg]
    """A user's current permissions (``"app_label.codename"``), read on first need.

    It is the ``permissions`` entry of a context built from a user row. Until loaded it is
    empty (so code that reads it early is refused, never granted, a permission); the
    permission guards load it before deciding, and a handler may ``await
    auth["permissions"].aload()`` (``.load()`` in a sync handler). Loading is one query
    with Django's ``ModelBackend`` and happens at most once per request.
    """

    __slots__ = ("_user", "loaded")

    def __init__(self, user: Any) -> None:
        super().__init__()
        self._user = user
        self.loaded = False

    def _fill(self, names: Iterable[str]) -> UserPermissions:
        self[:] = sorted(set(names))
        self.loaded = True
        return self

    def load(self) -> UserPermissions:
        """Fetch the permissions (synchronously; not on the event loop)."""
        if not self.loaded:
            query = _permissions_query(self._user)
            if query is not None:
                return self._fill(f"{app}.{codename}" for app, codename in query)
            get_all = getattr(self._user, "get_all_permissions", None)
            self._fill(get_all() if get_all is not None else ())
        return self

    async def aload(self) -> UserPermissions:
        """Fetch the permissions without blocking the event loop."""
        if not self.loaded:
            query = _permissions_query(self._user)
            if query is not None:
                return self._fill([f"{app}.{codename}" async for app, codename in query])
            get_all = getattr(self._user, "aget_all_permissions", None)
            self._fill(await get_all() if get_all is not None else ())
        return self


# The claim (and its value) of a token whose permissions were not written into it because
# it was minted on the event loop: they are read from the database when a guard asks.
RIGHTS_CLAIM = "bolt_perms"
RIGHTS_IN_DATABASE = "db"


class StoredPermissions(UserPermissions):
    """The permissions of the user a token names, read from the database on first need.

    The ``permissions`` entry of a stateless token context whose token says its rights live
    in the database (``RIGHTS_CLAIM``): one primary-key query for the user, then the same
    read as ``UserPermissions``. A user who is gone or inactive holds none (as Django's
    ``has_perm`` says of inactive users). ``fresh()`` gives each request its own, unloaded.
    """

    __slots__ = ("_user_id",)

    def __init__(self, user_id: Any) -> None:
        super().__init__(None)
        self._user_id = user_id

    def fresh(self) -> StoredPermissions:
        return StoredPermissions(self._user_id)

    def _user_row(self, user: Any) -> bool:
        if user is None or not getattr(user, "is_active", False):
            self._fill(())
            return False
        self._user = user
        return True

    def load(self) -> UserPermissions:
        if not self.loaded:
            from django.contrib.auth import get_user_model

            row = get_user_model()._default_manager.filter(pk=self._user_id).first()
            if self._user_row(row):
                return super().load()
        return self

    async def aload(self) -> UserPermissions:
        if not self.loaded:
            from django.contrib.auth import get_user_model

            row = await get_user_model()._default_manager.filter(pk=self._user_id).afirst()
            if self._user_row(row):
                return await super().aload()
        return self


def user_context(
    user: Any, *, backend: str, claims: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The auth context of a user row just read from the database.

    ``is_staff``, ``is_admin`` and ``username`` are the row's; ``permissions`` is a
    ``UserPermissions`` loaded when a permission guard asks (a superuser's is ``[]``: they
    hold every permission, as in Django's ``has_perm``). ``claims`` stay as the token
    carried them, for information only: guards do not read them.
    """
    superuser = bool(getattr(user, "is_superuser", False))
    return {
        "user_id": user.pk,
        "username": user.get_username(),
        "is_staff": bool(getattr(user, "is_staff", False)),
        "is_admin": superuser,
        "permissions": [] if superuser else UserPermissions(user),
        "backend": backend,
        "claims": claims if claims is not None else {},
    }


class DjangoUserLoader:
    """Loads ``request.user`` from ``request.auth["user_id"]``, once, when first asked.

    A user who no longer exists or is inactive gets a 401 (``challenge`` is the whole
    ``WWW-Authenticate`` value, ``detail`` the body's reason): the credentials outlived the
    account. Loading is lazy so routes that never touch ``request.user`` never query.
    """

    __slots__ = ("challenge", "detail")

    def __init__(self, challenge: str, detail: str = USER_GONE) -> None:
        self.challenge = challenge
        self.detail = detail

    def _check(self, user: Any) -> Any:
        if user is None or not getattr(user, "is_active", False):
            raise invalid_credentials(self.challenge, self.detail)
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
