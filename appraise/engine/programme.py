"""A programme against its outline business case: its line items, defined once.

The same kind of definitions as `appraise.engine.lines` and `appraise.engine.care`, on the
programme's own axes: `Y` its financial years, `M` its targets (a measure's value at the end of a
month), `V` its savings targets, `B` its budget lines (budget monitoring as at a reporting
date). `appraise.analyses.programme` evaluates them over numpy arrays
(what `appraise programme` reports); the workbook's Programme sheet writes the same functions as
its formulas. docs/programme.md gives every definition with examples.

A figure the file does not give is "not given", never zero. So each such input comes with a switch,
1 where it is given and 0 where it is not, and a figure worked out from one not given is itself
not known: NaN in numpy (null in JSON), the text NOT_KNOWN on the sheet.

- spend avoided = projected - actual where both are given; else the difference a report states;
- net avoided spend = avoided - investment; with `investment_in_spend` (actual spend already holds
  the programme's own), the avoided spend itself;
- cumulative figures: running sums, not known from the first year whose figure is not known;
- a target's variance = actual - target; met: actual <= target where lower is better, actual >=
  target where higher is; still to go to the next target: actual - next (lower is better), next -
  actual (higher);
- a budget line's variance = outturn - budget where both are given (the outturn is the actual
  for a period that has ended, else the forecast outturn); else the variance a report states;
- a savings target: months of its year elapsed by `as_at`, the share of the target due by then
  (target x months / 12), whether what is achieved is for part of its year (begun, not ended),
  the variance (achieved - target) and its status, coded in the order of
  SAVINGS_STATUS_NAMES (the rule: `savings_status_code`).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from appraise.engine.lines import Line, define

Y, M, V, B, P = ("Y",), ("M",), ("V",), ("B",), ()
NOT_KNOWN = "n/a: not known"
# Savings statuses in the order of their codes (`savings_status_code`).
SAVINGS_STATUS_NAMES = ("achieved", "on track", "at risk", "missed", "not reported")
ACHIEVED, ON_TRACK, AT_RISK, MISSED, NOT_REPORTED = range(len(SAVINGS_STATUS_NAMES))
# Lines the sheet shows as words: the engine works out their codes, not them.
TEXT_LINES = frozenset({"savings_status"})

PROGRAMME: dict[str, Line] = {}


_line = partial(define, PROGRAMME)


def _given(v: Any, o: Any, switch: str) -> Any:
    """The switch saying whether a figure is given is on."""
    return o.eq(getattr(v, switch), 1)


def _flag(condition: Any, o: Any) -> Any:
    """1 where `condition` holds, else 0 (a switch the sheet shows as a number)."""
    return o.where(condition, 1, 0)


for key, level, label, unit, fmt in (
    ("projected_spend", Y, "Projected spend without the programme (OBC)", "£ a year", "money"),
    ("projected_given", Y, "Projected spend given (1 = yes)", "switch", "int"),
    ("actual_spend", Y, "Actual spend", "£ a year", "money"),
    ("actual_given", Y, "Actual spend given (1 = yes)", "switch", "int"),
    ("stated_avoided_spend", Y, "Spend avoided, as a report states it", "£ a year", "money"),
    ("stated_given", Y, "Spend avoided stated (1 = yes)", "switch", "int"),
    ("investment", Y, "Investment drawn by the programme", "£ a year", "money"),
    ("investment_given", Y, "Investment given (1 = yes)", "switch", "int"),
    (
        "investment_in_spend",
        P,
        "Actual spend already includes the investment (1 = yes)",
        "switch",
        "int",
    ),
    ("target_value", M, "Target", "count", ""),  # counts: shown as written (General)
    ("target_actual", M, "Actual", "count", ""),
    ("target_actual_given", M, "Actual given (1 = yes)", "switch", "int"),
    ("lower_is_better", M, "Lower is better (1) or higher (0)", "switch", "int"),
    ("next_target", M, "Next target", "count", ""),
    ("has_next", M, "Has a next target (1 = yes)", "switch", "int"),
    ("as_at_year", P, "Actuals as at: year", "year", "int"),
    ("as_at_month", P, "Actuals as at: month (1 to 12)", "month", "int"),
    ("as_at_given", P, "An as-at month is known (1 = yes)", "switch", "int"),
    ("year_start_month", P, "Financial years start in month", "month", "int"),
    ("savings_year", V, "Year its financial year starts in", "year", "int"),
    ("savings_target", V, "Savings target", "£", "money"),
    ("savings_achieved", V, "Achieved", "£", "money"),
    ("achieved_given", V, "Achieved given (1 = yes)", "switch", "int"),
    ("savings_forecast", V, "Forecast for the year", "£", "money"),
    ("forecast_given", V, "Forecast given (1 = yes)", "switch", "int"),
    ("class_cash_releasing", V, "Cash-releasing (1 = yes)", "switch", "int"),
    ("class_capacity", V, "Capacity (1 = yes; neither: cost avoidance)", "switch", "int"),
    ("recurs_one_off", V, "One-off (1 = yes; else recurring)", "switch", "int"),
    ("budget_amount", B, "Budget", "£", "money"),
    ("budget_given", B, "Budget given (1 = yes)", "switch", "int"),
    ("outturn", B, "Outturn: actual, or forecast for a period not ended", "£", "money"),
    ("outturn_given", B, "Outturn given (1 = yes)", "switch", "int"),
    ("stated_variance", B, "Variance, as a report states it", "£", "money"),
    ("stated_variance_given", B, "Variance stated (1 = yes)", "switch", "int"),
):
    _line(key, level, label, unit, "input", fmt=fmt)

# -- spend against the projection, by financial year -----------------------------------------

_line(
    "avoided_from_spend",
    Y,
    "Spend avoided from projected - actual (1 = yes)",
    "switch",
    "1 where both projected and actual spend are given",
    lambda v, o: _flag(o.and_(_given(v, o, "projected_given"), _given(v, o, "actual_given")), o),
    "int",
)
_line(
    "avoided_known",
    Y,
    "Spend avoided known (1 = yes)",
    "switch",
    "1 where it comes from projected - actual or a report states it",
    lambda v, o: _flag(o.or_(o.eq(v.avoided_from_spend, 1), _given(v, o, "stated_given")), o),
    "int",
)
_line(
    "avoided_spend",
    Y,
    "Spend avoided (projected - actual)",
    "£ a year",
    "projected - actual where both are given; else the spend avoided a report states",
    lambda v, o: o.where(
        o.eq(v.avoided_from_spend, 1),
        v.projected_spend - v.actual_spend,
        o.where(_given(v, o, "stated_given"), v.stated_avoided_spend, o.not_applicable(NOT_KNOWN)),
    ),
    "money",
)
_line(
    "net_avoided_known",
    Y,
    "Net avoided spend known (1 = yes)",
    "switch",
    "1 where spend avoided is known and so is the investment (or spend already includes it)",
    lambda v, o: _flag(
        o.and_(
            o.eq(v.avoided_known, 1),
            o.or_(o.eq(v.investment_in_spend, 1), _given(v, o, "investment_given")),
        ),
        o,
    ),
    "int",
)
_line(
    "net_avoided_spend",
    Y,
    "Net avoided spend",
    "£ a year",
    "avoided - investment; the avoided spend itself where actual spend includes the investment",
    lambda v, o: o.where(
        o.eq(v.net_avoided_known, 1),
        o.where(o.eq(v.investment_in_spend, 1), v.avoided_spend, v.avoided_spend - v.investment),
        o.not_applicable(NOT_KNOWN),
    ),
    "money",
)
for figure, what in (("avoided", "Spend avoided"), ("net_avoided", "Net avoided spend")):
    known = f"{figure}_known"
    _line(
        f"{figure}_counted",
        Y,
        f"{what}, where known (0 otherwise), for the running sum",
        "£ a year",
        f"{what.lower()} where known, else 0",
        lambda v, o, known=known, figure=figure: o.where(
            o.eq(getattr(v, known), 1), getattr(v, f"{figure}_spend"), 0
        ),
        "money",
    )
    _line(
        f"{figure}_unknown",
        Y,
        f"{what} not known (1 = yes)",
        "switch",
        "1 - known",
        lambda v, o, known=known: 1 - getattr(v, known),
        "int",
    )
    _line(
        f"{figure}_unknown_to_date",
        Y,
        f"Years so far whose {what.lower()} is not known",
        "years",
        "running sum of not known",
        lambda v, o, figure=figure: o.cumsum_years(getattr(v, f"{figure}_unknown")),
        "int",
    )
    _line(
        f"cumulative_{figure}_spend",
        Y,
        f"Cumulative {what.lower()}",
        "£",
        "running sum to the end of the year; not known from the first year not known",
        lambda v, o, figure=figure: o.where(
            o.eq(getattr(v, f"{figure}_unknown_to_date"), 0),
            o.cumsum_years(getattr(v, f"{figure}_counted")),
            o.not_applicable(NOT_KNOWN),
        ),
        "money",
    )

# -- measures against targets ------------------------------------------------------------------


def _lower(v: Any, o: Any) -> Any:
    return o.eq(v.lower_is_better, 1)


_line(
    "target_variance",
    M,
    "Variance (actual - target)",
    "count",
    "actual - target",
    lambda v, o: o.where(
        _given(v, o, "target_actual_given"),
        v.target_actual - v.target_value,
        o.not_applicable(NOT_KNOWN),
    ),
    "",
)
_line(
    "target_met",
    M,
    "Met (1 = yes)",
    "switch",
    "lower is better: actual <= target; higher is better: actual >= target",
    lambda v, o: o.where(
        _given(v, o, "target_actual_given"),
        o.where(
            _lower(v, o),
            _flag(o.le(v.target_actual, v.target_value), o),
            _flag(o.ge(v.target_actual, v.target_value), o),
        ),
        o.not_applicable(NOT_KNOWN),
    ),
    "int",
)
_line(
    "still_to_go",
    M,
    "Still to go to the next target",
    "count",
    "lower is better: actual - next target; higher is better: next target - actual (zero or "
    "less: reached)",
    lambda v, o: o.where(
        o.and_(_given(v, o, "target_actual_given"), o.eq(v.has_next, 1)),
        o.where(_lower(v, o), v.target_actual - v.next_target, v.next_target - v.target_actual),
        o.not_applicable(NOT_KNOWN),
    ),
    "",
)

# -- savings against savings targets -----------------------------------------------------------

_line(
    "months_elapsed",
    V,
    "Months of its year elapsed by the as-at month (0 without one)",
    "months",
    "(as-at year - the year's) x 12 + as-at month - the month years start + 1, within 0 to 12",
    lambda v, o: o.where(
        _given(v, o, "as_at_given"),
        o.clip(
            (v.as_at_year - v.savings_year) * 12 + v.as_at_month - v.year_start_month + 1, 0, 12
        ),
        0,
    ),
    "int",
)
_line(
    "due_by_elapsed",
    V,
    "Share of the target due by the months elapsed (the saving accrues evenly)",
    "£",
    "target x months elapsed / 12",
    lambda v, o: v.savings_target * v.months_elapsed / 12,
    "money",
)
_line(
    "due_to_date",
    V,
    "Due to date",
    "£",
    "the share due, where an as-at month is known",
    lambda v, o: o.where(
        _given(v, o, "as_at_given"), v.due_by_elapsed, o.not_applicable(NOT_KNOWN)
    ),
    "money",
)
_line(
    "savings_variance",
    V,
    "Variance (achieved - target)",
    "£",
    "achieved - target",
    lambda v, o: o.where(
        _given(v, o, "achieved_given"),
        v.savings_achieved - v.savings_target,
        o.not_applicable(NOT_KNOWN),
    ),
    "money",
)
_line(
    "year_ended",
    V,
    "Its year has ended by the as-at month (1 = yes)",
    "switch",
    "an as-at month is known and all 12 months have elapsed",
    lambda v, o: _flag(o.and_(_given(v, o, "as_at_given"), o.ge(v.months_elapsed, 12)), o),
    "int",
)
_line(
    "part_year",
    V,
    "Achieved is for part of its year (1 = yes)",
    "switch",
    "an amount achieved is given, and its year has begun but not ended by the as-at month",
    lambda v, o: _flag(
        o.and_(
            o.and_(_given(v, o, "achieved_given"), o.ge(v.months_elapsed, 1)),
            o.eq(v.year_ended, 0),
        ),
        o,
    ),
    "int",
)
_line(
    "savings_status_code",
    V,
    "Status code (0 achieved, 1 on track, 2 at risk, 3 missed, 4 not reported)",
    "code",
    "achieved if achieved >= target; not reported without an amount achieved (and, before the "
    "year ends, a forecast); missed once the year has ended; otherwise on track if the forecast "
    "(or, without one, the amount achieved) reaches the target (the share due), else at risk",
    lambda v, o: o.where(
        o.and_(_given(v, o, "achieved_given"), o.ge(v.savings_achieved, v.savings_target)),
        ACHIEVED,
        o.where(
            o.and_(
                o.eq(v.achieved_given, 0),
                o.or_(o.eq(v.forecast_given, 0), o.eq(v.year_ended, 1)),
            ),
            NOT_REPORTED,
            o.where(
                o.eq(v.year_ended, 1),
                MISSED,
                o.where(
                    _given(v, o, "forecast_given"),
                    o.where(o.ge(v.savings_forecast, v.savings_target), ON_TRACK, AT_RISK),
                    o.where(o.ge(v.savings_achieved, v.due_by_elapsed), ON_TRACK, AT_RISK),
                ),
            ),
        ),
    ),
    "int",
)
# The status in words: the sheet shows it beside its code; in numpy it is NaN (the engine reads
# the code, `appraise.analyses.programme` names it).
_line(
    "savings_status",
    V,
    "Status",
    "",
    "the status code's name",
    lambda v, o: o.choose(
        v.savings_status_code,
        {
            code: (lambda name=name: o.not_applicable(name))
            for code, name in enumerate(SAVINGS_STATUS_NAMES)
        },
    ),
    "",
)

# -- budget monitoring: each line's variance against its budget --------------------------------

_line(
    "variance_from_outturn",
    B,
    "Variance from outturn - budget (1 = yes)",
    "switch",
    "1 where both the budget and the outturn are given",
    lambda v, o: _flag(o.and_(_given(v, o, "budget_given"), _given(v, o, "outturn_given")), o),
    "int",
)
_line(
    "budget_variance",
    B,
    "Variance against budget (outturn - budget; + is an overspend)",
    "£",
    "outturn - budget where both are given; else the variance a report states",
    lambda v, o: o.where(
        o.eq(v.variance_from_outturn, 1),
        v.outturn - v.budget_amount,
        o.where(
            _given(v, o, "stated_variance_given"),
            v.stated_variance,
            o.not_applicable(NOT_KNOWN),
        ),
    ),
    "money",
)

# -- savings by class: each target's and each amount achieved's share, then their sums ---------

_line(
    "achieved_counted",
    V,
    "Achieved, where given (0 otherwise), for the sums by class",
    "£",
    "the amount achieved where given, else 0",
    lambda v, o: o.where(_given(v, o, "achieved_given"), v.savings_achieved, 0),
    "money",
)
for _figure, _amount in (("target", "savings_target"), ("achieved", "achieved_counted")):
    for _switch, _what in (
        ("class_cash_releasing", "cash-releasing"),
        ("class_capacity", "capacity"),
        ("recurs_one_off", "one-off"),
    ):
        _line(
            f"{_figure}_{_switch.split('_', 1)[1]}",
            V,
            f"{_figure.capitalize()}, if {_what}",
            "£",
            f"{_amount} x {_switch}",
            lambda v, o, a=_amount, s=_switch: getattr(v, a) * getattr(v, s),
            "money",
        )
for _figure, _rows, _total_label in (
    ("target", "savings_target", "Savings targets"),
    ("achieved", "achieved_counted", "Achieved"),
):
    _line(
        f"by_class_{_figure}_total",
        P,
        f"{_total_label}: total",
        "£",
        f"the sum over the savings targets of {_rows}",
        lambda v, o, r=_rows: o.sum_rows(getattr(v, r)),
        "money",
    )
    for _part, _what in (
        ("cash_releasing", "cash-releasing"),
        ("capacity", "capacity"),
        ("one_off", "one-off"),
    ):
        _line(
            f"by_class_{_figure}_{_part}",
            P,
            f"{_total_label}: {_what}",
            "£",
            f"the sum of {_figure}_{_part}",
            lambda v, o, f=_figure, p=_part: o.sum_rows(getattr(v, f"{f}_{p}")),
            "money",
        )
    _line(
        f"by_class_{_figure}_cost_avoidance",
        P,
        f"{_total_label}: cost avoidance",
        "£",
        "total - cash-releasing - capacity",
        lambda v, o, f=_figure: (
            getattr(v, f"by_class_{f}_total")
            - getattr(v, f"by_class_{f}_cash_releasing")
            - getattr(v, f"by_class_{f}_capacity")
        ),
        "money",
    )
    _line(
        f"by_class_{_figure}_recurring",
        P,
        f"{_total_label}: recurring",
        "£",
        "total - one-off",
        lambda v, o, f=_figure: (
            getattr(v, f"by_class_{f}_total") - getattr(v, f"by_class_{f}_one_off")
        ),
        "money",
    )
