"""The `receive_text()` helper that every example of the chapter carries.

A small endpoint calls one example's helper and keeps what it raised, so the
test sees what the examples' own handlers swallow.
"""

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from types import ModuleType

import pytest
from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from docs_src.security import first_message_auth, idle_timeout, origin_check, rate_limit

Helper = Callable[[WebSocket], Awaitable[str]]


@pytest.fixture(
    params=[first_message_auth, idle_timeout, origin_check, rate_limit],
    ids=lambda module: module.__name__.rsplit(".", 1)[1],
)
def helper(request: pytest.FixtureRequest) -> Helper:
    module: ModuleType = request.param
    receive_text: Helper = module.receive_text
    return receive_text


def probe(helper: Helper, outcomes: list[object]) -> FastAPI:
    """An app whose endpoint reads twice with ``helper`` and records the results."""
    app = FastAPI()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            for _ in range(2):
                outcomes.append(await helper(websocket))
        except WebSocketDisconnect as disconnect:
            outcomes.append((disconnect.code, disconnect.reason))

    return app


@contextmanager
def connected(helper: Helper, outcomes: list[object]) -> Iterator[WebSocketTestSession]:
    with (
        TestClient(probe(helper, outcomes)) as client,
        client.websocket_connect("/ws") as websocket,
    ):
        yield websocket


def test_text_is_returned(helper: Helper) -> None:
    outcomes: list[object] = []
    with connected(helper, outcomes) as websocket:
        websocket.send_text("Hello")
        websocket.send_text("")
    assert outcomes == ["Hello", ""]


def test_the_clients_close_code_and_reason_are_passed_on(helper: Helper) -> None:
    outcomes: list[object] = []
    with connected(helper, outcomes) as websocket:
        websocket.send_text("Hello")
        websocket.close(code=status.WS_1001_GOING_AWAY, reason="bye")
    assert outcomes == ["Hello", (status.WS_1001_GOING_AWAY, "bye")]


def test_a_binary_message_closes_with_1003_and_ends_the_conversation(
    helper: Helper,
) -> None:
    outcomes: list[object] = []
    with connected(helper, outcomes) as websocket:
        websocket.send_bytes(b"Hello")
        with pytest.raises(WebSocketDisconnect) as closed:
            websocket.receive_text()
    assert (closed.value.code, closed.value.reason) == (1003, "text messages only")
    assert outcomes == [(status.WS_1003_UNSUPPORTED_DATA, "")]
