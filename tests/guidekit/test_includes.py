"""The include directive: parsing, rendering, errors and a real MkDocs build."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest

from guidekit.includes import (
    IncludeError,
    expand,
    find_directives,
    parse_directive,
)

REPO = Path(__file__).resolve().parents[2]
PAGE = "docs/en/page.md"

ECHO = """\
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    # region accept
    await websocket.accept()
    # endregion
    # region loop
    while True:
        text = await websocket.receive_text()
        await websocket.send_text(f"You said: {text}")
    # endregion
"""
ECHO_LINES = ECHO.splitlines()  # 15 lines: accept is line 9, loop lines 12-14

# One example in four variants: the page includes the first.
DEPS_AN_PY310 = """\
from typing import Annotated

from fastapi import FastAPI, Query, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def socket(
    websocket: WebSocket,
    q: Annotated[str | None, Query()] = None,
) -> None:
    # region accept
    await websocket.accept()
    # endregion
    await websocket.send_text(f"q = {q}")
"""
# Line 11 changed.
DEPS_AN_PY39 = DEPS_AN_PY310.replace(
    "from typing import Annotated\n", "from typing import Annotated, Optional\n"
).replace("str | None", "Optional[str]")
# Two lines more at the top, line 11 changed.
DEPS_AN = "from __future__ import annotations\n\n" + DEPS_AN_PY39
# Two lines fewer at the top, line 11 changed.
DEPS_PY310 = DEPS_AN_PY310.replace("from typing import Annotated\n\n", "").replace(
    "Annotated[str | None, Query()] = None", "str | None = Query(default=None)"
)

TURKISH = {
    "variants": "Diğer sürümler ve varyantlar",
    "without_annotated": "Annotated olmadan",
    "code_above": "Yukarıdaki kod gösterilmiyor 👆",
    "code_between": "Aradaki kod gösterilmiyor",
    "code_below": "Aşağıdaki kod gösterilmiyor 👇",
}
KOREAN = {
    "variants": "다른 버전 및 변형",
    "without_annotated": "Annotated 미사용",
    "code_above": "위쪽 코드 생략 👆",
    "code_between": "중간 코드 생략",
    "code_below": "아래쪽 코드 생략 👇",
}


def write(root: Path, relative: str, text: str) -> Path:
    file = root / relative
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    return file


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write(tmp_path, "docs_src/topic/echo.py", ECHO)
    return tmp_path


@pytest.fixture
def deps(root: Path) -> Path:
    write(root, "docs_src/topic/deps_an_py310.py", DEPS_AN_PY310)
    write(root, "docs_src/topic/deps_an_py39.py", DEPS_AN_PY39)
    write(root, "docs_src/topic/deps_an.py", DEPS_AN)
    write(root, "docs_src/topic/deps_py310.py", DEPS_PY310)
    return root


def include(root: Path, line: str, **options: object) -> str:
    return expand(line, page=PAGE, root=root, **options)  # type: ignore[arg-type]


def headers(rendered: str) -> list[str]:
    """The opening line of every code fence, without indentation."""
    return [
        line.strip() for line in rendered.split("\n") if re.match(r"\s*```\w", line)
    ]


def block(header: str, lines: list[str]) -> str:
    return "\n".join([f"```python {header}", *lines, "```"])


# Parsing


def test_parse_a_directive_with_every_option() -> None:
    line = '  {* docs_src/t/x.py hl[3, 8:10,accept] ln[1:12,loop] title["main.py"] *}  '
    directive = parse_directive(line, PAGE, 7)
    assert directive.path == "docs_src/t/x.py"
    assert directive.line == 7
    assert directive.indent == "  "
    assert directive.hl is not None and directive.ln is not None
    assert (directive.hl.ranges, directive.hl.regions) == (
        ((3, 3), (8, 10)),
        ("accept",),
    )
    assert (directive.ln.ranges, directive.ln.regions) == (((1, 12),), ("loop",))
    assert directive.title == "main.py"


def test_parse_options_in_any_order_and_spacing() -> None:
    line = '{*docs_src/t/x.py\ttitle["a ] b"]   ln[2]\thl[2]*}'
    directive = parse_directive(line, PAGE, 1)
    assert directive.title == "a ] b"
    assert directive.ln is not None and directive.ln.ranges == ((2, 2),)
    assert directive.hl is not None and directive.hl.ranges == ((2, 2),)


# Rendering: one file


def test_the_whole_file_titled_with_its_path(root: Path) -> None:
    rendered = include(root, "{* docs_src/topic/echo.py *}")
    assert rendered == block('title="docs_src/topic/echo.py"', ECHO_LINES)


def test_highlighted_numbers_and_regions(root: Path) -> None:
    rendered = include(root, "{* docs_src/topic/echo.py hl[3,6:7,loop] *}")
    assert rendered == block(
        'title="docs_src/topic/echo.py" hl_lines="3 6-7 12-14"', ECHO_LINES
    )


def test_a_custom_title(root: Path) -> None:
    rendered = include(root, '{* docs_src/topic/echo.py title["main.py · ünï"] *}')
    assert rendered == block('title="main.py · ünï"', ECHO_LINES)


def test_directives_in_a_page_are_replaced_in_place(root: Path) -> None:
    page = "# Title\n\n{* docs_src/topic/echo.py ln[accept] *}\n\nText.\n"
    assert include(root, page) == (
        "# Title\n\n"
        + block(
            'title="docs_src/topic/echo.py"',
            ["# Code above omitted 👆", ECHO_LINES[8], "# Code below omitted 👇"],
        )
        + "\n\nText.\n"
    )


def test_ln_one_range_in_the_middle(root: Path) -> None:
    rendered = include(root, "{* docs_src/topic/echo.py ln[12:14] hl[13] *}")
    assert rendered == block(
        'title="docs_src/topic/echo.py" hl_lines="3"',
        ["# Code above omitted 👆", *ECHO_LINES[11:14], "# Code below omitted 👇"],
    )


def test_ln_several_ranges(root: Path) -> None:
    rendered = include(root, "{* docs_src/topic/echo.py ln[1:3,12:14] hl[3,13] *}")
    assert rendered == block(
        'title="docs_src/topic/echo.py" hl_lines="3 6"',
        [
            *ECHO_LINES[0:3],
            "# Code omitted here",
            *ECHO_LINES[11:14],
            "# Code below omitted 👇",
        ],
    )


def test_ln_at_the_start_has_no_marker_above(root: Path) -> None:
    rendered = include(root, "{* docs_src/topic/echo.py ln[1:3] hl[1] *}")
    assert rendered == block(
        'title="docs_src/topic/echo.py" hl_lines="1"',
        [*ECHO_LINES[0:3], "# Code below omitted 👇"],
    )


def test_ln_at_the_end_has_no_marker_below(root: Path) -> None:
    rendered = include(root, "{* docs_src/topic/echo.py ln[11:15] hl[12:14] *}")
    assert rendered == block(
        'title="docs_src/topic/echo.py" hl_lines="3-5"',
        ["# Code above omitted 👆", *ECHO_LINES[10:15]],
    )


def test_ln_regions_with_hl_inside(root: Path) -> None:
    rendered = include(root, "{* docs_src/topic/echo.py ln[accept,loop] hl[loop] *}")
    assert rendered == block(
        'title="docs_src/topic/echo.py" hl_lines="4-6"',
        [
            "# Code above omitted 👆",
            ECHO_LINES[8],
            "# Code omitted here",
            *ECHO_LINES[11:14],
            "# Code below omitted 👇",
        ],
    )


def test_ln_bridges_a_gap_of_blank_lines(root: Path) -> None:
    # Line 2 is blank: showing it beats claiming that code was left out.
    rendered = include(root, "{* docs_src/topic/echo.py ln[1,3] hl[3] *}")
    assert rendered == block(
        'title="docs_src/topic/echo.py" hl_lines="3"',
        [*ECHO_LINES[0:3], "# Code below omitted 👇"],
    )


def test_ln_leaves_out_blank_lines_at_its_edges(root: Path) -> None:
    # Pygments drops blank lines at the edges of a block, which would shift
    # every highlighted line, so they are never rendered there.
    rendered = include(root, "{* docs_src/topic/echo.py ln[4:7] hl[7] *}")
    assert rendered == block(
        'title="docs_src/topic/echo.py" hl_lines="3"',
        ["# Code above omitted 👆", *ECHO_LINES[5:7], "# Code below omitted 👇"],
    )


def test_blank_lines_at_the_edges_of_the_file(root: Path) -> None:
    write(root, "docs_src/topic/airy.py", "\n\na = 1\n\nb = 2\n\n\n")
    rendered = include(root, "{* docs_src/topic/airy.py hl[5] *}")
    assert rendered == block(
        'title="docs_src/topic/airy.py" hl_lines="3"', ["a = 1", "", "b = 2"]
    )


def test_a_file_with_backticks_gets_a_longer_fence(root: Path) -> None:
    write(root, "docs_src/topic/doc.py", 'HELP = """\n```\nrun it\n```\n"""\n')
    rendered = include(root, "{* docs_src/topic/doc.py *}")
    assert rendered == (
        '````python title="docs_src/topic/doc.py"\n'
        'HELP = """\n```\nrun it\n```\n"""\n'
        "````"
    )
    write(root, "docs_src/topic/doc.py", 'HELP = "`````"\n')
    assert include(root, "{* docs_src/topic/doc.py *}").startswith("``````python")


def test_other_languages_use_their_comment_for_markers(root: Path) -> None:
    write(root, "docs_src/topic/page.html", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n")
    rendered = include(root, "{* docs_src/topic/page.html ln[2] hl[2] *}")
    assert rendered == (
        '```html title="docs_src/topic/page.html" hl_lines="2"\n'
        "<!-- Code above omitted 👆 -->\n<li>a</li>\n<!-- Code below omitted 👇 -->\n"
        "```"
    )


def test_localised_markers(root: Path) -> None:
    rendered = include(root, "{* docs_src/topic/echo.py ln[1,9,15] *}", strings=KOREAN)
    assert rendered == block(
        'title="docs_src/topic/echo.py"',
        [
            ECHO_LINES[0],
            "# 중간 코드 생략",
            ECHO_LINES[8],
            "# 중간 코드 생략",
            ECHO_LINES[14],
        ],
    )
    rendered = include(root, "{* docs_src/topic/echo.py ln[9] *}", strings=TURKISH)
    assert rendered.split("\n")[1:-1] == [
        "# " + TURKISH["code_above"],
        ECHO_LINES[8],
        "# " + TURKISH["code_below"],
    ]


def test_missing_strings_fall_back_to_english(root: Path) -> None:
    rendered = include(
        root, "{* docs_src/topic/echo.py ln[9] *}", strings={"code_above": "Üstte"}
    )
    assert rendered.split("\n")[1:-1] == [
        "# Üstte",
        ECHO_LINES[8],
        "# Code below omitted 👇",
    ]


def test_an_indented_directive_stays_inside_its_block(root: Path) -> None:
    page = "!!! tip\n\n    {* docs_src/topic/echo.py ln[12:14] hl[13] *}\n"
    assert include(root, page) == (
        "!!! tip\n\n"
        '    ```python title="docs_src/topic/echo.py" hl_lines="3"\n'
        "    # Code above omitted 👆\n"
        "        while True:\n"
        "            text = await websocket.receive_text()\n"
        '            await websocket.send_text(f"You said: {text}")\n'
        "    # Code below omitted 👇\n"
        "    ```\n"
    )


def test_blank_lines_inside_an_indented_block_stay_empty(root: Path) -> None:
    rendered = include(root, "\t{* docs_src/topic/echo.py ln[1:3] *}")
    assert rendered.split("\n") == [
        '\t```python title="docs_src/topic/echo.py"',
        "\t" + ECHO_LINES[0],
        "",
        "\t" + ECHO_LINES[2],
        "\t# Code below omitted 👇",
        "\t```",
    ]


# Rendering: variants


def test_variants_go_into_tabs_in_a_collapsed_block(deps: Path) -> None:
    rendered = include(deps, "{* docs_src/topic/deps_an_py310.py hl[accept] *}")
    assert rendered == "\n\n".join(
        [
            block(
                'title="docs_src/topic/deps_an_py310.py" hl_lines="14"',
                DEPS_AN_PY310.splitlines(),
            ),
            '??? info "Other versions and variants"',
            '    === "Python 3.9+"',
            textwrap.indent(
                block(
                    'title="docs_src/topic/deps_an_py39.py" hl_lines="14"',
                    DEPS_AN_PY39.splitlines(),
                ),
                " " * 8,
            ),
            '    === "Python"',
            textwrap.indent(
                block(
                    'title="docs_src/topic/deps_an.py" hl_lines="16"',
                    DEPS_AN.splitlines(),
                ),
                " " * 8,
            ),
            '    === "Python 3.10+ · without Annotated"',
            textwrap.indent(
                block(
                    'title="docs_src/topic/deps_py310.py" hl_lines="12"',
                    DEPS_PY310.splitlines(),
                ),
                " " * 8,
            ),
        ]
    )


def test_numbered_highlights_follow_the_matching_lines_of_variants(
    deps: Path,
) -> None:
    # Line 11 differs in every variant; deps_an has two lines more above it,
    # deps_py310 two lines fewer.
    rendered = include(deps, "{* docs_src/topic/deps_an_py310.py hl[11,16] *}")
    assert headers(rendered) == [
        '```python title="docs_src/topic/deps_an_py310.py" hl_lines="11 16"',
        '```python title="docs_src/topic/deps_an_py39.py" hl_lines="11 16"',
        '```python title="docs_src/topic/deps_an.py" hl_lines="13 18"',
        '```python title="docs_src/topic/deps_py310.py" hl_lines="9 14"',
    ]


def test_ln_follows_the_matching_lines_of_variants(deps: Path) -> None:
    rendered = include(deps, "{* docs_src/topic/deps_an_py310.py ln[8:12] hl[11] *}")
    blocks = re.findall(r"```python.*?\n(.*?)\n *```", rendered, re.DOTALL)
    shown = [[line.strip() for line in text.split("\n")] for text in blocks]
    parameters = [
        "q: Annotated[str | None, Query()] = None,",
        "q: Annotated[Optional[str], Query()] = None,",
        "q: Annotated[Optional[str], Query()] = None,",
        "q: str | None = Query(default=None),",
    ]
    assert shown == [
        [
            "# Code above omitted 👆",
            '@app.websocket("/ws")',
            "async def socket(",
            "websocket: WebSocket,",
            parameter,
            ") -> None:",
            "# Code below omitted 👇",
        ]
        for parameter in parameters
    ]
    assert [h.split(" ", 2)[2] for h in headers(rendered)] == ['hl_lines="5"'] * 4


def test_regions_are_looked_up_in_each_variant(deps: Path) -> None:
    rendered = include(deps, "{* docs_src/topic/deps_an_py310.py ln[accept] *}")
    for text in re.findall(r"```python.*?\n(.*?)\n *```", rendered, re.DOTALL):
        assert [line.strip() for line in text.split("\n")] == [
            "# Code above omitted 👆",
            "await websocket.accept()",
            "# Code below omitted 👇",
        ]


def test_a_custom_title_names_only_the_included_file(deps: Path) -> None:
    rendered = include(deps, '{* docs_src/topic/deps_an_py310.py title["main.py"] *}')
    assert [re.search(r'title="(.*?)"', h)[1] for h in headers(rendered)] == [
        "main.py",
        "docs_src/topic/deps_an_py39.py",
        "docs_src/topic/deps_an.py",
        "docs_src/topic/deps_py310.py",
    ]


def test_variants_without_annotated_anywhere_have_plain_labels(root: Path) -> None:
    write(root, "docs_src/topic/old_py310.py", "a: str | None = None\n")
    write(root, "docs_src/topic/old.py", "a: Optional[str] = None\n")
    rendered = include(root, "{* docs_src/topic/old_py310.py *}")
    assert re.findall(r'=== "(.*)"', rendered) == ["Python"]


def test_localised_variant_titles(deps: Path) -> None:
    rendered = include(deps, "{* docs_src/topic/deps_an_py310.py *}", strings=TURKISH)
    assert '??? info "Diğer sürümler ve varyantlar"' in rendered.split("\n")
    assert re.findall(r'=== "(.*)"', rendered) == [
        "Python 3.9+",
        "Python",
        "Python 3.10+ · Annotated olmadan",
    ]
    rendered = include(deps, "{* docs_src/topic/deps_an_py310.py *}", strings=KOREAN)
    assert '??? info "다른 버전 및 변형"' in rendered.split("\n")
    assert re.findall(r'=== "(.*)"', rendered)[-1] == "Python 3.10+ · Annotated 미사용"


def test_indented_variants_nest_under_the_directive(deps: Path) -> None:
    rendered = include(deps, "1. Step:\n\n    {* docs_src/topic/deps_an_py310.py *}")
    lines = rendered.split("\n")
    assert '    ??? info "Other versions and variants"' in lines
    assert '        === "Python 3.9+"' in lines
    assert '            ```python title="docs_src/topic/deps_an_py39.py"' in lines
    assert "                q: Annotated[Optional[str], Query()] = None," in lines


# Rendering through Python-Markdown with the site's extensions


class CodeBlocks(HTMLParser):
    """The code blocks of a page: title, text and highlighted lines of each."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[dict[str, object]] = []
        self.titles: list[str] = []
        self._title: list[str] | None = None
        self._code: list[str] | None = None
        self._spans: list[bool] = []
        self._line = 1
        self._highlighted: set[int] = set()
        self._in_pre = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "span" and "filename" in classes:
            self._title = []
        elif tag == "pre":
            self._in_pre = True
        elif tag == "code" and self._in_pre:
            self._code, self._spans, self._line = [], [], 1
            self._highlighted = set()
        elif tag == "span" and self._code is not None:
            self._spans.append("hll" in classes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self._in_pre = False
        elif tag == "span" and self._title is not None:
            self.titles.append("".join(self._title))
            self._title = None
        elif tag == "span" and self._code is not None:
            self._spans.pop()
        elif tag == "code" and self._code is not None:
            text = "".join(self._code)
            self.blocks.append(
                {
                    "text": text[:-1] if text.endswith("\n") else text,
                    "highlighted": self._highlighted,
                }
            )
            self._code = None

    def handle_data(self, data: str) -> None:
        if self._title is not None:
            self._title.append(data)
        if self._code is None:
            return
        for character in data:
            if any(self._spans):
                self._highlighted.add(self._line)
            self._code.append(character)
            if character == "\n":
                self._line += 1


@functools.cache
def _markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[
            "admonition",
            "pymdownx.details",
            "pymdownx.highlight",
            "pymdownx.superfences",
            "pymdownx.tabbed",
        ],
        extension_configs={
            "pymdownx.highlight": {"pygments_lang_class": True},
            "pymdownx.tabbed": {"alternate_style": True},
        },
    )


def to_html(text: str) -> str:
    """``text`` in HTML, made with the extensions (and settings) of the site."""
    return _markdown().reset().convert(text)


def code_blocks(html: str) -> CodeBlocks:
    parser = CodeBlocks()
    parser.feed(html)
    parser.close()
    return parser


def test_html_shows_the_file_exactly_with_its_highlights(root: Path) -> None:
    html = to_html(include(root, "{* docs_src/topic/echo.py hl[3,accept,loop] *}"))
    found = code_blocks(html)
    assert found.titles == ["docs_src/topic/echo.py"]
    assert found.blocks == [
        {"text": ECHO.rstrip("\n"), "highlighted": {3, 9, 12, 13, 14}}
    ]
    assert 'class="language-python highlight"' in html


def test_html_of_a_part_with_rebased_highlights(root: Path) -> None:
    html = to_html(include(root, "{* docs_src/topic/echo.py ln[1:3,12:14] hl[3,13] *}"))
    [shown] = code_blocks(html).blocks
    assert shown["text"] == "\n".join(
        [
            *ECHO_LINES[0:3],
            "# Code omitted here",
            *ECHO_LINES[11:14],
            "# Code below omitted 👇",
        ]
    )
    assert shown["highlighted"] == {3, 6}


def test_html_of_a_file_with_blank_edges_highlights_the_right_line(root: Path) -> None:
    write(root, "docs_src/topic/airy.py", "\n\na = 1\n\nb = 2\n\n\n")
    html = to_html(include(root, "{* docs_src/topic/airy.py hl[5] *}"))
    assert code_blocks(html).blocks == [{"text": "a = 1\n\nb = 2", "highlighted": {3}}]


def test_html_of_variants(deps: Path) -> None:
    page = 'Text.\n\n{* docs_src/topic/deps_an_py310.py hl[11,accept] title["main.py"] *}\n'
    html = to_html(include(deps, page, strings=TURKISH))
    found = code_blocks(html)
    assert found.titles == [
        "main.py",
        "docs_src/topic/deps_an_py39.py",
        "docs_src/topic/deps_an.py",
        "docs_src/topic/deps_py310.py",
    ]
    assert [b["text"] for b in found.blocks] == [
        text.rstrip("\n") for text in (DEPS_AN_PY310, DEPS_AN_PY39, DEPS_AN, DEPS_PY310)
    ]
    assert [b["highlighted"] for b in found.blocks] == [
        {11, 14},
        {11, 14},
        {13, 16},
        {9, 12},
    ]
    assert '<details class="info">' in html
    assert "<summary>Diğer sürümler ve varyantlar</summary>" in html
    assert '<div class="tabbed-set tabbed-alternate"' in html
    labels = re.findall(r"<label for=[^>]*>(.*?)</label>", html)
    assert labels == ["Python 3.9+", "Python", "Python 3.10+ · Annotated olmadan"]


def test_html_of_a_directive_inside_an_admonition(root: Path) -> None:
    page = "!!! note\n\n    {* docs_src/topic/echo.py ln[loop] hl[13] *}\n\nAfter.\n"
    html = to_html(include(root, page))
    assert re.match(
        r'<div class="admonition note">.*<pre>.*</pre>.*</div>\s*<p>After',
        html,
        re.DOTALL,
    )
    assert code_blocks(html).blocks == [
        {
            "text": "\n".join(
                [
                    "# Code above omitted 👆",
                    *ECHO_LINES[11:14],
                    "# Code below omitted 👇",
                ]
            ),
            "highlighted": {3},
        }
    ]


def test_html_of_a_file_with_backticks(root: Path) -> None:
    text = 'HELP = """\n```python\nrun it\n````\n"""\n'
    write(root, "docs_src/topic/doc.py", text)
    html = to_html(include(root, "{* docs_src/topic/doc.py hl[3] *}"))
    assert code_blocks(html).blocks == [{"text": text.rstrip("\n"), "highlighted": {3}}]


# Errors: each names the page and line, and says what was expected


def error(root: Path, page: str, **options: object) -> str:
    with pytest.raises(IncludeError) as caught:
        include(root, page, **options)
    return str(caught.value)


@pytest.mark.parametrize(
    ("directive", "message"),
    [
        (
            "{* docs_src/topic/none.py *}",
            "expected an example file at docs_src/topic/none.py, found none",
        ),
        (
            "{* docs_src/topic/echo.py hl[16] *}",
            "hl[16]: expected lines within docs_src/topic/echo.py (1 to 15), "
            "found line 16",
        ),
        (
            "{* docs_src/topic/echo.py hl[14:20] *}",
            "hl[14:20]: expected lines within docs_src/topic/echo.py (1 to 15), "
            "found line 20",
        ),
        (
            "{* docs_src/topic/echo.py ln[10:99] *}",
            "ln[10:99]: expected lines within docs_src/topic/echo.py (1 to 15), "
            "found line 99",
        ),
        (
            "{* docs_src/topic/echo.py hl[2] *}",
            "hl[2]: expected code at docs_src/topic/echo.py:2, found a blank line "
            "(did the code move?)",
        ),
        (
            "{* docs_src/topic/echo.py hl[4:7] *}",
            "hl[4:7]: expected code at docs_src/topic/echo.py:4, found a blank line "
            "(did the code move?)",
        ),
        (
            "{* docs_src/topic/echo.py hl[1:2] *}",
            "hl[1:2]: expected code at docs_src/topic/echo.py:2, found a blank line "
            "(did the code move?)",
        ),
        (
            "{* docs_src/topic/echo.py ln[1:3] hl[13] *}",
            "hl[13]: expected highlighted lines to be shown, found "
            "docs_src/topic/echo.py:13 outside ln[1:3]",
        ),
        (
            "{* docs_src/topic/echo.py ln[accept] hl[loop] *}",
            "hl[loop]: expected highlighted lines to be shown, found "
            "docs_src/topic/echo.py:12 outside ln[accept]",
        ),
        (
            "{* docs_src/topic/echo.py ln[2] *}",
            "ln[2]: expected code to show in docs_src/topic/echo.py, "
            "found only blank lines",
        ),
        (
            "{* docs_src/topic/echo.py hl[nope] *}",
            "hl[nope]: expected a region of docs_src/topic/echo.py "
            "(known: accept, loop), found no '# region nope'",
        ),
        (
            "{* docs_src/topic/echo.py ln[accept,nope] *}",
            "ln[nope]: expected a region of docs_src/topic/echo.py "
            "(known: accept, loop), found no '# region nope'",
        ),
        (
            "{* docs_src/topic/echo.py lines[1:3] *}",
            "unknown option: expected hl[...], ln[...] or title[...], found lines[...]",
        ),
        (
            "{* docs_src/topic/echo.py hl[1] HL[2] *}",
            "unknown option: expected hl[...], ln[...] or title[...], found HL[...]",
        ),
        (
            "{* docs_src/topic/echo.py hl[1]",
            "malformed include: expected a line ending in '*}', "
            "found '{* docs_src/topic/echo.py hl[1]'",
        ),
        (
            "{* docs_src/topic/echo.py *} and more",
            "malformed include: expected a line ending in '*}', "
            "found '{* docs_src/topic/echo.py *} and more'",
        ),
        ("{* *}", "malformed include: expected a path after '{*', found nothing"),
        ("{**}", "malformed include: expected a path after '{*', found nothing"),
        (
            "{* hl[1] docs_src/topic/echo.py *}",
            "malformed include: expected a path first, found 'hl[1]'",
        ),
        (
            '{* "docs_src/topic/echo.py" *}',
            "malformed include: expected a path first, "
            "found '\"docs_src/topic/echo.py\"'",
        ),
        (
            "{* docs_src/topic/echo.py 42 *}",
            "malformed include: expected an option like hl[...], ln[...] or "
            "title[\"...\"], found '42'",
        ),
        (
            "{* docs_src/topic/echo.py hl[1:3 *}",
            "malformed include: expected ']' to close hl[...], found 'hl[1:3'",
        ),
        (
            '{* docs_src/topic/echo.py title["main.py *}',
            "malformed include: expected ']' to close title[...], "
            "found 'title[\"main.py'",
        ),
        (
            "{* docs_src/topic/echo.py hl[1]ln[1:3] *}",
            "malformed include: expected a space after hl[...], found 'ln[1:3]'",
        ),
        (
            "{* docs_src/topic/echo.py hl[1:] *}",
            "hl[1:]: expected a line number, a range N:M or a region name, found '1:'",
        ),
        (
            "{* docs_src/topic/echo.py hl[] *}",
            "hl[]: expected a line number, a range N:M or a region name, found ''",
        ),
        (
            "{* docs_src/topic/echo.py ln[1,,3] *}",
            "ln[1,,3]: expected a line number, a range N:M or a region name, found ''",
        ),
        (
            "{* docs_src/topic/echo.py hl[Accept] *}",
            "hl[Accept]: expected a line number, a range N:M or a region name, "
            "found 'Accept'",
        ),
        (
            "{* docs_src/topic/echo.py hl[-1] *}",
            "hl[-1]: expected a line number, a range N:M or a region name, found '-1'",
        ),
        (
            "{* docs_src/topic/echo.py hl[1234567890] *}",
            "hl[1234567890]: expected a line number, a range N:M or a region "
            "name, found '1234567890'",
        ),
        (
            "{* docs_src/topic/echo.py hl[0] *}",
            "hl[0]: expected a range N:M with 1 <= N <= M, found '0'",
        ),
        (
            "{* docs_src/topic/echo.py ln[5:3] *}",
            "ln[5:3]: expected a range N:M with 1 <= N <= M, found '5:3'",
        ),
        (
            '{* docs_src/topic/echo.py hl["accept"] *}',
            "hl[...] expects line numbers, ranges or region names, "
            'found a quoted string "accept"',
        ),
        (
            "{* docs_src/topic/echo.py hl[1] ln[1:3] hl[3] *}",
            "duplicate option: expected hl[...] at most once, found it twice",
        ),
        (
            '{* docs_src/topic/echo.py title["a"] title["b"] *}',
            "duplicate option: expected title[...] at most once, found it twice",
        ),
        (
            "{* docs_src/topic/echo.py title[main.py] *}",
            'title[...] expects a quoted string like title["main.py"], '
            "found title[main.py]",
        ),
        (
            "{* docs_src/topic/echo.py title['main.py'] *}",
            'title[...] expects a quoted string like title["main.py"], '
            "found title['main.py']",
        ),
        (
            '{* docs_src/topic/echo.py title["say "hi""] *}',
            'title[...] expects a title without double quotes, found title["say "hi""]',
        ),
        (
            '{* docs_src/topic/echo.py title["a"b"] hl[1] *}',
            'title[...] expects a title without double quotes, found title["a"b"]',
        ),
        (
            '{* docs_src/topic/echo.py title[" "] *}',
            'title[...] expects a non-empty title, found title[" "]',
        ),
        (
            "{* docs/en/index.md *}",
            "expected a path under docs_src/ relative to the repository root, "
            "found 'docs/en/index.md'",
        ),
        (
            "{* docs_src/../pyproject.toml *}",
            "expected a path under docs_src/ relative to the repository root, "
            "found 'docs_src/../pyproject.toml'",
        ),
        (
            "{* /etc/passwd *}",
            "expected a path under docs_src/ relative to the repository root, "
            "found '/etc/passwd'",
        ),
    ],
)
def test_invalid_directives(root: Path, directive: str, message: str) -> None:
    page = f"# Page\n\nText.\n{directive}\n"
    assert error(root, page) == f"{PAGE}:4: {message}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "a = 1\n# region accept\nb = 2\n",
            "docs_src/topic/bad.py:2: region 'accept' is never closed: expected "
            "'# endregion', found the end of the file",
        ),
        (
            "# region a\n# region b\nx = 1\n# endregion\n# endregion\n",
            "docs_src/topic/bad.py:2: expected '# endregion' for region 'a' "
            "(opened at line 1), found another '# region'",
        ),
        (
            "# region a\nx = 1\n# endregion\n# region a\ny = 2\n# endregion\n",
            "docs_src/topic/bad.py:4: region 'a' is defined twice (first at line 1)",
        ),
        (
            "x = 1\n# region a\n# endregion\n",
            "docs_src/topic/bad.py:3: region 'a' is empty: expected code between "
            "line 2 and '# endregion', found none",
        ),
        (
            "# region Send_Text\nx = 1\n# endregion\n",
            "docs_src/topic/bad.py:1: expected '# region NAME' with a lowercase "
            "name (a-z, 0-9, -), found '# region Send_Text'",
        ),
        ("", "expected code in docs_src/topic/bad.py, found an empty file"),
    ],
    ids=["unclosed", "nested", "duplicate", "empty", "bad-name", "empty-file"],
)
def test_broken_examples_are_reported_at_the_directive(
    root: Path, text: str, message: str
) -> None:
    write(root, "docs_src/topic/bad.py", text)
    page = "Intro.\n\n{* docs_src/topic/bad.py *}\n"
    assert error(root, page) == f"{PAGE}:3: {message}"


def test_a_file_that_is_not_utf8_is_reported_at_the_directive(root: Path) -> None:
    (root / "docs_src/topic/latin.py").write_bytes(b"# caf\xe9\n")
    assert error(root, "{* docs_src/topic/latin.py *}") == (
        f"{PAGE}:1: docs_src/topic/latin.py:1: expected UTF-8 text, found the byte 0xe9"
    )


def test_a_broken_variant_is_reported_at_the_directive(deps: Path) -> None:
    write(deps, "docs_src/topic/deps_an_py39.py", "# region accept\nx = 1\n")
    assert error(deps, "{* docs_src/topic/deps_an_py310.py *}") == (
        f"{PAGE}:1: docs_src/topic/deps_an_py39.py:1: region 'accept' is never "
        "closed: expected '# endregion', found the end of the file"
    )


def test_a_region_missing_from_a_variant(deps: Path) -> None:
    unmarked = DEPS_AN.replace("    # region accept\n", "").replace(
        "    # endregion\n", ""
    )
    write(deps, "docs_src/topic/deps_an.py", unmarked)
    assert error(deps, "{* docs_src/topic/deps_an_py310.py hl[accept] *}") == (
        f"{PAGE}:1: hl[accept]: expected a region of docs_src/topic/deps_an.py "
        "(known: none), found no '# region accept'"
    )


def test_ln_that_shows_nothing_of_a_variant(deps: Path) -> None:
    # deps_py310 has no `from typing import Annotated`: an empty block would do.
    assert error(deps, "{* docs_src/topic/deps_an_py310.py ln[1:2] *}") == (
        f"{PAGE}:1: ln[1:2]: expected the lines to show in the variant "
        "docs_src/topic/deps_py310.py too, found none of them there (mark them "
        "with a region in every variant instead)"
    )


def test_errors_count_front_matter_lines(root: Path) -> None:
    page = "Text.\n{* docs_src/topic/echo.py hl[99] *}\n"
    assert error(root, page, line_offset=4).startswith(f"{PAGE}:6: hl[99]:")


def test_the_first_broken_directive_is_reported(root: Path) -> None:
    page = "{* docs_src/topic/echo.py *}\n{* docs_src/a.py *}\n{* docs_src/b.py *}\n"
    assert error(root, page) == (
        f"{PAGE}:2: expected an example file at docs_src/a.py, found none"
    )


def test_a_title_with_a_quote_is_refused_when_rendered_directly(root: Path) -> None:
    from guidekit.includes import Directive, render

    directive = Directive("docs_src/topic/echo.py", 5, title='a "b"')
    with pytest.raises(IncludeError) as caught:
        render(directive, root=root, page=PAGE)
    assert str(caught.value) == (
        f'{PAGE}:5: title["a "b""]: expected no double quote in a title'
    )


def test_paths_resolve_from_the_root_whatever_the_working_directory(
    root: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    write(elsewhere, "docs_src/topic/echo.py", "wrong = 1\n")
    monkeypatch.chdir(elsewhere)
    rendered = include(root, "{* docs_src/topic/echo.py *}")
    assert rendered == block('title="docs_src/topic/echo.py"', ECHO_LINES)


# Directives inside fenced code are examples of the syntax, not includes


def test_find_directives_skips_fenced_code() -> None:
    page = textwrap.dedent(
        """\
        {* docs_src/a.py *}
        ```markdown
        {* docs_src/in_backticks.py *}
        ```
        ~~~
        {* docs_src/in_tildes.py *}
        ```
        {* docs_src/still_in_tildes.py *}
        ~~~
          {* docs_src/b.py *}
        ````markdown
        ```python
        {* docs_src/in_nested.py *}
        ```
        {* docs_src/still_in_four.py *}
        ```` not a closing fence
        {* docs_src/still_in_four_again.py *}
        ````
        1. Step

            ```text
            {* docs_src/in_list_fence.py *}
            ```
            {* docs_src/c.py *}
        ``` inline `code` is not a fence
        {* docs_src/d.py *}
        ~~~~~
        {* docs_src/in_long_tildes.py *}
        ~~~~
        {* docs_src/in_long_tildes_still.py *}
        ~~~~~~
        {* docs_src/e.py *}
        ```
        {* docs_src/in_unclosed.py *}
        """
    )
    found = [(index, line.strip()) for index, line in find_directives(page)]
    assert found == [
        (0, "{* docs_src/a.py *}"),
        (9, "{* docs_src/b.py *}"),
        (23, "{* docs_src/c.py *}"),
        (25, "{* docs_src/d.py *}"),
        (31, "{* docs_src/e.py *}"),
    ]


def test_expand_leaves_fenced_examples_of_the_syntax_alone(root: Path) -> None:
    page = "```markdown\n{* docs_src/topic/missing.py hl[99] *}\n```\n"
    assert include(root, page) == page


# The error path through a real MkDocs build


def make_site(root: Path, page: str) -> Path:
    """A tiny site laid out like the repository, with a copy of its hooks.

    The hooks find the repository from their own location, so they are copied
    (as they are now) rather than pointed at from a site elsewhere.
    """
    site = root / "site-src"
    shutil.copytree(
        REPO / "scripts" / "guidekit",
        site / "scripts" / "guidekit",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    for name in ("tested-with.json", "requirements.lock", "requirements-py310.lock"):
        shutil.copy(REPO / name, site / name)  # the "Tested with" box reads them
    write(site, "docs_src/topic/echo.py", ECHO)
    write(site, "docs/index.md", "# Home\n")
    write(site, "docs/guide/page.md", page)
    write(
        site,
        "mkdocs.yml",
        textwrap.dedent(
            """\
            site_name: Test
            docs_dir: docs
            strict: true
            theme:
              name: material
              language: en
              features: [content.code.copy]
            hooks:
              - scripts/guidekit/hooks.py
            markdown_extensions:
              - admonition
              - pymdownx.details
              - pymdownx.highlight
              - pymdownx.superfences
              - pymdownx.tabbed:
                  alternate_style: true
            """
        ),
    )
    return site


BROKEN_PAGE = "---\ntitle: Guide\n---\n# Guide\n\n{* docs_src/topic/echo.py hl[99] *}\n"
GOOD_PAGE = (
    "# Guide\n\n```\n{* not/expanded.py *}\n```\n\n"
    '{* docs_src/topic/echo.py ln[loop] hl[13] title["main.py"] *}\n'
)


@pytest.fixture(scope="module")
def builds(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[Path, int, str]]:
    """``mkdocs build`` of a broken and a good site, run side by side.

    Each runs from a folder that is not the site's, as a writer may.
    """
    environment = {
        key: value for key, value in os.environ.items() if key != "PYTHONPATH"
    }
    environment["NO_MKDOCS_2_WARNING"] = "1"
    running = {}
    for name, page in [("broken", BROKEN_PAGE), ("good", GOOD_PAGE)]:
        root = tmp_path_factory.mktemp(name)
        site = make_site(root, page)
        command = [sys.executable, "-m", "mkdocs", "build"]
        command += ["--config-file", str(site / "mkdocs.yml")]
        command += ["--site-dir", str(site / "site")]
        process = subprocess.Popen(
            command,
            cwd=root,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        running[name] = (site, process)
    results = {}
    for name, (site, process) in running.items():
        output, _ = process.communicate(timeout=120)
        results[name] = (site, process.returncode, output)
    return results


def test_mkdocs_build_fails_with_the_page_and_line(
    builds: dict[str, tuple[Path, int, str]],
) -> None:
    site, returncode, output = builds["broken"]
    assert returncode == 1, output
    assert (
        "docs/guide/page.md:6: hl[99]: expected lines within docs_src/topic/echo.py "
        "(1 to 15), found line 99"
    ) in output
    assert "Traceback" not in output
    assert not (site / "site" / "guide" / "page" / "index.html").exists()


def test_mkdocs_build_renders_the_include(
    builds: dict[str, tuple[Path, int, str]],
) -> None:
    site, returncode, output = builds["good"]
    assert returncode == 0, output
    html = (site / "site" / "guide" / "page" / "index.html").read_text()
    found = code_blocks(html)
    assert found.titles == ["main.py"]
    assert found.blocks[1] == {
        "text": "\n".join(
            ["# Code above omitted 👆", *ECHO_LINES[11:14], "# Code below omitted 👇"]
        ),
        "highlighted": {3},
    }
    assert found.blocks[0]["text"] == "{* not/expanded.py *}"
