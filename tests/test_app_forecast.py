"""The app's Forecast page: the same figures as `appraise forecast` and `appraise levers`.

Expected figures come from the CLI's JSON on the same file (or the same edit written into a
file), from APHR 2017, or are worked by hand in the test.
"""

from __future__ import annotations

from pathlib import Path

from appraise.display import COMPARISON_COLUMNS, money, pct
from appraise.model.load import load_portfolio
from appraise.model.save import portfolio_to_data, set_at, to_yaml
from tests.conftest import THURROCK
from tests.test_app import (
    PROPORTION,
    cli_json,
    errors,
    go,
    in_project_folder,  # noqa: F401 (autouse: run from the project)
    metrics,
    open_app,
)

# APHR 2017 appendix 1: 35 weeks a year at £1,072 a week, non-placement 47% of all LAC spend.
CHILD_YEAR = 35 * (1072 + 1072 * 0.47 / 0.53)


def expected_table(years: list[dict]) -> list[dict[str, str]]:
    """The CLI's year-by-year comparison, each cell as `appraise forecast` prints it."""
    return [{h: show(y) for h, show in COMPARISON_COLUMNS} for y in years]


def shown_table(at) -> list[dict[str, str]]:
    """The page's year-by-year comparison: the first table on the page."""
    return at.table[0].value.to_dict("records")


def test_forecast_page_shows_the_clis_comparison_year_by_year():
    at = go(open_app(), "Forecast")
    assert not at.error, errors(at)
    cli = cli_json("forecast", str(THURROCK))["with_portfolio"]
    assert shown_table(at) == expected_table(cli["years"])
    first = next(y for y in cli["years"] if y["portfolio_year"] == 1)
    shown = metrics(at)
    assert shown[f"Net saving in {first['year']}"] == money(first["net_saving"])
    last = cli["years"][-1]
    assert shown[f"Net saving to {last['year']}"] == money(last["cumulative_net_saving"])


def test_year_one_worked_by_hand_from_aphr_2017():
    at = go(open_app(), "Forecast")
    year_one = next(r for r in shown_table(at) if r["Portfolio year"] == "1")
    # LAC-years averted: MST 1,355 x 10% x 16% = 21.68 (Table 7) + Pause 15 x 0.23 = 3.45.
    assert year_one["LAC-years averted"] == "25.13"
    # Cost of the three services that avert a year in care: MST 135.5 x £2,285 = £309,617.50,
    # Pause £303,030 (section 2.4.2), parenting £237,162 (Table 5).
    assert year_one["Intervention cost"] == money(135.5 * 2285 + 303_030 + 237_162) == "£849,810"
    # Net saving: 25.13 fewer children x £70,792.45 a year, less that cost.
    net = (1355 * 0.10 * 0.16 + 15 * 0.23) * CHILD_YEAR - (135.5 * 2285 + 303_030 + 237_162)
    assert year_one["Net savings"] == money(net) == "£929,205"


def test_levers_table_is_the_clis_and_the_placement_lever_is_worked_by_hand():
    at = go(open_app(), "Forecast")
    cli = cli_json("levers", str(THURROCK))
    shown = at.table[-1].value.to_dict("records")
    assert [r["Saving a year"] for r in shown] == [money(x["annual_saving"]) for x in cli["levers"]]
    assert [r["Share of total cost"] for r in shown] == [
        pct(x["saving_share"]) for x in cli["levers"]
    ]
    # 5% cheaper placements save 5% of the 2017 placement spend: (42,073 x 66 / 10,000 + 38 UASC)
    # children x 35 weeks x £1,072 x 5%.
    placement = (42_073 * 66 / 10_000 + 38) * 35 * 1072
    row = next(r for r in shown if r["Cost driver"] == "Average placement cost a week")
    assert row["Saving a year"] == money(0.05 * placement) == "£592,219"
    assert row["Of which cashable (placements)"] == "£592,219"


def test_editing_mst_proportion_moves_the_with_portfolio_line_as_the_cli_would(tmp_path: Path):
    at = go(open_app(), "Intervention")
    at.number_input(key=PROPORTION).set_value(5.0).run()
    go(at, "Forecast")
    assert not at.error, errors(at)
    data = portfolio_to_data(load_portfolio(THURROCK))  # the baseline written in, not by name
    set_at(data, "interventions[0].reach.proportion", 0.05)
    edited = tmp_path / "five-percent.yaml"
    edited.write_text(to_yaml(data))
    cli = cli_json("forecast", str(edited))["with_portfolio"]
    assert shown_table(at) == expected_table(cli["years"])
    # By hand: MST now averts 1,355 x 5% x 16% = 10.84 LAC-years, not 21.68, and costs
    # 67.75 x £2,285 = £154,808.75 less; spend without the portfolio does not move.
    before = cli_json("forecast", str(THURROCK))["with_portfolio"]["years"]
    year_one = next(r for r in shown_table(at) if r["Portfolio year"] == "1")
    old = next(y for y in before if y["portfolio_year"] == 1)
    assert year_one["LAC-years averted"] == "14.29"  # 25.13 - 10.84
    spend_with = old["spend_with"] + 1355 * 0.05 * 0.16 * CHILD_YEAR - 67.75 * 2285
    assert year_one["Spend with"] == money(spend_with)
    assert year_one["Spend without"] == money(old["spend_without"])


def test_a_portfolio_without_a_baseline_says_how_to_add_one():
    at = open_app()
    at.selectbox(key="example").set_value("examples/pause-cash-flow.yaml").run()
    go(at, "Forecast")
    assert not at.error, errors(at)
    message = " ".join(i.value for i in at.info)
    assert "baseline: thurrock-2017-baseline.yaml" in message
    assert "examples/thurrock-2017-baseline.yaml" in message
    assert not at.table
