"""The committee paper's own sections, in the order a council's cabinet paper uses.

Header block, purpose, recommendations, background, options considered, financial implications
by financial year, evidence, risks (a register), legal, equalities, other implications,
monitoring and background papers. What only the council can write comes from the portfolio's
`paper:` block (`appraise.model.council`); where it is silent the section is still there with a
placeholder naming what is needed, never invented text. What the engine knows (options,
financial implications, evidence strength, the figures at risk, monitoring from a programme
file) it writes itself. The appraisal in full follows as appendices (`appraise.paper.document`).
"""

from __future__ import annotations

import math
from typing import Any

from appraise.display import money, pct, years_text
from appraise.engine.figures import FIGURES
from appraise.model import ratings
from appraise.model.council import CouncilPaper
from appraise.model.numbers import Dist
from appraise.model.schema import DESIGN_NAMES
from appraise.paper.content import Paper
from appraise.paper.shown import input_text
from appraise.paper.word import Writer, fits

# The council's sections, in order (the test of the paper's order reads this).
SECTIONS = (
    "Purpose",
    "Recommendations",
    "Background",
    "Options considered",
    "Financial implications",
    "Evidence",
    "Risks",
    "Legal implications",
    "Equalities implications",
    "Other implications",
    "Monitoring",
    "Background papers",
)
PLACEHOLDER = "[TO BE COMPLETED BY THE COUNCIL: {}]"
# The financial implications by year: the engine's lines of years (`Appraisal._years`), which
# are the workbook's Cash flows lines, never worked out again here.
YEAR_FIGURES = (
    "cost",
    "gross_savings",
    "net_savings",
    "cashable_gross_savings",
    "cost_avoidance_savings",
    "capacity_savings",
    "recurring_savings",
    "one_off_savings",
    "cumulative_net",
)
INVESTMENT = "Investment (cost)"


def placeholder(what: str) -> str:
    """A visible marker of text only the council can supply: what is needed, never a guess."""
    return PLACEHOLDER.format(what)


def block(paper: Paper) -> CouncilPaper:
    return paper.portfolio.paper or CouncilPaper()


def council_sections(w: Writer, paper: Paper, draft: bool = False) -> None:
    """Everything before the appendices: header block to background papers."""
    c = block(paper)
    header_block(w, paper, c, draft)
    _text(w, "Purpose", c.purpose, "the purpose of the report, in a sentence or two")
    recommendations(w, c)
    _text(w, "Background", c.background, "background and policy context")
    options_considered(w, paper)
    financial_implications(w, paper, c)
    evidence(w, paper)
    risk_register(w, paper, c)
    _text(
        w,
        "Legal implications",
        c.legal,
        "legal implications, including the sufficiency duty (Children Act 1989, section 22G), "
        "procurement and, for a service moved in-house, TUPE; signed off by legal services",
    )
    _text(
        w,
        "Equalities implications",
        c.equalities,
        "equalities implications under the public sector equality duty (Equality Act 2010, "
        "section 149), with the equality impact assessment",
    )
    other_implications(w, c)
    monitoring(w, paper, c)
    background_papers(w, c)


def header_block(w: Writer, paper: Paper, c: CouncilPaper, draft: bool) -> None:
    title = f"Appraisal: {paper.totals['portfolio']}"
    w.heading(f"DRAFT: {title}" if draft else title, 0)
    if draft:
        w.paragraph("DRAFT: not for publication. This paper has not been signed off.", "Subtitle")

    def given(value: Any, what: str) -> str:
        return value if value else placeholder(what)

    key = (
        placeholder("whether this is a key decision")
        if c.key_decision is None
        else ("Yes" if c.key_decision else "No")
    )
    access = (
        placeholder("open or exempt (with the paragraph of Schedule 12A)")
        if c.access is None
        else (
            f"Exempt: {c.exempt_reason}"
            if c.access == "exempt" and c.exempt_reason
            else c.access.capitalize()
        )
    )
    rows = [
        ["Committee", given(c.committee, "the committee or cabinet")],
        ["Date", given(c.date, "the meeting date")],
        ["Report author", given(c.author, "the report author and their role")],
        ["Portfolio holder", given(c.portfolio_holder, "the portfolio holder")],
        ["Wards affected", "; ".join(c.wards) if c.wards else placeholder("the wards affected")],
        ["Key decision", key],
        [
            "Forward plan reference",
            given(c.forward_plan_reference, "the forward plan reference"),
        ],
        ["Open or exempt", access],
        ["Legal sign-off", given(c.legal_sign_off, "legal sign-off (name and date)")],
        ["Finance sign-off", given(c.finance_sign_off, "Section 151 officer's sign-off")],
    ]
    w.table("Report details", ["Item", "Detail"], rows, [False, False])


def _text(w: Writer, title: str, text: str | None, what: str) -> None:
    w.heading(title, 1)
    w.paragraph(text if text else placeholder(what))


def recommendations(w: Writer, c: CouncilPaper) -> None:
    w.heading("Recommendations", 1)
    if c.recommendations:
        for n, item in enumerate(c.recommendations, 1):
            w.paragraph(f"{n}. {item}")
    else:
        w.paragraph(placeholder("the decision sought, as numbered recommendations"))
    w.labelled(
        "Reasons for the recommendations",
        c.reasons or placeholder("the reasons for the recommendations"),
    )


def option_lines(paper: Paper) -> list[str]:
    """What a file of options comes to: the best by NPV, and the chance each is the best."""
    options, h = paper.options or [], paper.totals["horizon_years"]
    best = next(o for o in options if o["rank"] == 1)
    lines = [
        f"This file holds {len(options)} mutually exclusive options: only one will be chosen, so "
        "their figures are never added up.",
        f"The best by NPV over {years_text(h)} is {best['name']}: NPV {money(best['npv'])}, cost "
        f"{money(best['cost'])} a year, net savings {money(best['net_savings'])} a year, of "
        f"which {money(best['cashable_net_savings'])} cashable.",
    ]
    odds = (paper.simulation or {}).get("options")
    if odds:
        shown = "; ".join(f"{o['name']} {pct(o['prob_best'])}" for o in odds)
        lines.append(f"Chance each option is the best, over {paper.draws:,} draws: {shown}.")
    return lines


def options_considered(w: Writer, paper: Paper) -> None:
    """The options the file holds, or each intervention against doing nothing: never a total
    across options, which are alternatives."""
    w.heading("Options considered", 1)
    h = paper.totals["horizon_years"]
    if paper.options is not None:
        w.bullets(option_lines(paper))
        return
    lines = ["Do nothing: the service as it is, with none of the spending below."]
    for r in paper.records:
        verdict = "pays back" if r["payback_year"] else f"does not pay back within {years_text(h)}"
        lines.append(
            f"{r['name']}: {FIGURES['cost'].title.lower()} {money(r['cost'])} a year, "
            f"{FIGURES['net_savings'].title.lower()} {money(r['net_savings'])} a year, "
            f"{FIGURES['npv'].title} over {years_text(h)} {money(r['npv'])}; it {verdict}."
        )
    w.bullets(lines)
    w.paragraph(
        "Each is set out in full in the appendix (The interventions); options the council "
        "rejected are for the council to add: "
        + placeholder("other options considered and why they were rejected")
    )


def year_rows(paper: Paper) -> tuple[list[str], list[list[str]]]:
    """The financial implications by year, a line a row and a year a column as on the
    workbook's Cash flows sheet, from the engine's lines, with the horizon's total (the
    cumulative line has none)."""
    years = paper.totals["years"]
    headers = ["", *(y.get("financial_year", f"Year {y['year']}") for y in years), "Total"]
    rows = [
        [
            INVESTMENT if k == "cost" else FIGURES[k].title,
            *(money(y[k]) for y in years),
            money(sum(y[k] for y in years)) if k != "cumulative_net" else "",
        ]
        for k in YEAR_FIGURES
    ]
    return headers, rows


def financial_implications(w: Writer, paper: Paper, c: CouncilPaper) -> None:
    w.heading("Financial implications", 1)
    t = paper.totals
    labelled_funding(w, c)
    if paper.options is not None:
        w.paragraph(
            "The file holds mutually exclusive options, so there is no one programme of spending "
            "to set out by year: each option's figures are in the Options considered section and "
            "the appendix, never added up."
        )
        return
    headers, rows = year_rows(paper)
    right = [False, *[True] * (len(headers) - 1)]
    wide = not fits(headers, rows, right, w.width())
    w.orient(landscape=wide)  # a long horizon: more years than a portrait page holds
    w.table(
        "Financial implications by year, in the price base's prices (undiscounted): the "
        "lines of the workbook's Cash flows sheet",
        headers,
        rows,
        right,
    )
    w.paragraph(
        f"{FIGURES['gross_savings'].title} split two ways: as "
        f"{FIGURES['cashable_gross_savings'].title.lower()}, "
        f"{FIGURES['cost_avoidance_savings'].title.lower()} and "
        f"{FIGURES['capacity_savings'].title.lower()}; and as "
        f"{FIGURES['recurring_savings'].title.lower()} and "
        f"{FIGURES['one_off_savings'].title.lower()}. Each split adds up to "
        f"{FIGURES['gross_savings'].title.lower()}. {FIGURES['net_savings'].title} are "
        f"{FIGURES['gross_savings'].title.lower()} less the investment. Only "
        f"{FIGURES['cashable_gross_savings'].title.lower()} can come out of a budget; "
        f"discounted at the file's rate, the {FIGURES['npv'].title} over "
        f"{years_text(t['horizon_years'])} is {money(t['npv'])}."
    )
    if wide:
        w.orient(landscape=False)


def labelled_funding(w: Writer, c: CouncilPaper) -> None:
    w.labelled(
        "Funding source and budget line",
        c.funding or placeholder("the funding source and budget line of the investment"),
    )
    w.labelled(
        "Effect on the medium-term financial strategy",
        c.medium_term_financial_strategy
        or placeholder("how the savings and investment enter the medium-term financial strategy"),
    )


def evidence(w: Writer, paper: Paper) -> None:
    """The evidence's strength for each intervention, described once; details in the appendix."""
    w.heading("Evidence", 1)
    w.paragraph(f"Evidence ratings: {ratings.legend()}")
    rows = [
        [
            r["name"],
            str(r["evidence_rating"]),
            DESIGN_NAMES.get(r["evidence_design"], r["evidence_design"])
            if r["evidence_design"]
            else "Not stated",
            "yes" if r["evidence_supports"] else "no: the success rate is assumed",
        ]
        for r in paper.records
    ]
    w.table(
        "The strength of the evidence for each intervention's effect",
        ["Intervention", "Evidence rating", "Design", "Cited effect rated 3 or above"],
        rows,
        [False, True, False, False],
    )
    sources(w, paper)


def sources(w: Writer, paper: Paper) -> None:
    """Every source the interventions cite, described once (each intervention names its own and
    refers back here): the reference, what it found, and which interventions draw on it."""
    users: dict[str, list[str]] = {}
    for item in paper.portfolio.interventions:
        for source in item.evidence.sources:
            users.setdefault(source, []).append(item.name)
    if not users:
        return
    w.heading("Sources", 2)
    for source, names in users.items():
        entry = paper.evidence.get(source)
        if entry is None:
            w.bullets([f"{source}: not in the evidence registry (cited by {', '.join(names)})"])
            continue
        w.bullets([entry.reference])
        w.paragraph(f"Found: {entry.found}")
        w.paragraph(f"Cited by: {'; '.join(names)}.")


def figures_at_risk(paper: Paper) -> list[str]:
    """The engine's view of what the answer hangs on: break-even success rates, the chance of
    breaking even, and each switching value (details in the appendix)."""
    out = []
    chances = {}
    if paper.simulation is not None:
        chances = {r["id"]: r["prob_break_even"] for r in paper.simulation["interventions"]}
    for r in paper.records:
        rate = r.get("break_even_success_rate")
        text = f"{r['name']}: "
        if rate is not None:
            text += f"breaks even at a success rate of {pct(rate)}"
            if r.get("effect_adjusted") is not None:
                text += f" (the file's rate: {pct(r['effect_adjusted'])})"
        else:
            text += "averts several outcomes: see its break-even in the appendix"
        if r["id"] in chances:
            text += f"; breaks even in {pct(chances[r['id']])} of draws"
        out.append(text + ".")
    return out


def one_sided_ranges(paper: Paper) -> list[str]:
    """Each range whose central value sits at one end: the draws all lie on one side of the
    value the deterministic figures use, so the chance of breaking even and the central answer
    can point different ways (FFT's effect, 0 in a range of 0 to 16%, is the case in point)."""
    out = []
    for p in paper.model.params:
        value = p.value
        if not isinstance(value, Dist):
            continue
        low, high = value.support
        if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
            continue
        end = "bottom" if value.central == low else "top" if value.central == high else None
        if end is None:
            continue
        side = "above" if end == "bottom" else "below"
        out.append(
            f"{paper.input_label(p.key, p.label, p.owner)}: the central value, "
            f"{input_text(value.central, p.unit)}, is the {end} of its range "
            f"({input_text(low, p.unit)} to {input_text(high, p.unit)}), so every draw lies "
            f"{side} it. The figures at the central value and the chance of breaking even over "
            "the draws can point different ways; read them together."
        )
    return out


def risk_register(w: Writer, paper: Paper, c: CouncilPaper) -> None:
    w.heading("Risks", 1)
    if c.risks:
        rows = [[r.risk, r.likelihood, r.impact, r.mitigation, r.owner] for r in c.risks]
    else:
        rows = [[placeholder("each risk"), "-", "-", "-", "-"]]
    w.table(
        "Risk register (the council's judgement)",
        ["Risk", "Likelihood", "Impact", "Mitigation", "Owner"],
        rows,
        [False] * 5,
    )
    w.paragraph(
        "The figures at risk, from the appraisal (the inputs whose change turns each answer are "
        "in the appendix, Risks: what each answer hangs on):"
    )
    w.bullets(figures_at_risk(paper))
    flagged = one_sided_ranges(paper)
    if flagged:
        w.paragraph("Ranges whose central value sits at one end:")
        w.bullets(flagged)


def other_implications(w: Writer, c: CouncilPaper) -> None:
    w.heading("Other implications", 1)
    for label, text, what in (
        ("Human resources", c.hr, "HR implications (staffing, TUPE, consultation with staff)"),
        ("Consultation", c.consultation, "who was consulted and what they said"),
        ("Data protection", c.data_protection, "data protection implications (a DPIA if needed)"),
        ("Safeguarding", c.safeguarding, "safeguarding implications"),
    ):
        w.labelled(label, text or placeholder(what))


def monitoring(w: Writer, paper: Paper, c: CouncilPaper) -> None:
    w.heading("Monitoring", 1)
    if c.monitoring:
        w.paragraph(c.monitoring)
    programme = paper.programme
    if programme and programme.get("measures"):
        rows = [
            [
                m["name"],
                m["unit"],
                "" if m["latest"] is None else f"{m['latest']:,.0f} ({m['latest_at']})",
                "" if m["next_target"] is None else f"{m['next_target']:,.0f} ({m['next_at']})",
                m["better"],
            ]
            for m in programme["measures"]
        ]
        w.table(
            f"Measures and targets of the programme {programme['programme']}",
            ["Measure", "Unit", "Latest", "Next target", "Better"],
            rows,
            [False, False, True, True, False],
        )
    elif not c.monitoring:
        w.paragraph(
            placeholder(
                "how the savings will be monitored, by whom and how often (or give a programme "
                "file with --programme for its measures and targets)"
            )
        )


def background_papers(w: Writer, c: CouncilPaper) -> None:
    w.heading("Background papers", 1)
    if c.background_papers:
        w.bullets(c.background_papers)
    else:
        w.paragraph(placeholder("the background papers, with where they can be read"))
    w.paragraph("The appraisal in full follows as appendices.")
