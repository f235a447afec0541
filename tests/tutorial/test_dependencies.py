import importlib

import pytest
from fastapi import FastAPI, status
from fastapi.testclient import TestClient

from tests.tutorial.helpers import closed_by_server, connect, get_page, refusal

AUTH_BY_TOKEN = "Authenticated with token, scopes: items:read, items:write"
AUTH_BY_COOKIE = "Authenticated with session cookie, scopes: items:read, items:write"


@pytest.fixture(params=["dependencies_an_py310", "dependencies_py310"])
def app(request: pytest.FixtureRequest) -> FastAPI:
    module = importlib.import_module(f"docs_src.tutorial.{request.param}")
    return module.app


def test_page(client: TestClient) -> None:
    page = get_page(client)
    assert page.title == "Dependencies"
    assert page.elements["item-id"].attrs["value"] == "foo"
    assert page.labels["item-id"] == "Item ID"
    assert page.elements["token"].attrs["value"] == "some-key-token"
    assert page.labels["token"] == "Token"
    assert page.elements["connect"].tag == "button"
    # The message form stays disabled until the socket is open.
    assert "disabled" in page.elements["message"].attrs
    assert "disabled" in page.elements["send"].attrs
    assert page.labels["message"] == "Message"
    assert "/items/${encodeURIComponent(itemId.value)}/ws" in page.script
    assert "`${scheme}//${location.host}${path}${query}`" in page.script
    for shown in ('"Connected"', "`Connection closed (code ${event.code})`"):
        assert shown in page.script
    assert '"Connection refused"' in page.script


def test_token(client: TestClient) -> None:
    with connect(client, "/items/foo/ws?token=some-key-token") as websocket:
        websocket.send_text("Hello")
        assert websocket.receive_text() == "Item foo: Hello"
        assert websocket.receive_text() == AUTH_BY_TOKEN
        assert websocket.receive_text() == "User-Agent: testclient"


def test_session_cookie(client: TestClient) -> None:
    client.cookies.set("session", "some-session")
    with connect(client, "/items/foo/ws") as websocket:
        websocket.send_text("Hello")
        assert websocket.receive_text() == "Item foo: Hello"
        assert websocket.receive_text() == AUTH_BY_COOKIE
        assert websocket.receive_text() == "User-Agent: testclient"


def test_session_cookie_wins_over_token(client: TestClient) -> None:
    client.cookies.set("session", "some-session")
    with connect(client, "/items/foo/ws?token=some-key-token") as websocket:
        websocket.send_text("Hello")
        assert websocket.receive_text() == "Item foo: Hello"
        assert websocket.receive_text() == AUTH_BY_COOKIE


def test_q(client: TestClient) -> None:
    with connect(client, "/items/foo/ws?token=some-key-token&q=3") as websocket:
        websocket.send_text("Hello")
        assert websocket.receive_text() == "Item foo: Hello"
        assert websocket.receive_text() == "q = 3"
        assert websocket.receive_text() == AUTH_BY_TOKEN
        assert websocket.receive_text() == "User-Agent: testclient"


def test_user_agent(client: TestClient) -> None:
    headers = {"user-agent": "guide-browser/1.0"}
    with connect(client, "/items/foo/ws?token=t", headers=headers) as websocket:
        websocket.send_text("Hello")
        assert websocket.receive_text() == "Item foo: Hello"
        assert websocket.receive_text() == AUTH_BY_TOKEN
        assert websocket.receive_text() == "User-Agent: guide-browser/1.0"


def test_without_q_or_user_agent(client: TestClient) -> None:
    del client.headers["user-agent"]
    with connect(client, "/items/foo/ws?token=some-key-token") as websocket:
        websocket.send_text("Hello")
        websocket.send_text("Again")
        # Nothing comes between one message's replies and the next's.
        assert websocket.receive_text() == "Item foo: Hello"
        assert websocket.receive_text() == AUTH_BY_TOKEN
        assert websocket.receive_text() == "Item foo: Again"
        assert websocket.receive_text() == AUTH_BY_TOKEN


def test_item_id_is_decoded(client: TestClient) -> None:
    with connect(client, "/items/big%20box/ws?token=t") as websocket:
        websocket.send_text("Hello")
        assert websocket.receive_text() == "Item big box: Hello"


def test_no_credentials_is_refused(client: TestClient) -> None:
    closed = refusal(client, "/items/foo/ws")
    assert closed.code == status.WS_1008_POLICY_VIOLATION


def test_q_must_be_an_integer(client: TestClient) -> None:
    closed = refusal(client, "/items/foo/ws?token=t&q=three")
    assert closed.code == status.WS_1008_POLICY_VIOLATION
    # FastAPI passes the validation errors, a list, as the close reason.
    [error] = closed.reason
    assert error["type"] == "int_parsing"
    assert error["loc"] == ["query", "q"]
    assert error["input"] == "three"


def test_binary_message_closes_with_1003(client: TestClient) -> None:
    with connect(client, "/items/foo/ws?token=t") as websocket:
        websocket.send_bytes(b"Hello")
        closed = closed_by_server(websocket)
    assert closed.code == status.WS_1003_UNSUPPORTED_DATA
