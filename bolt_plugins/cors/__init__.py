"""CORS plugin: the ``@cors`` decorator, project-wide ``CORS_*`` settings, and the middleware.

Hooks:
- ``bolt_configure`` reads and validates the project defaults (the ``CORS_*`` Django
  settings) once per API and declares the middleware name ``"cors"``.
- ``bolt_route_middleware`` gives a route the CORS step (phase 100, ``preflight=True``) when
  it carries ``@cors(...)`` or when the project allows origins for every route, and claims
  the ``cors`` route option.

Settings (Django ``settings.py``; all optional):

==============================  ============================================================
``CORS_ALLOWED_ORIGINS``        origins every route allows, e.g. ``["https://app.example.com"]``
``CORS_ALLOWED_ORIGIN_REGEXES`` patterns matched against the whole origin (``re.fullmatch``)
``CORS_ALLOW_ALL_ORIGINS``      ``True`` is the same as ``CORS_ALLOWED_ORIGINS = ["*"]``
``CORS_ALLOW_CREDENTIALS``      send ``Access-Control-Allow-Credentials: true`` (default False)
``CORS_ALLOW_METHODS``          methods a preflight may ask for (default DELETE GET OPTIONS
                                PATCH POST PUT)
``CORS_ALLOW_HEADERS``          request headers a preflight may ask for (``"*"`` = any)
``CORS_EXPOSE_HEADERS``         response headers scripts may read
``CORS_PREFLIGHT_MAX_AGE``      preflight cache seconds (default 600, capped at 7200)
==============================  ============================================================
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from bolt.exceptions import ImproperlyConfigured
from bolt.hookspecs import hookimpl
from bolt.pipeline import PHASE_CORS, Middleware
from bolt.route_options import route_option
from bolt_plugins.cors.middleware import make_cors_before
from bolt_plugins.cors.policy import CorsPolicy, CorsSpec, spec_from_kwargs

__all__ = ["CorsPolicy", "CorsSpec", "cors"]

F = TypeVar("F", bound=Callable[..., Any])
STATE_KEY = "cors"
_SETTINGS_WHERE = "CORS_* settings"


def cors(
    origins: list[str] | None = None,
    methods: list[str] | None = None,
    headers: list[str] | None = None,
    credentials: bool | None = None,
    max_age: int | None = None,
    expose_headers: list[str] | None = None,
    *,
    origin_regexes: list[str] | None = None,
) -> Callable[[F], F]:
    """Allow cross-origin requests to this route.

    Each argument left at ``None`` takes the project setting (``CORS_ALLOWED_ORIGINS``,
    ``CORS_ALLOW_METHODS``…), else the built-in default: ``credentials=False``,
    ``max_age=600``, the methods ``DELETE GET OPTIONS PATCH POST PUT`` and the headers
    ``accept authorization content-type user-agent x-csrftoken x-requested-with``.

    ``origins`` are matched exactly (scheme, host and port); ``["*"]`` allows any origin but
    not together with ``credentials=True`` (a startup error). ``max_age`` is capped at 7200.
    """
    spec = spec_from_kwargs(
        origins=origins,
        origin_regexes=origin_regexes,
        methods=methods,
        headers=headers,
        credentials=credentials,
        max_age=max_age,
        expose_headers=expose_headers,
        where="@cors(...)",
    )

    def decorate(func: F) -> F:
        return route_option(func, "cors", spec)

    return decorate


class CorsState:
    """Per-API CORS configuration, prepared once in ``bolt_configure``."""

    __slots__ = ("default_policy", "project")

    def __init__(self, project: CorsSpec, default_policy: CorsPolicy | None) -> None:
        self.project = project
        self.default_policy = default_policy


def project_spec(django_settings: Any) -> CorsSpec:
    """Read the ``CORS_*`` settings into a spec (validated later by ``CorsPolicy.build``)."""

    def setting(name: str) -> Any:
        return getattr(django_settings, name, None)

    origins = setting("CORS_ALLOWED_ORIGINS")
    if setting("CORS_ALLOW_ALL_ORIGINS"):
        if origins:
            raise ImproperlyConfigured(
                "CORS_ALLOW_ALL_ORIGINS = True and CORS_ALLOWED_ORIGINS are both set; keep only one"
            )
        origins = ["*"]
    max_age = setting("CORS_PREFLIGHT_MAX_AGE")
    return spec_from_kwargs(
        origins=origins,
        origin_regexes=setting("CORS_ALLOWED_ORIGIN_REGEXES"),
        methods=setting("CORS_ALLOW_METHODS"),
        headers=setting("CORS_ALLOW_HEADERS"),
        credentials=setting("CORS_ALLOW_CREDENTIALS"),
        max_age=max_age,
        expose_headers=setting("CORS_EXPOSE_HEADERS"),
        where=_SETTINGS_WHERE,
    )


def _coerce(value: Any, where: str) -> CorsSpec:
    if isinstance(value, CorsSpec):
        return value
    if isinstance(value, dict):
        allowed = {
            "origins",
            "origin_regexes",
            "methods",
            "headers",
            "credentials",
            "max_age",
            "expose_headers",
        }
        unknown = set(value) - allowed
        if unknown:
            raise ImproperlyConfigured(f"{where}: unknown cors option(s) {sorted(unknown)}")
        kwargs = {name: value.get(name) for name in allowed}
        return spec_from_kwargs(**kwargs, where=where)
    raise ImproperlyConfigured(
        f"{where}: cors= must be a dict of cors() arguments; use the @cors(...) decorator"
    )


@hookimpl(trylast=True)
def bolt_configure(api: Any, settings: Any) -> None:
    from django.conf import settings as django_settings

    api.register_middleware_name("cors")
    api.register_option("cors", "cors")
    spec = project_spec(django_settings)
    # Validate the project defaults now even if only decorated routes use them.
    policy = CorsPolicy.build(spec, _SETTINGS_WHERE)
    enabled = bool(spec.origins) or bool(spec.origin_regexes)
    api.state[STATE_KEY] = CorsState(spec, policy if enabled else None)


@hookimpl(trylast=True)
def bolt_route_middleware(api: Any, route: Any) -> Middleware | None:
    state: CorsState = api.state[STATE_KEY]
    value = route.options.get("cors")
    if value is None:
        policy = state.default_policy
        if policy is None:
            return None
    else:
        route.claim("cors")
        where = f"{route!r} @cors"
        policy = CorsPolicy.build(_coerce(value, where).over(state.project), where)
    return Middleware(
        PHASE_CORS, before=make_cors_before(policy), name="cors", optional=True, preflight=True
    )
