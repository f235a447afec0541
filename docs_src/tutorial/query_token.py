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
    await websocket.send_text(f"Welcome, {user}!")
    try:
        while True:
            text = await websocket.receive_text()
            await websocket.send_text(f"{user}: {text}")
    except WebSocketDisconnect:
        pass  # the client has gone: nothing left to do
