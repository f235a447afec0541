"""The broadcast loop most chat examples start with. Do not copy it: see reliable.py.

It is kept to show what goes wrong: a client that has gone away breaks the
handler of whoever is sending, and a client that stops reading holds up
everyone, with no time limit.
"""

from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status

app = FastAPI()


class ConnectionManager:
    def __init__(self) -> None:
        self.active: list[WebSocket] = []

    async def connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        self.active.append(websocket)

    def disconnect(self, websocket: WebSocket) -> None:
        self.active.remove(websocket)

    async def send_personal(self, message: str, websocket: WebSocket) -> None:
        await websocket.send_text(message)

    # region broadcast
    async def broadcast(self, message: str) -> None:
        for connection in self.active:
            # Waits until this client's socket takes the message, then goes on.
            await connection.send_text(message)

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


# region endpoint
@app.websocket("/ws/{client_id}")
async def chat(websocket: WebSocket, client_id: int) -> None:
    await manager.connect(websocket)
    try:
        while True:
            text = await receive_text(websocket)
            await manager.send_personal(f"You wrote: {text}", websocket)
            await manager.broadcast(f"Client #{client_id} says: {text}")
    except WebSocketDisconnect:
        manager.disconnect(websocket)
        await manager.broadcast(f"Client #{client_id} left the chat")


# endregion
