"""The resumable chat in one process, against a real redis-server."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from fastapi import status
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from docs_src.resume import chat
from guidekit import live
from tests.broadcasting.fakes import Gone, Listener, Stalled

TIMEOUT = 10  # seconds: a bound on waits for things that should happen


@pytest.fixture(autouse=True)
def fresh_manager(
    monkeypatch: pytest.MonkeyPatch, redis_server: live.Redis
) -> Iterator[None]:
    monkeypatch.setattr(chat, "manager", chat.ConnectionManager())
    monkeypatch.setattr(chat, "REDIS_URL", redis_server.url)
    yield
    assert chat.manager.clients == {}


def read(session: WebSocketTestSession) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(session.receive_text())
    return message


def join(session: WebSocketTestSession, last_id: str = "") -> dict[str, Any]:
    """Say where the client was; return the server's "live" notice."""
    session.send_text(last_id)
    return read(session)


def add(url: str, *texts: str) -> list[str]:
    """Add messages as another process would; their IDs."""
    with redis.Redis.from_url(url, decode_responses=True) as client:
        return [str(client.xadd(chat.STREAM, {"text": text})) for text in texts]


def messages(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"type": "message", "id": id_, "text": text} for id_, text in pairs]


def test_a_new_client_starts_live_and_messages_carry_ids(
    redis_server: live.Redis,
) -> None:
    [before] = add(redis_server.url, "said before anyone came")
    with (
        TestClient(chat.app) as client,
        client.websocket_connect("/ws") as alice,
        client.websocket_connect("/ws") as bob,
    ):
        assert join(alice) == {"type": "live", "id": before}
        assert join(bob) == {"type": "live", "id": before}
        alice.send_text("Hi, Bob")
        seen_by_alice, seen_by_bob = read(alice), read(bob)
        assert seen_by_alice == seen_by_bob
        assert seen_by_bob["type"] == "message"
        assert seen_by_bob["text"] == "Hi, Bob"
        assert chat.position(seen_by_bob["id"]) > chat.position(before)


def test_a_client_that_comes_back_gets_what_it_missed_then_live(
    redis_server: live.Redis,
) -> None:
    with TestClient(chat.app) as client:
        with client.websocket_connect("/ws") as alice:
            live_from = join(alice)["id"]
            alice.send_text("one")
            first = read(alice)
        missed = add(redis_server.url, "two", "three")
        with client.websocket_connect("/ws") as alice:
            alice.send_text(first["id"])
            assert [read(alice), read(alice)] == messages(
                (missed[0], "two"), (missed[1], "three")
            )
            assert read(alice) == {"type": "live", "id": missed[1]}
            alice.send_text("four")
            assert read(alice)["text"] == "four"
        with client.websocket_connect("/ws") as carol:
            # From the start: everything, since nothing was ever trimmed.
            carol.send_text("0-0")
            assert [read(carol)["text"] for _ in range(4)] == [
                "one",
                "two",
                "three",
                "four",
            ]
            assert read(carol)["type"] == "live"
    assert chat.position(first["id"]) > chat.position(live_from)


def test_a_client_older_than_the_history_is_told(
    redis_server: live.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chat, "HISTORY", 10)
    with TestClient(chat.app) as client, client.websocket_connect("/ws") as alice:
        join(alice)
        alice.send_text("message 0")
        oldest = read(alice)["id"]
        for number in range(1, 300):  # trimmed to about ten, a node at a time
            alice.send_text(f"message {number}")
            assert read(alice)["text"] == f"message {number}"
        with client.websocket_connect("/ws") as bob:
            bob.send_text(oldest)
            assert read(bob) == {"type": "history_lost"}
            # Then what is kept, up to the last one, and live.
            kept = []
            while (message := read(bob))["type"] == "message":
                kept.append(message["text"])
            assert 10 <= len(kept) < 300
            assert kept == [f"message {n}" for n in range(300 - len(kept), 300)]
            assert message["type"] == "live"


def test_a_client_newer_than_the_stream_is_told(redis_server: live.Redis) -> None:
    # Its ID comes from data this Redis no longer has.
    with TestClient(chat.app) as client, client.websocket_connect("/ws") as alice:
        alice.send_text("99999999999999-0")
        assert read(alice) == {"type": "history_lost"}
        assert read(alice) == {"type": "live", "id": "0-0"}  # the stream's newest
        alice.send_text("after the loss")  # still reaches it, although older
        assert read(alice)["text"] == "after the loss"


def test_an_id_that_is_not_one_closes_with_1007() -> None:
    with TestClient(chat.app) as client, client.websocket_connect("/ws") as alice:
        alice.send_text("yesterday")
        with pytest.raises(WebSocketDisconnect) as closed:
            alice.receive_text()
    assert closed.value.code == status.WS_1007_INVALID_FRAME_PAYLOAD_DATA


@pytest.mark.parametrize("joined", [False, True])
def test_a_binary_frame_closes_with_1003(joined: bool) -> None:
    with TestClient(chat.app) as client, client.websocket_connect("/ws") as alice:
        if joined:
            join(alice)
        alice.send_bytes(b"\x00\x01")
        with pytest.raises(WebSocketDisconnect) as closed:
            alice.receive_text()
    assert closed.value.code == status.WS_1003_UNSUPPORTED_DATA


def test_leaving_before_or_after_joining_is_quiet(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with TestClient(chat.app) as client:
        with client.websocket_connect("/ws"):
            pass  # gone before saying where it was
        with client.websocket_connect("/ws") as alice:
            join(alice)
    assert caplog.records == []


def test_without_redis_sending_fails_and_the_sender_is_told(
    redis_server: live.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    with TestClient(chat.app) as client, client.websocket_connect("/ws") as alice:
        join(alice)
        live.stop_redis(redis_server.process)
        alice.send_text("Anyone?")
        assert read(alice) == {"type": "not_delivered", "text": "Anyone?"}
        # Joining needs Redis: the server asks to come back later.
        with client.websocket_connect("/ws") as bob:
            bob.send_text("")
            with pytest.raises(WebSocketDisconnect) as closed:
                bob.receive_text()
        assert closed.value.code == status.WS_1013_TRY_AGAIN_LATER
    warnings = [r.getMessage() for r in caplog.records if r.name == chat.__name__]
    assert any(w.startswith("Could not add to the stream: ") for w in warnings)
    assert any(w.startswith("Could not replay the stream: ") for w in warnings)


def test_the_page_and_its_script() -> None:
    with TestClient(chat.app) as client:
        page = client.get("/")
        script = client.get("/reconnect.js")
    assert page.status_code == 200
    assert '<script src="/reconnect.js"></script>' in page.text
    assert '<output id="state">connecting</output>' in page.text
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "function reconnectDelay(attempt, random = Math.random)" in script.text


# The manager, with stand-ins for the clients.


def entry(message_id: str, text: str) -> chat.Entry:
    return chat.Entry(message_id, text)


def test_what_arrives_during_the_replay_is_sent_once(redis_server: live.Redis) -> None:
    ids = add(redis_server.url, "a", "b", "c")

    async def scenario() -> None:
        stream = chat.Chat(redis_server.url)
        manager = chat.ConnectionManager()
        alice = Listener()
        manager.connect(alice.websocket, chat.position(ids[0]), stream)
        # The listener hands over "c" before the writer has replayed it.
        manager.broadcast(entry(ids[2], "c"))
        manager.broadcast(entry("99999999999999-0", "d"))
        received = await alice.wait_received(4)
        assert [json.loads(text) for text in received] == [
            *messages((ids[1], "b"), (ids[2], "c")),
            {"type": "live", "id": ids[2]},
            *messages(("99999999999999-0", "d")),
        ]
        manager.disconnect(alice.websocket)
        await stream.close()

    asyncio.run(scenario())


def test_a_client_that_stops_reading_is_dropped_with_1013(
    redis_server: live.Redis,
) -> None:
    async def scenario() -> None:
        stream = chat.Chat(redis_server.url)
        manager = chat.ConnectionManager()
        stalled, listener = Stalled(), Listener()
        manager.connect(stalled.websocket, None, stream)
        manager.connect(listener.websocket, None, stream)
        await stalled.wait_blocked()  # waiting to send its "live" notice
        await listener.wait_received(1)
        for number in range(chat.QUEUE_SIZE + 1):
            manager.broadcast(entry(f"99999999999999-{number}", str(number)))
            await asyncio.sleep(0)  # as the listener does: writers get a turn
        assert stalled.websocket not in manager.clients
        assert listener.websocket in manager.clients  # the other one stays
        stalled.released.set()
        assert await stalled.wait_closed() == status.WS_1013_TRY_AGAIN_LATER
        manager.send_personal("too late", stalled.websocket)  # nothing to do
        assert len(await listener.wait_received(chat.QUEUE_SIZE + 2)) == 102
        manager.disconnect(stalled.websocket)  # removed already: nothing happens
        await manager.close_all()
        assert await listener.wait_closed() == status.WS_1001_GOING_AWAY
        await stream.close()

    asyncio.run(scenario())


def test_a_client_that_has_gone_is_forgotten(redis_server: live.Redis) -> None:
    async def scenario() -> None:
        stream = chat.Chat(redis_server.url)
        manager = chat.ConnectionManager()
        gone = Gone()
        manager.connect(gone.websocket, None, stream)
        client = manager.clients[gone.websocket]
        await asyncio.wait_for(asyncio.shield(client.writer), TIMEOUT)  # type: ignore[arg-type]
        assert gone.websocket not in manager.clients
        await stream.close()

    asyncio.run(scenario())


def test_close_all_does_not_wait_for_slow_closes(redis_server: live.Redis) -> None:
    async def scenario() -> None:
        stream = chat.Chat(redis_server.url)
        manager = chat.ConnectionManager()
        stalled = Stalled()
        manager.connect(stalled.websocket, None, stream)
        await stalled.wait_blocked()
        for number in range(chat.QUEUE_SIZE + 1):
            manager.broadcast(entry(f"99999999999999-{number}", str(number)))
        assert manager.closing  # its 1013 waits behind what it has not read
        await asyncio.wait_for(manager.close_all(), TIMEOUT)
        assert stalled.close_code is None
        await stream.close()

    asyncio.run(scenario())


# The listener: one reader of the stream per process.


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.arrived = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.arrived.set()

    async def wait_for(self, count: int) -> list[float]:
        while len(self.records) < count:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), TIMEOUT)
        return [record.args[1] for record in self.records]  # type: ignore[index]


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    handler = Recorder()
    logger = logging.getLogger(chat.__name__)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


class Inbox:
    def __init__(self) -> None:
        self.entries: list[chat.Entry] = []
        self.arrived = asyncio.Event()

    def deliver(self, item: chat.Entry) -> None:
        self.entries.append(item)
        self.arrived.set()

    async def wait_for(self, count: int) -> list[str]:
        while len(self.entries) < count:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), TIMEOUT)
        return [item.text for item in self.entries]


async def stop(listener: asyncio.Task[None], stream: chat.Chat) -> None:
    await chat.stop(listener)
    await stream.close()


def test_the_listener_retries_with_growing_delays(
    monkeypatch: pytest.MonkeyPatch, recorder: Recorder
) -> None:
    monkeypatch.setattr(chat, "RETRY_DELAY", 0.005)
    monkeypatch.setattr(chat, "RETRY_DELAY_MAX", 0.02)

    async def scenario() -> None:
        nowhere = f"redis://127.0.0.1:{live.free_port()}/0"  # nothing listens there
        stream = chat.Chat(nowhere)
        listener = asyncio.create_task(stream.listen(Inbox().deliver))
        delays = await recorder.wait_for(5)
        await stop(listener, stream)
        assert delays[:5] == [0.005, 0.01, 0.02, 0.02, 0.02]
        message = recorder.records[0].getMessage()
        assert message.startswith("Reading the stream failed (Error 111 connecting")
        assert message.endswith("); retrying in 0.005 s")

    asyncio.run(scenario())


def test_the_listener_resumes_after_a_restart_without_losing_anything(
    monkeypatch: pytest.MonkeyPatch, recorder: Recorder
) -> None:
    monkeypatch.setattr(chat, "RETRY_DELAY", 0.05)

    async def scenario(server: live.Redis) -> None:
        stream = chat.Chat(server.url)
        inbox = Inbox()
        listener = asyncio.create_task(stream.listen(inbox.deliver))
        while not any(
            client["cmd"] == "xread"
            for client in await stream.redis.client_list(_type="normal")
        ):
            await asyncio.sleep(0.01)  # a poll interval: until it is reading
        await asyncio.to_thread(add, server.url, "before")
        assert await inbox.wait_for(1) == ["before"]
        await asyncio.to_thread(live.restart_redis, server)
        # Added while the listener is still away: it must pick these up.
        await asyncio.to_thread(add, server.url, "during", "after")
        assert await inbox.wait_for(3) == ["before", "during", "after"]
        await recorder.wait_for(1)
        await stop(listener, stream)

    with live.redis_server(persistent=True) as server:
        asyncio.run(scenario(server))


def test_a_dropped_client_is_not_heard_any_more(redis_server: live.Redis) -> None:
    with TestClient(chat.app) as client, client.websocket_connect("/ws") as session:
        join(session)
        websocket = next(iter(chat.manager.clients))
        # What a full queue does: drop it with 1013.
        client.portal.call(
            chat.manager._remove, websocket, status.WS_1013_TRY_AGAIN_LATER
        )
        session.send_text("after the drop")
        with pytest.raises(WebSocketDisconnect) as closed:
            session.receive_text()
        assert closed.value.code == status.WS_1013_TRY_AGAIN_LATER
    with redis.Redis.from_url(redis_server.url) as check:
        assert check.xlen(chat.STREAM) == 0  # nothing was added for it
    assert chat.manager.closing_of == {}
