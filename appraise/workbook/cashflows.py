"""The `Cash flows` sheet: cohorts on a timeline, costs and savings by year, present values, payback.

Every row is a line of `appraise.engine.lines`, whose comment explains the timeline: one cohort's
cost and savings profile by year, summed over the cohorts running, then the year's flows,
discounting, present values and payback. Each intervention has a block; the portfolio's block
adds up the interventions' flows by structure (the table at the foot of the sheet lists each
intervention's figure beside the others), then applies the same formulas.

When the portfolio has a baseline, the lines the Forecast sheet needs (cohorts, cost, outcomes
averted) run on past the horizon for the interventions it counts, over every forecast year from the
portfolio's year 1, as `appraise.analyses.forecast.with_portfolio` runs them; totals, present
values and payback still count the horizon only.
"""

from __future__ import annotations

from bisect import bisect_right

from openpyxl.utils import get_column_letter

from appraise.engine import core
from appraise.engine.evaluate import needed
from appraise.engine.lines import LINES
from appraise.model.discounting import Schedule, bands_within
from appraise.workbook.book import CASH_FLOWS, Book, Cell, Check, Row
from appraise.workbook.inputs import DISCOUNT_BAND
from appraise.workbook.writer import Formula, Sheet, cacheable
from appraise.workbook.yearline import COLUMN

FIRST_YEAR_COL = 4  # column D
YEAR_ROW = 3
# Rows 4 to 6 (5 to 7 under a row of financial years, where the portfolio gives `start`).
HEADERS = ("year_start_month", "year_end_month", "discount_factor")
# Figures of each intervention the year lines use, shown in column C (from Inputs, Calculations).
VALUES = (
    "cohorts",
    "ramp_up",
    "cost_months",
    "benefit_lag_months",
    "benefit_years",
    "annual_decay",
    "cost",
    "outcomes_averted",
    "gross_savings",
    "cashable_gross_savings",
    "cost_avoidance_savings",
    "capacity_savings",
    "one_off_savings",
    "cashable_one_off_savings",
    "cost_avoidance_one_off_savings",
    "capacity_one_off_savings",
    "recurring_savings",
    "cashable_share",
)
YEARS = (
    "cohorts_running",
    "cost_profile",
    "cost_profile_to_date",
    "cost_weight",
    "benefit_year_first",
    "benefit_year_first_months",
    "benefit_year_first_weight",
    "benefit_year_next",
    "benefit_year_next_months",
    "benefit_year_next_weight",
    "benefit_profile",
    "benefit_profile_to_date",
    "benefit_weight",
    "one_off_profile",
    "one_off_profile_to_date",
    "one_off_weight",
    "year_outcomes_averted",
    "year_cost",
    "year_gross_savings",
    "year_cashable_gross_savings",
    "year_cost_avoidance_savings",
    "year_capacity_savings",
    "year_recurring_savings",
    "year_one_off_savings",
    "year_cashable_net_savings",
    "year_net_savings",
    "year_cumulative_net",
    "year_discounted_net",
    "year_cumulative_discounted_net",
    "year_paid_back",
    "year_paid_back_discounted",
)
RESULTS = (
    "cost_pv_factor",
    "benefit_pv_factor",
    "one_off_pv_factor",
    "pv_cost",
    "pv_gross_savings",
    "npv",
    "bcr",
    "payback_year",
    "discounted_payback_year",
)
# Lines whose horizon total column C shows (flows of money or outcomes).
FLOWS = {k for k in YEARS if LINES[k].unit in ("£", "outcomes") and "cumulative" not in k}
# The lines the Forecast sheet takes from Cash flows, and everything they are worked out from.
FORECAST_LINES = ("year_cost", "year_outcomes_averted")
EXTENDED = needed(frozenset(FORECAST_LINES))


def forecast_run(book: Book) -> tuple[int, set[int]]:
    """Years of cash flows the Forecast sheet needs, and the interventions it counts."""
    comparison, _ = book.comparison
    if comparison is None:
        return 0, set()
    years = int(comparison.lines["portfolio_year"].max())
    return years, {book.model.ids.index(i) for i in comparison.interventions}


class Layout:
    """Rows placed one after another on the sheet, each a line of years or a figure in column C."""

    def __init__(self, book: Book, sheet: Sheet, row: int, horizon: int):
        self.book, self.sheet, self.r, self.horizon = book, sheet, row, horizon
        self.last = FIRST_YEAR_COL + horizon - 1
        # The horizon's columns, as a row's SUM gives them: "D" and "H" in D5:H5.
        self.span = (get_column_letter(FIRST_YEAR_COL), get_column_letter(self.last))
        # The label of a figure shown from another sheet, made once for every intervention's.
        self.shown_labels: dict[tuple[str, str], str] = {}

    def heading(self, text: str) -> None:
        self.r += 2
        self.sheet.put(self.r, 1, text, "section")

    def label(self, key: str) -> None:
        # Two cells: two `put`s, quicker than a `Sheet.row` of them (issue 27).
        line = LINES[key]
        self.sheet.put(self.r, 1, line.label, "text")
        self.sheet.put(self.r, 2, line.unit, "text")

    def years(self, key: str, owner: str, end: int, local: dict | None = None) -> None:
        """A line across the years (to column `end`); its horizon total in C if it is a flow."""
        self.r += 1
        self.label(key)
        line = LINES[key]
        role = "calc"
        if end > self.last:  # run on past the horizon for the Forecast sheet
            values = self.book.years_of(key, owner, end - FIRST_YEAR_COL + 1)
            horizon = None
        else:
            values = horizon = self.book.value_of(key, owner)
        self.book.write_years(
            self.sheet,
            key,
            owner,
            self.r,
            FIRST_YEAR_COL,
            self.last,
            end,
            f"{role}:{line.fmt}",
            local,
            values=values,
        )
        if key in FLOWS:
            self.horizon_total(key, owner, horizon)

    def horizon_total(self, key: str, owner: str, values: list | None = None) -> None:
        """A flow's total over the horizon, in column C (`values`: the line's, if at hand)."""
        first, last = self.span
        span = f"{first}{self.r}:{last}{self.r}"
        if values is None:
            values = self.book.value_of(key, owner)
        total = sum(values[: self.horizon])
        self.sheet.put_formula(
            self.r, 3, f"SUM({span})", cacheable(total), f"calc:{LINES[key].fmt}"
        )

    def value(self, key: str, owner: str, local: dict | None = None) -> None:
        """A figure in column C: its line's formula."""
        self.r += 1
        self.label(key)
        role = (
            "output" if key in ("npv", "bcr", "payback_year", "discounted_payback_year") else "calc"
        )
        self.book.write(self.sheet, key, owner, self.r, 3, f"{role}:{LINES[key].fmt}", local)

    def shown(self, key: str, owner: str, source: str) -> Cell:
        """A figure from another sheet, shown in column C for the lines beside it to read."""
        self.r += 1
        line = LINES[key]
        label = self.shown_labels.get((key, source))
        if label is None:
            label = self.shown_labels[(key, source)] = f"{line.label} ({source})"
        self.sheet.put(self.r, 1, label, "text")
        self.sheet.put(self.r, 2, line.unit, "text")
        self.book.show(self.sheet, self.r, 3, key, owner, f"calc:{line.fmt}")
        return Cell(self.sheet.title, self.r, 3)


def _schedule_row(layout: Layout, end: int) -> None:
    """Under a schedule, the rate of each year: its band's cell on Inputs (year 1, which is not
    discounted, shows the first band's), so an edit of a band's rate moves every year it covers."""
    book, sheet = layout.book, layout.sheet
    layout.r += 1
    layout.label("discount_rate")
    rate = book.portfolio.discount_rate
    assert isinstance(rate, Schedule)
    bands = bands_within(rate, book.horizon)  # the bands on Inputs; the last runs on past it
    starts = [year for year, _ in bands]
    values = book.value_of("discount_rate", "")
    for t, col in enumerate(range(FIRST_YEAR_COL, end + 1)):
        j = bisect_right(starts, t) - 1  # the band holding the Green Book's year t
        cached = values[t] if t < len(values) else bands[j][1]
        sheet.put(
            layout.r, col, Formula(book.at(DISCOUNT_BAND, f"b{j}")).cached(cached), "calc:pct2"
        )
    book.place("discount_rate", "", Row(sheet.title, layout.r, FIRST_YEAR_COL, layout.last, end))


def _intervention_block(layout: Layout, i: int, run: int) -> None:
    """One intervention: the figures its years use, its years, its present values and payback."""
    book = layout.book
    item, owner = book.model.interventions[i], f"i{i}"
    layout.sheet.row_breaks.append(layout.r + 1)  # each intervention starts a printed page
    layout.heading(f"{item.id}: {item.name}")
    local = {}
    for key in VALUES:
        source = "Inputs" if LINES[key].is_input else "Calculations"
        local[key] = layout.shown(key, owner, source)
    for key in YEARS:
        extended = run > layout.horizon and key in EXTENDED
        end = FIRST_YEAR_COL + (run if extended else layout.horizon) - 1
        layout.years(key, owner, end, local)
    for key in RESULTS:
        layout.value(key, owner, local)
    if item.contract is not None and item.contract.pays_outcomes:
        _contract_block(layout, i, local)


# An outcome contract's lines (docs/outcome-contracts.md): a year's outcomes paid for, then the
# payments year by year, then each party's position over the horizon.
CONTRACT_VALUES = (
    "contract_deadweight_outcomes",
    "contract_paid_outcomes",
    "contract_rate_per_outcome",
)
CONTRACT_YEARS = (
    "year_contract_in_term",
    "year_contract_paid_outcomes",
    "year_contract_paid_days",
    "year_contract_due",
    "year_contract_uncapped_to_date",
    "year_contract_paid_to_date",
    "year_contract_uncapped",
    "year_contract_payments",
    "year_contract_top_up",
    "year_contract_council_payments",
    "year_contract_fixed_fee",
    "year_contract_own_costs",
    "year_contract_council_net",
    "year_provider_net",
)
CONTRACT_RESULTS = tuple(k for k in core.CONTRACT if k not in CONTRACT_VALUES)


def _contract_block(layout: Layout, i: int, local: dict) -> None:
    """An intervention's outcome contract: payments by year, capped and topped up, and the
    council's, the provider's and direct delivery's positions, each checked against the engine."""
    book, owner = layout.book, f"i{i}"
    layout.heading(f"{book.model.interventions[i].id}: outcome contract")
    for key in CONTRACT_VALUES:
        layout.value(key, owner, local)
    for key in CONTRACT_YEARS:
        layout.r += 1
        layout.label(key)
        line = LINES[key]
        book.write_years(
            layout.sheet,
            key,
            owner,
            layout.r,
            FIRST_YEAR_COL,
            layout.last,
            layout.last,
            f"calc:{line.fmt}",
            local,
        )
    record = book.results["interventions"][i]["contract"]
    for key in CONTRACT_RESULTS:
        layout.value(key, owner, local)
        engine = record[key.removeprefix("contract_")]
        if engine is None:  # a figure of a cap or baseline the contract does not have
            continue
        book.checks.append(
            Check(
                book.ref(layout.sheet, layout.r, 3),
                book.model.interventions[i].id,
                key,
                float(engine),
                1.0 if LINES[key].unit == "£" else 1e-6,
                "money" if LINES[key].unit == "£" else "",
            )
        )


TOTAL_YEARS = tuple(k for k in YEARS if LINES[k].total is not None)
TOTAL_VALUES = tuple(k for k in RESULTS if LINES[k].total is not None)


def _by_intervention(layout: Layout) -> dict[str, tuple[int, int]]:
    """For each line the portfolio adds up, a row per intervention taken from its block."""
    book, sheet = layout.book, layout.sheet
    rows: dict[str, tuple[int, int]] = {}
    layout.heading("What the portfolio adds up: each intervention's figure, from its block")
    for key in (*TOTAL_YEARS, *TOTAL_VALUES):
        if LINES[key].total != "sum":
            continue
        line = LINES[key]
        style = f"calc:{line.fmt}"
        layout.r += 1
        sheet.put(layout.r, 1, line.label, "bold")
        first = layout.r + 1
        for i, item in enumerate(book.model.interventions):
            layout.r += 1
            sheet.put(layout.r, 1, item.id, "user")
            sheet.put(layout.r, 2, line.unit, "text")
            owner = f"i{i}"
            place, value = book.where(key, owner), book.value_of(key, owner)
            if isinstance(place, Row):
                shape = f"{COLUMN}{place.row}"
                sheet.put_years(layout.r, FIRST_YEAR_COL, layout.last, shape, value, style)
            else:
                sheet.put_formula(layout.r, 3, f"C{place.row}", cacheable(value), style)
        rows[key] = (first, layout.r)
    return rows


def _total_block(layout: Layout, rows: dict[str, tuple[int, int]]) -> None:
    """The portfolio: its flows added up over the interventions, then the same formulas."""
    book, sheet = layout.book, layout.sheet
    layout.heading("Portfolio total (every intervention)")
    for key in TOTAL_YEARS:
        line = LINES[key]
        if line.total == "sum":
            layout.r += 1
            layout.label(key)
            first, last = rows[key]
            shape = f"SUM({COLUMN}{first}:{COLUMN}{last})"
            total = book.value_of(key, "total")
            sheet.put_years(layout.r, FIRST_YEAR_COL, layout.last, shape, total, f"calc:{line.fmt}")
            book.place(
                key, "total", Row(sheet.title, layout.r, FIRST_YEAR_COL, layout.last, layout.last)
            )
            if key in FLOWS:
                layout.horizon_total(key, "total")
        else:
            layout.years(key, "total", layout.last)
    for key in TOTAL_VALUES:
        line = LINES[key]
        if line.total == "sum":
            layout.r += 1
            layout.label(key)
            first, last = rows[key]
            total = Formula(f"SUM(C{first}:C{last})").cached(book.value_of(key, "total"))
            sheet.put(layout.r, 3, total, f"output:{line.fmt}")
            book.place(key, "total", Cell(sheet.title, layout.r, 3))
        else:
            layout.value(key, "total")


def total_height(book: Book) -> int:
    """Rows the portfolio's block takes (it is laid out before the blocks it adds up)."""
    return 2 + len(TOTAL_YEARS) + len(TOTAL_VALUES)


def cash_flows_sheet(book: Book) -> Sheet:
    """Per intervention and in total: a row per line item, a column per year, formulas throughout."""
    h = book.horizon
    run, counted = forecast_run(book)
    last_col = FIRST_YEAR_COL + max(h, run) - 1
    # With `start`, a row of financial years under the year numbers (which the formulas use).
    labels = book.portfolio.financial_years(max(h, run))
    header_rows = YEAR_ROW + (1 if labels else 0)
    sheet = book.sheet(
        CASH_FLOWS,
        freeze=f"D{header_rows + 1}",
        print_rows=f"{YEAR_ROW}:{header_rows}",
        print_cols="A:C",
        widths={1: 62, 2: 12, 3: 14},
    )
    title = "Cash flows: cost and savings by year, per intervention" + (
        " and in total" if book.portfolio.options is None else " (options: never added up)"
    )
    sheet.put(1, 1, title, "title")
    note = (
        "£ a year, positive = money saved. Year 1 is undiscounted. Column C: the horizon total, "
        "or the figure the row names."
    )
    if run > h:
        note += (
            f" Years {h + 1} to {run} lie after the appraisal horizon: worked out only for the "
            "interventions the Forecast sheet counts (cohorts, cost, outcomes averted); totals, "
            f"present values and payback count years 1 to {h}."
        )
    sheet.put(2, 1, note, "note")
    sheet.row(YEAR_ROW, [("Year", "header"), ("", "header"), ("Total / figure", "header")])
    sheet.put(YEAR_ROW, FIRST_YEAR_COL, 1, "header")
    for col in range(FIRST_YEAR_COL + 1, last_col + 1):
        year = Formula(f"{get_column_letter(col - 1)}{YEAR_ROW}+1").cached(col - FIRST_YEAR_COL + 1)
        sheet.put(YEAR_ROW, col, year, "header")
    book.place(
        "year", "", Row(sheet.title, YEAR_ROW, FIRST_YEAR_COL, FIRST_YEAR_COL + h - 1, last_col)
    )
    if labels:
        sheet.row(header_rows, [("Financial year (the one each year begins in)", "header")])
        for k, label in enumerate(labels):
            sheet.put(header_rows, FIRST_YEAR_COL + k, label, "header")
    layout = Layout(book, sheet, header_rows, h)
    if isinstance(book.portfolio.discount_rate, Schedule):
        _schedule_row(layout, last_col)
    for key in HEADERS:
        layout.years(key, "", last_col)
    if book.portfolio.options is not None:  # alternatives: never added up (Options sheet)
        for i in range(book.n):
            _intervention_block(layout, i, run if i in counted else 0)
        return sheet
    # The total goes first, and adds up the table at the foot of the sheet.
    top = layout.r
    layout.r = top + total_height(book)
    for i in range(book.n):
        _intervention_block(layout, i, run if i in counted else 0)
    rows = _by_intervention(layout)
    end = layout.r
    layout.r = top
    _total_block(layout, rows)
    assert layout.r <= top + total_height(book), (layout.r, top)
    layout.r = end
    return sheet
