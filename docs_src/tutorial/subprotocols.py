from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status

app = FastAPI()

# The subprotocols this server speaks, the one it prefers first.
SUPPORTED = ("chat.v2", "chat.v1")


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
            text = await websocket.receive_text()
            await websocket.send_text(f"[{chosen}] {text}")
    except WebSocketDisconnect:
        pass  # the client has gone: nothing left to do
