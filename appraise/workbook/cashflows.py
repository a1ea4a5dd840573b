"""The `Cash flows` sheet: cohorts on a timeline, costs and savings by year, present values, payback.

The formulas mirror appraise/timeline.py and core.multi_year. Months run from the start of year 1;
year t spans months [12(t - 1), 12t). A cohort starting in year k spends its cost evenly over
`cost_months`, and each outcome it averts saves a year's cost spread evenly over each benefit year,
from `benefit_lag_months` after the cohort starts, for `benefit_years` years, keeping
(1 - decay)^j of it in benefit year j. Cohorts start a whole number of years apart, so cohort k's
share in year t is the first cohort's share in its year t - k + 1: the sheet works out one
cohort's profile, lays the cohorts out in a cohort x year grid, and adds up each year.

When the portfolio has a baseline, the interventions the Forecast sheet counts (those averting
the LAC outcome) run on past the horizon, over every forecast year from the portfolio's year 1,
as `appraise.forecast.with_portfolio` runs them: their cohort lines, cost and outcomes averted
take more columns, while totals, present values and payback still count the horizon only.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from string import Formatter

from openpyxl.utils import get_column_letter

from appraise.engine.results import YEAR_KEYS
from appraise.workbook.book import CASH_FLOWS, INFINITE, NEVER, Book, ratio
from appraise.workbook.writer import Formula, Sheet

FIRST_YEAR_COL = 4  # column D
COLUMN = "\x00"  # stands for a year's column letter while a line's formula is resolved
YEAR_ROW, LO_ROW, HI_ROW, DF_ROW = 3, 4, 5, 6
# The lines the portfolio total adds up over the intervention blocks (each label is unique there).
SUMMED = {"cost": "Cost", "gross": "Gross savings", "cashable_net": "Cashable net savings"}
RESULTS = ("pv_cost", "pv_gross_savings", "npv", "bcr", "payback_year", "discounted_payback_year")
# Year lines by the JSON key of `appraise evaluate` (results.YEAR_KEYS), as registered anchors
# "cashyear.<key>.<i|total>"; outcomes_averted is the per-intervention line the Forecast uses.
YEAR_LINES = {
    "cost": "cost",
    "gross_savings": "gross",
    "net_savings": "net",
    "cashable_net_savings": "cashable_net",
    "cumulative_net": "cumulative",
    "discounted_net": "discounted",
    "cumulative_discounted_net": "cumulative_discounted",
}
assert set(YEAR_LINES) | {"discount_factor"} == set(YEAR_KEYS), YEAR_KEYS


@lru_cache(maxsize=1024)
def _names(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in Formatter().parse(template) if name)


class Block:
    """The rows of one intervention (or of the total): figures in column C, year lines across."""

    def __init__(
        self,
        sheet: Sheet,
        row: int,
        horizon: int,
        fixed: Mapping[str, str],
        columns: int = 0,
    ):
        self.sheet, self.r, self.horizon = sheet, row, horizon
        self.columns = max(columns, horizon)  # years an extended line runs over
        self.fixed = dict(fixed)
        self.year_rows: dict[str, int] = {}
        self.value_rows: dict[str, int] = {}
        self.last = get_column_letter(FIRST_YEAR_COL + horizon - 1)
        self.end = get_column_letter(FIRST_YEAR_COL + self.columns - 1)

    def resolve(self, name: str, letter: str) -> str:
        """The cell reference a template name stands for, in the column headed `letter`."""
        if name in self.fixed:
            return self.fixed[name]
        prefix, _, key = name.partition("_")
        if prefix == "c" and key in self.value_rows:
            return f"$C${self.value_rows[key]}"
        if prefix == "first" and key in self.year_rows:
            return f"$D{self.year_rows[key]}"
        if prefix == "span" and key in self.year_rows:
            return self.span(key)
        header = {"year": YEAR_ROW, "lo": LO_ROW, "hi": HI_ROW, "df": DF_ROW}
        if name in header:
            return f"{letter}${header[name]}"
        if name == "dfs":
            return f"$D${DF_ROW}:${self.last}${DF_ROW}"
        if name == "col":
            return letter
        return f"{letter}{self.year_rows[name]}"

    def span(self, key: str) -> str:
        r = self.year_rows[key]
        return f"D{r}:{self.last}{r}"

    def _formula(self, template: str, letter: str) -> Formula:
        return Formula(template.format_map({n: self.resolve(n, letter) for n in _names(template)}))

    def heading(self, text: str) -> None:
        self.r += 2
        self.sheet.put(self.r, 1, text, "section")

    def value(
        self, key: str, label: str, unit: str, template: str, fmt: str, role: str = "calc"
    ) -> None:
        """A single figure in column C."""
        self.r += 1
        self.sheet.row(self.r, [(label, "text"), (unit, "text")])
        self.sheet.put(self.r, 3, self._formula(template, "C"), f"{role}:{fmt}")
        self.value_rows[key] = self.r

    def line(
        self,
        key: str,
        label: str,
        unit: str,
        template: str,
        fmt: str,
        total: bool = False,
        extended: bool = False,
    ) -> None:
        """The same formula in every year's column (beyond the horizon too if `extended`), and
        optionally its horizon total in C."""
        self.r += 1
        self.sheet.row(self.r, [(label, "text"), (unit, "text")])
        self.year_rows[key] = self.r
        # Resolved once with the column left open, then filled in for each column.
        shape = self._formula(template, COLUMN)
        last = FIRST_YEAR_COL + (self.columns if extended else self.horizon)
        for col in range(FIRST_YEAR_COL, last):
            formula = Formula(shape.replace(COLUMN, get_column_letter(col)))
            self.sheet.put(self.r, col, formula, f"calc:{fmt}")
        if total:
            self.sheet.put(self.r, 3, Formula(f"SUM({self.span(key)})"), f"calc:{fmt}")

    def grid(self, key: str, label: str, profile: str) -> str:
        """Cohort x year: cohort k's share in year t = its size x the profile in year t - k + 1.

        Returns the rows it spans, for the yearly sum.
        """
        first = self.r + 1
        p, size = self.year_rows[profile], self.year_rows["scale"]
        for k in range(self.columns):
            start = f"${get_column_letter(FIRST_YEAR_COL + k)}"
            self.line(
                f"{key}{k + 1}",
                f"Cohort from year {k + 1}: {label}",
                "share",
                f"IF({{year}}<{start}${YEAR_ROW},0,{start}${size}"
                f"*INDEX($D${p}:${self.end}${p},{{year}}-{start}${YEAR_ROW}+1))",
                "n4",
                extended=True,
            )
        return f"SUM({{col}}{first}:{{col}}{self.r})"

    def results(self) -> None:
        """Net, cumulative and discounted lines, present values, NPV, BCR and payback."""
        self.line("net", "Net savings", "£", "{gross}-{cost}", "money", total=True)
        self.line("cumulative", "Cumulative net savings", "£", "SUM({first_net}:{net})", "money")
        self.line("discounted", "Discounted net savings", "£", "{net}*{df}", "money", True)
        self.line(
            "cumulative_discounted",
            "Cumulative discounted net savings",
            "£",
            "SUM({first_discounted}:{discounted})",
            "money",
        )
        self.line("paid", "Paid back (1 = yes)", "switch", "IF({cumulative}>=0,1,0)", "int")
        self.line(
            "paid_discounted",
            "Paid back after discounting (1 = yes)",
            "switch",
            "IF({cumulative_discounted}>=0,1,0)",
            "int",
        )
        self.value(
            "pv_cost", "Present value of cost", "£", "SUMPRODUCT({span_cost},{dfs})", "money"
        )
        self.value(
            "pv_gross_savings",
            "Present value of gross savings",
            "£",
            "SUMPRODUCT({span_gross},{dfs})",
            "money",
        )
        self.value(
            "npv", "Net present value", "£", "{c_pv_gross_savings}-{c_pv_cost}", "money", "output"
        )
        self.value(
            "bcr",
            "Benefit-cost ratio (present values)",
            "ratio",
            ratio("{c_pv_gross_savings}", "{c_pv_cost}", INFINITE),
            "n2",
            "output",
        )
        for key, label, span in (
            ("payback_year", "Payback year (cumulative net savings first at or above 0)", "paid"),
            ("discounted_payback_year", "Discounted payback year", "paid_discounted"),
        ):
            self.value(
                key,
                label,
                "year",
                f'IFERROR(MATCH(1,{{span_{span}}},0),"{NEVER}")',
                "int",
                "output",
            )


TIMING = (
    ("cohorts", "Cohorts started (0 = one every year)", "cohorts", "int"),
    ("ramp_up", "Size of the first cohort (share of a full one)", "fraction", "pct"),
    ("cost_months", "Months over which a cohort's cost is spent", "months", "n2"),
    ("benefit_lag_months", "Months from a cohort's start to its first savings", "months", "n2"),
    ("benefit_years", "Years each averted outcome keeps saving", "years", "n2"),
    ("annual_decay", "Share of the effect lost each year after the first", "fraction", "pct"),
)
FULL_YEAR = (
    ("year_cost", "cost", "A full cohort's cost (Calculations)", "£", "money"),
    (
        "year_outcomes",
        "outcomes_averted",
        "A full year's outcomes averted (Calculations)",
        "outcomes",
        "n2",
    ),
    ("year_gross", "gross_savings", "A full year's gross savings (Calculations)", "£", "money"),
    (
        "year_cashable_gross",
        "cashable_gross_savings",
        "A full year's cashable gross savings (Calculations)",
        "£",
        "money",
    ),
    ("cashable_share", "cashable_share", "Cashable share of one outcome's cost", "fraction", "pct"),
)


def intervention_block(book: Book, sheet: Sheet, row: int, i: int, columns: int = 0) -> Block:
    """One intervention: its timing inputs, one cohort's profile, the cohort grids, the flows.

    With `columns` beyond the horizon, the cohorts, cost and outcomes averted run that far.
    """
    item = book.model.interventions[i]
    fixed = {"in_pro_rata": book.at("in.pro_rata")}
    block = Block(sheet, row, book.horizon, fixed, columns)
    block.heading(f"{item.id}: {item.name}")
    for key, label, unit, fmt in TIMING:
        block.value(key, label, unit, book.at(f"in.i{i}.{key}"), fmt)
    for key, line, label, unit, fmt in FULL_YEAR:
        block.value(key, label, unit, book.at(f"calc.{line}.{i}"), fmt)
    block.line(
        "scale",
        "Cohort starting this year (share of a full cohort)",
        "share",
        "IF(OR({c_cohorts}=0,{year}<={c_cohorts}),IF({year}=1,{c_ramp_up},1),0)",
        "n4",
        extended=True,
    )
    block.line(
        "cost_profile",
        "One cohort's cost falling in its year t (share)",
        "share",
        "MAX(0,MIN({c_cost_months},{hi})-MAX(0,{lo}))/{c_cost_months}",
        "n4",
        extended=True,
    )
    # A year overlaps at most two of an outcome's benefit years: the one under way as it starts
    # and the next.
    block.line(
        "j1",
        "Benefit year under way as year t starts (0 = the first; negative = not yet)",
        "benefit year",
        "INT(({lo}-{c_benefit_lag_months})/12)",
        "int",
        extended=True,
    )
    block.line("j2", "The benefit year after it", "benefit year", "{j1}+1", "int", extended=True)
    for j in ("j1", "j2"):
        block.line(
            f"months{j}",
            f"Months of that benefit year ({j}) within year t",
            "months",
            (
                "MAX(0,MIN({c_benefit_lag_months}+12*MIN({J}+1,{c_benefit_years}),{hi})"
                "-MAX({c_benefit_lag_months}+12*{J},{lo}))"
            ).replace("{J}", f"{{{j}}}"),
            "n2",
            extended=True,
        )
        block.line(
            f"weight{j}",
            f"Weight of that benefit year ({j}): (1 - decay)^{j} while it lasts",
            "share",
            "IF(AND({J}>=0,{J}<{c_benefit_years}),IF({J}=0,1,(1-{c_annual_decay})^{J}),0)".replace(
                "{J}", f"{{{j}}}"
            ),
            "n4",
            extended=True,
        )
    block.line(
        "benefit_profile",
        "One cohort's savings falling in its year t (share of a year's)",
        "share",
        "({monthsj1}*{weightj1}+{monthsj2}*{weightj2})/12",
        "n4",
        extended=True,
    )
    cost_sum = block.grid("costgrid", "share of a year's cost", "cost_profile")
    block.line(
        "cost_weight",
        "Cost falling in the year (cohorts' worth)",
        "share",
        cost_sum,
        "n4",
        extended=True,
    )
    savings_sum = block.grid("savingsgrid", "share of a year's savings", "benefit_profile")
    block.line(
        "benefit_weight",
        "Savings falling in the year (years' worth)",
        "share",
        savings_sum,
        "n4",
        extended=True,
    )
    block.line(
        "outcomes_averted",
        f"Outcomes averted ({item.averts})",
        "outcomes",
        "{c_year_outcomes}*{benefit_weight}",
        "n2",
        True,
        extended=True,
    )
    block.line(
        "cost", SUMMED["cost"], "£", "{c_year_cost}*{cost_weight}", "money", True, extended=True
    )
    block.line("gross", SUMMED["gross"], "£", "{c_year_gross}*{benefit_weight}", "money", True)
    block.line(
        "cashable_gross",
        "Cashable gross savings",
        "£",
        "{c_year_cashable_gross}*{benefit_weight}",
        "money",
        True,
    )
    block.line(
        "cashable_net",
        SUMMED["cashable_net"],
        "£",
        "IF({in_pro_rata}=1,({gross}-{cost})*{c_cashable_share},{cashable_gross}-{cost})",
        "money",
        True,
    )
    block.results()
    return block


def total_block(sheet: Sheet, row: int, horizon: int, first: int, last: int) -> Block:
    """The portfolio: the summed lines over the blocks in rows first..last, then the same results."""
    block = Block(sheet, row, horizon, {})
    block.heading("Portfolio total (every intervention)")
    for key, label in SUMMED.items():
        block.line(
            key,
            label,
            "£",
            f'SUMIF($A${first}:$A${last},"{label}",{{col}}${first}:{{col}}${last})',
            "money",
            True,
        )
    block.results()
    return block


def forecast_run(book: Book) -> tuple[int, set[int]]:
    """Years of cash flows the Forecast sheet needs, and the interventions it counts."""
    comparison, _ = book.comparison
    if comparison is None:
        return 0, set()
    years = int(comparison.lines["portfolio_year"].max())
    return years, {book.model.ids.index(i) for i in comparison.interventions}


def cash_flows_sheet(book: Book) -> Sheet:
    """Per intervention and in total: a row per line item, a column per year, formulas throughout."""
    h = book.horizon
    run, counted = forecast_run(book)
    last_col = FIRST_YEAR_COL + max(h, run) - 1
    sheet = book.sheet(
        CASH_FLOWS,
        freeze="D4",
        print_rows="3:3",
        print_cols="A:C",
        pages_wide=1 if max(h, run) <= 12 else 0,
        widths={1: 62, 2: 12, 3: 14},
    )
    sheet.put(1, 1, "Cash flows: cost and savings by year, per intervention and in total", "title")
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
        sheet.put(YEAR_ROW, col, Formula(f"{get_column_letter(col - 1)}{YEAR_ROW}+1"), "header")
    headers = (
        (
            LO_ROW,
            "Month the year starts (from the start of year 1)",
            "month",
            "12*({year}-1)",
            "int",
        ),
        (HI_ROW, "Month the year ends (the next one starts)", "month", "12*{year}", "int"),
        (
            DF_ROW,
            "Discount factor: 1 / (1 + rate)^(year - 1)",
            "factor",
            "1/(1+{rate})^({year}-1)",
            "n4",
        ),
    )
    for r, label, unit, template, fmt in headers:
        sheet.row(r, [(label, "text"), (unit, "text")])
        for col in range(FIRST_YEAR_COL, last_col + 1):
            letter = get_column_letter(col)
            formula = template.format(year=f"{letter}${YEAR_ROW}", rate=book.at("in.discount_rate"))
            sheet.put(r, col, Formula(formula), f"calc:{fmt}")
    # The total goes first; lay it out once on a scratch sheet to learn its height.
    height = total_block(Sheet("scratch"), 0, h, 1, 1).r
    start = DF_ROW + height
    r = start
    blocks = []
    for i in range(book.n):
        blocks.append(intervention_block(book, sheet, r, i, run if i in counted else 0))
        r = blocks[-1].r
    total = total_block(sheet, DF_ROW, h, start + 1, r)
    owners: list[tuple[int | str, Block]] = [*enumerate(blocks), ("total", total)]
    for key in RESULTS:
        for owner, block in owners:
            book.anchor(f"cash.{key}.{owner}", sheet, block.value_rows[key], 3)
    for owner, block in owners:
        book.anchor(f"cashyear.discount_factor.{owner}", sheet, DF_ROW, FIRST_YEAR_COL)
        for key, line in (*YEAR_LINES.items(), ("outcomes_averted", "outcomes_averted")):
            if line in block.year_rows:
                book.anchor(f"cashyear.{key}.{owner}", sheet, block.year_rows[line], FIRST_YEAR_COL)
    return sheet
