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

REGION_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
VARIANT_NAME = re.compile(
    r"^(?P<base>.+?)(?P<an>_an)?(?:_py(?P<py>3)(?P<minor>\d{1,2}))?$"
)
# The language pygments highlights a file in, by suffix; anything else is text.
LANGUAGE = {
    ".py": "python",
    ".html": "html",
    ".js": "javascript",
    ".css": "css",
    ".sh": "bash",
    ".toml": "toml",
    ".yml": "yaml",
    ".yaml": "yaml",
    ".json": "json",
    ".conf": "nginx",  # the guide's only .conf files are nginx configs
}
# How a line comment opens and closes, by suffix: for the "code omitted"
# markers and for region markers. Anything else uses "#".
COMMENT = {
    ".py": ("#", ""),
    ".sh": ("#", ""),
    ".toml": ("#", ""),
    ".yml": ("#", ""),
    ".yaml": ("#", ""),
    ".conf": ("#", ""),
    ".js": ("//", ""),
    ".json": ("//", ""),
    ".css": ("/*", " */"),
    ".html": ("<!--", " -->"),
}
COMMENT_PREFIX = {suffix: prefix for suffix, (prefix, _) in COMMENT.items()}


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
        return _comment_style(self.path)[0]

    @property
    def comment_suffix(self) -> str:
        return _comment_style(self.path)[1]

    def comment(self, text: str) -> str:
        """``text`` as a line comment in this file's language."""
        return f"{self.comment_prefix} {text}{self.comment_suffix}"

    @property
    def annotated(self) -> bool:
        return variant_parts(self.path)[1]

    @property
    def python_label(self) -> str:
        minimum = variant_parts(self.path)[2]
        return f"Python {minimum}+" if minimum else "Python"


def _comment_style(path: str) -> tuple[str, str]:
    return COMMENT.get(PurePosixPath(path).suffix, ("#", ""))


def variant_parts(path: str) -> tuple[str, bool, str | None]:
    """Split ``dir/deps_an_py310.py`` into ``("dir/deps", True, "3.10")``."""
    pure = PurePosixPath(path)
    match = VARIANT_NAME.match(pure.stem)
    if match is None:  # an empty stem: no variant suffixes to split off
        return str(pure.parent / pure.stem), False, None
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
    """Read ``path`` (relative to ``root``) and index its regions.

    Every way the file can be unusable (missing, unreadable, not UTF-8, empty,
    broken region markers) is an :class:`ExampleError`.
    """
    file = resolve(root, path)
    try:
        if not file.is_file():
            raise ExampleError(f"expected an example file at {path}, found none")
        data = file.read_bytes()
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ExampleError(
            f"expected a readable example file at {path}, found an error: {reason}"
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ExampleError(
            f"{path}:{line}: expected UTF-8 text, found the byte "
            f"{data[error.start]:#04x}"
        ) from None
    return _parse(path, text.replace("\r\n", "\n").replace("\r", "\n"))


@lru_cache(maxsize=512)
def _parse(path: str, text: str) -> Example:
    """Index one file's text; cached by content, so an edit is always seen."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if not any(line.strip() for line in lines):
        found = "only blank lines" if lines else "an empty file"
        raise ExampleError(f"expected code in {path}, found {found}")
    return Example(path, lines, find_regions(lines, path))


def find_regions(lines: list[str], path: str) -> dict[str, tuple[int, int]]:
    """Named regions of ``lines``: name -> (first, last) line inside, 1-based."""
    prefix, suffix = _comment_style(path)
    opening, closing = _marker_patterns(prefix, suffix)
    start_marker, end_marker = f"{prefix} region", f"{prefix} endregion"
    regions: dict[str, tuple[int, int]] = {}
    open_name: str | None = None
    open_line = 0
    for number, line in enumerate(lines, start=1):
        start = opening.match(line)
        end = None if start else closing.match(line)
        if start:
            name = start["name"] or ""
            if not REGION_NAME.match(name):
                raise ExampleError(
                    f"{path}:{number}: expected '{start_marker} NAME' with a "
                    f"lowercase name (a-z, 0-9, -), found {line.strip()!r}"
                )
            if open_name is not None:
                raise ExampleError(
                    f"{path}:{number}: expected '{end_marker}' for region "
                    f"{open_name!r} (opened at line {open_line}), found another "
                    f"'{start_marker}'"
                )
            if name in regions:
                raise ExampleError(
                    f"{path}:{number}: region {name!r} is defined twice "
                    f"(first at line {regions[name][0] - 1})"
                )
            open_name, open_line = name, number
        elif end:
            if open_name is None:
                raise ExampleError(
                    f"{path}:{number}: found '{end_marker}' with no open region"
                )
            if end["name"] and end["name"] != open_name:
                raise ExampleError(
                    f"{path}:{number}: expected '{end_marker}' for region "
                    f"{open_name!r}, found {line.strip()!r}"
                )
            if not any(inside.strip() for inside in lines[open_line : number - 1]):
                raise ExampleError(
                    f"{path}:{number}: region {open_name!r} is empty: expected "
                    f"code between line {open_line} and '{end_marker}', found none"
                )
            regions[open_name] = (open_line + 1, number - 1)
            open_name = None
    if open_name is not None:
        raise ExampleError(
            f"{path}:{open_line}: region {open_name!r} is never closed: expected "
            f"'{end_marker}', found the end of the file"
        )
    return regions


@lru_cache(maxsize=16)
def _marker_patterns(prefix: str, suffix: str) -> tuple[re.Pattern, re.Pattern]:
    """Patterns for ``# region NAME`` and ``# endregion [NAME]`` lines.

    ``region`` must stand alone (``# regional`` is a plain comment), and
    everything after it is the name, so that ``# region two words`` is an
    error rather than a comment that silently marks nothing.
    """
    close = rf"\s*{re.escape(suffix.strip())}" if suffix else ""
    start = rf"^\s*{re.escape(prefix)}\s*region(?:\s+(?P<name>.*?))?{close}\s*$"
    end = rf"^\s*{re.escape(prefix)}\s*endregion(?:\s+(?P<name>.*?))?{close}\s*$"
    return re.compile(start), re.compile(end)


def variants_of(root: Path, path: str) -> list[Example]:
    """Siblings of ``path`` that differ only by the variant suffixes.

    Sorted with Annotated ones first, then the newest minimum Python first.
    """
    base = variant_parts(path)[0]
    file = resolve(root, path)
    found: list[tuple[tuple[bool, int, str], str]] = []
    for sibling in file.parent.iterdir():
        if sibling.name == file.name or sibling.suffix != file.suffix:
            continue
        relative = str(PurePosixPath(path).parent / sibling.name)
        sibling_base, annotated, minimum = variant_parts(relative)
        if sibling_base != base or not sibling.is_file():
            continue
        minor = int(minimum.split(".")[1]) if minimum else 0
        found.append(((not annotated, -minor, sibling.name), relative))
    return [load_example(root, relative) for _, relative in sorted(found)]


# Folders of tests/ that check the pages, the tools and the running site; every
# other package there holds the tests of one docs_src/ topic.
NOT_EXAMPLE_TESTS = ("docs", "guidekit", "e2e")


def example_test_dirs(root: Path) -> list[str]:
    """The examples' own test folders, as ``tests/<topic>``, mirroring docs_src/."""
    return [
        f"tests/{folder.name}"
        for folder in sorted((root / "tests").iterdir())
        if (folder / "__init__.py").is_file() and folder.name not in NOT_EXAMPLE_TESTS
    ]
