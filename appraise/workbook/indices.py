"""The `Indices` sheet: the price indices the portfolio's money is uprated by, year by year.

One row a financial year, one column a series: the table the uprating lines of
`appraise.engine.lines` read (`INDEX(table, MATCH(year), MATCH(series))`). A series published as
annual percentage changes is shown as its levels chained from 100 in its first year (only ratios
matter), beside the changes as published. Each value keeps its status (outturn, provisional,
forecast). The series come from the portfolio's `price_index` or appraise's shipped data; an
edit here cannot be written back to a portfolio file, so the sheet is locked.
"""

from __future__ import annotations

import math

from appraise.model.prices import ANNUAL_CHANGE, Index, PriceYear
from appraise.workbook.book import INDICES, Book, Grid
from appraise.workbook.writer import Sheet

FIRST_ROW = 8  # the header row of the table


def indices_sheet(book: Book) -> Sheet | None:
    """The indices as a table of years and series, with each series' provenance below it."""
    prices = book.model.prices
    if prices is None:
        return None
    s = len(prices.series)
    status_col = 2 + s + 1  # after a blank column: each series as published, and its status
    sheet = book.sheet(
        INDICES,
        pages_wide=1,
        freeze=f"B{FIRST_ROW + 1}",
        print_rows=f"{FIRST_ROW}:{FIRST_ROW}",
        widths={
            1: 16,
            **{2 + k: 18 for k in range(s)},
            **{status_col + k: 16 for k in range(2 * s)},
        },
    )
    sheet.put(1, 1, "Indices: the price indices every money figure is uprated by", "title")
    sheet.put(
        2,
        1,
        f"Every money figure is brought from its own price year to the price base, "
        f"{prices.base}: value x index(price base) / index(its year), the Green Book's real "
        "prices of one base year. A figure already in base-year prices is not uprated.",
        "note",
    )
    sheet.put(
        3,
        1,
        "A series of annual % changes is shown as its levels chained from 100 in its first "
        "year (the change for 2017-18 is the change from 2016-17). Blank: the series does not "
        "cover the year (an index is never extrapolated). Locked: choose another index with "
        "price_index in the portfolio file.",
        "note",
    )
    header = FIRST_ROW
    sheet.put(header, 1, "Financial year", "header")
    for k, name in enumerate(prices.series):
        index = prices.indices[name]
        sheet.put(header, 2 + k, name, "header")
        sheet.put(header - 1, 2 + k, index.title, "bold_wrap")
        sheet.put(header, status_col + 2 * k, f"{name}: as published", "header")
        sheet.put(header, status_col + 2 * k + 1, f"{name}: status", "header")
    table = book.model.base.values["price_indices"]
    for q, year in enumerate(prices.years):
        r = header + 1 + q
        sheet.put(r, 1, year.label, "user")
        for k, name in enumerate(prices.series):
            index = prices.indices[name]
            value = float(table[q, k])
            if not math.isnan(value):
                sheet.put(r, 2 + k, value, "fixed:n4")
            if not index.covers(year):
                continue
            published = _published(index, year)
            if published is not None:
                sheet.put(r, status_col + 2 * k, published, "fixed:n4")
            sheet.put(r, status_col + 2 * k + 1, index.status(year), "text")
    last = header + len(prices.years)
    book.place("price_indices", "", Grid(sheet.title, header + 1, last, 2, 1 + s, 1, header))
    r = last + 2
    sheet.put(r, 1, "Where each series comes from", "section")
    fields = ("Series", "Title", "Form", "Covers", "Release", "Licence", "Source", "Evidence")
    sheet.row(r + 1, [(h, "header") for h in fields])
    for k, name in enumerate(prices.series):
        index = prices.indices[name]
        form = "annual % changes" if index.form == ANNUAL_CHANGE else "index values"
        if index.base:
            form += f" ({index.base})"
        sheet.row(
            r + 2 + k,
            [
                (name, "user"),
                (index.label, "user_wrap"),
                (form, "user_wrap"),
                (index.coverage, "text"),
                (index.release_detail or index.release, "user_wrap"),
                (index.licence, "user_wrap"),
                (index.source, "user_wrap"),
                (index.evidence or "", "user"),
            ],
        )
    return sheet


def _published(index: Index, year: PriceYear) -> float | None:
    """The value as published for `year`: an index value, or the annual % change."""
    if index.form != ANNUAL_CHANGE:
        return index.value(year)
    if year == index.first_year:
        return None  # the reference year of a series of changes has no change of its own
    return next(p.value for p in index.points if p.year == year)
