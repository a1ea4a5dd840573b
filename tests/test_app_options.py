"""The app on a file of options: the Compare page sets them side by side (a table, NPV by option),
the Portfolio and Uncertainty pages never add them up; without options the pages are as before.

Expected figures are the CLI's (`appraise evaluate|simulate --format json`); the example's own
figures are worked by hand in tests/test_options.py.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from appraise.display import money, num, pct
from appraise.ui import charts
from tests.test_app import (
    cli_json,
    errors,
    go,
    in_project_folder,  # noqa: F401 (autouse: run from the project)
    metrics,
    open_app,
)

OPTIONS = "examples/edge-of-care-options.yaml"


def on(page: str, example: str = OPTIONS) -> AppTest:
    at = open_app()
    at.selectbox(key="example").set_value(example).run()
    go(at, page)
    assert not at.error, errors(at)
    return at


def test_compare_sets_the_options_side_by_side_as_the_cli_ranks_them():
    at = on("Compare")
    assert at.title[0].value == "Compare the options"
    cli = {o["name"]: o for o in cli_json("evaluate", OPTIONS)["options"]}
    shown = at.table[0].value
    assert list(shown["Option"]) == ["MST", "Do nothing", "FFT"]  # by rank
    rows = {r["Option"]: r for r in shown.to_dict("records")}
    for name, o in cli.items():
        assert rows[name]["Rank"] == o["rank"]
        assert rows[name]["NPV"] == money(o["npv"])
        assert rows[name]["Cost"] == money(o["cost"])
    assert rows["MST"]["Interventions"] == "Edge-of-care service based on Multisystemic Therapy"
    assert rows["Do nothing"]["Interventions"] == "none"
    # FFT costs more than MST and saves less: dominated, with no incremental figures.
    assert rows["FFT"]["Compared with"] == "dominated"
    assert rows["FFT"]["Incremental NPV"] == rows["FFT"]["Incremental BCR"] == ""
    assert rows["MST"]["Compared with"] == "Do nothing"
    assert rows["MST"]["Incremental NPV"] == money(cli["MST"]["incremental_npv"])
    assert rows["MST"]["Incremental BCR"] == num(cli["MST"]["incremental_bcr"])
    assert rows["Do nothing"]["Compared with"] == "nothing cheaper"
    # The chart of NPV by option, best first.
    specs = [c.proto.spec for c in at.get("vega_lite_chart")]
    assert any(charts.BEST_OPTION in s and "NPV over 5 years" in s for s in specs)


def test_compare_without_options_is_as_before():
    at = on("Compare", "examples/thurrock-2017.yaml")
    assert at.title[0].value == "Compare the interventions"
    specs = [c.proto.spec for c in at.get("vega_lite_chart")]
    assert len(specs) >= 4 and not any(charts.BEST_OPTION in s for s in specs)
    assert len(at.table) == 0  # only charts, as before


def test_portfolio_page_never_adds_the_options_up():
    at = on("Portfolio")
    for table in at.table:
        if "Intervention" in table.value:  # (the Prices table lists figures, not interventions)
            assert "Total" not in list(table.value["Intervention"])
    best = cli_json("evaluate", OPTIONS)["options"][1]
    assert best["rank"] == 1
    assert metrics(at)["Best option"] == "MST"
    assert metrics(at)["Its NPV over 5 years"] == money(best["npv"])


def test_the_pause_estimates_are_never_added_up_in_the_tiles():
    # Once, the Portfolio page's tiles for pause-cash-flow.yaml showed a total cost of £606,060
    # and an NPV of -£1,176,527: the lower and upper estimates of one service added together.
    at = on("Portfolio", "examples/pause-cash-flow.yaml")
    shown = metrics(at)
    assert "Total cost a year" not in shown and "£606,060" not in shown.values()
    assert "-£1,176,527" not in shown.values()
    options = {
        o["name"]: o for o in cli_json("evaluate", "examples/pause-cash-flow.yaml")["options"]
    }
    assert shown["Best option"] == "Upper estimate"
    assert shown["Its cost a year"] == money(options["Upper estimate"]["cost"])


def test_uncertainty_page_gives_each_options_chance_of_being_the_best():
    at = on("Uncertainty")
    cli = cli_json("simulate", OPTIONS, "--draws", "10000", "--seed", "1")
    shown = metrics(at)
    for o in cli["options"]:
        assert shown[f"Chance {o['name']} is the best option"] == pct(o["prob_best"])
    table = at.table[0].value
    names = list(table.iloc[:, 0])
    assert "Portfolio total" not in names
    assert names[-3:] == ["Option: Do nothing", "Option: MST", "Option: FFT"]
    mst = table[table.iloc[:, 0] == "Option: MST"].iloc[0]
    assert mst["Chance of being the best option"] == pct(cli["options"][1]["prob_best"])
