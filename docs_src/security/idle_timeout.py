import asyncio
import os

from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status

app = FastAPI()

# Seconds a client may stay silent before the server closes the connection.
IDLE_TIMEOUT = float(os.environ.get("IDLE_TIMEOUT", "300"))


# region receive-text
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


# endregion


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            # region receive
            try:
                text = await asyncio.wait_for(
                    receive_text(websocket),
                    timeout=IDLE_TIMEOUT,
                )
            except asyncio.TimeoutError:
                await websocket.close(
                    code=status.WS_1000_NORMAL_CLOSURE,
                    reason="idle timeout",
                )
                return
            # endregion
            await websocket.send_text(f"You said: {text}")
    except (WebSocketDisconnect, RuntimeError):
        # RuntimeError: the server gave up on the client (an unanswered ping)
        # while a send waited for it.
        pass  # the client has gone, perhaps in the middle of a send
