"""Which English version a translation follows, and whether it is still current.

Each translated page records, in its front matter, a content hash of the
English page it was made from::

    ---
    source_hash: "5d41402abc4b2a76"
    ---

A hash (not a commit) survives rebases and squashes; it is quoted so that
YAML never reads it as a number.

A review by a native speaker is recorded beside it, with the English version
the reviewer read; once English changes, that review covers an older page::

    reviewed: {by: "Ayşe Yılmaz", date: 2026-12-01, source_hash: "5d41402abc4b2a76"}

Each language is declared complete or in progress in mkdocs.yml, in its
``extra`` (``translation: in progress``); a language that says nothing is
complete, so the strict checks apply to it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

SOURCE_LANGUAGE = "en"
HASH_LENGTH = 16
# The same front matter MkDocs reads: '---', YAML, then '---' or '...'.
FRONT_MATTER = re.compile(
    r"\A(?P<open>---[ \t]*\r?\n)(?P<body>.*?\r?\n)?(?:---|\.\.\.)[ \t]*\r?\n",
    re.DOTALL,
)
SOURCE_HASH = re.compile(
    r"""^source_hash:[ \t]*(?P<quote>["']?)(?P<value>[^"'\s]*)(?P=quote)[ \t]*(?=\r?$)""",
    re.MULTILINE,
)
# Any ``source_hash`` line, even one SOURCE_HASH cannot read: replaced, not doubled.
SOURCE_HASH_LINE = re.compile(r"^source_hash[ \t]*:[^\r\n]*", re.MULTILINE)
# A ``reviewed`` entry: one line, or a block mapping indented below it.
REVIEW_ENTRY = re.compile(
    r"^reviewed[ \t]*:[^\r\n]*(?:\r?\n[ \t]+[^\r\n]*)*", re.MULTILINE
)
ISO_DATE = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")
BOM = "\ufeff"


class State(str, Enum):
    UP_TO_DATE = "up to date"
    OUTDATED = "outdated"
    MISSING = "missing"


class ReviewState(str, Enum):
    NONE = "not reviewed"
    CURRENT = "reviewed"
    OUTDATED = "reviewed, now outdated"  # of an English version that has changed


class Cell(str, Enum):
    """What the dashboard and ``status`` show for one page of one language."""

    UP_TO_DATE = "up to date"
    OUTDATED = "outdated"
    MISSING = "missing"
    REVIEWED = "reviewed"
    REVIEWED_OUTDATED = "reviewed, now outdated"


class LanguageState(str, Enum):
    COMPLETE = "complete"  # every page must exist and follow English
    IN_PROGRESS = "in progress"  # missing and outdated pages are only reported

    @classmethod
    def of(cls, extra: Mapping[str, Any] | None, where: str) -> LanguageState:
        """The state a language's ``extra`` declares; complete when it says none."""
        settings = extra if isinstance(extra, Mapping) else {}
        value = settings.get("translation", cls.COMPLETE.value)
        try:
            return cls(value)
        except ValueError:
            allowed = " or ".join(repr(state.value) for state in cls)
            raise ConfigError(
                f"{where}: expected extra.translation to be {allowed}, found {value!r}"
            ) from None


@dataclass(frozen=True)
class Review:
    by: str
    date: str  # ISO 8601, e.g. "2026-12-01"
    source_hash: str  # the English version the reviewer read


@dataclass(frozen=True)
class PageStatus:
    language: str
    page: str  # relative to docs/<language>/, e.g. "tutorial.md"
    state: State
    recorded: str | None = None  # the hash in the translation's front matter
    current: str | None = None  # the hash of the English page now
    review: Review | None = None

    @property
    def review_state(self) -> ReviewState:
        if self.review is None:
            return ReviewState.NONE
        if self.state is State.UP_TO_DATE and self.review.source_hash == self.current:
            return ReviewState.CURRENT
        return ReviewState.OUTDATED

    @property
    def cell(self) -> Cell:
        review = self.review_state
        if review is ReviewState.CURRENT:
            return Cell.REVIEWED
        if review is ReviewState.OUTDATED:
            return Cell.REVIEWED_OUTDATED
        return Cell(self.state.value)


class ConfigError(Exception):
    """mkdocs.yml does not say which languages the site has."""


def content_hash(text: str) -> str:
    """The hash recorded for an English page: stable across line endings."""
    normalised = text.replace("\r\n", "\n").encode("utf-8")
    return hashlib.sha256(normalised).hexdigest()[:HASH_LENGTH]


def recorded_hash(text: str) -> str | None:
    """The ``source_hash`` in a translation's front matter, if any."""
    front = FRONT_MATTER.match(text.removeprefix(BOM))
    if front is None or front["body"] is None:
        return None
    found = SOURCE_HASH.search(front["body"])
    return found["value"] if found and found["value"] else None


def front_matter_lines(text: str) -> int:
    """How many lines the front matter takes, so line numbers match the file."""
    front = FRONT_MATTER.match(text.removeprefix(BOM))
    return 0 if front is None else front.group(0).count("\n")


def with_recorded_hash(text: str, value: str) -> str:
    """``text`` with its ``source_hash`` set to ``value``; nothing else changes.

    Only the ``source_hash`` line is written or replaced, in the file's own
    line ending, so a translator's text keeps every byte.
    """
    return _with_entry(text, SOURCE_HASH_LINE, f'source_hash: "{value}"')


def with_review(text: str, review: Review) -> str:
    """``text`` with its ``reviewed`` entry set to ``review``; nothing else changes."""
    line = (
        f"reviewed: {{by: {json.dumps(review.by, ensure_ascii=False)}, "
        f'date: {review.date}, source_hash: "{review.source_hash}"}}'
    )
    return _with_entry(text, REVIEW_ENTRY, line)


def _with_entry(text: str, existing_entry: re.Pattern[str], line: str) -> str:
    """Front matter with ``line`` in place of what ``existing_entry`` matches.

    The line is added at the end of the front matter when there is no such
    entry, and front matter is added when there is none.
    """
    bom = BOM if text.startswith(BOM) else ""
    rest = text[len(bom) :]
    front = FRONT_MATTER.match(rest)
    if front is None:
        first_line = rest.split("\n", 1)[0]
        newline = "\r\n" if first_line.endswith("\r") else "\n"
        return f"{bom}---{newline}{line}{newline}---{newline}{newline}{rest}"
    newline = "\r\n" if front["open"].endswith("\r\n") else "\n"
    start = front.end("open")
    body = front["body"] or ""
    existing = existing_entry.search(body)
    if existing is not None:
        begin, end = start + existing.start(), start + existing.end()
        return f"{bom}{rest[:begin]}{line}{rest[end:]}"
    close = start + len(body)
    return f"{bom}{rest[:close]}{line}{newline}{rest[close:]}"


def review_of(meta: Mapping[str, Any]) -> Review | None:
    """The review recorded in parsed front matter, or None if there is none.

    An entry that is not a complete review (a name, an ISO date, a hash) is
    no review: the reader is never told of a review nobody can account for.
    """
    entry = meta.get("reviewed")
    if not isinstance(entry, Mapping):
        return None
    by, date, source = entry.get("by"), entry.get("date"), entry.get("source_hash")
    if isinstance(date, datetime.date):
        date = date.isoformat()
    if not (isinstance(by, str) and by.strip() and isinstance(source, str) and source):
        return None
    if not (isinstance(date, str) and ISO_DATE.match(date)):
        return None
    return Review(by.strip(), date, source)


def recorded_review(text: str) -> Review | None:
    """The review in a translation's front matter, read as MkDocs reads it."""
    import yaml  # here, like in configured_languages: only the tools need it

    front = FRONT_MATTER.match(text.removeprefix(BOM))
    if front is None or front["body"] is None:
        return None
    try:
        meta = yaml.safe_load(front["body"])
    except yaml.YAMLError:
        return None
    return review_of(meta) if isinstance(meta, dict) else None


def english_pages(docs: Path) -> list[str]:
    """Pages of the English source, relative to ``docs/en``."""
    source = docs / SOURCE_LANGUAGE
    return sorted(
        path.relative_to(source).as_posix()
        for path in source.rglob("*.md")
        if not is_unpublished(path.relative_to(source).as_posix())
    )


def translated_pages(docs: Path, language: str) -> list[str]:
    """Published pages that exist in ``docs/<language>``, English or not."""
    folder = docs / language
    if not folder.is_dir():
        return []
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*.md")
        if not is_unpublished(path.relative_to(folder).as_posix())
    )


def is_unpublished(page: str) -> bool:
    """Files in a language folder that are for translators, not readers."""
    return page == "glossary.md"


def page_status(docs: Path, language: str, page: str) -> PageStatus:
    current = content_hash((docs / SOURCE_LANGUAGE / page).read_text(encoding="utf-8"))
    translation = docs / language / page
    if not translation.is_file():
        return PageStatus(language, page, State.MISSING, None, current)
    text = translation.read_text(encoding="utf-8")
    recorded = recorded_hash(text)
    state = State.UP_TO_DATE if recorded == current else State.OUTDATED
    return PageStatus(language, page, state, recorded, current, recorded_review(text))


def site_status(docs: Path, languages: list[str]) -> dict[str, list[PageStatus]]:
    """Every English page's status in each of ``languages``, in page order."""
    pages = english_pages(docs)
    return {
        language: [page_status(docs, language, page) for page in pages]
        for language in languages
    }


def configured_languages(config: Path) -> list[str]:
    """The translation languages, in the order mkdocs.yml's i18n plugin lists them.

    The configuration, not the folders under docs/, decides: docs/ also holds
    shared folders such as assets/, and a language may be configured before
    its first page exists.
    """
    return list(language_states(config))


def language_states(config: Path) -> dict[str, LanguageState]:
    """Each translation language, in mkdocs.yml's order, and its declared state."""
    try:  # imported here: the build hooks use this module and never need it
        import yaml
    except ImportError:
        raise ConfigError(
            f"{config}: expected PyYAML to read it, found it not installed; "
            "run this with .venv/bin/python"
        ) from None
    try:
        text = config.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{config}: expected the MkDocs configuration, found no such file"
        ) from None
    try:
        data = yaml.load(text, Loader=_loader(yaml))  # a SafeLoader, see _loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{config}:{mark.line + 1}" if mark is not None else f"{config}"
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ConfigError(f"{where}: expected valid YAML: {problem}") from None
    entries = _i18n_languages(data)
    if entries is None:
        raise ConfigError(
            f"{config}: expected the i18n plugin with a 'languages' list, found none"
        )
    return {
        str(entry["locale"]): LanguageState.of(
            entry.get("extra"), f"{config}: language {entry['locale']}"
        )
        for entry in entries
        if entry["locale"] != SOURCE_LANGUAGE
    }


def _loader(yaml: Any) -> type:
    """A safe loader that reads MkDocs' own tags (``!ENV``, ``!!python/…``) as None."""

    class Loader(yaml.SafeLoader):  # type: ignore[misc, name-defined]
        pass

    def ignore(loader: Any, suffix: str, node: Any) -> None:
        return None

    Loader.add_multi_constructor("!", ignore)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", ignore)
    return Loader


def _i18n_languages(data: object) -> list[dict[str, Any]] | None:
    if not isinstance(data, dict):
        return None
    for name, options in _plugins(data.get("plugins")):
        if name != "i18n" or not isinstance(options, dict):
            continue
        languages = options.get("languages")
        if not isinstance(languages, list):
            return None
        return [
            entry
            for entry in languages
            if isinstance(entry, dict) and entry.get("locale")
        ]
    return None


def _plugins(plugins: object) -> Iterator[tuple[str, object]]:
    """MkDocs accepts plugins as a list of names and mappings, or as one mapping."""
    if isinstance(plugins, dict):
        yield from ((str(name), options) for name, options in plugins.items())
    elif isinstance(plugins, list):
        for item in plugins:
            if isinstance(item, str):
                yield item, None
            elif isinstance(item, dict):
                yield from ((str(name), options) for name, options in item.items())
