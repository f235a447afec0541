"""scripts/docs.py against small synthetic sites built in a temporary folder."""

from __future__ import annotations

import datetime
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from guidekit.translations import content_hash

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "docs.py"

CONFIG = """\
site_name: Test
plugins:
  - search
  - i18n:
      docs_structure: folder
      build_only_locale: !ENV GUIDE_LANG
      languages:
        - locale: en
          default: true
        - locale: tr
        - locale: de
"""
INDEX = "# Home { #home }\n\nWelcome.\n"
TUTORIAL = """\
# Tutorial { #tutorial }

The first paragraph stays.

The second paragraph says hello.

The third paragraph stays too.
"""
OLD_PARAGRAPH = "The second paragraph says hello."
NEW_PARAGRAPH = "The second paragraph now says goodbye."
INDEX_HASH = content_hash(INDEX)
TUTORIAL_HASH = content_hash(TUTORIAL)
CHANGED_HASH = content_hash(TUTORIAL.replace(OLD_PARAGRAPH, NEW_PARAGRAPH))


def _load_cli() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_cli", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


cli = _load_cli()


def translated(text: str, source_hash: str | None) -> str:
    if source_hash is None:
        return text
    return f'---\nsource_hash: "{source_hash}"\n---\n\n{text}'


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Neither the user's git configuration nor a repository around tmp_path counts."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """en: index, tutorial. tr: index current, tutorial current. de: nothing."""
    repo = tmp_path / "repo"
    pages = {
        "mkdocs.yml": CONFIG,
        "docs/en/index.md": INDEX,
        "docs/en/tutorial.md": TUTORIAL,
        "docs/en/glossary.md": "# Not a page\n",
        "docs/tr/index.md": translated("# Ana sayfa { #home }\n", INDEX_HASH),
        "docs/tr/tutorial.md": translated("# Öğretici { #tutorial }\n", TUTORIAL_HASH),
        "docs/tr/glossary.md": "# Sözlük\n",
        "docs/assets/README.md": "# Not a language\n",
    }
    for name, text in pages.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    return repo


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(site: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """Run the CLI in-process on ``site``: (exit status, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = cli.main(["--repo", str(site), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def change_english(site: Path) -> None:
    english = site / "docs/en/tutorial.md"
    english.write_text(TUTORIAL.replace(OLD_PARAGRAPH, NEW_PARAGRAPH), encoding="utf-8")


# status --------------------------------------------------------------------


def test_status_table(run: Run, site: Path) -> None:
    (site / "docs/tr/index.md").write_text("# Ana sayfa { #home }\n", encoding="utf-8")
    code, out, err = run("status")
    assert (code, err) == (0, "")
    assert out == (
        "page         tr          de\n"
        "index.md     outdated    missing\n"
        "tutorial.md  up to date  missing\n"
        "\n"
        "tr (complete): 1 up to date, 1 outdated, 0 missing of 2 pages: "
        "50% translated and current; 0 reviewed\n"
        "de (complete): 0 up to date, 0 outdated, 2 missing of 2 pages: "
        "0% translated and current; 0 reviewed\n"
    )


def test_status_of_chosen_languages(run: Run) -> None:
    code, out, _ = run("status", "tr")
    assert code == 0
    assert out.splitlines()[0] == "page         tr"
    assert out.splitlines()[-1] == (
        "tr (complete): 2 up to date, 0 outdated, 0 missing of 2 pages: "
        "100% translated and current; 0 reviewed"
    )


def test_status_json(run: Run, site: Path) -> None:
    change_english(site)
    code, out, _ = run("status", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["source_language"] == "en"
    assert data["languages"] == ["tr", "de"]
    assert data["pages"] == ["index.md", "tutorial.md"]
    assert data["language_states"] == {"tr": "complete", "de": "complete"}
    no_review = {"state": "none", "by": None, "date": None, "source_hash": None}
    assert data["status"]["tr"]["tutorial.md"] == {
        "state": "outdated",
        "file": "docs/tr/tutorial.md",
        "recorded": TUTORIAL_HASH,
        "current": CHANGED_HASH,
        "review": no_review,
    }
    assert data["status"]["tr"]["index.md"]["state"] == "up_to_date"
    assert data["status"]["de"]["index.md"] == {
        "state": "missing",
        "file": "docs/de/index.md",
        "recorded": None,
        "current": INDEX_HASH,
        "review": no_review,
    }
    none_reviewed = {"reviewed": 0, "reviewed_outdated": 0}
    assert data["counts"] == {
        "tr": {"up_to_date": 1, "outdated": 1, "missing": 0, "total": 2, "percent": 50}
        | none_reviewed,
        "de": {"up_to_date": 0, "outdated": 0, "missing": 2, "total": 2, "percent": 0}
        | none_reviewed,
    }


def test_status_check_passes_when_all_is_current(run: Run) -> None:
    assert run("status", "--check", "tr") == (
        0,
        "All translations are up to date (tr).\n",
        "",
    )


def test_status_check_lists_one_actionable_line_per_problem(
    run: Run, site: Path
) -> None:
    change_english(site)
    (site / "docs/tr/index.md").write_text("# Ana sayfa { #home }\n", encoding="utf-8")
    code, out, _ = run("status", "--check")
    assert code == 1
    assert out.splitlines() == [
        "docs/tr/index.md: outdated: no source_hash in its front matter, English is "
        f"now {INDEX_HASH}; compare it with docs/en/index.md by hand, then run "
        "'scripts/docs.py record tr index.md'",
        "docs/tr/tutorial.md: outdated: translated from English version "
        f"{TUTORIAL_HASH}, English is now {CHANGED_HASH}; run 'scripts/docs.py diff "
        "tr tutorial.md' to see what changed, then 'scripts/docs.py record tr "
        "tutorial.md'",
        "docs/de/index.md: missing: docs/en/index.md has no translation yet; run "
        "'scripts/docs.py new de index.md' to start one",
        "docs/de/tutorial.md: missing: docs/en/tutorial.md has no translation yet; "
        "run 'scripts/docs.py new de tutorial.md' to start one",
    ]


def test_status_json_with_check_still_fails_on_problems(run: Run) -> None:
    code, out, _ = run("status", "--json", "--check")
    assert code == 1
    assert json.loads(out)["counts"]["de"]["missing"] == 2


def test_a_changed_english_page_is_outdated_until_recorded(
    run: Run, site: Path
) -> None:
    assert run("status", "--check", "tr")[0] == 0
    change_english(site)
    code, out, _ = run("status", "tr")
    assert code == 0
    assert "tutorial.md  outdated" in out.splitlines()
    assert run("status", "--check", "tr")[0] == 1
    assert run("record", "tr", "tutorial.md") == (
        0,
        f"docs/tr/tutorial.md: recorded English version {CHANGED_HASH}\n",
        "",
    )
    assert run("status", "--check", "tr")[0] == 0


def test_languages_come_from_mkdocs_yml(run: Run, site: Path) -> None:
    (site / "docs/fr").mkdir()
    (site / "docs/fr/index.md").write_text("# Accueil\n", encoding="utf-8")
    assert json.loads(run("status", "--json")[1])["languages"] == ["tr", "de"]


def in_progress(site: Path, language: str) -> None:
    """Declare ``language`` in progress in the site's mkdocs.yml."""
    config = site / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    entry = f"        - locale: {language}\n"
    assert entry in text
    declared = entry + "          extra: {translation: in progress}\n"
    config.write_text(text.replace(entry, declared), encoding="utf-8")


def test_a_missing_page_of_a_complete_language_fails_the_check(
    run: Run, site: Path
) -> None:
    assert run("status", "--check", "tr")[0] == 0
    (site / "docs/tr/tutorial.md").unlink()
    code, out, _ = run("status", "--check", "tr")
    assert code == 1
    assert out == (
        "docs/tr/tutorial.md: missing: docs/en/tutorial.md has no translation yet; "
        "run 'scripts/docs.py new tr tutorial.md' to start one\n"
    )


def test_a_language_in_progress_is_reported_but_never_fails(
    run: Run, site: Path
) -> None:
    in_progress(site, "de")
    (site / "docs/de").mkdir()
    (site / "docs/de/index.md").write_text(
        translated("# Startseite { #home }\n", INDEX_HASH), encoding="utf-8"
    )
    code, out, _ = run("status", "--check")
    assert code == 0
    assert out.splitlines() == [
        "docs/de/tutorial.md: missing: docs/en/tutorial.md has no translation yet; "
        "run 'scripts/docs.py new de tutorial.md' to start one "
        "(reported only: de is in progress)",
        "Every complete language is up to date (tr); in progress: de.",
    ]
    status = json.loads(run("status", "--json")[1])
    assert status["language_states"] == {"tr": "complete", "de": "in progress"}
    # A complete language still fails beside it.
    (site / "docs/tr/index.md").unlink()
    code, out, _ = run("status", "--check")
    assert code == 1
    assert out.splitlines()[0].startswith("docs/tr/index.md: missing: ")
    assert "Every complete language" not in out


def test_an_unknown_language_state_is_one_line(run: Run, site: Path) -> None:
    config = site / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(
            "        - locale: de\n",
            "        - locale: de\n          extra: {translation: nearly}\n",
        ),
        encoding="utf-8",
    )
    code, out, err = run("status")
    assert (code, out) == (1, "")
    assert err == (
        f"{config}: language de: expected extra.translation to be 'complete' or "
        "'in progress', found 'nearly'\n"
    )


# review --------------------------------------------------------------------


def test_review_records_who_when_and_which_english_version(
    run: Run, site: Path
) -> None:
    page = site / "docs/tr/tutorial.md"
    before = page.read_bytes()
    today = datetime.date.today().isoformat()
    assert run("review", "tr", "tutorial.md", "--by", "Ayşe Yılmaz") == (
        0,
        f"docs/tr/tutorial.md: recorded a review by Ayşe Yılmaz on {today} of "
        f"English version {TUTORIAL_HASH}\n",
        "",
    )
    line = (
        f'reviewed: {{by: "Ayşe Yılmaz", date: {today}, '
        f'source_hash: "{TUTORIAL_HASH}"}}\n'
    )
    after = page.read_bytes()
    assert after.replace(line.encode(), b"", 1) == before  # only the entry is new
    status = json.loads(run("status", "--json", "tr")[1])["status"]["tr"]
    assert status["tutorial.md"]["review"] == {
        "state": "reviewed",
        "by": "Ayşe Yılmaz",
        "date": today,
        "source_hash": TUTORIAL_HASH,
    }
    assert "tutorial.md  reviewed" in run("status", "tr")[1].splitlines()
    # A second review replaces the first; the text still keeps every byte.
    run("review", "tr", "tutorial.md", "--by", "Mehmet Öz")
    assert page.read_bytes() == before.replace(
        b"---\n\n", line.replace("Ayşe Yılmaz", "Mehmet Öz").encode() + b"---\n\n", 1
    )


def test_a_review_goes_outdated_when_english_changes(run: Run, site: Path) -> None:
    run("review", "tr", "tutorial.md", "--by", "Ayşe Yılmaz")
    change_english(site)
    assert "tutorial.md  reviewed, now outdated" in run("status", "tr")[1].splitlines()
    # Brought up to date again, it is still the old version that was reviewed.
    run("record", "tr", "tutorial.md")
    status = json.loads(run("status", "--json", "tr")[1])["status"]["tr"]
    assert status["tutorial.md"]["state"] == "up_to_date"
    assert status["tutorial.md"]["review"]["state"] == "outdated"
    assert status["tutorial.md"]["review"]["source_hash"] == TUTORIAL_HASH


def test_review_refuses_an_outdated_translation_and_changes_nothing(
    run: Run, site: Path
) -> None:
    change_english(site)
    page = site / "docs/tr/tutorial.md"
    before = page.read_bytes()
    assert run("review", "tr", "tutorial.md", "--by", "Ayşe Yılmaz") == (
        1,
        "",
        f"docs/tr/tutorial.md: expected a translation of the current English "
        f"version {CHANGED_HASH}, found version {TUTORIAL_HASH}; bring it up to "
        "date and run 'scripts/docs.py record tr tutorial.md' before recording a "
        "review\n",
    )
    assert page.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("review", "de", "index.md", "--by", "Jana"),
            "docs/de/index.md: expected a translation to review, found no such "
            "file; run 'scripts/docs.py new de index.md' to start one",
        ),
        (
            ("review", "tr", "index.md", "--by", "Jana\nNeu"),
            "docs/tr/index.md: expected the reviewer's name on one line "
            "(--by NAME), found 'Jana\\nNeu'",
        ),
        (
            ("review", "tr", "index.md", "--by", "  "),
            "docs/tr/index.md: expected the reviewer's name on one line "
            "(--by NAME), found '  '",
        ),
    ],
)
def test_review_errors_are_one_line(
    run: Run, args: tuple[str, ...], message: str
) -> None:
    code, out, err = run(*args)
    assert (out, err) == ("", message + "\n")
    assert code != 0


# record --------------------------------------------------------------------


def test_record_changes_only_the_hash_line(run: Run, site: Path) -> None:
    change_english(site)
    page = site / "docs/tr/tutorial.md"
    before = (
        b"---\r\ntitle: \xc3\x96\xc4\x9fretici  \r\n"
        b'source_hash: "' + TUTORIAL_HASH.encode() + b'"\r\n---\r\n\r\n'
        b"# \xc3\x96\xc4\x9fretici { #tutorial }  \r\n\r\n\tno final newline"
    )
    page.write_bytes(before)
    code, _, _ = run("record", "tr", "tutorial.md")
    assert code == 0
    assert page.read_bytes() == before.replace(
        TUTORIAL_HASH.encode(), CHANGED_HASH.encode()
    )


def test_record_adds_front_matter_when_there_is_none(run: Run, site: Path) -> None:
    (site / "docs/tr/index.md").write_text("# Ana sayfa { #home }\n", encoding="utf-8")
    assert run("record", "tr", "docs/tr/index.md")[0] == 0
    assert (site / "docs/tr/index.md").read_text(encoding="utf-8") == (
        f'---\nsource_hash: "{INDEX_HASH}"\n---\n\n# Ana sayfa {{ #home }}\n'
    )


def test_record_says_when_there_is_nothing_to_do(run: Run) -> None:
    assert run("record", "tr", "index.md") == (
        0,
        f"docs/tr/index.md: already records English version {INDEX_HASH}; "
        "nothing to change\n",
        "",
    )


def test_record_refuses_a_missing_translation_and_changes_nothing(
    run: Run, site: Path
) -> None:
    change_english(site)
    before = (site / "docs/tr/tutorial.md").read_bytes()
    (site / "docs/tr/index.md").unlink()
    assert run("record", "tr", "tutorial.md", "index.md") == (
        1,
        "",
        "docs/tr/index.md: expected a translation to record, found no such file; "
        "run 'scripts/docs.py new tr index.md' to start one\n",
    )
    assert (site / "docs/tr/tutorial.md").read_bytes() == before
    assert not (site / "docs/tr/index.md").exists()


def test_record_all(run: Run, site: Path) -> None:
    change_english(site)
    (site / "docs/tr/index.md").unlink()
    assert run("record", "--all", "tr") == (
        0,
        f"docs/tr/tutorial.md: recorded English version {CHANGED_HASH}\n",
        "",
    )
    assert run("record", "--all", "de") == (
        0,
        "docs/de: no translations to record\n",
        "",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("record", "tr"),
            "record: expected at least one PAGE (or --all), found none",
        ),
        (
            ("record", "--all", "tr", "index.md"),
            "record: expected either PAGE ... or --all, found both",
        ),
    ],
)
def test_record_usage_errors(run: Run, args: tuple[str, ...], message: str) -> None:
    assert run(*args) == (2, "", message + "\n")


# new -----------------------------------------------------------------------


def test_new_copies_english_with_its_front_matter(run: Run, site: Path) -> None:
    english = "---\ntitle: Deep page\n---\n\n# Deep { #deep }\n\nText.\n"
    (site / "docs/en/guide/deep.md").parent.mkdir()
    (site / "docs/en/guide/deep.md").write_text(english, encoding="utf-8")
    current = content_hash(english)
    assert run("new", "de", "guide/deep.md") == (
        0,
        f"docs/de/guide/deep.md: created from docs/en/guide/deep.md (English version "
        f"{current}); translate the text and keep the structure\n",
        "",
    )
    assert (site / "docs/de/guide/deep.md").read_text(encoding="utf-8") == (
        f'---\ntitle: Deep page\nsource_hash: "{current}"\n---\n\n'
        "# Deep { #deep }\n\nText.\n"
    )
    assert run("status", "de")[1].splitlines()[1:4] == [
        "guide/deep.md  up to date",
        "index.md       missing",
        "tutorial.md    missing",
    ]


def test_new_refuses_to_overwrite(run: Run, site: Path) -> None:
    page = site / "docs/tr/tutorial.md"
    before = page.read_bytes()
    assert run("new", "tr", "tutorial.md") == (
        1,
        "",
        "docs/tr/tutorial.md: expected no file there, found an existing "
        "translation; not overwriting it (see 'scripts/docs.py diff tr tutorial.md' "
        "to update it instead)\n",
    )
    assert page.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("new", "fr", "index.md"),
            "mkdocs.yml: expected a translation language configured in the i18n "
            "plugin (tr, de), found 'fr'",
        ),
        (
            ("new", "en", "index.md"),
            "mkdocs.yml: expected a translation language configured in the i18n "
            "plugin (tr, de), found 'en', the English source",
        ),
        (
            ("new", "de", "missing.md"),
            "docs/en/missing.md: expected the English page, found no such file",
        ),
        (
            ("new", "de", "../secrets.md"),
            "../secrets.md: expected a page relative to docs/de/ ending in .md "
            "(such as tutorial.md), found '../secrets.md'",
        ),
        (
            ("new", "de", "glossary.md"),
            "glossary.md: expected a published page, found the translators' "
            "glossary, which has no English source to follow",
        ),
        (
            ("diff", "de", "index.md"),
            "docs/de/index.md: expected a translation, found no such file; run "
            "'scripts/docs.py new de index.md' to start one",
        ),
        (
            ("status", "xx"),
            "mkdocs.yml: expected a translation language configured in the i18n "
            "plugin (tr, de), found 'xx'",
        ),
    ],
)
def test_bad_input_is_one_line(run: Run, args: tuple[str, ...], message: str) -> None:
    assert run(*args) == (1, "", message + "\n")


def test_a_site_without_configuration(tmp_path: Path, capsys) -> None:
    (tmp_path / "docs/en").mkdir(parents=True)
    assert cli.main(["--repo", str(tmp_path), "status"]) == 1
    assert capsys.readouterr().err == (
        f"{tmp_path / 'mkdocs.yml'}: expected the MkDocs configuration, "
        "found no such file\n"
    )


def test_a_site_without_english(site: Path, tmp_path: Path, capsys) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli.main(["--repo", str(site), "--docs", str(empty), "status"]) == 1
    assert capsys.readouterr().err == (
        f"{empty / 'en'}: expected the English pages, found no such folder\n"
    )


# diff ----------------------------------------------------------------------


def test_diff_shows_what_changed_in_english(run: Run, site: Path) -> None:
    git(site, "init", "-q")
    commit_all(site, "English and Turkish tutorial")
    first = git(site, "rev-parse", "HEAD").strip()
    change_english(site)
    commit_all(site, "Say goodbye")
    code, out, err = run("diff", "tr", "tutorial.md")
    assert code == 0
    lines = out.splitlines()
    assert lines[:2] == [
        f"--- docs/en/tutorial.md (English version {TUTORIAL_HASH}, "
        f"commit {first[:12]})",
        f"+++ docs/en/tutorial.md (English version {CHANGED_HASH}, now)",
    ]
    changed = [line for line in lines[2:] if line[:1] in "+-"]
    assert changed == [f"-{OLD_PARAGRAPH}", f"+{NEW_PARAGRAPH}"]
    assert err == (
        "When docs/tr/tutorial.md says what the English now says, run "
        "'scripts/docs.py record tr tutorial.md'.\n"
    )


def test_diff_against_uncommitted_english(run: Run, site: Path) -> None:
    git(site, "init", "-q")
    commit_all(site, "English and Turkish tutorial")
    change_english(site)  # not committed: the working tree is "now"
    code, out, _ = run("diff", "tr", "tutorial.md")
    assert code == 0
    assert [line for line in out.splitlines()[2:] if line[:1] in "+-"] == [
        f"-{OLD_PARAGRAPH}",
        f"+{NEW_PARAGRAPH}",
    ]


def test_diff_against_a_staged_version(run: Run, site: Path) -> None:
    git(site, "init", "-q")
    commit_all(site, "v1")
    staged = TUTORIAL.replace(OLD_PARAGRAPH, "Staged.")
    (site / "docs/en/tutorial.md").write_text(staged, encoding="utf-8")
    git(site, "add", "docs/en/tutorial.md")
    translation = translated("# Öğretici\n", content_hash(staged))
    (site / "docs/tr/tutorial.md").write_text(translation, encoding="utf-8")
    change_english(site)
    code, out, _ = run("diff", "tr", "tutorial.md")
    assert code == 0
    assert out.splitlines()[0] == (
        f"--- docs/en/tutorial.md (English version {content_hash(staged)}, staged)"
    )
    assert [line for line in out.splitlines()[2:] if line[:1] in "+-"] == [
        "-Staged.",
        f"+{NEW_PARAGRAPH}",
    ]


def test_diff_in_a_shallow_clone_says_so(
    run: Run, site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(site, "init", "-q")
    commit_all(site, "v1")
    change_english(site)
    commit_all(site, "v2")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", site.as_uri(), str(clone))
    assert cli.main(["--repo", str(clone), "diff", "tr", "tutorial.md"]) == 1
    assert capsys.readouterr().err == (
        "docs/tr/tutorial.md: the English version this was translated from "
        f"({TUTORIAL_HASH}) is not in this repository's history; cannot show what "
        "changed. Compare by hand with docs/en/tutorial.md. This clone is shallow: "
        "'git fetch --unshallow' may bring it back.\n"
    )


def test_diff_finds_an_older_version_past_later_commits(run: Run, site: Path) -> None:
    git(site, "init", "-q")
    commit_all(site, "v1")
    for number in range(3):
        text = TUTORIAL.replace(OLD_PARAGRAPH, f"Version {number}.")
        (site / "docs/en/tutorial.md").write_text(text, encoding="utf-8")
        commit_all(site, f"v{number + 2}")
    code, out, _ = run("diff", "tr", "tutorial.md")
    assert code == 0
    assert [line for line in out.splitlines()[2:] if line[:1] in "+-"] == [
        f"-{OLD_PARAGRAPH}",
        "+Version 2.",
    ]


def test_diff_follows_a_renamed_english_page(run: Run, site: Path) -> None:
    (site / "docs/en/tutorial.md").rename(site / "docs/en/old-name.md")
    git(site, "init", "-q")
    commit_all(site, "Under its old name")
    git(site, "mv", "docs/en/old-name.md", "docs/en/tutorial.md")
    change_english(site)
    commit_all(site, "Renamed and changed")  # the old text exists only as old-name
    code, out, _ = run("diff", "tr", "tutorial.md")
    assert code == 0
    assert out.splitlines()[0].startswith("--- docs/en/old-name.md (English version")
    assert [line for line in out.splitlines()[2:] if line[:1] in "+-"] == [
        f"-{OLD_PARAGRAPH}",
        f"+{NEW_PARAGRAPH}",
    ]


def test_diff_of_an_up_to_date_translation(run: Run) -> None:
    assert run("diff", "tr", "tutorial.md") == (
        0,
        "docs/tr/tutorial.md: up to date: translated from the current English "
        f"version {TUTORIAL_HASH}; nothing to show\n",
        "",
    )


def test_diff_when_the_version_is_not_in_history(run: Run, site: Path) -> None:
    git(site, "init", "-q")
    page = site / "docs/tr/tutorial.md"
    page.write_text(translated("# Öğretici\n", "0123456789abcdef"), encoding="utf-8")
    commit_all(site, "A hash that no English version has")
    assert run("diff", "tr", "tutorial.md") == (
        1,
        "",
        "docs/tr/tutorial.md: the English version this was translated from "
        "(0123456789abcdef) is not in this repository's history; cannot show what "
        "changed. Compare by hand with docs/en/tutorial.md.\n",
    )


def test_diff_outside_a_git_repository(run: Run, site: Path) -> None:
    change_english(site)
    assert run("diff", "tr", "tutorial.md") == (
        1,
        "",
        "docs/tr/tutorial.md: the English version this was translated from "
        f"({TUTORIAL_HASH}) cannot be looked up: {site} is not in a git repository. "
        "Compare by hand with docs/en/tutorial.md.\n",
    )


def test_diff_without_a_recorded_hash(run: Run, site: Path) -> None:
    (site / "docs/tr/index.md").write_text("# Ana sayfa\n", encoding="utf-8")
    assert run("diff", "tr", "index.md") == (
        1,
        "",
        "docs/tr/index.md: expected a source_hash in the front matter, found none, "
        "so the English version it was translated from is unknown. Compare by hand "
        "with docs/en/index.md, then run 'scripts/docs.py record tr index.md'.\n",
    )


# parity, help and a real process -------------------------------------------


def test_parity_command(run: Run, site: Path) -> None:
    assert run("parity", "tr") == (
        0,
        "2 translated pages keep the English structure.\n",
        "",
    )
    (site / "docs/tr/index.md").write_text(
        translated("# Ana sayfa\n", INDEX_HASH), encoding="utf-8"
    )
    assert run("parity", "tr") == (
        1,
        "docs/tr/index.md:5: heading has no explicit anchor, so its generated one "
        "would differ from English: expected '{ #home }' at its end, found "
        "'# Ana sayfa' (English: docs/en/index.md:1)\n",
        "",
    )


@pytest.mark.parametrize(
    "command", ["status", "new", "diff", "record", "review", "parity"]
)
def test_every_command_has_help(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([command, "--help"]) == 0
    assert capsys.readouterr().out.startswith(f"usage: scripts/docs.py {command}")


def test_the_script_runs_as_a_program(site: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--repo", str(site), "status", "--check", "de"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=site,
    )
    assert result.returncode == 1
    assert result.stderr == ""
    assert result.stdout == (
        "docs/de/index.md: missing: docs/en/index.md has no translation yet; run "
        "'scripts/docs.py new de index.md' to start one\n"
        "docs/de/tutorial.md: missing: docs/en/tutorial.md has no translation yet; "
        "run 'scripts/docs.py new de tutorial.md' to start one\n"
    )


def test_the_script_is_executable_with_a_shebang() -> None:
    assert os.access(SCRIPT, os.X_OK)
    assert SCRIPT.read_text(encoding="utf-8").startswith("#!/usr/bin/env python3\n")


def test_the_real_policy_fails_on_turkish_and_only_reports_persian(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The project's own mkdocs.yml and pages: tr is complete, fa in progress."""
    repo = tmp_path / "copy"
    shutil.copytree(ROOT / "docs", repo / "docs")
    shutil.copy(ROOT / "mkdocs.yml", repo / "mkdocs.yml")

    def check() -> tuple[int, list[str]]:
        capsys.readouterr()
        code = cli.main(["--repo", str(repo), "status", "--check"])
        return code, capsys.readouterr().out.splitlines()

    missing_persian = sorted(
        {p.name for p in (ROOT / "docs/en").glob("*.md")}
        - {p.name for p in (ROOT / "docs/fa").glob("*.md")}
    )
    assert missing_persian  # Persian really is in progress
    code, lines = check()
    assert code == 0
    assert lines[-1] == (
        "Every complete language is up to date (tr, de, ko); in progress: fa."
    )
    assert [line.split(":")[0] for line in lines[:-1]] == [
        f"docs/fa/{page}" for page in missing_persian
    ]
    assert all(
        line.endswith("(reported only: fa is in progress)") for line in lines[:-1]
    )
    (repo / "docs/tr/tutorial.md").unlink()
    code, lines = check()
    assert code == 1
    assert lines[0] == (
        "docs/tr/tutorial.md: missing: docs/en/tutorial.md has no translation yet; "
        "run 'scripts/docs.py new tr tutorial.md' to start one"
    )
