"""The `Inputs` sheet: every assumption of a portfolio, one per row, and how each maps back.

The same list of rows drives the export (one row per `InputRow`, each placing an input line of
`appraise.engine.lines` for its owner) and `import-xlsx` (which rebuilds the list from the
portfolio embedded in the workbook and compares). Three kinds of row:

- `param`: a numeric input of the portfolio (`Model.params`); an edit is written back to its field;
- `setting`: a portfolio or timing setting held as a number or a name (a 1/0 switch, a count, an
  evidence rating);
- `fixed`: structure that the file's form decides (an unused term such as the proportion served
  when reach is a count, an effect-form code, a constant from the literature). Editing one cannot
  be expressed in the portfolio file, so import refuses it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from appraise.display import payer_name
from appraise.engine import core
from appraise.engine.lines import EFFECT_FORM_NAMES, LINES
from appraise.engine.params import DEFAULTS, Model, Param
from appraise.model.prices import read_price_year
from appraise.model.schema import CHILDRENS_SOCIAL_CARE, RATINGS, Evidence, Portfolio
from appraise.workbook.book import INPUTS, Book, Cell, Table, input_format
from appraise.workbook.writer import Sheet, cell, ref

INPUT_KEY_HEADER = "Key"  # the Inputs column that identifies each row for import-xlsx
FORM_LEGEND = ", ".join(f"{code} = {name}" for code, name in sorted(EFFECT_FORM_NAMES.items()))
OPTIMISM_BIAS_KEY = "optimism_bias."  # the keys of the optimism-bias table's rows

# Per-intervention inputs in the order of the sheet, with the label a structural term gets.
INTERVENTION_SLOTS: tuple[tuple[str, str, str], ...] = (
    ("reach_base", "Eligible cases, cases served or recommended capacity", "cases"),
    ("reach_share", "Proportion of eligible cases served", "fraction"),
    ("reach_offset", "Places already provided (subtracted from reach)", "cases"),
    ("unit_cost", "Unit cost", "£ per case"),
    ("fixed_cost", "Total cost a year", "£"),
    ("effect_form", "How the effect was reported (code)", "code"),
    ("effect_a", "First effect figure (success rate, per case or baseline risk)", "as reported"),
    (
        "effect_b",
        "Second effect figure (treated risk, relative risk, odds ratio or d)",
        "as reported",
    ),
    ("rating", "Evidence rating (EIF levels: 4+, 4, 3+, 3, 2+, 2, NL2, NE)", "rating"),
    ("non_uk", "Effect established only outside the UK (1 = yes, 0 = no)", "switch"),
    ("cohorts", "Cohorts started (0 = one every year of the horizon)", "cohorts"),
    ("cost_months", "", ""),
    ("benefit_lag_months", "", ""),
    ("benefit_years", "", ""),
    ("annual_decay", "", ""),
    ("ramp_up", "", ""),
)
# The notes a file may write beside a group of inputs, by the section of the input's field.
NOTED = ("reach", "unit_cost", "effect", "evidence")


@dataclass(frozen=True)
class Section:
    """A heading row on the Inputs sheet."""

    title: str


@dataclass(frozen=True)
class InputRow:
    """One input: the line it places for its owner, what it is, and how it maps back to the file."""

    line: str  # the input line of appraise.engine.lines the row's value cell is
    owner: str  # whose input it is ("" the portfolio, "i<k>", "c<j>", "d<j>")
    key: str  # the Key column: identifies the row on import
    label: str
    value: float | str
    unit: str
    belongs_to: str  # intervention id, outcome key, "portfolio" or "constant"
    sources: tuple[str, ...] = ()
    note: str = ""
    kind: str = "fixed"  # "param" | "setting" | "fixed"
    path: str = ""  # field path in the portfolio file (param and setting rows)
    to_file: Callable[[Any], Any] | None = None  # setting rows: cell value -> file value
    param: Param | None = None
    choices: tuple[str, ...] = ()  # a setting that takes one of these names (list validation)


def _flag(x: bool) -> float:
    return 1.0 if x else 0.0


def _switch(on: Any, off: Any) -> Callable[[Any], Any]:
    """A 1/0 cell mapped to one of two file values (anything else is refused)."""

    def convert(value: Any) -> Any:
        if value == 1:
            return on
        if value == 0:
            return off
        raise ValueError("must be 1 or 0")

    return convert


def _whole(value: Any) -> int:
    if isinstance(value, str) or value != int(value) or value < 0:
        raise ValueError("must be a whole number, 0 or more")
    return int(value)


def _rating(value: Any) -> str:
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if text.strip() not in RATINGS:
        raise ValueError(f"must be one of {', '.join(RATINGS)}")
    return text.strip()


def _note(param: Param, written: str = "") -> str:
    """The note the file gives the input's group, and its distribution if it has one."""
    parts = [written] if written else []
    if param.uncertain:
        dist = param.value
        shown = ", ".join(f"{k} {v:g}" for k, v in dist.params.items())
        parts.append(f"{dist.kind} distribution ({shown}); the workbook uses its central value")
    return "; ".join(parts)


def _param_row(line: str, owner: str, param: Param, written: str = "") -> InputRow:
    return InputRow(
        line=line,
        owner=owner,
        key=param.key,
        label=param.label,
        value=param.central,
        unit=param.unit,
        belongs_to=param.owner,
        sources=param.sources,
        note=_note(param, written),
        kind="param",
        path=param.path,
        param=param,
    )


def portfolio_rows(model: Model) -> list[Section | InputRow]:
    """Portfolio-wide settings, the optimism-bias table and the constants the formulas use."""
    portfolio = model.portfolio
    param = {p.key: p for p in model.params if p.owner_kind == "portfolio"}
    rows: list[Section | InputRow] = [
        Section("Portfolio settings"),
        InputRow(
            "discount_rate",
            "",
            "discount_rate",
            param["discount_rate"].label,
            param["discount_rate"].central,
            param["discount_rate"].unit,
            "portfolio",
            ("green-book-2022",),
            "Year 1 is undiscounted; year t is divided by (1 + rate)^(t - 1)",
            "param",
            "discount_rate",
            param=param["discount_rate"],
        ),
        InputRow(
            "pro_rata",
            "",
            "cashable_method",
            "Cashable convention: 1 = pro rata (net x cashable share), 0 = strict",
            _flag(portfolio.cashable_method == "pro_rata"),
            "switch",
            "portfolio",
            ("thurrock-aphr-2017", DEFAULTS),
            "Strict = cashable gross savings - the full cost; pro rata = Thurrock's convention",
            "setting",
            "cashable_method",
            _switch("pro_rata", "strict"),
        ),
        InputRow(
            "public_sector",
            "",
            "perspective",
            "Headline perspective: 1 = the public sector (all payers), 0 = children's social care",
            _flag(portfolio.perspective == "public_sector"),
            "switch",
            "portfolio",
            (DEFAULTS,),
            "Whose savings count in gross and net savings (docs/defaults.md)",
            "setting",
            "perspective",
            _switch("public_sector", CHILDRENS_SOCIAL_CARE),
        ),
        InputRow(
            "apply_optimism_bias",
            "",
            "apply_optimism_bias",
            "Apply the optimism-bias haircut (1 = yes, 0 = no)",
            _flag(portfolio.apply_optimism_bias),
            "switch",
            "portfolio",
            (DEFAULTS,),
            "Cuts each effect by the rate for its evidence rating (rows below; docs/defaults.md)",
            "setting",
            "apply_optimism_bias",
            _switch(True, False),
        ),
    ]
    rows += price_base_rows(model)
    for rating in RATINGS:
        p = param[f"{OPTIMISM_BIAS_KEY}{rating}"]
        rows.append(
            _param_row(
                "optimism_bias_table",
                "",
                p,
                "The project's judgement, not a published standard (docs/defaults.md)",
            )
        )
    p = param["non_uk_evidence_haircut"]
    rows += [
        _param_row("non_uk_rate", "", p, "Applies where the intervention's non-UK switch is 1"),
        InputRow(
            "horizon",
            "",
            "fixed:horizon_years",
            "Years appraised (one column a year on Cash flows)",
            float(portfolio.horizon_years),
            "years",
            "portfolio",
            note="Fixed at export: change horizon_years in the portfolio file and export again",
        ),
        Section("Constants from the literature"),
        InputRow(
            "cox",
            "",
            "fixed:cox_factor",
            "Cox factor: log odds ratio = factor x Cohen's d",
            core.COX_FACTOR,
            "ratio",
            "constant",
            ("sanchez-meca-2003",),
        ),
        InputRow(
            "logit",
            "",
            "fixed:logit_factor",
            "Logistic factor: log odds ratio = factor x Cohen's d (pi / sqrt 3)",
            core.LOGIT_FACTOR,
            "ratio",
            "constant",
            ("hasselblad-1995", "chinn-2000"),
        ),
    ]
    return rows


def _price_year(years: tuple[str, ...]) -> Callable[[Any], str]:
    """A price-year cell mapped to the financial year it names (one of the Indices' years)."""

    def convert(value: Any) -> str:
        try:
            year = read_price_year(
                int(value) if isinstance(value, float) and value.is_integer() else value
            ).label
        except ValueError as exc:
            raise ValueError(str(exc)) from None
        if year not in years:
            raise ValueError(f"must be a year of the Indices sheet ({years[0]} to {years[-1]})")
        return year

    return convert


def price_base_rows(model: Model) -> list[InputRow]:
    """The price base: the year every money figure is brought to."""
    prices = model.prices
    if prices is None:
        return []
    base = prices.base
    notes = [base.note] if base.note else []
    notes.append("Every money figure is uprated to this year's prices (Indices sheet)")
    return [
        InputRow(
            "price_base",
            "",
            "price_year",
            "Price base: the financial year every money figure is brought to",
            base.label,
            "year",
            "portfolio",
            ("green-book-2022",),
            "; ".join(notes),
            "setting",
            "price_year",
            _price_year(prices.labels),
            choices=prices.labels,
        )
    ]


def price_rows(
    model: Model,
    slot: str,
    owner: str,
    block: str,
    belongs_to: str,
    sources: tuple[str, ...],
) -> list[InputRow]:
    """A money block's price year (which may be changed) and the index that uprates it (fixed)."""
    prices = model.prices
    if prices is None:
        return []
    b = prices.blocks[block]
    index = prices.index_of(block)
    notes = [n for n in prices.uprating(block, 1.0).notes if n != prices.base.note]
    if b.assumed:
        notes.insert(0, f"Assumed: the file gives no price year, so the price base ({prices.base})")
    note = "; ".join(notes)
    return [
        InputRow(
            f"{slot}_price_year",
            owner,
            f"{block}.price_year",
            LINES[f"{slot}_price_year"].label,
            b.year.label,
            "year",
            belongs_to,
            (DEFAULTS,) if b.assumed else sources,
            note,
            "setting",
            f"{block}.price_year",
            _price_year(prices.labels),
            choices=prices.labels,
        ),
        InputRow(
            f"{slot}_index",
            owner,
            f"fixed:{block}.index",
            LINES[f"{slot}_index"].label,
            prices.names[block],
            "index",
            belongs_to,
            (index.evidence,) if index.evidence else (),
            f"{index.label}, for {payer_name(b.payer)} (choose with price_index in the file)",
        ),
    ]


def component_owners(model: Model) -> dict[tuple[str, str], str]:
    """(outcome key, component name) -> its owner "c<j>", in the core's order of components."""
    return {component: f"c{j}" for j, component in enumerate(model.components)}


def derived_owners(model: Model) -> dict[str, str]:
    """Outcome key -> "d<j>" for the outcomes whose cost is derived, in the core's order."""
    derived = [k for k, o in model.portfolio.outcomes.items() if o.derive is not None]
    return {key: f"d{j}" for j, key in enumerate(derived)}


DERIVE_LINE = {
    "weekly_placement_cost": "derive_weekly_cost",
    "weeks_per_year": "derive_weeks",
    "non_placement_share": "derive_non_placement_share",
}


def outcome_rows(model: Model) -> list[Section | InputRow]:
    """Each outcome's cost inputs, with the cashable and payer switches of its components."""
    portfolio = model.portfolio
    owners, derived = component_owners(model), derived_owners(model)
    by_owner: dict[str, list[Param]] = {}
    for p in model.params:
        if p.owner_kind == "outcome":
            by_owner.setdefault(p.owner, []).append(p)
    rows: list[Section | InputRow] = []
    for key, outcome in portfolio.outcomes.items():
        rows.append(Section(f"Outcome {key}: {outcome.name}"))
        src = tuple(outcome.sources)
        if outcome.derive is not None:
            for p in by_owner.get(key, []):
                rows.append(_param_row(DERIVE_LINE[p.path.rsplit(".", 1)[1]], derived[key], p))
            rows += price_rows(model, "derive", derived[key], f"outcomes.{key}.derive", key, src)
            for part, cashable in (("placement", True), ("non_placement", False)):
                what, owner = part.replace("_", "-"), owners[(key, part)]
                rows.append(
                    InputRow(
                        "component_cashable",
                        owner,
                        f"fixed:outcomes.{key}.{part}.cashable",
                        f"The {what} cost is cashable (1 = yes)",
                        _flag(cashable),
                        "switch",
                        key,
                        src,
                        "Fixed by the derivation: placement spend comes off a budget line",
                    )
                )
                rows.append(
                    InputRow(
                        "component_csc",
                        owner,
                        f"fixed:outcomes.{key}.{part}.payer",
                        f"The {what} cost falls to children's social care (1 = yes)",
                        1.0,
                        "switch",
                        key,
                        src,
                    )
                )
        params = {p.path: p for p in by_owner.get(key, [])}
        for j, comp in enumerate(outcome.components or []):
            path = f"outcomes.{key}.components[{j}]"
            owner = owners[(key, comp.name)]
            rows.append(_param_row("component_cost_given", owner, params[f"{path}.cost"]))
            rows += price_rows(model, "component", owner, path, key, src)
            rows.append(
                InputRow(
                    "component_cashable",
                    owner,
                    f"{path}.cashable",
                    f"{outcome.name}: {comp.name} is cashable (1 = yes)",
                    _flag(comp.cashable),
                    "switch",
                    key,
                    src,
                    "",
                    "setting",
                    f"{path}.cashable",
                    _switch(True, False),
                )
            )
            rows.append(
                InputRow(
                    "component_csc",
                    owner,
                    f"fixed:{path}.payer",
                    f"{outcome.name}: {comp.name} falls to children's social care (1 = yes)",
                    _flag(comp.payer == CHILDRENS_SOCIAL_CARE),
                    "switch",
                    key,
                    src,
                    f"Payer: {payer_name(comp.payer)} (change payer in the portfolio file)",
                )
            )
    return rows


def intervention_rows(model: Model) -> list[Section | InputRow]:
    """Every term of every intervention's formulas: its inputs, and the unused terms at 0 or 1."""
    values = model.base.values
    by_slot = {(p.target, p.index): p for p in model.params if p.owner_kind == "intervention"}
    rows: list[Section | InputRow] = []
    for i, item in enumerate(model.interventions):
        rows.append(Section(f"Intervention {item.id}: {item.name}"))
        owner = f"i{i}"
        src = tuple(item.evidence.sources)
        for slot, label, unit in INTERVENTION_SLOTS:
            param = by_slot.get((slot, i))
            if param is not None:
                section = param.path.rsplit(".", 2)[-2]
                written = getattr(getattr(item, section), "note", None) if section in NOTED else ""
                rows.append(_param_row(slot, owner, param, written or ""))
            elif slot == "cohorts":
                rows.append(
                    InputRow(
                        slot,
                        owner,
                        f"{item.id}.timing.cohorts",
                        label,
                        float(values["cohorts"][i]),
                        unit,
                        item.id,
                        src,
                        "",
                        "setting",
                        f"interventions[{i}].timing.cohorts",
                        _whole,
                    )
                )
            elif slot == "rating":
                rows.append(
                    InputRow(
                        slot,
                        owner,
                        f"{item.id}.evidence.rating",
                        label,
                        item.evidence.rating,
                        unit,
                        item.id,
                        src,
                        item.evidence.note or "",
                        "setting",
                        f"interventions[{i}].evidence.rating",
                        _rating,
                        choices=RATINGS,
                    )
                )
            else:
                rows.append(_structural(slot, label, unit, i, model))
            if slot == "fixed_cost":
                block = f"interventions[{i}].unit_cost"
                rows += price_rows(model, "cost", owner, block, item.id, src)
    return rows


def _structural(slot: str, label: str, unit: str, i: int, model: Model) -> InputRow:
    item = model.interventions[i]
    value = float(model.base.values[slot][i])
    if slot == "effect_form":
        note = FORM_LEGEND
    elif slot == "non_uk":
        found_by = ", ".join(model.effect_sources[i]) or "none stated"
        note = f"From the effect sources' countries ({found_by})"
    else:
        why = {
            "reach_share": f"reach is given as {item.reach.form}",
            "reach_offset": f"reach is given as {item.reach.form}",
            "unit_cost": "the cost is given as a total",
            "fixed_cost": "the cost is given per case",
            "effect_b": f"the effect is given as {item.effect.form}",
        }[slot]
        note = f"Not used: fixed at {value:g} because {why}"
    return InputRow(slot, f"i{i}", f"fixed:{item.id}.{slot}", label, value, unit, item.id, (), note)


def input_rows(
    model: Model, evidence: dict[str, Evidence] | None = None
) -> list[Section | InputRow]:
    """Every row of the Inputs sheet, in order."""
    return portfolio_rows(model) + outcome_rows(model) + intervention_rows(model)


# ---------------------------------------------------------------------------------------------
# The sheet
# ---------------------------------------------------------------------------------------------

INPUT_HEADERS = (
    "Input",
    "Value",
    "Unit",
    "Belongs to",
    "Sources",
    "Citation",
    "Note",
    INPUT_KEY_HEADER,
)
INPUT_HEADER_ROW = 3
VALUE_COL, KEY_COL = 2, 8


def _allowed(row: InputRow) -> tuple[Any, ...] | None:
    """What the value cell accepts (data validation): a switch 0 or 1, a rating, a number in its
    domain; None for structure, which is not to be edited."""
    if row.kind == "fixed":
        return None
    if row.unit == "switch":
        return ("0", "1")
    if row.choices:
        return row.choices
    if row.param is None:
        return ("whole", 0, None)  # a count of cohorts
    domain = row.param.domain
    if not math.isfinite(domain.lo):
        return None
    return ("number", domain.lo, domain.hi if math.isfinite(domain.hi) else None)


def inputs_sheet(book: Book) -> Sheet:
    """Every assumption, one per row; yellow cells may be changed, grey ones are structure."""
    widths = {1: 58, 2: 14, 3: 16, 4: 26, 5: 32, 6: 40, 7: 50, 8: 40}
    sheet = book.sheet(INPUTS, freeze="B4", print_rows="3:3", widths=widths)
    sheet.put(1, 1, "Inputs: every assumption the workbook uses, one a row", "title")
    sheet.put(
        2,
        1,
        "Change a yellow value and every figure moves. Grey values are fixed by the portfolio "
        "file's structure. `appraise import-xlsx` reads this sheet back into a portfolio file.",
        "note",
    )
    sheet.row(INPUT_HEADER_ROW, [(h, "header") for h in INPUT_HEADERS])
    citations = {key: entry.citation for key, entry in book.evidence.items()}
    r = INPUT_HEADER_ROW
    table: list[int] = []
    for item in input_rows(book.model):
        r += 1
        if isinstance(item, Section):
            r += 1 if r > INPUT_HEADER_ROW + 1 else 0
            sheet.put(r, 1, item.title, "section")
            continue
        role = "input" if item.kind in ("param", "setting") else "fixed"
        cites = "; ".join(citations[s] for s in item.sources if s in citations)
        value_style = f"{role}:{input_format(item.unit)}"
        if item.unit in ("rating", "year", "index"):  # a name: kept as text however it is typed
            value_style = "user_in" if role == "input" else "user_fixed"
        sheet.row(
            r,
            [
                (item.label, "user_wrap"),
                (item.value, value_style),
                (item.unit, "text"),
                (item.belongs_to, "user"),
                (", ".join(item.sources), "user"),
                (cites, "user"),
                (item.note, "note"),
                (item.key, "user"),
            ],
        )
        book.input_cells[item.key] = ref(sheet.title, r, VALUE_COL)
        allowed = _allowed(item)
        if allowed is not None:
            sheet.validations.append((f"{cell(r, VALUE_COL)}", allowed))
        if item.line == "optimism_bias_table":
            table.append(r)
        else:
            book.place(item.line, item.owner, Cell(sheet.title, r, VALUE_COL))
    assert table == list(range(table[0], table[0] + len(RATINGS))), table
    book.place(
        "optimism_bias_table",
        "",
        Table(sheet.title, table[0], table[-1], VALUE_COL, KEY_COL, OPTIMISM_BIAS_KEY),
    )
    return sheet


def non_uk_flags(portfolio: Portfolio, evidence: dict[str, Evidence]) -> np.ndarray:
    """Which interventions the non-UK haircut applies to, as the parameter registry decides it."""
    from appraise.engine.params import build

    return build(portfolio, evidence).base.values["non_uk"] > 0
