import importlib

import pytest
from fastapi import FastAPI, status
from fastapi.testclient import TestClient

from docs_src.security import idle_timeout
from tests.security.helpers import closed_by_server


@pytest.fixture
def app() -> FastAPI:
    return idle_timeout.app


def test_default_timeout() -> None:
    assert idle_timeout.IDLE_TIMEOUT == 300.0


def test_echo(client: TestClient) -> None:
    # Leaving the block closes the socket; the endpoint returns quietly.
    with client.websocket_connect("/ws") as websocket:
        for text in ("Hello", "Still here"):
            websocket.send_text(text)
            assert websocket.receive_text() == f"You said: {text}"


def test_silent_client_is_closed(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idle_timeout, "IDLE_TIMEOUT", 0.05)
    with client.websocket_connect("/ws") as websocket:
        closed = closed_by_server(websocket)
    assert closed.code == status.WS_1000_NORMAL_CLOSURE
    assert closed.reason == "idle timeout"


def test_client_gone_quiet_after_talking_is_closed(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Long enough for the test to send its message, short enough to wait for.
    monkeypatch.setattr(idle_timeout, "IDLE_TIMEOUT", 0.5)
    with client.websocket_connect("/ws") as websocket:
        websocket.send_text("Hello")
        assert websocket.receive_text() == "You said: Hello"
        closed = closed_by_server(websocket)
    assert closed.code == status.WS_1000_NORMAL_CLOSURE
    assert closed.reason == "idle timeout"


def test_the_limit_can_be_set_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IDLE_TIMEOUT", "2.5")
    try:
        assert importlib.reload(idle_timeout).IDLE_TIMEOUT == 2.5
    finally:
        monkeypatch.delenv("IDLE_TIMEOUT")
        importlib.reload(idle_timeout)
    assert idle_timeout.IDLE_TIMEOUT == 300.0


def test_a_binary_message_is_closed_with_1003(client: TestClient) -> None:
    with client.websocket_connect("/ws") as websocket:
        websocket.send_text("Hello")
        assert websocket.receive_text() == "You said: Hello"
        websocket.send_bytes(b"Hello")
        closed = closed_by_server(websocket)
    assert closed.code == status.WS_1003_UNSUPPORTED_DATA
    assert closed.reason == "text messages only"
