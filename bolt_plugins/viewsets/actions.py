"""``@action``: custom ViewSet endpoints described as data on the method.

The decorator does not register anything; it wraps the function in an ``ActionHandler``
that records methods, ``detail``, path segment and per-action options. ``api.viewset()``
finds these handlers on the class and turns each into routes under the ViewSet's path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bolt.exceptions import ImproperlyConfigured

__all__ = ["HTTP_METHODS", "ActionHandler", "action"]

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


class ActionHandler:
    """Marker and metadata for one custom action of a ViewSet.

    - ``fn``: the wrapped function (route-option decorators such as ``@cors`` store their
      options on it, whichever side of ``@action`` they are written on);
    - ``methods``: upper-case HTTP methods; ``detail``: instance-level (``{path}/{lookup}/...``)
      or collection-level (``{path}/...``); ``path``: the URL segment (default: the
      function's name);
    - ``options``: the route options given to ``@action`` (``auth``, ``guards``,
      ``response_model``, ``status_code``, ``name`` and any plugin option). An option left out
      is inherited from the class; ``[]`` means none.

    ``auth``, ``guards``, ``response_model`` and ``status_code`` read those options (``None``:
    not given here, so the class's apply), as the guide's ``ActionHandler`` describes.

    On an instance it behaves like the method itself (``self.activate(...)`` works); on the
    class it stays the handler so discovery can see it.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        methods: list[str],
        detail: bool,
        path: str | None,
        options: dict[str, Any],
    ) -> None:
        self.fn = fn
        self.methods = methods
        self.detail = detail
        self.path = path or fn.__name__
        self.options = options
        self.__name__ = fn.__name__
        self.__qualname__ = fn.__qualname__
        self.__doc__ = fn.__doc__

    @property
    def auth(self) -> Any:
        """The action's own authentication backends, or ``None`` to inherit the class's."""
        return self.options.get("auth")

    @property
    def guards(self) -> Any:
        """The action's own guards, or ``None`` to inherit the class's."""
        return self.options.get("guards")

    @property
    def response_model(self) -> Any:
        return self.options.get("response_model")

    @property
    def status_code(self) -> int | None:
        return self.options.get("status_code")

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return self.fn.__get__(instance, owner)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        kind = "detail" if self.detail else "collection"
        return f"<action {self.__qualname__} {'/'.join(self.methods)} {kind} {self.path!r}>"


def action(
    methods: list[str] | tuple[str, ...] | str,
    detail: bool,
    path: str | None = None,
    *,
    auth: list[Any] | None = None,
    guards: list[Any] | None = None,
    response_model: Any = None,
    status_code: int | None = None,
    name: str | None = None,
    **options: Any,
) -> Callable[[Callable[..., Any]], ActionHandler]:
    """Declare a custom ViewSet action (used with ``api.viewset()`` only).

    ``detail=True`` routes to ``{path}/{lookup}/{action path}``, ``detail=False`` to
    ``{path}/{action path}``; the action path defaults to the function name. ``auth`` and
    ``guards`` replace the class-level values when given (``[]`` makes the action public);
    ``name`` replaces the generated route name ``<basename>-<action path>``. Other keyword
    options are passed to the routes as they are (for plugins that own them).
    """
    if isinstance(methods, str):
        methods = [methods]
    if not methods:
        raise ImproperlyConfigured("@action(methods=...) needs at least one HTTP method")
    upper = [m.upper() for m in methods]
    bad = [m for m in upper if m not in HTTP_METHODS]
    if bad:
        raise ImproperlyConfigured(
            f"@action: unknown HTTP method(s) {bad}; use any of {', '.join(HTTP_METHODS)}"
        )
    if not isinstance(detail, bool):
        raise ImproperlyConfigured("@action(detail=...) must be True or False")
    if path is not None:
        if not path.strip("/"):
            raise ImproperlyConfigured(f"@action(path={path!r}) must be a non-empty path")
        path = path.strip("/")
    given = {
        "auth": auth,
        "guards": guards,
        "response_model": response_model,
        "status_code": status_code,
        "name": name,
        **options,
    }
    explicit = {k: v for k, v in given.items() if v is not None}

    def decorate(fn: Callable[..., Any]) -> ActionHandler:
        if isinstance(fn, ActionHandler):
            raise ImproperlyConfigured(
                f"{fn.__qualname__}: @action applied twice; list every method in one "
                "@action(methods=[...])"
            )
        if not callable(fn):
            raise ImproperlyConfigured(f"@action must decorate a function, not {fn!r}")
        return ActionHandler(fn, list(dict.fromkeys(upper)), detail, path, explicit)

    return decorate
