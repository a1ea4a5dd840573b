"""Make the app's screenshots for the docs: `python scripts/screenshots.py [--widths 1280 1920]`.

Starts the app (`streamlit run app.py`) on a free port, opens each page in Chromium through
Playwright as a user would (the sidebar menu; an example where the page needs one), waits for the
run to end and the charts to draw, and saves the whole page as docs/images/app-PAGE.png at the
first width and docs/images/app-PAGE-WIDTH.png at each other. Run it when a page changes; the
browser tests (tests/test_browser.py) check the same pages at the same steps.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the app is served as the browser tests serve it

from tests.test_browser import SETTLED, streamlit_app  # noqa: E402

IMAGES = ROOT / "docs" / "images"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stMain"] .vega-embed')].every(
    c => c.querySelector('svg g[class*="mark-"] > *'))"""


def settle(tab) -> None:
    tab.wait_for_timeout(400)
    tab.wait_for_function(SETTLED)
    tab.wait_for_function(CHARTS_DRAWN)
    tab.wait_for_timeout(400)


def go(tab, title: str) -> None:
    tab.locator('[data-testid="stSidebar"]').get_by_role("radiogroup").get_by_text(
        title, exact=True
    ).click()
    settle(tab)


def example(tab, name: str) -> None:
    tab.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Open an example").click()
    tab.get_by_role("option", name=name, exact=True).click()
    settle(tab)


def click(label: str) -> Callable[[object], None]:
    def step(tab) -> None:
        tab.locator('[data-testid="stMain"]').get_by_role("button", name=label).click()
        settle(tab)

    return step


def programme(tab) -> None:
    tab.locator('[data-testid="stMain"]').get_by_role(
        "combobox", name="Open an example programme"
    ).click()
    tab.get_by_role("option", name="examples/east-sussex-thrive-programme.yaml").click()
    settle(tab)


# (image name, page title, steps after the page opens); Uncertainty opens the example with ranges.
SHOTS: list[tuple[str, str, list[Callable[[object], None]]]] = [
    ("portfolio", "Portfolio", []),
    ("compare", "Compare", []),
    ("intervention", "Intervention", []),
    ("forecast", "Forecast", []),
    ("verify", "Verify", [click("Use the example claims: thurrock-2017-claims.yaml")]),
    ("programme", "Programme", [programme]),
    ("build", "Build", []),
    ("scenarios", "Scenarios", []),
    ("export", "Export", []),
    ("uncertainty", "Uncertainty", []),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[1280, 1920])
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="appraise-screenshots-") as folder:
        log = Path(folder) / "streamlit.log"
        with (
            streamlit_app(ROOT / "app.py", ROOT, log, "--client.toolbarMode", "minimal") as url,
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            for i, width in enumerate(args.widths):
                tab = browser.new_page(viewport={"width": width, "height": 1000})
                tab.set_default_timeout(60_000)
                tab.goto(url)
                settle(tab)
                for name, title, steps in SHOTS:
                    if name == "uncertainty":
                        example(tab, "examples/thurrock-2017-uncertain.yaml")
                    go(tab, title)
                    for step in steps:
                        step(tab)
                    height = tab.evaluate(
                        "document.querySelector('[data-testid=stMain]').scrollHeight"
                    )
                    tab.set_viewport_size({"width": width, "height": max(1000, int(height))})
                    settle(tab)
                    suffix = "" if i == 0 else f"-{width}"
                    path = IMAGES / f"app-{name}{suffix}.png"
                    tab.screenshot(path=str(path), full_page=True)
                    tab.set_viewport_size({"width": width, "height": 1000})
                    print(f"wrote {path.relative_to(ROOT)}")
                tab.close()
            browser.close()


if __name__ == "__main__":
    main()
