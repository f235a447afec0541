from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from docs_src.tutorial import json_messages
from tests.tutorial.helpers import connect

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
    ],
)
def test_reports_an_error_and_stays_open(client: TestClient, message: Any) -> None:
    with connect(client, "/ws") as websocket:
        websocket.send_json(message)
        assert websocket.receive_json() == ERROR
        websocket.send_json({"a": 2, "b": 3})
        assert websocket.receive_json() == {"sum": 5}
