"""The security chapter's examples under real uvicorn, driven by the websockets client.

Each server of this chapter is stopped at the end of the module, and its log
must then be free of tracebacks: the examples handle every way a client leaves.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.client import ClientProtocol
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.frames import Close, Frame, Opcode
from websockets.protocol import State
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin
from websockets.uri import parse_uri

from docs_src.security.rate_limit import BURST
from guidekit import live
from tests.e2e.conftest import (
    TIMEOUT,
    assert_quiet,
    paused,
    receive,
    wait_for_log,
    ws_url,
)

ALLOWED_ORIGIN = Origin("http://127.0.0.1:8000")
AUTH_TIMEOUT = 0.5
IDLE_TIMEOUT = 0.5
MAX_SIZE = 1024
PING_INTERVAL = 0.2
PING_TIMEOUT = 0.3
QUIET = 2  # seconds in which a send does not go through: the server stopped reading


@contextmanager
def serve(
    app: str, *extra: str, env: dict[str, str] | None = None
) -> Iterator[live.Server]:
    with live.uvicorn(app, *extra, env=env) as server:
        yield server
    # Stopped: the log is complete. No client may have caused an error.
    assert_quiet(server)


@pytest.fixture(scope="module")
def origin_server() -> Iterator[live.Server]:
    with serve("docs_src.security.origin_check:app") as server:
        yield server


@pytest.fixture(scope="module")
def auth_server() -> Iterator[live.Server]:
    env = {"AUTH_TIMEOUT": str(AUTH_TIMEOUT)}
    with serve("docs_src.security.first_message_auth:app", env=env) as server:
        yield server


@pytest.fixture(scope="module")
def query_token_server() -> Iterator[live.Server]:
    # The tutorial's example; --no-access-log does not hide WebSocket requests.
    app = "docs_src.tutorial.query_token:app"
    with serve(app, "--no-access-log") as server:
        yield server


@pytest.fixture(scope="module")
def limits_server() -> Iterator[live.Server]:
    extra = ("--ws-max-size", str(MAX_SIZE))
    with serve("docs_src.security.rate_limit:app", *extra) as server:
        yield server


@pytest.fixture(scope="module")
def idle_server() -> Iterator[live.Server]:
    env = {"IDLE_TIMEOUT": str(IDLE_TIMEOUT)}
    with serve("docs_src.security.idle_timeout:app", env=env) as server:
        yield server


@pytest.fixture(scope="module")
def ping_server() -> Iterator[live.Server]:
    extra = ("--ws-ping-interval", str(PING_INTERVAL))
    extra += ("--ws-ping-timeout", str(PING_TIMEOUT))
    with serve("docs_src.security.idle_timeout:app", *extra) as server:
        yield server


def until_closed(connection: ClientConnection) -> tuple[list[str], Close]:
    """Read until the server closes; return what came and the close frame."""
    messages = []
    with pytest.raises(ConnectionClosed) as closed:
        for _ in range(1000):  # far more than any test sends
            messages.append(receive(connection))
    assert closed.value.rcvd is not None, "no close frame from the server"
    return messages, closed.value.rcvd


def refused_status(url: str, **kwargs: Any) -> int:
    """The HTTP status of a refused handshake, whose answer has no body."""
    with pytest.raises(InvalidStatus) as refused, connect(url, **kwargs):
        pass
    assert refused.value.response.body == b""
    return refused.value.response.status_code


def wait_for_log_end(server: live.Server, end: str) -> str:
    """Poll the server's log until a line ends with ``end``; return that line."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        for line in server.output().splitlines():
            if line.endswith(end):
                return line
        time.sleep(0.02)  # a poll interval, not a wait for an outcome
    raise AssertionError(f"no line ending with {end!r} in the log:\n{server.output()}")


def log_line(connection: ClientConnection, path: str, outcome: str) -> str:
    host, port = connection.local_address[:2]
    return f'INFO:     {host}:{port} - "WebSocket {path}" {outcome}'


# Cross-site WebSocket hijacking


def log_in(server: live.Server) -> tuple[str, str]:
    response = httpx.post(server.url + "/login", timeout=TIMEOUT)
    assert response.status_code == 200
    return response.cookies["session"], response.headers["set-cookie"]


def test_login_cookie_is_samesite(origin_server: live.Server) -> None:
    session, set_cookie = log_in(origin_server)
    assert set_cookie == f"session={session}; HttpOnly; Path=/; SameSite=lax; Secure"


def test_allowed_origin_is_accepted(origin_server: live.Server) -> None:
    session, _ = log_in(origin_server)
    cookie = {"Cookie": f"session={session}"}
    url = ws_url(origin_server, "/ws")
    with connect(url, origin=ALLOWED_ORIGIN, additional_headers=cookie) as connection:
        replies = [receive(connection)]
        connection.send("Hello")
        replies.append(receive(connection))
    assert replies == ["Welcome, alice!", "alice: Hello"]


@pytest.mark.parametrize("origin", ["https://evil.example", "http://127.0.0.1:8001"])
def test_foreign_origin_gets_403(origin_server: live.Server, origin: str) -> None:
    session, _ = log_in(origin_server)
    cookie = {"Cookie": f"session={session}"}
    url = ws_url(origin_server, "/ws")
    status = refused_status(url, origin=Origin(origin), additional_headers=cookie)
    assert status == 403


def test_no_session_gets_403(origin_server: live.Server) -> None:
    url = ws_url(origin_server, "/ws")
    assert refused_status(url, origin=ALLOWED_ORIGIN) == 403


# Credentials


def test_query_string_token_is_logged(query_token_server: live.Server) -> None:
    url = ws_url(query_token_server, "/ws?token=alice-token")
    with connect(url) as connection:
        assert receive(connection) == "Welcome, alice!"
        line = log_line(connection, "/ws?token=alice-token", "[accepted]")
        wait_for_log(query_token_server, line)


def test_refused_query_string_token_is_logged(query_token_server: live.Server) -> None:
    url = ws_url(query_token_server, "/ws?token=carol-token")
    assert refused_status(url) == 403
    line = wait_for_log_end(
        query_token_server, ' - "WebSocket /ws?token=carol-token" 403'
    )
    assert line.startswith("INFO:     127.0.0.1:")


def test_first_message_token_is_not_logged(auth_server: live.Server) -> None:
    with connect(ws_url(auth_server, "/ws")) as connection:
        connection.send("alice-token")
        assert receive(connection) == "Welcome, alice!"
        output = wait_for_log(auth_server, log_line(connection, "/ws", "[accepted]"))
    assert "alice-token" not in output


def test_debug_level_logs_the_first_message() -> None:
    app = "docs_src.security.first_message_auth:app"
    with serve(app, "--log-level", "debug") as server:
        with connect(ws_url(server, "/ws")) as connection:
            connection.send("alice-token")
            assert receive(connection) == "Welcome, alice!"
        wait_for_log(server, "DEBUG:    < TEXT 'alice-token' [11 bytes]")


@pytest.mark.parametrize(
    ("token", "user"), [("alice-token", "alice"), ("bob-token", "bob")]
)
def test_good_first_message(auth_server: live.Server, token: str, user: str) -> None:
    with connect(ws_url(auth_server, "/ws")) as connection:
        connection.send(token)
        replies = [receive(connection)]
        connection.send("Hi")
        replies.append(receive(connection))
    assert replies == [f"Welcome, {user}!", f"{user}: Hi"]


def test_bad_first_message_gets_1008(auth_server: live.Server) -> None:
    with connect(ws_url(auth_server, "/ws")) as connection:
        connection.send("carol-token")
        messages, close = until_closed(connection)
    assert messages == []
    assert (close.code, close.reason) == (1008, "invalid token")


def test_no_first_message_gets_1008_after_the_deadline(
    auth_server: live.Server,
) -> None:
    with connect(ws_url(auth_server, "/ws")) as connection:
        connected = time.monotonic()
        messages, close = until_closed(connection)
        waited = time.monotonic() - connected
    assert messages == []
    assert (close.code, close.reason) == (1008, "authentication timed out")
    # The server's clock started a moment before the client's.
    assert AUTH_TIMEOUT - 0.1 <= waited < TIMEOUT


def test_leaving_before_authenticating_is_quiet(auth_server: live.Server) -> None:
    # The module's end checks that the server logged no error for this.
    with connect(ws_url(auth_server, "/ws")) as connection:
        wait_for_log(auth_server, log_line(connection, "/ws", "[accepted]"))


# Limits


def test_message_at_the_size_limit_passes(limits_server: live.Server) -> None:
    with connect(ws_url(limits_server, "/ws")) as connection:
        connection.send("x" * MAX_SIZE)
        assert receive(connection) == "You said: " + "x" * MAX_SIZE


@pytest.mark.parametrize(
    ("compression", "reason"),
    [
        ("deflate", f"frame exceeds limit of {MAX_SIZE} bytes"),
        (None, f"frame with {MAX_SIZE + 1} bytes exceeds limit of {MAX_SIZE} bytes"),
    ],
)
def test_oversized_message_gets_1009(
    limits_server: live.Server, compression: str | None, reason: str
) -> None:
    url = ws_url(limits_server, "/ws")
    with connect(url, compression=compression) as connection:
        connection.send("x" * (MAX_SIZE + 1))
        messages, close = until_closed(connection)
    assert messages == []
    assert (close.code, close.reason) == (1009, reason)


def test_size_limit_counts_the_whole_message(limits_server: live.Server) -> None:
    # Two fragments of one message: each fits, together they do not.
    url = ws_url(limits_server, "/ws")
    with connect(url, compression=None) as connection:
        # The server closes on the second fragment; on a busy machine its
        # close can arrive before the client has sent the message's last frame.
        with contextlib.suppress(ConnectionClosed):
            connection.send(iter(["x" * 600, "y" * 600]))
        messages, close = until_closed(connection)
    assert messages == []
    reason = f"frame with 600 bytes after reading 600 bytes exceeds limit of {MAX_SIZE} bytes"
    assert (close.code, close.reason) == (1009, reason)


def test_flood_gets_1008(limits_server: live.Server) -> None:
    flood = 50
    with connect(ws_url(limits_server, "/ws")) as connection:
        # On a busy machine the server may close before the flood is all out.
        with contextlib.suppress(ConnectionClosed):
            for number in range(flood):
                connection.send(str(number))
        messages, close = until_closed(connection)
    assert (close.code, close.reason) == (1008, "rate limit exceeded")
    # The burst of 10 goes through; the bucket refills a little meanwhile.
    assert 10 <= len(messages) < flood
    assert messages == [f"You said: {number}" for number in range(len(messages))]


def test_the_bucket_counts_messages_not_bytes(limits_server: live.Server) -> None:
    # A burst of messages as large as --ws-max-size allows costs no more tokens
    # than a burst of short ones.
    texts = [f"{number:02d}".ljust(MAX_SIZE, "x") for number in range(BURST)]
    with connect(ws_url(limits_server, "/ws"), compression=None) as connection:
        for text in texts:
            connection.send(text)
        replies = [receive(connection) for _ in texts]
    assert replies == [f"You said: {text}" for text in texts]


def test_idle_client_gets_closed(idle_server: live.Server) -> None:
    with connect(ws_url(idle_server, "/ws")) as connection:
        connection.send("Hello")
        assert receive(connection) == "You said: Hello"
        messages, close = until_closed(connection)
    assert messages == []
    assert (close.code, close.reason) == (1000, "idle timeout")


def frames_of_a_client_that_never_answers(server: live.Server) -> list[Frame]:
    """Connect, then read without ever sending a frame, pongs included."""
    protocol = ClientProtocol(parse_uri(ws_url(server, "/ws")))
    protocol.send_request(protocol.connect())
    frames: list[Frame] = []
    with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
        sock.sendall(b"".join(protocol.data_to_send()))
        while data := sock.recv(65536):
            protocol.receive_data(data)
            frames += [e for e in protocol.events_received() if isinstance(e, Frame)]
            # protocol.data_to_send() holds the pongs: they are never sent.
    return frames


def test_unanswered_ping_gets_1011(ping_server: live.Server) -> None:
    started = time.monotonic()
    frames = frames_of_a_client_that_never_answers(ping_server)
    waited = time.monotonic() - started
    assert [frame.opcode for frame in frames] == [Opcode.PING, Opcode.CLOSE]
    close = Close.parse(frames[-1].data)
    assert (close.code, close.reason) == (1011, "keepalive ping timeout")
    assert PING_INTERVAL + PING_TIMEOUT - 0.1 <= waited < TIMEOUT


def server_side(server: live.Server, client_port: int) -> tuple[str, int] | None:
    """The server's end of a client's TCP connection: its state and unsent bytes.

    Read from /proc/net/tcp, where the kernel lists every IPv4 socket with its
    state (01: established) and how many bytes wait in its send queue.
    """
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    for _, local, remote, state, queues, *_ in (row.split() for row in rows):
        if (int(local.split(":")[1], 16), int(remote.split(":")[1], 16)) == (
            server.port,
            client_port,
        ):
            return state, int(queues.split(":")[0], 16)
    return None


def stop_reading(sock: socket.socket, protocol: ClientProtocol) -> None:
    """Send echoes to ask for until the server stops reading; read none of them.

    Each message is echoed; with nobody reading the echoes, the buffers fill,
    the endpoint waits in ``send_text()``, and Uvicorn stops reading from the
    connection. Sending is then held up for good.
    """
    text = os.urandom(16 * 1024).hex().encode()  # incompressible: 32 KiB
    sock.settimeout(QUIET)
    with pytest.raises(TimeoutError):
        for _ in range(10_000):  # far more than the buffers hold
            protocol.send_text(text)
            sock.sendall(b"".join(protocol.data_to_send()))
    sock.settimeout(TIMEOUT)


@pytest.mark.timeout(60)
def test_pings_do_not_free_a_client_that_stops_reading(
    ping_server: live.Server,
) -> None:
    with frame_by_frame(ping_server, {}, receive_buffer=4096) as (sock, protocol):
        port = sock.getsockname()[1]
        stop_reading(sock, protocol)
        # Long past the first ping's deadline, several times over.
        time.sleep(4 * (PING_INTERVAL + PING_TIMEOUT))  # waiting for nothing to happen
        state = server_side(ping_server, port)
        assert state is not None, "the server has closed the connection"
        assert state[0] == "01", state  # established
        assert state[1] > 0, state  # with bytes the client has not taken
        # The client's network drops: now the server's sends fail.
        reset_on_close(sock)
    deadline = time.monotonic() + TIMEOUT
    while server_side(ping_server, port) is not None:
        assert time.monotonic() < deadline, server_side(ping_server, port)
        time.sleep(0.02)  # a poll interval, not a wait for an outcome
    # The module's end checks that the endpoint ended without an error.


@pytest.mark.timeout(60)
def test_a_stalled_client_that_reads_again_is_reset() -> None:
    """What Uvicorn 0.54 does when the client reads after the ping timeout.

    Uvicorn has closed the connection on its own: the endpoint's waiting send
    fails with a RuntimeError, which the endpoint takes as the client's end.
    When Uvicorn changes this, this test fails, and the page must change too.
    """
    extra = ("--ws-ping-interval", str(PING_INTERVAL))
    extra += ("--ws-ping-timeout", str(PING_TIMEOUT))
    extra += ("--log-level", "trace")
    app = "docs_src.security.idle_timeout:app"
    with live.uvicorn(app, *extra) as server:
        with frame_by_frame(server, {}, receive_buffer=4096) as (sock, protocol):
            client = f"TRACE:    127.0.0.1:{sock.getsockname()[1]} -"
            stop_reading(sock, protocol)
            wait_for_log(server, f"{client} WebSocket keepalive ping timeout")
            frames: list[Frame] = []
            with pytest.raises(ConnectionResetError):
                while data := sock.recv(65536):
                    protocol.receive_data(data)
                    frames += [
                        e for e in protocol.events_received() if isinstance(e, Frame)
                    ]
        # The endpoint returned: no exception escaped it.
        output = wait_for_log(server, f"{client} ASGI [2] Completed")
    # Part of the backlog, then a reset: neither the ping nor a close frame.
    assert frames, "nothing arrived before the reset"
    assert {frame.opcode for frame in frames} == {Opcode.TEXT}
    assert "Traceback" not in output
    assert "ERROR" not in output


# Clients that misbehave: every example of the chapter, one after the other.


@dataclass
class Example:
    """How a client gets into one of the chapter's examples and talks to it."""

    server: str  # the name of the module's fixture that runs it
    first: str  # the first message a client sends
    replies: list[str]  # what a client receives up to the reply to ``first``
    logged_in: bool = False  # whether the client needs a session cookie
    headers: dict[str, str] = field(default_factory=dict)


EXAMPLES = [
    pytest.param(
        Example("origin_server", "Hello", ["Welcome, alice!", "alice: Hello"], True),
        id="origin_check",
    ),
    pytest.param(
        Example("auth_server", "alice-token", ["Welcome, alice!"]),
        id="first_message_auth",
    ),
    pytest.param(
        Example("limits_server", "Hello", ["You said: Hello"]), id="rate_limit"
    ),
    pytest.param(
        Example("idle_server", "Hello", ["You said: Hello"]), id="idle_timeout"
    ),
]


@pytest.fixture(params=EXAMPLES)
def example(request: pytest.FixtureRequest) -> tuple[Example, live.Server]:
    """One of the chapter's examples under uvicorn, with what a client needs."""
    example: Example = request.param
    server: live.Server = request.getfixturevalue(example.server)
    if example.logged_in:
        session, _ = log_in(server)
        headers = {"Cookie": f"session={session}", "Origin": ALLOWED_ORIGIN}
        example = replace(example, headers=headers)
    return example, server


def talk(example: Example, server: live.Server) -> None:
    """A well-behaved client: it says its first message and gets its answer."""
    with connect(ws_url(server, "/ws"), additional_headers=example.headers) as client:
        client.send(example.first)
        assert [receive(client) for _ in example.replies] == example.replies


def handshake_request(server: live.Server, headers: dict[str, str]) -> ClientProtocol:
    """A client protocol whose handshake request is ready to send."""
    protocol = ClientProtocol(parse_uri(ws_url(server, "/ws")))
    request = protocol.connect()
    for name, value in headers.items():
        request.headers[name] = value
    protocol.send_request(request)
    return protocol


def reset_on_close(sock: socket.socket) -> None:
    """Make closing the socket a TCP reset, as when a network drops."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


@contextmanager
def frame_by_frame(
    server: live.Server, headers: dict[str, str], receive_buffer: int | None = None
) -> Iterator[tuple[socket.socket, ClientProtocol]]:
    """An open connection whose every byte the test sends by hand."""
    protocol = handshake_request(server, headers)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        if receive_buffer is not None:  # before connecting, or it has no effect
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.settimeout(TIMEOUT)
        sock.connect(("127.0.0.1", server.port))
        sock.sendall(b"".join(protocol.data_to_send()))
        while protocol.state is not State.OPEN:
            data = sock.recv(65536)
            assert data, "the server closed the connection during the handshake"
            protocol.receive_data(data)
        yield sock, protocol


def hit_and_run(example: Example, server: live.Server, leave: str) -> None:
    """Connect, send one message and leave at once, while the server is paused.

    The server then finds the message and the departure together, and its
    reply goes to a client that has already gone.
    """
    with frame_by_frame(server, example.headers) as (sock, protocol), paused(server):
        protocol.send_text(example.first.encode())
        if leave == "close":  # a polite goodbye, not waiting for the answer
            protocol.send_close()
        sock.sendall(b"".join(protocol.data_to_send()))
        if leave == "reset":  # a dropped network
            reset_on_close(sock)
            sock.close()


@pytest.mark.parametrize("leave", ["close", "reset"])
def test_a_client_that_leaves_at_once_is_no_error(
    example: tuple[Example, live.Server], leave: str
) -> None:
    details, server = example
    for _ in range(3):
        hit_and_run(details, server, leave)
    # By the time another client has had its answer, the server has long
    # dealt with those that left.
    talk(details, server)
    assert_quiet(server)


def test_a_client_that_leaves_during_the_handshake_is_no_error(
    example: tuple[Example, live.Server],
) -> None:
    details, server = example
    for _ in range(3):
        protocol = handshake_request(server, details.headers)
        address = ("127.0.0.1", server.port)
        # The kernel connects while uvicorn is stopped; the socket closes first.
        with paused(server), socket.create_connection(address, timeout=TIMEOUT) as sock:
            # The request, then a reset, before the server has read either.
            sock.sendall(b"".join(protocol.data_to_send()))
            reset_on_close(sock)
    talk(details, server)
    assert_quiet(server)


def test_a_binary_message_gets_1003(example: tuple[Example, live.Server]) -> None:
    details, server = example
    url = ws_url(server, "/ws")
    with connect(url, additional_headers=details.headers) as client:
        welcome = [receive(client) for _ in details.replies[:-1]]
        client.send(details.first.encode())  # the right words, as bytes
        messages, close = until_closed(client)
    assert welcome == details.replies[:-1]
    assert messages == []
    assert (close.code, close.reason) == (1003, "text messages only")
    assert_quiet(server)


def test_a_binary_message_after_logging_in_gets_1003(auth_server: live.Server) -> None:
    with connect(ws_url(auth_server, "/ws")) as client:
        client.send("alice-token")
        assert receive(client) == "Welcome, alice!"
        client.send(b"Hello")
        messages, close = until_closed(client)
    assert messages == []
    assert (close.code, close.reason) == (1003, "text messages only")
    assert_quiet(auth_server)
