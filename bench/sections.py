"""What each benchmark section serves, which endpoints it loads, and which ratios it reports.

A section whose apps cannot be imported (a plugin that does not exist yet, a peer framework
that is not installed) is skipped with the import error, never half-measured.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.apps.payload import HELLO, POST_BODY
from bench.runner import App, Endpoint

POST_JSON = json.loads(POST_BODY)
DJB_ENV = "BENCH_DJANGO_BOLT_PYTHON"
ORIGIN = "http://localhost:3000"
# Only the benchmark's own servers read this; tokens are minted with it in bench/tokens.py.
BENCH_SECRET = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Ratio:
    """``num / den`` of two (app, endpoint) medians, with an optional floor to meet."""

    label: str
    num: tuple[str, str]
    den: tuple[str, str]
    target: float | None = None


@dataclass
class Section:
    name: str
    title: str
    endpoints: dict[str, Endpoint]
    apps: list[App]
    ratios: list[Ratio]
    setup: Callable[[], None] | None = None
    notes: list[str] = field(default_factory=list)


def django_bolt(keys: tuple[str, ...]) -> list[App]:
    """django-bolt on its own server, when a Python >= 3.12 with it installed is named."""
    python = os.environ.get(DJB_ENV)
    if not python:
        return []
    command = (python, "-m", "django", "runbolt", "--host", "127.0.0.1", "--port", "{port}")
    command += ("--processes", "1", "--no-admin", "--skip-checks")
    env = {"DJANGO_SETTINGS_MODULE": "bench.djb.settings"}
    return [App("django-bolt", "bench.djb.api:api", keys, env=env, command=command, python=python)]


def _eps(*eps: Endpoint) -> dict[str, Endpoint]:
    return {ep.key: ep for ep in eps}


HELLO_EP = Endpoint("hello", "GET", "/hello", 200, HELLO)
ITEM_EP = Endpoint("item", "GET", "/items/42?q=x", 200, {"item_id": 42, "q": "x"})
CREATE_EP = Endpoint("create", "POST", "/items", 201, POST_JSON, POST_BODY, "post.lua")
CORE_KEYS = ("hello", "item", "create")


def core() -> Section:
    apps = [
        App("bare", "bench.apps.bare:app", CORE_KEYS),
        App("bolt", "bench.apps.bolt_app:api", CORE_KEYS),
        App("starlette", "bench.apps.starlette_app:app", CORE_KEYS),
        App("litestar", "bench.apps.litestar_app:app", CORE_KEYS),
        *django_bolt(CORE_KEYS),
    ]
    targets = {"hello": 0.85, "item": 0.80, "create": 0.75}
    ratios = [
        Ratio(
            f"{fw} {key} / bare", (fw, key), ("bare", key), targets[key] if fw == "bolt" else None
        )
        for fw in ("bolt", "starlette", "litestar", *(a.name for a in apps[4:]))
        for key in CORE_KEYS
    ] + [
        Ratio(f"bolt {key} / django-bolt", ("bolt", key), ("django-bolt", key))
        for key in CORE_KEYS
        if len(apps) > 4
    ]
    return Section(
        "core",
        "Core: hello, path+query, POST body (Bolt vs a bare ASGI app and peers)",
        _eps(HELLO_EP, ITEM_EP, CREATE_EP),
        apps,
        ratios,
    )


def viewsets() -> Section:
    eps = _eps(
        Endpoint("fn_get", "GET", "/fn/items/42?q=x", 200, {"item_id": 42, "q": "x"}),
        Endpoint("vs_get", "GET", "/vs/items/42?q=x", 200, {"item_id": 42, "q": "x"}),
        Endpoint("fn_list", "GET", "/fn/items", 200, [{"item_id": i} for i in range(3)]),
        Endpoint("vs_list", "GET", "/vs/items", 200, [{"item_id": i} for i in range(3)]),
    )
    return Section(
        "viewsets",
        "ViewSet routes vs equivalent function routes (viewsets plugin)",
        eps,
        [App("bolt-viewsets", "bench.apps.viewsets_app:api", tuple(eps))],
        [
            Ratio(
                "ViewSet retrieve / function",
                ("bolt-viewsets", "vs_get"),
                ("bolt-viewsets", "fn_get"),
                0.90,
            ),
            Ratio(
                "ViewSet list / function",
                ("bolt-viewsets", "vs_list"),
                ("bolt-viewsets", "fn_list"),
                0.90,
            ),
        ],
    )


def auth() -> Section:
    from bench.tokens import bearer

    protected = {"message": "Hello, World!", "user_id": 1}
    eps = _eps(
        Endpoint("public", "GET", "/public", 200, HELLO),
        Endpoint(
            "jwt",
            "GET",
            "/protected",
            200,
            protected,
            headers={"authorization": bearer(BENCH_SECRET)},
        ),
    )
    return Section(
        "auth",
        "JWT + IsAuthenticated vs the same route unprotected (auth and guards plugins)",
        {"hello": HELLO_EP, **eps},
        [
            App("bare", "bench.apps.bare:app", ("hello",)),
            App(
                "bolt-auth",
                "bench.apps.auth_app:api",
                tuple(eps),
                env={"DJANGO_SECRET_KEY": BENCH_SECRET},
            ),
        ],
        [
            Ratio(
                "JWT route / unprotected route", ("bolt-auth", "jwt"), ("bolt-auth", "public"), 0.80
            ),
            Ratio("JWT route / bare hello", ("bolt-auth", "jwt"), ("bare", "hello")),
            Ratio("unprotected route / bare hello", ("bolt-auth", "public"), ("bare", "hello")),
        ],
    )


def middleware() -> Section:
    o = {"origin": ORIGIN}
    eps = _eps(
        Endpoint("plain", "GET", "/plain", 200, HELLO, headers=o),
        Endpoint(
            "guarded",
            "GET",
            "/guarded",
            200,
            HELLO,
            headers=o,
            want_headers=("access-control-allow-origin", "ratelimit-remaining"),
        ),
        Endpoint(
            "cors",
            "GET",
            "/cors-only",
            200,
            HELLO,
            headers=o,
            want_headers=("access-control-allow-origin",),
        ),
        Endpoint(
            "limit",
            "GET",
            "/limit-only",
            200,
            HELLO,
            headers=o,
            want_headers=("ratelimit-remaining",),
        ),
        Endpoint(
            "headers",
            "GET",
            "/headers-only",
            200,
            HELLO,
            headers=o,
            want_headers=("ratelimit-policy",),
        ),
        # The same app with BOLT_RATELIMIT_HEADERS = "refused" (the query string only names
        # the row; the route ignores it).
        Endpoint(
            "guarded_quiet",
            "GET",
            "/guarded?headers=refused",
            200,
            HELLO,
            headers=o,
            want_headers=("access-control-allow-origin",),
        ),
    )
    app = "bolt-middleware"
    quiet = "bolt-middleware-quiet"
    return Section(
        "middleware",
        "@cors + @rate_limit (memory store, never triggered) vs a plain route",
        eps,
        [
            App(
                app, "bench.apps.middleware_app:api", tuple(n for n in eps if n != "guarded_quiet")
            ),
            App(
                quiet,
                "bench.apps.middleware_app:api",
                ("plain", "guarded_quiet"),
                env={"BOLT_RATELIMIT_HEADERS": "refused"},
            ),
        ],
        [
            Ratio("cors+rate_limit / plain", (app, "guarded"), (app, "plain"), 0.85),
            Ratio("cors alone / plain", (app, "cors"), (app, "plain")),
            Ratio("rate_limit alone / plain", (app, "limit"), (app, "plain")),
            Ratio("plain + the same 6 static headers / plain", (app, "headers"), (app, "plain")),
            Ratio(
                'cors+rate_limit, BOLT_RATELIMIT_HEADERS = "refused" / plain',
                (quiet, "guarded_quiet"),
                (quiet, "plain"),
            ),
        ],
        notes=[
            "Every request carries an `Origin` header, so the CORS middleware does its work. "
            "The fourth row returns six headers (the CORS pair and the rate limiter's four) as "
            "static values and with no middleware. `bolt-middleware-quiet` is the same app "
            'with `BOLT_RATELIMIT_HEADERS = "refused"`: its allowed responses carry no '
            "`RateLimit-*` headers."
        ],
    )


def orm() -> Section:
    from bench.orm.seed import ROWS, expected_detail, expected_list, seed

    orm_env = {"DJANGO_SETTINGS_MODULE": "bench.orm.settings"}
    eps = _eps(
        Endpoint("list", "GET", "/articles", 200, expected_list),
        Endpoint("detail", "GET", "/articles/7", 200, expected_detail(7)),
    )
    keys = tuple(eps)
    wsgi = ("--blocking-threads", "1")
    djb = django_bolt(keys)
    targets = {"drf": 3.0, "django-bolt": 0.9}
    return Section(
        "orm",
        f"ORM on SQLite: GET /articles ({ROWS} rows) and GET /articles/{{id}}",
        eps,
        [
            App("bolt-orm", "bench.orm.bolt_api:api", keys, env=orm_env),
            App(
                "ninja",
                "bench.orm.wsgi:application",
                keys,
                "wsgi",
                {**orm_env, "BENCH_ORM_URLS": "bench.orm.ninja_urls"},
                wsgi,
            ),
            App(
                "drf",
                "bench.orm.wsgi:application",
                keys,
                "wsgi",
                {**orm_env, "BENCH_ORM_URLS": "bench.orm.drf_urls"},
                wsgi,
            ),
            *djb,
        ],
        [
            Ratio(f"Bolt {key} / {peer}", ("bolt-orm", key), (peer, key), targets.get(peer))
            for peer in ("drf", "ninja", *(a.name for a in djb))
            for key in keys
        ],
        setup=seed,
        notes=[
            "ninja and DRF run sync views under Granian's WSGI interface (1 worker, "
            "1 blocking thread), the way they are usually deployed."
        ],
    )


SECTIONS: dict[str, Callable[[], Section]] = {
    "core": core,
    "viewsets": viewsets,
    "auth": auth,
    "middleware": middleware,
    "orm": orm,
}
