"""ORM exceptions → HTTP answers (``bolt_exception_handlers``).

- ``DoesNotExist`` → 404 naming the model;
- ``IntegrityError``: unique violation → 409 naming the field(s); a foreign key to a missing
  row, a NULL in a NOT NULL column or a failed CHECK → 422;
- ``DataError`` (a value the column cannot hold) → 422;
- ``OperationalError`` / ``InterfaceError`` (database unreachable, locked, restarting) → 503
  with ``Retry-After``;
- Django ``ValidationError`` raised by model validation → 422 with one entry per field.

Bodies never carry SQL, the database error text, connection details or the offending value;
the full error goes to the ``bolt`` logger.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import DataError, IntegrityError, InterfaceError, OperationalError

from bolt.exceptions import validation_error
from bolt.responses import JSONResponse, Response

__all__ = ["RETRY_AFTER_SECONDS", "exception_handlers", "integrity_details"]

log = logging.getLogger("bolt")
RETRY_AFTER_SECONDS = 2

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)$")
_SQLITE_NOT_NULL = re.compile(r"NOT NULL constraint failed: (\S+)")
_PG_KEY = re.compile(r"Key \(([^)]*)\)")


def _field_for(table: str | None, column: str) -> str:
    """The model field name of a database column (``author_id`` → ``author``)."""
    if table:
        for model in apps.get_models():
            if model._meta.db_table == table:
                for field in model._meta.concrete_fields:
                    if field.column == column:
                        name: str = field.name
                        return name
    return column


def integrity_details(exc: IntegrityError) -> tuple[str, list[str]]:
    """Classify an ``IntegrityError``: ``(kind, field names)`` with kind one of ``unique``,
    ``foreign_key``, ``not_null``, ``check`` or ``other``."""
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if sqlstate:  # PostgreSQL
        diag = getattr(cause, "diag", None)
        table = getattr(diag, "table_name", None)
        kind = {"23505": "unique", "23503": "foreign_key", "23502": "not_null", "23514": "check"}
        columns: list[str] = []
        column = getattr(diag, "column_name", None)
        if column:
            columns = [column]
        else:
            found = _PG_KEY.search(getattr(diag, "message_detail", None) or "")
            if found:
                columns = [c.strip() for c in found.group(1).split(",")]
        return kind.get(sqlstate, "other"), [_field_for(table, c) for c in columns]
    text = str(exc)
    found = _SQLITE_UNIQUE.search(text)
    if found:
        names = []
        for item in found.group(1).split(","):
            table, _, column = item.strip().rpartition(".")
            names.append(_field_for(table, column))
        return "unique", names
    found = _SQLITE_NOT_NULL.search(text)
    if found:
        table, _, column = found.group(1).rpartition(".")
        return "not_null", [_field_for(table, column)]
    if "FOREIGN KEY constraint failed" in text:
        return "foreign_key", []
    if "CHECK constraint failed" in text:
        return "check", []
    return "other", []


def _integrity(request: Any, exc: IntegrityError) -> Response:
    kind, fields = integrity_details(exc)
    if kind == "other":
        # Not a constraint Bolt recognises: worth a look, but the database's own words
        # (values, SQL) stay at DEBUG.
        log.warning("Integrity error Bolt could not attribute: %s", type(exc).__name__)
        log.debug("Integrity error: %s", exc)
    else:
        # An expected outcome of client input (a 409 or 422 the client is told about).
        log.info("Integrity error answered to the client (%s on %s)", kind, fields or "?")
    if kind == "unique":
        named = ", ".join(fields) if fields else "a unique field"
        return JSONResponse(
            {"detail": f"An object with this {named} already exists.", "fields": fields}, 409
        )
    if kind in ("foreign_key", "not_null", "check"):
        message = {
            "foreign_key": "Refers to an object that does not exist",
            "not_null": "This field may not be null",
            "check": "The value breaks a constraint of this object",
        }[kind]
        errors = [validation_error(["body", name], message, kind) for name in fields] or [
            validation_error(["body"], message, kind)
        ]
        return JSONResponse({"detail": errors}, 422)
    return JSONResponse({"detail": "The request conflicts with the current state."}, 409)


def _does_not_exist(request: Any, exc: ObjectDoesNotExist) -> Response:
    owner = type(exc).__qualname__.rpartition(".")[0]
    return JSONResponse({"detail": f"{owner or 'Object'} not found"}, 404)


def _unavailable(request: Any, exc: Exception) -> Response:
    log.error("Database unavailable: %s: %s", type(exc).__name__, exc)
    return JSONResponse(
        {"detail": "The database is unavailable; try again shortly."},
        503,
        {"retry-after": str(RETRY_AFTER_SECONDS)},
    )


def _data_error(request: Any, exc: DataError) -> Response:
    log.info("Data error answered 422 (a value does not fit its column)")
    log.debug("Data error: %s", exc)
    return JSONResponse(
        {"detail": [validation_error(["body"], "A value does not fit its column", "data_error")]},
        422,
    )


def _validation(request: Any, exc: ValidationError) -> Response:
    errors: list[dict[str, Any]] = []
    if hasattr(exc, "error_dict"):
        for name, items in exc.message_dict.items():
            loc = ["body"] if name == "__all__" else ["body", name]
            errors.extend(validation_error(loc, str(msg), "value_error") for msg in items)
    else:
        errors = [validation_error(["body"], str(msg), "value_error") for msg in exc.messages]
    return JSONResponse({"detail": errors}, 422)


def exception_handlers() -> dict[type[BaseException], Any]:
    """The handler map the plugin registers."""
    return {
        ObjectDoesNotExist: _does_not_exist,
        IntegrityError: _integrity,
        DataError: _data_error,
        OperationalError: _unavailable,
        InterfaceError: _unavailable,
        ValidationError: _validation,
    }
