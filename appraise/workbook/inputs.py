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

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from openpyxl.utils import get_column_letter

from appraise.display import payer_name, provenance_cells
from appraise.engine import core
from appraise.engine.lines import EFFECT_FORM_NAMES, LINES
from appraise.engine.params import CONTRACT_ARRAYS, DEFAULTS, Model, Param
from appraise.model import ratings
from appraise.model.discounting import GREEN_BOOK, Schedule, bands_within
from appraise.model.numbers import Domain
from appraise.model.prices import read_price_year
from appraise.model.savings import (
    CAPACITY,
    CASH_RELEASING,
    COST_AVOIDANCE,
    DERIVED_NON_PLACEMENT,
    DERIVED_PLACEMENT,
    ONE_OFF,
    RECURRING,
    Booking,
)
from appraise.model.schema import (
    CHILDRENS_SOCIAL_CARE,
    RATINGS,
    Evidence,
    Intervention,
    Portfolio,
)
from appraise.workbook.book import (
    INPUTS,
    Allowed,
    Book,
    Cell,
    Table,
    effect_owner,
    input_format,
)
from appraise.workbook.writer import Sheet, quote_title, ref

INPUT_KEY_HEADER = "Key"  # the Inputs column that identifies each row for import-xlsx
FORM_LEGEND = ", ".join(f"{code} = {name}" for code, name in sorted(EFFECT_FORM_NAMES.items()))
OPTIMISM_BIAS_KEY = "optimism_bias."  # the keys of the optimism-bias table's rows

# Per-intervention inputs in the order of the sheet, with the label a structural term gets.
INTERVENTION_SLOTS: tuple[tuple[str, str, str], ...] = (
    ("reach_base", "Eligible cases, cases served or recommended capacity", "cases"),
    ("reach_share", "Proportion of eligible cases served", "fraction"),
    ("reach_offset", "Places already provided (subtracted from reach)", "cases"),
    ("reach_per_case", "", ""),
    ("unit_cost", "Unit cost", "£ per case"),
    ("fixed_cost", "Total cost a year", "£"),
    ("non_staff", "Non-staff cost a year (staffed services)", "£"),
    ("rating", f"Evidence rating ({', '.join(RATINGS)}; Foundations Guidebook)", "rating"),
    ("non_uk", "Effect established only outside the UK (1 = yes, 0 = no)", "switch"),
    ("effect_count", "Number of effects (outcomes it averts)", "count"),
    ("deadweight", "", ""),
    ("attribution", "", ""),
    ("displacement", "", ""),
    ("cohorts", "Cohorts started (0 = one every year of the horizon)", "cohorts"),
    ("cost_months", "", ""),
    ("benefit_lag_months", "", ""),
    ("benefit_years", "", ""),
    ("annual_decay", "", ""),
    ("ramp_up", "", ""),
)
# An effect's inputs (one set per effect, the most any intervention has).
EFFECT_SLOTS: tuple[tuple[str, str, str], ...] = (
    ("effect_form", "How the effect was reported (code)", "code"),
    ("effect_a", "First effect figure (success rate, per case or baseline risk)", "as reported"),
    (
        "effect_b",
        "Second effect figure (treated risk, relative risk, odds ratio or d)",
        "as reported",
    ),
    ("effect_used", "The intervention has this effect (1 = yes)", "switch"),
)
# The notes a file may write beside a group of inputs, by the section of the input's field.
NOTED = ("reach", "unit_cost", "effect", "evidence", "additionality")


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

    @property
    def basis(self) -> str:
        """Where the value came from: its provenance's status for an input (cited, derived,
        assumed, edited, not stated), 'setting' or 'structure' for the other rows."""
        if self.param is not None:
            return self.param.provenance.status
        return "setting" if self.kind == "setting" else "structure"


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


DISCOUNT_BAND = "discount_band"  # a schedule's band: its rate's cell, placed by owner b<j>


def discount_rows(model: Model) -> list[InputRow]:
    """The discount rate: one row for a flat rate, or one for each band of a schedule that
    discounts some year of the horizon (Cash flows takes each year's rate from its band)."""
    portfolio = model.portfolio
    rate = next(p for p in model.params if p.key == "discount_rate")
    if not isinstance(portfolio.discount_rate, Schedule):
        return [
            InputRow(
                "discount_rate",
                "",
                "discount_rate",
                rate.label,
                rate.central,
                rate.unit,
                "portfolio",
                ("green-book-2022",),
                "Year 1 is undiscounted; year t is divided by (1 + rate)^(t - 1)",
                "param",
                "discount_rate",
                param=rate,
            )
        ]
    named = portfolio.discount_rate.name == GREEN_BOOK
    return [
        InputRow(
            DISCOUNT_BAND,
            f"b{j}",
            f"discount_rate.{year}",
            f"Discount rate from year {year} of the schedule (year 0 is year 1 here)",
            r,
            rate.unit,
            "portfolio",
            ("green-book-2022",) if named else (),
            (
                "The Green Book's declining long-term discount rate"
                if named
                else "A schedule given in the portfolio file"
            )
            + ": each year is discounted against the year before at its band's rate (Cash flows)",
            "setting",
            f"discount_rate.{year}",
        )
        for j, (year, r) in enumerate(
            bands_within(portfolio.discount_rate, portfolio.horizon_years)
        )
    ]


def portfolio_rows(model: Model) -> list[Section | InputRow]:
    """Portfolio-wide settings, the optimism-bias table and the constants the formulas use."""
    portfolio = model.portfolio
    param = {p.key: p for p in model.params if p.owner_kind == "portfolio"}
    rows: list[Section | InputRow] = [
        Section("Portfolio settings"),
        *discount_rows(model),
    ]
    rows += [
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
    labels: tuple[str, ...] | None = None,
) -> list[InputRow]:
    """A money block's price year (which may be changed) and the index that uprates it (fixed);
    `labels`: the price years' (`model.prices.labels`), if at hand."""
    prices = model.prices
    if prices is None:
        return []
    b = prices.blocks[block]
    index = prices.index_of(block)
    notes = [n for n in prices.uprating(block, 1.0).notes if n != prices.base.note]
    if b.assumed:
        notes.insert(0, f"Assumed: the file gives no price year, so the price base ({prices.base})")
    note = "; ".join(notes)
    if labels is None:
        labels = prices.labels  # worked out afresh each time asked for
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
            _price_year(labels),
            choices=labels,
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


def _change_rows(
    model: Model, key: str, x: int, names: tuple[str, ...], comp: str
) -> list[InputRow]:
    """A change of placement: the rows of the placement table it runs between (fixed), its
    units, and whether its saving is cashable."""
    outcome = model.portfolio.outcomes[key]
    change = outcome.change
    assert change is not None
    src = tuple(outcome.sources)
    values = model.base.values
    owner = f"x{x}"
    rows = [
        InputRow(
            f"change_{side}",
            owner,
            f"fixed:outcomes.{key}.change.{side}",
            f"Change {side}: the placement table's row",
            names[int(values[f"change_{side}"][x])],
            "placement",
            key,
            src,
            "Fixed by the file: change the outcome's change in the portfolio file",
        )
        for side in ("from", "to")
    ]
    units = next(p for p in model.params if p.owner == key and p.target == "change_units")
    rows.append(_param_row("change_units", owner, units))
    rows += booking_rows(
        comp,
        key,
        f"outcomes.{key}.change",
        change.booking(model.portfolio.placements),
        change.savings_class is not None,
        f"{outcome.name}: the change's saving",
        src,
    )
    rows.append(
        InputRow(
            "component_csc",
            comp,
            f"fixed:outcomes.{key}.change.payer",
            f"{outcome.name}: the change falls to children's social care (1 = yes)",
            _flag(change.payer == CHILDRENS_SOCIAL_CARE),
            "switch",
            key,
            src,
            f"Payer: {payer_name(change.payer)} (change payer in the portfolio file)",
        )
    )
    return rows


# The switches that book a saving (appraise.model.savings), their labels, and the file values
# 1 and 0 stand for.
BOOKING_SWITCHES = (
    ("component_cashable", "is cash-releasing: cashable (1 = yes)"),
    ("component_capacity", "if not cash-releasing, is capacity (1) or cost avoidance (0)"),
    ("component_one_off", "is one-off (1) or recurring (0)"),
)


def _booking_values(booked: Booking) -> tuple[float, float, float]:
    return (
        _flag(booked.cash_releasing),
        _flag(booked.savings_class == CAPACITY),
        _flag(booked.recurrence == ONE_OFF),
    )


def booking_rows(
    owner: str,
    key: str,
    path: str,
    booked: Booking,
    class_stated: bool,
    what: str,
    src: tuple[str, ...],
) -> list[InputRow]:
    """A saving line's booking switches, each mapped back to its key in the file: `cashable`
    (or `savings_class` where the file states it), `savings_class` and `recurrence`."""
    other = CAPACITY if booked.savings_class == CAPACITY else COST_AVOIDANCE
    targets = (
        (f"{path}.savings_class", _switch(CASH_RELEASING, other))
        if class_stated
        else (f"{path}.cashable", _switch(True, False)),
        (f"{path}.savings_class", _switch(CAPACITY, COST_AVOIDANCE)),
        (f"{path}.recurrence", _switch(ONE_OFF, RECURRING)),
    )
    notes = (booked.class_basis, booked.class_basis, booked.recurrence_basis)
    return [
        InputRow(
            line,
            owner,
            f"{path}.{line.removeprefix('component_')}",
            f"{what} {label}",
            value,
            "switch",
            key,
            src,
            note,
            "setting",
            target,
            to_file,
        )
        for (line, label), value, note, (target, to_file) in zip(
            BOOKING_SWITCHES, _booking_values(booked), notes, targets, strict=True
        )
    ]


def derived_booking_rows(
    owner: str, key: str, part: str, booked: Booking, what: str, src: tuple[str, ...]
) -> list[InputRow]:
    """The booking switches of a derived cost's part: fixed by the derivation."""
    return [
        InputRow(
            line,
            owner,
            f"fixed:outcomes.{key}.{part}.{line.removeprefix('component_')}",
            f"{what} {label}",
            value,
            "switch",
            key,
            src,
            f"Fixed by the derivation: {booked.class_basis}",
        )
        for (line, label), value in zip(BOOKING_SWITCHES, _booking_values(booked), strict=True)
    ]


def outcome_rows(model: Model) -> list[Section | InputRow]:
    """Each outcome's cost inputs, with the cashable and payer switches of its components."""
    portfolio = model.portfolio
    owners, derived = component_owners(model), derived_owners(model)
    by_owner: dict[str, list[Param]] = {}
    for p in model.params:
        if p.owner_kind == "outcome":
            by_owner.setdefault(p.owner, []).append(p)
    rows: list[Section | InputRow] = []
    placements = [p for p in model.params if p.target == "placement_weekly_cost"]
    if placements:
        rows.append(Section("Placements and prices per unit (changes of placement)"))
        for p in placements:
            owner = f"w{p.index}"
            block = p.path.removesuffix(".weekly_cost")
            rows.append(_param_row("placement_weekly_cost", owner, p))
            rows += price_rows(model, "placement", owner, block, p.owner, p.sources)
    names = model.names.get("change_from", ())
    changes = {key: x for x, key in enumerate(k for k, o in portfolio.outcomes.items() if o.change)}
    for key, outcome in portfolio.outcomes.items():
        rows.append(Section(f"Outcome {key}: {outcome.name}"))
        src = tuple(outcome.sources)
        if outcome.change is not None:
            rows += _change_rows(model, key, changes[key], names, owners[(key, "change")])
        if outcome.derive is not None:
            for p in by_owner.get(key, []):
                rows.append(_param_row(DERIVE_LINE[p.path.rsplit(".", 1)[1]], derived[key], p))
            rows += price_rows(model, "derive", derived[key], f"outcomes.{key}.derive", key, src)
            for part, booked in (
                ("placement", DERIVED_PLACEMENT),
                ("non_placement", DERIVED_NON_PLACEMENT),
            ):
                what, owner = part.replace("_", "-"), owners[(key, part)]
                rows += derived_booking_rows(owner, key, part, booked, f"The {what} cost", src)
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
            rows += booking_rows(
                owner,
                key,
                path,
                comp.booking,
                comp.savings_class is not None,
                f"{outcome.name}: {comp.name}",
                src,
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


def _written_note(item: Intervention, path: str) -> str:
    """The note the file writes beside the group of an input at `path` (e.g. its effect's)."""
    rest = path.split(".", 1)[1] if "." in path else ""
    section = rest.split(".", 1)[0]
    name = section.split("[")[0]
    if name == "effects":
        k = int(section.split("[")[1].rstrip("]"))
        return (item.effects or [])[k].note or ""
    if name not in NOTED:
        return ""
    return getattr(getattr(item, name, None), "note", None) or ""


def intervention_rows(model: Model) -> list[Section | InputRow]:
    """Every term of every intervention's formulas: its inputs, and the unused terms at 0 or 1."""
    values = model.base.values
    by_slot = {(p.target, p.index): p for p in model.params if p.owner_kind == "intervention"}
    k_max = values["effect_form"].shape[-1]
    staff_owner = model.base.structure.staff_owner
    staff = staff_owner if staff_owner is not None else np.zeros(0)
    # Each intervention's staff groups, and the price years (worked out afresh when asked for).
    groups: dict[int, list[int]] = {}
    for g, i in enumerate(staff.tolist()):
        groups.setdefault(int(i), []).append(g)
    labels = model.prices.labels if model.prices is not None else None
    rows: list[Section | InputRow] = []
    for i, item in enumerate(model.interventions):
        rows.append(Section(f"Intervention {item.id}: {item.name}"))
        owner = f"i{i}"
        src = tuple(item.evidence.sources)
        for slot, label, unit in INTERVENTION_SLOTS:
            param = by_slot.get((slot, i))
            if param is not None:
                rows.append(_param_row(slot, owner, param, _written_note(item, param.path)))
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
                        rating_note(item),
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
                rows += price_rows(model, "cost", owner, block, item.id, src, labels)
                for g in groups.get(i, ()):
                    for target in ("staff_fte", "staff_salary", "staff_on_costs"):
                        param = by_slot[(target, g)]
                        note = _written_note(item, param.path)
                        rows.append(_param_row(target, f"g{g}", param, note))
            if slot == "non_staff":
                for k in range(k_max):
                    for line, label_k, unit_k in EFFECT_SLOTS:
                        param = by_slot.get((line, (i, k)))
                        here = effect_owner(i, k)
                        if param is not None:
                            note = _written_note(item, param.path)
                            rows.append(_param_row(line, here, param, note))
                        else:
                            rows.append(_effect_structural(line, label_k, unit_k, i, k, model))
        if item.contract is not None and item.contract.pays_outcomes:
            rows += _contract_rows(model, i, by_slot)
    return rows


def _contract_rows(
    model: Model, i: int, by_slot: dict[tuple[str, Any], Param]
) -> list[Section | InputRow]:
    """An outcome contract's terms (docs/outcome-contracts.md): the file's, the rest fixed."""
    item = model.interventions[i]
    rows: list[Section | InputRow] = [
        Section(f"Outcome contract of {item.id} ({item.contract.kind})")
    ]
    for line in CONTRACT_ARRAYS:
        param = by_slot.get((line, i))
        if param is not None:
            rows.append(_param_row(line, f"i{i}", param, _written_note(item, param.path)))
            continue
        value = float(model.base.values[line][i])
        note = CONTRACT_FIXED.get(line, "Not in the contract: fixed at 0")
        rows.append(
            InputRow(
                line,
                f"i{i}",
                f"fixed:{item.id}.{line}",
                LINES[line].label,
                value,
                LINES[line].unit,
                item.id,
                (),
                note,
            )
        )
    return rows


CONTRACT_FIXED = {
    "contract_on": "Fixed by the file: the contract pays for outcomes",
    "contract_has_baseline": "Fixed by the file: 1 where the contract gives a baseline",
    "contract_has_cap": "Fixed by the file: 1 where the contract gives a cap",
    "contract_term_years": "The contract gives no term: every year appraised",
}


def rating_note(item: Intervention) -> str:
    """What an intervention's rating means, in the Guidebook's words, then the file's note."""
    grade = ratings.rating(item.evidence.rating)
    meaning = f"{grade.described}: {grade.meaning} (Foundations Guidebook)"
    return f"{meaning} {item.evidence.note}" if item.evidence.note else meaning


def _effect_structural(line: str, label: str, unit: str, i: int, k: int, model: Model) -> InputRow:
    """An effect's term fixed by the file: its form code, its use, or an unused figure."""
    item = model.interventions[i]
    value = float(model.base.values[line][i, k])
    effects = item.effect_list
    has = k < len(effects)
    if not has:
        note = f"Not used: {item.id} has {len(effects)} effect(s)"
    elif line == "effect_form":
        note = f"Averts {effects[k][0]}. {FORM_LEGEND}"
    elif line == "effect_used":
        note = f"Averts {effects[k][0]}"
    else:
        note = f"Not used: fixed at {value:g} because the effect is given as {effects[k][1].form}"
    where = effects[k][2] if has else f"effects[{k}]"
    numbered = model.base.values["effect_form"].shape[-1] > 1
    return InputRow(
        line,
        effect_owner(i, k),
        f"fixed:{item.id}.{where}.{line}" if where != "effect" else f"fixed:{item.id}.{line}",
        f"Effect {k + 1}: {label}" if numbered else label,
        value,
        unit,
        item.id,
        (),
        note,
    )


FORM_WORDS = {"per_case": "per case", "total": "as a total", "staff": "by staff"}


def _structural(slot: str, label: str, unit: str, i: int, model: Model) -> InputRow:
    item = model.interventions[i]
    value = float(model.base.values[slot][i])
    if slot == "effect_count":
        note = "Fixed by the file: " + ", ".join(item.outcomes_averted)
    elif slot == "non_uk":
        found_by = ", ".join(model.effect_sources[i]) or "none stated"
        note = f"From the effect sources' countries ({found_by})"
    else:
        why = {
            "reach_share": f"reach is given as {item.reach.form}",
            "reach_offset": f"reach is given as {item.reach.form}",
            "unit_cost": f"the cost is given {FORM_WORDS[item.unit_cost.form]}",
            "fixed_cost": f"the cost is given {FORM_WORDS[item.unit_cost.form]}",
            "non_staff": "the cost is not given by staff",
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

# The sheet's columns, in order, with their widths: declared here once (the export, import-xlsx
# and the tests find a column by its header).
INPUT_COLUMNS: tuple[tuple[str, int], ...] = (
    ("Input", 58),
    ("Value", 14),
    ("Unit", 16),
    ("Belongs to", 26),
    ("Status", 12),  # cited, derived, assumed, edited, not stated; setting; structure
    ("Source", 40),  # who is cited, what it is derived from, whose assumption, what it replaced
    ("Locator", 30),  # the table, section or page; a derivation's formula
    ("Note", 50),
    (INPUT_KEY_HEADER, 40),
)
INPUT_HEADERS = tuple(header for header, _ in INPUT_COLUMNS)
INPUT_HEADER_ROW = 3
VALUE_COL = INPUT_HEADERS.index("Value") + 1
KEY_COL = INPUT_HEADERS.index(INPUT_KEY_HEADER) + 1


def provenance_columns(row: InputRow, citations: dict[str, str]) -> tuple[str, str, str, str]:
    """(status, source, locator, note) of a row: an input's provenance, its reason or quote
    before the file's note; the sources of a setting or of structure."""
    if row.param is None:
        cites = "; ".join(citations[s] for s in row.sources if s in citations)
        return row.basis, cites, "", row.note
    status, source, locator, why = provenance_cells(row.param.provenance.to_data(citations))
    note = "; ".join(part for part in (why, row.note) if part)
    return status, source, locator, note


def _allowed(book: Book, row: InputRow) -> Allowed | None:
    """What the value cell accepts: a switch 0 or 1, a rating, a price year of the Indices sheet,
    a number in its domain (the input registry's); None for structure, not to be edited."""
    if row.kind == "fixed":
        return None
    if row.unit == "switch":
        return SWITCH
    if row.unit == "year":  # a price year: one its index covers (the base: one of Indices')
        if row.line == "price_base":
            return Allowed.price_year(book)
        index = book.where(row.line.removesuffix("_price_year") + "_index", row.owner)
        assert isinstance(index, Cell)
        return Allowed.price_year(book, ref(index.sheet, index.row, index.col))
    if row.choices:  # a rating: a key of the optimism-bias table (typed as text or a number)
        table = book.where("optimism_bias_table", "")
        assert isinstance(table, Table)
        col = get_column_letter(table.key_col)
        keys = f"{quote_title(table.sheet)}${col}${table.first}:${col}${table.last}"
        return Allowed("keys", names=row.choices, keys=keys, prefix=table.prefix)
    if row.line == DISCOUNT_BAND:  # a band's rate of a discount schedule
        return Allowed("number", 0.0, 1.0)
    if row.param is None:
        return Allowed("whole", 0.0)  # a count of cohorts
    return _domain_allowed(row.param.domain)


@functools.lru_cache(maxsize=256)  # a few domains (the input registry's), for thousands of rows
def _domain_allowed(domain: Domain) -> Allowed:
    return Allowed.domain(domain)


SWITCH = Allowed("names", names=("0", "1"))
# The headers of a row's cells as `inputs_sheet` gives them, in order: INPUT_HEADERS' order
# (tests/test_excel.py holds it to that).
ROW_HEADERS = (
    "Input",
    "Value",
    "Unit",
    "Belongs to",
    "Status",
    "Source",
    "Locator",
    "Note",
    INPUT_KEY_HEADER,
)


def _value_style(kind: str, unit: str) -> str:
    """The style of the value cell of a row of `kind` and `unit`."""
    role = "input" if kind in ("param", "setting") else "fixed"
    if unit in ("rating", "year", "index", "placement"):  # a name, kept as text
        return "user_in" if role == "input" else "user_fixed"
    return f"{role}:{input_format(unit)}"


def inputs_sheet(book: Book) -> Sheet:
    """Every assumption, one per row; yellow cells may be changed, grey ones are structure."""
    widths = {c: width for c, (_, width) in enumerate(INPUT_COLUMNS, 1)}
    sheet = book.sheet(INPUTS, freeze="B4", print_rows="3:3", widths=widths, pages_wide=1)
    sheet.put(1, 1, "Inputs: every assumption the workbook uses, one a row", "title")
    sheet.put(
        2,
        1,
        "Change a yellow value and every figure moves. Grey values are fixed by the portfolio "
        "file's structure. Status says where a value came from: cited (Source and Locator say "
        "where), derived (from what, by which formula), assumed (whose judgement; the Note says "
        "why), edited (what it replaced), or not stated. `appraise import-xlsx` reads this sheet "
        "back into a portfolio file, marking each changed value edited.",
        "note",
    )
    sheet.row(INPUT_HEADER_ROW, [(h, "header") for h in INPUT_HEADERS])
    citations = {key: entry.citation for key, entry in book.evidence.items()}
    r = INPUT_HEADER_ROW
    table: list[int] = []
    editable: list[tuple[int, InputRow]] = []
    styles: dict[tuple[str, str], str] = {}  # value styles by kind and unit: a few
    book.input_rows = input_rows(book.model)
    for item in book.input_rows:
        r += 1
        if isinstance(item, Section):
            r += 1 if r > INPUT_HEADER_ROW + 1 else 0
            sheet.put(r, 1, item.title, "section")
            continue
        value_style = styles.get((item.kind, item.unit))
        if value_style is None:
            value_style = styles[(item.kind, item.unit)] = _value_style(item.kind, item.unit)
        status, source, locator, note = provenance_columns(item, citations)
        sheet.row(
            r,
            [
                (item.label, "user_wrap"),
                (item.value, value_style),
                (item.unit, "text"),
                (item.belongs_to, "user"),
                (status, "text"),
                (source, "user"),
                (locator, "user"),
                (note, "note"),
                (item.key, "user"),
            ],
        )
        book.input_cells[item.key] = ref(sheet.title, r, VALUE_COL)
        editable.append((r, item))
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
    for r, item in editable:  # now that the optimism-bias table (ratings' keys) is placed
        allowed = _allowed(book, item)
        if allowed is not None:
            book.input(sheet, r, VALUE_COL, f"{item.label} ({item.key})", allowed, item.value)
    return sheet


def non_uk_flags(portfolio: Portfolio, evidence: dict[str, Evidence]) -> np.ndarray:
    """Which interventions the non-UK haircut applies to, as the parameter registry decides it."""
    from appraise.engine.params import build

    return build(portfolio, evidence).base.values["non_uk"] > 0
