"""Section "resume": the resumable chat on Redis Streams, after a fault and live.

Two workloads, in turns:

- **catch-up**: clients of the page's Python client (``docs_src/resume/
  client.py``), all on one of two uvicorn processes behind a small TCP
  balancer. That process is killed (``kill -9``), and the messages they
  miss are added to the stream at once. The figure: seconds from the kill
  until every client has every missed message, its own reconnection delays
  (full jitter, up to 0.5 s on the first attempt) included.
- **live**: messages per second end to end through the stream, with clients
  on both processes and a sender keeping a few messages in flight, beside the
  same load through the pub/sub app of the "scaling" section.

Figures only, no targets: there is nothing to compare them with but each other.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import redis
from websockets.asyncio.client import connect

from guidekit import live
from guidekit.benchmarks import scaling
from guidekit.benchmarks.core import Context, Section, alternate

TITLE = "Resuming after a fault"
RUNS = 3
APP = "docs_src.resume.chat:app"
FOLDER = Path("docs_src") / "resume"


@dataclass(frozen=True)
class Load:
    clients: int  # that reconnect and catch up
    missed: int  # messages they miss
    live_clients: int  # half on each process
    live_messages: int
    window: int  # live messages in flight at most
    bound: float  # seconds a workload may take before it counts as unfinished
    memory_text: int = 64  # characters in each message of the memory measurement


FULL = Load(
    clients=200,
    missed=1000,
    live_clients=50,
    live_messages=1000,
    window=20,
    bound=120.0,
)
QUICK = Load(
    clients=4, missed=20, live_clients=4, live_messages=20, window=5, bound=30.0
)


def ws(server_url: str) -> str:
    return server_url.replace("http://", "ws://") + "/ws"


async def followers(
    url: str, count: int, expected: int
) -> tuple[list[object], asyncio.Event]:
    """``count`` Python clients; the event is set once all have ``expected``."""
    from docs_src.resume.client import Follower

    done = asyncio.Event()
    counts = [0] * count
    complete = 0

    def counter(index: int) -> Callable[[str, str], None]:
        def on_message(message_id: str, text: str) -> None:
            nonlocal complete
            counts[index] += 1
            if counts[index] == expected:
                complete += 1
                if complete == count:
                    done.set()

        return on_message

    clients = [Follower(url, counter(index)) for index in range(count)]
    tasks = [asyncio.create_task(client.run()) for client in clients]
    for client in clients:
        await client.live.wait()
    return tasks, done


async def stop_all(tasks: list[asyncio.Task[int]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def two_processes(
    stack: ExitStack, app_dir: Path
) -> tuple[live.Redis, live.Server, live.Server]:
    """A throwaway redis-server and two processes of the app, until ``stack`` ends."""
    server = stack.enter_context(live.redis_server())
    env = {"REDIS_URL": server.url}
    args = ("--app-dir", str(app_dir), "--log-level", "warning")
    first = stack.enter_context(live.uvicorn(APP, *args, env=env))
    second = stack.enter_context(live.uvicorn(APP, *args, env=env))
    return server, first, second


def catch_up(load: Load, app_dir: Path) -> Callable[[], float]:
    def run() -> float:
        with ExitStack() as stack:
            server, doomed, survivor = two_processes(stack, app_dir)
            balancer = stack.enter_context(live.balancer([doomed.port]))

            async def scenario() -> float:
                tasks, done = await followers(
                    ws(balancer.url), load.clients, load.missed
                )
                balancer.backends.append(survivor.port)  # for the way back
                with redis.Redis.from_url(server.url) as other_process:
                    started = time.perf_counter()
                    live.kill(doomed.process)
                    with other_process.pipeline(transaction=False) as pipe:
                        for number in range(load.missed):
                            pipe.xadd("chat", {"text": str(number)})
                        pipe.execute()
                try:
                    await asyncio.wait_for(done.wait(), load.bound)
                    return time.perf_counter() - started
                except asyncio.TimeoutError:
                    return float("inf")
                finally:
                    await stop_all(tasks)

            return asyncio.run(scenario())

    return run


def streams_live(load: Load, app_dir: Path) -> Callable[[], float]:
    def run() -> float:
        with ExitStack() as stack:
            _, first, second = two_processes(stack, app_dir)

            async def scenario() -> float:
                half = load.live_clients // 2
                tasks_a, done_a = await followers(
                    ws(first.url), half, load.live_messages
                )
                tasks_b, done_b = await followers(
                    ws(second.url), load.live_clients - half, load.live_messages
                )
                async with connect(ws(first.url)) as sender:
                    await sender.send("")
                    await sender.recv()  # live
                    started = time.perf_counter()
                    in_flight = 0
                    sent = 0
                    try:
                        async with asyncio.timeout(load.bound):
                            while sent < load.live_messages or in_flight:
                                while (
                                    in_flight < load.window
                                    and sent < load.live_messages
                                ):
                                    await sender.send(f"m{sent:06d}")
                                    sent += 1
                                    in_flight += 1
                                reply = json.loads(await sender.recv())
                                if reply["type"] == "message":
                                    in_flight -= 1
                            await done_a.wait()
                            await done_b.wait()
                        seconds = time.perf_counter() - started
                    except TimeoutError:
                        seconds = float("inf")
                await stop_all([*tasks_a, *tasks_b])
                return load.live_messages / seconds

            return asyncio.run(scenario())

    return run


def memory(load: Load) -> Callable[[], dict[str, float]]:
    """Redis's memory for a full history: ``MEMORY USAGE`` of the stream, per message."""

    def run() -> dict[str, float]:
        from docs_src.resume.chat import HISTORY

        text = "x" * load.memory_text
        with live.redis_server() as server, redis.Redis.from_url(server.url) as client:
            before = int(client.info("memory")["used_memory"])
            with client.pipeline(transaction=False) as pipe:
                for _ in range(HISTORY * 2):  # twice over: trimmed as the app trims
                    pipe.xadd("chat", {"text": text}, maxlen=HISTORY, approximate=True)
                pipe.execute()
            kept = int(client.xlen("chat"))
            usage = int(client.memory_usage("chat", samples=0) or 0)
            after = int(client.info("memory")["used_memory"])
        return {
            "kept": kept,
            "stream_bytes": usage,
            "per_message": usage / kept,
            "used_memory_growth": after - before,
        }

    return run


def run(context: Context) -> Section:
    section = Section("resume", TITLE)
    project = context.snapshot()
    if not (project / FOLDER / "chat.py").is_file():
        section.status = "skipped"
        section.notes.append(f"not measured: {FOLDER.as_posix()}/chat.py is missing")
        return section
    if not live.redis_available():
        section.status = "skipped"
        section.notes.append("not measured: redis-server is not installed")
        return section
    load = QUICK if context.quick else FULL
    workloads: list[tuple[str, Callable[[], object]]] = [
        ("catch_up", catch_up(load, project)),
        ("streams", streams_live(load, project)),
        ("memory", memory(load)),
    ]
    pubsub = scaling.APP or scaling.discover(project)
    pooled: dict[str, list[float]] = {}
    if pubsub is not None:
        same = scaling.Load(
            clients=load.live_clients,
            messages=load.live_messages,
            payload=7,
            bound=load.bound,
            window=load.window,
        )
        workloads.append(("pubsub", scaling.one_run(pubsub, same, pooled, project)))
    measured = alternate(
        workloads,  # type: ignore[arg-type]
        runs=context.runs_for(RUNS),
        progress=lambda message: context.log(f"resume: {message}"),
    )
    section.extra["order"] = measured.order
    section.figures.append(
        measured.figure(
            "catch_up",
            f"{load.clients} clients reconnect after a worker kill and catch up on "
            f"{load.missed} missed messages",
            "s",
            bound=load.bound,
        )
    )
    section.figures += [
        measured.figure(
            "memory",
            f"Redis memory of the stream, full history ({load.memory_text}-character "
            "messages, MEMORY USAGE)",
            "B",
            "stream_bytes",
        ),
        measured.figure("memory", "of which per message kept", "bytes", "per_message"),
        measured.figure("memory", "messages kept", "count", "kept"),
    ]
    size = f"{load.live_clients} clients on 2 processes, {load.live_messages} messages"
    section.figures.append(
        measured.figure(
            "streams", f"live through Streams, end to end ({size})", "msg/s"
        )
    )
    if pubsub is not None:
        section.figures.append(
            measured.figure(
                "pubsub",
                f"live through pub/sub, end to end ({size})",
                "msg/s",
                "throughput",
            )
        )
    else:
        section.notes.append(
            "pub/sub not measured: no Redis-backed app in docs_src/scaling"
        )
    section.extra["details"] = {
        "app": f"`{APP}` with `REDIS_URL` set to a throwaway redis-server",
        "catch-up": f"{load.clients} clients of docs_src/resume/client.py, all on "
        "the first of two processes behind a TCP balancer; the first is killed, "
        f"{load.missed} messages are added to the stream at once, the clients "
        "reconnect to the second with their own delays",
        "live": f"{size}, at most {load.window} in flight from the sender; the "
        "pub/sub figure is the scaling section's workload at the same size",
    }
    return section
