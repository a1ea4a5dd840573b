"""A programme against its outline business case: spend avoided by financial year, measures
against targets, and savings against savings targets. Pure: no files, no printing.

Each financial year (docs/programme.md has the same definitions, with examples):

- `projected_spend`: the outline business case's projection of spend without the programme (the
  sum of its budget lines, or the baseline forecast's cost for that year); null if not given;
- `actual_spend`: spend as it turned out (the sum of its budget lines); null if not given;
- `avoided_spend` = projected - actual when both are given; or, where a report states only the
  difference (`actuals.avoided_spend`), that difference as stated (`avoided_spend_basis` says
  which); null otherwise. Negative when spend was above the projection;
- `investment`: what the programme drew that year; null if not given;
- `net_avoided_spend` = avoided - investment; or, with `investment_in_spend: true` (actual spend
  already includes the programme's own spend), the avoided spend itself, nothing more taken off;
- `cumulative_avoided_spend` and `cumulative_net_avoided_spend`: running sums from the first
  year, null from the first year whose figure is not known.

Each target (a measure's value at the end of a month): `actual` is the measure's value in that
month, `variance` = actual - target, `met` = actual <= target where lower is better (the
default), actual >= target where higher is better; `still_to_go` to the measure's next target =
actual - next target (lower is better) or next target - actual (higher); zero or less means the
next target is already reached.

Savings statuses (`SAVINGS_STATUSES`), as at `as_at` (the month the actuals run to):
achieved, on track, at risk, missed and not reported; `savings_status` decides them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from appraise.analyses.forecast import project_scenario
from appraise.model import periods
from appraise.model.programme import ForecastProjection, Programme, ProgrammeInput, Spend

# What each savings status means, as the CLI, the app and docs/programme.md print it.
SAVINGS_STATUSES = {
    "achieved": "the amount achieved is at least the target (whether or not the year has ended)",
    "on track": (
        "the year has not ended by as_at and the amount achieved is below the target, but the "
        "forecast for the year is at least the target or, without a forecast, the amount achieved "
        "is at least the share of the target due by as_at (target x months of the year elapsed "
        "/ 12: the saving is assumed to accrue evenly)"
    ),
    "at risk": (
        "the year has not ended by as_at and the forecast for the year is below the target or, "
        "without a forecast, the amount achieved is below the share of the target due by as_at"
    ),
    "missed": "the year ended on or before as_at and the amount achieved is below the target",
    "not reported": (
        "no amount achieved is given (and, for a year not yet ended, no forecast): appraise makes "
        "no judgement; the council's own word, if any, is shown as reported_status"
    ),
}
AS_REPORTED = "as reported"
FROM_SPEND = "projected - actual"

YEAR_KEYS = (
    "financial_year",
    "first_month",
    "last_month",
    "projected_spend",
    "actual_spend",
    "avoided_spend",
    "avoided_spend_basis",
    "investment",
    "net_avoided_spend",
    "cumulative_avoided_spend",
    "cumulative_net_avoided_spend",
)
TARGET_KEYS = (
    "measure",
    "name",
    "better",
    "at",
    "target",
    "actual",
    "variance",
    "met",
    "next_at",
    "next_target",
    "still_to_go",
    "note",
)
SAVINGS_KEYS = (
    "workstream",
    "year",
    "target",
    "achieved",
    "forecast",
    "variance",
    "due_to_date",
    "status",
    "reported_status",
    "note",
)


# ---------------------------------------------------------------------------------------------
# Spend against the projection
# ---------------------------------------------------------------------------------------------


def _forecast_by_year(inp: ProgrammeInput) -> dict[str, float]:
    """The baseline forecast's cost, keyed by the financial year starting in each forecast year."""
    projection = inp.programme.projection
    assert isinstance(projection, ForecastProjection) and inp.baseline is not None
    baseline = inp.baseline
    name = projection.scenario or baseline.scenarios[0].name
    scenario = next(s for s in baseline.scenarios if s.name == name)
    lines = project_scenario(baseline, scenario).lines
    return {
        periods.financial_year_label(int(year)): float(cost)
        for year, cost in zip(lines["year"], lines[projection.cost], strict=True)
    }


def projected_by_year(inp: ProgrammeInput) -> dict[str, float | None]:
    """Projected spend without the programme for each programme year (None: not given)."""
    projection = inp.programme.projection
    years = inp.programme.years()
    if projection is None:
        return dict.fromkeys(years)
    if isinstance(projection, ForecastProjection):
        forecast = _forecast_by_year(inp)
        return {y: forecast.get(y) for y in years}
    return {y: projection.total(y) for y in years}


def _running(values: list[float | None]) -> list[float | None]:
    """Running sums, None from the first value not known."""
    out: list[float | None] = []
    total: float | None = 0.0
    for v in values:
        total = None if total is None or v is None else total + v
        out.append(total)
    return out


def avoided(
    projected: float | None, actual: float | None, stated: float | None
) -> tuple[float | None, str | None]:
    """Spend avoided in a year and how it was found: projected - actual, or the stated difference."""
    if projected is not None and actual is not None:
        return projected - actual, FROM_SPEND
    if stated is not None:
        return stated, AS_REPORTED
    return None, None


def net_avoided(
    avoided_spend: float | None, investment: float | None, investment_in_spend: bool
) -> float | None:
    """Spend avoided net of the programme's investment (nothing taken off if spend includes it)."""
    if avoided_spend is None:
        return None
    if investment_in_spend:
        return avoided_spend
    return None if investment is None else avoided_spend - investment


def spend_years(inp: ProgrammeInput) -> list[dict[str, Any]]:
    """One row a programme year, keyed as YEAR_KEYS (see the module docstring)."""
    p, a = inp.programme, inp.actuals
    projected = projected_by_year(inp)
    rows = []
    for year in p.years():
        actual = a.spend.total(year) if a is not None and a.spend is not None else None
        stated = a.avoided_spend.get(year) if a is not None else None
        saved, basis = avoided(projected[year], actual, stated)
        investment = p.investment.get(year)
        first = periods.financial_year_months(int(year[:4]), p.financial_year_start_month)
        rows.append(
            {
                "financial_year": year,
                "first_month": periods.month_label(first),
                "last_month": periods.month_label(first + 11),
                "projected_spend": projected[year],
                "actual_spend": actual,
                "avoided_spend": saved,
                "avoided_spend_basis": basis,
                "investment": investment,
                "net_avoided_spend": net_avoided(saved, investment, p.investment_in_spend),
            }
        )
    for key in ("avoided_spend", "net_avoided_spend"):
        for row, total in zip(rows, _running([r[key] for r in rows]), strict=True):
            row[f"cumulative_{key}"] = total
    return [{k: r[k] for k in YEAR_KEYS} for r in rows]


def budget_lines(inp: ProgrammeInput) -> list[dict[str, Any]]:
    """Where the projection is by budget line: each line's projected, actual and avoided spend."""
    projection = inp.programme.projection
    if not isinstance(projection, Spend) or not projection.by_line:
        return []
    spend = inp.actuals.spend if inp.actuals is not None else None
    out = []
    for line in projection.lines:
        rows = []
        for year in inp.programme.years():
            planned = projection.line(line, year)
            actual = spend.line(line, year) if spend is not None and spend.by_line else None
            rows.append(
                {
                    "financial_year": year,
                    "projected_spend": planned,
                    "actual_spend": actual,
                    "avoided_spend": avoided(planned, actual, None)[0],
                }
            )
        out.append({"line": line, "years": rows})
    return out


# ---------------------------------------------------------------------------------------------
# Measures against targets
# ---------------------------------------------------------------------------------------------


def is_met(actual: float, target: float, better: str) -> bool:
    """Lower is better: actual <= target; higher is better: actual >= target."""
    return actual <= target if better == "lower" else actual >= target


def still_to_go(actual: float, next_target: float, better: str) -> float:
    """How far the measure still has to move to reach `next_target` (zero or less: reached)."""
    return actual - next_target if better == "lower" else next_target - actual


def _measure_names(p: Programme) -> list[str]:
    return list(dict.fromkeys([t.measure for t in p.targets] + list(p.measures)))


def target_rows(inp: ProgrammeInput) -> list[dict[str, Any]]:
    """Every target, measure by measure and in date order, keyed as TARGET_KEYS."""
    p = inp.programme
    values = inp.actuals.measures if inp.actuals is not None else {}
    out = []
    for name in _measure_names(p):
        info = p.measure(name)
        mine = sorted((t for t in p.targets if t.measure == name), key=lambda t: t.at)
        following: list[Any] = [*mine[1:], None] if mine else []
        for t, after in zip(mine, following, strict=True):
            actual = values.get(name, {}).get(t.at)
            known = actual is not None
            out.append(
                {
                    "measure": name,
                    "name": info.name or name,
                    "better": info.better,
                    "at": t.at,
                    "target": t.value,
                    "actual": actual,
                    "variance": actual - t.value if known else None,
                    "met": is_met(actual, t.value, info.better) if known else None,
                    "next_at": after.at if after else None,
                    "next_target": after.value if after else None,
                    "still_to_go": (
                        still_to_go(actual, after.value, info.better) if known and after else None
                    ),
                    "note": t.note,
                }
            )
    return out


def measure_rows(inp: ProgrammeInput) -> list[dict[str, Any]]:
    """Each measure over time: its values, its targets, the latest value and the next target."""
    p = inp.programme
    values = inp.actuals.measures if inp.actuals is not None else {}
    out = []
    for name in _measure_names(p):
        info = p.measure(name)
        series = values.get(name, {})
        targets = sorted((t for t in p.targets if t.measure == name), key=lambda t: t.at)
        latest_at = max(series) if series else None
        latest = series[latest_at] if latest_at else None
        ahead = [t for t in targets if latest_at is None or t.at > latest_at]
        upcoming = ahead[0] if ahead else None
        out.append(
            {
                "measure": name,
                "name": info.name or name,
                "unit": info.unit,
                "better": info.better,
                "values": [{"at": m, "value": v} for m, v in series.items()],
                "targets": [{"at": t.at, "value": t.value} for t in targets],
                "latest_at": latest_at,
                "latest": latest,
                "next_at": upcoming.at if upcoming else None,
                "next_target": upcoming.value if upcoming else None,
                "still_to_go": (
                    still_to_go(latest, upcoming.value, info.better)
                    if upcoming and latest is not None
                    else None
                ),
            }
        )
    return out


# ---------------------------------------------------------------------------------------------
# Savings against savings targets
# ---------------------------------------------------------------------------------------------


def as_at_month(inp: ProgrammeInput) -> int | None:
    """The month the actuals run to: `as_at`, or the last month any actual figure covers (the end
    of the last year with spend, spend avoided or savings achieved; the last measure month)."""
    a = inp.actuals
    if a is None:
        return None
    if a.as_at is not None:
        return periods.parse_month(a.as_at)
    m = inp.programme.financial_year_start_month
    years = set(a.avoided_spend) | {s.year for s in a.savings if s.value is not None}
    if a.spend is not None:
        years |= set(a.spend.years())
    ends = [periods.financial_year_months(int(y[:4]), m) + 11 for y in years]
    ends += [periods.parse_month(month) for series in a.measures.values() for month in series]
    return max(ends) if ends else None


def months_elapsed(year_first_month: int, as_at: int | None) -> int | None:
    """Months of a financial year elapsed by the end of `as_at` (0 before it starts, 12 after)."""
    if as_at is None:
        return None
    return min(max(as_at - year_first_month + 1, 0), 12)


def savings_status(
    target: float, achieved: float | None, forecast: float | None, elapsed: int | None
) -> str:
    """The status of a savings target (SAVINGS_STATUSES defines each).

    `elapsed`: months of the year elapsed by as_at (None when the actuals give no date).
    """
    if achieved is not None and achieved >= target:
        return "achieved"
    ended = elapsed is not None and elapsed >= 12
    if achieved is None and (forecast is None or ended):
        return "not reported"
    if ended:
        return "missed"
    if forecast is not None:
        return "on track" if forecast >= target else "at risk"
    assert achieved is not None
    due = target * (elapsed or 0) / 12
    return "on track" if achieved >= due else "at risk"


def savings_rows(inp: ProgrammeInput) -> list[dict[str, Any]]:
    """Each savings target with what was achieved, keyed as SAVINGS_KEYS."""
    p = inp.programme
    reported = {(s.workstream, s.year): s for s in (inp.actuals.savings if inp.actuals else [])}
    as_at = as_at_month(inp)
    out = []
    for t in p.savings_targets:
        s = reported.get((t.workstream, t.year))
        achieved = s.value if s else None
        forecast = s.forecast if s else None
        first = periods.financial_year_months(int(t.year[:4]), p.financial_year_start_month)
        elapsed = months_elapsed(first, as_at)
        out.append(
            {
                "workstream": t.workstream,
                "year": t.year,
                "target": t.value,
                "achieved": achieved,
                "forecast": forecast,
                "variance": achieved - t.value if achieved is not None else None,
                "due_to_date": t.value * elapsed / 12 if elapsed is not None else None,
                "status": savings_status(t.value, achieved, forecast, elapsed),
                "reported_status": s.reported_status if s else None,
                "note": (s.note if s and s.note else None) or t.note,
            }
        )
    return out


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeReport:
    """Everything `appraise programme` reports, as `to_data()` (its `--format json`)."""

    inp: ProgrammeInput
    years: list[dict[str, Any]]
    budget_lines: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    measures: list[dict[str, Any]]
    savings: list[dict[str, Any]]
    as_at: int | None
    notes: list[str] = field(default_factory=list)

    def projection_data(self) -> dict[str, Any]:
        projection = self.inp.programme.projection
        if isinstance(projection, ForecastProjection):
            assert self.inp.baseline is not None
            return {
                "kind": "forecast",
                "forecast_file": self.inp.baseline_file,
                "scenario": projection.scenario or self.inp.baseline.scenarios[0].name,
                "cost": projection.cost,
                "year_rule": "forecast year Y is the financial year starting in Y",
            }
        if isinstance(projection, Spend):
            return {"kind": "by budget line" if projection.by_line else "by year"}
        return {"kind": "none"}

    def to_data(self) -> dict[str, Any]:
        p = self.inp.programme
        known = [s["achieved"] for s in self.savings if s["achieved"] is not None]
        return {
            "programme": p.name,
            "description": p.description,
            "file": self.inp.file,
            "actuals_file": self.inp.actuals_file,
            "sources": sorted(
                {*p.sources, *(self.inp.actuals.sources if self.inp.actuals else [])}
            ),
            "start": p.start,
            "end": periods.month_label(p.end_index()),
            "financial_year_start_month": p.financial_year_start_month,
            "as_at": periods.month_label(self.as_at) if self.as_at is not None else None,
            "investment_in_spend": p.investment_in_spend,
            "projection": self.projection_data(),
            "years": self.years,
            "budget_lines": self.budget_lines,
            "targets": self.targets,
            "measures": self.measures,
            "savings": self.savings,
            "savings_total": {
                "target": sum(s["target"] for s in self.savings),
                "achieved": sum(known) if known else None,
                "targets_with_achieved": len(known),
            },
            "savings_statuses": SAVINGS_STATUSES,
            "notes": self.notes,
        }


def report(inp: ProgrammeInput) -> ProgrammeReport:
    """The programme against its outline business case (see the module docstring)."""
    years = spend_years(inp)
    notes = []
    if any(y["avoided_spend_basis"] == AS_REPORTED for y in years):
        notes.append(
            "* as reported: the report states the spend avoided only, not the projection or the "
            "spend."
        )
    if inp.programme.investment_in_spend:
        notes.append(
            "Avoided spend = projected - actual. Net avoided = avoided: actual spend already "
            "includes the programme's investment (investment_in_spend), so nothing more is taken off."
        )
    else:
        notes.append("Avoided spend = projected - actual; net avoided = avoided - investment.")
    return ProgrammeReport(
        inp=inp,
        years=years,
        budget_lines=budget_lines(inp),
        targets=target_rows(inp),
        measures=measure_rows(inp),
        savings=savings_rows(inp),
        as_at=as_at_month(inp),
        notes=notes,
    )


def check_programme_file(inp: ProgrammeInput) -> str:
    """One line for `appraise validate`: what the programme file holds."""
    p = inp.programme
    years = p.years()
    parts = [
        f"{len(years)} financial years ({years[0]} to {years[-1]})",
        f"{len(p.targets)} targets",
        f"{len(p.savings_targets)} savings targets",
    ]
    held = "with actuals" if inp.actuals is not None else "no actuals"
    return f"{inp.file}: valid programme {p.name!r}: {', '.join(parts)}; {held}"
