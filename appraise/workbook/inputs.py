"""The workbook's `Inputs` rows: every assumption of a portfolio, one per row, and how each maps back.

The same list drives the export (one row per `InputRow`) and `import-xlsx` (which rebuilds the list
from the portfolio embedded in the workbook and compares). Three kinds of row:

- `param`: a numeric input of the portfolio (`Model.params`); an edit is written back to its field;
- `setting`: a portfolio or timing setting held as a number (a rate, a 1/0 switch, a count);
- `fixed`: structure that the file's form decides (an unused term such as the proportion served
  when reach is a count, an effect-form code, a constant from the literature). Editing one cannot
  be expressed in the portfolio file, so import refuses it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from appraise.display import payer_name
from appraise.engine import core
from appraise.engine.params import Model, Param, build
from appraise.engine.results import EFFECT_FORM_NAMES
from appraise.model.schema import CHILDRENS_SOCIAL_CARE, RATINGS, Evidence, Portfolio

INPUT_KEY_HEADER = "Key"  # the Inputs column that identifies each row for import-xlsx
FORM_LEGEND = ", ".join(f"{code} = {name}" for code, name in sorted(EFFECT_FORM_NAMES.items()))

# Per-intervention slots in CoreInputs order, with the label a structural (unused) term gets.
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
    ("non_uk", "Effect established only outside the UK (1 = yes, 0 = no)", "switch"),
    ("cohorts", "Cohorts started (0 = one every year of the horizon)", "cohorts"),
    ("cost_months", "", ""),
    ("benefit_lag_months", "", ""),
    ("benefit_years", "", ""),
    ("annual_decay", "", ""),
    ("ramp_up", "", ""),
)


@dataclass(frozen=True)
class Section:
    """A heading row on the Inputs sheet."""

    title: str


@dataclass(frozen=True)
class InputRow:
    """One input: where its value cell is anchored, what it is, and how it maps back to the file."""

    anchor: str  # name other sheets use to refer to the value cell
    key: str  # the Key column: identifies the row on import
    label: str
    value: float
    unit: str
    owner: str  # intervention id, outcome key, "portfolio" or "constant"
    sources: tuple[str, ...] = ()
    note: str = ""
    kind: str = "fixed"  # "param" | "setting" | "fixed"
    path: str = ""  # field path in the portfolio file (param and setting rows)
    to_file: Callable[[float], Any] | None = None  # setting rows: cell value -> file value
    param: Param | None = None


def _flag(x: bool) -> float:
    return 1.0 if x else 0.0


def _switch(on: Any, off: Any) -> Callable[[float], Any]:
    """A 1/0 cell mapped to one of two file values (anything else is refused)."""

    def convert(value: float) -> Any:
        if value == 1:
            return on
        if value == 0:
            return off
        raise ValueError("must be 1 or 0")

    return convert


def _whole(value: float) -> int:
    if value != int(value) or value < 0:
        raise ValueError("must be a whole number, 0 or more")
    return int(value)


def non_uk_flags(portfolio: Portfolio, evidence: dict[str, Evidence]) -> np.ndarray:
    """Which interventions the non-UK haircut applies to, as the parameter registry decides it."""
    return build(portfolio, evidence).base.values["non_uk"] > 0


def _note(param: Param) -> str:
    if not param.uncertain:
        return ""
    dist = param.value
    shown = ", ".join(f"{k} {v:g}" for k, v in dist.params.items())
    return f"{dist.kind} distribution ({shown}); the workbook uses its central value"


def _param_row(anchor: str, param: Param) -> InputRow:
    return InputRow(
        anchor=anchor,
        key=param.key,
        label=param.label,
        value=param.central,
        unit=param.unit,
        owner=param.owner,
        sources=param.sources,
        note=_note(param),
        kind="param",
        path=param.path,
        param=param,
    )


def portfolio_rows(portfolio: Portfolio) -> list[Section | InputRow]:
    """Portfolio-wide settings and the constants the formulas use."""
    rows: list[Section | InputRow] = [
        Section("Portfolio settings"),
        InputRow(
            "discount_rate",
            "discount_rate",
            "Discount rate",
            portfolio.discount_rate,
            "fraction a year",
            "portfolio",
            ("green-book-2022",),
            "Year 1 is undiscounted; year t is divided by (1 + rate)^(t - 1)",
            "setting",
            "discount_rate",
            float,
        ),
        InputRow(
            "pro_rata",
            "cashable_method",
            "Cashable convention: 1 = pro rata (net x cashable share), 0 = strict",
            _flag(portfolio.cashable_method == "pro_rata"),
            "switch",
            "portfolio",
            ("thurrock-aphr-2017",),
            "Strict = cashable gross savings - the full cost; pro rata = Thurrock's convention",
            "setting",
            "cashable_method",
            _switch("pro_rata", "strict"),
        ),
        InputRow(
            "public_sector",
            "perspective",
            "Headline perspective: 1 = the public sector (all payers), 0 = children's social care",
            _flag(portfolio.perspective == "public_sector"),
            "switch",
            "portfolio",
            (),
            "Whose savings count in gross and net savings",
            "setting",
            "perspective",
            _switch("public_sector", CHILDRENS_SOCIAL_CARE),
        ),
        InputRow(
            "apply_optimism_bias",
            "apply_optimism_bias",
            "Apply the optimism-bias haircut (1 = yes, 0 = no)",
            _flag(portfolio.apply_optimism_bias),
            "switch",
            "portfolio",
            (),
            "Cuts each effect by the rate for its evidence rating (rows below)",
            "setting",
            "apply_optimism_bias",
            _switch(True, False),
        ),
    ]
    for rating in RATINGS:
        rows.append(
            InputRow(
                f"ob.{rating}",
                f"optimism_bias.{rating}",
                f"Optimism-bias haircut for evidence rating {rating}",
                portfolio.optimism_bias_table[rating],
                "fraction",
                "portfolio",
                (),
                "The project's judgement, not a published standard (README: Optimism bias)",
                "setting",
                f"optimism_bias.{rating}",
                float,
            )
        )
    rows += [
        InputRow(
            "non_uk_rate",
            "non_uk_evidence_haircut",
            "Haircut on effects established only outside the UK",
            portfolio.non_uk_evidence_haircut,
            "fraction",
            "portfolio",
            (),
            "Applies where the intervention's non-UK switch is 1",
            "setting",
            "non_uk_evidence_haircut",
            float,
        ),
        InputRow(
            "horizon",
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
            "fixed:cox_factor",
            "Cox factor: log odds ratio = factor x Cohen's d",
            core.COX_FACTOR,
            "ratio",
            "constant",
            ("sanchez-meca-2003",),
        ),
        InputRow(
            "logit",
            "fixed:logit_factor",
            "Logistic factor: log odds ratio = factor x Cohen's d (pi / sqrt 3)",
            core.LOGIT_FACTOR,
            "ratio",
            "constant",
            ("hasselblad-1995", "chinn-2000"),
        ),
    ]
    return rows


def outcome_rows(model: Model) -> list[Section | InputRow]:
    """Each outcome's cost inputs, with the cashable and payer switches of its components."""
    portfolio = model.portfolio
    by_owner: dict[str, list[Param]] = {}
    for p in model.params:
        if p.owner_kind == "outcome":
            by_owner.setdefault(p.owner, []).append(p)
    rows: list[Section | InputRow] = []
    for key, outcome in portfolio.outcomes.items():
        rows.append(Section(f"Outcome {key}: {outcome.name}"))
        src = tuple(outcome.sources)
        for p in by_owner.get(key, []):
            rows.append(_param_row(f"o.{p.path}", p))
        if outcome.derive is not None:
            for part, cashable in (("placement", True), ("non_placement", False)):
                what = part.replace("_", "-")
                rows.append(
                    InputRow(
                        f"o.{key}.{part}.cashable",
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
                        f"o.{key}.{part}.csc",
                        f"fixed:outcomes.{key}.{part}.payer",
                        f"The {what} cost falls to children's social care (1 = yes)",
                        1.0,
                        "switch",
                        key,
                        src,
                    )
                )
        for j, comp in enumerate(outcome.components or []):
            path = f"outcomes.{key}.components[{j}]"
            rows.append(
                InputRow(
                    f"o.{path}.cashable",
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
                    f"o.{path}.csc",
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


def intervention_rows(model: Model, non_uk: np.ndarray) -> list[Section | InputRow]:
    """Every term of every intervention's formulas: its inputs, and the unused terms at 0 or 1."""
    base = model.base
    by_slot = {(p.target, p.index): p for p in model.params if p.owner_kind == "intervention"}
    rows: list[Section | InputRow] = []
    for i, item in enumerate(model.interventions):
        rows.append(Section(f"Intervention {item.id}: {item.name}"))
        src = tuple(item.evidence.sources)
        for slot, label, unit in INTERVENTION_SLOTS:
            anchor = f"i{i}.{slot}"
            param = by_slot.get((slot, i))
            if param is not None:
                rows.append(_param_row(anchor, param))
            elif slot == "cohorts":
                rows.append(
                    InputRow(
                        anchor,
                        f"{item.id}.timing.cohorts",
                        label,
                        float(base.cohorts[i]),
                        unit,
                        item.id,
                        src,
                        "",
                        "setting",
                        f"interventions[{i}].timing.cohorts",
                        _whole,
                    )
                )
            else:
                rows.append(_structural(anchor, slot, label, unit, i, item.id, model, non_uk))
    return rows


def _structural(
    anchor: str,
    slot: str,
    label: str,
    unit: str,
    i: int,
    owner: str,
    model: Model,
    non_uk: np.ndarray,
) -> InputRow:
    item = model.interventions[i]
    if slot == "effect_form":
        value, note = float(model.base.effect_form[i]), FORM_LEGEND
    elif slot == "non_uk":
        found_by = ", ".join(model.effect_sources[i]) or "none stated"
        value, note = _flag(bool(non_uk[i])), f"From the effect sources' countries ({found_by})"
    else:
        value = float(getattr(model.base, slot)[i])
        why = {
            "reach_share": f"reach is given as {item.reach.form}",
            "reach_offset": f"reach is given as {item.reach.form}",
            "unit_cost": "the cost is given as a total",
            "fixed_cost": "the cost is given per case",
            "effect_b": f"the effect is given as {item.effect.form}",
        }[slot]
        note = f"Not used: fixed at {value:g} because {why}"
    return InputRow(anchor, f"fixed:{owner}.{slot}", label, value, unit, owner, (), note)


def input_rows(model: Model, evidence: dict[str, Evidence]) -> list[Section | InputRow]:
    """Every row of the Inputs sheet, in order."""
    non_uk = non_uk_flags(model.portfolio, evidence)
    return portfolio_rows(model.portfolio) + outcome_rows(model) + intervention_rows(model, non_uk)
