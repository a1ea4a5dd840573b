"""The `Options` sheet (a portfolio with `options:` only): each option's figures, its rank and its
incremental NPV and benefit-cost ratio over the next cheaper option, as live formulas.

Below the table of options, each option has a block of its interventions' figures, one row each,
copied from the Summary (and their costs and savings by year from Cash flows). An option's figure
that sums (cost, savings, present values, NPV) is the SUM of its block's column: totals add up
structure, as the Summary's total row does. Its ratios and payback year are the lines' own
formulas (`appraise.engine.lines`) written over those sums and over its cash flows. The
incremental figures are the line definitions of `appraise.engine.options`, written over the
option's cells and those of the option it is compared with. The rank and which option is the
next cheaper are the engine's, typed in at export, with a live check that they still hold. Every
figure is saved with the engine's value and registered on the Checks sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from appraise.analyses.options import (
    DOING_NOTHING,
    FIGURE_KEYS,
    OPTION_KEYS,
    Options,
    compare_options,
    option_members,
)
from appraise.engine.evaluate import needed
from appraise.engine.figures import FIGURES as REGISTRY
from appraise.engine.figures import TOLERANCE
from appraise.engine.lines import LINES
from appraise.engine.options import INCREMENTAL_KEYS, OPTION, option_totals
from appraise.workbook.book import Book, Cell, Check, Row, shown
from appraise.workbook.summary import KEY_NOTE, figure_format
from appraise.workbook.writer import Formula, Sheet, cell

OPTIONS = "Options"
ORDER_ROW = 4
HEADER_ROW = 5
FIRST_ROW = HEADER_ROW + 1
FIRST_YEAR_COL = 4  # column D, as on Cash flows
# Columns: the option's number, then the JSON keys of `options[]` in `appraise evaluate --format
# json` (each header is the figure's name; its key is in the header's note).
HEADERS = ("option", *OPTION_KEYS)
COL = {key: c for c, key in enumerate(HEADERS, 1)}
SUMS = tuple(k for k in FIGURE_KEYS if LINES[k].total == "sum")
# An option's lines of years, as the portfolio total has them: those its payback year needs.
YEAR_LINES = tuple(
    k
    for k in LINES
    if k in needed(frozenset({"payback_year"}))
    and "H" in LINES[k].level
    and LINES[k].total is not None
)
# The comparator's cells each incremental line reads, by operand.
BASE = {
    "base_pv_cost": "pv_cost",
    "base_pv_gross_savings": "pv_gross_savings",
    "base_npv": "npv",
}
TITLES = {
    "option": "No.",
    "name": "Option",
    "interventions": "Interventions",
    "rank": "Rank by NPV (at export)",
    "compared_with": "Compared with (the next cheaper, at export)",
}


def title(key: str) -> str:
    """A column's heading: the figure's name."""
    if key in TITLES:
        return TITLES[key]
    return REGISTRY[key].title if key in REGISTRY else OPTION[key].label


def owner(k: int) -> str:
    """The owner of option k's placed lines."""
    return f"option{k}"


def _format(book: Book, key: str) -> str:
    return figure_format(book, key, None) if key in REGISTRY else OPTION[key].fmt


def _sum(letter: str, first: int, last: int) -> str:
    """The sum of a block's column (0 for an option with no interventions: doing nothing)."""
    return f"SUM({letter}{first}:{letter}{last})" if last >= first else "0"


def options_sheet(book: Book) -> Sheet | None:
    """Each option: its figures (formulas over its interventions'), rank, incremental figures."""
    result = compare_options(book.appraisal)
    groups = option_members(book.portfolio)
    if result is None or groups is None:
        return None
    k = len(result.options)
    per, _ = book.engine
    structure = book.model.base.structure
    totals = [option_totals(per, structure, members) for members in groups]
    sheet = book.sheet(
        OPTIONS,
        freeze=cell(FIRST_ROW, 3),
        print_rows=f"{HEADER_ROW}:{HEADER_ROW}",
        print_cols="A:B",
        widths={1: 10, 2: 30, 3: 36, **{c: 16 for c in range(4, len(HEADERS) + 1)}},
    )
    sheet.put(1, 1, "Options: mutually exclusive, each judged against doing nothing", "title")
    sheet.put(
        2,
        1,
        "Only one option will be chosen, so each has its own figures and they are never added up. "
        "An option's money adds up its interventions' figures from the Summary (its block below); "
        "its ratios and payback year are the same formulas as the Summary's, over those sums. "
        "The incremental figures are over the next cheaper option by present value of cost.",
        "note",
    )
    sheet.put(
        3,
        1,
        "Rank: by NPV, highest first (equal NPVs: the cheaper by present value of cost, then the "
        "first listed). The rank and the comparisons were made at export: after editing Inputs, "
        "export again to re-rank.",
        "note",
    )
    sheet.row(HEADER_ROW, [(title(key), "header") for key in HEADERS])
    for c, key in enumerate(HEADERS, 1):
        sheet.notes[(HEADER_ROW, c)] = f"{KEY_NOTE}{key}"
    for j, option in enumerate(result.options):
        r = FIRST_ROW + j
        sheet.put(r, COL["option"], j + 1, "fixed:int")
        sheet.put(r, COL["name"], option.name, "user")
        sheet.put(r, COL["interventions"], ", ".join(option.interventions) or "none", "user")
    doing_nothing = FIRST_ROW + k  # a row of zeros, when an option is compared with doing nothing
    needs_nothing = any(o.compared_with == DOING_NOTHING for o in result.options)
    top = doing_nothing + (2 if needs_nothing else 1)
    blocks, top = _blocks(book, sheet, result, groups, top)
    top = _years(book, sheet, result, groups, totals, top)
    for j in range(k):
        _figures(book, sheet, j, blocks[j], totals[j])
    if needs_nothing:
        _doing_nothing(book, sheet, doing_nothing)
    for j in range(k):
        _comparison(book, sheet, result, j)
    _order_holds(book, sheet, result)
    _checks(book, sheet, result)
    sheet.decorate.append(_npv_chart(k, COL["npv"], top + 2))
    return sheet


def _blocks(
    book: Book, sheet: Sheet, result: Options, groups: list[list[int]], top: int
) -> tuple[list[tuple[int, int]], int]:
    """Each option's interventions, one row each, their figures from the Summary, in the same
    columns as the table above. Returns each block's first and last rows, and the next free row."""
    top += 1
    sheet.put(top, 1, "Each option's interventions, from the Summary", "section")
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
            for key in SUMS:
                anchor = book.at(f"summary.{key}.{i}")
                formula = Formula(anchor).cached(book.value_of(key, f"i{i}"))
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


def _doing_nothing(book: Book, sheet: Sheet, r: int) -> None:
    """Doing nothing, when no option in the file is: every figure 0 (it is the comparator)."""
    sheet.put(r, COL["name"], "Doing nothing (not an option in the file)", "text")
    for key in BASE.values():
        sheet.put(r, COL[key], 0, "fixed:money")
        book.place(key, owner(DOING_NOTHING), Cell(sheet.title, r, COL[key]))


def _comparison(book: Book, sheet: Sheet, result: Options, j: int) -> None:
    """Option j's rank and the option it is compared with (the engine's), and its increments."""
    option = result.options[j]
    r = FIRST_ROW + j
    sheet.put(r, COL["rank"], option.rank, "engine:int")
    compared = option.compared_with
    if compared is None or option.increments is None:
        sheet.put(r, COL["compared_with"], "nothing cheaper", "note")
        return
    name = "doing nothing" if compared == DOING_NOTHING else result.options[compared].name
    sheet.put(r, COL["compared_with"], name, "user")
    local = {key: Cell(sheet.title, r, COL[key]) for key in ("pv_cost", "pv_gross_savings", "npv")}
    for base, key in BASE.items():
        local[base] = book.where(key, owner(compared))
    for key in INCREMENTAL_KEYS:
        line = OPTION[key]
        value = shown(line, option.increments[key])
        style = f"output:{line.fmt}"
        book.write(sheet, key, owner(j), r, COL[key], style, local, OPTION, value=value)
        local[key] = Cell(sheet.title, r, COL[key])


def _order_holds(book: Book, sheet: Sheet, result: Options) -> None:
    """A live check that the rank and the comparisons made at export still hold: the NPVs still
    in rank order and the present values of cost still in the order they were compared in."""
    options = result.options
    by_rank = sorted(range(len(options)), key=lambda j: options[j].rank)
    by_cost = sorted(range(len(options)), key=lambda j: (options[j].figures["pv_cost"], j))

    def at(j: int, key: str) -> str:
        return cell(FIRST_ROW + j, COL[key], abs_row=True, abs_col=True)

    # 2 x (options - 1) conditions: within AND's 255 arguments for up to limits.MAX_OPTIONS.
    pairs = [f"{at(a, 'npv')}>={at(b, 'npv')}" for a, b in pairwise(by_rank)]
    pairs += [f"{at(a, 'pv_cost')}<={at(b, 'pv_cost')}" for a, b in pairwise(by_cost)]
    formula = Formula(f"AND({','.join(pairs) or 'TRUE'})", True)
    sheet.put(ORDER_ROW, 1, formula, "output")
    sheet.put(
        ORDER_ROW,
        2,
        "The rank and the comparisons made at export still hold (TRUE): the NPVs are still in "
        "rank order and the present values of cost in the order compared",
        "bold",
    )
    book.flags.append(
        ("the options' rank and comparisons still hold (Options)", book.ref(sheet, ORDER_ROW, 1))
    )


def _checks(book: Book, sheet: Sheet, result: Options) -> None:
    """Every figure of every option on the Checks sheet, against the engine's."""
    for j, record in enumerate(result.to_data()):
        r = FIRST_ROW + j
        keys = (
            FIGURE_KEYS if record["incremental_npv"] is None else (*FIGURE_KEYS, *INCREMENTAL_KEYS)
        )
        for key in keys:
            if key in REGISTRY:
                tolerance = REGISTRY[key].tolerance
            else:
                tolerance = TOLERANCE["money" if OPTION[key].unit == "£" else "ratio"]
            book.checks.append(
                Check(
                    book.ref(sheet, r, COL[key]),
                    f"option: {record['name']}",
                    key,
                    record[key],
                    tolerance,
                    _format(book, key),
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
