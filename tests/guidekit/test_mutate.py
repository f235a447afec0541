"""The mutation tester on a tiny project: it must catch a test that checks too little."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from guidekit import mutate

APP = """POLICY_VIOLATION = 1008


def greet(name: str) -> str:
    return f"Hello, {name}"
"""

TESTS = """from docs_src.demo.hello import greet


def test_greets() -> None:
    assert greet("Ada") == "Hello, Ada"
"""


def make_project(root: Path) -> Path:
    for folder in ("docs_src/demo", "tests/demo", "scripts"):
        (root / folder).mkdir(parents=True)
        if folder != "scripts":
            (root / folder / "__init__.py").write_text("", encoding="utf-8")
    (root / "docs_src" / "__init__.py").write_text("", encoding="utf-8")
    (root / "tests" / "__init__.py").write_text("", encoding="utf-8")
    (root / "docs_src/demo/hello.py").write_text(APP, encoding="utf-8")
    (root / "tests/demo/test_hello.py").write_text(TESTS, encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\npythonpath = ["."]\n', encoding="utf-8"
    )
    return root


def test_mutants_cover_messages_codes_comparisons_and_conditions() -> None:
    found = {
        m.description
        for m in mutate.all_mutants(Path("."), "docs_src/tutorial/query_token.py")
    }
    assert "close code WS_1008_POLICY_VIOLATION -> WS_1011_INTERNAL_ERROR" in found
    assert "string 'invalid token' changed" in found
    assert 'f-string f"Welcome, {user}!" changed' in found
    assert "comparison becomes 'in'" in found
    assert "condition negated" in found


def test_a_test_that_checks_too_little_lets_mutants_survive(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    outcomes = mutate.run(root, ["docs_src/demo/hello.py"], python=sys.executable)
    results = {o.mutant.description: o.killed for o in outcomes}
    assert results == {
        # The close code is never tested: changing it goes unnoticed.
        "number 1008 -> 1009": False,
        # The greeting is tested: changing its text is caught.
        'f-string f"Hello, {name}" changed': True,
    }
    # The working tree is untouched.
    assert (root / "docs_src/demo/hello.py").read_text(encoding="utf-8") == APP


def test_tests_that_fail_unmutated_are_refused(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "tests/demo/test_hello.py").write_text(
        TESTS.replace("Hello, Ada", "Goodbye"), encoding="utf-8"
    )
    with pytest.raises(mutate.MutationError) as error:
        mutate.run(root, ["docs_src/demo/hello.py"], python=sys.executable)
    assert str(error.value) == (
        "tests/demo: expected the tests to pass before any mutation, "
        "found pytest exit status 1"
    )
