"""The "Other versions and variants" block in Chromium, with several variants.

The guide's own pages have one variant per example today, so this builds a
small site whose example has two, to prove the tabs really switch.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.conftest import build_site, write_site_config
from tests.e2e.conftest import serve_static

PRIMARY = "def greet(name: str | None = None) -> str:\n    return f'Hello, {name}'\n"
VARIANTS = {
    "greet_an_py310.py": PRIMARY.replace(
        "name: str | None = None", "name: Annotated[str | None, 1] = None"
    ),
    "greet_py310.py": PRIMARY,
    "greet_an_py39.py": PRIMARY.replace("str | None", "Optional[str]"),
}


@pytest.fixture(scope="module")
def variants_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("variants")
    examples = root / "docs_src" / "demo"
    examples.mkdir(parents=True)
    for name, code in VARIANTS.items():
        (examples / name).write_text(code, encoding="utf-8")
    (root / "docs" / "en").mkdir(parents=True)
    (root / "docs" / "en" / "index.md").write_text(
        "# Variants { #variants }\n\n{* docs_src/demo/greet_an_py310.py hl[2] *}\n",
        encoding="utf-8",
    )
    config = write_site_config(root, ["index.md"])
    site = build_site(root / "site", config, language="en")
    with serve_static(site) as url:
        yield url


def test_variant_tabs_open_and_switch(browser: Browser, variants_site: str) -> None:
    page = browser.new_page()
    page.goto(variants_site + "/")
    details = page.locator("details.info")
    assert details.locator("summary").inner_text() == "Other versions and variants"
    assert not details.locator(".tabbed-set").is_visible()
    details.locator("summary").click()
    labels = details.locator(".tabbed-labels label")
    # Annotated variants first, then the newest Python first.
    assert labels.all_inner_texts() == [
        "Python 3.9+",
        "Python 3.10+ · without Annotated",
    ]
    shown = []
    for index in (1, 0, 1):
        labels.nth(index).click()
        block = details.locator(".tabbed-block").nth(index)
        assert block.is_visible()
        assert not details.locator(".tabbed-block").nth(1 - index).is_visible()
        shown.append(block.locator(".filename").inner_text())
        # The highlight follows the matching line in every variant.
        assert "return f'Hello, {name}'" in block.locator(".hll").inner_text()
    assert shown == [
        "docs_src/demo/greet_py310.py",
        "docs_src/demo/greet_an_py39.py",
        "docs_src/demo/greet_py310.py",
    ]
    page.close()
