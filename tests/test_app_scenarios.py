"""The Scenarios page (issue 26 item 2), driven with AppTest: two named variants of the Thurrock
portfolio compared in one table, each the figures `appraise evaluate` gives for its file."""

from __future__ import annotations

import pytest

from appraise.charts import variants_chart
from appraise.display import money
from tests.test_app import (  # noqa: F401  (fixture)
    LAC_YEAR,
    PROPORTION,
    go,
    in_project_folder,
    open_app,
)


def keep(at, name: str):
    (box,) = [t for t in at.text_input if t.label == "Scenario name"]
    box.set_value(name)
    at.button(key="FormSubmitter:keep-scenario-Keep the open portfolio as this scenario").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def test_two_scenarios_side_by_side(thurrock_json):
    at = go(open_app(), "Scenarios")
    keep(at, "as proposed")
    go(at, "Intervention")
    at.number_input(key=PROPORTION).set_value(5.0).run()  # MST for 5% of the 1,355 children
    go(at, "Scenarios")
    keep(at, "MST at 5%")
    shown = at.table[0].value
    assert list(shown["Scenario"]) == ["as proposed", "MST at 5%"]
    proposed = thurrock_json["portfolio"]["net_savings"]
    assert shown["Net savings a year"].iloc[0] == money(proposed)
    # MST's net savings fall from 135.5 to 67.75 families: half of 135.5 x (16% x a year of care
    # - £2,285), the rest of the portfolio unchanged.
    mst = 135.5 * (0.16 * LAC_YEAR - 2285)
    assert shown["Net savings a year"].iloc[1] == money(proposed - mst / 2)
    # The comparison as CSV, and each scenario exported as the Export page exports the open
    # portfolio (the browser test downloads one); a scenario's workbook is made when asked.
    each = ["Portfolio (YAML)", "Results (CSV)", "Results (JSON)"]
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download the comparison (CSV)", *each, *each]
    at.button(key="make.xlsx:MST at 5%").click().run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download the comparison (CSV)", *each, *each, "Workbook (Excel)"]


def test_each_scenario_exports_its_own_figures(thurrock_json):
    """A scenario's downloads are made from its own file data, not the open portfolio's."""
    import csv
    import io

    from appraise.ui import downloads, scenarios
    from appraise.ui.layout import View
    from appraise.ui.runs import evaluate

    at = go(open_app(), "Scenarios")
    keep(at, "as proposed")
    go(at, "Intervention")
    at.number_input(key=PROPORTION).set_value(5.0).run()
    go(at, "Scenarios")
    keep(at, "MST at 5%")
    kept = at.session_state[scenarios.SCENARIOS]
    results = next(d for d in downloads.DOWNLOADS if d.label == "Results (CSV)")
    nets = []
    for name in ("as proposed", "MST at 5%"):
        key, file = kept[name]
        view = View(at.session_state["loaded"].__class__(file, key, key, 0), evaluate(key, file))
        rows = list(csv.DictReader(io.StringIO(results.content(view))))
        nets.append(float(next(r for r in rows if r["id"] == "total")["net_savings"]))
    assert nets[0] == thurrock_json["portfolio"]["net_savings"]
    assert nets[1] == pytest.approx(nets[0] - 135.5 * (0.16 * LAC_YEAR - 2285) / 2)
    # The comparison CSV: unrounded totals, one row a scenario.
    found = scenarios.rows(kept)
    compared = list(csv.DictReader(io.StringIO(scenarios.comparison_csv(found))))
    assert [r["scenario"] for r in compared] == ["as proposed", "MST at 5%"]
    assert [float(r["net_savings"]) for r in compared] == nets


def test_a_scenario_named_like_a_formula_is_text_in_the_comparison_csv():
    from appraise.ui.scenarios import comparison_csv

    row = {k: 1.0 for k in ("cost", "gross_savings", "net_savings", "cashable_net_savings")}
    row |= {"roi": 0.5, "npv": 2.0, "horizon_years": 5, "file": "p.yaml", "name": "=1+1"}
    assert comparison_csv([row]).splitlines()[1].startswith("'=1+1,")


def test_variants_chart_draws_both_measures_from_zero():
    rows = [
        {"name": "as proposed", "net_savings": 100.0, "npv": 400.0},
        {"name": "half", "net_savings": -50.0, "npv": -10.0},
    ]
    spec = variants_chart(rows).to_dict()
    low, high = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert low < -50 and high > 400  # from below the lowest to beyond the highest, through £0
    values = next(iter(spec["datasets"].values()))
    assert {(v["Scenario"], v["Measure"], v["label"]) for v in values} == {
        ("as proposed", "Net savings a year", "£100"),
        ("as proposed", "NPV", "£400"),
        ("half", "Net savings a year", "-£50"),
        ("half", "NPV", "-£10"),
    }
