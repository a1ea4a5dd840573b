"""The app in a real browser: `streamlit run` as a subprocess, Debian's Chromium driven by Playwright.

Each page is opened as a user would (clicking the sidebar), checked, and saved as a full-page
screenshot under tests/artifacts/ (the README's pictures are copied from there).

Locators are strict: each must match exactly one element. While Streamlit reruns the script it
keeps the previous run's elements on screen, marked `data-stale="true"`, until the run ends, so
text that is on both the old and the new page (or moves position) can briefly be there twice.
Every locator is therefore scoped to the main area or the sidebar and to elements of the current
run (`fresh`), names are matched exactly, and every step waits for the run to finish (`settled`)
before it reads the page.
"""

from __future__ import annotations

import io
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from appraise.display import money, pct
from tests.conftest import ROOT, by_id, require_tool
from tests.test_app import BROKEN, cli_json

pytestmark = pytest.mark.slow  # `pytest -m "not slow"` skips it while working

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MST = "Edge-of-care service based on Multisystemic Therapy"
WIDTH = 1500
TIMEOUT_MS = 60_000
UNCERTAIN = "examples/thurrock-2017-uncertain.yaml"
# Elements of the run on screen: not a stale leftover of the previous run.
FRESH = '[data-testid="stElementContainer"]:not([data-stale="true"])'
SETTLED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app !== null
        && app.getAttribute('data-test-script-state') === 'notRunning'
        && document.querySelector('[data-stale="true"]') === null;
}"""


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


@contextmanager
def streamlit_app(script: Path, cwd: Path, log: Path, *options: str) -> Iterator[str]:
    """`streamlit run SCRIPT` on a free port from `cwd`: its URL once it answers; stopped (killed
    if need be) however the tests end."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        *options,
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
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
def app_url(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served on a free port, stopped (killed if need be) however the tests end."""
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    with streamlit_app(ROOT / "app.py", ROOT, log, "--client.toolbarMode", "minimal") as url:
        yield url


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
    row(tab, MST, table=0).wait_for()
    settled(tab)
    yield tab
    context.close()


def settled(tab) -> None:
    """Wait until the script run has ended and no element of an earlier run is left on screen.

    Call it only after something of the new run has been seen: just after a click the old run
    is still the one on screen, and already 'settled'.
    """
    tab.wait_for_function(SETTLED)


def main(tab):
    return tab.locator('[data-testid="stMain"]')


def sidebar(tab):
    return tab.locator('[data-testid="stSidebar"]')


def fresh(tab):
    """Elements of the current run in the main area."""
    return main(tab).locator(FRESH)


def heading(tab, name: str):
    return fresh(tab).get_by_role("heading", name=name, exact=True)


def row(tab, first_cell: str, table: int | None = None):
    """The row whose first cell reads exactly `first_cell`, in the page's only table with such a
    row, or in its `table`-th table (the Portfolio page lists every intervention twice)."""
    exactly = re.compile(rf"^\s*{re.escape(first_cell)}\s*$")
    tables = fresh(tab).locator("table")
    scope = tables if table is None else tables.nth(table)
    first = tab.locator(":scope > :first-child", has_text=exactly)
    return scope.locator("tbody tr").filter(has=first)


def metric(tab, label: str):
    """The metric whose label is exactly `label`."""
    return (
        fresh(tab)
        .locator('[data-testid="stMetric"]')
        .filter(has=tab.locator('[data-testid="stMetricLabel"]').get_by_text(label, exact=True))
    )


def metric_value(tab, label: str) -> str:
    return metric(tab, label).locator('[data-testid="stMetricValue"]').inner_text().strip()


def cells(tab, first_cell: str, table: int | None = None) -> list[str]:
    shown = row(tab, first_cell, table).locator("td, th").all_inner_texts()
    return [c.strip() for c in shown]


def open_page(tab, title: str, title_on_page: str) -> None:
    """Click a page in the sidebar menu and wait for its title and the end of the run."""
    sidebar(tab).get_by_role("radiogroup").get_by_text(title, exact=True).click()
    heading(tab, title_on_page).wait_for()
    settled(tab)


def open_example(tab, example: str, title_on_page: str) -> None:
    """Choose an example in the sidebar's 'Open an example' box."""
    sidebar(tab).get_by_role("combobox", name="Open an example").click()
    tab.get_by_role("option", name=example, exact=True).click()
    heading(tab, title_on_page).wait_for()
    settled(tab)


def wait_for_charts(tab, count: int) -> None:
    """At least `count` charts of the current run have drawn their marks."""
    tab.wait_for_function(
        """([selector, n]) => [...document.querySelectorAll(selector)].filter(
            c => c.querySelector('.vega-embed svg g[class*="mark-"] > *')
        ).length >= n""",
        arg=['[data-testid="stMain"] ' + FRESH, count],
    )


def screenshot(tab, name: str) -> Path:
    """The whole page: the viewport is grown to the height of Streamlit's scrolling main area."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    settled(tab)
    tab.wait_for_timeout(500)  # let charts finish their first paint
    height = tab.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    tab.set_viewport_size({"width": WIDTH, "height": max(1000, int(height))})
    tab.wait_for_timeout(500)
    settled(tab)
    path = ARTIFACTS / f"app-{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    tab.set_viewport_size({"width": WIDTH, "height": 1000})
    assert path.stat().st_size > 10_000
    return path


def test_portfolio_page_in_chromium_shows_mst_net_savings(page, thurrock_json):
    mst = by_id(thurrock_json, "edge-of-care-mst")
    assert money(mst["net_savings"]) in cells(page, MST, table=0)
    assert metric_value(page, "Net savings a year") == money(
        thurrock_json["portfolio"]["net_savings"]
    )
    wait_for_charts(page, 1)
    screenshot(page, "portfolio")


def test_compare_page_draws_its_charts_in_chromium(page):
    open_page(page, "Compare", "Compare the interventions")
    # Net savings, two margin-of-safety panels, payer and cumulative charts.
    wait_for_charts(page, 5)
    assert "page=Compare" in page.url
    screenshot(page, "compare")


def test_intervention_page_edit_in_chromium_moves_net_savings(page):
    open_page(page, "Intervention", MST)
    heading(page, "Net savings at each success rate").wait_for()
    wait_for_charts(page, 3)
    screenshot(page, "intervention")
    what_if_five_percent(page)


def what_if_five_percent(tab) -> None:
    """'What if only 5% of CiN/CPP children are suitable?' typed into the MST proportion.

    1,355 x 5% = 67.75 families; 67.75 x 16% x £70,792.45 - 67.75 x £2,285 = £612,581.
    """
    box = fresh(tab).get_by_role(
        "spinbutton", name="Proportion of eligible cases served (%)", exact=True
    )
    box.fill("5")
    box.press("Enter")
    net = money(1355 * 0.05 * 0.16 * 35 * 1072 / 0.53 - 1355 * 0.05 * 2285)
    metric(tab, "Net savings a year").filter(has_text=net).wait_for()
    settled(tab)
    assert metric_value(tab, "Net savings a year") == net == "£612,581"


def test_uncertainty_page_in_chromium_shows_the_chance_of_breaking_even(page):
    open_example(page, UNCERTAIN, "Thurrock prevention portfolio with ranges (APHR 2017)")
    open_page(page, "Uncertainty", "Uncertainty")
    wait_for_charts(page, 2)  # the range of NPV, and the tornado
    # The page's defaults: 10,000 draws, seed 1.
    cli = cli_json("simulate", UNCERTAIN, "--draws", "10000", "--seed", "1")
    shown = metric_value(page, "Chance the portfolio breaks even")
    assert shown == pct(cli["portfolio"]["prob_break_even"])
    assert money(cli["portfolio"]["npv"]["mean"]) in cells(page, "Portfolio total")
    screenshot(page, "uncertainty")


def test_forecast_page_in_chromium_draws_spend_with_and_without(page):
    open_page(page, "Forecast", "Forecast: the cost of doing nothing")
    wait_for_charts(page, 2)  # with and without the portfolio; every scenario
    cli = cli_json("forecast", "examples/thurrock-2017.yaml")["with_portfolio"]
    first = next(y for y in cli["years"] if y["portfolio_year"] == 1)
    assert metric_value(page, f"Net saving in {first['year']}") == money(first["net_saving"])
    assert money(first["spend_with"]) in cells(page, str(first["year"]))
    screenshot(page, "forecast")


def test_verify_page_in_chromium_checks_the_example_claims_and_actuals(page):
    open_page(page, "Verify", "Verify claims and track savings")
    fresh(page).get_by_role(
        "button", name="Use the example claims: thurrock-2017-claims.yaml"
    ).click()
    row(page, "steps-gross").wait_for()
    settled(page)
    cli = cli_json("verify", "examples/thurrock-2017-claims.yaml")
    steps = next(c for c in cli["claims"] if c["id"] == "steps-gross")
    assert steps["status"] == "inconsistent"
    assert "✗ inconsistent" in cells(page, "steps-gross")
    assert metric_value(page, "Inconsistent") == str(cli["summary"]["inconsistent"])
    fresh(page).get_by_role(
        "button", name="Use the example actuals: thurrock-2018-actuals.yaml"
    ).click()
    metric(page, "Net savings to date").wait_for()
    wait_for_charts(page, 1)
    screenshot(page, "verify")


def test_export_page_in_chromium_downloads_the_workbook(page):
    from openpyxl import load_workbook

    open_page(page, "Export", "Export")
    for label in ("Portfolio (YAML)", "Results (CSV)", "Results (JSON)"):
        fresh(page).get_by_role("button", name=label, exact=True).wait_for()
    screenshot(page, "export")
    fresh(page).get_by_role("button", name="Make the workbook", exact=True).click()
    button = fresh(page).get_by_role("button", name="Workbook (Excel)", exact=True)
    button.wait_for()
    settled(page)
    with page.expect_download() as download:
        button.click()
    content = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == "thurrock-2017.xlsx"
    book = load_workbook(io.BytesIO(content))
    assert {"Inputs", "Calculations", "Summary", "Checks"} <= set(book.sheetnames)
    assert book["Summary"].max_row > 5
    # The committee paper: made on request, then both files offered from the session's bytes.
    fresh(page).get_by_role("button", name="Make the committee paper").click()
    pdf_button = fresh(page).get_by_role("button", name="Committee paper (PDF)", exact=True)
    pdf_button.wait_for(timeout=180_000)
    with page.expect_download() as download:
        pdf_button.click()
    assert download.value.suggested_filename == "thurrock-2017-paper.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")


def test_uploading_a_broken_file_in_chromium_shows_the_field_path(page, thurrock_json):
    sidebar(page).locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "broken.yaml", "mimeType": "application/x-yaml", "buffer": BROKEN.encode()}]
    )
    alert = fresh(page).get_by_role("alert").filter(has_text="Could not open broken.yaml")
    # The problem line exactly as `appraise validate broken.yaml` prints it, in the alert's code
    # block (drawn a moment after the alert's first line).
    line = "broken.yaml: interventions[0].reach.proportion: must be between 0 and 1 (got 1.5)"
    alert.locator("code").filter(has_text=line).wait_for()
    settled(page)
    assert line in alert.locator("code").inner_text().splitlines()
    # Still running, still showing the example.
    mst = by_id(thurrock_json, "edge-of-care-mst")
    assert money(mst["net_savings"]) in cells(page, MST, table=0)
    # An edit clears the message, so every element moves up one place: while that run lasts,
    # the previous run's copy of each widget is still on screen beside the new one (two
    # "Proportion of eligible cases served" boxes at once). Locators must see only the new one.
    open_page(page, "Intervention", MST)
    what_if_five_percent(page)
    assert not fresh(page).get_by_role("alert").filter(has_text="Could not open").count()


def test_programme_page_in_chromium_draws_thrive_against_its_targets(page):
    open_page(page, "Programme", "Programme against its business case")
    fresh(page).get_by_role("combobox", name="Open an example programme").click()
    page.get_by_role("option", name="examples/east-sussex-thrive-programme.yaml").click()
    metric(page, "Spend avoided to date").wait_for()
    wait_for_charts(page, 2)  # spend avoided by year; children in care against its targets
    # East Sussex THRIVE, June 2014: £6.4M + £6.4M = £12.8M below the projection.
    assert metric_value(page, "Spend avoided to date") == "£12,800,000"
    screenshot(page, "programme")


# Every text of every chart inside the chart's own picture (a legend or end label running past
# its right edge is cut off on screen); every money cell of every table right-aligned, on one
# line, as wide as its text needs.
LAYOUT_PROBLEMS = """() => {
    const out = [];
    const main = document.querySelector('[data-testid="stMain"]');
    for (const svg of main.querySelectorAll('.vega-embed svg')) {
        // The chart's place on the page, which cuts off whatever the picture holds beyond it.
        const box = svg.closest('[data-testid="stElementContainer"]').getBoundingClientRect();
        for (const text of svg.querySelectorAll('text')) {
            const t = text.getBoundingClientRect();
            if (!text.textContent.trim() || t.width === 0) continue;
            if (t.left < box.left - 1 || t.right > box.right + 1) {
                out.push('chart text cut off: ' + text.textContent);
            }
        }
    }
    for (const cell of main.querySelectorAll('table td')) {
        const text = cell.innerText.trim();
        if (!/^-?£[0-9,]+$/.test(text)) continue;
        const style = getComputedStyle(cell);
        if (style.textAlign !== 'right') out.push('money not right-aligned: ' + text);
        const tops = new Set();
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const range = document.createRange();
            range.selectNodeContents(node);
            for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
        }
        if (tops.size > 1) out.push('money wrapped: ' + text + ' ' + [...tops]);
    }
    return out;
}"""


# The charts' geometry, the same on three polls 250 ms apart: a resized window re-lays its charts
# out over several frames, and text read mid-way sits where no finished chart puts it.
LAYOUT_STILL = """() => {
    const boxes = [...document.querySelectorAll('[data-testid="stMain"] .vega-embed svg text')]
        .map(t => { const r = t.getBoundingClientRect(); return [r.left, r.right, r.top].map(Math.round); });
    const now = JSON.stringify(boxes);
    const seen = window.__layoutSeen || [];
    seen.push(now);
    window.__layoutSeen = seen.slice(-3);
    return seen.length >= 3 && seen.slice(-3).every(s => s === now);
}"""


def layout_problems(tab) -> list:
    """LAYOUT_PROBLEMS once the charts have stopped moving."""
    tab.evaluate("() => { window.__layoutSeen = []; }")
    tab.wait_for_function(LAYOUT_STILL, polling=250)
    return tab.evaluate(LAYOUT_PROBLEMS)


@pytest.mark.parametrize("width", [1280, 1920])
def test_compare_and_portfolio_pages_fit_their_text_at_1280_and_1920_pixels(page, width):
    """Issue 26 item 4: labels and legends never clip; money right-aligned and never wrapped."""
    page.set_viewport_size({"width": width, "height": 1000})
    settled(page)
    wait_for_charts(page, 1)
    assert layout_problems(page) == []
    open_page(page, "Compare", "Compare the interventions")
    wait_for_charts(page, 5)
    assert layout_problems(page) == []
