"""The tutorial's examples under real uvicorn, driven by the websockets client."""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator

import pytest
from websockets.exceptions import ConnectionClosedError, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from guidekit import live
from tests.e2e.conftest import TIMEOUT, assert_quiet, receive, ws_url


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
    # Gone with no closing handshake: a TCP reset, as when a network drops.
    ghost.socket.setsockopt(
        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
    )
    ghost.socket.shutdown(socket.SHUT_RDWR)
    with pytest.raises(ConnectionClosedError):
        ghost.recv(timeout=TIMEOUT)
    replies = [receive(alice)]
    for text in ("one", "two"):
        alice.send(text)
        replies += [receive(alice), receive(alice)]
    return replies
