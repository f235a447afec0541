"""The built site: four languages, localised chrome, nothing loaded from elsewhere."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from guidekit.dashboard import CELL_KEYS, in_order
from guidekit.examples import variants_of
from guidekit.includes import ENGLISH as ENGLISH_STRINGS
from guidekit.includes import find_directives, parse_directive
from guidekit.translations import english_pages as pages_of
from guidekit.translations import site_status
from tests.conftest import language_settings, site_config
from tests.docs.conftest import LANGUAGES, ROOT, page_dir

PAGES = ("index.html", "tutorial/index.html")
SITE_NAMES = {
    "en": "WebSockets with FastAPI",
    "tr": "FastAPI ile WebSocket",
    "de": "WebSockets mit FastAPI",
    "ko": "FastAPI로 배우는 WebSocket",
    "fa": "وب‌سوکت با FastAPI",
}
LOADED = re.compile(
    r'<(?:script|img|link|iframe|source)\b[^>]*?\s(?:src|href)="([^"]+)"'
)


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_has_a_home_page(site: Path, language: str) -> None:
    html = read(page_dir(site, language) / "index.html")
    assert f'<html lang="{language}"' in html
    assert re.search(rf"<title>(?:[^<]+ - )?{SITE_NAMES[language]}</title>", html)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_language_switcher_leads_to_the_same_page(
    site: Path, language: str, page: str
) -> None:
    html = read(page_dir(site, language) / page)
    links = dict(
        (lang, href)
        for href, lang in re.findall(
            r'<a href="([^"]*)" hreflang="([a-z]{2})" class="md-select__link">', html
        )
    )
    assert sorted(links) == sorted(LANGUAGES)
    here = page_dir(site, language) / page
    for other, href in links.items():
        base = site if href.startswith("/") else here.parent
        target = (base / href.lstrip("/") / "index.html").resolve()
        assert target == (page_dir(site, other) / page).resolve(), (other, href)


@pytest.mark.parametrize("language", LANGUAGES)
def test_nothing_is_loaded_from_another_host(site: Path, language: str) -> None:
    for html_file in sorted(page_dir(site, language).glob("**/*.html")):
        html = read(html_file)
        external = [
            url for url in LOADED.findall(html) if re.match(r"(https?:)?//", url)
        ]
        assert external == [], f"{html_file}: loads {external}"
        assert "fonts.googleapis.com" not in html
        assert "fonts.gstatic.com" not in html


def test_navigation_and_admonitions_are_localised(site: Path) -> None:
    languages = language_settings()
    nav = site_config()["nav"]
    for language in ("tr", "de", "ko", "fa"):
        html = read(page_dir(site, language) / "tutorial" / "index.html")
        titles = {next(iter(entry)) for entry in nav}
        for english, translated in languages[language]["nav_translations"].items():
            if english not in titles:
                continue
            assert f">{translated}<" in html or f"{translated}\n" in html, (
                language,
                english,
            )
        tip = languages[language]["admonition_translations"]["tip"]
        assert f'<p class="admonition-title">{tip}</p>' in html
        variants = languages[language]["extra"]["guide"]["variants"]
        assert f"<summary>{variants}</summary>" in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_404_page_exists(site: Path, language: str) -> None:
    assert (site / "404.html").is_file()


def code_blocks(html: str) -> dict[str, list[str]]:
    """Titled code blocks of a page: title -> the code text of each, as shown."""
    blocks: dict[str, list[str]] = {}
    pattern = re.compile(
        r'<span class="filename">([^<]+)</span><pre><span></span><code[^>]*>(.*?)</code></pre>',
        re.DOTALL,
    )
    for title, code in pattern.findall(html):
        text = unescape(re.sub(r"<[^>]+>", "", code))
        blocks.setdefault(unescape(title), []).append(text)
    return blocks


def marker_lines() -> set[str]:
    """The "code omitted" comment lines, in every language."""
    strings = [ENGLISH_STRINGS] + [
        entry["extra"]["guide"]
        for locale, entry in language_settings().items()
        if locale != "en"
    ]
    keys = ("code_above", "code_between", "code_below")
    return {
        f"{prefix} {table[key]}"
        for table in strings
        for key in keys
        for prefix in ("#", "//")
    }


def includes_by_page() -> dict[str, list[tuple[str, str, bool]]]:
    """English page -> (block title, file, whether ln[...] selects lines).

    Variants count too: each is shown in its own tab, titled with its path.
    """
    found: dict[str, list[tuple[str, str, bool]]] = {}
    for page in sorted((ROOT / "docs" / "en").rglob("*.md")):
        name = page.relative_to(ROOT / "docs" / "en").as_posix()
        text = read(page)
        for index, line in find_directives(text):
            directive = parse_directive(line, name, index + 1)
            selects = directive.ln is not None
            shown = [(directive.title or directive.path, directive.path, selects)]
            shown += [
                (v.path, v.path, selects) for v in variants_of(ROOT, directive.path)
            ]
            found.setdefault(name, []).extend(shown)
    return found


def html_path(site: Path, language: str, page: str) -> Path:
    stem = page.removesuffix(".md")
    folder = page_dir(site, language)
    return folder / "index.html" if stem == "index" else folder / stem / "index.html"


@pytest.mark.parametrize("language", LANGUAGES)
def test_what_readers_copy_is_the_example_file(site: Path, language: str) -> None:
    """Every include, in every language, shows its file's text exactly.

    With ln[...], every run of lines between "omitted" markers must stand in
    the file as it is, in order.
    """
    markers = marker_lines()
    checked = 0
    for page, includes in includes_by_page().items():
        blocks = code_blocks(read(html_path(site, language, page)))
        for title, example, selects_lines in includes:
            shown = blocks[title].pop(0)
            text = read(ROOT / example)
            if not selects_lines:
                assert shown == text, (
                    f"{language}/{page}: {example} differs from the file"
                )
            else:
                for run in "\n".join(
                    "\0" if line in markers else line for line in shown.split("\n")
                ).split("\0"):
                    assert run.strip("\n") in text, (
                        f"{language}/{page}: {example}: {run!r}"
                    )
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_no_translation_claims_a_review_nobody_recorded(
    site: Path, language: str
) -> None:
    """No page here records a review, so every note says it has had none."""
    guide = language_settings()[language]["extra"]["guide"]
    pages = sorted((ROOT / "docs" / language).glob("*.md"))
    assert len(pages) > 1
    for source in pages:
        if source.name == "glossary.md":
            continue
        built = page_dir(site, language) / (
            "index.html" if source.stem == "index" else f"{source.stem}/index.html"
        )
        html = read(built)
        assert f"<small>{guide['note_unreviewed']} <a " in html, built


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_status_page_has_a_row_per_page_and_a_bar_per_language(
    site: Path, language: str
) -> None:
    """The table says what the records say, cell for cell."""
    html = read(page_dir(site, language) / "translations" / "index.html")
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)
    shown = [re.findall(r'data-state="(\w+)"', row) for row in rows]
    translations = [lang for lang in LANGUAGES if lang != "en"]
    records = site_status(ROOT / "docs", translations)
    order = [row.page for row in in_order(records, NAV_PAGES)[translations[0]]]
    assert len(shown) == len(order) == len(english_pages())
    expected = [
        [
            CELL_KEYS[records[lang][english_pages().index(page)].cell]
            for lang in translations
        ]
        for page in order
    ]
    assert shown == expected
    assert html.count("<progress ") == len(translations)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_home_page_leads_to_the_status_page(site: Path, language: str) -> None:
    html = read(page_dir(site, language) / "index.html")
    assert 'href="translations/"' in html


NAV_PAGES = [next(iter(entry.values())) for entry in site_config()["nav"]]


def english_pages() -> list[str]:
    return pages_of(ROOT / "docs")
