"""What a finance officer monitors beside a programme's business case (docs/programme.md): its
funding and what each investment line draws on; budget, forecast outturn and actual by financial
year (or a quarter or month of one) as at a reporting date, with the variances and pressures
named; savings a report states with no target set; and, for each measure, how it is counted, its
baseline before the programme, its comparators and its forecasts.

The models here are sections of `appraise.model.programme`'s file; `check_monitoring` finds the
problems across them (a year the programme lacks, an actual for a period not yet ended, an
investment line naming no source). Nothing here computes a figure: `appraise.analyses.monitoring`
does, over the lines of `appraise.engine.programme`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import Field, PlainValidator, field_validator
from pydantic_core import PydanticCustomError

from appraise.errors import _MISSING, Problem
from appraise.model import periods
from appraise.model.base import Base, Text
from appraise.model.programme_fields import Amount, FinancialYear, MeasureName, Month, _number
from appraise.model.savings import RECURRENCES, SAVINGS_CLASSES

MAX_ROWS = 1_000  # budget lines, investment lines, reported savings, forecasts, comparators
# Where money for a programme comes from. Substitution is money from another programme or
# budget used here: a named source, never a saving.
FUNDING_KINDS = (
    "programme_budget",
    "reserves",
    "grant",
    "payment_by_results",
    "capital",
    "substitution",
)
COMPARATOR_KINDS = ("england", "region", "statistical_neighbours", "other")
# How a measure is counted: at the end of a month (children in care on 31 March), or over the
# twelve months to its end (initial contacts in a year; children looked after during the year).
COUNTED = ("at_date", "over_year")

SavingsClass = Literal[SAVINGS_CLASSES]  # type: ignore[valid-type]
Recurrence = Literal[RECURRENCES]  # type: ignore[valid-type]
SignedAmount = Annotated[float, PlainValidator(lambda v: _number(v, signed=True))]
Rows = Field(max_length=MAX_ROWS)


def _period(v: Any) -> str:
    """A period in any form `appraise.model.periods` reads: a financial year, a quarter of one,
    a month or a range of months."""
    if not isinstance(v, str):
        raise PydanticCustomError("appraise_number", "expected a period such as 2012-13")
    try:
        periods.period_months(v.strip())
    except ValueError as exc:
        raise PydanticCustomError("appraise_number", str(exc)) from None
    return v.strip()


Period = Annotated[str, PlainValidator(_period)]


# ---------------------------------------------------------------------------------------------
# Funding (in `programme:`)
# ---------------------------------------------------------------------------------------------


class FundingSource(Base):
    """Where money for the programme comes from, and how much it holds (not given: None)."""

    name: Text
    kind: Literal[FUNDING_KINDS]  # type: ignore[valid-type]
    amount: Amount | None = None
    note: Text | None = None


class Funding(Base):
    """The programme's envelope (what is set aside for it) and its sources."""

    envelope: Amount | None = None
    sources: Annotated[list[FundingSource], Rows] = []
    note: Text | None = None

    @field_validator("sources")
    @classmethod
    def _once(cls, v: list[FundingSource]) -> list[FundingSource]:
        names = [s.name for s in v]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"each source is named once; repeated: {', '.join(repeated)}")
        return v


class InvestmentLine(Base):
    """What the programme spent on one line in one financial year, and the source it drew on."""

    line: Text
    source: Text
    year: FinancialYear
    value: Amount
    note: Text | None = None


# ---------------------------------------------------------------------------------------------
# Measures (in `programme.measures`): how counted, baseline, comparators
# ---------------------------------------------------------------------------------------------


class MeasureBaseline(Base):
    """A measure's value before the programme started (CP plans 704 in February 2012)."""

    at: Month
    value: Amount
    note: Text | None = None


class Comparator(Base):
    """What another area shows for the same measure, as a rate per 10,000 children, with the
    population the rate uses where the source gives it."""

    name: Text
    kind: Literal[COMPARATOR_KINDS]  # type: ignore[valid-type]
    at: Month
    rate_per_10000: Amount
    population: Amount | None = None
    note: Text | None = None


# ---------------------------------------------------------------------------------------------
# Actuals: budget monitoring, savings with no target, forecasts of measures
# ---------------------------------------------------------------------------------------------


class BudgetLine(Base):
    """One budget line in one financial year (or a quarter or month of it), as at the actuals'
    reporting date: the budget, the forecast outturn, the actual (only for a period that has
    ended), or the variance as a report states it (outturn - budget: positive is an overspend)."""

    line: Text
    year: FinancialYear
    period: Period | None = None  # a quarter or month of the year; not given: the whole year
    budget: Amount | None = None
    forecast_outturn: Amount | None = None
    actual: Amount | None = None
    variance: SignedAmount | None = None
    reported: Text | None = None  # the council's own words ("a small overspend")
    note: Text | None = None


class SavingReported(Base):
    """A saving a report states with no target set for it: its class, recurrence and period,
    and the sources it comes from."""

    name: Text
    value: Amount
    period: Period
    savings_class: SavingsClass
    recurrence: Recurrence
    sources: Annotated[list[Text], Field(max_length=100)] = []
    note: Text | None = None


class MeasureForecast(Base):
    """A forecast of a measure's value at a month (a year's outturn), as reported at a month."""

    measure: MeasureName
    at: Month
    value: Amount
    reported_at: Month | None = None
    note: Text | None = None


# ---------------------------------------------------------------------------------------------
# Checks across the file
# ---------------------------------------------------------------------------------------------


def months_of(period: str | None, year: str, start_month: int) -> tuple[int, int]:
    """(first month, months) of a budget line's period: the period, or the whole year."""
    if period is None:
        return periods.financial_year_months(int(year[:4]), start_month), 12
    return periods.period_months(period, start_month)


def check_monitoring(
    programme: Any, actuals: Any, years: list[str], as_at: int | None, file: str, actuals_file: str
) -> list[Problem]:
    """Problems across the monitoring sections (see the module docstring)."""
    problems: list[Problem] = []
    runs = f"the programme runs {years[0]} to {years[-1]}"

    def add(path: str, message: str, value: Any = _MISSING, where: str = file) -> None:
        problems.append(Problem(where, path, message, value))

    funding = programme.funding
    sources = [s.name for s in funding.sources] if funding is not None else []
    for i, line in enumerate(programme.investment_lines):
        where = f"programme.investment_lines[{i}]"
        if line.source not in sources:
            known = f" (sources: {', '.join(sources)})" if sources else ""
            add(f"{where}.source", f"not a source under programme.funding{known}", line.source)
        if line.year not in years:
            add(f"{where}.year", f"not a year of the programme ({runs})", line.year)
    start = programme.start_index()
    for name, info in programme.measures.items():
        if info.baseline is not None and periods.parse_month(info.baseline.at) >= start:
            add(
                f"programme.measures.{name}.baseline.at",
                f"a baseline is the value before the programme starts ({programme.start})",
                info.baseline.at,
            )
    if actuals is None:
        return problems
    problems += _check_budget(programme, actuals, years, as_at, actuals_file)
    span = (programme.start_index(), programme.end_index())
    for i, saving in enumerate(actuals.reported_savings):
        first, months = periods.period_months(saving.period, programme.financial_year_start_month)
        if first < span[0] or first + months - 1 > span[1]:
            add(
                f"actuals.reported_savings[{i}].period",
                f"outside the programme ({programme.start} to {periods.month_label(span[1])})",
                saving.period,
                actuals_file,
            )
    declared = set(programme.measures) | {t.measure for t in programme.targets}
    for i, forecast in enumerate(actuals.forecasts):
        if forecast.measure not in declared:
            add(
                f"actuals.forecasts[{i}].measure",
                "no target names this measure and programme.measures does not declare it",
                forecast.measure,
                actuals_file,
            )
        made = periods.parse_month(forecast.reported_at) if forecast.reported_at else as_at
        if made is not None and periods.parse_month(forecast.at) <= made:
            when = "its reported_at" if forecast.reported_at else "the reporting date (as_at)"
            add(
                f"actuals.forecasts[{i}].at",
                f"a forecast is of a month after {when}, {periods.month_label(made)}: the value "
                "at a month already ended is an actual",
                forecast.at,
                actuals_file,
            )
        if forecast.reported_at and as_at is not None and made is not None and made > as_at:
            add(
                f"actuals.forecasts[{i}].reported_at",
                f"after the reporting date ({periods.month_label(as_at)})",
                forecast.reported_at,
                actuals_file,
            )
    return problems


def _adder(problems: list[Problem], file: str, where: str) -> Callable[..., None]:
    """A function adding a problem at `where` + a path below it."""

    def add(path: str, message: str, value: Any = _MISSING) -> None:
        problems.append(Problem(file, f"{where}{path}", message, value))

    return add


def _check_budget(
    programme: Any, actuals: Any, years: list[str], as_at: int | None, file: str
) -> list[Problem]:
    problems: list[Problem] = []
    if actuals.budget and as_at is None:
        return [
            Problem(
                file,
                "actuals.as_at",
                "budget monitoring is as at a reporting date: give as_at (the month the figures "
                "run to)",
            )
        ]
    start_month = programme.financial_year_start_month
    seen: dict[tuple[str, str, str | None], int] = {}
    for i, row in enumerate(actuals.budget):
        add = _adder(problems, file, f"actuals.budget[{i}]")
        if row.year not in years:
            add(".year", f"not a year of the programme ({years[0]} to {years[-1]})", row.year)
            continue
        first, months = months_of(row.period, row.year, start_month)
        year_first = periods.financial_year_months(int(row.year[:4]), start_month)
        if row.period is not None and not (
            year_first <= first and first + months <= year_first + 12
        ):
            add(".period", f"not a period within {row.year}", row.period)
            continue
        key = (row.line, row.year, row.period)
        if key in seen:
            add("", f"{row.line} {row.period or row.year} is already given (budget[{seen[key]}])")
        seen.setdefault(key, i)
        assert as_at is not None
        ended = first + months - 1 <= as_at
        if row.actual is not None and not ended:
            add(
                ".actual",
                f"{row.period or row.year} has not ended by the reporting date "
                f"({periods.month_label(as_at)}): a figure for it is a forecast, never an "
                "actual; give it as forecast_outturn",
                row.actual,
            )
        outturn = row.actual is not None or row.forecast_outturn is not None
        if row.variance is not None and row.budget is not None and outturn:
            add(
                ".variance",
                "the budget and the outturn are given, so appraise works out the variance: give "
                "those or the variance as the report states it, not both",
                row.variance,
            )
        if not (row.budget is not None or outturn or row.variance is not None or row.reported):
            add(
                "",
                "give budget, forecast_outturn, actual, variance or the report's words (reported)",
            )
    if as_at is None:
        return problems
    spent = actuals.spend.years() if actuals.spend is not None else []
    for key, found in (("spend", spent), ("avoided_spend", list(actuals.avoided_spend))):
        for year in found:
            last = periods.financial_year_months(int(year[:4]), start_month) + 11
            if year in years and last > as_at:
                problems.append(
                    Problem(
                        file,
                        f"actuals.{key}.{year}",
                        f"{year} has not ended by as_at ({periods.month_label(as_at)}): a figure "
                        "for it is a forecast, never an actual; give it in budget as "
                        "forecast_outturn",
                        year,
                    )
                )
    return problems
