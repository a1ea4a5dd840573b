"""The committee paper's "What to check first": the value of information of the decision, every
uncertain input ranked by it beside the tornado, and, with options, the chance each is the best
the money covers. It lays out `value_of_information` and `acceptability_by_budget` of `appraise
simulate --voi --format json`.
"""

from __future__ import annotations

from typing import Any

from appraise import charts
from appraise.display import check_first, money, num, pct, years_text
from appraise.paper.charts import png
from appraise.paper.content import Paper
from appraise.paper.shown import input_labels
from appraise.paper.word import Writer

CHART_INPUTS = 15  # inputs the chart shows; the table lists every one

METHOD = (
    "Method. The expected value of perfect information (EVPI) is the mean over the draws of the "
    "best choice's NPV minus the NPV of the choice that is best on average. The expected value "
    "of partial perfect information (EVPPI) of an input is estimated from the same draws: a "
    "regression of each choice's NPV on the input (Strong, Oakley and Brennan, 2014, Medical "
    "Decision Making 34(3)) says which choice knowing it would lead to, and the value of choosing "
    "so is counted on the draws themselves (Strong and Oakley, 2013, Medical Decision Making "
    "33(6); Sadatsafavi et al., 2013, Value in Health 16(2)). So no input is ever worth more than "
    "EVPI or less than nothing, and a group of inputs never less than any of them. 'Give or "
    "take' is the Monte Carlo standard error."
)


def what_to_check_first(w: Writer, paper: Paper) -> None:
    sim = paper.simulation
    assert sim is not None
    w.heading("What to check first", 1)
    voi = sim.get("value_of_information")
    if voi is None:
        w.paragraph(f"Not worked out for this paper: {sim.get('voi_skipped', '')}.")
        return
    h = sim["portfolio"]["horizon_years"]
    for sentence in check_first(voi, h):
        w.paragraph(sentence)
    labels = input_labels(paper)
    shown = [{**r, "input": labels.get(r["key"], r["label"])} for r in voi["inputs"]]
    w.figure(
        "What knowing each input exactly would be worth to the decision (EVPPI), with its place "
        "on the tornado",
        png(charts.value_of_information_chart(shown[:CHART_INPUTS]), paper.identity),
    )
    w.table(
        "Every uncertain input by what knowing it exactly would be worth",
        ["Input", "EVPPI", "Give or take", "Share of EVPI", "Place on the tornado"],
        [
            [
                r["input"],
                money(r["evppi"]),
                money(r["evppi_se"]),
                pct(r["share_of_evpi"]),
                str(r["tornado_rank"]),
            ]
            for r in shown
        ],
        [False, True, True, True, True],
    )
    if voi["groups"]:
        w.table(
            "Inputs one study or audit would settle together",
            ["Group", "Inputs", "EVPPI", "Give or take"],
            [
                [g["label"], str(len(g["inputs"])), money(g["evppi"]), money(g["evppi_se"])]
                for g in voi["groups"]
            ],
            [False, True, True, True],
        )
    w.table(
        f"What the uncertainty costs each decision (over {years_text(h)})",
        ["Decision", "Best on average", "EVPI", "Reaches", "EVPI each"],
        [_decision_row(d) for d in voi["decisions"]],
        [False, False, True, True, True],
    )
    w.paragraph(METHOD)
    budget = sim.get("acceptability_by_budget")
    if budget is not None:
        w.heading("Which option, for the money available", 2)
        w.figure(
            "The chance each option is the best one the money covers, by the money available a "
            "year",
            png(charts.acceptability_chart(budget), paper.identity),
        )
        w.paragraph(
            "In each draw an option is affordable when a year of its services costs no more than "
            "the money available; the best affordable option is the one with the highest NPV "
            "among them. With enough money each line settles at the option's chance of being "
            "the best."
        )


def _decision_row(d: dict[str, Any]) -> list[str]:
    each = money(d["evpi_per_case"]) if d["evpi_per_case"] is not None else "n/a"
    return [
        d["name"],
        d["best_on_average"],
        money(d["evpi"]),
        f"{num(d['cases'], 1)} {d['unit']}",
        each,
    ]
