"""The built-in guards and the protocol custom guards follow.

A guard decides whether an identified (or anonymous) caller may run a route. Protocol:

- ``has_permission(request) -> bool`` (plain or ``async``): the request rule. It reads
  ``request.auth`` (``None`` when anonymous) and returns ``True`` to allow. It may raise an
  ``HTTPException`` itself for a custom answer. Plain guards run on the event loop: they
  must not block (do database work in an ``async`` guard).
- ``has_object_permission(request, obj) -> bool`` (plain or ``async``): the object rule,
  run by ``check_object_permissions(request, obj)`` once a handler or ``get_object`` has
  loaded the object.
- ``message``: optional detail for the 403.

A ``BaseGuard`` subclass needs at least one of the two rules (a guard with neither, a
misspelt method name, is a startup error). One with only an object rule (DRF's
``IsOwnerOrReadOnly``) has no opinion about the request, as DRF's ``BasePermission``
answers ``True``: beside other guards (a list, ``a & b``) it leaves the request to them. It
never lets a request through by itself, though: in ``a | b`` it does not stand in for a
refusing ``a``, and a route whose guards only have object rules is refused at startup,
because lists and creates load no object and nothing would decide who may call them.

A plain function ``guard(request) -> bool`` is a guard too. A refused guard answers 401
(with ``WWW-Authenticate``) when the request has no credentials and 403 when it has; the
handler never runs. Guards in a list must all allow; ``a | b`` allows when either does and
``a & b`` when both do.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable
from typing import Any

from bolt.exceptions import ImproperlyConfigured

__all__ = [
    "SAFE_METHODS",
    "AllOf",
    "AllowAny",
    "AnyOf",
    "BaseGuard",
    "HasAllPermissions",
    "HasAnyPermission",
    "HasPermission",
    "IsAdminUser",
    "IsAuthenticated",
    "IsAuthenticatedOrReadOnly",
    "IsStaff",
]

# Methods that only read (RFC 9110 §9.2.1), as in DRF's ``SAFE_METHODS``.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BaseGuard:
    """Base class for guards: combine with ``|`` / ``&``; override ``has_permission``,
    ``has_object_permission`` or both."""

    message: str = "You do not have permission to perform this action."

    def has_permission(self, request: Any) -> bool | Awaitable[bool]:
        """Return ``True`` to allow (plain or ``async``).

        Not overridden, a guard has no request rule: it says ``True`` (as DRF's
        ``BasePermission``) and ``only_object_rule`` keeps that from opening a route."""
        return True

    def __or__(self, other: Any) -> AnyOf:
        return AnyOf(self, other)

    def __and__(self, other: Any) -> AllOf:
        return AllOf(self, other)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class AllowAny(BaseGuard):
    """Everyone may call, with or without credentials."""

    def has_permission(self, request: Any) -> bool:
        return True


class IsAuthenticated(BaseGuard):
    """Any caller an authentication backend identified."""

    message = "Authentication required."

    def has_permission(self, request: Any) -> bool:
        return request.auth is not None


class IsAuthenticatedOrReadOnly(BaseGuard):
    """Anyone may read (``GET``, ``HEAD``, ``OPTIONS``); other methods need an identified
    caller. Wrong credentials are still a 401 on reads: the auth step refuses them first.

    A WebSocket handshake is a ``GET``, but the connection it opens carries messages both
    ways, so it counts as a write: only identified callers connect."""

    message = "Authentication required."

    def has_permission(self, request: Any) -> bool:
        scope = request.scope
        return request.auth is not None or (
            scope["method"] in SAFE_METHODS and scope["type"] == "http"
        )


class IsAdminUser(BaseGuard):
    """Superusers only (``is_admin`` in the auth context)."""

    message = "Administrator access required."

    def has_permission(self, request: Any) -> bool:
        auth = request.auth
        return auth is not None and auth.get("is_admin") is True


class IsStaff(BaseGuard):
    """Staff users only (``is_staff``)."""

    message = "Staff access required."

    def has_permission(self, request: Any) -> bool:
        auth = request.auth
        return auth is not None and auth.get("is_staff") is True


def _perms(names: tuple[str, ...], cls: str) -> tuple[str, ...]:
    if not names:
        raise ImproperlyConfigured(f"{cls}() needs at least one permission name")
    for name in names:
        if not isinstance(name, str) or "." not in name:
            raise ImproperlyConfigured(
                f"{cls}: permission {name!r} must look like 'app_label.codename'"
            )
    return names


class _PermissionGuard(BaseGuard):
    """Permissions come from ``auth["permissions"]``; superusers hold them all (as in
    Django's ``has_perm``).

    A context built from a user row (sessions, ``verify_user=True``) carries a
    ``UserPermissions`` that is empty until loaded: the guard then returns an awaitable
    that loads it (one query, once per request) and decides. Token contexts hold a plain
    list and are decided at once, with no coroutine.
    """

    def __init__(self, *perms: str) -> None:
        self.perms = _perms(perms, type(self).__name__)
        self.message = f"Missing permission: {', '.join(self.perms)}."

    def has_permission(self, request: Any) -> bool | Awaitable[bool]:
        auth = request.auth
        if auth is None:
            return False
        if auth.get("is_admin") is True:
            return True
        held = auth.get("permissions", ())
        if type(held) is not list and getattr(held, "loaded", True) is False:
            return self._load_then_decide(held)
        return self._decide(held)

    async def _load_then_decide(self, held: Any) -> bool:
        return self._decide(await held.aload())

    def _decide(self, held: Any) -> bool:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(map(repr, self.perms))})"


class HasPermission(_PermissionGuard):
    """Callers holding the permission ``perm`` (``"app_label.codename"``)."""

    def __init__(self, perm: str) -> None:
        super().__init__(perm)
        self.perm = perm

    def _decide(self, held: Any) -> bool:
        return self.perm in held


class HasAnyPermission(_PermissionGuard):
    """Callers holding at least one of ``perms``."""

    def _decide(self, held: Any) -> bool:
        return any(p in held for p in self.perms)


class HasAllPermissions(_PermissionGuard):
    """Callers holding every one of ``perms``."""

    def _decide(self, held: Any) -> bool:
        return all(p in held for p in self.perms)


async def call_guard(check: Any, *args: Any) -> bool:
    """Run a guard method that may be plain or async."""
    result = check(*args)
    if inspect.isawaitable(result):
        result = await result
    return bool(result)


def guard_check(guard: Any) -> Any:
    """The callable that answers for ``guard`` (its ``has_permission`` or itself)."""
    check = getattr(guard, "has_permission", None)
    if check is None and callable(guard) and not isinstance(guard, type):
        return guard
    return check


def _has_own_request_rule(guard: Any) -> bool:
    # A rule set on the instance (``self.has_permission = ...``) is one too: the request
    # phase calls ``guard.has_permission``, which finds it before the class's default.
    own = getattr(guard, "__dict__", None)
    if own is not None and "has_permission" in own:
        return True
    return type(guard).has_permission is not BaseGuard.has_permission


def only_object_rule(guard: Any) -> bool:
    """True when ``guard`` has an object rule and no request rule of its own (for ``a | b``
    and ``a & b``: when every member is such a guard)."""
    if isinstance(guard, AnyOf | AllOf):
        return all(only_object_rule(member) for member in guard.guards)
    return (
        isinstance(guard, BaseGuard)
        and not _has_own_request_rule(guard)
        and callable(getattr(guard, "has_object_permission", None))
    )


def decides_nothing(guard: Any) -> Any:
    """The ``BaseGuard`` (``guard`` or a member of a composition) that defines neither rule,
    or ``None``. Such a guard would allow every request: most likely a misspelt method."""
    if isinstance(guard, AnyOf | AllOf):
        for member in guard.guards:
            found = decides_nothing(member)
            if found is not None:
                return found
        return None
    if (
        isinstance(guard, BaseGuard)
        and not _has_own_request_rule(guard)
        and not callable(getattr(guard, "has_object_permission", None))
    ):
        return guard
    return None


def request_rules(guards: tuple[Any, ...]) -> tuple[Any, ...]:
    """The members of a composition that have a say about the request."""
    return tuple(g for g in guards if not only_object_rule(g))


async def _object_allowed(guard: Any, request: Any, obj: Any) -> bool:
    """A guard's object rule; a guard without one has nothing to say about objects."""
    check = getattr(guard, "has_object_permission", None)
    return check is None or await call_guard(check, request, obj)


class AnyOf(BaseGuard):
    """Allows when any of ``guards`` allows (``a | b``).

    A member with only an object rule takes no part in the request's answer: its default
    ``True`` would let every request through (an anonymous create past
    ``IsAuthenticatedOrReadOnly() | IsOwner()``). It still decides about objects."""

    def __init__(self, *guards: Any) -> None:
        self.guards = guards
        self._deciding = request_rules(guards)
        messages = [str(g.message) for g in guards if getattr(g, "message", None)]
        self.message = messages[0] if messages else BaseGuard.message

    async def has_permission(self, request: Any) -> bool:
        if not self._deciding:
            return True  # only object rules: no opinion (see ``only_object_rule``)
        for guard in self._deciding:
            if await call_guard(guard_check(guard), request):
                return True
        return False

    async def has_object_permission(self, request: Any, obj: Any) -> bool:
        """Some member allows both the request and the object.

        Checking objects alone would be wrong: in ``IsStaff() | IsOwner()`` a plain user
        fails ``IsStaff`` but ``IsStaff`` has no object rule, which must not count as yes.
        """
        for guard in self.guards:
            if await call_guard(guard_check(guard), request) and await _object_allowed(
                guard, request, obj
            ):
                return True
        return False

    def __repr__(self) -> str:
        return " | ".join(map(repr, self.guards))


class AllOf(BaseGuard):
    """Allows when all of ``guards`` allow (``a & b``)."""

    def __init__(self, *guards: Any) -> None:
        self.guards = guards
        self._deciding = request_rules(guards)
        self.message = " ".join(
            dict.fromkeys(getattr(g, "message", None) or BaseGuard.message for g in guards)
        )

    async def has_permission(self, request: Any) -> bool:
        for guard in self._deciding:
            if not await call_guard(guard_check(guard), request):
                return False
        return True

    async def has_object_permission(self, request: Any, obj: Any) -> bool:
        """Every member with an object rule allows the object."""
        for guard in self.guards:
            if not await _object_allowed(guard, request, obj):
                return False
        return True

    def __repr__(self) -> str:
        return " & ".join(map(repr, self.guards))
