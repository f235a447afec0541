"""Section "compression": what permessage-deflate costs the server, per connection.

The deployment page's example runs under Uvicorn twice in turns, with
permessage-deflate on (Uvicorn's default) and off. Clients of the
``websockets`` library, which accept the extension when it is offered, open
connections and then echo chat-sized JSON messages. The figures: the server
process's resident memory per open connection, and its CPU time per thousand
messages echoed, read from /proc.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

from guidekit import live
from guidekit.benchmarks.core import Context, Section, alternate

TITLE = "Compression"
RUNS = 3
APP = "docs_src.deploy.heartbeat:app"
# A chat message of a realistic size: a sentence or two, in a JSON envelope.
TEXT = "The build is green again; the flaky test was a race in the fixture. "


@dataclass(frozen=True)
class Load:
    connections: int
    messages: int  # per connection


FULL = Load(connections=200, messages=50)
QUICK = Load(connections=20, messages=10)
MODES = {"deflate": "true", "plain": "false"}


def rss_kib(pid: int) -> int:
    """The resident memory of process ``pid``, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status: expected a VmRSS line, found none")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time that process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime and stime
    return ticks / os.sysconf("SC_CLK_TCK")


async def exchange(connection: ClientConnection, messages: int) -> None:
    for number in range(messages):
        await connection.send(
            json.dumps({"type": "message", "text": f"{number} {TEXT}"})
        )
        reply = json.loads(await connection.recv())
        assert reply["type"] == "echo", reply


async def session(url: str, load: Load, pid: int) -> dict[str, float]:
    async with connect(url) as first:  # warms the app up before measuring
        await first.recv()
        await exchange(first, 5)
        before = rss_kib(pid)
        clients = [await connect(url) for _ in range(load.connections)]
        try:
            for client in clients:
                await client.recv()  # hello
            memory = (rss_kib(pid) - before) / load.connections
            started = cpu_seconds(pid)
            await asyncio.gather(*(exchange(c, load.messages) for c in clients))
            cpu = cpu_seconds(pid) - started
        finally:
            await asyncio.gather(*(client.close() for client in clients))
    total = load.connections * load.messages
    return {"memory": memory, "cpu": cpu / total * 1000 * 1000}  # ms per 1000


def one_run(mode: str, load: Load, app_dir: Path) -> Callable[[], dict[str, float]]:
    def run() -> dict[str, float]:
        args = ("--app-dir", str(app_dir), "--log-level", "warning")
        args += ("--ws-per-message-deflate", MODES[mode])
        with live.uvicorn(APP, *args) as server:
            url = server.url.replace("http://", "ws://") + "/ws"
            return asyncio.run(session(url, load, server.process.pid))

    return run


def run(context: Context) -> Section:
    section = Section("compression", TITLE)
    project = context.snapshot()
    if not (project / "docs_src" / "deploy" / "heartbeat.py").is_file():
        section.status = "skipped"
        section.notes.append("not measured: docs_src/deploy/heartbeat.py is missing")
        return section
    load = QUICK if context.quick else FULL
    measured = alternate(
        [(mode, one_run(mode, load, project)) for mode in MODES],
        runs=context.runs_for(RUNS),
        progress=lambda message: context.log(f"compression: {message}"),
    )
    section.extra["order"] = measured.order
    for mode, name in (("deflate", "on"), ("plain", "off")):
        section.figures += [
            measured.figure(
                mode,
                f"server memory per connection, compression {name}",
                "KiB",
                "memory",
            ),
            measured.figure(
                mode, f"server CPU per 1000 messages, compression {name}", "ms", "cpu"
            ),
        ]
    section.add_ratio(
        "memory", "memory per connection, on / off", "deflate.memory", "plain.memory"
    )
    section.add_ratio("cpu", "CPU per message, on / off", "deflate.cpu", "plain.cpu")
    section.extra["details"] = {
        "app": f"`{APP}` under Uvicorn, `--ws-per-message-deflate true` and `false`",
        "load": f"{load.connections} connections open at once, then "
        f"{load.messages} echoed messages each, of about {len(TEXT) + 30} bytes",
    }
    return section
