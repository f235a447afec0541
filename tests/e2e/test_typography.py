"""Typography per language, on a phone: the built site in Chromium at 360 px.

Every page of every built language must fit the screen (no horizontal
scroll), and Korean lines must break between words (eojeol), never inside
one. Korean text is judged from the rendered line boxes: for each word in
the article's prose, each character's box (``Range.getClientRects()``) must
sit on the same line as the one before it.

Chromium here may have no Korean font (``fc-list :lang=ko``) and then draws
Hangul as boxes of one fixed width. Where lines may break does not depend on
the glyphs, only on ``word-break``, so the check still tells a page that
breaks inside words from one that does not (without the keep-all rule it
finds split words on every Korean page).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route

from guidekit.translations import english_pages
from tests.conftest import ROOT, language_settings, require
from tests.e2e.conftest import (
    every_code_block_shown,
    material_started,
    serve_static,
    trace_count,
    traced,
)

PHONE = {"width": 360, "height": 740}
LANGUAGES = [
    locale
    for locale, settings in language_settings().items()
    if settings.get("build", True) is not False
]
PAGES = english_pages(ROOT / "docs")


def url_path(language: str, page: str) -> str:
    """Where the built site serves ``page`` of ``language``: /ko/tutorial/ etc."""
    folder = "" if language == "en" else f"{language}/"
    name = page.removesuffix(".md")
    if name == "index":
        return f"/{folder}"
    return f"/{folder}{name.removesuffix('/index')}/"


@pytest.fixture(scope="module")
def phone(browser: Browser, site: Path) -> Iterator[tuple[str, Page]]:
    """The built site, and one tab as wide as a small phone's screen."""
    context = browser.new_context(viewport=PHONE)
    with serve_static(site) as url:
        yield url, context.new_page()
    context.close()


def visit(phone: tuple[str, Page], path: str) -> Page:
    url, page = phone
    response = page.goto(url + path)
    assert response is not None and response.status == 200, path
    every_code_block_shown(page)  # the page as a reader sees it, copy buttons and all
    return page


# The widest elements past the right edge, to say what overflows.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const element of document.querySelectorAll("body *")) {
    const box = element.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 0.5) {
      wide.push(`${element.tagName.toLowerCase()}.${element.className} ` +
                `(right edge ${Math.round(box.right)} px)`);
    }
  }
  return {scroll: document.documentElement.scrollWidth, width, wide};
}"""


def assert_fits(page: Page, where: str) -> None:
    result: dict[str, Any] = page.evaluate(OVERFLOW)
    assert result["width"] == PHONE["width"]
    assert result["scroll"] <= result["width"], (
        f"{where}: the page is {result['scroll']} px wide on a "
        f"{result['width']} px screen; past the edge: {result['wide'][:5]}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page_name", PAGES)
def test_no_horizontal_scroll_on_a_phone(
    phone: tuple[str, Page], language: str, page_name: str
) -> None:
    path = url_path(language, page_name)
    assert_fits(visit(phone, path), path)


# Each word of the article's prose that has Hangul in it, with the text of
# each line it lies on. Code is left out: it does not wrap, and its own
# scrolling box holds it. A word wider than its block is allowed to break.
KOREAN_WORDS = """() => {
  const article = document.querySelector("article");
  const skip = "code, pre, kbd, samp, script, style, svg";
  const word = /[\\p{L}\\p{M}\\p{N}]+/gu;
  const hangul = /[\\uAC00-\\uD7A3]/;
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  const split = [];
  let checked = 0;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest(skip)) continue;
    for (const found of node.data.matchAll(word)) {
      if (!hangul.test(found[0])) continue;
      const lines = [];
      let previous = null;
      let width = 0;
      for (let i = found.index; i < found.index + found[0].length; i++) {
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const box = range.getClientRects()[0];
        if (!box) continue;  // not rendered: a closed block, an inactive tab
        width += box.width;
        if (previous === null || box.top >= previous.bottom - 1) {
          lines.push("");
        }
        lines[lines.length - 1] += node.data[i];
        previous = box;
      }
      if (lines.length === 0) continue;
      checked += 1;
      let block = node.parentElement;
      while (getComputedStyle(block).display.startsWith("inline")) {
        block = block.parentElement;
      }
      if (lines.length > 1 && width <= block.clientWidth) {
        split.push(lines.join(" / "));
      }
    }
  }
  return {checked, split};
}"""


@pytest.mark.skipif("ko" not in LANGUAGES, reason="Korean is not built")
@pytest.mark.parametrize("page_name", PAGES)
def test_korean_lines_break_between_words(
    phone: tuple[str, Page], page_name: str
) -> None:
    path = url_path("ko", page_name)
    result: dict[str, Any] = visit(phone, path).evaluate(KOREAN_WORDS)
    assert result["checked"] >= 20, f"{path}: too few Korean words to judge"
    assert result["split"] == [], f"{path}: words split across lines"


# A paragraph planted in a real page: a token longer than any line.
PLANT = """(text) => {
  const paragraph = document.createElement("p");
  paragraph.textContent = text;
  document.querySelector("article").append(paragraph);
  return paragraph.getBoundingClientRect().height;
}"""
LONG_TOKENS = {
    "ko": "연결 주소는 https://example.com/a/very/long/path/that/never/ends/here "
    "이고, 식별자는 websocket_connection_manager_broadcast_to_everyone입니다.",
    "de": "Die Verbindungsmanagerwarteschlangenüberlaufbehandlungsrichtlinie "
    "gilt für jeden WebSocket-Endpunkt.",
    "tr": "Çekoslovakyalılaştıramadıklarımızdanmışsınızcasına bir endpoint'e bağlanın.",
}


@pytest.mark.parametrize("language", sorted(set(LONG_TOKENS) & set(LANGUAGES)))
def test_tokens_longer_than_a_line_wrap(phone: tuple[str, Page], language: str) -> None:
    page = visit(phone, url_path(language, "index.md"))
    one_line = page.evaluate(PLANT, "x")
    height = page.evaluate(PLANT, LONG_TOKENS[language])
    assert height >= 2 * one_line  # it wrapped rather than ran off the edge
    assert_fits(page, f"{language}: a planted long token")


@pytest.mark.parametrize("language", sorted({"de", "tr"} & set(LANGUAGES)))
def test_prose_may_hyphenate_and_code_never(
    phone: tuple[str, Page], language: str
) -> None:
    page = visit(phone, url_path(language, "tutorial.md"))
    hyphens = page.evaluate(
        """() => [
          getComputedStyle(document.querySelector("article p")).hyphens,
          getComputedStyle(document.querySelector("article p code")).hyphens,
          getComputedStyle(document.querySelector("article pre code")).hyphens,
        ]"""
    )
    assert hyphens == ["auto", "manual", "manual"]


def test_persian_has_a_font_with_its_glyphs_and_room_between_lines(
    phone: tuple[str, Page],
) -> None:
    """The rules for fa apply by language, before any fa page exists."""
    page = visit(phone, url_path("en", "tutorial.md"))
    before = page.evaluate("() => getComputedStyle(document.body).fontFamily")
    page.evaluate(
        "() => { document.documentElement.lang = 'fa'; "
        "document.documentElement.dir = 'rtl'; }"
    )
    family, ratio, code = page.evaluate(
        """() => {
          const paragraph = getComputedStyle(document.querySelector("article p"));
          return [
            getComputedStyle(document.body).fontFamily,
            parseFloat(paragraph.lineHeight) / parseFloat(paragraph.fontSize),
            getComputedStyle(document.querySelector("article pre code")).fontFamily,
          ];
        }"""
    )
    assert not before.startswith("Vazirmatn")
    assert family.startswith('Vazirmatn, "Segoe UI", Tahoma, "Noto Sans Arabic"')
    assert "DejaVu Sans" in family  # what Debian has: Persian glyphs included
    assert 1.85 <= ratio <= 1.95
    assert "Vazirmatn" not in code  # code keeps its monospace font
    assert_fits(page, "the en tutorial as fa, right to left")


KOREAN_FONT = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
# guide.css's rule that names Korean fonts, as the page holds it (inlined).
KOREAN_FONTS_RULE = "body:lang(ko) {\n  --md-text-font-family:"


def fallback_lookups(page: Page, url: str, rule: str | None = None) -> int:
    """How many times Chromium looks for a font for one character, loading ``url``.

    That is what it does for a character that no font of the element's
    ``font-family`` has. With ``rule``, the page is served without it.
    """
    if rule is not None:

        def without_rule(route: Route) -> None:
            response = route.fetch()
            html = response.text()
            assert html.count(rule) == 1, f"expected {rule!r} once in {url}"
            route.fulfill(response=response, body=html.replace(rule, "body:lang(xx) {"))

        page.route(url, without_rule)
    try:
        with traced(page, "fonts", "disabled-by-default-fonts") as events:
            page.goto(url)
            material_started(page)
    finally:
        page.unroute_all()
    return trace_count(events, "FontCache::FallbackFontForCharacter")


def test_korean_text_is_drawn_from_fonts_the_page_names(
    browser: Browser, site: Path
) -> None:
    """Hangul comes from a Korean font of the page's own list, never found glyph by glyph.

    Served without guide.css's rule, the same page makes Chromium look for
    a font for one character after another.
    """
    require(KOREAN_FONT.exists(), f"the Korean font {KOREAN_FONT}")
    context = browser.new_context(viewport=PHONE)
    with serve_static(site) as url:
        page = context.new_page()
        tutorial = url + url_path("ko", "tutorial.md")
        assert fallback_lookups(page, tutorial) == 0
        client = context.new_cdp_session(page)
        client.send("DOM.enable")
        client.send("CSS.enable")
        root = client.send("DOM.getDocument")["root"]["nodeId"]
        paragraph = client.send(
            "DOM.querySelector", {"nodeId": root, "selector": "article p"}
        )["nodeId"]
        fonts = client.send("CSS.getPlatformFontsForNode", {"nodeId": paragraph})
        assert {font["familyName"] for font in fonts["fonts"]} == {"NanumGothic"}
        without = fallback_lookups(context.new_page(), tutorial, KOREAN_FONTS_RULE)
        assert without > 100, without
    context.close()
