"""The reliable manager: nobody waits for a slow client, and nothing leaks."""

import asyncio
from collections.abc import Iterator

import pytest
from fastapi import status
from fastapi.testclient import TestClient

from docs_src.broadcasting import reliable
from docs_src.broadcasting.reliable import ConnectionManager
from tests.broadcasting.chat_checks import check_a_binary_frame_is_refused
from tests.broadcasting.fakes import Listener
from tests.broadcasting.manager_tests import ManagerTests


@pytest.fixture(autouse=True)
def fresh_manager(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(reliable, "manager", ConnectionManager())
    yield
    assert reliable.manager.clients == {}


def test_chat() -> None:
    with (
        TestClient(reliable.app) as client,
        client.websocket_connect("/ws/1") as alice,
        client.websocket_connect("/ws/2") as bob,
    ):
        alice.send_text("Hi, Bob")
        assert alice.receive_text() == "You wrote: Hi, Bob"
        assert alice.receive_text() == "Client #1 says: Hi, Bob"
        assert bob.receive_text() == "Client #1 says: Hi, Bob"

        bob.send_text("Hi, Alice")
        assert bob.receive_text() == "You wrote: Hi, Alice"
        assert bob.receive_text() == "Client #2 says: Hi, Alice"
        assert alice.receive_text() == "Client #2 says: Hi, Alice"

        bob.close()
        assert alice.receive_text() == "Client #2 left the chat"
        alice.send_text("Anyone?")
        assert alice.receive_text() == "You wrote: Anyone?"
        assert alice.receive_text() == "Client #1 says: Anyone?"


def test_a_burst_reaches_everyone_in_order() -> None:
    texts = [f"message {number}" for number in range(3 * reliable.QUEUE_SIZE)]
    with (
        TestClient(reliable.app) as client,
        client.websocket_connect("/ws/1") as alice,
        client.websocket_connect("/ws/2") as bob,
    ):
        for text in texts:
            alice.send_text(text)
        seen_by_alice = [alice.receive_text() for _ in range(2 * len(texts))]
        seen_by_bob = [bob.receive_text() for _ in texts]
    assert seen_by_alice[0::2] == [f"You wrote: {text}" for text in texts]
    assert seen_by_alice[1::2] == [f"Client #1 says: {text}" for text in texts]
    assert seen_by_bob == [f"Client #1 says: {text}" for text in texts]


def test_a_burst_from_one_client_overflows_nobody() -> None:
    """Uvicorn hands over messages that have already arrived without pausing.

    This fake does the same, so only the endpoint's own pause lets the
    writers keep up with a burst.
    """
    texts = [f"message {number}" for number in range(3 * reliable.QUEUE_SIZE)]

    async def scenario() -> None:
        alice, bob = Listener(), Listener()
        await reliable.manager.connect(bob.websocket)
        for text in [*texts, None]:
            alice.incoming.put_nowait(text)
        await asyncio.wait_for(reliable.chat(alice.websocket, client_id=1), 5)

        seen_by_bob = await bob.wait_received(len(texts) + 1)
        assert seen_by_bob == [
            *(f"Client #1 says: {text}" for text in texts),
            "Client #1 left the chat",
        ]
        assert [alice.close_code, bob.close_code] == [None, None]
        reliable.manager.disconnect(bob.websocket)

    asyncio.run(scenario())


class TestManager(ManagerTests):
    example = reliable


def test_the_lifespan_closes_what_is_left_on_shutdown() -> None:
    async def scenario() -> None:
        listener = Listener()
        async with reliable.lifespan(reliable.app):
            await reliable.manager.connect(listener.websocket)
            reliable.manager.broadcast("hello")
            assert await listener.wait_received(1) == ["hello"]
        assert listener.close_code == status.WS_1001_GOING_AWAY
        assert reliable.manager.clients == {}

    asyncio.run(scenario())


def test_writers_get_a_turn_only_once_a_client_is_half_a_queue_behind() -> None:
    async def scenario() -> None:
        manager = ConnectionManager(queue_size=4)
        client = Listener()
        await manager.connect(client.websocket)
        assert manager.backlog is False

        def yielded() -> list[bool]:
            # A callback scheduled now runs only if the next await yields.
            ran: list[bool] = []
            asyncio.get_running_loop().call_soon(ran.append, True)
            return ran

        manager.send_personal("one", client.websocket)
        manager.send_personal("two", client.websocket)
        assert manager.backlog is False  # 2 of 4 waiting: not more than half
        ran = yielded()
        await manager.let_writers_catch_up()
        assert ran == []  # no pause: the handler goes on reading at once

        manager.send_personal("three", client.websocket)
        manager.send_personal("four", client.websocket)
        assert manager.backlog is True  # more than half a queue waiting
        ran = yielded()
        await manager.let_writers_catch_up()
        assert ran == [True]  # it paused, so other tasks (the writers) ran
        assert manager.backlog is False
        assert await client.wait_received(4) == ["one", "two", "three", "four"]
        await manager.close_all()

    asyncio.run(scenario())


def test_a_binary_frame_is_refused_with_1003() -> None:
    check_a_binary_frame_is_refused(reliable.app)
