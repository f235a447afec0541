"""The MkDocs hooks on small synthetic sites: notices, preview, search, 404s.

Each site inherits the real mkdocs.yml (languages, strings, theme), so the
notices asserted here are the ones readers get.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guidekit.translations import content_hash
from tests.conftest import build_site, language_settings, write_site_config

ENGLISH_HOME = "# Home { #home }\n\nWelcome to the guide.\n"
ENGLISH_PAGE = "# A page { #a-page }\n\nText that nobody has translated.\n"


def strings(language: str) -> dict[str, str]:
    return language_settings()[language]["extra"]["guide"]


def make_site(tmp_path: Path, translated_home: str | None) -> Path:
    docs = tmp_path / "docs"
    (docs / "en").mkdir(parents=True)
    (docs / "tr").mkdir()
    (docs / "en" / "index.md").write_text(ENGLISH_HOME, encoding="utf-8")
    (docs / "en" / "page.md").write_text(ENGLISH_PAGE, encoding="utf-8")
    if translated_home is not None:
        (docs / "tr" / "index.md").write_text(translated_home, encoding="utf-8")
    write_site_config(tmp_path, ["Home: index.md", "page.md"])
    return tmp_path


def build(site: Path, language: str | None = None) -> Path:
    return build_site(site / "site", site / "mkdocs.yml", language)


def translated(source_hash: str) -> str:
    return f'---\nsource_hash: "{source_hash}"\n---\n\n# Ana sayfa {{ #home }}\n\nRehbere hoş geldiniz.\n'


@pytest.fixture(scope="module")
def stale_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(tmp_path_factory.mktemp("stale"), translated(content_hash("old")))
    return build(site)


def test_a_missing_page_shows_english_under_a_notice_in_turkish(
    stale_site: Path,
) -> None:
    html = (stale_site / "tr" / "page" / "index.html").read_text(encoding="utf-8")
    turkish = strings("tr")
    assert f'<p class="admonition-title">{turkish["untranslated_title"]}</p>' in html
    assert f"<p>{turkish['untranslated']}</p>" in html
    assert "Text that nobody has translated." in html
    assert '<meta name="robots" content="noindex">' in html
    assert '<html lang="tr"' in html


def test_a_stale_translation_says_so_and_links_to_english(stale_site: Path) -> None:
    html = (stale_site / "tr" / "index.html").read_text(encoding="utf-8")
    turkish = strings("tr")
    assert f'<p class="admonition-title">{turkish["outdated_title"]}</p>' in html
    assert f'<a href="../" hreflang="en">{turkish["english_link"]}</a>' in html
    assert "Rehbere hoş geldiniz." in html
    assert "noindex" not in html


def test_english_pages_carry_no_notice(stale_site: Path) -> None:
    html = (stale_site / "page" / "index.html").read_text(encoding="utf-8")
    # The page's own elements, not the style sheets inlined in its head.
    assert 'class="admonition' not in html
    assert "noindex" not in html


def test_a_current_translation_has_only_the_translation_note(tmp_path: Path) -> None:
    site = build(make_site(tmp_path, translated(content_hash(ENGLISH_HOME))))
    html = (site / "tr" / "index.html").read_text(encoding="utf-8")
    turkish = strings("tr")
    assert turkish["outdated_title"] not in html
    assert (
        f"<small>{turkish['translation_note']} "
        f'<a href="../" hreflang="en">{turkish["english_link"]}</a></small>'
    ) in html


def test_one_language_preview_keeps_the_notices(tmp_path: Path) -> None:
    site = build(make_site(tmp_path, translated(content_hash("old"))), language="tr")
    turkish = strings("tr")
    page = (site / "page" / "index.html").read_text(encoding="utf-8")
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f'<p class="admonition-title">{turkish["untranslated_title"]}</p>' in page
    assert f'<p class="admonition-title">{turkish["outdated_title"]}</p>' in home
    assert not (site / "tr").exists()


def test_each_language_has_its_own_search_index(stale_site: Path) -> None:
    def locations(path: Path) -> tuple[list[str], list[str]]:
        index = json.loads(path.read_text(encoding="utf-8"))
        return index["config"]["lang"], sorted(
            {d["location"].split("#")[0] for d in index["docs"]}
        )

    assert locations(stale_site / "search" / "search_index.json") == (
        ["en"],
        ["", "page/"],
    )
    # The untranslated page is left out of the Turkish index: its text is English.
    assert locations(stale_site / "tr" / "search" / "search_index.json") == (
        ["tr"],
        [""],
    )


def test_each_language_has_its_own_404_page(stale_site: Path) -> None:
    assert '<html lang="en"' in (stale_site / "404.html").read_text(encoding="utf-8")
    assert '<html lang="tr"' in (stale_site / "tr" / "404.html").read_text(
        encoding="utf-8"
    )
