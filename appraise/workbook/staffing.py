"""The `Staffing` sheet: each staffed service's establishment, one staff line a row.

A year's cost of a line is FTE x salary x (1 + on-costs) (`staff_cost` of
`appraise.engine.lines`); the service's staffing cost on Calculations adds up its lines and its
non-staff cost. FTE, salary and on-costs are inputs on the Inputs sheet, shown here.
"""

from __future__ import annotations

import numpy as np

from appraise.engine.lines import LINES
from appraise.workbook.book import Block, Book, Cell, Column
from appraise.workbook.writer import Sheet

STAFFING = "Staffing"
COLUMNS = ("staff_fte", "staff_salary", "staff_on_costs", "staff_cost")
FIRST_COL = 3  # column C


def staffing_sheet(book: Book) -> Sheet | None:
    """One row a staff line, with its cost a year; None when no service is costed by staff."""
    owner = book.model.base.structure.staff_owner
    owner = owner if owner is not None else np.zeros(0, dtype=int)
    if not len(owner):
        for i in range(book.n):  # nothing to add up: every service's staff cost is 0
            book.place("staff_cost", f"i{i}", Block(STAFFING, 1, 0))
        return None
    sheet = book.sheet(
        STAFFING,
        freeze="C4",
        print_rows="3:3",
        widths={1: 30, 2: 36, **{FIRST_COL + k: 16 for k in range(len(COLUMNS))}},
    )
    sheet.put(1, 1, "Staffing: each staffed service's establishment, a line a row", "title")
    sheet.put(
        2,
        1,
        "A line's cost a year = FTE x salary x (1 + on-costs); change FTE, salary or on-costs "
        "on Inputs. Calculations adds a service's lines and its non-staff cost.",
        "note",
    )
    sheet.row(
        3,
        [("Intervention", "header"), ("Role", "header")]
        + [(LINES[line].label, "header") for line in COLUMNS],
    )
    r = 3
    for i, item in enumerate(book.model.interventions):
        rows = [int(g) for g in np.flatnonzero(owner == i)]
        if not rows:
            book.place("staff_cost", f"i{i}", Block(STAFFING, 1, 0))
            continue
        first = r + 1
        for j, g in enumerate(rows):
            r += 1
            role = (item.unit_cost.staff or [])[j].role
            sheet.row(r, [(item.id, "user"), (role, "user_wrap")])
            for k, line in enumerate(COLUMNS):
                spec, col, here = LINES[line], FIRST_COL + k, f"g{g}"
                if spec.is_input:
                    sheet.put(r, col, book.ref_formula(line, here), f"calc:{spec.fmt}")
                    book.place(line, here, Cell(sheet.title, r, col))
                else:
                    book.write(sheet, line, here, r, col, f"calc:{spec.fmt}")
        book.place("staff_cost", f"i{i}", Column(sheet.title, first, r, FIRST_COL + 3))
    return sheet
