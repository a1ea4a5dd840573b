"""Realised savings: what a service actually reached, spent and averted, against its business case.

An actuals file (YAML or CSV, same columns) gives, per intervention and period, the cases served,
the outcomes averted and the spend. Each row is set against the portfolio's plan for that period,
and priced through the core: realised gross savings = outcomes averted x the core's cost of one
outcome for that intervention; net = gross - spend; cashable net under the portfolio's
`cashable_method` (strict: cashable gross - spend; pro_rata: net x the outcome's cashable share).

The plan for a period is the portfolio's annual (year-one, steady-state) figure x months in the
period / 12: "2018" and the financial year "2018-19" are 12 months, "2018-Q1" and "2018-19-Q1" are
3, "2018-03" is 1 and "2018-05..2018-07" is 3 (every form: `appraise.model.periods`; financial
years start in April unless the file sets `financial_year_start_month`). Rates (the expected success
rate and the break-even success rate) are not scaled. Multi-year timing (ramp-up, lags) is not
applied to the plan: a period is compared with a full year's service pro rata.

Flags: `below_break_even` when the realised outcomes averted are fewer than those needed to pay
for the realised spend (realised net savings below zero, equivalently the realised success rate
below the break-even rate); `under_reach` when the cases served fall short of the planned reach
by more than `reach_tolerance` (a share of the plan, 0.1 unless the file or command says).

Where the portfolio gives `start`, each period also carries `financial_year`: the portfolio's
financial year it lies in ('2017-18'), or the first and last it spans ('2017-18..2018-19').
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from appraise.engine import core
from appraise.engine.params import Model, build
from appraise.engine.results import EFFECT_FORM_NAMES
from appraise.errors import InputError, Problem
from appraise.model import periods
from appraise.model.files import DEFAULT_REACH_TOLERANCE, Actual, ActualsFile
from appraise.model.load import evidence_for
from appraise.model.schema import Portfolio

# Figures reported for plan and actual alike; money and counts add up over periods.
SUMMED = (
    "reach",
    "cost",
    "outcomes_averted",
    "break_even_outcomes",
    "gross_savings",
    "net_savings",
    "cashable_net_savings",
)
RATES = ("success_rate", "break_even_success_rate")
FLAGS = ("below_break_even", "under_reach")


# ---------------------------------------------------------------------------------------------
# Plan against actual
# ---------------------------------------------------------------------------------------------


def _figures(values: dict[str, float]) -> dict[str, float | None]:
    return {k: (None if not math.isfinite(v) else v) for k, v in values.items()}


def _with_rates(summed: dict[str, float], success_rate: float | None = None) -> dict[str, float]:
    """Add the success and break-even rates to summed figures, as the core defines them."""
    reach = summed["reach"]
    rate = (
        success_rate if success_rate is not None else core.ratio(summed["outcomes_averted"], reach)
    )
    return {
        **summed,
        "success_rate": float(rate),
        "break_even_success_rate": float(core.ratio(summed["break_even_outcomes"], reach)),
    }


@dataclass
class PeriodResult:
    """One intervention in one period: plan, actual, running totals and flags."""

    period: str
    months: int
    planned: dict[str, float]
    actual: dict[str, float]
    cumulative_planned: dict[str, float]
    cumulative_actual: dict[str, float]
    flags: list[str]
    note: str | None = None
    financial_year: str | None = None  # where the portfolio gives `start`
    reads_as: str = ""  # the months it was read as: "April 2011 to March 2012"

    def to_data(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "reads_as": self.reads_as,
            **({"financial_year": self.financial_year} if self.financial_year else {}),
            "months": self.months,
            "planned": _figures(self.planned),
            "actual": _figures(self.actual),
            "cumulative": {
                "planned": _figures(self.cumulative_planned),
                "actual": _figures(self.cumulative_actual),
            },
            "flags": self.flags,
            "note": self.note,
        }


@dataclass
class InterventionTrack:
    """Every reported period of one intervention, in date order, and the total to date."""

    id: str
    name: str
    effect_form: str
    tolerance: float = DEFAULT_REACH_TOLERANCE
    periods: list[PeriodResult] = field(default_factory=list)

    @property
    def to_date(self) -> PeriodResult:
        return self.periods[-1]

    def to_data(self) -> dict[str, Any]:
        last = self.to_date
        return {
            "id": self.id,
            "name": self.name,
            "effect_form": self.effect_form,
            "periods": [p.to_data() for p in self.periods],
            "to_date": {
                "months": sum(p.months for p in self.periods),
                "planned": _figures(last.cumulative_planned),
                "actual": _figures(last.cumulative_actual),
                "flags": flags_for(last.cumulative_planned, last.cumulative_actual, self.tolerance),
            },
        }


def flags_for(planned: dict[str, float], actual: dict[str, float], tolerance: float) -> list[str]:
    """`below_break_even` and `under_reach`, as defined in the module docstring."""
    flags = []
    if actual["outcomes_averted"] < actual["break_even_outcomes"]:
        flags.append("below_break_even")
    if actual["reach"] < planned["reach"] * (1.0 - tolerance):
        flags.append("under_reach")
    return flags


@dataclass
class Tracking:
    """Realised against planned for every intervention reported, and the portfolio to date."""

    actuals_file: str
    portfolio: str
    portfolio_file: str | None
    cashable_method: str
    perspective: str
    reach_tolerance: float
    interventions: list[InterventionTrack]
    not_reported: list[str]

    def portfolio_to_date(self) -> dict[str, dict[str, float]]:
        """Money and counts summed over interventions (rates do not add up, so none here)."""
        out: dict[str, dict[str, float]] = {}
        for side in ("planned", "actual"):
            out[side] = {
                k: sum(getattr(t.to_date, f"cumulative_{side}")[k] for t in self.interventions)
                for k in SUMMED
                if k not in ("reach", "break_even_outcomes")
            }
        return out

    def to_data(self) -> dict[str, Any]:
        """JSON of `appraise track --format json` (also what a workbook sheet or the app shows)."""
        return {
            "actuals_file": self.actuals_file,
            "portfolio": self.portfolio,
            "portfolio_file": self.portfolio_file,
            "cashable_method": self.cashable_method,
            "perspective": self.perspective,
            "reach_tolerance": self.reach_tolerance,
            "plan_rule": "planned = the portfolio's annual figure x months in the period / 12",
            "interventions": [t.to_data() for t in self.interventions],
            "portfolio_to_date": {
                side: _figures(v) for side, v in self.portfolio_to_date().items()
            },
            "not_reported": self.not_reported,
        }

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per intervention and period, then one 'to date' row per intervention."""
        out = []
        for t in self.interventions:
            data = t.to_data()
            for p in data["periods"]:
                out.append(
                    _flat(t.id, p["period"], p["months"], p["planned"], p["actual"], p["flags"])
                )
            d = data["to_date"]
            out.append(_flat(t.id, "to date", d["months"], d["planned"], d["actual"], d["flags"]))
        return out


def _flat(
    ident: str,
    period: str,
    months: int,
    planned: dict[str, Any],
    actual: dict[str, Any],
    flags: list[str],
) -> dict[str, Any]:
    row: dict[str, Any] = {"intervention": ident, "period": period, "months": months}
    for k in SUMMED + RATES:
        row[f"planned_{k}"] = planned[k]
        row[f"actual_{k}"] = actual[k]
    row["flags"] = ", ".join(flags)
    return row


def realised(model: Model, index: np.ndarray, actuals: list[Actual]) -> dict[str, np.ndarray]:
    """Actual figures [R] for rows of (intervention index, actual), priced through the core.

    Each row is run as a service of one case costing `spend` in total and averting
    `outcomes_averted` per case, with no haircut (these outcomes were observed, not predicted),
    so gross, net, cashable net and break-even come from the core's own formulas.
    """
    base = model.base
    n = len(model.ids)
    rows = len(actuals)

    def column(values: list[float]) -> np.ndarray:
        return np.repeat(np.asarray(values, dtype=float)[:, None], n, axis=1)

    # Realised outcomes are priced as the intervention's first outcome, per case, unhaircut;
    # a service's cost is its spend.
    k = base.values["effect_form"].shape[-1]
    first = np.zeros((n, k))
    first[:, 0] = 1.0
    inp = base.with_arrays(
        reach_base=np.ones((rows, n)),
        reach_share=np.ones((rows, n)),
        reach_offset=np.zeros((rows, n)),
        reach_per_case=np.ones(n),
        unit_cost=np.zeros((rows, n)),
        fixed_cost=column([a.spend for a in actuals]),
        staff_fte=np.zeros_like(base.values["staff_fte"]),
        non_staff=np.zeros(n),
        effect_form=np.full((n, k), core.PER_CASE),
        effect_a=column([a.outcomes_averted for a in actuals])[..., None] * first,
        effect_b=np.zeros((rows, n, k)),
        effect_used=first,
        effect_count=np.ones(n),
        apply_optimism_bias=np.zeros(()),
        non_uk=np.zeros(n),
        deadweight=np.zeros(n),
        attribution=np.ones(n),
        displacement=np.zeros(n),
    )
    per = core.snapshot(inp)
    pick = np.arange(rows), index
    out = {k: per[k][pick] for k in SUMMED if k in per}
    out["reach"] = np.array([a.cases for a in actuals], dtype=float)
    return out


def _check_rows(actuals: ActualsFile, ids: list[str]) -> None:
    """Every row names a portfolio intervention; no intervention reports a month twice."""
    problems = []
    months_seen: dict[str, dict[int, int]] = {}
    for i, a in enumerate(actuals.actuals):
        if a.intervention not in ids:
            close = difflib.get_close_matches(a.intervention, ids, n=1)
            hint = (
                f" (did you mean {close[0]!r}?)" if close else f"; interventions: {', '.join(ids)}"
            )
            problems.append(
                Problem(
                    actuals.file,
                    actuals.where(i, "intervention"),
                    f"not in the portfolio{hint}",
                    a.intervention,
                )
            )
            continue
        start, count = actuals.months(a.period)
        seen = months_seen.setdefault(a.intervention, {})
        clash = next((seen[m] for m in range(start, start + count) if m in seen), None)
        if clash is not None:
            problems.append(
                Problem(
                    actuals.file,
                    actuals.where(i, "period"),
                    f"overlaps a period already reported for {a.intervention} "
                    f"({actuals.actuals[clash].period})",
                    a.period,
                )
            )
            continue
        seen.update(dict.fromkeys(range(start, start + count), i))
    if problems:
        raise InputError(problems)


def track(
    actuals: ActualsFile, portfolio: Portfolio | None = None, reach_tolerance: float | None = None
) -> Tracking:
    """Plan against actual for every row of `actuals` (the portfolio it names, unless given)."""
    portfolio, path = actuals.resolve(portfolio)
    tolerance = actuals.reach_tolerance if reach_tolerance is None else reach_tolerance
    model = build(portfolio, evidence_for(portfolio))
    ids = model.ids
    _check_rows(actuals, ids)
    per, _ = core.appraise(model.base, detail=False)
    rows = actuals.actuals
    index = np.array([ids.index(a.intervention) for a in rows], dtype=int)
    real = realised(model, index, rows)

    tracks: dict[str, InterventionTrack] = {}
    order = sorted(range(len(rows)), key=lambda r: (int(index[r]), actuals.months(rows[r].period)))
    running: dict[str, tuple[dict[str, float], dict[str, float]]] = {}
    for r in order:
        a, i = rows[r], int(index[r])
        first, months = actuals.months(a.period)
        share = months / 12.0
        planned = {k: float(per[k][i]) * share for k in SUMMED}
        actual = {k: float(real[k][r]) for k in SUMMED}
        before = running.get(
            a.intervention, (dict.fromkeys(SUMMED, 0.0), dict.fromkeys(SUMMED, 0.0))
        )
        cum_planned = {k: before[0][k] + planned[k] for k in SUMMED}
        cum_actual = {k: before[1][k] + actual[k] for k in SUMMED}
        running[a.intervention] = (cum_planned, cum_actual)
        expected = float(per["effect_adjusted"][i])
        planned, cum_planned = _with_rates(planned, expected), _with_rates(cum_planned, expected)
        actual, cum_actual = _with_rates(actual), _with_rates(cum_actual)
        item = tracks.setdefault(
            a.intervention,
            InterventionTrack(
                a.intervention,
                model.interventions[i].name,
                EFFECT_FORM_NAMES[model.form_code(i)],
                tolerance=tolerance,
            ),
        )
        item.periods.append(
            PeriodResult(
                a.period,
                months,
                planned,
                actual,
                cum_planned,
                cum_actual,
                flags_for(planned, actual, tolerance),
                a.note,
                label_period(portfolio, first, months),
                periods.describe(first, months),
            )
        )
    return Tracking(
        actuals_file=actuals.file,
        portfolio=portfolio.portfolio,
        portfolio_file=str(path) if path is not None else None,
        cashable_method=portfolio.cashable_method,
        perspective=portfolio.perspective,
        reach_tolerance=tolerance,
        interventions=list(tracks.values()),
        not_reported=[i for i in ids if i not in tracks],
    )


def label_period(portfolio: Portfolio, first: int, months: int) -> str | None:
    """The financial year(s) a period lies in, by the portfolio's financial years (None unless
    the portfolio gives `start`: without it, track prints periods as written)."""
    if portfolio.start is None:
        return None
    return periods.financial_years_spanned(first, months, portfolio.year_start_month)


def check_actuals_file(actuals: ActualsFile, portfolio: Portfolio | None = None) -> str:
    """Validate an actuals file against its portfolio (for `appraise validate`)."""
    result = track(actuals, portfolio)
    periods = sum(len(t.periods) for t in result.interventions)
    return (
        f"{actuals.file}: valid actuals: {periods} periods for {len(result.interventions)} "
        f"interventions of {result.portfolio!r}"
    )
