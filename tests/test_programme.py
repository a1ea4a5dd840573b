"""`appraise programme`: a programme against its outline business case.

A small programme worked by hand checks every JSON figure; the East Sussex THRIVE example
reproduces the June 2014 progress report's own arithmetic; the Suffolk example its savings
statuses; bad input is refused with the file, the field and the value, exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appraise.analyses.programme import (
    SAVINGS_KEYS,
    SAVINGS_STATUSES,
    TARGET_KEYS,
    YEAR_KEYS,
    report,
    savings_status,
)
from appraise.model.programme import load_programme, programme_from_text
from tests.conftest import EXAMPLES, run_cli

THRIVE = EXAMPLES / "east-sussex-thrive-programme.yaml"
THRIVE_ACTUALS = EXAMPLES / "east-sussex-thrive-actuals.yaml"
SUFFOLK = EXAMPLES / "suffolk-meic.yaml"
ILLUSTRATION = EXAMPLES / "thurrock-programme-illustration.yaml"

# A programme small enough to work by hand: three financial years, a projection, actual spend
# for two of them, investment in each, two count targets and two savings targets.
HAND = {
    "programme": {
        "name": "Hand-worked programme",
        "start": "2020-04",
        "investment": {"2020-21": 300_000, "2021-22": 400_000, "2022-23": 200_000},
        "projection": {"2020-21": 10_000_000, "2021/22": 10_500_000, "2022-23": 11_000_000},
        "savings_targets": [
            {"workstream": "placements", "year": "2020-21", "value": 500_000},
            {"workstream": "contact", "year": "2022/23", "value": 200_000},
        ],
        "targets": [
            {"measure": "children_in_care", "at": "2022-03", "value": 400},
            {"measure": "children_in_care", "at": "2023-03", "value": 380},
        ],
    },
    "actuals": {
        "as_at": "2022-09",
        "spend": {"2020-21": 9_800_000, "2021-22": 9_900_000},
        "savings": [
            {"workstream": "placements", "year": "2020-21", "value": 520_000},
            {"workstream": "contact", "year": "2022-23", "value": 90_000},
        ],
        "measures": {"children_in_care": {"2021-03": 410, "2022-03": 392, "2022-09": 386}},
    },
}


def write(tmp_path: Path, data: dict, name: str = "programme.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def programme_json(*args: str | Path) -> dict:
    proc = run_cli("programme", *args, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def hand(tmp_path_factory) -> dict:
    return programme_json(write(tmp_path_factory.mktemp("hand"), HAND))


# ---------------------------------------------------------------------------------------------
# Worked by hand
# ---------------------------------------------------------------------------------------------


def test_hand_worked_years(hand):
    assert [list(y) for y in hand["years"]] == [list(YEAR_KEYS)] * 3
    y1, y2, y3 = hand["years"]
    # 2020-21: avoided = 10,000,000 - 9,800,000 = 200,000; net = 200,000 - 300,000 = -100,000.
    assert y1 == {
        "financial_year": "2020-21",
        "first_month": "2020-04",
        "last_month": "2021-03",
        "projected_spend": 10_000_000,
        "actual_spend": 9_800_000,
        "avoided_spend": 200_000,
        "avoided_spend_basis": "projected - actual",
        "investment": 300_000,
        "net_avoided_spend": -100_000,
        "cumulative_avoided_spend": 200_000,
        "cumulative_net_avoided_spend": -100_000,
    }
    # 2021-22 (written 2021/22 in the projection): avoided 10,500,000 - 9,900,000 = 600,000;
    # net 600,000 - 400,000 = 200,000; cumulative 200,000 + 600,000 = 800,000 and
    # -100,000 + 200,000 = 100,000.
    assert y2 == {
        "financial_year": "2021-22",
        "first_month": "2021-04",
        "last_month": "2022-03",
        "projected_spend": 10_500_000,
        "actual_spend": 9_900_000,
        "avoided_spend": 600_000,
        "avoided_spend_basis": "projected - actual",
        "investment": 400_000,
        "net_avoided_spend": 200_000,
        "cumulative_avoided_spend": 800_000,
        "cumulative_net_avoided_spend": 100_000,
    }
    # 2022-23: no actual spend yet, so nothing avoided is known, nor any running total.
    assert y3 == {
        "financial_year": "2022-23",
        "first_month": "2022-04",
        "last_month": "2023-03",
        "projected_spend": 11_000_000,
        "actual_spend": None,
        "avoided_spend": None,
        "avoided_spend_basis": None,
        "investment": 200_000,
        "net_avoided_spend": None,
        "cumulative_avoided_spend": None,
        "cumulative_net_avoided_spend": None,
    }


NO_FORECAST = {
    "forecast": None,
    "forecast_reported_at": None,
    "forecast_variance": None,
    "forecast_met": None,
}


def test_hand_worked_targets(hand):
    first, second = hand["targets"]
    assert list(first) == list(TARGET_KEYS)
    # 392 children in care at 2022-03 against 400: variance -8, met (lower is better);
    # the next target, 380 at 2023-03, is 392 - 380 = 12 away.
    assert first == {
        "measure": "children_in_care",
        "name": "children_in_care",
        "better": "lower",
        "at": "2022-03",
        "target": 400,
        "actual": 392,
        "variance": -8,
        "met": True,
        "next_at": "2023-03",
        "next_target": 380,
        "still_to_go": 12,
        **NO_FORECAST,
        "note": None,
    }
    # No value reported for 2023-03 yet.
    assert second == {
        "measure": "children_in_care",
        "name": "children_in_care",
        "better": "lower",
        "at": "2023-03",
        "target": 380,
        "actual": None,
        "variance": None,
        "met": None,
        "next_at": None,
        "next_target": None,
        "still_to_go": None,
        **NO_FORECAST,
        "note": None,
    }
    # The latest value, 386 at 2022-09, is 386 - 380 = 6 from the next target.
    (measure,) = hand["measures"]
    assert measure == {
        "measure": "children_in_care",
        "name": "children_in_care",
        "unit": None,
        "better": "lower",
        "values": [
            {"at": "2021-03", "value": 410},
            {"at": "2022-03", "value": 392},
            {"at": "2022-09", "value": 386},
        ],
        "targets": [{"at": "2022-03", "value": 400}, {"at": "2023-03", "value": 380}],
        "latest_at": "2022-09",
        "latest": 386,
        "next_at": "2023-03",
        "next_target": 380,
        "still_to_go": 6,
        # Counted at the end of each month, no baseline or comparators given.
        "counted": "at_date",
        "per_10000": False,
        "population": None,
        "baseline": None,
        "change_since_baseline": None,
        "latest_rate_per_10000": None,
        "comparators": [],
    }


def test_hand_worked_savings(hand):
    placements, contact = hand["savings"]
    assert list(placements) == list(SAVINGS_KEYS)
    # 2020-21 has ended by 2022-09: 520,000 against 500,000 is achieved (+20,000).
    assert placements == {
        "workstream": "placements",
        "year": "2020-21",
        "target": 500_000,
        "achieved": 520_000,
        "part_year": False,
        "forecast": None,
        "variance": 20_000,
        "due_to_date": 500_000,
        "status": "achieved",
        "reported_status": None,
        "savings_class": "cash_releasing",  # a budget reduction, by default
        "recurrence": "recurring",
        "note": None,
    }
    # 2022-23 is six months in at 2022-09 (April to September): 200,000 x 6 / 12 = 100,000 is
    # due, 90,000 is achieved, so it is at risk.
    assert contact == {
        "workstream": "contact",
        "year": "2022-23",
        "target": 200_000,
        "achieved": 90_000,
        "part_year": True,  # achieved to 2022-09, half way through 2022-23
        "forecast": None,
        "variance": -110_000,
        "due_to_date": 100_000,
        "status": "at risk",
        "reported_status": None,
        "savings_class": "cash_releasing",
        "recurrence": "recurring",
        "note": None,
    }
    assert hand["savings_total"] == {
        "target": 700_000,
        "achieved": 610_000,
        "targets_with_achieved": 2,
    }


def test_hand_worked_programme_frame(hand):
    assert hand["programme"] == "Hand-worked programme"
    assert (hand["start"], hand["end"], hand["as_at"]) == ("2020-04", "2023-03", "2022-09")
    assert hand["financial_year_start_month"] == 4
    assert hand["investment_in_spend"] is False
    assert hand["projection"] == {"kind": "by year"}
    assert hand["budget_lines"] == []
    assert hand["savings_statuses"] == SAVINGS_STATUSES


def test_investment_in_spend_takes_nothing_more_off(tmp_path):
    data = json.loads(json.dumps(HAND))
    data["programme"]["investment_in_spend"] = True
    y1, y2, _ = programme_json(write(tmp_path, data))["years"]
    assert (y1["net_avoided_spend"], y2["net_avoided_spend"]) == (200_000, 600_000)
    assert y2["cumulative_net_avoided_spend"] == 800_000


def test_projection_and_spend_by_budget_line(tmp_path):
    data = json.loads(json.dumps(HAND))
    data["programme"]["projection"] = {
        "placements": {"2020-21": 7_000_000, "2021-22": 7_300_000, "2022-23": 7_600_000},
        "staffing": {"2020-21": 3_000_000, "2021-22": 3_200_000, "2022-23": 3_400_000},
    }
    data["actuals"]["spend"] = {
        "placements": {"2020-21": 6_900_000, "2021-22": 6_800_000},
        "staffing": {"2020-21": 2_900_000, "2021-22": 3_100_000},
    }
    out = programme_json(write(tmp_path, data))
    y1, y2, y3 = out["years"]
    # Totals are the sums of the lines: 7.0M + 3.0M = 10.0M projected, 6.9M + 2.9M = 9.8M spent.
    assert (y1["projected_spend"], y1["actual_spend"], y1["avoided_spend"]) == (
        10_000_000,
        9_800_000,
        200_000,
    )
    assert (y2["projected_spend"], y2["actual_spend"], y2["avoided_spend"]) == (
        10_500_000,
        9_900_000,
        600_000,
    )
    assert (y3["projected_spend"], y3["actual_spend"]) == (11_000_000, None)
    assert out["projection"] == {"kind": "by budget line"}
    placements = out["budget_lines"][0]
    assert placements["line"] == "placements"
    # 7,300,000 - 6,800,000 = 500,000 avoided on placements in 2021-22.
    assert placements["years"][1] == {
        "financial_year": "2021-22",
        "projected_spend": 7_300_000,
        "actual_spend": 6_800_000,
        "avoided_spend": 500_000,
    }


def test_a_measure_where_higher_is_better(tmp_path):
    data = json.loads(json.dumps(HAND))
    data["programme"]["targets"] = [
        {"measure": "adopters_approved", "at": "2021-03", "value": 30},
        {"measure": "adopters_approved", "at": "2022-03", "value": 40},
    ]
    data["programme"]["measures"] = {
        "adopters_approved": {"name": "Adopters approved", "better": "higher"}
    }
    data["actuals"]["measures"] = {"adopters_approved": {"2021-03": 34}}
    first, _ = programme_json(write(tmp_path, data))["targets"]
    # 34 against 30 where higher is better: variance +4, met; 40 - 34 = 6 still to go.
    assert (first["variance"], first["met"], first["still_to_go"]) == (4, True, 6)
    assert (first["name"], first["better"]) == ("Adopters approved", "higher")


@pytest.mark.parametrize(
    ("target", "achieved", "forecast", "elapsed", "status"),
    [
        (100, 100, None, 12, "achieved"),  # at least the target
        (100, 120, None, 3, "achieved"),  # achieved early
        (100, 99, None, 12, "missed"),  # year over, below target
        (100, None, None, 12, "not reported"),
        (100, None, 150, 12, "not reported"),  # a forecast for a year that has ended
        (100, 30, 100, 6, "on track"),  # the forecast meets the target
        (100, 80, 90, 9, "at risk"),  # the forecast falls short, whatever is achieved
        (120, 30, None, 3, "on track"),  # 120 x 3 / 12 = 30 due, 30 achieved
        (120, 29, None, 3, "at risk"),
        (100, None, 100, 0, "on track"),  # not started, forecast to meet it
        (100, None, None, 0, "not reported"),
    ],
)
def test_savings_statuses(target, achieved, forecast, elapsed, status):
    assert savings_status(target, achieved, forecast, elapsed) == status


def test_as_at_defaults_to_the_last_month_the_actuals_cover(tmp_path):
    data = json.loads(json.dumps(HAND))
    del data["actuals"]["as_at"]
    out = programme_json(write(tmp_path, data))
    # The latest figure is savings achieved for 2022-23, whose year ends in 2023-03: the contact
    # target's year is then over, and 90,000 of 200,000 is missed.
    assert out["as_at"] == "2023-03"
    assert out["savings"][1]["status"] == "missed"


# ---------------------------------------------------------------------------------------------
# The examples
# ---------------------------------------------------------------------------------------------


def test_thrive_reproduces_the_reports_arithmetic():
    """East Sussex THRIVE progress report, June 2014: "Spend in 2012/13 was £6.4m lower than the
    projected spend without the programme. Spend in 2013/14 was £6.4m lower": £12.8M over two
    years; children in care 571 against a target of 560 (11 over), 51 from the end target of 520.
    """
    data = programme_json(THRIVE)
    y1, y2, y3 = data["years"]
    assert [y["financial_year"] for y in data["years"]] == ["2012-13", "2013-14", "2014-15"]
    assert y1["avoided_spend"] == 6_400_000 and y2["avoided_spend"] == 6_400_000
    assert y1["avoided_spend_basis"] == y2["avoided_spend_basis"] == "as reported"
    assert y2["cumulative_avoided_spend"] == 6_400_000 + 6_400_000 == 12_800_000
    # The report gives differences only: no projection or spend level is invented.
    assert all(y["projected_spend"] is None and y["actual_spend"] is None for y in data["years"])
    # Spend "including spend from the THRIVE reserve": nothing more is taken off.
    assert data["investment_in_spend"] is True
    assert (y2["investment"], y2["net_avoided_spend"]) == (3_900_000, 6_400_000)
    assert y2["cumulative_net_avoided_spend"] == 12_800_000
    assert y3["avoided_spend"] is None and y3["cumulative_avoided_spend"] is None
    in_care = [t for t in data["targets"] if t["measure"] == "children_in_care"]
    _, end_of_year_2, end_of_programme = in_care
    assert (end_of_year_2["at"], end_of_year_2["target"], end_of_year_2["actual"]) == (
        "2014-03",
        560,
        571,
    )
    assert end_of_year_2["variance"] == 571 - 560 == 11
    assert end_of_year_2["met"] is False
    assert end_of_year_2["next_target"] == 520
    assert end_of_year_2["still_to_go"] == 571 - 520 == 51
    assert (end_of_programme["at"], end_of_programme["actual"]) == ("2015-03", None)
    assert data["actuals_file"] == str(THRIVE_ACTUALS)
    assert data["sources"] == ["east-sussex-thrive-2012", "east-sussex-thrive-2014"]


def test_thrive_table_shows_the_reports_arithmetic():
    proc = run_cli("programme", THRIVE)
    assert proc.returncode == 0, proc.stderr
    assert "£6,400,000 *" in proc.stdout and "£12,800,000" in proc.stdout
    assert "* as reported: the report states the spend avoided only" in proc.stdout
    lines = proc.stdout.splitlines()
    target = next(
        line for line in lines if line.startswith("Children in care ") and " 2014-03 " in line
    )
    # Target 560, actual 571, variance +11, not met; the next target 520 is 51 away.
    cells = target.split()[3:]
    assert cells == ["2014-03", "560", "571", "+11", "no", "520", "at", "2015-03", "51"]
    assert (
        "Children in care: latest 571 (2014-03); next target 520 at 2015-03, 51 still to go."
        in (lines)
    )


def test_thrive_actuals_given_explicitly_match_the_file_it_names():
    named = programme_json(THRIVE)
    given = programme_json(THRIVE, "--actuals", THRIVE_ACTUALS)
    assert given == named


def test_suffolk_savings_targets_and_statuses():
    """Suffolk MEIC review, June 2016: £5.1M in 2015/16 (achieved), £0.5M in 2016/17 ("on track",
    no amount given), £1.4M in 2017/18."""
    data = programme_json(SUFFOLK)
    rows = [
        (s["year"], s["target"], s["achieved"], s["status"], s["reported_status"])
        for s in data["savings"]
    ]
    assert rows == [
        ("2015-16", 5_100_000, 5_100_000, "achieved", "achieved"),
        ("2016-17", 500_000, None, "not reported", "on track"),
        ("2017-18", 1_400_000, None, "not reported", None),
    ]
    assert data["savings_total"]["target"] == 5_100_000 + 500_000 + 1_400_000
    assert data["as_at"] == "2016-06"
    proc = run_cli("programme", SUFFOLK)
    assert "Spend against the projection" not in proc.stdout  # the review gives no spend


def test_a_baseline_forecast_serves_as_the_projection():
    data = programme_json(ILLUSTRATION)
    forecast = json.loads(
        run_cli("forecast", EXAMPLES / "thurrock-2017-baseline.yaml", "--format", "json").stdout
    )
    scenario = next(s for s in forecast["scenarios"] if s["name"] == "Population growth only")
    by_year = {y["year"]: y["total_cost"] for y in scenario["years"]}
    # Forecast year Y is the financial year starting in Y.
    assert [(y["financial_year"], y["projected_spend"]) for y in data["years"]] == [
        ("2018-19", by_year[2018]),
        ("2019-20", by_year[2019]),
        ("2020-21", by_year[2020]),
    ]
    assert data["projection"]["kind"] == "forecast"
    assert data["projection"]["scenario"] == "Population growth only"
    # Investment is not in this spend: net = avoided - a year of the portfolio, £916,889.50.
    y1 = data["years"][0]
    assert y1["net_avoided_spend"] == pytest.approx(y1["avoided_spend"] - 916_889.5)


def copy_examples(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).write_text((EXAMPLES / name).read_text())


def test_the_projection_may_name_a_portfolio_with_a_baseline(tmp_path):
    copy_examples(
        tmp_path, "thurrock-2017.yaml", "thurrock-2017-baseline.yaml", "thurrock-lac-2011-2017.csv"
    )
    data = {
        "programme": {
            "name": "From a portfolio",
            "start": "2018-04",
            "end": "2019-03",
            "projection": {"forecast": "thurrock-2017.yaml", "cost": "cashable_cost"},
        }
    }
    out = programme_json(write(tmp_path, data))
    # The portfolio names thurrock-2017-baseline.yaml; its first scenario's placement cost in
    # 2018 (`appraise forecast`: 11,224 weeks of care x £1,072, £12,031,660).
    assert out["projection"]["scenario"] == "Population growth only"
    assert out["projection"]["cost"] == "cashable_cost"
    assert out["years"][0]["projected_spend"] == pytest.approx(12_031_660, abs=1)


@pytest.mark.parametrize(
    "path",
    [THRIVE, THRIVE_ACTUALS, SUFFOLK, ILLUSTRATION, EXAMPLES / "thurrock-2017-benchmarks.yaml"],
)
def test_validate_recognises_programme_files(path):
    proc = run_cli("validate", path)
    assert proc.returncode == 0, proc.stderr
    assert "valid programme" in proc.stdout


# ---------------------------------------------------------------------------------------------
# Output formats
# ---------------------------------------------------------------------------------------------


def test_table_and_markdown_show_the_same_figures(tmp_path):
    path = write(tmp_path, HAND)
    table = run_cli("programme", path)
    markdown = run_cli("programme", path, "--format", "markdown")
    assert table.returncode == markdown.returncode == 0
    for shown in (table.stdout, markdown.stdout):
        assert "Hand-worked programme: 2020-04 to 2023-03" in shown
        assert "actuals to 2022-09" in shown
        for figure in ("£200,000", "-£100,000", "£800,000", "+£20,000", "-£110,000", "at risk"):
            assert figure in shown, figure
    assert "| 2020-21 | £10,000,000 | £9,800,000 | £200,000 | £300,000 | -£100,000 |" in (
        markdown.stdout
    )
    assert "|---|---:|---:|---:|---:|---:|---:|---:|" in markdown.stdout
    assert "at risk: the year has not ended by as_at" in table.stdout


def test_markdown_escapes_pipes_in_text_from_the_file(tmp_path):
    data = json.loads(json.dumps(HAND))
    data["programme"]["savings_targets"][0]["workstream"] = "placements | fostering"
    data["actuals"]["savings"][0]["workstream"] = "placements | fostering"
    out = run_cli("programme", write(tmp_path, data), "--format", "markdown").stdout
    assert "| placements \\| fostering | 2020-21 |" in out


def test_python_api_gives_the_cli_json(tmp_path, hand):
    path = write(tmp_path, HAND)
    assert json.loads(json.dumps(report(load_programme(path)).to_data())) == {
        **hand,
        "file": str(path),
        "actuals_file": str(path),
    }


# ---------------------------------------------------------------------------------------------
# Bad input: the file, the field path and the value; exit 2
# ---------------------------------------------------------------------------------------------


def rejected(path: Path, *fragments: str, args: tuple[str, ...] = ()) -> None:
    """`programme` and `validate` exit 2 with every fragment on stderr and nothing on stdout."""
    for command in (("programme", path, *args), ("validate", path)):
        if args and command[0] == "validate":
            continue
        proc = run_cli(*command)
        assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
        assert proc.stdout == "" and "Traceback" not in proc.stderr
        for fragment in fragments:
            assert fragment in proc.stderr, (fragment, proc.stderr)


def changed(**sections) -> dict:
    data = json.loads(json.dumps(HAND))
    for section, updates in sections.items():
        data[section].update(updates)
    return data


@pytest.mark.parametrize(
    ("written", "says"),
    [
        (
            "2020-22",
            "2020-22 is not a financial year: a financial year runs from April of one year",
        ),
        (
            "2020/2021",
            "write a financial year with the last two digits of its second year: 2020-21",
        ),
        ("2020-21-Q1", "2020-21-Q1 is a quarter; a whole financial year is written 2020-21"),
        ("2020", "2020 is a calendar year; the financial year starting in it is 2020-21"),
    ],
)
def test_a_financial_year_written_wrongly(tmp_path, written, says):
    path = write(tmp_path, changed(programme={"investment": {written: 1000}}))
    rejected(path, f"{path}: programme.investment.{written}: a financial year is written", says)
    path = write(
        tmp_path,
        changed(programme={"savings_targets": [{"workstream": "x", "year": written, "value": 1}]}),
    )
    rejected(path, f"{path}: programme.savings_targets[0].year: a financial year is written")


def test_a_quarter_out_of_range_in_a_financial_year(tmp_path):
    path = write(tmp_path, changed(actuals={"avoided_spend": {"2020-21-Q5": 1}}))
    rejected(path, f"{path}: actuals.avoided_spend.2020-21-Q5:", "a quarter is Q1 to Q4")


def test_a_target_date_outside_the_programme(tmp_path):
    targets = [
        {"measure": "children_in_care", "at": "2023-04", "value": 1},
        {"measure": "children_in_care", "at": "2020-03", "value": 1},
    ]
    path = write(tmp_path, changed(programme={"targets": targets}))
    rejected(
        path,
        f"{path}: programme.targets[0].at: a target date outside the programme (2020-04 to "
        "2023-03) (got '2023-04')",
        f"{path}: programme.targets[1].at: a target date outside the programme",
    )


def test_a_year_outside_an_explicit_end(tmp_path):
    path = write(tmp_path, changed(programme={"end": "2022-03"}))
    rejected(
        path,
        f"{path}: programme.investment.2022-23: not a year of the programme (the programme runs "
        "2020-21 to 2021-22) (got '2022-23')",
        "programme.projection.2022-23: not a year of the programme",
        "programme.savings_targets[1].year: not a year of the programme",
        "programme.targets[1].at: a target date outside the programme (2020-04 to 2022-03)",
    )


def test_an_actuals_year_the_programme_lacks(tmp_path):
    path = write(
        tmp_path,
        changed(actuals={"spend": {"2020-21": 1, "2025-26": 2}, "avoided_spend": {"2019/20": 3}}),
    )
    rejected(
        path,
        f"{path}: actuals.spend.2025-26: the programme has no financial year 2025-26 (the "
        "programme runs 2020-21 to 2022-23) (got '2025-26')",
        f"{path}: actuals.avoided_spend.2019-20: the programme has no financial year 2019-20",
    )


def test_problems_in_a_separate_actuals_file_name_that_file(tmp_path):
    programme = write(tmp_path, {"programme": HAND["programme"]})
    actuals = write(tmp_path, {"actuals": {"spend": {"2030-31": 5}}}, name="actuals.yaml")
    rejected(
        programme,
        f"{actuals}: actuals.spend.2030-31: the programme has no financial year 2030-31",
        args=("--actuals", str(actuals)),
    )
    actuals.write_text(yaml.safe_dump({"actuals": {"spend": {"2030-2031": 5}}}))
    proc = run_cli("validate", actuals)
    assert proc.returncode == 2
    assert f"{actuals}: actuals.spend.2030-2031: a financial year is written" in proc.stderr


def test_names_the_programme_does_not_know(tmp_path):
    path = write(
        tmp_path,
        changed(
            actuals={
                "savings": [
                    {"workstream": "placement", "year": "2020-21", "value": 1},
                    {"workstream": "contact", "year": "2021-22", "value": 1},
                    {"workstream": "contact", "year": "2022-23"},
                ],
                "measures": {"children_in_cair": {"2021-03": 1}},
            }
        ),
    )
    rejected(
        path,
        "actuals.savings[0].workstream: no savings target names this workstream (did you mean "
        "'placements'?) (got 'placement')",
        "actuals.savings[1].year: contact has no savings target for this year (got '2021-22')",
        "actuals.savings[2]: give value (achieved), forecast or reported_status",
        "actuals.measures.children_in_cair: no target names this measure and programme.measures "
        "does not declare it (did you mean 'children_in_care'?)",
    )


def test_spend_and_the_difference_for_the_same_year(tmp_path):
    path = write(tmp_path, changed(actuals={"avoided_spend": {"2020-21": 5}}))
    rejected(path, f"{path}: actuals.avoided_spend.2020-21: spend is also given for this year")


@pytest.mark.parametrize(
    ("programme", "says"),
    [
        ({"end": "2019-03"}, "programme.end: the programme ends before it starts (2020-04)"),
        ({"start": "2020-13"}, "programme.start: a month is written as year and month"),
        ({"investment": {"2020-21": -5}}, "programme.investment.2020-21: must be at least 0"),
        ({"investment": {"2020-21": 1e300}}, "programme.investment.2020-21: must be a finite"),
        ({"investment": {"2020-21": "lots"}}, "programme.investment.2020-21: expected a number"),
        (
            {"projection": {"2020-21": 1, "placements": {"2020-21": 1}}},
            "programme.projection: give the projection by financial year or by budget line, not",
        ),
        (
            {"projection": {"forecast": "x.yaml", "scenaria": "y"}},
            "programme.projection.scenaria: unknown key; a forecast projection takes forecast",
        ),
        (
            {"financial_year_start_month": 1},
            "programme.financial_year_start_month: a financial year starting in January is a "
            "calendar year",
        ),
        ({"investment_in_spend": "yes"}, "programme.investment_in_spend: expected true or false"),
        (
            {"end": "2080-03"},
            "programme.end: a programme runs at most 50 financial years (60 from 2020-04 to "
            "2080-03) (got '2080-03')",
        ),
        (
            {"targets": [{"measure": "children_in_care", "at": "2021-03", "value": 1}] * 2},
            "programme.targets[1]: children_in_care already has a target at 2021-03",
        ),
        (
            {"measures": {"adopters": {"better": "more"}}},
            "programme.measures.adopters.better:",
        ),
    ],
)
def test_bad_programme_fields(tmp_path, programme, says):
    path = write(tmp_path, changed(programme=programme))
    rejected(path, f"{path}: {says}")


def test_files_named_must_stay_in_the_programmes_folder(tmp_path):
    folder = tmp_path / "inside"
    folder.mkdir()
    write(tmp_path, {"actuals": HAND["actuals"]}, name="outside.yaml")
    for name in ("../outside.yaml", str(tmp_path / "outside.yaml")):
        path = write(folder, {"programme": HAND["programme"], "actuals": name})
        rejected(path, f"{path}: actuals: a")
        rejected(path, "a file may name only files in its own folder or below it")
        data = changed(programme={"projection": {"forecast": name}})
        del data["actuals"]
        path = write(folder, data)
        rejected(path, f"{path}: programme.projection.forecast: a")


def test_a_missing_actuals_file_and_an_unknown_scenario(tmp_path):
    path = write(tmp_path, {"programme": HAND["programme"], "actuals": "nowhere.yaml"})
    rejected(path, f"{tmp_path / 'nowhere.yaml'}: file not found")
    copy_examples(tmp_path, "thurrock-2017-baseline.yaml", "thurrock-lac-2011-2017.csv")
    projection = {"forecast": "thurrock-2017-baseline.yaml", "scenario": "Rising"}
    path = write(tmp_path, changed(programme={"projection": projection}))
    rejected(
        path,
        f"{path}: programme.projection.scenario: no scenario of thurrock-2017-baseline.yaml has "
        "this name "
        "(scenarios: Population growth only, Rising rate, Falling rate) (got 'Rising')",
    )


def test_an_upload_cannot_name_other_files():
    text = yaml.safe_dump({"programme": HAND["programme"], "actuals": "actuals.yaml"})
    with pytest.raises(Exception, match="an uploaded file cannot name another file"):
        programme_from_text(text, "upload.yaml", folder=None)


def test_unknown_evidence_ids_are_refused(tmp_path):
    path = write(tmp_path, changed(programme={"sources": ["east-sussex-thrive-2041"]}))
    rejected(
        path, f"{path}: programme.sources[0]: unknown evidence id (got 'east-sussex-thrive-2041')"
    )


# ---------------------------------------------------------------------------------------------
# The documentation shows the output as the command prints it
# ---------------------------------------------------------------------------------------------


def shown_in_docs(command: str) -> str:
    """The output printed under `$ command` in docs/programme.md's code block."""
    text = (EXAMPLES.parent / "docs" / "programme.md").read_text()
    block = text.split(f"$ {command}\n", 1)[1].split("```", 1)[0]
    return block


@pytest.mark.parametrize("example", [THRIVE, SUFFOLK])
def test_docs_show_the_examples_as_the_command_prints_them(example):
    relative = example.relative_to(EXAMPLES.parent)
    proc = run_cli("programme", relative)
    assert proc.returncode == 0, proc.stderr
    assert shown_in_docs(f"appraise programme {relative}") == proc.stdout


def test_a_declared_measure_without_targets_is_still_reported(tmp_path):
    data = changed(programme={"measures": {"adopters_approved": {"better": "higher"}}})
    data["actuals"]["measures"]["adopters_approved"] = {"2021-03": 30, "2022-03": 41}
    out = programme_json(write(tmp_path, data))
    adopters = next(m for m in out["measures"] if m["measure"] == "adopters_approved")
    assert (adopters["latest_at"], adopters["latest"], adopters["next_target"]) == (
        "2022-03",
        41,
        None,
    )
    table = run_cli("programme", write(tmp_path, data)).stdout
    row = next(line for line in table.splitlines() if line.startswith("adopters_approved "))
    assert "41 (2022-03)" in row


def test_a_measure_value_outside_the_programme(tmp_path):
    path = write(
        tmp_path,
        changed(
            actuals={"measures": {"children_in_care": {"2020-03": 1, "2020-02": 2, "2023-04": 3}}}
        ),
    )
    rejected(
        path,
        f"{path}: actuals.measures.children_in_care.2020-02: outside the programme: a measure's "
        "values run from the month before it starts (2020-03) to its end (2023-03) (got '2020-02')",
        "actuals.measures.children_in_care.2023-04: outside the programme",
    )
    assert "children_in_care.2020-03" not in run_cli("programme", path).stderr


def test_markdown_keeps_a_name_with_a_line_break_on_one_row(tmp_path):
    data = changed()
    data["programme"]["savings_targets"][0]["workstream"] = "placements\nand fostering"
    data["actuals"]["savings"][0]["workstream"] = "placements\nand fostering"
    out = run_cli("programme", write(tmp_path, data), "--format", "markdown").stdout
    assert "| placements and fostering | 2020-21 |" in out


# ---------------------------------------------------------------------------------------------
# Any file at all: a report or InputError, never another exception
# ---------------------------------------------------------------------------------------------

ODD_VALUES = [
    "2020-21", "2021/22", "2024-25", "2020-22", "2020", "2020-04", "2023-04", "2020-21-Q1", "2011-12",
    "x", "", None, 0, -1, 5.5, 1e16, True, [], {}, "contact", "children_in_care", "higher", 2020,
]  # fmt: skip


def _mutated(node, rnd):
    """HAND with a few keys dropped or renamed and a few values swapped for odd ones."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if rnd.random() < 0.02:
                continue
            if rnd.random() < 0.02:
                key = rnd.choice(["2020-21", "x", "end", "as_at", "better", 2020])
            out[key] = _mutated(value, rnd)
        return out
    if isinstance(node, list):
        return [_mutated(v, rnd) for v in node if rnd.random() > 0.05]
    return rnd.choice(ODD_VALUES) if rnd.random() < 0.05 else node


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rnd=st.randoms(use_true_random=False))
def test_any_programme_file_is_reported_or_refused_with_input_error(rnd):
    from appraise.cli.programme import programme_markdown, programme_table
    from appraise.display import to_json
    from appraise.errors import InputError

    text = yaml.safe_dump(_mutated(json.loads(json.dumps(HAND)), rnd))
    try:
        data = report(programme_from_text(text, "fuzz.yaml")).to_data()
    except InputError as error:
        assert error.problems and all(p.file == "fuzz.yaml" for p in error.problems)
        return
    assert to_json(data) and programme_table(data) and programme_markdown(data)
