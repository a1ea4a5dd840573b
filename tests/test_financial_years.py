"""Financial years everywhere: a portfolio or a baseline that sets `start` is labelled by financial
year (2018-19, 2019-20, ...) in evaluate's years, the forecast, track and the workbook; without
`start` every output is as it was.

Labels are worked by hand from the calendar: a financial year starting in April runs April of one
year to March of the next, and an appraisal year is labelled by the financial year it begins in.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from appraise.model.periods import financial_years_spanned, month_index
from tests.conftest import THURROCK, run_cli, thurrock_in

BASELINE = "thurrock-2017-baseline.yaml"


def thurrock(folder: Path, portfolio: str = "", baseline: str = "") -> Path:
    """A copy of the Thurrock example with lines added after `horizon_years` (the portfolio) and
    after `start_year` (its baseline)."""
    path = thurrock_in(folder)
    if portfolio:
        text = path.read_text().replace("horizon_years: 5\n", f"horizon_years: 5\n{portfolio}\n")
        path.write_text(text)
    if baseline:
        base = folder / BASELINE
        text = base.read_text().replace("  start_year: 2017\n", f"  start_year: 2017\n{baseline}\n")
        base.write_text(text)
    return path


def cli_json(*args: str | Path) -> dict:
    proc = run_cli(*args, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def refused(proc, file: Path, field: str, value: str) -> None:
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    assert f"{file}: {field}:" in proc.stderr and f"(got {value})" in proc.stderr, proc.stderr


def without_labels(data):
    """The data with every `financial_year` (and the forecast's frame) taken out."""
    if isinstance(data, dict):
        return {
            k: without_labels(v)
            for k, v in data.items()
            if k not in ("financial_year", "start_financial_year")
        }
    if isinstance(data, list):
        return [without_labels(v) for v in data]
    return data


# ---------------------------------------------------------------------------------------------
# evaluate
# ---------------------------------------------------------------------------------------------


def test_start_in_april_labels_each_year_by_its_financial_year(tmp_path, thurrock_json):
    data = cli_json("evaluate", thurrock(tmp_path, "start: 2018-04"))
    years = data["portfolio"]["years"]
    # Year 1 runs April 2018 to March 2019: 2018-19; year 5 is 2022-23.
    assert [y["financial_year"] for y in years] == [
        "2018-19",
        "2019-20",
        "2020-21",
        "2021-22",
        "2022-23",
    ]
    assert list(years[0])[:3] == ["year", "financial_year", "cost"]
    for record in data["interventions"]:
        assert [y["financial_year"] for y in record["years"]] == [
            y["financial_year"] for y in years
        ]
    # The label is all that changes.
    assert without_labels(data) == without_labels(thurrock_json)


def test_without_start_nothing_is_labelled(thurrock_json):
    for record in [thurrock_json["portfolio"], *thurrock_json["interventions"]]:
        assert all("financial_year" not in y for y in record["years"])
    table = run_cli("evaluate", THURROCK).stdout
    assert "Year 1 is" not in table and "year 1 (" not in table


def test_a_start_within_a_financial_year_labels_the_year_each_begins_in(tmp_path):
    # Year 1 runs January to December 2018: it begins in 2017-18 (April 2017 to March 2018), and
    # year 2 (from January 2019) in 2018-19.
    years = cli_json("evaluate", thurrock(tmp_path, "start: 2018-01"))["portfolio"]["years"]
    assert [y["financial_year"] for y in years[:2]] == ["2017-18", "2018-19"]


def test_financial_years_starting_in_september(tmp_path):
    # Academic years: 2018-19 runs September 2018 to August 2019, so a start in August 2018
    # begins in 2017-18.
    folder = tmp_path / "sept"
    folder.mkdir()
    path = thurrock(folder, "start: 2018-09\nfinancial_year_start_month: 9")
    years = cli_json("evaluate", path)["portfolio"]["years"]
    assert years[0]["financial_year"] == "2018-19"
    path.write_text(path.read_text().replace("start: 2018-09", "start: 2018-08"))
    years = cli_json("evaluate", path)["portfolio"]["years"]
    assert years[0]["financial_year"] == "2017-18"


def test_the_table_says_which_year_is_which(tmp_path):
    proc = run_cli("evaluate", thurrock(tmp_path, "start: 2018-04"))
    assert proc.returncode == 0, proc.stderr
    assert "Year 1 is 2018-19, year 5 is 2022-23." in proc.stdout
    # MST pays back in its first year (APHR 2017 Table 7: net savings £1,225,153 a year).
    assert "year 1 (2018-19)" in proc.stdout


@pytest.mark.parametrize(
    ("line", "field", "value"),
    [
        ("start: 2018-13", "start", "'2018-13'"),
        ("start: 2018", "start", "2018"),
        ("start: 2011-12", "start", "'2011-12'"),  # the financial year, never a month
        ("start: 04/2018", "start", "'04/2018'"),
        ("start: 2018-04\nfinancial_year_start_month: 0", "financial_year_start_month", "0"),
        ("start: 2018-04\nfinancial_year_start_month: 13", "financial_year_start_month", "13"),
        ("start: 2018-04\nfinancial_year_start_month: 1", "financial_year_start_month", "1"),
    ],
)
def test_a_start_written_wrongly_is_refused(tmp_path, line, field, value):
    path = thurrock(tmp_path, line)
    for command in ("evaluate", "validate"):
        refused(run_cli(command, path), path, field, value)


# ---------------------------------------------------------------------------------------------
# forecast
# ---------------------------------------------------------------------------------------------


def test_a_baseline_with_start_labels_the_forecast(tmp_path):
    path = thurrock(tmp_path, baseline="  start: 2017-04")
    data = cli_json("forecast", tmp_path / BASELINE)
    assert (data["start"], data["financial_year_start_month"]) == ("2017-04", 4)
    years = data["scenarios"][0]["years"]
    # The start year 2017 begins in April 2017: 2017-18; ten years on, 2027 is 2027-28.
    assert [(y["year"], y["financial_year"]) for y in (years[0], years[-1])] == [
        (2017, "2017-18"),
        (2027, "2027-28"),
    ]
    table = run_cli("forecast", path).stdout
    assert "from 2017-18 (year 2017, from 2017-04; change against it)" in table
    assert "\n2017-18 " in table and "\n2027-28 " in table
    # With the portfolio (its year 1 is 2018, the year after the observed one): 2018-19.
    comparison = cli_json("forecast", path)["with_portfolio"]
    assert comparison["start_financial_year"] == "2018-19"
    assert comparison["years"][1]["financial_year"] == "2018-19"
    assert "(portfolio year 1 = 2018, 2018-19)" in table


def test_without_start_the_forecast_is_as_it_was(tmp_path):
    path = thurrock(tmp_path)
    plain = cli_json("forecast", path)
    assert "start" not in plain and "financial_year" not in plain["scenarios"][0]["years"][0]
    labelled = cli_json("forecast", thurrock(tmp_path, baseline="  start: 2017-04"))
    del labelled["start"], labelled["financial_year_start_month"]
    assert without_labels(labelled) == plain


def test_a_baseline_start_outside_its_start_year_is_refused(tmp_path):
    thurrock(tmp_path, baseline="  start: 2018-04")
    base = tmp_path / BASELINE
    proc = run_cli("forecast", base)
    refused(proc, base, "baseline.start", "'2018-04'")
    assert "so in start_year 2017" in proc.stderr


@pytest.mark.parametrize(
    ("line", "field", "value"),
    [
        ("  start: 2017-13", "baseline.start", "'2017-13'"),
        (
            "  start: 2017-04\n  financial_year_start_month: 0",
            "baseline.financial_year_start_month",
            "0",
        ),
    ],
)
def test_a_baseline_start_written_wrongly_is_refused(tmp_path, line, field, value):
    thurrock(tmp_path, baseline=line)
    base = tmp_path / BASELINE
    for command in ("forecast", "validate"):
        refused(run_cli(command, base), base, field, value)


def test_a_run_of_months_lies_in_one_financial_year_or_spans_several():
    april_2018 = month_index(2018, 4)
    assert financial_years_spanned(april_2018, 12) == "2018-19"  # April 2018 to March 2019
    assert financial_years_spanned(april_2018 - 1, 2) == "2017-18..2018-19"  # March, April
    assert financial_years_spanned(april_2018, 36) == "2018-19..2020-21"
    assert financial_years_spanned(month_index(2018, 8), 1, 9) == "2017-18"  # August, Sept. years


def test_a_portfolio_and_its_baseline_must_agree_on_year_1(tmp_path):
    # The baseline's year 2017 begins in April 2017, so a first cohort in April 2019 falls in
    # forecast year 2019; the portfolio's year 1 in the forecast is 2018 (the year after 2017).
    path = thurrock(tmp_path, "start: 2019-04", "  start: 2017-04")
    proc = run_cli("evaluate", path)
    refused(proc, path, "start", "'2019-04'")
    assert "set baseline.with_portfolio.start_year: 2019" in proc.stderr
    # April 2018 is forecast year 2018, the portfolio's year 1: accepted.
    path.write_text(path.read_text().replace("start: 2019-04", "start: 2018-04"))
    assert run_cli("evaluate", path).returncode == 0


def test_a_portfolio_and_its_baseline_must_agree_on_when_years_start(tmp_path):
    path = thurrock(tmp_path, "start: 2018-04\nfinancial_year_start_month: 9", "  start: 2017-04")
    proc = run_cli("evaluate", path)
    refused(proc, path, "financial_year_start_month", "9")
    assert "the baseline's is 4" in proc.stderr


# ---------------------------------------------------------------------------------------------
# track
# ---------------------------------------------------------------------------------------------


def _actuals(folder: Path, *periods: str) -> Path:
    path = folder / "actuals.yaml"
    rows = [
        {"intervention": "pause", "period": p, "cases": 4, "outcomes_averted": 0, "spend": 75000}
        for p in periods
    ]
    path.write_text(yaml.safe_dump({"portfolio": "thurrock-2017.yaml", "actuals": rows}))
    return path


def test_track_labels_each_period_by_its_financial_year(tmp_path):
    thurrock(tmp_path, "start: 2018-04")
    path = _actuals(tmp_path, "2018-Q1", "2018-Q2", "2018-07..2019-06", "2019-20-Q3")
    periods = cli_json("track", path)["interventions"][0]["periods"]
    # January to March 2018 lie in 2017-18; April to June 2018 in 2018-19; July 2018 to June
    # 2019 spans 2018-19 and 2019-20; October to December 2019 lie in 2019-20.
    assert [(p["period"], p["financial_year"]) for p in periods] == [
        ("2018-Q1", "2017-18"),
        ("2018-Q2", "2018-19"),
        ("2018-07..2019-06", "2018-19..2019-20"),
        ("2019-20-Q3", "2019-20"),
    ]
    table = run_cli("track", path).stdout
    assert "2018-Q1 (2017-18)" in table and "2019-20-Q3 " in table


def test_track_without_start_prints_periods_as_written(tmp_path):
    thurrock(tmp_path)
    path = _actuals(tmp_path, "2018-Q1")
    assert "financial_year" not in cli_json("track", path)["interventions"][0]["periods"][0]
    assert "(2017-18)" not in run_cli("track", path).stdout


# ---------------------------------------------------------------------------------------------
# The workbook's headers
# ---------------------------------------------------------------------------------------------


def test_the_workbook_labels_cash_flows_and_forecast_by_financial_year(tmp_path):
    path = thurrock(tmp_path, "start: 2018-04", "  start: 2017-04")
    book = tmp_path / "fy.xlsx"
    proc = run_cli("export", path, "--xlsx", book)
    assert proc.returncode == 0, proc.stderr
    assert "2017-18 to 2027-28" in proc.stdout
    wb = load_workbook(book)
    cash = wb["Cash flows"]
    # Row 3: the year numbers the formulas use; row 4: their financial years.
    assert [cash.cell(3, c).value for c in (4, 5)][0] == 1
    assert [cash.cell(4, c).value for c in range(4, 9)] == [
        "2018-19",
        "2019-20",
        "2020-21",
        "2021-22",
        "2022-23",
    ]
    assert cash.freeze_panes == "D5"
    forecast = wb["Forecast"]
    assert forecast.cell(3, 4).value == 2017
    assert [forecast.cell(4, c).value for c in (4, 5, 14)] == ["2017-18", "2018-19", "2027-28"]
    assert forecast.freeze_panes == "D5"


def test_without_start_the_workbook_headers_are_as_they_were(tmp_path):
    book = tmp_path / "plain.xlsx"
    assert run_cli("export", THURROCK, "--xlsx", book).returncode == 0
    wb = load_workbook(book)
    assert wb["Cash flows"].freeze_panes == "D4"
    assert wb["Cash flows"].cell(4, 1).value != "Financial year (the one each year begins in)"
    assert wb["Forecast"].freeze_panes == "D4"
