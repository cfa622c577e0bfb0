"""HTTP exceptions users raise and the error shapes clients receive.

Every error leaves Bolt as JSON ``{"detail": ...}``. Validation errors carry a list of
``{"loc": [...], "msg": "...", "type": "..."}`` entries so clients can point at the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from django.core.exceptions import ImproperlyConfigured as DjangoImproperlyConfigured

__all__ = [
    "BadRequest",
    "Conflict",
    "Forbidden",
    "HTTPException",
    "ImproperlyConfigured",
    "InternalServerError",
    "MethodNotAllowed",
    "NotAcceptable",
    "NotFound",
    "PayloadTooLarge",
    "RequestValidationError",
    "ResponseValidationError",
    "ServiceUnavailable",
    "TooManyRequests",
    "Unauthorized",
    "UnprocessableEntity",
    "UnsupportedMediaType",
    "ValidationErrorItem",
]


class ImproperlyConfigured(DjangoImproperlyConfigured):  # type: ignore[misc]  # untyped Django
    """A route or setting is wrong; raised at startup so nothing is served half-configured.

    A subclass of Django's exception of the same name, so code (and ``pytest.raises``) that
    expects Django's catches Bolt's too."""


class HTTPException(Exception):
    """Stop handling and answer ``status_code`` with ``{"detail": detail}``.

    ``headers`` are added to the error response (``WWW-Authenticate``, ``Retry-After``…);
    ``extra`` fields are merged into the JSON body beside ``detail`` (``detail`` wins on a
    clash), for machine-readable codes: ``Conflict("Taken", extra={"code": "slug_taken"})``.
    """

    status_code: int = 500
    default_detail: str | None = None

    def __init__(
        self,
        status_code: int | None = None,
        detail: Any = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        if status_code is not None and not isinstance(status_code, int):
            # NotFound("No such article"): the subclasses fix the status, so a lone
            # positional argument is the detail, as users of other frameworks expect.
            if detail is not None:
                raise TypeError(
                    f"{type(self).__name__}(status_code, detail): status_code must be an int"
                )
            status_code, detail = None, status_code
        if status_code is not None:
            self.status_code = status_code
        if detail is None:
            detail = self.default_detail or HTTPStatus(self.status_code).phrase
        self.detail = detail
        self.headers: dict[str, str] = dict(headers) if headers else {}
        self.extra: dict[str, Any] | None = dict(extra) if extra else None
        super().__init__(detail)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code}, detail={self.detail!r})"

    def body(self) -> dict[str, Any]:
        """The JSON body sent to the client."""
        if self.extra:
            return {**self.extra, "detail": self.detail}
        return {"detail": self.detail}


class BadRequest(HTTPException):
    """The request could not be understood (400)."""

    status_code = 400


class Unauthorized(HTTPException):
    """Credentials are missing or invalid (401); send ``WWW-Authenticate`` in ``headers``."""

    status_code = 401


class Forbidden(HTTPException):
    """Authenticated, but not allowed (403)."""

    status_code = 403


class NotFound(HTTPException):
    """No such resource (404)."""

    status_code = 404


class MethodNotAllowed(HTTPException):
    """The path exists, the method does not (405)."""

    status_code = 405


class NotAcceptable(HTTPException):
    """No acceptable representation (406)."""

    status_code = 406


class Conflict(HTTPException):
    """The request conflicts with the current state, e.g. a unique value (409)."""

    status_code = 409


class PayloadTooLarge(HTTPException):
    """The body exceeds ``BOLT_MAX_BODY_SIZE`` or a form bound (413)."""

    status_code = 413


class UnsupportedMediaType(HTTPException):
    """The body's media type is not accepted by this route (415)."""

    status_code = 415


class UnprocessableEntity(HTTPException):
    """The request is well formed but its values are invalid (422)."""

    status_code = 422


class InternalServerError(HTTPException):
    status_code = 500


class ResponseValidationError(HTTPException):
    """A handler's return value does not fit its ``response_model`` (500).

    It is the server's bug, not the client's: ``errors`` (the same entries as a 422's) are
    kept on the exception for logs and tests, and the client sees only ``detail``.
    """

    status_code = 500
    default_detail = "Response validation failed"

    def __init__(self, errors: list[ValidationErrorItem] | None = None, detail: Any = None) -> None:
        self.errors = errors or []
        super().__init__(500, detail)


class ServiceUnavailable(HTTPException):
    """A backing service (database, rate-limit store) is unavailable (503)."""

    status_code = 503


class TooManyRequests(HTTPException):
    """Rate limit exceeded (429); carries ``Retry-After`` and ``retry_after`` in the body."""

    status_code = 429

    def __init__(
        self,
        detail: Any = None,
        retry_after: int = 1,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.retry_after = max(1, int(retry_after))
        merged = {"Retry-After": str(self.retry_after)}
        if headers:
            merged.update(headers)
        super().__init__(None, detail or "Too many requests", merged)

    def body(self) -> dict[str, Any]:
        return {"detail": self.detail, "retry_after": self.retry_after}


ValidationErrorItem = dict[str, Any]


class RequestValidationError(HTTPException):
    """One or more request values failed validation (422).

    ``errors`` is a list of ``{"loc": [...], "msg": str, "type": str}``.
    """

    status_code = 422

    def __init__(self, errors: list[ValidationErrorItem]) -> None:
        self.errors = errors
        super().__init__(422, errors)


def validation_error(loc: list[Any], msg: str, type_: str = "value_error") -> ValidationErrorItem:
    """Build one validation error entry in the wire shape."""
    return {"loc": loc, "msg": msg, "type": type_}
