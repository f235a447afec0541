from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status

app = FastAPI()


# region receive
async def receive_bytes(websocket: WebSocket) -> bytes:
    """The next binary message. A text one closes the connection with 1003."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message["code"], message.get("reason"))
    if message.get("bytes") is None:
        await websocket.close(code=status.WS_1003_UNSUPPORTED_DATA)
        # End the caller's loop the same way as when the client leaves.
        raise WebSocketDisconnect(status.WS_1003_UNSUPPORTED_DATA)
    return message["bytes"]


# endregion


@app.websocket("/ws")
async def reverse(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            # region exchange
            data = await receive_bytes(websocket)
            await websocket.send_bytes(data[::-1])
            # endregion
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client has gone, or the server gave up on it: nothing left to do
