"""The build's page-speed changes: exact HTML in, exact HTML out, and the built site."""

from __future__ import annotations

import hashlib
import json
import re
import struct
import xml.etree.ElementTree as ElementTree
import zlib
from pathlib import Path

import pytest

from guidekit import pagespeed
from tests.conftest import material_assets

# ---------------------------------------------------------------------------
# Code blocks


def test_each_code_block_gets_its_line_count() -> None:
    html = (
        '<pre><span></span><code><span class="n">a</span>\nb\n</code></pre>'
        "<p>x</p>"
        '<pre><code class="language-text">one line</code></pre>'
    )
    assert pagespeed.sized_code(html) == (
        '<pre><span></span><code style="--guide-lines: 2">'
        '<span class="n">a</span>\nb\n</code></pre>'
        "<p>x</p>"
        '<pre><code class="language-text" style="--guide-lines: 1">one line</code></pre>'
    )


def test_inline_code_and_styled_blocks_are_left_alone() -> None:
    html = (
        "<p><code>inline</code></p>"
        '<pre><code style="color: red">a\nb</code></pre>'
        "<pre><codex>not code</codex></pre>"
    )
    assert pagespeed.sized_code(html) == html


@pytest.mark.parametrize(
    ("code", "lines"), [("", 1), ("a", 1), ("a\n", 1), ("a\nb", 2), ("a\n\nb\n", 3)]
)
def test_line_count(code: str, lines: int) -> None:
    assert pagespeed.line_count(code) == lines


# ---------------------------------------------------------------------------
# Images


def png(path: Path, width: int, height: int) -> Path:
    """A real (tiny, grey) PNG file of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    path.write_bytes(
        pagespeed.PNG_SIGNATURE
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


def test_png_size_reads_the_header(tmp_path: Path) -> None:
    assert pagespeed.png_size(png(tmp_path / "a.png", 760, 440)) == (760, 440)
    (tmp_path / "b.png").write_bytes(b"GIF89a" + bytes(30))
    assert pagespeed.png_size(tmp_path / "b.png") is None
    (tmp_path / "c.png").write_bytes(pagespeed.PNG_SIGNATURE)
    assert pagespeed.png_size(tmp_path / "c.png") is None
    assert pagespeed.png_size(tmp_path / "missing.png") is None


def test_images_get_their_size_and_load_lazily(tmp_path: Path) -> None:
    shot = png(tmp_path / "echo.png", 12, 7)
    files = {"../assets/echo.png": shot}
    html = (
        '<p><img alt="The echo page" src="../assets/echo.png" /></p>'
        '<img alt="elsewhere" src="https://example.org/x.png">'
        '<img alt="sized" src="../assets/echo.png" width="5">'
        '<img alt="no source">'
    )
    assert pagespeed.sized_images(html, files.get) == (
        '<p><img alt="The echo page" src="../assets/echo.png" width="12" height="7" '
        'loading="lazy" decoding="async" /></p>'
        '<img alt="elsewhere" src="https://example.org/x.png">'
        '<img alt="sized" src="../assets/echo.png" width="5">'
        '<img alt="no source">'
    )


# ---------------------------------------------------------------------------
# Style sheets and Material's script


def test_small_local_style_sheets_are_inlined(tmp_path: Path) -> None:
    (tmp_path / "small.css").write_text("a { color: red; }\n", encoding="utf-8")
    (tmp_path / "big.css").write_text("a{}" * 10, encoding="utf-8")
    (tmp_path / "font.css").write_text("a { src: url(x.woff) }", encoding="utf-8")
    (tmp_path / "ends.css").write_text("a { content: '</style>' }", encoding="utf-8")
    files = {
        name: tmp_path / name
        for name in ("small.css", "big.css", "font.css", "ends.css")
    }
    links = "".join(
        f'<link rel="stylesheet" href="{name}">'
        for name in ("small.css", "big.css", "font.css", "ends.css", "other.css")
    )
    assert pagespeed.inlined_styles(links, files.get, limit=20) == (
        "<style>a { color: red; }</style>"
        '<link rel="stylesheet" href="big.css">'
        '<link rel="stylesheet" href="font.css">'
        '<link rel="stylesheet" href="ends.css">'
        '<link rel="stylesheet" href="other.css">'
    )


def test_materials_script_is_named_not_loaded_and_no_other() -> None:
    html = (
        '<script src="../assets/javascripts/bundle.a5f9d56c.min.js"></script>'
        '<script src="../assets/javascripts/other.js"></script>'
    )
    assert pagespeed.bundle_address(html) == (
        '<script id="__guide-bundle" type="application/json">'
        '"../assets/javascripts/bundle.a5f9d56c.min.js"</script>'
        '<script src="../assets/javascripts/other.js"></script>'
    )


# ---------------------------------------------------------------------------
# Tables


def test_each_table_without_a_class_gets_a_wrapper_of_its_own() -> None:
    html = (
        "<p>a</p><table>\n<tr><td>1</td></tr>\n</table>"
        '<table align="center"><tr><td>2</td></tr></table><p>b</p>'
    )
    assert pagespeed.wrapped_tables(html) == (
        '<p>a</p><div class="guide-table"><table>\n<tr><td>1</td></tr>\n</table></div>'
        '<div class="guide-table"><table align="center"><tr><td>2</td></tr></table></div>'
        "<p>b</p>"
    )


def test_tables_with_a_class_or_inside_a_table_are_left_alone() -> None:
    html = (
        '<table class="highlighttable"><tr><td><table><tr><td>x</td></tr></table>'
        "</td></tr></table><tablex></tablex>"
    )
    assert pagespeed.wrapped_tables(html) == html


def test_a_table_holding_a_table_is_wrapped_once() -> None:
    html = "<table><tr><td><table><tr><td>x</td></tr></table></td></tr></table></table>"
    assert pagespeed.wrapped_tables(html) == (
        '<div class="guide-table"><table><tr><td><table><tr><td>x</td></tr></table>'
        "</td></tr></table></div></table>"
    )


# ---------------------------------------------------------------------------
# Material's style sheet


def test_rules_that_match_nothing_are_taken_out() -> None:
    css = (
        ".md-typeset table:not([class]){font-size:.64rem}"
        ".md-typeset table:not([class])+*{margin-top:1.5em}"
        ".md-typeset table:not([class]) th{font-weight:700}"
    )
    assert pagespeed.without_dead_rules(css) == (
        ".md-typeset table:not([class]){font-size:.64rem}"
        ".md-typeset table:not([class]) th{font-weight:700}"
    )


@pytest.mark.parametrize("copies", [0, 2])
def test_a_sheet_without_the_rule_exactly_once_is_an_error(copies: int) -> None:
    css = ".md-typeset table:not([class])+*{margin-top:1.5em}" * copies
    with pytest.raises(ValueError) as raised:
        pagespeed.without_dead_rules(css + "a{color:red}")
    assert str(raised.value) == (
        "expected Material's rule .md-typeset table:not([class])+*{margin-top:1.5em} "
        f"once, found it {copies} times "
        "(another version of Material? check pagespeed.DEAD_RULES)"
    )


# ---------------------------------------------------------------------------
# The built site


def test_the_built_tutorial_has_every_change(site: Path) -> None:
    for folder in ("", "ko/"):
        html = (site / folder / "tutorial" / "index.html").read_text(encoding="utf-8")
        blocks = re.findall(r"<pre\b[^>]*>(?:<span></span>)?<code\b[^>]*>", html)
        assert blocks and all('style="--guide-lines: ' in block for block in blocks)
        images = re.findall(r"<img\b[^>]*>", html)
        assert images and all(
            re.search(r' width="\d+" height="\d+" loading="lazy" decoding="async"', img)
            for img in images
        )
        # Only Material's own large sheet is fetched; the small ones are inline.
        sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)">', html)
        assert [Path(sheet).name for sheet in sheets] == [
            next((site / "assets" / "stylesheets").glob("main.*.min.css")).name
        ]
        assert "--guide-lines" in html  # guide.css's rule is in the page
        tables = re.findall(r"(.{0,25})<table>", html)
        assert tables and all(
            before.endswith('<div class="guide-table">') for before in tables
        )
        # <html> carries the polyfill's marks before the body is parsed.
        assert html.index('root.classList.add("js-focus-visible")') < html.index(
            "</head>"
        )
        # Material's script is not loaded by the page but started by the
        # starter after it, once the page is drawn.
        assert not re.search(r'<script src="[^"]*bundle\.[0-9a-f]+\.min\.js"', html)
        address = html.index('<script id="__guide-bundle" type="application/json">')
        assert address < html.index("requestAnimationFrame(function () {")
        sheet = next((site / "assets" / "stylesheets").glob("main.*.min.css"))
        css = sheet.read_text(encoding="utf-8")
        assert ".md-typeset table:not([class])" in css
        assert not any(rule in css for rule in pagespeed.DEAD_RULES)
        # Material's icons are views of one file beside its sheet.
        # (but the one drawn at the top of a page in progress, which keeps its own).
        kept = re.findall(r'(--md-[a-z0-9-]+):url\("data:image/svg', css)
        assert kept == sorted(pagespeed.FIRST_SCREEN_ICONS)
        pointed = re.findall(r'url\("(icons\.[0-9a-f]{8}\.svg)#([a-z0-9-]+)"\)', css)
        assert len(pointed) >= 40 and len({file for file, _ in pointed}) == 1
        sprite = ElementTree.parse(sheet.parent / pointed[0][0]).getroot()
        views = {
            view.get("id") for view in sprite.iter(f"{{{pagespeed.SVG_NAMESPACE}}}view")
        }
        assert views == {view for _, view in pointed}
        # Material's script, with the compile hint; its map, one line down.
        scripts = site / "assets" / "javascripts"
        script = next(scripts.glob("bundle.*.min.js"))
        theme = material_assets() / "javascripts"
        original = (theme / script.name).read_text(encoding="utf-8")
        assert script.read_text(encoding="utf-8") == pagespeed.COMPILE_HINT + original
        source_map = json.loads(
            script.with_name(script.name + ".map").read_text(encoding="utf-8")
        )
        theirs = json.loads(
            (theme / (script.name + ".map")).read_text(encoding="utf-8")
        )
        assert source_map == {**theirs, "mappings": ";" + theirs["mappings"]}
        # The palette is the guide's own, not Material's component.
        assert 'data-md-component="palette"' not in html
        assert html.count('<form class="md-header__option" data-guide-palette>') == 1


# ---------------------------------------------------------------------------
# Material's icons

ICON_24 = "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'><path d='M1 2h3z'/></svg>"
ICON_16 = (
    "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16' fill-rule='evenodd'>"
    "<path d='M0 0h16z'/></svg>"
)


def icon_property(name: str, svg: str) -> str:
    return f'--md-{name}:url("data:image/svg+xml;charset=utf-8,{svg}")'


def test_icons_move_into_one_file_each_a_view_of_its_own() -> None:
    css = (
        f":root{{{icon_property('a-icon', ICON_24)};{icon_property('b-icon', ICON_16)}}}"
        '.x{background:url("../images/x.png")}'
    )
    icons = pagespeed.icons_in_one_file(css)
    assert icons.svg == (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 24">'
        '<view id="md-a-icon" viewBox="0 0 24 24"/>'
        '<view id="md-b-icon" viewBox="32 0 16 16"/>'
        '<svg x="0" y="0" width="24" height="24" viewBox="0 0 24 24"><path d=\'M1 2h3z\'/></svg>'
        '<svg x="32" y="0" width="16" height="16" viewBox="0 0 16 16"'
        " fill-rule='evenodd'><path d='M0 0h16z'/></svg>"
        "</svg>\n"
    )
    digest = hashlib.sha256(icons.svg.encode()).hexdigest()[:8]
    assert icons.name == f"icons.{digest}.svg"
    assert icons.css == (
        f':root{{--md-a-icon:url("{icons.name}#md-a-icon");'
        f'--md-b-icon:url("{icons.name}#md-b-icon")}}'
        '.x{background:url("../images/x.png")}'
    )


def test_css_escapes_in_an_icon_become_the_characters_they_stand_for() -> None:
    svg = ICON_24.replace("<path", "\\3c !-- licence --\\3e <path")
    icons = pagespeed.icons_in_one_file(f":root{{{icon_property('c-icon', svg)}}}")
    assert "<!-- licence --><path d='M1 2h3z'/>" in icons.svg
    assert "\\" not in icons.svg


def test_a_sheet_without_icons_is_left_as_it_is() -> None:
    css = ".md-typeset{font-size:.8rem}"
    assert pagespeed.icons_in_one_file(css) == pagespeed.Icons(css=css, svg="", name="")


def test_an_icon_without_a_view_box_is_an_error() -> None:
    svg = "<svg xmlns='http://www.w3.org/2000/svg' width='24'><path d='M1 2z'/></svg>"
    with pytest.raises(ValueError) as raised:
        pagespeed.icons_in_one_file(f":root{{{icon_property('d-icon', svg)}}}")
    assert str(raised.value) == (
        "expected icon md-d-icon to have a viewBox of four numbers, found none "
        "(another version of Material? check pagespeed.icons_in_one_file)"
    )


def test_icons_that_make_no_well_formed_file_are_an_error() -> None:
    svg = "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'><path d='M1'></svg>"
    with pytest.raises(ValueError) as raised:
        pagespeed.icons_in_one_file(f":root{{{icon_property('e-icon', svg)}}}")
    assert str(raised.value).startswith(
        "the icons do not make a well-formed SVG file: mismatched tag: line 1, column "
    )


def test_icons_kept_where_they_are_stay_in_the_sheet() -> None:
    kept = icon_property("admonition-icon--warning", ICON_16)
    css = f":root{{{icon_property('a-icon', ICON_24)};{kept}}}"
    icons = pagespeed.icons_in_one_file(css)
    assert icons.css == f':root{{--md-a-icon:url("{icons.name}#md-a-icon");{kept}}}'
    assert 'id="md-a-icon"' in icons.svg
    assert "warning" not in icons.svg
    assert pagespeed.icons_in_one_file(kept) == pagespeed.Icons(
        css=kept, svg="", name=""
    )


# ---------------------------------------------------------------------------
# Material's script


def test_the_script_starts_with_the_compile_hint_once() -> None:
    js = '"use strict";(()=>{})();\n//# sourceMappingURL=bundle.0123abcd.min.js.map\n'
    hinted = pagespeed.compiled_on_load(js)
    assert hinted == "//# allFunctionsCalledOnLoad\n" + js
    assert pagespeed.compiled_on_load(hinted) == hinted


def test_the_source_map_moves_one_line_down() -> None:
    source_map = '{\n  "version": 3,\n  "mappings": "AAAA,CAAC;AACA"\n}\n'
    assert pagespeed.map_one_line_down(source_map) == (
        '{\n  "version": 3,\n  "mappings": ";AAAA,CAAC;AACA"\n}\n'
    )


@pytest.mark.parametrize("copies", [0, 2])
def test_a_source_map_without_one_mappings_is_an_error(copies: int) -> None:
    with pytest.raises(ValueError) as raised:
        pagespeed.map_one_line_down("{" + '"mappings": "A",' * copies + "}")
    assert str(raised.value) == (
        f'expected one "mappings" in the source map, found {copies} '
        "(another version of Material? check pagespeed.map_one_line_down)"
    )
