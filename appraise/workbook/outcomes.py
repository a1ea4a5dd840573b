"""The `Outcomes` sheet: what one of each averted outcome costs, built from its components.

One row a component: its cost (from Inputs, or Thurrock's derivation), its switches, and the
lines of `appraise.engine.lines` that count it (headline perspective, cashable, children's social
care); then the outcome's four costs, each the sum of a column over its components.
"""

from __future__ import annotations

from appraise.display import payer_name
from appraise.engine.lines import LINES
from appraise.workbook.book import OUTCOMES, Book, Cell, Column, Table
from appraise.workbook.inputs import DERIVE_LINE, component_owners, derived_owners
from appraise.workbook.writer import Sheet

# The component columns: the line in each, and its header. A component given in the file is
# brought from its own price year to the price base first (its derived parts already are).
PRICE_COLUMNS = (
    ("component_cost_given", "Cost as given"),
    ("component_price_year", "Price year"),
    ("component_index", "Index"),
    ("component_uprate", "Uprating factor"),
)
COLUMNS = (
    *PRICE_COLUMNS,
    ("component_cost", "Value in base-year prices"),
    ("component_cashable", "Cash-releasing: cashable (1 = yes)"),
    ("component_capacity", "Else capacity (1) or cost avoidance (0)"),
    ("component_one_off", "One-off (1) or recurring (0)"),
    ("component_csc", "Paid by children's social care (1 = yes)"),
    ("component_counted", "Counts in the headline perspective (1 = yes)"),
    ("component_headline_cost", "Counted in the headline perspective"),
    ("component_cashable_cost", "Cashable (cash-releasing) and counted"),
    ("component_cost_avoidance_cost", "Cost avoidance and counted"),
    ("component_capacity_cost", "Capacity and counted"),
    ("component_cashable_one_off_cost", "Cash-releasing, one-off part"),
    ("component_cost_avoidance_one_off_cost", "Cost avoidance, one-off part"),
    ("component_capacity_one_off_cost", "Capacity, one-off part"),
    ("component_csc_cost", "Paid by children's social care"),
)
FIRST_COL = 3  # column C
VALUE_COL = FIRST_COL + len(PRICE_COLUMNS)
PAYER_COL = FIRST_COL + len(COLUMNS)
HOW_COL = PAYER_COL + 1
# The outcome's costs: the line, and the component column it sums.
TOTALS = (
    ("outcome_all", "component_cost"),
    ("outcome_csc", "component_csc_cost"),
    ("outcome_headline", "component_headline_cost"),
    ("outcome_cashable", "component_cashable_cost"),
    ("outcome_cost_avoidance", "component_cost_avoidance_cost"),
    ("outcome_capacity", "component_capacity_cost"),
    ("outcome_cashable_one_off", "component_cashable_one_off_cost"),
    ("outcome_cost_avoidance_one_off", "component_cost_avoidance_one_off_cost"),
    ("outcome_capacity_one_off", "component_capacity_one_off_cost"),
)
# Shown from Inputs: how each saving is booked (appraise.model.savings) and who pays it.
INPUT_LINES = ("component_cashable", "component_capacity", "component_one_off", "component_csc")
PRICE_INPUTS = ("component_cost_given", "component_price_year", "component_index")
DERIVE_PRICES = ("derive_price_year", "derive_index", "derive_uprate", "derive_weekly_cost_in_base")


def outcomes_sheet(book: Book) -> Sheet:
    """The cost of one of each outcome, built from its components (formulas over Inputs)."""
    col = {line: FIRST_COL + k for k, (line, _) in enumerate(COLUMNS)}
    sheet = book.sheet(
        OUTCOMES,
        freeze="C4",
        print_rows="3:3",
        print_cols="A:B",
        widths={1: 50, 2: 14, **{c: 16 for c in col.values()}, HOW_COL: 60},
        pages_wide=1,
    )
    sheet.put(1, 1, "Outcomes: what one of each averted outcome saves, and whom", "title")
    sheet.put(
        2,
        1,
        f"£ per outcome. Each cost given in the file is brought from its own price year to the "
        f"price base ({book.portfolio.price_year}) by its index (Indices sheet).",
        "note",
    )
    sheet.row(
        3,
        [("Line", "header"), ("Unit", "header")]
        + [(header, "header") for _, header in COLUMNS]
        + [("Payer", "header"), ("How it is worked out", "header")],
    )
    owners, derived = component_owners(book.model), derived_owners(book.model)
    r = _placement_table(book, sheet, 4)
    changes = [k for k, o in book.portfolio.outcomes.items() if o.change is not None]
    for key, outcome in book.portfolio.outcomes.items():
        r += 1
        sheet.put(r, 1, f"{key}: {outcome.name}", "section")
        parts: list[tuple[str, str, str]] = []  # (component owner, label, payer)
        if outcome.change is not None:
            x = f"x{changes.index(key)}"
            for line in ("change_from", "change_to", "change_units"):
                r += 1
                spec = LINES[line]
                sheet.row(r, [(spec.label, "text"), (spec.unit, "text")])
                style = "calc:" + spec.fmt
                sheet.put(r, FIRST_COL, book.ref_formula(line, x), style)
                book.place(line, x, Cell(sheet.title, r, FIRST_COL))
            for line in ("change_from_price", "change_to_price"):
                r += 1
                spec = LINES[line]
                sheet.row(r, [(spec.label, "text"), (spec.unit, "text")])
                book.write(sheet, line, x, r, FIRST_COL, f"calc:{spec.fmt}")
                sheet.put(r, HOW_COL, spec.how, "text")
            parts.append((owners[(key, "change")], "change", outcome.change.payer))
        if outcome.derive is not None:
            d = derived[key]
            for line in (*DERIVE_LINE.values(), *DERIVE_PRICES):
                r += 1
                spec = LINES[line]
                sheet.row(r, [(spec.label, "text"), (spec.unit, "text")])
                if spec.is_input:
                    sheet.put(r, FIRST_COL, book.ref_formula(line, d), f"calc:{spec.fmt}")
                    book.place(line, d, Cell(sheet.title, r, FIRST_COL))
                else:
                    book.write(sheet, line, d, r, FIRST_COL, f"calc:{spec.fmt}")
                    sheet.put(r, HOW_COL, spec.how, "text")
            for part in ("placement", "non_placement"):
                parts.append((owners[(key, part)], part, "childrens_social_care"))
        for comp in outcome.components or []:
            parts.append((owners[(key, comp.name)], comp.name, comp.payer))
        first = r + 1
        for owner, name, payer in parts:
            r += 1
            derived_part = name in ("placement", "non_placement") and outcome.derive is not None
            changed = name == "change" and outcome.change is not None
            label = (
                LINES[f"{name}_cost"].label if derived_part or changed else f"{name} (component)"
            )
            sheet.row(r, [(label, "user"), ("£ per outcome", "text")])
            if derived_part:  # the derivation's line, written where the component's cost sits
                book.write(sheet, f"{name}_cost", derived[key], r, VALUE_COL, "calc:money")
                how = LINES[f"{name}_cost"].how
            elif changed:
                x = f"x{changes.index(key)}"
                book.write(sheet, "change_cost", x, r, VALUE_COL, "calc:money")
                how = LINES["change_cost"].how
            else:
                for line in PRICE_INPUTS:
                    c = col[line]
                    sheet.put(r, c, book.ref_formula(line, owner), f"calc:{LINES[line].fmt}")
                    book.place(line, owner, Cell(sheet.title, r, c))
                book.write(sheet, "component_uprate", owner, r, col["component_uprate"], "calc:n4")
                in_base = "component_cost_given_in_base"
                book.write(sheet, in_base, owner, r, VALUE_COL, "calc:money")
                how = "from Inputs, in base-year prices: cost as given x uprating factor"
            book.place("component_cost", owner, Cell(sheet.title, r, VALUE_COL))
            for line in INPUT_LINES:
                sheet.put(r, col[line], book.ref_formula(line, owner), "calc:int")
                book.place(line, owner, Cell(sheet.title, r, col[line]))
            for line, _ in COLUMNS:
                if line in ("component_cost", *INPUT_LINES, *(c for c, _ in PRICE_COLUMNS)):
                    continue
                book.write(sheet, line, owner, r, col[line], f"calc:{LINES[line].fmt}")
            sheet.put(r, PAYER_COL, payer_name(payer), "user")
            sheet.put(r, HOW_COL, how, "text")
        last = r
        for line, _ in COLUMNS[len(PRICE_COLUMNS) :]:
            book.place(line, f"o:{key}", Column(sheet.title, first, last, col[line]))
        for line, column in TOTALS:
            r += 1
            spec = LINES[line]
            sheet.row(r, [(spec.label, "bold"), (spec.unit, "text")])
            book.write(sheet, line, f"o:{key}", r, col[column], "output:money")
            sheet.put(r, HOW_COL, spec.how, "text")
    return sheet


PLACEMENT_COLUMNS = (
    ("placement_weekly_cost", "Price as given"),
    ("placement_price_year", "Price year"),
    ("placement_index", "Index"),
    ("placement_uprate", "Uprating factor"),
    ("placement_weekly_cost_in_base", "Price in base-year prices"),
)


def _placement_table(book: Book, sheet: Sheet, r: int) -> int:
    """The placement table (types, then prices changes write themselves): each price brought to
    the price base, which changes of placement look up by name. Returns the last row used."""
    names = book.model.names.get("change_from", ())
    if not names:
        return r
    r += 1
    sheet.put(r, 1, "Placements and prices per unit", "section")
    r += 1
    sheet.row(
        r,
        [("Placement type, or a change's own price", "header"), ("Unit", "header")]
        + [(header, "header") for _, header in PLACEMENT_COLUMNS],
    )
    first = r + 1
    for w, name in enumerate(names):
        r += 1
        owner = f"w{w}"
        sheet.row(r, [(name, "user"), (LINES["placement_weekly_cost"].unit, "text")])
        for k, (line, _) in enumerate(PLACEMENT_COLUMNS):
            spec, c = LINES[line], FIRST_COL + k
            if spec.is_input:
                sheet.put(r, c, book.ref_formula(line, owner), f"calc:{spec.fmt}")
                book.place(line, owner, Cell(sheet.title, r, c))
            else:
                book.write(sheet, line, owner, r, c, f"calc:{spec.fmt}")
    value_col = FIRST_COL + len(PLACEMENT_COLUMNS) - 1
    # Changes look a price up by the name in column A.
    book.place("placement_weekly_cost_in_base", "", Table(sheet.title, first, r, value_col, 1, ""))
    return r + 1
