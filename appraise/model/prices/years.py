"""Price years: financial years written 2009-10 (or 2009/10); a bare 2017 is read as 2017-18."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator

from appraise.errors import InputError

FIRST_YEAR = 1900  # 1900-01
LAST_YEAR = 2099  # 2099-00

_FINANCIAL_YEAR = re.compile(r"^(\d{4})\s*[-/\u2013]\s*(\d{2})$")
_BARE_YEAR = re.compile(r"^\d{4}$")
_HOW = "write a financial year as 2009-10 (or 2009/10); a bare 2017 is read as 2017-18"


@dataclass(frozen=True, order=True)
class PriceYear:
    """A financial year (April to March), e.g. `PriceYear(2009)` is 2009-10.

    `written` is what the user wrote; `from_bare_year` is True when it was a bare year (`2017`,
    read as 2017-18). Neither takes part in comparisons: 2017 and 2017-18 are the same year.
    """

    start: int
    written: str = field(default="", compare=False)
    from_bare_year: bool = field(default=False, compare=False)

    @property
    def label(self) -> str:
        """'2009-10'."""
        return f"{self.start}-{(self.start + 1) % 100:02d}"

    @property
    def note(self) -> str | None:
        """What the output should say about how the year was read, if anything."""
        if self.from_bare_year:
            return f"{self.written or self.start} read as the financial year {self.label}"
        return None

    def shifted(self, years: int) -> PriceYear:
        """The financial year `years` later (earlier if negative)."""
        return PriceYear(self.start + years)

    def __str__(self) -> str:
        return self.label


def read_price_year(value: Any) -> PriceYear:
    """A financial year from `2009-10`, `2009/10`, `2017` (read as 2017-18) or a PriceYear.

    Raises ValueError with a message fit for a user (for pydantic validators); see
    `parse_price_year` for the InputError form.
    """
    if isinstance(value, PriceYear):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"expected a financial year: {_HOW}")
    written = str(value).strip()
    if isinstance(value, int) or _BARE_YEAR.match(written):
        start, bare = int(written), True
    else:
        match = _FINANCIAL_YEAR.match(written)
        if not match:
            raise ValueError(f"not a financial year: {_HOW}")
        start, bare = int(match.group(1)), False
        if int(match.group(2)) != (start + 1) % 100:
            raise ValueError(
                f"not a financial year: the year after {start} ends in "
                f"{(start + 1) % 100:02d}; {_HOW}"
            )
    if not FIRST_YEAR <= start <= LAST_YEAR:
        raise ValueError(
            f"a price year must be between {PriceYear(FIRST_YEAR)} and {PriceYear(LAST_YEAR)}"
        )
    return PriceYear(start, written, bare)


def parse_price_year(value: Any, file: str = "", path: str = "price_year") -> PriceYear:
    """`read_price_year`, with a problem reported as an InputError naming file, field and value."""
    try:
        return read_price_year(value)
    except ValueError as exc:
        raise InputError.one(file, path, str(exc), value) from None


def _price_year(value: Any) -> PriceYear:
    if isinstance(value, PriceYear):
        return value
    return read_price_year(value)


# A financial year (`2009-10`, `2009/10`; a bare 2017 is read as 2017-18), written back as given.
PriceYearField = Annotated[
    PriceYear,
    PlainValidator(_price_year),
    PlainSerializer(lambda y: y.written if y.written else y.label),
]
