import pytest
from fastapi import FastAPI, WebSocket, WebSocketDisconnect, WebSocketException, status
from fastapi.testclient import TestClient

# region app
TOKEN = "test-token"

app = FastAPI()


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


@app.websocket("/ws")
async def ping(websocket: WebSocket, token: str | None = None) -> None:
    if token != TOKEN:
        raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION)
    await websocket.accept()
    try:
        while True:
            text = await receive_text(websocket)
            await websocket.send_text(f"pong: {text}")
    except (WebSocketDisconnect, RuntimeError):
        # Returning quietly lets a test's `with` block end without an error.
        pass


# endregion


# region tests
client = TestClient(app)


def test_ping_pong() -> None:
    with client.websocket_connect(f"/ws?token={TOKEN}") as websocket:
        websocket.send_text("ping")
        assert websocket.receive_text() == "pong: ping"
        websocket.send_text("again")
        assert websocket.receive_text() == "pong: again"


def test_binary_is_refused() -> None:
    with client.websocket_connect(f"/ws?token={TOKEN}") as websocket:
        websocket.send_bytes(b"ping")
        with pytest.raises(WebSocketDisconnect) as exc_info:
            websocket.receive_text()
    assert exc_info.value.code == status.WS_1003_UNSUPPORTED_DATA


def test_rejects_missing_token() -> None:
    # The handshake is refused, so the body never runs: assert after the block.
    with (
        pytest.raises(WebSocketDisconnect) as exc_info,
        client.websocket_connect("/ws"),
    ):
        pass
    assert exc_info.value.code == status.WS_1008_POLICY_VIOLATION


# endregion
