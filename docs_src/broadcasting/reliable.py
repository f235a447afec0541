"""A chat whose broadcast never waits for a client.

Each client has a bounded queue and a writer task of its own. A broadcast only
puts the message on the queues, so it takes the same short time however slow
a client is. A client that falls QUEUE_SIZE messages behind is disconnected
with the close code 1013, "try again later".
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status

# region queue
QUEUE_SIZE = 100  # how far a client may fall behind before it is dropped
CLOSE_TIMEOUT = 10.0  # seconds a dropped client gets to take its close frame


@dataclass
class Client:
    queue: asyncio.Queue[str]
    writer: asyncio.Task[None]


# endregion


class ConnectionManager:
    def __init__(self, queue_size: int = QUEUE_SIZE) -> None:
        self.queue_size = queue_size
        self.clients: dict[WebSocket, Client] = {}
        self.closing: set[asyncio.Task[None]] = set()
        self.backlog = False  # some client has half a queue waiting

    # region writer
    async def connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=self.queue_size)
        writer = asyncio.create_task(self._write(websocket, queue))
        self.clients[websocket] = Client(queue, writer)

    async def _write(self, websocket: WebSocket, queue: asyncio.Queue[str]) -> None:
        # The only code that waits for this client's socket.
        try:
            while True:
                message = await queue.get()
                await websocket.send_text(message)
        except (WebSocketDisconnect, RuntimeError):
            # The client has gone; its handler finds out and says goodbye.
            self.clients.pop(websocket, None)

    # endregion

    # region broadcast
    def send_personal(self, message: str, websocket: WebSocket) -> None:
        client = self.clients.get(websocket)
        if client is None:
            return  # gone, or dropped for falling behind
        try:
            client.queue.put_nowait(message)
        except asyncio.QueueFull:
            # It has stopped reading: drop it rather than wait for it.
            self._remove(websocket, close_code=status.WS_1013_TRY_AGAIN_LATER)
            return
        if client.queue.qsize() > self.queue_size // 2:
            self.backlog = True

    def broadcast(self, message: str) -> None:
        # A plain function: it cannot wait for anyone. It loops over a
        # snapshot, because send_personal() may drop clients as it goes.
        for websocket in list(self.clients):
            self.send_personal(message, websocket)

    async def let_writers_catch_up(self) -> None:
        # Messages that have already arrived are handed over without a pause,
        # so a burst would keep the writers waiting: give them a turn.
        if self.backlog:
            self.backlog = False
            await asyncio.sleep(0)

    # endregion

    # region disconnect
    def disconnect(self, websocket: WebSocket) -> None:
        self._remove(websocket)

    def _remove(self, websocket: WebSocket, close_code: int | None = None) -> None:
        client = self.clients.pop(websocket, None)
        if client is None:
            return  # removed already: nothing is removed twice
        client.writer.cancel()
        if close_code is not None:
            closing = asyncio.create_task(self._close(websocket, close_code))
            self.closing.add(closing)  # keep a reference until it is done
            closing.add_done_callback(self.closing.discard)

    async def _close(self, websocket: WebSocket, code: int) -> None:
        # The close frame waits behind what the client has not read yet.
        with suppress(WebSocketDisconnect, RuntimeError, asyncio.TimeoutError):
            await asyncio.wait_for(websocket.close(code), CLOSE_TIMEOUT)

    # endregion

    # region shutdown
    async def close_all(self) -> None:
        # Closes still waiting for a slow client would only delay the exit.
        for closing in self.closing:
            closing.cancel()
        for websocket in list(self.clients):
            self._remove(websocket, close_code=status.WS_1001_GOING_AWAY)
        await asyncio.gather(*self.closing, return_exceptions=True)

    # endregion


manager = ConnectionManager()


# region lifespan
@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    # Stopping: close what is still open and stop every writer task.
    await manager.close_all()


# endregion

app = FastAPI(lifespan=lifespan)


# region endpoint
@app.websocket("/ws/{client_id}")
async def chat(websocket: WebSocket, client_id: int) -> None:
    await manager.connect(websocket)
    try:
        async for text in websocket.iter_text():
            manager.send_personal(f"You wrote: {text}", websocket)
            manager.broadcast(f"Client #{client_id} says: {text}")
            await manager.let_writers_catch_up()
    finally:
        manager.disconnect(websocket)
    manager.broadcast(f"Client #{client_id} left the chat")


# endregion
