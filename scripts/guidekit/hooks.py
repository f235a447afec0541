"""MkDocs hooks: the only place the build is customised.

Each function is one MkDocs event and stays thin; the work is done by the
engine-neutral modules beside this file, so a move to another engine keeps
them.
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import pymdownx.highlight
from jinja2 import Environment, FileSystemBytecodeCache
from material.plugins.search.plugin import Parser as SearchParser
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from guidekit import buildspeed, dashboard, includes, notices, pagespeed, search, tested
from guidekit.translations import SOURCE_LANGUAGE, LanguageState, is_unpublished

ROOT = Path(__file__).resolve().parents[2]


def _root(config: MkDocsConfig) -> Path:
    """Where example paths start: the folder of mkdocs.yml, so any site works."""
    config_file = config.config_file_path
    return Path(config_file).resolve().parent if config_file else ROOT


def _display(path: Path, root: Path) -> str:
    """A path as a writer would type it: relative to the project when inside it."""
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


# Virtual pages standing in for translations that do not exist yet:
# "ko/tutorial.md" -> the English file whose text they show.
_fallbacks: dict[str, Path] = {}


def _language(config: MkDocsConfig) -> str:
    return str(config.theme["language"])


def _strings(config: MkDocsConfig) -> dict[str, str]:
    return {
        **includes.ENGLISH,
        **notices.ENGLISH,
        **dashboard.ENGLISH,
        **tested.ENGLISH,
        **config.extra.get("guide", {}),
    }


def _nav_order(nav: object) -> list[str]:
    """The pages of mkdocs.yml's ``nav``, in reading order."""
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, dict):
        return [page for value in nav.values() for page in _nav_order(value)]
    if isinstance(nav, list):
        return [page for item in nav for page in _nav_order(item)]
    return []


def _languages(config: MkDocsConfig) -> list[dashboard.Language]:
    """The translation languages as mkdocs.yml declares them, in its order."""
    i18n = config.plugins.get("i18n")
    if i18n is None:
        return []
    where = f"{config.config_file_path}: language"
    return [
        dashboard.Language(
            language.locale,
            language.name or language.locale,
            LanguageState.of(language.extra, f"{where} {language.locale}"),
        )
        for language in i18n.config.languages
        if language.locale not in (SOURCE_LANGUAGE, "null")
    ]


# mkdocs-static-i18n runs a whole build per language, and each one compiles
# the same theme templates again; keep the compiled code between them (and
# between builds, in the system's temporary folder, keyed by template source).
_TEMPLATES = FileSystemBytecodeCache()


# Highlighted code, shared by every language's build (see buildspeed.py). The
# hooks module is loaded again for each configuration (every reload under
# "mkdocs serve"), so the memo is installed once and found again after that.
if not isinstance(pymdownx.highlight.highlight, buildspeed.HighlightMemo):
    pymdownx.highlight.highlight = buildspeed.HighlightMemo(
        pymdownx.highlight.highlight
    )
HIGHLIGHT: buildspeed.HighlightMemo = pymdownx.highlight.highlight

# Material's search plugin parses each page's HTML; it gets the code blocks
# without the highlighter's <span>s, which it would drop anyway.
if not getattr(SearchParser.feed, "without_code_spans", False):

    def _feed(parser: SearchParser, data: str) -> None:
        HTMLParser.feed(parser, buildspeed.without_code_spans(data))

    _feed.without_code_spans = True  # type: ignore[attr-defined]
    SearchParser.feed = _feed  # type: ignore[method-assign]


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    i18n = config.plugins.get("i18n")
    if i18n is None or not i18n.building:
        HIGHLIGHT.clear()  # a new build (or reload) starts from fresh sources
    theme = config.theme
    if not getattr(theme.get_env, "pruned", False):
        theme.get_env = _pruned_env(theme.get_env)  # type: ignore[method-assign]
    return config


def _pruned_env(get_env: Callable[[], Environment]) -> Callable[[], Environment]:
    """The theme's Jinja environment, with a loader that skips hidden folders."""

    def pruned_env() -> Environment:
        env = get_env()
        env.loader = buildspeed.pruned(env.loader)
        return env

    pruned_env.pruned = True  # type: ignore[attr-defined]
    return pruned_env


def on_env(env: Environment, config: MkDocsConfig, files: Files) -> Environment:
    env.bytecode_cache = _TEMPLATES
    return env


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Give the language being built a page for every English page.

    A missing translation becomes a virtual page that shows the English text
    with a notice. mkdocs-static-i18n's own fallback does this for a full
    build, but not for a one-language preview; doing it here serves both.
    """
    language = _language(config)
    i18n = config.plugins.get("i18n")
    if language != SOURCE_LANGUAGE and i18n is not None and i18n.building:
        files = _without_theme_files(files, config)
    # Only the build that copies the theme's files has them to rewrite.
    files = _with_theme_files_rewritten(files, config)
    if language == SOURCE_LANGUAGE:
        return files
    docs = Path(config.docs_dir)
    for file in list(files.documentation_pages()):
        parts = Path(file.src_uri).parts
        if parts[0] != SOURCE_LANGUAGE:
            continue
        page = Path(*parts[1:]).as_posix()
        virtual = f"{language}/{page}"
        if is_unpublished(page) or files.get_file_from_path(virtual) is not None:
            continue
        _fallbacks[virtual] = docs / file.src_uri
        files.append(
            File(virtual, config.docs_dir, config.site_dir, config.use_directory_urls)
        )
    return files


_REWRITTEN = tempfile.TemporaryDirectory(prefix="guide-theme-")


def _sheet(css: str, name: str) -> dict[str, str]:
    """Material's main sheet without rules that match nothing here, its icons in a file beside it."""
    icons = pagespeed.icons_in_one_file(pagespeed.without_dead_rules(css))
    return {name: icons.css, **({icons.name: icons.svg} if icons.name else {})}


def _script(js: str, name: str) -> dict[str, str]:
    return {name: pagespeed.compiled_on_load(js)}


def _script_map(source_map: str, name: str) -> dict[str, str]:
    return {name: pagespeed.map_one_line_down(source_map)}


Rewrite = Callable[[str, str], dict[str, str]]
# Material's files that the site serves changed (see pagespeed.py): each
# rewrite takes a file's text and name and gives the files to serve in its
# folder instead, by name.
THEME_REWRITES: tuple[tuple[re.Pattern[str], Rewrite], ...] = (
    (re.compile(r"assets/stylesheets/main\.[0-9a-f]+\.min\.css"), _sheet),
    (re.compile(r"assets/javascripts/bundle\.[0-9a-f]+\.min\.js"), _script),
    (re.compile(r"assets/javascripts/bundle\.[0-9a-f]+\.min\.js\.map"), _script_map),
)


def _with_theme_files_rewritten(files: Files, config: MkDocsConfig) -> Files:
    """Material's main style sheet and script, as the site serves them (``THEME_REWRITES``)."""
    for file in list(files):
        rewrite = next(
            (how for uri, how in THEME_REWRITES if uri.fullmatch(file.src_uri)), None
        )
        if rewrite is None or file.abs_src_path is None:
            continue
        source = Path(file.abs_src_path)
        folder = PurePosixPath(file.src_uri).parent
        try:
            served = rewrite(source.read_text(encoding="utf-8"), source.name)
        except ValueError as error:
            raise PluginError(f"{source}: {error}") from None
        files.remove(file)
        for name, text in served.items():
            # Files on disk, not generated ones: mkdocs-static-i18n sorts the
            # files by where they come from.
            uri = (folder / name).as_posix()
            path = Path(_REWRITTEN.name) / uri
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            files.append(
                File(uri, _REWRITTEN.name, config.site_dir, config.use_directory_urls)
            )
    return files


def _without_theme_files(files: Files, config: MkDocsConfig) -> Files:
    """Leave out the theme's assets in a translation's build.

    The first language's build has already copied them to the same places
    (they are shared by all languages); copying thousands of files again for
    each language is most of what a translation's build would repeat.
    """
    docs = str(Path(config.docs_dir).resolve())
    kept = [
        file
        for file in files
        if file.abs_src_path is None
        or str(Path(file.abs_src_path).resolve()).startswith(docs)
    ]
    return Files(kept)


def on_page_read_source(page: Page, config: MkDocsConfig) -> str | None:
    english = _fallbacks.get(page.file.src_uri)
    return english.read_text(encoding="utf-8") if english else None


def on_page_markdown(
    markdown: str, page: Page, config: MkDocsConfig, files: Files
) -> str:
    language = _language(config)
    strings = _strings(config)
    source = _source_of(page, config)
    original = markdown
    try:
        markdown = includes.expand(
            markdown,
            page=_display(source, _root(config)),
            root=_root(config),
            line_offset=_front_matter_lines(source),
            strings=strings,
        )
    except includes.IncludeError as error:
        raise PluginError(str(error)) from None
    markdown = dashboard.fill(
        markdown,
        Path(config.docs_dir),
        _languages(config),
        strings,
        page.url,
        _nav_order(config.nav),
    )
    markdown = f"{markdown}\n\n{_tested_with(original, _root(config), strings)}\n"
    if language == SOURCE_LANGUAGE:
        return markdown
    link = _english_link(page, language)
    if page.file.src_uri in _fallbacks:
        page.meta["robots"] = "noindex"
        page.meta["search"] = {"exclude": True}
        return notices.untranslated(markdown, strings)
    english = Path(config.docs_dir) / SOURCE_LANGUAGE / _page_path(page)
    return notices.translated(markdown, page.meta, english, strings, link)


# Material's script fetches "sitemap.xml" next to every <link rel="alternate">,
# which suits one site per language but not per-page alternates: each page
# load would log four 404s. The language switcher in the header already links
# each page to its translations, so the head links are dropped.
HEAD_ALTERNATE = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')


# Material writes the text direction on <body> only (from the language, or
# theme.direction); <html> gets it too, so the whole document, its scroll
# bars and anything outside <body> follow a right-to-left language.
BODY_DIRECTION = re.compile(r'<body dir="(?P<dir>rtl|ltr)"')
HTML_LANG = re.compile(r'<html (?![^>]*\bdir=)(?P<lang>lang="[^"]*")')


def with_html_direction(output: str) -> str:
    found = BODY_DIRECTION.search(output)
    if found is None:
        return output
    return HTML_LANG.sub(rf'<html \g<lang> dir="{found["dir"]}"', output, count=1)


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    output = with_html_direction(HEAD_ALTERNATE.sub("", output))
    if page.file.src_uri in _fallbacks:
        output = notices.with_english_article(output, _language(config))
    output = _faster_first_load(output, page.url, config)
    # Each language searches its own index, under its own folder.
    base = search.language_base(page.url, _language(config))
    return search.with_search_settings(output, base)


def _site_file(config: MkDocsConfig, page_url: str) -> Callable[[str], Path | None]:
    """Finds the source of a link on the page at ``page_url``: the docs, then the theme."""
    folders = [Path(config.docs_dir), *map(Path, config.theme.dirs)]

    def find(link: str) -> Path | None:
        if "://" in link or link.startswith("//"):
            return None
        path = unquote(urlsplit(urljoin("/" + page_url, link)).path.lstrip("/"))
        for folder in folders:
            candidate = folder / path
            if path and candidate.is_file():
                return candidate
        return None

    return find


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Code blocks and images sized, tables wrapped, for the browser (see pagespeed.py)."""
    find = _site_file(config, page.url)
    html = pagespeed.wrapped_tables(pagespeed.sized_code(html))
    return pagespeed.sized_images(html, find)


def _faster_first_load(output: str, page_url: str, config: MkDocsConfig) -> str:
    """Small style sheets inlined, Material's script started after the first paint (see pagespeed.py)."""
    find = _site_file(config, page_url)
    return pagespeed.bundle_address(pagespeed.inlined_styles(output, find))


def on_page_context(context: dict[str, Any], page: Page, **_: Any) -> dict[str, Any]:
    context["robots"] = page.meta.get("robots")
    return context


def _tested_with(markdown: str, root: Path, strings: dict[str, str]) -> str:
    """The "Tested with" box for a page showing the examples its directives name.

    The versions are this project's (its locks and record), whichever site
    is being built.
    """
    examples = [
        root / includes.parse_directive(line, "", 0).path
        for _, line in includes.find_directives(markdown)
    ]
    return tested.box(tested.rows(examples, strings=strings), strings)


def _page_path(page: Page) -> str:
    return Path(*Path(page.file.src_uri).parts[1:]).as_posix()


def _source_of(page: Page, config: MkDocsConfig) -> Path:
    fallback = _fallbacks.get(page.file.src_uri)
    return fallback or Path(config.docs_dir) / page.file.src_uri


def _english_link(page: Page, language: str) -> str | None:
    """A relative link to this page in English, or None in a one-language preview.

    English is the default language, served at the site root, so its URL is
    this page's URL without the language folder.
    """
    prefix = f"{language}/"
    if not page.url.startswith(prefix):
        return None
    return "../" * page.url.count("/") + page.url.removeprefix(prefix)


def _front_matter_lines(source: Path) -> int:
    raw = source.read_text(encoding="utf-8")
    doc, _ = get_data(raw)
    return raw.count("\n", 0, len(raw) - len(doc))


# Every language build writes the theme's 404.html to the site root, so the
# last language built would win. Each language keeps its own in its folder,
# and the English one goes back to the root once all languages are built.
_english_404: str | None = None


def on_post_template(output: str, template_name: str, config: MkDocsConfig) -> str:
    global _english_404
    if template_name != "404.html":
        return output
    output = with_html_direction(output)
    output = _faster_first_load(output, "", config)
    language = _language(config)
    i18n = config.plugins.get("i18n")
    if i18n is None or i18n.is_default_language_build:
        output = search.with_search_settings(output, None)
        _english_404 = output if language == SOURCE_LANGUAGE else None
        return output
    output = search.with_search_settings(output, f"/{language}")
    folder = Path(config.site_dir) / language
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "404.html").write_text(output, encoding="utf-8")
    return output


@event_priority(-200)  # after mkdocs-static-i18n has built every language
def on_post_build(config: MkDocsConfig) -> None:
    i18n = config.plugins.get("i18n")
    if i18n is None or i18n.building:
        return  # not a multilingual site, or one language inside a full build
    site = Path(config.site_dir)
    if _english_404 is not None:
        (site / "404.html").write_text(_english_404, encoding="utf-8")
    search.split_index(
        site, default=i18n.default_language, languages=i18n.build_languages
    )
