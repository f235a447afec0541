from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def shout(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        # region exchange
        text = await websocket.receive_text()
        await websocket.send_text(text.upper())
        # endregion
