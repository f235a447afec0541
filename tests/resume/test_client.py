"""The Python client: its backoff, and following the chat through restarts."""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import re
import runpy
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
import redis
from websockets.asyncio.server import ServerConnection, serve

from docs_src.resume import chat, client
from guidekit import live

TIMEOUT = 10  # seconds: a bound on waits for things that should happen
APP = "docs_src.resume.chat:app"


def test_delays_double_up_to_the_cap_with_full_jitter() -> None:
    highest = list(itertools.islice(client.reconnect_delays(random=lambda: 1.0), 9))
    assert highest == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
    lowest = itertools.islice(client.reconnect_delays(random=lambda: 0.0), 5)
    assert list(lowest) == [0.0] * 5
    later = client.reconnect_delays(
        first_attempt=client.LATER_ATTEMPT, random=lambda: 1
    )
    assert next(later) == 8.0  # after 1013, the wait starts longer


def test_a_hundred_clients_do_not_come_back_in_lock_step() -> None:
    seeded = random.Random(2026).random  # the same draws on every run
    firsts = sorted(next(client.reconnect_delays(random=seeded)) for _ in range(100))
    assert all(0 <= delay <= client.BASE_DELAY for delay in firsts)
    # Full jitter spreads them over the whole window, not in one clump.
    assert len({round(delay, 6) for delay in firsts}) == 100
    quarters = [
        sum(
            q * client.BASE_DELAY / 4 <= d < (q + 1) * client.BASE_DELAY / 4
            for d in firsts
        )
        for q in range(4)
    ]
    assert min(quarters) >= 10, quarters


def test_a_message_seen_already_is_skipped() -> None:
    seen: list[tuple[str, str]] = []
    follower = client.Follower("ws://unused", lambda i, t: seen.append((i, t)))
    for message_id, text in [("5-1", "a"), ("5-1", "a"), ("4-9", "old"), ("10-0", "b")]:
        follower._handle({"type": "message", "id": message_id, "text": text})
    follower._handle({"type": "not_delivered", "text": "x"})  # not for a follower
    assert seen == [("5-1", "a"), ("10-0", "b")]
    assert follower.last_id == "10-0"
    # After a loss, what follows is shown, even with older IDs.
    follower._handle({"type": "history_lost"})
    follower._handle({"type": "message", "id": "7-0", "text": "c"})
    assert seen[-1] == ("7-0", "c")
    assert follower.history_lost is True


class Inbox:
    def __init__(self) -> None:
        self.messages: list[str] = []
        self.arrived = asyncio.Event()

    def __call__(self, message_id: str, text: str) -> None:
        self.messages.append(text)
        self.arrived.set()

    async def wait_for(self, count: int) -> list[str]:
        while len(self.messages) < count:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), TIMEOUT)
        return self.messages


def add(url: str, *texts: str) -> None:
    with redis.Redis.from_url(url) as connection:
        for text in texts:
            connection.xadd(chat.STREAM, {"text": text})


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client, "BASE_DELAY", 0.05)
    monkeypatch.setattr(client, "MAX_DELAY", 0.2)


async def until_live(follower: client.Follower) -> None:
    await asyncio.wait_for(follower.live.wait(), TIMEOUT)


@pytest.mark.timeout(30)
def test_the_follower_resumes_after_the_server_restarts(
    redis_server: live.Redis, quick: None
) -> None:
    env = {"REDIS_URL": redis_server.url}

    async def scenario(server: live.Server) -> None:
        inbox = Inbox()
        url = server.url.replace("http://", "ws://") + "/ws"
        follower = client.Follower(url, inbox)
        running = asyncio.create_task(follower.run())
        await until_live(follower)
        await asyncio.to_thread(add, redis_server.url, "one", "two")
        assert await inbox.wait_for(2) == ["one", "two"]
        await asyncio.to_thread(live.stop, server.process)
        await asyncio.to_thread(add, redis_server.url, "three")  # while it is down
        with live.uvicorn(APP, env=env, port=server.port) as again:
            await until_live(follower)
            await asyncio.to_thread(add, redis_server.url, "four")
            assert await inbox.wait_for(4) == ["one", "two", "three", "four"]
            await chat_stop(running)
            assert "Traceback" not in again.output()

    with live.uvicorn(APP, env=env) as server:
        asyncio.run(scenario(server))
        assert "Traceback" not in server.output()


async def chat_stop(task: asyncio.Task[int]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


@pytest.mark.timeout(30)
def test_the_follower_waits_longer_after_1013_and_resets_once_stable(
    redis_server: live.Redis, quick: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {"REDIS_URL": redis_server.url}
    monkeypatch.setattr(client, "STABLE_AFTER", 0.0)  # every connection is stable
    schedules: list[int] = []  # the first attempt of each schedule started
    delays = client.reconnect_delays

    def recorded(first_attempt: int = 0) -> Iterator[float]:
        schedules.append(first_attempt)
        return delays(first_attempt)

    async def scenario(server: live.Server) -> None:
        url = server.url.replace("http://", "ws://") + "/ws"
        follower = client.Follower(url, Inbox())
        live.stop_redis(redis_server.process)  # joining fails: 1013
        monkeypatch.setattr(client, "reconnect_delays", recorded)
        running = asyncio.create_task(follower.run())
        while schedules.count(client.LATER_ATTEMPT) < 2:
            await asyncio.sleep(0.01)  # a poll interval, not a wait for an outcome
        redis_server.process = live.start_redis(redis_server.port)
        await until_live(follower)
        await chat_stop(running)

    with live.uvicorn(APP, env=env) as server:
        asyncio.run(scenario(server))
        log = server.output()
    # Each close with 1013 follows a fresh schedule that starts later, and each
    # stable connection before it resets the ordinary one.
    assert schedules[:4] == [0, client.LATER_ATTEMPT] * 2
    assert "Could not replay the stream: " in log
    assert "Traceback" not in log


def test_the_follower_gives_up_on_an_id_the_server_refuses(
    redis_server: live.Redis,
) -> None:
    async def scenario(server: live.Server) -> int:
        url = server.url.replace("http://", "ws://") + "/ws"
        follower = client.Follower(url, Inbox())
        follower.last_id = "not an id"
        return await asyncio.wait_for(follower.run(), TIMEOUT)

    with live.uvicorn(APP, env={"REDIS_URL": redis_server.url}) as server:
        assert asyncio.run(scenario(server)) == 1007


@pytest.fixture
def refusing_server() -> Iterator[str]:
    """A WebSocket server that says one message, goes away, then refuses."""
    connections = 0

    async def refuse(connection: ServerConnection) -> None:
        nonlocal connections
        connections += 1
        await connection.recv()
        if connections == 1:
            await connection.send('{"type": "message", "id": "1-0", "text": "hi"}')
            await connection.close(1001)  # going away: come back
        else:
            await connection.close(1008, "go away")

    ready: asyncio.Queue[str] = asyncio.Queue()
    stopped = asyncio.Event()

    async def run() -> None:
        async with serve(refuse, "127.0.0.1", 0) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            ready.put_nowait(f"ws://127.0.0.1:{port}/ws")
            await stopped.wait()

    loop = asyncio.new_event_loop()
    task = loop.create_task(run())
    url = loop.run_until_complete(ready.get())
    thread = threading.Thread(target=loop.run_until_complete, args=(task,))
    thread.start()
    yield url
    loop.call_soon_threadsafe(stopped.set)
    thread.join(TIMEOUT)
    loop.close()


def test_running_it_prints_why_it_stopped(
    refusing_server: str,
    quick: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "argv", ["client.py", refusing_server])
    monkeypatch.delitem(sys.modules, "docs_src.resume.client")
    runpy.run_module("docs_src.resume.client", run_name="__main__")
    assert capsys.readouterr().out == (
        "1-0 hi\nThe server closed the connection with 1008: not reconnecting.\n"
    )


@pytest.mark.timeout(30)
def test_with_the_server_down_attempts_follow_the_librarys_schedule() -> None:
    # websockets reads its schedule from the environment when it is imported:
    # a first wait of up to 0.2 s, then 0.1 s doubling up to 0.4 s.
    schedule = {
        "WEBSOCKETS_BACKOFF_INITIAL_DELAY": "0.2",
        "WEBSOCKETS_BACKOFF_MIN_DELAY": "0.1",
        "WEBSOCKETS_BACKOFF_MAX_DELAY": "0.4",
        "WEBSOCKETS_BACKOFF_FACTOR": "2",
    }
    nowhere = f"ws://127.0.0.1:{live.free_port()}/ws"  # nothing listens there
    announced = re.compile(
        r"(?P<at>[0-9.]+) .*connect failed; reconnecting in (?P<delay>[0-9.]+) seconds: "
    )
    # The client as `python -m` runs it, each log line stamped with the time
    # the client logged it: when this test reads the lines depends on how a
    # busy machine schedules it. The client's own basicConfig then does nothing.
    stamped = (
        "import logging, runpy; "
        "logging.basicConfig(level=logging.INFO, format='%(created).6f %(message)s'); "
        "runpy.run_module('docs_src.resume.client', run_name='__main__', alter_sys=True)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", stamped, nowhere],
        cwd=live.ROOT,
        env={**os.environ, **schedule},
        stderr=subprocess.PIPE,
        text=True,
    )
    delays: list[float] = []
    times: list[float] = []
    try:
        assert process.stderr is not None
        for line in process.stderr:
            match = announced.match(line)
            if match:
                delays.append(float(match["delay"]))
                times.append(float(match["at"]))
            if len(delays) == 6:
                break
    finally:
        process.kill()
        process.wait()
    assert 0 <= delays[0] <= 0.2
    assert delays[1:] == [0.1, 0.2, 0.4, 0.4, 0.4]
    # Each attempt came after the wait announced before it (logged rounded).
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert all(gap >= delay - 0.05 for gap, delay in zip(gaps, delays, strict=False))
