"""The glossary as a check: forbidden variants of settled terms, found in pages.

Each ``docs/<lang>/glossary.md`` ends its prose with a machine-readable part::

    ## Terms { #terms }

    ```yaml
    - {en: "frontend", use: "프런트엔드", avoid: ["프론트엔드"]}
    ```

``avoid`` lists renderings a translator might wrongly use; the check reports
each one it finds in the language's pages, outside code, identifiers, URLs,
HTML tags and quoted log lines. How a variant matches depends on the script:

- Korean (``ko``): anywhere, since particles and endings attach directly
  (프론트엔드와, 프론트엔드를) and compounds are often written solid. Avoid
  entries are whole loanword spellings, so they do not occur inside other words.
- Turkish (``tr``): at the start of a word, followed by nothing, or by a chain
  of inflectional suffixes, directly or after an apostrophe (ileti, iletiler,
  iletiyi, token'ı); a final p/ç/t/k may soften before a vowel (belirteci).
  A longer word (iletişim) is another word and does not match. Case follows
  Turkish rules (İ/i, I/ı).
- German (``de``): a whole word, case-insensitively (so a capitalised word at
  the start of a sentence matches), with the usual inflection endings
  (Endpoints, Endpunkten); a hyphen separates the parts of a compound, so
  ``Echo-Endpoint`` matches, while a variant inside a solid compound does not.
- Any other language: a whole word, case-insensitively; a zero-width
  non-joiner (Persian) separates words as a space does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guidekit.includes import is_directive
from guidekit.parity import (
    CODE_SPAN,
    FENCE_CLOSE,
    FENCE_OPEN,
    HEADING,
    ParityError,
    display,
    read,
)
from guidekit.translations import (
    BOM,
    ConfigError,
    LanguageState,
    english_pages,
    language_states,
    translated_pages,
)

GLOSSARY = "glossary.md"
TERMS_ANCHOR = "terms"
TERMS_HEADING = "## Terms { #terms }"
KEYS = ("en", "use", "avoid")

# Blanked out before matching: what is not prose a translator wrote.
URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s)>\]]+|\bmailto:\S+")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
HTML_TAG = re.compile(r"</?[A-Za-z!][^>]*>")
ATTR_LIST = re.compile(r"\{:?[ \t]*[#.][^{}]*\}")
IDENTIFIER = re.compile(
    r"(?<![\w.])[A-Za-z_][A-Za-z0-9_]+(?:(?:\.|::|_)[A-Za-z0-9_]+)+|"
    r"(?<![\w-])--[A-Za-z][\w-]*",
    re.ASCII,
)
LOG_LINE = re.compile(r"\b(?:TRACE|DEBUG|INFO|WARNING|ERROR|CRITICAL):.*$")

# Turkish inflectional suffixes, after an optional buffer consonant (y, n, s).
_TURKISH_SUFFIX_LIST = """
    lar ler ları leri larla lerle ların lerin lara lere larda lerde lardan lerden
    ı i u ü a e ya ye yı yi yu yü nı ni nu nü na ne
    da de ta te dan den tan ten nda nde ndan nden
    ın in un ün nın nin nun nün yla yle la le ca ce ça çe
    ım im um üm m ımız imiz umuz ümüz mız miz muz müz
    ınız iniz unuz ünüz nız niz nuz nüz sı si su sü
    ki dır dir dur dür tır tir tur tür dı di du dü tı ti tu tü
    daki deki taki teki ndaki ndeki sız siz suz süz lı li lu lü
    mak mek ma me mış miş muş müş acak ecek ıyor iyor uyor üyor
    ar er ır ir ur ür abilir ebilir malı meli sın sin
"""
TURKISH_SUFFIXES = sorted(_TURKISH_SUFFIX_LIST.split(), key=len, reverse=True)
TURKISH_SUFFIX_CHAIN = re.compile(
    r"(?:" + "|".join(TURKISH_SUFFIXES) + r")*\Z", re.IGNORECASE
)
TURKISH_SOFTENING = {"p": "b", "ç": "c", "t": "d", "k": "ğ"}
TURKISH_VOWELS = set("aeıioöuü")
APOSTROPHES = "'\u2019"  # straight, and the typographic one
GERMAN_ENDINGS = ("", "s", "es", "e", "en", "n", "er", "em", "ern", "ens")
ZWNJ = "\u200c"


class GlossaryError(Exception):
    """A glossary whose machine-readable part cannot be read; one line says why."""


@dataclass(frozen=True)
class Term:
    en: str
    use: str
    avoid: tuple[str, ...]
    line: int  # where the entry starts in glossary.md


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    found: str
    use: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: found {self.found}, glossary says {self.use}"


# Reading the glossary --------------------------------------------------------


def read_terms(text: str, shown: str) -> list[Term] | None:
    """The terms of a glossary's ``## Terms { #terms }`` block; None if it has none.

    ``shown`` is how errors name the file, such as ``docs/tr/glossary.md``.
    """
    lines = text.removeprefix(BOM).replace("\r\n", "\n").split("\n")
    headings = [
        number for number, line in enumerate(lines, start=1) if _is_terms_heading(line)
    ]
    if not headings:
        return None
    if len(headings) > 1:
        raise GlossaryError(
            f"{shown}:{headings[1]}: expected one {TERMS_HEADING!r} heading, "
            f"found a second one (the first is on line {headings[0]})"
        )
    start = headings[0]
    number = start + 1
    while number <= len(lines) and not lines[number - 1].strip():
        number += 1
    if number > len(lines):
        raise GlossaryError(
            f"{shown}:{start}: expected a ```yaml fenced block after "
            f"{TERMS_HEADING!r}, found the end of the file"
        )
    opening = FENCE_OPEN.match(lines[number - 1])
    if opening is None or opening["info"].strip() != "yaml":
        raise GlossaryError(
            f"{shown}:{number}: expected a ```yaml fenced block after "
            f"{TERMS_HEADING!r}, found {_short(lines[number - 1])}"
        )
    body: list[str] = []
    for end in range(number + 1, len(lines) + 1):
        closing = FENCE_CLOSE.match(lines[end - 1])
        if closing and closing["fence"].startswith(opening["fence"]):
            break
        body.append(lines[end - 1])
    else:
        raise GlossaryError(
            f"{shown}:{number}: expected the yaml block to be closed with "
            f"{opening['fence']}, found the end of the file"
        )
    for extra in range(end + 1, len(lines) + 1):
        line = lines[extra - 1]
        if HEADING.match(line) and line.startswith("## "):
            break  # the next section: the terms block ends here
        if FENCE_OPEN.match(line):
            raise GlossaryError(
                f"{shown}:{extra}: expected one yaml block under {TERMS_HEADING!r}, "
                "found a second fenced block"
            )
    return _parse_terms("\n".join(body), shown, number)


def _is_terms_heading(line: str) -> bool:
    heading = HEADING.match(line)
    return (
        heading is not None
        and len(heading["hashes"]) == 2
        and re.search(r"\{[^{}]*#" + TERMS_ANCHOR + r"\b[^{}]*\}", line) is not None
    )


def _parse_terms(source: str, shown: str, fence_line: int) -> list[Term]:
    """Terms from the block's YAML; ``fence_line`` is the opening fence's line."""
    import yaml  # imported here: the build hooks never need it

    def at(mark: Any) -> str:
        return f"{shown}:{fence_line + 1 + mark.line}"

    try:
        root = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = at(mark) if mark is not None else f"{shown}:{fence_line}"
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise GlossaryError(f"{where}: expected valid YAML, found {problem}") from None
    if root is None:
        raise GlossaryError(
            f"{shown}:{fence_line}: expected a list of terms in the yaml block, "
            "found an empty block"
        )
    if not isinstance(root, yaml.SequenceNode):
        raise GlossaryError(
            f"{at(root.start_mark)}: expected a list of terms "
            f"(lines starting with '- '), found {_node_kind(root)}"
        )
    return [_term(item, at, fence_line + 1) for item in root.value]


def _term(node: Any, at: Any, first_line: int) -> Term:
    import yaml

    example = '{en: "...", use: "...", avoid: [...]}'
    if not isinstance(node, yaml.MappingNode):
        raise GlossaryError(
            f"{at(node.start_mark)}: expected a term like {example}, "
            f"found {_node_kind(node)}"
        )
    fields: dict[str, Any] = {}
    for key, value in node.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else None
        if name not in KEYS:
            raise GlossaryError(
                f"{at(key.start_mark)}: expected only the keys en, use and avoid, "
                f"found {name!r}"
            )
        if name in fields:
            raise GlossaryError(
                f"{at(key.start_mark)}: expected each key once, found {name!r} twice"
            )
        fields[name] = value
    missing = [name for name in KEYS if name not in fields]
    if missing:
        raise GlossaryError(
            f"{at(node.start_mark)}: expected a term like {example}, "
            f"found no {' or '.join(missing)}"
        )
    en = _text(fields["en"], "en", at)
    use = _text(fields["use"], "use", at)
    avoid_node = fields["avoid"]
    if not isinstance(avoid_node, yaml.SequenceNode):
        raise GlossaryError(
            f"{at(avoid_node.start_mark)}: expected avoid to be a list of variants "
            f'such as ["..."] (or []), found {_node_kind(avoid_node)}'
        )
    avoid = tuple(_text(variant, "avoid", at) for variant in avoid_node.value)
    return Term(en, use, avoid, first_line + node.start_mark.line)


def _text(node: Any, name: str, at: Any) -> str:
    import yaml

    if (
        not isinstance(node, yaml.ScalarNode)
        or node.tag != "tag:yaml.org,2002:str"
        or not node.value.strip()
    ):
        raise GlossaryError(
            f"{at(node.start_mark)}: expected {name} to be non-empty text in quotes, "
            f"found {_node_kind(node)}"
        )
    return str(node.value)


def _node_kind(node: Any) -> str:
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if not node.value.strip():
        return "nothing"
    return repr(node.value)


def _short(line: str) -> str:
    line = line.strip()
    return repr(line if len(line) <= 60 else line[:59] + "…")


# Prose ---------------------------------------------------------------------


def prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """Each line of a page as prose, with everything that is not prose blanked.

    Fenced code, include directives and front matter are left out; within a
    line, code spans, URLs and link targets, HTML tags (and so their
    attributes), attribute lists, identifiers and quoted log lines become
    spaces, so column positions and word boundaries stay where they were.
    """
    from guidekit.translations import front_matter_lines

    lines = text.removeprefix(BOM).split("\n")
    start = front_matter_lines(text)
    fence: str | None = None
    for number, raw in enumerate(lines[start:], start=start + 1):
        line = raw.removesuffix("\r")
        if fence is not None:
            closing = FENCE_CLOSE.match(line)
            if (
                closing
                and closing["fence"][0] == fence[0]
                and len(closing["fence"]) >= len(fence)
            ):
                fence = None
            continue
        opening = FENCE_OPEN.match(line)
        if opening and not (opening["fence"][0] == "`" and "`" in opening["info"]):
            fence = opening["fence"]
            continue
        if is_directive(line):
            continue
        yield number, blank_non_prose(line)


def blank_non_prose(line: str) -> str:
    for pattern in (CODE_SPAN, URL, LINK_TARGET, HTML_TAG, ATTR_LIST, LOG_LINE):
        line = pattern.sub(_spaces, line)
    return IDENTIFIER.sub(_spaces, line)


def _spaces(found: re.Match[str]) -> str:
    return " " * len(found[0])


# Matching ------------------------------------------------------------------


def _is_letter(char: str) -> bool:
    return unicodedata.category(char)[0] in "LM"


def fold(language: str, text: str) -> str:
    """Lower case, one character for one, so positions in ``text`` still hold."""
    if language == "tr":
        text = text.replace("I", "ı").replace("İ", "i")
    return "".join(
        lowered if len(lowered := char.lower()) == 1 else char for char in text
    )


def matches(language: str, line: str, variant: str) -> Iterator[str]:
    """Each occurrence of ``variant`` in ``line`` (prose), as written there."""
    if language == "ko":
        start = line.find(variant)
        while start != -1:
            yield variant
            start = line.find(variant, start + len(variant))
        return
    folded, wanted = fold(language, line), fold(language, variant)
    stems = [wanted]
    if language == "tr" and wanted[-1:] in TURKISH_SOFTENING:
        stems.append(wanted[:-1] + TURKISH_SOFTENING[wanted[-1]])
    for index, stem in enumerate(stems):
        start = folded.find(stem)
        while start != -1:
            end = start + len(stem)
            word_end = _word_end(folded, end)
            before = folded[start - 1] if start else " "
            if not _is_letter(before) and _continues(
                language, folded[end:word_end], softened=index > 0
            ):
                yield line[start:word_end].rstrip(APOSTROPHES)
            start = folded.find(stem, start + 1)


def _word_end(text: str, position: int) -> int:
    """Where the word running through ``position`` ends (apostrophes included)."""
    while position < len(text) and (
        _is_letter(text[position])
        or (
            text[position] in APOSTROPHES
            and position + 1 < len(text)
            and _is_letter(text[position + 1])
        )
    ):
        position += 1
    return position


def _continues(language: str, rest: str, softened: bool) -> bool:
    """Whether the letters after a variant keep it the same word, inflected."""
    if language == "tr":
        rest = rest.lstrip(APOSTROPHES)
        if softened and (not rest or rest[0] not in TURKISH_VOWELS):
            return False  # a softened stem is always followed by a vowel
        return TURKISH_SUFFIX_CHAIN.match(rest) is not None
    if language == "de":
        return rest in GERMAN_ENDINGS
    return rest == "" or rest.startswith(ZWNJ)


# Checking pages --------------------------------------------------------------


def check_text(
    language: str, text: str, terms: Iterable[Term], shown: str
) -> list[Finding]:
    """Every forbidden variant in one page's prose, in line order."""
    terms = list(terms)
    findings: list[Finding] = []
    for number, line in prose_lines(text):
        for term in terms:
            for variant in term.avoid:
                for found in matches(language, line, variant):
                    findings.append(Finding(shown, number, found, term.use))
    return findings


def check_terms(language: str, terms: Iterable[Term], shown: str) -> None:
    """A glossary that forbids its own required rendering contradicts itself."""
    for term in terms:
        for variant in term.avoid:
            if any(matches(language, term.use, variant)):
                raise GlossaryError(
                    f"{shown}:{term.line}: expected avoid to list variants other "
                    f"than the required {term.use!r}, found {variant!r}, which "
                    "matches it"
                )


@dataclass(frozen=True)
class LanguageReport:
    language: str
    glossary: str  # the file, as shown
    terms: list[Term] | None  # None: no machine-readable part
    complete: bool  # declared complete in mkdocs.yml (or, with none, fully translated)
    findings: list[Finding]
    has_file: bool = True  # False: no glossary.md at all


def load_terms(docs: Path, language: str, root: Path) -> list[Term] | None:
    file = docs / language / GLOSSARY
    shown = display(file, root)
    if not file.is_file():
        return None
    terms = read_terms(_read(file, root), shown)
    if terms is not None:
        check_terms(language, terms, shown)
    return terms


def check_language(docs: Path, language: str, root: Path) -> LanguageReport:
    """The glossary of ``language`` and what it finds in that language's pages."""
    glossary = display(docs / language / GLOSSARY, root)
    terms = load_terms(docs, language, root)
    pages = translated_pages(docs, language)
    complete = _declared_complete(root, language)
    if complete is None:  # a site without mkdocs.yml: judge by its pages
        complete = set(english_pages(docs)) <= set(pages)
    findings: list[Finding] = []
    for page in pages if terms else []:
        file = docs / language / page
        text = _read(file, root)
        findings += check_text(language, text, terms or [], display(file, root))
    has_file = (docs / language / GLOSSARY).is_file()
    return LanguageReport(language, glossary, terms, complete, findings, has_file)


def _declared_complete(root: Path, language: str) -> bool | None:
    """Whether mkdocs.yml declares ``language`` complete; None if it says nothing."""
    config = root / "mkdocs.yml"
    if not config.is_file():
        return None
    try:
        state = language_states(config).get(language)
    except ConfigError:
        return None
    return None if state is None else state is LanguageState.COMPLETE


def _read(file: Path, root: Path) -> str:
    try:
        return read(file, root)
    except ParityError as error:  # not UTF-8: the message names the file
        raise GlossaryError(str(error)) from None


def missing_part(report: LanguageReport) -> str:
    """The line that reports a language without a machine-readable part."""
    state = "a complete language" if report.complete else "a language in progress"
    found = "none" if report.has_file else "no such file"
    return (
        f"{report.glossary}: expected a {TERMS_HEADING!r} heading followed by a "
        f"```yaml block of terms, found {found} ({report.language} is {state})"
    )
