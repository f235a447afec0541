"""PERFORMANCE.md, written from the same data as the JSON results."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from guidekit.benchmarks.core import TIMES, format_value, verdict

SECTION_ORDER = (
    "build",
    "reload",
    "tests",
    "weight",
    "lighthouse",
    "broadcast",
    "scaling",
    "compression",
    "resume",
)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(
    header: Iterable[str], rows: Iterable[Iterable[object]], right: int = 1
) -> list[str]:
    """A Markdown table; columns from ``right`` on are right-aligned."""
    header = list(header)
    align = ["---" if index < right else "---:" for index in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
    return lines


def _value(
    value: float | None, unit: str, bound: float | None = None, unfinished: bool = False
) -> str:
    if unfinished:
        return format_value(math.inf, unit, bound)
    return format_value(value, unit, bound)


def _figure_value(figure: dict[str, Any], key: str) -> str:
    """A summary of a figure; null with runs recorded means a run that never ended."""
    value = figure[key]
    unfinished = value is None and figure["runs"] > 0
    return _value(value, figure["unit"], figure.get("bound"), unfinished)


def machine_lines(machine: dict[str, Any]) -> list[str]:
    packages = machine.get("packages", {})

    def version(name: str) -> str:
        return packages.get(name) or "not installed"

    load = machine.get("load_average")
    rows = [
        ("Date (UTC)", machine.get("date")),
        ("CPU", machine.get("cpu")),
        ("Cores", f"{machine.get('cores')} (usable: {machine.get('usable_cores')})"),
        ("Memory", f"{machine.get('memory_gib')} GiB"),
        (
            "Load average at start",
            ", ".join(f"{x:.2f}" for x in load) if load else "n/a",
        ),
        ("OS", machine.get("os")),
        ("Python", machine.get("python")),
        ("mkdocs", version("mkdocs")),
        ("mkdocs-material", version("mkdocs-material")),
        ("mkdocs-static-i18n", version("mkdocs-static-i18n")),
        ("uvicorn", version("uvicorn")),
        ("websockets", version("websockets")),
        ("FastAPI", version("fastapi")),
        (
            "Playwright / Chromium",
            f"{version('playwright')} / {machine.get('chromium') or 'n/a'}",
        ),
        (
            "redis (client) / server",
            f"{version('redis')} / {machine.get('redis_server') or 'n/a'}",
        ),
        (
            "Commit",
            f"{machine.get('commit') or 'n/a'}"
            + (
                " with uncommitted changes"
                if machine.get("uncommitted_changes")
                else ""
            ),
        ),
    ]
    return table(("Fact", "Value"), rows, right=2)


THIS_RUN = "this run"


def target_lines(
    sections: list[dict[str, Any]], carried: Sequence[Sequence[str]] = ()
) -> list[str]:
    """The targets table; ``carried`` are rows of earlier reports, each with its run."""
    rows: list[Sequence[str]] = []
    for section in sections:
        for target in section["targets"]:
            rows.append(
                (
                    section["title"],
                    target["description"],
                    _value(
                        target["value"],
                        target["unit"],
                        None,
                        target.get("unfinished", False),
                    ),
                    "✅ met"
                    if target["met"]
                    else ("—" if target["met"] is None else "❌ not met"),
                    THIS_RUN,
                )
            )
    if not rows and not carried:
        return ["No targets were measured in this run."]
    return table(
        ("Section", "Target", "Measured", "Verdict", "Measured in"),
        [*rows, *carried],
        right=2,
    )


def figure_lines(section: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    table_of_medians = section["extra"].get("table")
    if table_of_medians:
        lines += table(table_of_medians["header"], table_of_medians["rows"], right=2)
    elif section["figures"]:
        rows = [
            (
                figure["label"],
                figure["runs"],
                _figure_value(figure, "median"),
                _figure_value(figure, "min"),
                _figure_value(figure, "max"),
            )
            for figure in section["figures"]
        ]
        lines += table(("Figure", "Runs", "Median", "Min", "Max"), rows)
    if section["ratios"]:
        rows = [
            (ratio["label"], format_value(ratio["value"], TIMES))
            for ratio in section["ratios"]
        ]
        lines += ["", *table(("Ratio of medians (measured in turns)", "Value"), rows)]
    if section["targets"]:
        rows = [
            (
                target["description"],
                _value(
                    target["value"],
                    target["unit"],
                    None,
                    target.get("unfinished", False),
                ),
                verdict(target["met"]),
            )
            for target in section["targets"]
        ]
        lines += ["", *table(("Target", "Measured", "Verdict"), rows, right=1)]
    return lines


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "n/a"


KINDS = {"once": "once", "step": "every build", "inside": "(inside)"}


def build_extra(section: dict[str, Any]) -> list[str]:
    profile = section["extra"].get("profile")
    if not profile:
        return []
    total = profile["total_seconds"]
    steps = profile["step_seconds"]
    lines = [
        "### Where the time goes { #build-profile }",
        "",
        f"One {profile['build']} build under cProfile: {total:.2f} s profiled. "
        f"Start-up (imports, command line) took {profile['startup_seconds']:.2f} s "
        f"({_share(profile['startup_seconds'], total)}); `mkdocs build` ran "
        f"{profile['builds']} time(s), {profile['build_seconds']:.2f} s in all "
        f"({_share(profile['build_seconds'], total)}): mkdocs-static-i18n runs a "
        "whole build for every language after the first. The steps of a build, "
        f"which every language's build repeats, add up to {steps:.2f} s "
        f"({_share(steps, total)}). The profiler slows pure-Python work (Jinja's "
        "compiler above all) more than C code, so read the shares, not the "
        f"seconds. Full listing: `{profile['files'][-1]}`.",
        "",
    ]
    rows = [
        (
            phase["label"],
            f"`{phase['function']}`",
            KINDS.get(phase["kind"], phase["kind"]),
            phase["calls"],
            f"{phase['seconds']:.2f} s",
            _share(phase["seconds"], total),
        )
        for phase in profile["phases"]
    ]
    lines += table(
        ("Phase", "Function", "Done", "Calls", "Cumulative", "Share"), rows, right=3
    )
    rows = [
        (
            f"`{entry['function']}`",
            entry["calls"],
            f"{entry['own_seconds']:.2f} s",
            f"{entry['seconds']:.2f} s",
            _share(entry["seconds"], total),
        )
        for entry in profile["top"]
    ]
    lines += [
        "",
        "Top functions by cumulative time:",
        "",
        *table(("Function", "Calls", "Own", "Cumulative", "Share"), rows),
    ]
    return lines


def tests_extra(section: dict[str, Any]) -> list[str]:
    whole = section["extra"].get("whole")
    lines = []
    if section["extra"].get("snippet_command"):
        lines += [f"Snippet tests: `{section['extra']['snippet_command']}`.", ""]
    if whole and whole.get("steps"):
        rows = [
            (
                step["name"],
                "pass" if step["passed"] else f"FAIL ({step['status']})",
                f"{step['seconds']:.1f} s",
            )
            for step in whole["steps"]
        ]
        lines += ["Steps of the whole `scripts/test`, as its summary reports them:", ""]
        lines += table(("Step", "Result", "Time"), rows, right=2)
    return lines


def weight_extra(section: dict[str, Any]) -> list[str]:
    first = section["extra"].get("first_run") or {}
    ours, bare = first.get("en"), first.get("bare")
    if not ours or not bare:
        return []
    ours_sizes = dict(ours["responses"])
    bare_sizes = dict(bare["responses"])
    rows = []
    for path in sorted(set(ours_sizes) | set(bare_sizes)):
        mine, theirs = ours_sizes.get(path), bare_sizes.get(path)
        rows.append(
            (
                f"`{path}`",
                format_value(mine, "B") if mine is not None else "—",
                format_value(theirs, "B") if theirs is not None else "—",
            )
        )
    return [
        "What the first load of each English page fetched (first run):",
        "",
        *table(("Response", "Guide", "Bare Material"), rows),
    ]


LIGHTHOUSE_FINDING = [
    "### What cost the time, and what removed it {{ #lighthouse-finding }}",
    "",
    "Most of a page's main-thread time on the phone went to style and "
    "layout, and to Material's script (see the tables below). Found in "
    "Chromium traces (Lighthouse's own, read event by event), in two rounds.",
    "",
    "First, the tutorial:",
    "",
    "- **The light/dark palette, applied twice.** Material's inline script sets "
    "the reader's palette while the header is parsed; its main script then "
    "sets it again once the page has loaded: it marks `<body>` as switching, "
    "sets the colour attributes, reads the header's computed style, writes "
    "the `color-scheme` meta tag and reads again, then removes the mark. Each "
    "of these invalidates the style of every element, so the whole page was "
    "styled three more times. Now the toggle is the guide's own "
    "(`overrides/partials/palette.html`, `guide-palette.html`), with Material's "
    "storage key and format: it applies the palette right after the header, "
    "before the article exists, and again only when the reader switches.",
    "- **Highlighted code.** One element per token: {code} of the English "
    "tutorial's {dom} elements. Each code block now has `content-visibility: "
    "auto`, with its height reserved from its line count, written by the "
    "build (`guidekit/pagespeed.py`): blocks off screen are not styled or "
    "laid out until the reader nears them, and nothing moves when they are.",
    "- **The page drawn late.** Material's script runs at the end of the "
    "body, before the first paint, and two more style sheets (the palette's "
    "and the guide's) each cost a round trip before anything is drawn. The "
    "script was then loaded with `defer`, and style sheets under 16 KiB are "
    "inlined by the build. Images carry their size and load lazily.",
    "",
    "Then the short pages (security, scaling, broadcasting), whose total "
    "blocking time was up to four times bare Material's:",
    "",
    "- **Material's script and all the work it starts, as one task.** A "
    "script loaded with `defer` runs once the page is parsed, and Chromium "
    "fires `DOMContentLoaded` in the same task, right after it; Material "
    "starts everything (header, code blocks and their copy buttons, search, "
    "tabs) on that event. Evaluating the script and that start-up are each a "
    "long task on the phone; with `defer` they were one, twice as long "
    "(bare Material's script, at the end of the body, blocks the parser, so "
    "its evaluation and its start-up fall in two tasks, and both before its "
    "later first paint, where they do not count as blocking). Loaded with "
    "`async` instead, the script was evaluated in a task of its own, but "
    "could arrive and run before the first paint, which then waited for it. "
    "Now the build leaves only the script's address in the page "
    "(`#__guide-bundle`, `guidekit/pagespeed.py`), and "
    "`overrides/partials/javascripts/bundle-start.html` starts the script "
    "once the page's first frame is on screen; it is evaluated in a task of its own and, "
    "as it arrives after `DOMContentLoaded`, the event is fired for it again, "
    "in another task (Material listens for it once, so it never starts "
    "twice; `tests/e2e/test_built_site.py` checks a script that arrives "
    "before and after the page is parsed, and a tab opened in the "
    "background).",
    "- **Measured and left as they are**: Material's check of each code block "
    "for sideways scrolling forces a style and layout update per block, but "
    "with the blocks drawn from the start (`content-visibility` off) the same "
    "work moves to the first thing that reads the layout, and the start-up "
    "is no shorter; leaving out the guide's inlined style sheet, the "
    "language switcher or the blocks' line counts did not shorten it either; blocking the first paint until the page is "
    "parsed (`<link rel=expect>`) made the start-up part of the first paint "
    "and the page slower. The search index is fetched and parsed by "
    "Material's script on the main thread as on bare Material's, in a task "
    "of its own.",
    "",
    "Then every page again, in traces with Chromium's style invalidation "
    "tracking, which name the element and the selector behind each restyle. "
    "Three restyled the whole article, or the whole page, during Material's "
    "evaluation and start-up:",
    "",
    "- **`<html>`'s class.** The focus-visible polyfill in Material's script "
    "adds a class and an attribute to `<html>`. Material's "
    "`table:not([class]) …` rules make any change to an element's class "
    "attribute restyle all it holds; on `<html>`, that is every element of "
    "the page (about a thousand on the tutorial). `overrides/main.html` now "
    "sets both marks while the page is only its head, and the polyfill's "
    "own change is no change.",
    "- **Tables moved into Material's wrapper.** Material's script takes each "
    "table out of the article and puts it back inside a scrolling wrapper. "
    "Because of the rule `.md-typeset table:not([class]) + *`, a child taken "
    "out of or added to an element restyles all the element holds: for a "
    "table, the whole article. The build now puts each table in a "
    '`<div class="guide-table">` of its own (`pagespeed.wrapped_tables`), '
    "so only the table is restyled; Material's wrapper goes inside it.",
    "- **The copy button's bar in each code block.** For the same rule, "
    "adding the bar to a code block restyled all of the block, once per "
    "block. With every table alone in its wrapper, that rule can match "
    "nothing in the guide's pages, so the build takes it out of Material's "
    "style sheet (`pagespeed.DEAD_RULES`; a version of Material without it "
    "fails the build). Without JavaScript, the element after a table keeps "
    "its own top margin instead of 1.5em.",
    "",
    "And one that made the largest paint late on some audits, which put "
    "the Korean home page's median after bare Material's in a run before "
    "this one: the "
    "starter began Material's script right after the first frame's work, "
    "and Chromium put that frame, the one with the article's first "
    "paragraph, on screen only once the script's evaluation had begun; "
    "Lighthouse's simulation then counts the evaluation before the largest "
    "paint. The starter now waits for a second frame, which comes once the "
    "first is shown (`test_materials_script_starts_once_the_first_frame_is_on_screen`). "
    "In traces of the Korean home page with the CPU four times slower, the "
    "paragraph then reached the screen before the evaluation began.",
    "",
    "Then Material's start-up on the tutorial, which set up every code block "
    "at once: a copy button for each, and a check of whether the block scrolls "
    "sideways, each check a forced style and layout update. Material's script "
    "has a flag for this, `content.lazy` (not in its documentation; read in "
    "the script, where it sets up a block only once an `IntersectionObserver` "
    "sees it on screen). It is on in `mkdocs.yml`: the start-up sets up only "
    "the blocks on screen, and a block further down gets its button and its "
    "check when the reader scrolls to it and it is drawn. The page's own "
    "script that checked each block again once it was drawn (skipped by "
    "`content-visibility`, a block measured as not scrolling) is gone. "
    "`tests/e2e/test_built_site.py` checks that a block off screen has no "
    "button yet, that each block gets one on screen, that a late block's "
    "button copies its example whole, and that a keyboard can focus exactly "
    "the blocks that scroll sideways; with a version of Material without the "
    "flag, the first of these fails.",
    "",
    "- **Measured and not kept**: naming the element in Material's content-tab "
    "selectors that end in a bare position (`.tabbed-labels>:nth-child(3)`). "
    "Such a rule is tried on every element, and when a script inserts an "
    "element into a large parent and then reads a size, the browser restyles "
    "the new element's following siblings: a few milliseconds each time. "
    "The start-up only inserts into small parents (a code block, a table's "
    "wrapper), and its style time moved less than it varies between runs. "
    "Nor was Material's system "
    "font stack replaced by the generic families: style and layout were a "
    "little shorter (each family the machine lacks is looked up again for "
    "each new font size), but readers on Apple systems would get another "
    "font.",
    "",
    "Then the work left on the main thread once Material's script had "
    "started, read in Chromium traces by the kind of work (the Turkish and "
    "Korean tutorials, a phone's screen, the CPU at full speed; medians of "
    "the loads stated):",
    "",
    "- **One document per icon.** Material's icons (admonitions, collapsed "
    "blocks, tabs, copy buttons, the navigation's arrows) are SVG images "
    "written into its style sheet as `data:` addresses, and Chromium builds "
    "a document of its own for each SVG image a page draws: nine on the "
    "Turkish tutorial, 20 to 44 ms of the main thread's time in all (three "
    "loads), in the first paint and in Material's start-up. The build now "
    "puts them in one file beside the sheet, each icon a `<view>` of it, "
    "and points each of Material's icon properties at its view "
    "(`pagespeed.icons_in_one_file`): one document, 6 to 14 ms. "
    "`tests/e2e/test_built_site.py` draws every icon both ways and finds "
    "the same pixels, and counts two documents on the tutorial (see the "
    "warning's below), against at least five with Material's own sheet. "
    "One icon keeps its `data:` address: the warning's "
    "(`pagespeed.FIRST_SCREEN_ICONS`). The notice at the top of every page "
    "of a language in progress is a warning, and an icon of the file drawn "
    "on the first screen waits for the file: in the run before this change "
    "(the site at commit `8c367db`), the largest paint of every Persian page "
    "with a notice came at 1,055 to 1,072 ms, against 903 to 1,057 ms on the "
    "other languages' pages. In three audits of the Persian tutorial each, "
    "in turns, with the warning's icon from its own address it came at 952 "
    "to 973 ms, against 1,060 to 1,067 ms from the file.{persian_lcp}",
    "- **Hangul looked up syllable by syllable.** Material's font stack names "
    "no font with Hangul, so Chromium looked for one in the system's "
    "fallback fonts for one syllable after another; on Linux each lookup is "
    "a request to the browser process. On the Korean tutorial that was 504 "
    "lookups, 105 ms of the main thread. `guide.css` now names Korean fonts "
    "after the Latin ones (Apple SD Gothic Neo, Malgun Gothic, Noto Sans "
    "CJK KR, NanumGothic), the ones each system would have picked: no "
    "lookup is left, and layout before Material's script went from 194 to "
    "76 ms (five loads each). Hangul is drawn in the same font as before; "
    "where neither Helvetica nor Arial is installed, as on this machine, "
    "Latin letters in Korean pages now come from the Korean font too "
    "(`tests/e2e/test_typography.py`).",
    "- **Material's functions compiled on the main thread.** V8 compiles a "
    "function the first time it runs, and Material's evaluation and "
    "start-up run most of its functions: 634 were compiled on the main "
    "thread while the tutorial started. The build now starts Material's "
    "script with V8's compile hint, `//# allFunctionsCalledOnLoad` "
    "(Chromium 136 and later; other browsers read a comment), and moves its "
    "source map one line down (`pagespeed.compiled_on_load`): V8 compiles "
    "all of them while the script streams in, on another thread (1,371 "
    "functions there), and 123 are left to the main thread, mostly the "
    "page's own small scripts. On the Turkish tutorial (eight loads each) "
    "the evaluation's task went from 58 to 40 ms and the start-up's from 41 "
    "to 32 ms.",
    "",
    "Two more candidates were measured and left as they are. The variant "
    "tabs in the tutorial's collapsed block cost almost no style or layout "
    "work, closed or open: served with the block open, the Turkish tutorial "
    "styled 1,391 elements against 1,380 and had the same 2,243 layout "
    "objects (medians of four loads each, the CPU four times slower), as a "
    "tab not shown is not drawn and a code block is skipped by "
    "`content-visibility` until it nears the screen. The tutorial's three "
    "screenshots (PNG, 11 to 30 KB) carry their width and height and load "
    "lazily, below the first screen: Lighthouse's audits of the tutorial "
    "fetch none of them, so converting them to WebP would change none of "
    "the figures above.",
    "",
    "A run with `--baseline` shows them together, before and after, below. "
    "What is left is Material's own script: its evaluation, which does no "
    "layout any more and so counts four times its time on the simulated "
    "phone (tasks that lay out count twice), and its start-up, mostly its "
    "code in RxJS, which now lays out only the code blocks on screen; and, "
    "on the longest pages, the first paint and the paints that follow it "
    "while the rest of the page is parsed.{most_blocked} On the Turkish "
    "tutorial, Material's features "
    "(`search.highlight`, `content.tabs.link`, `navigation.footer`) made no "
    "measurable difference when turned off. The other large task is the "
    "first paint itself, whose style and layout stayed about the same "
    "with `content-visibility` on the article's other blocks too, so it "
    "was not kept; nor did hiding every code block's tokens (an "
    "experiment) make a difference that stood out from one audit to the "
    "next, so drawing long blocks in parts was not tried.",
    "",
    "Lighthouse simulates the phone's network from the bytes that crossed "
    "the loopback, so both sites are served compressed (gzip), as static "
    "hosts serve them; uncompressed, the transfer of Material's own style "
    "sheet and script decides every page's first paint, bare Material's too.",
]

# The page whose main-thread work and long tasks the report shows.
SHOWN_PAGE = "en:security"


def _span(values: Sequence[float], unit: str) -> str:
    """``values`` as "low to high unit", or one value when they round alike."""
    low, high = format_value(min(values), unit), format_value(max(values), unit)
    if low == high:
        return low
    return f"{low.removesuffix(' ' + unit)} to {high}"


def persian_lcp(rows: Sequence[dict[str, Any]]) -> str:
    """The Persian pages' largest paint against the other languages', from a run's rows."""

    def lcp(persian: bool) -> list[float]:
        return [
            row["ours"]["lcp"]
            for row in rows
            if (row["language"] == "fa") == persian and "lcp" in row["ours"]
        ]

    if not lcp(True) or not lcp(False):
        return ""
    return (
        " In the run in the table above, with the warning's icon from its own "
        f"address, the Persian pages' largest paint came at {_span(lcp(True), 'ms')} "
        f"(medians), against {_span(lcp(False), 'ms')} on the other languages' pages."
    )


def most_blocked(
    rows: Sequence[dict[str, Any]], figures: Sequence[dict[str, Any]]
) -> str:
    """The page with the most blocking time in a run, with each of its audits."""
    measured = [row for row in rows if "tbt" in row["ours"]]
    if not measured:
        return ""
    row = max(measured, key=lambda row: row["ours"]["tbt"])
    name = f"{row['language']}:{row['page']}.tbt"
    samples = next((f["samples"] for f in figures if f.get("name") == name), [])
    each = ", ".join(format_value(sample, "ms") for sample in samples)
    audits = f", its audits {each}" if samples else ""
    return (
        " The page with the most blocking time in the table above is the "
        f"{row['page']} page in {row['language']}: "
        f"{format_value(row['ours']['tbt'], 'ms')} (the median{audits})."
    )


def lighthouse_extra(section: dict[str, Any]) -> list[str]:
    """Before and after, where the main thread's time went, and why."""
    extra = section["extra"]
    first = extra.get("main_thread") or {}
    dom = (first.get("before-en:tutorial") or first.get("en:tutorial") or {}).get(
        "dom_size"
    )
    code = extra.get("code_elements")
    rows = extra.get("rows") or []
    lines = [
        line.format(
            code=f"{code:,}" if code is not None else "most",
            dom=f"{dom:,.0f}" if dom is not None else "n/a",
            persian_lcp=persian_lcp(rows),
            most_blocked=most_blocked(rows, section.get("figures") or []),
        )
        for line in LIGHTHOUSE_FINDING
    ]
    lines.append("")
    baseline = extra.get("baseline")
    if baseline and baseline.get("rows"):
        lines += [
            f"Before and after, in the same run: the pages as built from "
            f"commit `{baseline['commit']}` (before), as built now (after), and "
            "bare Material, audited in turns (medians):",
            "",
        ]
        rows = []
        for row in baseline["rows"]:
            for key, label, unit in (
                ("score", "score", "count"),
                ("tbt", "TBT", "ms"),
                ("lcp", "LCP", "ms"),
                ("cls", "CLS", "shift"),
            ):
                rows.append(
                    (
                        row["page"],
                        row["language"],
                        label,
                        format_value(row["before"].get(key), unit),
                        format_value(row["after"].get(key), unit),
                        format_value(row["bare"].get(key), unit),
                    )
                )
        lines += table(
            ("Page", "Language", "Figure", "Before", "After", "Bare Material"),
            rows,
            right=3,
        )
        lines.append("")
    language, _, page = SHOWN_PAGE.partition(":")
    headers = {
        f"before-{SHOWN_PAGE}": "Before",
        SHOWN_PAGE: "Guide",
        f"bare-{SHOWN_PAGE}": "Bare Material",
    }
    shown = [name for name in headers if name in first]
    if shown:
        kinds = sorted(
            {kind for name in shown for kind in first[name]["main_thread"]},
            key=lambda kind: -first[shown[0]]["main_thread"].get(kind, 0.0),
        )
        rows = [
            (
                kind,
                *(
                    format_value(first[name]["main_thread"].get(kind), "ms")
                    for name in shown
                ),
            )
            for kind in kinds
        ]
        lines += [
            f"Main-thread work on the {page} page ({language}), by kind, in the "
            "first audit of each (Lighthouse's simulated phone, four times the "
            "CPU time measured):",
            "",
            *table(("Work", *(headers[name] for name in shown)), rows),
        ]
        tasks = [(headers[name], first[name].get("long_tasks") or []) for name in shown]
        if any(found for _, found in tasks):
            rows = [
                (
                    site,
                    task["source"],
                    f"{task['start']} ms",
                    f"{task['duration']} ms",
                )
                for site, found in tasks
                for task in sorted(found, key=lambda task: task["start"])
            ]
            lines += [
                "",
                "Long tasks (over 50 ms) on the same page, in the same audits, "
                "as Lighthouse simulates them, with the file each is "
                "attributed to:",
                "",
                *table(("Site", "Attributed to", "Start", "Duration"), rows, right=2),
            ]
    return lines


def generic_extra(section: dict[str, Any]) -> list[str]:
    details = section["extra"].get("details")
    if not details:
        return []
    return [f"- {key}: {value}" for key, value in details.items()]


EXTRAS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "build": build_extra,
    "tests": tests_extra,
    "weight": weight_extra,
    "lighthouse": lighthouse_extra,
    "broadcast": generic_extra,
    "scaling": generic_extra,
    "compression": generic_extra,
    "resume": generic_extra,
}

TITLES = {
    "build": "Build",
    "reload": "Live reload",
    "tests": "Tests",
    "weight": "Page weight",
    "lighthouse": "Page speed",
    "broadcast": "Broadcast",
    "scaling": "Across processes",
    "compression": "Compression",
    "resume": "Resuming after a fault",
}


SECTION_NAMES = {title: name for name, title in TITLES.items()}

SECTION_HEADING = re.compile(r"^## \d+\. .* \{ #(?P<name>[a-z-]+) \}$", re.MULTILINE)
NOT_RUN = "Not run this time"


@dataclass
class Earlier:
    """What an earlier PERFORMANCE.md says: its date, commit, sections and targets."""

    date: str = "n/a"
    commit: str = "n/a"
    bodies: dict[str, list[str]] = field(default_factory=dict)
    targets: dict[str, list[list[str]]] = field(default_factory=dict)


def earlier_report(text: str) -> Earlier:
    """Read back a report that ``render`` wrote, to carry over what a run skipped."""
    earlier = Earlier()
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0] == "Date (UTC)":
            earlier.date = cells[1]
        elif len(cells) == 2 and cells[0] == "Commit":
            earlier.commit = cells[1]
        elif len(cells) in (4, 5) and cells[0] in TITLES.values():
            earlier.targets.setdefault(cells[0], []).append(cells)
    headings = list(SECTION_HEADING.finditer(text))
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        body = text[heading.end() : end].strip("\n").splitlines()
        if body and not any(line.startswith(NOT_RUN) for line in body[:3]):
            earlier.bodies[heading["name"]] = body
    return earlier


CARRIED = re.compile(
    r"^\*Not measured in this run: the figures below are from the report of "
    r"(?P<date>.+) \(commit (?P<commit>.+)\)\.\*$"
)


def _notes_and_body(lines: Sequence[str]) -> tuple[list[re.Match[str]], list[str]]:
    """The carried-over notes heading a section's ``lines``, and the rest."""
    notes = []
    for index, line in enumerate(lines):
        found = CARRIED.match(line)
        if found:
            notes.append(found)
        elif line.strip():
            return notes, list(lines[index:])
    return notes, []


def origin(earlier: Earlier, name: str) -> tuple[str, str]:
    """The date and commit of the report that measured section ``name``.

    A section carried over before names that report in its note (the last
    of a stack of them is the oldest); otherwise it is the earlier report.
    """
    notes, _ = _notes_and_body(earlier.bodies.get(name, []))
    if notes:
        return notes[-1]["date"], notes[-1]["commit"]
    return earlier.date, earlier.commit


def carried_body(earlier: Earlier, name: str) -> list[str]:
    """A section's earlier body, headed by one note: the report that measured it."""
    date, commit = origin(earlier, name)
    _, body = _notes_and_body(earlier.bodies[name])
    note = (
        "*Not measured in this run: the figures below are from the report "
        f"of {date} (commit {commit}).*"
    )
    return [note, "", *body]


def carried_target(earlier: Earlier, cells: Sequence[str]) -> list[str]:
    """A target row of an earlier report, with the run that measured it."""
    name = SECTION_NAMES[cells[0]]  # earlier_report keeps only rows of known sections
    if len(cells) == 5 and cells[4] != THIS_RUN:
        return list(cells)
    date, commit = origin(earlier, name)
    return [*cells[:4], f"{date[:10]}, {commit}"]


def render(result: dict[str, Any], previous: str | None = None) -> str:
    """PERFORMANCE.md for one ``scripts/bench`` run (its JSON results).

    With ``previous`` (the report as it was), a section this run left out
    keeps its earlier figures, marked with the date and commit they are from.
    """
    sections = result["sections"]
    earlier = earlier_report(previous) if previous else Earlier()
    run_titles = {TITLES.get(section["name"]) for section in sections}
    carried_targets = [
        carried_target(earlier, cells)
        for title, rows in earlier.targets.items()
        if title not in run_titles
        for cells in rows
    ]
    lines = [
        "# Performance",
        "",
        "<!-- Written by scripts/bench; edit the script, not this file. -->",
        "",
        "Figures from `scripts/bench` (`scripts/bench --only SECTION` for one "
        "section, `--help` for the rest). The machine is small and noisy, so what "
        "counts are the ratios: workloads compared with each other run in turns "
        "(A, B, A, B, …) in the same run, and each ratio is of their medians. "
        "Absolute times hold for this machine only. Raw results: "
        f"`{result.get('json', 'build/bench.json')}`.",
        "",
        "## Machine { #machine }",
        "",
        *machine_lines(result["machine"]),
        "",
        "## Targets { #targets }",
        "",
        *target_lines(sections, carried_targets),
        "",
    ]
    number = 0
    for name in SECTION_ORDER:
        number += 1
        title = TITLES[name]
        lines += [f"## {number}. {title} {{ #{name} }}", ""]
        section = next((s for s in sections if s["name"] == name), None)
        if section is None and name in earlier.bodies:
            lines += [*carried_body(earlier, name), ""]
            continue
        if section is None:
            lines += [f"{NOT_RUN}: `scripts/bench --only {name}` runs it.", ""]
            continue
        if section["status"] != "ok":
            lines += [f"**{section['status'].capitalize()}.**", ""]
        body = figure_lines(section)
        if body:
            lines += [*body, ""]
        extra = EXTRAS.get(name, generic_extra)(section)
        if extra:
            lines += [*extra, ""]
        if section["notes"]:
            lines += [f"- {note}" for note in section["notes"]]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
