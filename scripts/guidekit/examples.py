"""Example files under ``docs_src``: their lines, named regions and variants.

A region is marked in the example with comment lines, the folding markers
editors already know::

    # region accept
    await websocket.accept()
    # endregion

A variant is a sibling whose name differs only by the ``_an`` (Annotated) and
``_pyXY`` (minimum Python) suffixes: ``deps_an_py310.py`` and ``deps_py310.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath

REGION_START = re.compile(r"^\s*(?:#|//)\s*region\b\s*(?P<name>\S*)\s*$")
REGION_END = re.compile(r"^\s*(?:#|//)\s*endregion\b.*$")
REGION_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
VARIANT_NAME = re.compile(r"^(?P<base>.+?)(?P<an>_an)?(?:_py(?P<py>3)(?P<minor>\d{1,2}))?$")
COMMENT_PREFIX = {".py": "#", ".sh": "#", ".toml": "#", ".js": "//"}
LANGUAGE = {".py": "python", ".js": "javascript", ".sh": "bash", ".toml": "toml"}


class ExampleError(Exception):
    """An example file that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Example:
    path: str  # as written in the page, relative to the repository root
    lines: list[str] = field(hash=False)
    regions: dict[str, tuple[int, int]] = field(hash=False)  # 1-based, inclusive

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.path).suffix

    @property
    def language(self) -> str:
        return LANGUAGE.get(self.suffix, "text")

    @property
    def comment_prefix(self) -> str:
        return COMMENT_PREFIX.get(self.suffix, "#")

    @property
    def annotated(self) -> bool:
        return variant_parts(self.path)[1]

    @property
    def python_label(self) -> str:
        minimum = variant_parts(self.path)[2]
        return f"Python {minimum}+" if minimum else "Python"


def variant_parts(path: str) -> tuple[str, bool, str | None]:
    """Split ``dir/deps_an_py310.py`` into ``("dir/deps", True, "3.10")``."""
    pure = PurePosixPath(path)
    match = VARIANT_NAME.match(pure.stem)
    assert match is not None  # the pattern accepts every non-empty stem
    minimum = f"{match['py']}.{match['minor']}" if match["py"] else None
    return str(pure.parent / match["base"]), match["an"] is not None, minimum


def resolve(root: Path, path: str) -> Path:
    """The file a page names, checked to lie inside ``docs_src``."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or pure.parts[:1] != ("docs_src",):
        raise ExampleError(
            f"expected a path under docs_src/ relative to the repository root, "
            f"found {path!r}"
        )
    return root / pure


def load_example(root: Path, path: str) -> Example:
    file = resolve(root, path)
    if not file.is_file():
        raise ExampleError(f"expected an example file at {path}, found none")
    stat = file.stat()
    return _load(str(file), path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=512)
def _load(file: str, path: str, mtime_ns: int, size: int) -> Example:
    """Read and index one file; cached by content stamp across languages."""
    text = Path(file).read_text(encoding="utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise ExampleError(f"expected code in {path}, found an empty file")
    return Example(path, lines, find_regions(lines, path))


def find_regions(lines: list[str], path: str) -> dict[str, tuple[int, int]]:
    regions: dict[str, tuple[int, int]] = {}
    open_name: str | None = None
    open_line = 0
    for number, line in enumerate(lines, start=1):
        start = REGION_START.match(line)
        if start:
            name = start["name"]
            if not REGION_NAME.match(name):
                raise ExampleError(
                    f"{path}:{number}: expected '# region NAME' with a lowercase "
                    f"name, found {line.strip()!r}"
                )
            if open_name is not None:
                raise ExampleError(
                    f"{path}:{number}: expected '# endregion' for region "
                    f"{open_name!r} (opened at line {open_line}), found another "
                    "'# region'"
                )
            if name in regions:
                raise ExampleError(
                    f"{path}:{number}: region {name!r} is defined twice "
                    f"(first at line {regions[name][0] - 1})"
                )
            open_name, open_line = name, number
        elif REGION_END.match(line):
            if open_name is None:
                raise ExampleError(
                    f"{path}:{number}: found '# endregion' with no open region"
                )
            if number == open_line + 1:
                raise ExampleError(f"{path}:{number}: region {open_name!r} is empty")
            regions[open_name] = (open_line + 1, number - 1)
            open_name = None
    if open_name is not None:
        raise ExampleError(
            f"{path}:{open_line}: region {open_name!r} is never closed: expected "
            "'# endregion', found the end of the file"
        )
    return regions


def variants_of(root: Path, path: str) -> list["Example"]:
    """Siblings of ``path`` that differ only by the variant suffixes.

    Sorted with Annotated ones first, then the newest minimum Python first.
    """
    base = variant_parts(path)[0]
    file = resolve(root, path)
    found: list[tuple[tuple[bool, int], str]] = []
    for sibling in sorted(file.parent.glob(f"*{file.suffix}")):
        relative = str(PurePosixPath(path).parent / sibling.name)
        if sibling.name == file.name or variant_parts(relative)[0] != base:
            continue
        _, annotated, minimum = variant_parts(relative)
        minor = int(minimum.split(".")[1]) if minimum else 0
        found.append(((not annotated, -minor), relative))
    return [load_example(root, relative) for _, relative in sorted(found)]
