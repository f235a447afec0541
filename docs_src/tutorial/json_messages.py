from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


def is_number(value: object) -> bool:
    # JSON true and false arrive as bool, which Python counts as an int.
    return isinstance(value, int | float) and not isinstance(value, bool)


@app.websocket("/ws")
async def add(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            # region exchange
            match await websocket.receive_json():
                case {"a": a, "b": b} if is_number(a) and is_number(b):
                    await websocket.send_json({"sum": a + b})
                case _:
                    await websocket.send_json({"error": "expected numbers 'a' and 'b'"})
            # endregion
    except WebSocketDisconnect:
        pass  # the client has gone: nothing left to do
