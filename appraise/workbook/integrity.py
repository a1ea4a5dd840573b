"""The `Integrity` sheet: checks that stay meaningful after the workbook is edited.

The Checks sheet compares the workbook with the appraisal as exported, so any edit of an input
turns it FALSE. These checks hold whatever a user changes on Inputs, as long as the workbook is
sound: every input is within the range it may take; totals equal the sum of their parts; the
Summary's present values equal the Cash flows' year-by-year flows discounted (a second route to
the same figure). Each group has its own master check, and so does the sheet.
"""

from __future__ import annotations

import math
from typing import Any

from openpyxl.utils import get_column_letter

from appraise.engine.figures import FIGURES as REGISTRY
from appraise.engine.results import PORTFOLIO_KEYS
from appraise.workbook.book import Book, Column, Grid, Row, Table
from appraise.workbook.checks import pass_fail_colours
from appraise.workbook.inputs import InputRow, Section, input_rows
from appraise.workbook.summary import FIGURES
from appraise.workbook.writer import Formula, Sheet, quote_title

INTEGRITY = "Integrity"
HEADERS = ("Check", "Figure", "Compared with", "Lowest, or tolerance", "Highest", "Holds")
FIRST_ROW = 8
MONEY_TOLERANCE = 0.01  # two routes to the same money figure agree to the penny
NO_LIMIT = "no limit"


def _input_check(book: Book, row: InputRow, at: str, r: int) -> tuple[Any, Any, str] | None:
    """(lowest, highest, the OK formula) for an input's value cell `at`; None for a fixed one."""
    value = f"B{r}"
    if row.kind == "fixed":
        return None
    if row.unit == "switch":
        return 0, 1, f"OR({value}=0,{value}=1)"
    if row.unit == "year":  # a price year: one of the Indices sheet's years
        grid = book.where("price_indices", "")
        assert isinstance(grid, Grid)
        col = get_column_letter(grid.key_col)
        years = f"{quote_title(grid.sheet)}${col}${grid.first}:${col}${grid.last}"
        return "a year of Indices", "", f"ISNUMBER(MATCH({value},{years},0))"
    if row.choices:
        table = book.where("optimism_bias_table", "")
        assert isinstance(table, Table)
        keys = (
            f"{quote_title(table.sheet)}${get_column_letter(table.key_col)}${table.first}:"
            f"${get_column_letter(table.key_col)}${table.last}"
        )
        return "a rating", "", f'ISNUMBER(MATCH("{table.prefix}"&{value},{keys},0))'
    if row.to_file is not None and row.param is None:  # a count of cohorts
        return 0, NO_LIMIT, f"AND({value}>=D{r},{value}=INT({value}))"
    domain = row.param.domain if row.param is not None else None
    if domain is None:
        return None
    low = domain.lo if math.isfinite(domain.lo) else NO_LIMIT
    high = domain.hi if math.isfinite(domain.hi) else NO_LIMIT
    above = f"{value}{'>' if domain.lo_open else '>='}D{r}"
    below = f"{value}{'<' if domain.hi_open else '<='}E{r}"
    return low, high, f"AND(OR(ISTEXT(D{r}),{above}),OR(ISTEXT(E{r}),{below}))"


def integrity_sheet(book: Book) -> Sheet:
    """Inputs within their ranges, totals equal to their parts, Summary against Cash flows."""
    sheet = book.sheet(
        INTEGRITY,
        freeze=f"A{FIRST_ROW}",
        print_rows=f"{FIRST_ROW - 1}:{FIRST_ROW - 1}",
        widths={1: 70, 2: 16, 3: 16, 4: 16, 5: 16, 6: 10},
    )
    sheet.put(1, 1, "Integrity: checks that hold whatever you change on Inputs", "title")
    sheet.put(
        2,
        1,
        "Change an input and these stay TRUE as long as the workbook is sound: every input within "
        "the range it may take, totals equal to their parts, and the Summary's present values "
        "equal to the Cash flows' years discounted. (The Checks sheet instead compares the "
        "workbook with the appraisal as exported.)",
        "note",
    )
    sheet.row(FIRST_ROW - 1, [(h, "header") for h in HEADERS])
    groups: list[tuple[str, int, int]] = []
    r = FIRST_ROW - 1

    def group(title: str) -> int:
        nonlocal r
        r += 2
        sheet.put(r, 1, title, "section")
        return r + 1

    def check(label: str, value: Any, compared: Any, low: Any, high: Any, ok: str) -> None:
        nonlocal r
        r += 1
        sheet.row(
            r,
            [
                (label, "user"),
                (value, "calc"),
                (compared, "calc") if compared != "" else None,
                (low, "fixed"),
                (high, "fixed") if high != "" else None,
                (Formula(ok, True), "calc"),
            ],
        )

    # 1. Inputs within their ranges
    first = group("Every input within the range it may take")
    for row in input_rows(book.model):
        if isinstance(row, Section):
            continue
        place = book.input_cells[row.key]
        found = _input_check(book, row, place, r + 1)
        if found is None:
            continue
        low, high, ok = found
        check(f"{row.label} ({row.key})", Formula(place, row.value), "", low, high, ok)
    groups.append(("every input within its range", first, r))

    # 2. Totals equal their parts
    first = group("Totals equal the sum of their parts")
    n = book.n
    for key in FIGURES:
        if key not in PORTFOLIO_KEYS or not REGISTRY[key].sums:
            continue
        total = book.anchors[f"summary.{key}.total"]
        column = total.rsplit("$", 2)[1]
        parts = f"{quote_title('Summary')}${column}$2:${column}${n + 1}"
        value = book.value_of(key, "total")
        check(
            f"Summary: portfolio {REGISTRY[key].label.lower()} = the interventions' sum",
            Formula(total, value),
            Formula(f"SUM({parts})", value),
            MONEY_TOLERANCE,
            "",
            f"ABS(B{r + 1}-C{r + 1})<=D{r + 1}",
        )
    for key in book.portfolio.outcomes:
        place = book.where("component_cost", f"o:{key}")
        assert isinstance(place, Column)
        column = get_column_letter(place.col)
        parts = f"{quote_title(place.sheet)}${column}${place.first}:${column}${place.last}"
        value = book.value_of("outcome_all", f"o:{key}")
        check(
            f"Outcomes: {key}'s cost to all payers = its components' sum",
            book.ref_formula("outcome_all", f"o:{key}"),
            Formula(f"SUM({parts})", value),
            MONEY_TOLERANCE,
            "",
            f"ABS(B{r + 1}-C{r + 1})<=D{r + 1}",
        )
    groups.append(("totals equal their parts", first, r))

    # 3. The Summary's present values against the Cash flows' years, discounted
    first = group("The Summary's present values = the Cash flows' years, discounted")
    factors = book.where("discount_factor", "")
    assert isinstance(factors, Row)
    owners = [(f"i{i}", item.id, str(i)) for i, item in enumerate(book.model.interventions)]
    for owner, name, index in [*owners, ("total", "portfolio", "total")]:
        for key, flow in (("pv_cost", "year_cost"), ("npv", "year_net_savings")):
            years = book.where(flow, owner)
            assert isinstance(years, Row)
            count = book.horizon
            span = _span(years, count)
            discount = _span(factors, count)
            value = book.value_of(key, owner)
            check(
                f"{name}: {REGISTRY[key].label.lower()} (Summary) = {flow.replace('_', ' ')} "
                "by year x discount factor, summed (Cash flows)",
                Formula(book.anchors[f"summary.{key}.{index}"], value),
                Formula(f"SUMPRODUCT({span},{discount})", value),
                MONEY_TOLERANCE,
                "",
                f"ABS(B{r + 1}-C{r + 1})<=D{r + 1}",
            )
    groups.append(("the Summary agrees with the Cash flows", first, r))

    # Masters: one a group, and the sheet's
    masters = []
    for k, (what, low, high) in enumerate(groups):
        sheet.put(3 + k, 1, f"Master check: {what}", "bold")
        sheet.put(3 + k, 6, Formula(f"AND(F{low}:F{high})", True), "output")
        masters.append(f"F{3 + k}")
        sheet.decorate.append(pass_fail_colours(f"F{3 + k}"))
    book.anchor("integrity.master", sheet, 2, 6)
    sheet.put(2, 6, Formula(f"AND({','.join(masters)})", True), "output")
    sheet.decorate.append(pass_fail_colours("F2"))
    sheet.decorate.append(pass_fail_colours(f"F{FIRST_ROW}:F{r}"))
    return sheet


def _span(place: Row, count: int) -> str:
    last = get_column_letter(place.first + count - 1)
    first = get_column_letter(place.first)
    return f"{quote_title(place.sheet)}${first}${place.row}:${last}${place.row}"
