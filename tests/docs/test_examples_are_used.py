"""Every example is shown on an English page and run by a test, and shadows nothing."""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import sys

import pytest

from guidekit.examples import variants_of
from guidekit.includes import find_directives, parse_directive
from tests.conftest import ROOT

DOCS_SRC = ROOT / "docs_src"
EXAMPLES = sorted(
    path.relative_to(ROOT).as_posix()
    for path in DOCS_SRC.rglob("*.py")
    if path.name != "__init__.py"
)
# Config files shown on a page are examples too (nginx's, for one).
CONFIGS = sorted(path.relative_to(ROOT).as_posix() for path in DOCS_SRC.rglob("*.conf"))


def english_includes() -> dict[str, list[str]]:
    """Example path -> the English pages (file:line) that include it or its variants."""
    shown: dict[str, list[str]] = {}
    for page in sorted((ROOT / "docs" / "en").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        where = page.relative_to(ROOT).as_posix()
        for index, line in find_directives(text):
            directive = parse_directive(line, where, index + 1)
            at = f"{where}:{index + 1}"
            shown.setdefault(directive.path, []).append(at)
            if (ROOT / directive.path).is_file():
                for variant in variants_of(ROOT, directive.path):
                    shown.setdefault(variant.path, []).append(at)
    return shown


def test_there_are_examples() -> None:
    assert "docs_src/tutorial/echo.py" in EXAMPLES


@pytest.mark.parametrize("example", EXAMPLES + CONFIGS)
def test_example_is_shown_on_an_english_page(example: str) -> None:
    assert example in english_includes(), (
        f"{example}: expected an English page to include it with "
        f"'{{* {example} *}}', found none"
    )


def test_every_include_names_an_existing_file() -> None:
    missing = [
        f"{at}: expected an example at {path}, found no such file"
        for path, places in english_includes().items()
        for at in places
        if not (ROOT / path).is_file()
    ]
    assert missing == []


@functools.cache  # the tests folder does not change during a run
def imported_examples() -> frozenset[str]:
    """Dotted names of the examples that some test module imports.

    Counts ``import docs_src.t.x``, ``from docs_src.t import x``,
    ``from docs_src.t.x import app``, and names given as strings in a module
    that refers to ``docs_src.t`` (``import_module(f"docs_src.t.{name}")``
    parametrised over variant names).
    """
    found: set[str] = set()
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        packages: set[str] = set()
        strings: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.add(node.value)
                if node.value.startswith("docs_src."):
                    packages.add(node.value.rstrip("."))
            elif isinstance(node, ast.JoinedStr):
                for part in node.values:
                    if isinstance(part, ast.Constant) and str(part.value).startswith(
                        "docs_src."
                    ):
                        packages.add(str(part.value).rstrip("."))
        found.update(f"{package}.{name}" for package in packages for name in strings)
    return frozenset(found)


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_is_imported_by_a_test(example: str) -> None:
    module = example.removesuffix(".py").replace("/", ".")
    assert module in imported_examples(), (
        f"{example}: expected a test under tests/ that imports {module}, found none"
    )


@functools.cache
def strings_in_tests() -> frozenset[str]:
    found: set[str] = set()
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return frozenset(found)


def test_there_are_config_examples() -> None:
    assert "docs_src/deploy/nginx.conf" in CONFIGS


@pytest.mark.parametrize("config", CONFIGS)
def test_config_is_read_by_a_test(config: str) -> None:
    name = config.rsplit("/", 1)[1]
    assert name in strings_in_tests(), (
        f"{config}: expected a test under tests/ that names {name!r}, found none"
    )


def installed_top_level_names() -> set[str]:
    names = set(sys.stdlib_module_names)
    for distribution in importlib.metadata.distributions():
        top_level = distribution.read_text("top_level.txt") or ""
        names.update(line.strip() for line in top_level.splitlines() if line.strip())
        for file in distribution.files or ():
            first = file.parts[0]
            if first.endswith(".py"):
                names.add(first.removesuffix(".py"))
            elif "." not in first and first != "__pycache__":
                names.add(first)
    return names


def test_no_example_package_or_module_shadows_an_installed_library() -> None:
    """docs_src/<topic>/ on sys.path (as when a reader runs an example) hides nothing."""
    installed = installed_top_level_names()
    names = {path.name for path in DOCS_SRC.iterdir() if path.is_dir()}
    names |= {path.stem for path in DOCS_SRC.rglob("*.py")} - {"__init__"}
    names.discard("__pycache__")
    shadowing = sorted(names & installed)
    assert shadowing == [], f"docs_src: these names hide installed modules: {shadowing}"


def test_the_shadow_check_sees_installed_libraries() -> None:
    installed = installed_top_level_names()
    assert {"websockets", "fastapi", "json", "asyncio"} <= installed
