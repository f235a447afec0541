"""An app that meets every case of the hostile-client suite, to test the suite."""

from __future__ import annotations

import json
from contextlib import suppress

from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status

app = FastAPI()


async def receive_text_or_close(websocket: WebSocket) -> str | None:
    """The next text message; None once the client has gone or was closed."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        return None
    if message.get("text") is None:
        await websocket.close(code=status.WS_1003_UNSUPPORTED_DATA)
        return None
    return str(message["text"])


def refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number")


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    # A send to a client that has gone, or that the server gave up on.
    with suppress(WebSocketDisconnect, RuntimeError):
        while (text := await receive_text_or_close(websocket)) is not None:
            await websocket.send_text(f"You said: {text}")


@app.websocket("/ws/json")
async def json_echo(websocket: WebSocket) -> None:
    await websocket.accept()
    with suppress(WebSocketDisconnect, RuntimeError):
        while (text := await receive_text_or_close(websocket)) is not None:
            try:
                data = json.loads(text, parse_constant=refuse_constant)
            except ValueError:
                await websocket.send_json({"error": "expected JSON"})
                continue
            await websocket.send_json(data)
