"""Transcripts: what a reader sees in a WebSocket client, recorded from a real run.

A transcript sits beside its example, ``docs_src/<topic>/<example>.<name>.txt``,
and looks like a session with the websockets library's interactive client::

    $ python -m websockets ws://localhost:8000/ws
    Connected to ws://localhost:8000/ws.
    > Hello
    < You said: Hello
    Connection closed: 1000 (OK).

The author writes the command line and the ``>`` lines (what the reader
types); ``scripts/transcripts.py --write`` runs the example under uvicorn,
sends them with the websockets client and writes down everything else. An
end-to-end test runs each exchange again and fails, with a diff, when the
wire no longer says what the file does.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from websockets.exceptions import ConnectionClosed
from websockets.frames import Close
from websockets.sync.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parents[2]
COMMAND = re.compile(
    r"^\$ python -m websockets (?P<url>ws://localhost:8000(?P<target>/\S*))$"
)
SHOWN_HOST = "ws://localhost:8000"
QUIET = 0.5  # seconds with nothing more from the server: it has said everything
TIMEOUT = 10


class TranscriptError(Exception):
    """A transcript that cannot be run; the message names the file and line."""


@dataclass(frozen=True)
class Transcript:
    path: Path
    url: str  # as the reader types it: ws://localhost:8000/...
    target: str  # the path and query on the server
    sent: list[str]  # the ">" lines, in order
    expected: list[str]  # the whole file's lines

    @property
    def app(self) -> str:
        """The example the transcript belongs to: echo.hello.txt -> echo.py's app."""
        module = self.path.relative_to(ROOT).parent / self.path.name.split(".")[0]
        return ".".join(module.parts) + ":app"

    def where(self) -> str:
        return _shown(self.path)


def _shown(path: Path) -> str:
    """A path as an author types it: from the project's root when inside it."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def find(root: Path = ROOT) -> list[Path]:
    """Every transcript under docs_src/: files named <example>.<name>.txt."""
    return sorted(
        path
        for path in (root / "docs_src").rglob("*.txt")
        if path.name.count(".") == 2
        and path.with_name(path.name.split(".")[0] + ".py").is_file()
    )


def parse(path: Path) -> Transcript:
    lines = path.read_text(encoding="utf-8").splitlines()
    where = _shown(path)
    command = COMMAND.match(lines[0]) if lines else None
    if command is None:
        raise TranscriptError(
            f"{where}:1: expected '$ python -m websockets ws://localhost:8000/PATH', "
            f"found {lines[0] if lines else 'an empty file'!r}"
        )
    sent = [line[2:] for line in lines[1:] if line.startswith("> ")]
    return Transcript(path, command["url"], command["target"], sent, lines)


def _replies(
    connection: ClientConnection, count: int | None, quiet: float
) -> Iterator[str]:
    """Messages from the server: ``count`` of them, or until it is quiet."""
    received = 0
    while count is None or received < count:
        try:
            message = connection.recv(timeout=TIMEOUT if count is not None else quiet)
        except TimeoutError:
            if count is not None:
                yield f"(nothing within {TIMEOUT}s)"
            return
        received += 1
        yield (
            f"< {message}"
            if isinstance(message, str)
            else f"< (binary) {message.hex()}"
        )


def _closed(connection: ClientConnection) -> str:
    code = connection.close_code
    reason = connection.close_reason or ""
    return f"Connection closed: {Close(code if code is not None else 1006, reason)}."


def run(transcript: Transcript, server_url: str, *, record: bool) -> list[str]:
    """The session as it happens now, against a server at ``server_url``.

    Recording waits QUIET seconds after each message for every reply; a
    check reads as many replies as the file shows, then waits once, at the
    end, for any the file does not show.
    """
    expected_after = _replies_in_file(transcript)
    ws_url = server_url.replace("http://", "ws://") + transcript.target
    lines = [transcript.expected[0], f"Connected to {transcript.url}."]
    with connect(ws_url, user_agent_header=None) as connection:
        try:
            lines += _replies(connection, None if record else expected_after[0], QUIET)
            for number, text in enumerate(transcript.sent, start=1):
                connection.send(text)
                lines.append(f"> {text}")
                count = None if record else expected_after[number]
                lines += _replies(connection, count, QUIET)
            if not record:
                lines += _replies(connection, None, QUIET)
        except ConnectionClosed:
            pass  # the server closed: the last line says how
        connection.close()
        lines.append(_closed(connection))
    return lines


def _replies_in_file(transcript: Transcript) -> list[int]:
    """How many "<" lines the file shows before the first and after each ">"."""
    counts = [0]
    for line in transcript.expected[1:]:
        if line.startswith("> "):
            counts.append(0)
        elif line.startswith("< "):
            counts[-1] += 1
    return counts


def diff(transcript: Transcript, lines: list[str]) -> str:
    """The file against the wire, and the command that brings the file up to date."""
    where = transcript.where()
    shown = difflib.unified_diff(
        transcript.expected, lines, f"{where} (file)", f"{where} (wire)", lineterm=""
    )
    return (
        "\n".join(shown) + f"\n{where}: differs from the wire; if the change is "
        f"intended, run 'scripts/transcripts.py --write {where}'"
    )


def claim(page: str, text: str) -> str:
    """``text``, once it is checked to appear word for word on an English page.

    A test asserts that the wire produces the returned text, so the page's
    claim and the run are tied: change either and the test fails.
    """
    source = ROOT / "docs" / "en" / page
    if text not in source.read_text(encoding="utf-8"):
        raise TranscriptError(f"docs/en/{page}: expected the text {text!r}, found none")
    return text
