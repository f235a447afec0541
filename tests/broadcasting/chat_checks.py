"""The chat every broadcasting example speaks, checked the same way for each."""

from fastapi import FastAPI
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
