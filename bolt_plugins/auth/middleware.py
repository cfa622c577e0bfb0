"""Compiling a route's authentication backends into one phase-200 middleware."""

from __future__ import annotations

import inspect
import sys
from contextvars import ContextVar
from typing import Any

from bolt.facts import AUTH_CHALLENGE
from bolt.pipeline import PHASE_AUTH, Middleware
from bolt.request import Request

from .facts import AUTH_BACKENDS

__all__ = ["FORCED_AUTH", "auth_middleware"]

#: Set by ``bolt.testing.TestClient.force_authenticate`` for the requests it sends: the auth
#: context and user loader every authenticating route then uses instead of its backends.
#: Only a test client in the same process can set it; nothing a client sends can.
FORCED_AUTH: ContextVar[tuple[dict[str, Any], Any] | None] = ContextVar(
    "bolt_forced_auth", default=None
)


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
    frozen = tuple(steps)
    if "bolt.testing" in sys.modules:
        # Compiled inside a test process: honour ``force_authenticate``. Production code
        # never imports bolt.testing, so its routes never carry this check.
        return _forcible(_auth_step(frozen))
    return _auth_step(frozen)


def _forcible(middleware: Middleware) -> Middleware:
    """The same step, preceded by the test client's forced context when one is set."""
    real: Any = middleware.before

    def forced_or_real(request: Request) -> Any:
        forced = FORCED_AUTH.get()
        if forced is not None:
            request.auth, request.user_loader = forced
            return None
        return real(request)

    async def aforced_or_real(request: Request) -> None:
        forced = FORCED_AUTH.get()
        if forced is not None:
            request.auth, request.user_loader = forced
            return
        await real(request)

    step = aforced_or_real if inspect.iscoroutinefunction(real) else forced_or_real
    return Middleware(PHASE_AUTH, before=step, name="auth", optional=False)


def _auth_step(frozen: tuple[tuple[Any, bool, Any], ...]) -> Middleware:
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

            step: Any = authenticate_one
            return Middleware(PHASE_AUTH, before=step, name="auth", optional=False)

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

    return Middleware(PHASE_AUTH, before=authenticate_any, name="auth", optional=False)
