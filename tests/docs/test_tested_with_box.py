"""Every built page says what its examples were tested with, in its language."""

from __future__ import annotations

from pathlib import Path

import pytest

from guidekit import tested
from guidekit.includes import find_directives, parse_directive
from tests.conftest import language_settings
from tests.docs.conftest import LANGUAGES, ROOT, page_dir

PAGES = sorted(path.name for path in (ROOT / "docs/en").glob("*.md"))
TITLES = {
    "en": "Tested with",
    "tr": "Test edilen sürümler",
    "de": "Getestet mit",
    "ko": "테스트 환경",
    # Persian letters look like Latin ones to the linter: read from mkdocs.yml.
    "fa": language_settings()["fa"]["extra"]["guide"]["tested_title"],
}


def examples_of(page: str) -> list[Path]:
    markdown = (ROOT / "docs/en" / page).read_text(encoding="utf-8")
    return [
        ROOT / parse_directive(line, page, index + 1).path
        for index, line in find_directives(markdown)
    ]


def built(site: Path, language: str, page: str) -> str:
    name = "index.html" if page == "index.md" else f"{page[:-3]}/index.html"
    return (page_dir(site, language) / name).read_text(encoding="utf-8")


def strings(language: str) -> dict[str, str]:
    guide = language_settings()[language].get("extra", {}).get("guide", {})
    return {**tested.ENGLISH, **guide}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_the_box_lists_the_locked_and_recorded_versions(
    site: Path, language: str, page: str
) -> None:
    html = built(site, language, page)
    assert f'<p class="tested-with__title">{TITLES[language]}</p>' in html
    expected = tested.rows(examples_of(page), strings=strings(language))
    assert tested.rows_in(html) == expected


def test_redis_is_listed_only_where_an_example_uses_it(site: Path) -> None:
    names = {
        page: [name for name, _ in tested.rows_in(built(site, "en", page)) or []]
        for page in PAGES
    }
    assert "redis-server" in names["scaling.md"]
    assert "redis-py" in names["scaling.md"]
    assert "redis-server" not in names["tutorial.md"]
    assert names["tutorial.md"] == [
        "Python",
        "FastAPI",
        "Starlette",
        "Uvicorn",
        "websockets",
    ]


def test_the_box_shows_the_locks_versions(site: Path) -> None:
    """Read straight from the locks and the record, not through guidekit.tested."""
    rows = dict(tested.rows_in(built(site, "en", "scaling.md")) or [])
    main = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    old = (ROOT / "requirements-py310.lock").read_text(encoding="utf-8")
    record = tested.read_record()
    python, python310 = record["python"].values()  # type: ignore[union-attr]
    for package, name in (("fastapi", "FastAPI"), ("websockets", "websockets")):
        new_pin = next(
            line for line in main.splitlines() if line.startswith(f"{package}==")
        )
        old_pin = next(
            line for line in old.splitlines() if line.startswith(f"{package}==")
        )
        assert rows[name] == (
            f"{new_pin.split('==')[1].split()[0]} (Python {python}), "
            f"{old_pin.split('==')[1].split()[0]} (Python {python310})"
        )
    assert rows["Python"] == f"{python}, {python310}"
    assert rows["redis-server"] == record["redis_server"]


def test_a_box_that_disagrees_with_the_lock_fails(site: Path) -> None:
    html = built(site, "en", "tutorial.md")
    fastapi = dict(tested.rows_in(html) or [])["FastAPI"]
    tampered = html.replace(fastapi, fastapi.replace("0.", "9.", 1), 1)
    expected = tested.rows(examples_of("tutorial.md"))
    assert tested.rows_in(html) == expected
    assert tested.rows_in(tampered) != expected


def test_the_deployment_page_lists_nginx_and_prometheus_client(site: Path) -> None:
    rows = dict(tested.rows_in(built(site, "en", "deploy.md")) or [])
    record = tested.read_record()
    main = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pin = next(
        line for line in main.splitlines() if line.startswith("prometheus-client==")
    )
    assert rows["nginx"] == record["nginx"]
    assert rows["prometheus-client"] == pin.split("==")[1].split()[0]
    assert "redis-server" not in rows
