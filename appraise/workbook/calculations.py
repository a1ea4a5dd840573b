"""The `Calculations` sheet: every step from reach to break-even, one line a row, one intervention
a column. Each row is a line of `appraise.engine.lines`: its label, unit and meaning, and its
formula in every intervention's column."""

from __future__ import annotations

from appraise.engine.lines import LINES
from appraise.workbook.book import CALCULATIONS, Book, Cell, Column, effect_owner
from appraise.workbook.writer import Sheet, cell

# The sheet's sections and the lines in each, top to bottom; inputs are shown from Inputs.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Reach",
        ("reach_base", "reach_share", "reach_offset", "reach", "reach_per_case", "cases_costed"),
    ),
    (
        "Cost",
        (
            "unit_cost",
            "fixed_cost",
            "staffing_cost",
            "cost_price_year",
            "cost_index",
            "cost_uprate",
            "unit_cost_in_base",
            "fixed_cost_in_base",
            "staffing_cost_in_base",
            "cost",
            "cost_per_case",
        ),
    ),
    (
        "Effect (one row an effect where a service averts several outcomes)",
        (
            "effect_count",
            "effect_form",
            "effect_a",
            "effect_b",
            "effect_used",
            "effect_odds_ratio",
            "effect_treated_risk",
            "effect_rate_raw",
            "optimism_bias",
            "non_uk_haircut",
            "deadweight",
            "attribution",
            "displacement",
            "additionality",
            "effect_rate",
            "effect_outcomes_averted",
            "outcomes_averted",
            "odds_ratio",
            "treated_risk",
            "effect_raw",
            "effect_adjusted",
        ),
    ),
    (
        "Savings (£ a year; positive = money saved, negative = a loss)",
        (
            "effect_outcome_cost",
            "effect_cashable_outcome_cost",
            "effect_outcome_cost_csc",
            "effect_outcome_cost_all",
            "effect_gross_savings",
            "effect_cashable_gross_savings",
            "effect_savings_csc",
            "effect_savings_all",
            "effect_cost_avoidance_savings",
            "effect_capacity_savings",
            "effect_cashable_one_off_savings",
            "effect_cost_avoidance_one_off_savings",
            "effect_capacity_one_off_savings",
            "outcome_cost",
            "cashable_outcome_cost",
            "outcome_cost_csc",
            "outcome_cost_all",
            "gross_savings",
            "net_savings",
            "net_savings_per_case",
            "cashable_gross_savings",
            "cost_avoidance_savings",
            "capacity_savings",
            "cashable_one_off_savings",
            "cost_avoidance_one_off_savings",
            "capacity_one_off_savings",
            "one_off_savings",
            "recurring_savings",
            "cashable_share",
            "cashable_net_savings_strict",
            "cashable_net_savings_pro_rata",
            "cashable_net_savings",
            "net_savings_childrens_social_care",
            "net_savings_public_sector",
            "roi",
        ),
    ),
    (
        "Break-even",
        (
            "break_even_effect_share",
            "effect_break_even_outcomes",
            "effect_break_even_success_rate",
            "break_even_outcomes",
            "break_even_success_rate",
            "cases_per_success_at_break_even",
            "safety_margin",
        ),
    ),
)
FIRST_COL = 4  # column D


def rate_format(book: Book, i: int) -> str:
    """Per-case effects show as numbers, success rates and risks as percentages."""
    per_case = book.model.per_case(i)
    return "n3" if per_case else "pct2"


def calculations_sheet(book: Book) -> Sheet:
    """Every step from reach to break-even, one line a row, one intervention a column."""
    n = book.n
    sheet = book.sheet(
        CALCULATIONS,
        freeze=cell(4, FIRST_COL),
        print_rows="1:3",
        print_cols="A:B",  # the "how" text prints once, not on every page
        widths={1: 48, 2: 14, 3: 60, **{FIRST_COL + i: 22 for i in range(n)}},
    )
    sheet.put(
        1, 1, "Calculations: one line a row, the same formula for every intervention", "title"
    )
    sheet.row(2, [("Line", "header"), ("Unit", "header"), ("How it is worked out", "header")])
    sheet.row(3, [("", "header"), ("", "header"), ("Intervention name", "header")])
    items = book.model.interventions
    for i, item in enumerate(items):
        sheet.put(2, FIRST_COL + i, item.id, "header")
        sheet.put(3, FIRST_COL + i, item.name, "user_wrap")
    r = 4
    for k, label in enumerate(("What it is", "Effect reported as", "Evidence rating")):
        how = "Inputs" if label == "Evidence rating" else "from the portfolio file"
        sheet.row(r + k, [(label, "text"), ("", "text"), (how, "text")])
    for i, item in enumerate(items):
        form = ", ".join(
            f"{averts}: {effect.form}" if len(item.effect_list) > 1 else effect.form
            for averts, effect, _ in item.effect_list
        )
        sheet.put(r, FIRST_COL + i, item.description, "user")
        sheet.put(r + 1, FIRST_COL + i, form, "text")
        book.show(sheet, r + 2, FIRST_COL + i, "rating", f"i{i}", "calc")
    r += 2
    k_max = book.model.base.values["effect_form"].shape[-1]
    # What each intervention's cell of a line takes from the intervention, found once.
    owners = [f"i{i}" for i in range(n)]
    rates = [f"calc:{rate_format(book, i)}" for i in range(n)]
    for title, keys in SECTIONS:
        r += 2
        sheet.put(r, 1, title, "section")
        for key in keys:
            line = LINES[key]
            how = "Inputs" if line.is_input else line.how
            slots = range(k_max) if "F" in line.level else (None,)
            first = r + 1
            for k in slots:
                r += 1
                label = line.label if k is None or k_max == 1 else f"Effect {k + 1}: {line.label}"
                sheet.row(r, [(label, "text"), (line.unit, "text"), (how, "text")])
                style = f"calc:{line.fmt}"
                if not line.is_input:  # a formula in every intervention's column
                    row_owners = owners if k is None else [effect_owner(i, k) for i in range(n)]
                    styles = rates if line.unit == "per case" else [style] * n
                    book.write_across(sheet, key, row_owners, r, FIRST_COL, styles)
                    continue
                for i in range(n):
                    col = FIRST_COL + i
                    owner = owners[i] if k is None else effect_owner(i, k)
                    if line.unit == "per case":
                        style = rates[i]
                    if line.is_input:  # shown from Inputs; the lines below read this cell
                        book.show(sheet, r, col, key, owner, style)
                        book.place(key, owner, Cell(sheet.title, r, col))
                    else:
                        book.write(sheet, key, owner, r, col, style)
            if "F" in line.level:  # an intervention's effects, one above another
                for i in range(n):
                    book.place(key, owners[i], Column(sheet.title, first, r, FIRST_COL + i))
    return sheet
