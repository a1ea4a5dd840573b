"""Budget monitoring, funding, savings with no target, and measures as reports give them, for
`appraise programme` (docs/programme.md). Pure: no files, no printing.

- Each budget line, as at the reporting date (`as_at`): its outturn is the actual for a period
  that has ended and the forecast outturn for one that has not (`outturn_basis`); its variance is
  outturn - budget where both are given, else as the report states it (a line of
  `appraise.engine.programme`); a positive variance is an overspend, a pressure.
- Each financial year: the savings targets and what was achieved beside the budget's variance
  and its pressures, so "savings achieved, service overspent" shows as both.
- Funding: the envelope, each source's amount, and the investment by line and by source.
- Savings a report states with no target set: "reported, no target set", each with its class.
- Measures: how each is counted, its baseline before the programme, its comparators (with its own
  rate per 10,000 where it is one or its population is given) and its forecasts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from appraise.model import periods
from appraise.model.monitoring import months_of
from appraise.model.programme import MeasureInfo, ProgrammeInput
from appraise.model.savings import NAMES, RECURRENCES, SAVINGS_CLASSES

NO_TARGET = "reported, no target set"
ACTUAL, FORECAST = "actual", "forecast"
AS_REPORTED, FROM_OUTTURN = "as reported", "outturn - budget"
BUDGET_KEYS = (
    "line",
    "year",
    "period",
    "reads_as",
    "ended",
    "budget",
    "outturn",
    "outturn_basis",
    "variance",
    "variance_basis",
    "overspend",
    "reported",
    "note",
)

Figure = float | None


def given_figures(values: list[Figure]) -> tuple[np.ndarray, np.ndarray]:
    """Figures that may be not given, as (values with 0 where not given, given switches)."""
    return (
        np.array([0.0 if x is None else float(x) for x in values]),
        np.array([0.0 if x is None else 1.0 for x in values]),
    )


def figure_or_none(x: Any) -> Figure:
    """A line's value for the report: None where it is not known (NaN)."""
    x = float(x)
    return None if np.isnan(x) else x


def budget_inputs(
    budget: list[Figure], outturn: list[Figure], stated: list[Figure]
) -> dict[str, np.ndarray]:
    """The inputs of the budget lines [B], one entry a budget line."""
    out: dict[str, np.ndarray] = {}
    for key, given, values in (
        ("budget_amount", "budget_given", budget),
        ("outturn", "outturn_given", outturn),
        ("stated_variance", "stated_variance_given", stated),
    ):
        out[key], out[given] = given_figures(values)
    return out


def budget_rows(
    inp: ProgrammeInput, as_at: int | None, values: Mapping[str, np.ndarray]
) -> list[dict[str, Any]]:
    """Each budget line as at `as_at`, keyed as BUDGET_KEYS (`values`: the lines' values)."""
    a = inp.actuals
    if a is None:
        return []
    start = inp.programme.financial_year_start_month
    out = []
    for b, row in enumerate(a.budget):
        first, months = months_of(row.period, row.year, start)
        ended = as_at is not None and first + months - 1 <= as_at
        outturn = row.actual if row.actual is not None else row.forecast_outturn
        variance = figure_or_none(values["budget_variance"][b])
        out.append(
            {
                "line": row.line,
                "year": row.year,
                "period": row.period or row.year,
                "reads_as": periods.describe(first, months),
                "ended": ended,
                "budget": row.budget,
                "outturn": outturn,
                "outturn_basis": (ACTUAL if row.actual is not None else FORECAST)
                if outturn is not None
                else (None if ended else FORECAST),
                "variance": variance,
                "variance_basis": (
                    FROM_OUTTURN
                    if values["variance_from_outturn"][b]
                    else (AS_REPORTED if variance is not None else None)
                ),
                "overspend": None if variance is None else variance > 0,
                "reported": row.reported,
                "note": row.note,
            }
        )
    return out


def by_year(
    inp: ProgrammeInput, savings: list[dict[str, Any]], budget: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each financial year: savings against targets beside the budget's variance and pressures
    (whole-year budget lines; a quarter's or a month's are shown on their own)."""
    out = []
    for year in inp.programme.years():
        mine = [s for s in savings if s["year"] == year]
        lines = [b for b in budget if b["year"] == year and b["period"] == year]
        if not mine and not lines:
            continue
        achieved = [s["achieved"] for s in mine if s["achieved"] is not None]
        variances = [b["variance"] for b in lines if b["variance"] is not None]
        bases = sorted({b["outturn_basis"] for b in lines if b["variance"] is not None} - {None})
        out.append(
            {
                "financial_year": year,
                "savings_target": sum(s["target"] for s in mine) if mine else None,
                "savings_achieved": sum(achieved) if achieved else None,
                "savings_status": "; ".join(s["status"] for s in mine) or None,
                "savings_reported_status": "; ".join(
                    s["reported_status"] for s in mine if s["reported_status"]
                )
                or None,
                "variance": sum(variances) if variances else None,
                "variance_basis": ", ".join(bases) or None,
                "lines_without_variance": sum(1 for b in lines if b["variance"] is None),
                "pressures": [
                    {"line": b["line"], "variance": b["variance"], "basis": b["outturn_basis"]}
                    for b in lines
                    if b["overspend"]
                ],
                "reported": [
                    {"line": b["line"], "reported": b["reported"]} for b in lines if b["reported"]
                ],
            }
        )
    return out


# ---------------------------------------------------------------------------------------------
# Funding
# ---------------------------------------------------------------------------------------------


def funding(inp: ProgrammeInput) -> dict[str, Any] | None:
    """The envelope, each source's amount and what was drawn on it by year, and the investment
    by line; each year's lines set against the programme's investment that year.

    A year up to the last with a line, with no line and no investment given, is not given (not
    zero): what was drawn in total, and what remains, are then not known."""
    p = inp.programme
    if p.funding is None and not p.investment_lines:
        return None
    years = p.years()
    sources = p.funding.sources if p.funding is not None else []
    lines = p.investment_lines

    def drawn(rows: list[Any], year: str) -> float | None:
        found = [float(r.value) for r in rows if r.year == year]
        return sum(found) if found else None

    last = max((years.index(r.year) for r in lines), default=-1)
    not_given = [
        y for y in years[: last + 1] if drawn(lines, y) is None and p.investment.get(y) is None
    ]
    complete = not not_given

    by_source = []
    for s in sources:
        mine = [r for r in lines if r.source == s.name]
        total = sum(float(r.value) for r in mine)
        by_source.append(
            {
                "source": s.name,
                "kind": s.kind,
                "amount": s.amount,
                "by_year": {y: drawn(mine, y) for y in years},
                "drawn": total if mine else None,
                "remaining": (
                    s.amount - total if s.amount is not None and mine and complete else None
                ),
                "note": s.note,
            }
        )
    names = list(dict.fromkeys(r.line for r in lines))
    by_line = [
        {
            "line": name,
            "sources": sorted({r.source for r in lines if r.line == name}),
            "by_year": {y: drawn([r for r in lines if r.line == name], y) for y in years},
            "total": sum(float(r.value) for r in lines if r.line == name),
        }
        for name in names
    ]
    checks = []
    for y in years:
        total, stated = drawn(lines, y), p.investment.get(y)
        if total is not None and stated is not None and abs(total - stated) >= 0.5:
            checks.append(
                {
                    "financial_year": y,
                    "lines": total,
                    "investment": stated,
                    "difference": total - stated,
                }
            )
    envelope = p.funding.envelope if p.funding is not None else None
    total_drawn = sum(float(r.value) for r in lines)
    # Capital money is accounted for apart from revenue: a line is capital when its source is.
    capital_sources = {s.name for s in sources if s.kind == "capital"}
    capital = sum(float(r.value) for r in lines if r.source in capital_sources)
    return {
        "envelope": envelope,
        "sources": by_source,
        "lines": by_line,
        "drawn_by_year": {y: drawn(lines, y) for y in years},
        "investment_by_year": {y: p.investment.get(y) for y in years},
        "years_not_given": not_given,
        "drawn": total_drawn if lines else None,
        "drawn_complete": complete,
        "drawn_capital": capital if lines else None,
        "drawn_revenue": total_drawn - capital if lines else None,
        "remaining": envelope - total_drawn
        if envelope is not None and lines and complete
        else None,
        "investment_against_lines": checks,
        "note": p.funding.note if p.funding is not None else None,
    }


# ---------------------------------------------------------------------------------------------
# Savings with no target, and savings by class
# ---------------------------------------------------------------------------------------------


def reported_savings(inp: ProgrammeInput) -> list[dict[str, Any]]:
    """Each saving a report states with no target set, with its class and period."""
    a = inp.actuals
    if a is None:
        return []
    start = inp.programme.financial_year_start_month
    out = []
    for s in a.reported_savings:
        first, months = periods.period_months(s.period, start)
        out.append(
            {
                "name": s.name,
                "value": s.value,
                "period": s.period,
                "reads_as": periods.describe(first, months),
                "months": months,
                "savings_class": s.savings_class,
                "recurrence": s.recurrence,
                "status": NO_TARGET,
                "sources": list(s.sources),
                "note": s.note,
            }
        )
    return out


def savings_by_class(
    values: Mapping[str, np.ndarray], reported: list[dict[str, Any]]
) -> dict[str, dict[str, float]]:
    """The savings targets and the amounts achieved towards them (the `by_class_*` lines of
    `appraise.engine.programme`, `values`), and the savings reported with no target, each split
    by class and by recurrence (each split adds up to its total)."""
    keys = (*SAVINGS_CLASSES, *RECURRENCES)

    def lines(figure: str) -> dict[str, float]:
        return {k: float(values[f"by_class_{figure}_{k}"]) for k in keys}

    split = dict.fromkeys(keys, 0.0)
    for s in reported:
        split[s["savings_class"]] += s["value"]
        split[s["recurrence"]] += s["value"]
    return {"targets": lines("target"), "achieved": lines("achieved"), "reported_no_target": split}


def class_text(savings_class: str, recurrence: str) -> str:
    """'cost avoidance, recurring'."""
    return f"{NAMES[savings_class]}, {NAMES[recurrence]}"


# ---------------------------------------------------------------------------------------------
# Measures as reports give them
# ---------------------------------------------------------------------------------------------


def local_rate(info: MeasureInfo, value: float | None) -> float | None:
    """A measure's value as a rate per 10,000: itself if it is one, else value / population x
    10,000 where the population is given."""
    if value is None:
        return None
    if info.per_10000:
        return float(value)
    if info.population:
        return float(value) / float(info.population) * 10_000
    return None


def measure_extras(
    info: MeasureInfo, latest: float | None, latest_at: str | None
) -> dict[str, Any]:
    """How a measure is counted, its baseline and change since, and its comparators beside its
    own rate."""
    baseline = info.baseline
    rate = local_rate(info, latest)
    return {
        "counted": info.counted,
        "per_10000": info.per_10000,
        "population": info.population,
        "baseline": (
            {"at": baseline.at, "value": baseline.value, "note": baseline.note}
            if baseline is not None
            else None
        ),
        "change_since_baseline": (
            latest - baseline.value if baseline is not None and latest is not None else None
        ),
        "latest_rate_per_10000": rate,
        "comparators": [
            {
                "name": c.name,
                "kind": c.kind,
                "at": c.at,
                "rate_per_10000": c.rate_per_10000,
                "population": c.population,
                "local_rate_per_10000": rate,
                "local_at": latest_at if rate is not None else None,
                "difference": rate - c.rate_per_10000 if rate is not None else None,
                "note": c.note,
            }
            for c in info.comparators
        ],
    }


def forecasts_by_target(inp: ProgrammeInput) -> dict[tuple[str, str], dict[str, Any]]:
    """Each forecast, by (measure, month)."""
    a = inp.actuals
    if a is None:
        return {}
    return {
        (f.measure, f.at): {"value": f.value, "reported_at": f.reported_at, "note": f.note}
        for f in a.forecasts
    }
