"""The `Calculations` sheet: every step from reach to break-even, one line a row, one intervention
a column. Each row is a line of `appraise.engine.lines`: its label, unit and meaning, and its
formula in every intervention's column."""

from __future__ import annotations

from appraise.engine.lines import EFFECT_FORM_NAMES, LINES, PER_CASE
from appraise.workbook.book import CALCULATIONS, Book, Cell
from appraise.workbook.writer import Sheet, cell

# The sheet's sections and the lines in each, top to bottom; inputs are shown from Inputs.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Reach", ("reach_base", "reach_share", "reach_offset", "reach")),
    (
        "Cost",
        (
            "unit_cost",
            "fixed_cost",
            "cost_price_year",
            "cost_index",
            "cost_uprate",
            "unit_cost_in_base",
            "fixed_cost_in_base",
            "cost",
        ),
    ),
    (
        "Effect",
        (
            "effect_form",
            "effect_a",
            "effect_b",
            "odds_ratio",
            "treated_risk",
            "effect_raw",
            "optimism_bias",
            "non_uk_haircut",
            "effect_adjusted",
            "outcomes_averted",
        ),
    ),
    (
        "Savings (£ a year; positive = money saved, negative = a loss)",
        (
            "outcome_cost",
            "cashable_outcome_cost",
            "outcome_cost_csc",
            "outcome_cost_all",
            "gross_savings",
            "net_savings",
            "cashable_gross_savings",
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
    per_case = int(book.model.base.values["effect_form"][i]) == PER_CASE
    return "n3" if per_case else "pct2"


def calculations_sheet(book: Book) -> Sheet:
    """Every step from reach to break-even, one line a row, one intervention a column."""
    n = book.n
    sheet = book.sheet(
        CALCULATIONS,
        freeze=cell(4, FIRST_COL),
        print_rows="1:3",
        print_cols="A:C",
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
        form = EFFECT_FORM_NAMES[int(book.model.base.values["effect_form"][i])]
        sheet.put(r, FIRST_COL + i, item.description, "user")
        sheet.put(r + 1, FIRST_COL + i, form, "text")
        sheet.put(r + 2, FIRST_COL + i, book.ref_formula("rating", f"i{i}"), "calc")
    r += 2
    for title, keys in SECTIONS:
        r += 2
        sheet.put(r, 1, title, "section")
        for key in keys:
            r += 1
            line = LINES[key]
            how = "Inputs" if line.is_input else line.how
            sheet.row(r, [(line.label, "text"), (line.unit, "text"), (how, "text")])
            for i in range(n):
                col, owner = FIRST_COL + i, f"i{i}"
                fmt = rate_format(book, i) if line.unit == "per case" else line.fmt
                if line.is_input:  # shown from Inputs; the lines below read this cell
                    sheet.put(r, col, book.ref_formula(key, owner), f"calc:{fmt}")
                    book.place(key, owner, Cell(sheet.title, r, col))
                else:
                    book.write(sheet, key, owner, r, col, f"calc:{fmt}")
    return sheet
