"""A price index (index values or annual changes) and the audit record of one uprating."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from appraise.errors import InputError
from appraise.model.prices.years import PriceYear, parse_price_year, read_price_year

STATUSES = ("outturn", "final", "provisional", "forecast")
LEVEL, ANNUAL_CHANGE = "level", "annual_change"
Form = Literal["level", "annual_change"]


@dataclass(frozen=True)
class IndexPoint:
    """One published value: an index value (level) or an annual percentage change."""

    year: PriceYear
    value: float
    status: str = "outturn"

    @property
    def is_forecast(self) -> bool:
        return self.status == "forecast"

    @property
    def is_provisional(self) -> bool:
        return self.status == "provisional"

    def to_data(self) -> dict[str, Any]:
        return {"year": self.year.label, "value": self.value, "status": self.status}


@dataclass(frozen=True)
class Uprating:
    """One figure brought from the prices of one year to another, with everything to audit it."""

    original: float
    from_year: PriceYear
    to_year: PriceYear
    index: str
    index_label: str
    release: str
    form: Form
    factor: float
    result: float
    values_used: tuple[IndexPoint, ...]

    @property
    def uses_forecast(self) -> bool:
        """Whether any index value the factor rests on is a forecast."""
        return any(p.is_forecast for p in self.values_used)

    @property
    def uses_provisional(self) -> bool:
        return any(p.is_provisional for p in self.values_used)

    @property
    def notes(self) -> list[str]:
        """How the years were read, and any forecast or provisional value used."""
        out = list(dict.fromkeys(n for n in (self.from_year.note, self.to_year.note) if n))
        forecast = [p.year.label for p in self.values_used if p.is_forecast]
        provisional = [p.year.label for p in self.values_used if p.is_provisional]
        if forecast:
            out.append(f"uses forecast index values for {', '.join(forecast)}")
        if provisional:
            out.append(f"uses provisional index values for {', '.join(provisional)}")
        return out

    def describe(self) -> str:
        """One line: '£2,285.00 in 2009-10 prices x 1.477013 (GDP deflator ...: 100 / 67.7042)
        = £3,374.98 in 2024-25 prices'."""
        if self.form == LEVEL and len(self.values_used) == 2:
            a, b = self.values_used
            how = f"{_number(b.value)} / {_number(a.value)}"
        elif self.values_used:
            how = "product of annual changes " + ", ".join(
                f"{p.year.label} {p.value:+g}%" for p in self.values_used
            )
        else:
            how = "same year"
        text = (
            f"£{self.original:,.2f} in {self.from_year} prices x {self.factor:.6f} "
            f"({self.index_label}: {how}) = £{self.result:,.2f} in {self.to_year} prices"
        )
        return text + "".join(f"; {n}" for n in self.notes)

    def to_data(self) -> dict[str, Any]:
        """The audit record as JSON-ready data."""
        return {
            "original": self.original,
            "price_year": self.from_year.label,
            "price_year_written": self.from_year.written or self.from_year.label,
            "to_price_year": self.to_year.label,
            "index": self.index,
            "index_label": self.index_label,
            "release": self.release,
            "form": self.form,
            "factor": self.factor,
            "result": self.result,
            "uses_forecast": self.uses_forecast,
            "uses_provisional": self.uses_provisional,
            "index_values": [p.to_data() for p in self.values_used],
            "notes": self.notes,
        }


def _number(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e6 else f"{x:,.0f}"


@dataclass(frozen=True)
class Index:
    """A price index: one value a financial year, every year from the first to the last.

    `form` is `level` (index values, `points` hold them) or `annual_change` (percentage changes:
    the point for 2017-18 is the change from 2016-17, so the index covers one year before the
    first point). `source` says where the series was read from.
    """

    name: str
    title: str
    form: Form
    points: tuple[IndexPoint, ...]
    publisher: str = ""
    release: str = ""
    description: str = ""
    release_detail: str = ""
    base: str = ""
    licence: str = ""
    evidence: str | None = None
    source: str = ""
    forecast_note: str = ""

    @property
    def label(self) -> str:
        """'GDP deflator (HM Treasury, March 2026)'."""
        by = ", ".join(t for t in (self.publisher, self.release) if t)
        return f"{self.title} ({by})" if by else self.title

    @property
    def first_year(self) -> PriceYear:
        first = self.points[0].year
        return first.shifted(-1) if self.form == ANNUAL_CHANGE else first

    @property
    def last_year(self) -> PriceYear:
        return self.points[-1].year

    @property
    def coverage(self) -> str:
        """'2000-01 to 2030-31'."""
        return f"{self.first_year} to {self.last_year}"

    @property
    def years(self) -> list[PriceYear]:
        """Every year the index covers, in order."""
        return [
            self.first_year.shifted(k)
            for k in range(self.last_year.start - self.first_year.start + 1)
        ]

    def covers(self, year: Any) -> bool:
        """Whether the index has a value for `year` (a PriceYear, or as written in a file)."""
        y = read_price_year(year)
        return self.first_year <= y <= self.last_year

    def _point(self, year: PriceYear) -> IndexPoint:
        return self.points[year.start - self.points[0].year.start]

    def _year(self, year: Any, file: str, path: str) -> PriceYear:
        y = parse_price_year(year, file, path)
        if not self.first_year <= y <= self.last_year:
            raise InputError.one(
                file,
                path,
                f"price year {y} is outside the {self.label}, which covers {self.coverage}; "
                "an index is never extrapolated: use a price year it covers, or give a series "
                "that covers this one",
                y.written or y.label,
            )
        return y

    def value(self, year: Any, file: str = "", path: str = "price_year") -> float:
        """The index value for `year`. For a series of annual changes, the index chained from
        its first year = 100 (only ratios of values mean anything)."""
        y = self._year(year, file, path)
        if self.form == LEVEL:
            return self._point(y).value
        level = 100.0
        for point in self.points[: y.start - self.first_year.start]:
            level *= 1 + point.value / 100
        return level

    def status(self, year: Any) -> str:
        """The status of the value for `year` (`outturn`, `final`, `provisional`, `forecast`).
        The first year of a series of changes is its reference year: `outturn`."""
        y = self._year(year, "", "price_year")
        if self.form == ANNUAL_CHANGE and y == self.first_year:
            return "outturn"
        return self._point(y).status

    def levels(self) -> list[IndexPoint]:
        """Every covered year with its index value and status (for a sheet of the series)."""
        return [IndexPoint(y, self.value(y), self.status(y)) for y in self.years]

    def values_used(
        self, from_year: Any, to_year: Any, file: str = "", path: str = ""
    ) -> tuple[IndexPoint, ...]:
        """The published values the factor from `from_year` to `to_year` rests on."""
        a, b = self._year(from_year, file, path), self._year(to_year, file, path)
        if a == b:
            return ()
        if self.form == LEVEL:
            return (self._point(a), self._point(b))
        low, high = min(a, b), max(a, b)
        return tuple(self._point(low.shifted(k + 1)) for k in range(high.start - low.start))

    def factor(
        self, from_year: Any, to_year: Any, file: str = "", path: str = "price_year"
    ) -> float:
        """What a figure in `from_year` prices is multiplied by to be in `to_year` prices.

        index(to) / index(from) for index values; for annual changes, the product of
        (1 + change / 100) over the years after `from_year` up to `to_year` (its inverse going
        back). The same year gives 1 without consulting the index. A year outside the index is
        an InputError naming `file`, `path` (the block), the year and the years covered.
        """
        a, b = parse_price_year(from_year, file, path), parse_price_year(to_year, file, path)
        if a == b:
            return 1.0
        used = self.values_used(a, b, file, path)
        if self.form == LEVEL:
            return used[1].value / used[0].value
        product = 1.0
        for point in used:
            product *= 1 + point.value / 100
        return product if a < b else 1 / product

    def uprate(
        self, amount: float, from_year: Any, to_year: Any, file: str = "", path: str = "price_year"
    ) -> Uprating:
        """`amount` in `from_year` prices brought to `to_year` prices, with its audit record.

        For index values the result is computed as amount x index(to) / index(from), the way the
        workbook writes it.
        """
        a, b = parse_price_year(from_year, file, path), parse_price_year(to_year, file, path)
        used = () if a == b else self.values_used(a, b, file, path)
        factor = self.factor(a, b, file, path)
        if self.form == LEVEL and used:
            result = amount * used[1].value / used[0].value
        else:
            result = amount * factor
        return Uprating(
            original=float(amount),
            from_year=a,
            to_year=b,
            index=self.name,
            index_label=self.label,
            release=self.release,
            form=self.form,
            factor=factor,
            result=result,
            values_used=used,
        )

    def to_data(self) -> dict[str, Any]:
        """What the index is and where it came from, with its published values (JSON-ready)."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "publisher": self.publisher,
            "release": self.release,
            "release_detail": self.release_detail,
            "form": self.form,
            "base": self.base,
            "covers": self.coverage,
            "licence": self.licence,
            "evidence": self.evidence,
            "source": self.source,
            "forecast_note": self.forecast_note,
            "values": [p.to_data() for p in self.points],
        }
