"""Form bodies: ``application/x-www-form-urlencoded`` and ``multipart/form-data``.

The body is already in memory and bounded by ``BOLT_MAX_BODY_SIZE``. Multipart bodies go
through python-multipart's streaming parser, and every bound (parts, fields, a field's size,
a file's size, a part's headers) is checked from its callbacks as each part arrives, so a
hostile body is refused when it crosses a bound rather than after all of its parts were
built. A part's bytes are never copied before they are known to be within their bound, and
then exactly once: parsing costs at most the body's size again, plus a few hundred bytes per
part (which the part limit bounds).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser

from bolt.exceptions import BadRequest, PayloadTooLarge
from bolt.params import UploadFile

__all__ = ["DEFAULT_MAX_FIELD_SIZE", "FormData", "form_as_dict", "parse_form"]

#: The bytes of one part's header block (all its header lines together).
MAX_PART_HEADER = 16 * 1024
#: Header lines of one part; browsers send two or three.
MAX_PART_HEADERS = 32
#: RFC 2046 allows 70 characters; a little slack for clients that exceed it.
MAX_BOUNDARY = 200
DEFAULT_MAX_FIELD_SIZE = 1024 * 1024
# python-multipart logs a warning for each malformed body. That is the client's error and it
# already gets a 400 saying so; a line per request would let any client write to the log.
_QUIET = logging.Logger("bolt.forms.multipart", logging.CRITICAL)


class FormData:
    """Parsed form: ``fields`` (name → list of str) and ``files`` (name → list of UploadFile)."""

    __slots__ = ("fields", "files")

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}
        self.files: dict[str, list[UploadFile]] = {}

    def get(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[-1] if values else None


# ``; key=value`` or ``; key="quoted \\" value"``. Linear: a quoted string that never closes
# can only be the last one, as every later opening quote would close it.
_PARAM = re.compile(r';\s*([^\s;=]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')
# Only ``\"`` and ``\\`` are escapes: browsers send Windows paths' backslashes as they are.
_ESCAPE = re.compile(r'\\([\\"])')


def _params(header: str) -> tuple[str, dict[str, str]]:
    """Split ``type; a="b;c"; d=e`` into the lower-cased value and its parameters.

    Extended ``name*=`` parameters (RFC 2231) are ignored: RFC 7578 forbids them in
    form data, and honouring them would let one header carry two different names.
    """
    value, sep, _ = header.partition(";")
    params: dict[str, str] = {}
    if sep:
        for key, val in _PARAM.findall(header, len(value)):
            if "*" in key:
                continue
            if val[:1] == '"' and len(val) >= 2 and val[-1] == '"':
                val = val[1:-1]
                if "\\" in val:
                    val = _ESCAPE.sub(r"\1", val)
            else:
                val = val.strip()
            params[key.lower()] = val
    return value.strip().lower(), params


def _decode_header(raw: bytes) -> str:
    """Header bytes as text: UTF-8 (what browsers send), else Latin-1 (older clients)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class _Parts:
    """The parser's callbacks: builds the form part by part and enforces every bound.

    Data callbacks receive ``(buffer, start, end)``; the buffer is the body itself (or, for
    a few bytes that looked like a boundary, the parser's own look-behind), so keeping
    ``memoryview`` slices costs nothing until the part ends and is copied once.
    """

    __slots__ = (
        "done",
        "fields",
        "filename",
        "form",
        "header_name",
        "header_size",
        "header_value",
        "headers",
        "is_file",
        "limit",
        "max_field_size",
        "max_fields",
        "max_file_size",
        "max_parts",
        "name",
        "parts",
        "pieces",
        "size",
    )

    def __init__(
        self, max_fields: int, max_parts: int, max_field_size: int, max_file_size: int | None
    ) -> None:
        self.form = FormData()
        self.max_fields, self.max_parts = max_fields, max_parts
        self.max_field_size, self.max_file_size = max_field_size, max_file_size
        self.parts = self.fields = 0
        self.done = False
        self._reset()

    def _reset(self) -> None:
        self.headers: dict[str, str] = {}
        self.header_name = self.header_value = b""
        self.header_size = 0
        self.pieces: list[memoryview] = []
        self.size = 0
        self.name = self.filename = ""
        self.is_file = False
        self.limit = 0

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_end": self.on_end,
        }

    def on_part_begin(self) -> None:
        self.parts += 1
        if self.parts > self.max_parts:
            raise PayloadTooLarge(detail=f"Multipart body has more than {self.max_parts} parts")
        self._reset()

    def _count_header(self, size: int) -> None:
        self.header_size += size
        if self.header_size > MAX_PART_HEADER:
            raise BadRequest(detail="Malformed multipart part headers: too large")

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        name = self.header_name.decode("latin-1").lower()
        self.headers[name] = _decode_header(self.header_value).strip()
        self.header_name = self.header_value = b""

    def on_headers_finished(self) -> None:
        disposition, params = _params(self.headers.get("content-disposition", ""))
        name = params.get("name")
        if disposition != "form-data" or not name:
            raise BadRequest(detail="Multipart part without a form-data name")
        self.name = name
        if "filename" in params:
            self.is_file = True
            self.filename = params["filename"]
            self.limit = -1 if self.max_file_size is None else self.max_file_size
        else:
            self.fields += 1
            if self.fields > self.max_fields:
                raise PayloadTooLarge(detail=f"Form has more than {self.max_fields} fields")
            self.limit = self.max_field_size

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        self.size += end - start
        if self.limit >= 0 and self.size > self.limit:
            kind = "File" if self.is_file else "Form field"
            raise PayloadTooLarge(detail=f"{kind} {self.name!r} exceeds {self.limit} bytes")
        self.pieces.append(memoryview(data)[start:end])

    def on_part_end(self) -> None:
        pieces = self.pieces
        name = self.name
        if self.is_file:
            # One piece (the usual case) is copied out of the body once; none is an empty file.
            content = pieces[0].tobytes() if len(pieces) == 1 else b"".join(pieces)
            content_type = self.headers.get("content-type", "application/octet-stream")
            upload = UploadFile(self.filename, content, content_type, self.headers)
            self.form.files.setdefault(name, []).append(upload)
        else:
            try:
                if len(pieces) == 1:
                    text = str(pieces[0], "utf-8")
                else:
                    text = b"".join(pieces).decode("utf-8")
            except UnicodeDecodeError:
                raise BadRequest(detail=f"Form field {name!r} is not valid UTF-8") from None
            self.form.fields.setdefault(name, []).append(text)
        self.pieces = []

    def on_end(self) -> None:
        self.done = True


def _parse_multipart(
    params: dict[str, str],
    body: bytes | bytearray,
    max_fields: int,
    max_parts: int,
    max_field_size: int,
    max_file_size: int | None,
) -> FormData:
    boundary = params.get("boundary", "")
    if not boundary or len(boundary) > MAX_BOUNDARY:
        raise BadRequest(detail="multipart/form-data without a valid boundary")
    try:
        boundary_bytes = boundary.encode("latin-1")
    except UnicodeEncodeError:
        raise BadRequest(detail="multipart/form-data without a valid boundary") from None
    parts = _Parts(max_fields, max_parts, max_field_size, max_file_size)
    parser = MultipartParser(
        boundary_bytes,
        parts.callbacks(),  # type: ignore[arg-type]
        max_header_count=MAX_PART_HEADERS,
        max_header_size=MAX_PART_HEADER,
    )
    parser.logger = _QUIET
    # One write: the body is in memory already, and every piece the callbacks see is then
    # a slice of it. The callbacks raise as soon as a bound is crossed.
    try:
        # python-multipart parses any bytes-like buffer (a body read in parts is a bytearray),
        # though its annotation says bytes.
        parser.write(body)  # type: ignore[arg-type]
    except FormParserError:
        raise BadRequest(detail="Malformed multipart body") from None
    if not parts.done:
        raise BadRequest(detail="Malformed multipart body: missing closing boundary")
    return parts.form


def parse_form(
    content_type: str,
    body: bytes | bytearray,
    max_fields: int,
    max_parts: int,
    max_field_size: int = DEFAULT_MAX_FIELD_SIZE,
    max_file_size: int | None = None,
) -> FormData:
    """Parse a form body: 400 for malformed input, 413 past a bound.

    ``max_fields`` counts non-file values, ``max_parts`` multipart parts of any kind;
    ``max_field_size`` bounds each field's bytes and ``max_file_size`` (``None``: only the
    body limit) each file's.
    """
    media, params = _params(content_type)
    if media == "multipart/form-data":
        return _parse_multipart(params, body, max_fields, max_parts, max_field_size, max_file_size)
    form = FormData()
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            max_num_fields=max_fields,
            errors="strict",
        )
    except UnicodeDecodeError:
        raise BadRequest(detail="Form body is not valid UTF-8") from None
    except ValueError:
        raise PayloadTooLarge(detail=f"Form has more than {max_fields} fields") from None
    for key, value in pairs:
        # A character is at most 4 bytes: only long values need encoding to be measured.
        if len(value) * 4 > max_field_size and len(value.encode()) > max_field_size:
            raise PayloadTooLarge(detail=f"Form field {key!r} exceeds {max_field_size} bytes")
        form.fields.setdefault(key, []).append(value)
    return form


def form_as_dict(form: FormData, list_fields: set[str]) -> dict[str, Any]:
    """A dict view for converting a whole form into a Struct."""
    out: dict[str, Any] = {}
    for key, values in form.fields.items():
        out[key] = values if key in list_fields else values[-1]
    for key, files in form.files.items():
        out[key] = files if key in list_fields else files[-1]
    return out
