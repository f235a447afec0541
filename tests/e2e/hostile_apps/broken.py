"""An app that fails the hostile-client suite, to show that the suite can fail."""

from __future__ import annotations

from fastapi import FastAPI, WebSocket, WebSocketDisconnect, WebSocketException

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            # No check of the frame's type: a binary frame raises KeyError.
            text = await websocket.receive_text()
            await websocket.send_text(f"You said: {text}")
    except WebSocketDisconnect:
        pass


@app.websocket("/ws/guarded")
async def guarded(websocket: WebSocket, token: str | None = None) -> None:
    """Needs a token that no entry recipe provides."""
    if token != "secret":
        raise WebSocketException(code=1008)
    await websocket.accept()
    await websocket.close()
