"""Form bodies: ``application/x-www-form-urlencoded`` and ``multipart/form-data``.

The body is already in memory and bounded by ``BOLT_MAX_BODY_SIZE``; these parsers add
bounds on the number of fields/parts and on part-header size so a hostile form costs linear
time and never more memory than its own size.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from bolt.exceptions import BadRequest, PayloadTooLarge
from bolt.params import UploadFile

__all__ = ["FormData", "parse_form"]

MAX_PART_HEADER = 16 * 1024


class FormData:
    """Parsed form: ``fields`` (name → list of str) and ``files`` (name → list of UploadFile)."""

    __slots__ = ("fields", "files")

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}
        self.files: dict[str, list[UploadFile]] = {}

    def get(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[-1] if values else None


def _params(header: str) -> tuple[str, dict[str, str]]:
    """Split ``type; a="b"; c=d`` into the value and its parameters."""
    value, _, rest = header.partition(";")
    params: dict[str, str] = {}
    for item in rest.split(";"):
        key, sep, val = item.strip().partition("=")
        if sep:
            val = val.strip()
            if len(val) >= 2 and val[0] == val[-1] == '"':
                val = val[1:-1].replace('\\"', '"')
            params[key.strip().lower()] = val
    return value.strip().lower(), params


def parse_form(content_type: str, body: bytes, max_fields: int, max_parts: int) -> FormData:
    """Parse a form body; 400 for malformed input, 413 when over the field/part limits."""
    media, params = _params(content_type)
    form = FormData()
    if media == "application/x-www-form-urlencoded":
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
            form.fields.setdefault(key, []).append(value)
        return form
    boundary = params.get("boundary")
    if not boundary or len(boundary) > 200:
        raise BadRequest(detail="multipart/form-data without a valid boundary")
    delimiter = b"--" + boundary.encode("latin-1")
    chunks = body.split(delimiter)
    # chunks[0] is the preamble; the last one starts with "--" (closing delimiter).
    if len(chunks) < 2 or not chunks[-1].startswith(b"--"):
        raise BadRequest(detail="Malformed multipart body: missing closing boundary")
    parts = chunks[1:-1]
    if len(parts) > max_parts:
        raise PayloadTooLarge(detail=f"Multipart body has more than {max_parts} parts")
    for part in parts:
        if not part.startswith(b"\r\n"):
            raise BadRequest(detail="Malformed multipart body")
        head, sep, content = part[2:].partition(b"\r\n\r\n")
        if not sep or len(head) > MAX_PART_HEADER:
            raise BadRequest(detail="Malformed multipart part headers")
        if not content.endswith(b"\r\n"):
            raise BadRequest(detail="Malformed multipart body")
        content = content[:-2]
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, colon, value = line.partition(":")
            if not colon:
                raise BadRequest(detail="Malformed multipart part header")
            headers[name.strip().lower()] = value.strip()
        disposition, dparams = _params(headers.get("content-disposition", ""))
        if disposition != "form-data" or "name" not in dparams:
            raise BadRequest(detail="Multipart part without a form-data name")
        name = dparams["name"]
        if "filename" in dparams:
            upload = UploadFile(
                dparams["filename"],
                content,
                headers.get("content-type", "application/octet-stream"),
                headers,
            )
            form.files.setdefault(name, []).append(upload)
        else:
            try:
                text = content.decode("utf-8")
            except UnicodeDecodeError:
                raise BadRequest(detail=f"Form field {name!r} is not valid UTF-8") from None
            form.fields.setdefault(name, []).append(text)
        if sum(len(v) for v in form.fields.values()) > max_fields:
            raise PayloadTooLarge(detail=f"Form has more than {max_fields} fields")
    return form


def form_as_dict(form: FormData, list_fields: set[str]) -> dict[str, Any]:
    """A dict view for converting a whole form into a Struct."""
    out: dict[str, Any] = {}
    for key, values in form.fields.items():
        out[key] = values if key in list_fields else values[-1]
    for key, files in form.files.items():
        out[key] = files if key in list_fields else files[-1]
    return out
