from typing import Annotated

from fastapi import (
    Cookie,
    Depends,
    FastAPI,
    Header,
    Path,
    Query,
    Security,
    WebSocket,
    WebSocketDisconnect,
    WebSocketException,
    status,
)
from fastapi.responses import HTMLResponse
from fastapi.security import SecurityScopes

app = FastAPI()

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Dependencies</title>
</head>
<body>
  <h1>Dependencies</h1>
  <form id="connect-form">
    <label for="item-id">Item ID</label>
    <input id="item-id" value="foo" autocomplete="off">
    <label for="token">Token</label>
    <input id="token" value="some-key-token" autocomplete="off">
    <button id="connect">Connect</button>
  </form>
  <form id="message-form">
    <label for="message">Message</label>
    <input id="message" autocomplete="off" disabled>
    <button id="send" disabled>Send</button>
  </form>
  <ul id="messages" aria-live="polite"></ul>
  <script>
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const itemId = document.getElementById("item-id");
    const token = document.getElementById("token");
    const connectButton = document.getElementById("connect");
    const input = document.getElementById("message");
    const sendButton = document.getElementById("send");
    const messages = document.getElementById("messages");
    let socket = null;

    function show(text) {
      const item = document.createElement("li");
      item.textContent = text;
      messages.append(item);
    }

    function setConnected(connected) {
      connectButton.disabled = connected;
      input.disabled = !connected;
      sendButton.disabled = !connected;
    }

    document.getElementById("connect-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const path = `/items/${encodeURIComponent(itemId.value)}/ws`;
      // Leave the token parameter out entirely when the field is empty.
      const query = token.value ? `?token=${encodeURIComponent(token.value)}` : "";
      // One connection at a time: Connect stays disabled until this one closes.
      connectButton.disabled = true;
      let opened = false;
      socket = new WebSocket(`${scheme}//${location.host}${path}${query}`);
      socket.addEventListener("open", () => {
        opened = true;
        setConnected(true);
        show("Connected");
      });
      socket.addEventListener("message", (event) => show(event.data));
      socket.addEventListener("close", (event) => {
        show(opened ? `Connection closed (code ${event.code})` : "Connection refused");
        setConnected(false);
      });
    });

    document.getElementById("message-form").addEventListener("submit", (event) => {
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


# region credentials
async def get_credentials(
    session: Annotated[str | None, Cookie()] = None,
    token: Annotated[str | None, Query()] = None,
) -> str:
    if session is not None:
        return "session cookie"
    if token is not None:
        return "token"
    raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION)


# endregion


def granted_scopes(security_scopes: SecurityScopes) -> list[str]:
    return security_scopes.scopes


# region endpoint
@app.websocket("/items/{item_id}/ws")
async def item_socket(
    *,
    websocket: WebSocket,
    item_id: Annotated[str, Path()],
    q: Annotated[int | None, Query()] = None,
    user_agent: Annotated[str | None, Header()] = None,
    credentials: Annotated[str, Depends(get_credentials)],
    scopes: Annotated[
        list[str], Security(granted_scopes, scopes=["items:read", "items:write"])
    ],
) -> None:
    # endregion
    await websocket.accept()
    try:
        while True:
            text = await receive_text(websocket)
            await websocket.send_text(f"Item {item_id}: {text}")
            if q is not None:
                await websocket.send_text(f"q = {q}")
            await websocket.send_text(
                f"Authenticated with {credentials}, scopes: {', '.join(scopes)}"
            )
            if user_agent is not None:
                await websocket.send_text(f"User-Agent: {user_agent}")
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client has gone, or the server gave up on it: nothing left to do
