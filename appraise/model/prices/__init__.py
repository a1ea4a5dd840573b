"""Price years and price indices: bringing a money figure from the prices of one year to another.

A *price year* is a financial year, written `2009-10` (or `2009/10`). A bare `2017` is read as
`2017-18`, and the `PriceYear` remembers that it was, so the output can say so.

An *index* is a published series, one value per financial year, with no gaps. Uprating a figure
from the prices of year Y to those of the price base B multiplies it by

    factor = index(B) / index(Y)

For a series published as annual percentage changes (the NHS cost inflation index), the factor is
the product of (1 + change / 100) over the years after Y up to B: the change given for 2017-18 is
the change from 2016-17 to 2017-18, so a series of changes from 2015-16 covers 2014-15 onwards.
A year outside the series is an `InputError` naming the block, the year and the years the index
covers: an index is never extrapolated. Every value an uprating uses carries its status
(`outturn`, `final`, `provisional` or `forecast`), so a figure that rests on a forecast says so.

Public API (the schema, the engine and the workbook call these):

- `parse_price_year(value, file=, path=) -> PriceYear` (InputError) and `read_price_year(value)`
  (ValueError, for pydantic validators).
- `load_index(spec, folder, file=, path=) -> Index`: `spec` is a shipped index's name
  (`shipped_index_names()`: `gdp_deflator`, `nhs_cost_inflation`, ...), a CSV file in `folder`
  (the portfolio's folder), or a mapping: `{2009-10: 67.7, 2010-11: 68.9}` (index values), or
  `{values: {...} | annual_change: {...} | csv: FILE, series:, name:, release:, forecast_from:}`.
- `Index.factor(from_year, to_year, file=, path=)`, `Index.value(year)`, `Index.levels()`,
  `Index.uprate(amount, from_year, to_year, file=, path=) -> Uprating` (the audit record:
  original value and year, index and release, factor, index values used and their status, result).

The shipped series live in `appraise/data/` (see its README.md for where each came from) and are
described in `appraise/data/sources.yaml`. Nothing here prints or touches the engine.

Modules: `years` (PriceYear), `index` (Index, IndexPoint, Uprating), `read` (loading series).
"""

from appraise.model.prices.index import (
    ANNUAL_CHANGE,
    LEVEL,
    STATUSES,
    Form,
    Index,
    IndexPoint,
    Uprating,
)
from appraise.model.prices.read import (
    DATA,
    Row,
    build_index,
    data_sources,
    index_spec,
    load_index,
    parse_index_csv,
    read_text,
    shipped_index,
    shipped_index_names,
)
from appraise.model.prices.years import (
    FIRST_YEAR,
    LAST_YEAR,
    PriceYear,
    parse_price_year,
    read_price_year,
)

__all__ = [
    "ANNUAL_CHANGE",
    "DATA",
    "FIRST_YEAR",
    "LAST_YEAR",
    "LEVEL",
    "STATUSES",
    "Form",
    "Index",
    "IndexPoint",
    "PriceYear",
    "Row",
    "Uprating",
    "build_index",
    "data_sources",
    "index_spec",
    "load_index",
    "parse_index_csv",
    "parse_price_year",
    "read_price_year",
    "read_text",
    "shipped_index",
    "shipped_index_names",
]
