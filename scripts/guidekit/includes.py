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

from guidekit.examples import Example, ExampleError, load_example, variants_of

DIRECTIVE_START = re.compile(r"^(?P<indent>[ \t]*)\{\*")
DIRECTIVE = re.compile(r"^(?P<indent>[ \t]*)\{\*(?P<body>.*?)\*\}[ \t]*$")
OPTION = re.compile(r'(?P<name>[A-Za-z_][\w-]*)\[(?P<arg>"[^"\n]*"|[^\]"]*)\]')
FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})")
NUMBER_ITEM = re.compile(r"^(?P<start>\d+)(?::(?P<end>\d+))?$")
REGION_ITEM = re.compile(r"^[a-z][a-z0-9-]*$")
OPTIONS = ("hl", "ln", "title")

LANGUAGES_BY_SUFFIX = {
    ".py": "python",
    ".html": "html",
    ".js": "javascript",
    ".sh": "bash",
    ".toml": "toml",
    ".json": "json",
}

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
    match = DIRECTIVE.match(line)
    if match is None:
        raise IncludeError(
            f"{at}: malformed include: expected a line ending in '*}}', "
            f"found {line.strip()!r}"
        )
    body = match["body"].strip()
    if not body:
        raise IncludeError(
            f"{at}: malformed include: expected a path after '{{*', found nothing"
        )
    path, _, rest = body.partition(" ")
    if "[" in path or '"' in path:
        raise IncludeError(
            f"{at}: malformed include: expected a path first, found {path!r}"
        )
    options: dict[str, str] = {}
    position = 0
    rest = rest.strip()
    while position < len(rest):
        if rest[position].isspace():
            position += 1
            continue
        option = OPTION.match(rest, position)
        if option is None:
            raise IncludeError(
                f"{at}: malformed include: expected an option like hl[...], "
                f"ln[...] or title[\"...\"], found {rest[position:]!r}"
            )
        name = option["name"]
        if name not in OPTIONS:
            raise IncludeError(
                f"{at}: unknown option {name}[...]: expected one of "
                + ", ".join(f"{known}[...]" for known in OPTIONS)
            )
        if name in options:
            raise IncludeError(f"{at}: option {name}[...] is given twice")
        options[name] = option["arg"]
        position = option.end()
    title = None
    if "title" in options:
        raw = options["title"]
        if len(raw) < 2 or not (raw.startswith('"') and raw.endswith('"')):
            raise IncludeError(
                f'{at}: title[...] expects a quoted string like title["main.py"], '
                f"found title[{raw}]"
            )
        title = raw[1:-1]
    return Directive(
        path=path,
        line=number,
        indent=match["indent"],
        hl=_parse_selection("hl", options.get("hl"), at),
        ln=_parse_selection("ln", options.get("ln"), at),
        title=title,
    )


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
    return Selection(tuple(ranges), tuple(regions))


def find_directives(markdown: str) -> Iterator[tuple[int, str]]:
    """Yield (0-based index, line) of directive lines outside fenced code."""
    fence: str | None = None
    for index, line in enumerate(markdown.split("\n")):
        opening = FENCE.match(line)
        if fence is None:
            if opening:
                fence = opening["fence"]
            elif is_directive(line):
                yield index, line
        elif (
            opening
            and opening["fence"][0] == fence[0]
            and len(opening["fence"]) >= len(fence)
            and not line.strip()[len(opening["fence"]) :].strip()
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
    """
    lines = markdown.split("\n")
    for index, line in reversed(list(find_directives(markdown))):
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
    total = len(example.lines)
    if directive.ln is None:
        shown = list(range(1, total + 1))
    else:
        shown = sorted(set(_lines_of(example, directive.ln, "ln", line_map)))
    highlighted: list[int] = []
    if directive.hl is not None:
        wanted = _lines_of(example, directive.hl, "hl", line_map)
        if line_map is None:
            _check_highlights(example, directive.hl, shown)
        highlighted = sorted(set(wanted) & set(shown))
    return _with_markers(example, shown, highlighted, strings)


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
                item = str(start) if start == end else f"{start}:{end}"
                raise IncludeError(
                    f"{option}[{item}]: expected lines within {example.path} "
                    f"(1 to {total}), found line {end}"
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
        region = example.regions.get(name)
        if region is None:
            known = ", ".join(sorted(example.regions)) or "none"
            raise IncludeError(
                f"{option}[{name}]: expected a region of {example.path} "
                f"(known: {known}), found no '# region {name}'"
            )
        result.extend(range(region[0], region[1] + 1))
    return result


def _check_highlights(example: Example, hl: Selection, shown: list[int]) -> None:
    visible = set(shown)
    for start, end in hl.ranges:
        item = str(start) if start == end else f"{start}:{end}"
        for edge in {start, end}:
            if not example.lines[edge - 1].strip():
                raise IncludeError(
                    f"hl[{item}]: expected code at {example.path}:{edge}, "
                    "found a blank line (did the code move?)"
                )
        hidden = [number for number in range(start, end + 1) if number not in visible]
        if hidden:
            raise IncludeError(
                f"hl[{item}]: expected highlighted lines to be shown, found "
                f"{example.path}:{hidden[0]} outside ln[...]"
            )


def _with_markers(
    example: Example,
    shown: list[int],
    highlighted: list[int],
    strings: Mapping[str, str],
) -> Rendered:
    comment = example.comment_prefix
    lines: list[str] = []
    position: dict[int, int] = {}
    previous = 0
    for number in shown:
        if previous == 0 and number > 1:
            lines.append(f"{comment} {strings['code_above']}")
        elif previous and number != previous + 1:
            lines.append(f"{comment} {strings['code_between']}")
        lines.append(example.lines[number - 1])
        position[number] = len(lines)
        previous = number
    if shown and shown[-1] < len(example.lines):
        lines.append(f"{comment} {strings['code_below']}")
    return Rendered(lines, [position[number] for number in highlighted])


def fenced(example: Example, shown: Rendered, title: str, indent: str) -> str:
    if '"' in title:
        raise IncludeError(f'title["{title}"]: expected no double quote in a title')
    longest = max((len(run) for run in re.findall(r"`+", "\n".join(shown.lines))), default=0)
    fence = "`" * max(3, longest + 1)
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
