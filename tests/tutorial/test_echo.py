import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from docs_src.tutorial import echo
from tests.tutorial.helpers import connect, get_page


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
