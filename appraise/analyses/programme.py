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

Every figure is a line of `appraise.engine.programme`, evaluated here over numpy arrays
(`run_lines`); the workbook's Programme sheet writes the same lines as its formulas. This module
gathers the lines' inputs from the file and shapes what they give into the report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from appraise.analyses.forecast import project_scenario
from appraise.analyses.monitoring import (
    Figure,
    budget_inputs,
    budget_rows,
    by_year,
    figure_or_none,
    forecasts_by_target,
    funding,
    given_figures,
    measure_extras,
    reported_savings,
    savings_by_class,
)
from appraise.engine import evaluate
from appraise.engine.evaluate import Structure
from appraise.engine.programme import PROGRAMME, SAVINGS_STATUS_NAMES, TEXT_LINES
from appraise.model import periods
from appraise.model.programme import (
    ForecastProjection,
    MeasureInfo,
    Programme,
    ProgrammeInput,
    SavingAchieved,
    SavingsTarget,
    Spend,
    Target,
)
from appraise.model.savings import CAPACITY, CASH_RELEASING, ONE_OFF, RECURRING

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
    "forecast",
    "forecast_reported_at",
    "forecast_variance",
    "forecast_met",
    "note",
)
SAVINGS_KEYS = (
    "workstream",
    "year",
    "target",
    "achieved",
    "part_year",
    "forecast",
    "variance",
    "due_to_date",
    "status",
    "reported_status",
    "savings_class",
    "recurrence",
    "note",
)


# ---------------------------------------------------------------------------------------------
# Evaluating the lines
# ---------------------------------------------------------------------------------------------


def _structure(years: int = 0, targets: int = 0, savings: int = 0, budget: int = 0) -> Structure:
    none = np.zeros(0, dtype=int)
    axes = {"Y": years, "M": targets, "V": savings, "B": budget}
    return Structure(0, 0, none, none, 0, 0, 0, 0, axes)


def _frame(investment_in_spend: bool = False, as_at: int | None = None, start_month: int = 4):
    """The programme-wide inputs: whether spend includes the investment, the as-at month."""
    return {
        "investment_in_spend": np.asarray(float(investment_in_spend)),
        "as_at_year": np.asarray(float(as_at // 12 if as_at is not None else 0)),
        "as_at_month": np.asarray(float(as_at % 12 + 1 if as_at is not None else 0)),
        "as_at_given": np.asarray(float(as_at is not None)),
        "year_start_month": np.asarray(float(start_month)),
    }


def spend_inputs(
    projected: list[Figure],
    actual: list[Figure],
    stated: list[Figure],
    investment: list[Figure],
) -> dict[str, np.ndarray]:
    """The inputs of the spend lines [Y], one entry a financial year."""
    out: dict[str, np.ndarray] = {}
    for key, given, values in (
        ("projected_spend", "projected_given", projected),
        ("actual_spend", "actual_given", actual),
        ("stated_avoided_spend", "stated_given", stated),
        ("investment", "investment_given", investment),
    ):
        out[key], out[given] = given_figures(values)
    return out


def target_inputs(rows: list[tuple[float, Figure, str, Figure]]) -> dict[str, np.ndarray]:
    """The inputs of the target lines [M]: (target, actual, better, next target) a target."""
    actual, actual_given = given_figures([r[1] for r in rows])
    following, has_next = given_figures([r[3] for r in rows])
    return {
        "target_value": np.array([float(r[0]) for r in rows]),
        "target_actual": actual,
        "target_actual_given": actual_given,
        "lower_is_better": np.array([float(r[2] == "lower") for r in rows]),
        "next_target": following,
        "has_next": has_next,
    }


def savings_inputs(
    rows: list[tuple[int, float, Figure, Figure]],
    classes: list[tuple[str, str]] | None = None,
) -> dict[str, np.ndarray]:
    """The inputs of the savings lines [V]: (year it starts in, target, achieved, forecast), and
    each target's (class, recurrence): cash-releasing and recurring where not given."""
    achieved, achieved_given = given_figures([r[2] for r in rows])
    forecast, forecast_given = given_figures([r[3] for r in rows])
    booked = classes if classes is not None else [(CASH_RELEASING, RECURRING)] * len(rows)
    return {
        "class_cash_releasing": np.array([float(c == CASH_RELEASING) for c, _ in booked]),
        "class_capacity": np.array([float(c == CAPACITY) for c, _ in booked]),
        "recurs_one_off": np.array([float(r == ONE_OFF) for _, r in booked]),
        "savings_year": np.array([float(r[0]) for r in rows]),
        "savings_target": np.array([float(r[1]) for r in rows]),
        "savings_achieved": achieved,
        "achieved_given": achieved_given,
        "savings_forecast": forecast,
        "forecast_given": forecast_given,
    }


SPEND_LINES = (
    "avoided_from_spend",
    "avoided_spend",
    "net_avoided_spend",
    "cumulative_avoided_spend",
    "cumulative_net_avoided_spend",
)
TARGET_LINES = ("target_variance", "target_met", "still_to_go")
SAVINGS_LINES = ("months_elapsed", "due_to_date", "savings_variance", "savings_status_code")


NUMBERS = tuple(k for k in PROGRAMME if k not in TEXT_LINES)


def run_lines(
    inputs: Mapping[str, np.ndarray], wanted: tuple[str, ...] = NUMBERS
) -> dict[str, np.ndarray]:
    """The programme lines in `wanted` (every line but those in words by default), from their
    inputs."""
    sizes = {
        axis: len(inputs[key])
        for axis, key in (
            ("Y", "projected_spend"),
            ("M", "target_value"),
            ("V", "savings_year"),
            ("B", "budget_amount"),
        )
        if key in inputs
    }
    structure = _structure(
        sizes.get("Y", 0), sizes.get("M", 0), sizes.get("V", 0), sizes.get("B", 0)
    )
    return evaluate.run(inputs, structure, wanted, PROGRAMME)


@dataclass(frozen=True)
class ProgrammeLines:
    """The programme laid out on the lines' axes: its years [Y], its targets in report order [M]
    (with each one's measure and the measure's next target), its savings targets [V] (with what
    the actuals report), the lines' inputs, and every line's value."""

    years: list[str]
    targets: list[tuple[str, MeasureInfo, Target, Target | None]]
    savings: list[tuple[SavingsTarget, SavingAchieved | None]]
    as_at: int | None
    inputs: dict[str, np.ndarray]
    values: dict[str, np.ndarray]


def lay_out(inp: ProgrammeInput) -> ProgrammeLines:
    """The programme's inputs to its lines, from the file, and every line worked out."""
    p, a = inp.programme, inp.actuals
    years = p.years()
    projected = projected_by_year(inp)
    spend = a.spend if a is not None else None
    inputs = spend_inputs(
        [projected[y] for y in years],
        [spend.total(y) if spend is not None else None for y in years],
        [a.avoided_spend.get(y) if a is not None else None for y in years],
        [p.investment.get(y) for y in years],
    )
    targets = ordered_targets(p)
    measured = a.measures if a is not None else {}
    inputs |= target_inputs(
        [
            (t.value, measured.get(name, {}).get(t.at), info.better, after and after.value)
            for name, info, t, after in targets
        ]
    )
    reported = {(s.workstream, s.year): s for s in (a.savings if a is not None else [])}
    savings = [(t, reported.get((t.workstream, t.year))) for t in p.savings_targets]
    inputs |= savings_inputs(
        [(int(t.year[:4]), t.value, s and s.value, s and s.forecast) for t, s in savings],
        [(t.savings_class, t.recurrence) for t, _ in savings],
    )
    as_at = as_at_month(inp)
    inputs |= _frame(p.investment_in_spend, as_at, p.financial_year_start_month)
    budget = a.budget if a is not None else []
    inputs |= budget_inputs(
        [b.budget for b in budget],
        [b.actual if b.actual is not None else b.forecast_outturn for b in budget],
        [b.variance for b in budget],
    )
    return ProgrammeLines(years, targets, savings, as_at, inputs, run_lines(inputs))


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
    # A baseline with `start` labels its own years; otherwise year Y is the one starting in Y.
    labels = baseline.financial_years() or [
        periods.financial_year_label(int(year)) for year in lines["year"]
    ]
    return {label: float(cost) for label, cost in zip(labels, lines[projection.cost], strict=True)}


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


def _basis(from_spend: float, stated: float) -> str | None:
    if from_spend:
        return FROM_SPEND
    return AS_REPORTED if stated else None


def avoided(projected: Figure, actual: Figure, stated: Figure) -> tuple[Figure, str | None]:
    """Spend avoided in a year and how it was found: projected - actual, or the stated difference."""
    inputs = spend_inputs([projected], [actual], [stated], [None]) | _frame()
    values = run_lines(inputs, ("avoided_spend", "avoided_from_spend"))
    basis = _basis(values["avoided_from_spend"][0], inputs["stated_given"][0])
    return figure_or_none(values["avoided_spend"][0]), basis


def net_avoided(avoided_spend: Figure, investment: Figure, investment_in_spend: bool) -> Figure:
    """Spend avoided net of the programme's investment (nothing taken off if spend includes it)."""
    inputs = spend_inputs([None], [None], [avoided_spend], [investment])
    values = run_lines(inputs | _frame(investment_in_spend), ("net_avoided_spend",))
    return figure_or_none(values["net_avoided_spend"][0])


def spend_years(inp: ProgrammeInput, laid: ProgrammeLines | None = None) -> list[dict[str, Any]]:
    """One row a programme year, keyed as YEAR_KEYS (see the module docstring)."""
    laid = laid or lay_out(inp)
    given, values = laid.inputs, laid.values
    m = inp.programme.financial_year_start_month
    rows = []
    for t, year in enumerate(laid.years):
        first = periods.financial_year_months(int(year[:4]), m)

        def known(key: str, switch: str, t: int = t) -> Figure:
            return float(given[key][t]) if given[switch][t] else None

        rows.append(
            {
                "financial_year": year,
                "first_month": periods.month_label(first),
                "last_month": periods.month_label(first + 11),
                "projected_spend": known("projected_spend", "projected_given"),
                "actual_spend": known("actual_spend", "actual_given"),
                "avoided_spend": figure_or_none(values["avoided_spend"][t]),
                "avoided_spend_basis": _basis(
                    values["avoided_from_spend"][t], given["stated_given"][t]
                ),
                "investment": known("investment", "investment_given"),
                "net_avoided_spend": figure_or_none(values["net_avoided_spend"][t]),
                "cumulative_avoided_spend": figure_or_none(values["cumulative_avoided_spend"][t]),
                "cumulative_net_avoided_spend": figure_or_none(
                    values["cumulative_net_avoided_spend"][t]
                ),
            }
        )
    return [{k: r[k] for k in YEAR_KEYS} for r in rows]


def budget_lines(inp: ProgrammeInput) -> list[dict[str, Any]]:
    """Where the projection is by budget line: each line's projected, actual and avoided spend."""
    projection = inp.programme.projection
    if not isinstance(projection, Spend) or not projection.by_line:
        return []
    spend = inp.actuals.spend if inp.actuals is not None else None
    years = inp.programme.years()
    out = []
    for line in projection.lines:
        planned = [projection.line(line, y) for y in years]
        actual = [
            spend.line(line, y) if spend is not None and spend.by_line else None for y in years
        ]
        inputs = spend_inputs(planned, actual, [None] * len(years), [None] * len(years))
        saved = run_lines(inputs | _frame(), ("avoided_spend",))["avoided_spend"]
        rows = [
            {
                "financial_year": y,
                "projected_spend": planned[t],
                "actual_spend": actual[t],
                "avoided_spend": figure_or_none(saved[t]),
            }
            for t, y in enumerate(years)
        ]
        out.append({"line": line, "years": rows})
    return out


# ---------------------------------------------------------------------------------------------
# Measures against targets
# ---------------------------------------------------------------------------------------------


def _target_line(key: str, actual: float, target: float, better: str, following: Figure) -> Any:
    inputs = target_inputs([(target, actual, better, following)])
    return run_lines(inputs, (key,))[key][0]


def is_met(actual: float, target: float, better: str) -> bool:
    """Lower is better: actual <= target; higher is better: actual >= target."""
    return bool(_target_line("target_met", actual, target, better, None))


def still_to_go(actual: float, next_target: float, better: str) -> float:
    """How far the measure still has to move to reach `next_target` (zero or less: reached)."""
    return float(_target_line("still_to_go", actual, 0.0, better, next_target))


def _measure_names(p: Programme) -> list[str]:
    return list(dict.fromkeys([t.measure for t in p.targets] + list(p.measures)))


def ordered_targets(p: Programme) -> list[tuple[str, MeasureInfo, Target, Target | None]]:
    """Every target, measure by measure and in date order, with the measure's next target."""
    out = []
    for name in _measure_names(p):
        info = p.measure(name)
        mine = sorted((t for t in p.targets if t.measure == name), key=lambda t: t.at)
        following: list[Target | None] = [*mine[1:], None]
        out += [(name, info, t, after) for t, after in zip(mine, following, strict=False)]
    return out


def target_rows(inp: ProgrammeInput, laid: ProgrammeLines | None = None) -> list[dict[str, Any]]:
    """Every target, measure by measure and in date order, keyed as TARGET_KEYS."""
    laid = laid or lay_out(inp)
    given, values = laid.inputs, laid.values
    forecasts = forecasts_by_target(inp)
    out = []
    for g, (name, info, t, after) in enumerate(laid.targets):
        known = bool(given["target_actual_given"][g])
        met = figure_or_none(values["target_met"][g])
        forecast = forecasts.get((name, t.at))
        out.append(
            {
                "measure": name,
                "name": info.name or name,
                "better": info.better,
                "at": t.at,
                "target": t.value,
                "actual": float(given["target_actual"][g]) if known else None,
                "variance": figure_or_none(values["target_variance"][g]),
                "met": None if met is None else bool(met),
                "next_at": after.at if after else None,
                "next_target": after.value if after else None,
                "still_to_go": figure_or_none(values["still_to_go"][g]),
                "forecast": forecast["value"] if forecast else None,
                "forecast_reported_at": forecast["reported_at"] if forecast else None,
                "forecast_variance": forecast["value"] - t.value if forecast else None,
                "forecast_met": is_met(forecast["value"], t.value, info.better)
                if forecast
                else None,
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
                **measure_extras(info, latest, latest_at),
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
    year, month = divmod(year_first_month, 12)
    inputs = savings_inputs([(year, 0.0, None, None)]) | _frame(as_at=as_at, start_month=month + 1)
    return int(run_lines(inputs, ("months_elapsed",))["months_elapsed"][0])


def savings_status(target: float, achieved: Figure, forecast: Figure, elapsed: int | None) -> str:
    """The status of a savings target (SAVINGS_STATUSES defines each).

    `elapsed`: months of the year elapsed by as_at (None when the actuals give no date).
    """
    # As at the end of the `elapsed`-th month of a financial year starting in April 2000: the
    # line then works out these months elapsed.
    as_at = None if elapsed is None else periods.month_index(2000, 4) + elapsed - 1
    inputs = savings_inputs([(2000, target, achieved, forecast)]) | _frame(as_at=as_at)
    code = run_lines(inputs, ("savings_status_code",))["savings_status_code"][0]
    return SAVINGS_STATUS_NAMES[int(code)]


def savings_rows(inp: ProgrammeInput, laid: ProgrammeLines | None = None) -> list[dict[str, Any]]:
    """Each savings target with what was achieved, keyed as SAVINGS_KEYS."""
    laid = laid or lay_out(inp)
    values = laid.values
    out = []
    for k, (t, s) in enumerate(laid.savings):
        out.append(
            {
                "workstream": t.workstream,
                "year": t.year,
                "target": t.value,
                "achieved": s.value if s else None,
                "part_year": bool(values["part_year"][k]),
                "forecast": s.forecast if s else None,
                "variance": figure_or_none(values["savings_variance"][k]),
                "due_to_date": figure_or_none(values["due_to_date"][k]),
                "status": SAVINGS_STATUS_NAMES[int(values["savings_status_code"][k])],
                "reported_status": s.reported_status if s else None,
                "savings_class": t.savings_class,
                "recurrence": t.recurrence,
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
    budget: list[dict[str, Any]] = field(default_factory=list)
    by_year: list[dict[str, Any]] = field(default_factory=list)
    funding: dict[str, Any] | None = None
    reported_savings: list[dict[str, Any]] = field(default_factory=list)
    # The lines' inputs and values the figures come from (what the workbook writes and checks).
    lines: ProgrammeLines | None = field(default=None, repr=False)

    def projection_data(self) -> dict[str, Any]:
        projection = self.inp.programme.projection
        if isinstance(projection, ForecastProjection):
            assert self.inp.baseline is not None
            return {
                "kind": "forecast",
                "forecast_file": self.inp.baseline_file,
                "scenario": projection.scenario or self.inp.baseline.scenarios[0].name,
                "cost": projection.cost,
                "year_rule": (
                    f"forecast year Y is the financial year it begins in (from the baseline's "
                    f"start, {self.inp.baseline.start})"
                    if self.inp.baseline.start
                    else "forecast year Y is the financial year starting in Y"
                ),
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
            "savings_by_class": savings_by_class(
                (self.lines or lay_out(self.inp)).values, self.reported_savings
            ),
            "budget": self.budget,
            "by_year": self.by_year,
            "funding": self.funding,
            "reported_savings": self.reported_savings,
            "notes": self.notes,
        }


def report(inp: ProgrammeInput) -> ProgrammeReport:
    """The programme against its outline business case (see the module docstring)."""
    laid = lay_out(inp)
    years = spend_years(inp, laid)
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
    savings = savings_rows(inp, laid)
    budget = budget_rows(inp, laid.as_at, laid.values)
    return ProgrammeReport(
        inp=inp,
        years=years,
        budget_lines=budget_lines(inp),
        targets=target_rows(inp, laid),
        measures=measure_rows(inp),
        savings=savings,
        as_at=laid.as_at,
        notes=notes,
        lines=laid,
        budget=budget,
        by_year=by_year(inp, savings, budget),
        funding=funding(inp),
        reported_savings=reported_savings(inp),
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
