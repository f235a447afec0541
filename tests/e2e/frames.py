"""WebSocket bytes by hand, for the clients the websockets library cannot play.

A handshake sent a few bytes at a time, half a frame followed by a TCP reset:
the library never lets a client misbehave that way, so these tests build the
bytes themselves. Everything else uses the real client.
"""

from __future__ import annotations

import base64
import os
import socket
import struct
from collections.abc import Sequence

OP_TEXT = 0x1
OP_BINARY = 0x2
OP_CLOSE = 0x8


def upgrade_request(
    port: int,
    target: str,
    headers: Sequence[tuple[str, str]] = (),
    subprotocols: Sequence[str] = (),
) -> bytes:
    """The HTTP/1.1 request that opens a WebSocket at ``target`` ("/ws?x=1")."""
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {target} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
    ]
    if subprotocols:
        lines.append(f"Sec-WebSocket-Protocol: {', '.join(subprotocols)}")
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def frame(opcode: int, payload: bytes, *, length: int | None = None) -> bytes:
    """A masked client frame; ``length`` may announce more than ``payload`` holds."""
    announced = len(payload) if length is None else length
    header = bytes([0x80 | opcode])
    if announced < 126:
        header += bytes([0x80 | announced])
    elif announced < 1 << 16:
        header += bytes([0x80 | 126]) + struct.pack("!H", announced)
    else:
        header += bytes([0x80 | 127]) + struct.pack("!Q", announced)
    mask = os.urandom(4)
    masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
    return header + mask + masked


def read_response_head(sock: socket.socket) -> bytes:
    """The server's answer to the upgrade request, up to the blank line."""
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk:
            break  # the server hung up: the caller sees what came before
        head += chunk
    return head


def status_of(head: bytes) -> int:
    """The status code of a response head; 0 if the server sent nothing."""
    parts = head.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def linger_zero(sock: socket.socket) -> None:
    """Make the next close or shutdown of ``sock`` a TCP reset, not a FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def reset(sock: socket.socket) -> None:
    """Vanish with a TCP reset, as when a network drops."""
    linger_zero(sock)
    sock.close()
