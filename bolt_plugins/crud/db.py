"""Running ORM work off the event loop, with Django's connection hygiene and transactions.

Django's ORM is synchronous and its connections belong to a thread. Bolt runs each unit of
ORM work (a list query, a write and everything it calls) in a worker thread, chosen once per
database:

- SQLite: the single thread Django's own async ORM methods use (``thread_sensitive``), so all
  SQLite work is serialised, as SQLite serialises writers anyway, and no "database is locked"
  race appears between threads;
- other databases: the loop's thread pool, one connection per pool thread.

Around every unit, Bolt does what Django does around a request (``close_old_connections``;
connections inside an ``atomic`` block are left alone):
a connection past ``CONN_MAX_AGE``, or one that saw an error and no longer answers, is closed
before and after the work, so a database that went away and came back is reconnected without
a restart, and ``CONN_MAX_AGE = 0`` means no connection outlives the unit. ``CONN_HEALTH_CHECKS``
works as in Django. Bolt requests do not go through Django's request handler or signals.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import os
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import AsyncToSync, SyncToAsync, async_to_sync, sync_to_async
from django.db import DEFAULT_DB_ALIAS, connections, transaction

__all__ = ["DbRunner", "call_maybe_async", "close_stale", "runner_for"]


def close_stale() -> None:
    """Django's ``close_old_connections`` for this thread's connections, except those inside
    an ``atomic`` block (a test case's transaction, or a caller's own): closing those would
    end the caller's transaction."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


def call_maybe_async(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a user hook from ORM-thread code: ``async def`` hooks run on the event loop
    while their own ORM calls come back to this thread (and this transaction)."""
    if inspect.iscoroutinefunction(func):
        return async_to_sync(func)(*args, **kwargs)
    result = func(*args, **kwargs)
    if inspect.isawaitable(result):
        return async_to_sync(_await)(result)
    return result


async def _await(value: Awaitable[Any]) -> Any:
    return await value


class DbRunner:
    """Run ``fn(*args)`` in an ORM thread: ``await runner.read(fn)`` / ``runner.write(fn)``.

    ``write`` wraps the work in ``transaction.atomic`` on the runner's database, so a write
    that fails half-way changes nothing.
    """

    __slots__ = ("_read", "_read_unit", "_sensitive", "_write", "_write_unit", "alias")

    def __init__(self, alias: str = DEFAULT_DB_ALIAS) -> None:
        self.alias = alias
        engine = connections.settings[alias]["ENGINE"]
        sensitive = "sqlite" in engine

        def read_unit(fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
            close_stale()
            try:
                return fn(*args)
            finally:
                close_stale()

        def write_unit(fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
            close_stale()
            try:
                with transaction.atomic(using=alias):
                    return fn(*args)
            finally:
                close_stale()

        self._sensitive = sensitive
        self._read_unit = read_unit
        self._write_unit = write_unit
        self._read = sync_to_async(read_unit, thread_sensitive=sensitive)
        self._write = sync_to_async(write_unit, thread_sensitive=sensitive)

    def read(self, fn: Callable[..., Any], *args: Any) -> Awaitable[Any]:
        """Run ORM reads in the ORM thread."""
        # hot path
        fast = _direct_hop(self._sensitive, self._read_unit, fn, args)
        return fast if fast is not None else self._read(fn, args)

    def write(self, fn: Callable[..., Any], *args: Any) -> Awaitable[Any]:
        """Run ORM writes in the ORM thread, inside one transaction."""
        fast = _direct_hop(self._sensitive, self._write_unit, fn, args)
        return fast if fast is not None else self._write(fn, args)


def _in_thread(loop: Any, unit: Any, fn: Any, args: Any) -> Any:
    # What asgiref's thread handler records for the thread: async hooks called from ORM
    # code (``call_maybe_async``) then run on the main loop, and their ORM calls come back
    # to this thread, as under ``sync_to_async``.
    local = SyncToAsync.threadlocal
    local.main_event_loop = loop
    local.main_event_loop_pid = os.getpid()  # per call: workers fork after import
    if _Storage is not None:
        # asgiref tags ``Local`` data (Django's active time zone and language…) with the
        # thread that set it and re-homes it when it moves work between threads itself;
        # do the same, or the unit would not see ``timezone.override`` of its caller.
        thread = threading.get_ident()
        for var, value in contextvars.copy_context().items():
            if type(value) is _Storage and value.thread_id != thread:
                var.set(_rehome(value))
    return unit(fn, args)


try:  # newer asgiref: thread-tagged Local storage
    from asgiref.local import _rehome, _Storage
except ImportError:  # pragma: no cover - older asgiref: Local data follows the context
    _rehome = _Storage = None  # type: ignore[assignment,misc]
try:
    from asgiref.sync import _restore_context
except ImportError:  # pragma: no cover - an asgiref without it: changes stay in the unit
    _restore_context = None  # type: ignore[assignment]


def _direct_hop(sensitive: bool, unit: Any, fn: Any, args: Any) -> Any:
    """Submit an ORM unit to the executor ``sync_to_async`` would choose, without its
    per-call machinery (about 25 µs of CPU per request on the benchmark server), or
    return ``None`` when asgiref's choice depends on more than this knows (a sync caller
    above, a thread-sensitive context, a loop with its own executor): then the caller
    uses ``sync_to_async`` itself."""
    # hot path
    loop = asyncio.get_running_loop()
    if sensitive:
        if (
            _SINGLE is None
            or getattr(AsyncToSync.executors, "current", None) is not None
            or SyncToAsync.thread_sensitive_context.get(None) is not None
            or loop in _LOOP_EXECUTORS
            or SyncToAsync.deadlock_context.get(False)
        ):
            return None
        executor = _SINGLE
    else:
        executor = None  # the loop's default pool, as sync_to_async(thread_sensitive=False)
    context = contextvars.copy_context()
    return _hop(
        loop.run_in_executor(executor, context.run, _in_thread, loop, unit, fn, args), context
    )


async def _hop(future: Any, context: contextvars.Context) -> Any:
    # As ``sync_to_async`` does when its function returns: what the unit changed in its
    # context (``timezone.activate`` in a hook, ``translation.activate``…) holds for the
    # rest of the caller, with asgiref's ``Local`` data moved back to the caller's thread.
    try:
        return await future
    finally:
        if _restore_context is not None:
            _restore_context(context)


_SINGLE = getattr(SyncToAsync, "single_thread_executor", None)
_LOOP_EXECUTORS: Any = getattr(AsyncToSync, "loop_thread_executors", {})
_runners: dict[str, DbRunner] = {}


def runner_for(alias: str | None = None) -> DbRunner:
    """The runner of a database alias (one per alias; it holds no per-API state)."""
    alias = alias or DEFAULT_DB_ALIAS
    runner = _runners.get(alias)
    if runner is None:
        runner = _runners[alias] = DbRunner(alias)
    return runner
