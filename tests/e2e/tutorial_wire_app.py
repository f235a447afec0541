"""Endpoints behind the tutorial page's statements about the wire.

Not an example: each endpoint does one thing the page describes (an
HTTPException before accept, FastAPI's security classes, a crash after
accept, an overlong close reason), so the end-to-end tests can show what a
real client and the server log make of it.
"""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, WebSocket, WebSocketDisconnect
from fastapi.security import (
    HTTPAuthorizationCredentials,
    HTTPBearer,
    OAuth2PasswordBearer,
)

app = FastAPI()

bearer = HTTPBearer()
oauth2 = OAuth2PasswordBearer(tokenUrl="token")


@app.websocket("/http-exception")
async def http_exception(websocket: WebSocket) -> None:
    raise HTTPException(status_code=401, detail="token required")


@app.websocket("/http-exception-after-accept")
async def http_exception_after_accept(websocket: WebSocket) -> None:
    await websocket.accept()
    raise HTTPException(status_code=401, detail="token required")


@app.websocket("/bearer")
async def with_bearer(
    websocket: WebSocket,
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
) -> None:
    await websocket.accept()
    await websocket.send_text(f"token: {credentials.credentials}")
    await websocket.close()


@app.websocket("/oauth2")
async def with_oauth2(
    websocket: WebSocket, token: Annotated[str, Depends(oauth2)]
) -> None:
    await websocket.accept()
    await websocket.send_text(f"token: {token}")
    await websocket.close()


@app.websocket("/crash")
async def crash(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.receive_text()
    raise ValueError("a bug after accept()")


@app.websocket("/close-reason/{length}")
async def close_with_reason(websocket: WebSocket, length: int) -> None:
    await websocket.accept()
    await websocket.close(code=4000, reason="x" * length)


@app.websocket("/observe")
async def observe(websocket: WebSocket) -> None:
    """Say how the client left, as the endpoint saw it, in the server log."""
    await websocket.accept()
    try:
        while True:
            await websocket.receive_text()
    except WebSocketDisconnect as gone:
        print(f"client left with code {gone.code}", flush=True)


@app.websocket("/send-after-leave")
async def send_after_leave(websocket: WebSocket) -> None:
    """Wait for the client to leave, then try to send: say what happened."""
    await websocket.accept()
    message = await websocket.receive()
    assert message["type"] == "websocket.disconnect", message
    try:
        await websocket.send_text("anyone there?")
    except WebSocketDisconnect as error:
        print(f"send after leaving: WebSocketDisconnect {error.code}", flush=True)
    else:
        print("send after leaving: no error", flush=True)


FLOOD_MESSAGES = 1000
FLOOD_SIZE = 64 * 1024  # 64 MiB in all: far more than any socket buffer holds
flood_sent = threading.Event()  # for TestClient, which runs the app in-process


@app.websocket("/flood")
async def flood(websocket: WebSocket) -> None:
    """Send far more than the network buffers hold; say when it is all sent."""
    await websocket.accept()
    chunk = "x" * FLOOD_SIZE
    for _ in range(FLOOD_MESSAGES):
        await websocket.send_text(chunk)
    flood_sent.set()
    print("flood sent", flush=True)
    await websocket.close()


@app.websocket("/starlette-receive-text")
async def starlette_receive_text(websocket: WebSocket) -> None:
    """Starlette's own receive_text(), which the tutorial's helper replaces."""
    await websocket.accept()
    await websocket.send_text(await websocket.receive_text())


@app.websocket("/starlette-receive-json")
async def starlette_receive_json(websocket: WebSocket) -> None:
    """Starlette's own receive_json() and send_json(), with no checks."""
    await websocket.accept()
    await websocket.send_json(await websocket.receive_json())
