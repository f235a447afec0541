"""The tutorial's examples under real uvicorn, driven by the websockets client."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, ConnectionClosedError, InvalidStatus
from websockets.frames import Close
from websockets.sync.client import ClientConnection, connect

from guidekit import live
from tests.e2e.conftest import (
    TIMEOUT,
    assert_quiet,
    hit_and_run,
    receive,
    reset,
    ws_url,
)

MAX_SIZE = 1024  # --ws-max-size for the hostile-client tests: small, quick to exceed


@pytest.fixture(scope="module")
def echo_server() -> Iterator[live.Server]:
    with live.uvicorn("docs_src.tutorial.echo:app") as server:
        yield server
    assert_quiet(server)


@pytest.fixture(scope="module", params=["dependencies_an_py310", "dependencies_py310"])
def dependencies_server(request: pytest.FixtureRequest) -> Iterator[live.Server]:
    with live.uvicorn(f"docs_src.tutorial.{request.param}:app") as server:
        yield server
    assert_quiet(server)


@pytest.fixture(scope="module")
def chat_server() -> Iterator[live.Server]:
    with live.uvicorn("docs_src.tutorial.chat:app") as server:
        yield server
    assert_quiet(server)


def test_echo(echo_server: live.Server) -> None:
    with connect(ws_url(echo_server, "/ws")) as connection:
        replies = []
        for text in ("Hello", "again"):
            connection.send(text)
            replies.append(receive(connection))
    assert replies == ["You said: Hello", "You said: again"]


def test_dependencies_with_token(dependencies_server: live.Server) -> None:
    url = ws_url(dependencies_server, "/items/foo/ws?token=abc&q=3")
    with connect(url, user_agent_header="e2e-client") as connection:
        connection.send("Hi")
        replies = [receive(connection) for _ in range(4)]
    assert replies == [
        "Item foo: Hi",
        "q = 3",
        "Authenticated with token, scopes: items:read, items:write",
        "User-Agent: e2e-client",
    ]


def test_dependencies_with_cookie(dependencies_server: live.Server) -> None:
    url = ws_url(dependencies_server, "/items/bar/ws")
    headers = {"Cookie": "session=s1"}
    with connect(url, additional_headers=headers, user_agent_header=None) as connection:
        connection.send("Hey")
        replies = [receive(connection) for _ in range(2)]
    assert replies == [
        "Item bar: Hey",
        "Authenticated with session cookie, scopes: items:read, items:write",
    ]


def test_dependencies_refuse_missing_credentials(
    dependencies_server: live.Server,
) -> None:
    with (
        pytest.raises(InvalidStatus) as refused,
        connect(ws_url(dependencies_server, "/items/foo/ws")),
    ):
        pass
    assert refused.value.response.status_code == 403
    assert refused.value.response.body == b""


def chat_scenario(
    alice: ClientConnection, bob: ClientConnection, carol: ClientConnection
) -> tuple[list[str], list[str], list[str]]:
    alice.send("hello")
    seen_by_alice = [receive(alice), receive(alice)]
    seen_by_bob = [receive(bob)]
    seen_by_carol = [receive(carol)]
    carol.close()
    seen_by_alice.append(receive(alice))
    seen_by_bob.append(receive(bob))
    bob.send("bye")
    seen_by_bob += [receive(bob), receive(bob)]
    seen_by_alice.append(receive(alice))
    return seen_by_alice, seen_by_bob, seen_by_carol


def test_chat_broadcast_and_leave(chat_server: live.Server) -> None:
    with (
        connect(ws_url(chat_server, "/ws/1")) as alice,
        connect(ws_url(chat_server, "/ws/2")) as bob,
        connect(ws_url(chat_server, "/ws/3")) as carol,
    ):
        seen_by_alice, seen_by_bob, seen_by_carol = chat_scenario(alice, bob, carol)
    assert seen_by_alice == [
        "You wrote: hello",
        "Client #1 says: hello",
        "Client #3 left the chat",
        "Client #2 says: bye",
    ]
    assert seen_by_bob == [
        "Client #1 says: hello",
        "Client #3 left the chat",
        "You wrote: bye",
        "Client #2 says: bye",
    ]
    assert seen_by_carol == ["Client #1 says: hello"]


def test_chat_survives_a_client_that_vanishes(chat_server: live.Server) -> None:
    """A client dropped without a close frame breaks nobody else."""
    with (
        connect(ws_url(chat_server, "/ws/10")) as alice,
        connect(ws_url(chat_server, "/ws/11")) as ghost,
    ):
        replies = vanish_scenario(alice, ghost)
    assert replies == [
        "Client #11 left the chat",
        "You wrote: one",
        "Client #10 says: one",
        "You wrote: two",
        "Client #10 says: two",
    ]


def vanish_scenario(alice: ClientConnection, ghost: ClientConnection) -> list[str]:
    reset(ghost)
    with pytest.raises(ConnectionClosedError):
        ghost.recv(timeout=TIMEOUT)
    replies = [receive(alice)]
    for text in ("one", "two"):
        alice.send(text)
        replies += [receive(alice), receive(alice)]
    return replies


# Every tutorial example against hostile clients


@dataclass(frozen=True)
class Example:
    """How a well-behaved client talks to one example."""

    module: str
    path: str
    options: dict[str, Any] = field(default_factory=dict)
    greetings: int = 0  # messages the server sends first
    binary: bool = False  # the example speaks bytes, not text

    def message(self, text: str) -> str | bytes:
        return text.encode() if self.binary else text

    def wrong_type(self) -> str | bytes:
        return "hello" if self.binary else b"hello"


EXAMPLES = [
    Example("echo", "/ws"),
    Example("text_messages", "/ws"),
    Example("bytes_messages", "/ws", binary=True),
    Example("json_messages", "/ws"),
    Example("chat", "/ws/7"),
    Example("dependencies_an_py310", "/items/foo/ws?token=t"),
    Example("dependencies_py310", "/items/foo/ws?token=t"),
    Example("query_token", "/ws?token=alice-token", greetings=1),
    Example("subprotocols", "/ws", {"subprotocols": ["chat.v1"]}),
    Example("testing", "/ws?token=test-token"),
]


@pytest.fixture(scope="module", params=EXAMPLES, ids=lambda example: example.module)
def example(request: pytest.FixtureRequest) -> Iterator[tuple[Example, live.Server]]:
    chosen: Example = request.param
    app = f"docs_src.tutorial.{chosen.module}:app"
    with live.uvicorn(app, "--ws-max-size", str(MAX_SIZE)) as server:
        yield chosen, server
    assert_quiet(server)


@contextmanager
def open_example(
    example: Example, server: live.Server, **options: Any
) -> Iterator[ClientConnection]:
    """Connect as a well-behaved client, past any greeting."""
    with connect(ws_url(server, example.path), **example.options, **options) as ws:
        for _ in range(example.greetings):
            ws.recv(timeout=TIMEOUT)
        yield ws


def close_frame(connection: ClientConnection) -> Close:
    """Read until the server closes; return the close frame it sent."""
    with pytest.raises(ConnectionClosed) as closed:
        for _ in range(100):  # far more than any example answers to one message
            connection.recv(timeout=TIMEOUT)
    assert closed.value.rcvd is not None, "no close frame from the server"
    return closed.value.rcvd


def still_answers(example: Example, server: live.Server) -> None:
    """A well-behaved client is served normally, and nothing was logged."""
    with open_example(example, server) as connection:
        connection.send(example.message('{"a": 1, "b": 2}'))
        assert connection.recv(timeout=TIMEOUT)
    assert_quiet(server)


def test_wrong_message_type_gets_1003(example: tuple[Example, live.Server]) -> None:
    chosen, server = example
    with open_example(chosen, server) as connection:
        connection.send(chosen.wrong_type())
        assert close_frame(connection) == Close(1003, "")
    still_answers(chosen, server)


def test_oversized_message_gets_1009(example: tuple[Example, live.Server]) -> None:
    chosen, server = example
    # Uncompressed, so that the server can tell the size before inflating.
    with open_example(chosen, server, compression=None) as connection:
        connection.send(chosen.message("x" * (MAX_SIZE + 1)))
        closed = close_frame(connection)
    assert closed.code == 1009
    assert (
        closed.reason
        == f"frame with {MAX_SIZE + 1} bytes exceeds limit of {MAX_SIZE} bytes"
    )
    still_answers(chosen, server)


def test_hit_and_run_is_quiet(example: tuple[Example, live.Server]) -> None:
    chosen, server = example
    for _ in range(5):
        hit_and_run(server, chosen.path, "hello")
    still_answers(chosen, server)


def test_reset_mid_conversation_is_quiet(example: tuple[Example, live.Server]) -> None:
    chosen, server = example
    with open_example(chosen, server) as connection:
        connection.send(chosen.message('{"a": 1, "b": 2}'))
        reset(connection)
    still_answers(chosen, server)


# JSON that is not what the example expects, and what a real client reads back


@pytest.fixture(scope="module")
def json_server() -> Iterator[live.Server]:
    with live.uvicorn("docs_src.tutorial.json_messages:app") as server:
        yield server
    assert_quiet(server)


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ('{"a": 2, "b": 3}', '{"sum":5}'),
        ("{bad", '{"error":"invalid JSON"}'),
        ("[" * 100_000, '{"error":"invalid JSON"}'),
        ('{"a": NaN, "b": 1}', """{"error":"expected numbers 'a' and 'b'"}"""),
        ('{"a": Infinity, "b": 1}', """{"error":"expected numbers 'a' and 'b'"}"""),
        ('{"a": 1e308, "b": 1e308}', """{"error":"expected numbers 'a' and 'b'"}"""),
    ],
)
def test_json_replies_on_the_wire(
    json_server: live.Server, text: str, reply: str
) -> None:
    with connect(ws_url(json_server, "/ws")) as connection:
        connection.send(text)
        assert receive(connection) == reply
        connection.send('{"a": 1, "b": 1}')
        assert receive(connection) == '{"sum":2}'


# Refusals before accept(): the close code never reaches a real client


@pytest.mark.parametrize(
    ("module", "path", "options"),
    [
        ("query_token", "/ws", {}),
        ("query_token", "/ws?token=carol-token", {}),
        ("subprotocols", "/ws", {"subprotocols": ["chat.v3"]}),
        ("dependencies_an_py310", "/items/foo/ws?token=t&q=three", {}),
        ("testing", "/ws", {}),
    ],
)
def test_refusal_before_accept_is_a_bare_403(
    module: str, path: str, options: dict[str, Any]
) -> None:
    with live.uvicorn(f"docs_src.tutorial.{module}:app") as server:
        with (
            pytest.raises(InvalidStatus) as refused,
            connect(ws_url(server, path), **options),
        ):
            pass
        response = refused.value.response
        assert (response.status_code, response.reason_phrase) == (403, "Forbidden")
        assert response.body == b""
    assert_quiet(server)


def test_chat_says_goodbye_for_a_client_sent_away(chat_server: live.Server) -> None:
    with (
        connect(ws_url(chat_server, "/ws/20")) as alice,
        connect(ws_url(chat_server, "/ws/21")) as bob,
    ):
        bob.send(b"binary")
        assert close_frame(bob) == Close(1003, "")
        assert receive(alice) == "Client #21 left the chat"


@pytest.mark.parametrize("chosen", EXAMPLES, ids=lambda example: example.module)
def test_hit_and_run_is_quiet_under_the_legacy_implementation(chosen: Example) -> None:
    """`--ws websockets`, Uvicorn's older WebSocket implementation, awaits the
    handshake inside accept(): a client that leaves at once is gone before the
    endpoint's first send. query_token's welcome used to log a traceback here."""
    app = f"docs_src.tutorial.{chosen.module}:app"
    with live.uvicorn(app, "--ws", "websockets") as server:
        for _ in range(5):
            hit_and_run(server, chosen.path, "hello")
        still_answers(chosen, server)
    assert_quiet(server)
