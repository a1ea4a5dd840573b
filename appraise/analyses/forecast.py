"""The cost of doing nothing: children in care and their cost, year by year, over numpy arrays.

Thurrock's APHR 2017 (appendix 1) forecast. Each formula is a line of `appraise.engine.care`
(whose docstring states them), evaluated here scenario by scenario: the rate path, children in
care, weeks of care and their cost; the levers; and the with-portfolio scenario, whose non-UASC
children in care are reduced by the LAC-years the portfolio averts each year.

Years run from the start year (the reference: change 0) to start year + `years`. Nothing here
reads files or prints, except `with_portfolio`, which runs a validated portfolio through the core.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from appraise.engine import core, evaluate
from appraise.engine.care import CARE
from appraise.engine.evaluate import Structure
from appraise.errors import InputError
from appraise.model.schema import lac_outcome
from appraise.model.trend import (  # noqa: F401  (the trend arithmetic, for callers)
    DRIVERS,
    Trend,
    fit_trend,
    forecast_years,
    lever_value,
)

if TYPE_CHECKING:
    import pandas as pd

    from appraise.model.baseline import Baseline, Scenario
    from appraise.model.schema import Evidence, Portfolio

PER_10K = 10_000.0
# Keys of one scenario year, in order: `appraise forecast --format json` and the Forecast sheet.
FORECAST_KEYS = (
    "year",
    "child_population",
    "lac_rate_per_10k",
    "children_in_care_non_uasc",
    "uasc",
    "children_in_care",
    "weeks_of_care",
    "placement_cost",
    "non_placement_cost",
    "total_cost",
    "cashable_cost",
    "change_in_total_cost",
    "change_in_cashable_cost",
)
# The care line behind each key, where it differs (`uasc` is an input; its line is per year).
LINE_OF = {"uasc": "uasc_line", "year": "forecast_year"}
# Keys of one year of the with/without-portfolio comparison, in order.
COMPARISON_KEYS = (
    "year",
    "portfolio_year",
    "within_portfolio_horizon",
    "lac_years_averted",
    "children_in_care_without",
    "children_in_care_with",
    "spend_without",
    "care_cost_with",
    "intervention_cost",
    "spend_with",
    "net_saving",
    "cumulative_net_saving",
    "cashable_care_saving",
)
CARE_LINES = ("uasc_line", "children_in_care", "weeks_of_care", "placement_cost")
CARE_LINES += ("non_placement_cost", "total_cost", "cashable_cost")
CHANGES = ("change_in_total_cost", "change_in_cashable_cost")


# ---------------------------------------------------------------------------------------------
# Inputs of the care lines
# ---------------------------------------------------------------------------------------------


def path_knots(baseline: Baseline) -> tuple[list[float], list[float], list[float]]:
    """The population path's years, its series (children) and its growth since the base year
    (one of the two is zeros); a single year given is a flat path (two years)."""
    pop = baseline.child_population
    years, values = pop.knots(baseline.start_year)
    if len(years) == 1:
        years, values = [years[0], years[0] + 1], [values[0], values[0]]
    zeros = [0.0] * len(years)
    if pop.series is not None:
        return [float(y) for y in years], [float(v) for v in values], zeros
    growth = [0.0, *pop.growth.values()] if pop.growth else [0.0, 0.0]
    return [float(y) for y in years], zeros, [float(g) for g in growth]


def baseline_inputs(baseline: Baseline, years: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The care lines' inputs every scenario shares: the drivers and the population's path."""
    pop, start = baseline.child_population, baseline.start_year
    knot_years, series, growth = path_knots(baseline)
    years = forecast_years(start, baseline.years) if years is None else years
    scalar = {
        "start_year": start,
        "lac_rate": baseline.lac_rate_per_10k,
        "uasc": baseline.uasc,
        "weeks_in_care_per_child": baseline.weeks_in_care_per_child,
        "weekly_placement_cost": baseline.weekly_placement_cost,
        "non_placement_share": baseline.non_placement_share,
        "per_10k": PER_10K,
        "population_is_series": float(pop.series is not None),
        "population_value": pop.value if pop.value is not None else 0.0,
        "population_year": pop.anchor(start),
    }
    # A baseline on its own is in its own prices; in a portfolio, uprated to the price base.
    prices = baseline._prices or {
        "price_indices": ((1.0,),),
        "price_base": 0,
        "baseline_price_year": 0,
        "baseline_index": 0,
    }
    for key in ("price_base", "baseline_price_year", "baseline_index"):
        scalar[key] = prices[key]
    return {
        **{k: np.asarray(float(v)) for k, v in scalar.items()},
        "price_indices": np.array(prices["price_indices"], dtype=float),
        "forecast_year": np.asarray(years, dtype=float),
        "path_years": np.array(knot_years),
        "path_series": np.array(series),
        "path_growth": np.array(growth),
    }


def scenario_inputs(baseline: Baseline, scenario: Scenario) -> tuple[str, dict[str, np.ndarray]]:
    """The line giving a scenario's rate per 10,000, and the inputs it needs."""
    trend, target = scenario.lac_rate_trend, scenario.lac_rate_target
    if trend is not None:
        years = sorted(trend.history)
        return "rate_trend", {
            "history_year": np.array(years, dtype=float),
            "history_rate": np.array([trend.history[y] for y in years], dtype=float),
            "t0": np.asarray(float(years[0])),
            "trend_is_log": np.asarray(float(trend.form == "log")),
        }
    if target is not None:
        given = {"target_rate": np.asarray(float(target.value))}
        if target.over_years is not None:
            return "rate_target", {**given, "over_years": np.asarray(float(target.over_years))}
        return "rate_target", {**given, "target_year": np.asarray(float(target.year))}
    return "rate_constant", {}


def structure(inputs: Mapping[str, np.ndarray], n: int = 0, horizon: int = 0) -> Structure:
    """The axes of a forecast run: its years, the path's knots, a history's years, interventions."""
    sizes = {"Y": inputs["forecast_year"].shape[-1], "K": inputs["path_years"].shape[-1]}
    if "price_indices" in inputs:
        sizes["Q"], sizes["S"] = inputs["price_indices"].shape[-2:]
    if "history_year" in inputs:
        sizes["T"] = inputs["history_year"].shape[-1]
    none = np.zeros(0, dtype=int)
    return Structure(n, horizon, none, none, 0, 0, 0, 0, sizes)


def run(inputs: dict[str, np.ndarray], wanted: Sequence[str], **axes: int) -> dict[str, np.ndarray]:
    """The care lines in `wanted`, from the inputs."""
    return evaluate.run(inputs, structure(inputs, **axes), wanted, CARE)


def care(
    inputs: dict[str, np.ndarray], reference: Mapping[str, np.ndarray] | None = None
) -> dict[str, np.ndarray]:
    """Children in care and what they cost, from `children_in_care_non_uasc`; changes are against
    the start year of `reference` (the scenario itself unless given)."""
    values = run(inputs, CARE_LINES)
    ref = values if reference is None else reference
    values["reference_total_cost"] = ref["total_cost"]
    values["reference_cashable_cost"] = ref["cashable_cost"]
    return run(values, CHANGES)


# ---------------------------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------------------------


def _records(lines: Mapping[str, np.ndarray], keys: Sequence[str]) -> list[dict[str, Any]]:
    """One JSON-ready mapping per year: whole numbers for years, floats for the rest."""
    out = []
    for t in range(len(lines["year"])):
        row: dict[str, Any] = {}
        for k in keys:
            x = lines[k][t]
            row[k] = x.item() if isinstance(x, np.bool_ | np.integer) else float(x)
        out.append(row)
    return out


@dataclass(frozen=True)
class ScenarioForecast:
    """One scenario's lines [Y], keyed as FORECAST_KEYS, and how its rate was set."""

    name: str
    rate_path: dict[str, Any]
    lines: dict[str, np.ndarray]
    # Every care line worked out for the scenario (what the Forecast sheet caches in its cells).
    values: dict[str, np.ndarray] = dataclasses.field(default_factory=dict, repr=False)

    def records(self) -> list[dict[str, Any]]:
        """One mapping per year, keyed as FORECAST_KEYS."""
        return _records(self.lines, FORECAST_KEYS)

    def to_data(self) -> dict[str, Any]:
        return {"name": self.name, "lac_rate": self.rate_path, "years": self.records()}


def scenario_lines(values: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A scenario's FORECAST_KEYS lines [Y] from its care lines."""
    lines = {k: np.asarray(values[LINE_OF.get(k, k)]) for k in FORECAST_KEYS}
    lines["year"] = lines["year"].astype(int)
    return lines


def project_scenario(baseline: Baseline, scenario: Scenario) -> ScenarioForecast:
    """One scenario of the baseline, year by year."""
    rate_line, own = scenario_inputs(baseline, scenario)
    inputs = {**baseline_inputs(baseline), **own}
    if "target_year" in inputs:
        inputs["over_years"] = run(inputs, ("target_over_years",))["target_over_years"]
    values = run(inputs, (rate_line, "child_population"))
    values["lac_rate_per_10k"] = values[rate_line]
    values["children_in_care_non_uasc"] = run(values, ("non_uasc_from_rate",))["non_uasc_from_rate"]
    values = care(values)
    return ScenarioForecast(
        scenario.name, describe_rate(baseline, scenario, values), scenario_lines(values), values
    )


def describe_rate(
    baseline: Baseline, scenario: Scenario, values: Mapping[str, np.ndarray]
) -> dict[str, Any]:
    """How a scenario's rate was set, with its numbers (the fitted trend, the target)."""
    trend, target = scenario.lac_rate_trend, scenario.lac_rate_target
    if trend is not None:
        return {
            "kind": "trend",
            "form": trend.form,
            "t0": int(values["t0"]),
            "a": float(values["trend_a"]),
            "b": float(values["trend_b"]),
            "history": trend.history,
        }
    if target is not None:
        return {"kind": "target", "value": target.value, "over_years": int(values["over_years"])}
    return {"kind": "constant", "value": baseline.lac_rate_per_10k}


def project(baseline: Baseline) -> list[ScenarioForecast]:
    """Every scenario of the baseline."""
    return [project_scenario(baseline, s) for s in baseline.scenarios]


def drivers(baseline: Baseline) -> dict[str, float]:
    """The start-year cost of care: non-placement cost a week, and a child in care for a year."""
    values = run(baseline_inputs(baseline), ("non_placement_cost_per_week", "cost_per_child_year"))
    return {k: float(values[k]) for k in ("non_placement_cost_per_week", "cost_per_child_year")}


# ---------------------------------------------------------------------------------------------
# Levers
# ---------------------------------------------------------------------------------------------

# Keys of one lever in `appraise levers --format json`, in order.
LEVER_KEYS = (
    "driver",
    "change",
    "unit",
    "value",
    "value_with_lever",
    "total_cost_with_lever",
    "annual_saving",
    "cashable_saving",
    "saving_share",
    "cost_elasticity",
)
DRIVER_INPUT = {
    "lac_rate": "lac_rate",
    "weeks_in_care_per_child": "weeks_in_care_per_child",
    "weekly_placement_cost": "weekly_placement_cost",
}


def price_levers(baseline: Baseline) -> dict[str, Any]:
    """Each lever's annual saving against the start year, and its cashable (placement) part.

    `cost_elasticity` is the percentage change in total cost per 1% change in the driver, so levers
    of different sizes and units compare like with like.

    All levers are priced at once, in the start year: the drivers as arrays [L] (a leading axis of
    the care lines), each lever changing its own. The lac_rate lever moves the non-UASC rate only;
    non-placement cost a week stays at its start-year figure, so a cheaper placement saves
    placement cost only.
    """
    levers = baseline.levers
    start = np.array([baseline.start_year])
    base = baseline_inputs(baseline, start)
    base["non_placement_cost_per_week"] = run(base, ("non_placement_cost_per_week",))[
        "non_placement_cost_per_week"
    ]
    values = {k: np.full(len(levers), baseline.driver_value(k)) for k in DRIVERS}
    after = {k: v.copy() for k, v in values.items()}
    for i, lever in enumerate(levers):
        after[lever.driver][i] = lever_value(
            values[lever.driver][i], lever.change, lever.how == "fraction"
        )

    def total(drivers: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        inputs = {
            **base,
            **{DRIVER_INPUT[k]: v for k, v in drivers.items()},
        }
        lines = run(inputs, ("rate_constant", "child_population"))
        lines["lac_rate_per_10k"] = lines["rate_constant"]
        lines["children_in_care_non_uasc"] = run(lines, ("non_uasc_from_rate",))[
            "non_uasc_from_rate"
        ]
        return run(lines, ("total_cost", "cashable_cost"))

    before = total({k: np.asarray(baseline.driver_value(k)) for k in DRIVERS})
    changed = total(after)
    base_total, base_cashable = float(before["total_cost"][0]), float(before["cashable_cost"][0])
    saving = base_total - changed["total_cost"][:, 0]
    rows: list[dict[str, Any]] = [
        {
            "driver": lever.driver,
            "change": lever.change,
            "unit": lever.how,
            "value": float(values[lever.driver][i]),
            "value_with_lever": float(after[lever.driver][i]),
            "total_cost_with_lever": float(changed["total_cost"][i, 0]),
            "annual_saving": float(saving[i]),
            "cashable_saving": float(base_cashable - changed["cashable_cost"][i, 0]),
            "saving_share": float(core.ratio(saving[i], base_total)),
            "cost_elasticity": float(
                core.ratio(
                    core.ratio(-saving[i], base_total),
                    core.ratio(
                        after[lever.driver][i] - values[lever.driver][i], values[lever.driver][i]
                    ),
                )
            ),
        }
        for i, lever in enumerate(levers)
    ]
    return {
        "start_year": baseline.start_year,
        "total_cost": base_total,
        "cashable_cost": base_cashable,
        "levers": rows,
    }


# ---------------------------------------------------------------------------------------------
# With the portfolio
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortfolioComparison:
    """Spend with and without a portfolio, year by year: what a chart or a sheet needs.

    `lines` holds COMPARISON_KEYS arrays [Y] over the forecast years; `rows()` gives one mapping a
    year and `to_frame()` a DataFrame. `with_scenario` is the full forecast with the portfolio.
    """

    portfolio: str
    scenario: str
    lac_outcome: str
    start_year: int  # the forecast year that is the portfolio's year 1
    horizon_years: int  # the portfolio's own appraisal horizon
    interventions: tuple[str, ...]  # averting the LAC outcome: their cost and effect are counted
    excluded: tuple[str, ...]  # averting other outcomes: outside a forecast of care costs
    lac_year_cost_baseline: float
    lac_year_cost_portfolio: float | None
    lines: dict[str, np.ndarray]
    with_scenario: ScenarioForecast

    def rows(self) -> list[dict[str, Any]]:
        """One mapping per forecast year, keyed as COMPARISON_KEYS."""
        return _records(self.lines, COMPARISON_KEYS)

    def to_data(self) -> dict[str, Any]:
        fields = [
            f.name for f in dataclasses.fields(self) if f.name not in ("lines", "with_scenario")
        ]
        data: dict[str, Any] = {k: getattr(self, k) for k in fields}
        data["interventions"], data["excluded"] = list(self.interventions), list(self.excluded)
        return {**data, "years": self.rows()}

    def to_frame(self) -> pd.DataFrame:
        """A DataFrame indexed by year, one column per COMPARISON_KEYS entry."""
        import pandas as pd

        return pd.DataFrame(self.rows()).set_index("year")


def with_portfolio(
    portfolio: Portfolio, evidence: Mapping[str, Evidence] | None = None, file: str = "portfolio"
) -> PortfolioComparison:
    """Run the portfolio through the core over the forecast years and compare spend.

    The portfolio's year 1 is `with_portfolio.start_year` (default: the year after the baseline's
    start year, which is the observed year). Its cash-flow model runs over every forecast year from
    then on, whatever its `horizon_years` (the NPV window): a service with `timing.cohorts: 0`
    keeps running; set `cohorts` for one that stops. Rows say whether a year is within the
    portfolio's horizon.
    """
    from appraise.engine.params import build
    from appraise.model.load import evidence_for

    baseline = portfolio.baseline
    if baseline is None:
        raise InputError.one(file, "baseline", "this portfolio has no baseline section")
    key = lac_outcome(portfolio, file)
    wp = baseline.with_portfolio
    scenario = next((s for s in baseline.scenarios if s.name == wp.scenario), baseline.scenarios[0])
    without = project_scenario(baseline, scenario)
    years = without.lines["year"]
    first = wp.start_year if wp.start_year is not None else baseline.start_year + 1
    run_years = len(years) - (first - baseline.start_year)
    model = build(portfolio, evidence_for(portfolio) if evidence is None else evidence)
    per, _ = core.appraise(
        model.base.with_horizon(run_years),
        wanted=("year_outcomes_averted", "year_cost", "outcome_cost"),
    )
    counted = np.array([item.averts == key for item in portfolio.interventions])
    inputs = {
        **baseline_inputs(baseline),
        "portfolio_start": np.asarray(float(first)),
        "portfolio_horizon": np.asarray(float(portfolio.horizon_years)),
        "year_outcomes_averted": per["year_outcomes_averted"][counted],
        "year_cost": per["year_cost"][counted],
        "without_non_uasc": without.lines["children_in_care_non_uasc"],
        "without_children_in_care": without.lines["children_in_care"],
        "without_total_cost": without.lines["total_cost"],
        "without_cashable_cost": without.lines["cashable_cost"],
    }
    axes = {"n": int(counted.sum()), "horizon": run_years}
    values = run(inputs, ("with_non_uasc", "child_population", "within_portfolio_horizon"), **axes)
    short = values["with_non_uasc"]
    if (short < 0).any():
        t = int((short < 0).argmax())
        raise InputError.one(
            file,
            "baseline",
            f"in {int(years[t])} the portfolio averts {values['lac_years_averted'][t]:,.1f} "
            f"LAC-years but the baseline has only {without.lines['children_in_care_non_uasc'][t]:,.1f} "
            "non-UASC children in care",
        )
    values["children_in_care_non_uasc"] = short
    values = care(values, reference=without.lines)
    values = run(values, ("rate_from_children", *COMPARISON_KEYS[1:]), **axes)
    values["lac_rate_per_10k"] = values["rate_from_children"]
    lines = {k: np.asarray(values[LINE_OF.get(k, k)]) for k in COMPARISON_KEYS}
    lines["within_portfolio_horizon"] = lines["within_portfolio_horizon"].astype(bool)
    lines["portfolio_year"] = lines["portfolio_year"].astype(int)
    lines["year"] = lines["year"].astype(int)
    ids = [item.id for item in portfolio.interventions]
    unit = per["outcome_cost"][counted]
    return PortfolioComparison(
        portfolio=portfolio.portfolio,
        scenario=scenario.name,
        lac_outcome=key,
        start_year=first,
        horizon_years=portfolio.horizon_years,
        interventions=tuple(i for i, c in zip(ids, counted, strict=True) if c),
        excluded=tuple(i for i, c in zip(ids, counted, strict=True) if not c),
        lac_year_cost_baseline=drivers(baseline)["cost_per_child_year"],
        lac_year_cost_portfolio=float(unit[0]) if unit.size else None,
        lines=lines,
        with_scenario=ScenarioForecast(
            f"{scenario.name}, with portfolio",
            {"kind": "with_portfolio", "scenario": scenario.name, "portfolio": portfolio.portfolio},
            scenario_lines(values),
            values,
        ),
    )


def forecast_data(
    baseline: Baseline, comparison: PortfolioComparison | None = None
) -> dict[str, Any]:
    """`appraise forecast --format json`: every scenario (with the portfolio last, if given)."""
    scenarios = project(baseline)
    if comparison is not None:
        scenarios.append(comparison.with_scenario)
    return {
        "start_year": baseline.start_year,
        "years": baseline.years,
        **drivers(baseline),
        "scenarios": [s.to_data() for s in scenarios],
        "with_portfolio": None if comparison is None else comparison.to_data(),
    }
