from typing import Any

import pytest
from fastapi import FastAPI, status
from fastapi.testclient import TestClient

from docs_src.tutorial import json_messages
from tests.tutorial.helpers import closed_by_server, connect

ERROR = {"error": "expected numbers 'a' and 'b'"}


@pytest.fixture
def app() -> FastAPI:
    return json_messages.app


@pytest.mark.parametrize(
    ("message", "reply"),
    [
        ({"a": 2, "b": 3}, {"sum": 5}),
        ({"a": 0.5, "b": 1.25}, {"sum": 1.75}),
        ({"a": -4, "b": 1.5, "c": 100}, {"sum": -2.5}),
        # The largest numbers allowed, and their sum, are still exact.
        ({"a": 2**53, "b": 2**53}, {"sum": 2**54}),
        ({"a": -(2**53), "b": 0.5}, {"sum": -(2**53) + 0.5}),
    ],
)
def test_adds_a_and_b(
    client: TestClient, message: dict[str, Any], reply: dict[str, Any]
) -> None:
    with connect(client, "/ws") as websocket:
        websocket.send_json(message)
        assert websocket.receive_json() == reply


@pytest.mark.parametrize(
    "message",
    [
        {"a": 2},
        {"b": 3},
        {"a": "2", "b": 3},
        {"a": 2, "b": None},
        {"a": True, "b": 1},
        [2, 3],
        "2 + 3",
        5,
        # Too large to be safe: beyond 2**53, or a sum that would overflow.
        {"a": 2**53 + 1, "b": 0},
        {"a": 1e308, "b": 1e308},
        {"a": 10**400, "b": 0.5},
    ],
)
def test_reports_an_error_and_stays_open(client: TestClient, message: Any) -> None:
    with connect(client, "/ws") as websocket:
        websocket.send_json(message)
        assert websocket.receive_json() == ERROR
        websocket.send_json({"a": 2, "b": 3})
        assert websocket.receive_json() == {"sum": 5}


ERROR_INVALID = {"error": "invalid JSON"}


@pytest.mark.parametrize(
    "text",
    [
        "{bad",
        "",
        '{"a": 2, "b": 3',
        # One digit more than Python parses into an int by default.
        "1" * 4301,
        # Nested deeper than the parser's recursion allows.
        "[" * 100_000,
    ],
)
def test_invalid_json_gets_an_error_and_stays_open(
    client: TestClient, text: str
) -> None:
    with connect(client, "/ws") as websocket:
        websocket.send_text(text)
        assert websocket.receive_json() == ERROR_INVALID
        websocket.send_json({"a": 2, "b": 3})
        assert websocket.receive_json() == {"sum": 5}


@pytest.mark.parametrize(
    "text",
    [
        '{"a": NaN, "b": 1}',
        '{"a": Infinity, "b": 1}',
        '{"a": 1, "b": -Infinity}',
    ],
)
def test_non_finite_numbers_are_refused(client: TestClient, text: str) -> None:
    with connect(client, "/ws") as websocket:
        websocket.send_text(text)
        # The raw reply: strict JSON, with no NaN or Infinity in it.
        assert (
            websocket.receive_text() == "{\"error\":\"expected numbers 'a' and 'b'\"}"
        )


def test_binary_message_closes_with_1003(client: TestClient) -> None:
    with connect(client, "/ws") as websocket:
        websocket.send_bytes(b'{"a": 2, "b": 3}')
        closed = closed_by_server(websocket)
    assert closed.code == status.WS_1003_UNSUPPORTED_DATA
