"""Checks of the reliable connection manager, for every example that has one.

reliable.py teaches the manager and scaling/pubsub.py carries a copy of it,
so that each file runs on its own. A test module subclasses ManagerTests and
names the example it tests; pytest then runs these checks against it.
"""

import asyncio
import importlib
from types import ModuleType
from typing import Any

import pytest
from fastapi import WebSocketDisconnect, status

from tests.broadcasting.fakes import WAIT, Gone, Listener, Stalled

GONE_ERRORS = [
    pytest.param(WebSocketDisconnect(code=1006), id="WebSocketDisconnect"),
    pytest.param(
        RuntimeError('Cannot call "send" once a close message has been sent.'),
        id="RuntimeError",
    ),
]


async def drop(manager: Any, stalled: Stalled) -> None:
    """Fill a one-message queue behind ``stalled``'s waiting writer, and more."""
    manager.broadcast("taken by the writer")
    await stalled.wait_blocked()
    manager.broadcast("queued")
    manager.broadcast("one too many")  # dropped
    assert stalled.websocket not in manager.clients


def serving(manager: Any, client: Listener) -> tuple[asyncio.Task[None], list[str]]:
    """Its handler, started: the task, and what it has heard."""
    heard: list[str] = []
    return asyncio.create_task(manager.serve(client.websocket, heard.append)), heard


class ManagerTests:
    example: ModuleType  # the module that defines ConnectionManager

    def test_a_stalled_client_is_dropped_with_1013_and_holds_up_nobody(self) -> None:
        async def scenario() -> None:
            manager = self.example.ConnectionManager(queue_size=3)
            first, stalled, last = Listener(), Stalled(), Listener()
            for client in (first, stalled, last):
                await manager.connect(client.websocket)
            assert [first.accepted, stalled.accepted, last.accepted] == [True] * 3

            manager.broadcast("m0")
            await stalled.wait_blocked()  # its writer holds m0 and waits
            for number in range(1, 4):
                manager.broadcast(f"m{number}")
                await first.wait_received(number + 1)
                await last.wait_received(number + 1)
            assert stalled.websocket in manager.clients  # with a full queue

            manager.broadcast("m4")  # one too many: it is dropped
            assert list(manager.clients) == [first.websocket, last.websocket]
            expected = ["m0", "m1", "m2", "m3", "m4"]
            assert await first.wait_received(5) == expected
            assert await last.wait_received(5) == expected  # after it in the loop

            # The close frame goes out when the client reads again.
            stalled.released.set()
            assert await stalled.wait_closed() == status.WS_1013_TRY_AGAIN_LATER
            assert stalled.received == []
            manager.disconnect(stalled.websocket)  # its handler's goodbye: harmless
            await manager.close_all()
            assert manager.closing == set()

        asyncio.run(scenario())

    def test_the_queue_holds_queue_size_messages(self) -> None:
        async def scenario() -> None:
            manager = self.example.ConnectionManager()
            stalled = Stalled()
            await manager.connect(stalled.websocket)
            manager.broadcast("taken by the writer")
            await stalled.wait_blocked()
            for number in range(self.example.QUEUE_SIZE):
                manager.broadcast(f"queued {number}")
            assert stalled.websocket in manager.clients
            manager.broadcast("one too many")
            assert stalled.websocket not in manager.clients
            stalled.released.set()
            assert await stalled.wait_closed() == status.WS_1013_TRY_AGAIN_LATER
            await manager.close_all()

        assert self.example.QUEUE_SIZE == 100
        asyncio.run(scenario())

    @pytest.mark.parametrize("error", GONE_ERRORS)
    def test_a_gone_client_is_forgotten_by_its_writer(self, error: Exception) -> None:
        async def scenario() -> None:
            manager = self.example.ConnectionManager()
            gone, listener = Gone(error), Listener()
            await manager.connect(gone.websocket)
            await manager.connect(listener.websocket)
            writer = manager.clients[gone.websocket].writer
            heard: list[str] = []
            reading = asyncio.create_task(manager.serve(gone.websocket, heard.append))
            await asyncio.sleep(0)  # its handler now waits for a message

            manager.broadcast("one")
            await asyncio.wait_for(writer, 5)  # it failed, forgot the client, ended
            # Its handler stops waiting for it at once, with no close to send.
            await asyncio.wait_for(reading, 5)
            assert list(manager.clients) == [listener.websocket]
            manager.broadcast("two")
            assert await listener.wait_received(2) == ["one", "two"]
            assert gone.sends == 1

            manager.disconnect(gone.websocket)  # its handler's goodbye: harmless
            manager.send_personal("too late", gone.websocket)
            assert gone.sends == 1
            await manager.close_all()

        asyncio.run(scenario())

    def test_a_close_that_never_goes_out_is_given_up(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(self.example, "CLOSE_TIMEOUT", 0)

        async def scenario() -> None:
            manager = self.example.ConnectionManager(queue_size=1)
            stalled = Stalled()  # never released
            await manager.connect(stalled.websocket)
            reading, heard = serving(manager, stalled)
            await drop(manager, stalled)
            assert manager.clients == {}
            # Its handler ends all the same, having heard nothing more.
            await asyncio.wait_for(reading, WAIT)
            assert heard == []
            # The close task gave up on its own: nothing to cancel.
            await asyncio.wait_for(asyncio.gather(*manager.closing), 5)
            assert manager.closing == set()
            assert stalled.close_code is None

        asyncio.run(scenario())

    def test_close_all_does_not_wait_for_a_slow_client(self) -> None:
        async def scenario() -> None:
            manager = self.example.ConnectionManager(queue_size=1)
            stalled, listener = Stalled(), Listener()  # stalled is never released
            await manager.connect(stalled.websocket)
            await manager.connect(listener.websocket)
            manager.broadcast("taken by the writer")
            await stalled.wait_blocked()
            await listener.wait_received(1)
            manager.broadcast("queued")
            await listener.wait_received(2)
            manager.broadcast("one too many")
            assert list(manager.clients) == [listener.websocket]
            assert len(manager.closing) == 1  # its 1013 waits for it to read

            await asyncio.wait_for(manager.close_all(), 5)
            assert manager.closing == set()
            assert stalled.close_code is None
            assert listener.close_code == status.WS_1001_GOING_AWAY

        asyncio.run(scenario())

    def test_close_all_says_going_away_and_stops_the_writers(self) -> None:
        async def scenario() -> None:
            manager = self.example.ConnectionManager()
            listeners = [Listener(), Listener()]
            for listener in listeners:
                await manager.connect(listener.websocket)
            writers = [client.writer for client in manager.clients.values()]

            await manager.close_all()
            assert [listener.close_code for listener in listeners] == [1001, 1001]
            assert manager.clients == {}
            await asyncio.wait(writers, timeout=5)
            assert all(writer.cancelled() for writer in writers)

        asyncio.run(scenario())

    def test_a_binary_frame_is_refused_with_1003(self) -> None:
        async def scenario() -> None:
            manager = self.example.ConnectionManager()
            client = Listener()
            await manager.connect(client.websocket)
            for item in ("hi", b"\x00\x01", "never read"):
                client.incoming.put_nowait(item)
            heard: list[str] = []
            await asyncio.wait_for(manager.serve(client.websocket, heard.append), WAIT)
            assert heard == ["hi"]
            assert client.close_code == status.WS_1003_UNSUPPORTED_DATA
            assert manager.clients == {}
            assert client.incoming.qsize() == 1  # nothing read after the frame
            await manager.close_all()

        asyncio.run(scenario())

    def test_a_client_that_leaves_ends_its_messages(self) -> None:
        async def scenario() -> None:
            manager = self.example.ConnectionManager()
            client = Listener()
            await manager.connect(client.websocket)
            for item in ("one", "two", None):
                client.incoming.put_nowait(item)
            heard: list[str] = []
            await asyncio.wait_for(manager.serve(client.websocket, heard.append), WAIT)
            assert heard == ["one", "two"]
            assert client.close_code is None  # it closed; nothing to send
            manager.disconnect(client.websocket)
            assert manager.clients == {}

        asyncio.run(scenario())

    def test_a_dropped_client_is_no_longer_heard_and_ends_after_its_close(
        self,
    ) -> None:
        async def scenario() -> None:
            manager = self.example.ConnectionManager(queue_size=1)
            stalled = Stalled()
            await manager.connect(stalled.websocket)
            reading, heard = serving(manager, stalled)
            await drop(manager, stalled)
            stalled.incoming.put_nowait("after the drop")
            for _ in range(5):
                await asyncio.sleep(0)
            assert not reading.done()  # its close frame waits for it to read
            stalled.released.set()
            await asyncio.wait_for(reading, WAIT)
            assert stalled.close_code == status.WS_1013_TRY_AGAIN_LATER
            assert heard == []  # what it said after the drop reached nobody

        asyncio.run(scenario())

    def test_close_timeout_comes_from_the_environment(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        assert self.example.CLOSE_TIMEOUT == 10.0  # the tests do not set it
        monkeypatch.setenv("CHAT_CLOSE_TIMEOUT", "0.5")
        reloaded = importlib.reload(self.example)
        try:
            assert reloaded.CLOSE_TIMEOUT == 0.5
        finally:
            monkeypatch.delenv("CHAT_CLOSE_TIMEOUT")
            importlib.reload(self.example)

    def test_a_bug_in_on_message_is_raised_in_the_handler(self) -> None:
        async def scenario() -> None:
            manager = self.example.ConnectionManager()
            client = Listener()
            await manager.connect(client.websocket)
            client.incoming.put_nowait("hi")

            def on_message(text: str) -> None:
                raise ValueError(text)

            with pytest.raises(ValueError, match="hi"):
                await asyncio.wait_for(
                    manager.serve(client.websocket, on_message), WAIT
                )
            manager.disconnect(client.websocket)

        asyncio.run(scenario())

    def test_a_reading_client_is_not_dropped_for_a_long_queue(self) -> None:
        # Many handlers may broadcast before a writer gets its turn: that is
        # no sign of a slow client, whose socket would be full.
        async def scenario() -> None:
            manager = self.example.ConnectionManager(queue_size=3)
            client = Listener()
            await manager.connect(client.websocket)
            texts = [f"m{number}" for number in range(10)]
            for text in texts:
                manager.broadcast(text)  # no turn for the writer in between
            assert await client.wait_received(10) == texts
            assert client.close_code is None
            await manager.close_all()

        asyncio.run(scenario())
