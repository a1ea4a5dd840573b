"""The `Programme` sheet: a programme against its outline business case, with live formulas.

Every figure is a line of `appraise.engine.programme` (whose docstring states the formulas), laid
out here: the programme's frame (investment in spend, the as-at month), its spend by financial
year and what is worked out from it, its targets and its savings targets. The inputs are the
programme file's figures (yellow: change one and every figure worked out from it moves; the file
itself is not changed). A figure the file does not give reads "not given" and the switch beside
it is 0: set the switch to 1 when you type a figure in. The Checks sheet compares every figure
with `appraise programme --format json`.

`appraise export PROGRAMME.yaml --xlsx OUT.xlsx` writes this sheet and its Checks sheet
(`programme_workbook_bytes`): a programme file names no portfolio, so its workbook holds no
appraisal. `programme_sheet(book)` builds the sheet for a Book carrying a programme's report as
`book.programme` (`ProgrammeBook`), and returns None for any other Book. It is registered in
`appraise.workbook.export.BUILDERS` (after Forecast), so a portfolio's Book that carries a
programme would get the sheet, and its Checks rows, in the appraisal workbook too.

Owners of placed lines: "" the programme (its frame and its years), "target<k>" its k-th target,
"saving<k>" its k-th savings target.

Layout: spend runs as the Forecast sheet's years do (column A the line, B its unit, C its key in
the JSON or a single figure, one column a financial year from D); targets and savings targets are
tables, a row each, with their JSON keys under the headers.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from appraise.analyses.programme import SAVINGS_STATUSES, ProgrammeReport
from appraise.engine.figures import TOLERANCE
from appraise.engine.programme import NOT_KNOWN, PROGRAMME, SAVINGS_STATUS_NAMES
from appraise.model.baseline import FIRST_YEAR, LAST_YEAR
from appraise.model.numbers import Domain
from appraise.model.programme import MAX_AMOUNT
from appraise.model.save import write_atomic
from appraise.workbook.book import Allowed, Book, Cell, Check, Row
from appraise.workbook.book import Column as ColumnPlace
from appraise.workbook.checks import checks_of
from appraise.workbook.writer import (
    Formula,
    Sheet,
    cell,
    quote_title,
    ref,
    render,
    settle_references,
)

PROGRAMME_SHEET = "Programme"
FIRST_YEAR_COL, YEAR_ROW = 4, 3  # column D; row 3 holds the financial years
NOT_GIVEN = "not given"
SPEND_INPUTS = (
    ("projected_spend", "projected_given"),
    ("actual_spend", "actual_given"),
    ("stated_avoided_spend", "stated_given"),
    ("investment", "investment_given"),
)
SPEND_LINES = (
    "avoided_from_spend",
    "avoided_known",
    "avoided_spend",
    "net_avoided_known",
    "net_avoided_spend",
    "avoided_counted",
    "avoided_unknown",
    "avoided_unknown_to_date",
    "cumulative_avoided_spend",
    "net_avoided_counted",
    "net_avoided_unknown",
    "net_avoided_unknown_to_date",
    "cumulative_net_avoided_spend",
)
# A year's figures in `appraise programme --format json`: (key, its line, its switch if it is an
# input the file may not give).
YEAR_FIGURES = (
    ("projected_spend", "projected_given"),
    ("actual_spend", "actual_given"),
    ("avoided_spend", None),
    ("investment", "investment_given"),
    ("net_avoided_spend", None),
    ("cumulative_avoided_spend", None),
    ("cumulative_net_avoided_spend", None),
)
OUTPUTS = frozenset(key for key, switch in YEAR_FIGURES if switch is None)
# Table columns: (header, JSON key or "", the line or input, role); text columns have no line.
Column = tuple[str, str, str | None, str]
TARGET_COLUMNS: tuple[Column, ...] = (
    ("Measure", "name", None, "user"),
    ("At (end of month)", "at", None, "text"),
    ("Better", "better", None, "text"),
    ("Target", "target", "target_value", "input"),
    ("Actual", "actual", "target_actual", "input"),
    ("Actual given (1 = yes)", "", "target_actual_given", "input"),
    ("Lower is better (1) or higher (0)", "", "lower_is_better", "input"),
    ("Variance (actual - target)", "variance", "target_variance", "calc"),
    ("Met (1 = yes)", "met", "target_met", "output"),
    ("Next target at", "next_at", None, "text"),
    ("Next target", "next_target", "next_target", "calc"),
    ("Has a next target (1 = yes)", "", "has_next", "fixed"),
    ("Still to go to the next target", "still_to_go", "still_to_go", "output"),
)
# The column of a target's input the file may not give, and its switch.
TARGET_SWITCHES = {"target_actual": "target_actual_given"}
CLASS_SWITCHES = ("class_cash_releasing", "class_capacity", "recurs_one_off")
# Each row's amounts by class, summed over the rows by the `by_class_*` lines.
CLASS_ROWS = (
    "achieved_counted",
    "target_cash_releasing",
    "target_capacity",
    "target_one_off",
    "achieved_cash_releasing",
    "achieved_capacity",
    "achieved_one_off",
)
SAVINGS_COLUMNS: tuple[Column, ...] = (
    ("Workstream", "workstream", None, "user"),
    ("Financial year", "year", None, "text"),
    ("Year it starts in", "", "savings_year", "fixed"),
    ("Target", "target", "savings_target", "input"),
    ("Achieved", "achieved", "savings_achieved", "input"),
    ("Achieved given (1 = yes)", "", "achieved_given", "input"),
    ("Forecast for the year", "forecast", "savings_forecast", "input"),
    ("Forecast given (1 = yes)", "", "forecast_given", "input"),
    ("Months of the year elapsed", "", "months_elapsed", "calc"),
    ("Share due by then", "", "due_by_elapsed", "calc"),
    ("Due to date", "due_to_date", "due_to_date", "calc"),
    ("Variance (achieved - target)", "variance", "savings_variance", "calc"),
    ("Year ended (1 = yes)", "", "year_ended", "calc"),
    (
        "Part-year: achieved to date in a year not ended (1 = yes)",
        "part_year",
        "part_year",
        "output",
    ),
    ("Status code", "", "savings_status_code", "calc"),
    ("Status", "status", "savings_status", "output"),
    ("Council reported", "reported_status", None, "user"),
    *((PROGRAMME[k].label, "", k, "input") for k in CLASS_SWITCHES),
    *((PROGRAMME[k].label, "", k, "calc") for k in CLASS_ROWS),
)
# The sums by class (a figure each, in column C), keyed as in the JSON's savings_by_class.
BY_CLASS = tuple(
    (figure, part)
    for figure in ("target", "achieved")
    # in the order the lines use each other: cost avoidance and recurring are what remains
    for part in ("total", "cash_releasing", "capacity", "cost_avoidance", "one_off", "recurring")
)
SAVINGS_SWITCHES = {"savings_achieved": "achieved_given", "savings_forecast": "forecast_given"}
BUDGET_COLUMNS: tuple[Column, ...] = (
    ("Budget line", "line", None, "user"),
    ("Period", "period", None, "text"),
    ("Figures are", "outturn_basis", None, "text"),
    ("Budget", "budget", "budget_amount", "input"),
    ("Budget given (1 = yes)", "", "budget_given", "input"),
    ("Outturn (actual, or forecast for a period not ended)", "outturn", "outturn", "input"),
    ("Outturn given (1 = yes)", "", "outturn_given", "input"),
    ("Variance as the report states it", "", "stated_variance", "input"),
    ("Variance stated (1 = yes)", "", "stated_variance_given", "input"),
    ("From outturn - budget (1 = yes)", "", "variance_from_outturn", "calc"),
    ("Variance against budget (+ overspend)", "variance", "budget_variance", "output"),
)
BUDGET_SWITCHES = {
    "budget_amount": "budget_given",
    "outturn": "outturn_given",
    "stated_variance": "stated_variance_given",
}
MONEY, COUNT = TOLERANCE["money"], TOLERANCE["count"]
# What each input may hold (the programme file's own bounds, appraise.model.programme).
AMOUNT = Domain(0.0, limit=MAX_AMOUNT, why="a typing slip")
SIGNED = Domain(limit=MAX_AMOUNT, why="a typing slip")
SWITCH = Allowed("names", names=("0", "1"))
ALLOWED = {
    "investment_in_spend": SWITCH,
    "as_at_given": SWITCH,
    "as_at_year": Allowed("whole", FIRST_YEAR, LAST_YEAR),
    "as_at_month": Allowed("whole", 1, 12),
    "stated_avoided_spend": Allowed.domain(SIGNED, text_too=NOT_GIVEN),
    "target_value": Allowed.domain(AMOUNT),
    "savings_target": Allowed.domain(AMOUNT),
}
GIVEN_GROUP = "Every figure typed in has its switch set to 1, and only those"


def _allowed(key: str) -> Allowed:
    """What a programme input may hold: a switch; a figure the file may leave out is a number
    or "not given"."""
    if key in ALLOWED:
        return ALLOWED[key]
    if key.endswith("_given") or key == "lower_is_better":
        return SWITCH
    return Allowed.domain(AMOUNT, text_too=NOT_GIVEN)


def _given(book: Book, value: Cell, switch: Cell, label: str) -> None:
    """A figure and its switch agree: a number where the switch is 1, "not given" where it is 0
    (a figure typed in without its switch would otherwise be ignored)."""
    v = cell(value.row, value.col, True, True)
    g = cell(switch.row, switch.col, True, True)
    prefix = quote_title(value.sheet)
    v, g = prefix + v, prefix + g
    book.sound.append(
        (
            GIVEN_GROUP,
            f"{v.replace('$', '')} {label} (its switch {g.replace('$', '')})",
            f'OR(AND({g}=1,ISNUMBER({v})),AND({g}=0,{v}="{NOT_GIVEN}"))',
        )
    )


@dataclass
class ProgrammeBook(Book):
    """A Book for a programme's workbook: it holds no portfolio (the Programme sheet uses only the
    Book's placing of cells and its writing of line formulas), and the programme's report."""

    programme: ProgrammeReport | None = None


def programme_book(report: ProgrammeReport, today: dt.date | None = None) -> ProgrammeBook:
    """A Book for `report`'s workbook (no portfolio, no appraisal)."""
    return ProgrammeBook(
        portfolio=None,  # type: ignore[arg-type]
        evidence={},
        model=None,  # type: ignore[arg-type]
        appraisal=None,  # type: ignore[arg-type]
        today=today or dt.date.today(),
        programme=report,
    )


def _shown(value: Any) -> Any:
    """A line's value as the sheet shows it: NOT_KNOWN where it is not known (NaN)."""
    value = float(value)
    return NOT_KNOWN if math.isnan(value) else value


def _style(role: str, key: str) -> str:
    return f"{role}:{PROGRAMME[key].fmt}" if role not in ("user", "text") else role


class _Layout:
    """The sheet's rows, placed one after another."""

    def __init__(self, book: Book, sheet: Sheet, report: ProgrammeReport):
        assert report.lines is not None
        self.book, self.sheet, self.report, self.r = book, sheet, report, YEAR_ROW
        self.laid = report.lines
        self.last = FIRST_YEAR_COL + len(self.laid.years) - 1
        self.rows: dict[str, int] = {}  # a spend line or input -> its row

    def heading(self, text: str) -> None:
        self.r += 2
        self.sheet.put(self.r, 1, text, "section")

    def note(self, text: str) -> None:
        self.r += 1
        self.sheet.put(self.r, 1, text, "note")

    def label(self, key: str, label: str = "", json_key: str = "") -> None:
        line = PROGRAMME[key]
        self.sheet.row(
            self.r, [(label or line.label, "text"), (line.unit, "text"), (json_key, "text")]
        )

    def figure(self, key: str, role: str, label: str = "") -> None:
        """A programme-wide input in column C."""
        self.r += 1
        line = PROGRAMME[key]
        self.sheet.row(self.r, [(label or line.label, "text"), (line.unit, "text")])
        value = float(self.laid.inputs[key])
        self.sheet.put(self.r, 3, value, _style(role, key))
        self.book.place(key, "", Cell(self.sheet.title, self.r, 3))
        if role == "input":
            self.book.input(self.sheet, self.r, 3, label or line.label, _allowed(key), value)

    def year_input(self, key: str, switch: str) -> None:
        """An input by year ("not given" where its switch is 0), then its switch."""
        values, given = self.laid.inputs[key], self.laid.inputs[switch]
        shown = [float(v) if g else NOT_GIVEN for v, g in zip(values, given, strict=True)]
        for line, row in ((key, shown), (switch, [float(g) for g in given])):
            self.r += 1
            self.label(line, json_key=key if line == key and key != "stated_avoided_spend" else "")
            for t, value in enumerate(row):
                col = FIRST_YEAR_COL + t
                self.sheet.put(self.r, col, value, _style("input", line))
                year = self.laid.years[t]
                label = f"{PROGRAMME[line].label}, {year}"
                self.book.input(self.sheet, self.r, col, label, _allowed(line), value)
            place = Row(self.sheet.title, self.r, FIRST_YEAR_COL, self.last, self.last)
            self.book.place(line, "", place)
            self.rows[line] = self.r
        for t in range(len(values)):
            col = FIRST_YEAR_COL + t
            label = f"{PROGRAMME[key].label}, {self.laid.years[t]}"
            here = Cell(self.sheet.title, self.rows[key], col)
            _given(self.book, here, Cell(self.sheet.title, self.rows[switch], col), label)

    def year_line(self, key: str) -> None:
        """A line across the financial years: its formula in every year's column."""
        self.r += 1
        self.label(key, json_key=key if key in OUTPUTS else "")
        self.book.write_years(
            self.sheet,
            key,
            "",
            self.r,
            FIRST_YEAR_COL,
            self.last,
            self.last,
            _style("output" if key in OUTPUTS else "calc", key),
            lines=PROGRAMME,
            values=[_shown(v) for v in self.laid.values[key]],
        )
        self.rows[key] = self.r

    def table(
        self,
        columns: tuple[Column, ...],
        owner: str,
        k: int,
        text: dict[str, str],
        switches: dict[str, str],
        special: dict[str, Any] | None = None,
    ) -> None:
        """One row of a table: text, inputs ("not given" where the switch is 0) and lines."""
        self.r += 1
        laid, book, sheet = self.laid, self.book, self.sheet
        for col, (_, json_key, key, role) in enumerate(columns, start=1):
            if key is None:
                sheet.put(self.r, col, text[json_key], role)
            elif special and key in special:
                special[key](self.r, col)
            elif PROGRAMME[key].is_input:
                given = key not in switches or laid.inputs[switches[key]][k]
                value = float(laid.inputs[key][k]) if given else NOT_GIVEN
                sheet.put(self.r, col, value, _style(role, key))
                book.place(key, owner, Cell(sheet.title, self.r, col))
                if role == "input":
                    label = f"{PROGRAMME[key].label} ({owner})"
                    book.input(sheet, self.r, col, label, _allowed(key), value)
            else:
                if key == "savings_status":  # its words, from its code
                    value: Any = SAVINGS_STATUS_NAMES[int(laid.values["savings_status_code"][k])]
                else:
                    value = _shown(laid.values[key][k])
                style = _style(role, key)
                book.write(sheet, key, owner, self.r, col, style, lines=PROGRAMME, value=value)
        for key, switch in switches.items():  # once both cells are placed
            at, given = book.where(key, owner), book.where(switch, owner)
            assert isinstance(at, Cell) and isinstance(given, Cell)
            _given(book, at, given, f"{PROGRAMME[key].label} ({owner})")

    def table_header(self, columns: tuple[Column, ...]) -> None:
        self.r += 1
        self.sheet.row(self.r, [(header, "header") for header, _, _, _ in columns])
        self.r += 1
        self.sheet.row(self.r, [(json_key, "note") for _, json_key, _, _ in columns])


def _frame(out: _Layout) -> None:
    """The programme-wide inputs: spend and investment, financial years, the as-at month."""
    inp, data = out.report.inp, out.report.to_data()
    out.heading("The programme")
    if inp.programme.description:
        out.note(inp.programme.description)
    if data["sources"]:
        out.note(f"Sources (evidence ids): {', '.join(data['sources'])}.")
    out.figure(
        "investment_in_spend",
        "input",
        "Actual spend already includes the investment (investment_in_spend, 1 = yes)",
    )
    out.figure("year_start_month", "fixed", "Financial years start in month (4 = April)")
    if inp.actuals is not None and inp.actuals.as_at is not None:
        how = "actuals.as_at"
    else:
        how = "the last month the actuals cover" if data["as_at"] else "no actuals"
    out.figure("as_at_year", "input", f"Actuals as at: year ({data['as_at'] or 'none'}: {how})")
    out.figure("as_at_month", "input", "Actuals as at: month (1 to 12)")
    out.figure("as_at_given", "input", "An as-at month is known (1 = yes)")


def _spend(out: _Layout) -> None:
    out.heading("Spend against the projection, by financial year: inputs")
    projection = out.report.projection_data()
    if projection["kind"] == "forecast":
        out.note(
            f"Projected spend: the {projection['cost']} of the baseline forecast "
            f"{projection['forecast_file']} ({projection['scenario']}), as `appraise forecast` "
            f"works it out; {projection['year_rule']}."
        )
    elif projection["kind"] == "by budget line":
        out.note(
            "Projected and actual spend: the sums of the budget lines (each line's figures are "
            "in `appraise programme --format json`, budget_lines)."
        )
    for key, switch in SPEND_INPUTS:
        out.year_input(key, switch)
    out.heading("Spend avoided, by financial year")
    for key in SPEND_LINES:
        out.year_line(key)


def _targets(out: _Layout) -> None:
    laid = out.laid
    out.heading("Measures against targets (a measure's value at the end of a month)")
    if not laid.targets:
        out.note("No targets.")
        return
    out.table_header(TARGET_COLUMNS)
    target_col = next(c for c, col in enumerate(TARGET_COLUMNS, start=1) if col[1] == "target")
    first = out.r + 1
    row_of = {(t.measure, t.at): first + g for g, (_, _, t, _) in enumerate(laid.targets)}
    for g, (name, info, t, after) in enumerate(laid.targets):
        owner = f"target{g}"

        def next_target(r: int, col: int, owner: str = owner, after: Any = after) -> None:
            # The next target's own cell: change it and still-to-go moves.
            if after is None:
                out.sheet.put(r, col, 0.0, _style("fixed", "next_target"))
            else:
                there = f"${get_column_letter(target_col)}${row_of[(after.measure, after.at)]}"
                formula = Formula(there, after.value)
                out.sheet.put(r, col, formula, _style("calc", "next_target"))
            out.book.place("next_target", owner, Cell(out.sheet.title, r, col))

        text = {
            "name": info.name or name,
            "at": t.at,
            "better": info.better,
            "next_at": after.at if after else "",
        }
        out.table(TARGET_COLUMNS, owner, g, text, TARGET_SWITCHES, {"next_target": next_target})


def _savings(out: _Layout) -> None:
    laid = out.laid
    as_at = out.report.to_data()["as_at"]
    out.heading(f"Savings against savings targets, as at {as_at or 'no date (no actuals)'}")
    if not laid.savings:
        out.note("No savings targets.")
        return
    out.table_header(SAVINGS_COLUMNS)
    for k, (t, s) in enumerate(laid.savings):
        text = {
            "workstream": t.workstream,
            "year": t.year,
            "reported_status": (s.reported_status if s else None) or "",
        }
        out.table(SAVINGS_COLUMNS, f"saving{k}", k, text, SAVINGS_SWITCHES)
    last = out.r
    out.note(
        "Status: the words for the status code (0 achieved, 1 on track, 2 at risk, 3 missed, "
        "4 not reported), which is worked out from the figures to its left:"
    )
    used = dict.fromkeys(SAVINGS_STATUS_NAMES[int(c)] for c in laid.values["savings_status_code"])
    for status in used:
        out.note(f"{status}: {SAVINGS_STATUSES[status]}.")
    _by_class(out, last - len(laid.savings) + 1, last)


def _by_class(out: _Layout, first: int, last: int) -> None:
    """The savings targets and the amounts achieved, summed by class and by recurrence: each a
    line over the table's columns, in column D (its JSON key in C). The columns are placed only
    after the rows' own formulas are written: a row's formula reads its own row's cells."""
    for col, (_, _, key, _) in enumerate(SAVINGS_COLUMNS, start=1):
        if key in ("savings_target", *CLASS_ROWS):
            out.book.place(key, "", ColumnPlace(out.sheet.title, first, last, col))
    out.heading("Savings targets and achieved, by class (docs/defaults.md)")
    out.note(
        "Each target is cash-releasing, capacity or (neither) cost avoidance, and recurring or "
        "one-off: set its switches in the table above and these sums move."
    )
    for figure, part in BY_CLASS:
        key = f"by_class_{figure}_{part}"
        out.r += 1
        split = "targets" if figure == "target" else "achieved"
        json_key = (
            f"savings_total.{figure}" if part == "total" else f"savings_by_class.{split}.{part}"
        )
        out.label(key, json_key=json_key)
        value = float(out.laid.values[key])
        out.book.write(
            out.sheet,
            key,
            "",
            out.r,
            FIRST_YEAR_COL,
            _style("output", key),
            lines=PROGRAMME,
            value=value,
        )
        out.rows[key] = out.r


def _budget(out: _Layout) -> None:
    """Budget monitoring as at the reporting date: each line's variance, a live formula."""
    data = out.report.to_data()
    if not data["budget"]:
        return
    out.heading(f"Budget monitoring as at {data['as_at']}")
    out.note(
        "Outturn: the actual for a period that has ended by the reporting date, the forecast "
        "outturn for one that has not (never an actual). Variance = outturn - budget where both "
        "are given, else the variance the report states; + is an overspend."
    )
    out.table_header(BUDGET_COLUMNS)
    for b, row in enumerate(data["budget"]):
        text = {
            "line": row["line"],
            "period": f"{row['period']} ({row['reads_as']})",
            # A period with no outturn given still is one or the other by the reporting date.
            "outturn_basis": row["outturn_basis"] or ("actual" if row["ended"] else "forecast"),
        }
        out.table(BUDGET_COLUMNS, f"budget{b}", b, text, BUDGET_SWITCHES)
    for row in data["budget"]:
        if row["reported"] or row["note"]:
            words = "; ".join(x for x in (row["reported"], row["note"]) if x)
            out.note(f"{row['line']} {row['period']}: {words}")


# ---------------------------------------------------------------------------------------------
# Checks: every figure of `appraise programme --format json` on the sheet
# ---------------------------------------------------------------------------------------------


def _check(book: Book, at: Cell, owner: str, figure: str, engine: Any, money: bool) -> None:
    """A Checks row: the sheet's cell against the engine's figure (NOT_KNOWN where it is null)."""
    value = NOT_KNOWN if engine is None else float(engine)
    book.checks.append(
        Check(
            ref(at.sheet, at.row, at.col),
            owner,
            figure,
            value,
            MONEY if money else COUNT,
            "money" if money else "",
        )
    )


def _check_row(
    book: Book,
    owner: str,
    record: dict[str, Any],
    columns: tuple[Column, ...],
    switches: dict[str, str],
    mine: str,
    money: bool,
) -> None:
    """Every figure of one target's or savings target's JSON record against its cell; a figure
    the file does not give against its switch (0)."""
    for _, json_key, key, _ in columns:
        if not json_key or key is None:
            continue
        value, figure = record[json_key], json_key
        if key == "savings_status":  # by its code: on Checks, any two texts compare equal
            key, value, figure = "savings_status_code", SAVINGS_STATUS_NAMES.index(value), "status"
        elif key == "next_target" and value is None:
            key, value, figure = "has_next", 0, "next_target given"
        elif key in switches and value is None:
            key, value, figure = switches[key], 0, f"{json_key} given"
        place = book.where(key, mine)
        assert isinstance(place, Cell)
        _check(book, place, owner, figure, value, money and PROGRAMME[key].fmt == "money")


def _checks(book: Book, out: _Layout) -> None:
    data = out.report.to_data()
    title = out.sheet.title
    for t, year in enumerate(data["years"]):
        col = FIRST_YEAR_COL + t
        for key, switch in YEAR_FIGURES:
            value, figure, line = year[key], key, key
            if switch is not None and value is None:
                value, figure, line = 0, f"{key} given", switch
            at = Cell(title, out.rows[line], col)
            _check(book, at, year["financial_year"], figure, value, line == key)
    for g, record in enumerate(data["targets"]):
        owner = f"{record['measure']} {record['at']}"
        _check_row(book, owner, record, TARGET_COLUMNS, TARGET_SWITCHES, f"target{g}", False)
    for k, record in enumerate(data["savings"]):
        owner = f"{record['workstream']} {record['year']}"
        _check_row(book, owner, record, SAVINGS_COLUMNS, SAVINGS_SWITCHES, f"saving{k}", True)
    if data["savings"]:
        for figure, part in BY_CLASS:
            key = f"by_class_{figure}_{part}"
            split = data["savings_by_class"]["targets" if figure == "target" else figure]
            engine = data["savings_total"][figure] if part == "total" else split[part]
            at = Cell(title, out.rows[key], FIRST_YEAR_COL)
            _check(book, at, f"savings by class: {figure}", part, engine, True)
    for b, record in enumerate(data["budget"]):
        owner = f"{record['line']} {record['period']}"
        _check_row(book, owner, record, BUDGET_COLUMNS, BUDGET_SWITCHES, f"budget{b}", True)


# ---------------------------------------------------------------------------------------------
# The sheet and the workbook
# ---------------------------------------------------------------------------------------------


def programme_sheet(book: Book) -> Sheet | None:
    """The programme by financial year, its targets and its savings targets; None unless the Book
    carries a programme (`ProgrammeBook`)."""
    report = getattr(book, "programme", None)
    if report is None:
        return None
    years = report.lines.years
    last_col = FIRST_YEAR_COL + len(years) - 1
    sheet = book.sheet(
        PROGRAMME_SHEET,
        freeze=cell(YEAR_ROW + 1, FIRST_YEAR_COL),
        print_rows=f"{YEAR_ROW}:{YEAR_ROW}",
        print_cols="A:C",
        widths={1: 64, 2: 12, 3: 26, **{c: 14 for c in range(FIRST_YEAR_COL, last_col + 1)}},
    )
    name = report.inp.programme.name
    sheet.put(1, 1, f"Programme: {name}, against its outline business case", "title")
    sheet.put(
        2,
        1,
        "£ by financial year. Yellow cells are the programme file's figures: change one and the "
        "figures worked out from it move (the file is not changed). A figure the file does not "
        "give reads 'not given', its switch 0: set the switch to 1 when you type one in. "
        f"'{NOT_KNOWN}': a figure that cannot be worked out. Column C and the rows under the "
        "tables' headers: the key in `appraise programme --format json`.",
        "note",
    )
    headers = [("Financial year", "header"), ("Unit", "header"), ("Key, or figure", "header")]
    sheet.row(YEAR_ROW, headers)
    first_month, last_month = YEAR_ROW + 1, YEAR_ROW + 2
    sheet.row(first_month, [("First month", "text"), ("", "text"), ("first_month", "text")])
    sheet.row(last_month, [("Last month", "text"), ("", "text"), ("last_month", "text")])
    for t, year in enumerate(report.years):
        sheet.put(YEAR_ROW, FIRST_YEAR_COL + t, year["financial_year"], "header")
        sheet.put(first_month, FIRST_YEAR_COL + t, year["first_month"], "text")
        sheet.put(last_month, FIRST_YEAR_COL + t, year["last_month"], "text")
    out = _Layout(book, sheet, report)
    out.r = last_month
    _frame(out)
    _spend(out)
    _targets(out)
    _savings(out)
    _budget(out)
    _checks(book, out)
    for col in range(
        FIRST_YEAR_COL, FIRST_YEAR_COL + max(len(SAVINGS_COLUMNS), len(BUDGET_COLUMNS))
    ):
        sheet.widths.setdefault(col, 14)
    return sheet


def programme_workbook_bytes(report: ProgrammeReport, today: dt.date | None = None) -> bytes:
    """A programme's workbook: the Programme sheet and its Checks (`appraise export PROGRAMME`)."""
    from appraise.version import __version__
    from appraise.workbook.formulas import formula_check_sheet
    from appraise.workbook.integrity import integrity_sheet

    book = programme_book(report, today)
    for build in (programme_sheet, formula_check_sheet, integrity_sheet):
        sheet = build(book)
        assert sheet is not None
        book.built.append(sheet)
    sheets = [*book.built, checks_of(book, book.checks)]
    order = [sheets[0], sheets[3], sheets[2], sheets[1]]  # Programme, Checks, Integrity, hidden
    settle_references(order)
    props = {
        "title": f"Programme: {report.inp.programme.name}",
        "creator": f"appraise {__version__}",
    }
    return render(order, props)


def export_programme_workbook(report: ProgrammeReport, path: str | Path) -> Path:
    """Write a programme's workbook to `path` atomically (a failed export leaves no file)."""
    return write_atomic(Path(path), programme_workbook_bytes(report))
