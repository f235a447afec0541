"""Follow the resumable chat from a Python service, through any number of drops.

``websockets`` reconnects on its own with ``async for websocket in connect()``;
this client adds what the chat needs on top: it tells the server the last ID
it saw, skips what it has seen already, and stops on the codes that mean
"don't come back".
"""

import asyncio
import json
import logging
import random
import sys
from collections.abc import Callable, Iterator

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

# region backoff
BASE_DELAY = 0.5  # seconds: the first retry waits up to this
MAX_DELAY = 30.0  # no wait is longer than this
STABLE_AFTER = 10.0  # a connection up this long resets the backoff
LATER_ATTEMPT = 4  # after 1013, wait as if this many attempts had failed
GIVE_UP = {1003, 1007, 1008}  # retrying would only fail again


def reconnect_delays(
    first_attempt: int = 0, random: Callable[[], float] = random.random
) -> Iterator[float]:
    """Full jitter: anywhere between 0 and a ceiling that doubles, up to a cap."""
    attempt = first_attempt
    while True:
        yield random() * min(MAX_DELAY, BASE_DELAY * 2**attempt)
        attempt += 1


# endregion


def position(message_id: str) -> tuple[int, int]:
    milliseconds, sequence = message_id.split("-")
    return int(milliseconds), int(sequence)


# region follower
class Follower:
    """Hands each chat message to ``on_message`` once, in order."""

    def __init__(self, url: str, on_message: Callable[[str, str], None]) -> None:
        self.url = url
        self.on_message = on_message
        self.last_id = ""  # the last message handled; "" before the first
        self.history_lost = False  # the server could not replay everything
        self.live = asyncio.Event()  # set while caught up and receiving live
        self.delays = reconnect_delays()

    async def run(self) -> int:
        """Follow the chat until the server says not to come back; its code."""
        # connect() waits between failed attempts to connect, with its own
        # delays, and resets them after each success; a connection that opens
        # and then closes is retried at once, so the loop below paces those.
        connections = connect(self.url)
        async for websocket in connections:  # pragma: no branch - it never ends
            started = asyncio.get_running_loop().time()
            try:
                await websocket.send(self.last_id)  # the server replays the rest
                async for frame in websocket:
                    self._handle(json.loads(frame))
            except ConnectionClosed:
                pass  # its close code says how it ended
            self.live.clear()
            code = websocket.close_code or 1006  # 1006: no close frame came
            if code in GIVE_UP:
                break
            if asyncio.get_running_loop().time() - started >= STABLE_AFTER:
                self.delays = reconnect_delays()  # a new outage starts afresh
            if code == 1013:  # the server asks for patience
                self.delays = reconnect_delays(first_attempt=LATER_ATTEMPT)
            await asyncio.sleep(next(self.delays))
        return code

    def _handle(self, message: dict[str, str]) -> None:
        if message["type"] == "message":
            if self.last_id and position(message["id"]) <= position(self.last_id):
                return  # seen already: delivered again after a reconnection
            self.last_id = message["id"]
            self.on_message(message["id"], message["text"])
        elif message["type"] == "live":
            self.last_id = message["id"]  # caught up: resume from here next time
            self.live.set()
        elif message["type"] == "history_lost":
            self.history_lost = True
            self.last_id = ""  # what follows starts afresh, whatever its IDs


# endregion


def show(message_id: str, text: str) -> None:
    print(message_id, text)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)  # websockets logs each failed attempt
    url = sys.argv[1] if len(sys.argv) > 1 else "ws://localhost:8000/ws"
    code = asyncio.run(Follower(url, show).run())
    print(f"The server closed the connection with {code}: not reconnecting.")
