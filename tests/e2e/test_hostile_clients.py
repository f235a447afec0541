"""Every WebSocket example against hostile clients, under real uvicorn.

The endpoints are found in ``docs_src/`` (see tests/e2e/hostile.py); each gets
one uvicorn, started with a small ``--ws-max-size``, for all its cases. A
case the page documents as failing is listed in DOCUMENTED with the reason,
and its documented failure is asserted instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from guidekit import live
from tests.e2e import hostile

ENDPOINTS = hostile.endpoints()

# (endpoint id, case): (why the page shows it failing, what the failure says).
DOCUMENTED: dict[tuple[str, str], tuple[str, str]] = {
    ("broadcasting.naive:/ws/{client_id}", "hit-and-run"): (
        "broadcasting.md: a client that has gone away breaks the sender's handler",
        r"Exception in ASGI application",
    ),
}


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

    def of(self, endpoint: hostile.Endpoint) -> live.Server:
        if endpoint.id not in self.running:
            while len(self.running) >= self.KEEP:
                self.stop(next(iter(self.running)))
            stack = ExitStack()
            env = dict(hostile.SERVER_ENV)
            if endpoint.redis:
                redis = stack.enter_context(live.redis_server())
                env["REDIS_URL"] = redis.url
            server = stack.enter_context(
                live.uvicorn(endpoint.app, *hostile.UVICORN_ARGS, env=env)
            )
            self.running[endpoint.id] = (server, stack)
        return self.running[endpoint.id][0]

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
    return servers.of(endpoint), endpoint


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


@pytest.mark.timeout(40)
@pytest.mark.parametrize(("served", "case"), cases(), indirect=["served"])
def test_hostile_client(
    served: tuple[live.Server, hostile.Endpoint], servers: Servers, case: str
) -> None:
    server, endpoint = served
    documented = DOCUMENTED.get((endpoint.id, case))
    try:
        if documented is None:
            hostile.run_case(server, endpoint, case)
            return
        reason, failure = documented
        with pytest.raises(AssertionError, match=failure) as failed:
            hostile.run_case(server, endpoint, case)
        assert re.search(failure, str(failed.value)), reason
    except AssertionError:
        if endpoint.broadcasts:
            servers.stop(endpoint.id)
        raise
    if endpoint.broadcasts:
        servers.stop(endpoint.id)  # the documented failure has left it broken


def test_every_example_is_covered() -> None:
    """Each example module with a WebSocket route is found, with its routes."""
    modules = {endpoint.module for endpoint in ENDPOINTS}
    assert "docs_src.tutorial.echo" in modules
    assert "docs_src.broadcasting.reliable" in modules
    for (endpoint_id, case), _ in DOCUMENTED.items():
        assert endpoint_id in {endpoint.id for endpoint in ENDPOINTS}, endpoint_id
        assert case in hostile.CASES, case
