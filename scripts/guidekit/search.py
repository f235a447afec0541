"""One search index per language.

Material with mkdocs-static-i18n writes a single index of every language and
points every page at it, so a search on /ko/ also returns English, Turkish
and German pages. After the build, the index is split by language folder, and
each page's search base is its language's folder. Each index keeps only its
own language's stemmer (Turkish and German stem; Korean strips particles).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

CONFIG_SCRIPT = re.compile(
    r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.DOTALL
)
INDEX = Path("search") / "search_index.json"
WRAPPER = "guide-search.js"
# Languages whose lunr support stems words (Korean's strips particles).
STEMMED = {"tr", "de", "ko"}
# Languages lunr has no support for, and what their index declares instead:
# Material's worker would load lunr.<lang>.min.js, which does not exist. With
# "en" and no stemmer in the pipeline, words are split at spaces and matched
# as written (Persian's half-spaces, U+200C, stay inside a word).
UNSUPPORTED = {"fa": "en"}


def language_base(url: str, language: str) -> str | None:
    """The relative URL from a page to its language folder (None for the root).

    ``tr/tutorial/`` -> ``..``; ``tr/`` -> ``.``.
    """
    prefix = f"{language}/"
    if not url.startswith(prefix):
        return None
    depth = url.count("/") - 1
    return "/".join([".."] * depth) or "."


def with_search_settings(html: str, base: str | None) -> str:
    """``html`` set up to search its own language's index.

    ``base`` (when given) becomes Material's ``__config.base``, where the index
    is looked up; the worker becomes our wrapper, which stems queries the way
    the index was stemmed (see overrides/assets/javascripts/workers/).
    """

    def replace(match: re.Match[str]) -> str:
        settings = json.loads(match[2])
        if base is not None:
            settings["base"] = base
        folder, _, material = settings["search"].rpartition("/")
        if not material.startswith(WRAPPER):
            settings["search"] = f"{folder}/{WRAPPER}?material={material}"
        return match[1] + json.dumps(settings, ensure_ascii=False) + match[3]

    return CONFIG_SCRIPT.sub(replace, html, count=1)


def split_index(site: Path, *, default: str, languages: list[str]) -> None:
    """Move each language's entries into ``<language>/search/search_index.json``."""
    index_file = site / INDEX
    if not index_file.is_file():
        return
    index = json.loads(index_file.read_text(encoding="utf-8"))
    others = [language for language in languages if language != default]
    remaining = index["docs"]
    for language in others:
        prefix = f"{language}/"
        own = [doc for doc in remaining if doc["location"].startswith(prefix)]
        remaining = [doc for doc in remaining if not doc["location"].startswith(prefix)]
        for doc in own:
            doc["location"] = doc["location"].removeprefix(prefix)
        _write(site / language / INDEX, index["config"], language, own)
    _write(index_file, index["config"], default, remaining)


def _write(
    path: Path, config: dict[str, object], language: str, docs: list[dict[str, str]]
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    settings = {**config, "lang": [UNSUPPORTED.get(language, language)]}
    if language in STEMMED:
        # Material drops every pipeline step not listed here, stemmers included.
        settings["pipeline"] = sorted({*config.get("pipeline", []), "stemmer"})
    content = {"config": settings, "docs": docs}
    path.write_text(
        json.dumps(content, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
