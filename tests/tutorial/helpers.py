"""Helpers for the tutorial tests: opening sockets and reading the served pages."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi import WebSocketDisconnect
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

SCHEME_LINE = 'const scheme = location.protocol === "https:" ? "wss:" : "ws:";'


@contextmanager
def connect(
    client: TestClient, url: str, **kwargs: Any
) -> Iterator[WebSocketTestSession]:
    """Open a socket; when the block ends, the test closes it with code 1000.

    The examples catch WebSocketDisconnect, so the endpoint must then end
    quietly: an error it raised would surface here as the block exits.
    """
    with client.websocket_connect(url, **kwargs) as websocket:
        yield websocket


def refusal(client: TestClient, url: str, **kwargs: Any) -> WebSocketDisconnect:
    """Try to connect, expect the handshake to be refused, return how it closed."""
    with (
        pytest.raises(WebSocketDisconnect) as exc_info,
        client.websocket_connect(url, **kwargs),
    ):
        pass  # not reached when the handshake is refused
    return exc_info.value


def closed_by_server(websocket: WebSocketTestSession) -> WebSocketDisconnect:
    """Expect the server's next message to be a close frame; return how it closed."""
    with pytest.raises(WebSocketDisconnect) as exc_info:
        websocket.receive_text()  # raises on a close frame, before reading any text
    return exc_info.value


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]


@dataclass
class Page:
    html: str
    lang: str | None = None
    title: str = ""
    h1: str = ""
    elements: dict[str, Element] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    inputs: list[Element] = field(default_factory=list)
    script: str = ""


class _PageParser(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__()
        self.page = page
        self.open_tags: list[str] = []
        self.label_for: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        element = Element(tag, attributes)
        if tag == "html":
            self.page.lang = attributes.get("lang")
        if tag == "input":
            self.page.inputs.append(element)
        if tag == "label":
            self.label_for = attributes.get("for")
        element_id = attributes.get("id")
        if element_id is not None:
            assert element_id not in self.page.elements, f"duplicate id {element_id}"
            self.page.elements[element_id] = element
        if tag != "input" and tag != "meta":
            self.open_tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open_tags.pop() == tag, f"unbalanced </{tag}>"
        if tag == "label":
            self.label_for = None

    def handle_data(self, data: str) -> None:
        if not self.open_tags:
            return
        current = self.open_tags[-1]
        if current == "title":
            self.page.title += data
        elif current == "h1":
            self.page.h1 += data
        elif current == "script":
            self.page.script += data
        elif current == "label" and self.label_for is not None:
            self.page.labels[self.label_for] = data.strip()


def get_page(client: TestClient) -> Page:
    """GET / and check what every page in the guide must get right."""
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = Page(response.text)
    _PageParser(page).feed(response.text)

    assert page.lang == "en"
    assert page.title
    # Every input has an id and a label that points at it.
    for element in page.inputs:
        assert element.attrs.get("id") in page.labels
    messages = page.elements["messages"]
    assert messages.tag == "ul"
    assert messages.attrs["aria-live"] == "polite"
    # The socket URL comes from the page's own location, never a fixed host.
    assert SCHEME_LINE in page.script
    assert "`${scheme}//${location.host}" in page.script
    assert "localhost" not in page.html
    assert "8000" not in page.html
    # Messages are shown as text, never parsed as HTML.
    assert "textContent" in page.script
    assert "innerHTML" not in page.html
    return page
