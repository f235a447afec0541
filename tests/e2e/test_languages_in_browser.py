"""Persian in Chromium: right to left around left-to-right code, at desktop and
phone widths; the switcher to and from it; the status page without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import screenshots
from playwright.sync_api import Browser, Page

from tests.conftest import LANGUAGES, ROOT
from tests.e2e.conftest import every_code_block_shown, serve_static

WIDTHS = {"desktop": 1280, "phone": 360}
PAGES = sorted(
    "" if page.stem == "index" else f"{page.stem}/"
    for page in (ROOT / "docs" / "en").glob("*.md")
    if page.name != "glossary.md"
)
# Computed styles of the parts that must keep their direction, and the widths
# that tell whether anything sticks out sideways.
LAYOUT = """() => {
    const direction = (element) => getComputedStyle(element).direction;
    const all = (selector) => [...document.querySelectorAll(selector)].map(direction);
    return {
        html: document.documentElement.getAttribute("dir"),
        body: direction(document.body),
        blocks: all("article pre, article pre > code"),
        inline: all("article p code, article li code"),
        copy: all("article pre button"),
        tabs: all("article .tabbed-labels"),
        search: all("input.md-search__input"),
        scroll: document.documentElement.scrollWidth,
        width: document.documentElement.clientWidth,
    };
}"""


@pytest.fixture(scope="module")
def site_url(site: Path) -> Iterator[str]:
    with serve_static(site) as url:
        yield url


@pytest.fixture(scope="module", params=sorted(WIDTHS), ids=sorted(WIDTHS))
def tab(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    """One tab per width, going from page to page."""
    width = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    yield page
    context.close()


def layout(tab: Page, url: str) -> dict[str, Any]:
    tab.goto(url, wait_until="load")
    every_code_block_shown(tab)  # its copy buttons are among what is checked
    return tab.evaluate(LAYOUT)


@pytest.mark.parametrize("page_path", PAGES)
def test_persian_is_right_to_left_and_its_code_left_to_right(
    tab: Page, site_url: str, page_path: str
) -> None:
    found = layout(tab, f"{site_url}/fa/{page_path}")
    assert (found["html"], found["body"]) == ("rtl", "rtl")
    assert set(found["blocks"]) <= {"ltr"}
    assert set(found["inline"]) <= {"ltr"}
    assert set(found["copy"]) <= {"ltr"}
    assert set(found["tabs"]) <= {"ltr"}
    assert found["search"] == ["rtl"]  # the box itself mirrors, as Material does
    assert found["scroll"] <= found["width"], "the page scrolls sideways"


def test_english_text_on_a_persian_page_runs_left_to_right(
    tab: Page, site_url: str
) -> None:
    """The tutorial is not translated yet: its English text is laid out as English."""
    tab.goto(f"{site_url}/fa/tutorial/", wait_until="load")
    directions = tab.evaluate(
        """() => [".admonition.warning", "article[lang=en] > p"].map(
            (selector) => getComputedStyle(document.querySelector(selector)).direction)"""
    )
    assert directions == ["rtl", "ltr"]  # the Persian notice, then English


def test_the_tutorial_has_every_kind_of_code_to_check(tab: Page, site_url: str) -> None:
    """The page checks above are not vacuous: the tutorial has each part."""
    found = layout(tab, f"{site_url}/fa/tutorial/")
    for part in ("blocks", "inline", "copy", "tabs"):
        assert found[part], part


def test_english_stays_left_to_right(tab: Page, site_url: str) -> None:
    found = layout(tab, f"{site_url}/tutorial/")
    assert (found["html"], found["body"]) == ("ltr", "ltr")


@pytest.mark.parametrize("language", ["en", "fa"])
def test_navigation_and_contents_change_sides(
    browser: Browser, site_url: str, language: str
) -> None:
    """At desktop width the page navigation and the table of contents swap."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    prefix = "" if language == "en" else f"/{language}"
    page.goto(f"{site_url}{prefix}/tutorial/", wait_until="load")

    def left(selector: str) -> float:
        box = page.locator(selector).first.bounding_box()
        assert box is not None, selector
        return box["x"]

    navigation, contents = left(".md-sidebar--primary"), left(".md-sidebar--secondary")
    page.close()
    if language == "fa":
        assert navigation > contents
    else:
        assert navigation < contents


def switcher_targets(page: Page) -> dict[str, str]:
    links = page.locator("a.md-select__link")
    return {
        links.nth(index).get_attribute("hreflang") or "": page.evaluate(
            "(a) => new URL(a, location.href).pathname",
            links.nth(index).get_attribute("href"),
        )
        for index in range(links.count())
    }


@pytest.mark.parametrize("page_path", PAGES)
def test_the_switcher_leads_from_persian_to_the_same_page_and_back(
    browser: Browser, site_url: str, page_path: str
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{site_url}/fa/{page_path}")
    expected = {
        language: f"/{page_path}" if language == "en" else f"/{language}/{page_path}"
        for language in LANGUAGES
    }
    assert switcher_targets(page) == expected
    for other in ("de", "fa"):  # there, and back again
        page.locator(".md-select").first.hover()
        page.locator(f'a.md-select__link[hreflang="{other}"]').click()
        page.wait_for_url(f"**{expected[other]}")
        assert page.locator("html").get_attribute("lang") == other
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.close()


def test_the_persian_404_page_is_right_to_left(browser: Browser, site_url: str) -> None:
    page = browser.new_page()
    response = page.goto(f"{site_url}/fa/no-such-page/")
    assert response is not None and response.status == 404
    assert page.locator("html").get_attribute("lang") == "fa"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    page.close()


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_status_page_reads_without_javascript(
    browser: Browser, site_url: str, language: str
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    prefix = "" if language == "en" else f"/{language}"
    page.goto(f"{site_url}{prefix}/translations/")
    table = page.locator("article table")
    assert table.locator("tbody tr").count() == len(PAGES)
    assert table.locator("thead th").count() == len(LANGUAGES)  # English + four
    assert table.locator("tbody td").first.is_visible()
    progress = page.locator("article progress")
    assert progress.count() == len(LANGUAGES) - 1
    for index in range(progress.count()):
        bar = progress.nth(index)
        assert bar.is_visible()
        assert int(bar.get_attribute("value") or -1) <= int(
            bar.get_attribute("max") or 0
        )
    context.close()


@pytest.mark.timeout(180)
def test_the_screenshot_script_shoots_persian_at_both_widths(
    browser: Browser, tmp_path: Path
) -> None:
    written = screenshots.persian(browser, tmp_path)
    widths = {}
    for shot in written:
        header = shot.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n", shot
        widths[shot.name] = int.from_bytes(header[16:20], "big")
    assert widths == {
        f"fa-{page}-{name}.png": width
        for page in screenshots.PERSIAN_PAGES
        for name, width in screenshots.WIDTHS.items()
    }
