"""The app in a real browser: `streamlit run` as a subprocess, Debian's Chromium driven by Playwright.

Each page is opened as a user would (clicking the sidebar), checked, and saved as a full-page
screenshot under tests/artifacts/ (the README's pictures are copied from there).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from appraise.report import money
from tests.conftest import ROOT, by_id, require_tool
from tests.test_app import BROKEN

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MST = "Edge-of-care service based on Multisystemic Therapy"
WIDTH = 1500
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_tool("chromium", "/usr/bin/chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"streamlit did not answer at {url} within 90 s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def app_url(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served on a free port, stopped (killed if need be) however the tests end."""
    port = free_port()
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "minimal",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            url = f"http://localhost:{port}"
            wait_until_serving(url, proc, log)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser, app_url: str):
    """A fresh browser session on the app, once the portfolio table is on screen."""
    context = browser.new_context(viewport={"width": WIDTH, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.goto(app_url)
    tab.locator("tr", has_text=MST).first.wait_for()
    yield tab
    context.close()


def open_page(tab, title: str, heading: str) -> None:
    tab.locator('[data-testid="stSidebar"]').get_by_text(title, exact=True).click()
    tab.get_by_role("heading", name=heading).wait_for()


def wait_for_charts(tab, count: int) -> None:
    tab.wait_for_function(
        "n => document.querySelectorAll('.vega-embed svg .mark-line, .vega-embed svg .mark-rect')"
        ".length >= n",
        arg=count,
    )


def screenshot(tab, name: str) -> Path:
    """The whole page: the viewport is grown to the height of Streamlit's scrolling main area."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.wait_for_timeout(500)  # let charts finish their first paint
    height = tab.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    tab.set_viewport_size({"width": WIDTH, "height": max(1000, int(height))})
    tab.wait_for_timeout(500)
    path = ARTIFACTS / f"app-{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    tab.set_viewport_size({"width": WIDTH, "height": 1000})
    assert path.stat().st_size > 10_000
    return path


def test_portfolio_page_in_chromium_shows_mst_net_savings(page, thurrock_json):
    mst = by_id(thurrock_json, "edge-of-care-mst")
    cells = page.locator("tr", has_text=MST).first.locator("td, th").all_inner_texts()
    assert money(mst["net_savings"]) in [c.strip() for c in cells]
    assert page.get_by_text(money(thurrock_json["portfolio"]["net_savings"])).count() >= 1
    wait_for_charts(page, 1)
    screenshot(page, "portfolio")


def test_compare_page_draws_its_charts_in_chromium(page):
    open_page(page, "Compare", "Compare the interventions")
    # Net savings, two margin-of-safety panels, payer and cumulative charts.
    page.wait_for_function("document.querySelectorAll('.vega-embed svg').length >= 5")
    wait_for_charts(page, 5)
    assert "page=Compare" in page.url
    screenshot(page, "compare")


def test_intervention_page_edit_in_chromium_moves_net_savings(page):
    open_page(page, "Intervention", MST)
    page.get_by_role("heading", name="Net savings at each success rate").wait_for()
    wait_for_charts(page, 3)
    screenshot(page, "intervention")
    # "What if only 5% of CiN/CPP children are suitable?": 1,355 x 5% = 67.75 families;
    # 67.75 x 16% x £70,792.45 - 67.75 x £2,285 = £612,581.
    box = page.get_by_role("spinbutton", name="Proportion of eligible cases served (%)")
    box.fill("5")
    box.press("Enter")
    net = money(1355 * 0.05 * 0.16 * 35 * 1072 / 0.53 - 1355 * 0.05 * 2285)
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Net savings a year")
    metric.filter(has_text=net).wait_for()


def test_export_page_in_chromium(page):
    open_page(page, "Export", "Export")
    for label in ("Portfolio (YAML)", "Results (CSV)", "Results (JSON)"):
        page.get_by_role("button", name=label).wait_for()
    screenshot(page, "export")


def test_uploading_a_broken_file_in_chromium_shows_the_field_path(page, thurrock_json):
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "broken.yaml", "mimeType": "application/x-yaml", "buffer": BROKEN.encode()}]
    )
    page.get_by_text("Could not open broken.yaml").wait_for()
    # The problem line exactly as `appraise validate broken.yaml` prints it.
    page.get_by_text(
        "broken.yaml: interventions[0].reach.proportion: must be between 0 and 1 (got 1.5)"
    ).wait_for()
    # Still running, still showing the example.
    mst = by_id(thurrock_json, "edge-of-care-mst")
    cells = page.locator("tr", has_text=MST).first.locator("td, th").all_inner_texts()
    assert money(mst["net_savings"]) in [c.strip() for c in cells]
