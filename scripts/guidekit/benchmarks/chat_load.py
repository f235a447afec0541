"""Load for the chat examples: many WebSocket clients on one asyncio loop.

Shared by the broadcast and scaling sections. The examples' chat protocol:
a client connects to ``/ws/{client_id}``, sends text, and every client gets
``Client #N says: TEXT``. Each benchmark message carries its sequence number
(and, for latency, when it was sent) in a form any such wording keeps:
``m000042|<send time in ns>|<padding>``.
"""

from __future__ import annotations

import asyncio
import base64
import math
import os
import re
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

MESSAGE = re.compile(r"m(?P<seq>\d{6})\|(?P<sent>\d+)\|")
CONNECT_AT_ONCE = 32
SETTLE = 0.2  # seconds after the last handshake, before the first message
ETHERNET_MSS = 1460


def message(seq: int, payload: int) -> str:
    """Message ``seq``, padded to about ``payload`` characters."""
    head = f"m{seq:06d}|{time.perf_counter_ns()}|"
    return head + "x" * max(0, payload - len(head))


@dataclass
class Delivery:
    """What one broadcast run saw."""

    clients: int
    messages: int
    seconds: float  # from the first send until every client had every message
    complete: int  # clients that got every message within the bound
    latencies: list[float] = field(default_factory=list)  # seconds, every delivery
    dropped: int = 0  # clients the server closed before they had everything

    @property
    def finished(self) -> bool:
        return self.complete == self.clients


def stalled_client(
    port: int, path: str, receive_buffer: int = 4096, segment: int = ETHERNET_MSS
) -> socket.socket:
    """A client that completes the handshake and then never reads.

    Its receive buffer is small, so the server's writes back up quickly; it
    offers no compression, so every byte sent to it stays a byte. It asks for
    Ethernet-sized segments: on loopback (64 KiB segments) Linux would give
    the server's socket about 4 MiB of send buffer for it, far more than over
    a real network (about 70 KiB), and a stall would need megabytes to show.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    if segment and hasattr(socket, "TCP_MAXSEG"):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, segment)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    sock.sendall(request.encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(1)  # byte by byte: nothing after the headers is read
        if not chunk:
            raise ConnectionError(f"{path}: the server closed the handshake")
        answer += chunk
    status = answer.split(b"\r\n", 1)[0]
    if status.split()[1:2] != [b"101"]:
        raise ConnectionError(
            f"{path}: expected 101 Switching Protocols, found {status!r}"
        )
    return sock


async def _open(urls: Sequence[str]) -> list[ClientConnection]:
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)

    async def open_one(url: str) -> ClientConnection:
        async with gate:
            return await connect(
                url,
                compression=None,
                max_size=None,
                ping_interval=None,
                open_timeout=30,
                close_timeout=1,
            )

    return list(await asyncio.gather(*(open_one(url) for url in urls)))


def _abort(connections: Sequence[ClientConnection]) -> None:
    for connection in connections:
        transport = connection.transport
        if transport is not None and not transport.is_closing():
            transport.abort()


async def broadcast_round(
    sender_url: str,
    receiver_urls: Sequence[str],
    messages: int,
    payload: int,
    bound: float,
    window: int | None = None,
) -> Delivery:
    """Connect every client, send ``messages`` from the first, and wait.

    The sender is one of the receivers when its URL is among them (the chat
    sends everyone's messages to everyone, its author included). Without a
    ``window`` the messages go out in one burst; with one, the sender keeps at
    most ``window`` messages in flight: it sends message n only once its own
    copy of message n - window is back.
    """
    urls = list(dict.fromkeys([sender_url, *receiver_urls]))
    if window is not None and sender_url not in receiver_urls:
        raise ValueError("a window needs the sender among the receivers")
    connections = await _open(urls)
    receivers = [connections[urls.index(url)] for url in receiver_urls]
    sender = connections[0]
    loop = asyncio.get_running_loop()
    done_at: list[float | None] = [None] * len(receivers)
    closed: list[int | None] = [None] * len(receivers)
    latencies: list[float] = []
    returned = [0]  # messages back at the sender
    progress = asyncio.Event()

    async def receive(index: int, connection: ClientConnection) -> None:
        seen: set[int] = set()
        try:
            async for text in connection:
                found = MESSAGE.search(text if isinstance(text, str) else text.decode())
                if found is None:
                    continue  # "You wrote: ...", or someone joining or leaving
                now = time.perf_counter_ns()
                seq = int(found["seq"])
                if seq not in seen:
                    seen.add(seq)
                    latencies.append((now - int(found["sent"])) / 1e9)
                if connection is sender:
                    returned[0] = len(seen)
                    progress.set()
                if len(seen) == messages:
                    done_at[index] = loop.time()
                    return
        except ConnectionClosed as error:
            # The server dropped this client (the reliable manager does that
            # to one that falls too far behind).
            closed[index] = error.rcvd.code if error.rcvd else 1006

    async def send_all() -> None:
        try:
            for seq in range(messages):
                while window is not None and seq - returned[0] >= window:
                    progress.clear()
                    await progress.wait()
                await sender.send(message(seq, payload))
        except ConnectionClosed:
            pass  # the sender was dropped; its receiver records how

    try:
        await asyncio.sleep(SETTLE)
        tasks = [
            asyncio.create_task(receive(index, connection))
            for index, connection in enumerate(receivers)
        ]
        start = loop.time()
        sending = asyncio.create_task(send_all())
        _, pending = await asyncio.wait([*tasks, sending], timeout=bound)
        for task in pending:
            task.cancel()
        outcomes = await asyncio.gather(*tasks, sending, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, Exception):  # a bug, not a slow server
                raise outcome
        finished = [moment for moment in done_at if moment is not None]
        complete = len(finished)
        seconds = (
            max(finished) - start
            if complete == len(receivers) and finished
            else math.inf
        )
        dropped = sum(1 for code in closed if code is not None)
        return Delivery(len(receivers), messages, seconds, complete, latencies, dropped)
    finally:
        _abort(connections)
