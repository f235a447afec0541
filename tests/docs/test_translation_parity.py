"""Every real translation keeps the structure of its English page.

One test per translated page, so a failure names the page; its message lists
every problem, each with the translation's line and the English one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guidekit.parity import check_page
from guidekit.translations import configured_languages, translated_pages
from tests.conftest import LANGUAGES as SITE_LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
LANGUAGES = configured_languages(ROOT / "mkdocs.yml")
PAGES = [
    (language, page)
    for language in LANGUAGES
    for page in translated_pages(DOCS, language)
]


def test_the_languages_checked_are_the_ones_the_site_builds() -> None:
    assert [language for language in SITE_LANGUAGES if language != "en"] == LANGUAGES


@pytest.mark.parametrize(
    ("language", "page"), PAGES, ids=[f"{lang}/{page}" for lang, page in PAGES]
)
def test_translation_keeps_the_english_structure(language: str, page: str) -> None:
    problems = check_page(DOCS, language, page, ROOT)
    assert not problems, f"docs/{language}/{page} differs from English:\n" + "\n".join(
        str(problem) for problem in problems
    )
