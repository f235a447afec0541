import asyncio
import os

from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status

app = FastAPI()

# Seconds a client may stay silent before the server closes the connection.
IDLE_TIMEOUT = float(os.environ.get("IDLE_TIMEOUT", "300"))


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        # region receive
        try:
            text = await asyncio.wait_for(
                websocket.receive_text(),
                timeout=IDLE_TIMEOUT,
            )
        except asyncio.TimeoutError:
            await websocket.close(
                code=status.WS_1000_NORMAL_CLOSURE,
                reason="idle timeout",
            )
            return
        except WebSocketDisconnect:
            return  # the client left
        # endregion
        await websocket.send_text(f"You said: {text}")
