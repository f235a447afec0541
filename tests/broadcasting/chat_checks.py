"""The chat every broadcasting example speaks, checked the same way for each."""

import pytest
from fastapi import FastAPI, WebSocketDisconnect, status
from fastapi.testclient import TestClient


def check_two_clients_chat(app: FastAPI) -> None:
    """Alice and Bob talk while both read; Alice hears Bob leave."""
    with (
        TestClient(app) as client,
        client.websocket_connect("/ws/1") as alice,
        client.websocket_connect("/ws/2") as bob,
    ):
        alice.send_text("Hi, Bob")
        assert alice.receive_text() == "You wrote: Hi, Bob"
        assert alice.receive_text() == "Client #1 says: Hi, Bob"
        assert bob.receive_text() == "Client #1 says: Hi, Bob"
        bob.close()
        assert alice.receive_text() == "Client #2 left the chat"
        alice.close()


def check_a_binary_frame_is_refused(app: FastAPI) -> None:
    """Bob sends bytes to a text chat: closed with 1003, and Alice hears him go."""
    with (
        TestClient(app) as client,
        client.websocket_connect("/ws/1") as alice,
        client.websocket_connect("/ws/2") as bob,
    ):
        bob.send_bytes(b"\x00\x01")
        with pytest.raises(WebSocketDisconnect) as closed:
            bob.receive_text()
        assert closed.value.code == status.WS_1003_UNSUPPORTED_DATA
        assert alice.receive_text() == "Client #2 left the chat"
