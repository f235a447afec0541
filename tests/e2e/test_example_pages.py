"""The examples' own pages in Chromium, against the apps under real uvicorn."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from guidekit import flows, live
from tests.e2e.conftest import assert_quiet


@pytest.fixture(scope="module")
def echo_url() -> Iterator[str]:
    with live.uvicorn("docs_src.tutorial.echo:app") as server:
        yield server.url
    assert_quiet(server)


@pytest.fixture(scope="module")
def dependencies_url() -> Iterator[str]:
    with live.uvicorn("docs_src.tutorial.dependencies_an_py310:app") as server:
        yield server.url
    assert_quiet(server)


@pytest.fixture(scope="module")
def chat_url() -> Iterator[str]:
    with live.uvicorn("docs_src.tutorial.chat:app") as server:
        yield server.url
    assert_quiet(server)


def test_echo_page_shows_the_reply(page: Page, echo_url: str) -> None:
    assert flows.echo(page, echo_url, "Hello, browser") == ["You said: Hello, browser"]


def test_dependencies_page_connects_and_talks(
    page: Page, dependencies_url: str
) -> None:
    assert flows.connect_item(page, dependencies_url, "plate", "tk") == ["Connected"]
    flows.send(page, "Hi")
    user_agent = page.evaluate("navigator.userAgent")
    assert flows.wait_for_messages(page, 4) == [
        "Connected",
        "Item plate: Hi",
        "Authenticated with token, scopes: items:read, items:write",
        f"User-Agent: {user_agent}",
    ]


def test_dependencies_page_without_token_is_refused(
    page: Page, dependencies_url: str
) -> None:
    assert flows.connect_item(page, dependencies_url, "plate", "") == [
        "Connection refused"
    ]
    assert page.locator("#connect").is_enabled()
    assert page.locator("#send").is_disabled()


def test_chat_pages_share_messages_and_see_leaves(
    browser: Browser, chat_url: str
) -> None:
    context = browser.new_context()
    first, second = context.new_page(), context.new_page()
    first_id = flows.chat_join(first, chat_url)
    second_id = flows.chat_join(second, chat_url)
    flows.send(first, "Hello")
    assert flows.wait_for_messages(first, 2) == [
        "You wrote: Hello",
        f"Client #{first_id} says: Hello",
    ]
    assert flows.wait_for_messages(second, 1) == [f"Client #{first_id} says: Hello"]
    second.close()
    assert flows.wait_for_messages(first, 3)[-1] == f"Client #{second_id} left the chat"
    context.close()
