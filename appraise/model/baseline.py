"""The `baseline:` section: what children in care will cost if nothing changes (the file format).

Thurrock's APHR 2017 (appendix 1) forecast the cost of doing nothing: children in care = child
population x rate per 10,000 + unaccompanied asylum-seeking children (UASC); weeks of care =
children x average weeks in care; cost = weeks x weekly placement cost, plus non-placement costs.
These models validate such a baseline, its scenarios and its cost-driver levers; the arithmetic
is in `appraise.analyses.forecast`. A history CSV (`history: file.csv`) is replaced by the rates it
gives when the file is loaded (`appraise.model.load`), so a validated baseline holds numbers only.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    StrictInt,
    model_validator,
)
from pydantic_core import PydanticCustomError

from appraise.errors import InputError, Problem
from appraise.model import limits
from appraise.model import trend as paths
from appraise.model.base import Base, Text
from appraise.model.numbers import Dist, Domain, parse_num
from appraise.model.prices.years import PriceYearField
from appraise.model.reading import quotable

FIRST_YEAR, LAST_YEAR = 1900, 2100
MAX_FORECAST_YEARS = 100
WEEKS_A_YEAR = limits.WEEKS_A_YEAR  # 365.25 / 7, as `derive.weeks_per_year` allows
MAX_CHILDREN = limits.MAX_CASES
# When a lever gives no unit: the rate and the price move by a fraction, the length of stay by weeks.
DEFAULT_LEVER_UNIT = {
    "lac_rate": "fraction",
    "weeks_in_care_per_child": "absolute",
    "weekly_placement_cost": "fraction",
}
DEFAULT_SCENARIO = "Population growth only"


_UNSET: Any = object()


def at(path: str, message: str, value: Any = _UNSET) -> PydanticCustomError:
    """An error at `path` below the model being validated (with the rejected value, if given).

    `load.problems_from` appends `ctx.subkey` to the error's location (the convention
    `appraise.model` uses for keys inside a distribution), so a check made on a whole baseline can
    still name `scenarios[2].lac_rate_target.year`.
    """
    ctx = {"subkey": path} if value is _UNSET else {"subkey": path, "value": value}
    return PydanticCustomError("appraise_number", message, ctx)


def _plain(value: Any, domain: Domain, subkey: str | None = None) -> float:
    """A plain finite number inside `domain` (a baseline takes no distributions)."""
    try:
        number = parse_num(value, domain)
        if isinstance(number, Dist):
            raise PydanticCustomError(
                "appraise_number", "a baseline takes plain numbers, not distributions"
            )
    except PydanticCustomError as exc:
        if subkey is None:
            raise
        raise at(subkey, exc.message(), value) from None
    return number


def _number(domain: Domain) -> Any:
    return Annotated[float, PlainValidator(lambda v: _plain(v, domain))]


Children = _number(limits.CASES)
RatePer10k = _number(limits.RATE_PER_10K)
WeeklyCost = _number(limits.WEEKLY_COST)
WeeksInYear = _number(limits.WEEKS)
ShareBelowOne = _number(limits.SHARE)
# A lever's change: a fraction (-0.05) or an amount in the driver's unit; its result is checked
# against the driver's own range (`Baseline._check_levers`).
LeverChange = _number(Domain(limit=limits.MAX_WEEKLY_COST, why="more than any driver's range"))
Year = Annotated[StrictInt, Field(ge=FIRST_YEAR, le=LAST_YEAR)]


def year_key(key: Any) -> int:
    """A year written as a mapping key: 2024, or "2024" (JSON turns keys into text)."""
    if isinstance(key, str) and key.strip().isdigit():
        key = int(key)
    if isinstance(key, bool) or not isinstance(key, int):
        raise at(str(key), "expected a year such as 2024 as the key", key)
    if not FIRST_YEAR <= key <= LAST_YEAR:
        raise at(str(key), f"a year must be between {FIRST_YEAR} and {LAST_YEAR}", key)
    return key


def _year_map(raw: Any, domain: Domain) -> dict[int, float]:
    if not isinstance(raw, dict):
        raise PydanticCustomError("dict_type", "expected a mapping of years to values")
    out: dict[int, float] = {}
    for key, value in raw.items():
        year = year_key(key)
        if year in out:
            raise at(str(key), "this year is given twice", key)
        out[year] = _plain(value, domain, str(key))
    return dict(sorted(out.items()))


def _year_map_type(domain: Domain) -> Any:
    return Annotated[
        dict[int, float],
        PlainValidator(lambda v: _year_map(v, domain)),
        PlainSerializer(lambda v: dict(v)),
    ]


Counts = _year_map_type(limits.CASES)  # {year: children}
Rates = _year_map_type(limits.RATE_PER_10K)  # {year: children in care per 10,000}
# {year: growth since the base year}: above -1 (checked below), and at most 100-fold.
Growth = _year_map_type(Domain(limit=100.0, why="a hundredfold growth"))


class ChildPopulation(Base):
    """Children in the area: a yearly `series`, or `value` in `year` moved along a growth path.

    Written either as `{2017: 42700, 2018: 43300, ...}` or as `{value, year, growth_base_year,
    growth: {year: fraction}}`; growth factors (1 in the base year, 1 + fraction in each given
    year) are interpolated linearly between the given years.
    """

    series: Counts | None = None
    value: Children | None = None
    year: Year | None = None
    growth_base_year: Year | None = None
    growth: Growth = {}

    @model_validator(mode="before")
    @classmethod
    def _bare_series(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and raw and not set(raw) & set(cls.model_fields):
            # Checked here, so that problems name the years as written (no `series.` in the path).
            return {"series": _year_map(raw, limits.CASES)}
        return raw

    @model_validator(mode="after")
    def _one_form(self) -> ChildPopulation:
        if (self.series is None) == (self.value is None):
            raise ValueError(
                "child_population takes a series {year: children, ...} or {value, year, "
                "growth_base_year, growth} (exactly one)"
            )
        if self.series is not None:
            extra = [k for k in ("year", "growth_base_year") if getattr(self, k) is not None]
            if extra or self.growth:
                raise ValueError("a series takes no value, year, growth_base_year or growth")
            return self
        base = self.growth_base_year
        for year, fraction in self.growth.items():
            if fraction <= -1:
                raise at(f"growth.{year}", "growth must be above -1 (a fall of 100%)", fraction)
        if self.growth and base is None:
            raise at(
                "growth_base_year", "growth needs growth_base_year, the year it is measured from"
            )
        early = [y for y in self.growth if base is not None and y <= base]
        if early:
            raise at(
                f"growth.{early[0]}",
                f"growth is measured from growth_base_year {base}, so its years must come after it",
                early[0],
            )
        return self

    def knots(self, start_year: int) -> tuple[list[int], list[float]]:
        """Years and values of the path: children in the series, or growth factors (base = 1)."""
        if self.series is not None:
            return list(self.series), list(self.series.values())
        base = self.growth_base_year or self.anchor(start_year)
        return [base, *self.growth], [1.0, *(1.0 + g for g in self.growth.values())]

    def anchor(self, start_year: int) -> int:
        """The year `value` is counted in (the baseline's start year unless `year` says)."""
        return self.year if self.year is not None else start_year


class RateTrend(Base):
    """A rate following the trend of its history (see `paths.fit_trend` for the formulas)."""

    history: Rates
    form: Literal["log", "linear"] = "log"

    @model_validator(mode="after")
    def _enough(self) -> RateTrend:
        if len(self.history) < 2:
            raise at("history", "a trend needs the rate in at least two years", self.history)
        return self


class RateTarget(Base):
    """A rate gliding in a straight line from the start-year rate to `value`, then flat."""

    value: RatePer10k
    over_years: Annotated[StrictInt, Field(ge=1, le=MAX_FORECAST_YEARS)] | None = None
    year: Year | None = None

    @model_validator(mode="after")
    def _one(self) -> RateTarget:
        if (self.over_years is None) == (self.year is None):
            raise ValueError("lac_rate_target takes over_years or year (exactly one)")
        return self


class Scenario(Base):
    """One path for the rate of children in care; population growth applies to every scenario."""

    name: Text
    lac_rate_trend: RateTrend | None = None
    lac_rate_target: RateTarget | None = None

    @model_validator(mode="after")
    def _at_most_one(self) -> Scenario:
        if self.lac_rate_trend is not None and self.lac_rate_target is not None:
            raise ValueError("a scenario takes lac_rate_trend or lac_rate_target, not both")
        return self


class Lever(Base):
    """A change to one cost driver, priced against the start year."""

    driver: Literal[paths.DRIVERS]  # type: ignore[valid-type]
    change: LeverChange
    unit: Literal["fraction", "absolute"] | None = None

    @property
    def how(self) -> str:
        """`fraction` (x (1 + change)) or `absolute` (+ change), this driver's default if unset."""
        return self.unit or DEFAULT_LEVER_UNIT[self.driver]


class WithPortfolio(Base):
    """How a portfolio's results enter the forecast (see README "The cost of doing nothing")."""

    lac_outcome: Text | None = None
    scenario: Text | None = None
    start_year: Year | None = None


class Baseline(Base):
    """Children in care and their cost if nothing changes, by scenario, with cost-driver levers."""

    description: Text | None = None
    sources: Annotated[list[Text], Field(max_length=limits.MAX_SOURCES)] = []
    start_year: Year
    years: Annotated[StrictInt, Field(ge=1, le=MAX_FORECAST_YEARS)]
    child_population: ChildPopulation
    lac_rate_per_10k: RatePer10k
    uasc: Children = 0.0
    weeks_in_care_per_child: WeeksInYear
    weekly_placement_cost: WeeklyCost
    price_year: PriceYearField | None = None  # of the weekly placement cost (default: the base)
    # Set when the baseline is part of a portfolio: the price table, the base and this
    # baseline's year and index as positions in it (appraise.model.pricing.care_prices).
    _prices: dict[str, Any] | None = PrivateAttr(default=None)
    non_placement_share: ShareBelowOne
    scenarios: Annotated[list[Scenario], Field(min_length=1, max_length=limits.MAX_SCENARIOS)] = (
        Field(default_factory=lambda: [Scenario(name=DEFAULT_SCENARIO)])
    )
    levers: Annotated[list[Lever], Field(max_length=limits.MAX_LEVERS)] = []
    with_portfolio: WithPortfolio = WithPortfolio()

    @property
    def last_year(self) -> int:
        return self.start_year + self.years

    @model_validator(mode="after")
    def _consistent(self) -> Baseline:
        self._check_population()
        self._check_scenarios()
        self._check_levers()
        self._check_with_portfolio()
        return self

    def _check_population(self) -> None:
        pop = self.child_population
        first, last = self.start_year, self.last_year
        if pop.series is not None:
            given = list(pop.series)
            if given[0] > first or given[-1] < last:
                raise at(
                    "child_population",
                    f"the series must cover every forecast year, {first} to {last} (it covers "
                    f"{given[0]} to {given[-1]}); years between given ones are interpolated",
                )
            return
        years, _ = pop.knots(first)
        needed = [first, last, pop.anchor(first)]
        if len(years) > 1 and (min(needed) < years[0] or max(needed) > years[-1]):
            where = "growth" if max(needed) > years[-1] else "growth_base_year"
            raise at(
                f"child_population.{where}",
                f"the growth path runs from {years[0]} to {years[-1]}; the forecast needs "
                f"{min(needed)} to {max(needed)} (appraise does not extrapolate it)",
            )

    def _check_scenarios(self) -> None:
        names = [s.name for s in self.scenarios]
        for i, scenario in enumerate(self.scenarios):
            if names.index(scenario.name) != i:
                raise at(f"scenarios[{i}].name", "scenario names must be unique", scenario.name)
            target = scenario.lac_rate_target
            if target is not None and target.year is not None and target.year <= self.start_year:
                raise at(
                    f"scenarios[{i}].lac_rate_target.year",
                    f"the target year must be after start_year {self.start_year}",
                    target.year,
                )
            if scenario.lac_rate_trend is not None:
                self._check_trend(i, scenario.lac_rate_trend)

    def _check_trend(self, i: int, trend: RateTrend) -> None:
        fitted = paths.fit_trend(trend.history, trend.form)
        years = paths.forecast_years(self.start_year, self.years)
        level = fitted(years)
        if level[0] <= 0:
            raise at(
                f"scenarios[{i}].lac_rate_trend.history",
                f"the fitted trend is {level[0]:.3g} per 10,000 in {self.start_year}; a rate that "
                "is not above zero cannot be scaled from",
            )
        if (level < 0).any():
            year = int(years[int((level < 0).argmax())])
            raise at(
                f"scenarios[{i}].lac_rate_trend.history",
                f"the fitted trend falls below zero in {year}; shorten the forecast or use "
                "lac_rate_target",
            )

    def _check_levers(self) -> None:
        for i, lever in enumerate(self.levers):
            before = self.driver_value(lever.driver)
            after = float(paths.lever_value(before, lever.change, lever.how == "fraction"))
            limit = {
                "lac_rate": limits.MAX_RATE_PER_10K,
                "weeks_in_care_per_child": WEEKS_A_YEAR,
                "weekly_placement_cost": limits.MAX_WEEKLY_COST,
            }[lever.driver]
            if not 0 <= after <= limit:
                raise at(
                    f"levers[{i}].change",
                    f"would take {lever.driver} from {before:g} to {after:g}, outside 0 to "
                    f"{limit:g}",
                    lever.change,
                )

    def _check_with_portfolio(self) -> None:
        wp = self.with_portfolio
        names = [s.name for s in self.scenarios]
        if wp.scenario is not None and wp.scenario not in names:
            raise at(
                "with_portfolio.scenario",
                f"no scenario has this name (scenarios: {', '.join(names)})",
                wp.scenario,
            )
        if wp.start_year is not None and not self.start_year <= wp.start_year <= self.last_year:
            raise at(
                "with_portfolio.start_year",
                f"must be within the forecast, {self.start_year} to {self.last_year}",
                wp.start_year,
            )

    def driver_value(self, driver: str) -> float:
        """The start-year value of a cost driver named as in `levers`."""
        return self.lac_rate_per_10k if driver == "lac_rate" else getattr(self, driver)


# ---------------------------------------------------------------------------------------------
# Historical series (the shape of the Department for Education's children-looked-after tables)
# ---------------------------------------------------------------------------------------------

HISTORY_COLUMNS = ("year", "children_in_care", "child_population")


@dataclass(frozen=True)
class History:
    """Children in care and child population by year, as published."""

    years: tuple[int, ...]
    children_in_care: tuple[float, ...]
    child_population: tuple[float, ...]

    @property
    def rates_per_10k(self) -> dict[int, float]:
        """Children in care per 10,000 children, by year."""
        return {
            y: 10_000 * c / p
            for y, c, p in zip(
                self.years, self.children_in_care, self.child_population, strict=True
            )
        }


def parse_history(text: str, file: str) -> History:
    """A CSV with columns year, children_in_care, child_population (others ignored).

    Lines starting with `#` are notes, not data (so a file can say where its figures come from).
    A history is named by another file, so messages quote its header only where a column is a
    near miss of one expected: it might be a file the user did not write.
    """
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:  # a header cell over the csv module's 131,072 characters
        raise InputError.one(file, "header", f"cannot be read as CSV ({exc})") from None
    return _history_rows(reader, fieldnames or [], file)


def _numbered(reader: csv.DictReader[str], file: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, row) from 1; a row the csv module cannot read is an InputError naming it."""
    n = 0
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError.one(file, f"row {n + 1}", f"cannot be read as CSV ({exc})") from None
        n += 1
        yield n, raw


def _history_rows(reader: csv.DictReader[str], fieldnames: Sequence[str], file: str) -> History:
    header = [h.strip() for h in fieldnames]
    missing = [c for c in HISTORY_COLUMNS if c not in header]
    if missing:
        hints = [
            f"{close[0]!r} for {c!r}?"
            for c in missing
            if (close := difflib.get_close_matches(c, [h for h in header if quotable(h)], n=1))
        ]
        raise InputError.one(
            file,
            "header",
            f"missing column(s) {', '.join(missing)}"
            + (f" (did you mean {' '.join(hints)})" if hints else "")
            + "; the first line that is not a # note must name the columns",
        )
    problems: list[Problem] = []
    rows: dict[int, tuple[float, float]] = {}
    for n, raw in _numbered(reader, file):
        if len(problems) >= limits.MAX_PROBLEMS:
            problems.append(Problem(file, "", f"stopped after {limits.MAX_PROBLEMS} problems"))
            break
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        where = f"row {n}"
        try:
            year = year_key(row["year"])
        except PydanticCustomError as exc:
            problems.append(Problem(file, f"{where}.year", exc.message(), row["year"]))
            continue
        values = []
        for column in HISTORY_COLUMNS[1:]:
            try:
                number = float(row[column])
            except ValueError:
                problems.append(
                    Problem(file, f"{where}.{column}", "expected a number", row[column])
                )
                continue
            smallest = 0.0 if column == "children_in_care" else math.ulp(0.0)
            if not (math.isfinite(number) and smallest <= number <= MAX_CHILDREN):
                rule = (
                    f"must not be above {MAX_CHILDREN:,.0f}"
                    if math.isfinite(number) and number > MAX_CHILDREN
                    else "must not be negative"
                    if smallest == 0
                    else "must be above 0"
                )
                problems.append(Problem(file, f"{where}.{column}", rule, number))
                continue
            values.append(number)
        if year in rows:
            problems.append(Problem(file, f"{where}.year", "this year is given twice", year))
        elif len(values) == 2:
            rows[year] = (values[0], values[1])
    if not problems and len(rows) < 2:
        problems.append(Problem(file, "", "a history needs at least two years of data"))
    if problems:
        raise InputError(problems)
    ordered = sorted(rows.items())
    return History(
        tuple(y for y, _ in ordered),
        tuple(c for _, (c, _) in ordered),
        tuple(p for _, (_, p) in ordered),
    )
