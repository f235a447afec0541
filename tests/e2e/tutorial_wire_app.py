"""Endpoints behind the tutorial page's statements about the wire.

Not an example: each endpoint does one thing the page describes (an
HTTPException before accept, FastAPI's security classes, a crash after
accept, an overlong close reason), so the end-to-end tests can show what a
real client and the server log make of it.
"""

from __future__ import annotations

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
