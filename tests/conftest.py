"""Fixtures shared by the docs checks and the end-to-end tests: one strict build."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from guidekit import live

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("en", "tr", "de", "ko")
MKDOCS_BUILD = (sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole site, built with ``mkdocs build --strict`` into a temporary folder."""
    site_dir = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("GUIDE_LANG", None)
    result = subprocess.run(
        [*MKDOCS_BUILD, "--site-dir", str(site_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == "", result.stderr
    return site_dir


def page_dir(site: Path, language: str) -> Path:
    """Where a language's pages are: English at the root, the others below it."""
    return site if language == "en" else site / language


IN_CI = os.environ.get("CI") == "true"


def require(available: bool, what: str) -> None:
    """Skip a test whose real part is missing, with the reason; fail under CI."""
    if available:
        return
    message = f"{what} is not installed (scripts/test installs it with apt-get)"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture
def redis_server() -> Iterator[live.Redis]:
    """A real redis-server on a free loopback port, for one test."""
    require(live.redis_available(), "redis-server")
    with live.redis_server() as server:
        yield server
