import json

from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status

app = FastAPI()

# The largest integer a JavaScript client holds exactly. The bound also keeps
# out NaN, Infinity and numbers so large that their sum would overflow.
LIMIT = 2**53


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


def is_number(value: object) -> bool:
    # JSON true and false arrive as bool, which Python counts as an int.
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    # NaN fails every comparison, so it never passes this one.
    return abs(value) <= LIMIT


@app.websocket("/ws")
async def add(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            # region exchange
            try:
                data = json.loads(await receive_text(websocket))
            except (ValueError, RecursionError):  # not JSON, or nested too deep
                await websocket.send_json({"error": "invalid JSON"})
                continue
            match data:
                case {"a": a, "b": b} if is_number(a) and is_number(b):
                    await websocket.send_json({"sum": a + b})
                case _:
                    await websocket.send_json({"error": "expected numbers 'a' and 'b'"})
            # endregion
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client has gone, or the server gave up on it: nothing left to do
