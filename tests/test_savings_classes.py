"""Savings as councils book them: cash-releasing, cost avoidance or capacity, recurring or one-off
(appraise.model.savings; docs/defaults.md).

The classes of every saving line add up to gross savings, and so do the two recurrences, for
every intervention, the portfolio and every year, over generated portfolios (the generator of
tests/test_excel_lines.py, which the workbook's lines are checked against too). Each class is also
recomputed from the savings by component and each component's booking. Then the defaults, the
in-house rule, disagreements refused, and a one-off saving falling once.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings

from appraise.engine.results import SAVINGS_BY_CLASS, appraise_portfolio
from appraise.errors import InputError
from appraise.model.load import detect_kind, load_portfolio, portfolio_from_data, read_yaml
from appraise.model.savings import CAPACITY, CASH_RELEASING, COST_AVOIDANCE, ONE_OFF, RECURRING
from tests.conftest import EXAMPLES, run_cli
from tests.helpers import intervention, one, portfolio_data
from tests.test_excel_lines import portfolio as generated_portfolio

CLASSES = (CASH_RELEASING, COST_AVOIDANCE, CAPACITY)
CSC = "childrens_social_care"


def _close(a: float, b: float) -> bool:
    return a == pytest.approx(b, rel=1e-9, abs=1e-6)


def _adds_up(record: dict) -> None:
    split = record["savings_by_class"]
    gross = record["gross_savings"]
    assert _close(sum(split[c] for c in CLASSES), gross)
    assert _close(split[RECURRING] + split[ONE_OFF], gross)
    assert split[CASH_RELEASING] == record["cashable_gross_savings"]
    for row in record["years"]:
        assert _close(
            row["cashable_gross_savings"] + row["cost_avoidance_savings"] + row["capacity_savings"],
            row["gross_savings"],
        )
        assert _close(row["recurring_savings"] + row["one_off_savings"], row["gross_savings"])


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(generated_portfolio(0))
def test_classes_add_up_to_gross_savings_over_random_portfolios(data):
    p = portfolio_from_data(data, "generated.yaml")
    out = appraise_portfolio(p).to_data()
    for record in [*out["interventions"], out["portfolio"]]:
        _adds_up(record)
    # Each class again, from the savings by component and each component's booking: the
    # components the headline perspective counts, summed by class.
    payer = {}
    for key, o in p.outcomes.items():
        for c in o.components or []:
            payer[key, c.name] = c.payer
        if o.change is not None:
            payer[key, "change"] = o.change.payer
    counted = {
        (b["outcome"], b["component"]): b
        for b in out["savings_classes"]
        if p.perspective == "public_sector"
        or payer.get((b["outcome"], b["component"]), CSC) == CSC  # derived parts: CSC's
    }
    for record in out["interventions"]:
        expected = dict.fromkeys((*CLASSES, RECURRING, ONE_OFF), 0.0)
        for name, saved in record["savings_by_component"].items():
            outcome, component = name.split(".", 1)
            booked = counted.get((outcome, component))
            if booked is not None:
                expected[booked["savings_class"]] += saved
                expected[booked["recurrence"]] += saved
        for key, value in expected.items():
            assert _close(record["savings_by_class"][key], value), (key, record["id"])


def test_every_example_gives_savings_by_class_in_its_json(cli):
    """Every example portfolio, through the CLI: classes and recurrences add up."""
    portfolios = [
        path
        for path in sorted(EXAMPLES.glob("*.yaml"))
        if detect_kind(read_yaml(path)) == "portfolio"
    ]
    assert len(portfolios) >= 8
    for path in portfolios:
        code, out, err = cli("evaluate", path, "--format", "json")
        assert code == 0, (path, err)
        data = json.loads(out)
        for record in [*data["interventions"], data["portfolio"]]:
            _adds_up(record)
        assert set(data["portfolio"]["savings_by_class"]) == set(SAVINGS_BY_CLASS)


def test_thurrock_mst_is_53_percent_cash_releasing_and_47_percent_capacity():
    """The derivation's placement part (53%, APHR 2017) is cash-releasing, as its cashable share
    always was; the non-placement part (staff, travel, overheads) is capacity freed."""
    mst = appraise_portfolio(load_portfolio(EXAMPLES / "thurrock-2017.yaml")).to_data()
    r = next(x for x in mst["interventions"] if x["id"] == "edge-of-care-mst")
    split = r["savings_by_class"]
    assert split[CASH_RELEASING] == pytest.approx(r["gross_savings"] * 0.53)
    assert split[CAPACITY] == pytest.approx(r["gross_savings"] * 0.47)
    assert split[COST_AVOIDANCE] == 0
    assert split[RECURRING] == pytest.approx(r["gross_savings"])
    # The cashable conventions are untouched: the report's £649,331 (pro rata), to rounding.
    assert r["cashable_net_savings_pro_rata"] == pytest.approx(649_336, abs=1)


def _component_portfolio(**component) -> dict:
    data = portfolio_data(
        outcomes={
            "placement_week": {
                "name": "A week of a placement",
                "components": [{"name": "placement", "cost": 1000, **component}],
            }
        },
        interventions=[
            intervention(
                averts="placement_week",
                reach={"count": 10},
                unit_cost={"amount": 0, "per": "case"},
                effect={"success_rate": 1},
            )
        ],
    )
    return data


@pytest.mark.parametrize(
    ("component", "savings_class"),
    [
        ({}, COST_AVOIDANCE),  # not cashable: spend avoided that comes off no budget
        ({"cashable": True}, CASH_RELEASING),
        ({"cashable": False}, COST_AVOIDANCE),
        ({"savings_class": "capacity"}, CAPACITY),
        ({"in_house": True}, CAPACITY),  # an in-house placement's cost does not fall
        ({"in_house": True, "released": True}, CASH_RELEASING),  # unless carers are released
        ({"in_house": True, "savings_class": "cost_avoidance"}, COST_AVOIDANCE),
    ],
)
def test_a_components_class_by_default_and_as_stated(component, savings_class):
    r = one(_component_portfolio(**component))
    assert r["savings_by_class"][savings_class] == pytest.approx(10_000)
    assert r["cashable_gross_savings"] == (10_000 if savings_class == CASH_RELEASING else 0)


@pytest.mark.parametrize(
    ("component", "field", "says"),
    [
        (
            {"cashable": True, "savings_class": "capacity"},
            "cashable",
            "cashable: true disagrees with savings_class: capacity",
        ),
        ({"in_house": True, "cashable": True}, "cashable", "unless carers or beds are released"),
        ({"released": True}, "released", "released applies to an in-house"),
        (
            {"in_house": True, "savings_class": "cash_releasing"},
            "savings_class",
            "not cash-releasing unless carers or beds are released",
        ),
    ],
)
def test_a_booking_that_disagrees_with_itself_is_refused(component, field, says):
    with pytest.raises(InputError) as caught:
        portfolio_from_data(_component_portfolio(**component), "p.yaml")
    problem = caught.value.problems[0]
    assert problem.path == f"outcomes.placement_week.components[0].{field}"
    assert says in problem.message


def _change_portfolio(in_house: dict, **change) -> dict:
    return portfolio_data(
        placements={
            "in_house_residential": {"weekly_cost": 3000, **in_house},
            "foster": {"weekly_cost": 700},
        },
        outcomes={
            "step_down": {
                "name": "A child moved from in-house residential care to foster care",
                "change": {"from": "in_house_residential", "to": "foster", "units": 26, **change},
            }
        },
        interventions=[
            intervention(
                averts="step_down",
                reach={"count": 2},
                unit_cost={"amount": 0, "per": "case"},
                effect={"success_rate": 1},
            )
        ],
    )


def test_a_change_from_an_in_house_placement_frees_capacity_unless_carers_are_released():
    saving = 2 * (3000 - 700) * 26
    held = one(_change_portfolio({"in_house": True}))
    assert held["savings_by_class"][CAPACITY] == pytest.approx(saving)
    assert held["cashable_gross_savings"] == 0
    released = one(_change_portfolio({"in_house": True, "released": True}))
    assert released["savings_by_class"][CASH_RELEASING] == pytest.approx(saving)
    # A change saves for its units once: one-off by default.
    assert released["savings_by_class"][ONE_OFF] == pytest.approx(saving)
    with pytest.raises(InputError) as caught:
        portfolio_from_data(_change_portfolio({"in_house": True}, cashable=True), "p.yaml")
    assert caught.value.problems[0].path == "outcomes.step_down.change.cashable"


def test_a_one_off_saving_falls_once_while_a_recurring_one_lasts_its_benefit_years():
    """Care proceedings (one-off, £20,000) beside a year in care (recurring, £50,000), for a
    service averting one of each a year, whose outcomes save for 3 years: year 1 saves £70,000
    (the first cohort), year 2 £120,000 (two cohorts' care, one cohort's proceedings), year 3
    £170,000; one-off £20,000 every year (each year's cohort), recurring 50k, 100k, 150k."""
    data = portfolio_data(
        horizon_years=3,
        discount_rate=0,
        outcomes={
            "averted": {
                "name": "A child kept out of care and out of court",
                "components": [
                    {"name": "care", "cost": 50_000, "cashable": True},
                    {"name": "proceedings", "cost": 20_000, "recurrence": "one_off"},
                ],
            }
        },
        interventions=[
            intervention(
                averts="averted",
                reach={"count": 1},
                unit_cost={"amount": 0, "per": "case"},
                effect={"success_rate": 1},
                timing={"benefit_years": 3},
            )
        ],
    )
    r = one(data)
    years = r["years"]
    assert [y["gross_savings"] for y in years] == pytest.approx([70_000, 120_000, 170_000])
    assert [y["one_off_savings"] for y in years] == pytest.approx([20_000] * 3)
    assert [y["recurring_savings"] for y in years] == pytest.approx([50_000, 100_000, 150_000])
    assert [y["cashable_gross_savings"] for y in years] == pytest.approx([50_000, 100_000, 150_000])
    assert [y["cost_avoidance_savings"] for y in years] == pytest.approx([20_000] * 3)
    # Undiscounted, the present value of savings is the sum of the years.
    assert r["pv_gross_savings"] == pytest.approx(360_000)


def test_the_evaluate_table_splits_savings_by_class():
    result = run_cli("evaluate", str(EXAMPLES / "thurrock-2017.yaml"))
    assert result.returncode == 0
    text = result.stdout
    assert "Gross savings by class" in text
    for header in ("Cash-releasing", "Cost avoidance", "Capacity", "Recurring", "One-off"):
        assert header in text
    mst = next(line for line in text.splitlines()[12:] if line.startswith("edge-of-care-mst"))
    assert "£813,434" in mst and "£721,347" in mst  # 53% and 47% of £1,534,780


def test_the_app_and_the_paper_split_savings_by_class(thurrock_json, tmp_path):
    """The Portfolio page's class table and the paper's summary table show the JSON's figures."""
    from tests.test_app import open_app, row
    from tests.test_paper import blocks_under, pounds, report, rows_of

    mst = next(r for r in thurrock_json["interventions"] if r["id"] == "edge-of-care-mst")
    total = thurrock_json["portfolio"]
    at = open_app()
    shown = row(at, mst["name"], table=2)
    for key, name in (
        ("cashable_gross_savings", "Cash-releasing savings"),
        ("cost_avoidance_savings", "Cost avoidance"),
        ("capacity_savings", "Capacity freed"),
        ("recurring_savings", "Recurring savings"),
        ("one_off_savings", "One-off savings"),
    ):
        assert pounds(shown[name]) == round(mst[key]), key
    docx = report(tmp_path, str(EXAMPLES / "thurrock-2017.yaml"))
    tables = [b for b in blocks_under(docx, "Summary") if hasattr(b, "rows")]
    classes = next(t for t in tables if "Cash-releasing savings" in rows_of(t)[0])
    rows = {r["Intervention"]: r for r in rows_of(classes)}
    assert pounds(rows[mst["name"]]["Capacity freed"]) == round(mst["capacity_savings"])
    assert pounds(rows["Portfolio total"]["Cost avoidance"]) == round(
        total["cost_avoidance_savings"]
    )
    text = " ".join(
        b.text for b in blocks_under(docx, "Methods and conventions") if hasattr(b, "text")
    )
    assert "lac_year placement: cash-releasing, recurring" in text
    assert "lac_year non_placement: capacity, recurring" in text
