"""The committee paper laid out: a Word document from a `Paper` (`appraise.paper.content`).

Sections come in the order a committee paper's appendix uses: summary, the portfolio table, one
section per intervention, uncertainty (where the file has ranges), the forecast, claims, tracking
and programme (where given), the assumptions log, risks and a methods note. Tables take their
headings from the registry of result figures (`appraise.engine.figures`) and format numbers as
the app does (`appraise.display`); charts are the app's (`appraise.charts`), rendered to PNG.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

from appraise import charts
from appraise.display import (
    COMPARISON_COLUMNS,
    PROGRAMME_SAVINGS_COLUMNS,
    PROGRAMME_TARGET_COLUMNS,
    PROGRAMME_YEAR_COLUMNS,
    Column,
    claimed_text,
    comparison_notes,
    difference_text,
    figure,
    input_values,
    money,
    num,
    payer_name,
    pct,
    programme_heading,
    programme_measure_notes,
    programme_spend_notes,
    programme_status_notes,
    rate,
    success_rate_text,
    tolerance_text,
)
from appraise.engine.figures import FIGURES
from appraise.model.numbers import central
from appraise.model.schema import RATINGS
from appraise.paper.charts import png
from appraise.paper.content import Paper, break_even_inputs, hangs_on
from appraise.paper.text import clean
from appraise.paper.word import Writer, open_document
from appraise.version import __version__
from appraise.workbook.inputs import InputRow, Section

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
TOTAL = "Portfolio total"
# Who wrote a source that is the project's own judgement rather than a published figure.
PROJECT_AUTHORS = ("appraise", "the appraise project", "appraise project")
STRUCTURE_SLOTS = ("reach_share", "reach_offset", "unit_cost", "fixed_cost", "effect_form")
STRUCTURE_SLOTS += ("effect_b", "non_uk")
LOG_DIGITS = 6  # significant figures of an input in the assumptions log (the app shows 4)
RATING_GUIDE = "EIF levels: 4+ strongest, then 4, 3+, 3, 2+, 2; NL2 not yet level 2; NE no evidence"


# ---------------------------------------------------------------------------------------------
# Numbers as the app shows them
# ---------------------------------------------------------------------------------------------


def payback(year: int | None, horizon: int) -> str:
    """'year 2', or 'not within 5 years' (the app's wording)."""
    return f"year {year}" if year else f"not within {horizon} years"


def figure_text(key: str, record: dict[str, Any], horizon: int) -> str:
    """A result figure of an `evaluate` record in the registry's kind and format, as the app
    shows it: money to the pound, success rates as percentages (or per case), ratios to 2 places."""
    spec = FIGURES[key]
    value = record.get(key)
    if spec.kind == "text":
        return "" if value is None else str(value)
    if spec.kind == "year":
        return payback(value, horizon)
    if value is None:
        return "n/a"
    if spec.kind == "money":
        return money(value)
    if spec.kind == "rate":
        if spec.per_case and "effect_form" in record:
            return rate(record, key)
        return pct(value, 2 if spec.fmt == "pct2" else 0)
    decimals = int(spec.fmt[1:]) if spec.fmt[1:].isdigit() else 0
    return num(value, decimals)


def input_text(value: float | str | None, unit: str, digits: int = 4) -> str:
    """An input's value in its unit, as the app shows it: rates as percentages, money with £
    (pence where it has them), other quantities to `digits` significant figures."""
    if value is None:
        return "none"
    if isinstance(value, str):
        return value
    if unit.startswith("fraction"):  # as written, to 2 decimals of a percent (4 in the log)
        most = 4 if digits > 4 else 2
        shown = next(
            (d for d in range(most) if abs(round(value * 100, d) - value * 100) < 1e-9), most
        )
        return pct(value, shown)
    if unit.startswith("£"):
        return money(value, 0 if float(value).is_integer() else 2)
    if unit in ("switch", "code", "cohorts"):
        return f"{value:g}"
    return f"{value:,.{digits}g}"


def conventions(t: dict[str, Any]) -> str:
    """One line saying how the figures were counted (the app's caption)."""
    return (
        f"Prices {t['price_year']}; savings to {payer_name(t['perspective'])}; cashable savings "
        f"{t['cashable_method'].replace('_', ' ')}; NPV over {t['horizon_years']} years at "
        f"{pct(t['discount_rate'])} a year."
    )


def _cells(columns: list[Column], rows: list[dict[str, Any]]) -> list[list[str]]:
    return [[show(r) for _, show in columns] for r in rows]


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
    chances = _chances(paper)
    if chances:
        lines.append(
            f"Over {paper.simulation['draws']:,} draws of the inputs given as ranges, the "  # type: ignore[index]
            f"portfolio breaks even (NPV above zero) in {pct(chances[None])} of them."
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
    for r in [*paper.records, {**t, "name": TOTAL, "evidence_rating": ""}]:
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


def portfolio_table(w: Writer, paper: Paper) -> None:
    t, h = paper.totals, paper.totals["horizon_years"]
    headers = ["Intervention", *(FIGURES[k].title for k in PORTFOLIO_FIGURES)]
    rows = [[r["name"], *(figure_text(k, r, h) for k in PORTFOLIO_FIGURES)] for r in paper.records]
    total = {**t, "evidence_rating": ""}
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
    w.heading("The portfolio", 1)
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
    outcome = paper.portfolio.outcomes[item.averts]
    return item.reach.unit or "cases", outcome.unit or "outcomes", outcome.name


def _break_even_text(record: dict[str, Any], reach_unit: str, outcome_unit: str) -> str:
    be_rate = record["break_even_success_rate"]
    if not record["cost"]:
        return "It costs nothing, so it pays for itself whatever its success rate."
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
        ("Effect", item.effect.note),
    ):
        if note:
            w.labelled(label, note)
    w.labelled(FIGURES["effect_conversion"].title, record["effect_conversion"] + ".")
    w.labelled("Break-even", _break_even_text(record, reach_unit, outcome_unit))
    curve = paper.curves[index]
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


# ---------------------------------------------------------------------------------------------
# 4. Uncertainty
# ---------------------------------------------------------------------------------------------


def _labels(paper: Paper) -> dict[str, str]:
    """Input key -> 'Whose: what', as the app labels inputs."""
    return {
        p.key: paper.input_label(p.key, p.label, p.owner)
        for p in [*paper.model.params, *paper.model.whole_outcome]
    }


def uncertainty(w: Writer, paper: Paper) -> None:
    sim, sens = paper.simulation, paper.sensitivity
    assert sim is not None and sens is not None
    h = sim["portfolio"]["horizon_years"]
    names = paper.names()
    labels = _labels(paper)
    w.orient(landscape=False)
    w.heading("Uncertainty", 1)
    count = len(sim["uncertain_inputs"])
    w.paragraph(
        f"{count} input{'s are' if count != 1 else ' is'} given as a range. Each of "
        f"{sim['draws']:,} draws (seed {sim['seed']}) takes a value of every one of them at once "
        "and appraises the whole portfolio; `appraise simulate FILE --draws "
        f"{sim['draws']} --seed {sim['seed']}` gives the same figures."
    )
    rows = []
    records = [*sim["interventions"], {"id": None, **sim["portfolio"]}]
    for r in records:
        rows.append(
            [
                names[r["id"]] if r["id"] else TOTAL,
                pct(r["prob_break_even"]),
                *(money(r["npv"][k]) for k in ("mean", "p5", "p50", "p95")),
                money(r["net_savings"]["mean"]),
            ]
        )
    npv = FIGURES["npv"].title
    w.table(
        f"Chance of breaking even, and NPV over {h} years across the draws",
        [
            "Intervention",
            "Chance of breaking even (NPV > 0)",
            f"{npv} over {h} years, mean",
            f"{npv}, 5th percentile",
            f"{npv}, median",
            f"{npv}, 95th percentile",
            f"{FIGURES['net_savings'].title} a year, mean",
        ],
        rows,
    )
    chart_rows = [{**r, "name": names[r["id"]]} for r in sim["interventions"]]
    chart_rows.append({**sim["portfolio"], "name": TOTAL})
    w.figure(
        f"NPV over {h} years across the draws: the bar holds the middle 90%, the tick is the "
        "median and the diamond the mean",
        png(charts.npv_range_chart(chart_rows, h), paper.identity),
    )
    tornado = sens["portfolio"]
    swings = tornado["tornado"]
    if swings:
        w.heading("Which inputs move the portfolio's NPV most", 2)
        w.paragraph(
            f"NPV over {h} years at central values: {money(tornado['npv'])}. Each bar moves one "
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
            [_swing_row(s, labels) for s in swings],
            [False, *[True] * 6],
        )
        w.paragraph(
            "Range: triangular, PERT and uniform inputs at their bounds; normal, lognormal and "
            "beta at their 5th and 95th percentiles. 'NPV is zero at' is the value nearest the "
            "central one: within the range, the input alone can turn the NPV from gain to loss."
        )


def _zero_text(s: dict[str, Any]) -> str:
    if s["threshold"] is None:
        return "none: no value the input may take"
    where = "within" if s["threshold_in_range"] else "outside"
    return f"{input_text(s['threshold'], s['unit'])} ({where} the range)"


def _swing_row(s: dict[str, Any], labels: dict[str, str]) -> list[str]:
    unit = s["unit"]
    return [
        labels.get(s["key"], s["label"]),
        input_text(s["low"], unit),
        input_text(s["central"], unit),
        input_text(s["high"], unit),
        money(s["npv_low"]),
        money(s["npv_high"]),
        _zero_text(s),
    ]


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
        _cells(COMPARISON_COLUMNS, comparison["years"]),
    )
    w.bullets(comparison_notes(comparison))


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
    data = paper.programme
    assert data is not None
    w.orient(landscape=False)
    w.heading(f"Programme: {data['programme']}", 1)
    w.paragraph(programme_heading(data))
    if data["description"]:
        w.paragraph(data["description"])
    years = data["years"]
    spend_keys = ("projected_spend", "actual_spend", "avoided_spend", "investment")
    if any(y[k] is not None for y in years for k in spend_keys):
        if any(y["projected_spend"] is not None or y["actual_spend"] is not None for y in years):
            w.figure(
                "Projected spend without the programme against actual spend",
                png(charts.programme_spend_chart(years), paper.identity),
            )
        if any(y["avoided_spend"] is not None for y in years):
            w.figure(
                "Spend avoided each financial year and its running total",
                png(charts.avoided_spend_chart(years), paper.identity),
            )
        w.table(
            "Spend against the projection, by financial year",
            [h for h, _ in PROGRAMME_YEAR_COLUMNS],
            _cells(PROGRAMME_YEAR_COLUMNS, years),
        )
        w.bullets(programme_spend_notes(data))
    if data["targets"] or any(m["values"] for m in data["measures"]):
        for measure in data["measures"]:
            if measure["values"] or measure["targets"]:
                w.figure(
                    f"{measure['name']} against its targets ({measure['better']} is better)",
                    png(charts.measure_chart(measure), paper.identity),
                )
        w.table(
            "Measures against targets",
            [h for h, _ in PROGRAMME_TARGET_COLUMNS],
            _cells(PROGRAMME_TARGET_COLUMNS, data["targets"]),
            [False, False, True, True, True, False, True, True],
        )
        w.bullets(programme_measure_notes(data))
    if data["savings"]:
        w.figure(
            "Each savings target against what was achieved",
            png(charts.savings_chart(data["savings"]), paper.identity),
        )
        w.table(
            "Savings targets",
            [h for h, _ in PROGRAMME_SAVINGS_COLUMNS],
            _cells(PROGRAMME_SAVINGS_COLUMNS, data["savings"]),
            [False, False, True, True, True, True, False, False],
        )
        w.bullets(programme_status_notes(data))


# ---------------------------------------------------------------------------------------------
# 6. The assumptions log
# ---------------------------------------------------------------------------------------------


def basis(row: InputRow, paper: Paper) -> str:
    """'cited', 'assumption' (no source, or only the project's own judgement) or 'structure'
    (a term the file's form fixes, such as a proportion not used when reach is a count)."""
    if row.kind == "fixed" and row.line in STRUCTURE_SLOTS and row.owner.startswith("i"):
        return "structure"
    cited = [
        s
        for s in row.sources
        if s not in paper.evidence
        or paper.evidence[s].authors.strip().lower() not in PROJECT_AUTHORS
    ]
    return "cited" if cited else "assumption"


def assumptions_log(w: Writer, paper: Paper) -> None:
    price_year = paper.totals["price_year"]
    citations = {key: entry.citation for key, entry in paper.evidence.items()}
    groups: list[tuple[str, list[InputRow]]] = []
    for row in paper.inputs:
        if isinstance(row, Section):
            groups.append((row.title, []))
        else:
            groups[-1][1].append(row)
    counts = {"cited": 0, "assumption": 0, "structure": 0}
    for _, rows in groups:
        for row in rows:
            counts[basis(row, paper)] += 1
    w.orient(landscape=True)
    w.heading("Assumptions log", 1)
    w.paragraph(
        "Every input of the appraisal, one a row, in the order of the workbook's Inputs "
        "sheet; under each input's name, its key there (the Key column). Money is at "
        f"{price_year} prices. Basis: 'cited' where the input has a source; 'assumption' "
        "where it has none, or only the project's own judgement; 'structure' for a term the "
        f"file's form fixes. {counts['cited']} cited, {counts['assumption']} assumptions, "
        f"{counts['structure']} structure."
    )
    for title, rows in groups:
        w.heading(title, 2)
        w.table(
            f"Inputs: {title}",
            ["Input", "Value", "Unit", "Price year", "Sources", "Basis", "Note"],
            [
                [
                    f"{row.label}\n{row.key}",
                    input_text(row.value, row.unit, LOG_DIGITS),
                    row.unit,
                    str(price_year) if row.unit.startswith("£") else "",
                    "; ".join(citations.get(s, s) for s in row.sources),
                    basis(row, paper),
                    row.note,
                ]
                for row in rows
            ],
            [False, True, False, True, False, False, False],
        )


# ---------------------------------------------------------------------------------------------
# 7. Risks
# ---------------------------------------------------------------------------------------------


def risks(w: Writer, paper: Paper) -> None:
    if not w.orient(landscape=True):
        w.page_break()
    w.heading("Risks: what each answer hangs on", 1)
    names, labels = paper.names(), _labels(paper)
    if paper.sensitivity is not None:
        w.paragraph(
            "From the sensitivity analysis: for each intervention, each input given as a range "
            "that alone turns its NPV from gain to loss (or loss to gain) within that range, and "
            "otherwise the input whose range moves the NPV most."
        )
        rows = []
        tornadoes = [
            *paper.sensitivity["interventions"],
            {"id": None, **paper.sensitivity["portfolio"]},
        ]
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
                        _zero_text(s),
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
        f"uses {method.replace('_', ' ')}: portfolio cashable net savings "
        f"{money(t['cashable_net_savings_strict'])} strict, "
        f"{money(t['cashable_net_savings_pro_rata'])} pro rata.",
    )
    payers = "; ".join(
        f"{payer_name(k)} {money(v)}" for k, v in t["savings_by_payer"].items() if v is not None
    )
    w.labelled(
        "Perspective",
        f"Gross and net savings count the savings to {payer_name(t['perspective'])}. Gross "
        f"savings by who saves, all interventions: {payers}. A service can lose money for "
        "children's social care yet save money for the public sector.",
    )
    w.labelled(
        "Discounting",
        f"NPV and the benefit-cost ratio are over {h} years at {pct(t['discount_rate'])} a year "
        "(HM Treasury Green Book): year 1 is undiscounted, year t is divided by "
        "(1 + rate)^(t - 1). Payback is the first year in which cumulative net savings reach zero.",
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
