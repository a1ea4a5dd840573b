"""The workbook's Forecast sheet as written: the baseline's inputs as input cells, a formula in every
forecast cell with one shape per line, the with-portfolio comparison from Cash flows, the chart,
its figures on Checks, and import-xlsx saying when a baseline input was edited on it. (Its
recalculation by LibreOffice is tested in test_excel_libreoffice.py.)"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from openpyxl import load_workbook

from appraise.analyses.forecast import COMPARISON_KEYS, FORECAST_KEYS
from appraise.model.load import portfolio_from_data
from appraise.workbook.checks import CHECK_FIRST_ROW
from appraise.workbook.export import workbook_bytes
from appraise.workbook.importing import import_workbook
from tests.helpers import intervention, portfolio_data
from tests.test_excel import literals, load_example, set_input, shape, write_book

YEARS = 11  # 2017 and the ten forecast years of thurrock-2017-baseline.yaml


def small_baseline(**overrides: Any) -> dict[str, Any]:
    """A baseline with every form the sheet lays out: a population series, a linear trend fitted
    to a history, a target reached by a given year, and the portfolio starting in the start year."""
    data: dict[str, Any] = {
        "start_year": 2020,
        "years": 4,
        "child_population": {2019: 9000, 2022: 10000, 2025: 11000},
        "lac_rate_per_10k": 50,
        "uasc": 10,
        "weeks_in_care_per_child": 40,
        "weekly_placement_cost": 1000,
        "non_placement_share": 0.5,
        "scenarios": [
            {
                "name": "Rising",
                "lac_rate_trend": {
                    "history": {2016: 40, 2017: 44, 2018: 47, 2019: 49},
                    "form": "linear",
                },
            },
            {"name": "Falling", "lac_rate_target": {"value": 40, "year": 2023}},
            {"name": "Flat"},
        ],
        "with_portfolio": {"scenario": "Rising", "start_year": 2020},
    }
    data.update(overrides)
    return data


def forecast_portfolio(**baseline: Any) -> dict[str, Any]:
    """An MST-like service in two cohorts whose savings last three years, over a 2-year horizon,
    and a DV programme (another outcome, so left out of the comparison)."""
    items = [
        intervention(
            timing={"cohorts": 2, "benefit_lag_months": 6, "benefit_years": 3, "annual_decay": 0.2}
        ),
        intervention(id="dv", averts="dv_incident", reach={"count": 10}, effect={"per_case": 1.0}),
    ]
    return portfolio_data(interventions=items, horizon_years=2, baseline=small_baseline(**baseline))


@pytest.fixture(scope="module")
def thurrock() -> Any:
    return load_workbook(io.BytesIO(workbook_bytes(load_example())))


def rows_by_key(ws: Any) -> dict[str, list[int]]:
    """Rows of the Forecast sheet by the JSON key in column C (a key repeats per scenario)."""
    found: dict[str, list[int]] = {}
    for row in ws.iter_rows(min_row=4):
        key = row[2].value
        if isinstance(key, str) and row[2].data_type == "s" and row[3].data_type == "f":
            found.setdefault(key, []).append(row[0].row)
    return found


def labelled(ws: Any, label: str) -> Any:
    """The column C cell of the row whose label starts with `label`."""
    for row in ws.iter_rows(min_row=4):
        if isinstance(row[0].value, str) and row[0].value.startswith(label):
            return row[2]
    raise KeyError(label)


def test_baseline_inputs_are_input_cells_holding_appendix_1_figures(thurrock):
    ws = thurrock["Forecast"]
    # APHR 2017 appendix 1: 66 non-UASC children in care per 10,000, 38 UASC, 35 weeks in care,
    # £1,072 a week, non-placement costs 47% of the total; 42,073 children in 2017 (345 / 82 x 10,000).
    expected = {
        "Non-UASC children in care per 10,000": 66,
        "Unaccompanied asylum-seeking children": 38,
        "Average weeks in care": 35,
        "Average placement cost a week": 1072,
        "Non-placement share": 0.47,
        "Child population in the year it is counted": 42073,
    }
    # The three the LAC outcome's cost shares (35 weeks, £1,072, 47%) are one cell each, on
    # Inputs, which both the outcome's cost and the forecast read (issue 13: one cell for each
    # assumption).
    shared = ("Average weeks in care", "Average placement cost a week", "Non-placement share")
    inputs = thurrock["Inputs"]
    for label, value in expected.items():
        found = labelled(ws, label)
        if label in shared:
            assert found.data_type == "f" and found.value.startswith("=Inputs!$B$"), label
            found = inputs[found.value.removeprefix("=Inputs!").replace("$", "")]
        assert found.data_type == "n" and found.value == value, label
        assert found.fill.fgColor.rgb.endswith("FFF2CC"), label  # yellow: an input
    # The SHMA growth path: +19% by 2024 and +35.4% by 2037, both from 2014.
    path = [r for r in ws.iter_rows(min_row=4) if str(r[0].value).startswith("Growth path (")][0]
    growth = [r for r in ws.iter_rows(min_row=4) if str(r[0].value).startswith("Growth since")][0]
    assert [c.value for c in path[3:6]] == [2014, 2024, 2037]
    assert [c.value for c in growth[3:6]] == [0, 0.19, 0.354]
    # Derived, not typed: £1,072 x 0.47 / 0.53 a week, and 35 x (£1,072 + that) a year.
    assert labelled(ws, "Non-placement cost a week").data_type == "f"
    assert labelled(ws, "What a child in care costs a year").data_type == "f"


def test_every_forecast_cell_is_a_formula_with_one_shape_per_line(thurrock):
    ws = thurrock["Forecast"]
    lines = 0
    for row in ws.iter_rows(min_row=4, min_col=4, max_col=3 + YEARS):
        values = [c for c in row if c.value is not None]
        if not values or not any(c.data_type == "f" for c in values):
            continue
        if ws.cell(row[0].row, 3).value is None and len(values) < YEARS:
            continue  # a path or history table (inputs, and their factors or x)
        lines += 1
        assert len(values) == YEARS and all(c.data_type == "f" for c in values), row[0].row
        assert len({shape(c.value) for c in values}) == 1, row[0].row
    # 3 scenarios and the one with the portfolio (11 lines each from children in care on), the
    # comparison, the population path and the counted interventions' rows
    assert lines >= 4 * 11 + len(COMPARISON_KEYS) - 1


def test_lines_carry_the_forecast_json_keys_for_each_scenario(thurrock):
    rows = rows_by_key(thurrock["Forecast"])
    for key in FORECAST_KEYS:
        if key in ("year", "child_population"):
            continue
        assert len(rows[key]) == 4, key  # three scenarios, and with the portfolio
    assert len(rows["child_population"]) == 1  # the same in every scenario
    for key in COMPARISON_KEYS:
        if key != "year":
            assert key in rows, key


def test_comparison_counts_only_the_interventions_averting_children_in_care(thurrock):
    ws = thurrock["Forecast"]
    labels = [str(r[0].value) for r in ws.iter_rows(min_row=4)]
    averting = [t.split(":")[0] for t in labels if t.endswith("LAC-years averted (Cash flows)")]
    # MST, Pause and parenting avert a year in care; STEPS and the perpetrator programme avert
    # domestic-violence incidents, which a forecast of care costs leaves out.
    assert averting == ["edge-of-care-mst", "pause", "parenting-capacity-expansion"]
    row = next(r for r in ws.iter_rows(min_row=4) if r[0].value.__str__().startswith("pause: LAC"))
    assert row[4].value.startswith("=IF(E") and "INDEX('Cash flows'!$D$" in row[4].value


def test_cash_flows_run_the_counted_interventions_over_the_forecast(thurrock):
    ws = thurrock["Cash flows"]
    labels = {r[0].row: r[0].value for r in ws.iter_rows(min_row=4)}
    heads = sorted((r, v.split(":")[0]) for r, v in labels.items() if v and ": " in str(v))
    heads = [(r, name) for r, name in heads if name in ("edge-of-care-mst", "steps-expansion")]
    counted = {}
    for (start, name), (end, _) in zip(heads, [*heads[1:], (ws.max_row + 1, "")], strict=True):
        cost = next(r for r in range(start, end) if labels.get(r) == "Cost")
        counted[name] = [c.value for c in ws[cost][3:] if c.value is not None]
        # The total in C counts the 5-year horizon only, however far the line runs.
        assert ws.cell(cost, 3).value == f"=SUM(D{cost}:H{cost})"
    # MST is counted on the Forecast: its cost runs the ten years from 2018; STEPS stops at 5.
    assert len(counted["edge-of-care-mst"]) == 10 and len(counted["steps-expansion"]) == 5
    assert "Years 6 to 10 lie after the appraisal horizon" in ws["A2"].value


def test_forecast_figures_are_on_the_checks_sheet_and_in_its_master_check(thurrock):
    checks = thurrock["Checks"]
    rows = [[c.value for c in r] for r in checks.iter_rows(min_row=CHECK_FIRST_ROW)]
    forecast = [r for r in rows if str(r[0]).startswith("=Forecast!") or "Forecast!" in str(r[4])]
    # Every forecast key of the four scenarios and of the comparison, each year: far more than
    # the Summary's own rows; the master check ANDs the whole column.
    assert len(forecast) >= (4 * 11 + len(COMPARISON_KEYS) - 1) * YEARS
    owners = {r[1] for r in forecast}
    assert {"Population growth only", "Rising rate", "Falling rate", "comparison"} <= owners
    # "Unchanged since export" ANDs the whole column; the master check is Integrity's.
    assert checks["D4"].value == f"=AND(H{CHECK_FIRST_ROW}:H{checks.max_row})"
    assert checks["D2"].value == "=Integrity!$F$3"


def test_a_line_chart_of_spend_with_and_without_the_portfolio():
    raw = zipfile.ZipFile(io.BytesIO(workbook_bytes(load_example())))
    charts = [raw.read(n).decode() for n in raw.namelist() if n.startswith("xl/charts/chart")]
    line = [c for c in charts if "<lineChart>" in c]
    assert len(line) == 1
    assert line[0].count("<ser>") == 2
    assert "Without the portfolio" in line[0] and "With the portfolio" in line[0]
    assert "'Forecast'!$D$3:$N$3" in line[0]  # the years 2017-2027 along the axis


def test_a_portfolio_without_a_baseline_has_no_forecast_sheet():
    wb = load_workbook(io.BytesIO(workbook_bytes(portfolio_from_data(portfolio_data(), "p.yaml"))))
    assert "Forecast" not in wb.sheetnames
    assert all("Forecast" not in str(r[0].value) for r in wb["About"].iter_rows())


def test_every_baseline_form_is_laid_out_as_inputs_and_formulas():
    portfolio = portfolio_from_data(forecast_portfolio(), "f.yaml")
    wb = load_workbook(io.BytesIO(workbook_bytes(portfolio)))
    ws = wb["Forecast"]
    labels = [str(r[0].value) for r in ws.iter_rows(min_row=4)]
    assert any(t.startswith("Child population given") for t in labels)  # a series
    assert "History: x = (year - t0) (linear trend)" in labels
    assert "Year the target is reached (year)" in labels
    assert (
        labelled(ws, "Years to reach the target").value
        == "=$C$" + str(labelled(ws, "Year the target is reached").row) + "-$D$3"
    )
    slope = labelled(ws, "Fitted trend: slope b").value
    assert slope.startswith("=SLOPE(") and labelled(ws, "Fitted trend: a").value.startswith(
        "=INTERCEPT("
    )
    # the portfolio starts in the start year (with_portfolio.start_year: 2020)
    assert labelled(ws, "The portfolio's year 1").value == 2020
    assert labels.count("svc: LAC-years averted (Cash flows)") == 1
    assert not any(t.startswith("dv:") for t in labels)


def test_no_comparison_when_the_portfolio_averts_more_than_the_baseline_has(tmp_path):
    # About 50 non-UASC children in care (10,000 children x 50 / 10,000) and a service averting
    # 135.5 x 0.5 = 67.75 LAC-years a year per cohort: by 2021, when the second cohort's savings
    # add to the first's, it averts more than there are. The comparison cannot be made; the
    # scenarios can.
    data = forecast_portfolio()
    data["interventions"][0]["effect"] = {"success_rate": 0.5}
    wb = load_workbook(write_book(data, tmp_path, "too-many"))
    ws = wb["Forecast"]
    notes = [str(r[0].value) for r in ws.iter_rows(min_row=4)]
    assert any(
        t.startswith("No comparison with the portfolio: baseline: in 2021 the portfolio averts")
        for t in notes
    )
    assert "lac_years_averted" not in rows_by_key(ws)
    assert len(rows_by_key(ws)["total_cost"]) == 3  # the three scenarios
    assert "Years 3 to" not in str(wb["Cash flows"]["A2"].value)  # no years past the horizon


def test_import_says_when_a_baseline_input_was_edited_on_the_forecast_sheet(tmp_path):
    book = write_book(forecast_portfolio(), tmp_path, "f")
    wb = load_workbook(book)
    cell = labelled(wb["Forecast"], "Average weeks in care")
    cell.value = 30
    wb.save(book)
    set_input(book, "svc.effect.success_rate", 0.2)
    imported = import_workbook(book)
    assert imported.changes == [
        f"interventions[0].effect.success_rate: 0.16 -> 0.2 (Inputs!{_input_at(book)})"
    ]
    assert imported.data["baseline"]["weeks_in_care_per_child"] == 40  # not carried back
    assert imported.warnings == [
        f"Forecast!{cell.coordinate}: Average weeks in care per child a year "
        "(weeks_in_care_per_child) was changed from 40 to 30 on the workbook; import-xlsx reads "
        "the Inputs sheet only, so the imported file keeps the baseline as it was: change the "
        "baseline itself to keep it"
    ]


def _input_at(book: Any) -> str:
    from tests.test_excel import input_cell

    return input_cell(load_workbook(book)["Inputs"], "svc.effect.success_rate").coordinate


def test_the_forecast_has_no_literal_other_than_0_1_12_100():
    wb = load_workbook(io.BytesIO(workbook_bytes(portfolio_from_data(forecast_portfolio(), "f"))))
    assert {0, 1, 12} <= literals(wb)
