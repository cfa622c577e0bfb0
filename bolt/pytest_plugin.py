"""Bolt's pytest plugin (entry point ``pytest11``: loaded wherever Bolt is installed).

Fixtures:

- ``bolt_app``: what the clients call; the project's application
  (``bolt.asgi.get_asgi_application()``: every ``BoltAPI`` of the project in front of Django).
  Override it in a ``conftest.py`` to test one API: ``return api``.
- ``bolt_client``: a ``bolt.testing.TestClient`` of ``bolt_app``, lifespan started.
- ``bolt_make_api``: ``bolt_make_api(*plugins, settings=..., **options)`` builds a
  ``BoltAPI`` with exactly the given plugins (and ``BOLT_*`` settings) for plugin tests.
- ``bolt_client_as``: ``bolt_client_as(user)`` returns a client whose requests carry that
  user's auth context on every authenticating route, without a token
  (``TestClient.force_authenticate``).

The clients work in pytest-django's ``django_db`` tests, transactional or not: a request's
ORM work runs on the test's connection (see ``docs/testing.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest


def _client_class() -> Any:
    # Imported when a client is first asked for: a project without httpx still runs its
    # other tests, and this fixture's ImportError says what to install.
    from bolt.testing import TestClient

    return TestClient


@pytest.fixture
def bolt_app() -> Any:
    """The ASGI application the Bolt client fixtures call (override to test one API)."""
    from bolt.asgi import get_asgi_application

    return get_asgi_application()


@pytest.fixture
def bolt_client(bolt_app: Any) -> Iterator[Any]:
    """A ``TestClient`` of ``bolt_app`` with its lifespan running."""
    with _client_class()(bolt_app) as client:
        yield client


@pytest.fixture
def bolt_client_as(bolt_app: Any) -> Iterator[Callable[..., Any]]:
    """``bolt_client_as(user)``: a ``TestClient`` whose requests authenticate as ``user``."""
    clients: list[Any] = []

    def make(user: Any = None, *, context: dict[str, Any] | None = None) -> Any:
        client = _client_class()(bolt_app)
        client.__enter__()
        clients.append(client)
        client.force_authenticate(user, context=context)
        return client

    yield make
    for client in reversed(clients):
        client.__exit__(None, None, None)


@pytest.fixture
def bolt_make_api() -> Iterator[Callable[..., Any]]:
    """``bolt_make_api(*plugins, settings=None, **options)``: a ``BoltAPI`` with exactly
    ``plugins`` (names such as ``"cors"`` and plugin objects) and no other, whatever
    ``BOLT_PLUGINS`` says; ``"+name"``/``"-name"`` modify the first-party defaults instead.

    ``settings`` are ``BOLT_*`` values (without the prefix) set as Django settings for the
    rest of the test, the way a project would set them (``{"TIMING_METRIC": "app"}``); they
    are validated with the plugins' settings models like in production. Like pytest's
    ``pytester``, it lets a plugin's tests build the application they need in one line.
    """
    from django.test import override_settings

    from bolt import BoltAPI
    from bolt._django import ensure_django
    from bolt.conf import reset_settings

    ensure_django()  # a plugin's own test suite may have no Django project at all
    overrides: list[Any] = []

    def make(*plugins: Any, settings: dict[str, Any] | None = None, **options: Any) -> Any:
        if settings:
            override = override_settings(**{f"BOLT_{k}": v for k, v in settings.items()})
            override.enable()
            overrides.append(override)
            reset_settings()
        # Built as if BOLT_PLUGINS were [] and autoload off, so the project's plugin
        # settings do not leak in: names replace nothing, objects are all there is, and
        # "+name"/"-name" modify the first-party defaults.
        with override_settings(BOLT_PLUGINS=[], BOLT_PLUGIN_AUTOLOAD=False):
            reset_settings()
            try:
                return BoltAPI(plugins=list(plugins), **options)
            finally:
                reset_settings()

    yield make
    for override in reversed(overrides):
        override.disable()
    if overrides:
        reset_settings()
