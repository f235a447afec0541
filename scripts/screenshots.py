#!/usr/bin/env python3
"""Take the screenshots in the "Try it" sections from the running examples.

    scripts/screenshots.py                  write docs/assets/screenshots/*.png
    scripts/screenshots.py --out DIR        write somewhere else (scripts/test does)
    scripts/screenshots.py --fa --out DIR   also the Persian (right-to-left) pages

Each example runs under real uvicorn and is driven in Debian's Chromium by the
same flows the end-to-end tests check. The Persian pages come from a strict
build of the site, served as a static host would, at desktop and phone
widths. The pictures are never drawn by hand.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from playwright.sync_api import Browser

from guidekit import flows, live

DEFAULT_OUT = live.ROOT / "docs" / "assets" / "screenshots"
VIEWPORT = {"width": 760, "height": 440}
WIDTHS = {"desktop": 1280, "phone": 360}
PERSIAN_PAGES = {"home": "fa/", "tutorial": "fa/tutorial/"}


def echo(browser: Browser, out: Path) -> None:
    with live.uvicorn("docs_src.tutorial.echo:app") as server:
        page = browser.new_page(viewport=VIEWPORT)
        flows.echo(page, server.url, "Hello, WebSocket!")
        page.screenshot(path=out / "echo.png")


def dependencies(browser: Browser, out: Path) -> None:
    with live.uvicorn("docs_src.tutorial.dependencies_an_py310:app") as server:
        page = browser.new_page(viewport=VIEWPORT)
        flows.connect_item(page, server.url, "foo", "some-key-token")
        flows.send(page, "Hi")
        flows.wait_for_messages(page, 4)
        page.screenshot(path=out / "dependencies.png")


def chat(browser: Browser, out: Path) -> None:
    with live.uvicorn("docs_src.tutorial.chat:app") as server:
        first = browser.new_page(viewport=VIEWPORT)
        second = browser.new_page(viewport=VIEWPORT)
        flows.chat_join(first, server.url)
        flows.chat_join(second, server.url)
        flows.send(first, "Hello from the first tab")
        flows.wait_for_messages(second, 1)
        flows.send(second, "Hi! This is the second tab")
        flows.wait_for_messages(first, 3)
        second.close()
        flows.wait_for_messages(first, 4)
        first.screenshot(path=out / "chat.png")


def build_site(site: Path) -> None:
    """The whole site, as ``mkdocs build --strict`` writes it."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("GUIDE_LANG", None)  # every language, as readers get it
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"]
    subprocess.run(
        [*command, "--site-dir", str(site)], cwd=live.ROOT, env=env, check=True
    )


def persian(browser: Browser, out: Path) -> list[Path]:
    """fa-<page>-<width>.png: the Persian pages at desktop and phone widths."""
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        build_site(site)
        with live.serve_static(site) as url:
            for width_name, width in WIDTHS.items():
                page = browser.new_page(viewport={"width": width, "height": 800})
                for page_name, path in PERSIAN_PAGES.items():
                    page.goto(f"{url}/{path}", wait_until="networkidle")
                    shot = out / f"fa-{page_name}-{width_name}.png"
                    page.screenshot(path=shot)
                    written.append(shot)
                page.close()
    return written


SHOTS: dict[str, Callable[[Browser, Path], None]] = {
    "echo": echo,
    "dependencies": dependencies,
    "chat": chat,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="folder for the PNG files"
    )
    parser.add_argument(
        "--fa",
        action="store_true",
        help="also the Persian pages, right to left, at 1280 and 360 px",
    )
    args = parser.parse_args(argv)
    if not live.chromium_available():
        print(
            f"error: {live.CHROMIUM} not found; install Debian's chromium",
            file=sys.stderr,
        )
        return 1
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright, live.chromium(playwright) as browser:
        for name, shoot in SHOTS.items():
            shoot(browser, args.out)
            print(f"wrote {args.out / name}.png")
        if args.fa:
            for shot in persian(browser, args.out):
                print(f"wrote {shot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
