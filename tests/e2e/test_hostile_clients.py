"""Every WebSocket example against hostile clients, under real uvicorn.

The endpoints are found in ``docs_src/`` (see tests/e2e/hostile.py); each gets
one uvicorn, started with a small ``--ws-max-size``, for all its cases. A
case the page documents as failing is listed in DOCUMENTED with the reason,
and its documented failure is asserted instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

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


@pytest.fixture(scope="module")
def served(
    request: pytest.FixtureRequest,
) -> Iterator[tuple[live.Server, hostile.Endpoint]]:
    endpoint: hostile.Endpoint = request.param
    with live.uvicorn(endpoint.app, *hostile.UVICORN_ARGS) as server:
        yield server, endpoint


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
    served: tuple[live.Server, hostile.Endpoint], case: str
) -> None:
    server, endpoint = served
    documented = DOCUMENTED.get((endpoint.id, case))
    if documented is None:
        hostile.run_case(server, endpoint, case)
        return
    reason, failure = documented
    # On a server of its own: the documented failure leaves the server broken.
    with (
        live.uvicorn(endpoint.app, *hostile.UVICORN_ARGS) as fresh,
        pytest.raises(AssertionError, match=failure) as failed,
    ):
        hostile.run_case(fresh, endpoint, case)
    assert re.search(failure, str(failed.value)), reason


def test_every_example_is_covered() -> None:
    """Each example module with a WebSocket route is found, with its routes."""
    modules = {endpoint.module for endpoint in ENDPOINTS}
    assert "docs_src.tutorial.echo" in modules
    assert "docs_src.broadcasting.reliable" in modules
    for (endpoint_id, case), _ in DOCUMENTED.items():
        assert endpoint_id in {endpoint.id for endpoint in ENDPOINTS}, endpoint_id
        assert case in hostile.CASES, case
