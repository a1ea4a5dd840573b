"""The Forecast page: the cost of doing nothing, by scenario, and spend with and without the
portfolio, with the cost-driver levers.

Figures are `appraise forecast --format json` and `appraise levers --format json` of the portfolio
as edited (`runs.forecast`); tables use the CLI's own columns (`appraise.cli.forecast`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from appraise.display import (
    COMPARISON_COLUMNS,
    SCENARIO_COLUMNS,
    Column,
    comparison_notes,
    describe_rate,
    money,
    num,
    pct,
)
from appraise.ui import charts, runs
from appraise.ui.layout import View, chart, headline, problems, show_table
from appraise.ui.text import code, plain

NO_BASELINE = """\
This portfolio has no baseline, so there is nothing to compare it with. A baseline forecasts
children in care and what they cost if nothing changes (the child population, the rate in care
per 10,000, weeks in care and the weekly placement cost), under one or more scenarios.

Add one to the portfolio file, as a file beside it or written out in full:

```yaml
baseline: thurrock-2017-baseline.yaml
```

`examples/thurrock-2017-baseline.yaml` is Thurrock's (APHR 2017, appendix 1): copy it and change
its figures, then open the portfolio again. `examples/thurrock-2017.yaml` names it: open that
example in the sidebar to see this page filled in.
"""

DRIVERS = {
    "lac_rate": "Children in care per 10,000 children (not UASC)",
    "weeks_in_care_per_child": "Weeks in care per child a year",
    "weekly_placement_cost": "Average placement cost a week",
}


def columns_frame(columns: list[Column], rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A table with the CLI's columns: each a header and how to show a row's value."""
    return pd.DataFrame([{h: show(r) for h, show in columns} for r in rows])


def _driver(driver: str, value: float) -> str:
    if driver == "weekly_placement_cost":
        return money(value, 2)
    return num(value, 2) + (" weeks" if driver == "weeks_in_care_per_child" else "")


def _lever_change(lever: dict[str, Any]) -> str:
    if lever["unit"] == "fraction":
        return pct(lever["change"])
    sign = "+" if lever["change"] > 0 else "-"
    return sign + _driver(lever["driver"], abs(lever["change"]))


def levers_frame(data: dict[str, Any]) -> pd.DataFrame:
    """Each lever as displayed: how much it moves its driver and what that saves a year."""
    year = data["start_year"]
    return pd.DataFrame(
        [
            {
                "Cost driver": DRIVERS.get(lever["driver"], lever["driver"]),
                "Change": _lever_change(lever),
                f"In {year}": _driver(lever["driver"], lever["value"]),
                "With the change": _driver(lever["driver"], lever["value_with_lever"]),
                "Saving a year": money(lever["annual_saving"]),
                "Of which cashable (placements)": money(lever["cashable_saving"]),
                "Share of total cost": pct(lever["saving_share"]),
                "Cost change per 1% change": num(lever["cost_elasticity"]),
            }
            for lever in data["levers"]
        ]
    )


def _year_of(rows: list[dict[str, Any]], portfolio_year: int) -> dict[str, Any] | None:
    return next((r for r in rows if r["portfolio_year"] == portfolio_year), None)


def comparison_headline(comparison: dict[str, Any]) -> None:
    """Year 1 of the portfolio, the end of its horizon and the end of the forecast."""
    rows = comparison["years"]
    first = _year_of(rows, 1)
    horizon = comparison["horizon_years"]
    end = _year_of(rows, horizon) or rows[-1]
    last = rows[-1]
    figures = []
    if first is not None:
        figures += [
            (
                f"Children in care fewer in {first['year']}",
                num(first["lac_years_averted"]),
                "LAC-years averted by the interventions that avert a year in care.",
            ),
            (
                f"Net saving in {first['year']}",
                money(first["net_saving"]),
                "Spend without the portfolio minus spend with it (care cost + intervention cost).",
            ),
        ]
    figures += [
        (
            f"Net saving to {end['year']} (year {end['portfolio_year']})",
            money(end["cumulative_net_saving"]),
            f"Added up, not discounted, to the end of the portfolio's {horizon}-year horizon.",
        ),
        (
            f"Net saving to {last['year']}",
            money(last["cumulative_net_saving"]),
            "Added up, not discounted, to the end of the forecast.",
        ),
    ]
    headline(figures)


def page(view: View) -> None:
    """Spend on children in care by scenario; with and without the portfolio; the levers."""
    loaded = view.loaded
    st.title("Forecast: the cost of doing nothing")
    run = runs.forecast(loaded.key, loaded.name)
    if run.problems:
        problems(f"Cannot forecast {view.edits_note()}", run.problems)
        return
    if run.data is None:
        st.info(NO_BASELINE)
        return
    data = run.data
    comparison = data["with_portfolio"]
    baseline = view.appraisal.model.portfolio.baseline
    if baseline is not None and baseline.description:
        st.markdown(plain(baseline.description))
    st.caption(
        f"From {data['start_year']} (the observed year) for {data['years']} years. A child in care "
        f"costs {money(data['cost_per_child_year'])} a year: placement plus a non-placement cost "
        f"of {money(data['non_placement_cost_per_week'], 2)} a week of care, fixed at its "
        f"{data['start_year']} level. Figures as {code(f'appraise forecast {loaded.name}')}."
    )
    comparison_headline(comparison)
    st.subheader(f"With and without {plain(comparison['portfolio'])}")
    st.write(
        f"Scenario: {plain(comparison['scenario'])}. The portfolio starts in "
        f"{comparison['start_year']}. "
        "Each LAC-year averted is one child fewer in care that year, costing what the baseline "
        "says a child costs; the intervention cost is added on top."
    )
    chart(charts.with_without_chart(comparison["years"]))
    st.caption(
        "The axis does not start at zero. Orange: the interventions' cost, between the care cost "
        "with the portfolio and the spend with it. Green: the net saving, between the spend with "
        "and the spend without."
    )
    st.caption(plain(" ".join(comparison_notes(comparison))))
    show_table(columns_frame(COMPARISON_COLUMNS, comparison["years"]))
    st.subheader("Every scenario: spend on children in care a year")
    chart(charts.scenario_chart(data["scenarios"]))
    for scenario in data["scenarios"]:
        with st.expander(f"{plain(scenario['name'])}: year by year"):
            described = describe_rate(scenario["lac_rate"])
            st.caption(plain(described[:1].upper() + described[1:] + "."))
            show_table(columns_frame(SCENARIO_COLUMNS, scenario["years"]))
    if data["levers"]:
        levers = data["levers"]
        st.subheader(f"Levers: what pulling each cost driver saves against {levers['start_year']}")
        st.caption(
            f"Total cost in {levers['start_year']}: {money(levers['total_cost'])}, of which "
            f"cashable (placements) {money(levers['cashable_cost'])}. The rate lever moves "
            "children not counted as UASC; non-placement cost a week stays at its start-year "
            "level, so cheaper placements save placement cost only."
        )
        show_table(levers_frame(levers))
