"""The committee paper's appendix: the assumptions log, the risks each answer hangs on, and a
methods note on the conventions.
"""

from __future__ import annotations

from typing import Any

from appraise.display import (
    discount_text,
    money,
    payer_name,
    price_notes,
    years_text,
)
from appraise.model.numbers import central
from appraise.model.savings import NAMES
from appraise.model.schema import RATINGS
from appraise.paper.content import Paper, break_even_inputs, hangs_on
from appraise.paper.shown import TOTAL, input_labels, input_text, zero_text
from appraise.paper.word import Writer
from appraise.workbook.inputs import InputRow, Section, provenance_columns

LOG_DIGITS = 6  # significant figures of an input in the assumptions log (the app shows 4)
BASES = ("cited", "derived", "assumed", "edited", "not stated", "setting", "structure")

# ---------------------------------------------------------------------------------------------
# 6. The assumptions log
# ---------------------------------------------------------------------------------------------


def price_year_of(row: InputRow, paper: Paper) -> str:
    """The prices a money input is in: its own price year where the file gives one (it is then
    uprated to the price base), 'assumed' where the file gives none; else the price base."""
    uprated = {r["field"]: r for r in (paper.results.get("prices") or {}).get("uprated", [])}
    found = uprated.get(row.path)
    if found is None:
        return str(paper.totals["price_year"])
    return found["price_year"] + (" (assumed)" if found["assumed"] else "")


def assumptions_log(w: Writer, paper: Paper) -> None:
    price_year = paper.totals["price_year"]
    citations = {key: entry.citation for key, entry in paper.evidence.items()}
    groups: list[tuple[str, list[InputRow]]] = []
    for row in paper.inputs:
        if isinstance(row, Section):
            groups.append((row.title, []))
        else:
            groups[-1][1].append(row)
    counts = dict.fromkeys(BASES, 0)
    for _, rows in groups:
        for row in rows:
            counts[row.basis] += 1
    shown = ", ".join(f"{n} {basis}" for basis, n in counts.items() if n)
    w.orient(landscape=True)
    w.heading("Assumptions log", 1)
    w.paragraph(
        "Every input of the appraisal, one a row, in the order of the workbook's Inputs "
        "sheet; under each input's name, its key there (the Key column). Price year: the "
        f"prices a money input is given in (every one is brought to {price_year} prices). Basis: "
        "where the value came from. Cited: a source, at the table, section or page given; "
        "derived: worked out from the figures and formula given; assumed: a judgement, whose "
        "and why; edited: changed from the file it was loaded from (what it replaced is given); "
        "not stated: the file gives no source for it; setting and structure: conventions and "
        f"terms the file's form fixes. {shown}."
    )
    for title, rows in groups:
        w.heading(title, 2)
        table = []
        for row in rows:
            basis, source, locator, note = provenance_columns(row, citations)
            table.append(
                [
                    f"{row.label}\n{row.key}",
                    input_text(row.value, row.unit, LOG_DIGITS),
                    row.unit,
                    price_year_of(row, paper) if row.unit.startswith("£") else "",
                    basis,
                    ", ".join(part for part in (source, locator) if part),
                    note,
                ]
            )
        w.table(
            f"Inputs: {title}",
            ["Input", "Value", "Unit", "Price year", "Basis", "Where it came from", "Note"],
            table,
            [False, True, False, True, False, False, False],
        )


# ---------------------------------------------------------------------------------------------
# 7. Risks
# ---------------------------------------------------------------------------------------------


def risks(w: Writer, paper: Paper) -> None:
    if not w.orient(landscape=True):
        w.page_break()
    w.heading("Risks: what each answer hangs on", 1)
    names, labels = paper.names(), input_labels(paper)
    if paper.sensitivity is not None:
        w.paragraph(
            "From the sensitivity analysis: for each intervention, each input given as a range "
            "that alone turns its NPV from gain to loss (or loss to gain) within that range, and "
            "otherwise the input whose range moves the NPV most."
        )
        rows = []
        # With options the portfolio's NPV would add up alternatives: each intervention's only.
        total = (
            [] if paper.options is not None else [{"id": None, **paper.sensitivity["portfolio"]}]
        )
        tornadoes = [*paper.sensitivity["interventions"], *total]
        for tornado in tornadoes:
            who = names[tornado["id"]] if tornado["id"] else TOTAL
            found = hangs_on(tornado)
            if not found:
                rows.append(
                    [
                        who,
                        money(tornado["npv"]),
                        "no input given as a range moves it",
                        "",
                        "",
                        "",
                        "",
                        "",
                    ]
                )
            for s, why in found:
                unit = s["unit"]
                rows.append(
                    [
                        who,
                        money(tornado["npv"]),
                        labels.get(s["key"], s["label"]),
                        f"{input_text(s['low'], unit)} to {input_text(s['high'], unit)}",
                        money(s["npv_low"]),
                        money(s["npv_high"]),
                        zero_text(s),
                        why,
                    ]
                )
        w.table(
            "Inputs each NPV hangs on",
            [
                "Intervention",
                "NPV at central values",
                "Input",
                "Range",
                "NPV at low",
                "NPV at high",
                "NPV is zero at",
                "Why it matters",
            ],
            rows,
            [False, True, False, False, True, True, False, False],
        )
        return
    thresholds = (
        paper.thresholds
        if paper.thresholds is not None
        else break_even_inputs(paper.model, paper.results)
    )
    w.paragraph(
        "The file gives no input as a range, so there is no swing to measure. Instead, for each "
        "intervention: the value of each of its main inputs at which its NPV is zero, the others "
        "as stated, nearest first. The smaller the change, the more the answer hangs on that "
        "input. Give inputs as ranges ({low, central, high}) for a Monte Carlo and a tornado."
    )
    rows = []
    for item in thresholds:
        who = names[item["id"]]
        for r in item["inputs"]:
            zero = r["zero_at"]
            rows.append(
                [
                    who,
                    money(item["npv"]),
                    paper.input_label(r["key"], r["label"], r["owner"]),
                    input_text(r["stated"], r["unit"]),
                    input_text(zero, r["unit"])
                    if zero is not None
                    else "no value: the NPV keeps its sign",
                    f"{r['change'] * 100:+.0f}%" if r["change"] is not None else "",
                ]
            )
    w.table(
        "Where each input makes an intervention's NPV zero (the others as stated)",
        ["Intervention", "NPV as stated", "Input", "As stated", "NPV is zero at", "Change needed"],
        rows,
        [False, True, False, True, True, True],
    )


# ---------------------------------------------------------------------------------------------
# 8. Methods
# ---------------------------------------------------------------------------------------------


def methods(w: Writer, paper: Paper) -> None:
    t = paper.totals
    p = paper.portfolio
    h = t["horizon_years"]
    w.orient(landscape=False)
    w.heading("Methods and conventions", 1)
    method = t["cashable_method"]
    w.labelled(
        "Cashable savings",
        "Strict: cashable gross savings (the cashable part of what each averted outcome costs, "
        "placement spend for a child in care) minus the full cost of the service, which is paid "
        "in cash. Pro rata: net savings x the cashable share of an outcome's cost, the convention "
        "Thurrock's 2017 report used. Both are worked out for every figure; this paper's headline "
        f"uses {method.replace('_', ' ')}"
        + (
            f": portfolio cashable net savings {money(t['cashable_net_savings_strict'])} strict, "
            f"{money(t['cashable_net_savings_pro_rata'])} pro rata."
            if paper.options is None
            else "."
        ),
    )
    booked = "; ".join(
        f"{b['outcome']} {b['component']}: {NAMES[b['savings_class']]}, "
        f"{NAMES[b['recurrence']]} ({b['class_basis']})"
        for b in paper.results["savings_classes"]
    )
    w.labelled(
        "How savings are booked",
        "Each part of what an averted outcome costs is cash-releasing (a budget is reduced: the "
        "cashable part), cost avoidance (spend that would have happened does not, but no budget "
        "is reduced) or capacity (staff time or places freed), and recurring (again each year "
        "the outcome stays averted) or one-off (once per outcome averted, in the first year it "
        f"saves). Here: {booked}.",
    )
    payers = "; ".join(
        f"{payer_name(k)} {money(v)}" for k, v in t["savings_by_payer"].items() if v is not None
    )
    by_payer = (
        f" Gross savings by who saves, all interventions: {payers}."
        if paper.options is None
        else ""
    )
    w.labelled(
        "Perspective",
        f"Gross and net savings count the savings to {payer_name(t['perspective'])}.{by_payer} "
        "A service can lose money for children's social care yet save money for the public "
        "sector.",
    )
    if paper.options is not None:
        w.labelled(
            "Options",
            "The file's options are mutually exclusive: each option's figures are its own "
            "interventions' together, never a sum across options. They are ranked by NPV. An "
            "option that costs no less and saves no more than another is dominated, and one "
            "below the line joining a cheaper and a dearer option is ruled out by extended "
            "dominance (dampack's calculate_icers); each of the rest is set against the option "
            "before it on that efficiency frontier, doing nothing for the cheapest (HM Treasury "
            "Green Book, 2022, paragraph 5.53; docs/options.md).",
        )
    prices = price_notes(paper.results.get("prices"))
    if prices:
        text = " ".join(line.strip() for line in prices)
        w.labelled("Prices", text.removeprefix("Prices: "))
    w.labelled(
        "Discounting",
        f"NPV and the benefit-cost ratio are over {years_text(h)} at "
        f"{discount_text(t['discount_rate'], h, a_year=True)} (HM Treasury Green Book): year 1 is "
        "undiscounted, year t is divided by (1 + rate)^(t - 1)"
        + (
            "; under a schedule each year is discounted against the year before at its own "
            "rate, years counted from 0 as the Green Book counts them (year 0 is year 1 here)"
            if not isinstance(t["discount_rate"], int | float)
            else ""
        )
        + ". Payback is the first year in which cumulative net savings reach zero.",
    )
    table = p.optimism_bias_table
    if p.apply_optimism_bias:
        shown = ", ".join(
            f"{r} {input_text(float(_central(table[r])), 'fraction')}" for r in RATINGS
        )
        bias = (
            f"Applied: each effect is cut by the rate for its evidence rating ({shown}). These "
            "rates are the project's own judgement, not a published standard."
        )
    else:
        bias = (
            "Not applied: effects are used as the evidence states them. Applying it "
            "(apply_optimism_bias: true) cuts each effect by a rate for its evidence rating; the "
            "default rates are the project's own judgement, not a published standard."
        )
    w.labelled("Optimism bias", bias)
    haircut = _central(p.non_uk_evidence_haircut)
    w.labelled(
        "Evidence from outside the UK",
        f"Effects established only outside the UK are cut by {input_text(float(haircut), 'fraction')}."
        if haircut
        else "No haircut on effects established only outside the UK (non_uk_evidence_haircut: 0).",
    )
    if paper.simulation is not None:
        w.labelled(
            "Uncertainty",
            "An input written {low, central, high} is a triangular distribution; every other "
            "figure uses its central value. Each input draws from its own random stream, so the "
            f"same seed ({paper.seed}) and draws ({paper.draws:,}) give the same figures. "
            "Percentiles are read from a histogram of the draws, each within 0.05% (or £1 near "
            "zero) of the exact one.",
        )
    w.labelled(
        "This run",
        f"{paper.identity.text}. To check that a copy of this paper, or a workbook, comes from "
        f"the same file, compare the SHA-256 with that of the file (`sha256sum "
        f"{paper.identity.file}`). `appraise report {paper.identity.file} --docx OUT.docx` makes "
        "this paper again; `appraise export` the workbook with every formula.",
    )


def _central(value: Any) -> float:
    return float(central(value))
