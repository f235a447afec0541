"""Mutation testing for the examples: does every behaviour have a test?

Each mutant changes one thing in one example: a message, a close code, a
number, a comparison, a condition. The example's in-process tests then run
against the mutant; if they still pass, the mutant *survived*, and some
behaviour of that example is not checked by any test.

Mutants are written to a temporary copy of the project (examples, tests,
tools and pyproject.toml), where the tests run, so the working tree is never
touched.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Close codes swap to one that no example uses for the same purpose.
OTHER_CLOSE_CODE = {"WS_1011_INTERNAL_ERROR": "WS_1008_POLICY_VIOLATION"}
DEFAULT_CLOSE_CODE = "WS_1011_INTERNAL_ERROR"
SWAPPED_COMPARISONS: dict[type[ast.cmpop], str] = {
    ast.Eq: "!=",
    ast.NotEq: "==",
    ast.Lt: ">=",
    ast.LtE: ">",
    ast.Gt: "<=",
    ast.GtE: "<",
    ast.Is: "is not",
    ast.IsNot: "is",
    ast.In: "not in",
    ast.NotIn: "in",
}
COPIED = ("docs_src", "tests", "scripts", "pyproject.toml")
SLOW_TESTS = {"e2e", "docs", "guidekit"}  # not the examples' in-process tests
LONG_TEXT = 200  # longer strings are HTML pages, checked in the browser instead
TIME_LIMIT = 20  # seconds for one topic's tests, which take a few


@dataclass(frozen=True)
class Mutant:
    path: str  # relative to the repository root
    line: int
    description: str
    source: str  # the whole mutated file


def _replace(source: str, node: ast.AST, text: str) -> str:
    """``source`` with ``node``'s exact extent replaced by ``text``."""
    lines = source.split("\n")
    start_line, start_col = node.lineno - 1, node.col_offset  # type: ignore[attr-defined]
    end_line, end_col = node.end_lineno - 1, node.end_col_offset  # type: ignore[attr-defined]
    before = "\n".join([*lines[:start_line], lines[start_line][:start_col]])
    after = "\n".join([lines[end_line][end_col:], *lines[end_line + 1 :]])
    return before + text + after


def _docstrings(tree: ast.Module) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(
            node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
        ):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
            ):
                found.add(id(body[0].value))
    return found


def _test_lines(tree: ast.Module) -> set[int]:
    """Lines of ``test_*`` functions: an example's own tests are not behaviour."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(
            node, ast.FunctionDef | ast.AsyncFunctionDef
        ) and node.name.startswith("test_"):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def mutants(path: str, source: str) -> Iterator[Mutant]:
    """Every single-change mutant of one example file."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    tests = _test_lines(tree)
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if line in tests:
            continue
        if isinstance(node, ast.Constant) and id(node) not in docstrings:
            yield from _constant_mutants(path, source, node, line)
        elif isinstance(node, ast.Attribute) and node.attr.startswith("WS_1"):
            other = OTHER_CLOSE_CODE.get(node.attr, DEFAULT_CLOSE_CODE)
            text = ast.get_source_segment(source, node.value) or "status"
            yield Mutant(
                path,
                line,
                f"close code {node.attr} -> {other}",
                _replace(source, node, f"{text}.{other}"),
            )
        elif isinstance(node, ast.Compare) and len(node.ops) == 1:
            swapped = SWAPPED_COMPARISONS.get(type(node.ops[0]))
            if swapped:
                left = ast.get_source_segment(source, node.left)
                right = ast.get_source_segment(source, node.comparators[0])
                yield Mutant(
                    path,
                    line,
                    f"comparison becomes '{swapped}'",
                    _replace(source, node, f"{left} {swapped} {right}"),
                )
        elif isinstance(node, ast.If | ast.While) and not _is_true(node.test):
            test = ast.get_source_segment(source, node.test)
            yield Mutant(
                path,
                line,
                "condition negated",
                _replace(source, node.test, f"not ({test})"),
            )


def _is_true(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _constant_mutants(
    path: str, source: str, node: ast.Constant, line: int
) -> Iterator[Mutant]:
    value = node.value
    segment = ast.get_source_segment(source, node)
    if isinstance(value, str) and segment is not None and 0 < len(value) <= LONG_TEXT:
        if segment.startswith(("'", '"')):
            mutated = segment[0] + "~" + segment[1:]
        else:
            return  # a piece of an f-string: mutated through its JoinedStr below
        yield Mutant(
            path, line, f"string {value!r} changed", _replace(source, node, mutated)
        )
    elif isinstance(value, bool):
        yield Mutant(
            path,
            line,
            f"{value} -> {not value}",
            _replace(source, node, str(not value)),
        )
    elif isinstance(value, int | float) and segment is not None:
        yield Mutant(
            path,
            line,
            f"number {segment} -> {value + 1}",
            _replace(source, node, repr(value + 1)),
        )


def f_string_mutants(path: str, source: str) -> Iterator[Mutant]:
    """f-strings: change their literal text (the reply's wording)."""
    tree = ast.parse(source)
    tests = _test_lines(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and node.lineno not in tests:
            segment = ast.get_source_segment(source, node)
            if (
                segment
                and len(segment) <= LONG_TEXT
                and any(
                    isinstance(part, ast.Constant) and part.value
                    for part in node.values
                )
            ):
                quote = segment.index(segment[1]) if segment[0] in "fF" else 0
                mutated = segment[: quote + 1] + "~" + segment[quote + 1 :]
                yield Mutant(
                    path,
                    node.lineno,
                    f"f-string {segment} changed",
                    _replace(source, node, mutated),
                )


def all_mutants(root: Path, example: str) -> list[Mutant]:
    source = (root / example).read_text(encoding="utf-8")
    return [*mutants(example, source), *f_string_mutants(example, source)]


@dataclass(frozen=True)
class Outcome:
    mutant: Mutant
    killed: bool


class MutationError(Exception):
    """The tests cannot judge mutants: they fail, or do not run, unmutated."""


def run(root: Path, examples: list[str], python: str = sys.executable) -> list[Outcome]:
    """Run each example's tests against each of its mutants."""
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="mutants-") as temporary:
        copy = Path(temporary)
        for part in COPIED:
            if (root / part).is_dir():
                shutil.copytree(root / part, copy / part, ignore=_ignored)
            elif (root / part).is_file():
                shutil.copy2(root / part, copy / part)
        for topic in sorted({Path(example).parts[1] for example in examples}):
            code = _test(copy, topic, python)
            if code != 0:
                raise MutationError(
                    f"tests/{topic}: expected the tests to pass before any mutation, "
                    f"found pytest exit status {code}"
                )
        for example in examples:
            topic = Path(example).parts[1]
            original = (root / example).read_text(encoding="utf-8")
            for mutant in all_mutants(root, example):
                (copy / example).write_text(mutant.source, encoding="utf-8")
                code = _test(copy, topic, python)
                if code not in (0, 1, 2):  # 1: a test failed; 2: import failed
                    raise MutationError(
                        f"{mutant.path}:{mutant.line}: pytest exited with status "
                        f"{code} on the mutant '{mutant.description}'"
                    )
                outcomes.append(Outcome(mutant, killed=code != 0))
            (copy / example).write_text(original, encoding="utf-8")
    return outcomes


def _ignored(folder: str, names: list[str]) -> set[str]:
    in_tests = Path(folder).name == "tests"
    return {n for n in names if n == "__pycache__" or (in_tests and n in SLOW_TESTS)}


def _test(copy: Path, topic: str, python: str) -> int:
    """pytest's exit status for one topic's in-process tests, in the copy.

    A mutant can make a test wait forever (a refused client that is now
    accepted waits for a reply): a run past the time limit counts as failed.
    """
    command = [python, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        result = subprocess.run(
            [*command, f"tests/{topic}"],
            cwd=copy,
            env=env,
            capture_output=True,
            check=False,
            timeout=TIME_LIMIT,
        )
    except subprocess.TimeoutExpired:
        return 1
    return result.returncode
