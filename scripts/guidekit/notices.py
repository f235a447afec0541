"""Notices that keep readers from being misled by a missing or stale translation."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from guidekit.translations import content_hash

ENGLISH: Mapping[str, str] = {
    "untranslated_title": "Not translated yet",
    "outdated_title": "Translation out of date",
    "untranslated": "This page has not been translated yet; it is shown in English.",
    "outdated": (
        "The English page has changed since this translation was made, "
        "so parts of it may be out of date."
    ),
    "english_link": "Read the English page",
    "translation_note": "This translation was made with machine assistance "
    "and reviewed by a person.",
}


def _link(strings: Mapping[str, str], link: str | None) -> str:
    # Raw HTML: the URL is already final, MkDocs must not resolve it again.
    if link is None:
        return ""
    return f' <a href="{link}" hreflang="en">{strings["english_link"]}</a>'


def untranslated(markdown: str, strings: Mapping[str, str]) -> str:
    """The English text of a page that has no translation, under a notice."""
    title, text = strings["untranslated_title"], strings["untranslated"]
    return f'!!! warning "{title}"\n\n    {text}\n\n{markdown}'


def translated(
    markdown: str,
    meta: Mapping[str, Any],
    english: Path,
    strings: Mapping[str, str],
    link: str | None,
) -> str:
    """Add the translation note, and the outdated notice when the hash is stale."""
    note = f"\n\n---\n\n<small>{strings['translation_note']}{_link(strings, link)}</small>\n"
    recorded = meta.get("source_hash")
    current = content_hash(english.read_text(encoding="utf-8"))
    if str(recorded) != current:
        notice = (
            f'!!! warning "{strings["outdated_title"]}"\n\n'
            f"    {strings['outdated']}{_link(strings, link)}\n\n"
        )
        markdown = notice + markdown
    return markdown + note
