"""The Redis chat: in one process, through a real redis-server, and its outages."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from types import ModuleType

import pytest
import redis
import redis.asyncio
from fastapi import status
from fastapi.testclient import TestClient
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from docs_src.broadcasting import reliable
from docs_src.scaling import pubsub
from guidekit import live
from tests.broadcasting.chat_checks import check_a_binary_frame_is_refused
from tests.broadcasting.fakes import WAIT, Listener
from tests.broadcasting.manager_tests import ManagerTests
from tests.conftest import subscribe_calls

TIMEOUT = 10  # seconds: a bound on waits for things that should happen


@pytest.fixture(autouse=True)
def fresh_manager(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(pubsub, "manager", pubsub.ConnectionManager())
    monkeypatch.delenv("REDIS_URL", raising=False)
    yield
    assert pubsub.manager.clients == {}


def subscribers(url: str) -> int:
    with redis.Redis.from_url(url) as client:
        [(_, count)] = client.pubsub_numsub(pubsub.CHANNEL)
        return int(count)


def wait_for_subscribers(url: str, count: int) -> None:
    """Poll Redis until ``count`` connections listen on the chat channel."""
    deadline = time.monotonic() + TIMEOUT
    while subscribers(url) != count:
        assert time.monotonic() < deadline, f"not {count} subscribers in {TIMEOUT}s"
        time.sleep(0.02)  # a poll interval, not a wait for an outcome


def publish(url: str, message: str) -> None:
    """Publish as another process would."""
    with redis.Redis.from_url(url) as client:
        assert client.publish(pubsub.CHANNEL, message) == 1


# In one process, with nothing else running.


def test_chat_without_redis() -> None:
    with (
        TestClient(pubsub.app) as client,
        client.websocket_connect("/ws/1") as alice,
        client.websocket_connect("/ws/2") as bob,
    ):
        alice.send_text("Hi, Bob")
        assert alice.receive_text() == "You wrote: Hi, Bob"
        assert alice.receive_text() == "Client #1 says: Hi, Bob"
        assert bob.receive_text() == "Client #1 says: Hi, Bob"
        bob.close()
        assert alice.receive_text() == "Client #2 left the chat"


def test_a_burst_without_redis_overflows_nobody() -> None:
    # As in reliable.py: the fake hands over waiting messages without pausing.
    texts = [f"message {number}" for number in range(3 * pubsub.QUEUE_SIZE)]

    async def scenario() -> None:
        alice, bob = Listener(), Listener()
        broker = pubsub.MemoryBroker()
        listener = asyncio.create_task(broker.listen(pubsub.manager.broadcast))
        alice.state.broker = broker
        await pubsub.manager.connect(bob.websocket)
        for text in [*texts, None]:
            alice.incoming.put_nowait(text)
        await asyncio.wait_for(pubsub.chat(alice.websocket, client_id=1), 5)

        seen_by_bob = await bob.wait_received(len(texts) + 1)
        assert seen_by_bob == [
            *(f"Client #1 says: {text}" for text in texts),
            "Client #1 left the chat",
        ]
        assert [alice.close_code, bob.close_code] == [None, None]
        pubsub.manager.disconnect(bob.websocket)
        listener.cancel()

    asyncio.run(scenario())


def test_the_lifespan_starts_a_subscriber_and_stops_everything() -> None:
    async def scenario() -> None:
        listener = Listener()
        async with pubsub.lifespan(pubsub.app) as state:
            broker = state["broker"]
            assert isinstance(broker, pubsub.MemoryBroker)
            await pubsub.manager.connect(listener.websocket)
            broker.publish("hello")
            assert await listener.wait_received(1) == ["hello"]
        assert listener.close_code == status.WS_1001_GOING_AWAY
        assert pubsub.manager.clients == {}
        # The subscriber task was cancelled and awaited: only this one is left.
        assert asyncio.all_tasks() == {asyncio.current_task()}

    asyncio.run(scenario())


# Through a real redis-server.


def test_chat_through_redis(
    redis_server: live.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    with (
        TestClient(pubsub.app) as client,
        client.websocket_connect("/ws/1") as alice,
        client.websocket_connect("/ws/2") as bob,
    ):
        wait_for_subscribers(redis_server.url, 1)  # one subscriber per process
        alice.send_text("Hi, Bob")
        assert alice.receive_text() == "You wrote: Hi, Bob"
        assert alice.receive_text() == "Client #1 says: Hi, Bob"
        assert bob.receive_text() == "Client #1 says: Hi, Bob"

        # Whatever another process publishes reaches the clients of this one.
        publish(redis_server.url, "Client #7 says: Hello from elsewhere")
        assert alice.receive_text() == "Client #7 says: Hello from elsewhere"
        assert bob.receive_text() == "Client #7 says: Hello from elsewhere"

        bob.close()
        assert alice.receive_text() == "Client #2 left the chat"
    assert subscribers(redis_server.url) == 0  # unsubscribed on shutdown


def test_chat_through_a_redis_outage(
    redis_server: live.Redis,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.setattr(pubsub, "RETRY_DELAY", 0.01)  # back sooner; same path
    with (
        TestClient(pubsub.app) as client,
        client.websocket_connect("/ws/1") as alice,
    ):
        wait_for_subscribers(redis_server.url, 1)
        live.stop_redis(redis_server.process)

        alice.send_text("Anyone?")
        assert alice.receive_text() == "You wrote: Anyone?"
        assert alice.receive_text() == "Not delivered: Anyone?"

        redis_server.process = live.start_redis(redis_server.port)
        wait_for_subscribers(redis_server.url, 1)  # it came back on its own
        alice.send_text("Back again")
        assert alice.receive_text() == "You wrote: Back again"
        assert alice.receive_text() == "Client #1 says: Back again"

    warnings = [r.getMessage() for r in caplog.records if r.name == pubsub.__name__]
    assert any(w.startswith("Could not publish to Redis: ") for w in warnings)
    assert any(w.startswith("Redis subscription failed (") for w in warnings)


# The subscriber's reconnection, and what pub/sub promises.


class Recorder(logging.Handler):
    """Keeps the example's warnings, and wakes up whoever waits for them."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.arrived = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.arrived.set()

    async def wait_for(self, count: int) -> list[float]:
        """Wait for ``count`` warnings in all; return the delays they announce."""
        while len(self.records) < count:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), TIMEOUT)
        return [record.args[1] for record in self.records]  # type: ignore[index]


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    handler = Recorder()
    logger = logging.getLogger(pubsub.__name__)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


async def until_subscribed(broker: pubsub.RedisBroker, count: int = 1) -> None:
    deadline = time.monotonic() + TIMEOUT
    while (await broker.redis.pubsub_numsub(pubsub.CHANNEL))[0][1] != count:
        assert time.monotonic() < deadline, f"not {count} subscribers in {TIMEOUT}s"
        await asyncio.sleep(0.02)  # a poll interval, not a wait for an outcome


class Inbox:
    """Messages a subscriber delivers, and a way to wait for them."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.arrived = asyncio.Event()

    def deliver(self, message: str) -> None:
        self.messages.append(message)
        self.arrived.set()

    async def wait(self) -> list[str]:
        await asyncio.wait_for(self.arrived.wait(), TIMEOUT)
        return self.messages


async def stop(listener: asyncio.Task[None], broker: pubsub.RedisBroker) -> None:
    listener.cancel()
    await asyncio.gather(listener, return_exceptions=True)
    await broker.close()


def test_reconnection_delays_double_up_to_a_limit(
    monkeypatch: pytest.MonkeyPatch, recorder: Recorder
) -> None:
    monkeypatch.setattr(pubsub, "RETRY_DELAY", 0.005)
    monkeypatch.setattr(pubsub, "RETRY_DELAY_MAX", 0.02)

    async def scenario() -> None:
        nowhere = f"redis://127.0.0.1:{live.free_port()}/0"  # nothing listens there
        broker = pubsub.RedisBroker(nowhere)
        listener = asyncio.create_task(broker.listen(Inbox().deliver))
        delays = await recorder.wait_for(5)
        await stop(listener, broker)
        assert delays[:5] == [0.005, 0.01, 0.02, 0.02, 0.02]
        message = recorder.records[0].getMessage()
        assert message.startswith("Redis subscription failed (Error 111 connecting")
        assert message.endswith("); retrying in 0.005 s")

    asyncio.run(scenario())


def test_a_new_subscription_starts_the_delays_afresh(
    redis_server: live.Redis, monkeypatch: pytest.MonkeyPatch, recorder: Recorder
) -> None:
    monkeypatch.setattr(pubsub, "RETRY_DELAY", 0.02)

    async def scenario() -> None:
        broker = pubsub.RedisBroker(redis_server.url)
        inbox = Inbox()
        listener = asyncio.create_task(broker.listen(inbox.deliver))
        await until_subscribed(broker)
        live.stop_redis(redis_server.process)
        assert (await recorder.wait_for(2))[:2] == [0.02, 0.04]

        redis_server.process = live.start_redis(redis_server.port)
        await until_subscribed(broker)
        failures = len(recorder.records)
        live.stop_redis(redis_server.process)
        assert (await recorder.wait_for(failures + 1))[failures] == 0.02

        redis_server.process = live.start_redis(redis_server.port)
        await until_subscribed(broker)
        broker.publish("Client #1 says: still here")
        assert await inbox.wait() == ["Client #1 says: still here"]
        await stop(listener, broker)

    asyncio.run(scenario())


async def until_delivered(broker: pubsub.RedisBroker, inbox: Inbox) -> None:
    """Publish probes until one reaches ``inbox``: the subscription is live."""
    deadline = time.monotonic() + TIMEOUT
    while not inbox.messages:
        assert time.monotonic() < deadline, f"no probe delivered in {TIMEOUT}s"
        await broker.redis.publish(pubsub.CHANNEL, "probe")
        with suppress(asyncio.TimeoutError):
            await asyncio.wait_for(inbox.arrived.wait(), 0.2)


@pytest.mark.parametrize(
    ("retry", "subscriptions"),
    [(None, 1), (Retry(NoBackoff(), retries=0), 2)],
    ids=["as-in-the-example", "retries-0-alone"],
)
def test_a_lost_subscription_is_made_again_once(
    redis_server: live.Redis,
    recorder: Recorder,
    retry: Retry | None,
    subscriptions: int,
) -> None:
    """What the page says: retries=0 alone subscribes twice after each loss."""

    async def scenario() -> tuple[int, list[str]]:
        broker = pubsub.RedisBroker(redis_server.url)
        if retry is not None:
            await broker.subscriber.aclose()
            broker.subscriber = redis.asyncio.Redis.from_url(
                redis_server.url, retry=retry
            )
        inbox = Inbox()
        listener = asyncio.create_task(broker.listen(inbox.deliver))
        await until_subscribed(broker)
        before = subscribe_calls(redis_server.url)
        # Redis ends the connection, as it does a subscriber that falls behind.
        assert await broker.redis.client_kill_filter(_type="pubsub") == 1
        await recorder.wait_for(1)
        await until_delivered(broker, inbox)
        made = subscribe_calls(redis_server.url) - before
        await stop(listener, broker)
        return made, [record.getMessage() for record in recorder.records]

    made, warnings = asyncio.run(scenario())
    assert made == subscriptions
    assert warnings == [
        "Redis subscription failed (Connection closed by server.); retrying in 0.1 s"
    ]


def test_a_message_nobody_listens_for_is_lost(redis_server: live.Redis) -> None:
    async def scenario() -> None:
        broker = pubsub.RedisBroker(redis_server.url)
        # Redis takes it, hands it to the subscribers it has now (none), and
        # forgets it: pub/sub delivers at most once.
        broker.publish("Client #1 says: too early")
        await asyncio.wait_for(broker.outgoing.join(), TIMEOUT)  # published

        inbox = Inbox()
        listener = asyncio.create_task(broker.listen(inbox.deliver))
        await until_subscribed(broker)
        broker.publish("Client #1 says: in time")
        assert await inbox.wait() == ["Client #1 says: in time"]
        await stop(listener, broker)

    asyncio.run(scenario())


def test_a_burst_through_redis_overflows_nobody(redis_server: live.Redis) -> None:
    # Redis hands a burst over in a few reads; the listener's pause after each
    # delivery lets the writers keep up, so nobody is dropped, and nothing waits.
    texts = [f"Client #7 says: {number}" for number in range(3 * pubsub.QUEUE_SIZE)]

    async def scenario() -> tuple[list[str], int | None]:
        bob = Listener()
        await pubsub.manager.connect(bob.websocket)
        broker = pubsub.RedisBroker(redis_server.url)
        listener = asyncio.create_task(broker.listen(pubsub.manager.broadcast))
        await until_subscribed(broker)
        other = redis.asyncio.Redis.from_url(redis_server.url)
        async with other.pipeline(transaction=False) as pipeline:
            for text in texts:
                pipeline.publish(pubsub.CHANNEL, text)
            await pipeline.execute()
        await other.aclose()
        received = list(await bob.wait_received(len(texts)))
        close_code = bob.close_code
        pubsub.manager.disconnect(bob.websocket)
        await stop(listener, broker)
        return received, close_code

    assert asyncio.run(scenario()) == (texts, None)


# The manager: a deliberate copy of the one in reliable.py.


def code_of(module: ModuleType, name: str) -> list[str]:
    """The source of ``name`` without blank lines and region markers."""
    lines = inspect.getsource(getattr(module, name)).splitlines()
    markers = ("# region", "# endregion")
    return [
        line for line in lines if line.strip() and not line.strip().startswith(markers)
    ]


@pytest.mark.parametrize("name", ["Client", "ConnectionManager"])
def test_the_manager_is_the_one_from_reliable(name: str) -> None:
    assert code_of(pubsub, name) == code_of(reliable, name)
    assert (pubsub.QUEUE_SIZE, pubsub.CLOSE_TIMEOUT) == (
        reliable.QUEUE_SIZE,
        reliable.CLOSE_TIMEOUT,
    )


class TestManager(ManagerTests):
    example = pubsub


def test_the_sender_hears_when_its_message_was_not_delivered() -> None:
    # The same path as in the outage above, without the outage. On Python
    # 3.11, coverage loses the lines that run after a refused connection.
    class Unreachable(pubsub.MemoryBroker):
        def publish(
            self, message: str, undelivered: pubsub.Undelivered | None = None
        ) -> None:
            if undelivered is not None:  # the goodbye has nobody to tell
                undelivered()

    async def scenario() -> None:
        alice = Listener()
        alice.state.broker = Unreachable()
        handler = asyncio.create_task(pubsub.chat(alice.websocket, client_id=1))
        alice.incoming.put_nowait("Anyone?")
        assert await alice.wait_received(2) == [
            "You wrote: Anyone?",
            "Not delivered: Anyone?",
        ]
        alice.incoming.put_nowait(None)
        await asyncio.wait_for(handler, 5)

    asyncio.run(scenario())


def test_retry_delays_are_the_ones_the_page_states() -> None:
    assert (pubsub.RETRY_DELAY, pubsub.RETRY_DELAY_MAX) == (0.1, 5.0)


def test_messages_travel_on_the_chat_channel(redis_server: live.Redis) -> None:
    """Any Redis client subscribed to "chat" sees what the app publishes."""

    async def scenario() -> dict[str, str]:
        broker = pubsub.RedisBroker(redis_server.url)
        other = redis.asyncio.Redis.from_url(redis_server.url, decode_responses=True)
        async with other.pubsub(ignore_subscribe_messages=True) as subscription:
            await subscription.subscribe("chat")
            broker.publish("Client #1 says: hi")
            message = None
            while message is None:
                message = await subscription.get_message(timeout=WAIT)
        await other.aclose()
        await broker.close()
        return {"channel": message["channel"], "data": message["data"]}

    assert asyncio.run(scenario()) == {"channel": "chat", "data": "Client #1 says: hi"}


# Whatever reaches the channel, and whatever goes wrong, the subscriber goes on.


def test_a_message_that_is_not_utf8_is_skipped(
    redis_server: live.Redis, recorder: Recorder
) -> None:
    async def scenario() -> None:
        broker = pubsub.RedisBroker(redis_server.url)
        inbox = Inbox()
        listener = asyncio.create_task(broker.listen(inbox.deliver))
        await until_subscribed(broker)
        other = redis.asyncio.Redis.from_url(redis_server.url)
        await other.publish(pubsub.CHANNEL, b"\xff\xfe not text")
        await other.publish(pubsub.CHANNEL, "Client #7 says: still listening")
        await other.aclose()
        assert await inbox.wait() == ["Client #7 says: still listening"]
        await stop(listener, broker)

    asyncio.run(scenario())
    assert [r.getMessage() for r in recorder.records] == [
        "Skipped a message on 'chat' that is not UTF-8 text"
    ]
    assert recorder.records[0].exc_info is None  # one line, no traceback


def test_a_delivery_that_fails_is_logged_and_the_next_one_arrives(
    redis_server: live.Redis, recorder: Recorder
) -> None:
    async def scenario() -> list[str]:
        broker = pubsub.RedisBroker(redis_server.url)
        inbox = Inbox()

        def deliver(message: str) -> None:
            if message == "first":
                raise ValueError("a bug in deliver()")
            inbox.deliver(message)

        listener = asyncio.create_task(broker.listen(deliver))
        await until_subscribed(broker)
        broker.publish("first")
        broker.publish("second")
        messages = await inbox.wait()
        await stop(listener, broker)
        return messages

    assert asyncio.run(scenario()) == ["second"]
    [record] = recorder.records
    assert record.getMessage() == "Could not deliver a message from Redis"
    assert record.exc_info is not None  # a bug: with its traceback


def test_a_subscriber_that_fails_is_started_again(
    monkeypatch: pytest.MonkeyPatch, recorder: Recorder
) -> None:
    monkeypatch.setattr(pubsub, "RETRY_DELAY_MAX", 0.01)

    class Flaky(pubsub.MemoryBroker):
        def __init__(self) -> None:
            super().__init__()
            self.starts = 0

        async def listen(self, deliver: Callable[[str], None]) -> None:
            self.starts += 1
            if self.starts == 1:
                raise RuntimeError("something no one expected")
            await super().listen(deliver)

    async def scenario() -> list[str]:
        broker, inbox = Flaky(), Inbox()
        listener = asyncio.create_task(pubsub.keep_listening(broker, inbox.deliver))
        broker.publish("after the restart")
        messages = await inbox.wait()
        listener.cancel()
        await asyncio.gather(listener, return_exceptions=True)
        assert broker.starts == 2
        return messages

    assert asyncio.run(scenario()) == ["after the restart"]
    [record] = recorder.records
    assert record.getMessage() == "The subscriber stopped; restarting it"
    assert record.exc_info is not None


def test_a_subscriber_that_returns_is_started_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pubsub, "RETRY_DELAY_MAX", 0)

    class Once(pubsub.MemoryBroker):
        starts = 0

        async def listen(self, deliver: Callable[[str], None]) -> None:
            self.starts += 1
            if self.starts == 3:
                deliver("third start")

    async def scenario() -> None:
        broker, inbox = Once(), Inbox()
        listener = asyncio.create_task(pubsub.keep_listening(broker, inbox.deliver))
        assert await inbox.wait() == ["third start"]
        listener.cancel()
        await asyncio.gather(listener, return_exceptions=True)

    asyncio.run(scenario())


# Redis that does not answer: nobody's handler waits for it.


def test_publishing_never_waits_for_a_redis_that_does_not_answer(
    redis_server: live.Redis, monkeypatch: pytest.MonkeyPatch, recorder: Recorder
) -> None:
    monkeypatch.setattr(pubsub, "PUBLISH_TIMEOUT", 0.2)
    monkeypatch.setattr(pubsub, "OUTGOING_SIZE", 1)
    told: list[str] = []

    async def scenario() -> tuple[float, float]:
        broker = pubsub.RedisBroker(redis_server.url)
        broker.publish("warm-up")  # opens the pool's connection
        await asyncio.wait_for(broker.outgoing.join(), TIMEOUT)
        with live.paused(redis_server.process):
            started = time.monotonic()
            for text in ("one", "two", "three"):
                broker.publish(text, lambda text=text: told.append(text))
            broker.publish("Client #3 left the chat")  # no one to tell
            took = time.monotonic() - started
            assert told == ["two", "three"]  # no room for them: told at once
            await asyncio.wait_for(broker.outgoing.join(), TIMEOUT)
            assert told == ["two", "three", "one"]  # after PUBLISH_TIMEOUT

            # Shutting down: the goodbyes get PUBLISH_TIMEOUT, not more.
            broker.publish("Client #1 left the chat")
            await asyncio.sleep(0)  # the publisher takes it and waits
            broker.publish("Client #2 left the chat")  # waits behind it
            started = time.monotonic()
            await broker.close()
            closed_in = time.monotonic() - started
        return took, closed_in

    took, closed_in = asyncio.run(scenario())
    assert took < 0.1
    assert 0.2 <= closed_in < 1
    messages = [r.getMessage() for r in recorder.records]
    assert messages[:4] == [
        "Could not publish to Redis: 1 messages wait",
        "Could not publish to Redis: 1 messages wait",
        "Could not publish to Redis: 1 messages wait",
        "Could not publish to Redis: no answer in 0.2 s",
    ]


def test_a_binary_frame_is_refused_with_1003() -> None:
    check_a_binary_frame_is_refused(pubsub.app)
