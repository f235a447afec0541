"""Stand-ins for WebSocket, for testing connection managers without a server.

Each one behaves like one kind of client, as seen from the server: one that
reads everything, one that has gone away, and one that has stopped reading.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import cast

from fastapi import WebSocket, WebSocketDisconnect

WAIT = 5  # seconds: a bound on waits for things that happen at once


class Listener:
    """A client that reads everything it is sent, and may say things."""

    def __init__(self) -> None:
        self.accepted = False
        self.received: list[str] = []
        self.close_code: int | None = None
        # What the client sends: text, binary frames, and None when it leaves.
        self.incoming: asyncio.Queue[str | bytes | None] = asyncio.Queue()
        self.state = SimpleNamespace()  # as websocket.state, from the lifespan
        self._changed = asyncio.Condition()

    @property
    def websocket(self) -> WebSocket:
        return cast(WebSocket, self)

    async def accept(self) -> None:
        self.accepted = True

    async def receive(self) -> dict[str, object]:
        """The next ASGI event, as Uvicorn hands it to Starlette."""
        item = await self.incoming.get()
        if item is None:  # the client leaves
            return {"type": "websocket.disconnect", "code": 1000}
        if isinstance(item, bytes):
            return {"type": "websocket.receive", "bytes": item}
        return {"type": "websocket.receive", "text": item}

    async def send_text(self, message: str) -> None:
        async with self._changed:
            self.received.append(message)
            self._changed.notify_all()

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        async with self._changed:
            self.close_code = code
            self._changed.notify_all()

    async def wait_received(self, count: int) -> list[str]:
        """Wait until ``count`` messages have arrived; return them all."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.received) >= count), WAIT
            )
        return self.received

    async def wait_closed(self) -> int:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: self.close_code is not None), WAIT
            )
        assert self.close_code is not None
        return self.close_code


class Gone(Listener):
    """A client that has gone away: sending to it fails.

    Under Uvicorn, Starlette raises WebSocketDisconnect(1006) for the first
    send to a lost connection, and a RuntimeError for any send after that.
    """

    def __init__(self, error: Exception | None = None) -> None:
        super().__init__()
        self.error = error or WebSocketDisconnect(code=1006)
        self.sends = 0

    async def send_text(self, message: str) -> None:
        self.sends += 1
        raise self.error


class Stalled(Listener):
    """A client that has stopped reading: a send to it waits until released."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked = asyncio.Event()  # a send is waiting
        self.released = asyncio.Event()

    async def send_text(self, message: str) -> None:
        self.blocked.set()
        await self.released.wait()
        await super().send_text(message)

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        # The close frame waits behind the messages it has not read, too.
        await self.released.wait()
        await super().close(code, reason)

    async def wait_blocked(self) -> None:
        await asyncio.wait_for(self.blocked.wait(), WAIT)
