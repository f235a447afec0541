"""gather() copes with gone clients, but still waits for the slowest one."""

import asyncio
from collections.abc import Iterator

import pytest

from docs_src.broadcasting import gather
from tests.broadcasting.chat_checks import (
    check_a_binary_frame_is_refused,
    check_two_clients_chat,
)
from tests.broadcasting.fakes import Gone, Listener, Stalled


@pytest.fixture(autouse=True)
def fresh_manager(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(gather, "manager", gather.ConnectionManager())
    yield


def test_chat_while_everyone_reads() -> None:
    check_two_clients_chat(gather.app)


def test_gone_clients_are_dropped_and_the_sender_carries_on() -> None:
    async def scenario() -> None:
        gone, alice = Gone(), Listener()
        gather.manager.active.add(gone.websocket)
        handler = asyncio.create_task(gather.chat(alice.websocket, client_id=1))
        await alice.incoming.put("one")
        await alice.incoming.put("two")
        await alice.incoming.put(None)  # Alice leaves
        await asyncio.wait_for(handler, 5)

        assert alice.received == [
            "You wrote: one",
            "Client #1 says: one",
            "You wrote: two",
            "Client #1 says: two",
        ]
        assert gone.sends == 1
        assert gather.manager.active == set()

    asyncio.run(scenario())


def test_a_stalled_client_still_holds_up_the_broadcast() -> None:
    async def scenario() -> None:
        first, stalled, last = Listener(), Stalled(), Listener()
        for client in (first, stalled, last):
            gather.manager.active.add(client.websocket)

        broadcast = asyncio.create_task(gather.manager.broadcast("news"))
        await stalled.wait_blocked()
        await first.wait_received(1)
        await last.wait_received(1)
        # Everyone else has the message, yet the broadcast, and with it the
        # sender's handler, waits for the stalled client.
        assert not broadcast.done()

        stalled.released.set()
        await asyncio.wait_for(broadcast, 5)
        assert [first.received, stalled.received, last.received] == [["news"]] * 3

    asyncio.run(scenario())


def test_a_binary_frame_is_refused_with_1003() -> None:
    check_a_binary_frame_is_refused(gather.app)
