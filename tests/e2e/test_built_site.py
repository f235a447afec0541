"""The built site in Chromium: every page, every language, as a reader uses it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, Request, Route

from guidekit import pagespeed
from tests.conftest import (
    LANGUAGES,
    ROOT,
    language_settings,
    material_assets,
    site_config,
)
from tests.e2e.conftest import (
    every_code_block_shown,
    material_started,
    page_events,
    serve_static,
    trace_count,
    traced,
)

LOOPBACK = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="module")
def site_url(site: Path) -> Iterator[str]:
    with serve_static(site) as url:
        yield url


@pytest.fixture(scope="module")
def tab(browser: Browser) -> Iterator[Page]:
    """One tab for the checks that only read, going from page to page as a reader does.

    Opening a tab costs Chromium about as much again as loading the page.
    """
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


@contextmanager
def watching(page: Page) -> Iterator[tuple[list[str], list[str]]]:
    """Console errors and non-loopback requests, from ``page`` while the block runs."""
    errors: list[str] = []
    foreign: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    def on_error(error: Error) -> None:
        errors.append(str(error))

    def on_request(request: Request) -> None:
        host = urlsplit(request.url).hostname
        if host not in LOOPBACK and not request.url.startswith("data:"):
            foreign.append(request.url)

    listeners = {"console": on_console, "pageerror": on_error, "request": on_request}
    for event, listener in listeners.items():
        page.on(event, listener)  # type: ignore[call-overload]
    try:
        yield errors, foreign
    finally:
        for event, listener in listeners.items():
            page.remove_listener(event, listener)


def visit(browser: Browser, url: str) -> Page:
    """``url`` in a new tab of its own, for checks that click and type."""
    page = browser.new_page()
    page.goto(url)
    return page


def code_blocks(html: str) -> list[str]:
    """The HTML of each code block (``<pre>…</pre>``) in a built page's article."""
    article = html[html.index("<article") : html.index("</article>")]
    return re.findall(r"<pre\b.*?</pre>", article, re.DOTALL)


# axe takes most of its time on code: its colour-contrast rule looks at every
# highlighted token. A translation's code block that is byte for byte one of
# the English page's (same tokens, same classes, same style sheet) has been
# checked there, by every rule; in the translation, axe checks everything else.
SAME_CODE = "data-same-code-as-english"


# guide.css lets the browser skip drawing code blocks off screen
# (content-visibility: auto); axe is shown every one of them, drawn.
DRAW_ALL_CODE = ".md-typeset pre > code { content-visibility: visible !important; }"


def axe_violations(page: Page, shared_blocks: list[int]) -> list[dict[str, Any]]:
    """axe's violations on the page, leaving out the code blocks in ``shared_blocks``.

    The caller has shown each code block (``every_code_block_shown``), as a
    reader scrolling down would; here all are drawn at once for axe.
    """
    # Scrolling fades the header's title; axe must see it at rest.
    page.evaluate(
        """async () => {
            await new Promise((done) => requestAnimationFrame(() => setTimeout(done)));
            await Promise.all(
                document.getAnimations().map((animation) => animation.finished.catch(() => null))
            );
        }"""
    )
    page.add_style_tag(content=DRAW_ALL_CODE)
    marked = page.evaluate(
        """([indexes, attribute]) => {
            const blocks = document.querySelectorAll("article pre");
            for (const index of indexes) blocks[index].setAttribute(attribute, "");
            return blocks.length;
        }""",
        [shared_blocks, SAME_CODE],
    )
    assert not shared_blocks or max(shared_blocks) < marked
    context = {"exclude": [[f"[{SAME_CODE}]"]]} if shared_blocks else None
    # Violations in full; for passing and inapplicable rules axe then keeps
    # one node each instead of describing every element it looked at.
    only_violations = {"resultTypes": ["violations"]}
    return (
        Axe().run(page, context=context, options=only_violations).response["violations"]
    )


def check_page(tab: Page, url: str, shared_blocks: list[int]) -> list[str]:
    """Load one page as a reader would; list every problem found on it.

    It waits until the network is idle, to see what the page fetches after
    loading too (the search index, for one).
    """
    with watching(tab) as (errors, foreign):
        tab.goto(url, wait_until="networkidle")
        every_code_block_shown(tab)
    problems = [f"console error: {error}" for error in errors]
    problems += [f"request to another host: {request}" for request in foreign]
    blocks = tab.locator("pre > code").count()
    buttons = tab.locator('pre button[data-md-type="copy"]').count()
    if blocks != buttons:
        problems.append(f"{blocks} code blocks but {buttons} copy buttons")
    for violation in axe_violations(tab, shared_blocks):
        if violation["impact"] in ("serious", "critical"):
            targets = [node["target"] for node in violation["nodes"]][:3]
            problems.append(
                f"axe {violation['impact']}: {violation['id']} at {targets}"
            )
    images = tab.locator("article img")
    for index in range(images.count()):
        alt = images.nth(index).get_attribute("alt")
        if not alt:
            problems.append(
                f"image without alt text: {images.nth(index).get_attribute('src')}"
            )
    return problems


ENGLISH_PAGES = sorted(
    "" if page.stem == "index" else f"{page.stem}/"
    for page in (ROOT / "docs" / "en").glob("*.md")
    if page.name != "glossary.md"
)


@pytest.mark.parametrize("page_path", ENGLISH_PAGES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_page_loads_cleanly_and_accessibly(
    tab: Page, site: Path, site_url: str, language: str, page_path: str
) -> None:
    """No console error, no third-party request, copy buttons, no serious axe issue."""
    prefix = "/" if language == "en" else f"/{language}/"
    shared: list[int] = []
    if language != "en":
        english = set(code_blocks((site / page_path / "index.html").read_text("utf-8")))
        translated = (site / language / page_path / "index.html").read_text("utf-8")
        shared = [
            i for i, block in enumerate(code_blocks(translated)) if block in english
        ]
    assert check_page(tab, site_url + prefix + page_path, shared) == []


def test_the_page_checks_see_console_errors_and_other_hosts(tab: Page) -> None:
    tab.goto("about:blank")  # leave whatever page the tab showed before
    with watching(tab) as (errors, foreign):
        tab.set_content(
            "<script>console.error('boom'); undefinedName;</script>"
            '<img alt="" src="http://example.invalid/x.png">'
        )
    expected = [
        "boom",
        "undefinedName is not defined",
        "Failed to load resource: net::ERR_NAME_NOT_RESOLVED",
    ]
    assert sorted(errors) == sorted(expected)  # the image fails in its own time
    assert foreign == ["http://example.invalid/x.png"]
    tab.set_content("<script>console.error('after')</script>")  # not watched
    assert sorted(errors) == sorted(expected)


def test_axe_leaves_out_the_shared_code_blocks_and_nothing_else(
    browser: Browser, site_url: str
) -> None:
    page = visit(browser, site_url + "/de/tutorial/")
    every_code_block_shown(page)
    # Pale grey on white, in a shared code block and in the text after it.
    page.evaluate(
        """() => {
            const pale = 'style="color: #eeeeee; background: #ffffff"';
            const first = document.querySelectorAll("article pre")[0];
            first.querySelector("code").insertAdjacentHTML(
                "beforeend", `<span id="pale-code" ${pale}>pale</span>`);
            first.insertAdjacentHTML(
                "afterend", `<p id="pale-text" ${pale}>pale</p>`);
        }"""
    )
    targets = [
        node["target"]
        for violation in axe_violations(page, shared_blocks=[0])
        if violation["id"] == "color-contrast"
        for node in violation["nodes"]
    ]
    page.close()
    assert targets == [["#pale-text"]]


def test_every_built_page_is_checked(site: Path) -> None:
    built = {
        path.parent.relative_to(site).as_posix() for path in site.glob("**/index.html")
    }
    expected = {
        (page_path if language == "en" else f"{language}/{page_path}").rstrip("/")
        or "."
        for language in LANGUAGES
        for page_path in ENGLISH_PAGES
    }
    assert built == expected


@pytest.mark.parametrize("page_path", ["tutorial/"])
@pytest.mark.parametrize("language", ["tr", "de", "ko"])
def test_image_alt_text_is_in_the_page_language(
    tab: Page, site_url: str, language: str, page_path: str
) -> None:
    def alts(path: str) -> list[str]:
        tab.goto(site_url + path)
        return tab.locator("article img").evaluate_all("imgs => imgs.map(i => i.alt)")

    english = alts(f"/{page_path}")
    translated = alts(f"/{language}/{page_path}")
    assert len(translated) == len(english) > 0
    assert all(alt and alt not in english for alt in translated)


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_switcher_leads_to_the_same_page(
    browser: Browser, site_url: str, language: str
) -> None:
    start = "/tutorial/" if language == "en" else f"/{language}/tutorial/"
    page = visit(browser, site_url + start)
    for other in LANGUAGES:
        link = page.locator(f'a.md-select__link[hreflang="{other}"]')
        expected = "/tutorial/" if other == "en" else f"/{other}/tutorial/"
        href = link.get_attribute("href")
        resolved = page.evaluate("(h) => new URL(h, location.href).pathname", href)
        assert resolved == expected
    # And following one really lands there, in that language.
    other = "ko" if language != "ko" else "de"
    page.locator(".md-select").first.hover()
    page.locator(f'a.md-select__link[hreflang="{other}"]').click()
    page.wait_for_url(f"**/{other}/tutorial/")
    assert page.locator("html").get_attribute("lang") == other
    page.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_variants_block_opens(browser: Browser, site_url: str, language: str) -> None:
    start = "/tutorial/" if language == "en" else f"/{language}/tutorial/"
    page = visit(browser, site_url + start)
    details = page.locator("details.info").first
    assert details.get_attribute("open") is None
    details.locator("summary").click()
    assert details.get_attribute("open") == ""
    labels = details.locator(".tabbed-labels label")
    assert labels.count() >= 1
    for index in range(labels.count()):
        labels.nth(index).click()
        block = details.locator(".tabbed-block").nth(index)
        assert block.is_visible()
        assert "dependencies" in block.locator(".filename").inner_text()
    page.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_404_page_speaks_the_language(
    browser: Browser, site_url: str, language: str
) -> None:
    prefix = "" if language == "en" else f"/{language}"
    page = browser.new_page()
    response = page.goto(f"{site_url}{prefix}/no-such-page/")
    assert response is not None and response.status == 404
    assert page.locator("html").get_attribute("lang") == language
    page.close()


SEARCHES = {
    # language: (query as a reader types it, the page it must find)
    "en": ("subprotocols", "/tutorial/"),
    "tr": ("bağımlılıklarla", "/tr/tutorial/"),  # Turkish stemming: not in the text
    "de": ("Abhängigkeiten", "/de/tutorial/"),  # German stemming
    "ko": ("서브프로토콜로", "/ko/tutorial/"),  # a particle not in the text
    # Persian: the translated home page (the tutorial is not translated yet).
    "fa": ("پژواک", "/fa/"),
}


def search(browser: Browser, url: str, query: str) -> list[str]:
    """Type ``query`` into the site's search box; return the result paths."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(url, wait_until="load")
    hrefs = search_results(page, query)
    page.close()
    return hrefs


def search_results(page: Page, query: str) -> list[str]:
    """Type ``query`` into the search box of ``page``; return the result paths."""
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    box.press("End")  # Material reads the box on key events
    page.locator(".md-search-result__meta").filter(
        has_text=re.compile(r"\d")
    ).wait_for()
    return page.locator(".md-search-result__item > a").evaluate_all(
        "links => links.map(a => new URL(a.href).pathname)"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_finds_the_tutorial_in_its_own_language_only(
    browser: Browser, site_url: str, language: str
) -> None:
    query, expected = SEARCHES[language]
    home = "/" if language == "en" else f"/{language}/"
    found = search(browser, site_url + home, query)
    assert expected in found
    prefix = {f"/{other}/" for other in LANGUAGES if other not in ("en", language)}
    assert [path for path in found if path.startswith(tuple(prefix))] == []
    if language != "en":
        assert all(path.startswith(home) for path in found)


@pytest.mark.parametrize(
    "query",
    ["엔드포인트를", "엔드포인트에서", "핸드셰이크를", "클라이언트가", "의존성으로"],
)
def test_korean_queries_with_particles_find_the_page(
    browser: Browser, site_url: str, query: str
) -> None:
    assert "/ko/tutorial/" in search(browser, site_url + "/ko/", query)


def palette_state(page: Page) -> tuple[str | None, list[str], str | None]:
    """The body's colour scheme, the titles of the toggles shown, the color-scheme meta."""
    scheme = page.locator("body").get_attribute("data-md-color-scheme")
    shown = page.locator("form[data-guide-palette] label:not([hidden])")
    meta = page.locator('meta[name="color-scheme"]').get_attribute("content")
    return scheme, shown.evaluate_all("labels => labels.map(l => l.title)"), meta


def toggle_names(language: str) -> list[str]:
    """The toggles' titles in ``language``, from mkdocs.yml: to dark, to light."""
    palette = site_config()["theme"]["palette"]
    names = [option["toggle"]["name"] for option in palette]
    if language != "en":
        entry = language_settings()[language]
        names = [option["toggle"]["name"] for option in entry["theme"]["palette"]]
    return names


@pytest.mark.parametrize("language", LANGUAGES)
def test_light_dark_toggle_switches_and_is_remembered(
    browser: Browser, site_url: str, language: str
) -> None:
    to_dark, to_light = toggle_names(language)
    prefix = "/" if language == "en" else f"/{language}/"
    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    page.goto(site_url + prefix + "tutorial/")
    assert palette_state(page) == ("default", [to_dark], "light")
    page.locator("form[data-guide-palette] label:not([hidden])").click()
    assert palette_state(page) == ("slate", [to_light], "dark")
    # Another page of the site, loaded afresh, keeps the reader's choice.
    page.goto(site_url + prefix)
    assert palette_state(page) == ("slate", [to_light], "dark")
    # Enter on the toggle switches back, as with Material's own script.
    page.locator("form[data-guide-palette] input:checked").focus()
    page.keyboard.press("Enter")
    assert palette_state(page) == ("default", [to_dark], "light")
    page.reload()
    assert palette_state(page) == ("default", [to_dark], "light")
    context.close()


def test_first_visit_follows_the_systems_dark_preference(
    browser: Browser, site_url: str
) -> None:
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(site_url + "/tutorial/")
    scheme, shown, meta = palette_state(page)
    assert (scheme, meta) == ("slate", "dark")
    assert shown == [toggle_names("en")[1]]
    # The header's colour is the phone's bar colour, as Material sets it.
    page.wait_for_function(
        "document.querySelector('meta[name=\"theme-color\"]').content !== ''"
    )
    header = page.evaluate(
        "getComputedStyle(document.querySelector('header')).backgroundColor"
    )
    theme = page.locator('meta[name="theme-color"]').get_attribute("content")
    assert theme == header
    context.close()


LAYOUT_SHIFTS = """() => {
    window.__shifts = [];
    new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.__shifts.push(entry.value);
    }).observe({ type: "layout-shift", buffered: true });
}"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_nothing_shifts_while_the_tutorial_loads_on_a_phone(
    browser: Browser, site_url: str, language: str
) -> None:
    """The header is whole when first drawn, and code blocks keep their height."""
    prefix = "/" if language == "en" else f"/{language}/"
    context = browser.new_context(
        viewport={"width": 412, "height": 823}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.add_init_script(f"({LAYOUT_SHIFTS})()")
    page.goto(site_url + prefix + "tutorial/", wait_until="networkidle")
    # One more frame, for a shift the last layout may still report.
    page.evaluate(
        "new Promise((done) => requestAnimationFrame(() => setTimeout(done)))"
    )
    assert page.evaluate("window.__shifts") == []
    # Every code block is as tall before it is drawn as after.
    heights = page.evaluate(
        """async () => {
            const blocks = [...document.querySelectorAll("article pre > code")];
            const before = blocks.map((code) => code.getBoundingClientRect().height);
            for (const code of blocks) {
                code.style.contentVisibility = "visible";
            }
            const after = blocks.map((code) => code.getBoundingClientRect().height);
            return [before, after];
        }"""
    )
    # Lines are laid out on whole pixels: a long block may differ by one or two.
    before, after = heights
    assert before and all(abs(a - b) <= 2 for a, b in zip(before, after, strict=True))
    context.close()


# Material's script, started once the page is drawn (guidekit/pagespeed.py,
# overrides/partials/javascripts/bundle-start.html), may run before the page
# is parsed or after; either way it must start once, and everything it
# drives must work.
BUNDLE_URL = re.compile(r".*/assets/javascripts/bundle\.[0-9a-f]+\.min\.js$")


def materials_script_started_once(page: Page) -> None:
    blocks = every_code_block_shown(page)  # a second start would give two buttons
    assert page.locator('pre button[data-md-type="copy"]').count() == blocks
    assert "/tutorial/" in search_results(page, "subprotocols")


def test_materials_script_arriving_after_the_page_is_parsed_starts_once(
    browser: Browser, site_url: str
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    held: list[Route] = []
    page.route(BUNDLE_URL, lambda route: held.append(route))
    with page.expect_request(BUNDLE_URL):
        page.goto(site_url + "/tutorial/", wait_until="domcontentloaded")
    assert page.evaluate("document.readyState") != "loading"
    assert page.evaluate("typeof window.document$") == "undefined"
    assert len(held) == 1
    held[0].continue_()
    materials_script_started_once(page)
    page.close()


def test_materials_script_arriving_before_the_page_is_parsed_starts_once(
    browser: Browser, site_url: str
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    held: list[Route] = []

    def parser_held_at_the_end(route: Route) -> None:
        response = route.fetch()
        body = response.text().replace(
            "</body>", '<script src="/__held.js"></script></body>'
        )
        assert "/__held.js" in body
        route.fulfill(response=response, body=body)

    page.route(site_url + "/tutorial/", parser_held_at_the_end)
    page.route(site_url + "/__held.js", lambda route: held.append(route))
    page.goto(site_url + "/tutorial/", wait_until="commit")
    page.wait_for_function("typeof window.document$ !== 'undefined'")
    assert page.evaluate("document.readyState") == "loading"
    assert len(held) == 1
    held[0].fulfill(body="", content_type="text/javascript")
    page.wait_for_load_state("load")
    materials_script_started_once(page)
    page.close()


# Frames drawn by hand: each call runs the callbacks the page asked for, as
# the browser does before it draws a frame, then lets the timeouts they set run.
MANUAL_FRAMES = """
    window.__frames = [];
    window.__browserFrames = window.requestAnimationFrame;
    window.requestAnimationFrame = (callback) => window.__frames.push(callback);
"""
BROWSER_FRAMES = """() => {
    window.requestAnimationFrame = window.__browserFrames;
    window.__frames.splice(0).forEach((callback) => requestAnimationFrame(callback));
}"""
DRAW_A_FRAME = """() => {
    const queued = window.__frames.splice(0);
    queued.forEach((callback) => callback(performance.now()));
    return new Promise((done) => setTimeout(done));
}"""
BUNDLE_ELEMENT = "document.querySelector('script[src*=\"/bundle.\"]') !== null"


def test_materials_script_starts_once_the_first_frame_is_on_screen(
    browser: Browser, site_url: str
) -> None:
    """Not right after the first frame's work: that frame is not on screen yet."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.add_init_script(MANUAL_FRAMES)
    page.goto(site_url + "/tutorial/", wait_until="load")
    assert page.evaluate(BUNDLE_ELEMENT) is False
    page.evaluate(DRAW_A_FRAME)
    assert page.evaluate(BUNDLE_ELEMENT) is False
    page.evaluate(DRAW_A_FRAME)
    assert page.evaluate(BUNDLE_ELEMENT) is True
    page.evaluate(BROWSER_FRAMES)  # Material's own work waits for frames too
    materials_script_started_once(page)
    page.close()


def test_materials_script_starts_in_a_tab_opened_in_the_background(
    browser: Browser, site_url: str
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.add_init_script(
        "Object.defineProperty(document, 'visibilityState', {get: () => 'hidden'});"
        "window.requestAnimationFrame = () => 0;"  # a hidden tab draws no frame
    )
    page.goto(site_url + "/tutorial/")
    materials_script_started_once(page)
    page.close()


@pytest.fixture
def started_tutorial(browser: Browser, site_url: str) -> Iterator[Page]:
    """The English tutorial on a phone's screen, once Material's script has started."""
    page = browser.new_page(viewport={"width": 412, "height": 823})
    page.goto(site_url + "/tutorial/")
    material_started(page)
    yield page
    page.close()


def test_tables_sit_in_materials_wrapper_inside_their_own(
    started_tutorial: Page,
) -> None:
    """The build wraps each table (pagespeed.wrapped_tables); Material's script still adds its own."""
    page = started_tutorial
    chains = page.evaluate(
        """() => [...document.querySelectorAll("article table")].map((table) => {
            const classes = [];
            for (let node = table.parentElement; node.tagName !== "ARTICLE"; node = node.parentElement) {
                classes.push(node.className);
            }
            return classes;
        })"""
    )
    assert (
        chains == [["md-typeset__table", "md-typeset__scrollwrap", "guide-table"]] * 2
    )


def test_the_focus_visible_polyfill_still_marks_keyboard_focus(
    started_tutorial: Page,
) -> None:
    """<html> carries the polyfill's marks before it runs (overrides/main.html); it still works."""
    page = started_tutorial
    assert page.evaluate("document.documentElement.className") == "js js-focus-visible"
    link = page.locator("article a.headerlink").first
    link.click()  # focus by pointer: not marked
    assert "focus-visible" not in (link.get_attribute("class") or "").split()
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "document.activeElement.classList.contains('focus-visible')"
    )
    assert focused is True


# Each visible code block, brought on screen in turn: whether it scrolls
# sideways, and the tabindex Material gave it once it was set up there.
SIDEWAYS_AND_FOCUS = """async () => {
  const frame = () => new Promise((done) => requestAnimationFrame(() => setTimeout(done)));
  const found = [];
  for (const code of document.querySelectorAll("article pre > code")) {
    if (!code.checkVisibility()) continue;  // in a tab that is not selected
    code.scrollIntoView({ block: "center" });
    await frame();
    await frame();
    found.push([code.scrollWidth > code.clientWidth, code.getAttribute("tabindex")]);
  }
  return found;
}"""


def test_a_code_block_is_set_up_once_it_comes_on_screen(
    started_tutorial: Page,
) -> None:
    """Material sets up code blocks as they come on screen (content.lazy in mkdocs.yml).

    Each still gets its copy button, and a keyboard can still focus each
    block that scrolls sideways, and no other.
    """
    page = started_tutorial
    last = page.locator("article pre").last
    assert last.locator('button[data-md-type="copy"]').count() == 0  # not on screen yet
    blocks = every_code_block_shown(page)
    assert page.locator('pre button[data-md-type="copy"]').count() == blocks
    found = page.evaluate(SIDEWAYS_AND_FOCUS)
    assert {sideways for sideways, _ in found} == {True, False}  # both kinds are here
    assert [tabindex for _, tabindex in found] == [
        "0" if sideways else None for sideways, _ in found
    ]


def test_the_copy_button_of_a_block_set_up_late_copies_its_example(
    browser: Browser, site_url: str
) -> None:
    """The tutorial's last block, set up only once it is on screen, copies its file whole."""
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(site_url + "/tutorial/")
    material_started(page)
    block = page.locator("article .highlight").last
    block.scroll_into_view_if_needed()
    block.locator('button[data-md-type="copy"]').click()
    dialog = page.locator(".md-dialog__inner")
    dialog.wait_for(state="visible")
    assert dialog.inner_text() == "Copied to clipboard"
    example = block.locator(".filename").inner_text()
    assert example == "docs_src/tutorial/testing.py"
    copied = page.evaluate("navigator.clipboard.readText()")
    context.close()
    assert copied == (ROOT / example).read_text(encoding="utf-8").removesuffix("\n")


# ---------------------------------------------------------------------------
# Material's icons, views of one SVG file (pagespeed.icons_in_one_file)


def materials_own_sheet() -> str:
    """Material's main style sheet as the installed theme ships it."""
    sheets = material_assets() / "stylesheets"
    return next(sheets.glob("main.*.min.css")).read_text(encoding="utf-8")


def materials_icons() -> dict[str, str]:
    """Each icon property of Material's own sheet, and its value there."""
    return {
        match["name"]: match.group(0).split(":", 1)[1]
        for match in pagespeed.SHEET_ICON.finditer(materials_own_sheet())
    }


TIMEOUT_MS = 10_000
# A frame's work done and the frame drawn.
TWO_FRAMES = """() => new Promise((done) =>
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done))))"""
# The icons' file fetched and in the page (resource timing has it once it has arrived).
ICONS_ARRIVED = r"""() => performance.getEntriesByType("resource")
  .some((entry) => /\/icons\.[0-9a-f]{8}\.svg#/.test(entry.name) && entry.responseEnd > 0)"""


def test_every_icon_is_drawn_from_the_one_file_as_from_materials_own_sheet(
    browser: Browser, site: Path, site_url: str
) -> None:
    """All of Material's icons, as its sheet writes them and as the site serves them.

    A grid of cells draws each icon from Material's own ``data:`` address,
    then, in the same cells, from the site's sheet (its view of the icons'
    file); the two pictures are the same, pixel for pixel.
    """
    icons = materials_icons()
    assert len(icons) >= 40
    sheet = next((site / "assets" / "stylesheets").glob("main.*.min.css")).name
    page = browser.new_page(viewport={"width": 480, "height": 600})
    # A page of the site's origin: the icons' file is fetched for a mask,
    # which a page of another origin may not use.
    page.goto(f"{site_url}/assets/stylesheets/{sheet}")
    cell = (
        "display:block;width:40px;height:40px;background:#000;"
        "mask-repeat:no-repeat;mask-position:center;mask-size:contain"
    )
    cells = "".join(f'<i style="{cell}"></i>' for _ in icons)
    page.set_content(
        f'<link rel="stylesheet" href="{sheet}"><body style="margin:0;background:#fff">'
        f'<div id="icons" style="display:flex;flex-wrap:wrap;width:480px">{cells}</div>'
    )
    draw = """(values) => document.querySelectorAll("#icons > i")
      .forEach((cell, index) => { cell.style.maskImage = values[index]; })"""
    page.evaluate(draw, list(icons.values()))
    page.evaluate(TWO_FRAMES)
    materials = page.locator("#icons").screenshot(animations="disabled")
    page.evaluate(draw, [f"var({name})" for name in icons])
    page.wait_for_function(ICONS_ARRIVED, timeout=TIMEOUT_MS)
    page.evaluate(TWO_FRAMES)
    served = page.locator("#icons").screenshot(animations="disabled")
    page.close()
    assert served == materials


@contextmanager
def phone_tab(
    browser: Browser, replaced: tuple[str, str, str] | None = None
) -> Iterator[Page]:
    """A tab of its own, as wide as a phone; closed when the block ends.

    ``replaced`` (a file name pattern, a text and its type) serves that text
    for any of the site's assets the pattern names.
    """
    context = browser.new_context(viewport={"width": 412, "height": 823})
    page = context.new_page()
    if replaced is not None:
        pattern, body, kind = replaced
        page.route(
            f"**/assets/*/{pattern}",
            lambda route: route.fulfill(body=body, content_type=kind),
        )
    try:
        yield page
    finally:
        context.close()


def svg_documents(browser: Browser, url: str, sheet: str | None = None) -> int:
    """How many SVG image documents Chromium builds for ``url`` on a phone, as it starts.

    Every SVG image gets a document of its own, one trace event each.
    ``sheet``, when given, is served in place of the page's Material sheet.
    """
    replaced = None if sheet is None else ("main.*.min.css", sheet, "text/css")
    with phone_tab(browser, replaced) as page, traced(page, "blink") as events:
        page.goto(url)
        material_started(page)
        if sheet is None:
            page.wait_for_function(ICONS_ARRIVED, timeout=TIMEOUT_MS)
        page.evaluate(TWO_FRAMES)
    return trace_count(events, "IsolatedSVGDocumentHost::IsolatedSVGDocumentHost")


def test_a_page_builds_one_svg_document_for_all_its_icons(
    browser: Browser, site_url: str
) -> None:
    """The tutorial shows admonitions, collapsed blocks, tabs, copy buttons and the navigation's icons.

    From the site's sheet, all but the warning's are views of one file: two
    documents. From Material's own sheet, each icon is an image of its own.
    """
    url = site_url + "/tutorial/"
    with_materials_sheet = svg_documents(
        browser, url, pagespeed.without_dead_rules(materials_own_sheet())
    )
    assert with_materials_sheet >= 5, (
        "no SVG document seen: has Chromium renamed its trace event?"
    )
    # The file's, and the warning's own (pagespeed.FIRST_SCREEN_ICONS): the
    # tutorial has warnings.
    assert {"--md-admonition-icon--warning"} == pagespeed.FIRST_SCREEN_ICONS
    assert svg_documents(browser, url) == 2


# ---------------------------------------------------------------------------
# Material's script, compiled as it streams in (pagespeed.compiled_on_load)


def compiled_functions(
    browser: Browser, url: str, script: str | None = None
) -> dict[str, int]:
    """How many functions V8 compiles while ``url`` loads and starts, on each kind of thread.

    ``main`` is the page's main thread, ``background`` the renderer's thread
    pool (a worker's own thread is neither). ``script``, when given, is
    served in place of Material's script.
    """
    replaced = (
        None if script is None else ("bundle.*.min.js", script, "text/javascript")
    )
    categories = ("disabled-by-default-v8.compile", "devtools.timeline")
    with phone_tab(browser, replaced) as page, traced(page, *categories) as events:
        page.goto(url)
        material_started(page)
    threads = {
        (event["pid"], event["tid"]): event["args"]["name"]
        for event in events
        if event.get("ph") == "M" and event.get("name") == "thread_name"
    }
    counts = {"main": 0, "background": 0}
    for event in events:
        if event.get("name") != "V8.CompileIgnition" or event.get("ph") not in "XB":
            continue
        thread = threads.get((event["pid"], event["tid"]), "")
        if thread == "CrRendererMain":
            counts["main"] += 1
        elif thread.startswith("ThreadPool"):
            counts["background"] += 1
    return counts


def test_materials_functions_are_compiled_off_the_main_thread(
    browser: Browser, site_url: str
) -> None:
    """With the hint, V8 compiles Material's functions while the script streams in.

    Without it (Material's own script), each function is compiled on the
    main thread when it first runs, during the evaluation and the start-up.
    """
    url = site_url + "/tutorial/"
    scripts = material_assets() / "javascripts"
    original = next(scripts.glob("bundle.*.min.js")).read_text(encoding="utf-8")
    without = compiled_functions(browser, url, original)
    hinted = compiled_functions(browser, url)
    # How many, on each thread, varies with the machine's load (V8 compiles
    # some functions again, and may compile some ahead by itself: 24 to 822
    # in the pool without the hint); with the hint the pool compiles the most.
    assert hinted["background"] > hinted["main"], hinted
    assert hinted["background"] > without["background"], (hinted, without)


def test_a_trace_keeps_only_the_events_of_the_pages_own_renderer() -> None:
    """Chromium's own pages (its omnibox popup) render, and build SVG documents, in other processes."""
    host = "IsolatedSVGDocumentHost::IsolatedSVGDocumentHost"
    events: list[dict[str, Any]] = [
        {
            "name": "FrameCommittedInBrowser",
            "pid": 1,
            "args": {"data": {"processId": 7, "isOutermostMainFrame": True}},
        },
        {"name": host, "ph": "X", "pid": 7},
        {"name": host, "ph": "X", "pid": 7},
        {"name": host, "ph": "X", "pid": 9},  # the WebUI renderer's
    ]
    assert trace_count(events, host) == 3
    assert trace_count(page_events(events), host) == 2
    with pytest.raises(AssertionError, match="FrameCommittedInBrowser"):
        page_events(events[1:])
