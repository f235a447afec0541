"""The metrics middleware, driven with ASGI messages as a server sends them.

The exact series after a real session under Uvicorn are checked in
tests/e2e/test_deploy_behind_nginx.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from docs_src.deploy import metrics
from docs_src.deploy.metrics import Message, Receive, Scope, Send, WebSocketMetrics

WEBSOCKET: Scope = {"type": "websocket", "path": "/ws"}


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def run(
    app: Callable[[Scope, Receive, Send], object], incoming: list[Message]
) -> list[Message]:
    """Run ``WebSocketMetrics(app)`` for one connection; what it sent."""
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        if message.get("fail"):
            raise OSError("the client has gone")
        sent.append(message)

    asyncio.run(WebSocketMetrics(app)(WEBSOCKET, receive, send))  # type: ignore[arg-type]
    return sent


def counts() -> dict[str, float]:
    return {
        "open": value("websocket_connections_open"),
        "received": value("websocket_messages_received_total"),
        "sent": value("websocket_messages_sent_total"),
    }


def test_a_conversation_that_the_client_ends() -> None:
    before = counts()
    closes = value("websocket_closes_total", code="1000", by="client")

    async def echo(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        assert value("websocket_connections_open") == before["open"] + 1
        while (message := await receive())["type"] == "websocket.receive":
            await send({"type": "websocket.send", "text": message["text"]})

    run(
        echo,
        [
            {"type": "websocket.connect"},
            {"type": "websocket.receive", "text": "a"},
            {"type": "websocket.receive", "text": "b"},
            {"type": "websocket.disconnect", "code": 1000},
        ],
    )
    after = counts()
    assert after == {
        "open": before["open"],
        "received": before["received"] + 2,
        "sent": before["sent"] + 2,
    }
    assert value("websocket_closes_total", code="1000", by="client") == closes + 1


def test_a_close_by_the_server_is_counted_once() -> None:
    before = value("websocket_closes_total", code="1013", by="server")

    async def drop(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": 1013})
        await receive()  # the client's answer to the close is not a second close

    run(
        drop,
        [{"type": "websocket.connect"}, {"type": "websocket.disconnect", "code": 1013}],
    )
    assert value("websocket_closes_total", code="1013", by="server") == before + 1


@pytest.mark.parametrize(
    ("refusal", "status"),
    [
        ({"type": "websocket.close", "code": 1008}, "403"),
        (
            {"type": "websocket.http.response.start", "status": 401, "headers": []},
            "401",
        ),
    ],
)
def test_refused_handshakes_by_status(refusal: Message, status: str) -> None:
    before = value("websocket_handshakes_refused_total", status=status)
    opened = value("websocket_connections_open")

    async def refuse(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send(refusal)
        if refusal["type"] == "websocket.http.response.start":
            await send({"type": "websocket.http.response.body", "body": b"no"})

    run(refuse, [{"type": "websocket.connect"}])
    assert value("websocket_handshakes_refused_total", status=status) == before + 1
    assert value("websocket_connections_open") == opened


def test_a_send_to_a_vanished_client_counts_as_1006() -> None:
    before = value("websocket_closes_total", code="1006", by="client")

    async def talk(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        with pytest.raises(OSError):
            await send({"type": "websocket.send", "text": "x", "fail": True})

    run(talk, [{"type": "websocket.connect"}])
    assert value("websocket_closes_total", code="1006", by="client") == before + 1


def test_an_app_that_fails_without_a_close_counts_as_1006() -> None:
    before = value("websocket_closes_total", code="1006", by="server")
    opened = value("websocket_connections_open")

    async def crash(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        raise KeyError("text")

    with pytest.raises(KeyError):
        run(crash, [{"type": "websocket.connect"}])
    assert value("websocket_closes_total", code="1006", by="server") == before + 1
    assert value("websocket_connections_open") == opened


def test_other_requests_pass_through_and_metrics_are_served() -> None:
    with TestClient(metrics.app) as client:
        with client.websocket_connect("/ws/1") as websocket:
            websocket.send_text("hi")
            assert websocket.receive_text() == "You wrote: hi"
        response = client.get("/metrics")
        assert response.status_code == 200
        assert "websocket_connections_open" in response.text
        assert "chat_queued_messages 0.0" in response.text
        assert "_created" not in response.text
        assert client.get("/docs").status_code == 200  # the chat app's own routes
