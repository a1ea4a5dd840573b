"""The `Integrity` sheet: checks that hold on any correctly edited workbook and fail on a broken one.

The Checks sheet compares the workbook with the appraisal as exported, so any edit of an input
moves it. These checks recompute instead of compare, so they hold whatever a user changes on
Inputs, as long as the workbook is sound:

1. every input a number (or a listed name) within the range it may take, never blank or text
   such as "2,500" (the input registry's domains; Inputs, Forecast and Programme sheets);
2. every formula of the model sheets still a formula, equal to its line's formula worked out once
   more (the hidden Formula check sheet): net = gross - cost, Summary = Calculations, each year
   of Cash flows = its line, per-case figures = figure / reach, and every other line;
3. totals equal to the sum of their parts, by a second route (the Summary's column, an outcome's
   components);
4. the Summary's present values equal to the Cash flows' years discounted, by a second route
   (NPV = sum of discounted net savings);
5. any further check a sheet adds (a programme's figure typed without its switch).

Each group has a master check and names the first check that fails; the sheet's master check is
their conjunction, and it is the workbook's master check (Checks, About). A cell saying in words
what failed, and where, sits beside it.
"""

from __future__ import annotations

import math
from typing import Any

from openpyxl.utils import get_column_letter

from appraise.engine.figures import FIGURES as REGISTRY
from appraise.engine.results import PORTFOLIO_KEYS
from appraise.workbook.book import SUMMARY, Book, Column, Row
from appraise.workbook.checks import pass_fail_colours
from appraise.workbook.summary import FIGURES
from appraise.workbook.writer import Formula, Sheet, quote_title

INTEGRITY = "Integrity"
HEADERS = ("Check", "Figure", "Compared with", "Lowest, or tolerance", "Highest", "Holds", "Where")
MASTER_ROW = 3
MONEY_TOLERANCE = 0.01  # two routes to the same money figure agree to the penny
# What each group's failure means, in the words the master check's note uses.
INPUTS_GROUP = "an input blank, not a number or outside the range it may take"
FORMULAS_GROUP = "a formula overwritten, cleared or changed"
TOTALS_GROUP = "a total that is no longer the sum of its parts"
PV_GROUP = "a present value that no longer equals the Cash flows' years discounted"
HOLDS, WHERE = "F", "G"
NO_LIMIT = "no limit"


def integrity_sheet(book: Book) -> Sheet:
    """Inputs within their ranges, every formula recomputed, totals equal to their parts, the
    Summary against Cash flows; a master check per group, and the sheet's."""
    groups = _groups(book)
    header = MASTER_ROW + len(groups) + 2
    sheet = book.sheet(
        INTEGRITY,
        freeze=f"A{header + 1}",
        print_rows=f"{header}:{header}",
        widths={1: 70, 2: 16, 3: 16, 4: 16, 5: 16, 6: 10, 7: 50},
        pages_wide=1,
    )
    sheet.put(1, 1, "Integrity: checks that hold whatever you change on Inputs", "title")
    sheet.put(
        2,
        1,
        "These recompute rather than compare, so they stay TRUE after any sound edit and turn "
        "FALSE when the workbook breaks: an input blank or out of range, a formula overwritten "
        "or changed, a total or present value that no longer adds up. (The Checks sheet's lower "
        "half compares the workbook with the appraisal as exported instead.)",
        "note",
    )
    sheet.row(header, [(h, "header") for h in HEADERS])
    r = header
    spans: list[tuple[str, int, int]] = []
    for title, rows in groups:
        r += 2
        sheet.put(r, 1, title, "section")
        first = r + 1
        for label, value, compared, bounds, where, holds in rows:
            r += 1
            low, high = bounds if isinstance(bounds, tuple) else (bounds, "")
            holds = holds.replace(LOW, f"D{r}").replace(HIGH, f"E{r}")
            # Cell by cell, in the row's order (quicker than a `Sheet.row` of a few cells), the
            # formula held without a `Formula` made (`put_formula`; issue 27).
            if label is not None:
                sheet.put(r, 1, label, "user")
            if value is not None:
                sheet.put(r, 2, value, "calc")
            if compared is not None:
                sheet.put(r, 3, compared, "calc")
            if low != "" and low is not None:
                sheet.put(r, 4, low, "fixed")
            if high != "" and high is not None:
                sheet.put(r, 5, high, "fixed")
            sheet.put_formula(r, 6, f"IFERROR({holds},FALSE)", True, "calc")
            if where is not None:
                sheet.put(r, 7, where, "user" if isinstance(where, str) else "calc")
        spans.append((title, first, r))
    masters, failed = [], []
    for k, (title, first, last) in enumerate(spans):
        row = MASTER_ROW + 1 + k
        sheet.put(row, 1, f"Master check: {title.lower()}", "bold")
        holds = f"{HOLDS}{first}:{HOLDS}{last}"
        sheet.put(row, 6, Formula(f"AND({holds})", True), "output")
        sheet.put(
            row,
            7,
            Formula(f'IFERROR(INDEX({WHERE}{first}:{WHERE}{last},MATCH(FALSE,{holds},0)),"")', ""),
            "calc",
        )
        masters.append(f"F{row}")
        words = WORDS.get(title, title.lower())
        failed.append(f'IF(F{row},"","; {words}: "&G{row})')
        sheet.decorate.append(pass_fail_colours(f"F{row}"))
    sheet.put(MASTER_ROW, 1, "Master check: every check below holds", "bold")
    sheet.put(MASTER_ROW, 6, Formula(f"AND({','.join(masters)})", True), "output")
    # Each failing group adds "; its words: where"; the first "; " is dropped.
    joined = "&".join(failed)
    sheet.put(
        MASTER_ROW,
        7,
        Formula(f'IF(F{MASTER_ROW},"nothing",MID({joined},LEN("; ")+1,LEN({joined})))', "nothing"),
        "calc",
    )
    book.anchor("integrity.master", sheet, MASTER_ROW, 6)
    book.anchor("integrity.failed", sheet, MASTER_ROW, 7)
    sheet.decorate.append(pass_fail_colours(f"F{MASTER_ROW}"))
    sheet.decorate.append(pass_fail_colours(f"F{header + 1}:F{r}"))
    return sheet


# label, figure, compared with, (lowest, highest) or a tolerance, where, the TRUE/FALSE formula
Check = tuple[str, Any, Any, Any, Any, str]
LOW, HIGH = "\x00low", "\x00high"  # stand for the cells of the row's bounds in a formula
GROUP_INPUTS = "Every input within the range it may take"
GROUP_FORMULAS = "Every formula still its line's formula"
GROUP_TOTALS = "Totals equal the sum of their parts"
GROUP_PV = "The Summary's present values = the Cash flows' years, discounted"
WORDS = {
    GROUP_INPUTS: INPUTS_GROUP,
    GROUP_FORMULAS: FORMULAS_GROUP,
    GROUP_TOTALS: TOTALS_GROUP,
    GROUP_PV: PV_GROUP,
}


def _groups(book: Book) -> list[tuple[str, list[Check]]]:
    """The groups of checks that apply to this workbook, each a list of rows."""
    groups = [(GROUP_INPUTS, _inputs(book)), (GROUP_FORMULAS, _formulas(book))]
    if book.portfolio is not None:
        totals = _totals(book)
        if totals:
            groups.append((GROUP_TOTALS, totals))
        groups.append((GROUP_PV, _present_values(book)))
    extra: dict[str, list[Check]] = {}
    for title, where, holds in book.sound:
        extra.setdefault(title, []).append((where, None, None, "", where, holds))
    groups += list(extra.items())
    return [(title, rows) for title, rows in groups if rows]


def _inputs(book: Book) -> list[Check]:
    rows: list[Check] = []
    for item in book.inputs:
        at = item.ref  # worked out afresh each time asked for
        where = f"{at.replace('$', '')} {item.label}"
        allowed = item.allowed
        numeric = allowed.kind in ("number", "whole")
        low = (allowed.lo if math.isfinite(allowed.lo) else NO_LIMIT) if numeric else allowed.text
        high = (allowed.hi if math.isfinite(allowed.hi) else NO_LIMIT) if numeric else ""
        rows.append(
            (
                where,
                Formula(at, item.value),
                None,
                (low, high),
                where,
                allowed.holds(at, LOW, HIGH),
            )
        )
    return rows


def _formulas(book: Book) -> list[Check]:
    rows: list[Check] = []
    for covered in book.formula_checks:
        span = covered.span  # TRUE, or the cell and what it is
        # INDEX(..., 0) makes the comparison an array without Ctrl+Shift+Enter in Excel.
        where = Formula(f'IFERROR(INDEX({span},MATCH(FALSE,INDEX({span}=TRUE,0),0)),"")', "")
        rows.append(
            (
                covered.said,
                Formula(f"ROWS({span})-COUNTIF({span},TRUE)", 0),
                None,
                "",
                where,
                f"COUNTIF({span},TRUE)=ROWS({span})",
            )
        )
    return rows


def _totals(book: Book) -> list[Check]:
    rows: list[Check] = []
    n = book.n
    for key in FIGURES:
        if key not in PORTFOLIO_KEYS or not REGISTRY[key].sums:
            continue
        total = book.anchors.get(f"summary.{key}.total")
        if total is None:
            continue  # options: no portfolio total
        column = total.rsplit("$", 2)[1]
        parts = f"{quote_title(SUMMARY)}${column}$2:${column}${n + 1}"
        value = book.value_of(key, "total")
        label = f"Summary: portfolio {REGISTRY[key].label.lower()} = the interventions' sum"
        rows.append(_agree(label, Formula(total, value), Formula(f"SUM({parts})", value)))
    for key in book.portfolio.outcomes:
        place = book.where("component_cost", f"o:{key}")
        assert isinstance(place, Column)
        column = get_column_letter(place.col)
        parts = f"{quote_title(place.sheet)}${column}${place.first}:${column}${place.last}"
        value = book.value_of("outcome_all", f"o:{key}")
        rows.append(
            _agree(
                f"Outcomes: {key}'s cost to all payers = its components' sum",
                book.ref_formula("outcome_all", f"o:{key}"),
                Formula(f"SUM({parts})", value),
            )
        )
    return rows


def _present_values(book: Book) -> list[Check]:
    rows: list[Check] = []
    factors = book.where("discount_factor", "")
    assert isinstance(factors, Row)
    owners = [(f"i{i}", item.id, str(i)) for i, item in enumerate(book.model.interventions)]
    if "summary.npv.total" in book.anchors:
        owners.append(("total", "portfolio", "total"))
    for owner, name, index in owners:
        for key, flow in (("pv_cost", "year_cost"), ("npv", "year_net_savings")):
            years = book.where(flow, owner)
            assert isinstance(years, Row)
            span = _span(years, book.horizon)
            discount = _span(factors, book.horizon)
            value = book.value_of(key, owner)
            rows.append(
                _agree(
                    f"{name}: {REGISTRY[key].label.lower()} (Summary) = "
                    f"{flow.replace('_', ' ')} by year x discount factor, summed (Cash flows)",
                    Formula(book.anchors[f"summary.{key}.{index}"], value),
                    Formula(f"SUMPRODUCT({span},{discount})", value),
                )
            )
    return rows


def _agree(label: str, value: Formula, compared: Formula) -> Check:
    """Two routes to the same money figure agree to the penny (on the row the check sits on)."""
    holds = f"ABS(({value})-({compared}))<={LOW}"
    return (label, value, compared, MONEY_TOLERANCE, label, holds)


def _span(place: Row, count: int) -> str:
    last = get_column_letter(place.first + count - 1)
    first = get_column_letter(place.first)
    return f"{quote_title(place.sheet)}${first}${place.row}:${last}${place.row}"
