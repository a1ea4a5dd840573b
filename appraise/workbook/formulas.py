"""The hidden `Formula check` sheet: every formula of the model sheets worked out once more.

Each formula cell of the sheets built before it (Outcomes, Calculations, Summary, Cash flows,
Options, Forecast, Programme, Claims check, ...) gets a row: its address, what it is, and its own
formula written again, with every reference qualified by its sheet, beside a check that the cell
still holds a formula and that its value equals the formula's worked out again. The formula
written again is the line's definition rendered a second time (`appraise.engine.lines` via
`Book.write`), so the check holds after any edit of an input and fails when a constant is pasted
over a formula, when a formula is re-pointed (`=E65-D26` where the line reads `=E65-E26`), or when
one is cleared. It needs no macros: ISFORMULA and plain arithmetic.

The Integrity sheet adds these rows up, a sheet at a time, into its master check, and names the
first cell that fails. `appraise check-xlsx` makes the strong version of the same check without a
spreadsheet program: it lays the workbook out again from its portfolio file and compares every
formula's text (`appraise.workbook.audit`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openpyxl.formula import Tokenizer

from appraise.workbook.book import CHECKS, Book
from appraise.workbook.writer import Formula, Sheet, cell, quote_title

FORMULA_CHECK = "Formula check"
FIRST_ROW = 3
HEADERS = ("Cell", "What it is", "Holds its formula", "Its formula worked out again")


@dataclass(frozen=True)
class Covered:
    """The rows of the Formula check sheet that check one sheet's formulas."""

    title: str
    first: int
    last: int

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    def span(self, col: str) -> str:
        return f"{quote_title(FORMULA_CHECK)}${col}${self.first}:${col}${self.last}"


def qualify(formula: str, title: str) -> str:
    """`formula` (text without '=') with every reference that names no sheet given `title`'s,
    so that it works out the same on another sheet."""
    prefix = quote_title(title)
    out = []
    for token in Tokenizer("=" + formula).items:
        value = token.value
        if token.type == "OPERAND" and token.subtype == "RANGE" and "!" not in value:
            value = prefix + value
        out.append(value)
    return "".join(out)


def _texts(sheet: Sheet) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """Each row's label, the section it is in, and each column's header, to say what a cell is."""
    labels: dict[int, str] = {}
    sections: dict[int, str] = {}
    headers: dict[int, str] = {}
    header_rows: set[int] = set()
    if sheet.print_rows:
        top, _, bottom = sheet.print_rows.partition(":")
        header_rows = set(range(int(top), int(bottom or top) + 1))
    for (r, c), (value, style) in sorted(sheet.cells.items()):
        if isinstance(value, Formula) or value in (None, ""):
            continue
        if r in header_rows and style != "title" and c not in headers:
            headers[c] = str(value)
        elif style == "section" and c == 1:
            sections[r] = str(value)
        elif c <= 3 and r not in labels and isinstance(value, str) and style != "note":
            labels[r] = value
    section, within = "", {}
    for r in range(1, sheet.max_row + 1):
        section = sections.get(r, section)
        within[r] = section
    return labels, within, headers


def what(sheet: Sheet, texts: Any, r: int, c: int) -> str:
    """What the formula at (r, c) is, from its row's label, its section and its column's header."""
    labels, sections, headers = texts
    parts = [sections.get(r, "").split(" (")[0], labels.get(r, ""), headers.get(c, "")]
    return " / ".join(p for p in parts if p and p != "Line")


def formula_check_sheet(book: Book) -> Sheet | None:
    """A row for every formula of the sheets built so far (but Checks): the cell still holds a
    formula, and its value is its formula worked out again."""
    sheet = book.sheet(FORMULA_CHECK, hidden=True, widths={1: 24, 2: 70, 3: 12, 4: 18})
    sheet.put(
        1,
        1,
        "Every formula of the model sheets, worked out once more: a cell holds when it is still a "
        "formula and its value equals its formula's (the Integrity sheet adds these up).",
        "note",
    )
    sheet.row(FIRST_ROW - 1, [(h, "header") for h in HEADERS])
    r = FIRST_ROW
    for built in book.built:
        if built.title == CHECKS:
            continue
        formulas = sorted(
            (rc, value) for rc, (value, _) in built.cells.items() if isinstance(value, Formula)
        )
        if not formulas:
            continue
        texts = _texts(built)
        first = r
        for (row, col), formula in formulas:
            at = quote_title(built.title) + cell(row, col)
            again = qualify(str(formula), built.title)
            sheet.put(r, 1, at.replace("'", ""), "text")
            sheet.put(r, 2, what(built, texts, row, col), "user")
            holds = (
                f"IFERROR(AND(_xlfn.ISFORMULA({at}),IF(ISNUMBER({at}),{at}=D{r},"
                f'EXACT({at}&"",D{r}&""))),FALSE)'
            )
            sheet.put(r, 3, Formula(holds, True), "calc")
            sheet.put(r, 4, Formula(again, formula.value), "calc")
            r += 1
        book.formula_checks.append(Covered(built.title, first, r - 1))
    if r == FIRST_ROW:
        return None
    return sheet
