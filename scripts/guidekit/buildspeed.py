"""Work that each language's build would otherwise repeat, done once or not at all.

mkdocs-static-i18n runs a whole MkDocs build per language in one process.
Three costs in each were pure repetition:

- Listing the theme's files walked Material's 14,000 icons, only for MkDocs
  to drop every one of them (it skips hidden folders such as ``.icons``).
  ``PrunedLoader`` does not descend into hidden folders at all.
- Pygments highlighted the same examples again for every language: the code
  and its options are the same, and so is the HTML. ``HighlightMemo`` keeps
  each result, keyed by everything that shapes it, for the length of a build.
- Material's search plugin reads every page's HTML with Python's HTMLParser,
  tag by tag, and most tags are the highlighter's ``<span>``s, which it
  drops while keeping their text. ``without_code_spans`` drops them first,
  in one pass; the index comes out the same (a test compares every page).

``hooks.py`` installs all three; nothing here changes what is built.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

from jinja2 import FileSystemLoader

Highlighter = Callable[[str, Any, Any], str]


class PrunedLoader(FileSystemLoader):
    """A theme loader whose listing skips hidden files and folders.

    MkDocs copies every file the loader lists, except those it filters out,
    and its filter already drops hidden ones (``.*`` and ``*/.*``); listing
    them first only costs time.
    """

    def list_templates(self) -> list[str]:
        found: set[str] = set()
        for searchpath in self.searchpath:
            for folder, subfolders, filenames in os.walk(
                searchpath, followlinks=self.followlinks
            ):
                subfolders[:] = [d for d in subfolders if not d.startswith(".")]
                relative = os.path.relpath(folder, searchpath)
                prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
                found.update(
                    prefix + name for name in filenames if not name.startswith(".")
                )
        return sorted(found)


def pruned(loader: FileSystemLoader) -> PrunedLoader:
    return PrunedLoader(
        loader.searchpath, encoding=loader.encoding, followlinks=loader.followlinks
    )


def _options_key(options: dict[str, Any]) -> str:
    return repr(sorted(options.items(), key=lambda item: item[0]))


class HighlightMemo:
    """``pygments.highlight`` that remembers: same code, same options, same HTML.

    The key holds the source, the lexer's and the formatter's classes, their
    options and the lexer's filters, which is all that Pygments reads.
    """

    def __init__(self, highlight: Highlighter) -> None:
        self.highlight = highlight
        self.results: dict[tuple[Any, ...], str] = {}
        self.hits = 0
        self.misses = 0

    def __call__(self, code: str, lexer: Any, formatter: Any) -> str:
        key = (
            code,
            type(lexer),
            _options_key(lexer.options),
            repr(lexer.filters),
            type(formatter),
            _options_key(formatter.options),
        )
        result = self.results.get(key)
        if result is None:
            self.misses += 1
            result = self.highlight(code, lexer, formatter)
            self.results[key] = result
        else:
            self.hits += 1
        return result

    def clear(self) -> None:
        self.results.clear()
        self.hits = self.misses = 0


CODE = re.compile(r"(<code\b[^>]*>)(.*?)(</code>)", re.DOTALL)
SPAN_TAG = re.compile(r"</?span\b[^>]*>")
# Attributes that make the search plugin skip an element and its text.
SEARCH_SKIPS = ("data-search-exclude", "linenodiv")


def _strip_spans(match: re.Match[str]) -> str:
    start, inner, end = match.groups()
    if any(marker in inner for marker in SEARCH_SKIPS):
        return match.group(0)
    return start + SPAN_TAG.sub("", inner) + end


def without_code_spans(html: str) -> str:
    """``html`` with the ``<span>`` tags inside ``<code>`` removed, text kept.

    The search plugin keeps no ``<span>`` tag, only text, and inside ``<pre>``
    it joins the pieces of text as they come; so it indexes the same text
    either way. Blocks that mark something to skip are left as they are.
    """
    return CODE.sub(_strip_spans, html)
