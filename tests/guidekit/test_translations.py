"""Hashes in front matter, and the state of a translation they imply."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guidekit.translations import (
    Cell,
    ConfigError,
    LanguageState,
    PageStatus,
    Review,
    ReviewState,
    State,
    configured_languages,
    content_hash,
    english_pages,
    front_matter_lines,
    language_states,
    page_status,
    recorded_hash,
    recorded_review,
    review_of,
    translated_pages,
    with_recorded_hash,
    with_review,
)
from tests.conftest import LANGUAGES as SITE_LANGUAGES

ROOT = Path(__file__).resolve().parents[2]


def test_content_hash_is_a_short_sha256() -> None:
    assert content_hash("hello\n") == "5891b5b522d5df08"


def test_content_hash_ignores_line_endings_only() -> None:
    assert content_hash("a\r\nb\r\n") == content_hash("a\nb\n")
    assert content_hash("a\nb\n") != content_hash("a\nb")
    assert content_hash("a\nb\n") != content_hash("a\nc\n")


@pytest.mark.parametrize(
    "front",
    [
        'source_hash: "5d41402abc4b2a76"',
        "source_hash: '5d41402abc4b2a76'",
        "source_hash: 5d41402abc4b2a76",
        'source_hash:   "5d41402abc4b2a76"  ',
    ],
)
def test_recorded_hash_reads_quoted_and_unquoted_values(front: str) -> None:
    text = f"---\ntitle: Öğretici\n{front}\n---\n\n# Öğretici\n"
    assert recorded_hash(text) == "5d41402abc4b2a76"


@pytest.mark.parametrize(
    "text",
    [
        "# No front matter\n",
        "---\ntitle: x\n---\n\n# No hash\n",
        '---\nsource_hash: ""\n---\n',
        '# Title\n\nsource_hash: "5d41402abc4b2a76"\n',  # in the text, not front matter
        "---\n---\n# Empty front matter\n",
    ],
)
def test_recorded_hash_is_none_when_there_is_none(text: str) -> None:
    assert recorded_hash(text) is None


def test_recorded_hash_reads_windows_line_endings() -> None:
    text = '---\r\nsource_hash: "5d41402abc4b2a76"\r\n---\r\n\r\n# T\r\n'
    assert recorded_hash(text) == "5d41402abc4b2a76"


def test_with_recorded_hash_adds_front_matter_above_the_text() -> None:
    assert with_recorded_hash("# Giriş\n", "abc") == (
        '---\nsource_hash: "abc"\n---\n\n# Giriş\n'
    )


def test_with_recorded_hash_replaces_only_the_hash_line() -> None:
    text = (
        "---  \ntitle: Öğretici   \nsource_hash: 0000000000000000\nhide: [toc]\n"
        "---\n\n# Öğretici  \n\n\ttab and trailing space \n"
    )
    assert with_recorded_hash(text, "abc") == text.replace(
        "source_hash: 0000000000000000", 'source_hash: "abc"'
    )


def test_with_recorded_hash_appends_to_existing_front_matter() -> None:
    text = "---\ntitle: x\n...\n# T\n"
    assert (
        with_recorded_hash(text, "abc")
        == '---\ntitle: x\nsource_hash: "abc"\n...\n# T\n'
    )


def test_with_recorded_hash_keeps_windows_line_endings_and_a_bom() -> None:
    text = '\ufeff---\r\nsource_hash: "old"\r\n---\r\n\r\n# T\r\n'
    assert with_recorded_hash(text, "new") == (
        '\ufeff---\r\nsource_hash: "new"\r\n---\r\n\r\n# T\r\n'
    )
    assert with_recorded_hash("# T\r\n", "new") == (
        '---\r\nsource_hash: "new"\r\n---\r\n\r\n# T\r\n'
    )


# On a loaded machine generating inputs can be slow; the property is not.
LOADED_MACHINE = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@LOADED_MACHINE
@given(
    keys=st.lists(st.from_regex(r"[a-r]{1,8}: [a-z0-9 ]{0,12}", fullmatch=True)),
    body=st.text(),
    value=st.from_regex(r"[0-9a-f]{16}", fullmatch=True),
)
def test_recording_changes_nothing_but_the_hash_line(
    keys: list[str], body: str, value: str
) -> None:
    front = "".join(f"{key}\n" for key in keys)
    text = f"---\n{front}---\n{body}"
    result = with_recorded_hash(text, value)
    assert recorded_hash(result) == value
    assert result.replace(f'source_hash: "{value}"\n', "", 1) == text
    assert with_recorded_hash(result, value) == result


def test_front_matter_lines() -> None:
    assert front_matter_lines('---\nsource_hash: "a"\n---\n\n# T\n') == 3
    assert front_matter_lines("# T\n") == 0


def write(root: Path, pages: dict[str, str]) -> Path:
    for name, text in pages.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_english_pages_leave_out_the_glossary(tmp_path: Path) -> None:
    docs = write(
        tmp_path,
        {"en/index.md": "", "en/a/b.md": "", "en/glossary.md": "", "en/x.txt": ""},
    )
    assert english_pages(docs) == ["a/b.md", "index.md"]


def test_translated_pages(tmp_path: Path) -> None:
    docs = write(tmp_path, {"tr/index.md": "", "tr/glossary.md": "", "tr/extra.md": ""})
    assert translated_pages(docs, "tr") == ["extra.md", "index.md"]
    assert translated_pages(docs, "ko") == []


def test_page_status(tmp_path: Path) -> None:
    current = content_hash("# English\n")
    docs = write(
        tmp_path,
        {
            "en/current.md": "# English\n",
            "en/stale.md": "# English\n",
            "en/unrecorded.md": "# English\n",
            "en/missing.md": "# English\n",
            "tr/current.md": f'---\nsource_hash: "{current}"\n---\n\n# Türkçe\n',
            "tr/stale.md": '---\nsource_hash: "0000000000000000"\n---\n\n# Türkçe\n',
            "tr/unrecorded.md": "# Türkçe\n",
        },
    )
    assert page_status(docs, "tr", "current.md") == PageStatus(
        "tr", "current.md", State.UP_TO_DATE, current, current
    )
    assert page_status(docs, "tr", "stale.md") == PageStatus(
        "tr", "stale.md", State.OUTDATED, "0000000000000000", current
    )
    assert page_status(docs, "tr", "unrecorded.md") == PageStatus(
        "tr", "unrecorded.md", State.OUTDATED, None, current
    )
    assert page_status(docs, "tr", "missing.md") == PageStatus(
        "tr", "missing.md", State.MISSING, None, current
    )


CONFIG = """\
site_name: Test
markdown_extensions:
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
plugins:
  - search
  - i18n:
      build_only_locale: !ENV GUIDE_LANG
      languages:
        - locale: en
          default: true
        - locale: ko
        - locale: tr
"""


def test_configured_languages_in_the_order_of_mkdocs_yml(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    assert configured_languages(tmp_path / "mkdocs.yml") == ["ko", "tr"]


def test_configured_languages_with_plugins_as_a_mapping(tmp_path: Path) -> None:
    config = "plugins:\n  i18n:\n    languages:\n      - {locale: en}\n      - {locale: de}\n"
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    assert configured_languages(tmp_path / "mkdocs.yml") == ["de"]


def test_the_real_configuration_reads() -> None:
    assert configured_languages(ROOT / "mkdocs.yml") == [
        language for language in SITE_LANGUAGES if language != "en"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            None,
            "{config}: expected the MkDocs configuration, found no such file",
        ),
        (
            "plugins:\n  - search\n",
            "{config}: expected the i18n plugin with a 'languages' list, found none",
        ),
        (
            "plugins: [\n",
            "{config}:2: expected valid YAML: expected the node content, "
            "but found '<stream end>'",
        ),
    ],
)
def test_configured_languages_errors(
    tmp_path: Path, text: str | None, message: str
) -> None:
    config = tmp_path / "mkdocs.yml"
    if text is not None:
        config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        configured_languages(config)
    assert str(raised.value) == message.format(config=config)


# Reviews -------------------------------------------------------------------

REVIEW = Review("Ayşe Yılmaz", "2026-11-30", "5d41402abc4b2a76")
REVIEW_LINE = (
    'reviewed: {by: "Ayşe Yılmaz", date: 2026-11-30, source_hash: "5d41402abc4b2a76"}'
)


def test_with_review_adds_one_line_that_reads_back() -> None:
    text = '---\nsource_hash: "5d41402abc4b2a76"\n---\n\n# Giriş\n'
    result = with_review(text, REVIEW)
    assert result == text.replace("---\n\n", f"{REVIEW_LINE}\n---\n\n", 1)
    assert recorded_review(result) == REVIEW
    assert recorded_hash(result) == "5d41402abc4b2a76"


def test_with_review_replaces_a_block_entry_and_keeps_the_rest() -> None:
    text = (
        "---\r\ntitle: x\r\nreviewed:\r\n  by: Old\r\n  date: 2020-01-01\r\n"
        '  source_hash: "0"\r\nhide: [toc]\r\n---\r\n\r\n# T \r\n'
    )
    result = with_review(text, REVIEW)
    assert result == (
        f"---\r\ntitle: x\r\n{REVIEW_LINE}\r\nhide: [toc]\r\n---\r\n\r\n# T \r\n"
    )
    assert recorded_review(text) == Review("Old", "2020-01-01", "0")


@LOADED_MACHINE
@given(
    keys=st.lists(st.from_regex(r"[a-q]{1,8}: [a-z0-9 ]{0,12}", fullmatch=True)),
    body=st.text(),
    name=st.text(min_size=1).filter(lambda name: name.strip() and name.isprintable()),
)
def test_recording_a_review_changes_nothing_but_its_line(
    keys: list[str], body: str, name: str
) -> None:
    front = "".join(f"{key}\n" for key in keys)
    text = f"---\n{front}---\n{body}"
    review = Review(name.strip(), "2026-11-30", "5d41402abc4b2a76")
    result = with_review(text, review)
    assert recorded_review(result) == review
    line = (
        f"reviewed: {{by: {json.dumps(review.by, ensure_ascii=False)}, "
        'date: 2026-11-30, source_hash: "5d41402abc4b2a76"}\n'
    )
    assert result == f"---\n{front}{line}---\n{body}"


@pytest.mark.parametrize(
    "meta",
    [
        {},
        {"reviewed": "yes"},
        {"reviewed": {"by": "A", "date": "30.11.2026", "source_hash": "x"}},
        {"reviewed": {"by": " ", "date": "2026-11-30", "source_hash": "x"}},
        {"reviewed": {"by": "A", "date": "2026-11-30"}},
    ],
)
def test_an_incomplete_review_is_no_review(meta: dict[str, object]) -> None:
    assert review_of(meta) is None


def test_a_review_state_follows_english() -> None:
    def row(state: State, current: str, review: Review | None) -> PageStatus:
        return PageStatus("tr", "a.md", state, current, current, review)

    reviewed = Review("A", "2026-11-30", "aaaa")
    assert row(State.UP_TO_DATE, "aaaa", None).cell is Cell.UP_TO_DATE
    assert row(State.UP_TO_DATE, "aaaa", reviewed).review_state is ReviewState.CURRENT
    assert row(State.UP_TO_DATE, "aaaa", reviewed).cell is Cell.REVIEWED
    assert row(State.UP_TO_DATE, "bbbb", reviewed).cell is Cell.REVIEWED_OUTDATED
    assert row(State.OUTDATED, "aaaa", reviewed).cell is Cell.REVIEWED_OUTDATED
    assert row(State.MISSING, "aaaa", None).cell is Cell.MISSING


def test_language_states_come_from_each_languages_extra(tmp_path: Path) -> None:
    config = (
        "plugins:\n  - i18n:\n      languages:\n        - {locale: en}\n"
        "        - {locale: tr, extra: {translation: complete}}\n"
        "        - {locale: fa, extra: {translation: in progress}}\n"
        "        - {locale: de}\n"
    )
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    assert language_states(tmp_path / "mkdocs.yml") == {
        "tr": LanguageState.COMPLETE,
        "fa": LanguageState.IN_PROGRESS,
        "de": LanguageState.COMPLETE,
    }


def test_the_real_site_declares_persian_in_progress() -> None:
    states = language_states(ROOT / "mkdocs.yml")
    assert states == {
        "tr": LanguageState.COMPLETE,
        "de": LanguageState.COMPLETE,
        "ko": LanguageState.COMPLETE,
        "fa": LanguageState.IN_PROGRESS,
    }
