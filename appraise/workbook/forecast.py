"""The `Forecast` sheet: children in care and what they cost if nothing changes, and with the portfolio.

Built when the portfolio has a baseline (`baseline:`). Each line mirrors appraise/forecast.py, whose
module docstring states the formulas: the child population along its path (linear between the
years given), children in care = population x rate / 10,000 + UASC, weeks of care, placement and
non-placement cost, total; then the with-portfolio scenario, whose non-UASC children in care are
reduced by the LAC-years the portfolio averts each year (from the Cash flows sheet), and the spend
with and without the portfolio. The Checks sheet compares every figure with
`appraise forecast --format json`.

Layout: column A the line, B its unit, C the line's key in `appraise forecast --format json` (or a
single figure: an input, a constant, a fitted trend), then one column a forecast year from D (the
start year, which is observed).
"""

from __future__ import annotations

from typing import Any

from openpyxl.chart import LineChart, Reference, Series
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from appraise.analyses.forecast import COMPARISON_KEYS, FORECAST_KEYS, PER_10K, forecast_data
from appraise.display import money
from appraise.model.baseline import Baseline, Scenario
from appraise.workbook.book import FORECAST, Book, Check, ratio, row_span
from appraise.workbook.cashflows import FIRST_YEAR_COL, YEAR_ROW, Block
from appraise.workbook.writer import Formula, Sheet, cell, quote_title

# Every figure of `appraise forecast --format json`: the per-year keys and the two baseline ones.
FIGURE_KEYS = (
    *FORECAST_KEYS,
    *COMPARISON_KEYS,
    "non_placement_cost_per_week",
    "cost_per_child_year",
)
MONEY_KEYS = frozenset(k for k in FIGURE_KEYS if any(w in k for w in ("cost", "spend", "saving")))
# Children and weeks: counts of thousands, so checked to 0.001 rather than to 1e-6.
COUNT_KEYS = frozenset(
    k for k in FIGURE_KEYS if k.startswith(("child", "uasc", "weeks", "lac_years"))
)


def tolerance(key: str) -> float:
    """How close the workbook must come to the engine: £1 for money, 0.001 for counts, else 1e-6."""
    if key in MONEY_KEYS:
        return 1.0
    return 1e-3 if key in COUNT_KEYS else 1e-6


# The baseline's own inputs: (name on the sheet, field of `baseline:`, label, unit, format).
BASELINE_INPUTS = (
    (
        "lac_rate",
        "lac_rate_per_10k",
        "Non-UASC children in care per 10,000, start year",
        "rate",
        "n2",
    ),
    ("uasc", "uasc", "Unaccompanied asylum-seeking children in care, each year", "children", "n1"),
    ("weeks", "weeks_in_care_per_child", "Average weeks in care per child a year", "weeks", "n2"),
    ("weekly", "weekly_placement_cost", "Average placement cost a week", "£ a week", "money2"),
    ("share", "non_placement_share", "Non-placement share of total cost", "fraction", "pct"),
)
# The lines of one scenario: (JSON key, label, unit, template over names prefixed "{p_", format).
# The caller places `children_in_care_non_uasc` first: from the rate, or the scenario without the
# portfolio less the LAC-years averted; changes are against the start year of scenario REF.
CARE_LINES = (
    ("uasc", "Unaccompanied asylum-seeking children in care (UASC)", "children", "{c_uasc}", "n1"),
    (
        "children_in_care",
        "Children in care",
        "children",
        "{p_children_in_care_non_uasc}+{p_uasc}",
        "n1",
    ),
    (
        "weeks_of_care",
        "Weeks of care",
        "weeks",
        "{p_children_in_care}*{c_weeks}",
        "n0",
    ),
    (
        "placement_cost",
        "Placement cost",
        "£ a year",
        "{p_weeks_of_care}*{c_weekly}",
        "money",
    ),
    (
        "non_placement_cost",
        "Non-placement cost (staff, travel, overheads)",
        "£ a year",
        "{p_weeks_of_care}*{c_non_placement_week}",
        "money",
    ),
    (
        "total_cost",
        "Total cost of children in care",
        "£ a year",
        "{p_placement_cost}+{p_non_placement_cost}",
        "money",
    ),
    ("cashable_cost", "Cashable cost (placements)", "£ a year", "{p_placement_cost}", "money"),
    (
        "change_in_total_cost",
        "Change in total cost since the start year",
        "£ a year",
        "{p_total_cost}-{first_REF_total_cost}",
        "money",
    ),
    (
        "change_in_cashable_cost",
        "Change in cashable cost since the start year",
        "£ a year",
        "{p_cashable_cost}-{first_REF_cashable_cost}",
        "money",
    ),
)
NO_CHILDREN = "none: no children in the area"  # a rate per 10,000 of no children
RATE_LINE = ("lac_rate_per_10k", "Non-UASC children in care per 10,000 children", "rate", "n2")
NON_UASC_LINE = ("children_in_care_non_uasc", "Children in care, not UASC", "children", "n1")


class Layout:
    """The sheet as it is laid out: a Block (appraise.excel_cashflows) plus input cells and tables."""

    def __init__(self, book: Book, sheet: Sheet, years: int):
        self.book, self.sheet = book, sheet
        self.block = Block(sheet, YEAR_ROW, years, {})
        self.keys: dict[tuple[str, str], int] = {}  # (owner, JSON key) -> row, for Checks

    @property
    def r(self) -> int:
        return self.block.r

    def figure(
        self, name: str, label: str, unit: str, value: Any, fmt: str, role: str = "input"
    ) -> int:
        """A single figure in column C (an input or a constant); returns its row."""
        self.block.r += 1
        self.sheet.row(self.r, [(label, "text"), (unit, "text"), (value, f"{role}:{fmt}")])
        self.block.value_rows[name] = self.r
        return self.r

    def formula(self, name: str, label: str, unit: str, template: str, fmt: str) -> int:
        """A single figure worked out in column C from the names a Block resolves; its row."""
        self.block.value(name, label, unit, template, fmt)
        return self.r

    def table(self, label: str, unit: str, values: list[Any], style: str) -> tuple[int, str]:
        """A row of values from column D (a path, a history); returns its row and range."""
        self.block.r += 1
        self.sheet.row(self.r, [(label, "text"), (unit, "text")])
        for j, value in enumerate(values):
            self.sheet.put(self.r, FIRST_YEAR_COL + j, value, style)
        last = get_column_letter(FIRST_YEAR_COL + len(values) - 1)
        return self.r, f"$D${self.r}:${last}${self.r}"

    def line(self, name: str, label: str, unit: str, template: str, fmt: str, key: str = "") -> int:
        """A line across the forecast years; `key` (its JSON key) is shown in column C."""
        self.block.line(name, label, unit, template, fmt)
        if key:
            self.sheet.put(self.r, 3, key, "text")
        return self.r


def interpolation(year: str, pos: str, share: str) -> tuple[str, str, str]:
    """np.interp as three formulas over the path's years {knot_years} and values {knot_values}:
    the position of the given year at or before `year` (the first before the first, the last but
    one after the last), the share of the way to the next, and the value there."""
    k, v = "{knot_years}", "{knot_values}"
    return (
        f"IF({year}<=INDEX({k},1),1,MIN(MATCH({year},{k},1),COLUMNS({k})-1))",
        f"MIN(MAX(({year}-INDEX({k},{pos}))/(INDEX({k},{pos}+1)-INDEX({k},{pos})),0),1)",
        f"INDEX({v},{pos})+{share}*(INDEX({v},{pos}+1)-INDEX({v},{pos}))",
    )


def _population(out: Layout, baseline: Baseline) -> str:
    """The child population's inputs, its path, and the template of the population line."""
    pop, start = baseline.child_population, baseline.start_year
    knot_years, knot_values = pop.knots(start)
    field = "baseline.child_population"
    fixed = out.block.fixed
    if pop.series is not None:
        _, fixed["knot_years"] = out.table(
            f"Child population given ({field}): year", "year", knot_years, "fixed:int"
        )
        _, fixed["knot_values"] = out.table(
            "Child population given: children", "children", knot_values, "input:n0"
        )
        scale = ""
    else:
        out.figure(
            "population",
            f"Child population in the year it is counted ({field}.value)",
            "children",
            pop.value,
            "n0",
        )
        if len(knot_years) == 1:
            return "{c_population}"  # no growth: the same every year
        out.figure(
            "anchor",
            "Year the child population is counted",
            "year",
            pop.anchor(start),
            "int",
            "fixed",
        )
        _, fixed["knot_years"] = out.table(
            f"Growth path ({field}.growth): year", "year", knot_years, "fixed:int"
        )
        row, _ = out.table(
            f"Growth since {knot_years[0]}, the base year",
            "fraction",
            [0.0, *pop.growth.values()],
            "input:pct",
        )
        # The base year's growth is 0 by definition: structure, not an input.
        out.sheet.put(row, FIRST_YEAR_COL, 0.0, "fixed:pct")
        factors = [
            Formula(f"1+{get_column_letter(FIRST_YEAR_COL + j)}{row}")
            for j in range(len(knot_years))
        ]
        _, fixed["knot_values"] = out.table(
            f"Growth factor (1 in {knot_years[0]})", "factor", factors, "calc:n4"
        )
        pos, share, path = interpolation("{c_anchor}", "{c_anchor_pos}", "{c_anchor_share}")
        out.formula("anchor_pos", "Growth path at the count year: position", "position", pos, "int")
        out.formula(
            "anchor_share", "... share of the way to the next year given", "share", share, "n4"
        )
        out.formula("anchor_path", "... growth factor in the count year", "factor", path, "n4")
        scale = "{c_population}*"
    pos, share, path = interpolation("{year}", "{pos}", "{share}")
    out.line(
        "pos",
        "Population path: the year given at or before this one (position)",
        "position",
        pos,
        "int",
    )
    out.line(
        "share", "Population path: share of the way to the next year given", "share", share, "n4"
    )
    if not scale:
        return path
    out.line("path", "Population path: growth factor this year", "factor", path, "n4")
    return scale + "{path}/{c_anchor_path}"


def _scenario_inputs(out: Layout, k: int, scenario: Scenario) -> None:
    """The inputs a scenario's rate path needs: a fitted trend, or a target."""
    at = f"baseline.scenarios[{k}]"
    trend, target = scenario.lac_rate_trend, scenario.lac_rate_target
    if trend is None and target is None:
        return
    out.block.heading(f"Scenario inputs: {scenario.name}")
    if trend is not None:
        years = list(trend.history)
        year_row, year_span = out.table(
            f"History ({at}.lac_rate_trend.history): year", "year", years, "fixed:int"
        )
        _, rates = out.table(
            "History: children in care per 10,000 children",
            "rate",
            list(trend.history.values()),
            "input:n2",
        )
        t0 = out.formula(
            f"t0_{k}", "First year of the history (t0)", "year", f"MIN({year_span})", "int"
        )
        xs = [
            Formula(
                trend_x(
                    trend.form, f"{get_column_letter(FIRST_YEAR_COL + j)}{year_row}", f"$C${t0}"
                )
            )
            for j in range(len(years))
        ]
        shown = trend_x(trend.form, "year", "t0").replace("-", " - ").replace("+", " + ")
        _, x_span = out.table(f"History: x = {shown} ({trend.form} trend)", "x", xs, "calc:n4")
        out.formula(
            f"b_{k}",
            "Fitted trend: slope b (least squares)",
            "rate per x",
            f"SLOPE({rates},{x_span})",
            "n4",
        )
        out.formula(
            f"a_{k}",
            "Fitted trend: a, the rate in t0 (least squares)",
            "rate",
            f"INTERCEPT({rates},{x_span})",
            "n4",
        )
        return
    assert target is not None
    out.figure(
        f"target_{k}",
        f"Target rate per 10,000 ({at}.lac_rate_target.value)",
        "rate",
        target.value,
        "n2",
    )
    if target.over_years is not None:
        out.figure(
            f"over_{k}", "Years to reach the target (over_years)", "years", target.over_years, "int"
        )
    else:
        out.figure(
            f"target_year_{k}", "Year the target is reached (year)", "year", target.year, "int"
        )
        out.formula(
            f"over_{k}",
            "Years to reach the target",
            "years",
            f"{{c_target_year_{k}}}-$D${YEAR_ROW}",
            "int",
        )


def trend_x(form: str, year: str, t0: str) -> str:
    """forecast.Trend.x as a formula: LN(year - t0 + 1) for a log trend, year - t0 for a linear."""
    return f"LN({year}-{t0}+1)" if form == "log" else f"({year}-{t0})"


def _rate(k: int, scenario: Scenario) -> str:
    """The template of a scenario's rate per 10,000 (forecast.scenario_rate)."""
    if scenario.lac_rate_trend is not None:
        return f"{{c_lac_rate}}*{{s{k}_trend}}/{{first_s{k}_trend}}"
    if scenario.lac_rate_target is not None:
        progress = f"MIN(MAX(({{year}}-$D${YEAR_ROW})/{{c_over_{k}}},0),1)"
        return f"{{c_lac_rate}}+({{c_target_{k}}}-{{c_lac_rate}})*{progress}"
    return "{c_lac_rate}"


def _care(out: Layout, prefix: str, reference: str, owner: str) -> None:
    """The lines from children in care to their cost; changes against `reference`'s start year."""
    for key, label, unit, template, fmt in CARE_LINES:
        formula = template.replace("{p_", f"{{{prefix}_").replace("REF", reference)
        out.keys[(owner, key)] = out.line(f"{prefix}_{key}", label, unit, formula, fmt, key)


def describe(scenario: Scenario) -> str:
    if scenario.lac_rate_trend is not None:
        return (
            f"the rate moves in proportion to a {scenario.lac_rate_trend.form} trend of its history"
        )
    if scenario.lac_rate_target is not None:
        return "the rate moves in a straight line to its target, then stays there"
    return "the rate stays at its start-year level"


def forecast_sheet(book: Book) -> Sheet | None:
    """The baseline's inputs, each scenario by year, spend with and without the portfolio, a chart."""
    baseline = book.portfolio.baseline
    if baseline is None:
        return None
    comparison, why = book.comparison
    data = forecast_data(baseline, comparison)
    n_years = baseline.years + 1
    last_col = FIRST_YEAR_COL + n_years - 1
    sheet = book.sheet(
        FORECAST,
        freeze=cell(YEAR_ROW + 1, FIRST_YEAR_COL),
        print_rows=f"{YEAR_ROW}:{YEAR_ROW}",
        print_cols="A:C",
        pages_wide=1 if n_years <= 12 else 0,
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
        sheet.put(YEAR_ROW, col, Formula(f"{get_column_letter(col - 1)}{YEAR_ROW}+1"), "header")

    out = Layout(book, sheet, n_years)
    b = out.block
    b.heading(
        "The baseline's inputs" + (f": {baseline.description}" if baseline.description else "")
    )
    population = _population(out, baseline)
    for name, field, label, unit, fmt in BASELINE_INPUTS:
        out.figure(name, f"{label} ({field})", unit, getattr(baseline, field), fmt)
    out.figure(
        "per_10k", "Children the rate counts per (10,000)", "children", PER_10K, "n0", "fixed"
    )
    npw = out.formula(
        "non_placement_week",
        "Non-placement cost a week of care: placement x share / (1 - share), at the start-year price",
        "£ a week",
        "{c_weekly}*({c_share}/(1-{c_share}))",
        "money2",
    )
    cpy = out.formula(
        "child_year",
        "What a child in care costs a year: weeks x (placement + non-placement a week)",
        "£ a year",
        "{c_weeks}*({c_weekly}+{c_non_placement_week})",
        "money",
    )
    for key, row in (("non_placement_cost_per_week", npw), ("cost_per_child_year", cpy)):
        check = Check(book.ref(sheet, row, 3), "baseline", key, data[key], tolerance(key), "money")
        book.checks.append(check)
    for k, scenario in enumerate(baseline.scenarios):
        _scenario_inputs(out, k, scenario)

    b.heading("Child population, by year")
    out.keys[("", "child_population")] = out.line(
        "child_population", "Child population", "children", population, "n0", "child_population"
    )

    for k, scenario in enumerate(baseline.scenarios):
        b.heading(f"Scenario: {scenario.name} ({describe(scenario)})")
        trend = scenario.lac_rate_trend
        if trend is not None:
            x = trend_x(trend.form, "{year}", f"{{c_t0_{k}}}")
            shown = trend_x(trend.form, "year", "t0").replace("-", " - ").replace("+", " + ")
            label = f"Fitted trend: a + b x {shown}"
            out.line(f"s{k}_trend", label, "rate", f"{{c_a_{k}}}+{{c_b_{k}}}*{x}", "n2")
        key, label, unit, fmt = RATE_LINE
        out.keys[(scenario.name, key)] = out.line(
            f"s{k}_{key}", label, unit, _rate(k, scenario), fmt, key
        )
        key, label, unit, fmt = NON_UASC_LINE
        out.keys[(scenario.name, key)] = out.line(
            f"s{k}_{key}",
            label,
            unit,
            f"{{child_population}}*{{s{k}_lac_rate_per_10k}}/{{c_per_10k}}",
            fmt,
            key,
        )
        _care(out, f"s{k}", f"s{k}", scenario.name)

    if comparison is None:
        b.heading("With the portfolio")
        b.r += 1
        sheet.put(b.r, 1, f"No comparison with the portfolio: {why}", "note")
        series = [(out.keys[(s.name, "total_cost")], s.name) for s in baseline.scenarios]
    else:
        series = _with_portfolio(book, out, comparison, baseline)
    _check_lines(book, sheet, out, data, comparison)
    sheet.decorate.append(_spend_chart(series, last_col, out.r + 3, comparison is not None))
    return sheet


def _with_portfolio(
    book: Book, out: Layout, comparison: Any, baseline: Baseline
) -> list[tuple[int, str]]:
    """The with-portfolio scenario and the comparison; returns the chart's (row, name) series."""
    b, sheet = out.block, out.sheet
    k = next(j for j, s in enumerate(baseline.scenarios) if s.name == comparison.scenario)
    without = f"s{k}"
    b.heading(
        f"With the portfolio: {comparison.scenario}, children in care reduced by the LAC-years "
        f"the portfolio's interventions avert ({comparison.lac_outcome})"
    )
    notes = [
        f"Counted: {', '.join(comparison.interventions) or 'none'} (they avert "
        f"{comparison.lac_outcome}); not counted: {', '.join(comparison.excluded) or 'none'} "
        "(other outcomes lie outside a forecast of care costs).",
        "A LAC-year averted is one fewer child in care that year, costing what the baseline says a "
        f"child costs ({money(comparison.lac_year_cost_baseline)} a year, above); the portfolio's "
        "own cost of one is on Outcomes. The portfolio's cohorts run on after its appraisal "
        "horizon (Cash flows carries those years for the interventions counted here).",
    ]
    for text in notes:
        b.r += 1
        sheet.put(b.r, 1, text, "note")
    out.figure(
        "first",
        "The portfolio's year 1 (a forecast year)",
        "year",
        comparison.start_year,
        "int",
        "fixed",
    )
    out.formula(
        "horizon",
        "The portfolio's appraisal horizon (Inputs)",
        "years",
        out.book.at("in.horizon"),
        "int",
    )
    owner = "comparison"
    out.keys[(owner, "portfolio_year")] = out.line(
        "portfolio_year",
        "Portfolio year (0 = before it starts)",
        "year",
        "IF({year}>={c_first},{year}-{c_first}+1,0)",
        "int",
        "portfolio_year",
    )
    out.keys[(owner, "within_portfolio_horizon")] = out.line(
        "within",
        "Within the portfolio's appraisal horizon (1 = yes)",
        "switch",
        "IF(AND({portfolio_year}>=1,{portfolio_year}<={c_horizon}),1,0)",
        "int",
        "within_portfolio_horizon",
    )
    run = int(comparison.lines["portfolio_year"].max())
    counted = [book.model.ids.index(i) for i in comparison.interventions]

    def per_intervention(what: str, label: str, fmt: str) -> str:
        """One line per counted intervention taken from Cash flows; the template of their sum."""
        first = out.r + 1
        for i in counted:
            b.fixed[f"cf_{what}_{i}"] = row_span(book.at(f"cashyear.{what}.{i}"), run)
            out.line(
                f"{what}_{i}",
                f"{book.model.ids[i]}: {label} (Cash flows)",
                "outcomes" if what == "outcomes_averted" else "£ a year",
                f"IF({{portfolio_year}}<1,0,INDEX({{cf_{what}_{i}}},{{portfolio_year}}))",
                fmt,
            )
        return f"SUM({{col}}{first}:{{col}}{out.r})" if counted else "0"

    total_averted = per_intervention("outcomes_averted", "LAC-years averted", "n2")
    out.keys[(owner, "lac_years_averted")] = out.line(
        "lac_years_averted",
        "LAC-years averted by the portfolio",
        "child-years",
        total_averted,
        "n2",
        "lac_years_averted",
    )
    total_cost = per_intervention("cost", "cost", "money")

    b.heading(f"{comparison.scenario}, with the portfolio")
    name = comparison.with_scenario.name
    key, label, unit, fmt = NON_UASC_LINE
    out.keys[(name, key)] = out.line(
        f"w_{key}", label, unit, f"{{{without}_{key}}}-{{lac_years_averted}}", fmt, key
    )
    key, label, unit, fmt = RATE_LINE
    out.keys[(name, key)] = out.line(
        f"w_{key}",
        label,
        unit,
        ratio(
            "{w_children_in_care_non_uasc}*{c_per_10k}",
            "{child_population}",
            NO_CHILDREN,
            signed=False,
        ),
        fmt,
        key,
    )
    _care(out, "w", without, name)

    b.heading(
        "Spend on children in care with and without the portfolio (positive saving = money saved)"
    )
    lines = (
        (
            "children_in_care_without",
            "Children in care without the portfolio",
            "children",
            f"{{{without}_children_in_care}}",
            "n1",
        ),
        (
            "children_in_care_with",
            "Children in care with the portfolio",
            "children",
            "{w_children_in_care}",
            "n1",
        ),
        (
            "spend_without",
            "Spend without the portfolio: total cost of care",
            "£ a year",
            f"{{{without}_total_cost}}",
            "money",
        ),
        (
            "care_cost_with",
            "Cost of care with the portfolio",
            "£ a year",
            "{w_total_cost}",
            "money",
        ),
        ("intervention_cost", "Cost of the interventions counted", "£ a year", total_cost, "money"),
        (
            "spend_with",
            "Spend with the portfolio: care + interventions",
            "£ a year",
            "{care_cost_with}+{intervention_cost}",
            "money",
        ),
        (
            "net_saving",
            "Net saving: spend without - spend with",
            "£ a year",
            "{spend_without}-{spend_with}",
            "money",
        ),
        (
            "cumulative_net_saving",
            "Cumulative net saving",
            "£",
            "SUM({first_net_saving}:{net_saving})",
            "money",
        ),
        (
            "cashable_care_saving",
            "Cashable care saving: placements without - with",
            "£ a year",
            f"{{{without}_cashable_cost}}-{{w_cashable_cost}}",
            "money",
        ),
    )
    for key, label, unit, template, fmt in lines:
        out.keys[(owner, key)] = out.line(key, label, unit, template, fmt, key)
    assert {k for o, k in out.keys if o == owner} == set(COMPARISON_KEYS) - {"year"}
    last = get_column_letter(FIRST_YEAR_COL + out.block.horizon - 1)
    cumulative = f"{quote_title(sheet.title)}${last}${out.keys[(owner, 'cumulative_net_saving')]}"
    book.facts.append(
        (
            f"Forecast: cumulative net saving with the portfolio, {baseline.start_year} to "
            f"{baseline.last_year} ({comparison.scenario})",
            Formula(cumulative),
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
    series: list[tuple[int, str]], last_col: int, row: int, with_portfolio: bool
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
        years = Reference(
            ws, min_col=FIRST_YEAR_COL, max_col=last_col, min_row=YEAR_ROW, max_row=YEAR_ROW
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
