"""The committee paper's sections on analyses beyond a year's figures: uncertainty (where the
file has ranges), the cost of doing nothing, claims checked, realised against planned, and a
programme against its business case. Each lays out the JSON of its CLI command.
"""

from __future__ import annotations

from typing import Any

from appraise import charts
from appraise.display import (
    COMPARISON_COLUMNS,
    claimed_text,
    comparison_notes,
    difference_text,
    figure,
    input_values,
    money,
    num,
    pct,
    programme_heading,
    programme_sections,
    success_rate_text,
    tolerance_text,
    years_text,
)
from appraise.engine.figures import FIGURES
from appraise.paper.charts import png
from appraise.paper.content import Paper
from appraise.paper.council import one_sided_ranges
from appraise.paper.shown import TOTAL, cells, input_labels, input_text, swing_row
from appraise.paper.word import Writer

# ---------------------------------------------------------------------------------------------
# 4. Uncertainty
# ---------------------------------------------------------------------------------------------


def uncertainty(w: Writer, paper: Paper) -> None:
    sim, sens = paper.simulation, paper.sensitivity
    assert sim is not None and sens is not None
    h = sim["portfolio"]["horizon_years"]
    names = paper.names()
    labels = input_labels(paper)
    w.orient(landscape=False)
    w.heading("Uncertainty", 1)
    count = len(sim["uncertain_inputs"])
    w.paragraph(
        f"{count} input{'s are' if count != 1 else ' is'} given as a range. Each of "
        f"{sim['draws']:,} draws (seed {sim['seed']}) takes a value of every one of them at once "
        "and appraises the whole portfolio; `appraise simulate FILE --draws "
        f"{sim['draws']} --seed {sim['seed']}` gives the same figures."
    )
    w.bullets([f"Flag: {x}" for x in one_sided_ranges(paper)])
    # What the interventions make up: the portfolio total, or each option (never their sum).
    options = sim.get("options")
    wholes = (
        [{**sim["portfolio"], "name": TOTAL}]
        if options is None
        else [{**o, "name": f"Option: {o['name']}"} for o in options]
    )
    records = [{**r, "name": names[r["id"]]} for r in sim["interventions"]] + wholes
    npv = FIGURES["npv"].title
    headers = ["Intervention", "Chance of breaking even (NPV > 0)"]
    if options is not None:
        headers.append("Chance of being the best option")
    headers += [
        f"{npv} over {years_text(h)}, mean",
        f"{npv}, 5th percentile",
        f"{npv}, median",
        f"{npv}, 95th percentile",
        f"{FIGURES['net_savings'].title} a year, mean",
    ]
    rows = []
    for r in records:
        best = [pct(r["prob_best"]) if "prob_best" in r else ""] if options is not None else []
        rows.append(
            [
                r["name"],
                pct(r["prob_break_even"]),
                *best,
                *(money(r["npv"][k]) for k in ("mean", "p5", "p50", "p95")),
                money(r["net_savings"]["mean"]),
            ]
        )
    w.table(
        f"Chance of breaking even, and NPV over {years_text(h)} across the draws", headers, rows
    )
    chart_rows = records
    w.figure(
        f"NPV over {years_text(h)} across the draws: the bar holds the middle 90%, the tick is the "
        "median and the diamond the mean",
        png(charts.npv_range_chart(chart_rows, h), paper.identity),
    )
    tornado = sens["portfolio"]
    swings = tornado["tornado"]
    if swings and options is None:  # with options the portfolio's NPV adds up alternatives
        w.heading("Which inputs move the portfolio's NPV most", 2)
        w.paragraph(
            f"NPV over {years_text(h)} at central values: {money(tornado['npv'])}. Each bar moves one "
            "input to its low or its high, the others at their central values; the widest swing "
            "is on top."
        )
        w.figure(
            "What the portfolio's NPV hangs on: each input at its low and at its high",
            png(
                charts.tornado_chart(
                    [
                        {
                            "input": labels.get(s["key"], s["label"]),
                            "low_text": input_text(s["low"], s["unit"]),
                            "high_text": input_text(s["high"], s["unit"]),
                            "npv_low": s["npv_low"],
                            "npv_high": s["npv_high"],
                        }
                        for s in swings
                    ],
                    tornado["npv"],
                ),
                paper.identity,
            ),
        )
        w.table(
            "Where each input makes the portfolio's NPV zero (the others central)",
            ["Input", "Low", "Central", "High", "NPV at low", "NPV at high", "NPV is zero at"],
            [swing_row(s, labels) for s in swings],
            [False, *[True] * 6],
        )
        w.paragraph(
            "Range: triangular, PERT and uniform inputs at their bounds; normal, lognormal and "
            "beta at their 5th and 95th percentiles. 'NPV is zero at' is the value nearest the "
            "central one: within the range, the input alone can turn the NPV from gain to loss."
        )


# ---------------------------------------------------------------------------------------------
# 5. Forecast, claims, tracking, programme
# ---------------------------------------------------------------------------------------------


def forecast(w: Writer, paper: Paper) -> None:
    data = paper.forecast
    assert data is not None
    comparison = data["with_portfolio"]
    w.orient(landscape=False)
    w.heading("The cost of doing nothing", 1)
    w.paragraph(
        f"Children in care and their cost from {data['start_year']}, from the baseline in "
        f"{paper.forecast_file}. A child in care costs {money(data['cost_per_child_year'])} a "
        "year: placement plus non-placement cost of "
        f"{money(data['non_placement_cost_per_week'], 2)} a week of care, fixed at its "
        "start-year level. Cashable cost = placement cost."
    )
    w.figure(
        "Total cost of children in care by year, one line a scenario",
        png(charts.scenario_chart(data["scenarios"]), paper.identity),
    )
    years = [y["year"] for y in data["scenarios"][0]["years"]]
    w.table(
        "Total cost of children in care a year, by scenario",
        ["Year", *(s["name"] for s in data["scenarios"])],
        [
            [str(year), *(money(s["years"][k]["total_cost"]) for s in data["scenarios"])]
            for k, year in enumerate(years)
        ],
    )
    if comparison is None:
        w.bullets(paper.notes)
        return
    w.heading(f"With the portfolio: {comparison['scenario']}", 2)
    w.figure(
        "Spend with and without the portfolio by year",
        png(charts.with_without_chart(comparison["years"]), paper.identity),
    )
    w.orient(landscape=True)
    w.table(
        f"Spend on children in care with and without the portfolio (portfolio year 1 = "
        f"{comparison['start_year']})",
        [h for h, _ in COMPARISON_COLUMNS],
        cells(COMPARISON_COLUMNS, comparison["years"]),
    )
    w.bullets([*comparison_notes(comparison), why_the_forecast_differs(paper, comparison)])


def why_the_forecast_differs(paper: Paper, comparison: dict[str, Any]) -> str:
    """One sentence on why the forecast's savings are not the summary's: which interventions it
    counts, what it prices a LAC-year at, and that its cash-releasing savings are care only."""
    t = paper.totals
    first = next((y for y in comparison["years"] if y["portfolio_year"] == 1), None)
    shown = f" ({money(first['net_saving'])} in its year 1)" if first else ""
    return (
        f"Spend with the portfolio includes its cost (Intervention cost); care cost with it "
        f"does not. The net savings here{shown} differ from the summary's "
        f"{money(t['net_savings'])} a year because they count only the interventions that avert "
        f"{comparison['lac_outcome']}, price a LAC-year at the baseline's cost and follow the "
        "cohorts' timing; cash-releasing savings here are the placement part of care spend "
        "avoided, before the intervention cost, so they may exceed the net savings."
    )


def claims(w: Writer, paper: Paper) -> None:
    check = paper.claims
    assert check is not None
    data = check.verification.to_data()
    w.orient(landscape=True)
    w.heading("Claims checked", 1)
    w.paragraph(f"{check.against}. {check.summary}.")
    for a in data["assume"]:
        value = a["value"] if isinstance(a["value"], str) else f"{a['value']:,g}"
        note = f" ({a['note']})" if a.get("note") else ""
        w.bullets([f"Assumed for every claim: {a['input']} = {value}{note}"])

    def who(c: dict[str, Any]) -> str:
        return (
            " + ".join(c["intervention"])
            if isinstance(c["intervention"], list)
            else c["intervention"]
        )

    rows = [
        [
            c["id"],
            f"{who(c)}: {c['metric']}",
            claimed_text(c),
            figure(c["recomputed"], c["unit"]),
            difference_text(c),
            tolerance_text(c["tolerance"], c["unit"]),
            c["status"].replace("_", " "),
        ]
        for c in data["claims"]
    ]
    w.orient(landscape=True)
    w.table(
        f"Each claim in {data['claims_file']} recomputed from the portfolio's inputs",
        ["Claim", "Figure", "Claimed", "Recomputed", "Difference", "Tolerance", "Status"],
        rows,
        [False, False, True, True, True, True, False],
    )
    failing = [c for c in data["claims"] if c["status"] != "consistent"]
    if failing:
        w.heading("Claims that do not hold", 2)
    for c in failing:
        said = [f"{c['id']}: claimed {claimed_text(c)}, recomputed "]
        said[0] += figure(c["recomputed"], c["unit"]) + "."
        if c["quote"] or c["source"]:
            quote = f'"{c["quote"]}" ' if c["quote"] else ""
            said.append(f"{quote}({c['source'] or 'no source given'}).")
        if c["reason"]:
            said.append(f"Not checkable: {c['reason']}.")
        elif c.get("holds_under_cashable_method"):
            said.append(
                "It holds under the other cashable convention: cashable_method = "
                f"{c['holds_under_cashable_method']}."
            )
        implied = []
        for item in c["implied"]:
            stated, value = input_values(item["stated"], item["implied_value"], item["unit"])
            implied.append(f"{item['label']} ({item['input']}): stated {stated}, implied {value}")
        if implied and not c["reason"]:
            said.append("It holds if one input alone were:")
        w.paragraph(" ".join(said))
        w.bullets(implied)


def tracking(w: Writer, paper: Paper) -> None:
    data = paper.tracking
    assert data is not None
    w.orient(landscape=True)
    w.heading("Realised against planned", 1)
    w.paragraph(
        f"{data['actuals_file']} against {data['portfolio']} (cashable method "
        f"{data['cashable_method'].replace('_', ' ')}). Plan for a period = the business case's "
        "annual figure x months in the period / 12; net = outcomes averted x the cost of one "
        "outcome - spend."
    )
    if data["interventions"]:
        w.figure(
            "Net savings to date, planned against realised",
            png(charts.tracking_chart(data["interventions"]), paper.identity),
        )
    rows = []
    for item in data["interventions"]:
        d = item["to_date"]
        plan, actual = d["planned"], d["actual"]
        per_case = item["effect_form"] == "per_case"
        rows.append(
            [
                item["name"],
                ", ".join(p["period"] for p in item["periods"]),
                num(plan["reach"], 1),
                num(actual["reach"], 0),
                money(plan["cost"]),
                money(actual["cost"]),
                money(plan["net_savings"]),
                money(actual["net_savings"]),
                money(actual["cashable_net_savings"]),
                success_rate_text(actual["success_rate"], per_case, 1),
                success_rate_text(actual["break_even_success_rate"], per_case, 1),
                ", ".join(f.replace("_", " ") for f in d["flags"]),
            ]
        )
    total = data["portfolio_to_date"]
    rows.append(
        [
            TOTAL,
            "",
            "",
            "",
            money(total["planned"]["cost"]),
            money(total["actual"]["cost"]),
            money(total["planned"]["net_savings"]),
            money(total["actual"]["net_savings"]),
            money(total["actual"]["cashable_net_savings"]),
            "",
            "",
            "",
        ]
    )
    headers = [
        "Intervention",
        "Periods",
        "Reach plan",
        "Reach actual",
        "Spend plan",
        "Spend actual",
        "Net plan",
        "Net actual",
        "Cashable net actual",
        "Rate actual",
        "Break-even rate",
        "Flags",
    ]
    w.orient(landscape=True)
    w.table(
        "To date, by intervention",
        headers,
        rows,
        [False, False, *[True] * 9, False],
    )
    notes = [
        "Flags: below break-even = fewer outcomes averted than the spend needs; under reach "
        f"= cases more than {pct(data['reach_tolerance'], 0)} below plan."
    ]
    if data["not_reported"]:
        notes.append(f"No actuals reported for: {', '.join(data['not_reported'])}.")
    w.bullets(notes)


def programme(w: Writer, paper: Paper) -> None:
    """Every table `appraise programme` prints, in its order and with its notes (budget
    monitoring, funding, savings with no target and their classes included), with its charts."""
    data = paper.programme
    assert data is not None
    w.orient(landscape=False)
    w.heading(f"Programme: {data['programme']}", 1)
    w.paragraph(programme_heading(data))
    if data["description"]:
        w.paragraph(data["description"])
    years = data["years"]
    measures_drawn = False
    for title, columns, rows, right, notes in programme_sections(data):
        if title.startswith("Spend against the projection"):
            if any(
                y["projected_spend"] is not None or y["actual_spend"] is not None for y in years
            ):
                w.figure(
                    "Projected spend without the programme against actual spend",
                    png(charts.programme_spend_chart(years), paper.identity),
                )
            if any(y["avoided_spend"] is not None for y in years):
                w.figure(
                    "Spend avoided each financial year and its running total",
                    png(charts.avoided_spend_chart(years), paper.identity),
                )
        elif title in ("Measures", "Measures against targets") and not measures_drawn:
            measures_drawn = True
            for measure in data["measures"]:
                if measure["values"] or measure["targets"]:
                    w.figure(
                        f"{measure['name']} against its targets ({measure['better']} is better)",
                        png(charts.measure_chart(measure), paper.identity),
                    )
        elif title == "Savings targets":
            w.figure(
                "Each savings target against what was achieved",
                png(charts.savings_chart(data["savings"]), paper.identity),
            )
        w.table(title, [h for h, _ in columns], cells(columns, rows), right)
        w.bullets(notes)
