"""The cost of doing nothing: the forecast's line items, defined once (Thurrock APHR 2017, appendix 1).

The same kind of definitions as `appraise.engine.lines`, on the forecast's own axes: `Y` the
forecast years (the start year, which is observed, and those after it), `K` the years of the
child population's path, `T` the years of a rate's history, `n` the interventions the forecast
counts (with `H`, their cash-flow years). `appraise.analyses.forecast` evaluates them over numpy
arrays; the workbook's Forecast sheet writes the same functions as its formulas.

- child population in year y: the series, or `value` x G(y) / G(year counted), where the path G
  (the series itself, or the growth factor: 1 in the base year, 1 + growth in each given year) is
  linear between the years given and flat beyond them;
- the rate per 10,000: held at the start-year rate; moved in proportion to a trend fitted to its
  history (a + b x(y), x = ln(y - t0 + 1) or y - t0, least squares); or gliding in a straight line
  to a target, then flat;
- children in care (non-UASC) = population x rate / 10,000; children in care = that + UASC
  (unaccompanied children arrive independently of the local population and practice);
- weeks of care = children in care x weeks in care per child;
- placement cost = weeks x weekly placement cost; non-placement cost = weeks x a cost per week of
  care set once, in the start year, from the placement share (placement x share / (1 - share):
  £1,072 x 0.47 / 0.53 = £950.64), so it moves with weeks of care but not with the placement
  price, as the report's own figures do; total = placement + non-placement; cashable = placement.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from appraise.engine.lines import Formula, Line, define, non_placement, uprating

Y, K, T, NY, NH, P = ("Y",), ("K",), ("T",), ("n", "Y"), ("n", "H"), ()
NO_CHILDREN = "none: no children in the area"  # a rate per 10,000 of no children

CARE: dict[str, Line] = {}


_line = partial(define, CARE)


for key, level, label, unit, fmt in (
    ("forecast_year", Y, "Year", "year", "int"),
    ("start_year", P, "The start year (observed)", "year", "int"),
    ("lac_rate", P, "Non-UASC children in care per 10,000, start year", "rate", "n2"),
    ("uasc", P, "Unaccompanied asylum-seeking children in care, each year", "children", "n1"),
    ("weeks_in_care_per_child", P, "Average weeks in care per child a year", "weeks", "n2"),
    ("weekly_placement_cost", P, "Average placement cost a week", "£ a week", "money2"),
    ("non_placement_share", P, "Non-placement share of total cost", "fraction", "pct"),
    ("price_base", P, "Price base: the financial year every figure is brought to", "year", ""),
    ("price_indices", ("Q", "S"), "Price indices by financial year (Indices)", "index", "n4"),
    ("baseline_price_year", P, "Price year of the weekly placement cost", "year", ""),
    ("baseline_index", P, "Index that uprates it", "index", ""),
    ("per_10k", P, "Children the rate counts per", "children", "n0"),
    (
        "population_is_series",
        P,
        "The population is a series (1) or a growth path (0)",
        "switch",
        "int",
    ),
    ("population_value", P, "Child population in the year it is counted", "children", "n0"),
    ("population_year", P, "Year the child population is counted", "year", "int"),
    ("path_years", K, "Population path: years given", "year", "int"),
    ("path_series", K, "Child population given (0 where it grows by a path)", "children", "n0"),
    ("path_growth", K, "Growth since the base year (0 where it is a series)", "fraction", "pct"),
    ("history_year", T, "History: year", "year", "int"),
    ("history_rate", T, "History: children in care per 10,000 children", "rate", "n2"),
    ("t0", P, "First year of the history (t0)", "year", "int"),
    ("trend_is_log", P, "Logarithmic trend (1) or linear (0)", "switch", "int"),
    ("target_rate", P, "Target rate per 10,000", "rate", "n2"),
    ("over_years", P, "Years to reach the target", "years", "int"),
    ("target_year", P, "Year the target is reached", "year", "int"),
    ("lac_rate_per_10k", Y, "Non-UASC children in care per 10,000 children", "rate", "n2"),
    ("children_in_care_non_uasc", Y, "Children in care, not UASC", "children", "n1"),
    (
        "reference_total_cost",
        Y,
        "Total cost of the scenario changes are measured from",
        "£ a year",
        "money",
    ),
    (
        "reference_cashable_cost",
        Y,
        "Cashable cost of the scenario changes are measured from",
        "£ a year",
        "money",
    ),
    ("without_non_uasc", Y, "Children in care, not UASC, without the portfolio", "children", "n1"),
    ("without_children_in_care", Y, "Children in care without the portfolio", "children", "n1"),
    (
        "without_total_cost",
        Y,
        "Spend without the portfolio: total cost of care",
        "£ a year",
        "money",
    ),
    ("without_cashable_cost", Y, "Cashable cost without the portfolio", "£ a year", "money"),
    ("portfolio_start", P, "The portfolio's year 1 (a forecast year)", "year", "int"),
    ("portfolio_horizon", P, "The portfolio's appraisal horizon", "years", "int"),
    ("year_outcomes_averted", NH, "LAC-years averted (Cash flows)", "outcomes", "n2"),
    ("year_cost", NH, "Cost (Cash flows)", "£ a year", "money"),
):
    _line(key, level, label, unit, "input", fmt=fmt)

# -- what a child in care costs --------------------------------------------------------------------

_line(
    "baseline_uprate",
    P,
    "Uprating factor to the price base",
    "factor",
    "index in the price base / index in the figure's price year",
    uprating("baseline_price_year", "baseline_index"),
    "n4",
)
_line(
    "weekly_placement_cost_in_base",
    P,
    "Average placement cost a week in base-year prices",
    "£ a week",
    "the weekly placement cost x its uprating factor",
    lambda v, o: v.weekly_placement_cost * v.baseline_uprate,
    "money2",
)

_line(
    "non_placement_cost_per_week",
    P,
    "Non-placement cost a week of care: placement x share / (1 - share), at the start-year price",
    "£ a week",
    "placement x share / (1 - share): non-placement is that share of the total",
    lambda v, o: non_placement(v.weekly_placement_cost_in_base, v.non_placement_share, o),
    "money2",
)
_line(
    "cost_per_child_year",
    P,
    "What a child in care costs a year: weeks x (placement + non-placement a week)",
    "£ a year",
    "weeks in care x (weekly placement cost + non-placement cost a week)",
    lambda v, o: (
        v.weeks_in_care_per_child
        * (v.weekly_placement_cost_in_base + v.non_placement_cost_per_week)
    ),
    "money",
)

_line(
    "path_value",
    K,
    "Population path: children given, or the growth factor (1 in the base year)",
    "",
    "the series; or 1 + growth since the base year",
    lambda v, o: o.where(o.eq(v.population_is_series, 1), v.path_series, 1 + v.path_growth),
    "n4",
)

# -- the child population along its path (as numpy's interp: linear between the years given, flat
# beyond them) ------------------------------------------------------------------------------------


def _path(at: str) -> tuple[Formula, Any, Any]:
    """The position, the share of the way to the next year given, and the path's value at `at`."""

    def position(v: Any, o: Any) -> Any:
        return o.position(getattr(v, at), v.path_years)

    def share(v: Any, o: Any, pos: str) -> Any:
        p = getattr(v, pos)
        low, high = o.index(v.path_years, p), o.index(v.path_years, p + 1)
        return o.clip((getattr(v, at) - low) / (high - low), 0, 1)

    def value(v: Any, o: Any, pos: str, part: str) -> Any:
        p = getattr(v, pos)
        low, high = o.index(v.path_value, p), o.index(v.path_value, p + 1)
        return low + getattr(v, part) * (high - low)

    return position, share, value


for prefix, at, level, where in (
    ("population", "forecast_year", Y, "this year"),
    ("count", "population_year", P, "in the year counted"),
):
    position, share, value = _path(at)
    _line(
        f"{prefix}_position",
        level,
        f"Population path {where}: the year given at or before (position)",
        "position",
        "",
        position,
        "int",
    )
    _line(
        f"{prefix}_share",
        level,
        f"Population path {where}: share of the way to the next year given",
        "share",
        "",
        lambda v, o, share=share, p=f"{prefix}_position": share(v, o, p),
        "n4",
    )
    _line(
        f"{prefix}_path",
        level,
        f"Population path {where}: its value",
        "",
        "",
        lambda v, o, value=value, p=f"{prefix}_position", s=f"{prefix}_share": value(v, o, p, s),
        "n4",
    )
_line(
    "child_population",
    Y,
    "Child population",
    "children",
    "the series; or the count x the growth path this year / the path in the year counted",
    lambda v, o: o.where(
        o.eq(v.population_is_series, 1),
        v.population_path,
        v.population_value * v.population_path / v.count_path,
    ),
    "n0",
)

# -- the rate per 10,000 ----------------------------------------------------------------------------


def _trend_x(year: str) -> Formula:
    def x(v: Any, o: Any) -> Any:
        y = getattr(v, year)
        return o.where(o.eq(v.trend_is_log, 1), o.ln(y - v.t0 + 1), y - v.t0)

    return x


_line(
    "history_x",
    T,
    "History: x = ln(year - t0 + 1) (log) or year - t0 (linear)",
    "x",
    "",
    _trend_x("history_year"),
    "n4",
)
_line(
    "trend_b",
    P,
    "Fitted trend: slope b (least squares)",
    "rate per x",
    "",
    lambda v, o: o.slope(v.history_rate, v.history_x),
    "n4",
)
_line(
    "trend_a",
    P,
    "Fitted trend: a, the rate in t0 (least squares)",
    "rate",
    "",
    lambda v, o: o.intercept(v.history_rate, v.history_x),
    "n4",
)
_line(
    "target_over_years",
    P,
    "Years to reach the target",
    "years",
    "the year the target is reached - the start year",
    lambda v, o: v.target_year - v.start_year,
    "int",
)
_line("trend_x", Y, "Trend: x this year", "x", "", _trend_x("forecast_year"), "n4")
_line(
    "trend",
    Y,
    "Fitted trend: a + b x",
    "rate",
    "",
    lambda v, o: v.trend_a + v.trend_b * v.trend_x,
    "n2",
)
_line(
    "rate_trend",
    Y,
    "Non-UASC children in care per 10,000 children",
    "rate",
    "the start-year rate x trend this year / trend in the start year",
    # In proportion, not in level: a history often counts something a little different from the
    # baseline's rate (all children in care, UASC included; or another area).
    lambda v, o: v.lac_rate * v.trend / o.year_value(v.trend, 1),
    "n2",
)
_line(
    "rate_target",
    Y,
    "Non-UASC children in care per 10,000 children",
    "rate",
    "the start-year rate + (target - start-year rate) x the share of the glide done",
    lambda v, o: (
        v.lac_rate
        + (v.target_rate - v.lac_rate)
        * o.clip((v.forecast_year - v.start_year) / v.over_years, 0, 1)
    ),
    "n2",
)
_line(
    "rate_constant",
    Y,
    "Non-UASC children in care per 10,000 children",
    "rate",
    "the start-year rate",
    lambda v, o: v.lac_rate,
    "n2",
)
_line(
    "non_uasc_from_rate",
    Y,
    "Children in care, not UASC",
    "children",
    "child population x rate / 10,000",
    lambda v, o: v.child_population * v.lac_rate_per_10k / v.per_10k,
    "n1",
)

# -- children in care and what they cost --------------------------------------------------------

for key, label, unit, how, formula, fmt in (
    (
        "uasc_line",
        "Unaccompanied asylum-seeking children in care (UASC)",
        "children",
        "the same each year",
        lambda v, o: v.uasc,
        "n1",
    ),
    (
        "children_in_care",
        "Children in care",
        "children",
        "non-UASC + UASC",
        lambda v, o: v.children_in_care_non_uasc + v.uasc,
        "n1",
    ),
    (
        "weeks_of_care",
        "Weeks of care",
        "weeks",
        "children in care x weeks in care per child",
        lambda v, o: v.children_in_care * v.weeks_in_care_per_child,
        "n0",
    ),
    (
        "placement_cost",
        "Placement cost",
        "£ a year",
        "weeks of care x weekly placement cost (in base-year prices)",
        lambda v, o: v.weeks_of_care * v.weekly_placement_cost_in_base,
        "money",
    ),
    (
        "non_placement_cost",
        "Non-placement cost (staff, travel, overheads)",
        "£ a year",
        "weeks of care x non-placement cost a week",
        lambda v, o: v.weeks_of_care * v.non_placement_cost_per_week,
        "money",
    ),
    (
        "total_cost",
        "Total cost of children in care",
        "£ a year",
        "placement + non-placement",
        lambda v, o: v.placement_cost + v.non_placement_cost,
        "money",
    ),
    (
        "cashable_cost",
        "Cashable cost (placements)",
        "£ a year",
        "the placement cost",
        lambda v, o: v.placement_cost,
        "money",
    ),
    (
        "change_in_total_cost",
        "Change in total cost since the start year",
        "£ a year",
        "total cost - the start year's",
        lambda v, o: v.total_cost - o.year_value(v.reference_total_cost, 1),
        "money",
    ),
    (
        "change_in_cashable_cost",
        "Change in cashable cost since the start year",
        "£ a year",
        "cashable cost - the start year's",
        lambda v, o: v.cashable_cost - o.year_value(v.reference_cashable_cost, 1),
        "money",
    ),
):
    _line(key, Y, label, unit, how, formula, fmt)

# -- with the portfolio -----------------------------------------------------------------------------

_line(
    "portfolio_year",
    Y,
    "Portfolio year (0 = before it starts)",
    "year",
    "year - the portfolio's year 1 + 1, from its year 1",
    lambda v, o: o.where(
        o.ge(v.forecast_year, v.portfolio_start), v.forecast_year - v.portfolio_start + 1, 0
    ),
    "int",
)
_line(
    "within_portfolio_horizon",
    Y,
    "Within the portfolio's appraisal horizon (1 = yes)",
    "switch",
    "portfolio year 1 to the horizon",
    lambda v, o: o.where(
        o.and_(o.ge(v.portfolio_year, 1), o.le(v.portfolio_year, v.portfolio_horizon)), 1, 0
    ),
    "int",
)
_line(
    "counted_lac_years",
    NY,
    "LAC-years averted (Cash flows)",
    "outcomes",
    "the intervention's outcomes averted in its portfolio year",
    lambda v, o: o.year_value(v.year_outcomes_averted, v.portfolio_year),
    "n2",
)
_line(
    "counted_cost",
    NY,
    "cost (Cash flows)",
    "£ a year",
    "the intervention's cost in its portfolio year",
    lambda v, o: o.year_value(v.year_cost, v.portfolio_year),
    "money",
)
_line(
    "lac_years_averted",
    Y,
    "LAC-years averted by the portfolio",
    "child-years",
    "the sum over the interventions counted",
    lambda v, o: o.sum_over(v.counted_lac_years),
    "n2",
)
_line(
    "intervention_cost",
    Y,
    "Cost of the interventions counted",
    "£ a year",
    "the sum over the interventions counted",
    lambda v, o: o.sum_over(v.counted_cost),
    "money",
)
_line(
    "with_non_uasc",
    Y,
    "Children in care, not UASC",
    "children",
    "without the portfolio - LAC-years averted",
    lambda v, o: v.without_non_uasc - v.lac_years_averted,
    "n1",
)
_line(
    "rate_from_children",
    Y,
    "Non-UASC children in care per 10,000 children",
    "rate",
    "children in care (non-UASC) x 10,000 / child population",
    lambda v, o: o.ratio(v.children_in_care_non_uasc * v.per_10k, v.child_population, signed=False),
    "n2",
    infinite=NO_CHILDREN,
)
for key, label, how, formula in (
    (
        "children_in_care_without",
        "Children in care without the portfolio",
        "the scenario without",
        lambda v, o: v.without_children_in_care,
    ),
    (
        "children_in_care_with",
        "Children in care with the portfolio",
        "the scenario with",
        lambda v, o: v.children_in_care,
    ),
    (
        "spend_without",
        "Spend without the portfolio: total cost of care",
        "the scenario without",
        lambda v, o: v.without_total_cost,
    ),
    (
        "care_cost_with",
        "Cost of care with the portfolio",
        "the scenario with",
        lambda v, o: v.total_cost,
    ),
    (
        "spend_with",
        "Spend with the portfolio: care + interventions",
        "care + interventions",
        lambda v, o: v.care_cost_with + v.intervention_cost,
    ),
    (
        "net_saving",
        "Net saving: spend without - spend with",
        "spend without - spend with",
        lambda v, o: v.spend_without - v.spend_with,
    ),
    (
        "cumulative_net_saving",
        "Cumulative net saving",
        "net saving to the end of the year",
        lambda v, o: o.cumsum_years(v.net_saving),
    ),
    (
        "cashable_care_saving",
        "Cashable care saving: placements without - with",
        "cashable cost without - with",
        lambda v, o: v.without_cashable_cost - v.cashable_cost,
    ),
):
    _line(
        key,
        Y,
        label,
        "children" if key.startswith("children") else "£ a year",
        how,
        formula,
        "n1" if key.startswith("children") else "money",
    )
