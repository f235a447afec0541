"""Which English version a translation follows, and whether it is still current.

Each translated page records, in its front matter, a content hash of the
English page it was made from::

    ---
    source_hash: "5d41402abc4b2a76"
    ---

A hash (not a commit) survives rebases and squashes; it is quoted so that
YAML never reads it as a number.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
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
BOM = "\ufeff"


class State(str, Enum):
    UP_TO_DATE = "up to date"
    OUTDATED = "outdated"
    MISSING = "missing"


@dataclass(frozen=True)
class PageStatus:
    language: str
    page: str  # relative to docs/<language>/, e.g. "tutorial.md"
    state: State
    recorded: str | None = None  # the hash in the translation's front matter
    current: str | None = None  # the hash of the English page now


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
    line = f'source_hash: "{value}"'
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
    existing = SOURCE_HASH_LINE.search(body)
    if existing is not None:
        begin, end = start + existing.start(), start + existing.end()
        return f"{bom}{rest[:begin]}{line}{rest[end:]}"
    close = start + len(body)
    return f"{bom}{rest[:close]}{line}{newline}{rest[close:]}"


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
    recorded = recorded_hash(translation.read_text(encoding="utf-8"))
    state = State.UP_TO_DATE if recorded == current else State.OUTDATED
    return PageStatus(language, page, state, recorded, current)


def configured_languages(config: Path) -> list[str]:
    """The translation languages, in the order mkdocs.yml's i18n plugin lists them.

    The configuration, not the folders under docs/, decides: docs/ also holds
    shared folders such as assets/, and a language may be configured before
    its first page exists.
    """
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
    locales = _i18n_locales(data)
    if locales is None:
        raise ConfigError(
            f"{config}: expected the i18n plugin with a 'languages' list, found none"
        )
    return [locale for locale in locales if locale != SOURCE_LANGUAGE]


def _loader(yaml: Any) -> type:
    """A safe loader that reads MkDocs' own tags (``!ENV``, ``!!python/…``) as None."""

    class Loader(yaml.SafeLoader):  # type: ignore[misc, name-defined]
        pass

    def ignore(loader: Any, suffix: str, node: Any) -> None:
        return None

    Loader.add_multi_constructor("!", ignore)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", ignore)
    return Loader


def _i18n_locales(data: object) -> list[str] | None:
    if not isinstance(data, dict):
        return None
    for name, options in _plugins(data.get("plugins")):
        if name != "i18n" or not isinstance(options, dict):
            continue
        languages = options.get("languages")
        if not isinstance(languages, list):
            return None
        return [
            str(entry["locale"])
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
