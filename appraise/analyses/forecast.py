"""The cost of doing nothing: children in care and their cost, year by year, over numpy arrays.

Thurrock's APHR 2017 (appendix 1) forecast; each formula lives here once:

- child population in year y: the series, or `value` x G(y) / G(year), where the growth factor G
  is 1 in `growth_base_year` and 1 + growth in each given year, linear in between;
- children in care (non-UASC) = population x rate per 10,000 / 10,000; children in care = that +
  UASC (unaccompanied children arrive independently of the local population and practice);
- weeks of care = children in care x weeks in care per child;
- placement cost = weeks x weekly placement cost; non-placement cost = weeks x a cost per week of
  care set once, in the start year, from the placement share
  (`core.non_placement_cost(weekly_placement_cost, non_placement_share)`: £1,072 x 0.47 / 0.53 =
  £950.64), so it moves with weeks of care but not with the placement price, as the report's own
  figures do; total = placement + non-placement; cashable = placement.

Years run from the start year (the reference: change 0) to start year + `years`. Nothing here
reads files or prints, except `with_portfolio`, which runs a validated portfolio through the core.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from appraise.engine import core
from appraise.errors import InputError
from appraise.model.schema import lac_outcome
from appraise.model.trend import DRIVERS, Trend, fit_trend, forecast_years, lever_value

if TYPE_CHECKING:
    import pandas as pd

    from appraise.model.baseline import Baseline, ChildPopulation, Scenario
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


# ---------------------------------------------------------------------------------------------
# Population and rate paths
# ---------------------------------------------------------------------------------------------


def child_population(pop: ChildPopulation, start_year: int, years: np.ndarray) -> np.ndarray:
    """Children in each year: the series, or value x G(y) / G(year), both linear between knots."""
    knot_years, knot_values = pop.knots(start_year)
    path = np.interp(years, knot_years, knot_values)
    if pop.series is not None:
        return path
    return pop.value * path / np.interp(pop.anchor(start_year), knot_years, knot_values)


def trend_rate(start_rate: float, trend: Trend, start_year: int, years: np.ndarray) -> np.ndarray:
    """The start-year rate moved in proportion to the trend: rate x T(y) / T(start year).

    In proportion, not in level, because a history often counts something a little different
    from the baseline's rate (all children in care, UASC included; or another area), so only its
    shape is borrowed. The baseline's validation keeps T(start year) above zero.
    """
    return start_rate * trend(years) / trend(start_year)


def glide_rate(
    start_rate: float, target: float, over_years: float, start_year: int, years: np.ndarray
) -> np.ndarray:
    """A straight line from the start-year rate to `target` over `over_years`, then flat:
    rate + (target - rate) x min((y - start year) / over_years, 1)."""
    progress = np.clip((years - start_year) / over_years, 0.0, 1.0)
    return start_rate + (target - start_rate) * progress


# ---------------------------------------------------------------------------------------------
# Children in care and what they cost
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drivers:
    """The cost drivers that do not vary by scenario (arrays broadcast for levers)."""

    uasc: Any
    weeks_in_care_per_child: Any
    weekly_placement_cost: Any
    non_placement_cost_per_week: Any

    @property
    def cost_per_child_year(self) -> Any:
        """What one child in care costs a year: weeks x (placement + non-placement a week)."""
        return self.weeks_in_care_per_child * (
            self.weekly_placement_cost + self.non_placement_cost_per_week
        )


def drivers(baseline: Baseline) -> Drivers:
    """The baseline's drivers; non-placement cost a week is fixed from the start-year price."""
    weekly = baseline.weekly_placement_cost
    per_week = float(
        weekly * core.ratio(baseline.non_placement_share, 1 - baseline.non_placement_share)
    )
    return Drivers(baseline.uasc, baseline.weeks_in_care_per_child, weekly, per_week)


def children_in_care(population: Any, rate_per_10k: Any) -> np.ndarray:
    """Non-UASC children in care: population x rate per 10,000."""
    return np.asarray(population, dtype=float) * rate_per_10k / PER_10K


def care_cost(children_non_uasc: Any, d: Drivers) -> dict[str, np.ndarray]:
    """Children in care, weeks of care and their cost (see the module docstring)."""
    non_uasc = np.asarray(children_non_uasc, dtype=float)
    children = non_uasc + d.uasc
    weeks = children * d.weeks_in_care_per_child
    placement = weeks * d.weekly_placement_cost
    non_placement = weeks * d.non_placement_cost_per_week
    return {
        "children_in_care_non_uasc": non_uasc,
        "uasc": np.broadcast_to(np.asarray(d.uasc, dtype=float), children.shape),
        "children_in_care": children,
        "weeks_of_care": weeks,
        "placement_cost": placement,
        "non_placement_cost": non_placement,
        "total_cost": placement + non_placement,
        "cashable_cost": placement,
    }


def scenario_lines(
    years: np.ndarray,
    population: np.ndarray,
    children_non_uasc: np.ndarray,
    d: Drivers,
    reference: Mapping[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Every line of one scenario [Y] (FORECAST_KEYS); changes are against the reference's start
    year (this scenario's own start year by default)."""
    cost = care_cost(children_non_uasc, d)
    ref = cost if reference is None else reference
    lines = {
        "year": years,
        "child_population": population,
        "lac_rate_per_10k": core.ratio(children_non_uasc * PER_10K, population),
        **cost,
        "change_in_total_cost": cost["total_cost"] - ref["total_cost"][0],
        "change_in_cashable_cost": cost["cashable_cost"] - ref["cashable_cost"][0],
    }
    return {k: lines[k] for k in FORECAST_KEYS}


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

    def records(self) -> list[dict[str, Any]]:
        """One mapping per year, keyed as FORECAST_KEYS."""
        return _records(self.lines, FORECAST_KEYS)

    def to_data(self) -> dict[str, Any]:
        return {"name": self.name, "lac_rate": self.rate_path, "years": self.records()}


def scenario_rate(
    baseline: Baseline, scenario: Scenario, years: np.ndarray
) -> tuple[np.ndarray, dict[str, Any]]:
    """The non-UASC rate per 10,000 in each year, and a description of how it was set."""
    start, rate = baseline.start_year, baseline.lac_rate_per_10k
    trend, target = scenario.lac_rate_trend, scenario.lac_rate_target
    if trend is not None:
        fitted = fit_trend(trend.history, trend.form)
        described = {"kind": "trend", **fitted.to_data(), "history": trend.history}
        return trend_rate(rate, fitted, start, years), described
    if target is not None:
        over = target.over_years if target.over_years is not None else target.year - start
        described = {"kind": "target", "value": target.value, "over_years": over}
        return glide_rate(rate, target.value, over, start, years), described
    return np.full(years.shape, float(rate)), {"kind": "constant", "value": rate}


def project_scenario(baseline: Baseline, scenario: Scenario) -> ScenarioForecast:
    """One scenario of the baseline, year by year."""
    years = forecast_years(baseline.start_year, baseline.years)
    population = child_population(baseline.child_population, baseline.start_year, years)
    rate, described = scenario_rate(baseline, scenario, years)
    lines = scenario_lines(years, population, children_in_care(population, rate), drivers(baseline))
    return ScenarioForecast(scenario.name, described, lines)


def project(baseline: Baseline) -> list[ScenarioForecast]:
    """Every scenario of the baseline."""
    return [project_scenario(baseline, s) for s in baseline.scenarios]


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


def price_levers(baseline: Baseline) -> dict[str, Any]:
    """Each lever's annual saving against the start year, and its cashable (placement) part.

    `cost_elasticity` is the percentage change in total cost per 1% change in the driver, so levers
    of different sizes and units compare like with like.

    All levers are priced at once: the start-year drivers as arrays [L], each lever changing its
    own. The lac_rate lever moves the non-UASC rate only; non-placement cost a week stays at its
    start-year figure, so a cheaper placement saves placement cost only.
    """
    levers = baseline.levers
    d = drivers(baseline)
    years = np.array([baseline.start_year])
    population = child_population(baseline.child_population, baseline.start_year, years)[0]
    values = {k: np.full(len(levers), baseline.driver_value(k)) for k in DRIVERS}
    after = {k: v.copy() for k, v in values.items()}
    for i, lever in enumerate(levers):
        after[lever.driver][i] = lever_value(
            values[lever.driver][i], lever.change, lever.how == "fraction"
        )
    base = care_cost(children_in_care(population, baseline.lac_rate_per_10k), d)
    changed = care_cost(
        children_in_care(population, after["lac_rate"]),
        dataclasses.replace(
            d,
            weeks_in_care_per_child=after["weeks_in_care_per_child"],
            weekly_placement_cost=after["weekly_placement_cost"],
        ),
    )
    saving = base["total_cost"] - changed["total_cost"]
    rows: list[dict[str, Any]] = [
        {
            "driver": lever.driver,
            "change": lever.change,
            "unit": lever.how,
            "value": float(values[lever.driver][i]),
            "value_with_lever": float(after[lever.driver][i]),
            "total_cost_with_lever": float(changed["total_cost"][i]),
            "annual_saving": float(saving[i]),
            "cashable_saving": float(base["cashable_cost"] - changed["cashable_cost"][i]),
            "saving_share": float(core.ratio(saving[i], base["total_cost"])),
            "cost_elasticity": float(
                core.ratio(
                    core.ratio(-saving[i], base["total_cost"]),
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
        "total_cost": float(base["total_cost"]),
        "cashable_cost": float(base["cashable_cost"]),
        "levers": rows,
    }


# ---------------------------------------------------------------------------------------------
# With the portfolio
# ---------------------------------------------------------------------------------------------


def compare(
    without: Mapping[str, np.ndarray],
    lac_years_averted: np.ndarray,
    intervention_cost: np.ndarray,
    d: Drivers,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Spend on children in care with and without a portfolio, year by year [Y].

    Each LAC-year averted is one fewer (non-UASC) child in care that year, costing what the
    baseline says a child costs. spend_with = care cost with + intervention cost; net_saving =
    spend_without - spend_with. Returns (the with-portfolio scenario's FORECAST_KEYS lines, the
    comparison's COMPARISON_KEYS lines except the portfolio-year columns).
    """
    with_lines = scenario_lines(
        without["year"],
        without["child_population"],
        without["children_in_care_non_uasc"] - lac_years_averted,
        d,
        reference=without,
    )
    spend_with = with_lines["total_cost"] + intervention_cost
    net = without["total_cost"] - spend_with
    comparison = {
        "year": without["year"],
        "lac_years_averted": lac_years_averted,
        "children_in_care_without": without["children_in_care"],
        "children_in_care_with": with_lines["children_in_care"],
        "spend_without": without["total_cost"],
        "care_cost_with": with_lines["total_cost"],
        "intervention_cost": intervention_cost,
        "spend_with": spend_with,
        "net_saving": net,
        "cumulative_net_saving": np.cumsum(net),
        "cashable_care_saving": without["cashable_cost"] - with_lines["cashable_cost"],
    }
    return with_lines, comparison


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
    offset = first - baseline.start_year
    model = build(portfolio, evidence_for(portfolio) if evidence is None else evidence)
    inp = model.base.with_horizon(len(years) - offset)
    per, totals = core.appraise(inp)
    counted = np.array([item.averts == key for item in portfolio.interventions])
    outcome = list(portfolio.outcomes).index(key)
    averted = np.zeros(len(years))
    averted[offset:] = totals["year_outcomes_averted_by_outcome"][outcome]
    cost = np.zeros(len(years))
    cost[offset:] = per["year_cost"][counted].sum(axis=0)
    short = without.lines["children_in_care_non_uasc"] - averted
    if (short < 0).any():
        t = int((short < 0).argmax())
        raise InputError.one(
            file,
            "baseline",
            f"in {years[t]} the portfolio averts {averted[t]:,.1f} LAC-years but the baseline "
            f"has only {without.lines['children_in_care_non_uasc'][t]:,.1f} non-UASC children "
            "in care",
        )
    d = drivers(baseline)
    with_lines, lines = compare(without.lines, averted, cost, d)
    portfolio_year = np.where(years >= first, years - first + 1, 0)
    lines["portfolio_year"] = portfolio_year
    lines["within_portfolio_horizon"] = (portfolio_year >= 1) & (
        portfolio_year <= portfolio.horizon_years
    )
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
        lac_year_cost_baseline=float(d.cost_per_child_year),
        lac_year_cost_portfolio=float(unit[0]) if unit.size else None,
        lines={k: lines[k] for k in COMPARISON_KEYS},
        with_scenario=ScenarioForecast(
            f"{scenario.name}, with portfolio",
            {"kind": "with_portfolio", "scenario": scenario.name, "portfolio": portfolio.portfolio},
            with_lines,
        ),
    )


def forecast_data(
    baseline: Baseline, comparison: PortfolioComparison | None = None
) -> dict[str, Any]:
    """`appraise forecast --format json`: every scenario (with the portfolio last, if given)."""
    d = drivers(baseline)
    scenarios = project(baseline)
    if comparison is not None:
        scenarios.append(comparison.with_scenario)
    return {
        "start_year": baseline.start_year,
        "years": baseline.years,
        "non_placement_cost_per_week": float(d.non_placement_cost_per_week),
        "cost_per_child_year": float(d.cost_per_child_year),
        "scenarios": [s.to_data() for s in scenarios],
        "with_portfolio": None if comparison is None else comparison.to_data(),
    }
