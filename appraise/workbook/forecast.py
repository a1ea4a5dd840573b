"""The `Forecast` sheet: children in care and what they cost if nothing changes, and with the portfolio.

Built when the portfolio has a baseline (`baseline:`). Every line is a line of
`appraise.engine.care` (whose docstring states the formulas), laid out here: the baseline's
inputs, the child population along its path, each scenario's rate and the cost of its children in
care, then the with-portfolio scenario, whose non-UASC children in care are reduced by the
LAC-years the portfolio averts each year (taken from the Cash flows sheet), and the spend with and
without the portfolio. The Checks sheet compares every figure with `appraise forecast --format json`.

Layout: column A the line, B its unit, C the line's key in `appraise forecast --format json` (or a
single figure: an input, a constant, a fitted trend), then one column a forecast year from D (the
start year, which is observed).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from openpyxl.chart import LineChart, Reference, Series
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from appraise.analyses.forecast import (
    COMPARISON_KEYS,
    FORECAST_KEYS,
    PER_10K,
    forecast_data,
    path_knots,
    project,
    scenario_inputs,
)
from appraise.display import money
from appraise.engine.care import CARE
from appraise.engine.figures import TOLERANCE
from appraise.errors import InputError
from appraise.model import limits
from appraise.model.baseline import FIRST_YEAR, LAST_YEAR, MAX_FORECAST_YEARS, Baseline, Scenario
from appraise.model.pricing import block_prices
from appraise.model.schema import lac_outcome
from appraise.workbook.book import FORECAST, Allowed, Block, Book, Cell, Check, Row
from appraise.workbook.writer import Formula, Sheet, cell, quote_title

FIRST_YEAR_COL, YEAR_ROW = 4, 3  # column D; row 3 holds the years
# The baseline's own inputs: (care input, field of `baseline:`).
BASELINE_INPUTS = (
    ("lac_rate", "lac_rate_per_10k"),
    ("uasc", "uasc"),
    ("weeks_in_care_per_child", "weeks_in_care_per_child"),
    ("weekly_placement_cost", "weekly_placement_cost"),
    ("non_placement_share", "non_placement_share"),
)
# A scenario's lines from its children in care (not UASC) on, as JSON keys -> care lines.
CARE_KEYS = (
    ("uasc", "uasc_line"),
    ("children_in_care", "children_in_care"),
    ("weeks_of_care", "weeks_of_care"),
    ("placement_cost", "placement_cost"),
    ("non_placement_cost", "non_placement_cost"),
    ("total_cost", "total_cost"),
    ("cashable_cost", "cashable_cost"),
    ("change_in_total_cost", "change_in_total_cost"),
    ("change_in_cashable_cost", "change_in_cashable_cost"),
)
MONEY_KEYS = frozenset(
    k
    for k in (
        *FORECAST_KEYS,
        *COMPARISON_KEYS,
        "non_placement_cost_per_week",
        "cost_per_child_year",
    )
    if any(w in k for w in ("cost", "spend", "saving"))
)
# Children and weeks: counts of thousands, so checked to 0.001 rather than to 1e-6.
COUNT_KEYS = frozenset(
    k
    for k in (*FORECAST_KEYS, *COMPARISON_KEYS)
    if k.startswith(("child", "uasc", "weeks", "lac_years"))
)


# The baseline's drivers that are also the LAC outcome's derivation (`derive`): field -> field.
SHARED = {
    "weeks_in_care_per_child": "weeks_per_year",
    "weekly_placement_cost": "weekly_placement_cost",
    "non_placement_share": "non_placement_share",
}


def shared_assumptions(portfolio: Any) -> dict[str, str]:
    """The baseline's drivers that equal the LAC outcome's derivation, each with the key of the
    outcome's input on Inputs: the workbook holds each such assumption in one cell, which both
    the outcome's cost and the forecast read (and import-xlsx writes back to both)."""
    baseline = portfolio.baseline
    if baseline is None:
        return {}
    try:
        key = lac_outcome(portfolio, portfolio.file)
    except InputError:
        return {}
    derive = portfolio.outcomes[key].derive
    if derive is None:
        return {}
    # A weekly cost is one assumption only if it is in the same year's prices, too.
    prices = block_prices(portfolio)
    same_prices = prices.get("baseline") == prices.get(f"outcomes.{key}.derive")
    return {
        field: f"outcomes.{key}.derive.{own}"
        for field, own in SHARED.items()
        if isinstance(getattr(derive, own), float)
        and getattr(derive, own) == getattr(baseline, field)
        and (same_prices or field != "weekly_placement_cost")
    }


def tolerance(key: str) -> float:
    """How close the workbook must come to the engine: £1 for money, 0.001 for counts, else 1e-6."""
    if key in MONEY_KEYS:
        return TOLERANCE["money"]
    return TOLERANCE["count"] if key in COUNT_KEYS else TOLERANCE["rate"]


def _allowed(book: Book, key: str) -> Allowed:
    """What a baseline input on the sheet may hold: the baseline file's own bounds; its price
    year, one its index (placed below it) covers."""
    if key == "baseline_price_year":
        return Allowed.price_year(book, book.at("baseline_index"))
    return ALLOWED[key]


ALLOWED = {
    "population_value": Allowed.domain(limits.CASES),
    "path_series": Allowed.domain(limits.CASES),
    "path_growth": Allowed("number", -1.0, 100.0, lo_open=True),  # above -1, at most hundredfold
    "lac_rate": Allowed.domain(limits.RATE_PER_10K),
    "history_rate": Allowed.domain(limits.RATE_PER_10K),
    "target_rate": Allowed.domain(limits.RATE_PER_10K),
    "uasc": Allowed.domain(limits.CASES),
    "weeks_in_care_per_child": Allowed.domain(limits.WEEKS),
    "weekly_placement_cost": Allowed.domain(limits.WEEKLY_COST),
    "non_placement_share": Allowed.domain(limits.SHARE),
    "over_years": Allowed("whole", 1.0, float(MAX_FORECAST_YEARS)),
    "target_year": Allowed("whole", float(FIRST_YEAR), float(LAST_YEAR)),
}


class Layout:
    """The Forecast sheet's rows, placed one after another."""

    def __init__(self, book: Book, sheet: Sheet, years: int, values: dict[str, Any]):
        self.book, self.sheet, self.r = book, sheet, YEAR_ROW
        self.last = FIRST_YEAR_COL + years - 1
        self.keys: dict[tuple[str, str], int] = {}  # (owner, JSON key) -> row, for Checks
        # The engine's care lines by owner ("" shared, "s<k>" a scenario, "w" with the portfolio,
        # "i<k>" an intervention counted): each cell's cached result.
        self.values = values

    def cached(self, key: str, owner: str) -> Any:
        """The engine's value of a care line for an owner (a list over years), if worked out."""
        if owner.startswith("i"):
            found = self.values.get("w", {}).get(key)
            counted = self.values.get("counted", [])
            index = int(owner[1:])
            if found is None or index not in counted:
                return None
            return np.asarray(found)[counted.index(index)].tolist()
        for source in (self.values.get(owner, {}), self.values.get("", {})):
            if key in source:
                found = np.asarray(source[key], dtype=float)
                return found.tolist() if found.ndim else float(found)
        return None

    def heading(self, text: str) -> None:
        self.r += 2
        self.sheet.put(self.r, 1, text, "section")

    def note(self, text: str) -> None:
        self.r += 1
        self.sheet.put(self.r, 1, text, "note")

    def figure(
        self, key: str, owner: str, value: Any, label: str = "", role: str = "input"
    ) -> Cell:
        """An input (or a structural constant) in column C."""
        self.r += 1
        line = CARE[key]
        style = f"{role}:{line.fmt}"
        self.sheet.row(self.r, [(label or line.label, "text"), (line.unit, "text"), (value, style)])
        place = Cell(self.sheet.title, self.r, 3)
        self.book.place(key, owner, place)
        if role == "input" and key != "baseline_price_year":  # that one once its index is placed
            allowed = _allowed(self.book, key)
            self.book.input(self.sheet, self.r, 3, label or line.label, allowed, value)
        return place

    def shared(self, key: str, label: str, at: str, value: float) -> None:
        """An assumption the baseline shares with the LAC outcome's cost: its Inputs cell, shown."""
        self.r += 1
        line = CARE[key]
        self.sheet.row(
            self.r, [(f"{label}: Inputs, as the outcome's cost", "text"), (line.unit, "text")]
        )
        self.sheet.put(self.r, 3, Formula(at, value), f"calc:{line.fmt}")
        sheet, _, cell_ref = at.rpartition("!")
        col, row = cell_ref.replace("$", " ").split()
        self.book.place(key, "", Cell(sheet.strip("'"), int(row), column_index_from_string(col)))

    def formula(self, key: str, owner: str, label: str = "", value: Any = None) -> None:
        """A single figure worked out in column C (`value`: its result, if the care lines' run
        does not hold it)."""
        self.r += 1
        line = CARE[key]
        self.sheet.row(self.r, [(label or line.label, "text"), (line.unit, "text")])
        value = self.cached(key, owner) if value is None else value
        self.book.write(
            self.sheet, key, owner, self.r, 3, f"calc:{line.fmt}", lines=CARE, value=value
        )

    def table(
        self,
        key: str,
        owner: str,
        values: list[Any],
        style: str,
        label: str = "",
        fixed_first: bool = False,
    ) -> None:
        """Inputs side by side from column D (a path's years, a history); `fixed_first`: the
        first is structure, not an input (a growth path's base year)."""
        self.r += 1
        line = CARE[key]
        self.sheet.row(self.r, [(label or line.label, "text"), (line.unit, "text")])
        for j, value in enumerate(values):
            col = FIRST_YEAR_COL + j
            if fixed_first and j == 0:
                self.sheet.put(self.r, col, value, style.replace("input", "fixed", 1))
                continue
            self.sheet.put(self.r, col, value, style)
            if style.startswith("input"):
                which = f"{label or line.label}, column {get_column_letter(col)}"
                allowed = _allowed(self.book, key)
                self.book.input(self.sheet, self.r, col, which, allowed, value)
        last = FIRST_YEAR_COL + len(values) - 1
        self.book.place(key, owner, Row(self.sheet.title, self.r, FIRST_YEAR_COL, last, last))

    def across(self, key: str, owner: str, count: int, label: str = "") -> None:
        """A line over a table's columns (a growth factor, a history's x)."""
        self.r += 1
        line = CARE[key]
        self.sheet.row(self.r, [(label or line.label, "text"), (line.unit, "text")])
        last = FIRST_YEAR_COL + count - 1
        self.book.write_years(
            self.sheet,
            key,
            owner,
            self.r,
            FIRST_YEAR_COL,
            last,
            last,
            f"calc:{line.fmt}",
            lines=CARE,
            values=self.cached(key, owner),
        )

    def line(
        self, key: str, owner: str, json_key: str = "", label: str = "", also: tuple[str, ...] = ()
    ) -> int:
        """A line across the forecast years; `json_key` is shown in column C."""
        self.r += 1
        line = CARE[key]
        self.sheet.row(self.r, [(label or line.label, "text"), (line.unit, "text")])
        self.book.write_years(
            self.sheet,
            key,
            owner,
            self.r,
            FIRST_YEAR_COL,
            self.last,
            self.last,
            f"calc:{line.fmt}",
            lines=CARE,
            also=also,
            # a line the run holds under its JSON key (the scenario's rate, its children in care)
            values=self.cached(key, owner) or (self.cached(json_key, owner) if json_key else None),
        )
        if json_key:
            self.sheet.put(self.r, 3, json_key, "text")
            self.keys[(owner, json_key)] = self.r
        return self.r

    def alias(self, key: str, owner: str, of: tuple[str, str]) -> None:
        """An input of the care lines that is a line already placed (the scenario without)."""
        self.book.place(key, owner, self.book.where(*of))


def _population(out: Layout, baseline: Baseline) -> None:
    """The child population's inputs and its path (the years given, the series or the growth)."""
    pop, start = baseline.child_population, baseline.start_year
    years, series, growth = path_knots(baseline)
    field = "baseline.child_population"
    is_series = pop.series is not None
    out.figure("population_is_series", "", float(is_series), role="fixed")
    if is_series:
        out.table(
            "path_years",
            "",
            [int(y) for y in years],
            "fixed:int",
            f"Child population given ({field}): year",
        )
        out.table("path_series", "", series, "input:n0", "Child population given: children")
        out.table(
            "path_growth", "", growth, "fixed:pct", "Growth (not used: the population is a series)"
        )
        out.figure(
            "population_value", "", 0.0, "Child population counted (not used: a series)", "fixed"
        )
        out.figure("population_year", "", start, "Year it is counted (not used: a series)", "fixed")
    else:
        out.figure(
            "population_value",
            "",
            pop.value,
            f"Child population in the year it is counted ({field}.value)",
        )
        out.figure(
            "population_year",
            "",
            pop.anchor(start),
            "Year the child population is counted",
            "fixed",
        )
        out.table(
            "path_years",
            "",
            [int(y) for y in years],
            "fixed:int",
            f"Growth path ({field}.growth): year",
        )
        out.table(
            "path_series",
            "",
            series,
            "fixed:n0",
            "Child population given (not used: a growth path)",
        )
        # The base year's growth is 0 by definition: structure, not an input.
        out.table(
            "path_growth",
            "",
            [0.0, *growth[1:]],
            "input:pct",
            f"Growth since {int(years[0])}, the base year",
            fixed_first=True,
        )
    out.across("path_value", "", len(years))
    for key in ("count_position", "count_share", "count_path"):
        out.formula(key, "")


def _scenario_inputs(out: Layout, k: int, baseline: Baseline, scenario: Scenario) -> None:
    """The inputs a scenario's rate path needs: a fitted trend, or a target."""
    at, owner = f"baseline.scenarios[{k}]", f"s{k}"
    trend, target = scenario.lac_rate_trend, scenario.lac_rate_target
    if trend is None and target is None:
        return
    _, given = scenario_inputs(baseline, scenario)
    out.heading(f"Scenario inputs: {scenario.name}")
    if trend is not None:
        years = [int(y) for y in given["history_year"]]
        out.table(
            "history_year",
            owner,
            years,
            "fixed:int",
            f"History ({at}.lac_rate_trend.history): year",
        )
        out.table("history_rate", owner, [float(x) for x in given["history_rate"]], "input:n2")
        out.figure("t0", owner, years[0], role="fixed")
        out.figure("trend_is_log", owner, float(trend.form == "log"), role="fixed")
        shown = "ln(year - t0 + 1)" if trend.form == "log" else "(year - t0)"
        out.across("history_x", owner, len(years), f"History: x = {shown} ({trend.form} trend)")
        out.formula("trend_b", owner)
        out.formula("trend_a", owner)
        return
    assert target is not None
    out.figure(
        "target_rate", owner, target.value, f"Target rate per 10,000 ({at}.lac_rate_target.value)"
    )
    if target.over_years is not None:
        out.figure("over_years", owner, target.over_years, "Years to reach the target (over_years)")
    else:
        out.figure("target_year", owner, target.year, "Year the target is reached (year)")
        out.formula("target_over_years", owner, value=target.year - baseline.start_year)
        out.alias("over_years", owner, ("target_over_years", owner))


RATE_LINE = {"rate_trend": "trend", "rate_target": "target", "rate_constant": "constant"}


def describe(scenario: Scenario) -> str:
    if scenario.lac_rate_trend is not None:
        return (
            f"the rate moves in proportion to a {scenario.lac_rate_trend.form} trend of its history"
        )
    if scenario.lac_rate_target is not None:
        return "the rate moves in a straight line to its target, then stays there"
    return "the rate stays at its start-year level"


def _care_values(book: Book, baseline: Baseline, comparison: Any) -> dict[str, Any]:
    """The care lines the engine works out, by owner, for the cells' cached results."""
    scenarios = project(baseline)
    values: dict[str, Any] = {f"s{k}": s.values for k, s in enumerate(scenarios)}
    values[""] = scenarios[0].values if scenarios else {}
    if comparison is not None:
        values["w"] = comparison.with_scenario.values
        values["counted"] = [book.model.ids.index(i) for i in comparison.interventions]
    return values


def _care(out: Layout, owner: str, reference: str) -> None:
    """The lines from children in care to their cost; changes against `reference`'s start year."""
    for json_key, key in CARE_KEYS:
        if key.startswith("change_in_"):
            out.alias("reference_total_cost", owner, ("total_cost", reference))
            out.alias("reference_cashable_cost", owner, ("cashable_cost", reference))
        out.line(key, owner, json_key)


def _prices(out: Layout, book: Book) -> None:
    """The weekly placement cost brought to the price base (Indices), as the outcome's cost is."""
    prices = book.model.prices
    if prices is None:
        return
    block = prices.blocks["baseline"]
    note = " (assumed: the baseline gives no price year)" if block.assumed else ""
    label = CARE["baseline_price_year"].label + note
    at = out.figure("baseline_price_year", "", block.year.label, label)
    out.figure("baseline_index", "", prices.names["baseline"], role="fixed")
    allowed = _allowed(book, "baseline_price_year")
    book.input(out.sheet, at.row, at.col, label, allowed, block.year.label)
    out.formula("baseline_uprate", "")
    out.formula("weekly_placement_cost_in_base", "")


def forecast_sheet(book: Book) -> Sheet | None:
    """The baseline's inputs, each scenario by year, spend with and without the portfolio, a chart."""
    baseline = book.portfolio.baseline
    if baseline is None:
        return None
    comparison, why = book.comparison
    data = forecast_data(baseline, comparison)
    n_years = baseline.years + 1
    last_col = FIRST_YEAR_COL + n_years - 1
    # With `start`, a row of financial years under the years (which the formulas use).
    labels = baseline.financial_years()
    header_rows = YEAR_ROW + (1 if labels else 0)
    sheet = book.sheet(
        FORECAST,
        freeze=cell(header_rows + 1, FIRST_YEAR_COL),
        print_rows=f"{YEAR_ROW}:{header_rows}",
        print_cols="A:C",
        widths={1: 64, 2: 12, 3: 26, **{c: 14 for c in range(FIRST_YEAR_COL, last_col + 1)}},
    )
    sheet.put(
        1,
        1,
        "Forecast: children in care and their cost if nothing changes, and with the portfolio",
        "title",
    )
    sheet.put(
        2,
        1,
        "£ a year at the baseline's prices; the start year is observed. Yellow cells are the "
        "baseline's inputs: change one and the forecast moves (appraise import-xlsx reads the "
        "Inputs sheet only: to keep a change, edit the baseline). Column C: the line's key in "
        "`appraise forecast --format json`, or the figure the row names.",
        "note",
    )
    sheet.row(YEAR_ROW, [("Year", "header"), ("Unit", "header"), ("Key, or figure", "header")])
    sheet.put(YEAR_ROW, FIRST_YEAR_COL, baseline.start_year, "header")
    for col in range(FIRST_YEAR_COL + 1, last_col + 1):
        year = baseline.start_year + col - FIRST_YEAR_COL
        sheet.put(
            YEAR_ROW, col, Formula(f"{get_column_letter(col - 1)}{YEAR_ROW}+1", year), "header"
        )
    book.place("forecast_year", "", Row(sheet.title, YEAR_ROW, FIRST_YEAR_COL, last_col, last_col))
    book.place("start_year", "", Cell(sheet.title, YEAR_ROW, FIRST_YEAR_COL))

    if labels:
        sheet.row(header_rows, [("Financial year (the one each year begins in)", "header")])
        for k, label in enumerate(labels):
            sheet.put(header_rows, FIRST_YEAR_COL + k, label, "header")
    out = Layout(book, sheet, n_years, _care_values(book, baseline, comparison))
    out.r = header_rows
    out.heading(
        "The baseline's inputs" + (f": {baseline.description}" if baseline.description else "")
    )
    _population(out, baseline)
    shared = shared_assumptions(book.portfolio)
    for key, field in BASELINE_INPUTS:
        label = f"{CARE[key].label} ({field})"
        if field in shared:  # the outcome's own input cell: one cell for one assumption
            out.shared(key, label, book.input_cells[shared[field]], getattr(baseline, field))
        else:
            out.figure(key, "", getattr(baseline, field), label)
    out.figure("per_10k", "", PER_10K, "Children the rate counts per (10,000)", "fixed")
    _prices(out, book)
    for key in ("non_placement_cost_per_week", "cost_per_child_year"):
        out.formula(key, "", value=data[key])
        check = Check(
            book.ref(sheet, out.r, 3), "baseline", key, data[key], tolerance(key), "money"
        )
        book.checks.append(check)
    for k, scenario in enumerate(baseline.scenarios):
        _scenario_inputs(out, k, baseline, scenario)

    out.heading("Child population, by year")
    for key in ("population_position", "population_share", "population_path"):
        out.line(key, "")
    out.line("child_population", "", "child_population")

    for k, scenario in enumerate(baseline.scenarios):
        owner = f"s{k}"
        out.heading(f"Scenario: {scenario.name} ({describe(scenario)})")
        rate_line, _ = scenario_inputs(baseline, scenario)
        if rate_line == "rate_trend":
            out.line("trend_x", owner)
            out.line("trend", owner)
        out.line(rate_line, owner, "lac_rate_per_10k")
        out.alias("lac_rate_per_10k", owner, (rate_line, owner))
        out.keys[(scenario.name, "lac_rate_per_10k")] = out.r
        out.line("non_uasc_from_rate", owner, "children_in_care_non_uasc")
        out.keys[(scenario.name, "children_in_care_non_uasc")] = out.r
        out.alias("children_in_care_non_uasc", owner, ("non_uasc_from_rate", owner))
        _care(out, owner, owner)  # changes against the scenario's own start year
        for json_key, _ in CARE_KEYS:
            out.keys[(scenario.name, json_key)] = out.keys[(owner, json_key)]

    if comparison is None:
        out.heading("With the portfolio")
        out.note(f"No comparison with the portfolio: {why}")
        series = [(out.keys[(s.name, "total_cost")], s.name) for s in baseline.scenarios]
    else:
        series = _with_portfolio(book, out, comparison, baseline)
    _check_lines(book, sheet, out, data, comparison)
    chart = _spend_chart(series, last_col, out.r + 3, comparison is not None, header_rows)
    sheet.decorate.append(chart)
    return sheet


def _with_portfolio(
    book: Book, out: Layout, comparison: Any, baseline: Baseline
) -> list[tuple[int, str]]:
    """The with-portfolio scenario and the comparison; returns the chart's (row, name) series."""
    k = next(j for j, s in enumerate(baseline.scenarios) if s.name == comparison.scenario)
    without, owner = f"s{k}", "w"
    out.heading(
        f"With the portfolio: {comparison.scenario}, children in care reduced by the LAC-years "
        f"the portfolio's interventions avert ({comparison.lac_outcome})"
    )
    out.note(
        f"Counted: {', '.join(comparison.interventions) or 'none'} (they avert "
        f"{comparison.lac_outcome}); not counted: {', '.join(comparison.excluded) or 'none'} "
        "(other outcomes lie outside a forecast of care costs)."
    )
    out.note(
        "A LAC-year averted is one fewer child in care that year, costing what the baseline says a "
        f"child costs ({money(comparison.lac_year_cost_baseline)} a year, above); the portfolio's "
        "own cost of one is on Outcomes. The portfolio's cohorts run on after its appraisal "
        "horizon (Cash flows carries those years for the interventions counted here)."
    )
    out.figure(
        "portfolio_start",
        owner,
        comparison.start_year,
        "The portfolio's year 1 (a forecast year)",
        "fixed",
    )
    out.r += 1
    line = CARE["portfolio_horizon"]
    out.sheet.row(
        out.r, [("The portfolio's appraisal horizon (Inputs)", "text"), (line.unit, "text")]
    )
    out.sheet.put(out.r, 3, Formula(book.at("horizon"), book.horizon), "calc:int")
    book.place("portfolio_horizon", owner, Cell(out.sheet.title, out.r, 3))
    out.line("portfolio_year", owner, "portfolio_year")
    out.line("within_portfolio_horizon", owner, "within_portfolio_horizon")
    counted = [book.model.ids.index(i) for i in comparison.interventions]
    for key, what, total in (
        ("counted_lac_years", "LAC-years averted", "lac_years_averted"),
        ("counted_cost", "cost", "intervention_cost"),
    ):
        first = out.r + 1
        for i in counted:
            out.line(key, f"i{i}", label=f"{book.model.ids[i]}: {what} (Cash flows)", also=(owner,))
        book.place(key, owner, Block(out.sheet.title, first, out.r))
        if total == "lac_years_averted":
            out.line(total, owner, total)
    name = comparison.with_scenario.name
    out.heading(f"{comparison.scenario}, with the portfolio")
    for key, of in (
        ("without_non_uasc", "children_in_care_non_uasc"),
        ("without_children_in_care", "children_in_care"),
        ("without_total_cost", "total_cost"),
        ("without_cashable_cost", "cashable_cost"),
    ):
        out.alias(key, owner, (of, without))
    out.line("with_non_uasc", owner, "children_in_care_non_uasc")
    out.alias("children_in_care_non_uasc", owner, ("with_non_uasc", owner))
    out.line("rate_from_children", owner, "lac_rate_per_10k")
    _care(out, owner, without)
    for json_key in FORECAST_KEYS:
        if (owner, json_key) in out.keys:
            out.keys[(name, json_key)] = out.keys[(owner, json_key)]

    out.heading(
        "Spend on children in care with and without the portfolio (positive saving = money saved)"
    )
    for key in COMPARISON_KEYS[4:]:
        out.line(key, owner, key)
    for key in COMPARISON_KEYS[1:]:
        out.keys[("comparison", key)] = out.keys[(owner, key)]
    last = get_column_letter(out.last)
    row = out.keys[(owner, "cumulative_net_saving")]
    book.facts.append(
        (
            f"Forecast: cumulative net saving with the portfolio, {baseline.start_year} to "
            f"{baseline.last_year} ({comparison.scenario})",
            Formula(
                f"{quote_title(out.sheet.title)}${last}${row}",
                float(comparison.lines["cumulative_net_saving"][-1]),
            ),
            "output:money",
        )
    )
    return [
        (out.keys[(owner, "spend_without")], "Without the portfolio"),
        (out.keys[(owner, "spend_with")], "With the portfolio (care + interventions)"),
    ]


def _check_lines(
    book: Book, sheet: Sheet, out: Layout, data: dict[str, Any], comparison: Any
) -> None:
    """Every forecast figure on the Checks sheet: this sheet's cell against the engine's value."""
    rows: list[tuple[str, str, list[dict[str, Any]]]] = []
    scenarios = data["scenarios"]
    for scenario in scenarios:
        keys = [k for k in FORECAST_KEYS if (scenario["name"], k) in out.keys]
        rows += [(scenario["name"], k, scenario["years"]) for k in keys]
    rows.append(("", "child_population", scenarios[0]["years"]))
    if comparison is not None:
        rows += [
            ("comparison", k, data["with_portfolio"]["years"])
            for k in COMPARISON_KEYS
            if k != "year"
        ]
    for owner, key, records in rows:
        r = out.keys[(owner, key)]
        for t, record in enumerate(records):
            engine = record[key]
            book.checks.append(
                Check(
                    book.ref(sheet, r, FIRST_YEAR_COL + t),
                    owner or "baseline",
                    f"{key} {record['year']}",
                    float(engine),
                    tolerance(key),
                    "money" if key in MONEY_KEYS else "",
                )
            )


def _spend_chart(
    series: list[tuple[int, str]],
    last_col: int,
    row: int,
    with_portfolio: bool,
    category_row: int = YEAR_ROW,
) -> Any:
    def add(ws: Worksheet) -> None:
        chart = LineChart()
        chart.title = (
            "Spend on children in care with and without the portfolio"
            if with_portfolio
            else "Total cost of children in care, by scenario"
        )
        for r, name in series:
            values = Reference(ws, min_col=FIRST_YEAR_COL, max_col=last_col, min_row=r, max_row=r)
            chart.series.append(Series(values, title=name))
        years = Reference(  # the years, or their financial years
            ws, min_col=FIRST_YEAR_COL, max_col=last_col, min_row=category_row, max_row=category_row
        )
        chart.set_categories(years)
        chart.y_axis.numFmt = '"£"#,##0'
        chart.y_axis.title = "£ a year"
        chart.x_axis.title = "Year"
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.legend.position = "b"
        chart.width, chart.height = 24, 11
        ws.add_chart(chart, f"A{row}")

    return add
