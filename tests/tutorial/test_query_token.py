import pytest
from fastapi import FastAPI, status
from fastapi.testclient import TestClient

from docs_src.tutorial import query_token
from tests.tutorial.helpers import connect, refusal


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
