"""The connection manager most chat examples start with. Do not copy it.

It is kept to show what goes wrong, which is why it is not an app: a client
that has gone away breaks the handler of whoever is sending, and a client
that stops reading holds up everyone, with no time limit. See reliable.py
for the manager to use.
"""

from fastapi import WebSocket


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
