"""The resumable chat's page in Chromium: its backoff, its state, its list."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import redis as redis_py
from playwright.sync_api import Page, expect
from websockets.sync.client import connect

from docs_src.resume import chat
from guidekit import live
from tests.conftest import require
from tests.e2e.conftest import TIMEOUT, assert_quiet

APP = "docs_src.resume.chat:app"
WAIT = TIMEOUT * 1000  # Playwright counts in milliseconds

# A seeded generator, so the draws are the same on every run (mulberry32).
SEEDED = """(seed) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}"""


@pytest.fixture
def redis() -> Iterator[live.Redis]:
    require(live.redis_available(), "redis-server")
    with live.redis_server(persistent=True) as server:
        yield server


@pytest.fixture
def server(redis: live.Redis) -> Iterator[live.Server]:
    with live.uvicorn(APP, env={"REDIS_URL": redis.url}) as running:
        yield running
    assert_quiet(running)


def shown(page: Page) -> list[str]:
    return page.locator("#messages li").all_inner_texts()


def send(server: live.Server, *texts: str) -> None:
    with connect(server.url.replace("http://", "ws://") + "/ws") as sender:
        sender.send("")
        sender.recv(timeout=TIMEOUT)  # live
        for text in texts:
            sender.send(text)
        for _ in texts:
            sender.recv(timeout=TIMEOUT)  # each one, back from the stream


def test_the_backoff_doubles_up_to_its_cap_with_full_jitter(
    page: Page, server: live.Server
) -> None:
    page.goto(server.url)
    ceilings = page.evaluate(
        "[...Array(9).keys()].map((n) => reconnectDelay(n, () => 1))"
    )
    assert ceilings == [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]
    assert page.evaluate("reconnectDelay(3, () => 0)") == 0
    firsts = page.evaluate(
        f"""(() => {{
          const random = ({SEEDED})(2026);
          return [...Array(100)].map(() => reconnectDelay(0, random));
        }})()"""
    )
    assert all(0 <= delay < 500 for delay in firsts)
    # A hundred clients cut off at once come back spread over the window.
    quarters = [
        sum(q * 125 <= delay < (q + 1) * 125 for delay in firsts) for q in range(4)
    ]
    assert min(quarters) >= 15, quarters
    assert len(set(firsts)) == 100


@pytest.mark.timeout(90)
def test_the_page_reconnects_after_a_restart_without_gap_or_duplicate(
    page: Page, redis: live.Redis, server: live.Server
) -> None:
    page.goto(server.url)
    state = page.locator("#state")
    expect(state).to_have_text("connected", timeout=WAIT)
    send(server, *(f"message {n}" for n in range(1, 21)))
    expect(page.locator("#messages li")).to_have_count(20, timeout=WAIT)

    live.stop(server.process)  # the server restarts: the page is cut off
    expect(state).to_have_text(re.compile(r"^reconnecting in \d+ s$"), timeout=WAIT)
    with redis_py.Redis.from_url(redis.url) as other_process:  # said meanwhile
        for n in range(21, 31):
            other_process.xadd(chat.STREAM, {"text": f"message {n}"})
    env = {"REDIS_URL": redis.url}
    with live.uvicorn(APP, env=env, port=server.port) as again:
        # Its next attempt is at most 0.5, 1, 2, 4... seconds after the last.
        expect(state).to_have_text("connected", timeout=3 * WAIT)
        send(again, *(f"message {n}" for n in range(31, 41)))
        expect(page.locator("#messages li")).to_have_count(40, timeout=WAIT)
        assert shown(page) == [f"message {n}" for n in range(1, 41)]
        expect(page.locator("#notice")).to_be_hidden()
    assert_quiet(again)


def test_the_page_gives_up_after_1003_and_says_so(
    page: Page, server: live.Server
) -> None:
    page.goto(server.url)
    expect(page.locator("#state")).to_have_text("connected", timeout=WAIT)
    page.evaluate("socket.send(new Uint8Array([0]))")  # binary: 1003
    expect(page.locator("#state")).to_have_text("offline", timeout=WAIT)
    assert page.evaluate("socket.readyState") == 3  # closed, and no new one
