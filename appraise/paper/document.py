"""The committee paper laid out: a Word document from a `Paper` (`appraise.paper.content`).

Sections come in the order a committee paper's appendix uses: summary, the portfolio table, one
section per intervention, uncertainty (where the file has ranges), the forecast, claims, tracking
and programme (where given), the assumptions log, risks and a methods note. Tables take their
headings from the registry of result figures (`appraise.engine.figures`) and format numbers as
the app does (`appraise.paper.shown`); charts are the app's (`appraise.charts`), rendered to PNG.
This module lays out the title, summary, portfolio and interventions; `sections` the analyses,
`appendix` the assumptions log, risks and methods.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

from appraise import charts
from appraise.display import (
    compared_text,
    money,
    num,
    pct,
    rate,
)
from appraise.engine.figures import FIGURES
from appraise.paper.appendix import assumptions_log, methods, risks
from appraise.paper.charts import png
from appraise.paper.content import Paper
from appraise.paper.sections import claims, forecast, programme, tracking, uncertainty
from appraise.paper.shown import TOTAL, conventions, figure_text, payback
from appraise.paper.text import clean
from appraise.paper.word import Writer, open_document
from appraise.version import __version__

# The summary: the figures a recommendation turns on, one row an intervention.
SUMMARY_FIGURES = ("evidence_rating", "cost", "net_savings", "cashable_net_savings", "npv")
# The portfolio table: a year of full service, then the horizon.
PORTFOLIO_FIGURES = (
    "evidence_rating",
    "reach",
    "cost",
    "outcomes_averted",
    "gross_savings",
    "net_savings",
    "cashable_net_savings",
    "break_even_success_rate",
    "effect_adjusted",
    "npv",
    "bcr",
    "payback_year",
)
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
RATING_GUIDE = "EIF levels: 4+ strongest, then 4, 3+, 3, 2+, 2; NL2 not yet level 2; NE no evidence"

# ---------------------------------------------------------------------------------------------
# The document
# ---------------------------------------------------------------------------------------------


def paper_docx(paper: Paper, template: str | Path | None = None) -> bytes:
    """The committee paper as .docx bytes (InputError for a template that is not a .docx)."""
    document = open_document(template)
    w = Writer(document, paper.identity)
    w.footer()
    props = document.core_properties
    props.title = clean(f"Appraisal: {paper.totals['portfolio']}")
    props.author = f"appraise {__version__}"
    props.identifier = paper.identity.sha256
    props.comments = clean(f"Made from {paper.identity.text}")
    title_page(w, paper)
    summary(w, paper)
    portfolio_table(w, paper)
    interventions(w, paper)
    if paper.simulation is not None:
        uncertainty(w, paper)
    if paper.forecast is not None:
        forecast(w, paper)
    if paper.claims is not None:
        claims(w, paper)
    if paper.tracking is not None:
        tracking(w, paper)
    if paper.programme is not None:
        programme(w, paper)
    assumptions_log(w, paper)
    risks(w, paper)
    methods(w, paper)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def title_page(w: Writer, paper: Paper) -> None:
    t, identity = paper.totals, paper.identity
    w.heading(f"Appraisal: {t['portfolio']}", 0)
    if paper.portfolio.description:
        w.paragraph(paper.portfolio.description, "Subtitle")
    w.paragraph(
        f"Prepared by appraise {identity.version} on {identity.date:%d %B %Y} from the portfolio "
        f"file {identity.file}, whose SHA-256 is {identity.sha256}. Every table and figure below "
        "carries this identity: a copy made from another version of the file, or by another "
        "version of appraise, shows another."
    )
    w.paragraph(conventions(t))


# ---------------------------------------------------------------------------------------------
# 1-2. Summary and the portfolio table
# ---------------------------------------------------------------------------------------------


def _chances(paper: Paper) -> dict[str | None, float]:
    """Chance of breaking even (NPV above zero) by intervention id, None for the portfolio."""
    if paper.simulation is None:
        return {}
    sim = paper.simulation
    out: dict[str | None, float] = {r["id"]: r["prob_break_even"] for r in sim["interventions"]}
    out[None] = sim["portfolio"]["prob_break_even"]
    return out


def summary(w: Writer, paper: Paper) -> None:
    t, h = paper.totals, paper.totals["horizon_years"]
    w.heading("Summary", 1)
    method = t["cashable_method"].replace("_", " ")
    other = "strict" if t["cashable_method"] == "pro_rata" else "pro rata"
    options = paper.options
    chances = _chances(paper)
    lines = (
        option_lines(paper)
        if options is not None
        else _portfolio_lines(paper, chances, method, other)
    )
    paying = [r["name"] for r in paper.records if r["net_savings"] >= 0]
    losing = [r["name"] for r in paper.records if r["net_savings"] < 0]
    n = len(paper.records)
    if paying:
        lines.append(
            f"{len(paying)} of {n} interventions pay for themselves in a year at the success "
            f"rate the evidence supports: {'; '.join(paying)}."
        )
    if losing:
        lines.append(f"{len(losing)} of {n} do not: {'; '.join(losing)}.")
    w.bullets(lines)
    npv_title = f"{FIGURES['npv'].title} over {h} years"
    headers = ["Intervention", *(FIGURES[k].title for k in SUMMARY_FIGURES)]
    headers[headers.index(FIGURES["npv"].title)] = npv_title
    headers.append(FIGURES["payback_year"].title)
    if chances:
        headers.append("Chance of breaking even")
    rows = []
    # With options the total would add up alternatives: the options get a table of their own.
    total = [{**t, "name": TOTAL, "evidence_rating": ""}] if options is None else []
    for r in [*paper.records, *total]:
        row = [r["name"], *(figure_text(k, r, h) for k in SUMMARY_FIGURES)]
        row.append(payback(r["payback_year"], h))
        if chances:
            row.append(pct(chances[r.get("id")]))
        rows.append(row)
    w.table(
        "The figures a decision turns on: a year of full service, and NPV over the horizon",
        headers,
        rows,
        [False, False, *[True] * (len(headers) - 2)],
    )
    if options is not None:
        summary_options(w, paper)
    w.paragraph(
        f"Cashable net savings: the part that comes off a budget line quickly (placement "
        f"spend), by the {method} convention (see Methods). NPV: net savings over {h} years, "
        "discounted to today's money."
        + (
            " Chance of breaking even: the share of draws with an NPV above zero."
            if chances
            else ""
        )
    )


def _portfolio_lines(
    paper: Paper, chances: dict[str | None, float], method: str, other: str
) -> list[str]:
    t, h = paper.totals, paper.totals["horizon_years"]
    lines = [
        f"The portfolio costs {money(t['cost'])} a year and saves {money(t['gross_savings'])} "
        f"gross: {money(t['net_savings'])} net, of which {money(t['cashable_net_savings'])} is "
        f"cashable ({method}; by the {other} convention, "
        f"{money(t['cashable_net_savings_' + other.replace(' ', '_')])}).",
        f"Over {h} years, discounted at {pct(t['discount_rate'])} a year, its NPV is "
        f"{money(t['npv'])}; "
        + (
            f"it pays back in year {t['payback_year']}."
            if t["payback_year"]
            else f"it does not pay back within {h} years."
        ),
    ]
    if chances:
        lines.append(
            f"Over {paper.draws:,} draws of the inputs given as ranges, the portfolio breaks even "
            f"(NPV above zero) in {pct(chances[None])} of them."
        )
    return lines


def option_lines(paper: Paper) -> list[str]:
    """What a file of options comes to: the best by NPV, and the chance each is the best."""
    options, h = paper.options or [], paper.totals["horizon_years"]
    best = next(o for o in options if o["rank"] == 1)
    lines = [
        f"This file holds {len(options)} mutually exclusive options: only one will be chosen, so "
        "their figures are never added up.",
        f"The best by NPV over {h} years is {best['name']}: NPV {money(best['npv'])}, cost "
        f"{money(best['cost'])} a year, net savings {money(best['net_savings'])} a year, of "
        f"which {money(best['cashable_net_savings'])} cashable.",
    ]
    odds = (paper.simulation or {}).get("options")
    if odds:
        shown = "; ".join(f"{o['name']} {pct(o['prob_best'])}" for o in odds)
        lines.append(f"Chance each option is the best, over {paper.draws:,} draws: {shown}.")
    return lines


def option_rows(paper: Paper, incremental: bool) -> tuple[list[str], list[list[str]]]:
    """The options, best first: headers and rows (with their interventions and what each adds
    over the option before it on the efficiency frontier where `incremental`)."""
    h = paper.totals["horizon_years"]
    names = paper.names()
    odds = {o["name"]: o["prob_best"] for o in (paper.simulation or {}).get("options") or []}
    headers = ["Rank", "Option", *(["Interventions"] if incremental else [])]
    headers += [FIGURES[k].title for k in ("cost", "net_savings", "cashable_net_savings")]
    headers += [f"{FIGURES['npv'].title} over {h} years", FIGURES["bcr"].title]
    headers.append(FIGURES["payback_year"].title)
    if incremental:
        headers += ["Compared with", "Incremental NPV", "Incremental benefit-cost ratio"]
    if odds:
        headers.append("Chance of being the best")
    rows = []
    for o in sorted(paper.options or [], key=lambda o: o["rank"]):
        spends = o["pv_cost"] != 0 or o["pv_gross_savings"] != 0
        row = [
            str(o["rank"]),
            o["name"],
            *(
                [", ".join(names.get(i, i) for i in o["interventions"]) or "none"]
                if incremental
                else []
            ),
            *(money(o[k]) for k in ("cost", "net_savings", "cashable_net_savings", "npv")),
            num(o["bcr"]) if spends and o["bcr"] is not None else "n/a",
            payback(o["payback_year"], h) if spends else "n/a",
        ]
        if incremental:
            compared = o["incremental_npv"] is not None
            ratio = o["incremental_bcr"]
            row += [
                compared_text(o),
                money(o["incremental_npv"]) if compared else "",
                ("infinite" if ratio is None else num(ratio)) if compared else "",
            ]
        if odds:
            row.append(pct(odds[o["name"]]))
        rows.append(row)
    return headers, rows


def summary_options(w: Writer, paper: Paper) -> None:
    headers, rows = option_rows(paper, incremental=False)
    w.table(
        "The options, best first: each one's own figures, never added up",
        headers,
        rows,
        [True, False, *[True] * (len(headers) - 2)],
    )


def portfolio_table(w: Writer, paper: Paper) -> None:
    t, h = paper.totals, paper.totals["horizon_years"]
    headers = ["Intervention", *(FIGURES[k].title for k in PORTFOLIO_FIGURES)]
    rows = [[r["name"], *(figure_text(k, r, h) for k in PORTFOLIO_FIGURES)] for r in paper.records]
    total = {**t, "evidence_rating": ""}
    if paper.options is None:  # with options a total would add up alternatives
        rows.append(
            [
                TOTAL,
                *(
                    figure_text(k, total, h) if k in t and k not in ("reach",) else ""
                    for k in PORTFOLIO_FIGURES
                ),
            ]
        )
    w.orient(landscape=True)
    w.heading("The portfolio" if paper.options is None else "The options", 1)
    w.paragraph(conventions(t))
    w.table(
        "Every intervention: a year of full service, and the horizon",
        headers,
        rows,
        [False, False, *[True] * (len(headers) - 2)],
    )
    w.paragraph(
        "Success rates are the share of cases in which the outcome is averted ('/case': "
        f"outcomes averted per case). Evidence is the EIF level ({RATING_GUIDE})."
    )
    if paper.options is not None:
        options_table(w, paper)


def options_table(w: Writer, paper: Paper) -> None:
    """The options side by side, and what each adds over the option before it on the frontier."""
    h = paper.totals["horizon_years"]
    headers, rows = option_rows(paper, incremental=True)
    w.table(
        "The options side by side, best first, each against the option before it on the "
        "efficiency frontier",
        headers,
        rows,
        [True, False, False, *[True] * 6, False, True, True, *[True] * (len(headers) - 12)],
    )
    w.paragraph(
        "Only one option will be chosen, so each has its own figures and they are never added "
        f"up. Options are ranked by NPV over {h} years. An option is dominated when another costs "
        "no more and saves no less, and ruled out by extended dominance when a mix of a cheaper "
        "and a dearer option would save more for its cost (the incremental analysis of dampack's "
        "calculate_icers). Each of the rest, the efficiency frontier, is set against the option "
        "before it there: the incremental NPV is what spending the difference adds, and an "
        "incremental benefit-cost ratio above 1 means the extra spending pays for itself (HM "
        "Treasury Green Book, 2022, paragraph 5.53; docs/options.md)."
    )
    w.figure(
        f"NPV over {h} years, by option",
        png(charts.option_npv_chart(paper.options or [], h), paper.identity),
    )


# ---------------------------------------------------------------------------------------------
# 3. One section per intervention
# ---------------------------------------------------------------------------------------------


def interventions(w: Writer, paper: Paper) -> None:
    w.orient(landscape=False)
    w.heading("The interventions", 1)
    w.paragraph(
        "For each: what it is, whom it reaches, what it costs, what the evidence says it "
        "achieves, the success rate at which it pays for itself, and where each figure comes from."
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
    if record["net_savings"] >= 0:
        margin = record["safety_margin"]
        times = f", {num(margin)} times the break-even rate" if margin is not None else ""
        return text + f". The evidence supports {expected}{times}."
    return (
        text + f". The evidence supports {expected}, short of that: at the expected rate it "
        f"loses {money(-record['net_savings'])} a year."
    )


def intervention(w: Writer, paper: Paper, index: int, record: dict[str, Any]) -> None:
    item = paper.portfolio.interventions[index]
    h = paper.totals["horizon_years"]
    reach_unit, outcome_unit, outcome_name = _units(paper, index)
    w.heading(record["name"], 2)
    w.paragraph(
        f"Id {item.id}; {item.category.replace('_', ' ')}; averts: {outcome_name}. "
        f"Evidence rating {item.evidence.rating} ({RATING_GUIDE})."
    )
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
    if item.evidence.note:
        w.paragraph(item.evidence.note)
    for source in item.evidence.sources:
        entry = paper.evidence.get(source)
        if entry is None:
            w.bullets([f"{source}: not in the evidence registry"])
            continue
        w.bullets([entry.reference])
        w.paragraph(f"Found: {entry.found}")
