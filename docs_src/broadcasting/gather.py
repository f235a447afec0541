"""The broadcast loop with asyncio.gather(): faster, but it still waits.

The sends run side by side and failures are dealt with, yet broadcast() only
returns when the slowest send is done: one client that stops reading still
holds up the sender, and with it everyone. Do not copy it: see reliable.py.
"""

import asyncio

from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status

app = FastAPI()


class ConnectionManager:
    def __init__(self) -> None:
        self.active: set[WebSocket] = set()

    async def connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        self.active.add(websocket)

    def disconnect(self, websocket: WebSocket) -> None:
        self.active.discard(websocket)

    async def send_personal(self, message: str, websocket: WebSocket) -> None:
        await websocket.send_text(message)

    # region broadcast
    async def broadcast(self, message: str) -> None:
        connections = list(self.active)
        results = await asyncio.gather(
            *(connection.send_text(message) for connection in connections),
            # Without this, the first failure is raised here, in the sender's
            # handler, and the results of the other sends are lost.
            return_exceptions=True,
        )
        for connection, result in zip(connections, results, strict=True):
            if isinstance(result, Exception):
                self.disconnect(connection)

    # endregion


manager = ConnectionManager()


async def receive_text(websocket: WebSocket) -> str:
    """The next text message. A binary one ends the connection with 1003."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message["code"], message.get("reason"))
    if message.get("text") is None:
        # This chat speaks text: refuse other data instead of crashing on it.
        await websocket.close(status.WS_1003_UNSUPPORTED_DATA)
        raise WebSocketDisconnect(status.WS_1003_UNSUPPORTED_DATA)
    return message["text"]


@app.websocket("/ws/{client_id}")
async def chat(websocket: WebSocket, client_id: int) -> None:
    await manager.connect(websocket)
    try:
        while True:
            text = await receive_text(websocket)
            await manager.send_personal(f"You wrote: {text}", websocket)
            await manager.broadcast(f"Client #{client_id} says: {text}")
    # RuntimeError: a send on a connection that is already closed. Either
    # another client's broadcast found this one gone first (Starlette's
    # WebSocketDisconnected), or the server gave up on it (an unanswered ping).
    except (WebSocketDisconnect, RuntimeError):
        manager.disconnect(websocket)
        await manager.broadcast(f"Client #{client_id} left the chat")
