"""The `Options` sheet (a portfolio with `options:` only): each option's figures, its rank and its
incremental NPV and benefit-cost ratio over the next cheaper option, as live formulas.

An option's figure that sums (cost, savings, present values, NPV) adds up the Summary's cells of
its interventions: a SUMIF over the Summary's column, keyed by the table of which option each
intervention is in. Its ratios and payback year are the lines' own formulas (`appraise.engine.lines`)
written over those sums, as the Summary's total row does; the payback year runs over the option's
cash flows, added up the same way from Cash flows. The incremental figures are the line
definitions of `appraise.engine.options`, written over the option's cells and those of the option
it is compared with. The rank and which option is the next cheaper are the engine's, typed in at
export. Every figure is registered on the Checks sheet against `appraise evaluate --format json`.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

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
)
from appraise.engine.evaluate import needed
from appraise.engine.figures import FIGURES as REGISTRY
from appraise.engine.figures import TOLERANCE
from appraise.engine.lines import LINES
from appraise.engine.options import INCREMENTAL_KEYS, OPTION
from appraise.workbook.book import Book, Cell, Check, Row
from appraise.workbook.summary import figure_format
from appraise.workbook.writer import Formula, Sheet, cell

OPTIONS = "Options"
HEADER_ROW = 5
FIRST_ROW = HEADER_ROW + 1
FIRST_YEAR_COL = 4  # column D, as on Cash flows
# Columns: the option's number (what SUMIF matches: a name could hold * or ?), then the JSON keys
# of `options[]` in `appraise evaluate --format json`.
HEADERS = ("option", *OPTION_KEYS)
COL = {key: c for c, key in enumerate(HEADERS, 1)}
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


def owner(k: int) -> str:
    """The owner of option k's placed lines."""
    return f"option{k}"


def _format(book: Book, key: str) -> str:
    return figure_format(book, key, None) if key in REGISTRY else OPTION[key].fmt


def options_sheet(book: Book) -> Sheet | None:
    """Each option: its figures (formulas over its interventions'), rank, incremental figures."""
    result = compare_options(book.appraisal)
    if result is None:
        return None
    k = len(result.options)
    sheet = book.sheet(
        OPTIONS,
        freeze=cell(FIRST_ROW, 3),
        print_rows=f"{HEADER_ROW}:{HEADER_ROW}",
        print_cols="A:B",
        pages_wide=2,
        widths={1: 10, 2: 30, 3: 36, **{c: 16 for c in range(4, len(HEADERS) + 1)}},
    )
    sheet.put(1, 1, "Options: mutually exclusive, each judged against doing nothing", "title")
    sheet.put(
        2,
        1,
        "Only one option will be chosen, so each has its own figures and they are never added up. "
        "An option's money adds up the Summary's figures of its interventions (the table below "
        "says which option each is in); its ratios and payback year are the same formulas as the "
        "Summary's, over those sums.",
        "note",
    )
    sheet.put(
        3,
        1,
        "Rank: by NPV, highest first (equal NPVs: the cheaper by present value of cost, then the "
        "first listed). Each option is compared with the next cheaper by present value of cost; "
        "the incremental NPV and benefit-cost ratio are what spending the difference adds. The "
        "rank and the comparison were made at export: after editing Inputs, export again to re-rank.",
        "note",
    )
    sheet.row(HEADER_ROW, [(key, "header") for key in HEADERS])
    doing_nothing = FIRST_ROW + k  # a row of zeros, when an option is compared with doing nothing
    needs_nothing = any(o.compared_with == DOING_NOTHING for o in result.options)
    members_row = doing_nothing + (3 if needs_nothing else 2)
    membership = _membership(book, sheet, result, members_row)
    years_row = members_row + book.n + 3
    for j, option in enumerate(result.options):
        r = FIRST_ROW + j
        sheet.put(r, COL["option"], j + 1, "fixed:int")
        sheet.put(r, COL["name"], option.name, "user")
        sheet.put(r, COL["interventions"], ", ".join(option.interventions) or "none", "user")
    years_row = _years(book, sheet, result, years_row)
    for j in range(k):
        _figures(book, sheet, j, membership)
    if needs_nothing:
        _doing_nothing(book, sheet, doing_nothing)
    for j in range(k):
        _comparison(book, sheet, result, j)
    _order_holds(book, sheet, result)
    _checks(book, sheet, result)
    sheet.decorate.append(_npv_chart(k, COL["npv"], years_row + 2))
    return sheet


def _membership(book: Book, sheet: Sheet, result: Options, top: int) -> tuple[str, int, int]:
    """The table of which option each intervention is in, one row each in the Summary's order.

    Returns the range of its option numbers (the SUMIF key) and its first and last rows.
    """
    sheet.put(top, 1, "Which option each intervention is in (in the Summary's order)", "section")
    sheet.row(top + 1, [("option", "header"), ("id", "header"), ("option name", "header")])
    number = {ident: j + 1 for j, o in enumerate(result.options) for ident in o.interventions}
    first = top + 2
    for i, item in enumerate(book.model.interventions):
        j = number[item.id]
        sheet.row(
            first + i,
            [(j, "fixed:int"), (item.id, "user"), (result.options[j - 1].name, "user")],
        )
    last = first + book.n - 1
    return f"$A${first}:$A${last}", first, last


def _summary_column(book: Book, key: str) -> str:
    """The Summary's cells of `key` for every intervention, as one absolute range."""
    first = book.at(f"summary.{key}.0")
    last = book.at(f"summary.{key}.{book.n - 1}")
    return f"{first}:{last.rsplit('!', 1)[-1]}"


def _figures(book: Book, sheet: Sheet, j: int, membership: tuple[str, int, int]) -> None:
    """Option j's figures: sums over its interventions, then the lines' formulas over them."""
    r = FIRST_ROW + j
    key_cell = cell(r, COL["option"], abs_row=True, abs_col=True)
    numbers = membership[0]
    # Sums first: the ratios and the payback year are the same formulas over them.
    for key in sorted(FIGURE_KEYS, key=lambda x: LINES[x].total != "sum"):
        style = f"output:{_format(book, key)}"
        if LINES[key].total == "sum":
            formula = f"SUMIF({numbers},{key_cell},{_summary_column(book, key)})"
            sheet.put(r, COL[key], Formula(formula), style)
            book.place(key, owner(j), Cell(sheet.title, r, COL[key]))
        else:
            book.write(sheet, key, owner(j), r, COL[key], style)


def _years(book: Book, sheet: Sheet, result: Options, top: int) -> int:
    """Each option's cash flows, added up from Cash flows, as far as its payback year needs.

    Returns the next free row.
    """
    h = book.horizon
    last_col = FIRST_YEAR_COL + h - 1
    sheet.put(top, 1, "Cash flows by option (for its payback year)", "section")
    header = top + 1
    sheet.row(header, [("Year", "header"), ("", "header"), ("", "header")])
    for t in range(1, h + 1):
        sheet.put(header, FIRST_YEAR_COL + t - 1, t, "header")
    r = header
    blocks: dict[str, tuple[int, int]] = {}
    for key in YEAR_LINES:
        if LINES[key].total != "sum":
            continue
        r += 2
        sheet.put(r, 1, f"{LINES[key].label}: each intervention's, from Cash flows", "bold")
        first = r + 1
        for i, item in enumerate(book.model.interventions):
            r += 1
            j = next(n for n, o in enumerate(result.options, 1) if item.id in o.interventions)
            sheet.row(r, [(j, "fixed:int"), (item.id, "user"), (LINES[key].unit, "text")])
            for t in range(1, h + 1):
                source = book.year_cell(key, f"i{i}", t)
                assert source is not None, (key, i, t)
                sheet.put(r, FIRST_YEAR_COL + t - 1, Formula(source), f"calc:{LINES[key].fmt}")
        blocks[key] = (first, r)
    for j, option in enumerate(result.options):
        r += 2
        sheet.put(r, 1, j + 1, "fixed:int")
        sheet.put(r, 2, option.name, "user")
        key_cell = cell(FIRST_ROW + j, COL["option"], abs_row=True, abs_col=True)
        for key in YEAR_LINES:
            r += 1
            line = LINES[key]
            sheet.row(r, [None, (line.label, "text"), (line.unit, "text")])
            style = f"calc:{line.fmt}"
            if line.total == "sum":
                first, last = blocks[key]
                for col in range(FIRST_YEAR_COL, last_col + 1):
                    letter = get_column_letter(col)
                    formula = (
                        f"SUMIF($A${first}:$A${last},{key_cell},{letter}${first}:{letter}${last})"
                    )
                    sheet.put(r, col, Formula(formula), style)
                book.place(key, owner(j), Row(sheet.title, r, FIRST_YEAR_COL, last_col, last_col))
            else:
                book.write_years(sheet, key, owner(j), r, FIRST_YEAR_COL, last_col, last_col, style)
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
    if compared is None:
        sheet.put(r, COL["compared_with"], "nothing cheaper", "note")
        return
    name = "doing nothing" if compared == DOING_NOTHING else result.options[compared].name
    sheet.put(r, COL["compared_with"], name, "user")
    local = {key: Cell(sheet.title, r, COL[key]) for key in ("pv_cost", "pv_gross_savings", "npv")}
    for base, key in BASE.items():
        local[base] = book.where(key, owner(compared))
    for key in INCREMENTAL_KEYS:
        book.write(sheet, key, owner(j), r, COL[key], f"output:{OPTION[key].fmt}", local, OPTION)
        local[key] = Cell(sheet.title, r, COL[key])


ORDER_ROW = HEADER_ROW - 1


def _order_holds(book: Book, sheet: Sheet, result: Options) -> None:
    """A live check that the rank and the comparisons made at export still hold: the NPVs still
    in rank order and the present values of cost still in the order they were compared in."""
    options = result.options
    by_rank = sorted(range(len(options)), key=lambda j: options[j].rank)
    by_cost = sorted(range(len(options)), key=lambda j: (options[j].figures["pv_cost"], j))

    def at(j: int, key: str) -> str:
        return cell(FIRST_ROW + j, COL[key], abs_row=True, abs_col=True)

    # 2 x (options - 1) conditions: within AND's 255 arguments for up to MAX_OPTIONS options.
    pairs = [f"{at(a, 'npv')}>={at(b, 'npv')}" for a, b in pairwise(by_rank)]
    pairs += [f"{at(a, 'pv_cost')}<={at(b, 'pv_cost')}" for a, b in pairwise(by_cost)]
    sheet.put(ORDER_ROW, 1, Formula(f"AND({','.join(pairs) or 'TRUE'})"), "output")
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
    data = result.to_data()
    for j, record in enumerate(data):
        r = FIRST_ROW + j
        keys = (
            FIGURE_KEYS if record["incremental_npv"] is None else (*FIGURE_KEYS, *INCREMENTAL_KEYS)
        )
        for key in keys:
            if key in REGISTRY:
                tolerance = REGISTRY[key].tolerance
            else:
                tolerance = TOLERANCE["money" if OPTION[key].unit == "£" else "ratio"]
            fmt = _format(book, key) if key not in ("bcr", "roi", "incremental_bcr") else ""
            book.checks.append(
                Check(
                    book.ref(sheet, r, COL[key]),
                    f"option: {record['name']}",
                    key,
                    record[key],
                    tolerance,
                    fmt,
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
