"""Prometheus metrics for the chat of "Broadcasting reliably".

The counting happens in an ASGI middleware, at the messages the app and the
server exchange, so it sees every connection, message and close, whatever
the app's code does, and it works with any WebSocket app. Each process
counts its own: see the page for several workers.
"""

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from prometheus_client import Counter, Gauge, disable_created_metrics, make_asgi_app

from docs_src.broadcasting.reliable import app as chat_app
from docs_src.broadcasting.reliable import manager

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# region metrics
disable_created_metrics()  # no "_created" series: Prometheus does not need them
OPEN = Gauge("websocket_connections_open", "WebSocket connections open now")
RECEIVED = Counter("websocket_messages_received", "Messages received from clients")
SENT = Counter("websocket_messages_sent", "Messages sent to clients")
CLOSED = Counter(
    "websocket_closes",
    "Connections closed after the handshake, by close code and by who closed",
    ["code", "by"],
)
REFUSED = Counter(
    "websocket_handshakes_refused",
    "Handshakes refused before accept(), by the HTTP status the client got",
    ["status"],
)
QUEUED = Gauge("chat_queued_messages", "Messages waiting in the clients' queues")
QUEUED.set_function(
    lambda: sum(client.queue.qsize() for client in list(manager.clients.values()))
)
# endregion


# region middleware
class WebSocketMetrics:
    """Counts what crosses a WebSocket between the server and ``app``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        accepted = False
        closed = False

        def close(code: int, by: str) -> None:
            nonlocal closed
            if accepted and not closed:  # count each connection's end once
                closed = True
                CLOSED.labels(code=str(code), by=by).inc()

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "websocket.receive":
                RECEIVED.inc()
            elif message["type"] == "websocket.disconnect":
                close(message.get("code", 1005), "client")
            return message

        async def counting_send(message: Message) -> None:
            nonlocal accepted
            try:
                await send(message)
            except OSError:  # the client's connection had already gone
                close(1006, "client")
                raise
            kind = message["type"]
            if kind == "websocket.accept":
                accepted = True
                OPEN.inc()
            elif kind == "websocket.send":
                SENT.inc()
            elif kind == "websocket.close" and accepted:
                close(message.get("code", 1000), "server")
            elif kind == "websocket.close":
                REFUSED.labels(status="403").inc()  # what Uvicorn answers
            elif kind == "websocket.http.response.start":
                REFUSED.labels(status=str(message["status"])).inc()

        try:
            await self.app(scope, counting_receive, counting_send)
        finally:
            # An app that returns or fails without a close: Uvicorn ends the
            # connection without a close frame, which a client reports as 1006.
            close(1006, "server")
            if accepted:
                OPEN.dec()


# endregion


# region app
metrics_app = make_asgi_app()
instrumented = WebSocketMetrics(chat_app)


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """The chat, with the metrics at /metrics for Prometheus to scrape."""
    if scope["type"] == "http" and scope["path"] == "/metrics":
        await metrics_app(scope, receive, send)
    else:
        await instrumented(scope, receive, send)


# endregion
