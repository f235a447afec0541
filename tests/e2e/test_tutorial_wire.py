"""What the tutorial page says about the wire, each with both sides.

`TestClient` and a real server disagree in places; the page's table "TestClient
vs a real server" lists them, and every row is proved here twice: in-process
with TestClient, and under real uvicorn with the websockets client (and
Chromium where the page speaks of browsers).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page
from starlette.testclient import WebSocketDenialResponse
from websockets.exceptions import ConnectionClosedError, InvalidStatus
from websockets.frames import Close
from websockets.sync.client import connect

from guidekit import live
from tests.e2e import tutorial_wire_app
from tests.e2e.conftest import TIMEOUT, receive, reset, wait_for_log, ws_url

APP = "tests.e2e.tutorial_wire_app:app"
SPURIOUS = "ERROR:    ASGI callable returned without completing handshake."
NOT_AUTHENTICATED = b'{"detail":"Not authenticated"}'


@pytest.fixture(scope="module")
def server() -> Iterator[live.Server]:
    with live.uvicorn(APP) as running:
        yield running


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(tutorial_wire_app.app) as test_client:
        yield test_client


def denial(server: live.Server, path: str, **options: object) -> InvalidStatus:
    with (
        pytest.raises(InvalidStatus) as refused,
        connect(ws_url(server, path), **options),
    ):  # type: ignore[arg-type]
        pass
    return refused.value


def log_lines_for(server: live.Server, path: str) -> list[str]:
    """The log lines from the refusal of ``path`` up to the next request."""
    lines = server.output().splitlines()
    start = next(i for i, line in enumerate(lines) if f'"WebSocket {path}"' in line)
    end = next(
        (i for i in range(start + 1, len(lines)) if '"WebSocket ' in lines[i]),
        len(lines),
    )
    return lines[start:end]


def how_it_ends(server: live.Server, path: str, *messages: str) -> Close | None:
    """Connect, send, read until the end; return the server's close frame, if any.

    None means the TCP connection ended with no close frame: the client then
    reports 1006.
    """
    with connect(ws_url(server, path)) as connection:
        for text in messages:
            connection.send(text)
        with pytest.raises(ConnectionClosedError) as closed:
            connection.recv(timeout=TIMEOUT)
    received = closed.value.rcvd
    assert (connection.close_code == 1006) == (received is None)
    return received


# Why the examples do not use Starlette's receive_text() and receive_json()


def test_starlette_receive_text_drops_a_binary_message(server: live.Server) -> None:
    with connect(ws_url(server, "/starlette-receive-text")) as connection:
        connection.send(b"binary")
        with pytest.raises(ConnectionClosedError) as closed:
            connection.recv(timeout=TIMEOUT)
    assert closed.value.rcvd is None
    assert connection.close_code == 1006
    wait_for_log(server, "KeyError: 'text'")


def test_starlette_receive_json_drops_invalid_json(server: live.Server) -> None:
    with connect(ws_url(server, "/starlette-receive-json")) as connection:
        connection.send("{bad")
        with pytest.raises(ConnectionClosedError) as closed:
            connection.recv(timeout=TIMEOUT)
    assert closed.value.rcvd is None
    wait_for_log(
        server,
        "json.decoder.JSONDecodeError: Expecting property name enclosed in double"
        " quotes: line 1 column 2 (char 1)",
    )


def test_starlette_send_json_writes_nan_back(server: live.Server) -> None:
    with connect(ws_url(server, "/starlette-receive-json")) as connection:
        connection.send('{"a": NaN}')
        assert receive(connection) == '{"a":NaN}'  # not JSON: strict parsers refuse it


# HTTPException and the security classes before accept(): a real HTTP answer


def test_http_exception_before_accept_on_the_wire(server: live.Server) -> None:
    response = denial(server, "/http-exception").response
    assert (response.status_code, response.reason_phrase) == (401, "Unauthorized")
    assert response.headers["Content-Type"] == "application/json"
    assert response.body == b'{"detail":"token required"}'
    # A later request marks the end of this one's log lines.
    denial(server, "/bearer")
    lines = log_lines_for(server, "/http-exception")
    assert lines[0].endswith(' - "WebSocket /http-exception" 401')
    assert SPURIOUS in lines


def test_http_exception_before_accept_in_testclient(client: TestClient) -> None:
    with pytest.raises(WebSocketDenialResponse) as refused:
        client.websocket_connect("/http-exception").__enter__()
    assert refused.value.status_code == 401
    assert refused.value.content == b'{"detail":"token required"}'


@pytest.mark.parametrize("path", ["/bearer", "/oauth2"])
def test_security_classes_answer_401_without_authorization(
    server: live.Server, path: str
) -> None:
    response = denial(server, path).response
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.body == NOT_AUTHENTICATED
    denial(server, "/http-exception")  # marks the end of this request's lines
    assert SPURIOUS in log_lines_for(server, path)


@pytest.mark.parametrize("path", ["/bearer", "/oauth2"])
def test_security_classes_accept_an_authorization_header(
    server: live.Server, path: str
) -> None:
    headers = {"Authorization": "Bearer abc"}
    with connect(ws_url(server, path), additional_headers=headers) as connection:
        assert receive(connection) == "token: abc"


def test_http_exception_after_accept_drops_the_connection(server: live.Server) -> None:
    assert how_it_ends(server, "/http-exception-after-accept") is None
    wait_for_log(
        server,
        "RuntimeError: Expected ASGI message 'websocket.send' or 'websocket.close',"
        " but got 'websocket.http.response.start'.",
    )


# After accept(): a crash, and how the endpoint sees a client leave


def test_unhandled_exception_after_accept_is_1006_not_1011(server: live.Server) -> None:
    # No close frame at all, so no 1011: the client reports 1006.
    assert how_it_ends(server, "/crash", "hello") is None
    wait_for_log(server, "ValueError: a bug after accept()")


def test_unhandled_exception_after_accept_in_testclient(client: TestClient) -> None:
    # TestClient sends no close code either: it raises the app's own error.
    with (
        pytest.raises(ValueError, match="a bug after accept"),
        client.websocket_connect("/crash") as websocket,
    ):
        websocket.send_text("hello")
        websocket.receive_text()


def test_endpoint_sees_the_clients_close_code(server: live.Server) -> None:
    with connect(ws_url(server, "/observe")) as connection:
        connection.close(code=4001)
    wait_for_log(server, "client left with code 4001")


def test_endpoint_sees_1005_when_a_client_vanishes(server: live.Server) -> None:
    with connect(ws_url(server, "/observe")) as connection:
        connection.send("still here")
        reset(connection)
    # RFC 6455 calls this 1006; uvicorn reports 1005 once the handshake is done.
    wait_for_log(server, "client left with code 1005")


def test_text_that_is_not_utf8_gets_1007_and_a_traceback_from_uvicorn(
    server: live.Server,
) -> None:
    with connect(ws_url(server, "/observe")) as connection:
        connection.send(b"caf\xe9", text=True)  # Latin-1, not UTF-8
        with pytest.raises(ConnectionClosedError) as closed:
            connection.recv(timeout=TIMEOUT)
    output = wait_for_log(server, "client left with code 1007")
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1007
    # Uvicorn's own error, logged before the endpoint sees anything.
    assert "ERROR:    Invalid UTF-8 sequence received from client.\nTraceback" in output


def test_testclient_always_leaves_with_a_close_code(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    with client.websocket_connect("/observe"):
        pass  # leaving the block sends a close frame with 1000
    assert capsys.readouterr().out == "client left with code 1000\n"


# Close reasons: at most 123 bytes


def test_close_reason_of_123_bytes_arrives(server: live.Server) -> None:
    assert how_it_ends(server, "/close-reason/123") == Close(4000, "x" * 123)


def test_close_reason_of_124_bytes_breaks_the_close(server: live.Server) -> None:
    assert how_it_ends(server, "/close-reason/124") is None
    wait_for_log(server, "websockets.exceptions.ProtocolError: control frame too long")


def test_close_reason_of_124_bytes_in_testclient(client: TestClient) -> None:
    # TestClient checks nothing: the long reason arrives as if all were well.
    with client.websocket_connect("/close-reason/124") as websocket:
        message = websocket.receive()
    assert message == {"type": "websocket.close", "code": 4000, "reason": "x" * 124}


# Send failures and backpressure


def test_send_after_the_client_left_fails_on_the_wire(server: live.Server) -> None:
    with connect(ws_url(server, "/send-after-leave")):
        pass
    wait_for_log(server, "send after leaving: WebSocketDisconnect 1006")


def test_send_after_the_client_left_succeeds_in_testclient(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    with client.websocket_connect("/send-after-leave"):
        pass
    assert capsys.readouterr().out == "send after leaving: no error\n"


def test_a_client_that_stops_reading_holds_up_send(server: live.Server) -> None:
    # max_queue=1: the client stops reading from its socket after one message.
    # No compression: 64 KiB of "x" would otherwise shrink to almost nothing.
    url = ws_url(server, "/flood")
    with connect(url, max_queue=1, compression=None) as connection:
        # A bounded wait for something that must NOT happen: the server cannot
        # have sent 64 MiB into buffers of a few MiB.
        with pytest.raises(AssertionError, match="not in the log"):
            wait_for_log(server, "flood sent", timeout=2)
        received = 0
        while received < tutorial_wire_app.FLOOD_MESSAGES:
            connection.recv(timeout=TIMEOUT)
            received += 1
    wait_for_log(server, "flood sent")


def test_testclient_buffers_without_limit(client: TestClient) -> None:
    tutorial_wire_app.flood_sent.clear()
    with client.websocket_connect("/flood") as websocket:
        # The endpoint sends everything before the test reads a single message.
        assert tutorial_wire_app.flood_sent.wait(TIMEOUT)
        for _ in range(tutorial_wire_app.FLOOD_MESSAGES):
            websocket.receive_text()


# Browsers


BROWSER_CONNECT = """([url, protocols, payload]) => new Promise((resolve) => {
  const socket = new WebSocket(url, protocols);
  let opened = false;
  socket.addEventListener("open", () => {
    opened = true;
    if (payload === "binary") socket.send(new Uint8Array([1, 2, 3]));
    else if (payload === "leave") socket.close(1000);
    else if (payload !== null) socket.send(payload);
  });
  socket.addEventListener("close", (event) => {
    resolve({opened, code: event.code, reason: event.reason, clean: event.wasClean});
  });
})"""


def browser_session(
    page: Page,
    server: live.Server,
    path: str,
    protocols: list[str] | None = None,
    payload: str | None = None,
) -> dict[str, object]:
    """Open a socket from a page of the server's own origin; return how it closed."""
    page.goto(server.url + "/")  # any page of that origin, even a 404
    url = ws_url(server, path)
    return page.evaluate(BROWSER_CONNECT, [url, protocols or [], payload])


REFUSED = {"opened": False, "code": 1006, "reason": "", "clean": False}


@pytest.mark.parametrize(
    ("module", "refused", "accepted", "protocols"),
    [
        ("query_token", "/ws", "/ws?token=alice-token", None),
        ("subprotocols", "/ws", "/ws", ["chat.v1"]),
        ("dependencies_an_py310", "/items/foo/ws", "/items/foo/ws?token=t", None),
    ],
)
def test_browser_sees_a_refusal_as_1006(
    page: Page, module: str, refused: str, accepted: str, protocols: list[str] | None
) -> None:
    with live.uvicorn(f"docs_src.tutorial.{module}:app") as example:
        assert browser_session(page, example, refused) == REFUSED
        # The same browser gets in where the server accepts: the check can fail.
        opened = browser_session(page, example, accepted, protocols, "leave")
        assert opened == {"opened": True, "code": 1000, "reason": "", "clean": True}


def test_browser_sees_an_http_exception_as_1006(
    page: Page, server: live.Server
) -> None:
    assert browser_session(page, server, "/http-exception") == REFUSED


def test_browser_sees_1003_for_a_binary_message(page: Page) -> None:
    with live.uvicorn("docs_src.tutorial.echo:app") as echo:
        closed = browser_session(page, echo, "/ws", payload="binary")
    assert closed == {"opened": True, "code": 1003, "reason": "", "clean": True}


BROWSER_CLOSE = """async ([url, code]) => {
  const socket = new WebSocket(url);
  await new Promise((resolve) => socket.addEventListener("open", resolve));
  try {
    socket.close(code);
    return "closed";
  } catch (error) {
    socket.close();
    return error.name;
  }
}"""


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        (1000, "closed"),
        (3000, "closed"),
        (4999, "closed"),
        (1001, "InvalidAccessError"),
        (1003, "InvalidAccessError"),
        (1008, "InvalidAccessError"),
        (2999, "InvalidAccessError"),
        (5000, "InvalidAccessError"),
    ],
)
def test_browser_close_accepts_only_1000_and_3000_to_4999(
    page: Page, server: live.Server, code: int, outcome: str
) -> None:
    page.goto(server.url + "/")
    assert page.evaluate(BROWSER_CLOSE, [ws_url(server, "/observe"), code]) == outcome
