"""Uvicorn's log as usual, plus the lines that say it gave up on a client.

The hostile suite's ping cases wait for Uvicorn's trace line about its
keepalive ping timing out, for the debug line of a close frame it sends, or
for the trace line of an app that closes a connection on its own.
Those levels also log every other frame; this filter drops those lines before
they are formatted, so that a server flooded with messages is not slowed down
by its own log. Used through ``keepalive_logging.json`` (``--log-config``).
"""

from __future__ import annotations

import logging

from websockets.frames import Frame, Opcode


class KeepaliveTimeouts(logging.Filter):
    """Records at INFO and above, and those that say a connection is given up."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.INFO:
            return True
        if "keepalive ping timeout" in str(record.msg):
            return True
        args = record.args if isinstance(record.args, tuple) else ()
        # websockets logs each frame it sends as ("> %s", frame).
        if record.msg == "> %s" and args:
            return isinstance(args[0], Frame) and args[0].opcode is Opcode.CLOSE
        # Uvicorn's ASGI trace logs each message an app sends as
        # ("%s [%d] Send %s", client, number, message).
        if record.msg == "%s [%d] Send %s" and len(args) == 3:
            message = args[2]
            return (
                isinstance(message, dict) and message.get("type") == "websocket.close"
            )
        return False
