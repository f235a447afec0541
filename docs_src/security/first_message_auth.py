import asyncio
import os

from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status

app = FastAPI()

TOKENS = {"alice-token": "alice", "bob-token": "bob"}
# Seconds a client has to send its token once connected.
AUTH_TIMEOUT = float(os.environ.get("AUTH_TIMEOUT", "10"))


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


# region authenticate
async def authenticate(websocket: WebSocket) -> str | None:
    """The user whose token is the first message, or None once refused."""
    try:
        token = await asyncio.wait_for(receive_text(websocket), AUTH_TIMEOUT)
    except asyncio.TimeoutError:
        await websocket.close(
            code=status.WS_1008_POLICY_VIOLATION,
            reason="authentication timed out",
        )
        return None
    user = TOKENS.get(token)
    if user is None:
        await websocket.close(
            code=status.WS_1008_POLICY_VIOLATION,
            reason="invalid token",
        )
    return user


# endregion


@app.websocket("/ws")
async def chat(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        user = await authenticate(websocket)
        if user is None:
            return
        await websocket.send_text(f"Welcome, {user}!")
        while True:
            text = await receive_text(websocket)
            await websocket.send_text(f"{user}: {text}")
    except (WebSocketDisconnect, RuntimeError):
        # RuntimeError: the server gave up on the client (an unanswered ping)
        # while a send waited for it.
        pass  # the client has gone, perhaps in the middle of a send
