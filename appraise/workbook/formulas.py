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

import re
from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter

from appraise.workbook.book import CHECKS, Book
from appraise.workbook.writer import EXCEL_ROWS, Formula, Sheet, cell, quote_title

FORMULA_CHECK = "Formula check"
FIRST_ROW = 3
HEADER = "TRUE: the cell holds its formula; else the cell and what it is"
MAX_WHAT = 120  # characters of a cell's description (a formula's text may be at most 255)


@dataclass(frozen=True)
class Covered:
    """The rows of the Formula check sheet that check one sheet's formulas (or, for a sheet
    with more formulas than one column of the Formula check holds, some of them)."""

    title: str
    first: int
    last: int
    col: int = 1  # a column after the first: the checks went past Excel's last row

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    @property
    def span(self) -> str:
        letter = get_column_letter(self.col)
        return f"{quote_title(FORMULA_CHECK)}${letter}${self.first}:${letter}${self.last}"

    @property
    def said(self) -> str:
        """Which formulas these are, for the Integrity sheet."""
        if self.col == 1:
            return f"{self.title}: each of its {self.count} formulas (Formula check sheet)"
        return (
            f"{self.title}: {self.count} of its formulas (Formula check sheet, column "
            f"{get_column_letter(self.col)})"
        )


# A cell or range reference that names no sheet: not part of a name, a function (LOG10( is a
# function), a sheet-qualified reference or the second half of a range.
_LOCAL = re.compile(
    r"(?<![A-Za-z0-9_!'$.:])(\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)(?![A-Za-z0-9_(!.])"
)
_TEXT = re.compile(r'("(?:[^"]|"")*")')


def qualify(formula: str, title: str, prefix: str = "") -> str:
    """`formula` (text without '=', as the builders write it) with every reference that names
    no sheet given `title`'s (`prefix`: `quote_title(title)`, if known), so that it works out the
    same on another sheet. Quoted text is left alone."""
    prefix = prefix or quote_title(title)
    if '"' not in formula:
        return _LOCAL.sub(lambda m: prefix + m.group(1), formula)
    parts = _TEXT.split(formula)
    for k in range(0, len(parts), 2):  # the even parts lie outside quotes
        parts[k] = _LOCAL.sub(lambda m: prefix + m.group(1), parts[k])
    return "".join(parts)


def _texts(sheet: Sheet) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """Each row's label, the section it is in, and each column's header, to say what a cell is.

    Only the builders' own words and ids go into the description, which the Formula check writes
    as text inside a formula: never a name or other text from the user's file (`user` styles,
    and a section heading after its colon, which names an intervention or a scenario)."""
    labels: dict[int, str] = {}
    sections: dict[int, str] = {}
    headers: dict[int, str] = {}
    header_rows: set[int] = set()
    if sheet.print_rows:
        top, _, bottom = sheet.print_rows.partition(":")
        header_rows = set(range(int(top), int(bottom or top) + 1))
    for (r, c), (value, style) in sorted(sheet.cells.items()):
        if value.__class__ is Formula or value in (None, "") or style.startswith("user"):
            continue
        if r in header_rows and style != "title" and c not in headers:
            headers[c] = str(value)
        elif style == "section" and c == 1:
            sections[r] = str(value).split(":")[0].split(" (")[0]
        elif c <= 3 and r not in labels and isinstance(value, str) and style != "note":
            labels[r] = value
    section, within = "", {}
    for r in range(1, sheet.max_row + 1):
        section = sections.get(r, section)
        within[r] = section
    return labels, within, headers


_UNSAFE = re.compile(r"[^A-Za-z0-9 ,.;:/()'£%+_-]")


def what(sheet: Sheet, texts: Any, r: int, c: int) -> str:
    """What the formula at (r, c) is, from its row's label, its section and its column's header
    (ids only where they are the header): plain characters, no quotes."""
    labels, sections, headers = texts
    parts = [sections.get(r, ""), labels.get(r, ""), headers.get(c, "")]
    return _UNSAFE.sub("", " / ".join(p for p in parts if p and p != "Line"))


def formula_check_sheet(book: Book) -> Sheet | None:
    """A row for every formula of the sheets built so far (but Checks): the cell still holds a
    formula, and its value is its formula worked out again."""
    sheet = book.sheet(FORMULA_CHECK, hidden=True, widths={1: 90})
    sheet.put(
        1,
        1,
        "Every formula of the model sheets, worked out once more, a row each: TRUE when the cell "
        "is still a formula and its value equals its formula's written again here; otherwise the "
        "cell, and what it is. The Integrity sheet adds these up.",
        "note",
    )
    sheet.put(FIRST_ROW - 1, 1, HEADER, "header")
    r, col = FIRST_ROW, 1
    for built in book.built:
        if built.title == CHECKS:
            continue
        formulas = [(rc, v) for rc, (v, _) in built.cells.items() if v.__class__ is Formula]
        formulas.sort(key=lambda item: item[0])
        if not formulas:
            continue
        texts = _texts(built)
        first = r
        prefix = quote_title(built.title)
        cells = sheet.cells
        for (row, column), formula in formulas:
            if r > EXCEL_ROWS:  # a very large workbook: its checks go on in the next column
                if r > first:
                    book.formula_checks.append(Covered(built.title, first, r - 1, col))
                r = first = FIRST_ROW
                col += 1
                sheet.put(FIRST_ROW - 1, col, HEADER, "header")
                sheet.widths[col] = 90
            address = cell(row, column)
            at = prefix + address
            again = qualify(formula, built.title, prefix)
            said = f"{built.title}!{address} {what(built, texts, row, column)}"[:MAX_WHAT]
            holds = f'IF(IFERROR(AND(_xlfn.ISFORMULA({at}),{at}=({again})),FALSE),TRUE,"{said}")'
            # put() checks what cannot occur here
            cells[(r, col)] = (Formula(holds, True), "calc")
            r += 1
        book.formula_checks.append(Covered(built.title, first, r - 1, col))
    if r == FIRST_ROW and col == 1:
        return None
    return sheet
