"""The glossaries' terms hold in the real pages: no forbidden variant anywhere."""

from __future__ import annotations

import subprocess
import sys

import pytest

from guidekit import glossary
from guidekit.translations import LanguageState, language_states
from tests.docs.conftest import ROOT

DOCS = ROOT / "docs"
STATES = language_states(ROOT / "mkdocs.yml")
COMPLETE = [name for name, state in STATES.items() if state is LanguageState.COMPLETE]


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


@pytest.mark.parametrize("language", COMPLETE)
def test_every_complete_language_has_terms(language: str) -> None:
    report = glossary.check_language(DOCS, language, ROOT)
    assert report.complete
    assert report.terms, glossary.missing_part(report)


def test_persian_is_in_progress_and_has_terms_already() -> None:
    report = glossary.check_language(DOCS, "fa", ROOT)
    assert STATES["fa"] is LanguageState.IN_PROGRESS
    assert not report.complete
    assert report.terms and report.findings == []


def test_korean_frontend_is_settled() -> None:
    terms = glossary.load_terms(DOCS, "ko", ROOT) or []
    frontend = [term for term in terms if term.en == "frontend"]
    assert [(term.use, term.avoid) for term in frontend] == [
        ("프런트엔드", ("프론트엔드",))
    ]
