"""Section "reload": from saving a page to ``scripts/serve`` serving the new page.

Each server runs from its own copy of the project (``scripts/serve`` in the
copy, with the project's ``.venv``), so the real translations are never
touched. A run appends a unique marker to the copy's ``docs/ko/tutorial.md``,
then fetches the page until the marker is in it. The Korean preview
(``--lang ko``) and the full site are measured in turns, each on its own
server; with ``--quick`` only the preview is.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from guidekit import live
from guidekit.benchmarks.core import Context, Section, alternate

TITLE = "Live reload"
RUNS = 5
LANGUAGE = "ko"
PAGE = Path("docs") / LANGUAGE / "tutorial.md"
START_TIMEOUT = 180.0  # the first build, on a busy machine
RELOAD_BOUND = 60.0  # a rebuild that takes longer is recorded as unfinished
POLL_INTERVAL = 0.02


@contextmanager
def serve(project: Path, language: str | None, log: Path, tmp: Path) -> Iterator[str]:
    """Run the copy's ``scripts/serve`` on a free port; yield its base URL.

    mkdocs serve builds into a temporary folder it removes when interrupted;
    TMPDIR points into the benchmark's workspace, so nothing is left behind
    even if it has to be killed.
    """
    port = live.free_port()
    command = [str(project / "scripts" / "serve"), "--port", str(port)]
    if language:
        command += ["--lang", language]
    env = {**os.environ, "TMPDIR": str(tmp)}
    env.pop("GUIDE_LANG", None)
    tmp.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=project, stdout=sink, stderr=subprocess.STDOUT, env=env
        )
    try:
        try:
            live.wait_for_port(port, process, timeout=START_TIMEOUT)
        except live.StartError as error:
            output = log.read_text(encoding="utf-8", errors="replace")
            raise live.StartError(f"{' '.join(command)}: {error}\n{output}") from None
        yield f"http://127.0.0.1:{port}"
    finally:
        interrupt(process)


def interrupt(process: subprocess.Popen[bytes]) -> None:
    """Ctrl-C, as a person would stop it; terminate, then kill, if it lingers."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        live.stop(process)


def fetch(url: str, timeout: float = RELOAD_BOUND) -> str:
    """The page's text; mkdocs serve holds a request while it rebuilds."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8", errors="replace")


def wait_for_text(
    url: str,
    text: str,
    bound: float,
    fetcher: Callable[[str], str] = fetch,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Fetch ``url`` until ``text`` is in it; False if ``bound`` seconds pass first."""
    deadline = clock() + bound
    while clock() < deadline:
        try:
            if text in fetcher(url):
                return True
        except (OSError, urllib.error.URLError):
            pass  # the server is between builds; try again
        sleep(POLL_INTERVAL)
    return False


def reload_once(project: Path, url: str, bound: float = RELOAD_BOUND) -> float:
    """Save the page with a new marker; seconds until the served page shows it."""
    marker = f"bench-reload-{uuid.uuid4().hex}"
    page = project / PAGE
    with page.open("a", encoding="utf-8") as handle:
        handle.write(f"\n\n{marker}\n")
    start = time.monotonic()
    if not wait_for_text(url, marker, bound):
        return float("inf")
    return time.monotonic() - start


def run(context: Context) -> Section:
    section = Section("reload", TITLE)
    runs = context.runs_for(RUNS)
    servers = [("preview", LANGUAGE, "/tutorial/", f"scripts/serve --lang {LANGUAGE}")]
    if context.quick:
        section.notes.append("--quick: the full scripts/serve was not measured")
    else:
        servers.append(
            ("full", None, f"/{LANGUAGE}/tutorial/", "scripts/serve (all languages)")
        )
    logs = context.output_dir / "bench-reload"
    logs.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        workloads = []
        for name, language, path, _ in servers:
            project = context.another_copy(f"serve-{name}")
            context.log(f"reload: starting {name} server")
            base = stack.enter_context(
                serve(project, language, logs / f"{name}.log", project / ".tmp")
            )
            url = base + path
            if not wait_for_text(url, "</html>", START_TIMEOUT):
                raise RuntimeError(f"{url}: the page was not served")
            workloads.append(
                (name, lambda project=project, url=url: reload_once(project, url))
            )
        measured = alternate(
            workloads,
            runs=runs,
            warmup=0 if context.quick else context.warmup,
            progress=lambda message: context.log(f"reload: {message}"),
        )
    for name, _, _, label in servers:
        section.figures.append(
            measured.figure(name, f"save to served, {label}", "s", bound=RELOAD_BOUND)
        )
    section.extra["order"] = measured.order
    section.extra["page"] = PAGE.as_posix()
    section.add_target(
        "preview-reload",
        f"reload with scripts/serve --lang {LANGUAGE} ≤ 1 s",
        section.figure("preview").median,
        "<=",
        1.0,
        "s",
    )
    if not context.quick:
        section.add_ratio(
            "full/preview", "reload: full site / preview", "full", "preview"
        )
        # The 1 s target is a translator's: one page, previewed in its own
        # language. The whole site is shown for comparison, without a verdict.
        full = section.figure("full").median
        section.notes.append(
            f"the whole site (scripts/serve, every language) reloads "
            f"in {full:.2f} s, as it rebuilds every language; the 1 s target is for "
            "a translator's preview of one language"
        )
    section.notes.append(
        "mkdocs serve looks for changes every 0.5 s and waits 0.1 s more before "
        "rebuilding, so about 0.35 s of each reload comes before the build starts"
    )
    return section
