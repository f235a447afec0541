"""Real parts for end-to-end tests: uvicorn, Chromium and redis-server.

A missing browser or server skips its tests with the reason on a developer's
machine; under CI (CI=true) it fails them, so nothing is silently left out.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import http.server
import sys
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from websockets.sync.client import ClientConnection

from guidekit import live
from tests.conftest import require

LANGUAGE_FOLDERS = ("tr", "de", "ko")


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """A static host that answers a missing page with its language's 404 page."""

    def send_error(
        self, code: int, message: str | None = None, explain: str | None = None
    ) -> None:
        if code != 404:
            super().send_error(code, message, explain)
            return
        language = self.path.strip("/").split("/", 1)[0]
        root = Path(self.directory)
        page = root / language / "404.html"
        if language not in LANGUAGE_FOLDERS or not page.is_file():
            page = root / "404.html"
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    """A browser that navigates away mid-response is no error of the site's."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def serve_static(folder: Path) -> Iterator[str]:
    """Serve a built site on a free loopback port, as a static host would."""
    handler = functools.partial(SiteHandler, directory=str(folder))
    server = QuietServer(("127.0.0.1", live.free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


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


T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run()`` in a thread of its own.

    Playwright's sync API keeps an event loop running in the main thread once
    a browser has started, and asyncio.run() refuses to start inside it.
    """
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


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
