"""`appraise check-xlsx`: the strong check of an exported workbook, without a spreadsheet program.

The workbook is laid out again from the portfolio file it holds (the hidden `Portfolio file`
sheet), so every formula is generated afresh from the line definitions (`appraise.engine.lines`),
and each cell of the file is compared with it:

- a cell that should hold a formula holds another formula, or a number or text pasted over it;
- a cell that should hold no formula holds one;
- a figure fixed at export outside Inputs (a structural constant, an engine value typed in for
  comparison) has been changed.

Formulas are compared as tokens, so the spelling a spreadsheet program gives them when it saves
the file (LibreOffice writes `FALSE()`, keeps `_xlfn.` prefixes, may quote or space differently)
does not count as a change. Inputs may be changed: that is what the workbook is for, and
`import-xlsx` reads them (this check runs first there too).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openpyxl.formula import Tokenizer

from appraise.analyses.verify import ClaimsCheck
from appraise.model.schema import Evidence, Portfolio
from appraise.workbook.book import ABOUT, CLAIMS_FILE, INPUTS, SOURCE, Book
from appraise.workbook.export import layout
from appraise.workbook.returned import SharedFormula
from appraise.workbook.writer import Formula, Sheet, cell, read_text

MAX_LISTED = 50  # differences listed one by one; the rest are counted
# Sheets whose every cell is the export's own words (labels, notes), or changes by design.
NOT_COMPARED = (ABOUT, SOURCE, CLAIMS_FILE)
FIXED_ROLES = ("fixed", "user_fixed", "engine")
PROTECTION_REMOVED = "protection removed"


@dataclass(frozen=True)
class Difference:
    """A cell of the file that is not what the export wrote there."""

    sheet: str
    cell: str
    what: str  # the row's label, to say what the cell is
    expected: str
    found: str

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}"

    def text(self) -> str:
        what = f" ({self.what})" if self.what else ""
        return f"{self.where}{what}: expected {self.expected}, found {self.found}"


def tokens(formula: str) -> tuple[str, ...]:
    """A formula as a tuple of normalised tokens: whitespace dropped, function names upper-case
    without the `_xlfn.` prefix, `FALSE()` as `FALSE`, sheet names unquoted where they need no
    quotes, numbers as numbers."""
    text = formula if formula.startswith("=") else "=" + formula
    out: list[str] = []
    items = [t for t in Tokenizer(text).items if t.type != "WHITE-SPACE"]
    k = 0
    while k < len(items):
        token = items[k]
        value = token.value
        if token.type == "FUNC" and token.subtype == "OPEN":
            name = value[:-1].upper().removeprefix("_XLFN.").removeprefix("_XLWS.")
            following = items[k + 1] if k + 1 < len(items) else None
            closes = following is not None and following.type == "FUNC"
            if name in ("TRUE", "FALSE") and closes and following.subtype == "CLOSE":
                out.append(name)  # LibreOffice writes the constants as functions
                k += 2
                continue
            value = name + "("
        elif token.type == "OPERAND" and token.subtype == "RANGE":
            value = _reference(value)
        elif token.type == "OPERAND" and token.subtype == "NUMBER":
            value = repr(float(value))
        elif token.type == "OPERAND" and token.subtype == "LOGICAL":
            value = value.upper()
        out.append(value)
        k += 1
    return tuple(out)


def _reference(text: str) -> str:
    sheet, bang, rest = text.rpartition("!")
    if not bang:
        return text.upper()
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return f"{sheet}!{rest.upper()}"


def _shown(value: Any) -> str:
    if isinstance(value, str) and value.startswith("="):
        return f"the formula {value}"
    if value is None:
        return "nothing"
    return f"{value!r}" if not isinstance(value, float) else f"{value:g}"


def _same_constant(expected: Any, found: Any) -> bool:
    if isinstance(expected, bool) or isinstance(found, bool):
        return expected == found
    if isinstance(expected, int | float) and isinstance(found, int | float):
        return math.isclose(expected, found, rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(expected, str) and isinstance(found, str):
        return expected == read_text(found)
    return expected == found


def _label(sheet: Sheet, r: int) -> str:
    for c in (1, 2, 3):
        value = sheet.cells.get((r, c), (None, ""))[0]
        if isinstance(value, str) and value and not isinstance(value, Formula):
            return value[:80]
    return ""


def compare(sheets: list[Sheet], wb: Any, book: Book) -> list[Difference]:
    """Each cell of the workbook `wb` (openpyxl, formulas as text) that differs from the sheets
    laid out afresh (`book`: where they placed the cells a user may change)."""
    inputs = {(item.sheet, item.row, item.col) for item in book.inputs}
    # every value on Inputs, fixed ones included: import reads and checks each of those
    inputs |= {(INPUTS, int(ref.rsplit("$", 1)[1]), 2) for ref in book.input_cells.values()}
    found: list[Difference] = []
    for sheet in sheets:
        if sheet.title in NOT_COMPARED:
            continue
        if sheet.title not in wb.sheetnames:
            found.append(Difference(sheet.title, "", "", "the sheet", "no such sheet"))
            continue
        ws = wb[sheet.title]
        expected_cells = sheet.cells
        for (r, c), (value, style) in sorted(expected_cells.items()):
            if (sheet.title, r, c) in inputs:
                continue
            now = ws.cell(r, c).value
            if isinstance(value, Formula):
                if isinstance(now, SharedFormula):
                    continue  # its text is on the shared range's first cell, compared there
                if isinstance(now, str) and now.startswith("=") and tokens(now) == tokens(value):
                    continue
                expected = f"the formula ={value}"
            elif style.partition(":")[0] in FIXED_ROLES and value not in (None, ""):
                if not (isinstance(now, str) and now.startswith("=")) and _same_constant(
                    value, now
                ):
                    continue
                expected = _shown(value)
            else:
                continue
            found.append(
                Difference(sheet.title, cell(r, c), _label(sheet, r), expected, _shown(now))
            )
        if sheet.protect and not sheet.hidden and not ws.protection.sheet:
            found.append(Difference(sheet.title, "", "", "the sheet protected", PROTECTION_REMOVED))
        # A formula where the export wrote none (a label or an empty cell overwritten).
        for row in ws.iter_rows():
            for item in row:
                now = item.value
                if not (isinstance(now, str) and now.startswith("=")):
                    continue
                held = expected_cells.get((item.row, item.column))
                if held is not None and isinstance(held[0], Formula):
                    continue
                if (sheet.title, item.row, item.column) in inputs:
                    what = "an input"
                    expected = "a value typed in, not a formula"
                else:
                    what = _label(sheet, item.row)
                    expected = _shown(held[0]) if held is not None else "nothing"
                found.append(Difference(sheet.title, item.coordinate, what, expected, _shown(now)))
    return found


def laid_out(
    portfolio: Portfolio, evidence: Mapping[str, Evidence], claims: ClaimsCheck | None = None
) -> tuple[Book, list[Sheet]]:
    """The workbook the portfolio file gives (with its claims check, when it was exported with
    one): its Book and sheets, as `appraise export` lays it out (the date and the run's
    identity, on About only, aside)."""
    return layout(portfolio, evidence, claims=claims)


def report(differences: list[Difference]) -> str:
    """The differences as lines of text, at most MAX_LISTED of them then a count."""
    lines = [d.text() for d in differences[:MAX_LISTED]]
    if len(differences) > MAX_LISTED:
        lines.append(f"... and {len(differences) - MAX_LISTED:,} more")
    return "\n".join(lines)
