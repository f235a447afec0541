"""The tutorial's examples under real uvicorn, driven by the websockets client."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosedError, InvalidStatus

from guidekit import live

TIMEOUT = 10


@pytest.fixture(scope="module")
def echo_server() -> Iterator[live.Server]:
    with live.uvicorn("docs_src.tutorial.echo:app") as server:
        yield server


@pytest.fixture(scope="module", params=["dependencies_an_py310", "dependencies_py310"])
def dependencies_server(request: pytest.FixtureRequest) -> Iterator[live.Server]:
    with live.uvicorn(f"docs_src.tutorial.{request.param}:app") as server:
        yield server


@pytest.fixture(scope="module")
def chat_server() -> Iterator[live.Server]:
    with live.uvicorn("docs_src.tutorial.chat:app") as server:
        yield server


def ws_url(server: live.Server, path: str) -> str:
    return server.url.replace("http://", "ws://") + path


async def receive(connection: ClientConnection) -> str:
    message = await asyncio.wait_for(connection.recv(), TIMEOUT)
    assert isinstance(message, str)
    return message


def test_echo(echo_server: live.Server) -> None:
    async def scenario() -> list[str]:
        async with connect(ws_url(echo_server, "/ws")) as connection:
            replies = []
            for text in ("Hello", "again"):
                await connection.send(text)
                replies.append(await receive(connection))
            return replies

    assert asyncio.run(scenario()) == ["You said: Hello", "You said: again"]


def test_dependencies_with_token(dependencies_server: live.Server) -> None:
    async def scenario() -> list[str]:
        url = ws_url(dependencies_server, "/items/foo/ws?token=abc&q=3")
        async with connect(url, user_agent_header="e2e-client") as connection:
            await connection.send("Hi")
            return [await receive(connection) for _ in range(4)]

    assert asyncio.run(scenario()) == [
        "Item foo: Hi",
        "q = 3",
        "Authenticated with token, scopes: items:read",
        "User-Agent: e2e-client",
    ]


def test_dependencies_with_cookie(dependencies_server: live.Server) -> None:
    async def scenario() -> list[str]:
        url = ws_url(dependencies_server, "/items/bar/ws")
        headers = {"Cookie": "session=s1"}
        async with connect(
            url, additional_headers=headers, user_agent_header=None
        ) as connection:
            await connection.send("Hey")
            return [await receive(connection) for _ in range(2)]

    assert asyncio.run(scenario()) == [
        "Item bar: Hey",
        "Authenticated with session cookie, scopes: items:read",
    ]


def test_dependencies_refuse_missing_credentials(
    dependencies_server: live.Server,
) -> None:
    async def scenario() -> None:
        async with connect(ws_url(dependencies_server, "/items/foo/ws")):
            pass

    with pytest.raises(InvalidStatus) as refused:
        asyncio.run(scenario())
    assert refused.value.response.status_code == 403


def test_chat_broadcast_and_leave(chat_server: live.Server) -> None:
    async def scenario() -> tuple[list[str], list[str], list[str]]:
        alice = await connect(ws_url(chat_server, "/ws/1"))
        bob = await connect(ws_url(chat_server, "/ws/2"))
        carol = await connect(ws_url(chat_server, "/ws/3"))
        await alice.send("hello")
        seen_by_alice = [await receive(alice), await receive(alice)]
        seen_by_bob = [await receive(bob)]
        seen_by_carol = [await receive(carol)]
        await carol.close()
        seen_by_alice.append(await receive(alice))
        seen_by_bob.append(await receive(bob))
        await bob.send("bye")
        seen_by_bob += [await receive(bob), await receive(bob)]
        seen_by_alice.append(await receive(alice))
        await alice.close()
        await bob.close()
        return seen_by_alice, seen_by_bob, seen_by_carol

    alice, bob, carol = asyncio.run(scenario())
    assert alice == [
        "You wrote: hello",
        "Client #1 says: hello",
        "Client #3 left the chat",
        "Client #2 says: bye",
    ]
    assert bob == [
        "Client #1 says: hello",
        "Client #3 left the chat",
        "You wrote: bye",
        "Client #2 says: bye",
    ]
    assert carol == ["Client #1 says: hello"]


def test_chat_survives_a_client_that_vanishes(chat_server: live.Server) -> None:
    """A client dropped without a close frame breaks nobody else."""

    async def scenario() -> list[str]:
        alice = await connect(ws_url(chat_server, "/ws/10"))
        ghost = await connect(ws_url(chat_server, "/ws/11"))
        ghost.transport.abort()  # gone, with no closing handshake
        with pytest.raises(ConnectionClosedError):
            await ghost.recv()
        replies = [await receive(alice)]
        for text in ("one", "two"):
            await alice.send(text)
            replies += [await receive(alice), await receive(alice)]
        await alice.close()
        return replies

    assert asyncio.run(scenario()) == [
        "Client #11 left the chat",
        "You wrote: one",
        "Client #10 says: one",
        "You wrote: two",
        "Client #10 says: two",
    ]
