"""Edits of a returned workbook outside its Inputs sheet, reported by sheet and cell.

`appraise import-xlsx` reads back the Inputs sheet only. A formula replaced by a number on
Calculations or Summary, or a sheet's protection removed, is not carried into the imported file,
and the figures such a workbook showed were not the model's: the user is told where, rather than
left to believe the imported file holds what the workbook showed. The sheets are laid out again
from the portfolio file the workbook holds (checked by `appraise.workbook.returned`), exactly as
`appraise export` laid them out, and each formula cell of the workbook is compared with it.
"""

from __future__ import annotations

import re

from appraise.errors import InputError
from appraise.workbook.book import CHECKS, CLAIMS_CHECK, INPUTS, SOURCE
from appraise.workbook.cells import CellValue
from appraise.workbook.export import layout
from appraise.workbook.integrity import INTEGRITY
from appraise.workbook.returned import INPUT_COLUMNS, SPARE_INPUT_ROWS, Exported
from appraise.workbook.writer import Formula, cell

# Cells listed for one sheet; the rest are counted.
SHOWN_PER_SHEET = 8
# How a spreadsheet may spell a formula again when it saves it, meaning the same: Excel prefixes
# newer functions (`_xlfn.`), LibreOffice writes FALSE as FALSE(), spaces come and go.
_SAVED_PREFIX = re.compile(r"_xl(?:fn|ws)\.")
_CONSTANT_CALL = re.compile(r"\b(TRUE|FALSE)\(\)")


def _canonical(formula: str) -> str:
    text = "".join(_SAVED_PREFIX.sub("", formula.lstrip("=")).split()).upper()
    return _CONSTANT_CALL.sub(r"\1", text)


def _short(text: object) -> str:
    shown = str(text)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _changed(expected: Formula, now: CellValue) -> str | None:
    """How a formula cell differs from the one exported, or None if it does not."""
    if now.formula is not None:
        # A formula Excel saved as shared carries its text on the first cell of the range only.
        if now.formula == "" or _canonical(now.formula) == _canonical(expected):
            return None
        return f"={_short(str(expected))} changed to ={_short(now.formula)}"
    if now.value is None:
        return f"={_short(str(expected))} cleared"
    return f"={_short(str(expected))} replaced by {_short(now.value)}"


def edits_outside_inputs(exported: Exported) -> list[str]:
    """One line a sheet of the workbook whose formulas are not those exported (each changed
    cell named), or whose protection was removed. Sheets the import cannot lay out again (a
    Claims check, and the checks that follow from it) are left out."""
    _, sheets = layout(exported.portfolio, exported.evidence)
    skip = {INPUTS, SOURCE, CLAIMS_CHECK}
    if CLAIMS_CHECK in exported.book.titles:
        skip |= {CHECKS, INTEGRITY}  # they check the claims too
    out = []
    for sheet in sheets:
        if sheet.title in skip:
            continue
        if sheet.title not in exported.book.titles:
            out.append(f"the sheet {sheet.title!r} was removed from the workbook")
            continue
        bound = len(sheet.cells) * 2 + SPARE_INPUT_ROWS * INPUT_COLUMNS
        try:
            now = exported.book.cells(sheet.title, bound)
        except InputError:
            out.append(
                f"{sheet.title} holds more than {bound:,} cells, far more than exported: its "
                "formulas were not compared with those exported"
            )
            continue
        changed = []
        for (r, c), (value, _) in sorted(sheet.cells.items()):
            if isinstance(value, Formula):
                how = _changed(value, now.get((r, c), CellValue(None)))
                if how is not None:
                    changed.append(f"{cell(r, c)} {how}")
        if sheet.protect and not sheet.hidden and not exported.book.protected.get(sheet.title):
            changed.insert(0, "its protection was removed")
        if changed:
            more = len(changed) - SHOWN_PER_SHEET
            listed = "; ".join(changed[:SHOWN_PER_SHEET]) + (
                f"; and {more} more" if more > 0 else ""
            )
            out.append(
                f"{sheet.title} was edited ({listed}): import-xlsx reads the Inputs sheet only, "
                "so these edits are not in the imported file, and the figures the workbook "
                "showed were not the model's"
            )
    return out
