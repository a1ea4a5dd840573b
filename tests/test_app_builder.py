"""The Build page (issue 26 item 1), driven with AppTest: a new portfolio, an intervention from
the library and one typed in, a range, an assumption; saved, it validates and evaluates to the
figures the app showed."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from streamlit.testing.v1 import AppTest

from appraise.model.costs import load_cost_library
from appraise.model.load import load_portfolio
from tests.conftest import run_cli
from tests.test_app import go, in_project_folder, open_app  # noqa: F401  (fixture)


def widget(widgets, label: str, form: str):
    """The one widget of `form` labelled `label`."""
    (found,) = [w for w in widgets if w.label == label and w.proto.form_id == form]
    return found


def submit(at: AppTest, form: str, label: str) -> AppTest:
    at.button(key=f"FormSubmitter:{form}-{label}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def build(at: AppTest) -> AppTest:
    """From the starter: Pause from the library, a typed-in service, the placeholder removed,
    a range on Pause's cost."""
    at = go(at, "Build")
    submit(at, "new-portfolio", "Start a new portfolio")
    widget(at.selectbox, "Library intervention", "add-library").set_value("pause")
    submit(at, "add-library", "Add from the library")
    assert not shown_errors(at)
    widget(at.text_input, "Id", "add-blank").set_value("family-safeguarding")
    widget(at.text_input, "Name", "add-blank").set_value("Family Safeguarding")
    widget(at.number_input, "Cases a year", "add-blank").set_value(200)
    widget(at.number_input, "Cost of one case (£)", "add-blank").set_value(3000.0)
    share = "Share of cases in which the outcome is averted (%)"
    widget(at.number_input, share, "add-blank").set_value(4.0)
    submit(at, "add-blank", "Add this intervention")
    assert not shown_errors(at)
    at.button(key="remove:0").click().run()  # the starter's placeholder service
    widget(at.selectbox, "Input", "set-range").set_value("interventions[0].unit_cost.amount")
    widget(at.number_input, "Low", "set-range").set_value(15000.0)
    widget(at.number_input, "High", "set-range").set_value(25000.0)
    submit(at, "set-range", "Set this range")
    assert not shown_errors(at)
    return at


def test_build_save_and_evaluate(tmp_path: Path):
    at = build(open_app())
    go(at, "Export")
    at.text_input(key="save-as").set_value("built.yaml")
    at.button(key="save").click().run()
    assert not shown_errors(at)
    saved = tmp_path / "built.yaml"
    data = yaml.safe_load(saved.read_text())
    assert [i["id"] for i in data["interventions"]] == ["pause", "family-safeguarding"]
    amount = data["interventions"][0]["unit_cost"]["amount"]
    assert amount["value"] == {"low": 15000.0, "central": 20202.0, "high": 25000.0}
    assert amount["edited"]["by"] == "app"
    assert run_cli("validate", saved).returncode == 0
    proc = run_cli("evaluate", saved, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    cli = json.loads(proc.stdout)
    typed = next(r for r in cli["interventions"] if r["id"] == "family-safeguarding")
    # 200 cases x £3,000; 200 x 4% = 8 outcomes averted x the starter's £60,000 a year of care.
    assert typed["cost"] == 600_000
    assert round(typed["gross_savings"], 6) == 480_000
    # The app showed the same portfolio: reloaded, it gives the figures it gave before saving.
    assert load_portfolio(saved).interventions[1].unit_cost.amount == 3000
    app_totals = at.session_state["loaded"].evaluation().results["portfolio"]
    assert app_totals["net_savings"] == cli["portfolio"]["net_savings"]


def test_library_intervention_needs_its_outcome():
    at = go(open_app(), "Build")
    submit(at, "new-portfolio", "Start a new portfolio")
    widget(at.selectbox, "Library intervention", "add-library").set_value(
        "dv-perpetrator-expansion"
    )
    submit(at, "add-library", "Add from the library")
    (error,) = shown_errors(at)
    assert "averts dv_incident, which this portfolio does not price" in error
    assert len(at.session_state["loaded"].data["interventions"]) == 1  # nothing changed


def test_a_refused_intervention_says_why_beside_its_form():
    at = go(open_app(), "Build")
    submit(at, "new-portfolio", "Start a new portfolio")
    widget(at.text_input, "Id", "add-blank").set_value("Not A Slug")
    submit(at, "add-blank", "Add this intervention")
    (error,) = shown_errors(at)
    assert "interventions[1].id" in error


def test_add_outcome_from_the_cost_library_and_mark_an_assumption():
    at = go(open_app(), "Build")
    submit(at, "new-portfolio", "Start a new portfolio")
    widget(at.text_input, "Key", "add-outcome").set_value("care_proceedings")
    widget(at.text_input, "Name", "add-outcome").set_value("Care proceedings")
    widget(at.selectbox, "Cost from the unit-cost library", "add-outcome").set_value("gmca:SS4.1.2")
    submit(at, "add-outcome", "Add this outcome")
    assert not shown_errors(at)
    data = at.session_state["loaded"].data
    (part,) = data["outcomes"]["care_proceedings"]["components"]
    item = load_cost_library().get("gmca:SS4.1.2", "", "item")
    assert (part["item"], part["cost"], part["price_year"]) == (
        "gmca:SS4.1.2",
        item.value,
        str(item.price_year),
    )
    path = "interventions[0].reach.count"
    widget(at.selectbox, "Input", "mark-assumed").set_value(path)
    widget(at.text_input, "Why", "mark-assumed").set_value("our caseload")
    submit(at, "mark-assumed", "Mark as assumed")
    count = at.session_state["loaded"].data["interventions"][0]["reach"]["count"]
    assert count == {"value": 200, "assumed": {"by": "The council", "why": "our caseload"}}
