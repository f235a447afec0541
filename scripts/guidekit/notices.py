"""Notices that keep readers from being misled by a missing or stale translation.

The note at the end of a translation says only what a record backs: that it
was written with machine assistance and, unless a review is recorded in its
front matter, that no native speaker has reviewed it yet.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

from guidekit.translations import content_hash, review_of

ENGLISH: Mapping[str, str] = {
    "untranslated_title": "Not translated yet",
    "outdated_title": "Translation out of date",
    "untranslated": "This page has not been translated yet; it is shown in English.",
    "outdated": (
        "The English page has changed since this translation was made, "
        "so parts of it may be out of date."
    ),
    "english_link": "Read the English page",
    "note_unreviewed": (
        "This translation was written with machine assistance and has not yet "
        "been reviewed by a native speaker. If the language is yours, your "
        "review is welcome."
    ),
    "note_reviewed": (
        "This translation was written with machine assistance and reviewed by "
        "{by} on {date}."
    ),
    "note_review_outdated": (
        "This translation was written with machine assistance and reviewed by "
        "{by} on {date}; the English page has changed since, so that review "
        "covers an earlier version."
    ),
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


ARTICLE = '<article class="md-content__inner md-typeset">'
NOTICE = '<div class="admonition warning">'
DIRECTION = re.compile(r'<body dir="(?P<dir>rtl|ltr)"')


def with_english_article(html: str, language: str) -> str:
    """An untranslated page whose English text is marked English, left to right.

    The article is English; the notice at its top stays in the reader's
    language and direction. A browser then lays out English punctuation and
    lists correctly even on a right-to-left page, and a screen reader
    pronounces the text as English. (The article's own children keep their
    places, so Material's layout of code blocks is unchanged.)
    """
    start = html.find(ARTICLE)
    notice = html.find(NOTICE, start)
    direction = DIRECTION.search(html)
    if start < 0 or notice < 0 or direction is None:
        return html
    end = start + len(ARTICLE)
    reader = f'{NOTICE[:-1]} lang="{language}" dir="{direction["dir"]}">'
    return (
        html[: end - 1]
        + ' lang="en" dir="ltr">'
        + html[end:notice]
        + reader
        + html[notice + len(NOTICE) :]
    )


def note(meta: Mapping[str, Any], current: str, strings: Mapping[str, str]) -> str:
    """The translation note: reviewed (and by whom, when) only if recorded."""
    review = review_of(meta)
    if review is None:
        return strings["note_unreviewed"]
    current_review = (
        review.source_hash == current and str(meta.get("source_hash")) == current
    )
    key = "note_reviewed" if current_review else "note_review_outdated"
    return strings[key].format(by=escape(review.by), date=review.date)


def translated(
    markdown: str,
    meta: Mapping[str, Any],
    english: Path,
    strings: Mapping[str, str],
    link: str | None,
) -> str:
    """Add the translation note, and the outdated notice when the hash is stale."""
    current = content_hash(english.read_text(encoding="utf-8"))
    text = note(meta, current, strings)
    ending = f"\n\n---\n\n<small>{text}{_link(strings, link)}</small>\n"
    if str(meta.get("source_hash")) != current:
        notice = (
            f'!!! warning "{strings["outdated_title"]}"\n\n'
            f"    {strings['outdated']}{_link(strings, link)}\n\n"
        )
        markdown = notice + markdown
    return markdown + ending
