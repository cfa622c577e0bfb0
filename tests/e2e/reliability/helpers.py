"""Helpers of the reliability harness: raw HTTP/1.1 over sockets, tokens, DB checksums and
the "clean error" check every 4xx/5xx body must pass."""

from __future__ import annotations

import hashlib
import json
import socket
import sqlite3
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt

from tests.e2e.reliability.common import (
    API_KEY,
    API_KEY_SAME_PREFIX,
    JWT_SECRET,
    SECRET_KEY,
    STAFF_API_KEY,
)

TABLES = ("relapp_item", "relapp_note", "relapp_event", "relapp_category", "auth_user")
# Never in any body: settings, keys, tokens, SQL, driver text, stack frames.
FORBIDDEN = (
    "Traceback",
    'File "',
    SECRET_KEY,
    JWT_SECRET,
    API_KEY,
    API_KEY_SAME_PREFIX,
    STAFF_API_KEY,
    "SELECT",
    "INSERT",
    "UPDATE ",
    "sqlite",
    "auth_user",
    "relapp_",
    ".sqlite3",
    "RuntimeError",
)


@dataclass
class RawResponse:
    """A response read off a socket (``status`` 0 when the server sent nothing)."""

    status: int
    reason: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    raw: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body)


def parse_response(data: bytes) -> RawResponse:
    """Parse the first HTTP/1.1 response in ``data`` (Content-Length or chunked body)."""
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        return RawResponse(0, raw=data)
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    status = int(parts[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        key = name.strip().lower()
        headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    if "content-length" in headers:
        body = rest[: int(headers["content-length"])]
    elif headers.get("transfer-encoding") == "chunked":
        body = b""
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0] or b"0", 16)
            if size == 0:
                break
            body += rest[:size]
            rest = rest[size + 2 :]
    else:
        body = rest
    return RawResponse(status, parts[2] if len(parts) > 2 else "", headers, body, data)


def raw_exchange(port: int, payload: bytes, timeout: float = 5.0) -> RawResponse:
    """Send ``payload`` as is and read until the server closes or ``timeout`` passes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(payload)
        return parse_response(read_all(sock, timeout))


def read_all(sock: socket.socket, timeout: float) -> bytes:
    """Read until EOF, a complete response, or ``timeout``."""
    deadline = time.monotonic() + timeout
    data = b""
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
        if _complete(data):
            break
    return data


def _complete(data: bytes) -> bool:
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    lower = head.lower()
    for line in lower.split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return len(rest) >= int(line.split(b":")[1])
    if b"transfer-encoding: chunked" in lower:
        return rest.endswith(b"0\r\n\r\n")
    return False


def request_bytes(
    method: str,
    target: str,
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    host: str | None = "127.0.0.1",
) -> bytes:
    """An HTTP/1.1 request with ``Connection: close`` (and ``Content-Length`` for a body)."""
    lines = [f"{method} {target} HTTP/1.1"]
    if host is not None:
        lines.append(f"Host: {host}")
    lines.extend(f"{k}: {v}" for k, v in headers or [])
    if body and not any(
        k.lower() in ("content-length", "transfer-encoding") for k, _ in headers or []
    ):
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def token(
    user_id: int | str,
    *,
    secret: str | bytes = JWT_SECRET,
    algorithm: str = "HS256",
    expires_in: int | None = 600,
    headers: dict[str, Any] | None = None,
    **claims: Any,
) -> str:
    """A JWT for ``user_id``; drop or break claims with the keyword arguments."""
    now = int(time.time())
    payload: dict[str, Any] = {"sub": str(user_id), "iat": now, "jti": uuid.uuid4().hex}
    if expires_in is not None:
        payload["exp"] = now + expires_in
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, secret, algorithm=algorithm, headers=headers)


def bearer(tok: str) -> dict[str, str]:
    return {"authorization": f"Bearer {tok}"}


def db_state(db: Path) -> dict[str, tuple[int, str]]:
    """Row count and a hash of every row, per table (the "no data changed" checksum)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        out = {}
        for table in TABLES:
            rows = conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            out[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return out
    finally:
        conn.close()


def events(db: Path, kind: str) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return int(
            conn.execute("SELECT COUNT(*) FROM relapp_event WHERE kind = ?", (kind,)).fetchone()[0]
        )
    finally:
        conn.close()


def assert_clean_error(response: httpx.Response | RawResponse, status: int | None = None) -> Any:
    """A 4xx/5xx must be JSON ``{"detail": ...}`` with nothing secret or internal in it."""
    code = response.status if isinstance(response, RawResponse) else response.status_code
    body = response.body if isinstance(response, RawResponse) else response.content
    if status is not None:
        assert code == status, (code, body[:500])
    assert code >= 400, code
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith("application/json"), (code, content_type, body[:300])
    data = json.loads(body)
    assert isinstance(data, dict), data
    assert "detail" in data, data
    text = body.decode("utf-8", "replace")
    for word in FORBIDDEN:
        assert word not in text, f"{word!r} leaked in a {code} body: {text[:500]}"
    return data


def assert_validation(response: httpx.Response, status: int = 422) -> list[dict[str, Any]]:
    """A validation error: 422 whose detail is a list of ``{loc, msg, type}``."""
    data = assert_clean_error(response, status)
    errors = data["detail"]
    assert isinstance(errors, list), data
    assert errors, data
    for error in errors:
        assert {"loc", "msg", "type"} <= set(error), error
    return errors
