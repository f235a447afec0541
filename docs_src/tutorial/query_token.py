from typing import Annotated

from fastapi import (
    FastAPI,
    Query,
    WebSocket,
    WebSocketDisconnect,
    WebSocketException,
    status,
)

app = FastAPI()


# region receive
async def receive_text(websocket: WebSocket) -> str:
    """The next text message. A binary one closes the connection with 1003."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message["code"], message.get("reason"))
    if message.get("text") is None:
        await websocket.close(code=status.WS_1003_UNSUPPORTED_DATA)
        # End the caller's loop the same way as when the client leaves.
        raise WebSocketDisconnect(status.WS_1003_UNSUPPORTED_DATA)
    return message["text"]


# endregion


TOKENS = {"alice-token": "alice", "bob-token": "bob"}


@app.websocket("/ws")
async def greet(
    websocket: WebSocket,
    token: Annotated[str | None, Query()] = None,
) -> None:
    # region check
    if token is None or token not in TOKENS:
        raise WebSocketException(
            code=status.WS_1008_POLICY_VIOLATION, reason="invalid token"
        )
    # endregion
    user = TOKENS[token]
    await websocket.accept()
    try:
        # Inside the try: a client may leave before the welcome is sent.
        await websocket.send_text(f"Welcome, {user}!")
        while True:
            text = await receive_text(websocket)
            await websocket.send_text(f"{user}: {text}")
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client has gone, or the server gave up on it: nothing left to do
