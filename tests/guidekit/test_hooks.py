"""The MkDocs hooks on small synthetic sites: notices, preview, search, 404s.

Each site inherits the real mkdocs.yml (languages, strings, theme), so the
notices asserted here are the ones readers get.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from guidekit import notices
from guidekit.translations import Review, content_hash, with_review
from tests.conftest import ROOT, build_site, language_settings, write_site_config

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File

ENGLISH_HOME = "# Home { #home }\n\nWelcome to the guide.\n"
ENGLISH_PAGE = "# A page { #a-page }\n\nText that nobody has translated.\n"


def strings(language: str) -> dict[str, str]:
    return language_settings()[language]["extra"]["guide"]


def make_site(tmp_path: Path, translated_home: str | None) -> Path:
    docs = tmp_path / "docs"
    (docs / "en").mkdir(parents=True)
    (docs / "tr").mkdir()
    (docs / "en" / "index.md").write_text(ENGLISH_HOME, encoding="utf-8")
    (docs / "en" / "page.md").write_text(ENGLISH_PAGE, encoding="utf-8")
    if translated_home is not None:
        (docs / "tr" / "index.md").write_text(translated_home, encoding="utf-8")
    write_site_config(tmp_path, ["Home: index.md", "page.md"])
    return tmp_path


def build(site: Path, language: str | None = None) -> Path:
    return build_site(site / "site", site / "mkdocs.yml", language)


def translated(source_hash: str) -> str:
    return f'---\nsource_hash: "{source_hash}"\n---\n\n# Ana sayfa {{ #home }}\n\nRehbere hoş geldiniz.\n'


@pytest.fixture(scope="module")
def stale_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(tmp_path_factory.mktemp("stale"), translated(content_hash("old")))
    return build(site)


def assert_english_under_a_notice(site: Path, language: str) -> None:
    """The untranslated page shows English under the language's own notice."""
    html = (site / language / "page" / "index.html").read_text(encoding="utf-8")
    texts = strings(language)
    assert f'<p class="admonition-title">{texts["untranslated_title"]}</p>' in html
    assert f"<p>{texts['untranslated']}</p>" in html
    assert "Text that nobody has translated." in html
    assert '<meta name="robots" content="noindex">' in html
    assert f'<html lang="{language}"' in html
    # The English text is marked as English, left to right; the notice is not.
    direction = "rtl" if language == "fa" else "ltr"
    assert '<article class="md-content__inner md-typeset" lang="en" dir="ltr">' in html
    assert (
        f'<div class="admonition warning" lang="{language}" dir="{direction}">\n'
        f'<p class="admonition-title">{texts["untranslated_title"]}</p>'
    ) in html


def test_a_missing_page_shows_english_under_a_notice_in_turkish(
    stale_site: Path,
) -> None:
    assert_english_under_a_notice(stale_site, "tr")


def test_a_stale_translation_says_so_and_links_to_english(stale_site: Path) -> None:
    html = (stale_site / "tr" / "index.html").read_text(encoding="utf-8")
    turkish = strings("tr")
    assert f'<p class="admonition-title">{turkish["outdated_title"]}</p>' in html
    assert f'<a href="../" hreflang="en">{turkish["english_link"]}</a>' in html
    assert "Rehbere hoş geldiniz." in html
    assert "noindex" not in html


def test_english_pages_carry_no_notice(stale_site: Path) -> None:
    html = (stale_site / "page" / "index.html").read_text(encoding="utf-8")
    # The page's own elements, not the style sheets inlined in its head.
    assert 'class="admonition' not in html
    assert "noindex" not in html


def test_a_current_translation_has_only_the_translation_note(tmp_path: Path) -> None:
    site = build(make_site(tmp_path, translated(content_hash(ENGLISH_HOME))))
    html = (site / "tr" / "index.html").read_text(encoding="utf-8")
    turkish = strings("tr")
    assert turkish["outdated_title"] not in html
    assert (
        f"<small>{turkish['note_unreviewed']} "
        f'<a href="../" hreflang="en">{turkish["english_link"]}</a></small>'
    ) in html


def test_one_language_preview_keeps_the_notices(tmp_path: Path) -> None:
    site = build(make_site(tmp_path, translated(content_hash("old"))), language="tr")
    turkish = strings("tr")
    page = (site / "page" / "index.html").read_text(encoding="utf-8")
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f'<p class="admonition-title">{turkish["untranslated_title"]}</p>' in page
    assert f'<p class="admonition-title">{turkish["outdated_title"]}</p>' in home
    assert not (site / "tr").exists()


def test_each_language_has_its_own_search_index(stale_site: Path) -> None:
    def locations(path: Path) -> tuple[list[str], list[str]]:
        index = json.loads(path.read_text(encoding="utf-8"))
        return index["config"]["lang"], sorted(
            {d["location"].split("#")[0] for d in index["docs"]}
        )

    assert locations(stale_site / "search" / "search_index.json") == (
        ["en"],
        ["", "page/"],
    )
    # The untranslated page is left out of the Turkish index: its text is English.
    assert locations(stale_site / "tr" / "search" / "search_index.json") == (
        ["tr"],
        [""],
    )


def test_each_language_has_its_own_404_page(stale_site: Path) -> None:
    assert '<html lang="en"' in (stale_site / "404.html").read_text(encoding="utf-8")
    assert '<html lang="tr"' in (stale_site / "tr" / "404.html").read_text(
        encoding="utf-8"
    )


# Review notes --------------------------------------------------------------


def note_of(html: str) -> str:
    start = html.index("<small>") + len("<small>")
    return html[start : html.index(" <a ", start)]


def test_no_page_of_the_real_site_records_a_review() -> None:
    """No review has happened yet; a recorded one would be shown to readers."""
    for language in ("tr", "de", "ko", "fa"):
        for page in sorted((ROOT / "docs" / language).glob("*.md")):
            text = page.read_text(encoding="utf-8")
            assert "reviewed:" not in text, page


@pytest.fixture(scope="module")
def site_with_reviews(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tr: the home reviewed now, the page reviewed before English changed."""
    root = make_site(tmp_path_factory.mktemp("reviews"), None)
    docs = root / "docs"
    current_home, current_page = content_hash(ENGLISH_HOME), content_hash(ENGLISH_PAGE)
    home = with_review(
        translated(current_home), Review("Ayşe <Yılmaz>", "2026-11-30", current_home)
    )
    (docs / "tr" / "index.md").write_text(home, encoding="utf-8")
    # Reviewed when English said something else; translated again since.
    page = with_review(
        f'---\nsource_hash: "{current_page}"\n---\n\n# Bir sayfa {{ #a-page }}\n',
        Review("Mehmet Öz", "2026-10-01", content_hash("older English")),
    )
    (docs / "tr" / "page.md").write_text(page, encoding="utf-8")
    return build(root)


def test_a_recorded_review_names_the_reviewer_and_the_date(
    site_with_reviews: Path,
) -> None:
    html = (site_with_reviews / "tr" / "index.html").read_text(encoding="utf-8")
    expected = strings("tr")["note_reviewed"].format(
        by="Ayşe &lt;Yılmaz&gt;", date="2026-11-30"
    )
    assert note_of(html) == expected
    assert "30.11.2026" not in html and "2026-11-30 tarihinde" in expected


def test_a_review_of_an_older_english_version_says_it_is_outdated(
    site_with_reviews: Path,
) -> None:
    html = (site_with_reviews / "tr" / "page" / "index.html").read_text(
        encoding="utf-8"
    )
    expected = strings("tr")["note_review_outdated"].format(
        by="Mehmet Öz", date="2026-10-01"
    )
    assert note_of(html) == expected
    assert strings("tr")["outdated_title"] not in html  # the text itself is current


@pytest.mark.parametrize("language", ["tr", "de", "ko", "fa"])
def test_the_unreviewed_note_is_written_in_each_language(language: str) -> None:
    texts = strings(language)
    assert texts["note_unreviewed"] != notices.ENGLISH["note_unreviewed"]
    for key in ("note_reviewed", "note_review_outdated"):
        assert "{by}" in texts[key] and "{date}" in texts[key], (language, key)
    assert "reviewed by a person" not in texts["note_unreviewed"]


# Persian, right to left, in progress ---------------------------------------


@pytest.fixture(scope="module")
def persian_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(tmp_path_factory.mktemp("fa"), None)
    (root / "docs" / "fa").mkdir()
    persian = {"Ana sayfa": "خانه", "Rehbere hoş geldiniz.": "به راهنما خوش آمدید."}
    home = translated(content_hash(ENGLISH_HOME))
    for turkish, text in persian.items():
        home = home.replace(turkish, text)
    (root / "docs" / "fa" / "index.md").write_text(home, encoding="utf-8")
    return build(root)


def test_persian_pages_are_right_to_left(persian_site: Path) -> None:
    for path in ("fa/index.html", "fa/page/index.html", "fa/404.html"):
        html = (persian_site / path).read_text(encoding="utf-8")
        assert '<html lang="fa" dir="rtl"' in html, path
        assert '<body dir="rtl"' in html, path
    english = (persian_site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en" dir="ltr"' in english


def test_a_persian_fallback_page_is_english_under_a_persian_notice(
    persian_site: Path,
) -> None:
    assert_english_under_a_notice(persian_site, "fa")


def test_the_persian_search_index_holds_only_persian_pages(persian_site: Path) -> None:
    index = json.loads(
        (persian_site / "fa" / "search" / "search_index.json").read_text("utf-8")
    )
    # lunr has no Persian support: the index must not ask for lunr.fa.min.js.
    assert index["config"]["lang"] == ["en"]
    assert "stemmer" not in index["config"]["pipeline"]
    assert [doc["location"] for doc in index["docs"]] == [""]
    assert "به راهنما" in index["docs"][0]["text"]
    assert all("nobody has translated" not in doc["text"] for doc in index["docs"])


# The translation status page -----------------------------------------------


DASHBOARD = "# Status { #status }\n\n<!-- translation-status -->\n"


def cells(html: str) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(English title, language) -> (state, link) for every cell of the table."""
    header = re.search(r"<thead>(.*?)</thead>", html, re.DOTALL)
    assert header is not None
    languages = re.findall(r'<th scope="col"><span lang="(\w+)">', header[1])
    found = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", html, re.DOTALL):
        title = re.search(r'lang="en">([^<]+)</a></th>', row)
        assert title is not None
        states = re.findall(
            r'<td class="guide-state" data-state="(\w+)">(?:<a href="([^"]+)")?', row
        )
        assert len(states) == len(languages)
        for language, (state, link) in zip(languages, states, strict=True):
            found[title[1], language] = (state, link or None)
    return found


def test_the_dashboard_shows_every_state_from_the_records(tmp_path: Path) -> None:
    root = make_site(tmp_path, translated(content_hash(ENGLISH_HOME)))
    docs = root / "docs"
    (docs / "en" / "status.md").write_text(DASHBOARD, encoding="utf-8")
    write_site_config(root, ["Home: index.md", "status.md", "page.md"])
    # tr: home up to date; page reviewed; status reviewed before English changed.
    current = content_hash(ENGLISH_PAGE)
    page = f'---\nsource_hash: "{current}"\n---\n\n# Bir sayfa {{ #a-page }}\n'
    (docs / "tr" / "page.md").write_text(
        with_review(page, Review("Ayşe", "2026-11-30", current)), encoding="utf-8"
    )
    old = content_hash("# Status\n")
    status = f'---\nsource_hash: "{old}"\n---\n\n# Durum {{ #status }}\n\n<!-- translation-status -->\n'
    (docs / "tr" / "status.md").write_text(
        with_review(status, Review("Ayşe", "2026-01-02", old)), encoding="utf-8"
    )
    # de: home outdated, the rest missing.
    (docs / "de").mkdir()
    (docs / "de" / "index.md").write_text(translated("0" * 16), encoding="utf-8")
    site = build(root)
    english = (site / "status" / "index.html").read_text(encoding="utf-8")
    table = cells(english)
    assert {key: value for key, value in table.items() if key[1] in ("tr", "de")} == {
        ("Home", "tr"): ("up_to_date", "../tr/"),
        ("A page", "tr"): ("reviewed", "../tr/page/"),
        ("Status", "tr"): ("reviewed_outdated", "../tr/status/"),
        ("Home", "de"): ("outdated", "../de/"),
        ("A page", "de"): ("missing", None),
        ("Status", "de"): ("missing", None),
    }
    assert '<a href="../page/" hreflang="en" lang="en">A page</a>' in english
    assert list(dict.fromkeys(title for title, _ in table)) == [
        "Home",
        "Status",
        "A page",
    ]  # in the order of the navigation, not of the file names
    assert re.search(
        r'Türkçe</span> \(complete\): <progress value="2" max="3"', english
    )
    assert "2 of 3 pages up to date, 1 reviewed" in english
    assert re.search(
        r'فارسی</span> \(in progress\): <progress value="0" max="3"', english
    )
    # The same table in Turkish, with Turkish labels and links one level deeper.
    turkish = (site / "tr" / "status" / "index.html").read_text(encoding="utf-8")
    labels = strings("tr")
    assert cells(turkish)["A page", "tr"] == ("reviewed", "../../tr/page/")
    assert f'hreflang="tr">{labels["state_reviewed"]}</a>' in turkish
    assert f"({labels['language_in_progress']})" in turkish
    assert "<table>" in turkish and "<progress " in turkish


def materials_sheet(tmp_path: Path, css: str) -> tuple[Path, MkDocsConfig, File]:
    """A theme folder holding Material's main sheet as ``css``, a config, and the sheet's File."""
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File

    theme = tmp_path / "theme"
    sheet = theme / "assets" / "stylesheets" / "main.0123abcd.min.css"
    sheet.parent.mkdir(parents=True)
    sheet.write_text(css, encoding="utf-8")
    config = MkDocsConfig()
    config.site_dir = str(tmp_path / "site")
    config.use_directory_urls = True
    material = File(
        "assets/stylesheets/main.0123abcd.min.css", str(theme), config.site_dir, True
    )
    return sheet, config, material


def test_materials_sheet_without_its_dead_rules_fails_the_build_in_one_line(
    tmp_path: Path,
) -> None:
    from mkdocs.exceptions import PluginError
    from mkdocs.structure.files import File, Files

    from guidekit import hooks

    sheet, config, material = materials_sheet(
        tmp_path, ".md-typeset table:not([class]){font-size:.64rem}"
    )
    theme = str(sheet.parents[2])
    generated = File(
        "assets/stylesheets/main.89abcdef.min.css", theme, config.site_dir, True
    )
    generated.content_string = "a{}"  # made by a plugin: no file to read
    other = File("assets/stylesheets/other.css", theme, config.site_dir, True)
    with pytest.raises(PluginError) as raised:
        hooks._with_theme_files_rewritten(Files([generated, other, material]), config)
    assert str(raised.value) == (
        f"{sheet}: expected Material's rule "
        ".md-typeset table:not([class])+*{margin-top:1.5em} once, found it 0 times "
        "(another version of Material? check pagespeed.DEAD_RULES)"
    )


def test_materials_sheet_is_served_trimmed_with_its_icons_in_a_file_beside_it(
    tmp_path: Path,
) -> None:
    from mkdocs.structure.files import Files

    from guidekit import hooks, pagespeed

    icon = "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'><path d='M1z'/></svg>"
    original = (
        f':root{{--md-x-icon:url("data:image/svg+xml;charset=utf-8,{icon}")}}'
        + pagespeed.DEAD_RULES[0]
    )
    sheet, config, material = materials_sheet(tmp_path, original)
    files = hooks._with_theme_files_rewritten(Files([material]), config)
    expected = pagespeed.icons_in_one_file(pagespeed.without_dead_rules(original))
    served = {
        file.src_uri: Path(str(file.abs_src_path)).read_text(encoding="utf-8")
        for file in files
    }
    assert served == {
        "assets/stylesheets/main.0123abcd.min.css": expected.css,
        f"assets/stylesheets/{expected.name}": expected.svg,
    }
    assert sheet.read_text(encoding="utf-8") == original  # the theme's own is untouched
