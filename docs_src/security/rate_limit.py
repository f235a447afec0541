import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, FastAPI, WebSocket, WebSocketDisconnect, status

app = FastAPI()

RATE = 5.0  # messages per second, on average
BURST = 10  # messages a client may send at once


# region bucket
class TokenBucket:
    """Allows `rate` messages a second on average, and bursts of `capacity`."""

    def __init__(
        self,
        rate: float,
        capacity: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.capacity = capacity
        self.clock = clock
        self.tokens = float(capacity)
        self.updated = clock()

    def take(self) -> bool:
        """Refill for the time that has passed, then spend a token if any."""
        now = self.clock()
        elapsed = now - self.updated
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


# endregion


async def receive_text(websocket: WebSocket) -> str:
    """The next message, which must be text: a binary one ends the connection."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message["code"], message.get("reason"))
    text = message.get("text")
    if text is None:
        await websocket.close(
            code=status.WS_1003_UNSUPPORTED_DATA,
            reason="text messages only",
        )
        # For the caller, the conversation is over either way.
        raise WebSocketDisconnect(status.WS_1003_UNSUPPORTED_DATA)
    return text


# region per-connection
def message_bucket() -> TokenBucket:
    # FastAPI calls this for every connection: each client gets its own bucket.
    return TokenBucket(rate=RATE, capacity=BURST)


@app.websocket("/ws")
async def echo(
    websocket: WebSocket,
    bucket: Annotated[TokenBucket, Depends(message_bucket)],
) -> None:
    await websocket.accept()
    try:
        while True:
            text = await receive_text(websocket)
            if not bucket.take():
                await websocket.close(
                    code=status.WS_1008_POLICY_VIOLATION,
                    reason="rate limit exceeded",
                )
                return
            await websocket.send_text(f"You said: {text}")
    except (WebSocketDisconnect, RuntimeError):
        # RuntimeError: the server gave up on the client (an unanswered ping)
        # while a send waited for it.
        pass  # the client has gone, perhaps in the middle of a send


# endregion
