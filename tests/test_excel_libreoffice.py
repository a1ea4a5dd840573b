"""The appraisal workbook recalculated by LibreOffice (headless) agrees with the engine.

Every example portfolio is exported, recalculated by `soffice --headless --convert-to xlsx` and read
back: each Summary figure must equal `appraise evaluate --format json` (money within £1) and the
master check must be TRUE. The Forecast sheet must equal `appraise forecast --format json`, and the
Claims check sheet's status formulas must agree with `appraise verify --format json`. Edited
workbooks show the formulas are live. Under CI=true a missing LibreOffice fails these tests rather
than skipping them.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from appraise.analyses.verify import check_claims
from appraise.engine.results import PORTFOLIO_KEYS
from appraise.model.load import load_portfolio
from appraise.model.save import to_yaml
from appraise.workbook.claims import HEADERS
from appraise.workbook.export import export_workbook
from appraise.workbook.recalc import recalculate
from appraise.workbook.summary import FIGURES, MONEY
from tests.conftest import EXAMPLES, THURROCK, by_id, require_tool, run_cli
from tests.helpers import LOCAL_SOURCE, intervention, portfolio_data, summary_keys
from tests.test_excel import (
    INJECTED_DESCRIPTION,
    INJECTED_NAME,
    example_portfolios,
    injection_portfolio,
    load_example,
    set_input,
    write_book,
)
from tests.test_excel_forecast import forecast_portfolio

pytestmark = pytest.mark.slow  # `pytest -m "not slow"` skips it while working

CLAIMS = EXAMPLES / "thurrock-2017-claims.yaml"
# Thurrock's portfolio averts, each year: MST 135.5 families x 16% = 21.68 LAC-years, Pause 15
# women x 0.23 = 3.45, parenting places 0 (success rate 0): 25.13 in all; at a cost of
# 135.5 x £2,285 + 15 x £20,202 + £237,162 = £849,809.50 (APHR 2017 Tables 5, 7; section 2.4.2).
THURROCK_LAC_YEARS = 135.5 * 0.16 + 15 * 0.23 + 0
THURROCK_COUNTED_COST = 135.5 * 2285 + 15 * 20202 + 237162

# Thurrock APHR 2017: one looked-after child-year = 35 weeks x £1,072 / 0.53 (placements are 53%
# of LAC spend) = £70,792.45; MST costs £2,285 a case for 135.5 families (Table 7).
LAC_YEAR = 35 * 1072 / 0.53
MST_UNIT_COST, MST_REACH = 2285, 1355 * 0.10
MST_ONLY = """\
portfolio: MST at its break-even success rate
price_year: 2017
horizon_years: 3
outcomes:
  lac_year:
    name: One child looked after for a year
    derive: {weekly_placement_cost: 1072, weeks_per_year: 35, non_placement_share: 0.47}
    sources: [thurrock-aphr-2017]
interventions:
  - use: edge-of-care-mst
    effect: {success_rate: 0.16}   # Thurrock's Table 7 success rate
"""


US_TRIAL = {
    "id": "us-trial",
    "authors": "Trial, A. and Other, B.",
    "year": 2010,
    "title": "A trial outside the UK, for tests",
    "journal": "Journal of Tests",
    "country": "USA",
    "type": "trial",
    "found": "An effect established only outside the UK.",
}


def every_branch_portfolio() -> dict[str, Any]:
    """Every reach, cost and effect form, the cohort timing options, both perspectives' payers,
    strict cashable savings, both haircuts, and zero denominators (a free service, a worthless
    outcome): each formula branch in the workbook has a case here."""
    outcomes = {
        "lac_year": portfolio_data()["outcomes"]["lac_year"],
        "mixed": {
            "name": "An outcome two payers bear",
            "components": [
                {"name": "care", "cost": 4000, "cashable": True},
                {"name": "health", "cost": 2500, "cashable": True, "payer": "health"},
                {"name": "police", "cost": 900, "cashable": False, "payer": "police"},
            ],
        },
        "worthless": {"name": "Costs nothing", "components": [{"name": "none", "cost": 0}]},
    }
    us = {"rating": "3", "sources": ["us-trial"]}
    items = [
        intervention(
            id="rr",
            reach={"eligible": 500, "proportion": 0.2},
            unit_cost={"amount": 1000, "per": "case"},
            effect={"baseline_risk": 0.3, "relative_risk": 0.6},
            timing={
                "cohorts": 2,
                "cost_months": 18,
                "benefit_lag_months": 6,
                "benefit_years": 2.5,
                "annual_decay": 0.2,
                "ramp_up": 0.5,
            },
        ),
        intervention(
            id="odds",
            averts="mixed",
            reach={"count": 40},
            unit_cost={"total": 50000},
            effect={"baseline_risk": 0.25, "odds_ratio": 0.5},
            evidence=us,
            timing={"benefit_lag_months": 30, "benefit_years": 3, "annual_decay": 1.0},
        ),
        intervention(
            id="cox",
            averts="mixed",
            reach={"from_capacity": 10, "to_capacity": 35},
            unit_cost={"amount": 2000, "per": "place"},
            effect={"baseline_risk": 0.4, "cohens_d": -0.3},
            evidence={"rating": "2", "sources": ["local-test-source"]},
            timing={"cohorts": 1, "cost_months": 30, "benefit_years": 4.25},
        ),
        intervention(
            id="logit",
            reach={"count": 20},
            unit_cost={"amount": 500, "per": "case"},
            effect={"baseline_risk": 0.2, "cohens_d": -0.5, "conversion": "logit"},
            timing={
                "ramp_up": 0.7,
                "benefit_lag_months": 13.5,
                "annual_decay": 0.1,
                "benefit_years": 7,
            },
        ),
        intervention(
            id="harmful",
            averts="mixed",
            reach={"count": 10},
            effect={"baseline_risk": 0.2, "cohens_d": 0.2},
        ),
        intervention(
            id="free", reach={"count": 10}, unit_cost={"total": 0}, effect={"per_case": 0.1}
        ),
        intervention(
            id="pointless", averts="worthless", effect={"treated_risk": 0.1, "baseline_risk": 0.3}
        ),
        intervention(id="nobody", reach={"count": 0}, effect={"success_rate": 0.2}, evidence=us),
    ]
    return portfolio_data(
        interventions=items,
        outcomes=outcomes,
        horizon_years=7,
        discount_rate=0.035,
        perspective="public_sector",
        cashable_method="strict",
        apply_optimism_bias=True,
        non_uk_evidence_haircut=0.5,
        evidence={"local-test-source": LOCAL_SOURCE, "us-trial": US_TRIAL},
    )


def claims_branches_portfolio() -> dict[str, Any]:
    """The forecast test portfolio (two cohorts of an MST-like service over 2 years) and a free
    service, whose return on cost is infinite."""
    data = forecast_portfolio()
    data["interventions"].append(
        intervention(
            id="free", reach={"count": 10}, unit_cost={"total": 0}, effect={"per_case": 0.1}
        )
    )
    return data


def branch_claims() -> dict[str, Any]:
    """A claim for each kind of cell the Claims check sheet points at, and each status."""
    claims: list[dict[str, Any]] = [
        # Cash flows, one column per year: year 1's cost is the first cohort's, 135.5 x £2,285.
        {
            "id": "svc-year-1-cost",
            "intervention": "svc",
            "metric": "years.1.cost",
            "value": 309617.5,
        },
        {
            "id": "svc-year-2-net",
            "intervention": "svc",
            "metric": "years.2.net_savings",
            "value": 1,
        },
        {"id": "total-npv", "intervention": "portfolio", "metric": "npv", "value": "£1M"},
        # the portfolio: svc 135.5 x £2,285, the DV programme 10 x £2,285, the free one £0
        {"id": "total-cost", "intervention": "portfolio", "metric": "cost", "value": 332467.5},
        {"id": "both-cost", "intervention": ["svc", "free"], "metric": "cost", "value": 309617.5},
        # a service that costs nothing: its return per £1 is infinite, so not checkable
        {"id": "free-roi", "intervention": "free", "metric": "roi", "value": 5},
        # a payback year beyond the 2-year horizon cannot be checked; one within it can
        {"id": "late-payback", "intervention": "svc", "metric": "payback_year", "value": 9},
        {"id": "payback", "intervention": "svc", "metric": "payback_year", "value": 1},
        {
            "id": "assumed",
            "intervention": "svc",
            "metric": "net_savings",
            "value": 1000000,
            "assume": [{"input": "svc.effect.success_rate", "value": 0.2}],
            "quote": INJECTED_NAME,
        },
    ]
    return {"portfolio": "claims-branches.yaml", "claims": claims}


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """name -> (workbook as written or edited, its LibreOffice-recalculated copy)."""
    require_tool("soffice")
    folder = tmp_path_factory.mktemp("workbooks")
    written = {p.stem: write_book(load_example(p), folder, p.stem) for p in example_portfolios()}

    (folder / "mst.yaml").write_text(MST_ONLY)
    mst = write_book(load_example(folder / "mst.yaml"), folder, "test-mst-break-even")
    # Table 7: break-even at 4.4 children a year, a 3.2% success rate = unit cost / LAC year.
    written["mst"] = set_input(
        mst, "edge-of-care-mst.effect.success_rate", MST_UNIT_COST / LAC_YEAR
    )

    written["inject"] = write_book(injection_portfolio(), folder, "test-inject")

    (folder / "branches.yaml").write_text(to_yaml(every_branch_portfolio()))
    written["branches"] = write_book(
        load_example(folder / "branches.yaml"), folder, "test-branches"
    )

    edited = write_book(load_example(THURROCK), folder, "test-thurrock-edited")
    set_input(edited, "edge-of-care-mst.effect.baseline_risk", 0.35)
    set_input(edited, "pause.effect.per_case", 0.3)
    written["edited"] = set_input(edited, "discount_rate", 0.05)

    thurrock = load_portfolio(THURROCK)
    claims = check_claims(CLAIMS, thurrock, THURROCK)
    written["claims"] = export_workbook(thurrock, folder / "test-claims.xlsx", claims=claims)
    # STEPS at the per-place effect the report's £170,300 implies: 170,300 / (60 x £1,183).
    steps = export_workbook(thurrock, folder / "test-claims-edited.xlsx", claims=claims)
    written["claims-edited"] = set_input(
        steps, "steps-expansion.effect.per_case", 170300 / (60 * 1183)
    )

    (folder / "forecast.yaml").write_text(to_yaml(forecast_portfolio()))
    written["forecast"] = write_book(
        load_example(folder / "forecast.yaml"), folder, "test-forecast"
    )

    (folder / "claims-branches.yaml").write_text(to_yaml(claims_branches_portfolio()))
    (folder / "branch-claims.yaml").write_text(to_yaml(branch_claims()))
    portfolio = load_portfolio(folder / "claims-branches.yaml")
    checked = check_claims(
        folder / "branch-claims.yaml", portfolio, folder / "claims-branches.yaml"
    )
    written["claims-branches"] = export_workbook(
        portfolio, folder / "test-claims-branches.xlsx", claims=checked
    )

    names = list(written)
    out = recalculate([written[n] for n in names], folder / "recalculated")
    return {n: (written[n], o) for n, o in zip(names, out, strict=True)}


def summary(path: Path) -> tuple[dict[str, dict[str, Any]], dict[str, Any] | None]:
    """Recalculated Summary rows by id, and the total row (None for a file of options)."""
    ws = load_workbook(path, data_only=True)["Summary"]
    header = summary_keys(ws)
    rows: dict[str, dict[str, Any]] = {}
    for row in ws.iter_rows(min_row=2, values_only=True):
        record = dict(zip(header, row, strict=True))
        if record["id"] is None:
            break
        rows[record["id"]] = record
        if record["id"] == "total":
            break
    return rows, rows.pop("total", None)


def master_check(path: Path) -> Any:
    """The master check: the workbook is sound (Integrity's checks, which recompute)."""
    return load_workbook(path, data_only=True)["Checks"]["D2"].value


def unchanged(path: Path) -> Any:
    """Whether every figure is still the engine's as exported (Checks)."""
    return load_workbook(path, data_only=True)["Checks"]["D4"].value


def evaluate_json(path: Path) -> dict[str, Any]:
    proc = run_cli("evaluate", path, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def assert_same(workbook: Any, engine: Any, key: str, where: str) -> None:
    """Money within £1; counts, rates and years to 1e-6; JSON null (infinite) shows as text."""
    if engine is None:
        assert isinstance(workbook, str), (where, key, workbook)
    elif key in MONEY:
        assert isinstance(workbook, int | float) and abs(workbook - engine) < 1, (where, key)
    else:
        assert workbook == pytest.approx(engine, rel=1e-9, abs=1e-6), (where, key)


def assert_summary_matches(path: Path, data: dict[str, Any]) -> None:
    rows, total = summary(path)
    assert list(rows) == [r["id"] for r in data["interventions"]]
    for record in data["interventions"]:
        for key in FIGURES:
            assert_same(rows[record["id"]][key], record[key], key, record["id"])
    if "options" in data:
        assert total is None  # options are alternatives: never added up
        return
    assert total is not None
    for key in FIGURES:
        if key in PORTFOLIO_KEYS:
            assert_same(total[key], data["portfolio"][key], key, "total")
        else:
            assert total[key] is None, key  # reach, outcomes of different kinds: no total


def saved_and_recalculated(written: Path, recalculated: Path) -> list[tuple[str, Any, Any]]:
    """Every formula cell whose saved value (as exported) is missing or differs from
    LibreOffice's recalculation: (sheet!cell, saved, recalculated)."""
    formulas = load_workbook(written)
    saved = load_workbook(written, data_only=True)
    again = load_workbook(recalculated, data_only=True)
    wrong = []
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if not (isinstance(cell.value, str) and cell.value.startswith("=")):
                    continue
                a = saved[ws.title][cell.coordinate].value
                b = again[ws.title][cell.coordinate].value
                numbers = all(
                    isinstance(x, int | float) and not isinstance(x, bool) for x in (a, b)
                )
                same = math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) if numbers else a == b
                if not same:
                    wrong.append((f"{ws.title}!{cell.coordinate}", a, b))
    return wrong


UNEDITED = [
    *(p.stem for p in example_portfolios()),
    "inject",
    "branches",
    "claims",
    "forecast",
    "claims-branches",
]


@pytest.mark.parametrize("name", UNEDITED)
def test_every_formula_is_saved_with_the_value_libreoffice_works_out(books, name):
    # Once, 284 formulas of Thurrock's workbook (Cash flows years 6 to 10, Forecast) had no saved
    # value, and THRIVE's Checks said "never" where its Summary said "infinite (no cost)".
    written, recalculated = books[name]
    assert saved_and_recalculated(written, recalculated) == []


@pytest.mark.parametrize("example", [p.stem for p in example_portfolios()])
def test_every_example_workbook_recalculates_to_the_evaluate_json(books, example):
    _, recalculated = books[example]
    assert_summary_matches(recalculated, evaluate_json(EXAMPLES / f"{example}.yaml"))
    assert master_check(recalculated) is True


def test_every_formula_branch_recalculates_to_the_engine(books):
    _, recalculated = books["branches"]
    data = evaluate_json(recalculated.parent.parent / "branches.yaml")
    assert_summary_matches(recalculated, data)
    assert master_check(recalculated) is True
    # the haircuts are live: a US-only effect loses half, and rating 3 a further 20%
    odds = by_id(data, "odds")
    assert (odds["non_uk_haircut"], odds["optimism_bias"]) == (0.5, 0.2)
    assert by_id(data, "cox")["optimism_bias"] == 0.4  # rating 2
    rows, _ = summary(recalculated)
    # the zero denominators: a free service, an outcome worth nothing, nobody served
    assert rows["free"]["roi"] == rows["free"]["bcr"] == "infinite (no cost)"
    assert rows["pointless"]["break_even_outcomes"] == "never"
    assert rows["pointless"]["break_even_success_rate"] == "never"
    assert rows["nobody"]["break_even_success_rate"] == 0  # 0 / 0 is 0, as in core.ratio
    assert rows["harmful"]["net_savings"] < -rows["harmful"]["cost"]  # it causes outcomes


def test_thurrock_workbook_reproduces_table_7_mst_figures(books):
    rows, _ = summary(books["thurrock-2017"][1])
    mst = rows["edge-of-care-mst"]
    # 135.5 families x £2,285 = £309,617.50; 16% x 135.5 = 21.68 LAC prevented (Table 7: 21.7)
    assert mst["cost"] == pytest.approx(135.5 * 2285)
    assert mst["outcomes_averted"] == pytest.approx(135.5 * (0.30 - 0.14))
    assert mst["gross_savings"] == pytest.approx(135.5 * 0.16 * LAC_YEAR)
    # Table 7 break-even: 4.4 children, a 3.2% success rate
    assert mst["break_even_outcomes"] == pytest.approx(309617.5 / LAC_YEAR)
    assert round(mst["break_even_outcomes"], 1) == 4.4
    assert round(mst["break_even_success_rate"], 3) == 0.032


def test_mst_success_rate_at_break_even_takes_net_savings_to_zero(books):
    rows, total = summary(books["mst"][1])
    mst = rows["edge-of-care-mst"]
    assert abs(mst["net_savings"]) < 1
    assert mst["outcomes_averted"] == pytest.approx(mst["break_even_outcomes"])
    assert mst["gross_savings"] == pytest.approx(MST_REACH * MST_UNIT_COST)
    assert abs(total["net_savings"]) < 1
    # The workbook has moved away from the exported appraisal (16%), and Checks says so; it is
    # still sound, so the master check holds.
    assert unchanged(books["mst"][1]) is False
    assert master_check(books["mst"][1]) is True


def test_user_text_stays_text_after_libreoffice_recalculates(books):
    wb = load_workbook(books["inject"][1], data_only=True)
    assert wb["Summary"]["B2"].value == INJECTED_NAME  # not the hyperlink text "y"
    descriptions = [c.value for c in wb["Calculations"][4]]
    assert INJECTED_DESCRIPTION in descriptions
    assert wb["Checks"]["D2"].value is True


def test_round_trip_edit_import_evaluate_matches_the_recalculated_workbook(books, tmp_path):
    edited, recalculated = books["edited"]
    out = tmp_path / "edited.yaml"
    proc = run_cli("import-xlsx", edited, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert "3 inputs changed" in proc.stdout
    # Saved again by LibreOffice (FALSE written FALSE()), no formula reads as edited.
    saved = run_cli("import-xlsx", recalculated, "--out", tmp_path / "saved.yaml")
    assert saved.returncode == 0 and "outside the inputs" not in saved.stderr, saved.stderr
    data = evaluate_json(out)
    assert data["portfolio"]["discount_rate"] == 0.05
    assert_summary_matches(recalculated, data)
    # The edits moved the figures: MST now averts 135.5 x (0.35 - 0.14) child-years.
    rows, _ = summary(recalculated)
    assert rows["edge-of-care-mst"]["gross_savings"] == pytest.approx(
        135.5 * (0.35 - 0.14) * LAC_YEAR
    )
    assert rows["pause"]["outcomes_averted"] == pytest.approx(15 * 0.3)
    assert not math.isclose(rows["edge-of-care-mst"]["npv"], 5725283, rel_tol=1e-3)


# ---------------------------------------------------------------------------------------------
# Forecast
# ---------------------------------------------------------------------------------------------


def checked_figures(path: Path) -> dict[tuple[str, str], Any]:
    """(owner, figure) -> the workbook's recalculated value, from the Checks sheet's rows."""
    ws = load_workbook(path, data_only=True)["Checks"]
    return {(r[1], r[2]): r[4] for r in ws.iter_rows(min_row=5, values_only=True)}


def forecast_json(path: Path) -> dict[str, Any]:
    proc = run_cli("forecast", path, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def assert_forecast_matches(path: Path, data: dict[str, Any]) -> int:
    """Every forecast figure the workbook shows equals `appraise forecast --format json`."""
    figures = checked_figures(path)
    compared = 0
    for scenario in data["scenarios"]:
        for record in scenario["years"]:
            for key, value in record.items():
                found = figures.get((scenario["name"], f"{key} {record['year']}"))
                if key == "child_population":
                    found = figures[("baseline", f"{key} {record['year']}")]
                if found is None:
                    assert key == "year", (scenario["name"], key)
                    continue
                tolerance = 1 if "cost" in key else 1e-6
                assert found == pytest.approx(value, abs=tolerance), (scenario["name"], key)
                compared += 1
    for record in data["with_portfolio"]["years"]:
        for key, value in record.items():
            if key != "year":
                found = figures[("comparison", f"{key} {record['year']}")]
                assert found == pytest.approx(float(value), abs=1), key
                compared += 1
    for key in ("non_placement_cost_per_week", "cost_per_child_year"):
        assert figures[("baseline", key)] == pytest.approx(data[key], abs=1e-6)
    return compared


def test_thurrock_forecast_recalculates_to_the_forecast_json(books):
    _, recalculated = books["thurrock-2017"]
    compared = assert_forecast_matches(recalculated, forecast_json(THURROCK))
    assert compared >= 4 * 12 * 11  # four scenarios of twelve figures over eleven years
    assert master_check(recalculated) is True


def test_thurrock_forecast_figures_worked_by_hand(books):
    figures = checked_figures(books["thurrock-2017"][1])
    # APHR 2017 appendix 1: 42,073 children (345 / 82 x 10,000) x 66 / 10,000 + 38 UASC, 35 weeks in care each,
    # £1,072 a week, placements 53% of the total.
    children_2017 = 42073 * 66 / 10000 + 38
    assert figures[("Population growth only", "total_cost 2017")] == pytest.approx(
        children_2017 * 35 * 1072 / 0.53
    )
    # The SHMA path: +19% by 2024 from 2014, so 2017 stands at 1 + 0.19 x 3/10 of 2014.
    assert figures[("baseline", "child_population 2024")] == pytest.approx(
        42073 * 1.19 / (1 + 0.19 * 3 / 10)
    )
    # Falling rate: from 66 to the England rate of 56 over five years, then flat.
    assert figures[("Falling rate", "lac_rate_per_10k 2020")] == pytest.approx(66 - 10 * 3 / 5)
    assert figures[("Falling rate", "lac_rate_per_10k 2027")] == pytest.approx(56)
    # With the portfolio, each year from 2018: 25.13 LAC-years at £70,792.45, less its cost.
    saving = THURROCK_LAC_YEARS * 35 * 1072 / 0.53 - THURROCK_COUNTED_COST
    assert figures[("comparison", "lac_years_averted 2018")] == pytest.approx(THURROCK_LAC_YEARS)
    assert figures[("comparison", "net_saving 2018")] == pytest.approx(saving)
    assert figures[("comparison", "net_saving 2017")] == 0  # the observed year
    assert figures[("comparison", "cumulative_net_saving 2027")] == pytest.approx(10 * saving)
    assert figures[("comparison", "within_portfolio_horizon 2022")] == 1
    assert figures[("comparison", "within_portfolio_horizon 2023")] == 0  # after year 5
    about = load_workbook(books["thurrock-2017"][1], data_only=True)["About"]
    facts = {r[0]: r[1] for r in about.iter_rows(values_only=True)}
    headline = (
        "Forecast: cumulative net saving with the portfolio, 2017 to 2027 (Population growth only)"
    )
    assert facts[headline] == pytest.approx(10 * saving)


def test_every_forecast_form_recalculates_to_the_forecast_json(books):
    _, recalculated = books["forecast"]
    # a population series, a linear trend, a target year, cohorts outliving a 2-year horizon
    data = forecast_json(recalculated.parent.parent / "forecast.yaml")
    assert assert_forecast_matches(recalculated, data) > 0
    assert master_check(recalculated) is True
    averted = [r["lac_years_averted"] for r in data["with_portfolio"]["years"]]
    assert averted[0] > 0 and averted[2] != averted[1]  # years differ, so the profile is tested


def test_a_forecast_input_edited_on_the_sheet_moves_the_forecast(books, tmp_path):
    from tests.test_excel import input_cell

    # The weeks in care are one cell on Inputs, which the LAC outcome's cost and the forecast both
    # read (issue 13: one cell for each assumption); the Forecast sheet shows it.
    book = tmp_path / "weeks.xlsx"
    wb = load_workbook(books["thurrock-2017"][0])
    input_cell(wb["Inputs"], "outcomes.lac_year.derive.weeks_per_year").value = 30
    wb.save(book)
    (recalculated,) = recalculate(book, tmp_path / "out")
    figures = checked_figures(recalculated)
    children_2017 = 42073 * 66 / 10000 + 38
    assert figures[("Population growth only", "total_cost 2017")] == pytest.approx(
        children_2017 * 30 * 1072 / 0.53
    )
    assert unchanged(recalculated) is False  # it no longer matches the exported forecast
    assert master_check(recalculated) is True  # a sound edit


# ---------------------------------------------------------------------------------------------
# Claims check
# ---------------------------------------------------------------------------------------------


def verify_json(claims: Path, portfolio: Path | None = None) -> dict[str, Any]:
    extra = ["--portfolio", portfolio] if portfolio else []
    proc = run_cli("verify", claims, "--format", "json", *extra)
    assert proc.returncode in (0, 1), proc.stderr  # 1: some claims do not hold
    return json.loads(proc.stdout)


def claim_rows(path: Path) -> dict[str, dict[str, Any]]:
    ws = load_workbook(path, data_only=True)["Claims check"]
    rows = {}
    for row in ws.iter_rows(min_row=9, values_only=True):
        if row[0]:
            rows[row[0]] = dict(zip(HEADERS, row, strict=True))
    return rows


def test_claims_statuses_recalculate_to_those_of_appraise_verify(books):
    _, recalculated = books["claims"]
    data = verify_json(CLAIMS)
    rows = claim_rows(recalculated)
    assert list(rows) == [c["id"] for c in data["claims"]]
    for claim in data["claims"]:
        row = rows[claim["id"]]
        assert row["Status (formula)"] == claim["status"], claim["id"]
        assert row["Agrees with appraise verify"] is True, claim["id"]
        if row["Status checked on"] == "workbook":  # the workbook's own figure is the engine's
            assert row["Workbook: the portfolio's own figure (formula)"] == pytest.approx(
                claim["recomputed"], abs=1e-6
            )
    assert data["summary"] == {"consistent": 20, "inconsistent": 10, "not_checkable": 0}
    ws = load_workbook(recalculated, data_only=True)
    assert ws["Claims check"]["C3"].value is True
    assert master_check(recalculated) is True
    about = {r[0]: r[1] for r in ws["About"].iter_rows(values_only=True)}
    assert about["Claims check: claims consistent (status formulas)"] == "20 of 30"


def test_the_assumed_lac_cost_shows_what_it_changes(books):
    rows = claim_rows(books["claims"][1])
    gross = rows["mst-gross"]
    # Table 7: 21.68 LAC-years x the report's rounded £70,792 = £1,534,770.56 (consistent with
    # £1,534,771); the portfolio's £70,792.45 a year gives £1,534,780.38 on the workbook.
    assert gross["Engine: recomputed under those assumptions"] == pytest.approx(21.68 * 70792)
    assert gross["Workbook: the portfolio's own figure (formula)"] == pytest.approx(
        21.68 * 35 * 1072 / 0.53
    )
    assert gross["The assumptions move the figure by (engine - workbook)"] == pytest.approx(
        21.68 * (70792 - 35 * 1072 / 0.53)
    )
    assert gross["Status (formula)"] == "consistent"
    # The assumption does not touch the cost of MST: no movement, checked on the workbook.
    cost = rows["mst-cost"]
    assert cost["The assumptions move the figure by (engine - workbook)"] == 0
    assert cost["Figure the status uses"] == pytest.approx(135.5 * 2285)


def test_claims_status_formulas_are_live(books):
    # STEPS edited to the effect its £170,300 implies: 60 places x 170,300 / (60 x 1,183) x
    # £1,183 = £170,300, and net £170,300 - £37,080 = £133,220 (Table 6). The status formulas,
    # checked on the workbook's figures, now say consistent; verify (at export) said not.
    rows = claim_rows(books["claims-edited"][1])
    for claim, figure in (("steps-gross", 170300), ("steps-net", 133220)):
        assert rows[claim]["Figure the status uses"] == pytest.approx(figure)
        assert rows[claim]["Status (formula)"] == "consistent"
        assert rows[claim]["appraise verify says"] == "inconsistent"
        assert rows[claim]["Agrees with appraise verify"] is False
    assert unchanged(books["claims-edited"][1]) is False
    assert master_check(books["claims-edited"][1]) is True


def test_every_kind_of_claim_recalculates_to_the_status_of_appraise_verify(books):
    _, recalculated = books["claims-branches"]
    folder = recalculated.parent.parent
    data = verify_json(folder / "branch-claims.yaml")
    rows = claim_rows(recalculated)
    statuses = {c["id"]: c["status"] for c in data["claims"]}
    assert {k: rows[k]["Status (formula)"] for k in statuses} == statuses
    assert statuses["free-roi"] == statuses["late-payback"] == "not_checkable"
    assert statuses["svc-year-1-cost"] == statuses["total-cost"] == "consistent"
    assert statuses["both-cost"] == "consistent"
    assert (
        rows["free-roi"]["Workbook: the portfolio's own figure (formula)"] == "infinite (no cost)"
    )
    assert rows["svc-year-1-cost"]["Workbook: the portfolio's own figure (formula)"] == (
        pytest.approx(135.5 * 2285)
    )
    assert rows["assumed"]["Status checked on"] == "engine"
    assert rows["assumed"]["Quote"] == INJECTED_NAME  # text, not the hyperlink's "y"
    assert master_check(recalculated) is True
