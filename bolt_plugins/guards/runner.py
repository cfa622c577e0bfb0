"""Compiling a route's guards into one phase-400 middleware, and object permissions."""

from __future__ import annotations

import inspect
from typing import Any

from bolt.exceptions import Forbidden, ImproperlyConfigured, Unauthorized
from bolt.middleware import PHASE_GUARDS, Middleware
from bolt.request import Request

from .builtins import AllowAny, BaseGuard, call_guard, guard_check

__all__ = ["check_guard", "check_object_permissions", "guards_middleware", "refusal"]

DEFAULT_CHALLENGE = 'Bearer realm="api"'


def check_guard(item: Any, where: str) -> None:
    """Reject configuration entries that are not guards."""
    if guard_check(item) is None or not callable(guard_check(item)):
        raise ImproperlyConfigured(
            f"{where}: {item!r} is not a guard (it needs has_permission(request), or be a "
            "function of the request)"
        )


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
    route.meta["guards"] = list(guards)
    active = [g for g in guards if not isinstance(g, AllowAny)]
    if not active:
        return None
    checks = tuple((guard_check(g), inspect.iscoroutinefunction(guard_check(g)), g) for g in active)

    any_async = any(is_async for _, is_async, _ in checks)

    def challenge() -> str:
        # Read when first needed: the auth plugin records the route's challenge while it
        # compiles, which may be after this hook ran.
        return str(route.meta.get("auth_challenge") or DEFAULT_CHALLENGE)

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


async def check_object_permissions(request: Any, obj: Any) -> None:
    """Run the route's guards' ``has_object_permission(request, obj)``; raise 401/403.

    Call it where the object is loaded (a handler, or a ViewSet's ``get_object``) for
    per-object rules such as "only the author may edit". Guards without the method allow.
    """
    route = request.route
    guards = route.meta.get("guards", ()) if route is not None else ()
    challenge = (route.meta.get("auth_challenge") if route is not None else None) or (
        DEFAULT_CHALLENGE
    )
    for guard in guards:
        check = getattr(guard, "has_object_permission", None)
        if check is not None and not await call_guard(check, request, obj):
            raise refusal(request, guard, challenge)
