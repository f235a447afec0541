"""The "Tested with" box: the exact versions a page's examples were tested with.

Package versions come from the locks. What only the machine knows (the Python
patch versions, redis-server's version, the WebSocket implementation uvicorn
picks for ``--ws auto``) comes from a committed record, ``tested-with.json``,
which ``scripts/tested_with.py --write`` makes from the environment and
``--check`` (run by scripts/test) compares with it.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RECORD = "tested-with.json"
LOCKS = ("requirements.lock", "requirements-py310.lock")  # main stack, then 3.10
PINNED = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+)==(?P<version>[^\s;\\]+)", re.M)
USES_REDIS = re.compile(r"^\s*(?:import redis|from redis[\s.])", re.M)
USES_PROMETHEUS = re.compile(
    r"^\s*(?:import prometheus_client|from prometheus_client[\s.])", re.M
)
NGINX_CONFIG = ".conf"  # the guide's only .conf examples are nginx configs

ENGLISH: Mapping[str, str] = {
    "tested_title": "Tested with",
    "tested_ws": "WebSocket implementation",
}


def pinned(lock_text: str) -> dict[str, str]:
    """Every ``name==version`` of a lock, by lower-case name."""
    return {m["name"].lower(): m["version"] for m in PINNED.finditer(lock_text)}


def lock_digest(lock_text: str) -> str:
    return hashlib.sha256(lock_text.encode()).hexdigest()[:16]


def read_record(root: Path = ROOT) -> dict[str, object]:
    return json.loads((root / RECORD).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Stack:
    """One set of versions the examples ran with: a Python and its lock."""

    python: str
    packages: dict[str, str]


def stacks(root: Path = ROOT) -> list[Stack]:
    """The main stack and the Python 3.10 one, from the locks and the record."""
    record = read_record(root)
    pythons = record["python"]
    assert isinstance(pythons, dict)
    found = []
    for lock in LOCKS:
        text = (root / lock).read_text(encoding="utf-8")
        found.append(Stack(str(pythons[lock]), pinned(text)))
    return found


def uses_redis(examples: Iterable[Path]) -> bool:
    return _any_match(USES_REDIS, examples)


def _any_match(pattern: re.Pattern[str], examples: Iterable[Path]) -> bool:
    return any(
        pattern.search(path.read_text(encoding="utf-8"))
        for path in examples
        if path.suffix == ".py"
    )


def rows(
    examples: Iterable[Path], root: Path = ROOT, strings: Mapping[str, str] = ENGLISH
) -> list[tuple[str, str]]:
    """(component, versions) for a page that shows ``examples``."""
    record = read_record(root)
    both = stacks(root)

    def per_python(package: str) -> str:
        versions = [(s.packages[package], s.python) for s in both]
        if len({version for version, _ in versions}) == 1:
            return versions[0][0]
        return ", ".join(f"{version} (Python {python})" for version, python in versions)

    found = [
        ("Python", ", ".join(s.python for s in both)),
        ("FastAPI", per_python("fastapi")),
        ("Starlette", per_python("starlette")),
        (
            "Uvicorn",
            f"{per_python('uvicorn')}, {strings['tested_ws']}: "
            f"{record['uvicorn_ws_auto']} (--ws auto)",
        ),
        ("websockets", per_python("websockets")),
    ]
    examples = list(examples)
    if uses_redis(examples):
        found += [
            ("redis-py", per_python("redis")),
            ("redis-server", str(record["redis_server"])),
        ]
    if _any_match(USES_PROMETHEUS, examples):
        found.append(("prometheus-client", per_python("prometheus-client")))
    if any(path.suffix == NGINX_CONFIG for path in examples):
        found.append(("nginx", str(record["nginx"])))
    return found


def box(table: list[tuple[str, str]], strings: Mapping[str, str] = ENGLISH) -> str:
    """The box as HTML, which Markdown passes through untouched."""
    items = "".join(
        f"<li><strong>{html.escape(name)}</strong> {html.escape(value)}</li>"
        for name, value in table
    )
    title = html.escape(strings["tested_title"])
    return (
        '<div class="tested-with">'
        f'<p class="tested-with__title">{title}</p><ul>{items}</ul></div>'
    )


BOX = re.compile(r'<div class="tested-with">(?P<inside>.*?)</ul></div>', re.S)
ITEM = re.compile(r"<li><strong>(?P<name>.*?)</strong> (?P<value>.*?)</li>", re.S)


def rows_in(page_html: str) -> list[tuple[str, str]] | None:
    """The rows of the box in a built page; None when the page has no box."""
    match = BOX.search(page_html)
    if match is None:
        return None
    return [
        (html.unescape(m["name"]), html.unescape(m["value"]))
        for m in ITEM.finditer(match["inside"])
    ]
