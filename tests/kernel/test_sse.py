"""Server-Sent Events through the test client: framing, fields, pings, Last-Event-ID,
sync and async generators, and what a disconnect cleans up."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator

import msgspec
import pytest

import bolt
import bolt.responses
from bolt import BoltAPI, EventSourceResponse, Request, ServerSentEvent, format_sse_event
from bolt.testing import TestClient


class Tick(msgspec.Struct):
    n: int


def test_names_django_bolt_users_import() -> None:
    for name in ("EventSourceResponse", "ServerSentEvent", "format_sse_event"):
        assert getattr(bolt, name) is getattr(bolt.responses, name)


def test_format_sse_event_fields_and_line_splitting() -> None:
    assert format_sse_event("hi") == b"data: hi\n\n"
    assert format_sse_event("a\nb\r\nc\rd") == b"data: a\ndata: b\ndata: c\ndata: d\n\n"
    assert format_sse_event({"a": 1}, event="update", id=7, retry=3000, comment="x\ny") == (
        b': x\n: y\nevent: update\nid: 7\nretry: 3000\ndata: {"a":1}\n\n'
    )
    assert format_sse_event(comment="ping") == b": ping\n\n"


@pytest.mark.parametrize(
    "fields",
    [
        {"event": "a\nevent: forged"},
        {"id": "1\rdata: forged"},
        {"id": "a\x00b"},
        {"retry": -1},
        {"retry": "10"},
    ],
)
def test_fields_that_would_forge_an_event_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="SSE"):
        ServerSentEvent("x", **fields)  # type: ignore[arg-type]


def test_async_generator_events_headers_and_json(api: BoltAPI, client: TestClient) -> None:
    @api.get("/events")
    async def events() -> EventSourceResponse:
        async def gen() -> AsyncIterator[object]:
            yield "plain"
            yield {"count": 1}
            yield [1, 2]
            yield Tick(n=3)
            yield ServerSentEvent("two\nlines", event="note", id="42", retry=1500)
            yield ServerSentEvent(comment="just a comment")

        return EventSourceResponse(gen())

    response = client.get("/events")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"
    assert "content-length" not in response.headers
    assert response.text == (
        "data: plain\n\n"
        'data: {"count":1}\n\n'
        "data: [1,2]\n\n"
        'data: {"n":3}\n\n'
        "event: note\nid: 42\nretry: 1500\ndata: two\ndata: lines\n\n"
        ": just a comment\n\n"
    )
    parsed = list(response.iter_events())
    assert [e.data for e in parsed] == [
        "plain",
        '{"count":1}',
        "[1,2]",
        '{"n":3}',
        "two\nlines",
        None,
    ]
    assert parsed[1].json() == {"count": 1}
    assert (parsed[4].event, parsed[4].id, parsed[4].retry) == ("note", "42", 1500)
    assert parsed[5].comment == "just a comment"


def test_sync_generator_runs_in_a_worker_thread(api: BoltAPI, client: TestClient) -> None:
    loop_threads: list[int] = []
    gen_threads: list[int] = []

    @api.get("/sync")
    async def sync_events() -> EventSourceResponse:
        loop_threads.append(threading.get_ident())

        def gen() -> Iterator[dict[str, int]]:
            for i in range(3):
                gen_threads.append(threading.get_ident())
                yield {"i": i}

        return EventSourceResponse(gen())

    response = client.get("/sync")
    assert [e.json() for e in response.iter_events()] == [{"i": 0}, {"i": 1}, {"i": 2}]
    assert gen_threads
    assert loop_threads[0] not in gen_threads


def test_streamed_events_arrive_before_the_generator_ends(api: BoltAPI, client: TestClient) -> None:
    release = asyncio.Event()

    @api.get("/live")
    async def live() -> EventSourceResponse:
        async def gen() -> AsyncIterator[str]:
            yield "first"
            await release.wait()  # never set: only a disconnect ends this stream
            yield "never"

        return EventSourceResponse(gen())

    with client.stream("GET", "/live") as response:
        assert response.status_code == 200
        event = next(response.iter_events())
        assert event.data == "first"


def test_keep_alive_pings_while_the_generator_is_quiet(api: BoltAPI, client: TestClient) -> None:
    @api.get("/quiet")
    async def quiet() -> EventSourceResponse:
        async def gen() -> AsyncIterator[str]:
            await asyncio.sleep(0.35)
            yield "late"

        return EventSourceResponse(gen(), ping=0.1)

    response = client.get("/quiet")
    events = list(response.iter_events())
    assert events[-1].data == "late"
    pings = [e for e in events if e.comment == "ping" and e.data is None]
    assert 2 <= len(pings) <= 4
    assert response.text.startswith(": ping\n\n")


def test_last_event_id_reaches_the_handler(api: BoltAPI, client: TestClient) -> None:
    @api.get("/resume")
    async def resume(request: Request) -> EventSourceResponse:
        last = int(request.headers.get("last-event-id") or 0)

        async def gen() -> AsyncIterator[ServerSentEvent]:
            for i in range(last + 1, last + 3):
                yield ServerSentEvent({"n": i}, id=i)

        return EventSourceResponse(gen())

    events = list(client.get("/resume", headers={"Last-Event-ID": "41"}).iter_events())
    assert [(e.id, e.json()) for e in events] == [("42", {"n": 42}), ("43", {"n": 43})]
    assert [e.id for e in client.get("/resume").iter_events()] == ["1", "2"]


def test_disconnect_closes_the_async_generator_and_leaves_no_task(
    api: BoltAPI, client: TestClient
) -> None:
    state = {"finally": 0.0, "sent": 0}

    @api.get("/tasks")
    async def tasks() -> dict[str, int]:
        return {"n": len(asyncio.all_tasks())}

    @api.get("/forever")
    async def forever() -> EventSourceResponse:
        async def gen() -> AsyncIterator[dict[str, int]]:
            try:
                while True:
                    state["sent"] += 1
                    yield {"n": state["sent"]}
                    await asyncio.sleep(0.05)
            finally:
                state["finally"] = time.monotonic()

        return EventSourceResponse(gen(), ping=0.02)

    before = client.get("/tasks").json()["n"]
    with client.stream("GET", "/forever") as response:
        events = response.iter_events()
        first = next(e for e in events if e.data is not None)
        assert first.json() == {"n": 1}
        closed_at = time.monotonic()
    assert state["finally"], "the generator's finally block did not run"
    assert state["finally"] - closed_at < 1.0
    sent = state["sent"]
    time.sleep(0.2)
    assert state["sent"] == sent, "the generator kept running after the disconnect"
    assert client.get("/tasks").json()["n"] == before


def test_disconnect_closes_a_sync_generator_after_its_step(
    api: BoltAPI, client: TestClient
) -> None:
    closed = threading.Event()

    @api.get("/sync-forever")
    async def sync_forever() -> EventSourceResponse:
        def gen() -> Iterator[str]:
            try:
                while True:
                    yield "tick"
                    time.sleep(0.05)
            finally:
                closed.set()

        return EventSourceResponse(gen())

    with client.stream("GET", "/sync-forever") as response:
        assert next(response.iter_events()).data == "tick"
    assert closed.wait(1.0), "the sync generator was not closed within a second"


def test_generator_error_ends_the_stream_without_a_traceback(
    api: BoltAPI, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    @api.get("/broken")
    async def broken() -> EventSourceResponse:
        async def gen() -> AsyncIterator[str]:
            yield "ok"
            raise RuntimeError("secret internals")

        return EventSourceResponse(gen())

    response = client.get("/broken")
    assert response.status_code == 200
    assert response.text == "data: ok\n\n"
    assert "Event stream generator failed" in caplog.text


def test_head_sends_headers_and_closes_the_generator(api: BoltAPI, client: TestClient) -> None:
    closed: list[bool] = []

    @api.get("/head")
    async def head() -> EventSourceResponse:
        async def gen() -> AsyncIterator[str]:
            try:
                yield "x"
            finally:
                closed.append(True)

        return EventSourceResponse(gen())

    response = client.head("/head")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.content == b""


def test_streaming_response_reads_chunk_by_chunk(api: BoltAPI, client: TestClient) -> None:
    @api.get("/lines")
    async def lines() -> bolt.responses.StreamingResponse:
        async def gen() -> AsyncIterator[str]:
            yield "one\n"
            yield "two\n"

        return bolt.responses.StreamingResponse(gen(), media_type="text/plain")

    with client.stream("GET", "/lines") as response:
        assert list(response.iter_lines()) == ["one", "two"]
