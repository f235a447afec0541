import importlib

import pytest
from fastapi import FastAPI, status
from fastapi.testclient import TestClient

from docs_src.security import first_message_auth
from tests.security.helpers import closed_by_server


@pytest.fixture
def app() -> FastAPI:
    return first_message_auth.app


def test_default_deadline() -> None:
    assert first_message_auth.AUTH_TIMEOUT == 10.0


@pytest.mark.parametrize(
    ("token", "user"), [("alice-token", "alice"), ("bob-token", "bob")]
)
def test_good_token(client: TestClient, token: str, user: str) -> None:
    with client.websocket_connect("/ws") as websocket:
        websocket.send_text(token)
        assert websocket.receive_text() == f"Welcome, {user}!"
        # Once in, every message is a message: no second token is asked for.
        websocket.send_text("alice-token")
        assert websocket.receive_text() == f"{user}: alice-token"
        websocket.send_text("Hello")
        assert websocket.receive_text() == f"{user}: Hello"


@pytest.mark.parametrize("token", ["carol-token", "", "ALICE-TOKEN", " alice-token"])
def test_bad_token_is_closed_with_1008(client: TestClient, token: str) -> None:
    with client.websocket_connect("/ws") as websocket:
        websocket.send_text(token)
        closed = closed_by_server(websocket)
    assert closed.code == status.WS_1008_POLICY_VIOLATION
    assert closed.reason == "invalid token"


def test_silence_is_closed_with_1008_after_the_deadline(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(first_message_auth, "AUTH_TIMEOUT", 0.05)
    with client.websocket_connect("/ws") as websocket:
        closed = closed_by_server(websocket)
    assert closed.code == status.WS_1008_POLICY_VIOLATION
    assert closed.reason == "authentication timed out"


def test_a_client_that_leaves_without_a_word(client: TestClient) -> None:
    # The endpoint returns quietly: an exception would be re-raised here.
    with client.websocket_connect("/ws"):
        pass


def test_a_client_that_leaves_after_logging_in(client: TestClient) -> None:
    with client.websocket_connect("/ws") as websocket:
        websocket.send_text("alice-token")
        assert websocket.receive_text() == "Welcome, alice!"


def test_the_limit_can_be_set_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AUTH_TIMEOUT", "2.5")
    try:
        assert importlib.reload(first_message_auth).AUTH_TIMEOUT == 2.5
    finally:
        monkeypatch.delenv("AUTH_TIMEOUT")
        importlib.reload(first_message_auth)
    assert first_message_auth.AUTH_TIMEOUT == 10.0


def test_a_binary_token_is_closed_with_1003(client: TestClient) -> None:
    with client.websocket_connect("/ws") as websocket:
        websocket.send_bytes(b"alice-token")
        closed = closed_by_server(websocket)
    assert closed.code == status.WS_1003_UNSUPPORTED_DATA
    assert closed.reason == "text messages only"


def test_a_binary_message_after_logging_in_is_closed_with_1003(
    client: TestClient,
) -> None:
    with client.websocket_connect("/ws") as websocket:
        websocket.send_text("alice-token")
        assert websocket.receive_text() == "Welcome, alice!"
        websocket.send_bytes(b"Hello")
        closed = closed_by_server(websocket)
    assert closed.code == status.WS_1003_UNSUPPORTED_DATA
    assert closed.reason == "text messages only"
