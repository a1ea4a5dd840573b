"""The discount rate: one rate for every year, or a schedule that falls with time (the Green Book's).

`discount_rate` in a portfolio file is a number (or a range: a flat rate, drawn once per draw),
`green_book`, or a schedule `{0: 0.035, 31: 0.03}`: the rate from each year of the schedule on.

Years of a schedule count as the Green Book's do, from year 0, the present, which is undiscounted:
appraise's year 1. So the Green Book's year g is appraise's year g + 1, and the rate of the band
holding year g discounts year g against year g - 1: over 40 years, the last ten factors are
1 / (1.035^30 x 1.03^k). HM Treasury, *The Green Book* (2022), the declining long-term discount
rate: 3.5% for years 0-30, 3.0% for 31-75, 2.5% for 76-125; horizons here stop at
`MAX_HORIZON_YEARS` (60), so only the first two bands can ever apply. A schedule is plain numbers:
a range belongs on a flat rate.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic_core import PydanticCustomError, core_schema

from appraise.model import limits
from appraise.model.numbers import Dist, Input, Num, _num_error, central, figure_data, parse_num

if TYPE_CHECKING:  # numpy is imported where it is used: validating a file needs none (start-up)
    import numpy as np

GREEN_BOOK = "green_book"
# HM Treasury, The Green Book (2022): the declining long-term discount rate (evidence/green-book-2022).
GREEN_BOOK_BANDS: tuple[tuple[int, float], ...] = ((0, 0.035), (31, 0.030), (76, 0.025))
# A schedule names the years its rates start from; more bands than this is no appraisal's.
MAX_BANDS = 20
MAX_BAND_YEAR = 1000
YEAR_TEXT = re.compile(r"^[0-9]{1,4}$")


@dataclass(frozen=True)
class Schedule:
    """A discount rate that changes with time: (first year, rate) bands, from year 0, in order.

    `name` is "green_book" for the shipped schedule, "" for one written out in the file.
    """

    bands: tuple[tuple[int, float], ...]
    name: str = ""

    def to_data(self) -> Any:
        """The file form: `green_book`, or {first year: rate}."""
        return self.name or {year: rate for year, rate in self.bands}

    @property
    def first_rate(self) -> float:
        return self.bands[0][1]


DiscountRate = Num | Schedule


def parse_discount_rate(value: Any) -> DiscountRate:
    """A flat rate (a number or a range), `green_book`, or a schedule {first year: rate}."""
    if isinstance(value, Schedule):
        return value
    if isinstance(value, str):
        if value.strip() == GREEN_BOOK:
            return Schedule(GREEN_BOOK_BANDS, GREEN_BOOK)
        raise _num_error(
            f"expected a rate, {GREEN_BOOK!r} or a schedule {{0: 0.035, 31: 0.03}} (got {value!r})"
        )
    if isinstance(value, Mapping) and any(_year_key(k) is not None for k in value):
        return _schedule(value)
    return parse_num(value, limits.DISCOUNT_RATE)


def _year_key(key: Any) -> int | None:
    """A schedule's key as a whole year (YAML gives 31 or, once saved as JSON, "31")."""
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return key
    if isinstance(key, str) and YEAR_TEXT.match(key.strip()):
        return int(key.strip())
    return None


def _schedule(value: Mapping[Any, Any]) -> Schedule:
    if len(value) > MAX_BANDS:
        raise _num_error(f"a discount schedule has at most {MAX_BANDS} bands (got {len(value)})")
    bands: dict[int, float] = {}
    for key, rate in value.items():
        year = _year_key(key)
        if year is None:
            raise _num_error("a schedule's keys are years (whole numbers from 0)", str(key), key)
        if not 0 <= year <= MAX_BAND_YEAR:
            raise _num_error(f"a year must be from 0 to {MAX_BAND_YEAR}", str(key), year)
        if year in bands:
            raise _num_error(f"year {year} is given twice", str(key), year)
        try:
            parsed = parse_num(rate, limits.DISCOUNT_RATE)
        except PydanticCustomError as exc:
            raise _num_error(exc.message(), str(key), rate) from None
        if isinstance(parsed, Dist):
            raise _num_error(
                "a schedule's rates are plain numbers (a range belongs on a flat rate)",
                str(key),
                rate,
            )
        bands[year] = parsed
    if 0 not in bands:
        raise _num_error(f"a discount schedule starts at year 0 (its first year is {min(bands)})")
    return Schedule(tuple(sorted(bands.items())))


def first_rate(rate: DiscountRate) -> Num:
    """The rate from year 0: the flat rate itself (a range stays a range), or a schedule's first."""
    return rate.first_rate if isinstance(rate, Schedule) else rate


def year_rates(rate: DiscountRate, horizon: int) -> np.ndarray:
    """The rate that discounts each year 1..horizon against the year before, at central values
    (year 1's discounts nothing: it holds the first rate)."""
    import numpy as np

    if not isinstance(rate, Schedule):
        return np.full(horizon, float(central(rate)))
    starts = np.array([year for year, _ in rate.bands])
    rates = np.array([r for _, r in rate.bands])
    return rates[np.searchsorted(starts, np.arange(horizon), side="right") - 1]


def bands_within(rate: DiscountRate, horizon: int) -> list[tuple[int, float]]:
    """The (first year, rate) bands that discount some year of the horizon (the Green Book's
    years 0 to horizon - 1); a flat rate is one band."""
    if not isinstance(rate, Schedule):
        return [(0, float(central(rate)))]
    return [(year, r) for year, r in rate.bands if year <= horizon - 1]


def _dump(value: DiscountRate) -> Any:
    if isinstance(value, Schedule):
        return value.to_data()
    return figure_data(value)  # a flat rate keeps its provenance, as any other input


@dataclass(frozen=True)
class DiscountInput(Input):
    """The `Input` marker of `discount_rate`: a flat rate as any other input, or a schedule."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        return core_schema.no_info_plain_validator_function(
            parse_discount_rate,
            serialization=core_schema.plain_serializer_function_ser_schema(_dump),
        )


def rate_data(rate: DiscountRate) -> Any:
    """The discount rate as results give it (JSON): a flat rate's central value, or the
    schedule as the file writes it (`green_book`, or {"first year": rate})."""
    if isinstance(rate, Schedule):
        data = rate.to_data()
        return data if isinstance(data, str) else {str(k): v for k, v in data.items()}
    return central(rate)
