import pytest
from fastapi import FastAPI, status
from fastapi.testclient import TestClient

from docs_src.tutorial import subprotocols
from tests.tutorial.helpers import closed_by_server, connect, refusal


@pytest.fixture
def app() -> FastAPI:
    return subprotocols.app


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [
        (["chat.v1"], "chat.v1"),
        (["chat.v2"], "chat.v2"),
        # The server's preference wins, whatever order the client offers them in.
        (["chat.v1", "chat.v2"], "chat.v2"),
        (["chat.v2", "chat.v1"], "chat.v2"),
        (["chat.v3", "chat.v1"], "chat.v1"),
    ],
)
def test_agrees_on_a_subprotocol(
    client: TestClient, offered: list[str], chosen: str
) -> None:
    with connect(client, "/ws", subprotocols=offered) as websocket:
        assert websocket.accepted_subprotocol == chosen
        websocket.send_text("Hello")
        assert websocket.receive_text() == f"[{chosen}] Hello"


@pytest.mark.parametrize("offered", [None, ["chat.v3"], ["CHAT.V2"]])
def test_refuses_without_a_common_subprotocol(
    client: TestClient, offered: list[str] | None
) -> None:
    closed = refusal(client, "/ws", subprotocols=offered)
    assert closed.code == status.WS_1002_PROTOCOL_ERROR


def test_binary_message_closes_with_1003(client: TestClient) -> None:
    with connect(client, "/ws", subprotocols=["chat.v1"]) as websocket:
        websocket.send_bytes(b"Hello")
        closed = closed_by_server(websocket)
    assert closed.code == status.WS_1003_UNSUPPORTED_DATA
