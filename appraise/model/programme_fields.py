"""The field types of a programme file (appraise.model.programme, appraise.model.monitoring):
months, financial years, periods, amounts with their provenance, and mappings of them.

A month is `2014-03` (or `Mar 2014`), a financial year `2012-13` or `2012/13` (stored as
`2012-13`); money is pounds, at least 0 unless signed; a figure may carry its provenance
(`{value: 600000, cited: {source: ..., at: ..., quote: ...}}`, docs/provenance.md), and a figure
written `null` or left out is "not given", never zero.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import PlainValidator
from pydantic_core import PydanticCustomError

from appraise.model import periods
from appraise.model.base import check_slug
from appraise.model.baseline import at
from appraise.model.provenance import attach, is_figure_form, parse_figure, provenance_of

MAX_AMOUNT = 1e15  # pounds or counts: larger is a typing slip, and sums of it stay finite
MAX_PROGRAMME_YEARS = 50
BETTER = ("lower", "higher")
REPORTED_STATUSES = ("achieved", "on track", "at risk", "missed")
FORECAST_COSTS = ("total_cost", "cashable_cost")
_FORECAST_KEYS = ("forecast", "scenario", "cost")

# ---------------------------------------------------------------------------------------------
# Field types: months, financial years, amounts and the mappings of them
# ---------------------------------------------------------------------------------------------


def _text(v: Any) -> str:
    if isinstance(v, int) and not isinstance(v, bool):
        v = str(v)
    if not isinstance(v, str):
        raise PydanticCustomError("appraise_number", "expected text such as 2012-13 or 2014-03")
    return v.strip()


def _month(v: Any) -> str:
    """A month, stored as '2014-03'."""
    try:
        return periods.month_label(periods.parse_month(_text(v)))
    except ValueError as exc:
        raise PydanticCustomError("appraise_number", str(exc)) from None


def _financial_year(v: Any) -> str:
    """A financial year, '2012-13' or '2012/13', stored as '2012-13'."""
    try:
        return periods.financial_year_label(periods.parse_financial_year(_text(v)))
    except ValueError as exc:
        raise PydanticCustomError("appraise_number", str(exc)) from None


def _number(v: Any, signed: bool = False, subkey: str | None = None) -> float:
    """A finite number within +-MAX_AMOUNT, at least 0 unless `signed`; written with its
    provenance (`{value: ..., cited: ...}`), it carries it."""
    if is_figure_form(v):
        try:
            return parse_figure(v, lambda x: _number(x, signed))
        except PydanticCustomError as exc:
            if subkey is None:
                raise
            ctx = dict(exc.context or {})
            inner = ctx.pop("subkey", "")
            raise at(f"{subkey}.{inner}".rstrip("."), exc.message(), *ctx.values()) from None
    problem = None
    if isinstance(v, bool) or not isinstance(v, int | float):
        problem = "expected a number"
    elif not math.isfinite(v) or abs(v) > MAX_AMOUNT:
        problem = f"must be a finite number no larger than {MAX_AMOUNT:,.0f}"
    elif v < 0 and not signed:
        problem = "must be at least 0"
    if problem is None:
        return attach(float(v), provenance_of(v))
    if subkey is None:
        raise PydanticCustomError("appraise_number", problem)
    raise at(subkey, problem, v)


def _start_month(v: Any) -> int:
    try:
        return periods.check_start_month(v)
    except ValueError as exc:
        raise PydanticCustomError("appraise_number", str(exc)) from None


Month = Annotated[str, PlainValidator(_month)]
FinancialYear = Annotated[str, PlainValidator(_financial_year)]
Amount = Annotated[float, PlainValidator(_number)]
StartMonth = Annotated[int, PlainValidator(_start_month)]

YearAmounts = dict[str, float | None]  # financial year ('2012-13') -> pounds (None: not given)


def _year_amounts(raw: Any, signed: bool = False, prefix: str = "") -> YearAmounts:
    """{2012-13: 60000000, 2013/14: null} -> {'2012-13': 60000000.0, '2013-14': None}."""
    if not isinstance(raw, dict):
        if prefix:
            raise at(prefix.rstrip("."), "expected a mapping of financial years to pounds", raw)
        raise PydanticCustomError("dict_type", "expected a mapping of financial years to pounds")
    out: YearAmounts = {}
    for key, value in raw.items():
        where = f"{prefix}{key}"
        try:
            year = _financial_year(key)
        except PydanticCustomError as exc:
            raise at(where, exc.message(), key) from None
        if year in out:
            raise at(where, f"the financial year {year} is given twice", key)
        out[year] = None if value is None else _number(value, signed, where)
    return out


def _money_by_year(v: Any) -> YearAmounts:
    return _year_amounts(v)


def _signed_money_by_year(v: Any) -> YearAmounts:
    return _year_amounts(v, signed=True)


def _month_values(raw: Any) -> dict[str, dict[str, float]]:
    """{children_in_care: {2014-03: 571}} -> measure -> month -> value, months in order."""
    if not isinstance(raw, dict):
        raise PydanticCustomError("dict_type", "expected a mapping of measures to {month: value}")
    out: dict[str, dict[str, float]] = {}
    for measure, values in raw.items():
        name = _measure_name(measure, str(measure))
        if not isinstance(values, dict):
            raise at(name, "expected a mapping of months to values, {2014-03: 571}", values)
        series: dict[str, float] = {}
        for key, value in values.items():
            where = f"{name}.{key}"
            try:
                month = _month(key)
            except PydanticCustomError as exc:
                raise at(where, exc.message(), key) from None
            if month in series:
                raise at(where, f"the month {month} is given twice", key)
            series[month] = _number(value, subkey=where)
        out[name] = dict(sorted(series.items()))
    return out


def _measure_name(v: Any, where: str | None = None) -> str:
    try:
        return check_slug(v if isinstance(v, str) else repr(v), "a measure's name")
    except ValueError as exc:
        if where is None:
            raise PydanticCustomError("appraise_number", str(exc)) from None
        raise at(where, str(exc), v) from None


MoneyByYear = Annotated[YearAmounts, PlainValidator(_money_by_year)]
SignedMoneyByYear = Annotated[YearAmounts, PlainValidator(_signed_money_by_year)]
MeasureValues = Annotated[dict[str, dict[str, float]], PlainValidator(_month_values)]
MeasureName = Annotated[str, PlainValidator(_measure_name)]
