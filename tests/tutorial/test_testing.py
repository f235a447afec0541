import pytest
from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status
from fastapi.testclient import TestClient

from docs_src.tutorial import testing


def test_ping_pong() -> None:
    testing.test_ping_pong()


def test_binary_is_refused() -> None:
    testing.test_binary_is_refused()


def test_rejects_missing_token() -> None:
    testing.test_rejects_missing_token()


def test_rejection_test_can_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    # With no token required, the handshake succeeds and the example test fails.
    monkeypatch.setattr(testing, "TOKEN", None)
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        testing.test_rejects_missing_token()


def test_the_documented_token_opens_the_socket() -> None:
    # What a reader of the page would type: the token as written there.
    client = TestClient(testing.app)
    with client.websocket_connect("/ws?token=test-token") as websocket:
        websocket.send_text("hi")
        assert websocket.receive_text() == "pong: hi"


# The page's warning about pytest.raises(), one half per test.

leaky = FastAPI()


@leaky.websocket("/ws")
async def lets_disconnect_escape(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:  # no try: the client's close escapes as WebSocketDisconnect
        await websocket.send_text(await websocket.receive_text())


def test_code_after_the_raising_line_never_runs() -> None:
    client = TestClient(testing.app)
    reached = []
    with pytest.raises(WebSocketDisconnect) as exc_info:
        with client.websocket_connect("/ws"):  # refused: raises here
            reached.append("body")
        reached.append("after the with")
        assert exc_info.value.code == 1234  # would fail, but never runs
    assert reached == []
    assert exc_info.value.code == status.WS_1008_POLICY_VIOLATION


def test_a_failed_assertion_is_swallowed_when_disconnect_escapes() -> None:
    client = TestClient(leaky)
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/ws") as ws:
        ws.send_text("hi")
        assert ws.receive_text() == "something else"  # fails...
    # ...but leaving the block closed the socket, the endpoint's
    # WebSocketDisconnect came out of the block instead, and the test passes.


def test_a_failed_assertion_shows_when_the_endpoint_returns_quietly() -> None:
    client = TestClient(testing.app)
    with (
        pytest.raises(AssertionError),  # the failure comes out, unswallowed
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect(f"/ws?token={testing.TOKEN}") as ws,
    ):
        ws.send_text("hi")
        assert ws.receive_text() == "something else"
