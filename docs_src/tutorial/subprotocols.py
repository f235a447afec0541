from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status

app = FastAPI()

# The subprotocols this server speaks, the one it prefers first.
SUPPORTED = ("chat.v2", "chat.v1")


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
async def versioned_chat(websocket: WebSocket) -> None:
    # region negotiate
    offered: list[str] = websocket.scope.get("subprotocols", [])
    chosen = next((name for name in SUPPORTED if name in offered), None)
    if chosen is None:
        # Closing before accept() refuses the handshake.
        await websocket.close(code=status.WS_1002_PROTOCOL_ERROR)
        return
    await websocket.accept(subprotocol=chosen)
    # endregion
    try:
        while True:
            text = await receive_text(websocket)
            await websocket.send_text(f"[{chosen}] {text}")
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client has gone, or the server gave up on it: nothing left to do
