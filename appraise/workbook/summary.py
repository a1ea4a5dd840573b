"""The `Summary` sheet: the headline figures, one row per intervention and the portfolio total.

Row 1 holds each figure's name (the registry of result figures), with its JSON key
(`appraise evaluate --format json`) in the cell's note; each cell points at the line on
Calculations or Cash flows where the figure is worked out. The total row adds up the figures that
sum and applies the line's own formula to the others (a ratio of totals). A portfolio of options
has no total row (its interventions are alternatives): a row per option instead, from the Options
sheet, never added up.
"""

from __future__ import annotations

from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.worksheet.worksheet import Worksheet

from appraise.engine.figures import FIGURES as REGISTRY
from appraise.engine.lines import LINES
from appraise.engine.ops import INFINITE, NEVER
from appraise.engine.results import INTERVENTION_KEYS, PORTFOLIO_KEYS
from appraise.workbook.book import SUMMARY, Book, Cell
from appraise.workbook.calculations import rate_format
from appraise.workbook.writer import Formula, Sheet, cell

# The Summary's figures (JSON keys of `appraise evaluate --format json`, in its order): the
# numbers of each intervention's record that have a line on Calculations or Cash flows.
FIGURES = tuple(
    k
    for k in INTERVENTION_KEYS
    if k in LINES
    and REGISTRY[k].kind != "text"
    and k not in ("effect_raw", "optimism_bias", "non_uk_haircut", "treated_risk")
    and k not in ("cashable_outcome_cost", "cases_per_success_at_break_even", "safety_margin")
    and k not in ("cases_costed", "additionality")
)
SUMMARY_KEYS = ("id", "name", *FIGURES)
MONEY = frozenset(k for k in FIGURES if REGISTRY[k].kind == "money")


def figure_format(book: Book, key: str, i: int | None) -> str:
    """The number format of a figure: per-case rates as numbers, other rates as percentages."""
    figure = REGISTRY[key]
    if figure.per_case:
        return rate_format(book, i) if i is not None else "pct2"
    return figure.fmt


KEY_NOTE = "JSON key: "  # each header's note: the figure's key in `appraise evaluate` JSON


def header(key: str) -> str:
    """A Summary column's heading: the figure's name."""
    return {"id": "Intervention", "name": "Name"}.get(key) or REGISTRY[key].title


def summary_sheet(book: Book) -> Sheet:
    """Row 1: the figures' names (JSON keys in notes); one row per intervention, then the total;
    a chart of net savings."""
    n = book.n
    # Wide enough for the key in the note too: a reader may go by either.
    widths = {c: max(12, len(key) + 2) for c, key in enumerate(SUMMARY_KEYS, 1)}
    widths[1] = max(14, *(len(item.id) + 2 for item in book.model.interventions))
    widths[2] = 36
    sheet = book.sheet(
        SUMMARY,
        freeze="C2",
        print_rows="1:1",
        print_cols="A:B",
        widths=widths,
    )
    sheet.row(1, [(header(key), "header") for key in SUMMARY_KEYS])
    cols = {key: c for c, key in enumerate(SUMMARY_KEYS, 1)}
    for key, c in cols.items():
        meaning = "" if key in ("id", "name") else f" ({REGISTRY[key].explained})"
        sheet.notes[(1, c)] = f"{KEY_NOTE}{key}{meaning}"
    # Each figure's style, where it is the same for every intervention (a per-case rate's is not).
    styles = {
        key: None if REGISTRY[key].per_case else f"output:{figure_format(book, key, None)}"
        for key in FIGURES
    }
    for i, item in enumerate(book.model.interventions):
        r, owner = i + 2, f"i{i}"
        sheet.put(r, 1, item.id, "user")
        sheet.put(r, 2, item.name, "user_wrap")
        for key, style in styles.items():
            if style is None:
                style = f"output:{figure_format(book, key, i)}"
            book.show(sheet, r, cols[key], key, owner, style)
    for key in SUMMARY_KEYS[2:]:
        for i in range(n):
            book.anchor(f"summary.{key}.{i}", sheet, i + 2, cols[key])
    if book.portfolio.options is None:
        below = _total_row(book, sheet, cols)
    else:
        below = _option_rows(book, sheet, cols)
    sheet.put(
        below + 1,
        1,
        f'Ratios with a zero denominator show as text ("{NEVER}", "{INFINITE}"), as the '
        "engine's JSON shows null. "
        + (
            "The total row leaves blank the figures that do not add up across different outcomes."
            if book.portfolio.options is None
            else "The options are alternatives, so nothing here adds them up: each option's "
            "row is its own interventions' figures (Options sheet)."
        ),
        "note",
    )
    flags = [f for r in book.results["interventions"] for f in r["flags"]]
    for k, flag in enumerate(flags):  # an effect seen over part of a year, taken as a year's
        sheet.put(below + 2 + k, 1, f"FLAG: {flag}.", "note")
    chart_row = below + 3 + len(flags)
    sheet.decorate.append(_net_savings_chart(n, cols["net_savings"], chart_row))
    return sheet


def _total_row(book: Book, sheet: Sheet, cols: dict[str, int]) -> int:
    """The portfolio's total row; returns its row."""
    n = book.n
    total = n + 2
    sheet.put(total, 1, "total", "bold")
    sheet.put(total, 2, "Portfolio total", "bold")
    # Sums first: the total's ratios are the same formulas over them.
    for key in sorted(FIGURES, key=lambda k: LINES[k].total != "sum"):
        if key not in PORTFOLIO_KEYS:
            continue  # no portfolio figure: reach and outcomes of different kinds don't add up
        style = f"output:{figure_format(book, key, None)}"
        if LINES[key].total == "sum":
            letter = cell(1, cols[key])[:-1]
            total_sum = Formula(f"SUM({letter}2:{letter}{n + 1})").cached(
                book.value_of(key, "total")
            )
            sheet.put(total, cols[key], total_sum, style)
            book.place(key, "total", Cell(sheet.title, total, cols[key]))
        else:
            book.write(sheet, key, "total", total, cols[key], style)
        book.anchor(f"summary.{key}.total", sheet, total, cols[key])
    return total


def _option_rows(book: Book, sheet: Sheet, cols: dict[str, int]) -> int:
    """A row per option, its figures from the Options sheet; returns the last row."""
    r = book.n + 3
    sheet.put(r, 1, "Options: only one will be chosen, so they are never added up", "section")
    for name, cells in book.option_figures:
        r += 1
        sheet.put(r, 1, "option", "bold")
        sheet.put(r, 2, name, "user_wrap")
        for key, formula in cells.items():
            if key in cols:
                sheet.put(r, cols[key], formula, f"output:{figure_format(book, key, None)}")
    return r


def _net_savings_chart(n: int, col: int, row: int) -> Any:
    def add(ws: Worksheet) -> None:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Net savings by intervention (£ a year)"
        chart.add_data(Reference(ws, min_col=col, min_row=1, max_row=n + 1), titles_from_data=True)
        ids = Reference(ws, min_col=1, min_row=2, max_row=n + 1)
        chart.series[0].cat = AxDataSource(strRef=StrRef(f=str(ids)))  # ids are text
        chart.legend = None
        chart.x_axis.delete = False
        chart.x_axis.scaling.orientation = "maxMin"  # first intervention at the top, as listed
        chart.x_axis.tickLblPos = "low"  # names clear of the bars that go below zero
        chart.y_axis.delete = False
        chart.y_axis.numFmt = '"£"#,##0'
        chart.y_axis.title = "£ a year"
        chart.width = 24
        chart.height = max(7.5, 0.5 * n + 3)
        ws.add_chart(chart, f"A{row}")

    return add
