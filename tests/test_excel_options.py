"""The workbook's Options sheet: its layout (always), and, recalculated by LibreOffice (slow), every
figure equal to `appraise evaluate --format json`'s `options`, live when an input is edited: the
rank, the efficiency frontier and the incremental figures re-work themselves. Nothing in the
workbook adds up alternatives.

The example's figures themselves are worked by hand in tests/test_options.py.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from appraise.analyses.options import FIGURE_KEYS, OPTION_KEYS, evaluation_data
from appraise.display import compared_text
from appraise.engine.options import INCREMENTAL_KEYS, STATUS_WORDS
from appraise.engine.results import appraise_portfolio
from appraise.model.load import load_portfolio, portfolio_from_data
from appraise.workbook.export import workbook_bytes
from appraise.workbook.options import FIRST_ROW, HEADER_ROW, HEADERS, OPTIONS
from appraise.workbook.recalc import recalculate
from appraise.workbook.summary import KEY_NOTE
from tests.conftest import EXAMPLES, THURROCK, require_tool
from tests.helpers import LOCAL_SOURCE, intervention, portfolio_data
from tests.test_excel import set_input, write_book
from tests.test_excel_libreoffice import assert_same, evaluate_json, master_check

OPTIONS_EXAMPLE = EXAMPLES / "edge-of-care-options.yaml"


def branches() -> dict[str, Any]:
    """Options that take every branch: two interventions in one with a later payback, one that
    never pays back, one that costs nothing (nothing is cheaper), a tie in cost."""
    items = [
        intervention(timing={"cost_months": 18, "benefit_lag_months": 12}),
        intervention(id="third", unit_cost={"total": 90000}, effect={"success_rate": 0.02}),
        intervention(id="weak", effect={"success_rate": 0.02}),
        intervention(id="free", unit_cost={"amount": 0, "per": "case"}),
        intervention(id="twin", effect={"success_rate": 0.02}),
    ]
    data = portfolio_data(horizon_years=4, interventions=items)
    data["options"] = [
        {"name": "Both", "interventions": ["svc", "third"]},
        {"name": "Weak", "interventions": ["weak"]},
        {"name": "Free", "interventions": ["free"]},
        {"name": "Twin", "interventions": ["twin"]},
    ]
    return data


def without_doing_nothing() -> dict[str, Any]:
    """Two options, neither free: the cheaper is compared with doing nothing (not in the file)."""
    items = [intervention(), intervention(id="alt", unit_cost={"amount": 1500, "per": "case"})]
    data = portfolio_data(horizon_years=3, interventions=items)
    data["options"] = [
        {"name": "Service", "interventions": ["svc"]},
        {"name": "Alternative", "interventions": ["alt"]},
    ]
    return data


def engine_options(portfolio: Any) -> list[dict[str, Any]]:
    return evaluation_data(appraise_portfolio(portfolio))["options"]


def header_keys(ws: Any) -> list[str]:
    """The Options sheet's JSON keys, read from each header's note (the header is the name)."""
    return [
        c.comment.text.split(KEY_NOTE, 1)[1].split()[0]
        for c in ws[HEADER_ROW][: len(HEADERS)]
        if c.comment is not None
    ]


def sheet_rows(path: Path, data_only: bool) -> list[dict[str, Any]]:
    """The Options sheet's option rows, keyed by the JSON keys in the header's notes."""
    ws = load_workbook(path, data_only=data_only)[OPTIONS]
    header = header_keys(ws)
    rows = []
    for row in ws.iter_rows(min_row=FIRST_ROW, values_only=True):
        if row[0] is None:
            break
        rows.append(dict(zip(header, row[: len(HEADERS)], strict=True)))
    return rows


# ---------------------------------------------------------------------------------------------
# Layout (no LibreOffice needed)
# ---------------------------------------------------------------------------------------------


def test_no_options_no_options_sheet():
    assert OPTIONS not in load_workbook(io.BytesIO(workbook_bytes(load_portfolio(THURROCK))))


def test_the_options_sheet_follows_summary_with_the_json_keys_and_formulas(tmp_path):
    path = write_book(load_portfolio(OPTIONS_EXAMPLE), tmp_path, "options")
    wb = load_workbook(path)
    assert wb.sheetnames.index(OPTIONS) == wb.sheetnames.index("Summary") + 1
    assert "Portfolio total" not in [c.value for c in wb["Summary"]["B"]]
    assert header_keys(wb[OPTIONS]) == list(HEADERS)
    assert HEADERS[1:] == OPTION_KEYS
    assert wb[OPTIONS].cell(HEADER_ROW, HEADERS.index("npv") + 1).value == "NPV"
    rows = sheet_rows(path, data_only=False)
    assert [r["name"] for r in rows] == ["Do nothing", "MST", "FFT"]
    for r in rows:
        for key in FIGURE_KEYS:
            assert str(r[key]).startswith("="), (r["name"], key, r[key])
    # An option's money adds up its block of its interventions' cells (those the Summary shows).
    ws = wb[OPTIONS]
    assert rows[1]["cost"].startswith("=SUM(")
    first = int(rows[1]["cost"].split(":")[0].removeprefix("=SUM(").lstrip("ABCDEFGHIJ"))
    copied = ws.cell(first, HEADERS.index("cost") + 1).value
    assert copied.startswith("=Calculations!$") and ws.cell(first, 2).value == "edge-of-care-mst"
    assert rows[0]["cost"] == "=0"  # doing nothing funds nothing
    # Rank, status, comparator and incremental figures are formulas, so an edit re-ranks.
    for key in ("rank", "status", "compared_with", *INCREMENTAL_KEYS):
        assert all(str(r[key]).startswith("=") for r in rows), key
    assert "SUMPRODUCT(" in rows[0]["rank"]
    # The Summary shows each option's row, from the Options sheet.
    summary = [[c.value for c in r] for r in wb["Summary"].iter_rows() if r[0].value == "option"]
    assert [r[1] for r in summary] == ["Do nothing", "MST", "FFT"]
    assert str(summary[1][3]).startswith("=Options!$")
    # Every option figure is on the Checks sheet, against the engine's.
    owners = {c.value for c in wb["Checks"]["B"] if c.value}
    assert {"option: Do nothing", "option: MST", "option: FFT"} <= owners


def test_read_without_recalculation_the_sheet_gives_the_engines_figures(tmp_path):
    # Each formula is saved with the engine's result, for readers that do not recalculate.
    portfolio = portfolio_from_data(branches(), "branches.yaml")
    path = write_book(portfolio, tmp_path, "branches")
    assert_options_match(path, engine_options(portfolio))


def test_an_option_name_is_text_never_a_formula(tmp_path):
    data = without_doing_nothing()
    data["evidence"] = {"local-test-source": LOCAL_SOURCE}
    data["options"][0]["name"] = '=HYPERLINK("http://x","y")'
    path = write_book(portfolio_from_data(data, "t.yaml"), tmp_path, "inject")
    ws = load_workbook(path)[OPTIONS]
    cell = ws.cell(FIRST_ROW, HEADERS.index("name") + 1)
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"


# ---------------------------------------------------------------------------------------------
# Recalculated by LibreOffice
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, Path]]:
    """name -> (the portfolio the engine appraises, the recalculated workbook)."""
    require_tool("soffice")
    folder = tmp_path_factory.mktemp("options-books")
    example = load_portfolio(OPTIONS_EXAMPLE)
    portfolios = {
        "example": example,
        "branches": portfolio_from_data(branches(), "branches.yaml"),
        "no-nothing": portfolio_from_data(without_doing_nothing(), "no-nothing.yaml"),
    }
    written = {name: write_book(p, folder, name) for name, p in portfolios.items()}
    # FFT given MST-CAN's 16-point effect on the Inputs sheet: the same families kept out of care
    # at a higher cost, so every option figure and increment must move with it.
    edited = write_book(example, folder, "edited")
    written["edited"] = set_input(edited, "edge-of-care-fft.effect.success_rate", 0.16)
    data = example.model_dump(mode="json", exclude_none=True)
    data["interventions"][1]["effect"]["success_rate"] = 0.16
    portfolios["edited"] = portfolio_from_data(data, "edited.yaml")
    audit = write_book(example, folder, "audit")
    set_input(audit, "edge-of-care-mst.effect.success_rate", 0.02)
    written["audit"] = set_input(audit, "edge-of-care-fft.effect.success_rate", 0.16)
    data = example.model_dump(mode="json", exclude_none=True)
    data["interventions"][0]["effect"]["success_rate"] = 0.02
    data["interventions"][1]["effect"]["success_rate"] = 0.16
    portfolios["audit"] = portfolio_from_data(data, "audit.yaml")
    names = list(written)
    out = recalculate([written[n] for n in names], folder / "recalculated")
    return {n: (portfolios[n], o) for n, o in zip(names, out, strict=True)}


def assert_options_match(path: Path, expected: list[dict[str, Any]]) -> None:
    """Every option figure as the engine's: rank, status, comparator and increments included."""
    rows = sheet_rows(path, data_only=True)
    assert [r["name"] for r in rows] == [o["name"] for o in expected]
    for row, option in zip(rows, expected, strict=True):
        assert row["rank"] == option["rank"], option["name"]
        for key in FIGURE_KEYS:
            assert_same(row[key], option[key], key, option["name"])
        words = {"frontier": 0, "dominated": 1, "extended_dominance": 2}[option["status"]]
        assert row["status"] == STATUS_WORDS[words], option["name"]
        assert row["compared_with"] == compared_text(option), option["name"]
        if option["incremental_npv"] is None:
            assert all(str(row[key]).startswith("none: ") for key in INCREMENTAL_KEYS)
            continue
        for key in INCREMENTAL_KEYS:
            if key == "incremental_bcr":
                assert row[key] == pytest.approx(option[key], rel=1e-9), option["name"]
            else:
                assert abs(row[key] - option[key]) < 1, (option["name"], key)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["example", "branches", "no-nothing"])
def test_the_options_sheet_recalculates_to_the_evaluate_json(books, name):
    portfolio, recalculated = books[name]
    assert_options_match(recalculated, engine_options(portfolio))
    assert master_check(recalculated) is True


@pytest.mark.slow
def test_the_example_sheet_is_the_clis_json(books):
    _, recalculated = books["example"]
    assert_options_match(recalculated, evaluate_json(OPTIONS_EXAMPLE)["options"])


@pytest.mark.slow
def test_the_branches_are_taken(books):
    options = {o["name"]: o for o in engine_options(books["branches"][0])}
    assert options["Both"]["payback_year"] not in (None, 1)  # a later payback
    assert options["Weak"]["payback_year"] is None  # never
    assert options["Free"]["compared_with"] is None and options["Free"]["pv_cost"] == 0
    no_nothing = {o["name"]: o for o in engine_options(books["no-nothing"][0])}
    assert no_nothing["Alternative"]["compared_with"] is None  # against doing nothing
    assert no_nothing["Alternative"]["incremental_npv"] == no_nothing["Alternative"]["npv"]
    statuses = {o["status"] for o in options.values()} | {o["status"] for o in no_nothing.values()}
    assert {"frontier", "dominated"} <= statuses


@pytest.mark.slow
def test_an_input_edited_on_the_sheet_moves_every_option_figure(books):
    portfolio, recalculated = books["edited"]
    expected = engine_options(portfolio)
    fft = next(o for o in expected if o["name"] == "FFT")
    # FFT saves what MST saves for more money: dominated now; and its NPV passes doing
    # nothing's, so the options re-rank on the sheet as the engine ranks them.
    assert fft["status"] == "dominated" and fft["rank"] == 2
    assert_options_match(recalculated, expected)
    assert master_check(recalculated) is True  # a sound edit
    unchanged = load_workbook(recalculated, data_only=True)["Checks"]["D4"].value
    assert unchanged is False  # moved from the appraisal exported


@pytest.mark.slow
def test_the_audits_edit_makes_fft_rank_1_and_mst_dominated(books):
    # The audit's edit (MST 0.02, FFT 0.16), made on the Inputs sheet and recalculated:
    # FFT is now rank 1, and MST, dearer per pound saved than doing nothing-then-FFT, is ruled
    # out by extended dominance; neither shows an incremental ratio it should not.
    portfolio, recalculated = books["audit"]
    rows = {r["name"]: r for r in sheet_rows(recalculated, data_only=True)}
    assert rows["FFT"]["rank"] == 1 and rows["MST"]["rank"] == 3
    assert rows["MST"]["status"] == "dominated (extended dominance)"
    assert rows["MST"]["incremental_bcr"] == "none: extended dominance"
    assert rows["FFT"]["compared_with"] == "Do nothing"
    assert_options_match(recalculated, engine_options(portfolio))
    assert master_check(recalculated) is True


def cross_option_sums(options: list[dict[str, Any]]) -> dict[float, str]:
    """Every sum of a money figure over two or more options, each with that figure non-zero
    (a sum with a zero is an option's own figure)."""
    from itertools import combinations

    sums = {}
    spending = [o for o in options if o["pv_cost"] or o["pv_gross_savings"]]
    for key in ("cost", "gross_savings", "net_savings", "cashable_net_savings", "pv_cost", "npv"):
        for k in range(2, len(spending) + 1):
            for group in combinations(spending, k):
                if all(o[key] for o in group):
                    sums[sum(o[key] for o in group)] = f"{key} of {[o['name'] for o in group]}"
    return sums


@pytest.mark.slow
@pytest.mark.parametrize("name", ["example", "audit"])
def test_no_cell_of_the_workbook_adds_up_options(books, name):
    # A total across mutually exclusive options (MST + FFT) is nowhere: not on Summary, Cash
    # flows, About or Checks; every number of the recalculated workbook is compared with every
    # cross-option sum of every money figure.
    portfolio, recalculated = books[name]
    sums = cross_option_sums(engine_options(portfolio))
    wb = load_workbook(recalculated, data_only=True)
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert "Portfolio total" not in value and "Portfolio cashable" not in value
                if isinstance(value, float) and abs(value) > 1:
                    seen += 1
                    hit = [what for total, what in sums.items() if abs(value - total) < 0.5]
                    assert not hit, (ws.title, value, hit)
    assert seen > 100
