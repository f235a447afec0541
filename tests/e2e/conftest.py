"""Real parts for end-to-end tests: uvicorn, Chromium and redis-server.

A missing browser or server skips its tests with the reason on a developer's
machine; under CI (CI=true) it fails them, so nothing is silently left out.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import socket
import struct
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from websockets.client import ClientProtocol
from websockets.frames import Close, CloseCode, Frame, Opcode
from websockets.sync.client import ClientConnection, connect
from websockets.uri import parse_uri

from guidekit import live
from guidekit.live import serve_static
from tests.conftest import require
from tests.e2e import frames

__all__ = ["serve_static"]  # the static host, shared with scripts/screenshots.py

TIMEOUT = 10  # seconds: a bound on waits for things that should happen


@pytest.fixture(scope="session", autouse=True)
def no_example_logs_a_traceback() -> Iterator[None]:
    """After the last test here: no example's server log holds a traceback.

    When one does, every log stays for reading; otherwise they are removed.
    """
    yield
    crashed = live.example_tracebacks()
    assert not crashed, "an example logged a traceback:\n" + "\n".join(crashed)
    # Kept for a failure to name; otherwise the logs are done with.
    for _, log in live.SERVED:
        log.unlink(missing_ok=True)


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


def healthy(server: live.Server, path: str, **options: Any) -> ClientConnection:
    """A client that keeps reading its socket however much arrives."""
    return connect(ws_url(server, path), max_queue=None, **options)


@contextmanager
def stalled(
    server: live.Server, path: str, **options: Any
) -> Iterator[ClientConnection]:
    """A client that completes the handshake, then reads nothing until told.

    A small receive buffer and a one-message queue let it take in only a few
    kilobytes; without compression, every byte the server sends must fit in
    the buffers between them.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", server.port))
    settings = {"max_queue": 1, "compression": None, "close_timeout": 1, **options}
    with connect(ws_url(server, path), sock=sock, **settings) as connection:
        yield connection


def reset(connection: ClientConnection) -> None:
    """Vanish without a closing handshake: a TCP reset, as when a network drops."""
    frames.linger_zero(connection.socket)
    connection.socket.shutdown(socket.SHUT_RDWR)


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


@contextmanager
def paused(server: live.Server) -> Iterator[None]:
    """Stop the server's process (SIGSTOP) for the block; it goes on afterwards.

    Whatever clients do meanwhile waits in the kernel, so the server's next
    poll sees it all at once, in the order it happened.
    """
    with live.paused(server.process, timeout=TIMEOUT):
        yield


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in item.nodeid:
            item.add_marker(pytest.mark.e2e)
    # The files that drive Chromium go last. Their checks keep both cores busy
    # (axe alone, on the built site), while the servers' tests mostly wait on
    # real clocks: scripts/test runs its other steps alongside this run, and
    # those overlap the waiting best. Whole files move, in their own order,
    # so that module-scoped servers and tabs are still set up once.
    in_browser = {
        item.path
        for item in items
        if "tests/e2e/" in item.nodeid and "browser" in item.fixturenames
    }
    items.sort(key=lambda item: item.path in in_browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole session: start-ups are the slow part."""
    require(live.chromium_available(), live.CHROMIUM)
    with sync_playwright() as playwright, live.chromium(playwright) as browser:
        yield browser


def material_started(page: Page) -> None:
    """Wait until Material's script has done its start-up work on ``page``.

    The built site starts the script once the page is first drawn, which may
    be after the load event (overrides/partials/javascripts/bundle-start.html);
    Material does its work when ``document$`` emits the page.
    """
    page.wait_for_function("typeof window.document$ !== 'undefined'")
    page.evaluate("new Promise((done) => document$.subscribe(() => setTimeout(done)))")


# Brings each code block on screen in turn, with the tab and the collapsed
# block that hold it opened, and waits until Material has set it up (its copy
# button is in the block). Fails with the block's place in the page if that
# takes more than the timeout. It waits on the page's changes, not on frames:
# a test may stop the page's animation frames.
SHOW_CODE_BLOCKS = """async (timeout) => {
  const blocks = [...document.querySelectorAll("pre > code")];
  const setUp = (pre, index) => new Promise((done, fail) => {
    const button = () => pre.querySelector('button[data-md-type="copy"]');
    const observer = new MutationObserver(() => button() && finish());
    const timer = setTimeout(() => {
      observer.disconnect();
      fail(new Error(`code block ${index + 1} of ${blocks.length} got no copy button`));
    }, timeout);
    const finish = () => { observer.disconnect(); clearTimeout(timer); done(); };
    observer.observe(pre, { childList: true, subtree: true });
    if (button()) finish();
  });
  for (const [index, code] of blocks.entries()) {
    for (let details = code.closest("details:not([open])"); details;
         details = details.parentElement.closest("details:not([open])")) {
      details.open = true;
    }
    for (let panel = code.closest(".tabbed-block"); panel;
         panel = panel.parentElement.closest(".tabbed-block")) {
      const place = [...panel.parentElement.children].indexOf(panel);
      const input = panel.closest(".tabbed-set").querySelectorAll(":scope > input")[place];
      if (!input.checked) input.click();
    }
    code.scrollIntoView({ block: "center" });
    await setUp(code.closest("pre"), index);
  }
  window.scrollTo(0, 0);
  return blocks.length;
}"""


# Its FrameCommittedInBrowser events name the process each page is drawn in.
PAGE_PROCESSES = "disabled-by-default-devtools.timeline"


@contextmanager
def traced(page: Page, *categories: str) -> Iterator[list[dict[str, Any]]]:
    """Chromium's trace of ``page`` in ``categories`` while the block runs.

    The list it gives is filled, when the block ends, with the events of the
    page's own renderer (``page_events``).
    """
    browser = page.context.browser
    assert browser is not None
    events: list[dict[str, Any]] = []
    browser.start_tracing(page=page, categories=[*categories, PAGE_PROCESSES])
    try:
        yield events
    finally:
        events.extend(page_events(json.loads(browser.stop_tracing())["traceEvents"]))


def page_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events of a trace that happened in the traced page's renderer process.

    A trace holds the whole browser's events, and Chromium draws its own
    pages (such as the omnibox popup, which headless Chromium may load while
    a test runs) in renderer processes of their own.
    """
    processes = {
        event["args"]["data"]["processId"]
        for event in events
        if event.get("name") == "FrameCommittedInBrowser"
        and event["args"]["data"].get("isOutermostMainFrame")
    }
    assert processes, "no FrameCommittedInBrowser event: has Chromium renamed it?"
    return [event for event in events if event.get("pid") in processes]


def trace_count(events: list[dict[str, Any]], name: str) -> int:
    """How many of a trace's ``events`` are the work named ``name`` (its start or all of it)."""
    return sum(
        1 for event in events if event.get("name") == name and event.get("ph") in "XB"
    )


def every_code_block_shown(page: Page) -> int:
    """Show ``page``'s code blocks one by one, as a reader scrolling down would.

    Material sets up a code block (its copy button, and keyboard focus when
    it scrolls sideways) only once it comes on screen (``content.lazy`` in
    mkdocs.yml), so a check of every block must first bring each one there.
    Returns how many blocks there are.
    """
    material_started(page)
    shown: int = page.evaluate(SHOW_CODE_BLOCKS, TIMEOUT * 1000)
    return shown


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def hit_and_run(server: live.Server, path: str, *messages: str) -> None:
    """Connect, send, close and reset at once, without reading any answer.

    The handshake request, the messages and a close frame leave in one write,
    so the server may read the client's close before its own accept() is done.
    """
    protocol = ClientProtocol(parse_uri(ws_url(server, path)))
    protocol.send_request(protocol.connect())
    data = b"".join(protocol.data_to_send())
    for text in messages:
        data += Frame(Opcode.TEXT, text.encode()).serialize(mask=True)
    close = Close(CloseCode.NORMAL_CLOSURE, "").serialize()
    data += Frame(Opcode.CLOSE, close).serialize(mask=True)
    with socket.create_connection(("127.0.0.1", server.port), TIMEOUT) as raw:
        raw.sendall(data)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def wait_for_log(server: live.Server, line: str, timeout: float = TIMEOUT) -> str:
    """Poll the server's log until it has ``line``; return the whole log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        output = server.output()
        if line in output.splitlines():
            return output
        time.sleep(0.02)  # a poll interval, not a wait for an outcome
    raise AssertionError(f"{line!r} not in the log:\n{server.output()}")
