"""The resumable chat under faults: real uvicorn, real redis-server, real clients.

Every follower is the page's Python client (docs_src/resume/client.py). The
bounds are generous for a loaded machine and can be raised with
RESUME_E2E_TIMEOUT (seconds).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import struct
import time
from collections.abc import Iterator

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as connect_sync

from docs_src.resume import client
from guidekit import live
from guidekit.benchmarks.chat_load import stalled_client
from tests.conftest import require
from tests.e2e.conftest import assert_quiet, run_async

APP = "docs_src.resume.chat:app"
TIMEOUT = float(os.environ.get("RESUME_E2E_TIMEOUT", "20"))
COUNT = 1000  # numbered messages the sender streams


@pytest.fixture(autouse=True)
def quick_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shorter reconnection delays for the followers; the same schedule."""
    monkeypatch.setattr(client, "BASE_DELAY", 0.05)
    monkeypatch.setattr(client, "MAX_DELAY", 0.5)


@pytest.fixture
def redis() -> Iterator[live.Redis]:
    require(live.redis_available(), "redis-server")
    with live.redis_server(persistent=True) as server:
        yield server


def ws(url: str) -> str:
    return url.replace("http://", "ws://") + "/ws"


class Watcher:
    """One follower and what it has shown, with a way to wait for it."""

    def __init__(self, url: str) -> None:
        self.texts: list[str] = []
        self.changed = asyncio.Event()
        self.follower = client.Follower(url, self.show)
        self.task = asyncio.create_task(self.follower.run())

    def show(self, message_id: str, text: str) -> None:
        self.texts.append(text)
        self.changed.set()

    async def wait_for(self, count: int) -> list[str]:
        async def enough() -> None:
            while len(self.texts) < count:
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(enough(), TIMEOUT)
        return self.texts

    async def stop(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


async def joined(url: str) -> ClientConnection:
    """A sender: a plain connection that has said it is new."""
    sender = await connect(url)
    await sender.send("")
    assert json.loads(await sender.recv())["type"] == "live"
    return sender


async def drain(connection: ClientConnection, outcomes: dict[str, str]) -> None:
    """Read everything the sender is sent; note each message's outcome."""
    try:
        async for frame in connection:
            message = json.loads(frame)
            if message["type"] == "message":
                outcomes.setdefault(message["text"], "added")
            elif message["type"] == "not_delivered":
                outcomes.setdefault(message["text"], "not_delivered")
    except ConnectionClosed:
        pass


def numbers(count: int, start: int = 1) -> list[str]:
    return [str(number) for number in range(start, start + count)]


@pytest.mark.timeout(60)
def test_a_worker_killed_mid_stream_loses_and_duplicates_nothing(
    redis: live.Redis,
) -> None:
    env = {"REDIS_URL": redis.url}

    async def scenario(
        doomed: live.Server, survivor: live.Server, balancer: live.Balancer
    ) -> None:
        watchers = [Watcher(ws(balancer.url)) for _ in range(10)]
        for watcher in watchers:
            await asyncio.wait_for(watcher.follower.live.wait(), TIMEOUT)
        # Round robin: half of them on each worker.
        assert balancer.connections == {doomed.port: 5, survivor.port: 5}
        sender = await joined(ws(survivor.url))
        outcomes: dict[str, str] = {}
        reader = asyncio.create_task(drain(sender, outcomes))
        for text in numbers(COUNT):
            await sender.send(text)
            if text == "300":
                await watchers[0].wait_for(100)  # the stream is flowing
                live.kill(doomed.process)  # kill -9, mid-stream
        for watcher in watchers:
            assert await watcher.wait_for(COUNT) == numbers(COUNT)
        assert set(outcomes.values()) == {"added"}
        assert balancer.connections[survivor.port] >= 10  # five came back
        await sender.close()
        await reader
        for watcher in watchers:
            await watcher.stop()
            assert watcher.follower.history_lost is False
        assert [watcher.texts for watcher in watchers] == [numbers(COUNT)] * 10

    with (
        live.uvicorn(APP, env=env) as doomed,
        live.uvicorn(APP, env=env) as survivor,
        live.balancer([doomed.port, survivor.port]) as balancer,
    ):
        run_async(scenario(doomed, survivor, balancer))
        assert doomed.process.returncode == -9
        assert_quiet(doomed)
        assert_quiet(survivor)


@pytest.mark.timeout(60)
def test_a_connection_reset_mid_stream_resumes_exactly(redis: live.Redis) -> None:
    count = COUNT // 2

    async def scenario(server: live.Server, balancer: live.Balancer) -> None:
        watcher = Watcher(ws(balancer.url))
        await asyncio.wait_for(watcher.follower.live.wait(), TIMEOUT)
        sender = await joined(ws(server.url))
        outcomes: dict[str, str] = {}
        reader = asyncio.create_task(drain(sender, outcomes))
        for text in numbers(count):
            await sender.send(text)
            if text == "300":
                await watcher.wait_for(100)
                assert balancer.cut() == 1  # a TCP RST, both ways
        assert await watcher.wait_for(count) == numbers(count)
        assert balancer.connections == {server.port: 2}  # it came back once
        await sender.close()
        await reader
        await watcher.stop()
        assert watcher.texts == numbers(count)

    with (
        live.uvicorn(APP, env={"REDIS_URL": redis.url}) as server,
        live.balancer([server.port]) as balancer,
    ):
        run_async(scenario(server, balancer))
        assert_quiet(server)


@pytest.mark.timeout(60)
def test_a_redis_restart_keeps_what_it_confirmed(redis: live.Redis) -> None:
    env = {"REDIS_URL": redis.url}

    async def scenario(first: live.Server, second: live.Server) -> None:
        watchers = [Watcher(ws(first.url)), Watcher(ws(second.url))]
        for watcher in watchers:
            await asyncio.wait_for(watcher.follower.live.wait(), TIMEOUT)
        sender = await joined(ws(second.url))
        outcomes: dict[str, str] = {}
        reader = asyncio.create_task(drain(sender, outcomes))

        async def send(text: str) -> str:
            await sender.send(text)
            while text not in outcomes:  # a poll interval, not a wait for it
                await asyncio.sleep(0.001)
            return outcomes[text]

        before = [await send(text) for text in numbers(200)]
        live.stop_redis(redis.process)  # kill -9: gone at once
        during = [await send(text) for text in numbers(20, start=201)]
        redis.process = live.start_redis(redis.port, data=redis.data)
        after = [await send(text) for text in numbers(180, start=221)]

        assert set(before) == {"added"}
        assert set(during) == {"not_delivered"}  # the sender was told
        assert set(after) == {"added"}  # Redis is back, with its data
        confirmed = [text for text, outcome in outcomes.items() if outcome == "added"]
        assert confirmed == numbers(200) + numbers(180, start=221)
        for watcher in watchers:
            assert await watcher.wait_for(len(confirmed)) == confirmed
        # A newcomer from the very start: what Redis kept across its restart.
        late = Watcher(ws(first.url))
        late.follower.last_id = "0-0"
        assert await late.wait_for(len(confirmed)) == confirmed
        assert late.follower.history_lost is False
        await sender.close()
        await reader
        for watcher in [*watchers, late]:
            await watcher.stop()
        assert [w.texts for w in watchers] == [confirmed, confirmed]

    with (
        live.uvicorn(APP, env=env) as first,
        live.uvicorn(APP, env=env) as second,
    ):
        run_async(scenario(first, second))
        for server in (first, second):
            log = server.output()
            assert "Reading the stream failed (" in log  # each listener noticed
            assert_quiet(server)
        assert "Could not add to the stream: " in second.output()


def test_a_client_older_than_the_history_is_told(redis: live.Redis) -> None:
    env = {"REDIS_URL": redis.url, "CHAT_HISTORY": "50"}
    with (
        live.uvicorn(APP, env=env) as server,
        connect_sync(ws(server.url)) as sender,
    ):
        sender.send("")
        assert json.loads(sender.recv(timeout=TIMEOUT))["type"] == "live"
        sender.send("first")
        first = json.loads(sender.recv(timeout=TIMEOUT))
        for text in numbers(500):
            sender.send(text)
        for text in numbers(500):
            assert json.loads(sender.recv(timeout=TIMEOUT))["text"] == text
        with connect_sync(ws(server.url)) as late:
            late.send(first["id"])
            assert json.loads(late.recv(timeout=TIMEOUT)) == {"type": "history_lost"}
            kept = []
            while (message := json.loads(late.recv(timeout=TIMEOUT)))["type"] != "live":
                kept.append(message["text"])
        assert 50 <= len(kept) < 500
        assert kept == numbers(len(kept), start=501 - len(kept))
    assert_quiet(server)


def test_hostile_first_messages_get_a_clean_close(redis: live.Redis) -> None:
    cases = [(b"\x00", 1003), ("not an id", 1007), ("x" * 2048, 1009)]
    env = {"REDIS_URL": redis.url}
    with live.uvicorn(APP, "--ws-max-size", "1024", env=env) as server:
        for first, code in cases:
            with connect_sync(ws(server.url)) as hostile:
                hostile.send(first)
                with pytest.raises(ConnectionClosed):
                    hostile.recv(timeout=TIMEOUT)
            assert hostile.close_code == code, first
    assert_quiet(server)


CLOSE_1013 = b"\x88\x02" + (1013).to_bytes(2, "big")  # a close frame, code 1013


def test_a_client_that_stops_reading_is_dropped_with_1013(redis: live.Redis) -> None:
    # Dropped while it reads nothing; it starts reading again before the
    # server gives up on its close frame, and must find that frame in time.
    close_timeout = 20.0  # generous: the sender may be slow on a loaded machine
    env = {"REDIS_URL": redis.url, "CHAT_CLOSE_TIMEOUT": str(close_timeout)}
    text = "y" * 16000
    with (
        live.uvicorn(APP, env=env) as server,
        connect_sync(ws(server.url)) as sender,
        connect_sync(ws(server.url)) as healthy,
    ):
        stalled = stalled_client(server.port, "/ws")
        stalled.sendall(b"\x81\x80\0\0\0\0")  # a masked, empty text frame: "new"
        for client in (sender, healthy):
            client.send("")
            assert json.loads(client.recv(timeout=TIMEOUT))["type"] == "live"
        for number in range(400):  # far more than its buffers and queue hold
            sender.send(f"{number} {text}")
        for number in range(400):  # the others get everything, in order
            for client in (sender, healthy):
                message = json.loads(client.recv(timeout=TIMEOUT))
                assert message["text"] == f"{number} {text}"
        # It reads again: what was buffered, then a close frame, in time.
        deadline = time.monotonic() + close_timeout + 2
        received = b""
        while not received.endswith(CLOSE_1013):
            stalled.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = stalled.recv(65536)
            assert chunk, "the connection ended without a close frame"
            received += chunk
        stalled.close()
        assert len(received) < 400 * len(text)  # it was dropped, not served
    assert_quiet(server)


def test_clients_that_leave_at_any_moment_leave_no_trace(redis: live.Redis) -> None:
    with live.uvicorn(APP, env={"REDIS_URL": redis.url}) as server:
        for _ in range(10):
            # Connect, say where it was, leave at once.
            with connect_sync(ws(server.url)) as quick:
                quick.send("")
            # Gone during the handshake: half a request, then a reset.
            half = socket.create_connection(("127.0.0.1", server.port))
            half.sendall(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: web")
            reset(half)
            # A reset in the middle of a message.
            joined = stalled_client(server.port, "/ws")
            joined.sendall(
                b"\x81\x80\0\0\0\0" + b"\x81\xfe\x10\x00\0\0\0\0" + b"x" * 100
            )
            reset(joined)
        # Still serving, and nobody is left behind in the chat.
        with connect_sync(ws(server.url)) as last:
            last.send("")
            assert json.loads(last.recv(timeout=TIMEOUT))["type"] == "live"
            last.send("still here")
            assert json.loads(last.recv(timeout=TIMEOUT))["text"] == "still here"
    assert_quiet(server)


def reset(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
