"""Properties of the include directive, checked on generated input (hypothesis).

1. Whatever a directive line says, the result is Markdown with code in it or
   an IncludeError that names the page and line: never another exception.
2. On any file, valid hl/ln selections highlight exactly the selected lines
   that are shown, in the Markdown and in the HTML that pymdownx makes of it.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guidekit.includes import (
    ENGLISH,
    IncludeError,
    expand,
    is_directive,
    parse_directive,
    render,
)
from tests.guidekit.test_includes import (
    DEPS_AN_PY310,
    DEPS_PY310,
    ECHO,
    code_blocks,
    to_html,
    write,
)

PAGE = "docs/en/page.md"
FAST = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tree")
    write(root, "docs_src/topic/echo.py", ECHO)
    write(root, "docs_src/topic/deps_an_py310.py", DEPS_AN_PY310)
    write(root, "docs_src/topic/deps_py310.py", DEPS_PY310)
    write(root, "docs_src/topic/page.html", "<ul>\n  <li>a</li>\n</ul>\n")
    write(root, "docs_src/topic/bad.py", "# region open\nx = 1\n")
    return root


# 1. Any directive line


def no_newline(max_size: int) -> st.SearchStrategy[str]:
    return st.text(st.characters(blacklist_characters="\n"), max_size=max_size)


PATHS = [
    "docs_src/topic/echo.py",
    "docs_src/topic/deps_an_py310.py",
    "docs_src/topic/deps_py310.py",
    "docs_src/topic/page.html",
    "docs_src/topic/bad.py",
    "./docs_src/topic/echo.py",
    "docs_src//topic/echo.py",
    "docs_src/topic/none.py",
    "docs_src/topic",
    "docs_src",
    "docs_src/../docs_src/topic/echo.py",
    "../docs_src/topic/echo.py",
    "/etc/passwd",
    "docs/en/index.md",
    "hl[1]",
    '"docs_src/topic/echo.py"',
    "docs_src/topic/echo.py]",
    "docs_src/" + "x" * 300 + ".py",
]
ITEMS = ["accept", "loop", "nope", "Accept", "", "-1", "1:", "x y", '"accept"', " 3 "]
NAMES = ["hl", "ln", "title", "HL", "lines", "x-y", "_"]
TITLES = ['"main.py"', '"a ] b"', '""', '" "', '"say "hi""', "main.py", "'x'", '"x']
STRAYS = ["hl[1", 'title["x', "]", "[", "*}", "42", "{*", '"', "hl [1]"]

numbers = st.integers(0, 25).map(str)
ranges = st.builds(lambda a, b: f"{a}:{b}", st.integers(0, 25), st.integers(0, 25))
good_item = st.one_of(
    st.integers(1, 16).map(str),
    st.builds(lambda a, b: f"{a}:{a + b}", st.integers(1, 12), st.integers(0, 4)),
    st.sampled_from(["accept", "loop"]),
)
item = st.one_of(good_item, numbers, ranges, st.sampled_from(ITEMS), no_newline(4))
good_option = st.one_of(
    st.builds(
        lambda name, arg: f"{name}[{arg}]",
        st.sampled_from(["hl", "ln"]),
        st.lists(good_item, min_size=1, max_size=3).map(",".join),
    ),
    st.just('title["main.py"]'),
)
items = st.lists(item, min_size=1, max_size=4).map(",".join)
value = st.one_of(items, st.sampled_from(TITLES), no_newline(8))
option = st.one_of(
    *[good_option] * 6,
    st.builds(lambda name, arg: f"{name}[{arg}]", st.sampled_from(NAMES), value),
    st.sampled_from(STRAYS),
    no_newline(8),
)
# Mostly what a writer types, sometimes not.
separator = st.sampled_from([" "] * 8 + ["  ", "\t", ""])
closings = ["*}"] * 5 + [" *}"] * 3 + ["*} tail", "*}  ", "* }", ""]


@st.composite
def directive_lines(draw: st.DrawFn) -> str:
    indent = draw(st.sampled_from(["", "", "", "  ", "    ", "\t"]))
    opening = draw(st.sampled_from(["{* "] * 8 + ["{*", "{*\t", "{ *"]))
    good_path = st.sampled_from(PATHS[:4])
    path = draw(st.one_of(good_path, good_path, st.sampled_from(PATHS), no_newline(20)))
    parts = [path, *draw(st.lists(option, max_size=4))]
    body = "".join(part + draw(separator) for part in parts)
    return indent + opening + body + draw(st.sampled_from(closings))


def fenced_blocks(rendered: str) -> list[list[str]]:
    """The lines inside each code fence of ``rendered``."""
    blocks: list[list[str]] = []
    lines = rendered.split("\n")
    index = 0
    while index < len(lines):
        opening = re.match(r"^(\s*)(`{3,})\w", lines[index])
        index += 1
        if opening:
            closing = opening[1] + opening[2]
            end = lines.index(closing, index)
            blocks.append(lines[index:end])
            index = end + 1
    return blocks


def check_line(tree: Path, line: str) -> None:
    try:
        rendered = expand(line, page=PAGE, root=tree)
    except IncludeError as error:
        assert str(error).startswith(f"{PAGE}:1: "), str(error)
        assert str(error)[len(PAGE) + 4 :].strip()
        return
    if not is_directive(line):
        assert rendered == line
        return
    blocks = fenced_blocks(rendered)
    assert blocks, rendered
    markers = [ENGLISH[key] for key in ("code_above", "code_between", "code_below")]
    for lines in blocks:  # some code, not just markers that code was left out
        assert any(
            code.strip() and not any(marker in code for marker in markers)
            for code in lines
        ), rendered


@FAST
@given(line=directive_lines())
def test_any_directive_renders_or_names_its_page_and_line(
    tree: Path, line: str
) -> None:
    check_line(tree, line)


@FAST
@given(rest=st.text(max_size=60), close=st.booleans())
def test_any_text_after_the_opening_fails_cleanly(
    tree: Path, rest: str, close: bool
) -> None:
    line = "{*" + rest + ("*}" if close else "")
    try:
        render(parse_directive(line, PAGE, 1), root=tree, page=PAGE)
    except IncludeError as error:
        assert str(error).startswith(f"{PAGE}:1: "), str(error)
    if "\n" not in line:
        check_line(tree, line)


# 2. Valid selections on any file


@st.composite
def selections(draw: st.DrawFn) -> tuple[list[str], str, set[int]]:
    """A file, a directive with valid hl/ln for it, and the hl file lines."""
    body = draw(st.lists(st.booleans(), min_size=1, max_size=25))  # True: code
    if not any(body):
        body[draw(st.integers(0, len(body) - 1))] = True
    region: tuple[int, int] | None = None
    if draw(st.booleans()):
        first = draw(st.integers(0, len(body) - 1))
        last = draw(st.integers(first, len(body) - 1))
        if any(body[first : last + 1]):
            region = (first, last)
    # Every line is unique, blank ones too, so rendered lines map back.
    lines: list[str] = []
    region_lines: set[int] = set()
    for index, code in enumerate(body):
        if region and index == region[0]:
            lines.append("# region r")
        number = len(lines) + 1
        lines.append(f"v{number} = {number}" if code else " " * number)
        if region and region[0] <= index <= region[1]:
            region_lines.add(number)
        if region and index == region[1]:
            lines.append("# endregion")
    total = len(lines)
    code_lines = {n for n in range(1, total + 1) if lines[n - 1].strip()}

    ln_items: list[str] = []
    ln_lines: set[int] = set()
    if draw(st.booleans()):
        for _ in range(draw(st.integers(1, 3))):
            if region and draw(st.booleans()):
                ln_items.append("r")
                ln_lines |= region_lines
            else:
                start = draw(st.integers(1, total))
                end = draw(st.integers(start, total))
                ln_items.append(f"{start}:{end}" if end > start else str(start))
                ln_lines |= set(range(start, end + 1))
    else:
        ln_lines = set(range(1, total + 1))
    visible_code = sorted(code_lines & ln_lines)
    if not visible_code:  # ln[...] on blank lines only is an error
        ln_items, ln_lines = [], set(range(1, total + 1))
        visible_code = sorted(code_lines)

    hl_items: list[str] = []
    hl_lines: set[int] = set()
    for _ in range(draw(st.integers(0, 3))):
        if region and code_lines & region_lines <= ln_lines and draw(st.booleans()):
            hl_items.append("r")
            hl_lines |= region_lines
            continue
        first = draw(st.integers(0, len(visible_code) - 1))
        last = draw(st.integers(first, len(visible_code) - 1))
        start, end = visible_code[first], visible_code[last]
        if not code_lines & set(range(start, end + 1)) <= ln_lines:
            end = start  # the range would take in code that is not shown
        hl_items.append(f"{start}:{end}" if end > start else str(start))
        hl_lines |= set(range(start, end + 1))

    options = ""
    if hl_items:
        options += f" hl[{','.join(hl_items)}]"
    if ln_items:
        options += f" ln[{','.join(ln_items)}]"
    return lines, f"{{* docs_src/p/x.py{options} *}}", hl_lines


@FAST
@given(case=selections())
def test_valid_selections_highlight_exactly_the_selected_shown_lines(
    tmp_path_factory: pytest.TempPathFactory,
    case: tuple[list[str], str, set[int]],
) -> None:
    lines, line, hl_lines = case
    root = tmp_path_factory.getbasetemp() / "selections"
    write(root, "docs_src/p/x.py", "\n".join(lines) + "\n")
    rendered = expand(line, page=PAGE, root=root)

    header, *shown, closing = rendered.split("\n")
    assert closing == "```"
    found = re.search(r'hl_lines="([\d -]*)"', header)
    positions = set()
    for part in found[1].split() if found else []:
        start, _, end = part.partition("-")
        positions |= set(range(int(start), int(end or start) + 1))

    markers = {f"# {ENGLISH[key]}": key for key in ENGLISH if key.startswith("code")}
    number_of = {text: number for number, text in enumerate(lines, start=1)}
    file_lines = [number_of.get(text) for text in shown]
    shown_numbers = {number for number in file_lines if number}
    code = {n for n in range(1, len(lines) + 1) if lines[n - 1].strip()}

    # Highlighted: exactly the selected lines that are shown.
    assert {file_lines[p - 1] for p in positions} == hl_lines & shown_numbers
    # All selected code is shown, and nothing but the selection (and blanks).
    assert hl_lines & code <= shown_numbers
    directive = parse_directive(line, PAGE, 1)
    if directive.ln is not None:
        ln_lines = set()
        for start, end in directive.ln.ranges:
            ln_lines |= set(range(start, end + 1))
        if directive.ln.regions:
            first, last = lines.index("# region r") + 2, lines.index("# endregion")
            ln_lines |= set(range(first, last + 1))
        assert ln_lines & code <= shown_numbers
        assert shown_numbers - ln_lines <= set(range(1, len(lines) + 1)) - code
    # Every shown line is a file line or a marker where code is left out.
    assert all(
        number or text in markers
        for number, text in zip(file_lines, shown, strict=True)
    )
    numbered = [number for number in file_lines if number]
    assert (markers.get(shown[0]) == "code_above") == bool(
        code & set(range(1, numbered[0]))
    )
    assert (markers.get(shown[-1]) == "code_below") == bool(
        {n for n in code if n > numbered[-1]}
    )
    gaps = sum(1 for a, b in pairwise(numbered) if b != a + 1)
    assert sum(1 for text in shown if markers.get(text) == "code_between") == gaps

    # And pymdownx highlights the same lines.
    [html_block] = code_blocks(to_html(rendered)).blocks
    assert html_block["highlighted"] == positions
    assert [text.strip() for text in str(html_block["text"]).split("\n")] == [
        text.strip() for text in shown
    ]
