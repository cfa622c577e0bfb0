"""``runbolt``'s options: flags over settings over defaults, validation, and the server built.

The server itself is replaced by a recorder here; ``tests/e2e`` runs it for real.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bolt.conf import reset_settings
from bolt.exceptions import ImproperlyConfigured
from bolt_granian import server as server_module
from bolt_granian.management.commands import runbolt
from bolt_granian.server import DEFAULT_TARGET, ServerOptions, build_server, default_target

# runbolt runs Django's system checks; on Django 6 they ask each database about its features
# (a JSONField model asks SQLite whether it supports JSON), which needs database access.
pytestmark = pytest.mark.django_db


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[ServerOptions]:
    """Record the options ``runbolt`` would start Granian with, instead of serving."""
    calls: list[ServerOptions] = []
    monkeypatch.setattr(runbolt, "serve", calls.append)
    return calls


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Any:
    for name in (
        "BOLT_HOST",
        "BOLT_PORT",
        "BOLT_WORKERS",
        "BOLT_RUNTIME_THREADS",
        "BOLT_LOG_LEVEL",
    ):
        monkeypatch.delenv(name, raising=False)
    reset_settings()
    yield
    reset_settings()


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("runbolt", *args, stdout=out)
    return out.getvalue()


def test_defaults_without_flags_or_settings(served: list[ServerOptions]) -> None:
    output = run()
    assert served == [
        ServerOptions(
            host="127.0.0.1",
            port=8000,
            workers=1,
            threads=1,
            reload=False,
            log_level="info",
            target=DEFAULT_TARGET,
            factory=True,
        )
    ]
    assert "http://127.0.0.1:8000/" in output
    assert "Bolt server stopped." in output


def test_flags_are_parsed(served: list[ServerOptions]) -> None:
    run(
        "--host",
        "0.0.0.0",
        "--port",
        "9001",
        "--workers",
        "3",
        "--threads",
        "2",
        "--reload",
        "--log-level",
        "debug",
        "--access-log",
    )
    (options,) = served
    assert (options.host, options.port, options.workers, options.threads) == ("0.0.0.0", 9001, 3, 2)
    assert options.reload is True
    assert options.log_level == "debug"
    assert options.access_log is True


def test_settings_give_the_defaults(served: list[ServerOptions], settings: Any) -> None:
    settings.BOLT_HOST = "0.0.0.0"
    settings.BOLT_PORT = 8123
    settings.BOLT_WORKERS = 4
    settings.BOLT_RUNTIME_THREADS = 2
    settings.BOLT_LOG_LEVEL = "warning"
    run()
    run("--port", "9000", "--workers", "1")
    first, second = served
    assert (first.host, first.port, first.workers, first.threads, first.log_level) == (
        "0.0.0.0",
        8123,
        4,
        2,
        "warning",
    )
    assert (second.port, second.workers, second.host) == (9000, 1, "0.0.0.0")


def test_environment_gives_the_defaults(
    served: list[ServerOptions], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOLT_PORT", "8555")
    monkeypatch.setenv("BOLT_WORKERS", "2")
    reset_settings()
    run()
    assert (served[0].port, served[0].workers) == (8555, 2)


def test_port_zero_is_allowed(served: list[ServerOptions]) -> None:
    run("--port", "0")
    assert served[0].port == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "70000"], "--port: must be between 0 and 65535, got 70000"),
        (["--port", "http"], "--port: expected a port number, got 'http'"),
        (["--workers", "0"], "--workers: must be at least 1, got 0"),
        (["--threads", "-2"], "--threads: must be at least 1, got -2"),
        (["--shutdown-timeout", "-1"], "--shutdown-timeout: must be at least 0, got -1"),
        (["--workers", "two"], "--workers: expected a whole number, got 'two'"),
        (["--log-level", "loud"], "--log-level: invalid choice: 'loud'"),
    ],
)
def test_bad_flags_are_command_errors(
    served: list[ServerOptions], args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert served == []


def test_bad_setting_names_the_setting(served: list[ServerOptions], settings: Any) -> None:
    settings.BOLT_WORKERS = 0
    with pytest.raises(
        CommandError, match="BOLT_WORKERS: Input should be greater than or equal to 1"
    ):
        run()
    assert served == []


def test_app_flag_and_asgi_application_setting(served: list[ServerOptions], settings: Any) -> None:
    run("--app", "myproject.asgi:application")
    assert (served[-1].target, served[-1].factory) == ("myproject.asgi:application", False)

    settings.ASGI_APPLICATION = "myproject.asgi.application"
    run()
    assert (served[-1].target, served[-1].factory) == ("myproject.asgi:application", False)


def test_default_target_is_the_project_factory(settings: Any) -> None:
    assert not hasattr(settings, "ASGI_APPLICATION")
    assert default_target() == ("bolt.asgi:get_asgi_application", True)
    settings.ASGI_APPLICATION = "application"
    with pytest.raises(ImproperlyConfigured, match="ASGI_APPLICATION must be a dotted path"):
        default_target()


def test_reload_watches_the_project(served: list[ServerOptions], settings: Any) -> None:
    settings.BASE_DIR = "/srv/project"
    run("--reload")
    assert served[0].reload_paths == (Path("/srv/project"),)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"port": 65536}, "port must be between 0 and 65535"),
        ({"workers": 0}, "workers must be at least 1"),
        ({"threads": 0}, "threads must be at least 1"),
        ({"log_level": "chatty"}, "log level must be one of"),
        ({"target": "myproject.asgi"}, "'module:attribute'"),
    ],
)
def test_server_options_validate(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        ServerOptions(**fields)


def test_build_server_configures_granian() -> None:
    from granian.constants import Interfaces
    from granian.log import LogLevels

    server = build_server(
        ServerOptions(
            host="127.0.0.1", port=9123, workers=2, threads=3, log_level="warning", access_log=True
        )
    )
    assert server.target == DEFAULT_TARGET
    assert server.factory is True
    assert server.interface == Interfaces.ASGI
    assert (server.bind_addr, server.bind_port) == ("127.0.0.1", 9123)
    assert (server.workers, server.runtime_threads) == (2, 3)
    assert server.log_level == LogLevels.warning
    assert server.log_access is True
    assert server.reload_on_changes is False


def test_reload_without_watchfiles_explains(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_module.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImproperlyConfigured, match=r"python -m pip install watchfiles"):
        build_server(ServerOptions(reload=True))


def test_server_errors_become_command_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(options: ServerOptions) -> None:
        raise ImproperlyConfigured("cannot serve")

    monkeypatch.setattr(runbolt, "serve", refuse)
    with pytest.raises(CommandError, match="cannot serve"):
        run()


def run_both(*args: str) -> str:
    """stdout and stderr of ``runbolt`` in one stream, in the order they were written."""
    from io import StringIO

    out = StringIO()
    call_command("runbolt", *args, stdout=out, stderr=out)
    return out.getvalue()


STATIC_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.staticfiles"]


def test_debug_is_runserver_like(served: list[ServerOptions], settings: Any) -> None:
    settings.DEBUG = True
    settings.INSTALLED_APPS = [*STATIC_APPS, "bolt", "bolt_granian"]
    settings.STATIC_URL = "static/"
    output = run()
    (options,) = served
    assert (options.reload, options.static, options.access_log) == (True, True, True)
    assert "autoreload, static files, access log" in output


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--noreload"], (False, True, True)),
        (["--nostatic"], (True, False, True)),
        (["--no-access-log"], (True, True, False)),
        (["--noreload", "--nostatic", "--no-access-log"], (False, False, False)),
    ],
)
def test_debug_defaults_turn_off_one_by_one(
    served: list[ServerOptions], settings: Any, flags: list[str], expected: tuple[bool, ...]
) -> None:
    settings.DEBUG = True
    settings.INSTALLED_APPS = [*STATIC_APPS, "bolt", "bolt_granian"]
    run(*flags)
    (options,) = served
    assert (options.reload, options.static, options.access_log) == expected


def test_without_debug_nothing_is_served_but_the_app(
    served: list[ServerOptions], settings: Any
) -> None:
    settings.INSTALLED_APPS = [*STATIC_APPS, "bolt", "bolt_granian"]
    run()
    run("--insecure", "--access-log")
    plain, insecure = served
    assert (plain.reload, plain.static, plain.access_log) == (False, False, False)
    assert (insecure.static, insecure.access_log) == (True, True)


def test_static_needs_the_staticfiles_app(served: list[ServerOptions], settings: Any) -> None:
    settings.DEBUG = True
    run()
    assert served[0].static is False


def test_missing_watchfiles_says_how_to_install_it_before_the_banner(
    served: list[ServerOptions], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DEBUG = True
    monkeypatch.setattr(runbolt.importlib.util, "find_spec", lambda name: None)
    output = run_both()
    assert served[0].reload is False
    install = output.index("python -m pip install watchfiles")
    assert install < output.index("Bolt on Granian:")


def test_respawn_is_on_unless_turned_off(served: list[ServerOptions]) -> None:
    run()
    run("--no-respawn")
    assert [options.respawn for options in served] == [True, False]
    assert build_server(served[0]).respawn_failed_workers is True
    assert build_server(served[1]).respawn_failed_workers is False


def test_static_serves_the_project_behind_django_static_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bolt_granian import dev

    monkeypatch.delenv(dev.APP_ENV, raising=False)
    monkeypatch.delenv(dev.FACTORY_ENV, raising=False)
    server = build_server(
        ServerOptions(static=True, target="myproject.asgi:application", factory=False)
    )
    assert (server.target, server.factory) == (dev.STATIC_TARGET, True)
    import os

    assert (os.environ[dev.APP_ENV], os.environ[dev.FACTORY_ENV]) == (
        "myproject.asgi:application",
        "0",
    )


def test_reload_watches_sources_only(tmp_path: Path) -> None:
    server = build_server(ServerOptions(reload=True, reload_paths=(tmp_path,)))
    assert server.reload_paths == [tmp_path]
    assert server.reload_ignore_worker_failure is True
    watch = server.reload_filter()
    from watchfiles import Change

    assert watch(Change.modified, str(tmp_path / "myapp" / "api.py"))
    assert watch(Change.modified, str(tmp_path / "locale" / "fr" / "django.mo"))
    assert not watch(Change.modified, str(tmp_path / "db.sqlite3"))
    assert not watch(Change.added, str(tmp_path / "media" / "upload.png"))


def test_access_lines_carry_the_query_string_and_milliseconds() -> None:
    import logging

    from bolt_granian.dev import AccessFormatter

    def line(query: str) -> str:
        info = {
            "addr": "127.0.0.1",
            "time": "2025-01-01 12:00:00 +0000",
            "dt_ms": 1.234,
            "status": 200,
            "path": "/items/1",
            "query_string": query,
            "method": "GET",
            "scheme": "http",
            "protocol": "HTTP/1.1",
        }
        record = logging.LogRecord("granian.access", 20, __file__, 1, "%(path)s", (), None)
        record.args = info
        return AccessFormatter().format(record)

    assert line("q=lamp&limit=2") == (
        '[2025-01-01 12:00:00 +0000] 127.0.0.1 "GET /items/1?q=lamp&limit=2 HTTP/1.1" 200 1.2 ms'
    )
    assert '"GET /items/1 HTTP/1.1"' in line("")


def test_system_checks_stop_the_server_before_it_starts(served: list[ServerOptions]) -> None:
    from django.core import checks
    from django.core.management.base import SystemCheckError

    @checks.register("runbolt-test")
    def broken(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
        return [checks.Error("the project is broken", id="runbolt.E999")]

    try:
        with pytest.raises(SystemCheckError, match="the project is broken"):
            run()
    finally:
        checks.registry.registry.registered_checks.discard(broken)
    assert served == []
