"""The app's Uncertainty page: the same figures as `appraise simulate` and `appraise sensitivity`.

Expected figures come from the CLI's JSON on the same file, draws and seed, or are worked by hand.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from appraise.display import money, pct
from appraise.model.load import load_portfolio
from appraise.model.save import portfolio_to_data, set_at, to_yaml
from appraise.ui import uncertainty
from tests.conftest import ROOT
from tests.test_app import (
    cli_json,
    errors,
    go,
    in_project_folder,  # noqa: F401 (autouse: run from the project)
    metrics,
    open_app,
)

UNCERTAIN = "examples/thurrock-2017-uncertain.yaml"
PORTFOLIO = uncertainty.PORTFOLIO
# Widget keys on the page; the tornado's chooser carries the load generation (1: the example
# opened after the Thurrock file the app starts with).
DRAWS, SEED, TORNADO = "draws", "seed", "tornado:1"


def on_uncertainty_page(example: str = UNCERTAIN) -> AppTest:
    at = open_app()
    at.selectbox(key="example").set_value(example).run()
    go(at, "Uncertainty")
    assert not at.error, errors(at)
    return at


def shown_row(frame: pd.DataFrame, name: str) -> dict[str, str]:
    return frame[frame.iloc[:, 0] == name].iloc[0].to_dict()


def expected_row(record: dict, horizon: int) -> dict[str, str]:
    """A simulate JSON record as the page shows it: a percentage, then pounds."""
    row = {"Chance of breaking even (NPV > 0)": pct(record["prob_break_even"])}
    for key, title in (("npv", f"NPV over {horizon} years"), ("net_savings", "Net savings a year")):
        for stat, word in uncertainty.STATS:
            row[f"{title}, {word}"] = money(record[key][stat])
    return row


def assert_matches_simulate(at: AppTest, cli: dict, names: dict[str, str]) -> None:
    table = at.table[0].value
    h = cli["portfolio"]["horizon_years"]
    for record in cli["interventions"]:
        shown = shown_row(table, names[record["id"]])
        assert {k: shown[k] for k in expected_row(record, h)} == expected_row(record, h)
    total = shown_row(table, PORTFOLIO)
    assert {k: total[k] for k in expected_row(cli["portfolio"], h)} == expected_row(
        cli["portfolio"], h
    )
    assert metrics(at)["Chance the portfolio breaks even"] == pct(
        cli["portfolio"]["prob_break_even"]
    )


def intervention_names(path: str) -> dict[str, str]:
    return {i.id: i.name for i in load_portfolio(ROOT / path).interventions}


def test_uncertainty_page_shows_the_cli_simulation_at_its_default_draws_and_seed():
    at = on_uncertainty_page()
    assert at.number_input(key=DRAWS).value == 10_000
    assert at.number_input(key=SEED).value == 1
    cli = cli_json("simulate", UNCERTAIN, "--draws", "10000", "--seed", "1")
    assert_matches_simulate(at, cli, intervention_names(UNCERTAIN))
    # The page says how to get the same figures from the command line.
    assert any("--draws 10000 --seed 1" in c.value for c in at.caption)


def test_changing_draws_and_seed_reruns_the_simulation_as_the_cli_would():
    at = on_uncertainty_page()
    at.number_input(key=DRAWS).set_value(4000).run()
    at.number_input(key=SEED).set_value(2017).run()
    assert not at.exception and not at.error, errors(at)
    cli = cli_json("simulate", UNCERTAIN, "--draws", "4000", "--seed", "2017")
    assert_matches_simulate(at, cli, intervention_names(UNCERTAIN))


def tornado_rows(tornado: dict, labels: dict[str, str]) -> list[dict[str, str]]:
    """A sensitivity JSON tornado as the page's table shows its money columns."""
    return [
        {
            "Input": labels[s["key"]],
            "NPV at low": money(s["npv_low"]),
            "NPV at high": money(s["npv_high"]),
            "Swing": money(s["swing"]),
        }
        for s in tornado["tornado"]
    ]


def test_tornado_of_the_portfolio_and_each_intervention_matches_the_cli():
    at = on_uncertainty_page()
    cli = cli_json("sensitivity", UNCERTAIN)
    portfolio = load_portfolio(ROOT / UNCERTAIN)
    names = {**{i.id: i.name for i in portfolio.interventions}}
    names.update({k: o.name for k, o in portfolio.outcomes.items()})
    chooser = at.selectbox(key=TORNADO)
    assert chooser.options[0] == PORTFOLIO
    for index, tornado in enumerate([cli["portfolio"], *cli["interventions"]]):
        at.selectbox(key=TORNADO).set_value(index).run()
        assert not at.exception, [e.value for e in at.exception]
        shown = at.table[1].value
        keys = [s["key"] for s in tornado["tornado"]]
        labels = {k: lab for k, lab in zip(keys, shown["Input"], strict=True)}
        columns = ["Input", "NPV at low", "NPV at high", "Swing"]
        assert shown[columns].to_dict("records") == tornado_rows(tornado, labels)
        # Each label names whose input it is: an intervention or the outcome it prices.
        for key, label in labels.items():
            owner = key.split(".")[1] if key.startswith("outcomes.") else key.split(".")[0]
            assert label.startswith(names[owner]), (key, label)
        assert any(f"**{money(tornado['npv'])}**" in m.value for m in at.markdown)


def test_mst_success_rate_is_the_widest_swing_and_its_threshold_is_shown_as_a_rate():
    at = on_uncertainty_page()
    shown = at.table[1].value.iloc[0].to_dict()
    # The MST success rate runs from 0% to 32% around 16%: at 0% the service averts nothing.
    assert shown["Input"].endswith("Success rate (outcome averted per case)")
    assert (shown["Low"], shown["Central"], shown["High"]) == ("0%", "16%", "32%")
    threshold = cli_json("sensitivity", UNCERTAIN)["portfolio"]["tornado"][0]["threshold"]
    assert shown["NPV is zero at"] == f"{pct(threshold, 2)} (within the range)"


def test_a_portfolio_without_ranges_says_how_to_write_one():
    at = go(open_app(), "Uncertainty")  # the Thurrock example: every input a single figure
    assert not at.error, errors(at)
    message = " ".join(i.value for i in at.info)
    assert "{low, central, high}" in message
    assert "thurrock-2017-uncertain.yaml" in message
    assert not at.table and not at.get("vega_lite_chart")


def test_an_edit_on_another_page_reaches_the_simulation(tmp_path: Path):
    at = on_uncertainty_page()
    go(at, "Intervention")
    key = "edit:1:interventions[0].effect.success_rate.central"
    at.number_input(key=key).set_value(20.0).run()  # percent on screen
    assert not at.error, errors(at)
    go(at, "Uncertainty")
    # The same edit written into the file: the range stays 0% to 32%, its mode moves to 20%.
    data = portfolio_to_data(load_portfolio(ROOT / UNCERTAIN))
    set_at(data, "interventions[0].effect.success_rate.value.central", 0.2)
    edited = tmp_path / "edited.yaml"
    edited.write_text(to_yaml(data))
    cli = cli_json("simulate", str(edited), "--draws", "10000", "--seed", "1")
    assert_matches_simulate(at, cli, intervention_names(UNCERTAIN))
