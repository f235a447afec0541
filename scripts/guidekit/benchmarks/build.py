"""Section "build": how long ``mkdocs build --strict`` takes, and where the time goes.

Three builds of the same project copy, in turns: all four languages, the
Korean preview (``GUIDE_LANG=ko``, what ``scripts/serve --lang ko`` rebuilds)
and English alone (``GUIDE_LANG=en``). Then one full build under cProfile,
summarised by phase: mkdocs-static-i18n builds each language with a whole
``mkdocs build`` of its own, so per-build work is repeated four times.
"""

from __future__ import annotations

import pstats
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guidekit.benchmarks.core import (
    TIMES,
    Context,
    Section,
    alternate,
    display,
    mkdocs_build,
    timed,
)

TITLE = "Build"
RUNS = 5
PREVIEW_LANGUAGE = "ko"
PROFILE = "bench-build.prof"
PROFILE_TEXT = "bench-build-profile.txt"

VARIANTS = (
    # name, GUIDE_LANG, label
    ("full", None, "full build, 4 languages"),
    ("preview", PREVIEW_LANGUAGE, f"preview build, {PREVIEW_LANGUAGE} only"),
    ("english", "en", "English-only build"),
)


@dataclass(frozen=True)
class Phase:
    """Functions whose cumulative time makes up one part of a build.

    ``kind`` is "once" (done once per process), "step" (a step of
    ``mkdocs build``, so repeated by every language's build; steps do not
    overlap) or "inside" (part of the step named in the label).
    """

    label: str
    path: str  # a fragment of the file name, e.g. "mkdocs/commands/build.py"
    function: str
    kind: str = "step"


BUILD = "mkdocs/commands/build.py"
FILES = "mkdocs/structure/files.py"
PLUGINS = "mkdocs/plugins.py"
PHASES = (
    Phase(
        "Load and validate mkdocs.yml", "mkdocs/config/base.py", "load_config", "once"
    ),
    Phase("Every language's `mkdocs build`, in all", BUILD, "build", "once"),
    Phase("Plugins' on_config (Material search, i18n)", PLUGINS, "on_config"),
    Phase("Finding the docs' files", FILES, "get_files"),
    Phase(
        "Listing the theme's files (hidden folders skipped)",
        FILES,
        "add_files_from_theme",
    ),
    Phase("Plugins' on_files (i18n, the guide's fallbacks)", PLUGINS, "on_files"),
    Phase("Markdown to HTML", BUILD, "_populate_page"),
    Phase(
        "… in it: Pygments highlighting", "pygments/__init__.py", "highlight", "inside"
    ),
    Phase(
        "… in it: the guide's includes and notices",
        "guidekit/hooks.py",
        "on_page_markdown",
        "inside",
    ),
    Phase("Copying the theme's assets", FILES, "copy_static_files"),
    Phase("404 page and sitemap", BUILD, "_build_theme_template"),
    Phase("Pages through the theme's templates", BUILD, "_build_page"),
    Phase(
        "… in it: Material search entries",
        "material/plugins/search/plugin.py",
        "on_page_context",
        "inside",
    ),
    Phase(
        "… in the two above: Jinja compiling templates",
        "jinja2/environment.py",
        "compile",
        "inside",
    ),
    Phase(
        "Splitting the search index by language",
        "guidekit/search.py",
        "split_index",
        "once",
    ),
)

SKIPPED_IN_TOP = (
    "<",
    "~",
    "/click/",
    "runpy",
    "mkdocs/__main__.py",
    "mkdocs/plugins.py",
)


STDLIB = re.compile(r"^.*/lib/python3\.\d+/")


def where(key: tuple[str, int, str]) -> str:
    """A profile entry as ``package/module.py:line(function)``, without prefixes."""
    filename, line, function = key
    short = filename.split("site-packages/")[-1]
    if "/scripts/guidekit/" in short:
        short = "scripts/guidekit/" + short.split("/scripts/guidekit/")[-1]
    short = STDLIB.sub("", short)
    return f"{short}:{line}({function})"


def summarise_profile(path: Path, top: int = 15) -> dict[str, Any]:
    """Phases and top functions of a cProfile file, as plain data for the report."""
    stats = pstats.Stats(str(path))
    # (file, line, function) -> (primitive calls, calls, own time, cumulative, callers)
    table: dict[tuple[str, int, str], tuple[int, int, float, float, Any]]
    table = stats.stats  # type: ignore[attr-defined]
    total = float(stats.total_tt)  # type: ignore[attr-defined]
    builds = sum(
        calls
        for (filename, _, function), (_, calls, _, _, _) in table.items()
        if filename.endswith("mkdocs/commands/build.py") and function == "build"
    )
    phases = []
    for phase in PHASES:
        calls, cumulative = 0, 0.0
        for (filename, _, function), (_, ncalls, _, cumtime, _) in table.items():
            if function == phase.function and phase.path in filename:
                calls += ncalls
                cumulative += cumtime
        phases.append(
            {
                "label": phase.label,
                "function": f"{phase.path}:{phase.function}",
                "calls": calls,
                "seconds": round(cumulative, 4),
                "share": round(cumulative / total, 4) if total else None,
                "kind": phase.kind,
            }
        )
    ranked = sorted(table.items(), key=lambda item: item[1][3], reverse=True)
    functions = []
    for key, (_, ncalls, tottime, cumtime, _) in ranked:
        if (
            any(fragment in key[0] for fragment in SKIPPED_IN_TOP)
            or cumtime >= total * 0.95
        ):
            continue
        functions.append(
            {
                "function": where(key),
                "calls": ncalls,
                "own_seconds": round(tottime, 4),
                "seconds": round(cumtime, 4),
                "share": round(cumtime / total, 4) if total else None,
            }
        )
        if len(functions) == top:
            break
    seconds = {phase["function"]: phase["seconds"] for phase in phases}
    in_builds = seconds[f"{BUILD}:build"]
    configuration = seconds["mkdocs/config/base.py:load_config"]
    return {
        "total_seconds": round(total, 4),
        "builds": builds,
        "build_seconds": in_builds,
        "startup_seconds": round(max(0.0, total - in_builds - configuration), 4),
        "step_seconds": round(
            sum(phase["seconds"] for phase in phases if phase["kind"] == "step"), 4
        ),
        "phases": phases,
        "top": functions,
    }


def write_profile_text(profile: Path, out: Path, limit: int = 80) -> None:
    with out.open("w", encoding="utf-8") as stream:
        stats = pstats.Stats(str(profile), stream=stream)
        stats.sort_stats("cumulative").print_stats(limit)
        stream.write("\n\nOrdered by own time\n")
        stats.sort_stats("tottime").print_stats(limit)


def run(context: Context) -> Section:
    section = Section("build", TITLE)
    project = context.snapshot()
    runs = context.runs_for(RUNS)

    def workload(name: str, language: str | None):
        def build_once() -> float:
            site = context.temp_dir(f"site-{name}-")
            seconds = timed(lambda: mkdocs_build(project, site, language))
            if language is None:
                context.keep_site(site)  # the page-weight section loads it
            else:
                shutil.rmtree(site, ignore_errors=True)
            return seconds

        return build_once

    measured = alternate(
        [(name, workload(name, language)) for name, language, _ in VARIANTS],
        runs=runs,
        warmup=0 if context.quick else context.warmup,
        progress=lambda message: context.log(f"build: {message}"),
    )
    for name, _, label in VARIANTS:
        section.figures.append(measured.figure(name, label, "s"))
    section.extra["order"] = measured.order
    full = section.add_ratio(
        "full/english", "full build / English-only build", "full", "english"
    )
    preview = section.add_ratio(
        "preview/english",
        f"preview ({PREVIEW_LANGUAGE}) / English-only build",
        "preview",
        "english",
    )
    section.add_target(
        "full-vs-english",
        f"full build ≤ 2{TIMES} English-only",
        full.value,
        "<=",
        2.0,
        TIMES,
    )
    section.add_target(
        "preview-vs-english",
        f"preview build ({PREVIEW_LANGUAGE}) ≤ 1.2{TIMES} English-only",
        preview.value,
        "<=",
        1.2,
        TIMES,
    )
    section.add_target(
        "full-wall",
        "full build < 4 s wall on this machine",
        section.figure("full").median,
        "<",
        4.0,
        "s",
    )

    if context.quick:
        section.notes.append("--quick: no build was profiled")
        return section
    # One full build under cProfile, summarised for the report.
    profile = context.output_dir / PROFILE
    text = context.output_dir / PROFILE_TEXT
    context.output_dir.mkdir(parents=True, exist_ok=True)
    site = context.temp_dir("site-profile-")
    context.log("build: one full build under cProfile")
    mkdocs_build(project, site, profile=profile)
    shutil.rmtree(site, ignore_errors=True)
    write_profile_text(profile, text)
    summary = summarise_profile(profile)
    summary["build"] = "full (4 languages)"
    summary["files"] = [display(profile), display(text)]
    section.extra["profile"] = summary
    section.notes.append(
        f"profile of one full build: {display(text)} "
        "(cProfile slows pure-Python work most; read shares, not seconds)"
    )
    return section
