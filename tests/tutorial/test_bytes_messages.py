import pytest
from fastapi import FastAPI, status
from fastapi.testclient import TestClient

from docs_src.tutorial import bytes_messages
from tests.tutorial.helpers import closed_by_server, connect


@pytest.fixture
def app() -> FastAPI:
    return bytes_messages.app


def test_replies_with_bytes_reversed(client: TestClient) -> None:
    with connect(client, "/ws") as websocket:
        websocket.send_bytes(b"\x00\x01\x02\xff")
        assert websocket.receive_bytes() == b"\xff\x02\x01\x00"
        websocket.send_bytes(b"stressed")
        assert websocket.receive_bytes() == b"desserts"


def test_text_message_closes_with_1003(client: TestClient) -> None:
    with connect(client, "/ws") as websocket:
        websocket.send_text("stressed")
        closed = closed_by_server(websocket)
    assert closed.code == status.WS_1003_UNSUPPORTED_DATA
