"""Section "lighthouse": every page in every language, as Lighthouse sees it on a phone.

The pages are those of mkdocs.yml's nav, in every language the site builds
(mkdocs-static-i18n's languages, in progress ones included: a page not
translated yet is audited as it is built, the English text under a notice).
``--page`` narrows the set (``security``, or ``ko:security``).

Lighthouse 12.2.3 (pinned in package-lock.json, installed by scripts/bench
with ``npm ci``) runs its default mobile configuration: a mid-range phone's
screen, simulated throttling (slow 4G, CPU four times slower), in Debian's
Chromium. Each page of the built site is audited beside the same page on a
bare Material site built from the same text (see ``weight.make_bare_site``),
in turns, and each figure is the median of its runs.

Both sites are served from 127.0.0.1 by the same small static host, which
compresses text with gzip as static hosts do (nginx's ``gzip on``, GitHub
Pages, Netlify): Lighthouse simulates the slow network from the bytes that
really crossed it, and uncompressed they would measure the host, not the
pages. Chromium resolves no host but loopback, so nothing leaves the machine.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from guidekit import live
from guidekit.benchmarks.core import (
    ROOT,
    TIMES,
    Context,
    Section,
    alternate,
    format_value,
)
from guidekit.benchmarks.weight import (
    LANGUAGES,
    NO_OUTSIDE,
    make_bare_site,
    nav_pages,
    read_config,
)

TITLE = "Page speed"
RUNS = 3
LIGHTHOUSE_VERSION = "12.2.3"
RUNNER = Path(__file__).with_name("lighthouse_runner.mjs")
NODE_MODULES = ROOT / "node_modules"
AUDIT_TIMEOUT = 180  # seconds for one audit, on a loaded machine
CATEGORIES = ("performance", "accessibility")
QUICK_PAGE = "tutorial.md"
# With --baseline, this page (in every language) is audited as built then too;
# a short page, where the work of Material's script weighs most.
BASELINE_PAGE = "security.md"
COMPRESSED = (".html", ".css", ".js", ".json", ".xml", ".svg", ".txt")

# What each audit gives, from Lighthouse's report: (key, label, unit).
METRICS = (
    ("score", "performance score", "count"),
    ("tbt", "total blocking time", "ms"),
    ("lcp", "largest contentful paint", "ms"),
    ("cls", "cumulative layout shift", "shift"),
    ("bytes", "bytes transferred", "B"),
    ("accessibility", "accessibility score", "count"),
)
SCORE_TARGET = 95.0
TBT_TARGET = 200.0


class LighthouseError(RuntimeError):
    """An audit that did not produce a report, or a report that says it failed."""


# ------------------------------------------------------------------ reports


def summary(report: Mapping[str, Any]) -> dict[str, float]:
    """The figures of one Lighthouse report that the section records.

    Scores are on Lighthouse's 0-100 scale, times in milliseconds, bytes as
    transferred. A report with a runtime error, or without a figure, raises:
    Lighthouse gives a score of null when it could not measure a page.
    """
    error = report.get("runtimeError")
    if error:
        raise LighthouseError(
            f"{report.get('finalDisplayedUrl', '?')}: {error.get('code')}: {error.get('message')}"
        )
    categories = report.get("categories", {})
    audits = report.get("audits", {})

    def score(name: str) -> float | None:
        value = categories.get(name, {}).get("score")
        return None if value is None else round(value * 100, 1)

    def numeric(name: str) -> float | None:
        value = audits.get(name, {}).get("numericValue")
        return None if value is None else float(value)

    values = {
        "score": score("performance"),
        "tbt": numeric("total-blocking-time"),
        "lcp": numeric("largest-contentful-paint"),
        "cls": numeric("cumulative-layout-shift"),
        "bytes": numeric("total-byte-weight"),
    }
    if "accessibility" in categories:
        values["accessibility"] = score("accessibility")
    missing = sorted(key for key, value in values.items() if value is None)
    if missing:
        raise LighthouseError(
            f"{report.get('finalDisplayedUrl', '?')}: no {', '.join(missing)} in the report"
        )
    return {key: float(value) for key, value in values.items() if value is not None}


def main_thread(report: Mapping[str, Any]) -> dict[str, float]:
    """Lighthouse's main-thread work by kind (simulated milliseconds)."""
    details = (
        report.get("audits", {}).get("mainthread-work-breakdown", {}).get("details", {})
    )
    return {
        item["groupLabel"]: float(item["duration"])
        for item in details.get("items", [])
        if "groupLabel" in item and "duration" in item
    }


# ------------------------------------------------------------- the runner


def lighthouse_installed(root: Path = ROOT) -> bool:
    package = root / "node_modules" / "lighthouse" / "package.json"
    if not package.is_file():
        return False
    version = json.loads(package.read_text(encoding="utf-8")).get("version")
    return version == LIGHTHOUSE_VERSION


def chromium_flags() -> list[str]:
    """Headless Debian Chromium as the other benchmarks start it, offline."""
    return ["--headless=new", *live.CHROMIUM_ARGS, NO_OUTSIDE]


class Lighthouse:
    """One Node process and one Chromium that audit pages on request."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.count = 0
        env = {**os.environ, "CHROME_PATH": live.CHROMIUM}
        self.process = subprocess.Popen(
            ["node", str(RUNNER), json.dumps(chromium_flags())],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._errors: list[str] = []
        self._stderr = threading.Thread(
            target=self._collect, args=(self.process.stderr,), daemon=True
        )
        self._stderr.start()

    def _collect(self, stream: IO[str] | None) -> None:
        if stream is None:
            return
        for line in stream:
            self._errors.append(line.rstrip())

    def audit(self, url: str, categories: Sequence[str]) -> dict[str, Any]:
        """Lighthouse's whole report for ``url``."""
        self.count += 1
        out = self.workdir / f"report-{self.count}.json"
        request = {"url": url, "out": str(out), "categories": list(categories)}
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            raise LighthouseError(self._ended()) from None
        line = _read_line(self.process.stdout, AUDIT_TIMEOUT)
        if line is None:
            raise LighthouseError(
                f"{url}: no answer from Lighthouse within {AUDIT_TIMEOUT} s"
            )
        if not line:
            raise LighthouseError(self._ended())
        answer = json.loads(line)
        if not answer.get("ok"):
            raise LighthouseError(f"{url}: {answer.get('error')}")
        report = json.loads(out.read_text(encoding="utf-8"))
        out.unlink()
        return report

    def _ended(self) -> str:
        status = self.process.wait(timeout=30)
        tail = "\n".join(self._errors[-10:])
        return f"Lighthouse ended with status {status}:\n{tail}"

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        self._stderr.join(timeout=10)


def _read_line(stream: IO[str], timeout: float) -> str | None:
    """One line from ``stream``; None if none came within ``timeout`` seconds."""
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(stream.readline()))
    reader.daemon = True
    reader.start()
    reader.join(timeout)
    return found[0] if found else None


@contextmanager
def lighthouse(workdir: Path) -> Iterator[Lighthouse]:
    runner = Lighthouse(workdir)
    try:
        yield runner
    finally:
        runner.close()


# ----------------------------------------------------------- static host


class CompressingHandler(live.SiteHandler):
    """A static host that sends text gzip-compressed to a client that accepts it."""

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not accepts or not path.is_file() or path.suffix not in COMPRESSED:
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)


# ------------------------------------------------------------- the pages


def page_url(language: str, page: str) -> str:
    """The path of ``page`` (a nav entry such as "tutorial.md") in ``language``."""
    stem = page.removesuffix(".md")
    path = "" if stem == "index" else f"{stem.removesuffix('/index')}/"
    return f"/{path}" if language == "en" else f"/{language}/{path}"


def bare_url(page: str) -> str:
    return page_url("en", page)


def page_name(page: str) -> str:
    """A page as its readers know it: "tutorial", "home"."""
    stem = page.removesuffix(".md")
    return "home" if stem == "index" else stem


@dataclass(frozen=True)
class Pair:
    """One page in one language: the guide's and bare Material's."""

    language: str
    page: str

    @property
    def ours(self) -> str:
        return f"{self.language}:{page_name(self.page)}"

    @property
    def bare(self) -> str:
        return f"bare-{self.language}:{page_name(self.page)}"


def site_languages(config: Mapping[str, Any]) -> list[str]:
    """The languages the site builds, default first, as mkdocs.yml declares them."""
    for plugin in config.get("plugins") or []:
        if isinstance(plugin, dict) and isinstance(plugin.get("i18n"), dict):
            declared = [
                language
                for language in plugin["i18n"].get("languages") or []
                if language.get("build", True) is not False
            ]
            declared.sort(key=lambda language: not language.get("default", False))
            found = [str(language["locale"]) for language in declared]
            if found:
                return found
    return list(LANGUAGES)


def pairs_to_measure(
    pages: Sequence[str],
    quick: bool,
    languages: Sequence[str] = LANGUAGES,
    only: Sequence[str] = (),
) -> list[Pair]:
    """Every page in every language; with ``quick``, one page per language and bare
    Material in English only (the one bare site it builds). ``only`` keeps the
    pages it names, by name in every language ("security") or in one
    ("ko:security"); a name that matches nothing is an error."""
    if quick:
        page = QUICK_PAGE if QUICK_PAGE in pages else pages[0]
        pairs = [Pair(language, page) for language in languages]
    else:
        pairs = [Pair(language, page) for language in languages for page in pages]
    if not only:
        return pairs
    unknown = [
        name
        for name in only
        if not any(name in (page_name(pair.page), pair.ours) for pair in pairs)
    ]
    if unknown:
        known = ", ".join(dict.fromkeys(page_name(pair.page) for pair in pairs))
        raise ValueError(
            f"--page {', '.join(unknown)}: no such page (pages: {known}; "
            "or LANG:PAGE, such as ko:security)"
        )
    return [pair for pair in pairs if {page_name(pair.page), pair.ours} & set(only)]


def bare_for(pair: Pair, bare_languages: Sequence[str]) -> str:
    """The bare site a pair is compared with: its own language's, else English."""
    return pair.language if pair.language in bare_languages else "en"


CODE_BODY = re.compile(r"<pre\b.*?</pre>", re.DOTALL)


def code_elements(html: str) -> int:
    """How many elements a page's code blocks hold (the highlighter's tokens)."""
    return sum(len(re.findall(r"<[a-z]", block)) for block in CODE_BODY.findall(html))


def before_pairs(pairs: Sequence[Pair]) -> list[Pair]:
    """The pairs audited as built from the baseline too: BASELINE_PAGE's, else all."""
    return [pair for pair in pairs if pair.page == BASELINE_PAGE] or list(pairs)


def long_tasks(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Lighthouse's long tasks (simulated), each with the file it is attributed to."""
    items = report.get("audits", {}).get("long-tasks", {}).get("details", {})
    return [
        {
            "source": item["url"].rsplit("/", 2)[-1]
            if item["url"].endswith(".js")
            else ("the page" if "://" in item["url"] else item["url"]),
            "start": round(float(item.get("startTime", 0.0))),
            "duration": round(float(item["duration"])),
        }
        for item in items.get("items", [])
        if "url" in item and "duration" in item
    ]


def before_name(pair: Pair) -> str:
    return f"before-{pair.language}:{page_name(pair.page)}"


# ----------------------------------------------------------------- verdicts


def medians(samples: Mapping[str, Sequence[float]]) -> dict[str, float]:
    return {key: statistics.median(values) for key, values in samples.items() if values}


def ratio(ours: float | None, bare: float | None) -> float | None:
    if ours is None or bare is None:
        return None
    if bare == 0:
        return 1.0 if ours == 0 else None
    return ours / bare


def page_rows(
    pairs: Sequence[Pair],
    samples: Mapping[str, Mapping[str, Sequence[float]]],
    bare_of: Mapping[Pair, str],
) -> list[dict[str, Any]]:
    """Per page and language: the medians of the guide and of bare Material."""
    rows = []
    for pair in pairs:
        ours = medians(samples.get(pair.ours, {}))
        bare = medians(samples.get(bare_of[pair], {}))
        rows.append(
            {
                "page": page_name(pair.page),
                "language": pair.language,
                "runs": len(samples.get(pair.ours, {}).get("score", [])),
                "ours": ours,
                "bare": bare,
            }
        )
    return rows


def before_after_rows(
    pairs: Sequence[Pair],
    samples: Mapping[str, Mapping[str, Sequence[float]]],
    bare_of: Mapping[Pair, str],
) -> list[dict[str, Any]]:
    """Per page and language: medians before the change, after it, and bare."""
    return [
        {
            "page": page_name(pair.page),
            "language": pair.language,
            "before": medians(samples.get(before_name(pair), {})),
            "after": medians(samples.get(pair.ours, {})),
            "bare": medians(samples.get(bare_of[pair], {})),
        }
        for pair in pairs
        if pair.ours in samples
    ]


def worst(
    rows: Sequence[Mapping[str, Any]], key: str, side: str, pick: Any
) -> float | None:
    values = [row[side][key] for row in rows if key in row[side]]
    return pick(values) if values else None


def worst_ratio(rows: Sequence[Mapping[str, Any]], key: str) -> float | None:
    ratios = [ratio(row["ours"].get(key), row["bare"].get(key)) for row in rows]
    known = [value for value in ratios if value is not None]
    return max(known) if known else None


def worst_excess(rows: Sequence[Mapping[str, Any]], key: str) -> float | None:
    """The largest amount by which the guide's median exceeds bare Material's."""
    excess = [
        row["ours"][key] - row["bare"][key]
        for row in rows
        if key in row["ours"] and key in row["bare"]
    ]
    return max(excess) if excess else None


def add_targets(
    section: Section, rows: Sequence[Mapping[str, Any]], everything: bool = True
) -> None:
    """Verdicts on the worst page; ``everything`` says whether every page was audited."""
    scope = "every page in every language" if everything else "each page measured"
    section.add_target(
        "score",
        f"performance ≥ {SCORE_TARGET:g} on {scope} (median)",
        worst(rows, "score", "ours", min),
        ">=",
        SCORE_TARGET,
        "count",
    )
    section.add_target(
        "tbt",
        f"total blocking time ≤ {TBT_TARGET:g} ms on {scope} (median)",
        worst(rows, "tbt", "ours", max),
        "<=",
        TBT_TARGET,
        "ms",
    )
    section.add_target(
        "lcp",
        "largest contentful paint no later than bare Material's (worst page)",
        worst_ratio(rows, "lcp"),
        "<=",
        1.0,
        TIMES,
    )
    section.add_target(
        "cls",
        "layout shift no more than bare Material's (worst page, difference)",
        worst_excess(rows, "cls"),
        "<=",
        0.0,
        "shift",
    )
    section.add_target(
        "accessibility",
        f"accessibility 100 on {scope}",
        worst(rows, "accessibility", "ours", min),
        ">=",
        100.0,
        "count",
    )


# ------------------------------------------------------------------ output


def _pair_cell(ours: float | None, bare: float | None, unit: str) -> str:
    if ours is None:
        return "n/a"
    cell = f"{format_value(ours, unit)} / {format_value(bare, unit) if bare is not None else 'n/a'}"
    factor = ratio(ours, bare)
    if unit in ("ms", "B") and factor is not None:
        cell += f" ({factor:.2f}{TIMES})"
    return cell


TABLE_HEADER = (
    "Page",
    "Language",
    "Runs",
    "Score (guide / bare)",
    "TBT",
    "LCP",
    "CLS",
    "Bytes",
    "Accessibility",
)


def table_rows(rows: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    out = []
    for row in rows:
        ours, bare = row["ours"], row["bare"]
        out.append(
            [
                row["page"],
                row["language"],
                str(row["runs"]),
                _pair_cell(ours.get("score"), bare.get("score"), "count"),
                _pair_cell(ours.get("tbt"), bare.get("tbt"), "ms"),
                _pair_cell(ours.get("lcp"), bare.get("lcp"), "ms"),
                _pair_cell(ours.get("cls"), bare.get("cls"), "shift"),
                _pair_cell(ours.get("bytes"), bare.get("bytes"), "B"),
                _pair_cell(
                    ours.get("accessibility"), bare.get("accessibility"), "count"
                ),
            ]
        )
    return out


# -------------------------------------------------------------------- run


def run(context: Context) -> Section:
    section = Section("lighthouse", TITLE)
    if not live.chromium_available():
        section.status = "skipped"
        section.notes.append(f"{live.CHROMIUM} is not installed: pages not audited")
        return section
    if shutil.which("node") is None or not lighthouse_installed():
        section.status = "skipped"
        section.notes.append(
            f"Lighthouse {LIGHTHOUSE_VERSION} is not installed in node_modules "
            "(scripts/bench installs it with npm ci): pages not audited"
        )
        return section

    project = context.snapshot()
    site = context.full_site()
    config = read_config(project)
    pages = nav_pages(config.get("nav") or [])
    pairs = pairs_to_measure(
        pages, context.quick, site_languages(config), context.pages
    )
    bare_languages = (
        ["en"]
        if context.quick
        else list(dict.fromkeys(pair.language for pair in pairs))
    )
    bares = {
        language: make_bare_site(
            project,
            site if language == "en" else site / language,
            context.temp_dir(f"bare-{language}-"),
        )
        for language in bare_languages
    }
    bare_of = {
        pair: f"bare-{bare_for(pair, bare_languages)}:{page_name(pair.page)}"
        for pair in pairs
    }
    runs = context.runs_for(RUNS)
    first: dict[str, dict[str, Any]] = {}
    baseline = context.baseline_site()
    before = before_pairs(pairs) if baseline else []
    if baseline is not None:
        bares["before"] = baseline  # served like the bare sites

    with (
        servers(site, bares) as (ours_url, bare_urls),
        lighthouse(context.temp_dir("lighthouse-")) as auditor,
    ):

        def workload(name: str, url: str):
            def audit() -> dict[str, float]:
                report = auditor.audit(url, CATEGORIES)
                if name not in first:
                    first[name] = {
                        "url": url.split("/", 3)[-1],
                        "main_thread": main_thread(report),
                        "long_tasks": long_tasks(report),
                        "dom_size": report.get("audits", {})
                        .get("dom-size", {})
                        .get("numericValue"),
                    }
                return summary(report)

            return audit

        workloads = []
        seen: set[str] = set()
        for pair in pairs:
            workloads.append(
                (
                    pair.ours,
                    workload(pair.ours, ours_url + page_url(pair.language, pair.page)),
                )
            )
            bare_name = bare_of[pair]
            if bare_name not in seen:
                seen.add(bare_name)
                language = bare_for(pair, bare_languages)
                workloads.append(
                    (
                        bare_name,
                        workload(bare_name, bare_urls[language] + bare_url(pair.page)),
                    )
                )
        workloads += [
            (
                before_name(pair),
                workload(
                    before_name(pair),
                    bare_urls["before"] + page_url(pair.language, pair.page),
                ),
            )
            for pair in before
        ]
        # One unrecorded audit first: Node, Lighthouse and Chromium warm up
        # (not in --quick, which scripts/test runs and keeps short).
        if not context.quick:
            auditor.audit(
                ours_url + page_url(pairs[0].language, pairs[0].page),
                ("performance",),
            )
        measured = alternate(
            workloads,
            runs=runs,
            progress=lambda message: context.log(f"lighthouse: {message}"),
        )

    for name, _ in workloads:
        for key, label, unit in METRICS:
            section.figures.append(
                measured.figure(name, f"{name}: {label}", unit, metric=key)
            )
    rows = page_rows(pairs, measured.samples, bare_of)
    section.extra["rows"] = rows
    section.extra["table"] = {"header": list(TABLE_HEADER), "rows": table_rows(rows)}
    section.extra["order"] = measured.order
    section.extra["main_thread"] = first
    section.extra["serving"] = "gzip, from 127.0.0.1"
    tutorial = site / "tutorial" / "index.html"
    if tutorial.is_file():
        section.extra["code_elements"] = code_elements(
            tutorial.read_text(encoding="utf-8")
        )
    add_targets(section, rows, everything=not (context.quick or context.pages))
    if before:
        section.extra["baseline"] = {
            "commit": context.baseline,
            "rows": before_after_rows(before, measured.samples, bare_of),
        }
    if context.quick:
        section.notes.append(
            "--quick: one page per language, one run each, compared with bare Material in English"
        )
    if context.pages:
        section.notes.append(f"--page {' '.join(context.pages)}: only these pages")
    return section


@contextmanager
def servers(
    site: Path, bares: Mapping[str, Path]
) -> Iterator[tuple[str, dict[str, str]]]:
    """The guide's site and each bare site, each on a compressing static host."""
    with ExitStack() as stack:
        ours = stack.enter_context(live.serve_static(site, CompressingHandler))
        urls = {
            language: stack.enter_context(live.serve_static(folder, CompressingHandler))
            for language, folder in bares.items()
        }
        yield ours, urls
