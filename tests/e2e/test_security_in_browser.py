"""What Chromium sends and what a page's script sees, for the security chapter.

The examples run under real uvicorn; pages on other origins are served by a
static server on other ports. What Chromium sends with each handshake is read
from uvicorn's own log at the debug level, where it lists the request headers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

from guidekit import live
from tests.conftest import IN_CI
from tests.e2e.conftest import serve_static, ws_url

# The port the origin check's allow-list expects, and the page tells readers to use.
EXAMPLE_PORT = 8000
PING_INTERVAL = 0.2
PING_TIMEOUT = 0.3

# Opens a socket, sends `send` once it is open (unless it is null), and
# resolves with everything the script saw: when the socket closes, when the
# message `until` arrives, or, if `wait` is a number of milliseconds, when
# that time has passed.
OPEN_SOCKET = """
([url, send, until, wait]) => new Promise((resolve) => {
  const seen = [];
  const socket = new WebSocket(url);
  const done = (extra) => resolve({seen, state: socket.readyState, ...extra});
  socket.addEventListener("open", () => {
    seen.push("open");
    if (send !== null) socket.send(send);
  });
  socket.addEventListener("message", (event) => {
    seen.push(event.data);
    if (event.data === until) done({});
  });
  socket.addEventListener("error", () => seen.push("error"));
  socket.addEventListener("close", (event) =>
    done({code: event.code, reason: event.reason, clean: event.wasClean}));
  if (wait !== null) setTimeout(() => done({}), wait);
})
"""


def open_socket(
    page: Page,
    url: str,
    send: str | None = None,
    until: str | None = None,
    wait: float | None = None,
) -> dict[str, Any]:
    wait_ms = None if wait is None else int(wait * 1000)
    result: dict[str, Any] = page.evaluate(OPEN_SOCKET, [url, send, until, wait_ms])
    return result


def handshake_headers(server: live.Server, path: str) -> dict[str, str]:
    """The headers of the handshake for ``path``, as uvicorn logged them."""
    lines = server.output().splitlines()
    start = lines.index(f"DEBUG:    < GET {path} HTTP/1.1")
    headers = {}
    for line in lines[start + 1 :]:
        if not line.startswith("DEBUG:    < "):
            break
        name, _, value = line.removeprefix("DEBUG:    < ").partition(": ")
        headers[name] = value
    return headers


@pytest.fixture(scope="module")
def other_pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A page on another port; its URL names 127.0.0.1 or localhost at will."""
    folder: Path = tmp_path_factory.mktemp("other-site")
    (folder / "index.html").write_text("<!doctype html><title>Other</title>\n")
    with serve_static(folder) as url:
        yield int(url.rsplit(":", 1)[1])


@pytest.fixture
def origin_example() -> Iterator[live.Server]:
    """The origin check on port 8000, as the page runs it."""
    if not live.port_is_free(EXAMPLE_PORT):
        message = f"port {EXAMPLE_PORT} is in use: the example's allow-list needs it"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    app = "docs_src.security.origin_check:app"
    with live.uvicorn(app, "--log-level", "debug", port=EXAMPLE_PORT) as server:
        yield server


def log_in(page: Page, server: live.Server) -> str:
    """Log in from a page of the example's own origin; return the session."""
    page.goto(server.url + "/openapi.json")
    assert (
        page.evaluate("fetch('/login', {method: 'POST'}).then((r) => r.status)") == 200
    )
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["session"]["secure"] is True
    assert cookies["session"]["httpOnly"] is True
    assert cookies["session"]["sameSite"] == "Lax"
    return cookies["session"]["value"]


def add_strict_cookie(context: BrowserContext) -> None:
    context.add_cookies(
        [
            {
                "name": "strict",
                "value": "1",
                "domain": "127.0.0.1",
                "path": "/",
                "sameSite": "Strict",
            }
        ]
    )


def test_the_origin_table_try_it_and_localhost(
    page: Page, origin_example: live.Server, other_pages: int
) -> None:
    session = log_in(page, origin_example)
    add_strict_cookie(page.context)
    socket_url = ws_url(origin_example, "/ws")

    # The same origin: welcomed.
    same = open_socket(page, socket_url + "?from=same-origin", until="Welcome, alice!")
    assert same == {"seen": ["open", "Welcome, alice!"], "state": 1}
    sent = handshake_headers(origin_example, "/ws?from=same-origin")
    assert sent["origin"] == f"http://127.0.0.1:{EXAMPLE_PORT}"
    assert sent["cookie"] in (
        f"session={session}; strict=1",
        f"strict=1; session={session}",
    )

    # The same site on another port: the cookies go, the Origin check refuses.
    page.goto(f"http://127.0.0.1:{other_pages}/")
    same_site = open_socket(page, socket_url + "?from=same-site")
    sent = handshake_headers(origin_example, "/ws?from=same-site")
    assert sent["origin"] == f"http://127.0.0.1:{other_pages}"
    assert sent["cookie"] in (
        f"session={session}; strict=1",
        f"strict=1; session={session}",
    )
    # Refused with 403 before accept(): the script sees 1006 and no reason.
    assert same_site == {
        "seen": ["error"],
        "state": 3,
        "code": 1006,
        "reason": "",
        "clean": False,
    }
    assert '"WebSocket /ws?from=same-site" 403' in origin_example.output()

    # Another site: no cookie at all.
    page.goto(f"http://localhost:{other_pages}/")
    other_site = open_socket(page, socket_url + "?from=other-site")
    sent = handshake_headers(origin_example, "/ws?from=other-site")
    assert sent["origin"] == f"http://localhost:{other_pages}"
    assert "cookie" not in sent
    assert other_site["code"] == 1006

    # The example's other allowed origin: the Secure cookie works there too.
    # (One test, not two: under pytest-xdist, two could race for the port.)
    local = live.Server(
        origin_example.url.replace("127.0.0.1", "localhost"),
        origin_example.port,
        origin_example.process,
        origin_example.log,
    )
    local_session = log_in(page, local)
    url = ws_url(local, "/ws?from=localhost")
    welcomed = open_socket(page, url, until="Welcome, alice!")
    assert welcomed == {"seen": ["open", "Welcome, alice!"], "state": 1}
    sent = handshake_headers(origin_example, "/ws?from=localhost")
    assert sent["origin"] == f"http://localhost:{EXAMPLE_PORT}"
    assert sent["cookie"] == f"session={local_session}"


@pytest.fixture(scope="module")
def auth_example() -> Iterator[live.Server]:
    env = {"AUTH_TIMEOUT": "10"}
    with live.uvicorn("docs_src.security.first_message_auth:app", env=env) as server:
        yield server


def test_a_close_after_accept_reaches_the_script(
    page: Page, auth_example: live.Server
) -> None:
    page.goto(auth_example.url + "/openapi.json")
    refused = open_socket(page, ws_url(auth_example, "/ws"), send="carol-token")
    assert refused == {
        "seen": ["open"],
        "state": 3,
        "code": 1008,
        "reason": "invalid token",
        "clean": True,
    }
    welcomed = open_socket(
        page, ws_url(auth_example, "/ws"), send="alice-token", wait=1
    )
    assert welcomed == {"seen": ["open", "Welcome, alice!"], "state": 1}


def test_an_idle_browser_answers_pings(page: Page) -> None:
    extra = ("--ws-ping-interval", str(PING_INTERVAL))
    extra += ("--ws-ping-timeout", str(PING_TIMEOUT))
    app = "docs_src.security.idle_timeout:app"
    with live.uvicorn(app, *extra, "--log-level", "debug") as server:
        page.goto(server.url + "/openapi.json")
        # Ten ping deadlines long, and the script does nothing at all.
        wait = 10 * (PING_INTERVAL + PING_TIMEOUT)
        idle = open_socket(page, ws_url(server, "/ws"), wait=wait)
        output = server.output()
    assert idle == {"seen": ["open"], "state": 1}
    assert output.count("DEBUG:    > PING") >= 5, output
    assert output.count("DEBUG:    < PONG") >= 5, output
    assert "keepalive ping timeout" not in output
