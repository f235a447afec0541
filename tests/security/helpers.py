"""Helpers for the security tests: refused handshakes and server-side closes."""

from typing import Any

import pytest
from fastapi import WebSocketDisconnect
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession


def refusal(client: TestClient, url: str, **kwargs: Any) -> WebSocketDisconnect:
    """Try to connect, expect the handshake to be refused, return how it closed."""
    with (
        pytest.raises(WebSocketDisconnect) as exc_info,
        client.websocket_connect(url, **kwargs),
    ):
        pass  # not reached when the handshake is refused
    return exc_info.value


def closed_by_server(websocket: WebSocketTestSession) -> WebSocketDisconnect:
    """Wait for the server to close an open socket, return how it closed."""
    with pytest.raises(WebSocketDisconnect) as exc_info:
        websocket.receive_text()
    return exc_info.value
