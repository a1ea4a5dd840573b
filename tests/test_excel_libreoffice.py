"""The appraisal workbook recalculated by LibreOffice (headless) agrees with the engine.

Every example portfolio is exported, recalculated by `soffice --headless --convert-to xlsx` and read
back: each Summary figure must equal `appraise evaluate --format json` (money within £1) and the
master check must be TRUE. Edited workbooks show the formulas are live. Under CI=true a missing
LibreOffice fails these tests rather than skipping them.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from appraise.excel import recalculate
from appraise.excel_outputs import FIGURES, MONEY
from appraise.results import PORTFOLIO_KEYS
from appraise.save import to_yaml
from tests.conftest import EXAMPLES, THURROCK, by_id, require_tool, run_cli
from tests.helpers import LOCAL_SOURCE, intervention, portfolio_data
from tests.test_excel import (
    INJECTED_DESCRIPTION,
    INJECTED_NAME,
    example_portfolios,
    injection_portfolio,
    load_example,
    set_input,
    write_book,
)

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

    names = list(written)
    out = recalculate([written[n] for n in names], folder / "recalculated")
    return {n: (written[n], o) for n, o in zip(names, out, strict=True)}


def summary(path: Path) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Recalculated Summary rows by id, and the total row."""
    ws = load_workbook(path, data_only=True)["Summary"]
    header = [c.value for c in ws[1]]
    rows: dict[str, dict[str, Any]] = {}
    for row in ws.iter_rows(min_row=2, values_only=True):
        record = dict(zip(header, row, strict=True))
        rows[record["id"]] = record
        if record["id"] == "total":
            break
    return rows, rows.pop("total")


def master_check(path: Path) -> Any:
    return load_workbook(path, data_only=True)["Checks"]["D2"].value


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
    for key in FIGURES:
        if key in PORTFOLIO_KEYS:
            assert_same(total[key], data["portfolio"][key], key, "total")
        else:
            assert total[key] is None, key  # reach, outcomes of different kinds: no total


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
    # The workbook has moved away from the exported appraisal (16%), and the master check says so.
    assert master_check(books["mst"][1]) is False


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
