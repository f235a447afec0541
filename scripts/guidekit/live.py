"""Real parts for end-to-end runs: uvicorn on a free loopback port, and Chromium.

Shared by the end-to-end tests and by the screenshot script, so the pictures
in the docs come from the same flow the tests check.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


def start_redis(port: int) -> subprocess.Popen[bytes]:
    """A throwaway redis-server on ``port``: no persistence, loopback only."""
    command = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1"]
    command += ["--save", "", "--appendonly", "no", "--protected-mode", "yes"]
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


def stop_redis(process: subprocess.Popen[bytes]) -> None:
    """End a throwaway redis-server at once, as a crash or a lost host would.

    It has nothing to save, and a polite SIGTERM waits for Redis's next timer
    tick (up to 100 ms) before it shuts down. Clients see the same thing either
    way: their connections drop.
    """
    process.kill()
    process.wait()


@contextmanager
def redis_server() -> Iterator[Redis]:
    """Run redis-server on a free loopback port until the block ends."""
    port = free_port()
    server = Redis(f"redis://127.0.0.1:{port}/0", port, start_redis(port))
    try:
        yield server
    finally:
        stop_redis(server.process)
