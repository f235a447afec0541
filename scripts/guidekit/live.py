"""Real parts for end-to-end runs: uvicorn on a free loopback port, and Chromium.

Also a redis-server (throwaway or with its data on disk, to restart it), and
a small TCP balancer in front of several servers, whose connections can be cut.

Shared by the end-to-end tests and by the screenshot script, so the pictures
in the docs come from the same flow the tests check.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Playwright is only needed where a browser is used
    from playwright.sync_api import Browser, Playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# Keep Chromium from reaching out to the network on its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-default-apps",
    "--disable-extensions",
]


class StartError(RuntimeError):
    """A server that did not come up; the message carries its output."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(
    port: int, process: subprocess.Popen[bytes] | None = None, timeout: float = 30
) -> None:
    """Poll until something accepts connections on ``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise StartError(f"the server exited with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.02)  # a poll interval, not a wait for an outcome
    raise StartError(f"nothing accepted connections on 127.0.0.1:{port} in {timeout}s")


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def uvicorn(
    app: str, *extra: str, env: dict[str, str] | None = None, port: int | None = None
) -> Iterator[Server]:
    """Run ``uvicorn APP`` (e.g. ``docs_src.tutorial.echo:app``) until the block ends.

    ``port`` starts it on a given port, such as the one of a server that was
    stopped, to restart it where its clients expect it; by default, a free one.
    """
    port = port or free_port()
    with tempfile.NamedTemporaryFile(
        prefix="uvicorn-", suffix=".log", delete=False
    ) as log:
        log_path = Path(log.name)
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1"]
    command += ["--port", str(port), *extra]
    with log_path.open("wb") as sink:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    server = Server(f"http://127.0.0.1:{port}", port, process, log_path)
    try:
        try:
            wait_for_port(port, process)
        except StartError as error:
            raise StartError(f"{app}: {error}\n{server.output()}") from None
        yield server
    finally:
        stop(process)


def chromium_available() -> bool:
    return Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)


@contextmanager
def chromium(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, closed when the block ends.

    Playwright gives every launch a fresh, empty profile of its own (it refuses
    a ``--user-data-dir`` argument), so no state leaks between runs.
    """
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield browser
    finally:
        browser.close()


REDIS_SERVER = "redis-server"


def redis_available() -> bool:
    return shutil.which(REDIS_SERVER) is not None


@dataclass
class Redis:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    data: Path | None = None  # where it keeps its data, if it keeps any


def start_redis(port: int, data: Path | None = None) -> subprocess.Popen[bytes]:
    """A redis-server on ``port``, loopback only.

    Without ``data``, a throwaway one with no persistence. With it, an
    append-only file in that folder, written before each write is
    acknowledged, so a restart (even after ``kill -9``) keeps everything that
    Redis confirmed.
    """
    command = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1"]
    command += ["--save", "", "--protected-mode", "yes"]
    if data is None:
        command += ["--appendonly", "no"]
    else:
        command += ["--appendonly", "yes", "--appendfsync", "always"]
        command += ["--dir", str(data)]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_for_port(port, process)
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def kill(process: subprocess.Popen[bytes]) -> None:
    """``kill -9``: the process gets no chance to close anything."""
    process.kill()
    process.wait()


def stop_redis(process: subprocess.Popen[bytes]) -> None:
    """End a redis-server at once, as a crash or a lost host would.

    A polite SIGTERM waits for Redis's next timer tick (up to 100 ms) before it
    shuts down. Clients see the same thing either way: their connections drop.
    """
    kill(process)


def restart_redis(server: Redis) -> None:
    """Kill ``server`` and start it again on its port, with its data if any."""
    stop_redis(server.process)
    server.process = start_redis(server.port, server.data)


@contextmanager
def redis_server(persistent: bool = False) -> Iterator[Redis]:
    """Run redis-server on a free loopback port until the block ends.

    ``persistent`` keeps its data in a temporary folder, for ``restart_redis``.
    """
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="redis-") as folder:
        data = Path(folder) if persistent else None
        server = Redis(f"redis://127.0.0.1:{port}/0", port, start_redis(port, data))
        server.data = data
        try:
            yield server
        finally:
            stop_redis(server.process)


@dataclass
class Balancer:
    """A TCP balancer on a free loopback port, in a thread of its own.

    Each new connection goes to the next of ``backends`` (ports) that accepts
    it, as a load balancer in front of several servers would. ``cut()`` resets
    every connection it carries, on both sides, as a failing network would.
    """

    backends: list[int]
    port: int = 0
    loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)
    links: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = field(
        default_factory=set
    )
    turn: int = 0
    connections: dict[int, int] = field(default_factory=dict)  # by backend port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _serve(self) -> asyncio.Server:
        server = await asyncio.start_server(self._link, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        return server

    async def _link(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        for _ in self.backends:
            backend = self.backends[self.turn % len(self.backends)]
            self.turn += 1
            try:
                up_reader, up_writer = await asyncio.open_connection(
                    "127.0.0.1", backend
                )
                self.connections[backend] = self.connections.get(backend, 0) + 1
                break
            except OSError:
                continue  # that one is down: try the next
        else:
            _reset(writer)  # none is up: refuse, as a dead host would
            return
        link = (writer, up_writer)
        self.links.add(link)
        try:
            pipes = [_pipe(reader, up_writer), _pipe(up_reader, writer)]
            await asyncio.wait(
                [asyncio.ensure_future(pipe) for pipe in pipes],
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            self.links.discard(link)
            writer.close()  # one side ended: end the other, as TCP would
            up_writer.close()

    def cut(self) -> int:
        """Reset every connection now; how many there were."""

        async def reset_all() -> int:
            links = list(self.links)
            for client_side, server_side in links:
                _reset(client_side)
                _reset(server_side)
            return len(links)

        return asyncio.run_coroutine_threadsafe(reset_all(), self.loop).result(10)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass  # reset: the caller closes both sides


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (SO_LINGER 0) instead of a FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


@contextmanager
def balancer(backends: list[int]) -> Iterator[Balancer]:
    """Run a ``Balancer`` in front of ``backends`` until the block ends."""
    proxy = Balancer(backends)
    thread = threading.Thread(target=proxy.loop.run_forever, daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(proxy._serve(), proxy.loop).result(10)
    try:
        yield proxy
    finally:

        async def shut() -> None:
            server.close()
            for client_side, server_side in list(proxy.links):
                client_side.transport.abort()
                server_side.transport.abort()
            # With both sides aborted, every link ends on its own: waiting for
            # them, rather than cancelling them, keeps asyncio from reporting
            # a cancelled connection handler.
            others = asyncio.all_tasks() - {asyncio.current_task()}
            if others:
                await asyncio.wait(others, timeout=5)

        asyncio.run_coroutine_threadsafe(shut(), proxy.loop).result(10)
        proxy.loop.call_soon_threadsafe(proxy.loop.stop)
        thread.join(10)
        proxy.loop.close()
