"""The `Checks` sheet: the workbook's master check, and each Summary (and Options, Forecast,
Claims check) figure against the engine's own value.

The master check is the Integrity sheet's: checks that recompute, so it holds after any sound edit
and fails on a broken workbook, with a cell saying what failed and where. Below it, "unchanged
since export" compares every figure with the engine's value typed in at export: it tells an
auditor that nothing was changed, and turns FALSE after any edit of an input."""

from __future__ import annotations

import math
from typing import Any

from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from appraise.engine.figures import FIGURES as REGISTRY
from appraise.engine.results import PORTFOLIO_KEYS
from appraise.version import __version__
from appraise.workbook.book import CHECKS, SUMMARY, Book, Check
from appraise.workbook.summary import FIGURES, figure_format
from appraise.workbook.writer import Formula, Sheet, cell, quote_title

CHECK_HEADERS = (
    "Cell",
    "Intervention, scenario or claim",
    "Figure",
    "Engine value",
    "Workbook value",
    "Difference",
    "Tolerance",
    "Within tolerance",
    "Note",
)
CHECK_FIRST_ROW = 8
NOT_FINITE = "none: not a finite number"
GOOD, BAD = "C6EFCE", "FFC7CE"


def _engine(value: Any) -> Any:
    """The engine's value as the workbook shows it (a number, or its text), or NOT_FINITE where
    the engine has none (JSON's null: an infinite ratio, no payback)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return NOT_FINITE
    return value


def check_rows(book: Book) -> list[Check]:
    """Every Summary figure against the engine's, then the figures other sheets added."""
    rows = []
    # Each figure's tolerance and format: the same for every intervention.
    kept = [(key, REGISTRY[key].tolerance, figure_format(book, key, None)) for key in FIGURES]
    for i, item in enumerate(book.model.interventions):
        owner, at = f"i{i}", f".{i}"
        for key, tolerance, fmt in kept:
            anchor = book.at(f"summary.{key}{at}")
            rows.append(Check(anchor, item.id, key, book.value_of(key, owner), tolerance, fmt))
    for key, tolerance, fmt in kept:
        if key in PORTFOLIO_KEYS and f"summary.{key}.total" in book.anchors:
            anchor = book.at(f"summary.{key}.total")
            rows.append(Check(anchor, "total", key, book.value_of(key, "total"), tolerance, fmt))
    return rows + book.checks


def checks_sheet(book: Book) -> Sheet:
    """For each Summary figure: the engine's value, the workbook's, their difference; a master check."""
    return checks_of(book, check_rows(book))


def checks_of(book: Book, rows: list[Check]) -> Sheet:
    """The Checks sheet for `rows` (a programme's workbook has no Summary: its sheet's own rows)."""
    sheet = book.sheet(
        CHECKS,
        freeze=cell(CHECK_FIRST_ROW, 1),
        print_rows=f"{CHECK_FIRST_ROW - 1}:{CHECK_FIRST_ROW - 1}",
        # Printed: the master check and what failed; the rows of figures are for the screen.
        print_area=f"A1:I{CHECK_FIRST_ROW - 2}",
        pages_wide=1,
    )
    sheet.put(
        1, 1, "Checks: the workbook's master check, and its figures against the engine's", "title"
    )
    last = CHECK_FIRST_ROW + len(rows) - 1
    flags = "".join(f",{cell_ref}" for _, cell_ref in book.flags)
    also = "".join(f"; and {what}" for what, _ in book.flags)
    sheet.put(
        2,
        1,
        "Master check: the workbook is sound (every check on the Integrity sheet holds: inputs "
        "in range, every formula its line's, totals and present values adding up; it stays TRUE "
        "after any sound edit)",
        "bold_wrap",
    )
    sheet.put(2, 4, Formula(book.anchors["integrity.master"], True), "output")
    book.anchor("checks.master", sheet, 2, 4)
    sheet.put(3, 1, "What failed, and where", "bold")
    sheet.put(3, 4, Formula(book.anchors["integrity.failed"], "nothing"), "calc")
    sheet.put(
        4,
        1,
        "Unchanged since export: every figure below within tolerance of the engine's own value "
        f"typed in at export{also} (turns FALSE after any edit of an input)",
        "bold_wrap",
    )
    sheet.put(4, 4, Formula(f"AND(H{CHECK_FIRST_ROW}:H{last}{flags})", True), "output")
    book.anchor("checks.unchanged", sheet, 4, 4)
    sheet.put(
        5,
        1,
        "Engine values were typed in at export (appraise "
        f"{__version__}). Tolerance: £1 for money; 0.001 for counts; 0.000001 for "
        "rates and ratios; half a year for payback years; text must match exactly. Change an input "
        "and the differences show how far the workbook has moved from the exported appraisal.",
        "note",
    )
    sheet.row(CHECK_FIRST_ROW - 1, [(h, "header") for h in CHECK_HEADERS])
    summary = quote_title(SUMMARY)
    styles: dict[str, tuple[str, str, str]] = {}  # by format: a few, for thousands of rows
    for r, check in enumerate(rows, CHECK_FIRST_ROW):
        target, fmt = check.ref, check.fmt
        engine = _engine(check.engine)
        missing = engine == NOT_FINITE
        note = ""
        if missing:
            note = (
                "Not compared in £: the engine's figure is not a finite number (a zero "
                "denominator, or no payback); passes when the workbook shows text too"
            )
        style = styles.get(fmt)
        if style is None:
            tolerance = f"engine:{fmt if fmt.startswith('money') else ''}"
            style = styles[fmt] = (f"engine:{fmt}", f"calc:{fmt}", tolerance)
        at = str(r)  # the row's number, written eleven times below
        # Cell by cell, in the row's order: `put`s, and formulas by `put_formula`, which holds
        # one without making a `Formula`, are a third quicker than a `Sheet.row` (issue 27).
        sheet.put(r, 1, target.removeprefix(summary).replace("$", ""), "text")
        sheet.put(r, 2, check.owner, "user")
        sheet.put(r, 3, check.figure, "text")
        sheet.put(r, 4, engine, style[0])
        sheet.put_formula(r, 5, target, None if missing else engine, style[1])
        sheet.put_formula(
            r,
            6,
            f"IF(AND(ISNUMBER(D{at}),ISNUMBER(E{at})),E{at}-D{at},"
            f'IF(AND(ISTEXT(D{at}),ISTEXT(E{at})),IF(OR(D{at}="{NOT_FINITE}",'
            f'EXACT(D{at},E{at})),0,"mismatch"),"mismatch"))',
            0,
            style[1],
        )
        sheet.put(r, 7, check.tolerance, style[2])
        sheet.put_formula(r, 8, f"IF(ISNUMBER(F{at}),ABS(F{at})<=G{at},FALSE)", True, "calc")
        sheet.put(r, 9, note, "note")
    sheet.decorate.append(pass_fail_colours(f"H{CHECK_FIRST_ROW}:H{last}"))
    sheet.decorate.append(pass_fail_colours("D2"))
    sheet.decorate.append(pass_fail_colours("D4"))
    return sheet


def pass_fail_colours(span: str) -> Any:
    def add(ws: Worksheet) -> None:
        for value, colour in (("TRUE", GOOD), ("FALSE", BAD)):
            ws.conditional_formatting.add(
                span,
                CellIsRule(
                    operator="equal",
                    formula=[value],
                    fill=PatternFill("solid", bgColor=colour),
                    font=Font(bold=True),
                ),
            )

    return add
