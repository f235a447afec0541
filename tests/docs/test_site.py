"""The built site: four languages, localised chrome, nothing loaded from elsewhere."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
import yaml

from tests.docs.conftest import LANGUAGES, ROOT, page_dir

PAGES = ("index.html", "tutorial/index.html")
SITE_NAMES = {
    "en": "WebSockets with FastAPI",
    "tr": "FastAPI ile WebSocket",
    "de": "WebSockets mit FastAPI",
    "ko": "FastAPI로 배우는 WebSocket",
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
    config = read(ROOT / "mkdocs.yml")
    languages = {
        entry["locale"]: entry
        for entry in yaml.load(config, Loader=_IgnoreTags)["plugins"][1]["i18n"][
            "languages"
        ]
    }
    nav = yaml.load(config, Loader=_IgnoreTags)["nav"]
    for language in ("tr", "de", "ko"):
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


class _IgnoreTags(yaml.SafeLoader):
    """Reads mkdocs.yml without resolving MkDocs' own tags such as !ENV."""


_IgnoreTags.add_multi_constructor("!", lambda loader, suffix, node: None)


@pytest.mark.parametrize("language", LANGUAGES)
def test_404_page_exists(site: Path, language: str) -> None:
    assert (site / "404.html").is_file()


def code_blocks(html: str) -> dict[str, list[str]]:
    """Titled code blocks of a page: title -> the code text of each, as shown."""
    blocks: dict[str, list[str]] = {}
    pattern = re.compile(
        r'<span class="filename">([^<]+)</span><pre><span></span><code>(.*?)</code></pre>',
        re.DOTALL,
    )
    for title, code in pattern.findall(html):
        text = unescape(re.sub(r"<[^>]+>", "", code))
        blocks.setdefault(unescape(title), []).append(text)
    return blocks


@pytest.mark.parametrize("language", LANGUAGES)
def test_included_code_is_the_example_file(site: Path, language: str) -> None:
    """An include without ln[...] shows its file exactly, in every language."""
    html = read(page_dir(site, language) / "tutorial" / "index.html")
    blocks = code_blocks(html)
    example = "docs_src/tutorial/echo.py"
    assert example in blocks
    expected = read(ROOT / example)
    assert blocks[example][0] == expected
