import secrets
from typing import Annotated

from fastapi import (
    Cookie,
    Depends,
    FastAPI,
    Header,
    Response,
    WebSocket,
    WebSocketDisconnect,
    WebSocketException,
    status,
)

app = FastAPI()

# region allowed
# The pages allowed to open the socket, written as browsers send them in the
# Origin header: scheme, host and port. In production: {"https://example.com"}.
ALLOWED_ORIGINS = {"http://127.0.0.1:8000", "http://localhost:8000"}
# endregion

# Session ID -> user name. A real app keeps its sessions in a database.
SESSIONS: dict[str, str] = {}


# region login
@app.post("/login")
async def login(response: Response) -> dict[str, str]:
    user = "alice"  # a real app checks the user's password here
    session_id = secrets.token_urlsafe(32)
    SESSIONS[session_id] = user
    response.set_cookie(
        "session",
        session_id,
        httponly=True,  # out of reach of JavaScript
        samesite="lax",  # left out of cross-site requests, handshakes included
        secure=True,  # over HTTPS only
    )
    return {"user": user}


# endregion


# region check-origin
async def check_origin(origin: Annotated[str | None, Header()] = None) -> None:
    # Browsers always send Origin with a handshake; other clients may not.
    if origin is not None and origin not in ALLOWED_ORIGINS:
        raise WebSocketException(
            code=status.WS_1008_POLICY_VIOLATION,
            reason="origin not allowed",
        )


# endregion


async def receive_text(websocket: WebSocket) -> str:
    """The next message, which must be text: a binary one ends the connection."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message["code"], message.get("reason"))
    text = message.get("text")
    if text is None:
        await websocket.close(
            code=status.WS_1003_UNSUPPORTED_DATA,
            reason="text messages only",
        )
        # For the caller, the conversation is over either way.
        raise WebSocketDisconnect(status.WS_1003_UNSUPPORTED_DATA)
    return text


async def current_user(session: Annotated[str | None, Cookie()] = None) -> str:
    if session is None or session not in SESSIONS:
        raise WebSocketException(
            code=status.WS_1008_POLICY_VIOLATION,
            reason="not logged in",
        )
    return SESSIONS[session]


# region endpoint
@app.websocket("/ws", dependencies=[Depends(check_origin)])
async def chat(
    websocket: WebSocket, user: Annotated[str, Depends(current_user)]
) -> None:
    # endregion
    await websocket.accept()
    try:
        await websocket.send_text(f"Welcome, {user}!")
        while True:
            text = await receive_text(websocket)
            await websocket.send_text(f"{user}: {text}")
    except (WebSocketDisconnect, RuntimeError):
        # RuntimeError: the server gave up on the client (an unanswered ping)
        # while a send waited for it.
        pass  # the client has gone, perhaps in the middle of a send
