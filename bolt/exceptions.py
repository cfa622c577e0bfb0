"""HTTP exceptions users raise and the error shapes clients receive.

Every error leaves Bolt as JSON ``{"detail": ...}``. Validation errors carry a list of
``{"loc": [...], "msg": "...", "type": "..."}`` entries so clients can point at the field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from django.core.exceptions import ImproperlyConfigured as DjangoImproperlyConfigured

__all__ = [
    "AuthenticationFailed",
    "BadRequest",
    "Conflict",
    "Forbidden",
    "HTTPException",
    "ImproperlyConfigured",
    "InternalServerError",
    "MethodNotAllowed",
    "NotAcceptable",
    "NotAuthenticated",
    "NotFound",
    "ParseError",
    "PayloadTooLarge",
    "PermissionDenied",
    "RequestValidationError",
    "ResponseValidationError",
    "ServiceUnavailable",
    "Throttled",
    "TooManyRequests",
    "Unauthorized",
    "UnprocessableEntity",
    "UnsupportedMediaType",
    "ValidationError",
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


# --- Django REST framework's names ----------------------------------------------------------
# Code written for DRF raises these; each is a subclass of the Bolt class with its status,
# so ``except Forbidden``, exception handlers and the error documentation treat both alike.
# They take DRF's ``(detail, code)``; ``code`` stays on the exception (DRF keeps it out of
# the body too). ``MethodNotAllowed``, ``NotAcceptable`` and ``UnsupportedMediaType`` exist
# above under DRF's names already.


class _DRFError(HTTPException):
    """DRF's signature: ``(detail=None, code=None)``, plus Bolt's ``headers`` and ``extra``."""

    default_code = "error"

    def __init__(
        self,
        detail: Any = None,
        code: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.code = code or self.default_code
        # HTTPException's own: TooManyRequests (Throttled's base) has another signature.
        HTTPException.__init__(self, None, detail, headers, extra)


class PermissionDenied(_DRFError, Forbidden):
    """DRF's name for ``Forbidden`` (403)."""

    default_detail = "You do not have permission to perform this action."
    default_code = "permission_denied"


class NotAuthenticated(_DRFError, Unauthorized):
    """DRF's 401 for a request without credentials; like ``Unauthorized``, it sends
    ``WWW-Authenticate`` when given in ``headers``."""

    default_detail = "Authentication credentials were not provided."
    default_code = "not_authenticated"


class AuthenticationFailed(_DRFError, Unauthorized):
    """DRF's 401 for credentials that are wrong; ``WWW-Authenticate`` as ``Unauthorized``."""

    default_detail = "Incorrect authentication credentials."
    default_code = "authentication_failed"


class ParseError(_DRFError, BadRequest):
    """DRF's 400 for a body that cannot be parsed."""

    default_detail = "Malformed request."
    default_code = "parse_error"


class ValidationError(_DRFError, BadRequest):
    """DRF's 400 from a view: ``detail`` is sent as given, a string, a list or a dict of
    field → messages (``{"detail": {"title": ["Too short."]}}``).

    Not the 422 that typed parameters answer, nor ``bolt.serializers.ValidationError``,
    which a serializer's validators raise to add an entry to that 422.
    """

    default_detail = "Invalid input."
    default_code = "invalid"


class Throttled(_DRFError, TooManyRequests):
    """DRF's 429. With ``wait`` (seconds, rounded up) it sends ``Retry-After`` and
    ``retry_after`` in the body, as the rate limiter's refusals do; without, neither."""

    default_detail = "Request was throttled."
    default_code = "throttled"

    def __init__(
        self,
        wait: float | None = None,
        detail: Any = None,
        code: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.wait = None if wait is None else max(1, math.ceil(wait))
        self.retry_after = self.wait or 0  # 0: no wait known, no Retry-After sent
        merged: dict[str, str] = {}
        if self.wait is not None:
            merged["Retry-After"] = str(self.wait)
            if detail is None:
                unit = "second" if self.wait == 1 else "seconds"
                detail = f"{self.default_detail} Expected available in {self.wait} {unit}."
        if headers:
            merged.update(headers)
        _DRFError.__init__(self, detail, code, headers=merged, extra=extra)

    def body(self) -> dict[str, Any]:
        if self.wait is None:
            return HTTPException.body(self)
        return {**(self.extra or {}), "detail": self.detail, "retry_after": self.wait}
