import pytest
from fastapi import FastAPI, WebSocket, WebSocketDisconnect, WebSocketException, status
from fastapi.testclient import TestClient

# region app
TOKEN = "test-token"

app = FastAPI()


@app.websocket("/ws")
async def ping(websocket: WebSocket, token: str | None = None) -> None:
    if token != TOKEN:
        raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION)
    await websocket.accept()
    # iter_text() ends when the client disconnects, so the endpoint returns
    # normally and a test's `with` block exits without an exception.
    async for text in websocket.iter_text():
        await websocket.send_text(f"pong: {text}")


@app.websocket("/ws/json")
async def json_echo(websocket: WebSocket) -> None:
    await websocket.accept()
    async for data in websocket.iter_json():
        await websocket.send_json(data)


# endregion


# region tests
client = TestClient(app)


def test_ping_pong() -> None:
    with client.websocket_connect(f"/ws?token={TOKEN}") as websocket:
        websocket.send_text("ping")
        assert websocket.receive_text() == "pong: ping"


def test_json_round_trip() -> None:
    message = {"id": 7, "tags": ["a", "b"], "done": False}
    with client.websocket_connect("/ws/json") as websocket:
        websocket.send_json(message)
        assert websocket.receive_json() == message


def test_rejects_missing_token() -> None:
    # The handshake is refused, so the body never runs: assert after the block.
    with (
        pytest.raises(WebSocketDisconnect) as exc_info,
        client.websocket_connect("/ws"),
    ):
        pass
    assert exc_info.value.code == status.WS_1008_POLICY_VIOLATION


# endregion
