"""A programme and its outline business case (the file format), and what it achieved (actuals).

```yaml
programme:
  name: THRIVE
  start: 2012-04                     # the first month; years are financial years (April to March)
  investment: {2012-13: 2000000}     # programme spend by financial year
  projection: {2012-13: 60000000}    # the OBC: spend without the programme (or by budget line,
                                     # or {forecast: baseline.yaml} for a baseline's forecast)
  savings_targets: [{workstream: staffing, year: 2015-16, value: 5100000}]
  targets: [{measure: children_in_care, at: 2014-03, value: 560}]
actuals:                             # a section, a file named here, or a file given with --actuals
  spend: {2012-13: 53600000}
  savings: [{workstream: staffing, year: 2015-16, value: 5100000}]
  measures: {children_in_care: {2014-03: 571}}
```

Every key is described in docs/programme.md. A financial year may be written `2012-13` or
`2012/13` and is stored as `2012-13`; a month is `2014-03`. Money is pounds, at least 0 except
spend avoided (which is negative when spend was above the projection); a figure written `null` or
left out is "not given", never zero. Files a programme names (`actuals: file.yaml`, a projection's
`forecast:`) are read relative to the programme file's folder and must be inside it.

The arithmetic is the lines of `appraise.engine.programme`, evaluated by
`appraise.analyses.programme`; nothing here computes a figure.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, PlainValidator, StrictBool, ValidationError
from pydantic_core import PydanticCustomError

from appraise.errors import InputError, Problem
from appraise.model import periods
from appraise.model.base import Base, Text, check_slug
from appraise.model.baseline import Baseline, at
from appraise.model.load import (
    baseline_from_data,
    detect_kind,
    load_evidence,
    parse_yaml,
    portfolio_from_data,
    problems_from,
    read_bytes,
)
from appraise.model.monitoring import (
    COUNTED,
    MAX_ROWS,
    BudgetLine,
    Comparator,
    Funding,
    InvestmentLine,
    MeasureBaseline,
    MeasureForecast,
    Recurrence,
    SavingReported,
    SavingsClass,
    check_monitoring,
)
from appraise.model.programme_fields import (  # noqa: F401  (the field types, for callers)
    BETTER,
    MAX_AMOUNT,
    REPORTED_STATUSES,
    Amount,
    FinancialYear,
    MeasureName,
    MeasureValues,
    MoneyByYear,
    Month,
    SignedMoneyByYear,
    StartMonth,
    YearAmounts,
    _measure_name,
    _year_amounts,
)
from appraise.model.reading import quoting_nothing, read_reference
from appraise.model.savings import CASH_RELEASING, RECURRING

MAX_PROGRAMME_YEARS = 50
FORECAST_COSTS = ("total_cost", "cashable_cost")
_FORECAST_KEYS = ("forecast", "scenario", "cost")


@dataclass(frozen=True)
class Spend:
    """Spend by financial year, as one total (`by_line` false, one line named TOTAL) or by budget
    line. A year's total is the sum of its lines, and not given if any line does not give it."""

    lines: dict[str, YearAmounts]
    by_line: bool

    TOTAL = "total"

    def years(self) -> list[str]:
        """Every financial year any line names, in order."""
        return sorted({y for line in self.lines.values() for y in line})

    def total(self, year: str) -> float | None:
        total = 0.0
        for line in self.lines.values():
            value = line.get(year)
            if value is None:
                return None
            total += value
        return total

    def line(self, name: str, year: str) -> float | None:
        return self.lines.get(name, {}).get(year)


def _spend(v: Any, what: str) -> Spend:
    """{2012-13: 60000000} (a total) or {placements: {2012-13: 41000000}, ...} (by budget line)."""
    if not isinstance(v, dict) or not v:
        raise PydanticCustomError(
            "dict_type",
            f"expected {what} by financial year, {{2012-13: 60000000}}, or by budget line, "
            "{placements: {2012-13: 41000000}}",
        )
    nested = [isinstance(value, dict) for value in v.values()]
    if all(nested):
        lines = {}
        for name, years in v.items():
            line = _measure_name(name, str(name))  # budget lines are named as measures are
            lines[line] = _year_amounts(years, prefix=f"{line}.")
        return Spend(lines, by_line=True)
    if any(nested):
        raise PydanticCustomError(
            "appraise_number",
            f"give {what} by financial year or by budget line, not a mixture of the two",
        )
    return Spend({Spend.TOTAL: _year_amounts(v)}, by_line=False)


@dataclass(frozen=True)
class ForecastProjection:
    """The projection is a baseline's forecast: `forecast` names a baseline file, or a portfolio
    with a baseline; `scenario` one of its scenarios (the first if not given); `cost` which line
    of the forecast is spend without the programme (`total_cost`, or `cashable_cost`:
    placements only). Forecast year Y is taken as the financial year starting in it (2017 is
    2017-18: nine of its twelve months)."""

    forecast: str
    scenario: str | None = None
    cost: str = "total_cost"


def _projection(v: Any) -> Spend | ForecastProjection:
    if isinstance(v, dict) and "forecast" in v:
        unknown = [k for k in v if k not in _FORECAST_KEYS]
        if unknown:
            raise at(
                str(unknown[0]),
                f"unknown key; a forecast projection takes {', '.join(_FORECAST_KEYS)}",
            )
        for key in ("forecast", "scenario"):
            if key in v and (not isinstance(v[key], str) or not v[key].strip()):
                raise at(key, "expected text", v[key])
        cost = v.get("cost", "total_cost")
        if cost not in FORECAST_COSTS:
            raise at("cost", f"expected one of {', '.join(FORECAST_COSTS)}", cost)
        scenario = v.get("scenario")
        return ForecastProjection(v["forecast"].strip(), scenario and scenario.strip(), cost)
    return _spend(v, "the projection")


Projection = Annotated[Spend | ForecastProjection, PlainValidator(_projection)]
SpendTable = Annotated[Spend, PlainValidator(lambda v: _spend(v, "spend"))]


# ---------------------------------------------------------------------------------------------
# The programme section
# ---------------------------------------------------------------------------------------------


class MeasureInfo(Base):
    """How a measure is read: its name for people, its unit, which way is better, how it is
    counted (at a date, or over the year to a month), whether it is a rate per 10,000 and the
    population a count is a rate of, its baseline before the programme and its comparators."""

    name: Text | None = None
    unit: Text | None = None
    better: Literal["lower", "higher"] = "lower"
    counted: Literal[COUNTED] = "at_date"  # type: ignore[valid-type]
    per_10000: StrictBool = False  # the measure itself is a rate per 10,000 children
    population: Amount | None = None  # the children a count is a rate of
    baseline: MeasureBaseline | None = None
    comparators: Annotated[list[Comparator], Field(max_length=MAX_ROWS)] = []


class SavingsTarget(Base):
    """A saving the programme must make in one financial year from one workstream, and how it is
    booked (not given: a budget reduction, cash-releasing and recurring)."""

    workstream: Text
    year: FinancialYear
    value: Amount
    savings_class: SavingsClass = CASH_RELEASING
    recurrence: Recurrence = RECURRING
    note: Text | None = None


class Target(Base):
    """A measure's target value at the end of a month (a count: children in care 560)."""

    measure: MeasureName
    at: Month
    value: Amount
    note: Text | None = None


class Programme(Base):
    """The programme and its outline business case (see the module docstring)."""

    name: Text
    description: Text | None = None
    sources: list[Text] = []
    start: Month
    end: Month | None = None
    financial_year_start_month: StartMonth = periods.DEFAULT_FINANCIAL_YEAR_START_MONTH
    investment_in_spend: bool = False
    investment: MoneyByYear = {}
    projection: Projection | None = None
    savings_targets: list[SavingsTarget] = []
    targets: list[Target] = []
    measures: dict[str, MeasureInfo] = {}
    funding: Funding | None = None
    investment_lines: Annotated[list[InvestmentLine], Field(max_length=MAX_ROWS)] = []

    def start_index(self) -> int:
        return periods.parse_month(self.start)

    def named_years(self) -> list[str]:
        """Financial years the business case names: investment, projection, savings targets."""
        named = set(self.investment) | {t.year for t in self.savings_targets}
        if isinstance(self.projection, Spend):
            named |= set(self.projection.years())
        return sorted(named)

    def end_index(self) -> int:
        """The last month: `end`, or the end of the last financial year the case names."""
        if self.end is not None:
            return periods.parse_month(self.end)
        first = periods.financial_year_of(self.start_index(), self.financial_year_start_month)
        last = max([first, *(int(y[:4]) for y in self.named_years())])
        return periods.financial_year_months(last, self.financial_year_start_month) + 11

    def years(self) -> list[str]:
        """The programme's financial years, from the one holding `start` to the one holding the end."""
        m = self.financial_year_start_month
        first = periods.financial_year_of(self.start_index(), m)
        last = periods.financial_year_of(self.end_index(), m)
        return [periods.financial_year_label(y) for y in range(first, last + 1)]

    def measure(self, name: str) -> MeasureInfo:
        """How `name` is read (declared under `measures:`, or lower is better)."""
        return self.measures.get(name, MeasureInfo())


# ---------------------------------------------------------------------------------------------
# Actuals
# ---------------------------------------------------------------------------------------------


class SavingAchieved(Base):
    """What one workstream achieved towards a savings target: `value` achieved (to `as_at`),
    `forecast` for the whole year, and the status the council itself reported, as it wrote it."""

    workstream: Text
    year: FinancialYear
    value: Amount | None = None
    forecast: Amount | None = None
    reported_status: Literal[REPORTED_STATUSES] | None = None  # type: ignore[valid-type]
    note: Text | None = None


class ProgrammeActuals(Base):
    """Spend, savings and measures as they turned out."""

    description: Text | None = None
    sources: list[Text] = []
    as_at: Month | None = None
    spend: SpendTable | None = None
    avoided_spend: SignedMoneyByYear = {}
    savings: list[SavingAchieved] = []
    measures: MeasureValues = {}
    budget: Annotated[list[BudgetLine], Field(max_length=MAX_ROWS)] = []
    reported_savings: Annotated[list[SavingReported], Field(max_length=MAX_ROWS)] = []
    forecasts: Annotated[list[MeasureForecast], Field(max_length=MAX_ROWS)] = []


class ProgrammeFile(Base):
    """A programme file: the `programme:` section and, optionally, its `actuals:`."""

    programme: Programme
    actuals: ProgrammeActuals | None = None


class ActualsOnlyFile(Base):
    """A file of programme actuals alone (given with `--actuals`, or named by a programme)."""

    actuals: ProgrammeActuals


@dataclass(frozen=True)
class ProgrammeInput:
    """A validated programme with its actuals and its projection's baseline, ready to report."""

    file: str
    programme: Programme
    actuals: ProgrammeActuals | None = None
    actuals_file: str | None = None  # where the actuals came from (`file` for a section)
    baseline: Baseline | None = None  # the baseline whose forecast is the projection, if any
    baseline_file: str | None = None


# ---------------------------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------------------------


def _read_named(folder: Path | None, name: str, file: str, field: str) -> tuple[str, bytes]:
    """(name for messages, bytes) of the file `name`, written at `field` of the programme file
    `file` whose folder is `folder` (`appraise.model.reading.read_reference`: inside the folder)."""
    if folder is None:
        raise InputError.one(
            file,
            field,
            "an uploaded file cannot name another file: put the section in the file itself, or "
            "run `appraise programme` on the files on disk",
            name,
        )
    return read_reference(name, file, field, folder=folder)


def _validate(model: type[Base], raw: Any, file: str) -> Any:
    if not isinstance(raw, dict):
        raise InputError.one(file, "", "expected a mapping at the top of the file", raw)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise InputError(problems_from(exc, model, file)) from None


def actuals_from_text(text: str | bytes, name: str) -> ProgrammeActuals:
    """A file of programme actuals (one key, `actuals:`), validated on its own."""
    raw = parse_yaml(text, name)
    if isinstance(raw, dict) and set(raw) - {"actuals"}:
        extra = sorted(map(str, set(raw) - {"actuals"}))
        raise InputError.one(
            name,
            extra[0],
            "a programme actuals file holds one key, actuals:, with spend, avoided_spend, "
            "savings and measures under it",
        )
    actuals: ProgrammeActuals = _validate(ActualsOnlyFile, raw, name).actuals
    _check_sources(actuals.sources, name, "actuals.sources")
    return actuals


def _check_sources(sources: list[str], file: str, field: str) -> None:
    if not sources:
        return
    known = load_evidence()
    problems = [
        Problem(file, f"{field}[{j}]", "unknown evidence id", s)
        for j, s in enumerate(sources)
        if s not in known
    ]
    if problems:
        raise InputError(problems)


def _read_baseline(
    projection: ForecastProjection, file: str, folder: Path | None
) -> tuple[Baseline, str]:
    """The baseline a forecast projection names (a baseline file, or a portfolio with one)."""
    field = "programme.projection.forecast"
    path, content = _read_named(folder, projection.forecast, file, field)
    with quoting_nothing(path):
        raw = parse_yaml(content, path)
        kind = detect_kind(raw)
        found = None
        if kind == "baseline":
            found = baseline_from_data(raw, path)
        elif kind == "portfolio":
            found = portfolio_from_data(raw, path).baseline
    if found is None:
        why = (
            "this portfolio has no baseline section to forecast from"
            if kind == "portfolio"
            else "expected a baseline file (one key, baseline:) or a portfolio with a baseline"
        )
        raise InputError.one(file, field, why, projection.forecast)
    names = [s.name for s in found.scenarios]
    if projection.scenario is not None and projection.scenario not in names:
        raise InputError.one(
            file,
            "programme.projection.scenario",
            f"no scenario of {Path(path).name} has this name (scenarios: {', '.join(names)})",
            projection.scenario,
        )
    return found, path


def programme_from_text(
    text: str | bytes,
    name: str,
    folder: Path | None = None,
    actuals: tuple[str | bytes, str] | None = None,
) -> ProgrammeInput:
    """Validate a programme file's text (from disk or an upload).

    `folder` is the file's folder, against which the files it names are read (None for an upload,
    which may name none). `actuals`, (text, name) of a separate actuals file, replaces any actuals
    the programme file holds or names.
    """
    raw = parse_yaml(text, name)
    named_actuals = raw.get("actuals") if isinstance(raw, dict) else None
    if isinstance(named_actuals, str):
        raw = {k: v for k, v in raw.items() if k != "actuals"}
    found: ProgrammeFile = _validate(ProgrammeFile, raw, name)
    programme = found.programme
    _check_sources(programme.sources, name, "programme.sources")
    result, actuals_file = found.actuals, name if found.actuals is not None else None
    if actuals is not None:
        result, actuals_file = actuals_from_text(*actuals), actuals[1]
    elif isinstance(named_actuals, str):
        path, content = _read_named(folder, named_actuals, name, "actuals")
        with quoting_nothing(path):
            result, actuals_file = actuals_from_text(content, path), path
    elif found.actuals is not None:
        _check_sources(found.actuals.sources, name, "actuals.sources")
    baseline = baseline_file = None
    if isinstance(programme.projection, ForecastProjection):
        baseline, baseline_file = _read_baseline(programme.projection, name, folder)
    loaded = ProgrammeInput(name, programme, result, actuals_file, baseline, baseline_file)
    problems = check_programme(loaded)
    if problems:
        raise InputError(problems)
    return loaded


def load_programme(path: str | Path, actuals: str | Path | None = None) -> ProgrammeInput:
    """Read and validate a programme file (and a separate actuals file, if given)."""
    path = Path(path)
    extra = None
    if actuals is not None:
        extra = (read_bytes(actuals), str(actuals))
    return programme_from_text(read_bytes(path), str(path), path.parent, extra)


def load_programme_actuals(path: str | Path) -> ProgrammeActuals:
    """Read and validate a file of programme actuals on its own (for `appraise validate`)."""
    return actuals_from_text(read_bytes(path), str(path))


# ---------------------------------------------------------------------------------------------
# Checks across the file: every year and date inside the programme, every name known
# ---------------------------------------------------------------------------------------------


def _hint(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f"; known: {', '.join(known)}" if known else ""


def check_programme(loaded: ProgrammeInput) -> list[Problem]:
    """Problems across the file: dates outside the programme, years it lacks, unknown names."""
    p = loaded.programme
    file = loaded.file
    problems: list[Problem] = []
    start = p.start_index()
    span = f"{p.start} to {periods.month_label(p.end_index())}"
    if p.end is not None and p.end_index() < start:
        return [
            Problem(
                file, "programme.end", f"the programme ends before it starts ({p.start})", p.end
            )
        ]
    years = p.years()
    if len(years) > MAX_PROGRAMME_YEARS:
        too_long = (
            f"a programme runs at most {MAX_PROGRAMME_YEARS} financial years ({len(years)} from "
            f"{span})"
        )
        if p.end is None:
            return [Problem(file, "programme", too_long)]
        return [Problem(file, "programme.end", too_long, p.end)]
    runs = f"the programme runs {years[0]} to {years[-1]}"

    def year_outside(where: str, year: str) -> None:
        if year not in years:
            problems.append(Problem(file, where, f"not a year of the programme ({runs})", year))

    for year in p.investment:
        year_outside(f"programme.investment.{year}", year)
    if isinstance(p.projection, Spend):
        for line, amounts in p.projection.lines.items():
            prefix = "programme.projection." + ("" if not p.projection.by_line else f"{line}.")
            for year in amounts:
                year_outside(prefix + year, year)
    seen: dict[tuple[str, str], int] = {}
    for i, t in enumerate(p.savings_targets):
        year_outside(f"programme.savings_targets[{i}].year", t.year)
        key = (t.workstream, t.year)
        if key in seen:
            problems.append(
                Problem(
                    file,
                    f"programme.savings_targets[{i}]",
                    f"{t.workstream} already has a target for {t.year} "
                    f"(savings_targets[{seen[key]}])",
                )
            )
        seen.setdefault(key, i)
    targets_seen: dict[tuple[str, str], int] = {}
    for i, t in enumerate(p.targets):
        month = periods.parse_month(t.at)
        if not start <= month <= p.end_index():
            problems.append(
                Problem(
                    file,
                    f"programme.targets[{i}].at",
                    f"a target date outside the programme ({span})",
                    t.at,
                )
            )
        key = (t.measure, t.at)
        if key in targets_seen:
            problems.append(
                Problem(
                    file,
                    f"programme.targets[{i}]",
                    f"{t.measure} already has a target at {t.at} (targets[{targets_seen[key]}])",
                )
            )
        targets_seen.setdefault(key, i)
    for name in p.measures:
        try:
            check_slug(name, "a measure's name")
        except ValueError as exc:
            problems.append(Problem(file, f"programme.measures.{name}", str(exc)))
    if loaded.actuals is not None:
        problems += _check_actuals(loaded, years)
    a = loaded.actuals
    as_at = periods.parse_month(a.as_at) if a is not None and a.as_at is not None else None
    problems += check_monitoring(
        p, a, years, as_at, file, (loaded.actuals_file or file) if a is not None else file
    )
    return problems


def _check_actuals(loaded: ProgrammeInput, years: list[str]) -> list[Problem]:
    p, a = loaded.programme, loaded.actuals
    assert a is not None
    file = loaded.actuals_file or loaded.file
    problems: list[Problem] = []
    runs = f"the programme runs {years[0]} to {years[-1]}"

    def lacks(where: str, year: str) -> bool:
        if year in years:
            return False
        problems.append(
            Problem(file, where, f"the programme has no financial year {year} ({runs})", year)
        )
        return True

    spend_years: set[str] = set()
    if a.spend is not None:
        projected_lines = (
            list(p.projection.lines)
            if isinstance(p.projection, Spend) and p.projection.by_line
            else []
        )
        for line, amounts in a.spend.lines.items():
            prefix = "actuals.spend." + (f"{line}." if a.spend.by_line else "")
            if a.spend.by_line and projected_lines and line not in projected_lines:
                problems.append(
                    Problem(
                        file,
                        f"actuals.spend.{line}",
                        "not a budget line of the projection" + _hint(line, projected_lines),
                        line,
                    )
                )
            for year in amounts:
                if not lacks(prefix + year, year):
                    spend_years.add(year)
    for year in a.avoided_spend:
        if lacks(f"actuals.avoided_spend.{year}", year):
            continue
        if year in spend_years:
            problems.append(
                Problem(
                    file,
                    f"actuals.avoided_spend.{year}",
                    "spend is also given for this year: give spend (appraise takes it from the "
                    "projection) or the spend avoided as a report states it, not both",
                    year,
                )
            )
    targets = {(t.workstream, t.year) for t in p.savings_targets}
    workstreams = sorted({t.workstream for t in p.savings_targets})
    seen: dict[tuple[str, str], int] = {}
    for i, s in enumerate(a.savings):
        where = f"actuals.savings[{i}]"
        if s.workstream not in workstreams:
            problems.append(
                Problem(
                    file,
                    f"{where}.workstream",
                    "no savings target names this workstream" + _hint(s.workstream, workstreams),
                    s.workstream,
                )
            )
            continue
        if lacks(f"{where}.year", s.year):
            continue
        if (s.workstream, s.year) not in targets:
            problems.append(
                Problem(
                    file,
                    f"{where}.year",
                    f"{s.workstream} has no savings target for this year",
                    s.year,
                )
            )
            continue
        if (s.workstream, s.year) in seen:
            problems.append(
                Problem(
                    file,
                    where,
                    f"{s.workstream} {s.year} is already reported (savings[{seen[s.workstream, s.year]}])",
                )
            )
        seen.setdefault((s.workstream, s.year), i)
        if s.value is None and s.forecast is None and s.reported_status is None:
            problems.append(
                Problem(file, where, "give value (achieved), forecast or reported_status")
            )
    measures = sorted({t.measure for t in p.targets} | set(p.measures))
    first, last = p.start_index() - 1, p.end_index()
    for name, series in a.measures.items():
        if name not in measures:
            problems.append(
                Problem(
                    file,
                    f"actuals.measures.{name}",
                    "no target names this measure and programme.measures does not declare it"
                    + _hint(name, measures),
                    name,
                )
            )
            continue
        for month in series:
            if not first <= periods.parse_month(month) <= last:
                problems.append(
                    Problem(
                        file,
                        f"actuals.measures.{name}.{month}",
                        f"outside the programme: a measure's values run from the month before it "
                        f"starts ({periods.month_label(first)}) to its end "
                        f"({periods.month_label(last)})",
                        month,
                    )
                )
    return problems
