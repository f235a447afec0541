"""scripts/bench's machinery on tiny fake workloads: structure, never speed.

Nothing here times anything: the checks are the alternation order, the
statistics and ratio maths, the table, the JSON and the report's shape.
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import math
import os
import socket
import threading
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from guidekit import live
from guidekit.benchmarks import (
    build,
    chat_load,
    cli,
    compression,
    core,
    lighthouse,
    reload,
    report,
    scaling,
    suite,
    weight,
)
from guidekit.benchmarks.core import TIMES, Figure, Section, alternate

# ------------------------------------------------------------- statistics


def test_figure_summarises_its_samples() -> None:
    figure = Figure("full", "full build", "s", [3.0, 1.0, 2.0, 10.0])
    assert (figure.runs, figure.median, figure.min, figure.max) == (4, 2.5, 1.0, 10.0)
    assert Figure("empty", "nothing", "s").median is None


def test_unfinished_runs_are_infinite_and_null_in_json() -> None:
    figure = Figure(
        "naive", "naive, stalled", "s", [math.inf, 1.0, math.inf], bound=5.0
    )
    assert figure.median == math.inf and figure.unfinished == 2
    data = figure.to_json()
    assert data["median"] is None and data["min"] == 1.0 and data["max"] is None
    assert data["samples"] == [None, 1.0, None] and data["bound"] == 5.0
    json.dumps(data, allow_nan=False)  # valid JSON: no Infinity


def test_ratio_is_of_the_medians() -> None:
    slow = Figure("a", "a", "s", [4.0, 6.0, 5.0])
    fast = Figure("b", "b", "s", [2.0, 1.0, 3.0, 100.0])
    assert core.ratio_of(slow, fast) == pytest.approx(5.0 / 2.5)
    assert core.ratio_of(slow, Figure("z", "z", "s", [0.0])) is None
    assert core.ratio_of(slow, Figure("e", "e", "s")) is None
    assert core.ratio_of(slow, Figure("i", "i", "s", [math.inf])) is None
    assert core.ratio_of(Figure("i", "i", "s", [math.inf]), fast) == math.inf


def test_section_ratios_and_targets() -> None:
    section = Section("demo", "Demo")
    section.figures += [Figure("a", "a", "s", [3.0]), Figure("b", "b", "s", [2.0])]
    ratio = section.add_ratio("a/b", "a / b", "a", "b")
    assert ratio.value == 1.5
    assert (
        section.add_target("t1", "a ≤ 2 b", ratio.value, "<=", 2.0, TIMES).met is True
    )
    assert (
        section.add_target("t2", "a < 1.5 b", ratio.value, "<", 1.5, TIMES).met is False
    )
    assert section.add_target("t3", "zero", 0.0, "==", 0.0, "requests").met is True
    assert section.add_target("t4", "unknown", None, "<=", 1.0, "s").met is None
    stalled = section.add_target("t5", "stalled", math.inf, "<=", 1.0, "s")
    assert stalled.met is False and stalled.to_json()["unfinished"] is True
    with pytest.raises(ValueError, match="unknown comparison"):
        section.add_target("bad", "bad", 1.0, "~", 1.0, "s")
    with pytest.raises(KeyError):
        section.figure("missing")


def test_percentile_is_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert core.percentile(values, 0.99) == 99.0
    assert core.percentile(values, 0.5) == 50.0
    assert core.percentile([7.0], 0.99) == 7.0
    assert core.percentile([], 0.5) is None


# ------------------------------------------------------------ alternation


def test_workloads_run_in_turns_after_warm_up() -> None:
    calls: list[str] = []

    def workload(name: str, value: float):
        def run() -> float:
            calls.append(name)
            return value

        return run

    result = alternate(
        [
            ("A", workload("A", 1.0)),
            ("B", workload("B", 2.0)),
            ("C", workload("C", 3.0)),
        ],
        runs=3,
        warmup=1,
    )
    assert calls == ["A", "B", "C"] * 4  # one warm-up round, then three
    assert result.order == ["A", "B", "C"] * 3
    assert result.samples == {
        "A": {"": [1.0] * 3},
        "B": {"": [2.0] * 3},
        "C": {"": [3.0] * 3},
    }


def test_workloads_may_measure_several_metrics() -> None:
    counter = iter(range(100))

    def page() -> dict[str, float]:
        n = next(counter)
        return {"bytes": 1000.0 + n, "requests": 12.0}

    result = alternate([("en", page), ("bare", page)], runs=2)
    assert result.order == ["en", "bare", "en", "bare"]
    assert result.samples["en"]["bytes"] == [1000.0, 1002.0]
    assert result.samples["bare"]["bytes"] == [1001.0, 1003.0]
    figure = result.figure("en", "tutorial: bytes", "B", metric="bytes")
    assert figure.name == "en.bytes" and figure.samples == [1000.0, 1002.0]
    assert result.figure("en", "x", "s", metric="missing").samples == []


def test_alternation_reports_progress_and_rejects_nonsense() -> None:
    messages: list[str] = []
    alternate([("A", lambda: 1.0)], runs=2, warmup=1, progress=messages.append)
    assert messages == ["A: warm-up 1/1", "A: run 1/2: value=1", "A: run 2/2: value=1"]
    with pytest.raises(ValueError, match="at least 1"):
        alternate([("A", lambda: 1.0)], runs=0)
    with pytest.raises(ValueError, match="must differ"):
        alternate([("A", lambda: 1.0), ("A", lambda: 2.0)], runs=1)


def test_quick_means_one_run(tmp_path: Path) -> None:
    def context(quick: bool, runs: int | None) -> core.Context:
        return core.Context(quick, runs, 0, tmp_path, tmp_path)

    assert context(True, 9).runs_for(5) == 1
    assert context(False, None).runs_for(5) == 5
    assert context(False, 2).runs_for(5) == 2


def test_timed_measures_the_action() -> None:
    assert core.timed(lambda: None) >= 0


# ----------------------------------------------------------------- output


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (0.4321, "s", "432 ms"),
        (3.456, "s", "3.46 s"),
        (5.25, "ms", "5.2 ms"),
        (523.4, "ms", "523 ms"),
        (2048.0, "B", "2.0 KiB"),
        (1.234, TIMES, f"1.23{TIMES}"),
        (12345.6, "msg/s", "12,346 msg/s"),
        (12.0, "requests", "12"),
        (None, "s", "n/a"),
        (math.inf, "s", "did not finish"),
        (0.5, "widgets", "0.5 widgets"),
    ],
)
def test_values_are_shown_with_their_units(
    value: float | None, unit: str, shown: str
) -> None:
    assert core.format_value(value, unit) == shown


def test_a_stalled_value_names_its_bound() -> None:
    assert core.format_value(math.inf, "s", 15.0) == "stalled (>15 s)"


def demo_sections() -> list[Section]:
    build_section = Section("build", "Build")
    build_section.figures += [
        Figure("full", "full build", "s", [3.0, 3.2, 2.8]),
        Figure("english", "English-only build", "s", [2.0, 2.1, 1.9]),
    ]
    ratio = build_section.add_ratio("full/english", "full / English", "full", "english")
    build_section.add_target(
        "full", f"full ≤ 2{TIMES} English", ratio.value, "<=", 2.0, TIMES
    )
    build_section.add_target("wall", "full < 1 s", 3.0, "<", 1.0, "s")
    stalled = Section("broadcast", "Broadcast")
    stalled.figures.append(
        Figure("naive-stalled", "naive, stalled", "s", [math.inf], 15.0)
    )
    stalled.notes.append("naive stalled")
    return [build_section, stalled]


def test_table_has_figures_ratios_targets_and_notes() -> None:
    text = core.format_table(demo_sections())
    lines = text.splitlines()
    assert lines[0].split() == ["section", "figure", "runs", "median", "min", "max"]
    full = next(line for line in lines if "full build" in line)
    assert full.split()[-7:] == ["3", "3.00", "s", "2.80", "s", "3.20", "s"]
    assert "stalled (>15 s)" in text
    assert f"1.50{TIMES}" in text
    assert any(
        f"full ≤ 2{TIMES} English" in line and line.endswith("met") for line in lines
    )
    assert any("full < 1 s" in line and line.endswith("NOT MET") for line in lines)
    assert lines[-1] == "broadcast [ok]: naive stalled"
    # Figure rows line up: every row of the first block has the same width.
    block = lines[: lines.index("")]
    assert len({len(line) for line in block}) == 1


def test_table_of_nothing_is_empty() -> None:
    assert core.format_table([]) == ""


# ------------------------------------------------------ JSON and the report

MACHINE = {
    "date": "2026-01-01T00:00:00+00:00",
    "cores": 2,
    "usable_cores": 2,
    "cpu": "Test CPU",
    "memory_gib": 4.0,
    "load_average": [0.5, 0.25, 0.1],
    "os": "Linux",
    "python": "3.11.7",
    "packages": {
        "mkdocs": "1.6.1",
        "mkdocs-material": "9.8.1",
        "uvicorn": "0.54.0",
        "websockets": "17.4",
    },
    "chromium": "Chromium 140",
    "redis_server": "Redis server v=7",
    "commit": "abc1234",
    "uncommitted_changes": True,
}


def fake_sections(calls: list[str]) -> dict[str, tuple[str, cli.SectionRunner]]:
    def fast(context: core.Context) -> Section:
        pages = f" pages={','.join(context.pages)}" if context.pages else ""
        calls.append(f"fast quick={context.quick} runs={context.runs_for(4)}{pages}")
        section = Section("fast", "Fast")
        measured = alternate(
            [("A", lambda: 2.0), ("B", lambda: 1.0)], runs=context.runs_for(4)
        )
        section.figures += [
            measured.figure("A", "A", "s"),
            measured.figure("B", "B", "s"),
        ]
        ratio = section.add_ratio("A/B", "A / B", "A", "B")
        section.add_target("ratio", "A ≤ 3 B", ratio.value, "<=", 3.0, TIMES)
        section.extra["order"] = measured.order
        return section

    def broken(context: core.Context) -> Section:
        calls.append("broken")
        raise RuntimeError("the server did not start\nmore lines")

    return {"fast": ("Fast", fast), "broken": ("Broken", broken)}


def test_main_writes_json_and_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[str] = []
    out = tmp_path / "out" / "bench.json"
    performance = tmp_path / "PERFORMANCE.md"
    status = cli.main(
        [
            "--only",
            "fast",
            "--runs",
            "3",
            "--json",
            str(out),
            "--report",
            str(performance),
            "--page",
            "security",
            "--page",
            "ko:home",
        ],
        sections=fake_sections(calls),
        facts=lambda: dict(MACHINE),
    )
    assert status == 0
    assert calls == ["fast quick=False runs=3 pages=security,ko:home"]
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == {
        "schema",
        "command",
        "quick",
        "started",
        "finished",
        "json",
        "machine",
        "sections",
    }
    assert data["quick"] is False and data["machine"]["cores"] == 2
    (section,) = data["sections"]
    assert set(section) == {
        "name",
        "title",
        "status",
        "seconds",
        "figures",
        "ratios",
        "targets",
        "notes",
        "extra",
    }
    assert section["extra"]["order"] == ["A", "B"] * 3
    assert [figure["median"] for figure in section["figures"]] == [2.0, 1.0]
    assert set(section["figures"][0]) == {
        "name", "label", "unit", "runs", "median", "min", "max", "samples", "unfinished", "bound",
    }  # fmt: skip
    assert section["ratios"][0]["value"] == 2.0
    assert section["targets"][0]["met"] is True
    printed = capsys.readouterr().out
    assert "A / B" in printed and f"2.00{TIMES}" in printed
    text = performance.read_text(encoding="utf-8")
    assert "Test CPU" in text and "| Cores | 2 (usable: 2) |" in text
    assert "abc1234 with uncommitted changes" in text
    assert "✅ met" in text
    assert "Not run this time: `scripts/bench --only build` runs it." in text


def test_quick_never_writes_the_report(tmp_path: Path) -> None:
    calls: list[str] = []
    performance = tmp_path / "PERFORMANCE.md"
    status = cli.main(
        [
            "--quick",
            "--only",
            "fast",
            "--json",
            str(tmp_path / "b.json"),
            "--report",
            str(performance),
        ],
        sections=fake_sections(calls),
        facts=lambda: dict(MACHINE),
    )
    assert status == 0 and calls == ["fast quick=True runs=1"]
    assert not performance.exists()
    assert (
        json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["quick"] is True
    )


def test_a_section_that_fails_is_recorded_and_fails_the_run(tmp_path: Path) -> None:
    calls: list[str] = []
    status = cli.main(
        ["--no-report", "--json", str(tmp_path / "b.json")],
        sections=fake_sections(calls),
        facts=lambda: dict(MACHINE),
    )
    assert status == 1
    assert calls == ["fast quick=False runs=4", "broken"]  # the others still ran
    sections = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["sections"]
    assert [(s["name"], s["status"]) for s in sections] == [
        ("fast", "ok"),
        ("broken", "error"),
    ]
    assert sections[1]["notes"] == ["RuntimeError: the server did not start"]


def test_arguments_are_checked(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--only", "nonsense"], sections=fake_sections([]), facts=dict)
    with pytest.raises(SystemExit):
        cli.main(["--runs", "0"], sections=fake_sections([]), facts=dict)


def run_json(sections: list[Section]) -> dict[str, Any]:
    return cli.results_json(
        sections,
        MACHINE,
        quick=False,
        argv=[],
        started="now",
        json_path=Path("build/bench.json"),
    )


def test_report_lists_targets_and_sections_in_order() -> None:
    text = report.render(run_json(demo_sections()))
    assert text.startswith("# Performance\n")
    assert f"| Build | full ≤ 2{TIMES} English | 1.50{TIMES} | ✅ met |" in text
    assert "| Build | full < 1 s | 3.00 s | ❌ not met |" in text
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Machine { #machine }",
        "## Targets { #targets }",
        "## 1. Build { #build }",
        "## 2. Live reload { #reload }",
        "## 3. Tests { #tests }",
        "## 4. Page weight { #weight }",
        "## 5. Page speed { #lighthouse }",
        "## 6. Broadcast { #broadcast }",
        "## 7. Across processes { #scaling }",
        "## 8. Compression { #compression }",
        "## 9. Resuming after a fault { #resume }",
    ]
    assert (
        "| naive, stalled | 1 | stalled (>15 s) | stalled (>15 s) | stalled (>15 s) |"
        in text
    )
    assert "- naive stalled" in text


def test_report_without_targets_says_so() -> None:
    assert "No targets were measured in this run." in report.render(run_json([]))


def test_report_shows_extras_of_sections() -> None:
    tests_section = Section("tests", "Tests")
    tests_section.extra["snippet_command"] = "python -m pytest tests/tutorial"
    tests_section.extra["whole"] = {
        "status": 1,
        "steps": [{"name": "ruff check", "passed": False, "seconds": 1.5, "status": 1}],
    }
    weight_section = Section("weight", "Page weight", status="skipped")
    weight_section.extra["first_run"] = {
        "en": {"responses": [["/tutorial/", 2048], ["/guide.css", 1024]]},
        "bare": {"responses": [["/tutorial/", 2048]]},
    }
    broadcast_section = Section("broadcast", "Broadcast")
    broadcast_section.extra["details"] = {"load": "200 clients"}
    text = report.render(run_json([tests_section, weight_section, broadcast_section]))
    assert "| ruff check | FAIL (1) | 1.5 s |" in text
    assert "| `/guide.css` | 1.0 KiB | — |" in text
    assert "**Skipped.**" in text
    assert "- load: 200 clients" in text


# ---------------------------------------------------------------- sections


def some_work() -> int:
    return sum(len(str(n)) for n in range(2000))


def test_profile_summary_has_phases_and_top_functions(tmp_path: Path) -> None:
    profile = tmp_path / "tiny.prof"
    profiler = cProfile.Profile()
    profiler.runcall(some_work)
    profiler.dump_stats(profile)
    summary = build.summarise_profile(profile, top=3)
    assert set(summary) == {
        "total_seconds", "builds", "build_seconds", "startup_seconds", "step_seconds", "phases", "top",
    }  # fmt: skip
    assert summary["builds"] == 0
    assert [phase["label"] for phase in summary["phases"]] == [
        p.label for p in build.PHASES
    ]
    assert all(phase["calls"] == 0 for phase in summary["phases"])
    assert len(summary["top"]) <= 3
    build.write_profile_text(profile, tmp_path / "tiny.txt", limit=5)
    assert "function calls" in (tmp_path / "tiny.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("filename", "shown"),
    [
        (
            "/x/.venv/lib/python3.11/site-packages/jinja2/environment.py",
            "jinja2/environment.py",
        ),
        (
            "/root/.pyenv/versions/3.11.7/lib/python3.11/html/parser.py",
            "html/parser.py",
        ),
        (
            "/tmp/guide-bench-1/project/scripts/guidekit/hooks.py",
            "scripts/guidekit/hooks.py",
        ),
        ("~", "~"),
    ],
)
def test_profile_entries_are_named_without_prefixes(filename: str, shown: str) -> None:
    assert build.where((filename, 7, "f")) == f"{shown}:7(f)"


def test_build_profile_renders_in_the_report() -> None:
    section = Section("build", "Build")
    section.extra["profile"] = {
        "build": "full (4 languages)",
        "total_seconds": 10.0,
        "builds": 4,
        "build_seconds": 8.0,
        "startup_seconds": 1.5,
        "step_seconds": 6.0,
        "files": ["build/bench-build.prof", "build/bench-build-profile.txt"],
        "phases": [
            {"label": "Listing", "function": "files.py:add", "calls": 4, "seconds": 2.0, "share": 0.2, "kind": "step"},
            {"label": "Jinja", "function": "jinja", "calls": 150, "seconds": 3.0, "share": 0.3, "kind": "inside"},
            {"label": "Configuration", "function": "load_config", "calls": 1, "seconds": 0.5, "share": 0.05, "kind": "once"},
        ],
        "top": [{"function": "a.py:1(f)", "calls": 1, "own_seconds": 0.1, "seconds": 1.0, "share": 0.1}],
    }  # fmt: skip
    text = "\n".join(report.build_extra(section.to_json()))
    assert "`mkdocs build` ran 4 time(s), 8.00 s in all (80%)" in text
    assert "Start-up (imports, command line) took 1.50 s (15%)" in text
    assert "add up to 6.00 s (60%)" in text
    assert "| Listing | `files.py:add` | every build | 4 | 2.00 s | 20% |" in text
    assert "| Jinja | `jinja` | (inside) | 150 | 3.00 s | 30% |" in text
    assert "| Configuration | `load_config` | once | 1 | 0.50 s | 5% |" in text
    assert "| `a.py:1(f)` | 1 | 0.10 s | 1.00 s | 10% |" in text


def test_scripts_test_summary_is_parsed() -> None:
    output = "\n".join(
        [
            "==> summary",
            "PASS  ruff check (0.4s)",
            "FAIL  pytest (Python 3.11.7, coverage of docs_src) (61.2s, exit 1)",
            "NOT RUN  Python 3.10 not found",
            "checks: 1 passed, 1 failed",
        ]
    )
    assert suite.parse_summary(output) == [
        {"name": "ruff check", "passed": True, "seconds": 0.4, "status": 0},
        {"name": "pytest (Python 3.11.7, coverage of docs_src)", "passed": False, "seconds": 61.2, "status": 1},
    ]  # fmt: skip


def test_the_whole_run_keeps_its_temporary_files_in_the_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUIDE_LANG", "ko")
    env = suite.whole_env(tmp_path)
    assert env["TMPDIR"] == str(tmp_path) and "GUIDE_LANG" not in env
    assert suite.snippet_env()["PYTHONDONTWRITEBYTECODE"] == "1"


def test_snippet_dirs_are_the_examples_test_packages(tmp_path: Path) -> None:
    for name in ["tutorial", "scaling", "docs", "guidekit", "e2e", "__pycache__"]:
        (tmp_path / "tests" / name).mkdir(parents=True)
        if name != "__pycache__":
            (tmp_path / "tests" / name / "__init__.py").write_text("")
    assert suite.snippet_dirs(tmp_path) == ["tests/scaling", "tests/tutorial"]
    assert suite.snippet_dirs() == [
        "tests/broadcasting",
        "tests/deploy",
        "tests/resume",
        "tests/scaling",
        "tests/security",
        "tests/tutorial",
    ]


ARTICLE = """<html><body><article class="md-content__inner md-typeset">
  <h1 id="websockets">WebSockets<a class="headerlink" href="#websockets" title="Permanent link">&para;</a></h1>
<p>Text with <code>code</code>.</p>
<div class="highlight"><pre><span></span>line one

line three
</pre></div>
<h2 id="try-it">Try <em>it</em><a class="headerlink" href="#try-it" title="Permanent link">&para;</a></h2>
<p>End.</p>
</article></body></html>"""


def test_article_becomes_markdown_with_the_same_headings() -> None:
    untranslated = ARTICLE.replace('md-typeset">', 'md-typeset" lang="en" dir="ltr">')
    assert weight.article_markdown(untranslated) == weight.article_markdown(ARTICLE)
    markdown = weight.article_markdown(ARTICLE)
    assert markdown.splitlines()[0] == "# WebSockets { #websockets }"
    assert "## Try <em>it</em> { #try-it }" in markdown
    assert "<pre><span></span>line one\n\nline three\n</pre>" in markdown
    assert markdown.endswith("<p>End.</p>\n")
    with pytest.raises(ValueError, match="no <article"):
        weight.article_markdown("<html></html>")


def test_bare_config_is_plain_material_with_the_same_extensions(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Guide\ntheme:\n  name: material\n  custom_dir: overrides\n"
        "plugins:\n  - i18n:\n      build_only_locale: !ENV GUIDE_LANG\n"
        "markdown_extensions:\n  - admonition\n  - toc:\n      permalink: true\n",
        encoding="utf-8",
    )
    import yaml

    config = yaml.safe_load(weight.bare_config(tmp_path))
    assert config["theme"] == {"name": "material", "font": False}
    assert config["markdown_extensions"] == ["admonition", {"toc": {"permalink": True}}]
    assert config["nav"] == weight.DEFAULT_NAV
    assert "plugins" not in config and "hooks" not in config


def test_nav_pages_are_found_in_order_sections_included(tmp_path: Path) -> None:
    nav = [
        {"Home": "index.md"},
        "intro.md",
        {"Guide": [{"A": "guide/a.md"}, "guide/index.md"]},
        {"Out": "https://x"},
    ]
    assert weight.nav_pages(nav) == [
        "index.md",
        "intro.md",
        "guide/a.md",
        "guide/index.md",
    ]
    assert weight.built_page(tmp_path, "index.md") == tmp_path / "index.html"
    assert (
        weight.built_page(tmp_path, "guide/index.md")
        == tmp_path / "guide" / "index.html"
    )
    assert (
        weight.built_page(tmp_path, "guide/a.md")
        == tmp_path / "guide" / "a" / "index.html"
    )


def test_bare_site_has_every_page_of_the_nav(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "docs" / "assets" / "screenshots").mkdir(parents=True)
    (project / "docs" / "assets" / "screenshots" / "a.png").write_bytes(b"png")
    (project / "docs" / "assets" / "screenshots" / "README.md").write_text(
        "x", encoding="utf-8"
    )
    (project / "mkdocs.yml").write_text(
        "site_name: Guide\nnav:\n  - Home: index.md\n  - Tutorial: tutorial.md\n"
        "markdown_extensions:\n  - attr_list\n  - toc:\n      permalink: true\n",
        encoding="utf-8",
    )
    site = tmp_path / "site"
    (site / "tutorial").mkdir(parents=True)
    (site / "tutorial" / "index.html").write_text(ARTICLE, encoding="utf-8")
    (site / "index.html").write_text(
        ARTICLE.replace("WebSockets", "Home"), encoding="utf-8"
    )
    bare = weight.make_bare_site(project, site, tmp_path / "bare")
    page = (bare / "tutorial" / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="try-it">Try <em>it</em>' in page
    assert "line one\n\nline three" in page
    assert 'href="#try-it"' in page  # in the table of contents
    assert (bare / "assets" / "screenshots" / "a.png").is_file()
    assert not (bare / "assets" / "screenshots" / "README").exists()
    index = json.loads(
        (bare / "search" / "search_index.json").read_text(encoding="utf-8")
    )
    assert {doc["location"] for doc in index["docs"]} >= {"", "tutorial/"}


@pytest.mark.parametrize(
    ("url", "foreign"),
    [
        ("http://127.0.0.1:8000/x.css", False),
        ("http://localhost/", False),
        ("data:image/png;base64,AAAA", False),
        ("https://fonts.googleapis.com/css", True),
    ],
)
def test_third_party_means_not_loopback(url: str, foreign: bool) -> None:
    assert weight.is_third_party(url) is foreign


def test_tutorial_paths() -> None:
    assert weight.tutorial_path("en") == "/tutorial/"
    assert weight.tutorial_path("ko") == "/ko/tutorial/"


def test_waiting_for_text_polls_until_it_appears() -> None:
    now = [0.0]
    pages = iter([OSError("rebuilding"), "old page", "new page with MARKER"])

    def fetch(url: str) -> str:
        page = next(pages)
        if isinstance(page, Exception):
            raise page
        return page

    def sleep(seconds: float) -> None:
        now[0] += seconds

    assert reload.wait_for_text("u", "MARKER", 1.0, fetch, lambda: now[0], sleep)
    assert now[0] == pytest.approx(2 * reload.POLL_INTERVAL)
    now[0] = 0.0
    assert not reload.wait_for_text(
        "u", "MARKER", 0.1, lambda url: "old", lambda: now[0], sleep
    )


def test_copy_of_the_project_shares_the_venv(tmp_path: Path) -> None:
    source = tmp_path / "project"
    (source / "docs" / "en").mkdir(parents=True)
    (source / "docs" / "en" / "index.md").write_text("# Home\n", encoding="utf-8")
    (source / "scripts" / "__pycache__").mkdir(parents=True)
    (source / "scripts" / "__pycache__" / "x.pyc").write_bytes(b"")
    (source / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    (source / ".venv").mkdir()
    (source / "tests").mkdir()
    copy = core.copy_project(tmp_path / "copy", source=source)
    assert (copy / "docs" / "en" / "index.md").read_text(encoding="utf-8") == "# Home\n"
    assert (copy / "mkdocs.yml").is_file()
    assert (copy / ".venv").is_symlink() and (copy / ".venv").resolve() == (
        source / ".venv"
    ).resolve()
    assert not (copy / "scripts" / "__pycache__").exists()
    assert not (copy / "tests").exists()


def test_mkdocs_env_selects_the_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIDE_LANG", "tr")
    assert "GUIDE_LANG" not in core.mkdocs_env()
    assert core.mkdocs_env("ko")["GUIDE_LANG"] == "ko"
    assert core.mkdocs_env()["NO_MKDOCS_2_WARNING"] == "1"


def test_machine_facts_have_what_the_report_needs() -> None:
    facts = core.machine_facts()
    assert {"date", "cores", "memory_gib", "python", "packages", "commit"} <= set(facts)
    assert {"mkdocs", "mkdocs-material", "uvicorn", "websockets"} <= set(
        facts["packages"]
    )


def test_redis_version_is_short() -> None:
    assert (
        core._redis_version("Redis server v=7.0.15 sha=00000000:0 bits=64") == "7.0.15"
    )
    assert core._redis_version("something else") == "something else"
    assert core._redis_version(None) is None


def test_scaling_finds_a_redis_backed_app(tmp_path: Path) -> None:
    assert scaling.discover(tmp_path) is None
    folder = tmp_path / "docs_src" / "scaling"
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("", encoding="utf-8")
    (folder / "local.py").write_text("app = object()\n", encoding="utf-8")
    assert scaling.discover(tmp_path) is None
    (folder / "pubsub.py").write_text(
        "import os\nimport redis.asyncio\n"
        "URL = os.environ.get('CHAT_REDIS_URL', 'redis://localhost')\n"
        "app = FastAPI()\n@app.websocket('/chat/{user}')\nasync def chat(): ...\n",
        encoding="utf-8",
    )
    assert scaling.discover(tmp_path) == scaling.RedisApp(
        "docs_src.scaling.pubsub:app", "CHAT_REDIS_URL", "/chat/{client_id}"
    )


# ------------------------------------------------------ the chat load, tiny


def test_messages_carry_their_number_and_send_time() -> None:
    text = f"Client #3 says: {chat_load.message(42, 64)}"
    found = chat_load.MESSAGE.search(text)
    assert found is not None and int(found["seq"]) == 42 and int(found["sent"]) > 0
    assert len(chat_load.message(1, 64)) == 64


async def tiny_chat(
    clients: set[ServerConnection], connection: ServerConnection
) -> None:
    clients.add(connection)
    try:
        async for text in connection:
            await connection.send(f"You wrote: {text}")
            for other in list(clients):
                await other.send(f"Client #0 says: {text}")
    finally:
        clients.discard(connection)


def test_every_client_gets_every_message_from_a_tiny_chat() -> None:
    async def scenario() -> chat_load.Delivery:
        clients: set[ServerConnection] = set()
        async with serve(lambda c: tiny_chat(clients, c), "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            urls = [f"ws://127.0.0.1:{port}/ws/{n}" for n in range(3)]
            return await chat_load.broadcast_round(urls[0], urls, 4, 32, bound=10.0)

    delivery = asyncio.run(scenario())
    assert (delivery.clients, delivery.messages, delivery.complete) == (3, 4, 3)
    assert delivery.finished and math.isfinite(delivery.seconds)
    assert len(delivery.latencies) == 3 * 4


@pytest.mark.parametrize(("window", "most_in_flight"), [(2, 2), (None, 5)])
def test_a_window_limits_the_messages_in_flight(
    window: int | None, most_in_flight: int
) -> None:
    """The server holds messages until the sender pauses: a window makes it pause."""
    held: list[int] = []

    async def holding(connection: ServerConnection) -> None:
        pending: list[str] = []
        while True:
            try:
                pending.append(await asyncio.wait_for(connection.recv(), 0.2))
                held.append(len(pending))
            except TimeoutError:
                for text in pending:
                    await connection.send(f"Client #0 says: {text}")
                pending.clear()
            except ConnectionClosed:
                return

    async def scenario() -> chat_load.Delivery:
        async with serve(holding, "127.0.0.1", 0) as server:
            url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/ws/0"
            return await chat_load.broadcast_round(url, [url], 5, 16, 10.0, window)

    delivery = asyncio.run(scenario())
    assert delivery.finished
    assert max(held) == most_in_flight


def test_a_window_needs_the_sender_to_receive() -> None:
    with pytest.raises(ValueError, match="sender among the receivers"):
        asyncio.run(
            chat_load.broadcast_round("ws://a/ws/0", ["ws://a/ws/1"], 1, 1, 1.0, 1)
        )


def test_clients_the_server_drops_are_counted() -> None:
    async def dropping(connection: ServerConnection) -> None:
        if connection.request is not None and connection.request.path.endswith("/1"):
            await connection.close(1013)
            return
        async for text in connection:
            await connection.send(f"Client #0 says: {text}")

    async def scenario() -> chat_load.Delivery:
        async with serve(dropping, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            urls = [f"ws://127.0.0.1:{port}/ws/{n}" for n in range(2)]
            return await chat_load.broadcast_round(urls[0], urls, 2, 16, bound=5.0)

    delivery = asyncio.run(scenario())
    assert (delivery.complete, delivery.dropped, delivery.finished) == (1, 1, False)
    assert delivery.seconds == math.inf


def test_a_round_that_misses_its_bound_is_unfinished() -> None:
    async def silent(connection: ServerConnection) -> None:
        async for _ in connection:
            pass  # never broadcasts

    async def scenario() -> chat_load.Delivery:
        async with serve(silent, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            urls = [f"ws://127.0.0.1:{port}/ws/{n}" for n in range(2)]
            return await chat_load.broadcast_round(urls[0], urls, 2, 16, bound=0.2)

    delivery = asyncio.run(scenario())
    assert (
        delivery.seconds == math.inf
        and delivery.complete == 0
        and not delivery.finished
    )


def test_stalled_client_completes_the_handshake_and_reads_no_further() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    seen: list[bytes] = []

    def answer() -> None:
        connection, _ = listener.accept()
        with connection:
            seen.append(connection.recv(4096))
            connection.sendall(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x02hi"
            )

    thread = threading.Thread(target=answer)
    thread.start()
    try:
        client = chat_load.stalled_client(port, "/ws/9")
        thread.join(timeout=10)
        assert seen[0].startswith(b"GET /ws/9 HTTP/1.1\r\n")
        assert b"Sec-WebSocket-Version: 13" in seen[0]
        client.close()
    finally:
        listener.close()


def test_stalled_client_rejects_a_refused_handshake() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def refuse() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(4096)
            connection.sendall(b"HTTP/1.1 403 Forbidden\r\n\r\n")

    thread = threading.Thread(target=refuse)
    thread.start()
    try:
        with pytest.raises(ConnectionError, match="expected 101"):
            chat_load.stalled_client(port, "/ws/1")
    finally:
        thread.join(timeout=10)
        listener.close()


def test_compression_reads_memory_and_cpu_from_proc() -> None:
    assert compression.rss_kib(os.getpid()) > 1000  # this interpreter: some MiB
    first = compression.cpu_seconds(os.getpid())
    sum(range(200_000))  # some work of its own
    assert compression.cpu_seconds(os.getpid()) >= first > 0


def test_compression_is_skipped_without_its_example(tmp_path: Path) -> None:
    context = core.Context(True, None, 0, tmp_path, tmp_path)
    context._snapshot = tmp_path  # a project without docs_src/deploy
    section = compression.run(context)
    assert section.status == "skipped"
    assert section.notes == ["not measured: docs_src/deploy/heartbeat.py is missing"]


@pytest.mark.e2e
def test_compression_measures_both_modes_in_turns(tmp_path: Path) -> None:
    context = core.Context(True, None, 0, tmp_path, tmp_path)
    context._snapshot = core.ROOT
    section = compression.run(context)
    assert section.status == "ok"
    assert section.extra["order"] == ["deflate", "plain"]
    for name in ("deflate.memory", "plain.memory", "deflate.cpu", "plain.cpu"):
        assert len(section.figure(name).samples) == 1  # quick: one run each
    assert [ratio.name for ratio in section.ratios] == ["memory", "cpu"]


# ------------------------------------------------------------- lighthouse

LIGHTHOUSE_SAMPLE = Path(__file__).with_name("data") / "lighthouse-ko-tutorial.json"


def lighthouse_sample() -> dict[str, Any]:
    """A real Lighthouse 12.2.3 report (ko tutorial), cut down to what is read."""
    return json.loads(LIGHTHOUSE_SAMPLE.read_text(encoding="utf-8"))


def test_lighthouse_summary_reads_scores_and_metrics() -> None:
    assert lighthouse.summary(lighthouse_sample()) == {
        "score": 78.0,
        "tbt": 750.0,
        "lcp": 2600.097,
        "cls": 0.0,
        "bytes": 131563.0,
        "accessibility": 100.0,
    }


def test_lighthouse_summary_without_accessibility_leaves_it_out() -> None:
    sample = lighthouse_sample()
    del sample["categories"]["accessibility"]
    assert "accessibility" not in lighthouse.summary(sample)


def test_lighthouse_summary_refuses_a_failed_or_unscored_audit() -> None:
    failed = {**lighthouse_sample(), "runtimeError": {"code": "NO_FCP", "message": "x"}}
    with pytest.raises(lighthouse.LighthouseError, match="NO_FCP: x"):
        lighthouse.summary(failed)
    unscored = lighthouse_sample()
    unscored["categories"]["performance"]["score"] = None
    del unscored["audits"]["total-blocking-time"]
    with pytest.raises(lighthouse.LighthouseError, match="no score, tbt in the report"):
        lighthouse.summary(unscored)


def test_lighthouse_main_thread_by_kind() -> None:
    work = lighthouse.main_thread(lighthouse_sample())
    assert list(work)[:3] == ["Other", "Style & Layout", "Script Evaluation"]
    assert work["Style & Layout"] == pytest.approx(1002.14)
    assert lighthouse.main_thread({}) == {}


def test_lighthouse_pages_and_languages() -> None:
    pages = ["index.md", "tutorial.md", "security.md"]
    assert lighthouse.pairs_to_measure(pages, quick=True) == [
        lighthouse.Pair(language, "tutorial.md") for language in weight.LANGUAGES
    ]
    full = lighthouse.pairs_to_measure(pages, quick=False)
    assert len(full) == len(pages) * len(weight.LANGUAGES)
    assert [lighthouse.page_url(p.language, p.page) for p in full[:3]] == [
        "/",
        "/tutorial/",
        "/security/",
    ]
    assert lighthouse.page_url("ko", "index.md") == "/ko/"
    assert lighthouse.page_url("ko", "tutorial.md") == "/ko/tutorial/"
    pair = lighthouse.Pair("de", "index.md")
    assert (pair.ours, pair.bare) == ("de:home", "bare-de:home")
    assert lighthouse.pairs_to_measure(pages, quick=True, languages=["en", "fa"]) == [
        lighthouse.Pair("en", "tutorial.md"),
        lighthouse.Pair("fa", "tutorial.md"),
    ]
    assert lighthouse.bare_for(pair, ["en"]) == "en"
    assert lighthouse.bare_for(pair, ["en", "de"]) == "de"


def test_lighthouse_audits_every_language_the_site_builds() -> None:
    config = weight.read_config(core.ROOT)
    languages = lighthouse.site_languages(config)
    assert languages[0] == "en"
    assert {"tr", "de", "ko", "fa"} <= set(languages)
    declared = {
        "plugins": [
            "search",
            {
                "i18n": {
                    "languages": [
                        {"locale": "fa"},
                        {"locale": "en", "default": True},
                        {"locale": "xx", "build": False},
                    ]
                }
            },
        ]
    }
    assert lighthouse.site_languages(declared) == ["en", "fa"]
    assert lighthouse.site_languages({}) == list(weight.LANGUAGES)


def test_lighthouse_page_filter_by_name_or_language() -> None:
    pages = ["index.md", "tutorial.md", "security.md"]
    languages = ["en", "ko", "fa"]

    def names(only: list[str], quick: bool = False) -> list[str]:
        chosen = lighthouse.pairs_to_measure(pages, quick, languages, only)
        return [pair.ours for pair in chosen]

    assert names(["security"]) == ["en:security", "ko:security", "fa:security"]
    assert names(["ko:security", "home"]) == [
        "en:home",
        "ko:home",
        "ko:security",
        "fa:home",
    ]
    assert len(names([])) == 9
    with pytest.raises(
        ValueError,
        match=r"--page scaling, ko:x: no such page \(pages: home, tutorial, security;",
    ):
        names(["scaling", "ko:x"])


def lighthouse_rows() -> list[dict[str, Any]]:
    pairs = [lighthouse.Pair("en", "tutorial.md"), lighthouse.Pair("ko", "tutorial.md")]
    samples = {
        "en:tutorial": {
            "score": [96, 99, 97],
            "tbt": [90, 300, 120],
            "lcp": [900.0] * 3,
            "cls": [0.0] * 3,
            "accessibility": [100.0] * 3,
        },
        "ko:tutorial": {
            "score": [95, 94, 95],
            "tbt": [150, 210, 180],
            "lcp": [1100.0] * 3,
            "cls": [0.002, 0.0, 0.002],
            "accessibility": [100.0] * 3,
        },
        "bare-en:tutorial": {
            "score": [90, 91, 92],
            "tbt": [200, 250, 220],
            "lcp": [1000.0] * 3,
            "cls": [0.0] * 3,
            "accessibility": [90.0] * 3,
        },
    }
    bare_of = {pair: "bare-en:tutorial" for pair in pairs}
    return lighthouse.page_rows(pairs, samples, bare_of)


def test_lighthouse_rows_are_medians_beside_bare_material() -> None:
    rows = lighthouse_rows()
    assert [(row["page"], row["language"], row["runs"]) for row in rows] == [
        ("tutorial", "en", 3),
        ("tutorial", "ko", 3),
    ]
    assert rows[0]["ours"]["tbt"] == 120
    assert rows[1]["ours"]["cls"] == 0.002
    assert rows[1]["bare"]["tbt"] == 220
    assert lighthouse.table_rows(rows)[1] == [
        "tutorial",
        "ko",
        "3",
        "95 / 91",
        f"180 ms / 220 ms (0.82{TIMES})",
        f"1100 ms / 1000 ms (1.10{TIMES})",
        "0.002 / 0.000",
        "n/a",
        "100 / 90",
    ]


def test_lighthouse_targets_take_the_worst_page() -> None:
    section = Section("lighthouse", "Page speed")
    lighthouse.add_targets(section, lighthouse_rows())
    found = {t.name: (t.value, t.met) for t in section.targets}
    assert "on every page in every language" in section.targets[0].description
    narrow = Section("lighthouse", "Page speed")
    lighthouse.add_targets(narrow, lighthouse_rows(), everything=False)
    assert "on each page measured" in narrow.targets[0].description
    assert found == {
        "score": (95, True),
        "tbt": (180, True),
        "lcp": (pytest.approx(1.1), False),
        "cls": (0.002, False),
        "accessibility": (100.0, True),
    }


def test_lighthouse_long_tasks_name_their_file() -> None:
    report_json = {
        "audits": {
            "long-tasks": {
                "details": {
                    "items": [
                        {
                            "url": "http://127.0.0.1:1/assets/javascripts/bundle.ab12.min.js",
                            "duration": 281.6,
                            "startTime": 1633.2,
                        },
                        {
                            "url": "http://127.0.0.1:1/security/",
                            "duration": 72,
                            "startTime": 9,
                        },
                        {"url": "Unattributable", "duration": 55, "startTime": 754},
                    ]
                }
            }
        }
    }
    assert lighthouse.long_tasks(report_json) == [
        {"source": "bundle.ab12.min.js", "start": 1633, "duration": 282},
        {"source": "the page", "start": 9, "duration": 72},
        {"source": "Unattributable", "start": 754, "duration": 55},
    ]
    assert lighthouse.long_tasks({}) == []


def test_lighthouse_baseline_audits_the_short_page_else_everything() -> None:
    pairs = lighthouse.pairs_to_measure(
        ["index.md", "security.md"], quick=False, languages=["en", "ko"]
    )
    assert [p.ours for p in lighthouse.before_pairs(pairs)] == [
        "en:security",
        "ko:security",
    ]
    home = [pair for pair in pairs if pair.page == "index.md"]
    assert lighthouse.before_pairs(home) == home


def test_lighthouse_report_shows_the_long_tasks_of_the_short_page() -> None:
    section = Section("lighthouse", "Page speed")
    task = {"source": "bundle.ab12.min.js", "start": 1633, "duration": 282}
    section.extra["main_thread"] = {
        "en:security": {
            "main_thread": {"Script Evaluation": 296.0},
            "long_tasks": [task],
        },
        "bare-en:security": {
            "main_thread": {"Script Evaluation": 282.0},
            "long_tasks": [],
        },
    }
    text = report.render(run_json([section]))
    assert "| Script Evaluation | 296 ms | 282 ms |" in text
    assert "| Guide | bundle.ab12.min.js | 1633 ms | 282 ms |" in text
    assert "bundle-start.html" in text


def test_lighthouse_ratio_of_zero_shifts() -> None:
    assert lighthouse.ratio(0.0, 0.0) == 1.0
    assert lighthouse.ratio(0.1, 0.0) is None
    assert lighthouse.ratio(None, 1.0) is None


def test_lighthouse_counts_the_elements_of_code_blocks() -> None:
    html = '<p><code>x</code></p><pre><span></span><code><span class="k">a</span>\n</code></pre>'
    assert lighthouse.code_elements(html) == 4  # pre, the empty span, code, one token


def test_the_lighthouse_host_compresses_text_only(tmp_path: Path) -> None:
    import gzip
    import urllib.request

    (tmp_path / "index.html").write_text("<p>hello</p>" * 50, encoding="utf-8")
    (tmp_path / "shot.png").write_bytes(b"\x89PNG not really")
    with live.serve_static(tmp_path, lighthouse.CompressingHandler) as url:

        def get(path: str) -> tuple[str | None, bytes]:
            request = urllib.request.Request(
                url + path, headers={"Accept-Encoding": "gzip"}
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.headers.get("Content-Encoding"), response.read()

        encoding, body = get("/")
        assert encoding == "gzip"
        assert gzip.decompress(body) == b"<p>hello</p>" * 50
        assert get("/shot.png") == (None, b"\x89PNG not really")
        with urllib.request.urlopen(url + "/", timeout=10) as plain:
            assert plain.headers.get("Content-Encoding") is None


def test_report_carries_over_the_sections_a_run_left_out() -> None:
    earlier = report.render(run_json(demo_sections()))
    only_weight = [s for s in demo_sections() if s.name == "weight"]
    text = report.render(run_json(only_weight), previous=earlier)
    assert "*Not measured in this run: the figures below are from the report of" in text
    assert "| Build | full < 1 s | 3.00 s | ❌ not met |" in text  # carried target
    build_part = text[text.index("{ #build }") : text.index("{ #reload }")]
    assert build_part.count("| full build |") == earlier.count("| full build |")
    assert "Not run this time: `scripts/bench --only lighthouse` runs it." in text


def test_a_section_carried_twice_still_names_the_report_that_measured_it() -> None:
    measured = run_json(demo_sections())
    measured["machine"] = {
        **MACHINE,
        "date": "2026-01-01T00:00:00+00:00",
        "commit": "aaaaaaa",
        "uncommitted_changes": False,
    }
    only_weight = run_json([s for s in demo_sections() if s.name == "weight"])
    only_weight["machine"] = {
        **MACHINE,
        "date": "2026-02-02T00:00:00+00:00",
        "commit": "bbbbbbb",
    }
    once = report.render(only_weight, previous=report.render(measured))
    twice = report.render(only_weight, previous=once)
    build_part = twice[twice.index("{ #build }") : twice.index("{ #reload }")]
    assert build_part.count("Not measured in this run") == 1
    assert "| Build | full < 1 s | 3.00 s | ❌ not met | 2026-01-01, aaaaaaa |" in twice
    assert "| Build | full < 1 s | 3.00 s | ❌ not met | this run |" in report.render(
        measured
    )
    assert (
        "the figures below are from the report of 2026-01-01T00:00:00+00:00 "
        "(commit aaaaaaa).*"
    ) in build_part
    assert twice == once


def lighthouse_row(language: str, page: str, tbt: float, lcp: float) -> dict[str, Any]:
    return {"language": language, "page": page, "ours": {"tbt": tbt, "lcp": lcp}}


def test_the_page_speed_finding_names_the_most_blocked_page_of_the_run() -> None:
    rows = [
        lighthouse_row("en", "home", 20.0, 900.0),
        lighthouse_row("tr", "tutorial", 151.0, 950.0),
        lighthouse_row("fa", "tutorial", 110.0, 961.0),
    ]
    figures = [{"name": "tr:tutorial.tbt", "samples": [124.0, 151.0, 290.4]}]
    assert report.most_blocked(rows, figures) == (
        " The page with the most blocking time in the table above is the "
        "tutorial page in tr: 151 ms (the median, its audits 124 ms, 151 ms, 290 ms)."
    )
    assert report.most_blocked(rows, []) == (
        " The page with the most blocking time in the table above is the "
        "tutorial page in tr: 151 ms (the median)."
    )
    assert report.most_blocked([], figures) == ""


def test_the_page_speed_finding_compares_the_persian_pages_largest_paint() -> None:
    rows = [
        lighthouse_row("en", "home", 20.0, 903.4),
        lighthouse_row("tr", "tutorial", 151.0, 1001.0),
        lighthouse_row("fa", "home", 5.0, 906.0),
        lighthouse_row("fa", "tutorial", 110.0, 961.0),
    ]
    assert report.persian_lcp(rows) == (
        " In the run in the table above, with the warning's icon from its own "
        "address, the Persian pages' largest paint came at 906 to 961 ms "
        "(medians), against 903 to 1001 ms on the other languages' pages."
    )
    one_each = [rows[0], rows[2]]
    assert "came at 906 ms (medians), against 903 ms on" in report.persian_lcp(one_each)
    assert report.persian_lcp(rows[:2]) == ""
