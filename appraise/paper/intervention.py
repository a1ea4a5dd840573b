"""The committee paper's section on each intervention: what it is, its key figures, its
break-even and chart, and the evidence, with what the paper may say about its effect (only a
cited effect rated 3 or above is one "the evidence supports") and any finding against it.
"""

from __future__ import annotations

import math
from typing import Any

from appraise import charts
from appraise.display import money, num, pct, rate
from appraise.engine.figures import FIGURES
from appraise.model import ratings
from appraise.paper.charts import png
from appraise.paper.content import Paper
from appraise.paper.shown import figure_text
from appraise.paper.word import Writer

# An intervention's key figures, in the order a reader follows them.
INTERVENTION_FIGURES = (
    "reach",
    "cost",
    "effect_adjusted",
    "outcomes_averted",
    "gross_savings",
    "net_savings",
    "cashable_net_savings",
    "roi",
    "break_even_outcomes",
    "break_even_success_rate",
    "cases_per_success_at_break_even",
    "safety_margin",
    "npv",
    "payback_year",
)
SUPPORTED = "the evidence supports"  # said only of a cited effect rated 3 or above
ASSUMED_RATE = "the assumed success rate"


# ---------------------------------------------------------------------------------------------
# 3. One section per intervention
# ---------------------------------------------------------------------------------------------


def interventions(w: Writer, paper: Paper) -> None:
    w.orient(landscape=False)
    w.heading("The interventions", 1)
    w.paragraph(
        "For each: what it is, whom it reaches, what it costs, what it is expected to achieve "
        "and on what evidence, the success rate at which it pays for itself, and where each "
        "figure comes from. The paper says the evidence supports a success rate only where the "
        "effect is cited and rated 3 or above; otherwise it speaks of the assumed success rate."
    )
    w.figure(
        "Net savings a year, by intervention and strength of evidence",
        png(charts.net_savings_chart(paper.records), paper.identity),
    )
    for index, record in enumerate(paper.records):
        intervention(w, paper, index, record)


def _units(paper: Paper, index: int) -> tuple[str, str, str]:
    """(unit of reach, unit of the averted outcome, the outcome's name)."""
    item = paper.portfolio.interventions[index]
    keys = item.outcomes_averted
    if len(keys) > 1:
        names = ", ".join(paper.portfolio.outcomes[k].name for k in keys)
        return item.reach.unit or "cases", "outcomes", names
    outcome = paper.portfolio.outcomes[keys[0]]
    return item.reach.unit or "cases", outcome.unit or "outcomes", outcome.name


def _break_even_text(record: dict[str, Any], reach_unit: str, outcome_unit: str) -> str:
    be_rate = record["break_even_success_rate"]
    if not record["cost"]:
        return "It costs nothing, so it pays for itself whatever its success rate."
    if record["effect_form"] == "several":
        share = record["break_even_effect_share"]
        if share is None:
            return "It cannot pay for itself from this perspective: its outcomes save nothing here."
        parts = "; ".join(
            f"{e['averts']}: {num(e['break_even_outcomes'])} a year with the others as expected"
            for e in record["effects"]
        )
        return (
            f"It averts several outcomes and pays for itself at {pct(share)} of its expected "
            f"effect, every outcome scaled together ({parts})."
        )
    if be_rate is None or not math.isfinite(be_rate):
        return (
            "It cannot pay for itself from this perspective: an outcome it averts saves nothing "
            "here, so no success rate covers its cost."
        )
    outcomes = num(record["break_even_outcomes"])
    one_in = record["cases_per_success_at_break_even"]
    text = (
        f"It pays for itself if it averts {outcomes} {outcome_unit} a year: a success rate of "
        f"{rate(record, 'break_even_success_rate')}"
    )
    if record["effect_form"] != "per_case" and one_in is not None:
        text += f", one in {num(one_in, 1)} {reach_unit}"
    expected = rate(record, "effect_adjusted")
    basis = (
        f"The evidence supports {expected}"
        if record["evidence_supports"]
        else f"On {ASSUMED_RATE} of {expected} (not a cited effect rated 3 or above)"
    )
    if record["net_savings"] >= 0:
        margin = record["safety_margin"]
        times = f", {num(margin)} times the break-even rate" if margin is not None else ""
        return text + f". {basis}{times}."
    return (
        text + f". {basis}, short of that: at that rate it loses "
        f"{money(-record['net_savings'])} a year."
    )


def against_effect(w: Writer, paper: Paper, index: int) -> None:
    """Findings against the effect the intervention is credited with, in its own section."""
    item = paper.portfolio.interventions[index]
    for finding in item.evidence.against:
        entry = paper.evidence.get(finding.source)
        who = entry.citation if entry else finding.source
        where = f", {finding.at}" if finding.at else ""
        w.labelled("A finding against this effect", f"{finding.found} ({who}{where}).")


def effect_basis(paper: Paper, index: int) -> str:
    """How each effect figure stands: cited, derived, assumed or edited, and so what the
    paper may say about it."""
    model = paper.model
    citations = model.citations()
    parts = [f"{p.label}: {p.provenance.text(citations)}" for p in model.effect_params(index)]
    verdict = (
        f"A cited effect rated 3 or above: this paper says {SUPPORTED} it."
        if model.evidence_supports(index)
        else f"Not a cited effect rated 3 or above: this paper speaks of {ASSUMED_RATE}."
    )
    return "; ".join(parts) + ". " + verdict


def intervention(w: Writer, paper: Paper, index: int, record: dict[str, Any]) -> None:
    item = paper.portfolio.interventions[index]
    h = paper.totals["horizon_years"]
    reach_unit, outcome_unit, outcome_name = _units(paper, index)
    w.heading(record["name"], 2)
    grade = ratings.rating(item.evidence.rating)
    w.paragraph(
        f"Id {item.id}; {item.category.replace('_', ' ')}; averts: {outcome_name}. "
        f"Evidence rating {grade.described}: {grade.meaning}"
    )
    against_effect(w, paper, index)
    for flag in record["flags"]:  # an effect seen over part of a year, taken as a year's
        w.labelled("Part of a year taken as a year", flag + ".")
    if item.description:
        w.paragraph(item.description)
    if item.notes:
        w.paragraph(item.notes)
    units = {"reach": reach_unit, "outcomes_averted": outcome_unit}
    rows = [
        [
            FIGURES[k].title,
            figure_text(k, record, h) + (f" {units[k]}" if k in units else ""),
            FIGURES[k].explained,
        ]
        for k in INTERVENTION_FIGURES
    ]
    w.table(
        f"{record['name']}: key figures",
        ["Figure", "Value", "What it means"],
        rows,
        [False, True, False],
    )
    for label, note in (
        ("Reach", item.reach.note),
        ("Cost", item.unit_cost.note),
        *(
            ("Effect" if len(item.effect_list) == 1 else f"Effect on {averts}", effect.note)
            for averts, effect, _ in item.effect_list
        ),
    ):
        if note:
            w.labelled(label, note)
    w.labelled(FIGURES["effect_conversion"].title, record["effect_conversion"] + ".")
    w.labelled("Break-even", _break_even_text(record, reach_unit, outcome_unit))
    curve = paper.curves[index]
    if curve is not None:  # one success rate cannot stand for several outcomes
        w.figure(
            f"{record['name']}: net savings a year at each success rate",
            png(charts.break_even_chart(curve, record), paper.identity),
        )
    w.heading("Evidence", 3)
    w.labelled("Where the effect comes from", effect_basis(paper, index))
    if item.evidence.note:
        w.paragraph(item.evidence.note)
    # Each source is described once, under Evidence: here only named (`council.sources`).
    cited = [
        paper.evidence[s].citation if s in paper.evidence else f"{s}: not in the evidence registry"
        for s in item.evidence.sources
    ]
    if cited:
        w.labelled("Sources", "; ".join(cited) + " (each described under Evidence, Sources).")
