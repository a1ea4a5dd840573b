"""The workbook prints: LibreOffice prints it to PDF with its own print set-up, and the pages are
counted and read (poppler's pdftotext).

Once, the Thurrock workbook printed on 370 pages and step-down's on 88, with no intervention
figure of Calculations on any page (its title columns filled the page), Cash flows a year a page
and no header or footer. Now every sheet is printed as many pages wide as keep it at least 60%
of actual size, its title rows and columns repeated, every page headed by its sheet and page
number and footed by the run it comes from.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from appraise.display import money
from appraise.engine.figures import FIGURES as REGISTRY
from appraise.model.identity import file_identity
from appraise.model.load import load_portfolio
from appraise.workbook.export import export_workbook
from appraise.workbook.recalc import to_pdf
from appraise.workbook.summary import FIGURES
from tests.conftest import EXAMPLES, require_tool, run_cli

pytestmark = pytest.mark.slow

# The targets: the Thurrock workbook (5 interventions, a Forecast) and a one-intervention
# workbook (step-down).
MOST_PAGES = {"thurrock-2017": 40, "step-down": 20}
PAGE_HEAD = re.compile(r"^\s*(\S.*?)\s{2,}Page (\d+) of (\d+)\s*$")


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """name -> the text of each printed page."""
    require_tool("soffice")
    pdftotext = require_tool("pdftotext")
    folder = tmp_path_factory.mktemp("printed")
    books = []
    for name in MOST_PAGES:
        source = EXAMPLES / f"{name}.yaml"
        books.append(
            export_workbook(
                load_portfolio(source), folder / f"{name}.xlsx", identity=file_identity(source)
            )
        )
    out = {}
    for pdf in to_pdf(books, folder / "pdf"):
        text = subprocess.run(
            [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        out[pdf.stem] = text.split("\f")[:-1]
    return out


def sheet_of(page: str) -> str:
    """The sheet a page belongs to, from its header."""
    first = next(line for line in page.splitlines() if line.strip())
    found = PAGE_HEAD.match(first)
    assert found, first
    return found.group(1)


@pytest.mark.parametrize("name", list(MOST_PAGES))
def test_the_workbook_prints_in_few_pages(printed, name):
    pages = printed[name]
    assert 5 < len(pages) <= MOST_PAGES[name], len(pages)


@pytest.mark.parametrize("name", list(MOST_PAGES))
def test_every_page_names_its_sheet_its_number_and_the_run(printed, name):
    pages = printed[name]
    sha = file_identity(EXAMPLES / f"{name}.yaml").short_hash
    for k, page in enumerate(pages, 1):
        lines = [line for line in page.splitlines() if line.strip()]
        head = PAGE_HEAD.match(lines[0])
        assert head and (int(head.group(2)), int(head.group(3))) == (k, len(pages)), lines[0]
        assert sha in lines[-1] and f"{name}.yaml" in lines[-1], lines[-1]
    # Hidden sheets do not print; the visible ones all do, in tab order.
    sheets = list(dict.fromkeys(sheet_of(page) for page in pages))
    assert sheets[:3] == ["About", "Inputs", "Outcomes"]
    assert "Calculations" in sheets and "Formula check" not in sheets


@pytest.mark.parametrize("name", list(MOST_PAGES))
def test_every_intervention_figure_is_on_some_page(printed, name):
    data = __import__("json").loads(
        run_cli("evaluate", EXAMPLES / f"{name}.yaml", "--format", "json").stdout
    )
    pages = printed[name]
    calculations = " ".join(p for p in pages if sheet_of(p) == "Calculations")
    summary = " ".join(p for p in pages if sheet_of(p) == "Summary")
    money_keys = [k for k in FIGURES if REGISTRY[k].kind == "money"]
    for record in data["interventions"]:
        # its row of Summary, and its column of Calculations (a long id wraps in its header)
        assert record["id"] in summary
        for key in money_keys:
            shown = money(record[key])
            assert shown in summary, (record["id"], key, shown)
        for key in ("cost", "gross_savings", "net_savings"):
            assert money(record[key]) in calculations, (record["id"], key)


def test_cash_flows_print_the_years_across(printed):
    pages = [p for p in printed["thurrock-2017"] if sheet_of(p) == "Cash flows"]
    # Each intervention's block starts a page, and a page holds every year of the horizon.
    assert 5 <= len(pages) <= 8
    for page in pages:
        years = next(line for line in page.splitlines() if line.strip().startswith("Year"))
        assert years.split()[-5:] == ["1", "2", "3", "4", "5"] or "10" in years.split()


def test_about_keeps_each_label_with_its_value(printed):
    about = [p for p in printed["thurrock-2017"] if sheet_of(p) == "About"]
    text = "\n".join(about)
    line = next(x for x in text.splitlines() if "Discount rate" in x)
    assert "3.50%" in line


def test_a_sheet_too_wide_for_a_page_prints_over_several_not_smaller_than_60_percent():
    from appraise.workbook.writer import MIN_SCALE, PAGE_CHARACTERS, Sheet, pages_wide

    sheet = Sheet("wide", print_cols="A:B")
    for c in range(1, 31):
        sheet.put(1, c, 1.0)
    widths = {1: 30.0, 2: 30.0, **{c: 20.0 for c in range(3, 31)}}
    wide = pages_wide(sheet, widths)
    room = PAGE_CHARACTERS / MIN_SCALE - 60
    assert wide == -(-(sum(widths.values()) - 60) // room) and wide > 1
    assert pages_wide(Sheet("narrow"), {1: 10.0}) == 1


def test_the_print_is_set_on_every_sheet(tmp_path):
    from openpyxl import load_workbook

    path = export_workbook(load_portfolio(EXAMPLES / "step-down.yaml"), tmp_path / "s.xlsx")
    for ws in load_workbook(path).worksheets:
        assert ws.oddHeader.left.text == "&A" and "&P of &N" in ws.oddHeader.right.text
        assert ws.page_setup.fitToHeight == 0  # never squeezed to one page tall
    assert Path(path).exists()
