"""Section "broadcast": the naive broadcast loop against the reliable manager.

Both chat examples run under real uvicorn, a fresh server per run. Many
clients connect; the first sends a burst of messages; the figure is the time
until every client has every message. Then the same with one stalled client
added: it completes the handshake and never reads, with a small receive
buffer. The naive loop waits for that client's socket, so the run is cut off
after a bound and reported as stalled; the reliable manager should not care.

Runs only when both examples exist. The examples are named by import string
(``APPS``), so the same harness measures any chat app with the same protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from guidekit import live
from guidekit.benchmarks.chat_load import broadcast_round, stalled_client
from guidekit.benchmarks.core import ROOT, TIMES, Context, Section, alternate

TITLE = "Broadcast"
RUNS = 3


@dataclass(frozen=True)
class ChatApp:
    name: str
    app: str  # the import string uvicorn runs
    path: str = "/ws/{client_id}"

    @property
    def source(self) -> str:
        module = self.app.split(":", 1)[0]
        return module.replace(".", "/") + ".py"


APPS = (
    ChatApp("naive", "tests.broadcasting.naive_chat:app"),
    ChatApp("reliable", "docs_src.broadcasting.reliable:app"),
)


@dataclass(frozen=True)
class Load:
    clients: int
    messages: int
    payload: int  # characters per message
    bound: float  # seconds before a run counts as stalled


FULL = Load(clients=200, messages=100, payload=4096, bound=15.0)
QUICK = Load(clients=10, messages=5, payload=4096, bound=3.0)
UVICORN_ARGS = ("--log-level", "warning", "--timeout-graceful-shutdown", "2")


def one_run(
    app: ChatApp, load: Load, stalled: bool, app_dir: Path = ROOT
) -> Callable[[], float]:
    """A workload: a fresh server, ``load.clients`` clients, one burst.

    ``app_dir`` is where the app is imported from: the benchmark's copy of the
    project, so an example being edited meanwhile cannot change a run.
    """

    def run() -> float:
        with live.uvicorn(app.app, "--app-dir", str(app_dir), *UVICORN_ARGS) as server:
            base = server.url.replace("http://", "ws://")
            blocker = None
            if stalled:
                # First in the server's list of clients, so every broadcast meets it.
                blocker = stalled_client(server.port, app.path.format(client_id=9999))
            try:
                urls = [
                    base + app.path.format(client_id=index)
                    for index in range(load.clients)
                ]
                delivery = asyncio.run(
                    broadcast_round(
                        urls[0], urls, load.messages, load.payload, load.bound
                    )
                )
            finally:
                if blocker is not None:
                    with contextlib.suppress(OSError):
                        blocker.close()
        return delivery.seconds

    return run


def run(context: Context) -> Section:
    section = Section("broadcast", TITLE)
    project = context.snapshot()
    missing = [app.source for app in APPS if not (project / app.source).is_file()]
    if missing:
        section.status = "skipped"
        section.notes.append(f"not measured: {', '.join(missing)} does not exist yet")
        return section
    load = QUICK if context.quick else FULL
    workloads = []
    for stalled in (False, True):
        for app in APPS:
            name = f"{app.name}-stalled" if stalled else app.name
            workloads.append((name, one_run(app, load, stalled, project)))
    measured = alternate(
        workloads,
        runs=context.runs_for(RUNS),
        warmup=0,
        progress=lambda message: context.log(f"broadcast: {message}"),
    )
    size = f"{load.clients} clients {TIMES} {load.messages} messages"
    for app in APPS:
        section.figures.append(
            measured.figure(app.name, f"{app.name}, {size}", "s", bound=load.bound)
        )
    for app in APPS:
        section.figures.append(
            measured.figure(
                f"{app.name}-stalled",
                f"{app.name}, {load.clients} healthy + 1 stalled: until the healthy have all",
                "s",
                bound=load.bound,
            )
        )
    section.extra["order"] = measured.order
    section.extra["details"] = {
        "apps": ", ".join(f"{app.name} = `{app.app}`" for app in APPS),
        "load": f"{size}, {load.payload} characters each, sent in one burst by client 0",
        "stalled client": "completes the handshake, never reads, 4 KiB receive buffer, "
        "no compression; connected first",
        "bound": f"a run still waiting after {load.bound:g} s counts as stalled",
    }
    healthy = section.add_ratio(
        "reliable/naive", "reliable / naive, all clients healthy", "reliable", "naive"
    )
    section.add_ratio(
        "reliable-stalled/reliable",
        "reliable: one stalled client / all healthy",
        "reliable-stalled",
        "reliable",
    )
    section.add_target(
        "reliable-no-slower",
        "reliable no slower than naive, all clients healthy",
        healthy.value,
        "<=",
        1.0,
        TIMES,
    )
    naive_stalled = section.figure("naive-stalled")
    if naive_stalled.unfinished:
        section.notes.append(
            f"naive loop with a stalled client: stalled in {naive_stalled.unfinished} of "
            f"{naive_stalled.runs} runs (cut off after {load.bound:g} s)"
        )
    return section
