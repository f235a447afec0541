"""scripts/docs.py glossary: forbidden variants found in a small synthetic site."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from guidekit import glossary
from tests.guidekit.test_docs_cli import cli

CONFIG = """\
site_name: Test
plugins:
  - i18n:
      docs_structure: folder
      languages:
        - locale: en
          default: true
        - locale: ko
        - locale: tr
        - locale: de
        - locale: fa
          extra:
            translation: in progress
"""
ENGLISH = "# Home { #home }\n\nWelcome.\n"
KO_TERMS = """\
# 용어집

설명 문장은 그대로 둡니다. 프론트엔드라고 쓰지 않습니다.

## Terms { #terms }

```yaml
- {en: "frontend", use: "프런트엔드", avoid: ["프론트엔드"]}
- {en: "message", use: "메시지", avoid: ["메세지"]}
- {en: "client", use: "클라이언트", avoid: []}
```

## Style { #style }

A later section may show code of its own:

```text
프론트엔드
```
"""
TR_TERMS = """\
# Sözlük

## Terms { #terms }

```yaml
- {en: "message", use: "mesaj", avoid: ["ileti"]}
- {en: "token", use: "token", avoid: ["belirteç"]}
- {en: "log in", use: "giriş yapmak", avoid: ["oturum aç"]}
```
"""
DE_TERMS = """\
# Glossar

## Terms { #terms }

```yaml
- {en: "endpoint", use: "Endpunkt", avoid: ["Endpoint"]}
- {en: "for example", use: "zum Beispiel", avoid: ["z. B.", "z.B."]}
```
"""
CLEAN = {
    "ko": "# 홈 { #home }\n\n프런트엔드와 메시지.\n",
    "tr": "# Ana sayfa { #home }\n\nMesajlar ve iletişim.\n",
    "de": "# Startseite { #home }\n\nEin Endpunkt.\n",
}

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """en: index. ko, tr, de: index and a glossary each. fa: configured, no pages."""
    files = {
        "mkdocs.yml": CONFIG,
        "docs/en/index.md": ENGLISH,
        "docs/ko/glossary.md": KO_TERMS,
        "docs/tr/glossary.md": TR_TERMS,
        "docs/de/glossary.md": DE_TERMS,
        **{f"docs/{language}/index.md": text for language, text in CLEAN.items()},
    }
    for name, text in files.items():
        write(tmp_path / name, text)
    return tmp_path


def write(file: Path, text: str) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")


@pytest.fixture
def run(site: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = cli.main(["--repo", str(site), "glossary", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_clean_site_passes(run: Run) -> None:
    code, out, err = run("--check")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "docs/fa/glossary.md: expected a '## Terms { #terms }' heading followed by "
        "a ```yaml block of terms, found no such file (fa is a language in progress)",
        "No forbidden variants in 3 translated pages (ko, tr, de, fa).",
    ]


def test_planted_variants_are_found_with_their_lines(run: Run, site: Path) -> None:
    write(
        site / "docs/ko/index.md",
        '---\nsource_hash: "0"\n---\n\n# 홈 { #home }\n\n'
        "프론트엔드와 백엔드, 그리고 웹프론트엔드를 봅니다.\n\n- 메세지가 옵니다.\n",
    )
    write(
        site / "docs/tr/index.md",
        "# Ana sayfa { #home }\n\nİletiler gelir; bir iletiyi okuyun.\n\n"
        "Belirteci gönderin, sonra oturum açın.\n\niletişim ve bileti kalır.\n",
    )
    write(
        site / "docs/de/index.md",
        "# Startseite { #home }\n\nEndpoints sind, z. B., ein Echo-Endpoint.\n\n"
        "Ein Endpointwert und ein Endpunkt bleiben, z.B. hier.\n",
    )
    code, out, err = run("--check", "ko", "tr", "de")
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "docs/ko/index.md:7: found 프론트엔드, glossary says 프런트엔드",
        "docs/ko/index.md:7: found 프론트엔드, glossary says 프런트엔드",
        "docs/ko/index.md:9: found 메세지, glossary says 메시지",
        "docs/tr/index.md:3: found İletiler, glossary says mesaj",
        "docs/tr/index.md:3: found iletiyi, glossary says mesaj",
        "docs/tr/index.md:5: found Belirteci, glossary says token",
        "docs/tr/index.md:5: found oturum açın, glossary says giriş yapmak",
        "docs/de/index.md:3: found Endpoints, glossary says Endpunkt",
        "docs/de/index.md:3: found Endpoint, glossary says Endpunkt",
        "docs/de/index.md:3: found z. B., glossary says zum Beispiel",
        "docs/de/index.md:5: found z.B., glossary says zum Beispiel",
    ]


IGNORED = """\
---
title: 프론트엔드
---

# 홈 { #home }

`프론트엔드` 그리고 ``a `프론트엔드` b`` 는 코드입니다.

{* docs_src/tutorial/echo.py title["프론트엔드.py"] *}

```text
프론트엔드
```

!!! note

    ~~~console
    $ echo 메세지
    ~~~

[링크](https://example.com/프론트엔드) 와 <https://example.com/메세지>, <img alt="사진" src="프론트엔드.png">.

주소 https://example.com/프론트엔드 를 그대로 적습니다.

INFO:     connection open 프론트엔드
"""


def test_code_includes_urls_attributes_and_log_lines_are_ignored(
    run: Run, site: Path
) -> None:
    write(site / "docs/ko/index.md", IGNORED)
    code, out, err = run("--check", "ko")
    assert (code, err) == (0, "")
    assert out == "No forbidden variants in 1 translated pages (ko).\n"


def test_identifiers_are_ignored(run: Run, site: Path) -> None:
    write(
        site / "docs/de/index.md",
        "# Startseite { #home }\n\nDie Klasse WebSocketEndpoint, das Modul "
        "starlette.endpoints, der Name Endpoint_class und die Option --Endpoint.\n",
    )
    code, out, _ = run("--check", "de")
    assert (code, out) == (0, "No forbidden variants in 1 translated pages (de).\n")


def test_an_unclosed_fence_hides_the_rest_of_the_page(run: Run, site: Path) -> None:
    write(site / "docs/ko/index.md", "# 홈 { #home }\n\n````text\n```\n프론트엔드\n")
    assert run("--check", "ko")[0] == 0


def test_listing_shows_each_language_s_terms(run: Run) -> None:
    code, out, err = run("ko", "de")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "ko: 3 terms (docs/ko/glossary.md)",
        "  frontend: 프런트엔드  (not 프론트엔드)",
        "  message: 메시지  (not 메세지)",
        "  client: 클라이언트",
        "de: 2 terms (docs/de/glossary.md)",
        "  endpoint: Endpunkt  (not Endpoint)",
        "  for example: zum Beispiel  (not z. B., z.B.)",
    ]


def test_a_complete_language_without_terms_is_an_error(run: Run, site: Path) -> None:
    write(site / "docs/de/glossary.md", "# Glossar\n\nNur Prosa.\n")
    code, out, err = run("--check", "de")
    assert (code, err) == (1, "")
    assert out == (
        "docs/de/glossary.md: expected a '## Terms { #terms }' heading followed by "
        "a ```yaml block of terms, found none (de is a complete language)\n"
    )


MALFORMED = {
    "no block": (
        "# S\n\n## Terms { #terms }\n\nSome prose.\n",
        "docs/tr/glossary.md:5: expected a ```yaml fenced block after "
        "'## Terms { #terms }', found 'Some prose.'",
    ),
    "end of file": (
        "# S\n\n## Terms { #terms }\n\n",
        "docs/tr/glossary.md:3: expected a ```yaml fenced block after "
        "'## Terms { #terms }', found the end of the file",
    ),
    "wrong info string": (
        "## Terms { #terms }\n\n```json\n[]\n```\n",
        "docs/tr/glossary.md:3: expected a ```yaml fenced block after "
        "'## Terms { #terms }', found '```json'",
    ),
    "unclosed": (
        "## Terms { #terms }\n\n```yaml\n- {en: a, use: b, avoid: []}\n",
        "docs/tr/glossary.md:3: expected the yaml block to be closed with ```, "
        "found the end of the file",
    ),
    "invalid yaml": (
        '## Terms { #terms }\n\n```yaml\n- {en: "a", use: "b", avoid: []}\n'
        '- {en: "a", use: "b" avoid: []}\n```\n',
        "docs/tr/glossary.md:5: expected valid YAML, found expected ',' or '}', "
        "but got '<scalar>'",
    ),
    "empty": (
        "## Terms { #terms }\n\n```yaml\n```\n",
        "docs/tr/glossary.md:3: expected a list of terms in the yaml block, "
        "found an empty block",
    ),
    "not a list": (
        '## Terms { #terms }\n\n```yaml\nen: "a"\n```\n',
        "docs/tr/glossary.md:4: expected a list of terms (lines starting with "
        "'- '), found a mapping",
    ),
    "not a mapping": (
        '## Terms { #terms }\n\n```yaml\n- {en: "a", use: "b", avoid: []}\n'
        "- frontend\n```\n",
        "docs/tr/glossary.md:5: expected a term like "
        '{en: "...", use: "...", avoid: [...]}, found \'frontend\'',
    ),
    "missing key": (
        '## Terms { #terms }\n\n```yaml\n- {en: "a", avoid: []}\n```\n',
        "docs/tr/glossary.md:4: expected a term like "
        '{en: "...", use: "...", avoid: [...]}, found no use',
    ),
    "unknown key": (
        '## Terms { #terms }\n\n```yaml\n- {en: "a", use: "b", avoid: [], note: "c"}'
        "\n```\n",
        "docs/tr/glossary.md:4: expected only the keys en, use and avoid, found 'note'",
    ),
    "duplicate key": (
        '## Terms { #terms }\n\n```yaml\n- en: "a"\n  use: "b"\n  use: "c"\n'
        "  avoid: []\n```\n",
        "docs/tr/glossary.md:6: expected each key once, found 'use' twice",
    ),
    "avoid not a list": (
        '## Terms { #terms }\n\n```yaml\n- {en: "a", use: "b", avoid: "c"}\n```\n',
        "docs/tr/glossary.md:4: expected avoid to be a list of variants such as "
        "[\"...\"] (or []), found 'c'",
    ),
    "number": (
        '## Terms { #terms }\n\n```yaml\n- {en: "a", use: 3, avoid: []}\n```\n',
        "docs/tr/glossary.md:4: expected use to be non-empty text in quotes, found '3'",
    ),
    "empty variant": (
        '## Terms { #terms }\n\n```yaml\n- {en: "a", use: "b", avoid: [""]}\n```\n',
        "docs/tr/glossary.md:4: expected avoid to be non-empty text in quotes, "
        "found nothing",
    ),
    "list as text": (
        '## Terms { #terms }\n\n```yaml\n- {en: ["a"], use: "b", avoid: []}\n```\n',
        "docs/tr/glossary.md:4: expected en to be non-empty text in quotes, "
        "found a list",
    ),
    "two headings": (
        "## Terms { #terms }\n\n```yaml\n[]\n```\n\n## Terms { #terms }\n",
        "docs/tr/glossary.md:7: expected one '## Terms { #terms }' heading, found "
        "a second one (the first is on line 1)",
    ),
    "two blocks": (
        '## Terms { #terms }\n\n```yaml\n- {en: "a", use: "b", avoid: []}\n```\n\n'
        "```yaml\n[]\n```\n",
        "docs/tr/glossary.md:7: expected one yaml block under "
        "'## Terms { #terms }', found a second fenced block",
    ),
    "contradiction": (
        '## Terms { #terms }\n\n```yaml\n- {en: "a", use: "ileti", avoid: ["ileti"]}'
        "\n```\n",
        "docs/tr/glossary.md:4: expected avoid to list variants other than the "
        "required 'ileti', found 'ileti', which matches it",
    ),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_a_malformed_glossary_is_one_clear_line(
    run: Run, site: Path, case: str
) -> None:
    text, expected = MALFORMED[case]
    write(site / "docs/tr/glossary.md", text)
    code, out, err = run("--check")
    assert code == 1
    assert err == expected + "\n"
    assert "Traceback" not in out + err
    # the other languages are still checked
    assert "No forbidden variants" not in out


def test_a_malformed_glossary_fails_the_listing_too(run: Run, site: Path) -> None:
    write(site / "docs/tr/glossary.md", MALFORMED["unknown key"][0])
    code, out, err = run("tr")
    assert (code, out) == (1, "")
    assert err == MALFORMED["unknown key"][1] + "\n"


@pytest.mark.parametrize(
    ("name", "data", "offset"),
    [
        ("glossary.md", b"## Terms { #terms }\n\xff\n", 20),
        ("index.md", b"# A\n\xfe\n", 4),
    ],
)
def test_a_file_that_is_not_utf8_is_one_line(
    run: Run, site: Path, name: str, data: bytes, offset: int
) -> None:
    (site / "docs/tr" / name).write_bytes(data)
    code, _, err = run("--check", "tr")
    assert code == 1
    assert err == (
        f"docs/tr/{name}: expected UTF-8 text, found a byte that is not "
        f"(at offset {offset})\n"
    )


def test_an_unknown_language_is_refused(run: Run) -> None:
    code, _, err = run("--check", "xx")
    assert code == 1
    assert "expected a translation language configured in the i18n plugin" in err


@pytest.mark.parametrize(
    ("language", "line", "variant", "found"),
    [
        ("ko", "프론트엔드는", "프론트엔드", ["프론트엔드"]),
        ("ko", "웹프론트엔드", "프론트엔드", ["프론트엔드"]),
        ("tr", "İLETİLER", "ileti", ["İLETİLER"]),
        ("tr", "token'ı ve belirteç'i", "belirteç", ["belirteç'i"]),
        ("tr", "iletişim, bileti, iletir", "ileti", []),
        ("tr", "belirtec", "belirteç", []),
        ("de", "ENDPOINT, Endpoints, Endpunkt", "Endpoint", ["ENDPOINT", "Endpoints"]),
        ("de", "Echo-Endpoint-Klasse", "Endpoint", ["Endpoint"]),
        ("de", "Endpointklasse, WebSocketEndpoint", "Endpoint", []),
        ("fa", "پیام\u200cها و پیامی", "پیام", ["پیام"]),  # noqa: RUF001 (Persian)
    ],
)
def test_matching_follows_each_script(
    language: str, line: str, variant: str, found: list[str]
) -> None:
    assert list(glossary.matches(language, line, variant)) == found
