from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws")
async def reverse(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            # region exchange
            data = await websocket.receive_bytes()
            await websocket.send_bytes(data[::-1])
            # endregion
    except WebSocketDisconnect:
        pass  # the client has gone: nothing left to do
