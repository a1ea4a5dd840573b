"""The Scenarios page (issue 26 item 2), driven with AppTest: two named variants of the Thurrock
portfolio compared in one table, each the figures `appraise evaluate` gives for its file."""

from __future__ import annotations

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
    # Each exported as its own file (the browser test downloads one).
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download as YAML", "Download as YAML"]


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
