"""A chat that works across processes and hosts, through Redis pub/sub.

Run several workers with the same REDIS_URL, for example
``REDIS_URL=redis://localhost:6379/0 uvicorn main:app --workers 4``: every
message goes to Redis, and each process hands what Redis sends it to its own
clients. Without REDIS_URL, the app keeps messages in its own process, so it
runs with nothing else set up.

No handler ever waits for Redis: messages go out through a bounded queue and
a publisher task, and a sender whose message Redis did not confirm is told so.

Pub/sub delivers at most once: a process that is not subscribed at that moment,
because Redis or the network is down, never gets the message.
"""

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from functools import partial

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
OUTGOING_SIZE = 100  # messages waiting for Redis before senders hear "Not delivered"
PUBLISH_TIMEOUT = 1.0  # seconds one PUBLISH may take before it counts as failed
# endregion

# The connection manager of the "Broadcasting reliably" page, unchanged.

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


class ConnectionManager:
    def __init__(self, queue_size: int = QUEUE_SIZE) -> None:
        self.queue_size = queue_size
        self.clients: dict[WebSocket, Client] = {}
        self.closing: set[asyncio.Task[None]] = set()
        self.backlog = False  # some client has half a queue waiting

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

    async def close_all(self) -> None:
        # Closes still waiting for a slow client would only delay the exit.
        for closing in self.closing:
            closing.cancel()
        for websocket in list(self.clients):
            self._remove(websocket, close_code=status.WS_1001_GOING_AWAY)
        await asyncio.gather(*self.closing, return_exceptions=True)


# region memory
Undelivered = Callable[[], None]  # tells a sender that its message got nowhere


class MemoryBroker:
    """Delivers within this process only: for one worker, and for trying it out."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[str] = asyncio.Queue()

    def publish(self, message: str, undelivered: Undelivered | None = None) -> None:
        self.queue.put_nowait(message)  # unbounded: it always gets there

    async def listen(self, deliver: Callable[[str], None]) -> None:
        while True:
            deliver(await self.queue.get())
            await asyncio.sleep(0)  # let the writers send it

    async def close(self) -> None:
        """Nothing to close: it holds no connections."""


# endregion


# region redis
class RedisBroker:
    """Delivers to every process subscribed to the channel, through Redis.

    Create it in the running app, as the lifespan does: it starts a task.
    """

    def __init__(self, url: str) -> None:
        # After Redis restarts, a pooled connection is found dead only when it
        # is used: one immediate retry, on a new connection, covers that.
        # Bytes, not text: a message that is not UTF-8 must not break the
        # subscriber (see _deliver()).
        self.redis = Redis.from_url(url, retry=Retry(NoBackoff(), retries=1))
        # The subscriber retries nothing on its own: redis-py would subscribe
        # again in silence. Each lost subscription goes through listen(),
        # which logs it (messages may have been lost) and subscribes again.
        # retries=0 is not enough: a pub/sub connection still reconnects and
        # subscribes once before it raises, and listen() then drops that
        # subscription, with whatever Redis sent to it. With no error to
        # retry on, the error comes straight to listen().
        self.subscriber = Redis.from_url(
            url, retry=Retry(NoBackoff(), retries=0, supported_errors=())
        )
        self.outgoing: asyncio.Queue[tuple[str, Undelivered | None]] = asyncio.Queue(
            maxsize=OUTGOING_SIZE
        )
        self.publisher = asyncio.create_task(self._publish_queued())

    def publish(self, message: str, undelivered: Undelivered | None = None) -> None:
        # A plain function, like broadcast(): no handler ever waits for Redis.
        try:
            self.outgoing.put_nowait((message, undelivered))
        except asyncio.QueueFull:
            logger.warning(
                "Could not publish to Redis: %d messages wait", OUTGOING_SIZE
            )
            if undelivered is not None:
                undelivered()

    async def _publish_queued(self) -> None:
        # The only code that waits for Redis on the way out, one message at a
        # time, so that messages keep their order.
        while True:
            message, undelivered = await self.outgoing.get()
            try:
                await asyncio.wait_for(
                    self.redis.publish(CHANNEL, message), PUBLISH_TIMEOUT
                )
            except (RedisError, asyncio.TimeoutError) as error:
                logger.warning(
                    "Could not publish to Redis: %s",
                    str(error) or f"no answer in {PUBLISH_TIMEOUT} s",
                )
                if undelivered is not None:
                    undelivered()
            finally:
                self.outgoing.task_done()

    # endregion

    # region listen
    async def listen(self, deliver: Callable[[str], None]) -> None:
        delay = RETRY_DELAY
        while True:
            try:
                async with self.subscriber.pubsub(
                    ignore_subscribe_messages=True
                ) as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    delay = RETRY_DELAY  # connected: start again from the shortest
                    while True:
                        message = await pubsub.get_message(timeout=None)
                        if message is not None:  # None: a subscription notice
                            _deliver(message["data"], deliver)
                            await asyncio.sleep(0)  # let the writers send it
            except RedisError as error:
                logger.warning(
                    "Redis subscription failed (%s); retrying in %s s", error, delay
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_DELAY_MAX)

    # endregion

    async def close(self) -> None:
        # Goodbyes of the last clients may still wait: give them a moment.
        with suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.outgoing.join(), PUBLISH_TIMEOUT)
        self.publisher.cancel()
        await asyncio.gather(self.publisher, return_exceptions=True)
        await self.redis.aclose()
        await self.subscriber.aclose()


Broker = MemoryBroker | RedisBroker


# region deliver
def _deliver(data: bytes, deliver: Callable[[str], None]) -> None:
    # Anyone who can reach Redis can publish on the channel, anything at all.
    try:
        text = data.decode()
    except UnicodeDecodeError:
        logger.warning("Skipped a message on %r that is not UTF-8 text", CHANNEL)
        return
    try:
        deliver(text)
    except Exception:  # a bug, not bad input: say where, and go on
        logger.exception("Could not deliver a message from Redis")


async def keep_listening(broker: Broker, deliver: Callable[[str], None]) -> None:
    """Run the subscriber for as long as the app runs, whatever it meets."""
    while True:
        try:
            await broker.listen(deliver)
        except Exception:
            # listen() handles what Redis does; anything else is a bug. Log
            # it, with its traceback, and subscribe again rather than go quiet.
            logger.exception("The subscriber stopped; restarting it")
        await asyncio.sleep(RETRY_DELAY_MAX)


# endregion


manager = ConnectionManager()


# region lifespan
@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Broker]]:
    url = os.environ.get("REDIS_URL")
    broker: Broker = RedisBroker(url) if url else MemoryBroker()
    # One subscriber per process, for all of its clients.
    listener = asyncio.create_task(keep_listening(broker, manager.broadcast))
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

    def on_message(text: str) -> None:
        manager.send_personal(f"You wrote: {text}", websocket)
        # If it does not get through, the publisher tells the sender so.
        not_delivered = partial(
            manager.send_personal, f"Not delivered: {text}", websocket
        )
        broker.publish(f"Client #{client_id} says: {text}", not_delivered)

    await manager.connect(websocket)
    try:
        await manager.serve(websocket, on_message)
    finally:
        manager.disconnect(websocket)
    broker.publish(f"Client #{client_id} left the chat")


# endregion
