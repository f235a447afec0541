from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def reverse(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        # region exchange
        data = await websocket.receive_bytes()
        await websocket.send_bytes(data[::-1])
        # endregion
