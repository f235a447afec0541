"""The heartbeat example in process, with TestClient.

What nginx and a browser do with it is tested for real in
tests/e2e/test_deploy_behind_nginx.py.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from docs_src.deploy import heartbeat


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(heartbeat.app) as test_client:
        yield test_client


def test_page_builds_the_socket_address_from_its_own(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "<title>Echo behind a proxy</title>" in response.text
    assert "const url = `${scheme}//${location.host}${base}ws`;" in response.text


def test_hello_then_echo(client: TestClient) -> None:
    with client.websocket_connect("/ws") as websocket:
        assert websocket.receive_json() == {
            "type": "hello",
            "heartbeat": 20.0,
            "scheme": "ws",
            "client": "testclient",
            "host": "testserver",
            "root_path": "",
        }
        websocket.send_json({"type": "heartbeat"})  # answered heartbeats need no reply
        websocket.send_json({"type": "message", "text": "Hi"})
        assert websocket.receive_json() == {"type": "echo", "text": "Hi"}


def test_heartbeats_arrive(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heartbeat, "HEARTBEAT_INTERVAL", 0.01)
    with client.websocket_connect("/ws") as websocket:
        websocket.receive_json()
        assert websocket.receive_json() == {"type": "heartbeat"}
        assert websocket.receive_json() == {"type": "heartbeat"}


@pytest.mark.parametrize(
    ("send", "code", "reason"),
    [
        (lambda ws: ws.send_bytes(b"\x00"), 1003, "text frames only"),
        (lambda ws: ws.send_text("{"), 1007, "bad JSON"),
        (lambda ws: ws.send_text('{"text": NaN}'), 1007, "bad JSON"),
        (lambda ws: ws.send_text("[1, 2]"), 1007, "bad JSON"),
    ],
)
def test_bad_frames_close_the_connection(
    client: TestClient, send: object, code: int, reason: str
) -> None:
    with client.websocket_connect("/ws") as websocket:
        websocket.receive_json()
        send(websocket)  # type: ignore[operator]
        with pytest.raises(WebSocketDisconnect) as closed:
            websocket.receive_json()
    assert (closed.value.code, closed.value.reason) == (code, reason)


def test_a_silent_client_is_closed(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(heartbeat, "CLIENT_TIMEOUT", 0.05)
    with client.websocket_connect("/ws") as websocket:
        websocket.receive_json()
        with pytest.raises(WebSocketDisconnect) as closed:
            websocket.receive_json()
    assert (closed.value.code, closed.value.reason) == (1000, "no heartbeat")


def test_a_full_server_says_try_again_later(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(heartbeat, "MAX_CONNECTIONS", 1)
    with client.websocket_connect("/ws") as first:
        first.receive_json()
        with (
            client.websocket_connect("/ws") as second,
            pytest.raises(WebSocketDisconnect) as closed,
        ):
            second.receive_json()
        assert (closed.value.code, closed.value.reason) == (1013, "server full")
    with client.websocket_connect("/ws") as third:  # room again
        assert third.receive_json()["type"] == "hello"
    assert heartbeat.open_sockets == set()


def test_a_client_that_leaves_ends_the_handler(client: TestClient) -> None:
    with client.websocket_connect("/ws") as websocket:
        websocket.receive_json()
        websocket.close()
    assert heartbeat.open_sockets == set()


def test_constants_are_refused() -> None:
    with pytest.raises(ValueError, match="Infinity is not valid JSON"):
        json.loads("Infinity", parse_constant=heartbeat.reject_constant)


def test_a_send_to_a_client_that_has_gone_ends_the_handler() -> None:
    # Under a server, a send to a closed socket fails with OSError, which
    # Starlette turns into WebSocketDisconnect (the end-to-end tests do it for
    # real); here the ASGI send fails the same way.
    incoming = [{"type": "websocket.connect"}]

    async def receive() -> dict[str, object]:
        return incoming.pop(0)

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "websocket.send":
            raise OSError("the client has gone")

    scope = {"type": "websocket", "path": "/ws", "headers": [], "query_string": b""}
    asyncio.run(heartbeat.echo(WebSocket(scope, receive, send)))
    assert heartbeat.open_sockets == set()
