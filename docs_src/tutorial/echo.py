from fastapi import FastAPI, WebSocket, WebSocketDisconnect
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


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    # region accept
    await websocket.accept()
    # endregion
    # region loop
    try:
        while True:
            text = await websocket.receive_text()
            await websocket.send_text(f"You said: {text}")
    except WebSocketDisconnect:
        pass  # the client has gone: nothing left to do
    # endregion
