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
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

SOURCE_LANGUAGE = "en"
HASH_LENGTH = 16
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<body>.*?\n)?---[ \t]*\n", re.DOTALL)
SOURCE_HASH = re.compile(
    r"""^source_hash:[ \t]*(?P<quote>["']?)(?P<value>[^"'\s]*)(?P=quote)[ \t]*$""",
    re.MULTILINE,
)


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


def content_hash(text: str) -> str:
    """The hash recorded for an English page: stable across line endings."""
    normalised = text.replace("\r\n", "\n").encode("utf-8")
    return hashlib.sha256(normalised).hexdigest()[:HASH_LENGTH]


def recorded_hash(text: str) -> str | None:
    """The ``source_hash`` in a translation's front matter, if any."""
    front = FRONT_MATTER.match(text)
    if front is None or front["body"] is None:
        return None
    found = SOURCE_HASH.search(front["body"])
    return found["value"] if found and found["value"] else None


def with_recorded_hash(text: str, value: str) -> str:
    """``text`` with its ``source_hash`` set to ``value``; nothing else changes."""
    line = f'source_hash: "{value}"'
    front = FRONT_MATTER.match(text)
    if front is None:
        return f"---\n{line}\n---\n\n{text}"
    body = front["body"] or ""
    if SOURCE_HASH.search(body):
        body = SOURCE_HASH.sub(line, body, count=1)
    else:
        body = f"{body}{line}\n"
    return f"---\n{body}---\n{text[front.end() :]}"


def english_pages(docs: Path) -> list[str]:
    """Pages of the English source, relative to ``docs/en``."""
    source = docs / SOURCE_LANGUAGE
    return sorted(
        path.relative_to(source).as_posix()
        for path in source.rglob("*.md")
        if not is_unpublished(path.relative_to(source).as_posix())
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
