"""The `Checks` sheet: each Summary (and Forecast, Claims check) figure against the engine's own
value, with a master check."""

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
CHECK_FIRST_ROW = 5
NOT_FINITE = "none: not a finite number"
GOOD, BAD = "C6EFCE", "FFC7CE"


def _engine(value: Any) -> Any:
    """The engine's JSON value, or text where JSON has null (an infinite ratio, no payback)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return NOT_FINITE
    return value


def _shown_by_workbook(value: Any) -> Any:
    """What the workbook's cell shows for an engine value: text where JSON has null."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "never"
    return value


def check_rows(book: Book) -> list[Check]:
    """Every Summary figure against the engine's, then the figures other sheets added."""
    rows = []

    def add(anchor: str, owner: str, key: str, value: Any) -> None:
        figure = REGISTRY[key]
        rows.append(
            Check(
                book.at(anchor), owner, key, value, figure.tolerance, figure_format(book, key, None)
            )
        )

    records = book.results["interventions"]
    for i, item in enumerate(book.model.interventions):
        for key in FIGURES:
            add(f"summary.{key}.{i}", item.id, key, records[i][key])
    totals = book.results["portfolio"]
    for key in FIGURES:
        if key in PORTFOLIO_KEYS:
            add(f"summary.{key}.total", "total", key, totals[key])
    return rows + book.checks


def checks_sheet(book: Book) -> Sheet:
    """For each Summary figure: the engine's value, the workbook's, their difference; a master check."""
    sheet = book.sheet(
        CHECKS,
        freeze=cell(CHECK_FIRST_ROW, 1),
        print_rows=f"{CHECK_FIRST_ROW - 1}:{CHECK_FIRST_ROW - 1}",
    )
    sheet.put(1, 1, "Checks: the workbook's formulas against the engine's own figures", "title")
    rows = check_rows(book)
    last = CHECK_FIRST_ROW + len(rows) - 1
    flags = "".join(f",{cell_ref}" for _, cell_ref in book.flags)
    also = "".join(f"; and {what}" for what, _ in book.flags)
    sheet.put(2, 1, f"Master check (TRUE when every figure is within tolerance{also})", "bold")
    sheet.put(2, 4, Formula(f"AND(H{CHECK_FIRST_ROW}:H{last}{flags})", True), "output")
    book.anchor("checks.master", sheet, 2, 4)
    sheet.put(
        3,
        1,
        "Engine values were typed in at export (appraise "
        f"{__version__}). Tolerance: £1 for money; 0.001 for counts; 0.000001 for "
        "rates and ratios; half a year for payback years. Change an input and the differences show "
        "how far the workbook has moved from the exported appraisal.",
        "note",
    )
    sheet.row(CHECK_FIRST_ROW - 1, [(h, "header") for h in CHECK_HEADERS])
    summary = quote_title(SUMMARY)
    for r, check in enumerate(rows, CHECK_FIRST_ROW):
        target, owner, key, fmt = check.ref, check.owner, check.figure, check.fmt
        engine = _engine(check.engine)
        note = ""
        if isinstance(engine, str):
            note = (
                "Not compared in £: the engine's figure is not a finite number (a zero "
                "denominator, or no payback); passes when the workbook shows text too"
            )
        sheet.row(
            r,
            [
                (target.removeprefix(summary).replace("$", ""), "text"),
                (owner, "user"),
                (key, "text"),
                (engine, f"engine:{fmt}"),
                (Formula(target, _shown_by_workbook(check.engine)), f"calc:{fmt}"),
                (
                    Formula(
                        f"IF(AND(ISNUMBER(D{r}),ISNUMBER(E{r})),E{r}-D{r},"
                        f'IF(AND(ISTEXT(D{r}),ISTEXT(E{r})),0,"mismatch"))',
                        0,
                    ),
                    f"calc:{fmt}",
                ),
                (check.tolerance, f"engine:{fmt if fmt.startswith('money') else ''}"),
                (Formula(f"IF(ISNUMBER(F{r}),ABS(F{r})<G{r},FALSE)", True), "calc"),
                (note, "note"),
            ],
        )
    sheet.decorate.append(pass_fail_colours(f"H{CHECK_FIRST_ROW}:H{last}"))
    sheet.decorate.append(pass_fail_colours("D2"))
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
