"""Compiling a route's authentication backends into one phase-200 middleware."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from bolt import forced_auth
from bolt.facts import AUTH_CHALLENGE
from bolt.pipeline import PHASE_AUTH, Middleware
from bolt.request import Request

from .base import PreloadedUser, user_context
from .facts import AUTH_BACKENDS

__all__ = ["auth_middleware"]

Step = Callable[[Request], Any]


def auth_middleware(api: Any, route: Any, backends: list[Any]) -> Middleware:
    """Prepare each backend once and return the ``before`` step that tries them in order
    (synchronous for a single synchronous backend, the common JWT and API-key case).

    ``prepare(api)`` may return the object to use in the backend's place (``None`` keeps
    the backend itself).

    The first backend that recognises credentials sets ``request.auth`` (and the user
    loader); a backend that finds bad credentials answers 401 at once; when none finds
    any, the request continues anonymous and the guards decide.
    """
    steps: list[tuple[Any, bool, Any]] = []
    prepared_backends: list[Any] = []
    for backend in backends:
        prepare = getattr(backend, "prepare", None)
        if prepare is not None:
            # A backend may hand back the object to use for this API (bound to its settings).
            backend = prepare(api) or backend
        prepared_backends.append(backend)
        authenticate = backend.authenticate
        steps.append(
            (
                authenticate,
                inspect.iscoroutinefunction(authenticate),
                getattr(backend, "user_loader", None),
            )
        )
    route.meta[AUTH_BACKENDS] = prepared_backends
    route.meta[AUTH_CHALLENGE] = ", ".join(
        getattr(b, "challenge", None) or "Bearer" for b in prepared_backends
    )
    step, arm = _auth_step(tuple(steps))
    # Forced authentication (``bolt.forced_auth``): the plain step until a test client
    # forces in this process, then armed; production never pays for it.
    forced_auth.when_switched_on(step, arm)
    return Middleware(PHASE_AUTH, before=step, name="auth", optional=False)


def _forced(request: Request) -> dict[str, Any] | None:
    """The auth context a test client forced for this request (its user loader set), or
    ``None``: what an armed step checks before its backends."""
    forced = forced_auth.FORCED.get()
    if forced is None:
        return None
    user, context = forced
    if context is None:
        context = user_context(user, backend="force_authenticate")
    request.user_loader = PreloadedUser(user) if user is not None else None
    return context


def _auth_step(frozen: tuple[tuple[Any, bool, Any], ...]) -> tuple[Step, Callable[[], None]]:
    """The route's ``before`` step, and how to arm it for forced authentication.

    Arming rebinds a variable the step reads anyway (the backend, the backend tuple), so
    the step costs the same until armed and the kernel's compiled chain, which holds the
    step itself, need not change.
    """
    if len(frozen) == 1:
        authenticate, is_async, loader = frozen[0]
        if not is_async:

            def authenticate_one(request: Request) -> None:
                # hot path
                context = authenticate(request)
                if context is not None:
                    request.auth = context
                    if loader is not None and request.user_loader is None:
                        request.user_loader = loader

            def arm_one() -> None:
                nonlocal authenticate
                real = authenticate

                def forced_or_real(request: Request) -> Any:
                    context = _forced(request)
                    if context is None:
                        return real(request)
                    request.auth = context
                    return None  # the step has nothing left to do

                authenticate = forced_or_real

            return authenticate_one, arm_one

    async def authenticate_any(request: Request) -> None:
        # hot path
        for authenticate, is_async, loader in frozen:
            context = authenticate(request)
            if is_async:
                context = await context
            if context is not None:
                request.auth = context
                if loader is not None and request.user_loader is None:
                    request.user_loader = loader
                break

    def arm_any() -> None:
        nonlocal frozen
        # Tried first; it has no loader of its own (``_forced`` set the user's).
        frozen = ((_forced, False, None), *frozen)

    return authenticate_any, arm_any
