#!/usr/bin/env python3
"""The translators' command line: where each translation stands, and keeping it so.

    scripts/docs.py status [--json] [--check] [LANG ...]
    scripts/docs.py new LANG PAGE
    scripts/docs.py diff LANG PAGE
    scripts/docs.py record LANG PAGE ... | scripts/docs.py record --all LANG
    scripts/docs.py review LANG PAGE --by NAME
    scripts/docs.py parity [LANG ...]
    scripts/docs.py glossary [--check] [LANG ...]

Languages are the ones mkdocs.yml's i18n plugin lists, English aside; pages
are paths relative to a language folder, such as ``tutorial.md``.
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

sys.path.insert(0, str(Path(__file__).resolve().parent))

from guidekit import glossary, history, parity
from guidekit.translations import (
    SOURCE_LANGUAGE,
    Cell,
    ConfigError,
    LanguageState,
    PageStatus,
    Review,
    ReviewState,
    State,
    content_hash,
    english_pages,
    is_unpublished,
    language_states,
    page_status,
    recorded_hash,
    translated_pages,
    with_recorded_hash,
    with_review,
)

ROOT = Path(__file__).resolve().parent.parent
COMMAND = "scripts/docs.py"
STATE_KEYS = {
    State.UP_TO_DATE: "up_to_date",
    State.OUTDATED: "outdated",
    State.MISSING: "missing",
}
REVIEW_KEYS = {
    ReviewState.NONE: "none",
    ReviewState.CURRENT: "reviewed",
    ReviewState.OUTDATED: "outdated",
}


class Failure(Exception):
    """Bad input or a state the command cannot work with; the message says which."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Site:
    """Where the pages are, and which languages mkdocs.yml configures."""

    repo: Path
    docs: Path
    config: Path
    states: dict[str, LanguageState]  # each translation language, in order

    @property
    def languages(self) -> list[str]:
        return list(self.states)

    def show(self, file: Path) -> str:
        return parity.display(file, self.repo)

    def english(self, page: str) -> Path:
        return self.docs / SOURCE_LANGUAGE / page

    def translation(self, language: str, page: str) -> Path:
        return self.docs / language / page


# Arguments -----------------------------------------------------------------


PAGE_HELP = "a page relative to the language folder, such as tutorial.md"


def add_language(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "language", metavar="LANG", help="a language from mkdocs.yml, such as tr"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=COMMAND,
        description="Start, check and update the translations of the guide.",
        epilog="Pages are paths relative to a language folder, e.g. tutorial.md. "
        "See CONTRIBUTING.md for the whole workflow.",
    )
    parser.add_argument(
        "--repo",
        type=Path,
        default=ROOT,
        metavar="DIR",
        help="the repository: mkdocs.yml and git history (default: %(default)s)",
    )
    parser.add_argument(
        "--docs",
        type=Path,
        metavar="DIR",
        help="the folder holding en/, tr/, ... (default: REPO/docs)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    status = commands.add_parser(
        "status",
        help="which pages are up to date, outdated or missing",
        description="A table of every page in every language: up to date, outdated "
        "(English changed since) or missing, with counts per language.",
    )
    status.add_argument("languages", nargs="*", metavar="LANG", help="only these")
    status.add_argument("--json", action="store_true", help="print JSON instead")
    status.add_argument(
        "--check",
        action="store_true",
        help="print one line per outdated or missing page; exit 1 if any is in a "
        "complete language (those of a language in progress are only reported)",
    )
    status.set_defaults(handler=run_status)

    new = commands.add_parser(
        "new",
        help="start a translation from the English page",
        description="Copy docs/en/PAGE to docs/LANG/PAGE, recording the English "
        "version in its front matter. Never overwrites an existing file.",
    )
    add_language(new)
    new.add_argument("page", metavar="PAGE", help=PAGE_HELP)
    new.set_defaults(handler=run_new)

    diff = commands.add_parser(
        "diff",
        help="what changed in English since the translation was made",
        description="Show a unified diff of docs/en/PAGE between the version the "
        "translation records (found in git history by its hash) and now.",
    )
    add_language(diff)
    diff.add_argument("page", metavar="PAGE", help=PAGE_HELP)
    diff.set_defaults(handler=run_diff)

    record = commands.add_parser(
        "record",
        help="mark translations as up to date with the current English",
        description="Write the current English page's hash into each translation's "
        "front matter (source_hash). Nothing else in the file changes.",
    )
    add_language(record)
    record.add_argument("pages", nargs="*", metavar="PAGE", help=PAGE_HELP)
    record.add_argument(
        "--all", action="store_true", help="every existing translation of LANG"
    )
    record.set_defaults(handler=run_record)

    review = commands.add_parser(
        "review",
        help="record that a native speaker has reviewed a translation",
        description="Write who reviewed docs/LANG/PAGE, today's date and the current "
        "English version into its front matter (reviewed). Refuses a translation "
        "that does not follow the current English. Nothing else in the file changes.",
    )
    add_language(review)
    review.add_argument("page", metavar="PAGE", help=PAGE_HELP)
    review.add_argument(
        "--by", required=True, metavar="NAME", help="the reviewer, as readers see it"
    )
    review.set_defaults(handler=run_review)

    check = commands.add_parser(
        "parity",
        help="check that translations keep the English structure",
        description="Compare includes, headings and anchors, code blocks, "
        "admonitions, images and internal links with English.",
    )
    check.add_argument("languages", nargs="*", metavar="LANG", help="only these")
    check.set_defaults(handler=run_parity)

    terms = commands.add_parser(
        "glossary",
        help="list each glossary's terms, or check pages for forbidden variants",
        description="List the terms of each language's glossary (the '## Terms' "
        "yaml block of docs/LANG/glossary.md); with --check, report every variant "
        "a glossary forbids that a page of that language uses.",
    )
    terms.add_argument("languages", nargs="*", metavar="LANG", help="only these")
    terms.add_argument(
        "--check",
        action="store_true",
        help="print one line per forbidden variant found and exit 1 if any",
    )
    terms.set_defaults(handler=run_glossary)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, or a usage error argparse has printed
        return stop.code if isinstance(stop.code, int) else 2
    handler: Callable[[Site, argparse.Namespace], int] = args.handler
    try:
        return handler(load_site(args.repo, args.docs), args)
    except (Failure, ConfigError, parity.ParityError) as error:
        print(error, file=sys.stderr)
        return error.status if isinstance(error, Failure) else 1
    except BrokenPipeError:
        raise  # the reader stopped reading; handled where the script is run
    except OSError as error:
        name = error.filename or "?"
        print(f"{name}: {error.strerror or error}", file=sys.stderr)
        return 1


def load_site(repo: Path, docs: Path | None) -> Site:
    docs = docs if docs is not None else repo / "docs"
    config = repo / "mkdocs.yml"
    site = Site(repo, docs, config, language_states(config))
    if not (docs / SOURCE_LANGUAGE).is_dir():
        raise Failure(
            f"{site.show(docs / SOURCE_LANGUAGE)}: expected the English pages, "
            "found no such folder"
        )
    return site


def language_of(site: Site, name: str) -> str:
    if name in site.languages:
        return name
    configured = ", ".join(site.languages) or "none"
    source = ", the English source" if name == SOURCE_LANGUAGE else ""
    raise Failure(
        f"{site.show(site.config)}: expected a translation language configured in "
        f"the i18n plugin ({configured}), found {name!r}{source}"
    )


def page_of(site: Site, language: str, name: str) -> str:
    """A page as given on the command line, checked to have an English source.

    ``docs/tr/tutorial.md`` is accepted as well as ``tutorial.md``, since that
    is how ``status`` prints it.
    """
    text = name.replace("\\", "/")
    for folder in (language, SOURCE_LANGUAGE):
        prefix = site.show(site.docs / folder) + "/"
        if text.startswith(prefix):
            text = text[len(prefix) :]
    page = PurePosixPath(text)
    if page.is_absolute() or ".." in page.parts or page.suffix != ".md":
        raise Failure(
            f"{name}: expected a page relative to {site.show(site.docs / language)}/ "
            f"ending in .md (such as tutorial.md), found {name!r}"
        )
    relative = page.as_posix()
    if is_unpublished(relative):
        raise Failure(
            f"{name}: expected a published page, found the translators' glossary, "
            "which has no English source to follow"
        )
    if not site.english(relative).is_file():
        raise Failure(
            f"{site.show(site.english(relative))}: expected the English page, "
            "found no such file"
        )
    return relative


def read_text(site: Site, file: Path) -> str:
    """Text as MkDocs and the hashes see it (universal newlines)."""
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise Failure(
            f"{site.show(file)}: expected UTF-8 text, found a byte that is not "
            f"(at offset {error.start})"
        ) from None


def read_exact(site: Site, file: Path) -> str:
    """Text with its line endings untouched, for files this tool writes back."""
    try:
        return file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise Failure(
            f"{site.show(file)}: expected UTF-8 text, found a byte that is not "
            f"(at offset {error.start})"
        ) from None


# status --------------------------------------------------------------------


def statuses(site: Site, languages: list[str]) -> dict[str, list[PageStatus]]:
    pages = english_pages(site.docs)
    table: dict[str, list[PageStatus]] = {}
    for language in languages:
        table[language] = []
        for page in pages:
            try:
                table[language].append(page_status(site.docs, language, page))
            except UnicodeDecodeError:
                read_text(site, site.english(page))  # raises, naming the file
                read_text(site, site.translation(language, page))
                raise
    return table


def counts(rows: list[PageStatus]) -> dict[str, int]:
    result = {key: 0 for key in STATE_KEYS.values()}
    for row in rows:
        result[STATE_KEYS[row.state]] += 1
    result["reviewed"] = sum(row.cell is Cell.REVIEWED for row in rows)
    result["reviewed_outdated"] = sum(
        row.cell is Cell.REVIEWED_OUTDATED for row in rows
    )
    total = len(rows)
    result["total"] = total
    result["percent"] = 100 if total == 0 else result["up_to_date"] * 100 // total
    return result


def run_status(site: Site, args: argparse.Namespace) -> int:
    languages = [language_of(site, name) for name in args.languages] or site.languages
    table = statuses(site, languages)
    problems = {
        language: [
            problem_line(site, row)
            for row in table[language]
            if row.state is not State.UP_TO_DATE
        ]
        for language in languages
    }
    failing = [
        language
        for language in languages
        if problems[language] and site.states[language] is LanguageState.COMPLETE
    ]
    if args.json:
        print(json.dumps(status_json(site, languages, table), indent=2))
    elif args.check:
        print(check_report(site, languages, problems, failing))
    else:
        print(status_table(site, languages, table))
    return 1 if args.check and failing else 0


def check_report(
    site: Site,
    languages: list[str],
    problems: dict[str, list[str]],
    failing: list[str],
) -> str:
    """The problem lines; those of a language in progress say they are no error."""
    lines: list[str] = []
    for language in languages:
        in_progress = site.states[language] is LanguageState.IN_PROGRESS
        suffix = f" (reported only: {language} is in progress)" if in_progress else ""
        lines += [problem + suffix for problem in problems[language]]
    if not failing:
        complete = [
            language
            for language in languages
            if site.states[language] is LanguageState.COMPLETE
        ]
        in_progress = [language for language in languages if language not in complete]
        summary = "All translations are up to date"
        if in_progress:
            summary = "Every complete language is up to date"
        summary += f" ({', '.join(complete) or 'none'})"
        if in_progress:
            summary += f"; in progress: {', '.join(in_progress)}"
        lines.append(summary + ".")
    return "\n".join(lines)


def status_table(
    site: Site, languages: list[str], table: dict[str, list[PageStatus]]
) -> str:
    pages = [row.page for row in table[languages[0]]] if languages else []
    header = ["page", *languages]
    rows = [header] + [
        [page, *(table[language][index].cell.value for language in languages)]
        for index, page in enumerate(pages)
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(width) for cell, width in zip(row, widths, strict=True)
        ).rstrip()
        for row in rows
    ]
    lines.append("")
    for language in languages:
        count = counts(table[language])
        lines.append(
            f"{language} ({site.states[language].value}): {count['up_to_date']} up to "
            f"date, {count['outdated']} outdated, {count['missing']} missing of "
            f"{count['total']} pages: {count['percent']}% translated and current; "
            f"{count['reviewed']} reviewed"
        )
    return "\n".join(lines)


def status_json(
    site: Site, languages: list[str], table: dict[str, list[PageStatus]]
) -> dict[str, object]:
    return {
        "source_language": SOURCE_LANGUAGE,
        "languages": languages,
        "language_states": {
            language: site.states[language].value for language in languages
        },
        "pages": english_pages(site.docs),
        "status": {
            language: {
                row.page: {
                    "state": STATE_KEYS[row.state],
                    "file": site.show(site.translation(language, row.page)),
                    "recorded": row.recorded,
                    "current": row.current,
                    "review": review_json(row),
                }
                for row in table[language]
            }
            for language in languages
        },
        "counts": {language: counts(table[language]) for language in languages},
    }


def review_json(row: PageStatus) -> dict[str, object]:
    review = row.review
    return {
        "state": REVIEW_KEYS[row.review_state],
        "by": review.by if review else None,
        "date": review.date if review else None,
        "source_hash": review.source_hash if review else None,
    }


def problem_line(site: Site, row: PageStatus) -> str:
    """One line saying what is wrong with a page and which command fixes it."""
    file = site.show(site.translation(row.language, row.page))
    english = site.show(site.english(row.page))
    args = f"{row.language} {row.page}"
    if row.state is State.MISSING:
        return (
            f"{file}: missing: {english} has no translation yet; "
            f"run '{COMMAND} new {args}' to start one"
        )
    if row.recorded is None:
        return (
            f"{file}: outdated: no source_hash in its front matter, English is now "
            f"{row.current}; compare it with {english} by hand, "
            f"then run '{COMMAND} record {args}'"
        )
    return (
        f"{file}: outdated: translated from English version {row.recorded}, "
        f"English is now {row.current}; run '{COMMAND} diff {args}' to see what "
        f"changed, then '{COMMAND} record {args}'"
    )


# new -----------------------------------------------------------------------


def run_new(site: Site, args: argparse.Namespace) -> int:
    language = language_of(site, args.language)
    page = page_of(site, language, args.page)
    target = site.translation(language, page)
    refusal = Failure(
        f"{site.show(target)}: expected no file there, found an existing "
        f"translation; not overwriting it (see '{COMMAND} diff {language} {page}' "
        "to update it instead)"
    )
    if target.exists() or target.is_symlink():
        raise refusal
    english = site.english(page)
    current = content_hash(read_text(site, english))
    text = with_recorded_hash(read_exact(site, english), current)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("x", encoding="utf-8", newline="") as file:
            file.write(text)
    except FileExistsError:  # created since the check above
        raise refusal from None
    print(
        f"{site.show(target)}: created from {site.show(english)} (English version "
        f"{current}); translate the text and keep the structure"
    )
    return 0


# record --------------------------------------------------------------------


def run_record(site: Site, args: argparse.Namespace) -> int:
    language = language_of(site, args.language)
    if args.all and args.pages:
        raise Failure("record: expected either PAGE ... or --all, found both", 2)
    if args.all:
        pages = [
            page
            for page in english_pages(site.docs)
            if site.translation(language, page).is_file()
        ]
        if not pages:
            print(f"{site.show(site.docs / language)}: no translations to record")
            return 0
    elif not args.pages:
        raise Failure("record: expected at least one PAGE (or --all), found none", 2)
    else:
        pages = [page_of(site, language, name) for name in args.pages]
    for page in pages:  # check them all before changing any
        target = site.translation(language, page)
        if not target.is_file():
            raise Failure(
                f"{site.show(target)}: expected a translation to record, found no "
                f"such file; run '{COMMAND} new {language} {page}' to start one"
            )
    for page in pages:
        target = site.translation(language, page)
        current = content_hash(read_text(site, site.english(page)))
        text = read_exact(site, target)
        if recorded_hash(text) == current:
            print(
                f"{site.show(target)}: already records English version {current}; "
                "nothing to change"
            )
            continue
        target.write_bytes(with_recorded_hash(text, current).encode("utf-8"))
        print(f"{site.show(target)}: recorded English version {current}")
    return 0


# review --------------------------------------------------------------------


def run_review(site: Site, args: argparse.Namespace) -> int:
    language = language_of(site, args.language)
    page = page_of(site, language, args.page)
    target = site.translation(language, page)
    shown = site.show(target)
    name = args.by.strip()
    if not name or not name.isprintable():  # no line breaks, tabs or controls
        raise Failure(
            f"{shown}: expected the reviewer's name on one line (--by NAME), "
            f"found {args.by!r}",
            2,
        )
    if not target.is_file():
        raise Failure(
            f"{shown}: expected a translation to review, found no such file; "
            f"run '{COMMAND} new {language} {page}' to start one"
        )
    text = read_exact(site, target)
    current = content_hash(read_text(site, site.english(page)))
    recorded = recorded_hash(text)
    if recorded != current:
        found = f"version {recorded}" if recorded else "no source_hash"
        raise Failure(
            f"{shown}: expected a translation of the current English version "
            f"{current}, found {found}; bring it up to date and run "
            f"'{COMMAND} record {language} {page}' before recording a review"
        )
    review = Review(name, datetime.date.today().isoformat(), current)
    target.write_bytes(with_review(text, review).encode("utf-8"))
    print(
        f"{shown}: recorded a review by {name} on {review.date} of English "
        f"version {current}"
    )
    return 0


# diff ----------------------------------------------------------------------


def run_diff(site: Site, args: argparse.Namespace) -> int:
    language = language_of(site, args.language)
    page = page_of(site, language, args.page)
    target = site.translation(language, page)
    english = site.english(page)
    shown, english_shown = site.show(target), site.show(english)
    if not target.is_file():
        raise Failure(
            f"{shown}: expected a translation, found no such file; "
            f"run '{COMMAND} new {language} {page}' to start one"
        )
    recorded = recorded_hash(read_text(site, target))
    if recorded is None:
        raise Failure(
            f"{shown}: expected a source_hash in the front matter, found none, so "
            "the English version it was translated from is unknown. Compare by hand "
            f"with {english_shown}, then run '{COMMAND} record {language} {page}'."
        )
    now = read_text(site, english)
    current = content_hash(now)
    if recorded == current:
        print(
            f"{shown}: up to date: translated from the current English version "
            f"{current}; nothing to show"
        )
        return 0
    try:
        version = history.find_version(site.repo, english, recorded, content_hash)
    except history.HistoryUnavailable as reason:
        raise Failure(
            f"{shown}: the English version this was translated from ({recorded}) "
            f"cannot be looked up: {reason}. Compare by hand with {english_shown}."
        ) from None
    if version is None:
        shallow = (
            " This clone is shallow: 'git fetch --unshallow' may bring it back."
            if history.is_shallow(site.repo)
            else ""
        )
        raise Failure(
            f"{shown}: the English version this was translated from ({recorded}) "
            "is not in this repository's history; cannot show what changed. "
            f"Compare by hand with {english_shown}.{shallow}"
        )
    where = "staged" if version.commit is None else f"commit {version.commit[:12]}"
    print(
        unified_diff(
            version.text,
            now,
            f"{site.show(version.file)} (English version {recorded}, {where})",
            f"{english_shown} (English version {current}, now)",
        ),
        end="",
    )
    print(
        f"When {shown} says what the English now says, run "
        f"'{COMMAND} record {language} {page}'.",
        file=sys.stderr,
    )
    return 0


def unified_diff(old: str, new: str, old_label: str, new_label: str) -> str:
    """A unified diff like git's, marking a last line that has no newline."""
    lines: list[str] = []
    for line in difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        old_label,
        new_label,
    ):
        if line.endswith("\n"):
            lines.append(line)
        else:
            lines.append(line + "\n\\ No newline at end of file\n")
    return "".join(lines)


# parity --------------------------------------------------------------------


def run_parity(site: Site, args: argparse.Namespace) -> int:
    languages = [language_of(site, name) for name in args.languages] or site.languages
    problems: list[parity.Problem] = []
    checked = 0
    for language in languages:
        for page in translated_pages(site.docs, language):
            checked += 1
            problems += parity.check_page(site.docs, language, page, site.repo)
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"{checked} translated pages keep the English structure.")
    return 0


# glossary ------------------------------------------------------------------


def run_glossary(site: Site, args: argparse.Namespace) -> int:
    """Terms per language, or (--check) the variants the glossaries forbid."""
    languages = [language_of(site, name) for name in args.languages] or site.languages
    failed = False
    found = 0
    pages = 0
    for language in languages:
        try:
            report = glossary.check_language(site.docs, language, site.repo)
        except glossary.GlossaryError as error:
            print(error, file=sys.stderr)
            failed = True
            continue
        if report.terms is None:
            print(glossary.missing_part(report))
            failed = failed or report.complete
            continue
        if args.check:
            for finding in report.findings:
                print(finding)
            found += len(report.findings)
            pages += len(translated_pages(site.docs, language))
        else:
            print(glossary_listing(report))
    if args.check and not failed and not found:
        print(
            f"No forbidden variants in {pages} translated pages "
            f"({', '.join(languages)})."
        )
    return 1 if failed or (args.check and found) else 0


def glossary_listing(report: glossary.LanguageReport) -> str:
    terms = report.terms or []
    lines = [f"{report.language}: {len(terms)} terms ({report.glossary})"]
    for term in terms:
        avoid = f"  (not {', '.join(term.avoid)})" if term.avoid else ""
        lines.append(f"  {term.en}: {term.use}{avoid}")
    return "\n".join(lines)


if __name__ == "__main__":
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # piped into head or less, which quit early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    sys.exit(code)
