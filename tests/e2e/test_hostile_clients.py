"""Every WebSocket example against hostile clients, under real uvicorn.

The endpoints are found in ``docs_src/`` (see tests/e2e/hostile.py); each gets
one uvicorn, started with a small ``--ws-max-size``, for all its cases (and
one more, with fast pings, for the cases in ``hostile.PING_CASES``). No
example is exempt: the broadcasting page's naive manager, which is meant to
fail, is not an app (tests/broadcasting/naive_chat.py runs it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from guidekit import live
from tests.e2e import hostile

ENDPOINTS = hostile.endpoints()


class Servers:
    """One uvicorn per example, started when its first case runs.

    A worker may get the cases of a few examples interleaved, so the last
    few servers stay up. A case that failed on an example whose clients share
    state (a chat's list of connections) may have left it broken, so the next
    case gets a fresh server: each failure is the case's own.
    """

    KEEP = 3

    def __init__(self) -> None:
        self.running: dict[str, tuple[live.Server, ExitStack]] = {}

    @staticmethod
    def key(endpoint: hostile.Endpoint, *, pings: bool) -> str:
        return f"{endpoint.id} (pings)" if pings else endpoint.id

    def of(self, endpoint: hostile.Endpoint, *, pings: bool = False) -> live.Server:
        """The endpoint's server; with ``pings``, one started with PING_ARGS."""
        key = self.key(endpoint, pings=pings)
        if key not in self.running:
            while len(self.running) >= self.KEEP:
                self.stop(next(iter(self.running)))
            stack = ExitStack()
            env = dict(hostile.SERVER_ENV)
            if endpoint.redis:
                redis = stack.enter_context(live.redis_server())
                env["REDIS_URL"] = redis.url
            args = hostile.PING_ARGS if pings else hostile.UVICORN_ARGS
            server = stack.enter_context(live.uvicorn(endpoint.app, *args, env=env))
            self.running[key] = (server, stack)
        return self.running[key][0]

    def stop_all_of(self, endpoint: hostile.Endpoint) -> None:
        for key in [self.key(endpoint, pings=False), self.key(endpoint, pings=True)]:
            if key in self.running:
                self.stop(key)

    def stop(self, endpoint_id: str) -> None:
        _, stack = self.running.pop(endpoint_id)
        stack.close()

    def stop_all(self) -> None:
        while self.running:
            self.stop(next(iter(self.running)))


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    running = Servers()
    try:
        yield running
    finally:
        running.stop_all()


@pytest.fixture
def served(
    request: pytest.FixtureRequest, servers: Servers
) -> tuple[live.Server, hostile.Endpoint]:
    endpoint: hostile.Endpoint = request.param
    pings = request.node.callspec.params["case"] in hostile.PING_CASES
    return servers.of(endpoint, pings=pings), endpoint


def cases() -> list[object]:
    """Every (endpoint, case) pair that applies; the endpoint's server is shared."""
    return [
        pytest.param(
            endpoint,
            case,
            id=f"{endpoint.id}-{case}",
            marks=pytest.mark.xdist_group(endpoint.id),
        )
        for endpoint in ENDPOINTS
        for case in hostile.CASES
        if hostile.applies(case, endpoint)
    ]


@pytest.mark.timeout(75)  # the longest case's bounds, with room to spare
@pytest.mark.parametrize(("served", "case"), cases(), indirect=["served"])
def test_hostile_client(
    served: tuple[live.Server, hostile.Endpoint], servers: Servers, case: str
) -> None:
    server, endpoint = served
    try:
        hostile.run_case(server, endpoint, case)
    except AssertionError:
        if endpoint.broadcasts:
            servers.stop_all_of(endpoint)  # the failure may have left it broken
        raise


def test_every_example_is_covered() -> None:
    """Each example module with a WebSocket route is found, with its routes."""
    modules = {endpoint.module for endpoint in ENDPOINTS}
    assert "docs_src.tutorial.echo" in modules
    assert "docs_src.broadcasting.reliable" in modules
    assert "docs_src.broadcasting.naive" not in modules  # a manager, not an app


def test_uvicorn_waits_as_long_for_a_close_reply_as_the_suite_allows_for() -> None:
    """The stall case's bound rests on Uvicorn's wait for a close reply."""
    from uvicorn.config import Config
    from uvicorn.protocols.websockets.auto import AutoWebSocketsProtocol
    from uvicorn.server import ServerState

    config = Config(app=f"{ENDPOINTS[0].module}:app", ws="auto")
    config.load()
    assert AutoWebSocketsProtocol is not None
    loop = asyncio.new_event_loop()
    try:
        protocol = AutoWebSocketsProtocol(
            config=config, server_state=ServerState(), app_state={}, _loop=loop
        )
    finally:
        loop.close()
    assert protocol.close_timeout == hostile.UVICORN_CLOSE_TIMEOUT
