"""The include directive: one line in a page shows an example from ``docs_src``.

    {* docs_src/<topic>/<example>.py hl[3,8:10,accept] ln[1:12] title["main.py"] *}

This module parses directive lines and renders them to Markdown that
pymdownx (superfences, tabbed, details) turns into highlighted code. It knows
nothing about MkDocs, so another engine can call it the same way.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from guidekit.examples import LANGUAGE, Example, ExampleError, load_example, variants_of

DIRECTIVE_START = re.compile(r"^(?P<indent>[ \t]*)\{\*")
DIRECTIVE = re.compile(r"(?P<indent>[ \t]*)\{\*(?P<body>.*)\*\}\s*")  # fullmatch
OPTION_START = re.compile(r"(?P<name>[A-Za-z_][\w-]*)\[")
QUOTED_END = re.compile(r'"\](?=\s|\Z)')
FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
NUMBER_ITEM = re.compile(r"^(?P<start>[0-9]{1,9})(?::(?P<end>[0-9]{1,9}))?$")
REGION_ITEM = re.compile(r"^[a-z][a-z0-9-]*$")
OPTIONS = ("hl", "ln", "title")
EXPECTED_OPTION = 'an option like hl[...], ln[...] or title["..."]'

LANGUAGES_BY_SUFFIX = LANGUAGE  # kept for callers; examples.LANGUAGE is the one list

ENGLISH: Mapping[str, str] = {
    "variants": "Other versions and variants",
    "without_annotated": "without Annotated",
    "code_above": "Code above omitted 👆",
    "code_between": "Code omitted here",
    "code_below": "Code below omitted 👇",
}


class IncludeError(Exception):
    """A directive that cannot be rendered; the message names page and line."""


@dataclass(frozen=True)
class Selection:
    """The items of ``hl[...]`` or ``ln[...]``: line ranges and region names."""

    ranges: tuple[tuple[int, int], ...] = ()
    regions: tuple[str, ...] = ()
    text: str = ""  # as written between the brackets, for error messages


@dataclass(frozen=True)
class Directive:
    path: str
    line: int
    indent: str = ""
    hl: Selection | None = None
    ln: Selection | None = None
    title: str | None = None


@dataclass
class Rendered:
    """What one example looks like once its selections are applied."""

    lines: list[str]
    highlighted: list[int] = field(default_factory=list)  # 1-based, in `lines`


def is_directive(line: str) -> bool:
    return DIRECTIVE_START.match(line) is not None


def parse_directive(line: str, where: str, number: int) -> Directive:
    """Parse one directive line; ``where`` and ``number`` locate it for errors."""
    at = f"{where}:{number}"
    match = DIRECTIVE.fullmatch(line)
    if match is None:
        raise IncludeError(
            f"{at}: malformed include: expected a line ending in '*}}', "
            f"found {line.strip()!r}"
        )
    parts = match["body"].split(None, 1)
    if not parts:
        raise IncludeError(
            f"{at}: malformed include: expected a path after '{{*', found nothing"
        )
    path, rest = parts[0], parts[1].strip() if len(parts) > 1 else ""
    if any(character in path for character in '[]"'):
        raise IncludeError(
            f"{at}: malformed include: expected a path first, found {path!r}"
        )
    options = _parse_options(rest, at)
    return Directive(
        path=path,
        line=number,
        indent=match["indent"],
        hl=_parse_selection("hl", options.get("hl"), at),
        ln=_parse_selection("ln", options.get("ln"), at),
        title=_parse_title(options.get("title"), at),
    )


def _parse_options(rest: str, at: str) -> dict[str, str]:
    """``hl[...] title["..."]`` -> ``{"hl": "...", "title": '"..."'}``."""
    options: dict[str, str] = {}
    position = 0
    while True:
        while position < len(rest) and rest[position].isspace():
            position += 1
        if position == len(rest):
            return options
        start = OPTION_START.match(rest, position)
        if start is None:
            raise IncludeError(
                f"{at}: malformed include: expected {EXPECTED_OPTION}, "
                f"found {rest[position:]!r}"
            )
        name = start["name"]
        if name not in OPTIONS:
            raise IncludeError(
                f"{at}: unknown option: expected hl[...], ln[...] or title[...], "
                f"found {name}[...]"
            )
        if name in options:
            raise IncludeError(
                f"{at}: duplicate option: expected {name}[...] at most once, "
                "found it twice"
            )
        if rest.startswith('"', start.end()):
            # A quoted value runs to the first '"]' that ends the option, so
            # that a stray quote inside it is reported as such.
            closing = QUOTED_END.search(rest, start.end() + 1)
            end = None if closing is None else closing.start() + 1
        else:
            found = rest.find("]", start.end())
            end = None if found < 0 else found
        if end is None:
            raise IncludeError(
                f"{at}: malformed include: expected ']' to close {name}[...], "
                f"found {rest[position:]!r}"
            )
        options[name] = rest[start.end() : end]
        position = end + 1
        if position < len(rest) and not rest[position].isspace():
            raise IncludeError(
                f"{at}: malformed include: expected a space after {name}[...], "
                f"found {rest[position:]!r}"
            )


def _parse_title(raw: str | None, at: str) -> str | None:
    if raw is None:
        return None
    if len(raw) < 2 or not (raw.startswith('"') and raw.endswith('"')):
        raise IncludeError(
            f'{at}: title[...] expects a quoted string like title["main.py"], '
            f"found title[{raw}]"
        )
    title = raw[1:-1]
    if '"' in title:
        raise IncludeError(
            f"{at}: title[...] expects a title without double quotes, "
            f"found title[{raw}]"
        )
    if not title.strip():
        raise IncludeError(
            f"{at}: title[...] expects a non-empty title, found title[{raw}]"
        )
    return title


def _parse_selection(name: str, raw: str | None, at: str) -> Selection | None:
    if raw is None:
        return None
    if raw.startswith('"'):
        raise IncludeError(
            f"{at}: {name}[...] expects line numbers, ranges or region names, "
            f"found a quoted string {raw}"
        )
    ranges: list[tuple[int, int]] = []
    regions: list[str] = []
    for item in (part.strip() for part in raw.split(",")):
        number = NUMBER_ITEM.match(item)
        if number:
            start = int(number["start"])
            end = int(number["end"] or start)
            if start < 1 or end < start:
                raise IncludeError(
                    f"{at}: {name}[{raw}]: expected a range N:M with 1 <= N <= M, "
                    f"found {item!r}"
                )
            ranges.append((start, end))
        elif REGION_ITEM.match(item):
            regions.append(item)
        else:
            raise IncludeError(
                f"{at}: {name}[{raw}]: expected a line number, a range N:M or a "
                f"region name, found {item!r}"
            )
    return Selection(tuple(ranges), tuple(regions), raw.strip())


def find_directives(markdown: str) -> Iterator[tuple[int, str]]:
    """Yield (0-based index, line) of directive lines outside fenced code."""
    fence: str | None = None
    for index, line in enumerate(markdown.split("\n")):
        opening = FENCE.match(line)
        if fence is None:
            # A backtick fence's info string cannot hold a backtick (CommonMark):
            # such a line is inline code, not a fence.
            if opening and not (opening["fence"][0] == "`" and "`" in opening["info"]):
                fence = opening["fence"]
            elif is_directive(line):
                yield index, line
        elif (
            opening
            and opening["fence"][0] == fence[0]
            and len(opening["fence"]) >= len(fence)
            and not opening["info"].strip()
        ):
            fence = None


def expand(
    markdown: str,
    *,
    page: str,
    root: Path,
    line_offset: int = 0,
    strings: Mapping[str, str] = ENGLISH,
) -> str:
    """Replace every directive in ``markdown`` with the code it names.

    ``line_offset`` is the number of source lines before ``markdown`` starts
    (front matter), so errors point at the line a writer sees in the file.
    The first broken directive in the page is the one reported.
    """
    lines = markdown.split("\n")
    for index, line in list(find_directives(markdown)):
        directive = parse_directive(line, page, index + 1 + line_offset)
        lines[index] = render(directive, root=root, page=page, strings=strings)
    return "\n".join(lines)


def render(
    directive: Directive,
    *,
    root: Path,
    page: str,
    strings: Mapping[str, str] = ENGLISH,
) -> str:
    at = f"{page}:{directive.line}"
    strings = {**ENGLISH, **strings}
    try:
        primary = load_example(root, directive.path)
        shown = select(primary, directive, strings)
        blocks = [
            fenced(primary, shown, directive.title or directive.path, directive.indent)
        ]
        variants = variants_of(root, directive.path)
        if variants:
            blocks.append(
                variant_tabs(primary, variants, directive, strings, directive.indent)
            )
    except (IncludeError, ExampleError) as error:
        raise IncludeError(f"{at}: {error}") from None
    return "\n\n".join(blocks)


def select(
    example: Example,
    directive: Directive,
    strings: Mapping[str, str],
    line_map: Mapping[int, tuple[int, ...]] | None = None,
) -> Rendered:
    """Apply ``ln`` and ``hl`` to one example.

    With ``line_map`` (a variant), numbered lines refer to the primary file and
    are carried over to the variant through the map; regions are looked up in
    the variant itself.
    """
    strings = {**ENGLISH, **strings}
    if directive.ln is None:
        wanted_lines = range(1, len(example.lines) + 1)
    else:
        wanted_lines = _lines_of(example, directive.ln, "ln", line_map)
    shown = _tidy(example, sorted(set(wanted_lines)))
    if not shown:
        if directive.ln is None:
            raise IncludeError(f"expected code in {example.path}, found none")
        if line_map is None:
            raise IncludeError(
                f"ln[{directive.ln.text}]: expected code to show in "
                f"{example.path}, found only blank lines"
            )
        raise IncludeError(
            f"ln[{directive.ln.text}]: expected the lines to show in the variant "
            f"{example.path} too, found none of them there (mark them with a "
            "region in every variant instead)"
        )
    highlighted: list[int] = []
    if directive.hl is not None:
        wanted = set(_lines_of(example, directive.hl, "hl", line_map))
        if line_map is None:
            _check_highlights(example, directive, shown)
        highlighted = sorted(wanted.intersection(shown))
    return _with_markers(example, shown, highlighted, strings)


def _tidy(example: Example, shown: list[int]) -> list[int]:
    """Drop blank lines at both ends of ``shown`` and fill gaps that are blank.

    Pygments strips blank lines at the start and end of a block (``stripnl``),
    which would shift every highlighted line; and a gap of blank lines is
    better shown than marked as omitted code.
    """

    def blank(number: int) -> bool:
        return not example.lines[number - 1].strip()

    while shown and blank(shown[0]):
        shown = shown[1:]
    while shown and blank(shown[-1]):
        shown = shown[:-1]
    tidy: list[int] = []
    for number in shown:
        if tidy and number > tidy[-1] + 1:
            gap = range(tidy[-1] + 1, number)
            if all(blank(missing) for missing in gap):
                tidy.extend(gap)
        tidy.append(number)
    return tidy


def _lines_of(
    example: Example,
    selection: Selection,
    option: str,
    line_map: Mapping[int, tuple[int, ...]] | None,
) -> list[int]:
    total = len(example.lines)
    result: list[int] = []
    for start, end in selection.ranges:
        if line_map is None:
            if end > total:
                raise IncludeError(
                    f"{option}[{_item(start, end)}]: expected lines within "
                    f"{example.path} (1 to {total}), found line {end}"
                )
            result.extend(range(start, end + 1))
        else:
            mapped = [
                target
                for source in range(start, end + 1)
                for target in line_map.get(source, ())
            ]
            if mapped:
                result.extend(range(min(mapped), max(mapped) + 1))
    for name in selection.regions:
        result.extend(_region(example, name, option))
    return result


def _region(example: Example, name: str, option: str) -> range:
    region = example.regions.get(name)
    if region is None:
        known = ", ".join(sorted(example.regions)) or "none"
        raise IncludeError(
            f"{option}[{name}]: expected a region of {example.path} "
            f"(known: {known}), found no '{example.comment_prefix} region {name}'"
        )
    return range(region[0], region[1] + 1)


def _item(start: int, end: int) -> str:
    return str(start) if start == end else f"{start}:{end}"


def _check_highlights(example: Example, directive: Directive, shown: list[int]) -> None:
    """Highlighted ranges start and end on code, and all their code is shown."""
    hl = directive.hl or Selection()
    items: list[tuple[str, Iterable[int]]] = []
    for start, end in hl.ranges:
        item = _item(start, end)
        for edge in sorted({start, end}):
            if not example.lines[edge - 1].strip():
                raise IncludeError(
                    f"hl[{item}]: expected code at {example.path}:{edge}, "
                    "found a blank line (did the code move?)"
                )
        items.append((item, range(start, end + 1)))
    for name in hl.regions:
        items.append((name, _region(example, name, "hl")))
    visible = set(shown)
    for item, numbers in items:
        hidden = [
            number
            for number in numbers
            if number not in visible and example.lines[number - 1].strip()
        ]
        if hidden:  # only with ln[...]: without it, all code is shown
            shown_by = f"ln[{directive.ln.text}]" if directive.ln else "ln[...]"
            raise IncludeError(
                f"hl[{item}]: expected highlighted lines to be shown, found "
                f"{example.path}:{hidden[0]} outside {shown_by}"
            )


def _with_markers(
    example: Example,
    shown: list[int],
    highlighted: list[int],
    strings: Mapping[str, str],
) -> Rendered:
    """The shown lines with a comment wherever code is left out."""

    def code_in(numbers: range) -> bool:
        return any(example.lines[number - 1].strip() for number in numbers)

    lines: list[str] = []
    position: dict[int, int] = {}
    previous = 0
    for number in shown:
        if not previous and code_in(range(1, number)):
            lines.append(example.comment(strings["code_above"]))
        elif previous and number != previous + 1:
            lines.append(example.comment(strings["code_between"]))
        lines.append(example.lines[number - 1])
        position[number] = len(lines)
        previous = number
    if shown and code_in(range(shown[-1] + 1, len(example.lines) + 1)):
        lines.append(example.comment(strings["code_below"]))
    return Rendered(lines, [position[number] for number in highlighted])


def fenced(example: Example, shown: Rendered, title: str, indent: str) -> str:
    if '"' in title:
        raise IncludeError(f'title["{title}"]: expected no double quote in a title')
    runs = re.findall(r"`+", "\n".join(shown.lines))
    fence = "`" * max(3, max(map(len, runs), default=0) + 1)
    attributes = [f'title="{title}"']
    if shown.highlighted:
        attributes.append(f'hl_lines="{_compact(shown.highlighted)}"')
    header = f"{fence}{example.language} {' '.join(attributes)}"
    body = [indent + line if line else "" for line in shown.lines]
    return "\n".join([indent + header, *body, indent + fence])


def variant_tabs(
    primary: Example,
    variants: list[Example],
    directive: Directive,
    strings: Mapping[str, str],
    indent: str,
) -> str:
    annotated_group = primary.annotated or any(v.annotated for v in variants)
    inner = indent + "    "
    parts = [f'{indent}??? info "{strings["variants"]}"']
    for variant in variants:
        line_map = map_lines(primary.lines, variant.lines)
        shown = select(variant, directive, strings, line_map)
        label = variant.python_label
        if annotated_group and not variant.annotated:
            label = f"{label} · {strings['without_annotated']}"
        parts.append(f'{inner}=== "{label}"')
        parts.append(fenced(variant, shown, variant.path, inner + "    "))
    return "\n\n".join(parts)


def map_lines(source: list[str], target: list[str]) -> dict[int, tuple[int, ...]]:
    """Map each 1-based line of ``source`` to the matching lines of ``target``."""
    matcher = difflib.SequenceMatcher(a=source, b=target, autojunk=False)
    mapping: dict[int, tuple[int, ...]] = {}
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for offset in range(i2 - i1):
                mapping[i1 + offset + 1] = (j1 + offset + 1,)
        elif tag == "replace":
            block = tuple(range(j1 + 1, j2 + 1))
            for number in range(i1 + 1, i2 + 1):
                mapping[number] = block
    return mapping


def _compact(numbers: Iterable[int]) -> str:
    """``[1, 2, 3, 7]`` -> ``"1-3 7"``, the form superfences' hl_lines takes."""
    parts: list[str] = []
    run: list[int] = []
    for number in sorted(numbers):
        if run and number == run[-1] + 1:
            run.append(number)
            continue
        if run:
            parts.append(_run_text(run))
        run = [number]
    if run:
        parts.append(_run_text(run))
    return " ".join(parts)


def _run_text(run: list[int]) -> str:
    return str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}"
