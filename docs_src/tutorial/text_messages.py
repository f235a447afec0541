from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws")
async def shout(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            # region exchange
            text = await websocket.receive_text()
            await websocket.send_text(text.upper())
            # endregion
    except WebSocketDisconnect:
        pass  # the client has gone: nothing left to do
