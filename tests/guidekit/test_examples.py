"""Loading example files: lines, region markers, variants (guidekit.examples)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from guidekit.examples import (
    Example,
    ExampleError,
    load_example,
    resolve,
    variant_parts,
    variants_of,
)
from guidekit.includes import map_lines


def write(root: Path, relative: str, text: str | bytes) -> Path:
    file = root / relative
    file.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        file.write_bytes(text)
    else:
        file.write_text(text, encoding="utf-8")
    return file


def load(root: Path, text: str, name: str = "docs_src/topic/x.py") -> Example:
    write(root, name, text)
    return load_example(root, name)


def error_of(root: Path, text: str, name: str = "docs_src/topic/x.py") -> str:
    write(root, name, text)
    with pytest.raises(ExampleError) as caught:
        load_example(root, name)
    return str(caught.value)


# Lines and text


def test_lines_drop_only_the_final_newline(tmp_path: Path) -> None:
    example = load(tmp_path, "a = 1\n\nb = 2\n\n")
    assert example.lines == ["a = 1", "", "b = 2", ""]
    assert example.path == "docs_src/topic/x.py"


def test_a_file_without_final_newline_keeps_its_last_line(tmp_path: Path) -> None:
    assert load(tmp_path, "a = 1\nb = 2").lines == ["a = 1", "b = 2"]


def test_windows_and_old_mac_line_endings_become_lines(tmp_path: Path) -> None:
    write(tmp_path, "docs_src/topic/x.py", b"a = 1\r\nb = 2\rc = 3\r\n")
    assert load_example(tmp_path, "docs_src/topic/x.py").lines == [
        "a = 1",
        "b = 2",
        "c = 3",
    ]


def test_a_byte_order_mark_is_not_part_of_the_first_line(tmp_path: Path) -> None:
    write(tmp_path, "docs_src/topic/x.py", "a = 1\n".encode("utf-8-sig"))
    assert load_example(tmp_path, "docs_src/topic/x.py").lines == ["a = 1"]


def test_an_edited_file_is_read_again(tmp_path: Path) -> None:
    # Same size, written at once: a cache keyed on mtime and size would miss it.
    file = write(tmp_path, "docs_src/topic/x.py", "a = 1\n")
    stamp = file.stat().st_mtime_ns
    assert load_example(tmp_path, "docs_src/topic/x.py").lines == ["a = 1"]
    file.write_text("b = 2\n", encoding="utf-8")
    os.utime(file, ns=(stamp, stamp))
    assert load_example(tmp_path, "docs_src/topic/x.py").lines == ["b = 2"]


def test_language_and_comment_follow_the_suffix(tmp_path: Path) -> None:
    python = load(tmp_path, "a = 1\n")
    assert (python.language, python.comment("note")) == ("python", "# note")
    script = load(tmp_path, "let a = 1;\n", "docs_src/topic/x.js")
    assert (script.language, script.comment("note")) == ("javascript", "// note")
    page = load(tmp_path, "<p>a</p>\n", "docs_src/topic/x.html")
    assert (page.language, page.comment("note")) == ("html", "<!-- note -->")
    other = load(tmp_path, "a\n", "docs_src/topic/x.txt")
    assert (other.language, other.comment("note")) == ("text", "# note")


# Files that cannot be used


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ExampleError) as caught:
        load_example(tmp_path, "docs_src/topic/none.py")
    assert str(caught.value) == (
        "expected an example file at docs_src/topic/none.py, found none"
    )


def test_a_directory_is_not_an_example(tmp_path: Path) -> None:
    (tmp_path / "docs_src" / "topic" / "x.py").mkdir(parents=True)
    with pytest.raises(ExampleError) as caught:
        load_example(tmp_path, "docs_src/topic/x.py")
    assert str(caught.value) == (
        "expected an example file at docs_src/topic/x.py, found none"
    )


def test_a_name_too_long_for_the_file_system(tmp_path: Path) -> None:
    (tmp_path / "docs_src").mkdir()
    path = "docs_src/" + "x" * 300 + ".py"
    with pytest.raises(ExampleError) as caught:
        load_example(tmp_path, path)
    assert str(caught.value) == (
        f"expected a readable example file at {path}, "
        "found an error: File name too long"
    )


def test_an_empty_file(tmp_path: Path) -> None:
    assert error_of(tmp_path, "") == (
        "expected code in docs_src/topic/x.py, found an empty file"
    )


def test_a_file_of_blank_lines(tmp_path: Path) -> None:
    assert error_of(tmp_path, "\n  \n\n") == (
        "expected code in docs_src/topic/x.py, found only blank lines"
    )


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    write(tmp_path, "docs_src/topic/x.py", b"a = 1\nname = 'caf\xe9'\n")
    with pytest.raises(ExampleError) as caught:
        load_example(tmp_path, "docs_src/topic/x.py")
    assert str(caught.value) == (
        "docs_src/topic/x.py:2: expected UTF-8 text, found the byte 0xe9"
    )


@pytest.mark.parametrize(
    "path",
    [
        "docs/en/index.md",
        "docs_src/../pyproject.toml",
        "docs_src/topic/../../x.py",
        "../docs_src/x.py",
        "/etc/passwd",
        "/docs_src/x.py",
        "docs_src\\topic\\x.py",
        "x.py",
    ],
)
def test_paths_outside_docs_src(tmp_path: Path, path: str) -> None:
    with pytest.raises(ExampleError) as caught:
        resolve(tmp_path, path)
    assert str(caught.value) == (
        "expected a path under docs_src/ relative to the repository root, "
        f"found {path!r}"
    )


def test_paths_resolve_from_the_root_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "repo/docs_src/topic/x.py", "a = 1\n")
    write(tmp_path, "elsewhere/docs_src/topic/x.py", "wrong = 1\n")
    monkeypatch.chdir(tmp_path / "elsewhere")
    example = load_example(tmp_path / "repo", "docs_src/topic/x.py")
    assert example.lines == ["a = 1"]
    assert resolve(tmp_path / "repo", "./docs_src/topic/x.py") == (
        tmp_path / "repo" / "docs_src" / "topic" / "x.py"
    )


# Regions

REGIONS = """\
import asyncio

# region setup
app = 1
# endregion setup


async def main():
    # region accept
    await asyncio.sleep(0)

    # endregion
    #region  loop-2
    while True:
        break
    #endregion
"""


def test_regions_cover_the_lines_between_their_markers(tmp_path: Path) -> None:
    example = load(tmp_path, REGIONS)
    assert example.regions == {"setup": (4, 4), "accept": (10, 11), "loop-2": (14, 15)}


def test_comments_that_only_look_like_markers(tmp_path: Path) -> None:
    text = "# regional settings\n# endregions\n# Region Accept\na = 1\n"
    assert load(tmp_path, text).regions == {}


def test_regions_use_the_comment_of_the_language(tmp_path: Path) -> None:
    script = "// region send\nsocket.send(1);\n// endregion\n# region no\n"
    assert load(tmp_path, script, "docs_src/topic/x.js").regions == {"send": (2, 2)}
    page = "<!-- region form -->\n<form></form>\n<!-- endregion -->\n"
    assert load(tmp_path, page, "docs_src/topic/x.html").regions == {"form": (2, 2)}
    # In Python, a JavaScript comment inside a string is not a marker.
    python = 'PAGE = """\n// region send\n"""\n'
    assert load(tmp_path, python).regions == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "a = 1\n# region accept\nb = 2\n",
            "docs_src/topic/x.py:2: region 'accept' is never closed: expected "
            "'# endregion', found the end of the file",
        ),
        (
            "# region outer\na = 1\n# region inner\nb = 2\n# endregion\n# endregion\n",
            "docs_src/topic/x.py:3: expected '# endregion' for region 'outer' "
            "(opened at line 1), found another '# region'",
        ),
        (
            "# region accept\na = 1\n# endregion\nb = 2\n# region accept\nc = 3\n"
            "# endregion\n",
            "docs_src/topic/x.py:5: region 'accept' is defined twice (first at line 1)",
        ),
        (
            "a = 1\n# region accept\n# endregion\n",
            "docs_src/topic/x.py:3: region 'accept' is empty: expected code "
            "between line 2 and '# endregion', found none",
        ),
        (
            "a = 1\n# region accept\n\n   \n# endregion\n",
            "docs_src/topic/x.py:5: region 'accept' is empty: expected code "
            "between line 2 and '# endregion', found none",
        ),
        (
            "# region Accept\na = 1\n# endregion\n",
            "docs_src/topic/x.py:1: expected '# region NAME' with a lowercase "
            "name (a-z, 0-9, -), found '# region Accept'",
        ),
        (
            "# region\na = 1\n# endregion\n",
            "docs_src/topic/x.py:1: expected '# region NAME' with a lowercase "
            "name (a-z, 0-9, -), found '# region'",
        ),
        (
            "    # region accept the socket\na = 1\n# endregion\n",
            "docs_src/topic/x.py:1: expected '# region NAME' with a lowercase "
            "name (a-z, 0-9, -), found '# region accept the socket'",
        ),
        (
            "# region 2fa\na = 1\n# endregion\n",
            "docs_src/topic/x.py:1: expected '# region NAME' with a lowercase "
            "name (a-z, 0-9, -), found '# region 2fa'",
        ),
        (
            "a = 1\n# endregion\n",
            "docs_src/topic/x.py:2: found '# endregion' with no open region",
        ),
        (
            "# region accept\na = 1\n# endregion loop\n",
            "docs_src/topic/x.py:3: expected '# endregion' for region 'accept', "
            "found '# endregion loop'",
        ),
    ],
    ids=[
        "unclosed",
        "nested",
        "duplicate",
        "empty",
        "blank",
        "uppercase",
        "no-name",
        "several-words",
        "digit-first",
        "stray-end",
        "wrong-end-name",
    ],
)
def test_broken_region_markers(tmp_path: Path, text: str, message: str) -> None:
    assert error_of(tmp_path, text) == message


def test_broken_markers_in_javascript_name_its_comment(tmp_path: Path) -> None:
    text = "// region send\nsocket.send(1);\n"
    assert error_of(tmp_path, text, "docs_src/topic/x.js") == (
        "docs_src/topic/x.js:1: region 'send' is never closed: expected "
        "'// endregion', found the end of the file"
    )


# Variants


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        ("docs_src/t/deps.py", ("docs_src/t/deps", False, None)),
        ("docs_src/t/deps_an.py", ("docs_src/t/deps", True, None)),
        ("docs_src/t/deps_py39.py", ("docs_src/t/deps", False, "3.9")),
        ("docs_src/t/deps_an_py310.py", ("docs_src/t/deps", True, "3.10")),
        ("docs_src/t/deps_py310_an.py", ("docs_src/t/deps_py310", True, None)),
        ("docs_src/t/deps_py3100.py", ("docs_src/t/deps_py3100", False, None)),
        ("docs_src/t/an.py", ("docs_src/t/an", False, None)),
        ("docs_src/t/_an.py", ("docs_src/t/_an", False, None)),
    ],
)
def test_variant_parts(path: str, parts: tuple[str, bool, str | None]) -> None:
    assert variant_parts(path) == parts


def test_variants_come_annotated_first_then_newest_python(tmp_path: Path) -> None:
    for name in [
        "deps.py",
        "deps_py39.py",
        "deps_py310.py",
        "deps_an.py",
        "deps_an_py39.py",
        "deps_an_py310.py",
        "deps_an_py312.py",
        # Not variants of deps.py:
        "deps_extra.py",
        "deps_an_py310.txt",
        "other_an.py",
    ]:
        write(tmp_path, f"docs_src/t/{name}", f"name = {name!r}\n")
    (tmp_path / "docs_src" / "t" / "deps_py311.py").mkdir()  # a folder, not a file
    found = [v.path for v in variants_of(tmp_path, "docs_src/t/deps_an_py310.py")]
    assert found == [
        "docs_src/t/deps_an_py312.py",
        "docs_src/t/deps_an_py39.py",
        "docs_src/t/deps_an.py",
        "docs_src/t/deps_py310.py",
        "docs_src/t/deps_py39.py",
        "docs_src/t/deps.py",
    ]
    labels = [
        (v.python_label, v.annotated)
        for v in variants_of(tmp_path, "docs_src/t/deps.py")
    ]
    assert labels == [
        ("Python 3.12+", True),
        ("Python 3.10+", True),
        ("Python 3.9+", True),
        ("Python", True),
        ("Python 3.10+", False),
        ("Python 3.9+", False),
    ]


def test_a_file_without_siblings_has_no_variants(tmp_path: Path) -> None:
    write(tmp_path, "docs_src/t/echo.py", "a = 1\n")
    write(tmp_path, "docs_src/t/echo_client.py", "b = 1\n")
    assert variants_of(tmp_path, "docs_src/t/echo.py") == []


def test_a_broken_variant_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "docs_src/t/deps_an.py", "a = 1\n")
    write(tmp_path, "docs_src/t/deps.py", "# region open\na = 1\n")
    with pytest.raises(ExampleError) as caught:
        variants_of(tmp_path, "docs_src/t/deps_an.py")
    assert str(caught.value) == (
        "docs_src/t/deps.py:1: region 'open' is never closed: expected "
        "'# endregion', found the end of the file"
    )


# The line map that carries numbered lines over to a variant


def test_map_lines_follows_inserted_deleted_and_changed_lines() -> None:
    source = ["import a", "", "x = 1", "y = 2", "z = 3"]
    target = ["import a", "import b", "", "x = 1", "y = 20", "z = 3"]
    assert map_lines(source, target) == {
        1: (1,),
        2: (3,),
        3: (4,),
        4: (5,),
        5: (6,),
    }
    assert map_lines(target, source) == {1: (1,), 3: (2,), 4: (3,), 5: (4,), 6: (5,)}


def test_map_lines_maps_a_rewritten_block_to_the_whole_block() -> None:
    source = ["def f(", "    a: int = Query(),", ") -> None:", "    pass"]
    target = [
        "def f(",
        "    # Annotated keeps the default out",
        "    a: Annotated[int, Query()],",
        ") -> None:",
        "    pass",
    ]
    assert map_lines(source, target) == {1: (1,), 2: (2, 3), 3: (4,), 4: (5,)}
