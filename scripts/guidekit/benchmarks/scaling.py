"""Section "scaling": chat messages through Redis between two uvicorn processes.

A throwaway redis-server and two uvicorn processes of the same Redis-backed
app, each on its own port. Clients connect to both; one client on the first
process sends messages stamped with the time they were sent, keeping a few in
flight (it waits for its own copies to come back through Redis): a burst
would only measure how the app drops clients that fall 100 messages behind.
The figures: messages per second end to end (messages sent / time until every
client had every message) and each delivery's latency, median and p99.

Runs only when ``docs_src/scaling/`` holds a Redis-backed app. The app is found
by reading the sources (the first module that mentions redis and defines
``app``), or named with ``APP``; so is the environment variable that gives it
Redis's URL.
"""

from __future__ import annotations

import asyncio
import re
import statistics
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from guidekit import live
from guidekit.benchmarks.chat_load import broadcast_round
from guidekit.benchmarks.core import ROOT, Context, Section, alternate, percentile

TITLE = "Across processes"
RUNS = 3
FOLDER = Path("docs_src") / "scaling"


@dataclass(frozen=True)
class RedisApp:
    app: str  # the import string uvicorn runs
    redis_env: str = "REDIS_URL"
    path: str = "/ws/{client_id}"


APP: RedisApp | None = None  # name the app here to skip discovery


@dataclass(frozen=True)
class Load:
    clients: int  # half on each process
    messages: int
    payload: int
    bound: float
    window: int  # messages in flight at most: the sender waits for its own copies


FULL = Load(clients=50, messages=1000, payload=64, bound=60.0, window=20)
QUICK = Load(clients=4, messages=20, payload=64, bound=10.0, window=5)
ENV_NAME = re.compile(
    r"""(?:environ\.get\(|environ\[|getenv\()\s*["'](?P<name>[A-Z][A-Z0-9_]*)["']"""
)
ROUTE = re.compile(r"""\.websocket\(\s*["'](?P<path>[^"']+)["']""")


def discover(root: Path = ROOT) -> RedisApp | None:
    """The first module under docs_src/scaling that uses Redis and defines ``app``."""
    folder = root / FOLDER
    for source in sorted(folder.glob("*.py")) if folder.is_dir() else []:
        text = source.read_text(encoding="utf-8")
        if source.name == "__init__.py" or "redis" not in text.lower():
            continue
        if not re.search(r"^app\s*[:=]", text, re.MULTILINE):
            continue
        module = source.relative_to(root).with_suffix("").as_posix().replace("/", ".")
        names = [match["name"] for match in ENV_NAME.finditer(text)]
        env = next(
            (name for name in names if "REDIS" in name),
            names[0] if names else "REDIS_URL",
        )
        route = ROUTE.search(text)
        path = route["path"] if route else "/ws/{client_id}"
        path = re.sub(r"\{[^}]+\}", "{client_id}", path, count=1)
        return RedisApp(f"{module}:app", env, path)
    return None


def one_run(
    app: RedisApp, load: Load, results: dict[str, list[float]], app_dir: Path = ROOT
) -> Callable[[], dict[str, float]]:
    """A workload: Redis and two fresh servers of the app from ``app_dir``."""

    def run() -> dict[str, float]:
        with ExitStack() as stack:
            redis = stack.enter_context(live.redis_server())
            env = {app.redis_env: redis.url}
            args = ("--app-dir", str(app_dir), "--log-level", "warning")
            args += ("--timeout-graceful-shutdown", "2")
            first = stack.enter_context(live.uvicorn(app.app, *args, env=env))
            second = stack.enter_context(live.uvicorn(app.app, *args, env=env))
            urls = []
            for index in range(load.clients):
                server = first if index % 2 == 0 else second
                base = server.url.replace("http://", "ws://")
                urls.append(base + app.path.format(client_id=index))
            delivery = asyncio.run(
                broadcast_round(
                    urls[0], urls, load.messages, load.payload, load.bound, load.window
                )
            )
        results.setdefault("latencies", []).extend(delivery.latencies)
        results.setdefault("dropped", []).append(delivery.dropped)
        latencies = delivery.latencies or [float("inf")]
        return {
            "throughput": load.messages / delivery.seconds
            if delivery.finished
            else 0.0,
            "latency_median": statistics.median(latencies) * 1000,
            "latency_p99": (percentile(latencies, 0.99) or 0.0) * 1000,
        }

    return run


def run(context: Context) -> Section:
    section = Section("scaling", TITLE)
    project = context.snapshot()
    app = APP or discover(project)
    if app is None:
        section.status = "skipped"
        section.notes.append(
            f"not measured: {FOLDER.as_posix()}/ has no Redis-backed app yet "
            "(the harness finds one by itself once it exists)"
        )
        return section
    if not live.redis_available():
        section.status = "skipped"
        section.notes.append("not measured: redis-server is not installed")
        return section
    load = QUICK if context.quick else FULL
    pooled: dict[str, list[float]] = {}
    measured = alternate(
        [("redis", one_run(app, load, pooled, project))],
        runs=context.runs_for(RUNS),
        progress=lambda message: context.log(f"scaling: {message}"),
    )
    size = f"{load.clients} clients on 2 processes, {load.messages} messages"
    section.extra["order"] = measured.order
    section.figures += [
        measured.figure(
            "redis", f"messages per second end to end ({size})", "msg/s", "throughput"
        ),
        measured.figure("redis", "latency, median of each run", "ms", "latency_median"),
        measured.figure("redis", "latency, p99 of each run", "ms", "latency_p99"),
    ]
    latencies = pooled.get("latencies", [])
    dropped = pooled.get("dropped", [])
    if any(dropped):
        section.notes.append(
            f"the server dropped clients in {sum(1 for n in dropped if n)} of "
            f"{len(dropped)} runs ({int(sum(dropped))} clients in all); such a run "
            "counts as 0 msg/s"
        )
    section.extra["details"] = {
        "app": f"`{app.app}` with `{app.redis_env}` set to a throwaway redis-server",
        "load": f"{size}, {load.payload} characters each, sent by client 0 on the "
        f"first process with at most {load.window} in flight (it waits for its "
        "own copies)",
        "latency over all runs": (
            f"median {statistics.median(latencies) * 1000:.1f} ms, "
            f"p99 {(percentile(latencies, 0.99) or 0) * 1000:.1f} ms "
            f"({len(latencies)} deliveries)"
            if latencies
            else "no deliveries"
        ),
    }
    return section
