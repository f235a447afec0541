from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status
from fastapi.responses import HTMLResponse

app = FastAPI()

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>WebSocket echo</title>
</head>
<body>
  <h1>WebSocket echo</h1>
  <form id="form">
    <label for="message">Message</label>
    <input id="message" autocomplete="off">
    <button id="send" disabled>Send</button>
  </form>
  <ul id="messages" aria-live="polite"></ul>
  <script>
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/ws`);
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


@app.get("/")
async def page() -> HTMLResponse:
    return HTMLResponse(PAGE)


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


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    # region accept
    await websocket.accept()
    # endregion
    # region loop
    try:
        while True:
            text = await receive_text(websocket)
            await websocket.send_text(f"You said: {text}")
    except (WebSocketDisconnect, RuntimeError):
        # The client has gone, or was sent away. RuntimeError: Uvicorn closed
        # the connection itself (an unanswered ping) while a send waited.
        pass
    # endregion
