"""A chat that works across processes and hosts, through Redis pub/sub.

Run several workers with the same REDIS_URL, for example
``REDIS_URL=redis://localhost:6379/0 uvicorn main:app --workers 4``: every
message goes to Redis, and each process hands what Redis sends it to its own
clients. Without REDIS_URL, the app keeps messages in its own process, so it
runs with nothing else set up.

Pub/sub delivers at most once: a process that is not subscribed at that moment,
because Redis or the network is down, never gets the message.
"""

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# region settings
CHANNEL = "chat"
RETRY_DELAY = 0.1  # seconds before the first reconnection attempt
RETRY_DELAY_MAX = 5.0  # the delay doubles after each failure, up to this
# endregion

# The connection manager of the "Broadcasting reliably" page, unchanged.

QUEUE_SIZE = 100  # how far a client may fall behind before it is dropped
CLOSE_TIMEOUT = 10.0  # seconds a dropped client gets to take its close frame


@dataclass
class Client:
    queue: asyncio.Queue[str]
    writer: asyncio.Task[None]


class ConnectionManager:
    def __init__(self, queue_size: int = QUEUE_SIZE) -> None:
        self.queue_size = queue_size
        self.clients: dict[WebSocket, Client] = {}
        self.closing: set[asyncio.Task[None]] = set()
        self.backlog = False  # some client has half a queue waiting

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

    async def close_all(self) -> None:
        # Closes still waiting for a slow client would only delay the exit.
        for closing in self.closing:
            closing.cancel()
        for websocket in list(self.clients):
            self._remove(websocket, close_code=status.WS_1001_GOING_AWAY)
        await asyncio.gather(*self.closing, return_exceptions=True)


# region memory
class MemoryBroker:
    """Delivers within this process only: for one worker, and for trying it out."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[str] = asyncio.Queue()

    async def publish(self, message: str) -> bool:
        self.queue.put_nowait(message)
        return True

    async def listen(self, deliver: Callable[[str], None]) -> None:
        while True:
            deliver(await self.queue.get())
            await asyncio.sleep(0)  # let the writers send it

    async def close(self) -> None:
        """Nothing to close: it holds no connections."""


# endregion


# region redis
class RedisBroker:
    """Delivers to every process subscribed to the channel, through Redis."""

    def __init__(self, url: str) -> None:
        # After Redis restarts, a pooled connection is found dead only when it
        # is used: one immediate retry, on a new connection, covers that.
        self.redis = Redis.from_url(
            url, decode_responses=True, retry=Retry(NoBackoff(), retries=1)
        )

    async def publish(self, message: str) -> bool:
        try:
            await self.redis.publish(CHANNEL, message)
        except RedisError as error:
            logger.warning("Could not publish to Redis: %s", error)
            return False
        return True

    # endregion

    # region listen
    async def listen(self, deliver: Callable[[str], None]) -> None:
        delay = RETRY_DELAY
        while True:
            try:
                async with self.redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    delay = RETRY_DELAY  # connected: start again from the shortest
                    while True:
                        message = await pubsub.get_message(timeout=None)
                        if message is not None:  # None: a subscription notice
                            deliver(message["data"])
                            await asyncio.sleep(0)  # let the writers send it
            except RedisError as error:
                logger.warning(
                    "Redis subscription failed (%s); retrying in %s s", error, delay
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_DELAY_MAX)

    # endregion

    async def close(self) -> None:
        await self.redis.aclose()


Broker = MemoryBroker | RedisBroker
manager = ConnectionManager()


# region lifespan
@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Broker]]:
    url = os.environ.get("REDIS_URL")
    broker: Broker = RedisBroker(url) if url else MemoryBroker()
    # One subscriber per process, for all of its clients.
    listener = asyncio.create_task(broker.listen(manager.broadcast))
    yield {"broker": broker}  # available as websocket.state.broker
    listener.cancel()
    await asyncio.gather(listener, return_exceptions=True)  # let it finish
    await manager.close_all()
    await broker.close()


# endregion

app = FastAPI(lifespan=lifespan)


# region endpoint
@app.websocket("/ws/{client_id}")
async def chat(websocket: WebSocket, client_id: int) -> None:
    broker: Broker = websocket.state.broker
    await manager.connect(websocket)
    try:
        async for text in websocket.iter_text():
            manager.send_personal(f"You wrote: {text}", websocket)
            if not await broker.publish(f"Client #{client_id} says: {text}"):
                manager.send_personal(f"Not delivered: {text}", websocket)
            await manager.let_writers_catch_up()
    finally:
        manager.disconnect(websocket)
    await broker.publish(f"Client #{client_id} left the chat")


# endregion
