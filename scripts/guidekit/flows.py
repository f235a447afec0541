"""What a reader does on each example's page, as browser steps.

The end-to-end tests assert on what these return; the screenshot script
photographs the page afterwards. One flow, two uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

TIMEOUT_MS = 10_000


def messages(page: Page) -> list[str]:
    return page.locator("#messages li").all_text_contents()


def wait_for_messages(page: Page, count: int) -> list[str]:
    """Wait until the page lists ``count`` messages, and return them."""
    page.locator("#messages li").nth(count - 1).wait_for(timeout=TIMEOUT_MS)
    return messages(page)


def send(page: Page, text: str) -> None:
    page.locator("#send:enabled").wait_for(timeout=TIMEOUT_MS)
    page.fill("#message", text)
    page.click("#send")


def echo(page: Page, url: str, text: str) -> list[str]:
    page.goto(url)
    send(page, text)
    return wait_for_messages(page, 1)


def connect_item(page: Page, url: str, item_id: str, token: str) -> list[str]:
    """Fill the dependencies page's form and press Connect."""
    page.goto(url)
    page.fill("#item-id", item_id)
    page.fill("#token", token)
    page.click("#connect")
    return wait_for_messages(page, 1)


def chat_join(page: Page, url: str) -> str:
    """Open the chat page; return the client ID it shows once connected."""
    page.goto(url)
    page.locator("#send:enabled").wait_for(timeout=TIMEOUT_MS)
    return page.locator("#client-id").inner_text()
