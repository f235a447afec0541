#!/usr/bin/env python3
"""Take the screenshots in the "Try it" sections from the running examples.

    scripts/screenshots.py                  write docs/assets/screenshots/*.png
    scripts/screenshots.py --out DIR        write somewhere else (scripts/test does)

Each example runs under real uvicorn and is driven in Debian's Chromium by the
same flows the end-to-end tests check. The pictures are never drawn by hand.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from playwright.sync_api import Browser

from guidekit import flows, live

DEFAULT_OUT = live.ROOT / "docs" / "assets" / "screenshots"
VIEWPORT = {"width": 760, "height": 440}


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
    return 0


if __name__ == "__main__":
    sys.exit(main())
