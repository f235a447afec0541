"""Section "tests": the in-process snippet tests alone, and the whole scripts/test.

The snippet tests are the examples' own tests (TestClient, no servers), which
authors run all the time. Wall time is measured from outside, as a person
waits for it: interpreter start, imports and collection included, venv set-up
excluded. The whole ``scripts/test`` runs once (it is long), and not at all
with ``--quick``.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path
from typing import Any

from guidekit.benchmarks.core import (
    PYTHON,
    ROOT,
    Context,
    Figure,
    Section,
    alternate,
    display,
)
from guidekit.examples import example_test_dirs

TITLE = "Tests"
RUNS = 5
WHOLE_TIMEOUT = 1800
STEP = re.compile(
    r"^(?P<verdict>PASS|FAIL)\s+(?P<name>.*) \((?P<seconds>[0-9.]+)s(?:, exit (?P<status>\d+))?\)$"
)


def snippet_dirs(root: Path = ROOT) -> list[str]:
    """The examples' test folders, as scripts/test runs them."""
    return example_test_dirs(root)


def snippet_env() -> dict[str, str]:
    """The environment scripts/test gives pytest."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("GUIDE_LANG", None)
    return env


def whole_env(tmp: Path) -> dict[str, str]:
    """The environment for the whole scripts/test: as a person's, temp files aside."""
    env = {**os.environ, "TMPDIR": str(tmp)}
    env.pop("GUIDE_LANG", None)
    return env


def parse_summary(output: str) -> list[dict[str, Any]]:
    """The step lines of scripts/test's summary: name, verdict, seconds."""
    steps = []
    for line in output.splitlines():
        match = STEP.match(line.strip())
        if match:
            steps.append(
                {
                    "name": match["name"],
                    "passed": match["verdict"] == "PASS",
                    "seconds": float(match["seconds"]),
                    "status": int(match["status"]) if match["status"] else 0,
                }
            )
    return steps


def run(context: Context) -> Section:
    section = Section("tests", TITLE)
    dirs = snippet_dirs()
    command = [PYTHON, "-m", "pytest", *dirs, "-p", "no:cacheprovider", "-q"]
    statuses: list[int] = []

    def snippets() -> float:
        start = time.perf_counter()
        result = subprocess.run(
            command,
            cwd=ROOT,
            env=snippet_env(),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        seconds = time.perf_counter() - start
        statuses.append(result.returncode)
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).splitlines()[-5:])
            context.log(
                f"tests: snippet tests exited with {result.returncode}:\n{tail}"
            )
        return seconds

    measured = alternate(
        [("snippets", snippets)],
        runs=context.runs_for(RUNS),
        warmup=0 if context.quick else context.warmup,
        progress=lambda message: context.log(f"tests: {message}"),
    )
    section.figures.append(
        measured.figure("snippets", f"snippet tests ({', '.join(dirs)})", "s")
    )
    section.extra["snippet_command"] = " ".join(["python", *command[1:]])
    if any(statuses):
        section.notes.append(
            f"the snippet tests failed in {sum(1 for s in statuses if s)} of "
            f"{len(statuses)} runs (exit statuses {sorted(set(statuses))})"
        )
    section.add_target(
        "snippets",
        "snippet tests ≤ 3 s wall",
        section.figure("snippets").median,
        "<=",
        3.0,
        "s",
    )

    if context.quick:
        section.notes.append("--quick: the whole scripts/test was not run")
        section.add_target(
            "whole", "whole scripts/test ≤ 120 s", None, "<=", 120.0, "s"
        )
        return section

    context.log("tests: the whole scripts/test, once")
    log = context.output_dir / "bench-scripts-test.log"
    context.output_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as sink:
        result = subprocess.run(
            [str(ROOT / "scripts" / "test")],
            cwd=ROOT,
            # Its temporary files (pytest's, the screenshots' folder) go
            # into the benchmark's workspace, removed at the end.
            env=whole_env(context.temp_dir("scripts-test-")),
            stdout=sink,
            stderr=subprocess.STDOUT,
            timeout=WHOLE_TIMEOUT,
            check=False,
        )
    seconds = time.perf_counter() - start
    steps = parse_summary(log.read_text(encoding="utf-8", errors="replace"))
    section.figures.append(Figure("whole", "whole scripts/test (once)", "s", [seconds]))
    section.extra["whole"] = {
        "status": result.returncode,
        "log": display(log),
        "steps": steps,
    }
    if result.returncode != 0:
        failed = [step["name"] for step in steps if not step["passed"]]
        section.notes.append(
            f"scripts/test exited with {result.returncode} (failed: "
            f"{', '.join(failed) or 'see the log'}); its time still counts. Log: {display(log)}"
        )
    section.add_target("whole", "whole scripts/test ≤ 120 s", seconds, "<=", 120.0, "s")
    return section
