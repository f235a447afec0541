"""A chat that clients can leave and rejoin without losing a message.

Every message is added to a Redis Stream, which gives it an ID and keeps a
bounded history. A client that reconnects sends the ID of the last message it
saw; the server replays what came after it, then carries on live, with no gap
and no duplicate at the seam. Run it with ``REDIS_URL`` pointing at Redis, as
one process or several (``uvicorn main:app --workers 2``).
"""

import asyncio
import json
import logging
import os
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status
from fastapi.responses import FileResponse, HTMLResponse
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError, ResponseError

logger = logging.getLogger(__name__)

# region settings
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
STREAM = "chat"
HISTORY = int(os.environ.get("CHAT_HISTORY", "10000"))  # messages kept, roughly
REPLAY_BATCH = 100  # messages read from Redis at a time while catching up
QUEUE_SIZE = 100  # how far a live client may fall behind before it is dropped
CLOSE_TIMEOUT = float(os.environ.get("CHAT_CLOSE_TIMEOUT", "10"))
# Each read waits this long for news (milliseconds), well within redis-py's
# five-second socket timeout, which then tells a dead connection from a quiet one.
BLOCK = 1000
RETRY_DELAY = 0.1  # seconds before the listener's first reconnection attempt
RETRY_DELAY_MAX = 5.0  # the delay doubles after each failure, up to this
# endregion

# region ids
ID_PATTERN = re.compile(r"[0-9]{1,20}-[0-9]{1,20}")
Position = tuple[int, int]  # a stream ID, "1700000000000-3", as numbers


def position(message_id: str) -> Position:
    milliseconds, sequence = message_id.split("-")
    return int(milliseconds), int(sequence)


# endregion


@dataclass
class Entry:
    """One message of the stream."""

    id: str
    text: str

    def to_json(self) -> str:
        return json.dumps({"type": "message", "id": self.id, "text": self.text})


def notice(kind: str, **details: str) -> str:
    return json.dumps({"type": kind, **details})


# region history
@dataclass
class History:
    """What the stream holds: its oldest kept ID, the newest ever given."""

    first: Position | None
    last: Position
    trimmed: bool  # whether older messages have been dropped

    def lost_after(self, seen: Position) -> bool:
        # Older than the oldest kept message, once some were dropped: what came
        # in between is gone, or may be. Newer than anything Redis ever gave:
        # this stream lost its data.
        return (self.trimmed and self.first is not None and seen < self.first) or (
            seen > self.last
        )


class Chat:
    """The chat's Redis Stream."""

    def __init__(self, url: str) -> None:
        # After Redis restarts, a pooled connection is found dead only when it
        # is used: one immediate retry, on a new connection, covers that.
        self.redis = Redis.from_url(
            url, decode_responses=True, retry=Retry(NoBackoff(), retries=1)
        )
        # The listener's own connection. Its loop retries by itself, after a
        # pause and from its last ID, so redis-py must not retry for it.
        self.reader = Redis.from_url(
            url, decode_responses=True, retry=Retry(NoBackoff(), retries=0)
        )

    async def history(self) -> History:
        try:
            info = await self.redis.xinfo_stream(STREAM)
        except ResponseError:  # no stream yet: nothing was ever said
            return History(first=None, last=(0, 0), trimmed=False)
        first = info["first-entry"]
        return History(
            first=position(first[0]) if first else None,
            last=position(info["last-generated-id"]),
            # Redis counts what was ever added from 7.0 on; before, assume a loss.
            trimmed=info.get("entries-added", info["length"] + 1) > info["length"],
        )

    # endregion

    # region add
    async def add(self, text: str) -> None:
        """Add a message; a RedisError if Redis did not confirm it."""
        await self.redis.xadd(STREAM, {"text": text}, maxlen=HISTORY, approximate=True)

    # endregion

    # region replay
    async def after(self, seen: Position) -> list[Entry]:
        """Up to REPLAY_BATCH messages that came after ``seen``, oldest first."""
        start = f"({seen[0]}-{seen[1]}"  # "(" excludes the ID itself
        entries = await self.redis.xrange(STREAM, start, "+", count=REPLAY_BATCH)
        return [Entry(message_id, fields["text"]) for message_id, fields in entries]

    # endregion

    # region listen
    async def listen(self, deliver: Callable[[Entry], None]) -> None:
        """Hand every new message to ``deliver``, resuming after any outage."""
        last: str | None = None  # the last ID handed over
        delay = RETRY_DELAY
        while True:
            try:
                if last is None:
                    newest = (await self.history()).last
                    last = f"{newest[0]}-{newest[1]}"
                delay = RETRY_DELAY  # connected: start again from the shortest
                while True:
                    response = await self.reader.xread(
                        {STREAM: last}, count=REPLAY_BATCH, block=BLOCK
                    )
                    for _, entries in response:
                        for message_id, fields in entries:
                            deliver(Entry(message_id, fields["text"]))
                            last = message_id
                            await asyncio.sleep(0)  # let the writers send it
            except RedisError as error:
                logger.warning(
                    "Reading the stream failed (%s); retrying in %s s", error, delay
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_DELAY_MAX)

    # endregion

    async def close(self) -> None:
        await self.reader.aclose()
        await self.redis.aclose()


# region manager
@dataclass
class Client:
    seen: Position | None  # the last ID it saw before this connection
    queue: asyncio.Queue[Entry | str] = field(
        default_factory=lambda: asyncio.Queue(maxsize=QUEUE_SIZE)
    )
    sent: Position = (0, 0)  # the last stream ID sent to it
    writer: asyncio.Task[None] | None = None


class ConnectionManager:
    def __init__(self) -> None:
        self.clients: dict[WebSocket, Client] = {}
        self.closing: set[asyncio.Task[None]] = set()
        self.closing_of: dict[WebSocket, asyncio.Task[None]] = {}

    def connect(self, websocket: WebSocket, seen: Position | None, chat: Chat) -> None:
        # Registered before it catches up: whatever arrives meanwhile waits in
        # its queue, so nothing falls between the replay and the live messages.
        client = Client(seen)
        self.clients[websocket] = client
        client.writer = asyncio.create_task(self._write(websocket, client, chat))

    async def _write(self, websocket: WebSocket, client: Client, chat: Chat) -> None:
        # The only code that sends to this client, so the order is kept.
        try:
            await self._catch_up(websocket, client, chat)
            while True:
                item = await client.queue.get()
                if isinstance(item, str):
                    await websocket.send_text(item)
                elif position(item.id) > client.sent:  # not replayed already
                    await self._send(websocket, client, item)
        except (WebSocketDisconnect, RuntimeError):
            # The client has gone; its handler finds out and says goodbye.
            self.clients.pop(websocket, None)
        except RedisError as error:
            logger.warning("Could not replay the stream: %s", error)
            self._remove(websocket, close_code=status.WS_1013_TRY_AGAIN_LATER)

    async def _catch_up(self, websocket: WebSocket, client: Client, chat: Chat) -> None:
        history = await chat.history()
        if client.seen is None:  # a new client starts with what comes next
            client.sent = history.last
        else:
            if history.lost_after(client.seen):
                await websocket.send_text(notice("history_lost"))
            # Never past the newest ID: after Redis lost its data, new IDs may
            # be older than the client's, and nothing would ever be newer.
            client.sent = min(client.seen, history.last)
            while batch := await chat.after(client.sent):
                for entry in batch:
                    await self._send(websocket, client, entry)
        await websocket.send_text(
            notice("live", id=f"{client.sent[0]}-{client.sent[1]}")
        )

    async def _send(self, websocket: WebSocket, client: Client, entry: Entry) -> None:
        await websocket.send_text(entry.to_json())
        client.sent = position(entry.id)

    def send_personal(self, message: str, websocket: WebSocket) -> None:
        self._put(websocket, message)

    def broadcast(self, entry: Entry) -> None:
        # A plain function: it cannot wait for anyone. It loops over a
        # snapshot, because _put() may drop clients as it goes.
        for websocket in list(self.clients):
            self._put(websocket, entry)

    def _put(self, websocket: WebSocket, item: Entry | str) -> None:
        client = self.clients.get(websocket)
        if client is None:
            return  # gone, or dropped for falling behind
        try:
            client.queue.put_nowait(item)
        except asyncio.QueueFull:
            # It has stopped reading: drop it. It can come back and resume.
            self._remove(websocket, close_code=status.WS_1013_TRY_AGAIN_LATER)

    def disconnect(self, websocket: WebSocket) -> None:
        self._remove(websocket)

    def _remove(self, websocket: WebSocket, close_code: int | None = None) -> None:
        client = self.clients.pop(websocket, None)
        if client is None:
            return  # removed already: nothing is removed twice
        if client.writer is not asyncio.current_task():
            client.writer.cancel()  # type: ignore[union-attr]
        if close_code is not None:
            closing = asyncio.create_task(self._close(websocket, close_code))
            self.closing.add(closing)  # keep a reference until it is done
            self.closing_of[websocket] = closing
            closing.add_done_callback(self.closing.discard)
            closing.add_done_callback(lambda _: self.closing_of.pop(websocket, None))

    async def wait_closed(self, websocket: WebSocket) -> None:
        """Until the close frame of a dropped client has gone, or timed out."""
        closing = self.closing_of.get(websocket)
        await asyncio.gather(*filter(None, [closing]), return_exceptions=True)

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


# endregion

manager = ConnectionManager()


async def stop(task: asyncio.Task[None]) -> None:
    """Cancel ``task`` and wait until it has ended.

    A cancellation that arrives while redis-py is in the middle of a blocking
    read can be lost (this guide's tests saw it with redis-py 8.1): ask again
    until the task has really ended.
    """
    while not task.done():
        task.cancel()
        await asyncio.wait([task], timeout=1)


# region lifespan
@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Chat]]:
    chat = Chat(REDIS_URL)
    # One reader of the stream per process, for all of its clients.
    listener = asyncio.create_task(chat.listen(manager.broadcast))
    yield {"chat": chat}  # available as websocket.state.chat
    await stop(listener)
    await manager.close_all()
    await chat.close()


# endregion

app = FastAPI(lifespan=lifespan)
SCRIPT = Path(__file__).with_name("reconnect.js")  # keep it beside this file

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Chat</title>
</head>
<body>
  <h1>Chat</h1>
  <p>State: <output id="state">connecting</output></p>
  <p id="notice" hidden></p>
  <form id="form">
    <label for="message">Message</label>
    <input id="message" autocomplete="off">
    <button id="send" disabled>Send</button>
  </form>
  <ul id="messages" aria-live="polite"></ul>
  <script src="/reconnect.js"></script>
</body>
</html>
"""


@app.get("/")
async def page() -> HTMLResponse:
    return HTMLResponse(PAGE)


@app.get("/reconnect.js")
async def script() -> FileResponse:
    return FileResponse(SCRIPT, media_type="text/javascript")


# region frames
class WrongFrame(Exception):
    """A binary frame where text was expected."""


async def receive_text(websocket: WebSocket) -> str:
    """The next text message; WebSocketDisconnect when the client leaves."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", status.WS_1000_NORMAL_CLOSURE))
    if message.get("text") is None:
        raise WrongFrame
    return str(message["text"])


# endregion


# region endpoint
@app.websocket("/ws")
async def chat_endpoint(websocket: WebSocket) -> None:
    chat: Chat = websocket.state.chat
    await websocket.accept()
    try:
        # The first message is the last ID the client saw, or "" if none.
        last_id = await receive_text(websocket)
        if last_id and not ID_PATTERN.fullmatch(last_id):
            await websocket.close(status.WS_1007_INVALID_FRAME_PAYLOAD_DATA)
            return
        manager.connect(websocket, position(last_id) if last_id else None, chat)
        while True:
            text = await receive_text(websocket)
            if websocket not in manager.clients:
                # Dropped for falling behind: what it says now reaches nobody.
                # The handler ends once its close frame has gone or timed out,
                # and the server then ends the connection.
                await manager.wait_closed(websocket)
                return
            try:
                await chat.add(text)
            except RedisError as error:
                # Not confirmed, so not claimed: the sender may send it again.
                logger.warning("Could not add to the stream: %s", error)
                manager.send_personal(notice("not_delivered", text=text), websocket)
    except WrongFrame:
        manager.disconnect(websocket)
        await websocket.close(status.WS_1003_UNSUPPORTED_DATA)
    except WebSocketDisconnect:
        manager.disconnect(websocket)


# endregion
