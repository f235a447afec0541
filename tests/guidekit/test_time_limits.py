"""Every pytest run has a time limit: a hanging test fails within it, by name."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import tomllib

from tests.conftest import ROOT

HANGING = """
import threading

import pytest


@pytest.mark.timeout({limit})
def test_waits_for_ever() -> None:
    threading.Event().wait()


def test_finishes() -> None:
    assert True
"""
LIMIT = 2


def run_pytest(
    folder: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], float]:
    """pytest with the project's configuration on a test file of ``folder``."""
    command = [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml")]
    command += ["--rootdir", str(folder), "-p", "no:cacheprovider", "-q", *args]
    started = time.monotonic()
    result = subprocess.run(
        [*command, str(folder / "test_hang.py")],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result, time.monotonic() - started


def test_the_project_sets_a_limit_and_requires_the_plugin() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    options = config["tool"]["pytest"]["ini_options"]
    assert options["timeout"] == 60
    assert "pytest-timeout" in options["required_plugins"]


@pytest.mark.timeout(50)
@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["in-process", "xdist"])
def test_a_hanging_test_fails_within_its_limit_and_is_named(
    tmp_path: Path, workers: list[str]
) -> None:
    (tmp_path / "test_hang.py").write_text(
        HANGING.format(limit=LIMIT), encoding="utf-8"
    )
    result, took = run_pytest(tmp_path, *workers)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert f"Failed: Timeout (>{LIMIT}.0s) from pytest-timeout." in output, output
    assert "FAILED test_hang.py::test_waits_for_ever" in output, output
    assert "1 failed, 1 passed" in output, output
    # The limit, plus pytest's start-up (xdist's workers too), on a busy machine.
    assert took < LIMIT + 30, output
