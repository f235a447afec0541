"""A chat whose broadcast never waits for a client.

Each client has a queue and a writer task of its own. A broadcast only puts
the message on the queues, so it takes the same short time however slow a
client is. A client that has stopped reading (its socket is full) and falls
QUEUE_SIZE messages behind is disconnected with the close code 1013, "try
again later"; its handler stops reading it at once, and ends once the close
frame has gone out or CLOSE_TIMEOUT has passed.
"""

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field

from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status

# region queue
QUEUE_SIZE = 100  # how far a client may fall behind before it is dropped
# Seconds a dropped client gets to take its close frame before its handler
# ends anyway; an environment variable, so that tests can shorten it.
CLOSE_TIMEOUT = float(os.environ.get("CHAT_CLOSE_TIMEOUT", "10"))


@dataclass
class Client:
    # Done once the manager has let go of the client: its handler stops reading.
    gone: asyncio.Future[None]
    queue: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    writer: asyncio.Task[None] = field(init=False)  # set by connect()
    # True while its writer waits for the socket to take a message: it only
    # waits when the client has stopped reading.
    sending: bool = False
    closing: asyncio.Task[None] | None = None  # its close frame, if it gets one


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
        client = Client(gone=asyncio.get_running_loop().create_future())
        client.writer = asyncio.create_task(self._write(websocket, client))
        self.clients[websocket] = client

    async def _write(self, websocket: WebSocket, client: Client) -> None:
        # The only code that waits for this client's socket.
        try:
            while True:
                message = await client.queue.get()
                client.sending = True
                await websocket.send_text(message)
                client.sending = False
        except (WebSocketDisconnect, RuntimeError):
            # The client has gone: its handler stops and says goodbye.
            self._remove(websocket)

    # endregion

    # region serve
    async def serve(
        self, websocket: WebSocket, on_message: Callable[[str], None]
    ) -> None:
        """Hand each message of the client to ``on_message``, until it leaves
        or the manager lets it go."""
        client = self.clients[websocket]  # connect() has put it there
        # Reading in a task of its own lets the handler stop waiting for the
        # client's next message as soon as the client is dropped.
        reader = asyncio.create_task(self._read(websocket, client, on_message))
        try:
            await asyncio.wait(
                (reader, client.gone), return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            reader.cancel()  # does nothing once it has ended
        if reader.done() and not reader.cancelled():
            reader.result()  # a bug in on_message(): raise it here
        if client.closing is not None:
            # The handler ends when the close frame has gone out, or when the
            # close has waited CLOSE_TIMEOUT: then the server ends the
            # connection without one. wait() never raises, even if cancelled.
            await asyncio.wait((client.closing,))

    async def _read(
        self, websocket: WebSocket, client: Client, on_message: Callable[[str], None]
    ) -> None:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect" or client.gone.done():
                return  # it left, or it was dropped: what it says reaches nobody
            if message.get("text") is None:  # a binary frame, in a text chat
                self._remove(websocket, close_code=status.WS_1003_UNSUPPORTED_DATA)
                return
            on_message(message["text"])
            await self.let_writers_catch_up()

    # endregion

    # region broadcast
    def send_personal(self, message: str, websocket: WebSocket) -> None:
        client = self.clients.get(websocket)
        if client is None:
            return  # gone, or dropped for falling behind
        if client.sending and client.queue.qsize() >= self.queue_size:
            # Its socket is full and QUEUE_SIZE messages wait behind it: it has
            # stopped reading. Drop it rather than wait for it. (A queue this
            # long whose writer has just not had its turn yet is no reason.)
            self._remove(websocket, close_code=status.WS_1013_TRY_AGAIN_LATER)
            return
        client.queue.put_nowait(message)
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
        if client.writer is not asyncio.current_task():
            client.writer.cancel()
        client.gone.set_result(None)
        if close_code is not None:
            client.closing = asyncio.create_task(self._close(websocket, close_code))
            self.closing.add(client.closing)  # keep a reference until it is done
            client.closing.add_done_callback(self.closing.discard)

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
    def on_message(text: str) -> None:
        manager.send_personal(f"You wrote: {text}", websocket)
        manager.broadcast(f"Client #{client_id} says: {text}")

    await manager.connect(websocket)
    try:
        await manager.serve(websocket, on_message)
    finally:
        manager.disconnect(websocket)
    manager.broadcast(f"Client #{client_id} left the chat")


# endregion
