"""Structure parity: a translation keeps the skeleton of its English page.

Prose is translated; the skeleton is not. Includes, headings and their
anchors, code blocks, admonition kinds and images must match English, in the
same order, so that every language shows the same code and every link to an
anchor works in every language. Internal links must lead somewhere that
exists: the page in the same language, or its English fallback.

Every problem names both places, the translation's line and the English one,
so a translator can put the two files side by side.
"""

from __future__ import annotations

import difflib
import posixpath
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote

from guidekit.includes import is_directive
from guidekit.translations import (
    BOM,
    SOURCE_LANGUAGE,
    front_matter_lines,
    is_unpublished,
)

FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
FENCE_CLOSE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})[ \t]*$")
HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?:[ \t]+(?P<text>.*?))?[ \t]*$")
ATTR_LIST = re.compile(r"[ \t]*\{:?(?P<attrs>[^{}]*)\}[ \t]*$")
ATTR_ID = re.compile(r"(?:^|\s)#(?P<id>[^\s#}]+)")
ANY_ATTR_LIST = re.compile(r"\{:?(?P<attrs>[^{}*][^{}]*)\}")
HTML_ID = re.compile(r"""\bid=["'](?P<id>[^"']+)["']""")
CLOSING_HASHES = re.compile(r"[ \t]+#+$")
ADMONITION = re.compile(
    r'^[ \t]*(?P<marker>!!!|\?\?\?\+?)[ \t]+(?P<types>[^"\s][^"]*?)?[ \t]*'
    r'(?:"[^"]*")?[ \t]*$'
)
CODE_SPAN = re.compile(r"(?P<ticks>`+)(?!`).+?(?<!`)(?P=ticks)(?!`)")
TARGET = r"(?P<target><[^>\n]*>|[^)\s]+)(?:[ \t]+(?:\"[^\"]*\"|'[^']*'))?[ \t]*\)"
IMAGE = re.compile(r"!\[(?P<alt>(?:[^\]\\]|\\.)*)\]\(" + TARGET)
LINK = re.compile(r"(?<!!)\[(?P<text>(?:[^\]\\]|\\.)*)\]\(" + TARGET)
LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*(?P<target><[^>]*>|\S+)")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
MARKUP_LINK = re.compile(r"!?\[(?P<text>[^\]]*)\]\([^)]*\)")
ID_COUNT = re.compile(r"^(?P<base>.*)_(?P<count>[0-9]+)$")
SHOWN_LENGTH = 72


@dataclass(frozen=True)
class Element:
    """One piece of a page's skeleton, with what must match English."""

    kind: str  # "include", "heading", "code block", "admonition" or "image"
    line: int  # 1-based, in the file (front matter counted)
    shown: str  # how messages quote it
    key: tuple[object, ...] = ()  # equal keys mean "the same" (headings aside)
    level: int = 0  # headings
    anchor: str | None = None  # headings: the explicit { #id }, if any
    title: str = ""  # headings: the text, without anchor or closing hashes
    slug: str = ""  # headings: the id the build gives (explicit or generated)
    language: str = ""  # code blocks: the info string's language
    body: tuple[str, ...] = ()  # code blocks: the lines, without the fence indent


@dataclass(frozen=True)
class Link:
    line: int
    target: str  # as written, e.g. "tutorial.md#install"
    page: str  # the .md part, "" for a link within the page
    anchor: str | None


@dataclass
class Structure:
    elements: list[Element] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    anchors: set[str] = field(default_factory=set)
    last_line: int = 1


@dataclass(frozen=True)
class Problem:
    """One difference from English, located in both files."""

    path: str
    line: int
    message: str
    english_path: str
    english_line: int | None = None

    def __str__(self) -> str:
        english = self.english_path
        if self.english_line is not None:
            english = f"{english}:{self.english_line}"
        return f"{self.path}:{self.line}: {self.message} (English: {english})"


class ParityError(Exception):
    """A page that cannot be read at all."""


# Reading a page ------------------------------------------------------------


def extract(text: str) -> Structure:
    """The skeleton of a Markdown page; front matter is skipped but counted."""
    lines = text.removeprefix(BOM).split("\n")
    last_line = text.count("\n") + (0 if text.endswith("\n") else 1)
    structure = Structure(last_line=max(1, last_line))
    explicit_ids: set[str] = set()
    fence: tuple[str, str, int, str] | None = None  # (fence, indent, line, info)
    body: list[str] = []
    start = front_matter_lines(text)
    for number, raw in enumerate(lines[start:], start=start + 1):
        line = raw.removesuffix("\r")
        if fence is not None:
            closing = FENCE_CLOSE.match(line)
            if closing and _closes(closing["fence"], fence[0]):
                structure.elements.append(_code_block(fence, body))
                fence, body = None, []
            else:
                body.append(line)
            continue
        opening = FENCE_OPEN.match(line)
        if opening and not (opening["fence"][0] == "`" and "`" in opening["info"]):
            fence = (opening["fence"], opening["indent"], number, opening["info"])
            continue
        if is_directive(line):
            shown = line.strip()
            structure.elements.append(Element("include", number, shown, (shown,)))
            continue
        heading = HEADING.match(line)
        if heading:
            element = _heading(number, line, heading)
            structure.elements.append(element)
            if element.anchor:
                explicit_ids.add(element.anchor)
            continue
        admonition = ADMONITION.match(line)
        if admonition and admonition["types"]:
            kind = f"{admonition['marker']} {' '.join(admonition['types'].split())}"
            structure.elements.append(Element("admonition", number, kind, (kind,)))
            continue
        prose = CODE_SPAN.sub(lambda found: " " * len(found[0]), line)
        for image in IMAGE.finditer(prose):
            source = image["target"].strip("<>")
            structure.elements.append(Element("image", number, source, (source,)))
        for target in _link_targets(prose):
            link = _internal_link(number, target)
            if link is not None:
                structure.links.append(link)
        for attrs in ANY_ATTR_LIST.finditer(prose):
            explicit_ids.update(
                found["id"] for found in ATTR_ID.finditer(attrs["attrs"])
            )
        explicit_ids.update(found["id"] for found in HTML_ID.finditer(prose))
    if fence is not None:  # never closed: Markdown runs it to the end of the page
        structure.elements.append(_code_block(fence, body))
    structure.anchors = _with_generated_ids(structure.elements, explicit_ids)
    return structure


def _closes(candidate: str, opening: str) -> bool:
    return candidate[0] == opening[0] and len(candidate) >= len(opening)


def _code_block(fence: tuple[str, str, int, str], body: list[str]) -> Element:
    _, indent, line, info = fence
    language = _info_language(info)
    lines = tuple(_dedent(text, len(indent)) for text in body)
    shown = f"a {language} code block" if language else "a code block"
    return Element(
        "code block", line, shown, (language, lines), language=language, body=lines
    )


def _info_language(info: str) -> str:
    info = info.strip()
    if info.startswith("{"):
        found = re.search(r"\.(?P<name>[\w+#-]+)", info)
        return found["name"] if found else ""
    found = re.match(r"[^\s{]+", info)
    return found[0] if found else ""


def _dedent(text: str, width: int) -> str:
    """Remove the fence's own indentation (inside an admonition, say)."""
    removed = 0
    while removed < width and removed < len(text) and text[removed] in " \t":
        removed += 1
    return text[removed:]


def _heading(number: int, line: str, match: re.Match[str]) -> Element:
    text = match["text"] or ""
    anchor = None
    attrs = ATTR_LIST.search(text)
    if attrs:
        found = ATTR_ID.search(attrs["attrs"])
        anchor = found["id"] if found else None
        text = text[: attrs.start()]
    return Element(
        "heading",
        number,
        line.strip(),
        level=len(match["hashes"]),
        anchor=anchor,
        title=CLOSING_HASHES.sub("", text).strip(),
        slug=anchor or "",  # _with_generated_ids fills in the others
    )


def _with_generated_ids(elements: list[Element], explicit: set[str]) -> set[str]:
    """Give headings without an explicit anchor the id Python-Markdown's toc would."""
    used = set(explicit)
    for index, element in enumerate(elements):
        if element.kind != "heading" or element.anchor:
            continue
        slug = _unique(slugify(_plain(element.title)), used)
        used.add(slug)
        elements[index] = replace(element, slug=slug)
    return used


def slugify(value: str, separator: str = "-") -> str:
    """Python-Markdown's default toc slugify, which MkDocs uses unless told otherwise."""
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(rf"[{separator}\s]+", separator, value)


def _plain(title: str) -> str:
    """A heading's text as toc sees it once rendered: link text, no markup."""
    return MARKUP_LINK.sub(lambda found: found["text"], title).replace("`", "")


def _unique(slug: str, used: set[str]) -> str:
    while slug in used or not slug:
        count = ID_COUNT.match(slug)
        slug = f"{count['base']}_{int(count['count']) + 1}" if count else f"{slug}_1"
    return slug


def _link_targets(prose: str) -> Iterable[str]:
    for link in LINK.finditer(prose):
        yield link["target"]
    definition = LINK_DEFINITION.match(prose)
    if definition:
        yield definition["target"]


def _internal_link(number: int, target: str) -> Link | None:
    """A relative link to a page (``page.md``, ``page.md#id``, ``#id``), else None."""
    target = target.strip("<>")
    if SCHEME.match(target) or target.startswith(("/", "//")):
        return None
    path, hash_sign, anchor = target.partition("#")
    path = path.partition("?")[0]
    if path and not path.endswith(".md"):
        return None
    if not path and not hash_sign:
        return None
    return Link(number, target, unquote(path), unquote(anchor) if hash_sign else None)


# Comparing with English -----------------------------------------------------


def _translation_key(element: Element) -> tuple[object, ...]:
    if element.kind == "heading":
        return ("heading", element.level, element.anchor)
    return (element.kind, *element.key)


def _english_key(element: Element) -> tuple[object, ...]:
    if element.kind == "heading":
        return ("heading", element.level, element.slug)
    return (element.kind, *element.key)


@dataclass
class _Comparison:
    translation: Structure
    english: Structure
    path: str
    english_path: str
    problems: list[Problem] = field(default_factory=list)
    missing: list[tuple[Element, int]] = field(default_factory=list)
    extra: list[tuple[Element, int]] = field(default_factory=list)

    def report(self, line: int, message: str, english_line: int | None) -> None:
        self.problems.append(
            Problem(self.path, line, message, self.english_path, english_line)
        )

    def translation_line(self, index: int) -> int | None:
        """The line of the translation's ``index``-th element; None past the end."""
        elements = self.translation.elements
        return elements[index].line if index < len(elements) else None

    def english_line(self, index: int) -> int:
        elements = self.english.elements
        return elements[index].line if index < len(elements) else self.english.last_line


def compare(
    translation: Structure, english: Structure, path: str, english_path: str
) -> list[Problem]:
    """Every way ``translation``'s skeleton differs from ``english``'s."""
    comparison = _Comparison(translation, english, path, english_path)
    ours = [_translation_key(element) for element in translation.elements]
    theirs = [_english_key(element) for element in english.elements]
    matcher = difflib.SequenceMatcher(a=theirs, b=ours, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            _compare_block(comparison, i1, i2, j1, j2)
    _report_unmatched(comparison)
    return comparison.problems


def _compare_block(comparison: _Comparison, i1: int, i2: int, j1: int, j2: int) -> None:
    """Pair what differs by kind, so a changed include reads as one change."""
    english = comparison.english.elements[i1:i2]
    translation = comparison.translation.elements[j1:j2]
    matcher = difflib.SequenceMatcher(
        a=[element.kind for element in english],
        b=[element.kind for element in translation],
        autojunk=False,
    )
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            for theirs, ours in zip(english[a1:a2], translation[b1:b2], strict=True):
                _compare_pair(comparison, theirs, ours)
            continue
        for offset in range(a1, a2):
            comparison.missing.append((english[offset], j1 + b1))
        for offset in range(b1, b2):
            comparison.extra.append((translation[offset], i1 + a1))


def _compare_pair(comparison: _Comparison, theirs: Element, ours: Element) -> None:
    report = comparison.report
    if ours.kind == "include":
        report(
            ours.line,
            f"include differs from English: expected {theirs.shown!r}, "
            f"found {ours.shown!r}",
            theirs.line,
        )
    elif ours.kind == "heading":
        _compare_headings(comparison, theirs, ours)
    elif ours.kind == "code block":
        _compare_code(comparison, theirs, ours)
    elif ours.kind == "admonition":
        report(
            ours.line,
            f"admonition differs from English: expected {theirs.shown!r}, "
            f"found {ours.shown!r}",
            theirs.line,
        )
    else:
        report(
            ours.line,
            f"image source differs from English: expected {theirs.shown!r}, "
            f"found {ours.shown!r}",
            theirs.line,
        )


def _compare_headings(comparison: _Comparison, theirs: Element, ours: Element) -> None:
    if ours.anchor is None:
        comparison.report(
            ours.line,
            "heading has no explicit anchor, so its generated one would differ "
            f"from English: expected '{{ #{theirs.slug} }}' at its end, "
            f"found {ours.shown!r}",
            theirs.line,
        )
    elif ours.anchor != theirs.slug:
        comparison.report(
            ours.line,
            f"heading anchor differs from English: expected '{{ #{theirs.slug} }}', "
            f"found '{{ #{ours.anchor} }}'",
            theirs.line,
        )
    if ours.level != theirs.level:
        comparison.report(
            ours.line,
            f"heading level differs from English: expected '{'#' * theirs.level}' "
            f"(level {theirs.level}), found '{'#' * ours.level}' (level {ours.level})",
            theirs.line,
        )


def _compare_code(comparison: _Comparison, theirs: Element, ours: Element) -> None:
    if ours.language != theirs.language:
        comparison.report(
            ours.line,
            "code block language differs from English: expected "
            f"{theirs.language or 'none'!r}, found {ours.language or 'none'!r}",
            theirs.line,
        )
    if ours.body == theirs.body:
        return
    for offset, (expected, found) in enumerate(
        zip(theirs.body, ours.body, strict=False)
    ):
        if expected != found:
            comparison.report(
                ours.line + 1 + offset,
                f"code block differs from English: expected {_short(expected)}, "
                f"found {_short(found)}",
                theirs.line + 1 + offset,
            )
            return
    shared = min(len(theirs.body), len(ours.body))
    if len(ours.body) < len(theirs.body):
        found = "the end of the block"
        expected = _short(theirs.body[shared])
    else:
        found = _short(ours.body[shared])
        expected = "the end of the block"
    comparison.report(
        ours.line + 1 + shared,
        f"code block differs from English: expected {expected}, found {found}",
        theirs.line + 1 + shared,
    )


def _report_unmatched(comparison: _Comparison) -> None:
    """Report what only one side has; the same thing on both sides has moved."""
    extra = list(comparison.extra)
    for theirs, position in comparison.missing:
        moved = next(
            (
                item
                for item in extra
                if _translation_key(item[0]) == _english_key(theirs)
            ),
            None,
        )
        if moved is not None:
            extra.remove(moved)
            comparison.report(
                moved[0].line,
                f"{theirs.kind} out of order: expected {_describe(theirs)} where "
                "English has it, found it here",
                theirs.line,
            )
            continue
        line = comparison.translation_line(position)
        if line is None:
            comparison.report(
                comparison.translation.last_line,
                f"missing {theirs.kind}: expected {_describe(theirs)} by the end "
                "of the page, found none",
                theirs.line,
            )
        else:
            comparison.report(
                line,
                f"missing {theirs.kind}: expected {_describe(theirs)} before this "
                "line, found none",
                theirs.line,
            )
    for ours, position in extra:
        comparison.report(
            ours.line,
            f"extra {ours.kind}: expected none here, found {_describe(ours)}, "
            "which English does not have",
            comparison.english_line(position),
        )


def _describe(element: Element) -> str:
    return element.shown if element.kind == "code block" else repr(element.shown)


def _short(text: str) -> str:
    if len(text) > SHOWN_LENGTH:
        text = text[: SHOWN_LENGTH - 1] + "…"
    return repr(text)


# Links ---------------------------------------------------------------------


@dataclass
class _Site:
    """Pages read once per check, for the anchors links point at."""

    docs: Path
    root: Path
    cache: dict[Path, Structure] = field(default_factory=dict)

    def structure(self, file: Path) -> Structure:
        if file not in self.cache:
            self.cache[file] = extract(read(file, self.root))
        return self.cache[file]

    def display(self, file: Path) -> str:
        return display(file, self.root)


def _check_links(
    site: _Site,
    language: str,
    page: str,
    translation: Structure,
    english: Structure,
) -> list[Problem]:
    """Links in the translation must reach a page, in its language or English."""
    path = site.display(site.docs / language / page)
    english_path = site.display(site.docs / SOURCE_LANGUAGE / page)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, link in enumerate(translation.links):
        occurrence = seen.get(link.target, 0)
        seen[link.target] = occurrence + 1
        english_line = _english_link_line(english, link.target, occurrence, index)
        message = _link_problem(site, language, page, link)
        if message is not None:
            problems.append(
                Problem(path, link.line, message, english_path, english_line)
            )
    return problems


def _english_link_line(
    english: Structure, target: str, occurrence: int, index: int
) -> int | None:
    """The English link this one translates: same target, else same position."""
    lines = [link.line for link in english.links if link.target == target]
    if occurrence < len(lines):
        return lines[occurrence]
    return english.links[index].line if index < len(english.links) else None


def _link_problem(site: _Site, language: str, page: str, link: Link) -> str | None:
    if link.page:
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), link.page))
        if joined == ".." or joined.startswith("../"):
            return (
                f"broken link: expected {link.target!r} to lead to a page inside "
                f"the language folder, found a path that leaves it ({joined})"
            )
        ours = site.docs / language / joined
        theirs = site.docs / SOURCE_LANGUAGE / joined
        target = next(
            (
                file
                for file in (ours, theirs)
                if file.is_file() and not is_unpublished(joined)
            ),
            None,
        )
        if target is None:
            return (
                f"broken link: expected {link.target!r} to be a page in this "
                f"language or in English, found neither {site.display(ours)} "
                f"nor {site.display(theirs)}"
            )
    else:
        target = site.docs / language / page
    if link.anchor is None or link.anchor in site.structure(target).anchors:
        return None
    anchors = site.structure(target).anchors
    close = difflib.get_close_matches(link.anchor, sorted(anchors), n=1)
    hint = f" (did you mean #{close[0]}?)" if close else ""
    return (
        f"broken link: expected an anchor #{link.anchor} in "
        f"{site.display(target)}, found no heading or element with that id{hint}"
    )


# Whole pages ---------------------------------------------------------------


def display(file: Path, root: Path) -> str:
    """A path as people type it: relative to the repository when inside it."""
    try:
        return file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(file)


def read(file: Path, root: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ParityError(
            f"{display(file, root)}: expected UTF-8 text, found a byte that is not "
            f"(at offset {error.start})"
        ) from None


def check_page(docs: Path, language: str, page: str, root: Path) -> list[Problem]:
    """All parity problems of ``docs/<language>/<page>``, in line order."""
    site = _Site(docs, root)
    file = docs / language / page
    english_file = docs / SOURCE_LANGUAGE / page
    path, english_path = site.display(file), site.display(english_file)
    if not english_file.is_file():
        return [
            Problem(
                path,
                1,
                f"translation without an English page: expected {english_path}, "
                "found no such file",
                english_path,
            )
        ]
    translation = site.structure(file)
    english = site.structure(english_file)
    problems = compare(translation, english, path, english_path)
    problems += _check_links(site, language, page, translation, english)
    return sorted(problems, key=lambda problem: problem.line)
