from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status

app = FastAPI()


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
async def shout(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            # region exchange
            text = await receive_text(websocket)
            await websocket.send_text(text.upper())
            # endregion
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client has gone, or the server gave up on it: nothing left to do
