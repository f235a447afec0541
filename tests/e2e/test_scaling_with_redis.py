"""The Redis chat with two real Uvicorn processes and a real redis-server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
from websockets.sync.client import ClientConnection, connect

from guidekit import live
from tests.conftest import require, subscribe_calls
from tests.e2e.conftest import TIMEOUT, assert_quiet, receive, receive_until, ws_url

APP = "docs_src.scaling.pubsub:app"
QUIET = 1  # seconds without a message: it is not coming
RETRY = 0.2  # seconds to wait for a retried message before sending another


def wait_for_subscribers(url: str, count: int) -> None:
    deadline = time.monotonic() + TIMEOUT
    with redis.Redis.from_url(url) as client:
        while client.pubsub_numsub("chat")[0][1] != count:
            assert time.monotonic() < deadline, f"not {count} subscribers"
            time.sleep(0.02)  # a poll interval, not a wait for an outcome


@contextmanager
def two_processes(env: dict[str, str]) -> Iterator[tuple[live.Server, live.Server]]:
    with live.uvicorn(APP, env=env) as first, live.uvicorn(APP, env=env) as second:
        yield first, second


def test_without_redis_each_process_has_a_chat_of_its_own() -> None:
    with (
        two_processes({"REDIS_URL": ""}) as (first, second),
        connect(ws_url(first, "/ws/1")) as alice,
        connect(ws_url(second, "/ws/2")) as bob,
    ):
        alice.send("Hello?")
        assert receive(alice) == "You wrote: Hello?"
        assert receive(alice) == "Client #1 says: Hello?"
        with pytest.raises(TimeoutError):
            receive(bob, timeout=QUIET)  # Bob is in the other process


def until_delivered(
    sender: ClientConnection, receiver: ClientConnection, sender_id: int
) -> list[str]:
    """Send numbered messages until one reaches ``receiver``.

    Returns everything the receiver got meanwhile, that message last.
    """
    deadline = time.monotonic() + 2 * TIMEOUT
    seen: list[str] = []
    for number in range(1000):
        assert time.monotonic() < deadline, "no message got through"
        sender.send(f"retry {number}")
        try:
            while True:
                seen.append(receive(receiver, timeout=RETRY))
                if seen[-1].startswith(f"Client #{sender_id} says: retry "):
                    return seen
        except TimeoutError:
            continue  # lost, or not here yet: send another
    raise AssertionError("no message got through")


def test_two_processes_share_one_chat_through_redis() -> None:
    require(live.redis_available(), "redis-server")
    with live.redis_server() as server:
        env = {"REDIS_URL": server.url}
        with (
            two_processes(env) as (first, second),
            connect(ws_url(first, "/ws/1")) as alice,
            connect(ws_url(second, "/ws/2")) as bob,
        ):
            wait_for_subscribers(server.url, 2)  # one per process
            alice.send("Hi, Bob")
            assert receive(alice) == "You wrote: Hi, Bob"
            assert receive(alice) == "Client #1 says: Hi, Bob"
            assert receive(bob) == "Client #1 says: Hi, Bob"
            bob.send("Hi, Alice")
            assert receive(bob) == "You wrote: Hi, Alice"
            assert receive(bob) == "Client #2 says: Hi, Alice"
            assert receive(alice) == "Client #2 says: Hi, Alice"

            # Redis goes away: publishing fails, and the sender is told.
            live.stop_redis(server.process)
            alice.send("Anyone?")
            assert receive(alice) == "You wrote: Anyone?"
            assert receive(alice) == "Not delivered: Anyone?"

            # Redis is back on the same port: the subscribers find it again.
            server.process = live.start_redis(server.port)
            seen_by_bob = until_delivered(alice, bob, sender_id=1)
            until_delivered(bob, alice, sender_id=2)
            assert subscribe_calls(server.url) == 2  # one for each process

            alice.send("Welcome back")
            seen_by_alice = receive_until(alice, "Client #1 says: Welcome back")
            seen_by_bob += receive_until(bob, "Client #1 says: Welcome back")
            output = first.output() + second.output()
    assert seen_by_alice[-2:] == [
        "You wrote: Welcome back",
        "Client #1 says: Welcome back",
    ]
    assert "Client #1 says: Anyone?" not in seen_by_bob
    assert output.count("Redis subscription failed (") >= 2  # one per process
    assert "Could not publish to Redis: " in output
    assert "Traceback" not in output


def test_a_message_that_is_not_text_reaches_nobody_and_stops_nothing() -> None:
    require(live.redis_available(), "redis-server")
    with (
        live.redis_server() as redis_server,
        live.uvicorn(APP, env={"REDIS_URL": redis_server.url}) as server,
        connect(ws_url(server, "/ws/1")) as alice,
    ):
        wait_for_subscribers(redis_server.url, 1)
        with redis.Redis.from_url(redis_server.url) as other:
            other.publish("chat", b"\xff\xfe not UTF-8")
            other.publish("chat", "Client #7 says: still there?")
        assert receive(alice) == "Client #7 says: still there?"
        alice.send("yes")
        assert receive_until(alice, "Client #1 says: yes") == [
            "You wrote: yes",
            "Client #1 says: yes",
        ]
        output = server.output()
    assert "Skipped a message on 'chat' that is not UTF-8 text\n" in output
    assert_quiet(server)


@pytest.mark.timeout(60)
def test_a_redis_that_does_not_answer_holds_up_no_client() -> None:
    require(live.redis_available(), "redis-server")
    texts = ["one", "two", "three"]
    with (
        live.redis_server() as redis_server,
        live.uvicorn(APP, env={"REDIS_URL": redis_server.url}) as server,
        connect(ws_url(server, "/ws/1"), ping_interval=None) as alice,
    ):
        wait_for_subscribers(redis_server.url, 1)
        alice.send("before")
        receive_until(alice, "Client #1 says: before")
        with live.paused(redis_server.process):  # Redis is there, and silent
            for text in texts:
                alice.send(text)
            # Her messages and her pings are handled while Redis keeps quiet.
            echoes = [receive(alice, timeout=QUIET) for _ in texts]
            assert alice.ping().wait(QUIET)
            # One PUBLISH after the other gives up after PUBLISH_TIMEOUT.
            verdicts = [receive(alice) for _ in texts]
        # Redis goes on with what was already in its socket.
        alice.send("after")
        later = receive_until(alice, "Client #1 says: after")
        output = server.output()
    assert echoes == [f"You wrote: {text}" for text in texts]
    assert verdicts == [f"Not delivered: {text}" for text in texts]
    # "Not delivered" means "not confirmed": a PUBLISH that was already on
    # its way when it gave up may still go through once Redis answers.
    assert later[-1] == "Client #1 says: after"
    assert later.count("You wrote: after") == 1
    late = [m for m in later[:-1] if m != "You wrote: after"]
    assert late == [
        f"Client #1 says: {text}" for text in texts if text in " ".join(late)
    ]
    assert output.count("Could not publish to Redis: no answer in 1.0 s\n") == 3
    assert_quiet(server)


@pytest.mark.timeout(60)
def test_redis_drops_a_subscriber_that_falls_behind() -> None:
    require(live.redis_available(), "redis-server")
    limit = ("--client-output-buffer-limit", "pubsub 256kb 0 0")
    body = "x" * 8192
    COUNT = 2000
    with (
        live.redis_server(*limit) as redis_server,
        live.uvicorn(APP, env={"REDIS_URL": redis_server.url}) as server,
        connect(ws_url(server, "/ws/1"), max_queue=None) as alice,
        redis.Redis.from_url(redis_server.url) as other,
    ):
        wait_for_subscribers(redis_server.url, 1)
        with live.paused(server.process):  # the app reads nothing for a while
            # Far more than the buffers between them hold: 16 MB.
            with other.pipeline(transaction=False) as pipeline:
                for number in range(COUNT):
                    pipeline.publish("chat", f"Client #7 says: {number:04d} {body}")
                pipeline.execute()
            wait_for_subscribers(redis_server.url, 0)  # Redis let it go
        wait_for_subscribers(redis_server.url, 1)  # it subscribed again
        # Once, on a connection it keeps. redis-py on its own would first
        # subscribe on a connection that listen() then closes: a subscriber
        # Redis counts, for a moment, whose messages go nowhere.
        assert subscribe_calls(redis_server.url) == 2
        other.publish("chat", "Client #7 says: back")
        try:
            seen = receive_until(alice, "Client #7 says: back")
        except TimeoutError as error:
            # Rare, on a loaded machine: what the app did says why.
            raise AssertionError(
                f"the message after the drop did not arrive in {TIMEOUT} s; "
                f"the app's log:\n{server.output()}"
            ) from error
        output = server.output()
    numbers = [int(message.split()[3]) for message in seen[:-1]]
    assert numbers == list(range(len(numbers)))  # the start, in order...
    assert len(numbers) < COUNT  # ...and the rest was lost
    assert (
        "Redis subscription failed (Connection closed by server.); retrying in 0.1 s"
        in output
    )
    assert_quiet(server)
