"""Hostile clients against any WebSocket endpoint of any FastAPI app.

``endpoints()`` finds every WebSocket route of every example under
``docs_src/``: a new example is covered without editing anything here. An
endpoint that needs something to get in (a token, a cookie, a first message)
gets an entry in RECIPES; the rest is derived from the route.

Each ``check_*`` function plays one kind of hostile client against a running
server and raises ``AssertionError`` saying what the client received and what
the server logged when the endpoint does not meet the contract in
CONTRIBUTING.md ("Hostile clients").
"""

from __future__ import annotations

import enum
import http.client
import importlib
import inspect
import itertools
import json
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from urllib.parse import urlencode

from fastapi import FastAPI
from fastapi.routing import APIWebSocketRoute
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection

from guidekit import live
from tests.e2e import frames
from tests.e2e.conftest import TIMEOUT, healthy, reset, stalled

ROOT = Path(__file__).resolve().parents[2]
MAX_SIZE = 64 * 1024  # uvicorn's --ws-max-size for these runs
UVICORN_ARGS = ("--ws-max-size", str(MAX_SIZE))
# For the cases in PING_CASES, a server of its own whose pings time out soon
# after a client stops reading; its log config adds Uvicorn's trace line for
# each timeout (and only that one) to the usual log.
PING_INTERVAL = 1.0
PING_TIMEOUT = 0.5
PING_ARGS = (
    *UVICORN_ARGS,
    "--ws-ping-interval",
    str(PING_INTERVAL),
    "--ws-ping-timeout",
    str(PING_TIMEOUT),
    "--log-config",
    str(Path(__file__).with_name("keepalive_logging.json")),
)
# What the log says when Uvicorn or the endpoint gives up on a client: the
# ping's timeout, a close frame sent, or an endpoint closing on its own.
PING_TIMED_OUT = "WebSocket keepalive ping timeout"
GIVEN_UP = re.compile(rf"{PING_TIMED_OUT}|> CLOSE |Send \{{'type': 'websocket\.close'")
# Seconds Uvicorn waits for the reply to a close frame the app sent, before it
# ends the connection anyway (fixed in its websockets-sansio protocol). On a
# ping timeout, it ends the connection at once instead.
UVICORN_CLOSE_TIMEOUT = 10.0
FLOOD = 500  # sends of PAYLOAD bytes or so: far more than the buffers between hold
QUIET = 1.0  # seconds in which a send does not go through: the server stopped reading
# The chats read their close timeout from this variable: one second, so that
# a stalled client's drop is seen in seconds, not in the default ten.
SERVER_ENV = {"CHAT_CLOSE_TIMEOUT": "1"}
HIT_AND_RUN = 20
PAYLOAD = 32 * 1024  # bytes in each message of a stall: many fill the buffers
GRACE = 0.3  # seconds for a log line about the last client to appear


class Kind(enum.Enum):
    TEXT = "text"
    BYTES = "bytes"
    JSON = "json"


@dataclass(frozen=True)
class Recipe:
    """What an endpoint needs from a client before the real exchange starts."""

    query: dict[str, str] = field(default_factory=dict)
    headers: tuple[tuple[str, str], ...] = ()
    login: str | None = None  # POST here first, and send the cookie it sets
    subprotocols: tuple[str, ...] = ()
    first_message: str | None = None  # sent right after the handshake
    greeting: bool = False  # the server speaks first, once, after entry
    kind: Kind | None = None  # None: derived from the endpoint's code
    # Messages the sender gets back for each one it sends; None: 2 where the
    # example broadcasts (its own copy and the broadcast), else 1.
    replies: int | None = None
    stall_messages: int = 40  # how many messages a stalled client lets pile up
    # Fields every JSON message needs, such as {"type": "message"}.
    fields: tuple[tuple[str, str], ...] = ()
    # For a stall: a short message to send over and over, for an endpoint
    # whose reply to a big message is a few bytes (it would take gigabytes to
    # fill the buffers to the client); None: big messages.
    flood: str | None = None


# Keyed by (module, route path). Anything not listed uses Recipe().
RECIPES: dict[tuple[str, str], Recipe] = {
    # Replies are a sum or an error, whatever size the message: each "["
    # gets an error reply three times its size.
    ("docs_src.tutorial.json_messages", "/ws"): Recipe(flood="["),
    ("docs_src.tutorial.query_token", "/ws"): Recipe(
        query={"token": "alice-token"}, greeting=True
    ),
    ("docs_src.tutorial.testing", "/ws"): Recipe(query={"token": "test-token"}),
    ("docs_src.tutorial.subprotocols", "/ws"): Recipe(subprotocols=("chat.v2",)),
    ("docs_src.tutorial.dependencies_an_py310", "/items/{item_id}/ws"): Recipe(
        query={"token": "some-key-token"}, replies=3
    ),
    ("docs_src.tutorial.dependencies_py310", "/items/{item_id}/ws"): Recipe(
        query={"token": "some-key-token"}, replies=3
    ),
    ("docs_src.security.first_message_auth", "/ws"): Recipe(
        first_message="alice-token", greeting=True
    ),
    ("docs_src.security.origin_check", "/ws"): Recipe(login="/login", greeting=True),
    # More than BURST messages at once would be refused with 1008, as documented.
    ("docs_src.security.rate_limit", "/ws"): Recipe(stall_messages=8),
    # The first message is the last ID seen ("" for none); "live" comes back.
    ("docs_src.resume.chat", "/ws"): Recipe(first_message="", greeting=True, replies=1),
    ("docs_src.deploy.heartbeat", "/ws"): Recipe(
        greeting=True, fields=(("type", "message"),)
    ),
}


@dataclass(frozen=True)
class Endpoint:
    module: str
    path: str  # the route's path, with its parameters: "/ws/{client_id}"
    recipe: Recipe
    kind: Kind
    queue_size: int | None  # a per-client queue of this size drops a slow client
    close_timeout: float | None
    broadcasts: bool  # one client's message goes to the others
    redis: bool = False  # reads REDIS_URL: the suite gives it a real redis-server

    @property
    def app(self) -> str:
        return f"{self.module}:app"

    @property
    def id(self) -> str:
        short = self.module.removeprefix("docs_src.")
        return short if self.path == "/ws" else f"{short}:{self.path}"

    def where(self) -> str:
        return f"{self.module.replace('.', '/')}.py, route {self.path}"

    @property
    def replies(self) -> int:
        if self.recipe.replies is not None:
            return self.recipe.replies
        return 2 if self.broadcasts else 1


def frame_kind(source: str) -> Kind:
    """What the endpoint reads, from the names it calls."""
    if "json" in source:
        return Kind.JSON
    if "receive_bytes" in source or "iter_bytes" in source:
        return Kind.BYTES
    return Kind.TEXT


def fastapi_app(module: ModuleType) -> FastAPI | None:
    """The module's ``app``, or the one FastAPI app it wraps (in middleware, say)."""
    app = getattr(module, "app", None)
    if isinstance(app, FastAPI):
        return app
    if app is None:
        return None
    inner = {id(v): v for v in vars(module).values() if isinstance(v, FastAPI)}
    return next(iter(inner.values())) if len(inner) == 1 else None


def endpoints_of(module: ModuleType) -> list[Endpoint]:
    app = fastapi_app(module)
    if app is None:
        return []
    found = []
    for route in app.routes:
        if not isinstance(route, APIWebSocketRoute):
            continue  # FastAPI's @app.websocket() routes
        recipe = RECIPES.get((module.__name__, route.path), Recipe())
        # The endpoint's own module holds its settings, even when another
        # module serves it.
        home = inspect.getmodule(route.endpoint) or module
        manager = getattr(home, "manager", None)
        found.append(
            Endpoint(
                module=module.__name__,
                path=route.path,
                recipe=recipe,
                kind=recipe.kind or frame_kind(inspect.getsource(route.endpoint)),
                queue_size=getattr(home, "QUEUE_SIZE", None),
                close_timeout=(
                    float(SERVER_ENV["CHAT_CLOSE_TIMEOUT"])
                    if "CHAT_CLOSE_TIMEOUT" in inspect.getsource(home)
                    else getattr(home, "CLOSE_TIMEOUT", None)
                ),
                broadcasts=callable(getattr(manager, "broadcast", None)),
                redis="REDIS_URL" in inspect.getsource(home),
            )
        )
    return found


def endpoints(package: str = "docs_src") -> list[Endpoint]:
    """Every WebSocket endpoint of every example module under ``package``."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        if path.name == "__init__.py":
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found += endpoints_of(importlib.import_module(name))
    return found


# Clients.

_ids = itertools.count(1000)


def target(endpoint: Endpoint, number: int | None = None) -> str:
    """The route's path, its parameters filled from their annotations, and the query.

    Each call gives a new number (clients of a chat tell each other apart),
    unless ``number`` is given.
    """
    route = _route(endpoint)
    number = next(_ids) if number is None else number
    values = {}
    for param in route.dependant.path_params:
        annotation = param.field_info.annotation
        values[param.name] = str(number) if annotation is int else f"c{number}"
    path = route.path_format.format(**values)
    query = urlencode(endpoint.recipe.query)
    return f"{path}?{query}" if query else path


def _route(endpoint: Endpoint) -> APIWebSocketRoute:
    app = fastapi_app(importlib.import_module(endpoint.module))
    assert app is not None, endpoint.module
    return next(r for r in app.routes if getattr(r, "path", None) == endpoint.path)


def entry_headers(server: live.Server, endpoint: Endpoint) -> list[tuple[str, str]]:
    headers = list(endpoint.recipe.headers)
    if endpoint.recipe.login is not None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        try:
            connection.request("POST", endpoint.recipe.login)
            response = connection.getresponse()
            response.read()
            cookie = response.getheader("set-cookie", "")
        finally:
            connection.close()
        assert cookie, f"{endpoint.where()}: POST {endpoint.recipe.login} set no cookie"
        headers.append(("Cookie", cookie.split(";", 1)[0]))
    return headers


def refused_hint(endpoint: Endpoint, what: str) -> str:
    return (
        f"{endpoint.where()}: {what}. If the endpoint needs something to get in "
        "(a token in the query, a cookie, a header, a subprotocol, a first "
        f"message), add an entry recipe for ({endpoint.module!r}, "
        f"{endpoint.path!r}) to RECIPES in tests/e2e/hostile.py"
    )


@contextmanager
def client(
    server: live.Server,
    endpoint: Endpoint,
    *,
    slow: bool = False,
    path: str | None = None,
    **options: object,
) -> Iterator[ClientConnection]:
    """A real client that is in: handshake, first message and greeting done."""
    path = target(endpoint) if path is None else path
    settings = {
        "additional_headers": entry_headers(server, endpoint),
        "subprotocols": list(endpoint.recipe.subprotocols) or None,
        **options,
    }
    try:
        opening = (
            stalled(server, path, **settings)
            if slow
            else healthy(server, path, **settings)
        )
        with opening as connection:
            if endpoint.recipe.first_message is not None:
                connection.send(endpoint.recipe.first_message)
            if endpoint.recipe.greeting:
                connection.recv(timeout=TIMEOUT)
            yield connection
    except InvalidStatus as refused:
        status = refused.response.status_code
        raise AssertionError(
            refused_hint(endpoint, f"the handshake was refused with HTTP {status}")
        ) from None


def valid_message(endpoint: Endpoint, text: str = "hello") -> str | bytes:
    if endpoint.kind is Kind.BYTES:
        return text.encode()
    if endpoint.kind is Kind.JSON:
        return json.dumps(
            {"a": 1, "b": 2, "text": text, **dict(endpoint.recipe.fields)}
        )
    return text


def wrong_message(endpoint: Endpoint) -> str | bytes:
    return "hostile text" if endpoint.kind is Kind.BYTES else b"\x00hostile bytes"


def big_message(endpoint: Endpoint, number: int, size: int) -> str | bytes:
    """Incompressible, so that the bytes really pile up (or really exceed the limit)."""
    body = f"{number:04d}:" + os.urandom(size // 2).hex()
    if endpoint.kind is Kind.BYTES:
        return body.encode()
    if endpoint.kind is Kind.JSON:
        return json.dumps(
            {"a": number, "b": 0, "text": body, **dict(endpoint.recipe.fields)}
        )
    return body


def until_closed(
    connection: ClientConnection, timeout: float = TIMEOUT
) -> tuple[list[str | bytes], int | None]:
    """Everything received until the connection ends, and the close code it got.

    ``None``: the connection ended with no close frame from the server.
    """
    received: list[str | bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"still open after {timeout}s; received {describe(received)}"
                )
            received.append(connection.recv(timeout=left))
    except TimeoutError:
        raise AssertionError(
            f"still open after {timeout}s; received {describe(received)}"
        ) from None
    except ConnectionClosed as closed:
        return received, None if closed.rcvd is None else closed.rcvd.code


def describe(messages: list[str | bytes]) -> str:
    shown = [m if len(m) < 80 else m[:60] for m in messages[:5]]
    more = f" and {len(messages) - 5} more" if len(messages) > 5 else ""
    return f"{len(messages)} message(s) {shown}{more}"


def code_text(code: int | None) -> str:
    return "no close frame" if code is None else f"close code {code}"


# The server's log.


def log_mark(server: live.Server) -> int:
    return len(server.output())


def new_log(server: live.Server, mark: int) -> str:
    return server.output()[mark:]


def wait_for_new_log(
    server: live.Server, mark: int, pattern: re.Pattern[str], timeout: float = TIMEOUT
) -> None:
    """Poll the log after ``mark`` until ``pattern`` matches in it."""
    deadline = time.monotonic() + timeout
    while not pattern.search(log := new_log(server, mark)):
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{pattern.pattern!r} not in the server's log after {timeout:g}s; "
                f"it logged: {log[-2000:]!r}"
            )
        time.sleep(0.02)  # a poll interval, not a wait for an outcome


def log_problems(server: live.Server, mark: int) -> str:
    """What the server logged since ``mark`` that a hostile client must not cause."""
    time.sleep(GRACE)  # a bound for a line to appear, not a wait for an outcome
    log = new_log(server, mark)
    if "Traceback" not in log and "ERROR" not in log:
        return ""
    lines = log.splitlines()
    # The lines a reader acts on first: what uvicorn said, and the exception.
    summary = [line for line in lines if "ERROR" in line]
    summary += [
        line
        for line in lines
        if line
        and not line[0].isspace()
        and not line.startswith(("INFO:", "WARNING:", "ERROR:", "Traceback", "During"))
    ][-1:]
    return "; the server logged: " + " | ".join(summary) + "\n" + log


def served_normally(server: live.Server, endpoint: Endpoint, mark: int = 0) -> None:
    """A well-behaved client still gets in and gets every reply.

    A failure includes what the server logged since ``mark``.
    """
    with client(server, endpoint) as connection:
        connection.send(valid_message(endpoint))
        for number in range(endpoint.replies):  # every reply: leave only then
            try:
                connection.recv(timeout=TIMEOUT)
            except (ConnectionClosed, TimeoutError) as error:
                got = (
                    "nothing"
                    if isinstance(error, TimeoutError)
                    else code_text(None if error.rcvd is None else error.rcvd.code)
                )
                what = f"a well-behaved client got {got} instead of reply {number + 1}"
                log = log_problems(server, mark)
                if number == 0 and not log and got != "no close frame":
                    raise AssertionError(refused_hint(endpoint, what)) from None
                raise AssertionError(f"{endpoint.where()}: {what}{log}") from None


def expect(condition: bool, endpoint: Endpoint, what: str, log: str) -> None:
    if not condition or log:
        raise AssertionError(f"{endpoint.where()}: {what}{log}")


# The cases.


def check_wrong_frame(server: live.Server, endpoint: Endpoint) -> None:
    """A frame of the wrong type: close 1003."""
    mark = log_mark(server)
    with client(server, endpoint) as connection:
        connection.send(wrong_message(endpoint))
        received, code = until_closed(connection)
    log = log_problems(server, mark)
    kind = "text" if endpoint.kind is Kind.BYTES else "binary"
    expect(
        code == 1003,
        endpoint,
        f"a {kind} frame: expected close code 1003, got {code_text(code)} "
        f"after {describe(received)}",
        log,
    )


INVALID_JSON = {
    "invalid": "{not json",
    "nan": '{"a": NaN, "b": 1}',
    "infinity": '{"a": Infinity, "b": -Infinity}',
}


def strict_json(text: str) -> object:
    """Parse as JSON proper: NaN and Infinity are not JSON."""

    def refuse(name: str) -> object:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def check_bad_json(server: live.Server, endpoint: Endpoint, which: str) -> None:
    """Invalid or non-finite JSON: an error reply in valid JSON, or close 1007."""
    mark = log_mark(server)
    with client(server, endpoint) as connection:
        connection.send(INVALID_JSON[which])
        try:
            reply = connection.recv(timeout=TIMEOUT)
        except ConnectionClosed as closed:
            code = None if closed.rcvd is None else closed.rcvd.code
            log = log_problems(server, mark)
            expect(
                code == 1007,
                endpoint,
                f"{INVALID_JSON[which]!r}: expected an error reply or close code "
                f"1007, got {code_text(code)}",
                log,
            )
            return
        problem = ""
        try:
            strict_json(reply)  # type: ignore[arg-type]
        except ValueError as error:
            problem = f"the reply {reply!r} is not valid JSON ({error})"
        connection.send(valid_message(endpoint))
        try:
            connection.recv(timeout=TIMEOUT)
        except ConnectionClosed as closed:
            code = None if closed.rcvd is None else closed.rcvd.code
            problem = (
                problem or f"after the reply, a valid message got {code_text(code)}"
            )
    log = log_problems(server, mark)
    expect(not problem, endpoint, f"{INVALID_JSON[which]!r}: {problem}", log)


def check_oversized(server: live.Server, endpoint: Endpoint) -> None:
    """A message over uvicorn's --ws-max-size: close 1009."""
    mark = log_mark(server)
    with client(server, endpoint, max_size=None) as connection:
        connection.send(big_message(endpoint, 0, MAX_SIZE + 1024))
        received, code = until_closed(connection)
    log = log_problems(server, mark)
    expect(
        code == 1009,
        endpoint,
        f"a message over {MAX_SIZE} bytes: expected close code 1009, got "
        f"{code_text(code)} after {describe(received)}",
        log,
    )


def check_hit_and_run(server: live.Server, endpoint: Endpoint) -> None:
    """Clients send one valid message each and leave at once: nothing logged.

    All of them are in before the first leaves, so that where one client's
    message goes to the others, some of those have gone already.
    """
    mark = log_mark(server)
    with ExitStack() as stack:
        clients = [
            stack.enter_context(client(server, endpoint)) for _ in range(HIT_AND_RUN)
        ]
        for number, connection in enumerate(clients):
            connection.send(valid_message(endpoint, f"hit {number}"))
            if number % 2:
                reset(connection)  # a TCP reset
            else:
                connection.socket.shutdown(socket.SHUT_RDWR)  # a FIN, no close frame
    served_normally(server, endpoint, mark)
    log = log_problems(server, mark)
    expect(True, endpoint, f"{HIT_AND_RUN} clients sent a message and left", log)


def upgrade_request(server: live.Server, endpoint: Endpoint) -> bytes:
    """The handshake request a real client would send, entry recipe included."""
    return frames.upgrade_request(
        server.port,
        target(endpoint),
        entry_headers(server, endpoint),
        endpoint.recipe.subprotocols,
    )


@contextmanager
def raw_client(
    server: live.Server, endpoint: Endpoint, *, receive_buffer: int | None = None
) -> Iterator[socket.socket]:
    """A socket that has completed the handshake (and sent the first message).

    With ``receive_buffer``, its kernel buffer for what arrives is that small.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if receive_buffer is not None:  # before connecting, or it has no effect
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.settimeout(TIMEOUT)
        sock.connect(("127.0.0.1", server.port))
        sock.sendall(upgrade_request(server, endpoint))
        status = frames.status_of(frames.read_response_head(sock))
        if status != 101:
            raise AssertionError(
                refused_hint(endpoint, f"the handshake was answered with {status}")
            )
        if endpoint.recipe.first_message is not None:
            message = endpoint.recipe.first_message.encode()
            sock.sendall(frames.frame(frames.OP_TEXT, message))
        yield sock
    finally:
        sock.close()


def check_reset_mid_message(server: live.Server, endpoint: Endpoint) -> None:
    """Half a frame, then a TCP reset: nothing logged."""
    mark = log_mark(server)
    opcode = frames.OP_BINARY if endpoint.kind is Kind.BYTES else frames.OP_TEXT
    with raw_client(server, endpoint) as sock:
        sock.sendall(frames.frame(opcode, b"x" * 500, length=1000))
        frames.reset(sock)
    served_normally(server, endpoint, mark)
    log = log_problems(server, mark)
    expect(True, endpoint, "a client sent half a frame and reset", log)


def check_leave_during_handshake(server: live.Server, endpoint: Endpoint) -> None:
    """The upgrade request, then a TCP reset before the answer: nothing logged."""
    mark = log_mark(server)
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
    sock.sendall(upgrade_request(server, endpoint))
    frames.reset(sock)
    served_normally(server, endpoint, mark)
    log = log_problems(server, mark)
    expect(True, endpoint, "a client reset during the handshake", log)


def check_leave_while_sent_to(server: live.Server, endpoint: Endpoint) -> None:
    """Replies pile up for a client that reads nothing, then it resets: nothing logged."""
    mark = log_mark(server)
    with client(server, endpoint, slow=True) as slow:
        for number in range(endpoint.recipe.stall_messages):
            slow.send(big_message(endpoint, number, PAYLOAD))
        reset(slow)
    served_normally(server, endpoint, mark)
    log = log_problems(server, mark)
    expect(True, endpoint, "a client reset while the server was sending to it", log)


def check_slow_handshake(server: live.Server, endpoint: Endpoint) -> None:
    """The upgrade request a few bytes at a time; others are served meanwhile."""
    mark = log_mark(server)
    request = upgrade_request(server, endpoint)
    chunks = [request[start : start + 8] for start in range(0, len(request), 8)]
    with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
        for number, chunk in enumerate(chunks):
            sock.sendall(chunk)
            if number == len(chunks) // 2:
                served_normally(server, endpoint, mark)  # while the slow one is halfway
            time.sleep(0.005)  # the slowness being tested, not a wait
        status = frames.status_of(frames.read_response_head(sock))
        sock.sendall(frames.frame(frames.OP_CLOSE, (1000).to_bytes(2, "big")))
    log = log_problems(server, mark)
    expect(status == 101, endpoint, f"a slow handshake got HTTP {status}", log)


def _drain_in_background(
    connection: ClientConnection, timeout: float
) -> Callable[[], tuple[list[str | bytes], int | None, float]]:
    """Read until closed in a thread; the result is what it got, and when."""
    result: list[tuple[list[str | bytes], int | None, float]] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            received, code = until_closed(connection, timeout)
            result.append((received, code, time.monotonic()))
        except BaseException as error:  # handed to the caller below
            failure.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def join() -> tuple[list[str | bytes], int | None, float]:
        thread.join(timeout + TIMEOUT)
        if failure:
            raise failure[0]
        return result[0]

    return join


def check_stall(server: live.Server, endpoint: Endpoint) -> None:
    """A client stops reading while the server sends to it, then reads again."""
    mark = log_mark(server)
    if endpoint.queue_size is not None:
        problem = _stall_past_the_drop(server, endpoint)
    elif endpoint.broadcasts:
        problem = _stall_broadcast(server, endpoint)
    else:
        problem = _stall_replies(server, endpoint)
    log = log_problems(server, mark)
    expect(not problem, endpoint, f"a client that stopped reading: {problem}", log)


def _stall_past_the_drop(server: live.Server, endpoint: Endpoint) -> str:
    """With a per-client queue: 1013 within CLOSE_TIMEOUT + 2 s, nobody waits."""
    assert endpoint.queue_size is not None
    close_timeout = endpoint.close_timeout or 0
    # Enough to fill the socket's buffers and the queue behind them, and not
    # many more: each one after the drop keeps the client stalled a round
    # trip longer, and a client that does not read within CLOSE_TIMEOUT of
    # its drop is rightly cut off without a close frame (seen with three
    # times the queue on a busy machine).
    count = 2 * endpoint.queue_size
    with (
        client(server, endpoint, slow=True) as slow,
        client(server, endpoint, compression=None) as sender,
    ):
        for number in range(count):
            sender.send(big_message(endpoint, number, PAYLOAD))
            for _ in range(endpoint.replies):
                try:
                    sender.recv(timeout=TIMEOUT)
                except (TimeoutError, ConnectionClosed) as error:
                    return f"the sender waited for its reply to message {number}: {error!r}"
        # The drop has happened: what the dropped client says goes nowhere.
        slow.send(valid_message(endpoint, "after the drop"))
        started = time.monotonic()
        received, code, ended = _drain_in_background(slow, close_timeout + 2)()
        sender.send(valid_message(endpoint, "probe"))
        heard = []
        while not any("probe" in str(m) for m in heard):
            heard.append(sender.recv(timeout=TIMEOUT))
    leaked = [m for m in heard if "after the drop" in str(m)]
    if code != 1013:
        return (
            f"expected close code 1013, got {code_text(code)} after "
            f"{describe(received)}, {ended - started:.1f}s after it read again"
        )
    if ended - started > close_timeout + 2:
        return f"the close took {ended - started:.1f}s, over CLOSE_TIMEOUT + 2 s"
    if leaked:
        return f"a message from the dropped client was broadcast: {leaked}"
    return ""


def _stall_broadcast(server: live.Server, endpoint: Endpoint) -> str:
    """Without a queue: the stalled client gets what a healthy one got, in order."""
    count = endpoint.recipe.stall_messages
    with (
        client(server, endpoint, slow=True) as slow,
        client(server, endpoint, compression=None) as observer,
        client(server, endpoint, compression=None) as sender,
    ):
        for number in range(count):
            sender.send(big_message(endpoint, number, PAYLOAD))
        seen_by_slow = [slow.recv(timeout=TIMEOUT) for _ in range(count)]
        seen_by_observer = [observer.recv(timeout=TIMEOUT) for _ in range(count)]
        for _ in range(count * endpoint.replies):
            sender.recv(timeout=TIMEOUT)
    if seen_by_slow != seen_by_observer:
        return "once it read again, it got other messages than a healthy client"
    return ""


def _stall_replies(server: live.Server, endpoint: Endpoint) -> str:
    """Without a queue: every reply arrives once it reads again, in order."""
    count = endpoint.recipe.stall_messages
    messages = [big_message(endpoint, n, PAYLOAD) for n in range(count)]
    replies = count * endpoint.replies
    path = target(endpoint)  # the same for both: replies may name the path
    with client(server, endpoint, path=path, compression=None) as reference:
        for message in messages:
            reference.send(message)
        expected = [reference.recv(timeout=TIMEOUT) for _ in range(replies)]
    with client(server, endpoint, slow=True, path=path) as slow:
        for message in messages:
            slow.send(message)
        try:
            received = [slow.recv(timeout=TIMEOUT) for _ in range(replies)]
        except ConnectionClosed as closed:
            code = None if closed.rcvd is None else closed.rcvd.code
            return f"the connection ended ({code_text(code)}) before every reply came"
    if received != expected:
        return "the replies differ from a healthy client's (lost or out of order)"
    return ""


def check_stall_past_ping(server: live.Server, endpoint: Endpoint) -> None:
    """A client stops reading until Uvicorn's ping times out, then reads again.

    Uvicorn then closes the connection on its own. A send of the endpoint that
    was waiting for the full buffers must end quietly, and the client, once it
    reads again, must see the connection end.
    """
    mark = log_mark(server)
    opcode = frames.OP_BINARY if endpoint.kind is Kind.BYTES else frames.OP_TEXT
    if endpoint.recipe.flood is None:
        message = big_message(endpoint, 0, PAYLOAD)
        raw = message if isinstance(message, bytes) else message.encode()
        data = frames.frame(opcode, raw)
    else:  # a few thousand short messages at a time
        data = frames.frame(opcode, endpoint.recipe.flood.encode()) * 4096
    with raw_client(server, endpoint, receive_buffer=4096) as sock:
        sock.settimeout(QUIET)
        try:
            for _ in range(FLOOD):
                sock.sendall(data)
        except TimeoutError:
            pass  # the server has stopped reading
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server has ended the connection (after its close frame)
        else:
            if not GIVEN_UP.search(new_log(server, mark)):
                raise AssertionError(
                    f"{endpoint.where()}: the server read {FLOOD} times "
                    f"{len(data)} bytes, never stopping, and never closed"
                )
        # Silent until Uvicorn's ping has timed out, or until the endpoint has
        # closed on its own (a rate limit, a full queue). After a flood of
        # short messages, the server first works through a long backlog: on a
        # loaded machine, for many seconds.
        bound = TIMEOUT if endpoint.recipe.flood is None else 4 * TIMEOUT
        wait_for_new_log(server, mark, GIVEN_UP, bound)
        # An endpoint that closed on its own waits for a reply to its close
        # frame, and this client sends none: Uvicorn ends the connection
        # UVICORN_CLOSE_TIMEOUT after the frame went out, so a bound of
        # TIMEOUT alone would race that timer.
        silence = TIMEOUT
        if PING_TIMED_OUT not in new_log(server, mark):
            silence += UVICORN_CLOSE_TIMEOUT
        sock.settimeout(silence)
        ended, received = _read_until_the_end(sock)
    log = log_problems(server, mark)
    expect(
        ended,
        endpoint,
        f"a client that stalled past the ping timeout read {received} bytes "
        f"and then nothing for {silence:g}s: the connection stayed open",
        log,
    )


def _read_until_the_end(sock: socket.socket) -> tuple[bool, int]:
    """Read until the server ends the connection; whether it did, and how much came."""
    received = 0
    try:
        while chunk := sock.recv(65536):
            received += len(chunk)
    except ConnectionResetError:
        pass  # a reset ends it too
    except TimeoutError:
        return False, received
    return True, received


CASES: dict[str, Callable[[live.Server, Endpoint], None]] = {
    "wrong-frame": check_wrong_frame,
    "invalid-json": lambda server, endpoint: check_bad_json(
        server, endpoint, "invalid"
    ),
    "nan-json": lambda server, endpoint: check_bad_json(server, endpoint, "nan"),
    "infinity-json": lambda server, endpoint: check_bad_json(
        server, endpoint, "infinity"
    ),
    "oversized": check_oversized,
    "hit-and-run": check_hit_and_run,
    "reset-mid-message": check_reset_mid_message,
    "stall": check_stall,
    "leave-during-handshake": check_leave_during_handshake,
    "leave-while-sent-to": check_leave_while_sent_to,
    "slow-handshake": check_slow_handshake,
    "stall-past-ping": check_stall_past_ping,
}
JSON_CASES = {"invalid-json", "nan-json", "infinity-json"}
PING_CASES = {"stall-past-ping"}  # these get a server started with PING_ARGS


def applies(case: str, endpoint: Endpoint) -> bool:
    return case not in JSON_CASES or endpoint.kind is Kind.JSON


def run_case(server: live.Server, endpoint: Endpoint, case: str) -> None:
    CASES[case](server, endpoint)
