"""Real parts for end-to-end runs: uvicorn on a free loopback port, a static host
for the built site, and Chromium.

Shared by the end-to-end tests and by the screenshot script, so the pictures
in the docs come from the same flow the tests check.
"""

from __future__ import annotations

import asyncio
import functools
import http.server
import os
import re
import shutil
import signal
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


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """A static host that answers a missing page with its language's 404 page.

    A language is a top-level folder with its own 404.html (see hooks.py).
    """

    def send_error(
        self, code: int, message: str | None = None, explain: str | None = None
    ) -> None:
        if code != 404:
            super().send_error(code, message, explain)
            return
        language = self.path.strip("/").split("/", 1)[0]
        root = Path(self.directory)
        page = root / language / "404.html"
        if not language or "." in language or not page.is_file():
            page = root / "404.html"
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    """A browser that navigates away mid-response is no error of the site's."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def serve_static(
    folder: Path, handler_class: type[SiteHandler] = SiteHandler
) -> Iterator[str]:
    """Serve a built site on a free loopback port, as a static host would."""
    handler = functools.partial(handler_class, directory=str(folder))
    server = QuietServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class StartError(RuntimeError):
    """A server that did not come up; the message carries its output."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Whether uvicorn could listen on ``port`` (closed connections do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


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


# Every app uvicorn() has run in this process, with its log: the end-to-end
# tests check, at the end, that no example's log holds a traceback.
SERVED: list[tuple[str, Path]] = []


def example_tracebacks(served: list[tuple[str, Path]] = SERVED) -> list[str]:
    """One line for each example (an app under docs_src) whose log has a traceback.

    The line names the app, the log and the exception the traceback ends with.
    Apps of the tests themselves may crash on purpose; an example never may.
    """
    found = []
    for app, log in served:
        if not app.startswith("docs_src."):
            continue
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
        starts = [n for n, line in enumerate(lines) if line.startswith("Traceback")]
        if not starts:
            continue
        after = lines[starts[0] + 1 :]
        error = next((line for line in after if not line.startswith(" ")), "?")
        found.append(f"{app} (log {log}): {error}")
    return found


@contextmanager
def uvicorn(
    app: str, *extra: str, env: dict[str, str] | None = None, port: int | None = None
) -> Iterator[Server]:
    """Run ``uvicorn APP`` (e.g. ``docs_src.tutorial.echo:app``) until the block ends.

    On a free port, unless ``port`` names the one a page tells readers to use.
    """
    port = free_port() if port is None else port
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
    SERVED.append((app, log_path))
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


def start_redis(
    port: int, *extra: str, data: Path | None = None
) -> subprocess.Popen[bytes]:
    """A redis-server on ``port``, loopback only.

    Without ``data``, a throwaway one with no persistence. With it, an
    append-only file in that folder, written before each write is
    acknowledged, so a restart (even after ``kill -9``) keeps everything that
    Redis confirmed. ``extra`` are more options, such as
    ``"--client-output-buffer-limit", "pubsub 1mb 0 0"``.
    """
    command = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1"]
    command += ["--save", "", "--protected-mode", "yes"]
    if data is None:
        command += ["--appendonly", "no"]
    else:
        command += ["--appendonly", "yes", "--appendfsync", "always"]
        command += ["--dir", str(data)]
    command += extra
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
    server.process = start_redis(server.port, data=server.data)


@contextmanager
def redis_server(*extra: str, persistent: bool = False) -> Iterator[Redis]:
    """Run redis-server on a free loopback port until the block ends.

    ``persistent`` keeps its data in a temporary folder, for ``restart_redis``.
    """
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="redis-") as folder:
        data = Path(folder) if persistent else None
        process = start_redis(port, *extra, data=data)
        server = Redis(f"redis://127.0.0.1:{port}/0", port, process, data)
        try:
            yield server
        finally:
            stop_redis(server.process)


NGINX = "/usr/sbin/nginx"
# Where a test's nginx keeps its logs and buffers: inside its own folder, so
# that nothing is written to /var and two nginx never share a file.
NGINX_HTTP_PATHS = (
    "access_log {folder}/access.log;",
    "client_body_temp_path {folder}/body;",
    "proxy_temp_path {folder}/proxy;",
    "fastcgi_temp_path {folder}/fastcgi;",
    "uwsgi_temp_path {folder}/uwsgi;",
    "scgi_temp_path {folder}/scgi;",
)


def nginx_available() -> bool:
    return Path(NGINX).is_file() and os.access(NGINX, os.X_OK)


@dataclass
class Nginx:
    port: int
    process: subprocess.Popen[bytes]
    folder: Path

    def error_log(self) -> str:
        return (self.folder / "error.log").read_text(encoding="utf-8", errors="replace")


def nginx_check(config: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` on ``config``: whether nginx would start with it, and why not."""
    path = _write_nginx_config(config, folder)
    return subprocess.run(
        [NGINX, "-t", "-p", str(folder), "-c", str(path), "-g", _nginx_globals(folder)],
        capture_output=True,
        text=True,
        check=False,
    )


@contextmanager
def nginx(config: str, port: int) -> Iterator[Nginx]:
    """Run nginx with ``config``, a whole nginx.conf listening on ``port``.

    It runs in the foreground, in a temporary folder of its own, with one
    worker; its logs and buffers go to that folder.
    """
    with tempfile.TemporaryDirectory(prefix="nginx-") as name:
        folder = Path(name)
        path = _write_nginx_config(config, folder)
        command = [NGINX, "-p", str(folder), "-c", str(path)]
        command += ["-g", _nginx_globals(folder)]
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        server = Nginx(port, process, folder)
        try:
            try:
                wait_for_port(port, process)
            except StartError as error:
                raise StartError(f"nginx: {error}\n{server.error_log()}") from None
            yield server
        finally:
            stop(process)


def _nginx_globals(folder: Path) -> str:
    # "user root" only matters when nginx starts as root, as in CI: its worker
    # then reads the test's certificate and writes to the test's folder.
    user = "user root; " if os.geteuid() == 0 else ""
    return (
        f"daemon off; master_process on; worker_processes 1; {user}"
        f"pid {folder}/nginx.pid; error_log {folder}/error.log info;"
    )


def _write_nginx_config(config: str, folder: Path) -> Path:
    paths = "\n    ".join(line.format(folder=folder) for line in NGINX_HTTP_PATHS)
    text, found = re.subn(
        r"^http\s*\{", f"http {{\n    {paths}", config, count=1, flags=re.M
    )
    if found != 1:
        raise StartError("nginx config: expected an 'http {' block, found none")
    path = folder / "nginx.conf"
    path.write_text(text, encoding="utf-8")
    return path


@contextmanager
def paused(process: subprocess.Popen[bytes], timeout: float = 10) -> Iterator[None]:
    """Stop ``process`` (SIGSTOP) for the block; it goes on afterwards.

    Its sockets stay open and the kernel keeps accepting data for it, but
    nothing answers: to its peers, a host that has silently dropped off the
    network, or a process stuck on something else.
    """
    os.kill(process.pid, signal.SIGSTOP)
    try:
        deadline = time.monotonic() + timeout
        # The state letter follows the command's closing parenthesis in /proc.
        stat = Path(f"/proc/{process.pid}/stat")
        while stat.read_text().rsplit(")", 1)[1].split()[0] != "T":
            if time.monotonic() > deadline:
                raise StartError(f"process {process.pid} did not stop")
        yield
    finally:
        os.kill(process.pid, signal.SIGCONT)


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
