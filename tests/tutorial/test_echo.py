import pytest
from fastapi import FastAPI, status
from fastapi.testclient import TestClient

from docs_src.tutorial import echo
from tests.tutorial.helpers import closed_by_server, connect, get_page


@pytest.fixture
def app() -> FastAPI:
    return echo.app


def test_page(client: TestClient) -> None:
    page = get_page(client)
    assert page.title == "WebSocket echo"
    assert page.h1 == "WebSocket echo"
    assert page.elements["message"].tag == "input"
    assert page.elements["message"].attrs["autocomplete"] == "off"
    assert page.labels["message"] == "Message"
    assert page.elements["send"].tag == "button"
    assert "new WebSocket(`${scheme}//${location.host}/ws`)" in page.script


def test_echo(client: TestClient) -> None:
    with connect(client, "/ws") as websocket:
        websocket.send_text("Hello")
        assert websocket.receive_text() == "You said: Hello"
        websocket.send_text("Still there?")
        assert websocket.receive_text() == "You said: Still there?"


def test_binary_message_closes_with_1003(client: TestClient) -> None:
    with connect(client, "/ws") as websocket:
        websocket.send_text("Hello")
        assert websocket.receive_text() == "You said: Hello"
        websocket.send_bytes(b"Hello")
        closed = closed_by_server(websocket)
    assert closed.code == status.WS_1003_UNSUPPORTED_DATA
