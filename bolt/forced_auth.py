"""Forced authentication: how a test client sends requests as a user without credentials.

The kernel holds the mechanism and nothing of its meaning, so that ``bolt.testing`` needs
nothing private of the auth plugin: a process-wide switch, and the forced identity of the
request being served. The auth plugin decides what the identity means on its routes.

Production pays nothing for it. Until a test client calls ``force_authenticate`` in this
process the switch is off, and the authentication steps the plugin compiled are its plain
ones, which never look at the identity. Switching on *arms* every step compiled so far (each
registered how, with ``when_switched_on``), and steps compiled afterwards are armed at once;
an armed step reads ``FORCED`` once per request. So forcing works whatever was imported or
compiled first, and a process that never forces runs exactly the code it would without this
module.

Nothing a request carries reaches it: ``FORCED`` is a ``ContextVar`` that only code running
in this process can set, and the test clients set it inside the task of each request they
send (a copy of the context), so no other client's request, and no request a server
accepted, ever sees it.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

__all__ = ["FORCED", "is_switched_on", "switch_on", "when_switched_on"]

#: The forced identity of the request being served, ``(user, context)``: set by the test
#: clients in each request's own task, read only by armed authentication steps.
FORCED: ContextVar[tuple[Any, dict[str, Any] | None] | None] = ContextVar(
    "bolt_forced_auth", default=None
)

_lock = threading.Lock()
_switched_on = False
# Steps compiled while the switch was off -> how to arm each. Weak keys: an API a test
# dropped takes its entries with it.
_unarmed: weakref.WeakKeyDictionary[Any, Callable[[], None]] = weakref.WeakKeyDictionary()


def when_switched_on(owner: Any, arm: Callable[[], None]) -> None:
    """Call ``arm()`` once forcing is switched on in this process: now if it already is.

    ``owner`` is the object ``arm`` changes (an authentication step); the registration is
    forgotten with it, so ``arm`` must not refer to ``owner`` itself. Called when a route
    compiles, never per request.
    """
    with _lock:
        if not _switched_on:
            _unarmed[owner] = arm
            return
    arm()


def switch_on() -> None:
    """Arm every registered step, now and for good (the test clients call this the first
    time a test forces authentication). Cheap to call again."""
    global _switched_on
    with _lock:
        if _switched_on:
            return
        _switched_on = True
        pending = list(_unarmed.values())
        _unarmed.clear()
    for arm in pending:
        arm()


def is_switched_on() -> bool:
    """Whether some test client of this process has forced authentication."""
    return _switched_on
