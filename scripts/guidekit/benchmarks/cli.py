"""scripts/bench: measure the guide's builds, reloads, tests, pages and examples.

    scripts/bench                  every section; rewrites PERFORMANCE.md
    scripts/bench --quick          every section once, at minimal sizes (a smoke run)
    scripts/bench --only build     one section (repeat --only for more)
    scripts/bench --no-report      leave PERFORMANCE.md as it is
    scripts/bench --baseline REF   Lighthouse also audits the site as built from REF
    scripts/bench --only lighthouse --page ko:security
                                   Lighthouse audits one page (repeat --page for more)

Sections: build, reload, tests, weight, lighthouse, broadcast, scaling,
compression, resume. Results go to
build/bench.json (--json PATH), with the build profile beside it. Targets that
are not met are reported, never an error: the exit status is non-zero only
when a section could not run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from guidekit.benchmarks import (
    broadcast,
    build,
    compression,
    lighthouse,
    reload,
    report,
    resume,
    scaling,
    suite,
    weight,
)
from guidekit.benchmarks.core import (
    JSON_SCHEMA,
    ROOT,
    Context,
    Section,
    display,
    format_table,
    machine_facts,
    workspace,
)

SectionRunner = Callable[[Context], Section]

SECTIONS: dict[str, tuple[str, SectionRunner]] = {
    "build": (build.TITLE, build.run),
    "reload": (reload.TITLE, reload.run),
    "tests": (suite.TITLE, suite.run),
    "weight": (weight.TITLE, weight.run),
    "lighthouse": (lighthouse.TITLE, lighthouse.run),
    "broadcast": (broadcast.TITLE, broadcast.run),
    "scaling": (scaling.TITLE, scaling.run),
    "compression": (compression.TITLE, compression.run),
    "resume": (resume.TITLE, resume.run),
}
DEFAULT_JSON = ROOT / "build" / "bench.json"
DEFAULT_REPORT = ROOT / "PERFORMANCE.md"


def parser(names: Sequence[str]) -> argparse.ArgumentParser:
    lines = (__doc__ or "").strip().splitlines()
    command = argparse.ArgumentParser(
        prog="scripts/bench",
        description=lines[0],
        epilog="\n".join(lines[1:]).strip("\n"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument(
        "--quick",
        action="store_true",
        help="run everything once, at minimal sizes; no report (scripts/test uses it)",
    )
    command.add_argument(
        "--only",
        action="append",
        choices=list(names),
        metavar="SECTION",
        help=f"run only this section: {', '.join(names)} (repeatable)",
    )
    command.add_argument(
        "--runs",
        type=int,
        help="measured runs per workload (default: each section's own)",
    )
    command.add_argument(
        "--warmup",
        type=int,
        default=1,
        help="unrecorded rounds first (default 1; 0 with --quick)",
    )
    command.add_argument(
        "--json",
        type=Path,
        default=DEFAULT_JSON,
        help=f"results file (default {DEFAULT_JSON.relative_to(ROOT)})",
    )
    command.add_argument(
        "--no-report", action="store_true", help="do not rewrite PERFORMANCE.md"
    )
    command.add_argument(
        "--baseline",
        metavar="COMMIT",
        help="lighthouse: also audit the tutorial as built from COMMIT, in turns "
        "with today's (before and after a change)",
    )
    command.add_argument(
        "--page",
        action="append",
        default=[],
        metavar="PAGE",
        help="lighthouse: audit only this page, in every language (home, tutorial, "
        "security, ...) or in one (ko:security); repeatable",
    )
    command.add_argument(
        "--report", type=Path, default=DEFAULT_REPORT, help=argparse.SUPPRESS
    )
    return command


def run_sections(
    context: Context,
    names: Sequence[str],
    sections: Mapping[str, tuple[str, SectionRunner]],
) -> list[Section]:
    """Run each named section; a section that raises is recorded as an error."""
    results = []
    for name in names:
        title, runner = sections[name]
        context.log(f"==> {name}")
        start = time.perf_counter()
        try:
            section = runner(context)
        except Exception as error:  # reported; the exit status says so
            traceback.print_exc(file=sys.stderr)
            section = Section(name, title, status="error")
            first_line = next(iter(str(error).strip().splitlines()), "")
            section.notes.append(f"{type(error).__name__}: {first_line}")
        section.seconds = time.perf_counter() - start
        results.append(section)
    return results


def results_json(
    sections: Sequence[Section],
    machine: Mapping[str, Any],
    *,
    quick: bool,
    argv: Sequence[str],
    started: str,
    json_path: Path,
) -> dict[str, Any]:
    return {
        "schema": JSON_SCHEMA,
        "command": " ".join(["scripts/bench", *argv]),
        "quick": quick,
        "started": started,
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "json": display(json_path),
        "machine": dict(machine),
        "sections": [section.to_json() for section in sections],
    }


def main(
    argv: Sequence[str] | None = None,
    sections: Mapping[str, tuple[str, SectionRunner]] = SECTIONS,
    facts: Callable[[], dict[str, Any]] = machine_facts,
) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser(list(sections)).parse_args(argv)
    if args.runs is not None and args.runs < 1:
        parser(list(sections)).error(f"--runs expects at least 1, found {args.runs}")
    names = [name for name in sections if not args.only or name in args.only]
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    machine = facts()
    output_dir = args.json.resolve().parent
    output_dir.mkdir(parents=True, exist_ok=True)
    with workspace() as scratch:
        context = Context(
            quick=args.quick,
            runs=args.runs,
            warmup=0 if args.quick else max(0, args.warmup),
            workspace=scratch,
            output_dir=output_dir,
            baseline=args.baseline,
            pages=tuple(args.page),
        )
        results = run_sections(context, names, sections)
    data = results_json(
        results,
        machine,
        quick=args.quick,
        argv=argv,
        started=started,
        json_path=args.json,
    )
    args.json.write_text(
        json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    cores = machine.get("cores")
    print(
        f"\nscripts/bench{' --quick' if args.quick else ''}: {cores} cores, "
        f"Python {machine.get('python')}, {machine.get('date')}\n"
    )
    print(format_table(results))
    print(f"\nresults: {args.json}")
    if args.quick or args.no_report:
        print("PERFORMANCE.md not rewritten (--quick or --no-report)")
    else:
        previous = (
            args.report.read_text(encoding="utf-8") if args.report.is_file() else None
        )
        args.report.write_text(report.render(data, previous), encoding="utf-8")
        print(f"report: {args.report}")
    errors = [section.name for section in results if section.status == "error"]
    if errors:
        print(
            f"error: these sections could not run: {', '.join(errors)}", file=sys.stderr
        )
        return 1
    return 0
