"""The glossaries' terms hold in the real pages: no forbidden variant anywhere."""

from __future__ import annotations

import subprocess
import sys

import pytest

from guidekit import glossary
from guidekit.translations import configured_languages
from tests.docs.conftest import ROOT

DOCS = ROOT / "docs"
LANGUAGES = configured_languages(ROOT / "mkdocs.yml")


@pytest.mark.timeout(30)
def test_no_page_uses_a_variant_its_glossary_forbids() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts/docs.py"), "glossary", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines()[-1].startswith("No forbidden variants in ")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_complete_language_has_terms(language: str) -> None:
    report = glossary.check_language(DOCS, language, ROOT)
    if not report.complete:
        pytest.skip(f"{language} is in progress: its terms are not required yet")
    assert report.terms, glossary.missing_part(report)


def test_korean_frontend_is_settled() -> None:
    terms = glossary.load_terms(DOCS, "ko", ROOT) or []
    frontend = [term for term in terms if term.en == "frontend"]
    assert [(term.use, term.avoid) for term in frontend] == [
        ("프런트엔드", ("프론트엔드",))
    ]
