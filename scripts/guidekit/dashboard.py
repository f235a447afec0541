"""The translation status page: every page in every language, from the records.

A page holding the marker line ``<!-- translation-status -->`` gets, in its
place, a table of every page by language and a progress bar per language, made by
the same functions as ``scripts/docs.py status``. Plain HTML (a ``<table>``,
``<progress>`` with its figures as text), so it reads without JavaScript.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path, PurePosixPath

from guidekit.translations import (
    SOURCE_LANGUAGE,
    Cell,
    LanguageState,
    PageStatus,
    site_status,
)

MARKER = "<!-- translation-status -->"
HEADING = re.compile(r"^#[ \t]+(?P<title>.+?)(?:[ \t]+\{[^}]*\})?[ \t]*$", re.MULTILINE)

ENGLISH: Mapping[str, str] = {
    "status_caption": "Where each page stands in each language",
    "status_english": "English original",
    "status_progress": "{current} of {total} pages up to date, {reviewed} reviewed",
    "state_up_to_date": "up to date",
    "state_outdated": "outdated",
    "state_missing": "missing",
    "state_reviewed": "reviewed",
    "state_reviewed_outdated": "reviewed, now outdated",
    "language_complete": "complete",
    "language_in_progress": "in progress",
}
CELL_KEYS = {
    Cell.UP_TO_DATE: "up_to_date",
    Cell.OUTDATED: "outdated",
    Cell.MISSING: "missing",
    Cell.REVIEWED: "reviewed",
    Cell.REVIEWED_OUTDATED: "reviewed_outdated",
}
LANGUAGE_KEYS = {
    LanguageState.COMPLETE: "language_complete",
    LanguageState.IN_PROGRESS: "language_in_progress",
}


@dataclass(frozen=True)
class Language:
    locale: str
    name: str  # as the language switcher shows it, in the language itself
    state: LanguageState


def page_url(language: str, page: str) -> str:
    """A page's URL below the site root: ``tr/tutorial/``, ``index.md`` -> ``""``."""
    path = PurePosixPath(page).with_suffix("")
    parts = path.parts[:-1] if path.name == "index" else path.parts
    folder = "".join(f"{part}/" for part in parts)
    return folder if language == SOURCE_LANGUAGE else f"{language}/{folder}"


def title_of(docs: Path, page: str) -> str:
    """The English page's first-level heading, without its anchor."""
    text = (docs / SOURCE_LANGUAGE / page).read_text(encoding="utf-8")
    found = HEADING.search(text)
    return found["title"] if found else page


def fill(
    markdown: str,
    docs: Path,
    languages: list[Language],
    strings: Mapping[str, str],
    here: str,
    order: Sequence[str] = (),
) -> str:
    """``markdown`` with the marker line replaced by the status of ``languages``."""
    if MARKER not in markdown:
        return markdown
    html = render(docs, languages, strings, here, order)
    return markdown.replace(MARKER, html)


def in_order(
    table: dict[str, list[PageStatus]], order: Sequence[str]
) -> dict[str, list[PageStatus]]:
    """Rows in the order of ``order`` (the navigation); other pages after them."""
    rank = {page: index for index, page in enumerate(order)}
    return {
        language: sorted(
            rows, key=lambda row: (rank.get(row.page, len(rank)), row.page)
        )
        for language, rows in table.items()
    }


def render(
    docs: Path,
    languages: list[Language],
    strings: Mapping[str, str],
    here: str,
    order: Sequence[str] = (),
) -> str:
    """The progress list and the table, linking relative to the page at ``here``."""
    root = "../" * here.count("/")
    locales = [language.locale for language in languages]
    table = in_order(site_status(docs, locales), order)
    parts = ['<div class="guide-translation-status">', "<ul>"]
    for language in languages:
        parts.append(_progress(language, table[language.locale], strings))
    parts += [
        "</ul>",
        '<div class="md-typeset__scrollwrap"><div class="md-typeset__table">',
    ]
    parts += ["<table>", f"<caption>{escape(strings['status_caption'])}</caption>"]
    parts.append(f'<thead><tr><th scope="col">{escape(strings["status_english"])}</th>')
    for language in languages:
        state = escape(strings[LANGUAGE_KEYS[language.state]])
        parts.append(
            f'<th scope="col"><span lang="{language.locale}">'
            f"{escape(language.name)}</span> ({state})</th>"
        )
    parts.append("</tr></thead><tbody>")
    pages = [row.page for row in table[languages[0].locale]] if languages else []
    for index, page in enumerate(pages):
        english = root + page_url(SOURCE_LANGUAGE, page)
        parts.append(
            f'<tr><th scope="row"><a href="{english}" hreflang="en" lang="en">'
            f"{escape(title_of(docs, page))}</a></th>"
        )
        for language in languages:
            parts.append(_cell(table[language.locale][index], strings, root))
        parts.append("</tr>")
    parts += ["</tbody></table>", "</div></div>", "</div>"]
    return "\n".join(parts)


def _progress(
    language: Language, rows: list[PageStatus], strings: Mapping[str, str]
) -> str:
    current = sum(row.cell in (Cell.UP_TO_DATE, Cell.REVIEWED) for row in rows)
    reviewed = sum(row.cell is Cell.REVIEWED for row in rows)
    text = strings["status_progress"].format(
        current=current, total=len(rows), reviewed=reviewed
    )
    state = strings[LANGUAGE_KEYS[language.state]]
    name = f'<span lang="{language.locale}">{escape(language.name)}</span>'
    label = escape(f"{language.name}: {text}")
    return (
        f"<li>{name} ({escape(state)}): "
        f'<progress value="{current}" max="{len(rows)}" aria-label="{label}">'
        f"</progress> {escape(text)}</li>"
    )


def _cell(row: PageStatus, strings: Mapping[str, str], root: str) -> str:
    key = CELL_KEYS[row.cell]
    label = escape(strings[f"state_{key}"])
    if row.cell is Cell.MISSING:
        content = label
    else:
        href = root + page_url(row.language, row.page)
        content = f'<a href="{href}" hreflang="{row.language}">{label}</a>'
    return f'<td class="guide-state" data-state="{key}">{content}</td>'
