"""Real parts for end-to-end tests: uvicorn, Chromium and redis-server.

A missing browser or server skips its tests with the reason on a developer's
machine; under CI (CI=true) it fails them, so nothing is silently left out.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from guidekit import live
from tests.conftest import require


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
