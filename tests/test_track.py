"""`appraise track`: realised savings against the business case, from YAML or CSV actuals.

The plan comes from APHR 2017 as the Thurrock example reproduces it; the actuals are the
illustrative figures in examples/thurrock-2018-actuals.*; expected values are worked by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from appraise.analyses.track import track
from appraise.errors import InputError
from appraise.model.files import actuals_from_csv, load_actuals
from appraise.model.periods import period_months
from tests import test_verify as verify_tests
from tests.conftest import EXAMPLES, THURROCK, run_cli, thurrock_in
from tests.helpers import intervention, portfolio_data

CSV = EXAMPLES / "thurrock-2018-actuals.csv"
YAML = EXAMPLES / "thurrock-2018-actuals.yaml"
LAC_YEAR = 35 * 1072 / 0.53  # APHR 2017: £70,792.45 a looked-after child a year
HEADER = "intervention,period,cases,outcomes_averted,spend\n"


@pytest.fixture(scope="module")
def report() -> dict:
    return track(load_actuals(CSV)).to_data()


def period(data: dict, ident: str, name: str) -> dict:
    item = next(t for t in data["interventions"] if t["id"] == ident)
    if name == "to date":
        return item["to_date"]
    return next(p for p in item["periods"] if p["period"] == name)


def test_csv_and_yaml_actuals_give_the_same_report(cli):
    outputs = []
    for path in (CSV, YAML):
        code, out, err = cli("track", path, "--format", "json")
        assert code == 0, err
        data = json.loads(out)
        assert data.pop("actuals_file") == str(path)
        outputs.append(data)
    assert outputs[0] == outputs[1]
    code_csv, table_csv, _ = cli("track", CSV)
    code_yaml, table_yaml, _ = cli("track", YAML)
    assert code_csv == code_yaml == 0
    assert table_csv.replace(str(CSV), "FILE") == table_yaml.replace(str(YAML), "FILE")


@pytest.mark.parametrize(
    ("text", "months"), [("2018", 12), ("2018-Q1", 3), ("2018-Q4", 3), ("2018-03", 1)]
)
def test_period_lengths(text, months):
    assert period_months(text)[1] == months


@pytest.mark.parametrize("text", ["2018-Q5", "18-Q1", "2018-13", "2018/2019", "Q1 2018"])
def test_bad_periods(text):
    with pytest.raises(ValueError, match="a period is"):
        period_months(text)


def test_mst_first_quarter_against_plan(report):
    q1 = period(report, "edge-of-care-mst", "2018-Q1")
    plan, actual = q1["planned"], q1["actual"]
    assert q1["months"] == 3
    # Plan for a quarter: a quarter of Table 7's year.
    assert plan["reach"] == pytest.approx(135.5 * 3 / 12)  # 33.875 families
    assert plan["cost"] == pytest.approx(1355 * 0.1 * 2285 * 3 / 12)  # £77,404.38
    assert plan["outcomes_averted"] == pytest.approx(135.5 * 0.16 * 3 / 12)  # 5.42
    assert plan["success_rate"] == pytest.approx(0.16)
    # Actual: 24 families, 2 children kept out of care, £62,000 spent.
    assert actual["reach"] == 24 and actual["cost"] == 62_000
    assert actual["gross_savings"] == pytest.approx(2 * LAC_YEAR)  # £141,584.91
    assert actual["net_savings"] == pytest.approx(2 * LAC_YEAR - 62_000)  # £79,584.91
    # Thurrock's pro rata convention: net x 53% = £42,180.00.
    assert actual["cashable_net_savings"] == pytest.approx((2 * LAC_YEAR - 62_000) * 0.53)
    assert actual["success_rate"] == pytest.approx(2 / 24)
    assert actual["break_even_success_rate"] == pytest.approx(62_000 / LAC_YEAR / 24)
    # 24 families is below 90% of the 33.875 planned (30.49): under-reaching, but above break-even.
    assert q1["flags"] == ["under_reach"]


def test_mst_cumulative_to_date(report):
    total = period(report, "edge-of-care-mst", "to date")
    actual, plan = total["actual"], total["planned"]
    assert total["months"] == 12
    assert actual["reach"] == 24 + 31 + 35 + 34
    assert actual["cost"] == 62_000 + 76_500 + 78_000 + 77_500
    assert actual["outcomes_averted"] == 2 + 4 + 6 + 5
    assert actual["net_savings"] == pytest.approx(17 * LAC_YEAR - 294_000)
    assert actual["success_rate"] == pytest.approx(17 / 124)
    # Four quarters of plan make Table 7's year: £309,617.50 and 21.68 children.
    assert plan["cost"] == pytest.approx(309_617.5)
    assert plan["outcomes_averted"] == pytest.approx(21.68)
    assert total["flags"] == []  # 124 families >= 90% of 135.5 (121.95); well above break-even
    running = period(report, "edge-of-care-mst", "2018-Q2")["cumulative"]["actual"]
    assert running["reach"] == 24 + 31 and running["cost"] == 62_000 + 76_500


def test_pause_runs_below_break_even(report):
    # Q3: one removal averted saves £70,792.45, less than the £75,800 spent; 3 women < 3.375.
    q3 = period(report, "pause", "2018-Q3")
    assert q3["actual"]["net_savings"] == pytest.approx(LAC_YEAR - 75_800)
    assert q3["actual"]["break_even_outcomes"] == pytest.approx(75_800 / LAC_YEAR)
    assert q3["flags"] == ["below_break_even", "under_reach"]
    assert period(report, "pause", "to date")["flags"] == ["below_break_even"]


def test_per_place_programmes_and_annual_rows(report):
    # STEPS: 30 incidents averted x £1,183 (social care) - £9,270 = £26,220; nothing cashable.
    q1 = period(report, "steps-expansion", "2018-Q1")
    assert q1["actual"]["net_savings"] == pytest.approx(30 * 1183 - 9270)
    assert q1["actual"]["cashable_net_savings"] == 0
    assert q1["planned"]["reach"] == pytest.approx(60 / 4)
    # Q3: 12 places filled against 15 planned (below 13.5).
    assert period(report, "steps-expansion", "2018-Q3")["flags"] == ["under_reach"]
    perps = period(report, "dv-perpetrator-expansion", "2018")
    assert perps["months"] == 12
    assert perps["planned"]["cost"] == pytest.approx(30_000)
    assert perps["actual"]["net_savings"] == pytest.approx(15 * 1183 - 30_000)


def test_portfolio_to_date_and_unreported_interventions(report):
    total = report["portfolio_to_date"]["actual"]
    assert total["cost"] == 294_000 + 302_300 + 4 * 9270 + 30_000
    assert total["gross_savings"] == pytest.approx((17 + 2) * LAC_YEAR + (131 + 15) * 1183)
    assert report["not_reported"] == ["parenting-capacity-expansion"]


def write_portfolio(tmp_path: Path, **overrides) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(portfolio_data(**overrides)))
    return path


def test_strict_cashable_method(tmp_path):
    # Strict: cashable gross (placements, 35 x £1,072 a child) minus the whole spend.
    write_portfolio(tmp_path, cashable_method="strict")
    csv_path = tmp_path / "a.csv"
    csv_path.write_text("# portfolio: p.yaml\n" + HEADER + "svc,2018-Q1,20,3,50000\n")
    actual = track(load_actuals(csv_path)).to_data()["interventions"][0]["periods"][0]["actual"]
    assert actual["cashable_net_savings"] == pytest.approx(3 * 35 * 1072 - 50_000)
    assert actual["net_savings"] == pytest.approx(3 * LAC_YEAR - 50_000)


def test_no_cases_in_a_period_gives_no_rate_not_nan(tmp_path, cli):
    write_portfolio(tmp_path)
    csv_path = tmp_path / "a.csv"
    csv_path.write_text("# portfolio: p.yaml\n" + HEADER + "svc,2018-03,0,1,1000\n")
    code, out, err = cli("track", csv_path, "--format", "json")
    assert code == 0, err
    actual = json.loads(out)["interventions"][0]["periods"][0]["actual"]
    assert actual["success_rate"] is None and actual["break_even_success_rate"] is None
    assert actual["net_savings"] == pytest.approx(LAC_YEAR - 1000)


def test_reach_tolerance_from_the_command_line(tmp_path, cli):
    # Plan for a month: 135.5 / 12 = 11.29 families; 10 served is 11.4% short.
    write_portfolio(tmp_path)
    csv_path = tmp_path / "a.csv"
    csv_path.write_text("# portfolio: p.yaml\n" + HEADER + "svc,2018-03,10,1,1000\n")
    for option, flagged in (("0.1", True), ("0.2", False)):
        code, out, err = cli("track", csv_path, "-f", "json", "--reach-tolerance", option)
        assert code == 0, err
        flags = json.loads(out)["interventions"][0]["periods"][0]["flags"]
        assert ("under_reach" in flags) is flagged


def test_yaml_period_written_as_a_year_number(tmp_path):
    write_portfolio(tmp_path)
    path = tmp_path / "a.yaml"
    path.write_text(
        "portfolio: p.yaml\nactuals:\n"
        "  - {intervention: svc, period: 2018, cases: 100, outcomes_averted: 10, spend: 1}\n"
    )
    data = track(load_actuals(path)).to_data()
    assert data["interventions"][0]["periods"][0]["months"] == 12


# ---------------------------------------------------------------------------------------------
# Bad actuals: exit 2, file, row or path, value
# ---------------------------------------------------------------------------------------------


def rejected(path: Path, *fragments: str, command: str = "track") -> str:
    return verify_tests.rejected(path, *fragments, commands=(command,))


def test_csv_unknown_and_missing_columns(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(
        f"# portfolio: {thurrock_in(tmp_path)}\nintervention,period,cases,outcomes,spend\n"
    )
    rejected(
        path,
        f"{path}: row 2: unknown column (did you mean 'outcomes_averted'?) (got 'outcomes')",
        f"{path}: row 2: missing column 'outcomes_averted'",
    )


def test_csv_bad_cells_name_row_and_column(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(
        f"# portfolio: {thurrock_in(tmp_path)}\n"
        + HEADER
        + "edge-of-care-mst,2018-Q1,x,1,\n"
        + "pause,2018-Q5,1,1,-4\n"
        + "mst,2018-Q1,1,1,1\n"
    )
    rejected(
        path,
        "row 3, column cases: expected a number (got 'x')",
        "row 3, column spend: missing value",
        "row 4, column period: a period is",
        "row 4, column spend: must be at least 0 (got -4.0)",
    )
    path.write_text(
        f"# portfolio: {thurrock_in(tmp_path)}\n" + HEADER + "edge-of-care-mts,2018-Q1,1,1,1\n"
    )
    rejected(
        path,
        "row 3, column intervention: not in the portfolio (did you mean 'edge-of-care-mst'?) "
        "(got 'edge-of-care-mts')",
    )


def test_csv_numbers_as_spreadsheets_export_them(tmp_path):
    text = f"# portfolio: {THURROCK}\n" + HEADER + 'pause,2018-Q1,4,0,"£75,000.00"\n'
    assert actuals_from_csv(text).actuals[0].spend == 75_000


def test_yaml_paths_and_overlapping_periods(tmp_path):
    path = tmp_path / "a.yaml"
    rows = [
        {"intervention": "pause", "period": "2018", "cases": 1, "outcomes_averted": 0, "spend": 1},
        {
            "intervention": "pause",
            "period": "2018-Q2",
            "cases": 1,
            "outcomes_averted": 0,
            "spend": 1,
        },
    ]
    path.write_text(yaml.safe_dump({"portfolio": str(thurrock_in(tmp_path)), "actuals": rows}))
    rejected(
        path,
        "actuals[1].period: overlaps a period already reported for pause (2018) (got '2018-Q2')",
    )
    rows[1] = {**rows[1], "period": "2019", "spend": "lots"}
    path.write_text(yaml.safe_dump({"portfolio": str(thurrock_in(tmp_path)), "actuals": rows}))
    rejected(path, "actuals[1].spend: expected a number (got 'lots')")
    rejected(path, "actuals[1].spend: expected a number", command="validate")


def test_csv_without_a_portfolio_says_how_to_name_one(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(HEADER + "pause,2018-Q1,1,1,1\n")
    rejected(path, "name the portfolio holding the plan")
    with pytest.raises(InputError):
        track(load_actuals(path))


def test_validate_accepts_the_yaml_actuals():
    proc = run_cli("validate", YAML)
    assert proc.returncode == 0, proc.stderr
    assert "valid actuals: 13 periods for 4 interventions" in proc.stdout


def test_examples_are_labelled_illustrative():
    for path in (CSV, YAML):
        assert path.read_text().startswith("# ILLUSTRATIVE FIGURES ONLY")
    assert all(a.note and "illustrative" in a.note for a in load_actuals(CSV).actuals)


def test_plan_for_a_capacity_expansion_is_pro_rata(tmp_path):
    # A written-out intervention with a capacity reach: plan for a quarter is a quarter of 60.
    item = intervention(reach={"from_capacity": 75, "to_capacity": 135})
    write_portfolio(tmp_path, interventions=[item])
    csv_path = tmp_path / "a.csv"
    csv_path.write_text("# portfolio: p.yaml\n" + HEADER + "svc,2018-Q2,15,1,500\n")
    planned = track(load_actuals(csv_path)).to_data()["interventions"][0]["periods"][0]["planned"]
    assert planned["reach"] == pytest.approx(60 / 4)
    assert planned["cost"] == pytest.approx(60 * 2285 / 4)
