"""Build-time changes that make a page cheaper for the browser, not for the build.

- ``sized_code`` writes each code block's number of lines on its ``<code>``
  (``style="--guide-lines: N"``). ``guide.css`` lets the browser skip the
  style and layout of code blocks that are off screen
  (``content-visibility: auto``) and reserves their height from that number,
  so the page is as tall before they are drawn as after.
- ``sized_images`` gives each ``<img>`` of a page its width and height, read
  from the file, so nothing moves when it arrives, and lets the browser fetch
  it only when the reader nears it (``loading="lazy"``), leaving the
  bandwidth of the first load to the text and the style sheets.

- ``wrapped_tables`` puts each table Material's script wraps (one without a
  class) inside a ``<div class="guide-table">`` of its own. The script moves
  such a table into its scrolling wrapper; moved out of the article, the
  table's new place restyles everything its old parent holds (Material's
  ``table:not([class]) + *`` rule), and that parent would be the whole
  article. Inside its own ``<div>`` only the table is restyled.
- ``without_dead_rules`` takes out of Material's style sheet the rules that
  can match nothing in these pages but still cost the browser work (see
  ``DEAD_RULES``).
- ``icons_in_one_file`` moves the icons of Material's style sheet (custom
  properties, each an SVG image written in the sheet as a ``data:`` address)
  into one SVG file, each icon a ``<view>`` of it, and points each property at
  its view (``icons.HASH.svg#md-clipboard-icon``). The browser builds a
  document of its own for every SVG image, one for each icon a page shows
  (admonitions, details, tabs, copy buttons, navigation): in a Chromium trace
  of the Turkish tutorial, nine of them, 20 to 44 ms of the main thread's time
  in all. One file is one document, whatever number of icons a page shows.
  The icons in ``FIRST_SCREEN_ICONS`` keep their ``data:`` address: drawn on
  a page's first screen, an icon of the file waits for the file, one more
  round trip before the page's largest paint on Lighthouse's simulated phone.
- ``compiled_on_load`` starts Material's script with V8's explicit compile
  hint (``//# allFunctionsCalledOnLoad``, Chromium 136 and later): the
  browser then compiles all of its functions while the script streams in, on
  a thread of its own, instead of each one on the main thread the first time
  it runs, as the script's evaluation and start-up call most of them.
  ``map_one_line_down`` keeps the script's source map true to it, one line
  lower. Other browsers read a comment.

- ``inlined_styles`` puts small style sheets (Material's palette, the
  guide's own) into the page: each one the browser must fetch before it
  draws anything costs a round trip, more than its few kilobytes do.
- ``bundle_address`` replaces Material's ``<script src>`` with its address
  (``#__guide-bundle``), from which
  ``overrides/partials/javascripts/bundle-start.html`` starts the script once
  the page's first frame is on screen, in a task of its own, apart from the work it
  starts on ``DOMContentLoaded`` (with ``defer`` both were one long task, and
  a script loaded with the page can run before the first paint).

All are pure functions of the HTML and the files it names, so the built site
stays byte for byte the same from one build to the next.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CODE_BLOCK = re.compile(
    r"(?P<start><pre\b[^>]*>(?:<span></span>)?<code)(?P<attrs>(?:\s[^>]*)?)>"
    r"(?P<body>.*?)</code>",
    re.DOTALL,
)
IMAGE = re.compile(r"<img\b(?P<attrs>[^>]*?)\s*/?>")
SRC = re.compile(r'\ssrc="(?P<src>[^"]+)"')
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
STYLESHEET = re.compile(r'<link rel="stylesheet" href="(?P<href>[^"]+)">')
# Larger sheets stay files of their own, fetched once and cached for every page.
INLINE_LIMIT = 16 * 1024
TABLE_TAG = re.compile(r"<(?P<end>/?)table\b(?P<attrs>[^>]*)>")
TABLE_WRAPPER = '<div class="guide-table">'
# Rules of Material's main style sheet that can match nothing in the guide's
# pages. ".md-typeset table:not([class]) + *" styles what follows a table,
# and every table is alone in its .guide-table (wrapped_tables), then in
# Material's wrapper; without JavaScript, the element after a table keeps
# its own margin. Such a rule still costs: with "*" after "+", adding any
# child to any element makes the browser restyle all the element holds, and
# Material's script adds a child (the copy button's bar) to each code block.
DEAD_RULES = (".md-typeset table:not([class])+*{margin-top:1.5em}",)
# A custom property whose value is one SVG image, written out in the sheet.
SHEET_ICON = re.compile(
    r'(?P<name>--md-[a-z0-9-]+):url\("data:image/svg\+xml;charset=utf-8,'
    r'(?P<svg><svg\b[^"]*?</svg>)"\)'
)
CSS_ESCAPE = re.compile(
    r"\\(?:(?P<hex>[0-9a-fA-F]{1,6})[ \t\n]?|(?P<char>.))", re.DOTALL
)
SVG_ROOT = re.compile(r"<svg\b(?P<attrs>[^>]*)>(?P<body>.*)</svg>", re.DOTALL)
SVG_ATTRIBUTE = re.compile(
    r"""\s(?P<name>[a-zA-Z:-]+)=(?P<quote>['"])(?P<value>.*?)(?P=quote)"""
)
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
# The notice that heads every untranslated or outdated page (notices.py) is a
# warning, on the first screen of every page of a language in progress.
FIRST_SCREEN_ICONS = frozenset({"--md-admonition-icon--warning"})
# Space between two icons of the file, in its units, so that no edge of one
# is drawn in the view of the next.
ICON_GAP = 8
COMPILE_HINT = "//# allFunctionsCalledOnLoad\n"
MAPPINGS = re.compile(r'"mappings"\s*:\s*"')
BUNDLE = re.compile(
    r'<script src="(?P<src>[^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js)"></script>'
)


def line_count(code: str) -> int:
    """Lines shown by a ``<code>`` block's HTML (a final newline starts none)."""
    lines = code.count("\n")
    return lines if code.endswith("\n") else lines + 1


def _with_lines(match: re.Match[str]) -> str:
    attrs = match["attrs"]
    if "style=" in attrs:
        return match.group(0)  # a block styled by its author keeps its style
    lines = line_count(match["body"])
    return (
        f'{match["start"]}{attrs} style="--guide-lines: {lines}">{match["body"]}</code>'
    )


def sized_code(html: str) -> str:
    """``html`` with each ``<pre><code>`` block's line count in a CSS variable."""
    return CODE_BLOCK.sub(_with_lines, html)


def png_size(path: Path) -> tuple[int, int] | None:
    """Width and height of a PNG file, from its header; None for anything else."""
    try:
        with path.open("rb") as file:
            head = file.read(24)
    except OSError:
        return None
    if len(head) < 24 or not head.startswith(PNG_SIGNATURE) or head[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return width, height


ImageFinder = Callable[[str], Path | None]


def sized_images(html: str, find: ImageFinder) -> str:
    """``html`` with width, height and lazy loading on each ``<img>``.

    ``find`` turns an image's ``src`` into its file (None when it is not one
    of the site's). An image that already has a width or height, or whose
    size cannot be read, keeps its attributes as they are.
    """

    def sized(match: re.Match[str]) -> str:
        attrs = match["attrs"]
        source = SRC.search(attrs)
        if source is None or re.search(r"\s(width|height|loading)=", attrs):
            return match.group(0)
        path = find(source["src"])
        size = png_size(path) if path is not None else None
        if size is None:
            return match.group(0)
        width, height = size
        return (
            f'<img{attrs} width="{width}" height="{height}" '
            'loading="lazy" decoding="async" />'
        )

    return IMAGE.sub(sized, html)


def wrapped_tables(html: str) -> str:
    """``html`` with each outermost ``<table>`` without a class in a ``<div>`` of its own.

    A table with a class is not Material's to wrap, and a table inside
    another moves with it.
    """
    out: list[str] = []
    depth = 0
    wrapping = False
    position = 0
    for match in TABLE_TAG.finditer(html):
        out.append(html[position : match.start()])
        position = match.end()
        if not match["end"]:
            if depth == 0 and not re.search(r"\sclass=", match["attrs"]):
                wrapping = True
                out.append(TABLE_WRAPPER)
            depth += 1
            out.append(match.group(0))
            continue
        out.append(match.group(0))
        depth = max(depth - 1, 0)
        if depth == 0 and wrapping:
            wrapping = False
            out.append("</div>")
    out.append(html[position:])
    return "".join(out)


def without_dead_rules(css: str) -> str:
    """Material's main style sheet without ``DEAD_RULES``.

    Each rule must be there exactly once, as written: a sheet from another
    version of Material raises ValueError, so that the rules get checked
    again rather than silently kept.
    """
    for rule in DEAD_RULES:
        found = css.count(rule)
        if found != 1:
            raise ValueError(
                f"expected Material's rule {rule} once, found it {found} times "
                "(another version of Material? check pagespeed.DEAD_RULES)"
            )
        css = css.replace(rule, "")
    return css


def css_unescaped(text: str) -> str:
    """The characters a CSS string stands for (``\\3c `` is ``<``)."""

    def character(match: re.Match[str]) -> str:
        if match["hex"] is not None:
            return chr(int(match["hex"], 16))
        return "" if match["char"] == "\n" else match["char"]

    return CSS_ESCAPE.sub(character, text)


@dataclass(frozen=True)
class Icons:
    """Material's sheet with its icons in one SVG file."""

    css: str
    svg: str  # the file's text; empty when the sheet holds no icon
    name: str  # the file's name, beside the sheet: icons.HASH.svg


def _view_box(name: str, attrs: str) -> tuple[str, float, float, str]:
    """An icon's viewBox, width and height, and its root's other attributes."""
    box: list[str] = []
    others: list[str] = []
    for match in SVG_ATTRIBUTE.finditer(attrs):
        if match["name"] == "viewBox":
            box = match["value"].split()
        elif match["name"] != "xmlns":
            others.append(match.group(0))
    if len(box) != 4:
        raise ValueError(
            f"expected icon {name} to have a viewBox of four numbers, found "
            f"{' '.join(box) or 'none'} (another version of Material? "
            "check pagespeed.icons_in_one_file)"
        )
    return " ".join(box), float(box[2]), float(box[3]), "".join(others)


def _number(value: float) -> str:
    return f"{value:g}"


def icons_in_one_file(css: str, kept: frozenset[str] = FIRST_SCREEN_ICONS) -> Icons:
    """``css`` with each icon property but the ``kept`` ones pointing at its view of one SVG file.

    Each icon keeps its own units: it is drawn at its own place of the file,
    with its own ``viewBox``, and its view shows exactly that place, so it is
    drawn as it was. An icon without a ``viewBox``, or a file that is not
    well-formed XML, raises ValueError.
    """
    found = [match for match in SHEET_ICON.finditer(css) if match["name"] not in kept]
    if not found:
        return Icons(css=css, svg="", name="")
    views: list[str] = []
    drawings: list[str] = []
    left = 0.0
    height = 0.0
    for match in found:
        name = match["name"][2:]
        root = SVG_ROOT.fullmatch(css_unescaped(match["svg"]))
        if root is None:
            raise ValueError(f"expected icon {name} to be one <svg> element")
        box, width, tall, attributes = _view_box(name, root["attrs"])
        views.append(
            f'<view id="{name}" viewBox="{_number(left)} 0 {_number(width)} '
            f'{_number(tall)}"/>'
        )
        drawings.append(
            f'<svg x="{_number(left)}" y="0" width="{_number(width)}" '
            f'height="{_number(tall)}" viewBox="{box}"{attributes}>{root["body"]}</svg>'
        )
        left += width + ICON_GAP
        height = max(height, tall)
    svg = (
        f'<svg xmlns="{SVG_NAMESPACE}" viewBox="0 0 {_number(left - ICON_GAP)} '
        f'{_number(height)}">{"".join(views)}{"".join(drawings)}</svg>\n'
    )
    try:
        ElementTree.fromstring(svg)
    except ElementTree.ParseError as error:
        raise ValueError(
            f"the icons do not make a well-formed SVG file: {error}"
        ) from None
    file = f"icons.{hashlib.sha256(svg.encode()).hexdigest()[:8]}.svg"

    def pointed(match: re.Match[str]) -> str:
        if match["name"] in kept:
            return match.group(0)
        return f'{match["name"]}:url("{file}#{match["name"][2:]}")'

    return Icons(css=SHEET_ICON.sub(pointed, css), svg=svg, name=file)


def compiled_on_load(js: str) -> str:
    """``js`` with the hint that its functions are all called as it loads, once."""
    return js if js.startswith(COMPILE_HINT) else COMPILE_HINT + js


def map_one_line_down(source_map: str) -> str:
    """A source map (its JSON text) for its script with one line added at the top.

    In a map's ``mappings``, each ``;`` starts the next line of the script,
    so one more at the start moves every position one line down. A map
    without exactly one ``mappings`` raises ValueError.
    """
    found = len(MAPPINGS.findall(source_map))
    if found != 1:
        raise ValueError(
            f'expected one "mappings" in the source map, found {found} '
            "(another version of Material? check pagespeed.map_one_line_down)"
        )
    return MAPPINGS.sub(lambda match: match.group(0) + ";", source_map)


StyleFinder = Callable[[str], Path | None]


def inlined_styles(html: str, find: StyleFinder, limit: int = INLINE_LIMIT) -> str:
    """``html`` with each small local style sheet's text in a ``<style>``.

    ``find`` turns a ``href`` into its file (None when it is not the site's).
    A sheet stays linked when it is larger than ``limit`` bytes, or names other
    files with ``url(...)`` or ``@import`` (their paths are relative to the
    sheet, not to the page), or holds ``</`` (it would end the element).
    """

    def inline(match: re.Match[str]) -> str:
        path = find(match["href"])
        if path is None or path.stat().st_size > limit:
            return match.group(0)
        css = path.read_text(encoding="utf-8")
        if "url(" in css or "@import" in css or "</" in css:
            return match.group(0)
        return f"<style>{css.strip()}</style>"

    return STYLESHEET.sub(inline, html)


def bundle_address(html: str) -> str:
    """``html`` with Material's script named in ``#__guide-bundle``, not loaded."""
    return BUNDLE.sub(
        lambda match: (
            '<script id="__guide-bundle" type="application/json">'
            f"{json.dumps(match['src'])}</script>"
        ),
        html,
    )
