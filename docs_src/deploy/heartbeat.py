"""An echo service ready to run behind a reverse proxy.

The server sends a small heartbeat message at a fixed interval. It keeps the
proxy's idle timer from closing a quiet connection, and it lets the browser
notice a server that has gone without a word. The browser answers each one,
which lets the server notice a client that has gone.
"""

import asyncio
import json
import os
from contextlib import suppress

from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status
from fastapi.responses import HTMLResponse

# region settings
# Seconds between two heartbeats. Keep it well under the proxy's idle timeout
# (nginx's proxy_read_timeout, 60 s unless set): this guide's nginx uses 75 s.
HEARTBEAT_INTERVAL = float(os.environ.get("HEARTBEAT_INTERVAL", "20"))
# A client that has sent nothing, not even a heartbeat, for two intervals and
# a half is gone: its connection is closed.
CLIENT_TIMEOUT = 2.5 * HEARTBEAT_INTERVAL
# Open sockets this process serves at most. Uvicorn has no such limit for
# WebSockets (--limit-concurrency does not count them once they are open).
MAX_CONNECTIONS = int(os.environ.get("MAX_CONNECTIONS", "1000"))
# endregion

app = FastAPI()

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Echo behind a proxy</title>
</head>
<body>
  <h1>Echo behind a proxy</h1>
  <p>State: <output id="state">connecting</output></p>
  <form id="form">
    <label for="message">Message</label>
    <input id="message" autocomplete="off">
    <button id="send">Send</button>
  </form>
  <ul id="messages" aria-live="polite"></ul>
  <script>
    // Served at https://example.com/chat/, the socket is wss://example.com/chat/ws.
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const base = location.pathname.replace(/[^/]*$/, "");
    const url = `${scheme}//${location.host}${base}ws`;
    const state = document.getElementById("state");
    const messages = document.getElementById("messages");
    const input = document.getElementById("message");
    let socket = null;
    let deadline = null;
    let attempt = 0;

    function show(text) {
      const item = document.createElement("li");
      item.textContent = text;
      messages.append(item);
    }

    // No message for two and a half heartbeats: the server or the network
    // has gone. Give up on this socket and open another.
    function expectNextMessage(interval) {
      clearTimeout(deadline);
      deadline = setTimeout(() => reconnect(socket), 2.5 * interval * 1000);
    }

    // Close codes after which trying again would not help.
    const FINAL = new Set([1003, 1008]);

    function reconnect(dead, code) {
      if (dead !== socket) return;  // that socket was replaced already
      dead.close();
      socket = null;
      clearTimeout(deadline);
      if (FINAL.has(code)) {
        state.textContent = "offline";
        return;
      }
      // Exponential backoff with full jitter, capped at 30 s; at least 5 s
      // when the server said it is full (1013, try again later).
      const floor = code === 1013 ? 5 : 0;
      const delay = floor + Math.random() * Math.min(30, 2 ** attempt);
      attempt += 1;
      state.textContent = `reconnecting in ${Math.ceil(delay)} s`;
      setTimeout(connect, delay * 1000);
    }

    function connect() {
      const current = new WebSocket(url);
      socket = current;
      current.addEventListener("message", (event) => {
        const message = JSON.parse(event.data);
        if (message.type === "hello") {
          attempt = 0;
          state.textContent = "connected";
          expectNextMessage(message.heartbeat);
          current.interval = message.heartbeat;
          return;
        }
        expectNextMessage(current.interval);
        if (message.type === "heartbeat") {
          current.send(JSON.stringify({type: "heartbeat"}));
        } else if (message.type === "echo") {
          show(message.text);
        }
      });
      current.addEventListener("close", (event) => reconnect(current, event.code));
    }

    document.getElementById("form").addEventListener("submit", (event) => {
      event.preventDefault();
      if (socket !== null && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify({type: "message", text: input.value}));
        input.value = "";
      }
    });

    connect();
  </script>
</body>
</html>
"""


@app.get("/")
async def page() -> HTMLResponse:
    return HTMLResponse(PAGE)


# region heartbeat
async def send_heartbeats(websocket: WebSocket) -> None:
    # Ends when the connection does: a send to a closed socket fails.
    with suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await asyncio.sleep(HEARTBEAT_INTERVAL)
            await websocket.send_json({"type": "heartbeat"})


# endregion


# region receive
def reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


async def receive_message(websocket: WebSocket) -> dict[str, object] | None:
    """The next JSON object from the client; None once the connection is over."""
    try:
        message = await asyncio.wait_for(websocket.receive(), CLIENT_TIMEOUT)
    except asyncio.TimeoutError:
        await websocket.close(status.WS_1000_NORMAL_CLOSURE, "no heartbeat")
        return None
    if message["type"] == "websocket.disconnect":
        return None
    text = message.get("text")
    if text is None:
        await websocket.close(status.WS_1003_UNSUPPORTED_DATA, "text frames only")
        return None
    try:
        # NaN and Infinity are not JSON: refuse them rather than echo them.
        data = json.loads(text, parse_constant=reject_constant)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        await websocket.close(status.WS_1007_INVALID_FRAME_PAYLOAD_DATA, "bad JSON")
        return None
    return data


# endregion


open_sockets: set[WebSocket] = set()


# region endpoint
@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    if len(open_sockets) >= MAX_CONNECTIONS:
        # Accepted first, so that even a browser's script reads the code and
        # knows to wait before it tries again. A refusal before accept() is
        # a bare HTTP 403 to it.
        await websocket.close(status.WS_1013_TRY_AGAIN_LATER, "server full")
        return
    open_sockets.add(websocket)
    heartbeats = asyncio.create_task(send_heartbeats(websocket))
    try:
        # What the app sees of the client, through the proxy's headers.
        await websocket.send_json(
            {
                "type": "hello",
                "heartbeat": HEARTBEAT_INTERVAL,
                "scheme": websocket.url.scheme,
                "client": websocket.client.host if websocket.client else None,
                "host": websocket.headers.get("host"),
                "root_path": websocket.scope.get("root_path", ""),
            }
        )
        while (message := await receive_message(websocket)) is not None:
            if message.get("type") == "message":
                await websocket.send_json({"type": "echo", "text": message.get("text")})
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client left, or the server gave up on it, while we were sending
    finally:
        open_sockets.discard(websocket)
        heartbeats.cancel()


# endregion
