"""The hostile-client suite itself: a hardened app passes, a broken one fails."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from guidekit import live
from tests.e2e import hostile

APPS = "tests/e2e/hostile_apps"
ENDPOINTS = {endpoint.id: endpoint for endpoint in hostile.endpoints(APPS)}
HARDENED = [e for e in ENDPOINTS.values() if e.module.endswith(".hardened")]


def endpoint(module: str, path: str) -> hostile.Endpoint:
    return next(e for e in ENDPOINTS.values() if e.module == module and e.path == path)


def serve(
    name: str, args: tuple[str, ...] = hostile.UVICORN_ARGS
) -> Iterator[live.Server]:
    """One of the synthetic apps under uvicorn, as the suite runs the examples."""
    app = f"{APPS.replace('/', '.')}.{name}:app"
    with live.uvicorn(app, *args) as server:
        yield server


@pytest.fixture(scope="module")
def hardened() -> Iterator[live.Server]:
    yield from serve("hardened")


@pytest.fixture(scope="module")
def hardened_pinging() -> Iterator[live.Server]:
    yield from serve("hardened", hostile.PING_ARGS)


@pytest.fixture(scope="module")
def broken() -> Iterator[live.Server]:
    yield from serve("broken")


@pytest.fixture(scope="module")
def broken_pinging() -> Iterator[live.Server]:
    yield from serve("broken", hostile.PING_ARGS)


def test_the_apps_are_found_with_their_kinds() -> None:
    kinds = {(e.module.rsplit(".", 1)[1], e.path): e.kind for e in ENDPOINTS.values()}
    assert kinds == {
        ("broken", "/ws"): hostile.Kind.TEXT,
        ("broken", "/ws/guarded"): hostile.Kind.TEXT,
        ("hardened", "/ws"): hostile.Kind.TEXT,
        ("hardened", "/ws/json"): hostile.Kind.JSON,
    }


@pytest.mark.timeout(40)
@pytest.mark.parametrize(
    ("which", "case"),
    [
        pytest.param(e, case, id=f"{e.id}-{case}")
        for e in HARDENED
        for case in hostile.CASES
        if hostile.applies(case, e)
    ],
)
@pytest.mark.xdist_group("hostile-hardened")
def test_a_hardened_app_passes_every_case(
    request: pytest.FixtureRequest, which: hostile.Endpoint, case: str
) -> None:
    fixture = "hardened_pinging" if case in hostile.PING_CASES else "hardened"
    hostile.run_case(request.getfixturevalue(fixture), which, case)


@pytest.mark.xdist_group("hostile-broken")
def test_unchecked_receive_text_fails_the_wrong_frame_case(broken: live.Server) -> None:
    target = endpoint(f"{APPS.replace('/', '.')}.broken", "/ws")
    with pytest.raises(AssertionError) as failed:
        hostile.check_wrong_frame(broken, target)
    message = str(failed.value)
    assert message.startswith(
        "tests/e2e/hostile_apps/broken.py, route /ws: a binary frame: expected close "
        "code 1003, got no close frame after 0 message(s) []; the server logged: "
        "ERROR:    Exception in ASGI application | KeyError: 'text'\n"
    ), message


@pytest.mark.xdist_group("hostile-broken")
def test_a_refused_handshake_says_which_recipe_to_add(broken: live.Server) -> None:
    target = endpoint(f"{APPS.replace('/', '.')}.broken", "/ws/guarded")
    with pytest.raises(AssertionError) as failed:
        hostile.check_hit_and_run(broken, target)
    assert str(failed.value) == (
        "tests/e2e/hostile_apps/broken.py, route /ws/guarded: the handshake was "
        "refused with HTTP 403. If the endpoint needs something to get in (a token "
        "in the query, a cookie, a header, a subprotocol, a first message), add an "
        "entry recipe for ('tests.e2e.hostile_apps.broken', '/ws/guarded') to "
        "RECIPES in tests/e2e/hostile.py"
    )


@pytest.mark.xdist_group("hostile-broken")
def test_a_send_that_lets_runtime_error_out_fails_the_ping_case(
    broken_pinging: live.Server,
) -> None:
    target = endpoint(f"{APPS.replace('/', '.')}.broken", "/ws")
    with pytest.raises(AssertionError) as failed:
        hostile.check_stall_past_ping(broken_pinging, target)
    message = str(failed.value)
    assert message.startswith("tests/e2e/hostile_apps/broken.py, route /ws: "), message
    assert "ERROR:    Exception in ASGI application" in message, message
    assert (
        "RuntimeError: Unexpected ASGI message 'websocket.send', after sending "
        "'websocket.close'."
    ) in message, message
