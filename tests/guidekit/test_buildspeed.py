"""The build's shortcuts change nothing that is built: same files, same HTML, same index."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pygments
import pymdownx.highlight
import pytest
from jinja2 import Environment, FileSystemLoader
from material.plugins.search.plugin import Parser as SearchParser
from mkdocs.config import load_config
from mkdocs.structure.files import Files
from pygments.lexers import PythonLexer

from guidekit import buildspeed
from tests.conftest import LANGUAGES, ROOT, site_config

# ---------------------------------------------------------------------------
# The theme listing


def theme_files(loader: FileSystemLoader) -> list[str]:
    """What MkDocs adds from the theme with ``loader``: its own filter decides."""
    config = load_config(str(ROOT / "mkdocs.yml"))
    env = Environment(loader=loader)
    files = Files([])
    files.add_files_from_theme(env, config)
    return sorted(file.src_uri for file in files)


def test_the_pruned_listing_gives_mkdocs_the_same_theme_files() -> None:
    config = load_config(str(ROOT / "mkdocs.yml"))
    stock = FileSystemLoader(config.theme.dirs)
    pruned = buildspeed.pruned(stock)
    assert isinstance(pruned, buildspeed.PrunedLoader)
    assert pruned.searchpath == stock.searchpath
    expected = theme_files(stock)
    assert "assets/javascripts/workers/guide-search.js" in expected  # ours
    assert "assets/javascripts/lunr/min/lunr.de.min.js" in expected  # Material's
    assert theme_files(pruned) == expected
    # What it skips is only what MkDocs would drop anyway: hidden paths.
    skipped = set(stock.list_templates()) - set(pruned.list_templates())
    assert any(name.startswith(".icons/") for name in skipped)
    assert all(name.startswith(".") or "/." in name for name in skipped)


def test_the_pruned_listing_skips_hidden_files_and_folders(tmp_path: Path) -> None:
    for name in ["a.css", "js/b.js", ".hidden", "js/.cache/c.js", ".icons/x/y.svg"]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    assert buildspeed.PrunedLoader([str(tmp_path)]).list_templates() == [
        "a.css",
        "js/b.js",
    ]


# ---------------------------------------------------------------------------
# The highlighting memo

CODE = "def greet(name: str) -> str:\n    return f'Hello, {name}'\n"


def formatter(**options: object) -> pymdownx.highlight.BlockHtmlFormatter:
    return pymdownx.highlight.BlockHtmlFormatter(**{"cssclass": "highlight", **options})


def test_the_memo_returns_what_pygments_returns() -> None:
    memo = buildspeed.HighlightMemo(pygments.highlight)
    expected = pygments.highlight(CODE, PythonLexer(), formatter(hl_lines=[2]))
    assert memo(CODE, PythonLexer(), formatter(hl_lines=[2])) == expected
    assert memo(CODE, PythonLexer(), formatter(hl_lines=[2])) == expected
    assert (memo.misses, memo.hits) == (1, 1)
    memo.clear()
    assert (memo.misses, memo.hits, memo.results) == (0, 0, {})


@pytest.mark.parametrize(
    "options",
    [
        {"hl_lines": [1]},
        {"filename": "greet.py"},
        {"linenos": "table", "linenostart": 3},
        {"lineanchors": "__codelineno-1"},
        {"cssclass": "other"},
    ],
)
def test_any_option_that_shapes_the_html_is_part_of_the_key(
    options: dict[str, object],
) -> None:
    memo = buildspeed.HighlightMemo(pygments.highlight)
    plain = memo(CODE, PythonLexer(), formatter())
    changed = memo(CODE, PythonLexer(), formatter(**options))
    assert changed != plain
    assert changed == pygments.highlight(CODE, PythonLexer(), formatter(**options))
    assert memo(CODE, PythonLexer(stripnl=False), formatter()) == pygments.highlight(
        CODE, PythonLexer(stripnl=False), formatter()
    )
    assert memo.misses == 3


def test_the_hooks_install_the_shortcuts_once() -> None:
    from guidekit import hooks

    assert pymdownx.highlight.highlight is hooks.HIGHLIGHT
    assert isinstance(hooks.HIGHLIGHT, buildspeed.HighlightMemo)
    assert hooks.HIGHLIGHT.highlight is pygments.highlight  # not a memo of a memo
    assert getattr(SearchParser.feed, "without_code_spans", False) is True
    config = load_config(str(ROOT / "mkdocs.yml"))
    for _ in range(2):  # every language's build calls on_config again
        hooks.on_config(config)
    env = config.theme.get_env()
    assert type(env.loader) is buildspeed.PrunedLoader


# ---------------------------------------------------------------------------
# The search plugin's input


def sections(html: str, strip: bool) -> list[tuple[str, str, str | None]]:
    """The search plugin's reading of ``html``, with or without the shortcut."""
    parser = SearchParser()
    data = buildspeed.without_code_spans(html) if strip else html
    HTMLParser.feed(parser, data)  # the standard feed, whatever the hooks install
    parser.close()
    return [
        ("".join(section.title), "".join(section.text), section.id)
        for section in parser.data
    ]


def test_every_built_page_indexes_the_same_without_code_spans(site: Path) -> None:
    pages = sorted(site.glob("**/index.html"))
    assert len(pages) == len(site_config()["nav"]) * len(LANGUAGES)  # every one
    spans_seen = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        article = html[html.index("<article") : html.index("</article>")]
        spans_seen += len(re.findall(r"<code[^>]*>[^<]*<span", article))
        assert sections(article, strip=True) == sections(article, strip=False), page
        assert "<span" not in "".join(
            re.findall(r"<code\b.*?</code>", buildspeed.without_code_spans(article))
        )
    assert spans_seen > 0


def test_code_marked_for_skipping_is_left_alone() -> None:
    html = (
        '<p>a <code>b<span class="k">c</span></code></p>'
        '<pre><code><span data-search-exclude="">secret</span> shown</code></pre>'
    )
    assert buildspeed.without_code_spans(html) == (
        "<p>a <code>bc</code></p>"
        '<pre><code><span data-search-exclude="">secret</span> shown</code></pre>'
    )
    assert sections(html, strip=True) == sections(html, strip=False)
    assert "secret" not in sections(html, strip=True)[0][1]
