"""Earlier versions of an English page, found in git by their content hash.

A translation records the hash of the English text it was made from, not a
commit, so finding "what changed since" means looking through the page's
history for the version with that hash.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path


class HistoryUnavailable(Exception):
    """Git cannot be asked at all; the message says why (no git, no repository)."""


@dataclass(frozen=True)
class Version:
    """One earlier version of a file: where it came from and its text."""

    file: Path  # absolute, named as it was then (it may have been renamed since)
    text: str  # newlines normalised as Python's text mode reads files
    commit: str | None  # None for the version staged in the index


def decode(data: bytes) -> str:
    """Text as ``Path.read_text`` gives it, so hashes match the working tree."""
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def find_version(
    repo: Path, file: Path, wanted: str, digest: Callable[[str], str]
) -> Version | None:
    """The newest version of ``file`` whose ``digest`` is ``wanted``, or None.

    Looks at the staged version first, then every commit that changed the file
    (following renames), newest first.
    """
    top = _top_level(repo)
    try:
        relative = file.resolve().relative_to(top).as_posix()
    except ValueError:
        raise HistoryUnavailable(
            f"{file} is outside the git repository {top}"
        ) from None
    candidates: list[tuple[str | None, str]] = [(None, relative)]
    candidates.extend(_commits(top, relative))
    blobs = _blobs(top, [_spec(commit, path) for commit, path in candidates])
    if len(blobs) > 1 and blobs[0] == blobs[1]:
        blobs[0] = None  # staged as committed: name the commit instead
    for (commit, path), data in zip(candidates, blobs, strict=True):
        if data is None:
            continue
        try:
            text = decode(data)
        except UnicodeDecodeError:
            continue
        if digest(text) == wanted:
            return Version(top / path, text, commit)
    return None


def is_shallow(repo: Path) -> bool:
    """Whether history was cut off when cloning, so old versions may be absent."""
    try:
        output = _git(repo, ["rev-parse", "--is-shallow-repository"])
    except HistoryUnavailable:
        return False
    return output.strip() == b"true"


def _spec(commit: str | None, path: str) -> str:
    return f":0:{path}" if commit is None else f"{commit}:{path}"


def _top_level(repo: Path) -> Path:
    output = _git(repo, ["rev-parse", "--show-toplevel"])
    return Path(os.fsdecode(output.strip())).resolve()


def _commits(top: Path, path: str) -> list[tuple[str | None, str]]:
    """(commit, path then) for each commit that changed ``path``, newest first."""
    output = _git(
        top,
        ["log", "--follow", "--name-only", "--format=%x00%H", "--", path],
    ).decode("utf-8", "surrogateescape")
    found: list[tuple[str | None, str]] = []
    name = path
    for record in output.split("\0")[1:]:
        lines = [line for line in record.split("\n") if line]
        if not lines:
            continue
        commit, names = lines[0], lines[1:]
        # A merge lists no names: its file is named as in the newer commit.
        name = names[-1] if names else name
        found.append((commit, name))
    return found


def _blobs(top: Path, specs: Sequence[str]) -> list[bytes | None]:
    """The contents of ``commit:path`` specs in one ``git cat-file`` call."""
    if not specs:
        return []
    request = "".join(f"{spec}\n" for spec in specs).encode("utf-8", "surrogateescape")
    output = _git(top, ["cat-file", "--batch"], request)
    blobs: list[bytes | None] = []
    position = 0
    for _ in specs:
        end = output.index(b"\n", position)
        header = output[position:end].split()
        position = end + 1
        if len(header) != 3 or header[1] != b"blob":
            blobs.append(None)  # "missing", "ambiguous", or not a file
            continue
        size = int(header[2])
        blobs.append(output[position : position + size])
        position += size + 1
    return blobs


def _git(cwd: Path, args: list[str], data: bytes | None = None) -> bytes:
    if not cwd.is_dir():
        raise HistoryUnavailable(f"{cwd} is not a directory")
    try:
        result = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=cwd,
            input=data,
            capture_output=True,
            check=False,
            env={**os.environ, "LC_ALL": "C"},  # English messages, to recognise them
        )
    except FileNotFoundError:
        raise HistoryUnavailable("git is not installed") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()
        if "not a git repository" in message:
            raise HistoryUnavailable(f"{cwd} is not in a git repository")
        first = message.splitlines()[0] if message else f"exit {result.returncode}"
        raise HistoryUnavailable(f"git {args[0]} failed in {cwd}: {first}")
    return result.stdout
