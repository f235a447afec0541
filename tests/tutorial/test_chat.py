import asyncio
from collections.abc import Iterator
from typing import cast

import pytest
from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status
from fastapi.testclient import TestClient

from docs_src.tutorial import chat
from docs_src.tutorial.chat import ConnectionManager
from tests.tutorial.helpers import closed_by_server, get_page


@pytest.fixture
def app() -> FastAPI:
    return chat.app


@pytest.fixture(autouse=True)
def empty_room() -> Iterator[None]:
    """Every test starts with nobody connected and leaves nobody behind."""
    assert chat.manager.active == set()
    yield
    assert chat.manager.active == set()


class GoneSocket:
    """Stands in for a client that has left: sending to it fails."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.sends = 0

    async def send_text(self, message: str) -> None:
        self.sends += 1
        raise self.error


class ListeningSocket:
    """Stands in for a client that is still there: it keeps what it is sent."""

    def __init__(self) -> None:
        self.received: list[str] = []

    async def send_text(self, message: str) -> None:
        self.received.append(message)


GONE_ERRORS = [
    pytest.param(WebSocketDisconnect(code=1006), id="WebSocketDisconnect"),
    pytest.param(
        RuntimeError('Cannot call "send" once a close message has been sent.'),
        id="RuntimeError",
    ),
]


def test_page(client: TestClient) -> None:
    page = get_page(client)
    assert page.title == "Chat"
    assert page.elements["client-id"].tag == "span"
    assert 'Your ID: <span id="client-id"></span>' in page.html
    assert page.elements["message"].tag == "input"
    assert page.labels["message"] == "Message"
    assert page.elements["send"].tag == "button"
    assert "const clientId = Date.now();" in page.script
    assert "new WebSocket(`${scheme}//${location.host}/ws/${clientId}`)" in page.script


def test_two_clients(client: TestClient) -> None:
    with (
        client.websocket_connect("/ws/1") as alice,
        client.websocket_connect("/ws/2") as bob,
    ):
        alice.send_text("Hi, Bob")
        assert alice.receive_text() == "You wrote: Hi, Bob"
        assert alice.receive_text() == "Client #1 says: Hi, Bob"
        assert bob.receive_text() == "Client #1 says: Hi, Bob"

        bob.send_text("Hi, Alice")
        assert bob.receive_text() == "You wrote: Hi, Alice"
        assert bob.receive_text() == "Client #2 says: Hi, Alice"
        assert alice.receive_text() == "Client #2 says: Hi, Alice"

        bob.close()
        assert alice.receive_text() == "Client #2 left the chat"

        alice.send_text("Anyone?")
        assert alice.receive_text() == "You wrote: Anyone?"
        assert alice.receive_text() == "Client #1 says: Anyone?"


def test_binary_message_closes_with_1003_and_says_goodbye(client: TestClient) -> None:
    with (
        client.websocket_connect("/ws/1") as alice,
        client.websocket_connect("/ws/2") as bob,
    ):
        bob.send_bytes(b"Hi")
        closed = closed_by_server(bob)
        assert closed.code == status.WS_1003_UNSUPPORTED_DATA
        # Bob's handler ended through its `except`: he left like anyone else.
        assert alice.receive_text() == "Client #2 left the chat"
        alice.send_text("Still here")
        assert alice.receive_text() == "You wrote: Still here"
        assert alice.receive_text() == "Client #1 says: Still here"


@pytest.mark.parametrize("error", GONE_ERRORS)
def test_a_gone_client_does_not_break_the_chat(
    client: TestClient, error: Exception
) -> None:
    gone = GoneSocket(error)
    with client.websocket_connect("/ws/1") as alice:
        chat.manager.active.add(cast(WebSocket, gone))

        alice.send_text("Hello")
        assert alice.receive_text() == "You wrote: Hello"
        assert alice.receive_text() == "Client #1 says: Hello"
        alice.send_text("Still here")
        assert alice.receive_text() == "You wrote: Still here"
        assert alice.receive_text() == "Client #1 says: Still here"

        # The first broadcast found it gone and dropped it: no second try.
        assert gone.sends == 1
        assert cast(WebSocket, gone) not in chat.manager.active
        # Forgetting it again is harmless.
        chat.manager.disconnect(cast(WebSocket, gone))


@pytest.mark.parametrize("error", GONE_ERRORS)
def test_broadcast_reaches_everyone_still_there(error: Exception) -> None:
    manager = ConnectionManager()
    listeners = [ListeningSocket() for _ in range(3)]
    gone = [GoneSocket(error) for _ in range(2)]
    for socket in [*listeners, *gone]:
        manager.active.add(cast(WebSocket, socket))

    asyncio.run(manager.broadcast("one"))
    asyncio.run(manager.broadcast("two"))

    assert [listener.received for listener in listeners] == [["one", "two"]] * 3
    assert [socket.sends for socket in gone] == [1, 1]
    assert manager.active == {cast(WebSocket, listener) for listener in listeners}


def test_disconnect_twice_is_harmless() -> None:
    manager = ConnectionManager()
    socket = cast(WebSocket, ListeningSocket())
    manager.active.add(socket)
    manager.disconnect(socket)
    manager.disconnect(socket)
    assert manager.active == set()
