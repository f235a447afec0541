"""A chat room for several clients.

The ConnectionManager keeps its connections in memory, in this one process:
clients connected to another worker process or server will not see these messages.
"""

from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status
from fastapi.responses import HTMLResponse

app = FastAPI()

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Chat</title>
</head>
<body>
  <h1>Chat</h1>
  <p>Your ID: <span id="client-id"></span></p>
  <form id="form">
    <label for="message">Message</label>
    <input id="message" autocomplete="off">
    <button id="send" disabled>Send</button>
  </form>
  <ul id="messages" aria-live="polite"></ul>
  <script>
    const clientId = Date.now();
    document.getElementById("client-id").textContent = clientId;

    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/ws/${clientId}`);
    const input = document.getElementById("message");
    const messages = document.getElementById("messages");

    socket.addEventListener("open", () => {
      document.getElementById("send").disabled = false;
    });

    socket.addEventListener("message", (event) => {
      const item = document.createElement("li");
      item.textContent = event.data;
      messages.append(item);
    });

    document.getElementById("form").addEventListener("submit", (event) => {
      event.preventDefault();
      socket.send(input.value);
      input.value = "";
    });
  </script>
</body>
</html>
"""


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


# region manager
class ConnectionManager:
    def __init__(self) -> None:
        self.active: set[WebSocket] = set()

    async def connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        self.active.add(websocket)

    def disconnect(self, websocket: WebSocket) -> None:
        # discard, not remove: forgetting a connection twice is harmless.
        self.active.discard(websocket)

    async def send_personal(self, message: str, websocket: WebSocket) -> None:
        await websocket.send_text(message)

    async def broadcast(self, message: str) -> None:
        # Loop over a copy: disconnect() may shrink the set while we send.
        for connection in list(self.active):
            try:
                await connection.send_text(message)
            except (WebSocketDisconnect, RuntimeError):
                # That client has gone: forget it and carry on with the others.
                self.disconnect(connection)


# endregion

manager = ConnectionManager()


@app.get("/")
async def page() -> HTMLResponse:
    return HTMLResponse(PAGE)


# region endpoint
@app.websocket("/ws/{client_id}")
async def chat(websocket: WebSocket, client_id: int) -> None:
    await manager.connect(websocket)
    try:
        while True:
            text = await receive_text(websocket)
            await manager.send_personal(f"You wrote: {text}", websocket)
            await manager.broadcast(f"Client #{client_id} says: {text}")
    # endregion
    # region disconnect
    # RuntimeError: a send on a connection that is already closed. Either
    # another client's broadcast found this one gone first (Starlette's
    # WebSocketDisconnected), or the server gave up on it (an unanswered ping).
    except (WebSocketDisconnect, RuntimeError):
        manager.disconnect(websocket)
        await manager.broadcast(f"Client #{client_id} left the chat")
    # endregion
