"""Structure parity between a translation and its English page, on small sites."""

from __future__ import annotations

from pathlib import Path

import pytest

from guidekit.parity import Problem, check_page, extract, slugify

ENGLISH = """\
# Guide { #guide }

Intro text.

## Install { #install }

{* docs_src/tutorial/echo.py hl[accept] *}

```python title="main.py"
print("hi")
x = 1
```

!!! tip
    Use a virtual environment.

??? note "More"
    Details.

![A screenshot](../assets/echo.png)

See [install](#install) and [the tutorial](tutorial.md#clients).

## Try it { #try-it }

{* docs_src/tutorial/chat.py *}
"""

# The same skeleton, translated prose and titles, below four lines of front matter.
TURKISH = """\
---
source_hash: "0123456789abcdef"
---

# Rehber { #guide }

Giriş.

## Kurulum { #install }

{* docs_src/tutorial/echo.py hl[accept] *}

```python title="ana.py"
print("hi")
x = 1
```

!!! tip "İpucu"
    Sanal ortam önerilir.

??? note "Daha fazla"
    Detaylar.

![Ekran görüntüsü](../assets/echo.png)

Bkz. [kurulum](#install) ve [öğretici](tutorial.md#clients).

## Deneyin { #try-it }

{* docs_src/tutorial/chat.py *}
"""

TUTORIAL = "# Tutorial { #tutorial }\n\n## Clients { #clients }\n"


def problems(
    root: Path, translation: str, extra: dict[str, str] | None = None
) -> list[str]:
    docs = root / "docs"
    pages = {
        "en/index.md": ENGLISH,
        "en/tutorial.md": TUTORIAL,
        "tr/index.md": translation,
        **(extra or {}),
    }
    for name, text in pages.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, encoding="utf-8")
    return [str(problem) for problem in check_page(docs, "tr", "index.md", root)]


def test_the_same_structure_in_other_words_passes(tmp_path: Path) -> None:
    assert problems(tmp_path, TURKISH) == []


def test_a_lost_include_names_both_lines(tmp_path: Path) -> None:
    lost = TURKISH.replace("{* docs_src/tutorial/echo.py hl[accept] *}\n\n", "")
    assert problems(tmp_path, lost) == [
        "docs/tr/index.md:11: missing include: expected "
        "'{* docs_src/tutorial/echo.py hl[accept] *}' before this line, found none "
        "(English: docs/en/index.md:7)"
    ]


def test_an_include_lost_at_the_end_is_reported_at_the_last_line(
    tmp_path: Path,
) -> None:
    lost = TURKISH.replace("\n{* docs_src/tutorial/chat.py *}\n", "")
    assert problems(tmp_path, lost) == [
        "docs/tr/index.md:28: missing include: expected "
        "'{* docs_src/tutorial/chat.py *}' by the end of the page, found none "
        "(English: docs/en/index.md:26)"
    ]


def test_a_changed_include_is_one_difference(tmp_path: Path) -> None:
    changed = TURKISH.replace("hl[accept] *}", "hl[loop] *}")
    assert problems(tmp_path, changed) == [
        "docs/tr/index.md:11: include differs from English: expected "
        "'{* docs_src/tutorial/echo.py hl[accept] *}', found "
        "'{* docs_src/tutorial/echo.py hl[loop] *}' (English: docs/en/index.md:7)"
    ]


def test_a_changed_code_line_is_reported_where_it_is(tmp_path: Path) -> None:
    changed = TURKISH.replace("x = 1", "x = 2")
    assert problems(tmp_path, changed) == [
        "docs/tr/index.md:15: code block differs from English: expected 'x = 1', "
        "found 'x = 2' (English: docs/en/index.md:11)"
    ]


def test_a_shortened_code_block(tmp_path: Path) -> None:
    shortened = TURKISH.replace("x = 1\n", "")
    assert problems(tmp_path, shortened) == [
        "docs/tr/index.md:15: code block differs from English: expected 'x = 1', "
        "found the end of the block (English: docs/en/index.md:11)"
    ]


def test_a_code_block_in_another_language(tmp_path: Path) -> None:
    other = TURKISH.replace("```python", "```py")
    assert problems(tmp_path, other) == [
        "docs/tr/index.md:13: code block language differs from English: expected "
        "'python', found 'py' (English: docs/en/index.md:9)"
    ]


def test_a_heading_without_its_anchor(tmp_path: Path) -> None:
    bare = TURKISH.replace("## Kurulum { #install }", "## Kurulum")
    assert problems(tmp_path, bare) == [
        "docs/tr/index.md:9: heading has no explicit anchor, so its generated one "
        "would differ from English: expected '{ #install }' at its end, found "
        "'## Kurulum' (English: docs/en/index.md:5)",
        "docs/tr/index.md:26: broken link: expected an anchor #install in "
        "docs/tr/index.md, found no heading or element with that id "
        "(English: docs/en/index.md:22)",
    ]


def test_a_translated_anchor(tmp_path: Path) -> None:
    renamed = TURKISH.replace("{ #install }", "{ #kurulum }").replace(
        "(#install)", "(#kurulum)"
    )
    assert problems(tmp_path, renamed) == [
        "docs/tr/index.md:9: heading anchor differs from English: expected "
        "'{ #install }', found '{ #kurulum }' (English: docs/en/index.md:5)"
    ]


def test_a_heading_at_another_level(tmp_path: Path) -> None:
    deeper = TURKISH.replace("## Kurulum", "### Kurulum")
    assert problems(tmp_path, deeper) == [
        "docs/tr/index.md:9: heading level differs from English: expected '##' "
        "(level 2), found '###' (level 3) (English: docs/en/index.md:5)"
    ]


def test_admonitions_in_another_order(tmp_path: Path) -> None:
    tip = '!!! tip "İpucu"\n    Sanal ortam önerilir.\n'
    note = '??? note "Daha fazla"\n    Detaylar.\n'
    swapped = TURKISH.replace(f"{tip}\n{note}", f"{note}\n{tip}")
    assert swapped != TURKISH
    assert problems(tmp_path, swapped) == [
        "docs/tr/index.md:18: admonition out of order: expected '??? note' where "
        "English has it, found it here (English: docs/en/index.md:17)"
    ]


def test_an_admonition_of_another_kind(tmp_path: Path) -> None:
    other = TURKISH.replace('!!! tip "İpucu"', '!!! warning "İpucu"')
    assert problems(tmp_path, other) == [
        "docs/tr/index.md:18: admonition differs from English: expected '!!! tip', "
        "found '!!! warning' (English: docs/en/index.md:14)"
    ]


def test_an_image_with_another_source(tmp_path: Path) -> None:
    other = TURKISH.replace("../assets/echo.png", "../assets/echo-tr.png")
    assert problems(tmp_path, other) == [
        "docs/tr/index.md:24: image source differs from English: expected "
        "'../assets/echo.png', found '../assets/echo-tr.png' "
        "(English: docs/en/index.md:20)"
    ]


def test_a_link_to_a_page_that_does_not_exist(tmp_path: Path) -> None:
    broken = TURKISH.replace("tutorial.md#clients", "tutorail.md#clients")
    assert problems(tmp_path, broken) == [
        "docs/tr/index.md:26: broken link: expected 'tutorail.md#clients' to be a "
        "page in this language or in English, found neither docs/tr/tutorail.md nor "
        "docs/en/tutorail.md (English: docs/en/index.md:22)"
    ]


def test_a_link_to_an_anchor_the_page_lacks(tmp_path: Path) -> None:
    broken = TURKISH.replace("tutorial.md#clients", "tutorial.md#client")
    assert problems(tmp_path, broken) == [
        "docs/tr/index.md:26: broken link: expected an anchor #client in "
        "docs/en/tutorial.md, found no heading or element with that id "
        "(did you mean #clients?) (English: docs/en/index.md:22)"
    ]


def test_a_link_is_checked_against_the_translated_page_when_there_is_one(
    tmp_path: Path,
) -> None:
    translated = "# Öğretici { #tutorial }\n\n## İstemciler { #istemciler }\n"
    assert problems(tmp_path, TURKISH, {"tr/tutorial.md": translated}) == [
        "docs/tr/index.md:26: broken link: expected an anchor #clients in "
        "docs/tr/tutorial.md, found no heading or element with that id "
        "(English: docs/en/index.md:22)"
    ]


def test_an_extra_code_block(tmp_path: Path) -> None:
    fenced = "```python\n# not a heading\n{* docs_src/not/an/include.py *}\n```\n"
    extra = TURKISH.replace("Giriş.\n", f"Giriş.\n\n{fenced}")
    assert problems(tmp_path, extra) == [
        "docs/tr/index.md:9: extra code block: expected none here, found a python "
        "code block, which English does not have (English: docs/en/index.md:5)"
    ]


def test_a_translation_without_an_english_page(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "en").mkdir(parents=True)
    (docs / "tr").mkdir()
    (docs / "tr" / "old.md").write_text("# Eski { #old }\n", encoding="utf-8")
    assert [str(p) for p in check_page(docs, "tr", "old.md", tmp_path)] == [
        "docs/tr/old.md:1: translation without an English page: expected "
        "docs/en/old.md, found no such file (English: docs/en/old.md)"
    ]


def test_a_link_leaving_the_language_folder(tmp_path: Path) -> None:
    leaving = TURKISH.replace("(tutorial.md#clients)", "(../en/tutorial.md)")
    assert problems(tmp_path, leaving) == [
        "docs/tr/index.md:26: broken link: expected '../en/tutorial.md' to lead to "
        "a page inside the language folder, found a path that leaves it "
        "(../en/tutorial.md) (English: docs/en/index.md:22)"
    ]


def test_extract_counts_front_matter_and_skips_fenced_code() -> None:
    text = (
        "---\nsource_hash: 'x'\n---\n\n"
        "## One { #one }\n\n"
        "~~~markdown\n## not a heading\n!!! tip\n{* docs_src/a.py *}\n~~~\n\n"
        "    ```python\n    indented = True\n    ```\n"
    )
    structure = extract(text)
    assert [(e.kind, e.line, e.shown) for e in structure.elements] == [
        ("heading", 5, "## One { #one }"),
        ("code block", 7, "a markdown code block"),
        ("code block", 13, "a python code block"),
    ]
    assert structure.elements[2].body == ("indented = True",)
    assert structure.last_line == 15


def test_headings_without_anchors_get_the_ids_mkdocs_would_give() -> None:
    text = "# Hello, `World`!\n\n## Hello World\n\n## [Linked](x.md) title\n"
    structure = extract(text)
    assert [e.slug for e in structure.elements] == [
        "hello-world",
        "hello-world_1",
        "linked-title",
    ]
    assert structure.anchors == {"hello-world", "hello-world_1", "linked-title"}


def test_other_explicit_ids_are_anchors_too() -> None:
    text = 'A paragraph.\n{ #para }\n\n<a id="raw"></a>\n'
    assert extract(text).anchors == {"para", "raw"}


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Send and receive text", "send-and-receive-text"),
        ("Café & crème", "cafe-creme"),
        ("WebSocket으로", "websocket"),
    ],
)
def test_slugify_matches_python_markdown(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_a_problem_without_an_english_line() -> None:
    problem = Problem("docs/tr/a.md", 3, "something", "docs/en/a.md")
    assert str(problem) == "docs/tr/a.md:3: something (English: docs/en/a.md)"
