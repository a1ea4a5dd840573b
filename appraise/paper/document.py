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
from typing import Any

from appraise import charts
from appraise.display import (
    compared_text,
    discount_text,
    money,
    num,
    pct,
    years_text,
)
from appraise.engine.figures import FIGURES
from appraise.engine.params import Param
from appraise.engine.results import SAVINGS_BY_CLASS
from appraise.model import ratings
from appraise.model.numbers import central
from appraise.model.provenance import EDITED
from appraise.model.savings import MEANINGS, NAMES
from appraise.paper.appendix import assumptions_log, methods, risks
from appraise.paper.charts import png
from appraise.paper.content import Paper
from appraise.paper.contracts import contracts, has_contracts
from appraise.paper.council import council_sections, option_lines
from appraise.paper.intervention import ASSUMED_RATE, SUPPORTED, interventions
from appraise.paper.sections import claims, forecast, programme, tracking, uncertainty
from appraise.paper.shown import TOTAL, conventions, figure_text, input_text, payback
from appraise.paper.template import Template
from appraise.paper.text import property_text
from appraise.paper.voi import what_to_check_first
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
# The evidence ratings' meanings, from their one registry (appraise.model.ratings).
RATING_GUIDE = ratings.legend()

# ---------------------------------------------------------------------------------------------
# The document
# ---------------------------------------------------------------------------------------------


def paper_docx(paper: Paper, template: Template | None = None, draft: bool = False) -> bytes:
    """The committee paper as .docx bytes, in a council's template's styles if one is given
    (`appraise.paper.template.read_template`); `draft` marks it DRAFT on its title and every
    page's foot. The council's sections come first, the appraisal in full as appendices."""
    document = open_document(template)
    w = Writer(document, paper.identity, draft=draft)
    w.footer()
    props = document.core_properties
    props.title = property_text(
        ("DRAFT: " if draft else "") + f"Appraisal: {paper.totals['portfolio']}"
    )
    props.author = f"appraise {__version__}"
    props.identifier = paper.identity.sha256
    props.comments = property_text(f"Made from {paper.identity.text}")
    council_sections(w, paper, draft)
    w.page_break()
    title_page(w, paper)
    summary(w, paper)
    portfolio_table(w, paper)
    interventions(w, paper)
    if has_contracts(paper):
        contracts(w, paper)
    if paper.simulation is not None:
        uncertainty(w, paper)
        what_to_check_first(w, paper)
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
    w.heading("Appendix: the appraisal in full", 1)
    if paper.portfolio.description:
        w.paragraph(paper.portfolio.description, "Subtitle")
    w.paragraph(
        f"Prepared by appraise {identity.version} on {identity.date:%d %B %Y} from the portfolio "
        f"file {identity.file}, whose SHA-256 is {identity.sha256}. Every table and figure below "
        "carries this identity: a copy made from another version of the file, or by another "
        "version of appraise, shows another."
    )
    w.paragraph(conventions(t))
    edited = edits(paper)
    if edited:
        files = sorted({e.provenance.file for e in edited if e.provenance.file})
        origin = f"an edited copy of {' and '.join(files)}" if files else "an edited portfolio"
        w.paragraph(
            f"{identity.file} is {origin}: {len(edited)} input(s) were changed from the file "
            "as it was loaded, each marked edited in the assumptions log with the value and "
            "source it replaced."
        )
        citations = paper.model.citations()
        w.bullets(
            [
                f"{paper.input_label(p.key, p.label, p.owner)}: {edited_text(p, citations)}"
                for p in edited
            ]
        )


def edits(paper: Paper) -> list[Param]:
    """The inputs changed from the file they were loaded from (in the app, or on a workbook)."""
    return [p for p in paper.model.params if p.provenance.status == EDITED]


def edited_text(param: Param, citations: dict[str, str]) -> str:
    """'now 5% (was 10%, assumed (Thurrock Council ...): ...); edited in the app'."""
    prov = param.provenance
    before = prov.was_provenance
    was = input_text(central(prov.was), param.unit)
    shown = before.text(citations) if before else "no source stated"
    return (
        f"now {input_text(param.central, param.unit)}, was {was} ({shown}); edited in the {prov.by}"
    )


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
    lines += paying_lines(paper.records)
    lines += [f"Flag: {f}." for r in paper.records for f in r["flags"]]
    w.bullets(lines)
    npv_title = f"{FIGURES['npv'].title} over {years_text(h)}"
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
    savings_by_class(w, paper.records, [] if options is not None else [{**t, "name": TOTAL}])
    w.paragraph(
        f"Cashable net savings: the part that comes off a budget line quickly (placement "
        f"spend), by the {method} convention (see Methods). NPV: net savings over {years_text(h)}, "
        "discounted to today's money."
        + (
            " Chance of breaking even: the share of draws with an NPV above zero."
            if chances
            else ""
        )
    )


CLASS_FIGURES = ("gross_savings", *SAVINGS_BY_CLASS.values())


def savings_by_class(w: Writer, records: list[dict[str, Any]], total: list[dict[str, Any]]) -> None:
    """Gross savings as a council books them: the classes, then recurring and one-off."""
    headers = ["Intervention", *(FIGURES[k].title for k in CLASS_FIGURES)]
    rows = [[r["name"], *(money(r[k]) for k in CLASS_FIGURES)] for r in [*records, *total]]
    w.table(
        "Gross savings a year as a council books them (cash-releasing, cost avoidance and "
        "capacity add up to gross savings; so do recurring and one-off)",
        headers,
        rows,
        [False, *[True] * (len(headers) - 1)],
    )
    w.paragraph(
        "; ".join(f"{NAMES[k].capitalize()}: {MEANINGS[k]}" for k in SAVINGS_BY_CLASS)
        + ". Cash-releasing savings are the cashable part; how each cost is classed, and why, "
        "is in the appendix of assumptions (docs/defaults.md gives the rules)."
    )


def paying_lines(records: list[dict[str, Any]]) -> list[str]:
    """Which interventions pay for themselves in a year, and on what: the rate the evidence
    supports (a cited effect rated 3 or above) or an assumed one."""
    n = len(records)
    out = []
    for supported, words in (
        (True, f"at the success rate {SUPPORTED}"),
        (False, f"on {ASSUMED_RATE}"),
    ):
        paying = [
            r["name"]
            for r in records
            if r["net_savings"] >= 0 and r["evidence_supports"] == supported
        ]
        if paying:
            verb = "pays for itself" if len(paying) == 1 else "pay for themselves"
            out.append(f"{len(paying)} of {n} {verb} in a year {words}: {'; '.join(paying)}.")
    losing = [r["name"] for r in records if r["net_savings"] < 0]
    if losing:
        out.append(f"{len(losing)} of {n} do not: {'; '.join(losing)}.")
    return out


def _portfolio_lines(
    paper: Paper, chances: dict[str | None, float], method: str, other: str
) -> list[str]:
    t, h = paper.totals, paper.totals["horizon_years"]
    lines = [
        f"The portfolio costs {money(t['cost'])} a year and saves {money(t['gross_savings'])} "
        f"gross: {money(t['net_savings'])} net, of which {money(t['cashable_net_savings'])} is "
        f"cashable ({method}; by the {other} convention, "
        f"{money(t['cashable_net_savings_' + other.replace(' ', '_')])}).",
        f"Of the gross savings, {money(t['cashable_gross_savings'])} is cash-releasing, "
        f"{money(t['cost_avoidance_savings'])} cost avoidance and "
        f"{money(t['capacity_savings'])} capacity freed; {money(t['recurring_savings'])} "
        f"recurs each year an outcome stays averted and {money(t['one_off_savings'])} is "
        "one-off.",
        f"Over {years_text(h)}, discounted at {discount_text(t['discount_rate'], h, a_year=True)}, its NPV is "
        f"{money(t['npv'])}; "
        + (
            f"it pays back in year {t['payback_year']}."
            if t["payback_year"]
            else f"it does not pay back within {years_text(h)}."
        ),
    ]
    if chances:
        lines.append(
            f"Over {paper.draws:,} draws of the inputs given as ranges, the portfolio breaks even "
            f"(NPV above zero) in {pct(chances[None])} of them."
        )
    return lines


def option_rows(paper: Paper, incremental: bool) -> tuple[list[str], list[list[str]]]:
    """The options, best first: headers and rows (with their interventions and what each adds
    over the option before it on the efficiency frontier where `incremental`)."""
    h = paper.totals["horizon_years"]
    names = paper.names()
    odds = {o["name"]: o["prob_best"] for o in (paper.simulation or {}).get("options") or []}
    headers = ["Rank", "Option", *(["Interventions"] if incremental else [])]
    headers += [FIGURES[k].title for k in ("cost", "net_savings", "cashable_net_savings")]
    headers += [f"{FIGURES['npv'].title} over {years_text(h)}", FIGURES["bcr"].title]
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
        f"outcomes averted per case). Evidence: {RATING_GUIDE}"
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
        f"up. Options are ranked by NPV over {years_text(h)}. An option is dominated when another costs "
        "no more and saves no less, and ruled out by extended dominance when a mix of a cheaper "
        "and a dearer option would save more for its cost (the incremental analysis of dampack's "
        "calculate_icers). Each of the rest, the efficiency frontier, is set against the option "
        "before it there: the incremental NPV is what spending the difference adds, and an "
        "incremental benefit-cost ratio above 1 means the extra spending pays for itself (HM "
        "Treasury Green Book, 2022, paragraph 5.53; docs/options.md)."
    )
    w.figure(
        f"NPV over {years_text(h)}, by option",
        png(charts.option_npv_chart(paper.options or [], h), paper.identity),
    )
