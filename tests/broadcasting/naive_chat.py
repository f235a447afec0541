"""The usual chat endpoint around docs_src/broadcasting/naive.py's manager.

Not an example: the page shows the manager alone, as the thing not to copy.
This app puts it behind the endpoint most chat examples write (the
tutorial's, reading with a plain ``receive_text()``), so that the tests and the
broadcast benchmark can show what goes wrong, under real uvicorn too.
"""

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from docs_src.broadcasting.naive import ConnectionManager

app = FastAPI()
manager = ConnectionManager()


async def receive_text(websocket: WebSocket) -> str:
    """Starlette's ``receive_text()``, written out to run on the tests' fakes too."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message["code"], message.get("reason"))
    return str(message["text"])


@app.websocket("/ws/{client_id}")
async def chat(websocket: WebSocket, client_id: int) -> None:
    await manager.connect(websocket)
    try:
        while True:
            text = await receive_text(websocket)
            await manager.send_personal(f"You wrote: {text}", websocket)
            await manager.broadcast(f"Client #{client_id} says: {text}")
    except WebSocketDisconnect:
        manager.disconnect(websocket)
        await manager.broadcast(f"Client #{client_id} left the chat")
