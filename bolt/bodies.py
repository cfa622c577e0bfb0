"""Reading request bodies (bounded) and the JSON / form extractors built from them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import msgspec

from bolt.binding import (
    _converter,
    _is_sequence,
    _is_struct,
    _missing,
    _unwrap_optional,
    check_content_type,
    msgspec_errors,
)
from bolt.exceptions import (
    BadRequest,
    PayloadTooLarge,
    RequestValidationError,
    UnsupportedMediaType,
    validation_error,
)
from bolt.forms import form_as_dict, parse_form
from bolt.params import REQUIRED, Param, UploadFile
from bolt.request import Request

__all__ = ["ClientDisconnected", "body_data", "form_extractor", "json_extractor", "read_body"]

JSON_TYPES = ("application/json",)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
#: Form bodies larger than this are parsed in a worker thread, off the event loop.
INLINE_FORM_PARSE = 1024 * 1024


class ClientDisconnected(Exception):
    """The body ended early: the client went away, or the server could not parse its framing
    (then a 400 reaches the client)."""


#: After refusing a body as too large, read and discard at most this much past the limit
#: (for at most ``LINGER_SECONDS``) before the 413 goes out. A client that writes its whole
#: body before reading the answer (most do) would otherwise have its upload cut by the
#: server's close and see a connection reset instead of the 413; nginx's lingering close
#: exists for the same reason. A body declared larger than that is refused at once: reading
#: it would cost bandwidth without saving the answer.
LINGER_BYTES = 4 * 1024 * 1024
LINGER_SECONDS = 2.0


async def read_body(request: Request, limit: int) -> None:
    """Read the whole body into ``request.body``; 413 past ``limit``, before and while reading.

    A body that arrives in one message is kept as the server handed it (``bytes``, no copy).
    A longer one is gathered in a ``bytearray`` (the declared size is allocated once half of
    it has arrived), so the body is in memory about once while it is read, not as chunks and
    then their join (twice), and a client that declares a large body but sends little holds
    little; ``msgspec`` and the form parser read the buffer as it is.

    A broken chunked body makes the server's ``receive()`` fail (a 400 here, not the server's
    plain-text 500) or, on Granian, report ``http.disconnect``: ``ClientDisconnected``, which
    the kernel answers with a 400 in case the client is still listening.
    """
    # hot path
    declared = -1
    for name, value in request.scope["headers"]:
        if name == b"content-length":
            try:
                declared = int(value)
            except ValueError:
                raise BadRequest(detail="Invalid Content-Length") from None
            if declared > limit:
                await _linger(request, declared, limit)
                raise PayloadTooLarge(detail=f"Request body exceeds {limit} bytes")
            break
    receive = request.receive
    try:
        message = await receive()
    except Exception:
        raise BadRequest(detail="Malformed request body") from None
    if message["type"] == "http.disconnect":
        raise ClientDisconnected
    chunk = message.get("body", b"")
    total = len(chunk)
    if total > limit:
        await _linger(request, -1, limit)
        raise PayloadTooLarge(detail=f"Request body exceeds {limit} bytes")
    if total == declared or not message.get("more_body", False):
        # All of it at once (Granian still sends an empty last message, which nobody needs).
        request.body = chunk
        return
    # One buffer that grows with what arrived until half the declared body is here, then one
    # buffer of Content-Length for the rest: a client that declares the whole limit and
    # trickles bytes holds about twice what it sent, never the limit, and a complete body is
    # in memory about once, with no join.
    buffer = bytearray(chunk)
    sized = False
    del chunk, message
    while True:
        try:
            message = await receive()
        except Exception:
            raise BadRequest(detail="Malformed request body") from None
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        chunk = message.get("body", b"")
        if chunk:
            size = len(chunk)
            if total + size > limit:
                await _linger(request, -1, limit)
                raise PayloadTooLarge(detail=f"Request body exceeds {limit} bytes")
            end = total + size
            if not sized and declared >= end and 2 * end >= declared:
                # Half of it is here: one buffer of the declared size for the rest.
                whole = bytearray(declared)
                whole[:total] = buffer
                buffer, sized = whole, True
            if sized and end <= len(buffer):
                buffer[total:end] = chunk
            else:
                buffer += chunk
            total = end
        if not message.get("more_body", False):
            break
    if total < len(buffer):
        del buffer[total:]
    request.body = buffer


async def _linger(request: Request, declared: int, limit: int) -> None:
    """Read and discard what the client is still sending of a refused body (bounded by
    ``LINGER_BYTES`` past the limit and ``LINGER_SECONDS``), so its upload completes and it
    reads the 413 instead of a reset. Only refused requests get here."""
    if declared > limit + LINGER_BYTES:
        return
    for name, value in request.scope["headers"]:
        # The client waits for "100 Continue" before sending: nothing is on its way.
        if name == b"expect" and value.lower() == b"100-continue":
            return
    receive = request.receive
    budget = LINGER_BYTES if declared < 0 else declared
    try:
        async with asyncio.timeout(LINGER_SECONDS):
            while budget > 0:
                message = await receive()
                if message["type"] != "http.request":
                    return
                budget -= len(message.get("body", b""))
                if not message.get("more_body", False):
                    return
    except Exception:  # the time is up, or the body broke off: answer now either way
        return


def _decode_error(exc: BaseException) -> BadRequest:
    if isinstance(exc, UnicodeDecodeError):
        return BadRequest(detail="Malformed JSON body: invalid UTF-8")
    if isinstance(exc, RecursionError):
        return BadRequest(detail="Malformed JSON body: nested too deeply")
    return BadRequest(detail=f"Malformed JSON body: {exc}")


def json_extractor(param: Param, route: Any, api: Any) -> Callable[[Request], Any]:
    """Decode the JSON body into the parameter's type with one msgspec decoder per route."""
    embedded = route.body_params > 1 or getattr(param.marker, "embed", False)
    required = param.default is REQUIRED
    default = param.default
    if not embedded:
        from bolt.serializers import BodyDecoder, contains_serializer

        # Serializer bodies: one typed decode, and every error at once when it fails.
        decoder: Any = (
            BodyDecoder(param.annotation)
            if contains_serializer(param.annotation)
            else msgspec.json.Decoder(param.annotation)
        )

        def body_value(request: Request) -> Any:
            # hot path
            body = request.body
            if not body and not required:
                return default
            check_content_type(request, JSON_TYPES, "JSON")
            if not body:
                raise BadRequest(detail="Request body is required")
            try:
                return decoder.decode(body)
            except msgspec.ValidationError as exc:
                raise RequestValidationError(msgspec_errors(exc, ["body"])) from None
            except (msgspec.DecodeError, UnicodeDecodeError, RecursionError, ValueError) as exc:
                raise _decode_error(exc) from None

        return body_value

    key = param.alias
    tp = param.annotation
    from bolt.serializers import contains_serializer, convert_value

    serialized = contains_serializer(tp)  # every error at once, validators included

    def embedded_value(request: Request) -> Any:
        state = request.state
        data = state.get("_bolt_json")
        if data is None:
            if not request.body:
                if not required:
                    return default
                raise BadRequest(detail="Request body is required")
            check_content_type(request, JSON_TYPES, "JSON")
            try:
                data = msgspec.json.decode(request.body)
            except (msgspec.DecodeError, UnicodeDecodeError, RecursionError, ValueError) as exc:
                raise _decode_error(exc) from None
            if not isinstance(data, dict):
                raise RequestValidationError(
                    [validation_error(["body"], "Expected `object`", "type_error")]
                )
            state["_bolt_json"] = data
        if key not in data:
            if not required:
                return default
            raise RequestValidationError(
                [validation_error(["body", key], "Field required", "missing")]
            )
        if serialized:
            return convert_value(tp, data[key], ["body", key])
        try:
            return msgspec.convert(data[key], tp)
        except msgspec.ValidationError as exc:
            raise RequestValidationError(msgspec_errors(exc, ["body", key])) from None

    return embedded_value


#: Methods whose body the kernel reads before the handler (``bolt.compile.BODY_METHODS``);
#: other methods' bodies are never read, so ``request.data`` is empty there.
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def body_data(request: Request) -> Any:
    """What ``request.data`` gives: the body parsed by its media type, with the parsers the
    typed parameters use (and their bounds), or what they already parsed for this request.

    JSON (``application/json``, ``+json``) must be an object or an array (``request.data[...]``
    on a scalar would fail in the handler instead); forms give a dict of each field's last
    value and each name's last file. No body is ``{}``. Malformed is a 400, an oversized
    form a 413, another media type a 415.
    """
    body = request.body
    if not body:
        # Not read yet: the kernel's read assigns ``request.body`` (an empty chunked body or
        # ``Content-Length: 00`` is read and empty, which is ``{}``, not this error).
        if (
            request.scope["method"] in _BODY_METHODS
            and "body" not in vars(request)
            and _declares_body(request)
        ):
            raise RuntimeError(
                "request.data was read before the request body: the kernel reads it just "
                "before the handler, so middleware can read request.data only after "
                "next_handler returns"
            )
        return {}
    if request.scope["method"] not in _BODY_METHODS:
        return {}
    raw = None
    for name, value in request.scope["headers"]:
        if name == b"content-type":
            raw = value.decode("latin-1")
            break
    if raw is None:
        raise UnsupportedMediaType(
            detail="Missing Content-Type; request.data expects JSON or a form"
        )
    media = raw.split(";", 1)[0].strip().lower()
    state = request._state
    if media in JSON_TYPES or media.endswith("+json"):
        data = state.get("_bolt_json") if state is not None else None
        if data is None:
            try:
                data = msgspec.json.decode(body)
            except (msgspec.DecodeError, UnicodeDecodeError, RecursionError, ValueError) as exc:
                raise _decode_error(exc) from None
        if not isinstance(data, dict | list):
            raise BadRequest(detail="JSON body must be an object or an array")
        return data
    if media in FORM_TYPES:
        form = state.get("_bolt_form") if state is not None else None
        if form is None:
            from bolt.conf import get_settings

            settings = get_settings()
            form = parse_form(
                raw,
                body,
                settings.MAX_FORM_FIELDS,
                settings.MAX_MULTIPART_PARTS,
                settings.MAX_FORM_FIELD_SIZE,
                settings.MAX_UPLOAD_FILE_SIZE,
            )
            request.state["_bolt_form"] = form
        return form_as_dict(form, set())
    raise UnsupportedMediaType(
        detail=f"Unsupported Content-Type {media!r}; expected JSON or a form"
    )


def _declares_body(request: Request) -> bool:
    """Whether the request says a body follows (one the kernel has not read yet)."""
    for name, value in request.scope["headers"]:
        if name == b"content-length":
            return value.strip() not in (b"0", b"")
        if name == b"transfer-encoding":
            return True
    return False


def form_extractor(param: Param, api: Any) -> Callable[[Request], Any]:
    """Read a form field, a file, or (for a Struct) the whole form.

    The form is parsed once per request, by whichever form parameter comes first. Bodies
    over ``INLINE_FORM_PARSE`` bytes are parsed in a worker thread so the event loop keeps
    serving other requests; small ones inline, where a thread hop would cost more than the
    parse.
    """
    settings = api.settings
    max_fields, max_parts = settings.MAX_FORM_FIELDS, settings.MAX_MULTIPART_PARTS
    max_field_size, max_file_size = settings.MAX_FORM_FIELD_SIZE, settings.MAX_UPLOAD_FILE_SIZE
    alias = param.alias

    async def get_form(request: Request) -> Any:
        state = request.state
        form = state.get("_bolt_form")
        if form is None:
            raw = check_content_type(request, FORM_TYPES, "a form")
            body = request.body
            args = (raw, body, max_fields, max_parts, max_field_size, max_file_size)
            if len(body) > INLINE_FORM_PARSE:
                form = await asyncio.to_thread(parse_form, *args)
            else:
                form = parse_form(*args)
            state["_bolt_form"] = form
        return form

    if _is_struct(param.annotation):
        struct, _ = _unwrap_optional(param.annotation)
        list_fields = {
            f.encode_name for f in msgspec.structs.fields(struct) if _is_sequence(f.type)
        }

        async def struct_value(request: Request) -> Any:
            data = form_as_dict(await get_form(request), list_fields)
            try:
                return msgspec.convert(data, struct, strict=False)
            except msgspec.ValidationError as exc:
                raise RequestValidationError(msgspec_errors(exc, ["form"])) from None

        return struct_value

    if param.source == "file":
        many = _is_sequence(param.annotation)
        want_bytes = _unwrap_optional(param.annotation)[0] is bytes

        async def file_value(request: Request) -> Any:
            files: list[UploadFile] | None = (await get_form(request)).files.get(alias)
            if not files:
                return _missing(param)
            if many:
                return files
            if want_bytes:
                return files[-1].file.getvalue()
            return files[-1]

        return file_value

    convert = _converter(param)
    many = _is_sequence(param.annotation)

    async def field_value(request: Request) -> Any:
        form = await get_form(request)
        values = form.fields.get(alias)
        if not values:
            return _missing(param)
        return convert(values if many else values[-1])

    return field_value
