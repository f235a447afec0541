from collections.abc import Iterator

import pytest
from fastapi import FastAPI, status
from fastapi.testclient import TestClient

from docs_src.security import rate_limit
from docs_src.security.rate_limit import BURST, RATE, TokenBucket
from tests.security.helpers import closed_by_server


class Clock:
    """A clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def app() -> FastAPI:
    return rate_limit.app


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def frozen(clock: Clock) -> Iterator[Clock]:
    """Give every connection a bucket on the test's clock."""

    def bucket_on_clock() -> TokenBucket:
        return TokenBucket(rate=RATE, capacity=BURST, clock=clock)

    rate_limit.app.dependency_overrides[rate_limit.message_bucket] = bucket_on_clock
    yield clock
    rate_limit.app.dependency_overrides.clear()


def takes(bucket: TokenBucket, count: int) -> list[bool]:
    return [bucket.take() for _ in range(count)]


def test_settings() -> None:
    assert (RATE, BURST) == (5.0, 10)


def test_bucket_starts_full(clock: Clock) -> None:
    bucket = TokenBucket(rate=5, capacity=3, clock=clock)
    assert takes(bucket, 4) == [True, True, True, False]


def test_bucket_refills_at_its_rate(clock: Clock) -> None:
    bucket = TokenBucket(rate=5, capacity=3, clock=clock)
    assert takes(bucket, 3) == [True] * 3
    clock.advance(0.1)  # half a token
    assert takes(bucket, 1) == [False]
    clock.advance(0.1)  # a whole one: a refused message costs nothing
    assert takes(bucket, 2) == [True, False]
    clock.advance(0.4)
    assert takes(bucket, 3) == [True, True, False]


def test_bucket_never_holds_more_than_its_capacity(clock: Clock) -> None:
    bucket = TokenBucket(rate=5, capacity=3, clock=clock)
    clock.advance(3600)
    assert takes(bucket, 4) == [True, True, True, False]


def test_every_connection_gets_a_new_full_bucket() -> None:
    first, second = rate_limit.message_bucket(), rate_limit.message_bucket()
    assert first is not second
    assert (first.rate, first.capacity, first.tokens) == (RATE, BURST, BURST)


def test_echo(client: TestClient) -> None:
    with client.websocket_connect("/ws") as websocket:
        websocket.send_text("Hello")
        assert websocket.receive_text() == "You said: Hello"


def test_a_burst_is_allowed(client: TestClient, frozen: Clock) -> None:
    with client.websocket_connect("/ws") as websocket:
        for number in range(BURST):
            websocket.send_text(str(number))
        for number in range(BURST):
            assert websocket.receive_text() == f"You said: {number}"


def test_a_flood_is_closed_with_1008(client: TestClient, frozen: Clock) -> None:
    with client.websocket_connect("/ws") as websocket:
        for number in range(BURST + 5):
            websocket.send_text(str(number))
        replies = [websocket.receive_text() for _ in range(BURST)]
        closed = closed_by_server(websocket)
    assert replies == [f"You said: {number}" for number in range(BURST)]
    assert closed.code == status.WS_1008_POLICY_VIOLATION
    assert closed.reason == "rate limit exceeded"


def test_a_steady_client_is_never_limited(client: TestClient, frozen: Clock) -> None:
    with client.websocket_connect("/ws") as websocket:
        for number in range(5 * BURST):
            websocket.send_text(str(number))
            assert websocket.receive_text() == f"You said: {number}"
            frozen.advance(1 / RATE)


def test_connections_are_limited_one_by_one(client: TestClient, frozen: Clock) -> None:
    with (
        client.websocket_connect("/ws") as flooder,
        client.websocket_connect("/ws") as neighbour,
    ):
        for number in range(BURST + 1):
            flooder.send_text(str(number))
        assert [flooder.receive_text() for _ in range(BURST)] == [
            f"You said: {number}" for number in range(BURST)
        ]
        closed = closed_by_server(flooder)
        for number in range(BURST):
            neighbour.send_text(str(number))
            assert neighbour.receive_text() == f"You said: {number}"
    assert closed.code == status.WS_1008_POLICY_VIOLATION


def test_a_binary_message_is_closed_with_1003(client: TestClient) -> None:
    with client.websocket_connect("/ws") as websocket:
        websocket.send_bytes(b"Hello")
        closed = closed_by_server(websocket)
    assert closed.code == status.WS_1003_UNSUPPORTED_DATA
    assert closed.reason == "text messages only"
