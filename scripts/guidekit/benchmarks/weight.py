"""Section "weight": the tutorial's first load in Chromium, against bare Material.

Each load is a fresh browser context (empty cache) on the built site, served
from 127.0.0.1. Counted until the network is idle, so the search worker and
its index count too: bytes of response bodies, requests, and requests to any
host other than 127.0.0.1 or localhost (Chromium resolves no other host, so
none can leave the machine). Timed by the page's own navigation timing, up to
the end of its ``load`` event.

The comparison is the English tutorial's text on a bare Material site: plain
``theme: material`` with the same nav and Markdown extensions, every English
page's built article pasted in with its headings turned back into Markdown
(so the table of contents and the search index hold the same text), and the
same screenshots. The one setting kept is
``font: false``: the guide's own choice, and Material's default would ask
Google for fonts on every load.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml

from guidekit import live
from guidekit.benchmarks.core import TIMES, Context, Section, alternate, mkdocs_build

if TYPE_CHECKING:
    from playwright.sync_api import Browser

TITLE = "Page weight"
RUNS = 5
LANGUAGES = ("en", "tr", "de", "ko")
LOOPBACK = {"127.0.0.1", "localhost"}
# Chromium resolves nothing but loopback: no request can leave the machine.
NO_OUTSIDE = (
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"
)
ARTICLE = re.compile(
    # An untranslated page's article carries its own lang and dir (notices.py).
    r'<article class="md-content__inner md-typeset"[^>]*>(?P<body>.*?)</article>',
    re.DOTALL,
)
HEADING = re.compile(
    r'<h(?P<level>[1-6]) id="(?P<id>[^"]+)">(?P<text>.*?)'
    r'<a class="headerlink" href="#[^"]*" title="[^"]*">&para;</a></h(?P=level)>',
    re.DOTALL,
)
LOAD_TIMEOUT_MS = 30_000
IDLE_TIMEOUT_MS = 10_000


def tutorial_path(language: str) -> str:
    return "/tutorial/" if language == "en" else f"/{language}/tutorial/"


def article_markdown(page_html: str) -> str:
    """The built article as Markdown for a bare site: headings as Markdown
    (with their ids, so the table of contents matches), the rest as raw HTML."""
    match = ARTICLE.search(page_html)
    if match is None:
        raise ValueError(
            'no <article class="md-content__inner md-typeset"> in the page'
        )
    body = match["body"]
    parts: list[str] = []
    position = 0
    for heading in HEADING.finditer(body):
        chunk = body[position : heading.start()].strip()
        if chunk:
            parts.append(chunk)
        text = " ".join(heading["text"].split())
        parts.append(f"{'#' * int(heading['level'])} {text} {{ #{heading['id']} }}")
        position = heading.end()
    tail = body[position:].strip()
    if tail:
        parts.append(tail)
    return "\n\n".join(parts) + "\n"


class _Loader(yaml.SafeLoader):
    """Reads mkdocs.yml without resolving MkDocs' own tags such as !ENV."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


DEFAULT_NAV: list[Any] = [{"Home": "index.md"}, {"Tutorial": "tutorial.md"}]


def read_config(project: Path) -> dict[str, Any]:
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=_Loader) or {}


def nav_pages(nav: Any) -> list[str]:
    """The Markdown files a nav names, in order, sections included."""
    if isinstance(nav, str):
        return [nav] if nav.endswith(".md") else []
    if isinstance(nav, list):
        return [page for entry in nav for page in nav_pages(entry)]
    if isinstance(nav, dict):
        return [page for value in nav.values() for page in nav_pages(value)]
    return []


def built_page(site: Path, page: str) -> Path:
    """Where the English build put ``page`` (directory URLs)."""
    stem = page.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return site / stem.removesuffix("index") / "index.html"
    return site / stem / "index.html"


def bare_config(project: Path) -> str:
    """mkdocs.yml of the bare site: plain Material, the project's nav and extensions."""
    config = read_config(project)
    bare = {
        "site_name": config.get("site_name", "Bare Material"),
        "theme": {"name": "material", "font": False},
        "nav": config.get("nav") or DEFAULT_NAV,
        "markdown_extensions": config.get("markdown_extensions", []),
    }
    return yaml.safe_dump(bare, allow_unicode=True, sort_keys=False)


def make_bare_site(project: Path, site: Path, workdir: Path) -> Path:
    """Build the bare Material site: every English page's text, as built.

    Every page of the nav is there, so the search index holds the same text.
    """
    docs = workdir / "docs"
    docs.mkdir(parents=True)
    pages = nav_pages(read_config(project).get("nav") or DEFAULT_NAV)
    for page in pages:
        built = built_page(site, page).read_text(encoding="utf-8")
        target = docs / page
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(article_markdown(built), encoding="utf-8")
    screenshots = project / "docs" / "assets" / "screenshots"
    if screenshots.is_dir():
        shutil.copytree(
            screenshots,
            docs / "assets" / "screenshots",
            ignore=shutil.ignore_patterns("*.md"),
        )
    (workdir / "mkdocs.yml").write_text(bare_config(project), encoding="utf-8")
    out = workdir / "site"
    mkdocs_build(workdir, out, strict=False)
    return out


def is_third_party(url: str) -> bool:
    if url.startswith(("data:", "blob:", "about:")):
        return False
    return urlsplit(url).hostname not in LOOPBACK


NAVIGATION_TIMING = """() => {
  const entry = performance.getEntriesByType("navigation")[0];
  return entry ? entry.loadEventEnd : 0;
}"""


def first_load(browser: Browser, url: str) -> dict[str, Any]:
    """One cold load of ``url``: bytes, requests, third-party requests, load time."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context()
    try:
        page = context.new_page()
        requests: list[Any] = []
        finished: list[Any] = []
        context.on("request", lambda request: requests.append(request))
        context.on("requestfinished", lambda request: finished.append(request))
        response = page.goto(url, wait_until="load", timeout=LOAD_TIMEOUT_MS)
        if response is None or response.status != 200:
            raise RuntimeError(
                f"{url}: expected status 200, found {response and response.status}"
            )
        page.wait_for_function(f"({NAVIGATION_TIMING})() > 0", timeout=LOAD_TIMEOUT_MS)
        load_ms = float(page.evaluate(NAVIGATION_TIMING))
        # A page that keeps the network busy is measured all the same.
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_load_state("networkidle", timeout=IDLE_TIMEOUT_MS)
        bodies = []
        for request in finished:
            size = request.sizes()["responseBodySize"]
            if size <= 0:
                # Chromium reports 0 for a worker's own script; the header knows.
                answer = request.response()
                length = answer.header_value("content-length") if answer else None
                size = int(length) if length and length.isdigit() else 0
            path = urlsplit(request.url)
            bodies.append((path.path + (f"?{path.query}" if path.query else ""), size))
        foreign = [request.url for request in requests if is_third_party(request.url)]
        return {
            "bytes": float(sum(size for _, size in bodies)),
            "requests": float(len(requests)),
            "third_party": float(len(foreign)),
            "load_ms": load_ms,
            "_bodies": bodies,
            "_foreign": foreign,
        }
    finally:
        context.close()


def run(context: Context) -> Section:
    section = Section("weight", TITLE)
    if not live.chromium_available():
        section.status = "skipped"
        section.notes.append(
            f"{live.CHROMIUM} is not installed: page weight not measured"
        )
        return section
    from playwright.sync_api import sync_playwright

    site = context.full_site()
    bare = make_bare_site(context.snapshot(), site, context.temp_dir("bare-"))
    if not (bare / "tutorial" / "index.html").is_file():
        raise RuntimeError(f"{bare}: the bare site has no tutorial page")
    details: dict[str, Any] = {}
    others = (
        []
        if context.quick
        else [language for language in LANGUAGES if language != "en"]
    )
    if context.quick:
        section.notes.append(
            "--quick: only the English tutorial and bare Material were loaded"
        )
    with (
        live.serve_static(site) as ours,
        live.serve_static(bare) as plain,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=live.CHROMIUM,
            headless=True,
            args=[*live.CHROMIUM_ARGS, NO_OUTSIDE],
        )
        try:

            def loader(name: str, url: str):
                def load() -> dict[str, float]:
                    result = first_load(browser, url)
                    details.setdefault(
                        name,
                        {
                            "url": url.split("/", 3)[-1],
                            "responses": result["_bodies"],
                            "third_party": result["_foreign"],
                        },
                    )
                    return {
                        key: value
                        for key, value in result.items()
                        if not key.startswith("_")
                    }

                return load

            workloads = [("en", loader("en", ours + tutorial_path("en")))]
            workloads.append(("bare", loader("bare", plain + "/tutorial/")))
            workloads += [
                (language, loader(language, ours + tutorial_path(language)))
                for language in others
            ]
            measured = alternate(
                workloads,
                runs=context.runs_for(RUNS),
                warmup=0 if context.quick else context.warmup,
                progress=lambda message: context.log(f"weight: {message}"),
            )
        finally:
            browser.close()

    labels = {name: f"tutorial ({name})" for name in LANGUAGES}
    labels["bare"] = "bare Material, English tutorial text"
    order = ["en", "bare", *others]
    for metric, unit, what in (
        ("bytes", "B", "bytes"),
        ("requests", "requests", "requests"),
        ("third_party", "requests", "third-party requests"),
        ("load_ms", "ms", "time to load"),
    ):
        for name in order:
            section.figures.append(
                measured.figure(name, f"{labels[name]}: {what}", unit, metric=metric)
            )
    section.extra["order"] = measured.order
    section.extra["first_run"] = details
    weight = section.add_ratio(
        "bytes/bare",
        "bytes: English tutorial / bare Material",
        "en.bytes",
        "bare.bytes",
    )
    section.add_ratio(
        "requests/bare",
        "requests: English tutorial / bare Material",
        "en.requests",
        "bare.requests",
    )
    section.add_ratio(
        "load/bare",
        "time to load: English tutorial / bare Material",
        "en.load_ms",
        "bare.load_ms",
    )
    third_party = max(
        (
            figure.max or 0.0
            for figure in section.figures
            if figure.name.endswith(".third_party")
            and not figure.name.startswith("bare")
        ),
        default=None,
    )
    section.add_target(
        "third-party",
        "no third-party requests (any language)",
        third_party,
        "==",
        0.0,
        "requests",
    )
    section.add_target(
        "weight",
        "English tutorial ≤ 10% heavier than bare Material (bytes)",
        weight.value,
        "<=",
        1.10,
        TIMES,
    )
    return section
