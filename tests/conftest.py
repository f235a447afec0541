"""Fixtures shared by the docs checks and the end-to-end tests: one strict build."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml

from guidekit import live

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("en", "tr", "de", "ko", "fa")
MKDOCS_BUILD = (sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet")


def material_assets() -> Path:
    """Material's own files, as the installed theme ships them (the site serves some rewritten).

    Imported here, not at the top: the examples' tests on Python 3.10 run
    without the docs' packages.
    """
    import material

    return Path(material.__file__).parent / "templates" / "assets"


def build_site(
    site_dir: Path, config_file: Path | None = None, language: str | None = None
) -> Path:
    """``mkdocs build --strict`` into ``site_dir``; fails on any warning or error.

    ``language`` builds that language alone, as ``scripts/serve --lang`` does.
    """
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("GUIDE_LANG", None)
    if language:
        env["GUIDE_LANG"] = language
    command = [*MKDOCS_BUILD, "--site-dir", str(site_dir)]
    if config_file is not None:
        command += ["--config-file", str(config_file)]
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == "", result.stderr
    return site_dir


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole site, built with ``mkdocs build --strict`` into a temporary folder."""
    return build_site(tmp_path_factory.mktemp("site"))


class _IgnoreTags(yaml.SafeLoader):
    """Reads mkdocs.yml without resolving MkDocs' own tags such as !ENV."""


_IgnoreTags.add_multi_constructor("!", lambda loader, suffix, node: None)


def site_config() -> dict[str, Any]:
    """The project's mkdocs.yml, as data."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=_IgnoreTags)


def language_settings() -> dict[str, dict[str, Any]]:
    """Each language's entry in the i18n plugin, by locale."""
    plugins = site_config()["plugins"]
    i18n = next(
        entry["i18n"]
        for entry in plugins
        if isinstance(entry, dict) and "i18n" in entry
    )
    return {entry["locale"]: entry for entry in i18n["languages"]}


def write_site_config(root: Path, nav: list[str]) -> Path:
    """A small site in ``root`` that inherits the project's languages and theme."""
    lines = [
        f"INHERIT: {ROOT / 'mkdocs.yml'}",
        "docs_dir: docs",
        "nav:",
        *(f"  - {entry}" for entry in nav),
        "hooks:",
        f"  - {ROOT / 'scripts/guidekit/hooks.py'}",
        "theme:",
        "  name: material",
        f"  custom_dir: {ROOT / 'overrides'}",
        "extra_css: []",
        "watch: []",
        "exclude_docs: ''",
    ]
    config = root / "mkdocs.yml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


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


def subscribe_calls(url: str) -> int:
    """How many SUBSCRIBE commands the redis-server at ``url`` has run since it started."""
    with redis.Redis.from_url(url) as client:
        stats = client.info("commandstats").get("cmdstat_subscribe", {"calls": 0})
    return int(stats["calls"])
