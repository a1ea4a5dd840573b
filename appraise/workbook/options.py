"""The `Options` sheet (a portfolio with `options:` only): each option's figures, its rank, its
place on the efficiency frontier and its incremental figures over the option before it there, all
as live formulas, so an edit on Inputs re-ranks the options and moves the frontier.

Below the table of options, each option has a block of its interventions' figures, one row each,
taken from the cells the Summary shows (Calculations, Cash flows), and their costs and savings by
year from Cash flows. The Summary, built after this sheet, shows each option's row from here. An option's figure
that sums (cost, savings, present values, NPV) is the SUM of its block's column: totals add up
structure, as the Summary's total row does. Its ratios and payback year are the lines' own
formulas (`appraise.engine.lines`) written over those sums and over its cash flows. The rank,
dominance, extended dominance, the option compared with and the incremental figures are the
option lines of `appraise.engine.options`, written over the table's columns (and, for the pairs
the extended-dominance test needs, a row holding the same figures across). Doing nothing is the
last row: it is always a point of the frontier. Every figure is saved with the engine's value and
registered on the Checks sheet. Nothing on the sheet adds up figures of different options.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from appraise.analyses.options import (
    FIGURE_KEYS,
    OPTION_KEYS,
    Options,
    compare_options,
    frontier,
    option_members,
)
from appraise.display import compared_text
from appraise.engine.evaluate import needed
from appraise.engine.figures import FIGURES as REGISTRY
from appraise.engine.figures import TOLERANCE
from appraise.engine.lines import LINES
from appraise.engine.options import (
    INCREMENTAL_KEYS,
    NOT_AN_OPTION,
    NOT_COMPARED,
    OPTION,
    SEEN,
    STATUS_WORDS,
    option_totals,
)
from appraise.workbook.book import Across, Book, Cell, Check, Column, Row, shown
from appraise.workbook.summary import KEY_NOTE, figure_format
from appraise.workbook.writer import Formula, Sheet, cell

OPTIONS = "Options"
HEADER_ROW = 5
FIRST_ROW = HEADER_ROW + 1
FIRST_YEAR_COL = 4  # column D, as on Cash flows
# Columns: the option's number, then the JSON keys of `options[]` in `appraise evaluate --format
# json` (each header is the figure's name; its key is in the header's note).
HEADERS = ("option", *OPTION_KEYS)
COL = {key: c for c, key in enumerate(HEADERS, 1)}
# The option lines' workings, right of the table (a blank column between).
WORKINGS = (
    "listed",
    "order",
    "dominated",
    "extended",
    "status",
    "frontier",
    "frontier_position",
    "comparator",
    "base_pv_cost",
    "base_pv_gross_savings",
    "base_npv",
    "step_pv_cost",
    "step_pv_gross_savings",
    "step_npv",
)
WORK = {key: len(HEADERS) + 2 + k for k, key in enumerate(WORKINGS)}
SUMS = tuple(k for k in FIGURE_KEYS if LINES[k].total == "sum")
# An option's lines of years, as the portfolio total has them: those its payback year needs.
YEAR_LINES = tuple(
    k
    for k in LINES
    if k in needed(frozenset({"payback_year"}))
    and "H" in LINES[k].level
    and LINES[k].total is not None
)
TITLES = {
    "option": "No.",
    "name": "Option",
    "interventions": "Interventions",
    "rank": "Rank by NPV",
    "status": "Efficiency frontier",
    "compared_with": "Compared with (the option before it on the frontier)",
}
DOING_NOTHING_NAME = "doing nothing"


def title(key: str) -> str:
    """A column's heading: the figure's name."""
    if key in TITLES:
        return TITLES[key]
    return REGISTRY[key].title if key in REGISTRY else OPTION[key].label


def owner(k: int) -> str:
    """The owner of option k's placed lines (k = the number of options: doing nothing)."""
    return f"option{k}"


def _format(book: Book, key: str) -> str:
    return figure_format(book, key, None) if key in REGISTRY else OPTION[key].fmt


def _sum(letter: str, first: int, last: int) -> str:
    """The sum of a block's column (0 for an option with no interventions: doing nothing)."""
    return f"SUM({letter}{first}:{letter}{last})" if last >= first else "0"


def shown_option(found: dict[str, np.ndarray], key: str, j: int) -> Any:
    """An option line's value as the workbook shows it: text where it does not apply."""
    value = float(found[key][j])
    if math.isnan(value):
        if key == "rank":
            return NOT_AN_OPTION
        return NOT_COMPARED[int(found["status"][j])]
    return shown(OPTION[key], value)


def options_sheet(book: Book) -> Sheet | None:
    """Each option: its figures (formulas over its interventions'), rank, place on the
    efficiency frontier and incremental figures, all live."""
    result = compare_options(book.appraisal)
    groups = option_members(book.portfolio)
    if result is None or groups is None:
        return None
    k = len(result.options)
    per, _ = book.engine
    structure = book.model.base.structure
    totals = [option_totals(per, structure, members) for members in groups]
    found = frontier([o.figures for o in result.options])
    sheet = book.sheet(
        OPTIONS,
        freeze=cell(FIRST_ROW, 3),
        print_rows=f"{HEADER_ROW}:{HEADER_ROW}",
        print_cols="A:B",
        widths={
            1: 10,
            2: 30,
            3: 36,
            **{c: 16 for c in range(4, len(HEADERS) + 1)},
            **{c: 14 for c in WORK.values()},
        },
    )
    sheet.put(1, 1, "Options: mutually exclusive, each judged against doing nothing", "title")
    sheet.put(
        2,
        1,
        "Only one option will be chosen, so each has its own figures and they are never added up. "
        "An option's money adds up its interventions' figures (its block below); "
        "its ratios and payback year are the same formulas as the Summary's, over those sums.",
        "note",
    )
    sheet.put(
        3,
        1,
        "Rank: by NPV, highest first (equal NPVs: the cheaper by present value of cost, then the "
        "first listed). Dominated: another option costs no more and saves no more; extended "
        "dominance: below the line joining a cheaper and a dearer option (dampack's "
        "calculate_icers). The rest form the efficiency frontier, each compared with the option "
        "before it there. All are formulas: edit Inputs and the options re-rank.",
        "note",
    )
    sheet.row(HEADER_ROW, [(title(key), "header") for key in HEADERS])
    for c, key in enumerate(HEADERS, 1):
        sheet.notes[(HEADER_ROW, c)] = f"{KEY_NOTE}{key}"
    for key, c in WORK.items():
        sheet.put(HEADER_ROW, c, OPTION[key].label, "header")
    sheet.put(HEADER_ROW - 1, WORK["listed"], "How the frontier is found", "bold")
    for j, option in enumerate(result.options):
        r = FIRST_ROW + j
        sheet.put(r, COL["option"], j + 1, "fixed:int")
        sheet.put(r, COL["name"], option.name, "user")
        sheet.put(r, COL["interventions"], ", ".join(option.interventions) or "none", "user")
    nothing = FIRST_ROW + k  # doing nothing: always the last point
    sheet.put(nothing, COL["name"], DOING_NOTHING_NAME, "text")
    sheet.put(
        nothing, COL["interventions"], "none (always compared; not an option in the file)", "note"
    )
    across = nothing + 2  # every option's cost and savings again, across: the chord test's pairs
    top = across + 2
    blocks, top = _blocks(book, sheet, result, groups, top)
    top = _years(book, sheet, result, groups, totals, top)
    for j in range(k):
        _figures(book, sheet, j, blocks[j], totals[j])
    _doing_nothing(book, sheet, k)
    _frontier(book, sheet, result, found, across)
    _checks(book, sheet, result)
    for j, option in enumerate(result.options):  # for the Summary and About sheets
        r = FIRST_ROW + j
        cells = {
            key: Formula(book.ref(sheet, r, COL[key])).cached(
                _cached(sheet.cells[(r, COL[key])][0])
            )
            for key in FIGURE_KEYS
        }
        book.option_figures.append((option.name, cells))
    sheet.decorate.append(_npv_chart(k, COL["npv"], top + 2))
    return sheet


def _blocks(
    book: Book, sheet: Sheet, result: Options, groups: list[list[int]], top: int
) -> tuple[list[tuple[int, int]], int]:
    """Each option's interventions, one row each, their figures from the Summary, in the same
    columns as the table above. Returns each block's first and last rows, and the next free row."""
    top += 1
    sheet.put(
        top, 1, "Each option's interventions (their figures as the Summary shows them)", "section"
    )
    blocks = []
    r = top
    for j, members in enumerate(groups):
        r += 1
        sheet.row(r, [(j + 1, "fixed:int"), (result.options[j].name, "user")])
        first = r + 1
        for i in members:
            r += 1
            item = book.model.interventions[i]
            sheet.row(r, [(j + 1, "fixed:int"), (item.id, "user"), (item.name, "user")])
            for key in SUMS:  # where the Summary reads it: Calculations or Cash flows
                formula = book.ref_formula(key, f"i{i}")
                sheet.put(r, COL[key], formula, f"calc:{_format(book, key)}")
        blocks.append((first, r))
    return blocks, r + 1


def _figures(
    book: Book, sheet: Sheet, j: int, block: tuple[int, int], totals: dict[str, np.ndarray]
) -> None:
    """Option j's figures: sums of its block, then the lines' formulas over them."""
    r = FIRST_ROW + j
    # Sums first: the ratios and the payback year are the same formulas over them.
    for key in sorted(FIGURE_KEYS, key=lambda x: LINES[x].total != "sum"):
        style = f"output:{_format(book, key)}"
        value = shown(LINES[key], float(totals[key]))
        if LINES[key].total == "sum":
            letter = get_column_letter(COL[key])
            sheet.put(r, COL[key], Formula(_sum(letter, *block)).cached(value), style)
            book.place(key, owner(j), Cell(sheet.title, r, COL[key]))
        else:
            book.write(sheet, key, owner(j), r, COL[key], style, value=value)


def _years(
    book: Book,
    sheet: Sheet,
    result: Options,
    groups: list[list[int]],
    totals: Sequence[dict[str, np.ndarray]],
    top: int,
) -> int:
    """Each option's cash flows as far as its payback year needs: its interventions' costs and
    savings by year from Cash flows, their sums, then the lines' formulas. Returns the next row."""
    h = book.horizon
    last_col = FIRST_YEAR_COL + h - 1
    r = top + 1
    sheet.put(r, 1, "Cash flows by option (for its payback year)", "section")
    r += 1
    sheet.row(r, [("Year", "header"), ("", "header"), ("", "header")])
    for t in range(1, h + 1):
        sheet.put(r, FIRST_YEAR_COL + t - 1, t, "header")
    for j, members in enumerate(groups):
        r += 2
        sheet.row(r, [(j + 1, "fixed:int"), (result.options[j].name, "user")])
        for key in YEAR_LINES:
            line = LINES[key]
            style = f"calc:{line.fmt}"
            values = [shown(line, v) for v in np.asarray(totals[j][key]).tolist()]
            if line.total != "sum":
                r += 1
                sheet.row(r, [None, (line.label, "text"), (line.unit, "text")])
                book.write_years(
                    sheet,
                    key,
                    owner(j),
                    r,
                    FIRST_YEAR_COL,
                    last_col,
                    last_col,
                    style,
                    values=values,
                )
                continue
            first = r + 1
            for i in members:
                r += 1
                item = book.model.interventions[i]
                sheet.row(r, [(j + 1, "fixed:int"), (f"{line.label}: {item.id}", "user")])
                years = book.value_of(key, f"i{i}")
                for t in range(1, h + 1):
                    source = book.year_cell(key, f"i{i}", t)
                    assert source is not None, (key, i, t)
                    formula = Formula(source).cached(years[t - 1])
                    sheet.put(r, FIRST_YEAR_COL + t - 1, formula, style)
            r += 1
            sheet.row(r, [None, (line.label, "bold"), (line.unit, "text")])
            for t, col in enumerate(range(FIRST_YEAR_COL, last_col + 1)):
                formula = Formula(_sum(get_column_letter(col), first, r - 1)).cached(values[t])
                sheet.put(r, col, formula, style)
            book.place(key, owner(j), Row(sheet.title, r, FIRST_YEAR_COL, last_col, last_col))
    return r + 1


def _doing_nothing(book: Book, sheet: Sheet, k: int) -> None:
    """Doing nothing, the last point: its present values and NPV are 0."""
    r = FIRST_ROW + k
    for key in ("pv_cost", "pv_gross_savings", "npv"):
        sheet.put(r, COL[key], 0, "fixed:money")
        book.place(key, owner(k), Cell(sheet.title, r, COL[key]))


def _frontier(
    book: Book, sheet: Sheet, result: Options, found: dict[str, np.ndarray], across: int
) -> None:
    """Each point's rank, status, comparator and incremental figures: the option lines written
    over the table's columns (`other_`) and the row of the same figures across (`chord_`)."""
    k = len(result.options)
    last = FIRST_ROW + k
    for j in range(k + 1):
        r = FIRST_ROW + j
        for key, value in (("listed", int(j < k)), ("order", j + 1)):
            sheet.put(r, WORK[key], value, "fixed:int")
            book.place(key, owner(j), Cell(sheet.title, r, WORK[key]))
    for key in SEEN:
        col = COL[key] if key in COL else WORK[key]
        book.place(f"other_{key}", "", Column(sheet.title, FIRST_ROW, last, col))
    for n, key in enumerate(("pv_cost", "pv_gross_savings")):
        r = across + n
        sheet.put(
            r, 3, f"{OPTION[key].label}, across (for the pairs of extended dominance)", "text"
        )
        for j in range(k + 1):
            source = Formula(cell(FIRST_ROW + j, COL[key])).cached(float(found[key][j]))
            sheet.put(r, FIRST_YEAR_COL + j, source, f"calc:{OPTION[key].fmt}")
        book.place(f"chord_{key}", "", Across(sheet.title, r, FIRST_YEAR_COL, FIRST_YEAR_COL + k))
    names = (
        f"${get_column_letter(COL['name'])}${FIRST_ROW}:${get_column_letter(COL['name'])}${last}"
    )
    for j in range(k + 1):
        r = FIRST_ROW + j
        for key in WORKINGS[2:]:
            value = shown_option(found, key, j)
            book.write(
                sheet,
                key,
                owner(j),
                r,
                WORK[key],
                f"calc:{OPTION[key].fmt}",
                lines=OPTION,
                value=value,
            )
        for key in ("rank", *INCREMENTAL_KEYS):
            style = f"output:{OPTION[key].fmt}"
            value = shown_option(found, key, j)
            book.write(sheet, key, owner(j), r, COL[key], style, lines=OPTION, value=value)
        status = cell(r, WORK["status"])
        words = ",".join(f'"{STATUS_WORDS[code]}"' for code in sorted(STATUS_WORDS))
        record = result.record(j) if j < k else None
        sheet.put(
            r,
            COL["status"],
            Formula(f"CHOOSE({status}+1,{words})").cached(STATUS_WORDS[int(found["status"][j])]),
            "output",
        )
        comparator = cell(r, WORK["comparator"])
        why = ",".join(
            f'"{text}"' for text in ("nothing cheaper", STATUS_WORDS[1], STATUS_WORDS[2])
        )
        sheet.put(
            r,
            COL["compared_with"],
            Formula(
                f"IF({comparator}>0,INDEX({names},{comparator}),CHOOSE({status}+1,{why}))"
            ).cached(compared_text(record) if record else _compared(found, j, k)),
            "calc",
        )


def _compared(found: dict[str, np.ndarray], j: int, k: int) -> str:
    """What doing nothing (the last point) is compared with, as the sheet shows it."""
    row = int(found["comparator"][j])
    if row:
        return DOING_NOTHING_NAME if row == k + 1 else f"row {row}"
    return ("nothing cheaper", STATUS_WORDS[1], STATUS_WORDS[2])[int(found["status"][j])]


def _checks(book: Book, sheet: Sheet, result: Options) -> None:
    """Every figure of every option on the Checks sheet, against the engine's."""
    found = frontier([o.figures for o in result.options])
    for j, record in enumerate(result.to_data()):
        r = FIRST_ROW + j
        engine = {
            **record,
            "status": STATUS_WORDS[int(found["status"][j])],
            "compared_with": compared_text(record),
            **{key: shown_option(found, key, j) for key in INCREMENTAL_KEYS},
        }
        for key in (*FIGURE_KEYS, "rank", "status", "compared_with", *INCREMENTAL_KEYS):
            if key in REGISTRY:
                tolerance = REGISTRY[key].tolerance
            elif key in ("status", "compared_with"):
                tolerance = 0.0
            else:
                tolerance = TOLERANCE["money" if OPTION[key].unit == "£" else "ratio"]
            book.checks.append(
                Check(
                    book.ref(sheet, r, COL[key]),
                    f"option: {record['name']}",
                    key,
                    engine[key],
                    tolerance,
                    "" if key in ("status", "compared_with") else _format(book, key),
                )
            )


def _npv_chart(k: int, col: int, row: int) -> Any:
    def add(ws: Worksheet) -> None:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "NPV by option (£)"
        data = Reference(ws, min_col=col, min_row=HEADER_ROW, max_row=HEADER_ROW + k)
        chart.add_data(data, titles_from_data=True)
        names = Reference(ws, min_col=COL["name"], min_row=FIRST_ROW, max_row=FIRST_ROW + k - 1)
        chart.series[0].cat = AxDataSource(strRef=StrRef(f=str(names)))  # names are text
        chart.legend = None
        chart.x_axis.delete = False
        chart.x_axis.scaling.orientation = "maxMin"  # first option at the top, as listed
        chart.x_axis.tickLblPos = "low"
        chart.y_axis.delete = False
        chart.y_axis.numFmt = '"£"#,##0'
        chart.y_axis.title = "£"
        chart.width = 20
        chart.height = max(6.0, 0.6 * k + 3)
        ws.add_chart(chart, f"A{row}")

    return add


def _cached(value: Any) -> Any:
    return value.value if isinstance(value, Formula) else value
