import asyncio
import os

from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status

app = FastAPI()

TOKENS = {"alice-token": "alice", "bob-token": "bob"}
# Seconds a client has to send its token once connected.
AUTH_TIMEOUT = float(os.environ.get("AUTH_TIMEOUT", "10"))


@app.websocket("/ws")
async def chat(websocket: WebSocket) -> None:
    await websocket.accept()
    # region authenticate
    try:
        token = await asyncio.wait_for(websocket.receive_text(), AUTH_TIMEOUT)
    except asyncio.TimeoutError:
        await websocket.close(
            code=status.WS_1008_POLICY_VIOLATION,
            reason="authentication timed out",
        )
        return
    except WebSocketDisconnect:
        return  # the client left without a word
    user = TOKENS.get(token)
    if user is None:
        await websocket.close(
            code=status.WS_1008_POLICY_VIOLATION,
            reason="invalid token",
        )
        return
    # endregion
    await websocket.send_text(f"Welcome, {user}!")
    async for text in websocket.iter_text():
        await websocket.send_text(f"{user}: {text}")
