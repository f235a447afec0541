"""The naive loop works while every client reads, and fails as the page says."""

import asyncio
from collections.abc import Iterator

import pytest
from fastapi import WebSocketDisconnect

from docs_src.broadcasting.naive import ConnectionManager
from tests.broadcasting import naive_chat as naive
from tests.broadcasting.chat_checks import check_two_clients_chat
from tests.broadcasting.fakes import Gone, Listener, Stalled


@pytest.fixture(autouse=True)
def fresh_manager(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(naive, "manager", ConnectionManager())
    yield


def test_chat_while_everyone_reads() -> None:
    check_two_clients_chat(naive.app)


def test_a_gone_client_breaks_the_senders_handler() -> None:
    async def scenario() -> None:
        alice, gone = Listener(), Gone()
        naive.manager.active.append(gone.websocket)  # connected, then lost
        handler = asyncio.create_task(naive.chat(alice.websocket, client_id=1))
        await alice.incoming.put("hi")

        with pytest.raises(WebSocketDisconnect) as crash:
            await asyncio.wait_for(handler, 5)
        # The error of the gone client ended up in Alice's handler: her own
        # "except WebSocketDisconnect" took it for her leaving, dropped her,
        # and its goodbye to everyone failed on the gone client again.
        assert crash.value.code == 1006
        assert alice.received == ["You wrote: hi"]
        assert gone.sends == 2
        # Alice is still connected, but the manager forgot her and kept the
        # gone client, so the next broadcast fails the same way.
        assert naive.manager.active == [gone.websocket]

    asyncio.run(scenario())


def test_a_stalled_client_holds_up_the_broadcast() -> None:
    async def scenario() -> None:
        first, stalled, last = Listener(), Stalled(), Listener()
        naive.manager.active += [first.websocket, stalled.websocket, last.websocket]

        broadcast = asyncio.create_task(naive.manager.broadcast("news"))
        await stalled.wait_blocked()
        assert first.received == ["news"]
        assert last.received == []  # waiting, for as long as the stall lasts
        assert not broadcast.done()

        stalled.released.set()
        await asyncio.wait_for(broadcast, 5)
        assert last.received == ["news"]
        assert stalled.received == ["news"]

    asyncio.run(scenario())


def test_a_client_leaving_mid_broadcast_makes_another_miss_it() -> None:
    async def scenario() -> None:
        leaving, stalled, skipped = Listener(), Stalled(), Listener()
        naive.manager.active += [
            leaving.websocket,
            stalled.websocket,
            skipped.websocket,
        ]

        broadcast = asyncio.create_task(naive.manager.broadcast("news"))
        await stalled.wait_blocked()
        # While the loop waits, a client leaves and the list shifts under it.
        naive.manager.disconnect(leaving.websocket)
        stalled.released.set()
        await asyncio.wait_for(broadcast, 5)

        assert stalled.received == ["news"]
        assert skipped.received == []  # still connected, never sent the message

    asyncio.run(scenario())
