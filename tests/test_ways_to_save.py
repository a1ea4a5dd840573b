"""More ways to save (issue 15): changes of placement, staffing costs, several outcomes per
intervention, additionality and reach counted in other units than the cost.

Every expected figure is worked by hand in the test, from the inputs written beside it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from appraise.engine.results import appraise_portfolio
from appraise.model.load import portfolio_from_data
from tests.conftest import EXAMPLES, run_cli
from tests.helpers import LOCAL_SOURCE, appraise_data, intervention, portfolio_data

STEP_DOWN = 10 * (3000 - 477) * 26 * 0.8  # £524,784
STAFFING = 2 * 40_000 * 1.30 + 20_000  # £124,000


def step_down(**overrides: Any) -> dict[str, Any]:
    """10 children a year, 80% moved from residential (£3,000 a week) to in-house foster care
    (£477 a week) for 26 weeks, by a team of 2 FTE at £40,000 + 30% on-costs and £20,000 more."""
    item = intervention(
        id="step-down",
        averts="step_down",
        reach={"count": 10, "unit": "children"},
        unit_cost={
            "staff": [{"role": "Social worker", "fte": 2, "salary": 40_000, "on_costs": 0.30}],
            "non_staff": 20_000,
        },
        effect={"success_rate": 0.8},
    )
    data = portfolio_data(
        placements={
            "residential": {"weekly_cost": 3000},
            "in_house_foster": {"weekly_cost": 477},
        },
        interventions=[item],
    )
    data["outcomes"]["step_down"] = {
        "name": "A child moved from residential to in-house foster care",
        "change": {"from": "residential", "to": "in_house_foster", "units": 26},
    }
    data.update(overrides)
    return data


def write(folder: Path, data: dict[str, Any]) -> Path:
    path = folder / "portfolio.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_a_step_down_of_10_children_for_26_weeks_at_80_percent_saves_524_784():
    r = appraise_data(step_down()).record(0)
    assert r["outcome_cost"] == pytest.approx((3000 - 477) * 26)  # £65,598 a child moved
    assert r["outcomes_averted"] == pytest.approx(8)
    assert r["gross_savings"] == pytest.approx(STEP_DOWN)
    assert round(r["gross_savings"]) == 524_784
    # A change of placement saves placement spend: cashable.
    assert r["cashable_gross_savings"] == pytest.approx(STEP_DOWN)


def test_2_fte_at_40000_with_30_percent_on_costs_and_20000_more_cost_124000():
    r = appraise_data(step_down()).record(0)
    assert r["cost"] == pytest.approx(STAFFING) and round(r["cost"]) == 124_000
    assert r["net_savings"] == pytest.approx(STEP_DOWN - STAFFING)
    assert round(r["net_savings"]) == 400_784
    assert r["cost_per_case"] == pytest.approx(124_000 / 10)
    assert r["net_savings_per_case"] == pytest.approx(400_784 / 10)


def test_each_staff_line_is_an_input_with_its_own_label_and_can_be_solved_for(tmp_path):
    model = appraise_data(step_down()).model
    keys = {p.key: p for p in model.params}
    salary = keys["step-down.unit_cost.staff[0].salary"]
    assert salary.label == "Social worker: salary a year" and salary.central == 40_000
    assert (
        keys["step-down.unit_cost.staff[0].fte"].path == "interventions[0].unit_cost.staff[0].fte"
    )
    # A claim that the team breaks even: 2 x salary x 1.3 + 20,000 = 524,784 at a salary of
    # (524,784 - 20,000) / 2.6 = 194,147.69.
    write(tmp_path, step_down())
    claims = tmp_path / "claims.yaml"
    claims.write_text(
        "portfolio: portfolio.yaml\n"
        "claims:\n"
        "  - {id: even, intervention: step-down, metric: net_savings, value: 0, tolerance: 1}\n"
    )
    proc = run_cli("verify", claims, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    (claim,) = json.loads(proc.stdout)["claims"]
    implied = {i["input"]: i["implied_value"] for i in claim["implied"]}
    assert implied["step-down.unit_cost.staff[0].salary"] == pytest.approx(
        (STEP_DOWN - 20_000) / 2.6, rel=1e-6
    )
    assert implied["step-down.additionality.displacement"] == pytest.approx(
        1 - STAFFING / STEP_DOWN, rel=1e-6
    )


def test_the_thrive_example_records_the_contact_saving_as_the_2014_report_states_it():
    # THRIVE progress report, 16 June 2014, appendix 1 section 5: supervised contact "costs have
    # fallen by £504k" from less demand and cheaper options together; no prices or volumes, so
    # the example counts the reported fall once and makes up no prices that reproduce it.
    data = json.loads(
        run_cli("evaluate", EXAMPLES / "east-sussex-thrive.yaml", "--format", "json").stdout
    )
    contact = next(r for r in data["interventions"] if r["id"] == "thrive-contact")
    assert contact["reach"] == 1
    assert contact["gross_savings"] == 504_000
    cost = next(
        i for i in data["inputs"] if i["key"].endswith("contact_costs_fallen.components[0].cost")
    )
    assert cost["provenance"]["status"] == "cited"
    assert "£504k" in cost["provenance"]["quote"]
    assert not any(
        i["path"].startswith("outcomes.contact") and ".change." in i["path"] for i in data["inputs"]
    )
    # The board report of 18 October 2012, paragraph 3.4: 18 more agency placements over the
    # year at the OBC, a net increase of 3 at six months. Compared at the same point (9 by six
    # months if the 18 are even over the year), 6 placements were avoided, not 18 - 3 = 15.
    foster = next(r for r in data["interventions"] if r["id"] == "thrive-foster-recruitment")
    assert foster["reach"] == 18 * 0.5 - 3


def fgc(**costs: float) -> dict[str, Any]:
    """FGC's two effects on 173 children in 100 families at £1,500 a family: 44.8% -> 36.2% in
    care and 71.7% -> 59.2% in proceedings, a year in care £70,000 and proceedings £10,000."""
    item = intervention(
        id="fgc",
        averts=None,
        effect=None,
        effects=[
            {"averts": "lac", "baseline_risk": 0.448, "treated_risk": 0.362},
            {"averts": "proceedings", "baseline_risk": 0.717, "treated_risk": 0.592},
        ],
        reach={"count": 173, "unit": "children", "per_case": 1.73},
        unit_cost={"amount": 1500, "per": "family"},
    )
    del item["averts"], item["effect"]
    return portfolio_data(
        outcomes={
            "lac": {
                "name": "A year in care",
                "components": [{"name": "care", "cost": costs.get("lac", 70_000)}],
            },
            "proceedings": {
                "name": "Care proceedings",
                "components": [{"name": "legal", "cost": costs.get("proceedings", 10_000)}],
            },
        },
        interventions=[item],
    )


def test_a_two_outcome_fgc_saves_reach_times_the_sum_of_risk_reduction_times_cost():
    r = appraise_data(fgc()).record(0)
    gross = 173 * ((0.448 - 0.362) * 70_000 + (0.717 - 0.592) * 10_000)  # £1,257,537
    cost = 100 * 1500  # 173 children / 1.73 children a family = 100 families
    assert r["cases_costed"] == pytest.approx(100)
    assert r["cost"] == pytest.approx(cost)
    assert r["gross_savings"] == pytest.approx(gross)
    assert r["outcomes_averted_by_outcome"] == pytest.approx(
        {"lac": 173 * 0.086, "proceedings": 173 * 0.125}
    )
    assert r["savings_by_outcome"] == pytest.approx(
        {"lac": 173 * 0.086 * 70_000, "proceedings": 173 * 0.125 * 10_000}
    )
    assert r["break_even_effect_share"] == pytest.approx(cost / gross)
    # One outcome's figures do not apply to a service averting two.
    assert r["break_even_success_rate"] is None and r["outcome_cost"] is None
    assert r["effect_form"] == "several"


def test_each_outcome_of_a_two_outcome_service_breaks_even_with_the_other_as_expected():
    # With proceedings priced at £500, they save 173 x 0.125 x 500 = £10,812.50; the year in care
    # must save the rest of the £150,000: (150,000 - 10,812.50) / 70,000 = 1.9884 children.
    r = appraise_data(fgc(proceedings=500)).record(0)
    lac, proceedings = r["effects"]
    assert lac["break_even_outcomes"] == pytest.approx((150_000 - 173 * 0.125 * 500) / 70_000)
    assert lac["break_even_success_rate"] == pytest.approx(lac["break_even_outcomes"] / 173)
    # The year in care alone saves 173 x 0.086 x 70,000 = £1,041,460: proceedings need none.
    assert proceedings["break_even_outcomes"] == 0


def test_26_children_23_successes_and_deadweight_0_3_avert_16_1_outcomes():
    data = portfolio_data(
        interventions=[
            intervention(
                reach={"count": 26},
                effect={"success_rate": 23 / 26},
                additionality={"deadweight": 0.3},
            )
        ]
    )
    r = appraise_data(data).record(0)
    assert r["additionality"] == pytest.approx(0.7)
    assert r["outcomes_averted"] == pytest.approx(26 * 23 / 26 * 0.7)
    assert round(r["outcomes_averted"], 1) == 16.1


def test_attribution_and_displacement_multiply_the_effect_too():
    data = portfolio_data(
        interventions=[
            intervention(
                reach={"count": 100},
                effect={"success_rate": 0.5},
                additionality={"deadweight": 0.2, "attribution": 0.8, "displacement": 0.1},
            )
        ]
    )
    r = appraise_data(data).record(0)
    assert r["outcomes_averted"] == pytest.approx(100 * 0.5 * 0.8 * 0.8 * 0.9)  # 28.8


def test_a_change_to_a_dearer_placement_is_a_net_cost_shown_plainly():
    # A special guardianship order (£250 a week, appraise's illustration) for a child who would
    # otherwise have gone home (£0): each change costs £250 x 52 = £13,000 a year.
    data = step_down()
    data["placements"] = {"home": {"weekly_cost": 0}, "sgo": {"weekly_cost": 250}}
    data["outcomes"]["step_down"]["change"] = {"from": "home", "to": "sgo", "units": 52}
    r = appraise_data(data).record(0)
    assert r["outcome_cost"] == pytest.approx(-13_000)
    assert r["gross_savings"] == pytest.approx(-13_000 * 8)
    assert r["net_savings"] == pytest.approx(-13_000 * 8 - STAFFING)


def test_a_change_may_price_a_service_moved_in_house_without_placement_types():
    data = step_down()
    data["outcomes"]["step_down"]["change"] = {"from": 95, "to": 41.15, "units": 1}
    r = appraise_data(data).record(0)
    assert r["outcome_cost"] == pytest.approx(95 - 41.15)


def test_the_new_examples_and_the_library_entry_evaluate():
    for name in ("step-down.yaml", "east-sussex-thrive.yaml", "family-group-conferences.yaml"):
        proc = run_cli("evaluate", EXAMPLES / name)
        assert proc.returncode == 0, (name, proc.stderr)
    data = json.loads(
        run_cli("evaluate", EXAMPLES / "family-group-conferences.yaml", "--format", "json").stdout
    )
    (r,) = data["interventions"]
    assert [e["averts"] for e in r["effects"]] == ["lac_year", "care_proceedings"]
    # Looked after at 12 months, per child (Taylor et al., 2024): 44.8% against 36.2%. Care
    # proceedings, counted once a family: the 12.5-point fall over 2,548 / 1,471 children a family.
    assert [e["effect_raw"] for e in r["effects"]] == pytest.approx([0.448 - 0.362, 0.0722])
    assert r["outcomes_averted_by_outcome"]["care_proceedings"] == pytest.approx(173 * 0.0722)
    assert r["cases_costed"] == pytest.approx(173 / 1.73)
    text = run_cli("evaluate", EXAMPLES / "family-group-conferences.yaml").stdout
    assert "family-group-conferences averts 2 outcomes" in text
    assert "costed as 100.0 cases of one family" in text


def test_simulate_and_sensitivity_range_the_new_inputs(tmp_path):
    data = step_down()
    staff = data["interventions"][0]["unit_cost"]["staff"][0]
    staff["salary"] = {"low": 35_000, "central": 40_000, "high": 45_000}
    data["interventions"][0]["additionality"] = {
        "displacement": {"low": 0, "central": 0.1, "high": 0.4}
    }
    data["placements"]["residential"]["weekly_cost"] = {"low": 2500, "central": 3000, "high": 4000}
    data["evidence"] = {"local-test-source": LOCAL_SOURCE}
    path = write(tmp_path, data)
    proc = run_cli("sensitivity", path, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    names = {s["key"] for s in json.loads(proc.stdout)["portfolio"]["tornado"]}
    assert {
        "step-down.unit_cost.staff[0].salary",
        "step-down.additionality.displacement",
        "placements.residential.weekly_cost",
    } <= names
    proc = run_cli("simulate", path, "--draws", "2000", "--seed", "1", "--format", "json")
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(
    "change, path, message",
    [
        (
            lambda d: d["outcomes"]["step_down"]["change"].update({"from": "residentail"}),
            "outcomes.step_down.change.from",
            "not a placement type of this portfolio (placements: residential, in_house_foster); "
            "did you mean 'residential'?",
        ),
        (
            lambda d: d["interventions"][0]["unit_cost"]["staff"][0].update(fte=-1),
            "interventions[0].unit_cost.staff[0].fte",
            "",
        ),
        (
            lambda d: d["interventions"][0]["unit_cost"]["staff"][0].update(on_costs=1),
            "interventions[0].unit_cost.staff[0].on_costs",
            "",
        ),
        (
            lambda d: d["interventions"][0].update(
                effect={"baseline_risk": 0.3, "treated_risk": 0.2},
                additionality={"deadweight": 0.3},
            ),
            "interventions[0].additionality.deadweight",
            "effect is given as treated_risk, against a baseline risk: say how the effect was found",
        ),
        (
            lambda d: d["interventions"][0].update(
                averts=None,
                effect=None,
                effects=[
                    {"averts": "step_down", "success_rate": 0.5},
                    {"averts": "step_down", "success_rate": 0.2},
                ],
            ),
            "interventions[0].effects[1].averts",
            "effects[0] already averts this outcome",
        ),
    ],
)
def test_bad_new_inputs_exit_2_naming_the_field(tmp_path, change, path, message):
    data = step_down()
    change(data)
    for item in data["interventions"]:
        for key in ("averts", "effect"):
            if item.get(key) is None:
                item.pop(key, None)
    file = write(tmp_path, data)
    proc = run_cli("evaluate", file)
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    assert f"{file}: {path}: {message}" in proc.stderr, proc.stderr


def test_an_intervention_needs_averts_and_effect_or_effects_not_both(tmp_path):
    data = step_down()
    data["interventions"][0]["effects"] = [{"averts": "lac_year", "success_rate": 0.1}]
    proc = run_cli("evaluate", write(tmp_path, data))
    assert proc.returncode == 2
    assert "interventions[0].effects: give either effects (a list) or averts and effect" in (
        proc.stderr
    )


def test_a_portfolio_with_every_new_form_round_trips_through_its_file(tmp_path):
    from appraise.model.save import portfolio_to_data

    portfolio = portfolio_from_data(fgc(), "p.yaml", evidence={})
    again = portfolio_from_data(portfolio_to_data(portfolio), "p.yaml", evidence={})
    assert appraise_portfolio(again, {}).to_data() == appraise_portfolio(portfolio, {}).to_data()
    data = step_down()
    data["outcomes"]["step_down"]["change"] = {"from": 95, "to": "in_house_foster", "units": 3}
    portfolio = portfolio_from_data(data, "p.yaml", evidence={})
    saved = portfolio_to_data(portfolio)
    assert saved["outcomes"]["step_down"]["change"]["from"] == 95.0
    assert portfolio_from_data(saved, "p.yaml", evidence={}).outcomes["step_down"].change.to == (
        "in_house_foster"
    )


def test_the_app_intervention_page_shows_and_edits_staff_lines_and_additionality(
    monkeypatch, tmp_path
):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("APPRAISE_WORKSPACE", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.sidebar.selectbox(key="example").set_value("examples/step-down.yaml").run()
    at.radio(key="page").set_value("Intervention").run()
    assert not at.exception and not at.error, [e.value for e in at.exception]
    salary = "edit:1:interventions[0].unit_cost.staff[0].salary"
    displacement = "edit:1:interventions[0].additionality.displacement"
    keys = {w.key for w in at.number_input}
    assert salary in keys and displacement in keys, sorted(keys)
    at.number_input(key=salary).set_value(50_000.0).run()
    assert not at.exception and not at.error
    shown = {m.label: m.value for m in at.metric}
    assert shown["Cost a year"] == "£150,000"  # 2 x £50,000 x 1.3 + £20,000


def test_figures_that_overflow_are_refused_naming_the_intervention_and_its_largest_inputs():
    from appraise.engine.results import run
    from appraise.errors import InputError

    model = appraise_data(fgc()).model
    # Inputs are bounded where a file is read; values set in code can still overflow a float.
    with pytest.raises(InputError) as exc:
        run(model, {"fgc.reach.count": 1e300, "fgc.unit_cost.amount": 1e300})
    (problem,) = exc.value.problems
    assert problem.path == "interventions[0]"
    assert "fgc: figures too large to work out (" in problem.message
    assert "interventions[0].reach.count = 1e+300" in problem.message


def _deadweight_on(design: str | None, effect: dict) -> dict:
    from tests.helpers import intervention, portfolio_data

    evidence = {"rating": "NL2", "sources": ["local-test-source"]}
    if design is not None:
        evidence["design"] = design
    return portfolio_data(
        interventions=[
            intervention(effect=effect, additionality={"deadweight": 0.3}, evidence=evidence)
        ]
    )


RISKS = {"baseline_risk": 0.55, "treated_risk": 0.3}


@pytest.mark.parametrize("design", ["historical_baseline", "before_after", "none"])
def test_deadweight_is_taken_off_an_effect_against_a_historical_baseline(design):
    """55% entered care in the years before, 30% of those served: 0.25 a case, of which 70% is
    the service's own with deadweight 0.3 (0.175 a case)."""
    from tests.helpers import one

    r = one(_deadweight_on(design, RISKS))
    assert r["effect_raw"] == pytest.approx(0.25)
    assert r["effect_adjusted"] == pytest.approx(0.25 * 0.7)
    assert r["evidence_design"] == design


@pytest.mark.parametrize(
    ("design", "effect", "says"),
    [
        ("rct", RISKS, "from a randomised trial (evidence.design: rct)"),
        ("quasi_experimental", RISKS, "from a matched comparison (evidence.design: quasi_exp"),
        ("rct", {"success_rate": 0.16}, "its control group already is what would have happened"),
        (None, RISKS, "say how the effect was found (evidence.design)"),
    ],
)
def test_deadweight_is_refused_on_a_randomised_or_matched_effect_saying_why(design, effect, says):
    from appraise.errors import InputError
    from appraise.model.load import portfolio_from_data

    with pytest.raises(InputError) as caught:
        portfolio_from_data(_deadweight_on(design, effect), "p.yaml")
    problem = caught.value.problems[0]
    assert problem.path == "interventions[0].additionality.deadweight"
    assert says in problem.message
