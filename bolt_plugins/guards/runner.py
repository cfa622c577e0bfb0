"""Compiling a route's guards into one phase-400 middleware, and object permissions.

Object rules (``has_object_permission(request, obj)``) cannot run before the handler: the
object is not loaded yet. When a route's guards have any, one check is appended to
``route.object_checks`` while the route compiles; a ViewSet's ``get_object`` runs those
checks on the object it loads (retrieve, update, partial_update, destroy and detail
actions that call it), and handlers that load objects themselves call
``check_object_permissions(request, obj)``. Routes whose guards have no object rule get no
check, so they pay nothing.
"""

from __future__ import annotations

import inspect
from typing import Any

from bolt.exceptions import Forbidden, ImproperlyConfigured, Unauthorized
from bolt.facts import AUTH_CHALLENGE
from bolt.pipeline import PHASE_GUARDS, Middleware
from bolt.request import Request

from .builtins import (
    AllOf,
    AllowAny,
    AnyOf,
    BaseGuard,
    decides_nothing,
    guard_check,
    only_object_rule,
)
from .facts import GUARDS

__all__ = ["check_guard", "check_object_permissions", "guards_middleware", "refusal"]

DEFAULT_CHALLENGE = 'Bearer realm="api"'
_OBJECT_CHECK = "guards_object_check"  # route.meta key of the check this plugin added


def check_guard(item: Any, where: str) -> None:
    """Reject configuration entries that are not guards, and ``BaseGuard`` subclasses (alone
    or inside ``a | b`` / ``a & b``) that define neither rule: their inherited ``True``
    would allow every request, and a misspelt method name is the usual cause."""
    if guard_check(item) is None or not callable(guard_check(item)):
        raise ImproperlyConfigured(
            f"{where}: {item!r} is not a guard (it needs has_permission(request), or be a "
            "function of the request)"
        )
    _check_arity(item, where)
    empty = decides_nothing(item)
    if empty is not None:
        raise ImproperlyConfigured(
            f"{where}: {type(empty).__qualname__} defines neither has_permission(request) nor "
            "has_object_permission(request, obj), so it would decide nothing and allow "
            "everyone; check the method names"
        )
    if isinstance(item, AnyOf | AllOf):
        for member in item.guards:
            check_guard(member, where)


def _check_arity(item: Any, where: str) -> None:
    """Refuse rules that cannot be called as Bolt calls them: DRF's permission classes take
    ``(request, view)`` and ``(request, view, obj)``, which would fail every request with a
    ``TypeError`` (a 500) instead of stopping startup."""
    rules = [("has_permission(request)", guard_check(item), 1)]
    obj_rule = getattr(item, "has_object_permission", None)
    if callable(obj_rule):
        rules.append(("has_object_permission(request, obj)", obj_rule, 2))
    for spelling, rule, count in rules:
        try:
            signature = inspect.signature(rule)
        except (TypeError, ValueError):
            continue  # a builtin or C callable: nothing to check
        try:
            signature.bind(*([None] * count))
        except TypeError:
            raise ImproperlyConfigured(
                f"{where}: {item!r} cannot be called as {spelling}: its signature is "
                f"{signature}. Bolt passes no view (DRF's permission classes take one): "
                "write a Bolt guard (bolt.auth.BaseGuard)"
            ) from None


def refusal(request: Any, guard: Any, challenge: str) -> Exception:
    """401 when the caller gave no credentials, 403 when it did."""
    if request.auth is None:
        return Unauthorized(
            detail="Authentication credentials were not provided.",
            headers={"www-authenticate": challenge},
        )
    return Forbidden(detail=getattr(guard, "message", None) or BaseGuard.message)


def guards_middleware(api: Any, route: Any, guards: list[Any]) -> Middleware | None:
    """The ``before`` step that runs ``guards`` in order, or ``None`` when all allow anyone.

    Synchronous unless a guard is a coroutine function, so the common built-in guards cost
    no coroutine per request.
    """
    route.meta[GUARDS] = list(guards)
    if guards and all(only_object_rule(g) for g in guards):
        names = ", ".join(map(repr, guards))
        raise ImproperlyConfigured(
            f"{route!r}: guards [{names}] have only object rules (has_object_permission): "
            "nothing decides who may call this route, and a list or a create loads no object "
            "to ask about. Put a request rule beside them, e.g. guards = "
            f"[IsAuthenticatedOrReadOnly(), {names}], or AllowAny() to let anyone try"
        )
    install_object_check(route, guards)
    # Guards with only an object rule have no say about the request (their ``True`` is
    # no opinion): they run in the object check only.
    active = [g for g in guards if not isinstance(g, AllowAny) and not only_object_rule(g)]
    if not active:
        return None
    checks = tuple((guard_check(g), inspect.iscoroutinefunction(guard_check(g)), g) for g in active)

    any_async = any(is_async for _, is_async, _ in checks)

    def challenge() -> str:
        # Read when first needed: the auth plugin records the route's challenge while it
        # compiles, which may be after this hook ran.
        return route.meta.get(AUTH_CHALLENGE) or DEFAULT_CHALLENGE

    async def finish(request: Request, start: int, pending: Any = None) -> None:
        """Run ``checks[start:]``, awaiting what they return; ``pending`` is the awaitable
        ``checks[start]`` already returned."""
        for index in range(start, len(checks)):
            check, _is_async, guard = checks[index]
            allowed = pending if index == start and pending is not None else check(request)
            if type(allowed) is not bool and inspect.isawaitable(allowed):
                allowed = await allowed
            if not allowed:
                raise refusal(request, guard, challenge())

    if any_async:

        async def guarded_async(request: Request) -> None:
            # hot path
            await finish(request, 0)

        return Middleware(PHASE_GUARDS, before=guarded_async, name="guards", optional=False)

    def guarded(request: Request) -> Any:
        # hot path
        for index, (check, _is_async, guard) in enumerate(checks):
            allowed = check(request)
            if type(allowed) is not bool and inspect.isawaitable(allowed):
                # a sync check returned an awaitable: the kernel awaits the rest
                return finish(request, index, allowed)
            if not allowed:
                raise refusal(request, guard, challenge())
        return None

    return Middleware(PHASE_GUARDS, before=guarded, name="guards", optional=False)


def has_object_rule(guard: Any) -> bool:
    """True when ``guard`` (or a member of a ``|``/``&`` composition) has an object rule."""
    if isinstance(guard, AnyOf | AllOf):
        return any(has_object_rule(member) for member in guard.guards)
    return callable(getattr(guard, "has_object_permission", None))


def install_object_check(route: Any, guards: list[Any]) -> None:
    """Put one check running the guards' object rules into ``route.object_checks`` (once,
    even when the route compiles again), or none when no guard has an object rule."""
    previous = route.meta.pop(_OBJECT_CHECK, None)
    if previous is not None and previous in route.object_checks:
        route.object_checks.remove(previous)
    rules = tuple((g, g.has_object_permission) for g in guards if has_object_rule(g))
    if not rules:
        return

    async def check_object(request: Any, obj: Any) -> None:
        # hot path (per loaded object, on routes whose guards have object rules)
        for guard, rule in rules:
            allowed = rule(request, obj)
            if type(allowed) is not bool and inspect.isawaitable(allowed):
                allowed = await allowed
            if not allowed:
                challenge = route.meta.get(AUTH_CHALLENGE) or DEFAULT_CHALLENGE
                raise refusal(request, guard, str(challenge))

    route.meta[_OBJECT_CHECK] = check_object
    route.object_checks.append(check_object)


async def check_object_permissions(request: Any, obj: Any) -> None:
    """Run the route's guards' ``has_object_permission(request, obj)``; raise 401/403.

    ``get_object`` of a ViewSet does this by itself; call it where a handler loads an object
    some other way, for per-object rules such as "only the author may edit". Guards without
    the method allow.
    """
    route = request.route
    check = route.meta.get(_OBJECT_CHECK) if route is not None else None
    if check is not None:
        await check(request, obj)
