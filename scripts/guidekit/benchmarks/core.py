"""What every benchmark shares: alternating runs, statistics, targets, table, JSON.

The machine is small and noisy, so the figures that count are ratios between
workloads measured side by side in one run, in turns (A, B, A, B, ...), never
one after the other. Absolute times are reported too, as medians with their
minimum and maximum.
"""

from __future__ import annotations

import io
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
PYTHON = sys.executable
JSON_SCHEMA = 1
TIMES = "\N{MULTIPLICATION SIGN}"  # the unit of ratios

# A workload runs once and returns its measurement: one number, or several
# named ones (bytes, requests, milliseconds of one page load).
Measurement = float | Mapping[str, float]
Workload = Callable[[], Measurement]


# ---------------------------------------------------------------- statistics


@dataclass
class Figure:
    """One measured quantity: every sample, summarised by median, min and max.

    A sample of ``math.inf`` is a run that did not finish within ``bound``
    seconds (say, a broadcast held up by a stalled client).
    """

    name: str
    label: str
    unit: str
    samples: list[float] = field(default_factory=list)
    bound: float | None = None

    @property
    def runs(self) -> int:
        return len(self.samples)

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def min(self) -> float | None:
        return min(self.samples) if self.samples else None

    @property
    def max(self) -> float | None:
        return max(self.samples) if self.samples else None

    @property
    def unfinished(self) -> int:
        return sum(1 for sample in self.samples if math.isinf(sample))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "unit": self.unit,
            "runs": self.runs,
            "median": finite(self.median),
            "min": finite(self.min),
            "max": finite(self.max),
            "samples": [finite(sample) for sample in self.samples],
            "unfinished": self.unfinished,
            "bound": self.bound,
        }


def finite(value: float | None) -> float | None:
    """JSON has no infinity: a run that never finished is ``null``."""
    if value is None or not math.isfinite(value):
        return None
    return value


def ratio_of(numerator: Figure, denominator: Figure) -> float | None:
    """median(numerator) / median(denominator); None when it is undefined."""
    top, bottom = numerator.median, denominator.median
    if top is None or bottom is None or bottom == 0 or not math.isfinite(bottom):
        return None
    return top / bottom


@dataclass
class Ratio:
    """Two figures from the same alternating run, compared by their medians."""

    name: str
    label: str
    numerator: str
    denominator: str
    value: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": finite(self.value),
        }


OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<=": lambda value, limit: value <= limit,
    "<": lambda value, limit: value < limit,
    ">=": lambda value, limit: value >= limit,
    ">": lambda value, limit: value > limit,
    "==": lambda value, limit: value == limit,
}


@dataclass
class Target:
    """A goal from the issue, and whether the measured value meets it.

    ``met`` is None when there is nothing to judge (the figure was skipped).
    """

    name: str
    description: str
    value: float | None
    op: str
    limit: float
    unit: str
    note: str = ""

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return OPERATORS[self.op](self.value, self.limit)

    def to_json(self) -> dict[str, Any]:
        value = self.value
        return {
            "name": self.name,
            "description": self.description,
            "value": value if value is None or math.isfinite(value) else None,
            "unfinished": value is not None and math.isinf(value),
            "op": self.op,
            "limit": self.limit,
            "unit": self.unit,
            "met": self.met,
            "note": self.note,
        }


@dataclass
class Section:
    """What one benchmark section found."""

    name: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    ratios: list[Ratio] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    status: str = "ok"  # "ok", "skipped" or "error"
    seconds: float = 0.0

    def figure(self, name: str) -> Figure:
        for figure in self.figures:
            if figure.name == name:
                return figure
        raise KeyError(f"{self.name}: no figure named {name!r}")

    def add_ratio(
        self, name: str, label: str, numerator: str, denominator: str
    ) -> Ratio:
        value = ratio_of(self.figure(numerator), self.figure(denominator))
        ratio = Ratio(name, label, numerator, denominator, value)
        self.ratios.append(ratio)
        return ratio

    def add_target(
        self,
        name: str,
        description: str,
        value: float | None,
        op: str,
        limit: float,
        unit: str,
        note: str = "",
    ) -> Target:
        if op not in OPERATORS:
            raise ValueError(f"unknown comparison {op!r}")
        target = Target(name, description, value, op, limit, unit, note)
        self.targets.append(target)
        return target

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "status": self.status,
            "seconds": round(self.seconds, 3),
            "figures": [figure.to_json() for figure in self.figures],
            "ratios": [ratio.to_json() for ratio in self.ratios],
            "targets": [target.to_json() for target in self.targets],
            "notes": list(self.notes),
            "extra": self.extra,
        }


# ------------------------------------------------------------- alternation


@dataclass
class Alternation:
    """Samples from workloads run in turns, and the order they really ran in."""

    order: list[str] = field(default_factory=list)
    samples: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    def figure(
        self,
        workload: str,
        label: str,
        unit: str,
        metric: str = "",
        name: str | None = None,
        bound: float | None = None,
    ) -> Figure:
        values = self.samples.get(workload, {}).get(metric, [])
        if name is None:
            name = f"{workload}.{metric}" if metric else workload
        return Figure(name, label, unit, list(values), bound)


def alternate(
    workloads: Sequence[tuple[str, Workload]],
    runs: int,
    warmup: int = 0,
    progress: Callable[[str], None] | None = None,
) -> Alternation:
    """Run every workload ``runs`` times, in turns: A, B, C, A, B, C, ...

    ``warmup`` rounds come first, in the same order, and are not recorded.
    A workload returns one number (recorded under the metric ``""``) or a
    mapping of named numbers.
    """
    if runs < 1:
        raise ValueError(f"runs must be at least 1, found {runs}")
    names = [name for name, _ in workloads]
    if len(set(names)) != len(names):
        raise ValueError(f"workload names must differ, found {names}")
    result = Alternation(samples={name: {} for name in names})
    for round_index in range(warmup):
        for name, workload in workloads:
            workload()
            if progress:
                progress(f"{name}: warm-up {round_index + 1}/{warmup}")
    for round_index in range(runs):
        for name, workload in workloads:
            measured = workload()
            values = (
                {"": float(measured)}
                if isinstance(measured, int | float)
                else {key: float(value) for key, value in measured.items()}
            )
            for metric, value in values.items():
                result.samples[name].setdefault(metric, []).append(value)
            result.order.append(name)
            if progress:
                shown = ", ".join(
                    f"{metric or 'value'}={value:.4g}"
                    for metric, value in values.items()
                )
                progress(f"{name}: run {round_index + 1}/{runs}: {shown}")
    return result


def timed(action: Callable[[], object]) -> float:
    """Wall-clock seconds that ``action`` takes."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile (``fraction`` 0.99 for p99), None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


# ------------------------------------------------------------------ output


def format_value(value: float | None, unit: str, bound: float | None = None) -> str:
    if value is None:
        return "n/a"
    if math.isinf(value):
        return f"stalled (>{bound:g} s)" if bound is not None else "did not finish"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 10 else f"{value:.0f} ms"
    if unit == "B":
        return f"{value / 1024:.1f} KiB"
    if unit == TIMES:
        return f"{value:.2f}{TIMES}"
    if unit == "msg/s":
        return f"{value:,.0f} msg/s"
    if unit == "shift":  # Lighthouse's cumulative layout shift, a unitless score
        return f"{value:.3f}"
    if unit in ("requests", "count"):
        return f"{value:.0f}"
    return f"{value:.4g} {unit}"


def verdict(met: bool | None) -> str:
    return {True: "met", False: "NOT MET", None: "not measured"}[met]


def _columns(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(row[index]) for row in rows) for index in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(width) if index in right else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def format_table(sections: Sequence[Section]) -> str:
    """The figures, ratios and targets of ``sections`` as aligned text."""
    out: list[str] = []
    rows = [["section", "figure", "runs", "median", "min", "max"]]
    for section in sections:
        if section.extra.get("table"):
            continue  # summed up by its own table, below
        for figure in section.figures:
            rows.append(
                [
                    section.name,
                    figure.label,
                    str(figure.runs),
                    format_value(figure.median, figure.unit, figure.bound),
                    format_value(figure.min, figure.unit, figure.bound),
                    format_value(figure.max, figure.unit, figure.bound),
                ]
            )
    if len(rows) > 1:
        out += _columns(rows, right={2, 3, 4, 5})
    for section in sections:
        table = section.extra.get("table")
        if table:
            out += ["", f"{section.name}: medians", ""]
            out += _columns([list(table["header"]), *table["rows"]], right=set())
    ratio_rows = [["section", "ratio (medians, measured in turns)", "value"]]
    for section in sections:
        for ratio in section.ratios:
            ratio_rows.append(
                [section.name, ratio.label, format_value(ratio.value, TIMES)]
            )
    if len(ratio_rows) > 1:
        out += ["", *_columns(ratio_rows, right={2})]
    target_rows = [["section", "target", "measured", "verdict"]]
    for section in sections:
        for target in section.targets:
            target_rows.append(
                [
                    section.name,
                    target.description,
                    format_value(target.value, target.unit),
                    verdict(target.met),
                ]
            )
    if len(target_rows) > 1:
        out += ["", *_columns(target_rows, right=set())]
    notes = [
        f"{section.name} [{section.status}]: {note}"
        for section in sections
        for note in section.notes
    ]
    if notes:
        out += ["", *notes]
    return "\n".join(out)


# ----------------------------------------------------------------- machine


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _command_output(*command: str) -> str | None:
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (result.stdout or result.stderr).strip()
    return text.splitlines()[0] if text else None


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _redis_version(line: str | None) -> str | None:
    """``Redis server v=7.0.15 sha=...`` -> ``7.0.15``."""
    if line is None:
        return None
    found = re.search(r"\bv=(\S+)", line)
    return found[1] if found else line


def machine_facts() -> dict[str, Any]:
    """What the figures were measured on, for the report."""
    memory_kib = next(
        (
            int(line.split()[1])
            for line in _read("/proc/meminfo").splitlines()
            if line.startswith("MemTotal:")
        ),
        None,
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _read("/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or None,
    )
    commit = _command_output("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD")
    dirty = _command_output("git", "-C", str(ROOT), "status", "--porcelain")
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory_kib / 1024 / 1024, 1) if memory_kib else None,
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": {
            name: _version(name)
            for name in (
                "mkdocs",
                "mkdocs-material",
                "mkdocs-static-i18n",
                "uvicorn",
                "websockets",
                "fastapi",
                "redis",
                "playwright",
                "pytest",
            )
        },
        "chromium": _command_output("/usr/bin/chromium", "--version"),
        "redis_server": _redis_version(_command_output("redis-server", "--version")),
        "commit": commit,
        "uncommitted_changes": bool(dirty),
    }


# ----------------------------------------------------------------- context


PROJECT_PARTS = (
    "mkdocs.yml",
    "docs",
    "docs_src",
    "overrides",
    "scripts",
    "requirements.lock",
    "requirements-py310.lock",  # the Tested-with box reads both locks
    "tested-with.json",  # and the record of the machine they ran on
)


def copy_project(destination: Path, source: Path = ROOT) -> Path:
    """A copy of what the site is built from, sharing the project's ``.venv``.

    Benchmarks edit and build the copy, never the real pages, and other
    people's edits to the real tree cannot change a run half-way.
    """
    destination.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for part in PROJECT_PARTS:
        path = source / part
        if path.is_dir():
            shutil.copytree(path, destination / part, ignore=ignore, symlinks=True)
        elif path.is_file():
            shutil.copy2(path, destination / part)
    venv = source / ".venv"
    if venv.exists():
        (destination / ".venv").symlink_to(venv.resolve(), target_is_directory=True)
    return destination


def display(path: Path) -> str:
    """A path as the project's people type it: relative to the project when inside."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def mkdocs_env(language: str | None = None) -> dict[str, str]:
    """The environment for a build: all languages, or ``language`` alone."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("GUIDE_LANG", None)
    if language:
        env["GUIDE_LANG"] = language
    return env


def mkdocs_build(
    project: Path,
    site_dir: Path,
    language: str | None = None,
    profile: Path | None = None,
    strict: bool = True,
) -> None:
    """``python -m mkdocs build --strict --quiet`` in a subprocess; raise if it fails."""
    command = [PYTHON]
    if profile is not None:
        command += ["-m", "cProfile", "-o", str(profile)]
    command += ["-m", "mkdocs", "build", "--quiet"]
    if strict:
        command.append("--strict")
    command += ["--site-dir", str(site_dir)]
    result = subprocess.run(
        command,
        cwd=project,
        env=mkdocs_env(language),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        what = f"GUIDE_LANG={language} " if language else ""
        raise RuntimeError(
            f"{what}mkdocs build failed with status {result.returncode}:\n"
            f"{result.stdout}{result.stderr}"
        )


@dataclass
class Context:
    """Settings and shared resources of one ``scripts/bench`` invocation."""

    quick: bool
    runs: int | None  # None: each section's own default
    warmup: int
    workspace: Path
    output_dir: Path
    log: Callable[[str], None] = lambda message: print(message, file=sys.stderr)
    baseline: str | None = None  # a commit whose site is measured beside today's
    # lighthouse: only these pages ("security", "ko:security"); () for all
    pages: tuple[str, ...] = ()
    _snapshot: Path | None = None
    _site: Path | None = None
    _copies: int = 0

    def snapshot(self) -> Path:
        """The project copy that builds and pages are measured on (made once)."""
        if self._snapshot is None:
            self._snapshot = copy_project(self.workspace / "project")
        return self._snapshot

    def another_copy(self, name: str) -> Path:
        """A separate copy of the snapshot, for a server whose pages get edited."""
        self._copies += 1
        return copy_project(
            self.workspace / f"{name}-{self._copies}", source=self.snapshot()
        )

    def runs_for(self, default: int) -> int:
        """How many measured runs a section makes: once when quick."""
        if self.quick:
            return 1
        return self.runs if self.runs is not None else default

    def keep_site(self, site: Path) -> None:
        """Remember a full build of the snapshot, so later sections reuse it."""
        if self._site is not None and self._site != site:
            shutil.rmtree(self._site, ignore_errors=True)
        self._site = site

    def full_site(self) -> Path:
        """A full strict build of the snapshot (built now if no section kept one)."""
        if self._site is None:
            site = self.workspace / "site-full"
            mkdocs_build(self.snapshot(), site)
            self._site = site
        return self._site

    def baseline_site(self) -> Path | None:
        """A full build of the project as it was at ``baseline`` (None without one)."""
        if self.baseline is None:
            return None
        project = self.workspace / "baseline"
        project.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", self.baseline],
            capture_output=True,
            check=False,
        )
        if archive.returncode != 0:
            raise RuntimeError(
                f"--baseline {self.baseline}: git archive failed: "
                f"{archive.stderr.decode(errors='replace').strip()}"
            )
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(project, filter="data")
        venv = ROOT / ".venv"
        if venv.exists():
            (project / ".venv").symlink_to(venv.resolve(), target_is_directory=True)
        site = self.workspace / "baseline-site"
        mkdocs_build(project, site)
        return site

    def temp_dir(self, prefix: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=prefix, dir=self.workspace))


@contextmanager
def workspace() -> Iterator[Path]:
    """A scratch folder for one invocation, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="guide-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
