from collections.abc import Iterator

import pytest
from fastapi import FastAPI, status
from fastapi.testclient import TestClient

from docs_src.security import origin_check
from tests.security.helpers import closed_by_server, refusal

ALLOWED = "http://127.0.0.1:8000"


@pytest.fixture
def app() -> FastAPI:
    return origin_check.app


@pytest.fixture(autouse=True)
def no_sessions() -> Iterator[None]:
    origin_check.SESSIONS.clear()
    yield
    origin_check.SESSIONS.clear()


def sessions() -> dict[str, str]:
    return dict(origin_check.SESSIONS)


def log_in(client: TestClient) -> str:
    response = client.post("/login")
    assert response.status_code == 200
    return response.cookies["session"]


def headers(session: str | None = None, origin: str | None = None) -> dict[str, str]:
    # The cookie goes in by hand: TestClient's cookie jar keeps a Secure cookie
    # for https:// and wss:// URLs, and its sockets use ws://.
    sent = {}
    if session is not None:
        sent["cookie"] = f"session={session}"
    if origin is not None:
        sent["origin"] = origin
    return sent


def test_login_sets_a_samesite_cookie(client: TestClient) -> None:
    response = client.post("/login")
    assert response.status_code == 200
    assert response.json() == {"user": "alice"}
    session = response.cookies["session"]
    assert response.headers.get_list("set-cookie") == [
        f"session={session}; HttpOnly; Path=/; SameSite=lax; Secure"
    ]
    assert len(session) == 43  # 32 random bytes, URL-safe Base64
    assert sessions() == {session: "alice"}


def test_every_login_gets_its_own_session(client: TestClient) -> None:
    first, second = log_in(client), log_in(client)
    assert first != second
    assert sessions() == {first: "alice", second: "alice"}


@pytest.mark.parametrize("origin", ["http://127.0.0.1:8000", "http://localhost:8000"])
def test_allowed_origin(client: TestClient, origin: str) -> None:
    session = log_in(client)
    with client.websocket_connect("/ws", headers=headers(session, origin)) as ws:
        assert ws.receive_text() == "Welcome, alice!"
        ws.send_text("Hello")
        assert ws.receive_text() == "alice: Hello"
        ws.send_text("Bye")
        assert ws.receive_text() == "alice: Bye"


def test_no_origin_is_not_a_browser_and_is_let_through(client: TestClient) -> None:
    session = log_in(client)
    with client.websocket_connect("/ws", headers=headers(session)) as ws:
        assert ws.receive_text() == "Welcome, alice!"


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://127.0.0.1:8001",  # same host, another port: another origin
        "https://127.0.0.1:8000",  # another scheme
        "http://127.0.0.1",
        "http://127.0.0.1:8000/",  # a URL, not an origin
        "null",  # sent by sandboxed frames and local files
        "",
    ],
)
def test_foreign_origin_is_refused(client: TestClient, origin: str) -> None:
    session = log_in(client)
    closed = refusal(client, "/ws", headers=headers(session, origin))
    assert closed.code == status.WS_1008_POLICY_VIOLATION
    assert closed.reason == "origin not allowed"


def test_origin_is_checked_before_the_session(client: TestClient) -> None:
    closed = refusal(client, "/ws", headers=headers(None, "https://evil.example"))
    assert closed.code == status.WS_1008_POLICY_VIOLATION
    assert closed.reason == "origin not allowed"


@pytest.mark.parametrize("session", [None, "", "made-up-session"])
def test_no_valid_session_is_refused(client: TestClient, session: str | None) -> None:
    closed = refusal(client, "/ws", headers=headers(session, ALLOWED))
    assert closed.code == status.WS_1008_POLICY_VIOLATION
    assert closed.reason == "not logged in"


def test_a_binary_message_is_closed_with_1003(client: TestClient) -> None:
    session = log_in(client)
    with client.websocket_connect("/ws", headers=headers(session, ALLOWED)) as ws:
        assert ws.receive_text() == "Welcome, alice!"
        ws.send_bytes(b"Hello")
        closed = closed_by_server(ws)
    assert closed.code == status.WS_1003_UNSUPPORTED_DATA
    assert closed.reason == "text messages only"
