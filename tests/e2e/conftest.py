"""Real parts for end-to-end tests: uvicorn, Chromium and redis-server.

A missing browser or server skips its tests with the reason on a developer's
machine; under CI (CI=true) it fails them, so nothing is silently left out.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from websockets.sync.client import ClientConnection

from guidekit import live
from guidekit.live import serve_static
from tests.conftest import require

__all__ = ["serve_static"]  # the static host, shared with scripts/screenshots.py

TIMEOUT = 10  # seconds: a bound on waits for things that should happen


def ws_url(server: live.Server, path: str) -> str:
    return server.url.replace("http://", "ws://") + path


def receive(connection: ClientConnection, timeout: float = TIMEOUT) -> str:
    """The next text message, within ``timeout`` seconds."""
    message = connection.recv(timeout=timeout)
    assert isinstance(message, str)
    return message


def receive_until(connection: ClientConnection, last: str) -> list[str]:
    """Every message up to and including ``last``."""
    messages: list[str] = []
    while not messages or messages[-1] != last:
        messages.append(receive(connection))
    return messages


def assert_quiet(server: live.Server) -> None:
    """Clients came and went: the server must have logged no error for it."""
    log = server.output()
    assert "Traceback" not in log, log
    assert "ERROR" not in log, log


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in item.nodeid:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole session: start-ups are the slow part."""
    require(live.chromium_available(), live.CHROMIUM)
    with sync_playwright() as playwright, live.chromium(playwright) as browser:
        yield browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()
