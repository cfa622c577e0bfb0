"""Broadcast channels: in-process groups, and Redis pub/sub with a server that goes away."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest

from bolt import BoltAPI, WebSocket
from bolt.channels import Channels, ChannelsUnavailable
from bolt.testing import TestClient


def test_publish_reaches_websocket_subscribers_of_the_group() -> None:
    api = BoltAPI(plugins=[])

    @api.websocket("/ws/rooms/{room}")
    async def room(ws: WebSocket, room: str) -> None:
        await ws.accept()
        async with api.channels.subscribe(f"room:{room}") as sub:
            await ws.send_json({"ready": True})
            await ws.relay(sub)  # returns when the client leaves

    @api.post("/rooms/{room}")
    async def say(room: str, data: dict[str, str]) -> dict[str, bool]:
        await api.channels.publish(f"room:{room}", data)
        return {"sent": True}

    with TestClient(api) as client:
        with (
            client.websocket_connect("/ws/rooms/a") as a1,
            client.websocket_connect("/ws/rooms/a") as a2,
            client.websocket_connect("/ws/rooms/b") as b,
        ):
            for ws in (a1, a2, b):
                assert ws.receive_json() == {"ready": True}
            assert client.post("/rooms/a", json={"text": "hi a"}).json() == {"sent": True}
            client.post("/rooms/b", json={"text": "hi b"})
            assert a1.receive_json() == {"text": "hi a"}
            assert a2.receive_json() == {"text": "hi a"}
            assert b.receive_json() == {"text": "hi b"}  # and not "hi a"
        assert api.channels._groups == {}  # subscriptions end with their block


def test_a_slow_subscriber_loses_the_oldest_not_memory() -> None:
    async def run() -> None:
        channels = Channels(max_queue=3)
        async with channels.subscribe("g") as sub:
            for i in range(5):
                await channels.publish("g", i)
            assert [await sub.get(1) for _ in range(3)] == [2, 3, 4]
            assert sub.dropped == 2

    asyncio.run(run())


def test_bad_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="BOLT_CHANNELS_BACKEND"):
        Channels("amqp://somewhere")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """A redis-server of the test's own on a free port, which the test may stop."""

    def __init__(self, tmp: str) -> None:
        self.port = _free_port()
        self.tmp = tmp
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.tmp,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def redis_server(tmp_path: object) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is needed for the channel tests in CI")
        pytest.skip("redis-server is not installed")
    server = RedisServer(str(tmp_path))
    server.start()
    yield server
    server.stop()


@pytest.mark.redis
def test_redis_groups_reach_another_process_and_survive_a_restart(
    redis_server: RedisServer,
) -> None:
    async def run() -> None:
        here, there = Channels(redis_server.url), Channels(redis_server.url)
        try:
            async with here.subscribe("room:1") as sub:
                await there.publish("room:1", {"n": 1})  # another "worker"
                assert await sub.get(5) == {"n": 1}

                redis_server.stop()
                with pytest.raises(ChannelsUnavailable, match=r"Redis at redis://127\.0\.0\.1"):
                    await there.publish("room:1", {"n": 2})

                redis_server.start()  # same port: the subscriber reconnects by itself
                deadline = time.monotonic() + 10
                got = None
                while got is None and time.monotonic() < deadline:
                    try:
                        await there.publish("room:1", {"n": 3})
                        got = await sub.get(0.5)
                    except (ChannelsUnavailable, TimeoutError):
                        await asyncio.sleep(0.2)
                assert got == {"n": 3}
        finally:
            await here.close()
            await there.close()

    asyncio.run(run())
