import pytest
from fastapi.testclient import TestClient

from docs_src.tutorial import testing


def test_ping_pong() -> None:
    testing.test_ping_pong()


def test_json_round_trip() -> None:
    testing.test_json_round_trip()


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
