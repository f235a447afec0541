import pytest
from fastapi import FastAPI, status
from fastapi.testclient import TestClient

from docs_src.tutorial import text_messages
from tests.tutorial.helpers import closed_by_server, connect


@pytest.fixture
def app() -> FastAPI:
    return text_messages.app


def test_replies_in_upper_case(client: TestClient) -> None:
    with connect(client, "/ws") as websocket:
        websocket.send_text("hello, world")
        assert websocket.receive_text() == "HELLO, WORLD"
        websocket.send_text("Grüße")
        assert websocket.receive_text() == "GRÜSSE"


def test_binary_message_closes_with_1003(client: TestClient) -> None:
    with connect(client, "/ws") as websocket:
        websocket.send_bytes(b"hello")
        closed = closed_by_server(websocket)
    assert closed.code == status.WS_1003_UNSUPPORTED_DATA
