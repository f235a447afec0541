import pytest
from fastapi import FastAPI, status
from fastapi.testclient import TestClient

from docs_src.tutorial import query_token
from tests.tutorial.helpers import closed_by_server, connect, refusal


@pytest.fixture
def app() -> FastAPI:
    return query_token.app


@pytest.mark.parametrize(
    ("token", "user"), [("alice-token", "alice"), ("bob-token", "bob")]
)
def test_known_token(client: TestClient, token: str, user: str) -> None:
    with connect(client, f"/ws?token={token}") as websocket:
        assert websocket.receive_text() == f"Welcome, {user}!"
        websocket.send_text("Hello")
        assert websocket.receive_text() == f"{user}: Hello"


@pytest.mark.parametrize("url", ["/ws", "/ws?token=", "/ws?token=carol-token"])
def test_missing_or_unknown_token_is_refused(client: TestClient, url: str) -> None:
    closed = refusal(client, url)
    assert closed.code == status.WS_1008_POLICY_VIOLATION
    assert closed.reason == "invalid token"


def test_binary_message_closes_with_1003(client: TestClient) -> None:
    with connect(client, "/ws?token=alice-token") as websocket:
        assert websocket.receive_text() == "Welcome, alice!"
        websocket.send_bytes(b"Hello")
        closed = closed_by_server(websocket)
    assert closed.code == status.WS_1003_UNSUPPORTED_DATA
