"""Every line item of an appraisal, defined once: its label, unit, format, meaning and formula.

Each formula is a function `(v, o)` of its operands (`v.reach`) and the operations `o` of
`appraise.engine.ops`. The engine (`appraise.engine.evaluate`) runs it over numpy arrays; the
workbook renders the same function as the formula of each of its cells. So this module is the
one place where, say, gross savings or the discount factor is defined.

A line sits on a `level`: the axes it varies along, each one of

- `n`: interventions; `F`: the effects of an intervention (one for most; `(n, F)` lines are per
  effect, an intervention with fewer effects than the most any has leaving the rest unused);
  `H`: the years appraised (1..horizon); `O`: outcomes; `C`: the components of outcomes' costs,
  which are the components a file gives (`E`), then the placement and the non-placement part of
  each outcome whose cost is derived (`D`, Thurrock's derivation), then each change of placement
  (`X`, priced from the placement table `W`); `G`: the staff lines of staffed services; `R`:
  evidence ratings (the optimism-bias table); `Q`, `S`: price indices by year and series; no
  axis: the portfolio as a whole.

An operand on fewer axes broadcasts (a portfolio setting in every intervention's line); an
outcome's figure used by an intervention is that intervention's outcome; sums over components or
years go through `o` (`o.group_sum`, `o.sumproduct_years`). Inputs are lines without a formula:
their values come from the parameter registry (`appraise.engine.params`).

`total` says how the portfolio's figure is made: `sum` adds the interventions' figures; `formula`
applies the same formula to the portfolio's own figures (a ratio of totals, not a total of
ratios); None: there is no portfolio figure (reach, or outcomes of different kinds).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from appraise.engine.ops import INFINITE, NEVER

# How an effect was reported: the codes of `effect_form` (see `effect_raw`).
SUCCESS_RATE, PER_CASE, TREATED_RISK, RELATIVE_RISK, ODDS_RATIO, COHENS_D_COX, COHENS_D_LOGIT = (
    range(7)
)
RISK_FORMS = (TREATED_RISK, RELATIVE_RISK, ODDS_RATIO, COHENS_D_COX, COHENS_D_LOGIT)
EFFECT_FORM_NAMES = {
    SUCCESS_RATE: "success_rate",
    PER_CASE: "per_case",
    TREATED_RISK: "treated_risk",
    RELATIVE_RISK: "relative_risk",
    ODDS_RATIO: "odds_ratio",
    COHENS_D_COX: "cohens_d (cox)",
    COHENS_D_LOGIT: "cohens_d (logit)",
}
COX_FACTOR = 1.65  # log OR = 1.65 d (Cox transformation; Sanchez-Meca et al., 2003; WSIPP)
LOGIT_FACTOR = math.pi / math.sqrt(3)  # log OR = d pi / sqrt(3) (Hasselblad & Hedges, 1995)

NOT_A_RISK = "n/a: not a risk-based effect"
SEVERAL = "n/a: several outcomes (see each effect)"

NF, W, X, G = ("n", "F"), ("W",), ("X",), ("G",)
N, NH, H, OUT, C, D, E, R, P = (
    ("n",),
    ("n", "H"),
    ("H",),
    ("O",),
    ("C",),
    ("D",),
    ("E",),
    ("R",),
    (),
)

Formula = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class Line:
    """One line item: what it is, and how it is worked out (no formula: an input)."""

    key: str
    level: tuple[str, ...]
    label: str
    unit: str
    how: str
    formula: Formula | None = None
    fmt: str = "n2"  # workbook number format (appraise.workbook.writer.FORMATS)
    total: str | None = None  # "sum" | "formula" | None
    infinite: str | None = None  # how an infinite figure (a ratio over zero) is shown

    @property
    def is_input(self) -> bool:
        return self.formula is None


LINES: dict[str, Line] = {}


def define(
    registry: dict[str, Line],
    key: str,
    level: tuple[str, ...],
    label: str,
    unit: str,
    how: str,
    formula: Formula | None = None,
    fmt: str = "n2",
    total: str | None = None,
    infinite: str | None = None,
) -> None:
    """Add a line to a registry of line items (this one, the forecast's, the programme's)."""
    assert key not in registry, key
    registry[key] = Line(key, level, label, unit, how, formula, fmt, total, infinite)


_line = partial(define, LINES)


# ---------------------------------------------------------------------------------------------
# Inputs (values from the parameter registry; labels as the Calculations sheet shows them)
# ---------------------------------------------------------------------------------------------

for key, level, label, unit, fmt in (
    # One rate for every year, or a schedule's rate in each year (appraise.model.discounting).
    ("discount_rate", H, "Discount rate", "fraction a year", "pct2"),
    ("pro_rata", P, "Cashable convention: 1 = pro rata, 0 = strict", "switch", "int"),
    ("public_sector", P, "Headline perspective: 1 = the public sector, 0 = CSC", "switch", "int"),
    ("apply_optimism_bias", P, "Apply the optimism-bias haircut (1 = yes)", "switch", "int"),
    ("non_uk_rate", P, "Haircut on effects established only outside the UK", "fraction", "pct"),
    ("cox", P, "Cox factor: log odds ratio = factor x Cohen's d", "ratio", "n4"),
    ("logit", P, "Logistic factor: log odds ratio = factor x Cohen's d", "ratio", "n4"),
    ("optimism_bias_table", R, "Optimism-bias haircut for the evidence rating", "fraction", "pct"),
    ("reach_base", N, "Eligible cases, cases served or capacity", "cases", "n1"),
    ("reach_share", N, "Proportion served", "fraction", "pct"),
    ("reach_offset", N, "Places already provided", "cases", "n1"),
    ("unit_cost", N, "Unit cost", "£ per case", "money"),
    ("fixed_cost", N, "Total cost (when given as a total)", "£", "money"),
    ("effect_form", NF, "Effect form code", "code", "int"),
    ("effect_a", NF, "First effect figure", "as reported", "n4"),
    ("effect_b", NF, "Second effect figure (0 if none)", "as reported", "n4"),
    ("effect_used", NF, "The intervention has this effect (1 = yes)", "switch", "int"),
    ("effect_count", N, "Number of effects (outcomes the service averts)", "count", "int"),
    (
        "deadweight",
        N,
        "Deadweight: outcomes that would have been averted anyway",
        "fraction",
        "pct",
    ),
    ("attribution", N, "Attribution: share of the change due to this service", "fraction", "pct"),
    ("displacement", N, "Displacement: outcomes merely moved elsewhere", "fraction", "pct"),
    ("reach_per_case", N, "Reach units per costed case (e.g. children per family)", "ratio", "n2"),
    ("non_staff", N, "Non-staff cost a year (staffed services)", "£", "money"),
    ("staff_fte", G, "Staff: full-time equivalents", "FTE", "n2"),
    ("staff_salary", G, "Staff: salary a year", "£ a year", "money"),
    ("staff_on_costs", G, "Staff: on-costs (employer's pension and NI)", "fraction", "pct"),
    (
        "placement_weekly_cost",
        W,
        "Price of the placement or service per unit",
        "£ per unit",
        "money2",
    ),
    ("placement_price_year", W, "Price year of the price", "year", ""),
    ("placement_index", W, "Index that uprates it", "index", ""),
    ("change_from", X, "Change from (placement type or price)", "placement", ""),
    ("change_to", X, "Change to (placement type or price)", "placement", ""),
    ("change_units", X, "Units per change (weeks for a placement)", "units", "n2"),
    ("rating", N, "Evidence rating", "rating", ""),
    ("non_uk", N, "Effect established only outside the UK (1 = yes)", "switch", "int"),
    ("cohorts", N, "Cohorts started (0 = one every year)", "cohorts", "int"),
    ("ramp_up", N, "Size of the first cohort (share of a full one)", "fraction", "pct"),
    ("cost_months", N, "Months over which a cohort's cost is spent", "months", "n2"),
    ("benefit_lag_months", N, "Months from a cohort's start to its first savings", "months", "n2"),
    ("benefit_years", N, "Years each averted outcome keeps saving", "years", "n2"),
    ("annual_decay", N, "Share of the effect lost each year after the first", "fraction", "pct"),
    ("derive_weeks", D, "Average weeks in care a year", "weeks", "n2"),
    ("derive_weekly_cost", D, "Average placement cost a week", "£ a week", "money2"),
    ("derive_non_placement_share", D, "Non-placement share of total cost", "fraction", "pct"),
    ("component_cost_given", E, "Cost of one outcome (component)", "£ per outcome", "money"),
    ("component_cashable", C, "Cash-releasing: cashable (1 = yes)", "switch", "int"),
    (
        "component_capacity",
        C,
        "Not cash-releasing: capacity freed (1) or cost avoided (0)",
        "switch",
        "int",
    ),
    ("component_one_off", C, "One-off (1) or recurring (0)", "switch", "int"),
    ("component_csc", C, "Paid by children's social care (1 = yes)", "switch", "int"),
    ("year", H, "Year", "year", "int"),
    ("price_base", P, "Price base: the financial year every figure is brought to", "year", ""),
    ("price_indices", ("Q", "S"), "Price indices by financial year (Indices)", "index", "n4"),
    ("cost_price_year", N, "Price year of the cost", "year", ""),
    ("cost_index", N, "Index that uprates the cost", "index", ""),
    ("component_price_year", E, "Price year of the component's cost", "year", ""),
    ("component_index", E, "Index that uprates it", "index", ""),
    ("derive_price_year", D, "Price year of the weekly placement cost", "year", ""),
    ("derive_index", D, "Index that uprates it", "index", ""),
    # An outcome contract (appraise.model.contract; all 0 for a fee, which pays no outcomes).
    ("contract_on", N, "Outcome contract: 1 = pays for outcomes, 0 = a fee", "switch", "int"),
    ("contract_has_baseline", N, "The contract has its own baseline (1 = yes)", "switch", "int"),
    (
        "contract_baseline",
        N,
        "Contract baseline: share in care without the service",
        "fraction",
        "pct2",
    ),
    ("contract_price_outcome", N, "Price per outcome averted", "£ per outcome", "money2"),
    ("contract_price_day", N, "Price per care day avoided", "£ per day", "money2"),
    ("contract_price_week", N, "Price per care week avoided", "£ per week", "money2"),
    ("contract_days_per_outcome", N, "Care days one averted outcome stands for", "days", "n2"),
    ("contract_has_cap", N, "The contract caps outcome payments (1 = yes)", "switch", "int"),
    ("contract_cap", N, "Cap on outcome payments over the contract", "£", "money"),
    ("contract_fixed_fee", N, "Fixed fee a year", "£ a year", "money"),
    ("contract_own_costs", N, "Council's own costs of the contract a year", "£ a year", "money"),
    ("contract_lag_months", N, "Months from an outcome to its payment", "months", "n2"),
    ("contract_top_up", N, "Share of each outcome payment a co-funder pays", "fraction", "pct"),
    ("contract_term_years", N, "Years of outcomes the contract pays for", "years", "n2"),
):
    _line(key, level, label, unit, "Inputs", fmt=fmt)


# -- prices: every money input is brought from its own price year to the price base -------------


def uprating(year: str, index: str) -> Formula:
    """index(price base) / index(price year): what a figure in that year's prices is multiplied
    by to be in the base year's (HM Treasury Green Book: real prices of one base year)."""
    # The same year is 1 without consulting the index, so a price base no index covers still works.
    return lambda v, o: o.where(
        o.eq(getattr(v, year), v.price_base),
        1.0,
        o.ratio(
            o.index2(v.price_indices, v.price_base, getattr(v, index)),
            o.index2(v.price_indices, getattr(v, year), getattr(v, index)),
        ),
    )


for slot, level in (("cost", N), ("component", E), ("derive", D), ("placement", W)):
    _line(
        f"{slot}_uprate",
        level,
        "Uprating factor to the price base",
        "factor",
        "index in the price base / index in the figure's price year",
        uprating(f"{slot}_price_year", f"{slot}_index"),
        "n4",
    )
for key, slot, level, label, unit, fmt in (
    ("unit_cost", "cost", N, "Unit cost in base-year prices", "£ per case", "money"),
    ("fixed_cost", "cost", N, "Total cost in base-year prices", "£", "money"),
    ("component_cost_given", "component", E, "Cost in base-year prices", "£ per outcome", "money"),
    (
        "derive_weekly_cost",
        "derive",
        D,
        "Weekly placement cost in base-year prices",
        "£ a week",
        "money2",
    ),
    (
        "placement_weekly_cost",
        "placement",
        W,
        "Price per unit in base-year prices",
        "£ per unit",
        "money2",
    ),
):
    _line(
        f"{key}_in_base",
        level,
        label,
        unit,
        "the figure in its own prices x its uprating factor",
        lambda v, o, key=key, slot=slot: getattr(v, key) * getattr(v, f"{slot}_uprate"),
        fmt,
    )


def non_placement(placement: Any, share: Any, o: Any) -> Any:
    """Non-placement cost from placement cost, when non-placement is `share` of the total."""
    return placement * o.ratio(share, 1 - share)


# ---------------------------------------------------------------------------------------------
# What one outcome costs (Thurrock, APHR 2017: placement = weeks x weekly cost; non-placement
# makes up `share` of the total)
# ---------------------------------------------------------------------------------------------

_line(
    "placement_cost",
    D,
    "Placement cost (component)",
    "£ per outcome",
    "weeks in care x weekly placement cost",
    lambda v, o: v.derive_weeks * v.derive_weekly_cost_in_base,
    "money",
)
_line(
    "non_placement_cost",
    D,
    "Non-placement cost: staff, travel, overheads (component)",
    "£ per outcome",
    "placement x share / (1 - share): non-placement is that share of the total",
    lambda v, o: (
        v.placement_cost * o.ratio(v.derive_non_placement_share, 1 - v.derive_non_placement_share)
    ),
    "money",
)
for side in ("from", "to"):
    _line(
        f"change_{side}_price",
        X,
        f"Price per unit {side} (placement table, base-year prices)",
        "£ per unit",
        f"the placement table's price of the type (or price) changed {side}",
        lambda v, o, side=side: o.lookup(
            v.placement_weekly_cost_in_base, getattr(v, f"change_{side}")
        ),
        "money2",
    )
_line(
    "change_cost",
    X,
    "Saving from one change of placement (negative: it costs more)",
    "£ per outcome",
    "(price from - price to) x units: a change to a dearer placement is a net cost",
    lambda v, o: (v.change_from_price - v.change_to_price) * v.change_units,
    "money",
)
_line(
    "component_cost",
    C,
    "Cost of one outcome (component)",
    "£ per outcome",
    "the components given, then each derived outcome's placement and non-placement parts, "
    "then each change of placement",
    lambda v, o: o.components(
        v.component_cost_given_in_base, v.placement_cost, v.non_placement_cost, v.change_cost
    ),
    "money",
)
_line(
    "component_counted",
    C,
    "Counts in the headline perspective (1 = yes)",
    "switch",
    "1 from the public sector's perspective; otherwise 1 if children's social care pays it",
    lambda v, o: o.where(o.eq(v.public_sector, 1), 1, v.component_csc),
    "int",
)
_line(
    "component_headline_cost",
    C,
    "Counted in the headline perspective",
    "£ per outcome",
    "cost x counted",
    lambda v, o: v.component_cost * v.component_counted,
    "money",
)
_line(
    "component_cashable_cost",
    C,
    "Cashable and counted",
    "£ per outcome",
    "cost x cashable x counted",
    lambda v, o: v.component_cost * v.component_cashable * v.component_counted,
    "money",
)
_line(
    "component_csc_cost",
    C,
    "Paid by children's social care",
    "£ per outcome",
    "cost x paid by children's social care",
    lambda v, o: v.component_cost * v.component_csc,
    "money",
)
# How each saving is booked (appraise.model.savings): cash-releasing (the cashable part), cost
# avoidance or capacity; and, of each, the one-off part (saving once per outcome averted).
_line(
    "component_cost_avoidance_cost",
    C,
    "Cost avoidance and counted",
    "£ per outcome",
    "cost x counted x not cashable x not capacity",
    lambda v, o: (
        v.component_headline_cost * (1 - v.component_cashable) * (1 - v.component_capacity)
    ),
    "money",
)
_line(
    "component_capacity_cost",
    C,
    "Capacity freed and counted",
    "£ per outcome",
    "cost x counted x not cashable x capacity",
    lambda v, o: v.component_headline_cost * (1 - v.component_cashable) * v.component_capacity,
    "money",
)
SAVINGS_CLASS_PARTS = (
    ("cashable", "Cash-releasing"),
    ("cost_avoidance", "Cost avoidance"),
    ("capacity", "Capacity"),
)
for part, what in SAVINGS_CLASS_PARTS:
    _line(
        f"component_{part}_one_off_cost",
        C,
        f"{what}, one-off part",
        "£ per outcome",
        f"{what.lower()} and counted x one-off",
        lambda v, o, part=part: getattr(v, f"component_{part}_cost") * v.component_one_off,
        "money",
    )
for key, label, part, how in (
    ("outcome_all", "Cost of one outcome to all payers", "component_cost", "components"),
    (
        "outcome_csc",
        "Cost of one outcome to children's social care",
        "component_csc_cost",
        "components paid by children's social care",
    ),
    (
        "outcome_headline",
        "Cost of one outcome in the headline perspective",
        "component_headline_cost",
        "components that count in the headline perspective",
    ),
    (
        "outcome_cashable",
        "Cashable cost of one outcome in the headline perspective",
        "component_cashable_cost",
        "cashable components that count in the headline perspective",
    ),
    (
        "outcome_cost_avoidance",
        "Cost avoided by one outcome in the headline perspective",
        "component_cost_avoidance_cost",
        "cost-avoidance components that count in the headline perspective",
    ),
    (
        "outcome_capacity",
        "Capacity freed by one outcome in the headline perspective",
        "component_capacity_cost",
        "capacity components that count in the headline perspective",
    ),
    *(
        (
            f"outcome_{part}_one_off",
            f"{what} of one outcome, one-off part",
            f"component_{part}_one_off_cost",
            f"one-off {what.lower()} components that count in the headline perspective",
        )
        for part, what in SAVINGS_CLASS_PARTS
    ),
):
    _line(
        key,
        OUT,
        label,
        "£ per outcome",
        f"sum of the {how}",
        lambda v, o, part=part: o.group_sum(getattr(v, part)),
        "money",
    )

# ---------------------------------------------------------------------------------------------
# One year of service, per intervention
# ---------------------------------------------------------------------------------------------


def _by_odds(v: Any, o: Any) -> Any:
    """p1 = p0 OR / (1 - p0 + p0 OR): odds with = odds without x OR."""
    return o.ratio(
        v.effect_a * v.effect_odds_ratio, 1 - v.effect_a + v.effect_a * v.effect_odds_ratio
    )


_line(
    "reach",
    N,
    "Cases served a year (reach)",
    "cases",
    "eligible x proportion - places already provided, never below 0",
    # Never below zero: independent ranges on two capacities can draw to < from.
    lambda v, o: o.maximum(v.reach_base * v.reach_share - v.reach_offset, 0),
    "n1",
)
_line(
    "cases_costed",
    N,
    "Cases costed a year (reach / reach units per case)",
    "cases",
    "reach / reach units per costed case (1 unless the cost is per family, say)",
    lambda v, o: o.ratio(v.reach, v.reach_per_case),
    "n1",
)
_line(
    "staff_cost",
    G,
    "Staff cost a year",
    "£",
    "FTE x salary x (1 + on-costs)",
    lambda v, o: v.staff_fte * v.staff_salary * (1 + v.staff_on_costs),
    "money",
)
_line(
    "staffing_cost",
    N,
    "Staffing and non-staff cost a year (staffed services)",
    "£",
    "the sum of the service's staff costs + non-staff cost",
    lambda v, o: o.staff_sum(v.staff_cost) + v.non_staff,
    "money",
)
_line(
    "staffing_cost_in_base",
    N,
    "Staffing and non-staff cost in base-year prices",
    "£",
    "staffing and non-staff cost x the cost's uprating factor",
    lambda v, o: v.staffing_cost * v.cost_uprate,
    "money",
)
_line(
    "cost",
    N,
    "Cost a year",
    "£",
    "unit cost x cases costed + total cost + staffing cost (in base-year prices)",
    lambda v, o: (
        v.unit_cost_in_base * v.cases_costed + v.fixed_cost_in_base + v.staffing_cost_in_base
    ),
    "money",
    "sum",
)
_line(
    "effect_odds_ratio",
    NF,
    "Odds ratio the effect stands for",
    "ratio",
    "as given, or EXP(factor x d) from Cohen's d (Cox: Sanchez-Meca et al., 2003; logistic: "
    "Hasselblad and Hedges, 1995); 1 for other forms",
    lambda v, o: o.choose(
        v.effect_form,
        {
            SUCCESS_RATE: lambda: 1,
            PER_CASE: lambda: 1,
            TREATED_RISK: lambda: 1,
            RELATIVE_RISK: lambda: 1,
            ODDS_RATIO: lambda: v.effect_b,
            COHENS_D_COX: lambda: o.exp(v.cox * v.effect_b),
            COHENS_D_LOGIT: lambda: o.exp(v.logit * v.effect_b),
        },
    ),
    "n4",
)
_line(
    "effect_treated_risk",
    NF,
    "Risk of the outcome with the service (risk-based effects)",
    "fraction",
    "treated risk as given; baseline x RR (kept within 0..1); or p0 OR / (1 - p0 + p0 OR)",
    lambda v, o: o.choose(
        v.effect_form,
        {
            # A success rate or a per-case figure says nothing of the risk with the service.
            SUCCESS_RATE: lambda: o.not_applicable(NOT_A_RISK),
            PER_CASE: lambda: o.not_applicable(NOT_A_RISK),
            TREATED_RISK: lambda: v.effect_b,
            # Uncertain inputs can push a drawn relative risk past 1 / p0.
            RELATIVE_RISK: lambda: o.clip(v.effect_a * v.effect_b, 0, 1),
            ODDS_RATIO: lambda: _by_odds(v, o),
            COHENS_D_COX: lambda: _by_odds(v, o),
            COHENS_D_LOGIT: lambda: _by_odds(v, o),
        },
    ),
    "pct2",
)
_line(
    "effect_rate_raw",
    NF,
    "Outcomes averted per case, before haircuts",
    "per case",
    "the success rate or per-case figure; for risks, baseline - treated risk",
    lambda v, o: o.choose(
        v.effect_form,
        {
            SUCCESS_RATE: lambda: v.effect_a,
            PER_CASE: lambda: v.effect_a,
            **{form: (lambda: v.effect_a - v.effect_treated_risk) for form in RISK_FORMS},
        },
    ),
    "n4",
)
_line(
    "optimism_bias",
    N,
    "Optimism-bias haircut",
    "fraction",
    "switch on Inputs x the rate for this evidence rating (the table on Inputs)",
    lambda v, o: v.apply_optimism_bias * o.lookup(v.optimism_bias_table, v.rating),
    "pct",
)
_line(
    "non_uk_haircut",
    N,
    "Non-UK evidence haircut",
    "fraction",
    "this intervention's non-UK switch x the haircut rate",
    lambda v, o: v.non_uk * v.non_uk_rate,
    "pct",
)
_line(
    "additionality",
    N,
    "Additionality: share of the effect the service adds",
    "fraction",
    "(1 - deadweight) x attribution x (1 - displacement) (HM Treasury Green Book)",
    lambda v, o: (1 - v.deadweight) * v.attribution * (1 - v.displacement),
    "pct",
)
_line(
    "effect_rate",
    NF,
    "Outcomes averted per case, after haircuts",
    "per case",
    "effect x (1 - optimism bias) x (1 - non-UK haircut) x additionality (0 for an effect the "
    "service does not have)",
    lambda v, o: (
        v.effect_rate_raw
        * (1 - v.optimism_bias)
        * (1 - v.non_uk_haircut)
        * v.additionality
        * v.effect_used
    ),
    "n4",
)
_line(
    "effect_outcomes_averted",
    NF,
    "Outcomes averted a year (this effect)",
    "outcomes",
    "reach x outcomes averted per case",
    lambda v, o: v.reach * v.effect_rate,
    "n2",
)
for key, label, outcome in (
    ("effect_outcome_cost", "Cost of one outcome, headline perspective", "outcome_headline"),
    (
        "effect_cashable_outcome_cost",
        "Cashable cost of one outcome, headline perspective",
        "outcome_cashable",
    ),
    ("effect_outcome_cost_csc", "Cost of one outcome to children's social care", "outcome_csc"),
    ("effect_outcome_cost_all", "Cost of one outcome to all payers", "outcome_all"),
):
    _line(
        key,
        NF,
        label,
        "£ per outcome",
        "Outcomes: the outcome this effect averts",
        lambda v, o, outcome=outcome: getattr(v, outcome),
        "money",
    )
for key, label, cost in (
    ("effect_gross_savings", "Gross savings (this effect)", "effect_outcome_cost"),
    (
        "effect_cashable_gross_savings",
        "Cashable gross savings (this effect)",
        "effect_cashable_outcome_cost",
    ),
    (
        "effect_savings_csc",
        "Savings to children's social care (this effect)",
        "effect_outcome_cost_csc",
    ),
    ("effect_savings_all", "Savings to all payers (this effect)", "effect_outcome_cost_all"),
):
    _line(
        key,
        NF,
        label,
        "£",
        "outcomes averted x cost of one outcome",
        lambda v, o, cost=cost: v.effect_outcomes_averted * getattr(v, cost),
        "money",
    )
_line(
    "outcomes_averted",
    N,
    "Outcomes averted a year (all its outcomes)",
    "outcomes",
    "the sum over its effects of reach x outcomes averted per case",
    lambda v, o: o.sum_effects(v.effect_outcomes_averted),
    "n2",
)


def _if_one(formula: Formula) -> Formula:
    """A figure defined for an intervention with one outcome; n/a with several."""
    return lambda v, o: o.where(o.eq(v.effect_count, 1), formula(v, o), o.not_applicable(SEVERAL))


def _one_effect(key: str) -> Formula:
    """A figure of an intervention's one effect; n/a when it has several."""
    return _if_one(lambda v, o: o.first_effect(getattr(v, key)))


for key, each, label, unit, fmt in (
    ("odds_ratio", "effect_odds_ratio", "Odds ratio the effect stands for", "ratio", "n4"),
    (
        "treated_risk",
        "effect_treated_risk",
        "Risk of the outcome with the service (risk-based effects)",
        "fraction",
        "pct2",
    ),
    (
        "effect_raw",
        "effect_rate_raw",
        "Outcomes averted per case, before haircuts",
        "per case",
        "n4",
    ),
    (
        "effect_adjusted",
        "effect_rate",
        "Outcomes averted per case, after haircuts",
        "per case",
        "n4",
    ),
):
    _line(
        key,
        N,
        label,
        unit,
        "its effect's (n/a when it has several: see each effect's)",
        _one_effect(each),
        fmt,
    )
for key, label in (
    ("outcome_cost", "Cost of one outcome, headline perspective"),
    ("cashable_outcome_cost", "Cashable cost of one outcome, headline perspective"),
    ("outcome_cost_csc", "Cost of one outcome to children's social care"),
    ("outcome_cost_all", "Cost of one outcome to all payers"),
):
    _line(
        key,
        N,
        label,
        "£ per outcome",
        "the outcome it averts (n/a when it averts several)",
        _one_effect(f"effect_{key}"),
        "money",
    )
_line(
    "gross_savings",
    N,
    "Gross savings",
    "£",
    "the sum over its effects of outcomes averted x cost of one outcome",
    lambda v, o: o.sum_effects(v.effect_gross_savings),
    "money",
    "sum",
)
_line(
    "net_savings",
    N,
    "Net savings",
    "£",
    "gross savings - cost",
    lambda v, o: v.gross_savings - v.cost,
    "money",
    "sum",
)
_line(
    "cashable_gross_savings",
    N,
    "Cash-releasing (cashable) gross savings",
    "£",
    "the sum over its effects of outcomes averted x cashable cost of one outcome",
    lambda v, o: o.sum_effects(v.effect_cashable_gross_savings),
    "money",
    "sum",
)
for key, label, outcome, how in (
    (
        "cost_avoidance_savings",
        "Cost avoidance (gross savings that reduce no budget)",
        "outcome_cost_avoidance",
        "cost avoided by one outcome",
    ),
    (
        "capacity_savings",
        "Capacity freed (gross savings in staff time or places)",
        "outcome_capacity",
        "capacity freed by one outcome",
    ),
    *(
        (
            f"{part}_one_off_savings",
            f"{what} gross savings, one-off part",
            f"outcome_{part}_one_off",
            f"one-off {what.lower()} of one outcome",
        )
        for part, what in SAVINGS_CLASS_PARTS
    ),
):
    _line(
        f"effect_{key}",
        NF,
        f"{label} (this effect)",
        "£",
        f"outcomes averted x {how}",
        lambda v, o, outcome=outcome: v.effect_outcomes_averted * getattr(v, outcome),
        "money",
    )
    _line(
        key,
        N,
        label,
        "£",
        f"the sum over its effects of outcomes averted x {how}",
        lambda v, o, key=key: o.sum_effects(getattr(v, f"effect_{key}")),
        "money",
        "sum",
    )
_line(
    "one_off_savings",
    N,
    "One-off gross savings (once per outcome averted)",
    "£",
    "the one-off parts of cash-releasing, cost avoidance and capacity",
    lambda v, o: (
        v.cashable_one_off_savings + v.cost_avoidance_one_off_savings + v.capacity_one_off_savings
    ),
    "money",
    "sum",
)
_line(
    "recurring_savings",
    N,
    "Recurring gross savings (each year an outcome stays averted)",
    "£",
    "gross savings - one-off",
    lambda v, o: v.gross_savings - v.one_off_savings,
    "money",
    "sum",
)
_line(
    "cashable_share",
    N,
    "Cashable share of one outcome's cost",
    "fraction",
    "cashable cost / cost of one outcome (0 when both are 0); with several outcomes, cashable "
    "gross savings / gross savings",
    lambda v, o: o.where(
        o.eq(v.effect_count, 1),
        o.ratio(v.cashable_outcome_cost, v.outcome_cost),
        o.ratio(v.cashable_gross_savings, v.gross_savings),
    ),
    "pct",
    infinite=INFINITE,
)
_line(
    "cashable_net_savings_strict",
    N,
    "Cashable net savings, strict",
    "£",
    "cashable gross savings - the full cost",
    lambda v, o: v.cashable_gross_savings - v.cost,
    "money",
    "sum",
)
_line(
    "cashable_net_savings_pro_rata",
    N,
    "Cashable net savings, pro rata",
    "£",
    "net savings x cashable share (Thurrock's convention)",
    lambda v, o: v.net_savings * v.cashable_share,
    "money",
    "sum",
)
_line(
    "cashable_net_savings",
    N,
    "Cashable net savings, convention in force",
    "£",
    "pro rata if the switch on Inputs is 1, else strict",
    lambda v, o: o.where(
        o.eq(v.pro_rata, 1), v.cashable_net_savings_pro_rata, v.cashable_net_savings_strict
    ),
    "money",
    "sum",
)
_line(
    "net_savings_childrens_social_care",
    N,
    "Net savings to children's social care",
    "£",
    "savings to children's social care over its effects - cost",
    lambda v, o: o.sum_effects(v.effect_savings_csc) - v.cost,
    "money",
    "sum",
)
_line(
    "net_savings_public_sector",
    N,
    "Net savings to the public sector (all payers)",
    "£",
    "savings to all payers over its effects - cost",
    lambda v, o: o.sum_effects(v.effect_savings_all) - v.cost,
    "money",
    "sum",
)
_line(
    "roi",
    N,
    "Return: gross savings per £1 of cost",
    "ratio",
    f'gross savings / cost ("{INFINITE}" when the cost is 0)',
    lambda v, o: o.ratio(v.gross_savings, v.cost),
    "n2",
    "formula",
    INFINITE,
)
_line(
    "cost_per_case",
    N,
    "Cost per case (unit of reach)",
    "£ per case",
    "cost / reach",
    lambda v, o: o.ratio(v.cost, v.reach),
    "money",
    infinite=INFINITE,
)
_line(
    "net_savings_per_case",
    N,
    "Net savings per case (unit of reach)",
    "£ per case",
    "net savings / reach",
    lambda v, o: o.ratio(v.net_savings, v.reach),
    "money",
    infinite=INFINITE,
)
_line(
    "break_even_effect_share",
    N,
    "Share of the expected effect needed to break even (all outcomes together)",
    "fraction",
    f'cost / gross savings: every effect scaled by the same share ("{NEVER}" when it saves '
    "nothing)",
    lambda v, o: o.ratio(v.cost, v.gross_savings, signed=False),
    "pct2",
    infinite=NEVER,
)


_line(
    "effect_break_even_outcomes",
    NF,
    "Outcomes of this effect needed to break even, the others as expected",
    "outcomes",
    "(cost - gross savings of the other effects) / cost of one outcome; 0 when the others "
    "already pay for it",
    # The shortfall is floored at 0 before dividing, so where the others already pay for it
    # and the outcome costs this payer nothing the workbook too gives 0 (0 / 0), not "never".
    lambda v, o: o.ratio(
        o.maximum(0, v.cost - (v.gross_savings - v.effect_gross_savings)),
        v.effect_outcome_cost,
        signed=False,
    ),
    "n2",
    infinite=NEVER,
)
_line(
    "effect_break_even_success_rate",
    NF,
    "Outcomes of this effect averted per case needed to break even, the others as expected",
    "per case",
    "its break-even outcomes / reach",
    lambda v, o: o.ratio(v.effect_break_even_outcomes, v.reach, signed=False),
    "n4",
    infinite=NEVER,
)


_line(
    "break_even_outcomes",
    N,
    "Outcomes averted needed to break even",
    "outcomes",
    f'cost / cost of one outcome ("{NEVER}" when an outcome saves nothing; n/a with several '
    "outcomes: see each effect's)",
    _if_one(lambda v, o: o.ratio(v.cost, v.outcome_cost, signed=False)),
    "n2",
    infinite=NEVER,
)
_line(
    "break_even_success_rate",
    N,
    "Outcomes averted per case needed to break even",
    "per case",
    "break-even outcomes / reach",
    _if_one(lambda v, o: o.ratio(v.break_even_outcomes, v.reach, signed=False)),
    "n4",
    infinite=NEVER,
)
_line(
    "cases_per_success_at_break_even",
    N,
    "Cases per success at break-even (1 in N)",
    "cases",
    "reach / break-even outcomes",
    _if_one(lambda v, o: o.ratio(v.reach, v.break_even_outcomes)),
    "n1",
    infinite=INFINITE,
)
_line(
    "safety_margin",
    N,
    "Safety margin: expected over break-even outcomes",
    "ratio",
    "outcomes averted / break-even outcomes",
    _if_one(lambda v, o: o.ratio(v.outcomes_averted, v.break_even_outcomes)),
    "n2",
    infinite=INFINITE,
)

# ---------------------------------------------------------------------------------------------
# Years: cohorts on a monthly timeline, summed into years (HM Treasury Green Book discounting)
#
# A cohort starting in year k spends its cost evenly over `cost_months` from its start; each
# outcome it averts saves a year's cost spread evenly over each benefit year, from
# `benefit_lag_months` after the cohort starts, for `benefit_years` years, keeping (1 - decay)^j
# of it in benefit year j. A year's share is the overlap (in months) of those intervals with the
# year, so an 18-month cost or lag lands in the right year and fractional months are exact.
# Cohorts start whole years apart, so the cohort that started k - 1 years ago is at its year
# t - k + 1: a year's total is the first cohort's profile summed over the ages of the cohorts
# running. Flows after the horizon are not counted.
# ---------------------------------------------------------------------------------------------

_line(
    "year_start_month",
    H,
    "Month the year starts (from the start of year 1)",
    "month",
    "12 x (year - 1)",
    lambda v, o: 12 * (v.year - 1),
    "int",
)
_line(
    "year_end_month",
    H,
    "Month the year ends (the next one starts)",
    "month",
    "12 x year",
    lambda v, o: 12 * v.year,
    "int",
)
_line(
    "discount_factor",
    H,
    "Discount factor: 1 in year 1, then divided by (1 + the year's rate) each year",
    "factor",
    "year 1 undiscounted (HM Treasury Green Book); under a schedule, each year at its own rate",
    lambda v, o: o.discount(v.discount_rate, v.year),
    "n4",
)
_line(
    "cost_profile",
    NH,
    "One cohort's cost falling in its year t (share)",
    "share",
    "months of the cohort's spending within year t / months it spends over",
    lambda v, o: (
        o.maximum(0, o.minimum(v.cost_months, v.year_end_month) - o.maximum(0, v.year_start_month))
        / v.cost_months
    ),
    "n4",
)
# A year overlaps at most two of an outcome's benefit years: the one under way as it starts
# and the next.
_line(
    "benefit_year_first",
    NH,
    "Benefit year under way as year t starts (0 = the first; negative = not yet)",
    "benefit year",
    "whole years from the first saving to the start of year t",
    lambda v, o: o.floor((v.year_start_month - v.benefit_lag_months) / 12),
    "int",
)
_line(
    "benefit_year_next",
    NH,
    "The benefit year after it",
    "benefit year",
    "the benefit year under way + 1",
    lambda v, o: v.benefit_year_first + 1,
    "int",
)


def _benefit_months(j: str) -> Formula:
    def months(v: Any, o: Any) -> Any:
        year = getattr(v, j)
        begin = v.benefit_lag_months + 12 * year
        end = v.benefit_lag_months + 12 * o.minimum(year + 1, v.benefit_years)
        return o.maximum(0, o.minimum(end, v.year_end_month) - o.maximum(begin, v.year_start_month))

    return months


def _benefit_weight(j: str) -> Formula:
    def weight(v: Any, o: Any) -> Any:
        year = getattr(v, j)
        lasting = o.and_(o.ge(year, 0), o.lt(year, v.benefit_years))
        # Excel's 0^0 is an error where numpy's is 1: the first benefit year is 1 either way.
        kept = o.where(o.eq(year, 0), 1, (1 - v.annual_decay) ** o.maximum(year, 1))
        return o.where(lasting, kept, 0)

    return weight


for j, which in (("benefit_year_first", "under way"), ("benefit_year_next", "after it")):
    _line(
        f"{j}_months",
        NH,
        f"Months of the benefit year {which} within year t",
        "months",
        "overlap of that benefit year (from the lag, ending at benefit_years) with year t",
        _benefit_months(j),
        "n2",
    )
    _line(
        f"{j}_weight",
        NH,
        f"Weight of the benefit year {which}: (1 - decay)^j while it lasts",
        "share",
        "1 in the first benefit year, (1 - decay)^j in benefit year j, 0 once it has ended",
        _benefit_weight(j),
        "n4",
    )
_line(
    "benefit_profile",
    NH,
    "One cohort's savings falling in its year t (share of a year's)",
    "share",
    "months x weight of the two benefit years, / 12",
    lambda v, o: (
        (
            v.benefit_year_first_months * v.benefit_year_first_weight
            + v.benefit_year_next_months * v.benefit_year_next_weight
        )
        / 12
    ),
    "n4",
)
_line(
    "one_off_profile",
    NH,
    "One cohort's one-off savings falling in its year t (share)",
    "share",
    "months of the first benefit year within year t / 12: a one-off saving falls once, whatever "
    "the benefit years",
    lambda v, o: (
        o.maximum(
            0,
            o.minimum(v.benefit_lag_months + 12, v.year_end_month)
            - o.maximum(v.benefit_lag_months, v.year_start_month),
        )
        / 12
    ),
    "n4",
)
_line(
    "cohorts_running",
    NH,
    "Cohorts started by year t",
    "cohorts",
    "year t, or the number of cohorts if fewer",
    lambda v, o: o.where(o.eq(v.cohorts, 0), v.year, o.minimum(v.year, v.cohorts)),
    "int",
)
_FLOWS = {"cost": "cost", "benefit": "savings", "one_off": "one-off savings"}
for what, flow in _FLOWS.items():
    _line(
        f"{what}_profile_to_date",
        NH,
        f"One cohort's {flow} to the end of its year t",
        "share",
        "running total of the profile",
        lambda v, o, what=what: o.cumsum_years(getattr(v, f"{what}_profile")),
        "n4",
    )
    _line(
        f"{what}_weight",
        NH,
        {
            "cost": "Cost falling in the year (cohorts' worth)",
            "benefit": "Savings falling in the year (years' worth)",
            "one_off": "One-off savings falling in the year (cohorts' worth)",
        }[what],
        "share",
        "ramp-up x the first cohort's profile this year + the profile summed over the ages of the "
        "full cohorts since (years 1 to t - 1 less those before the last cohort's start)",
        lambda v, o, what=what: (
            v.ramp_up * getattr(v, f"{what}_profile")
            + o.year_value(getattr(v, f"{what}_profile_to_date"), v.year - 1)
            - o.year_value(getattr(v, f"{what}_profile_to_date"), v.year - v.cohorts_running)
        ),
        "n4",
    )
_line(
    "year_outcomes_averted",
    NH,
    "Outcomes averted",
    "outcomes",
    "a full year's outcomes averted x savings weight",
    lambda v, o: v.outcomes_averted * v.benefit_weight,
    "n2",
)
_line(
    "year_cost",
    NH,
    "Cost",
    "£",
    "a full cohort's cost x cost weight",
    lambda v, o: v.cost * v.cost_weight,
    "money",
    "sum",
)


def _in_year(total: str, one_off: str) -> Formula:
    """A year's share of savings whose one-off part falls once: recurring x savings weight +
    one-off x one-off weight."""
    return lambda v, o: (
        (getattr(v, total) - getattr(v, one_off)) * v.benefit_weight
        + getattr(v, one_off) * v.one_off_weight
    )


for key, label, total, one_off in (
    ("year_gross_savings", "Gross savings", "gross_savings", "one_off_savings"),
    (
        "year_cashable_gross_savings",
        "Cash-releasing (cashable) gross savings",
        "cashable_gross_savings",
        "cashable_one_off_savings",
    ),
    (
        "year_cost_avoidance_savings",
        "Cost avoidance",
        "cost_avoidance_savings",
        "cost_avoidance_one_off_savings",
    ),
    ("year_capacity_savings", "Capacity freed", "capacity_savings", "capacity_one_off_savings"),
):
    _line(
        key,
        NH,
        label,
        "£",
        f"a full year's recurring {label[:1].lower()}{label[1:]} x savings weight + its one-off "
        "part x one-off weight",
        _in_year(total, one_off),
        "money",
        "sum",
    )
_line(
    "year_one_off_savings",
    NH,
    "One-off gross savings",
    "£",
    "one-off savings x one-off weight",
    lambda v, o: v.one_off_savings * v.one_off_weight,
    "money",
    "sum",
)
_line(
    "year_recurring_savings",
    NH,
    "Recurring gross savings",
    "£",
    "recurring savings x savings weight",
    lambda v, o: v.recurring_savings * v.benefit_weight,
    "money",
    "sum",
)
_line(
    "year_cashable_net_savings",
    NH,
    "Cashable net savings",
    "£",
    "pro rata: net x cashable share; strict: cashable gross - cost",
    lambda v, o: o.where(
        o.eq(v.pro_rata, 1),
        (v.year_gross_savings - v.year_cost) * v.cashable_share,
        v.year_cashable_gross_savings - v.year_cost,
    ),
    "money",
    "sum",
)
_line(
    "year_net_savings",
    NH,
    "Net savings",
    "£",
    "gross savings - cost",
    lambda v, o: v.year_gross_savings - v.year_cost,
    "money",
    "formula",
)
_line(
    "year_cumulative_net",
    NH,
    "Cumulative net savings",
    "£",
    "net savings to the end of the year",
    lambda v, o: o.cumsum_years(v.year_net_savings),
    "money",
    "formula",
)
_line(
    "year_discounted_net",
    NH,
    "Discounted net savings",
    "£",
    "net savings x discount factor",
    lambda v, o: v.year_net_savings * v.discount_factor,
    "money",
    "formula",
)
_line(
    "year_cumulative_discounted_net",
    NH,
    "Cumulative discounted net savings",
    "£",
    "discounted net savings to the end of the year",
    lambda v, o: o.cumsum_years(v.year_discounted_net),
    "money",
    "formula",
)
_line(
    "year_paid_back",
    NH,
    "Paid back (1 = yes)",
    "switch",
    "1 once cumulative net savings are at or above 0",
    lambda v, o: o.where(o.ge(v.year_cumulative_net, 0), 1, 0),
    "int",
    "formula",
)
_line(
    "year_paid_back_discounted",
    NH,
    "Paid back after discounting (1 = yes)",
    "switch",
    "1 once cumulative discounted net savings are at or above 0",
    lambda v, o: o.where(o.ge(v.year_cumulative_discounted_net, 0), 1, 0),
    "int",
    "formula",
)
_line(
    "cost_pv_factor",
    N,
    "Present value of a year's cost spread as the cohorts spend it",
    "factor",
    "cost weights x discount factors, summed over the years",
    lambda v, o: o.sumproduct_years(v.cost_weight, v.discount_factor),
    "n4",
)
_line(
    "benefit_pv_factor",
    N,
    "Present value of a year's savings spread as the cohorts save",
    "factor",
    "savings weights x discount factors, summed over the years",
    lambda v, o: o.sumproduct_years(v.benefit_weight, v.discount_factor),
    "n4",
)
_line(
    "one_off_pv_factor",
    N,
    "Present value of a year's one-off savings as the cohorts save them",
    "factor",
    "one-off weights x discount factors, summed over the years",
    lambda v, o: o.sumproduct_years(v.one_off_weight, v.discount_factor),
    "n4",
)
_line(
    "pv_cost",
    N,
    "Present value of cost",
    "£",
    "a year's cost x its present-value factor",
    lambda v, o: v.cost * v.cost_pv_factor,
    "money",
    "sum",
)
_line(
    "pv_gross_savings",
    N,
    "Present value of gross savings",
    "£",
    "a year's recurring savings x their present-value factor + one-off savings x theirs",
    lambda v, o: (
        v.recurring_savings * v.benefit_pv_factor + v.one_off_savings * v.one_off_pv_factor
    ),
    "money",
    "sum",
)
_line(
    "npv",
    N,
    "Net present value",
    "£",
    "present value of gross savings - present value of cost",
    lambda v, o: v.pv_gross_savings - v.pv_cost,
    "money",
    "sum",
)
_line(
    "bcr",
    N,
    "Benefit-cost ratio (present values)",
    "ratio",
    "present value of gross savings / present value of cost",
    lambda v, o: o.ratio(v.pv_gross_savings, v.pv_cost),
    "n2",
    "formula",
    INFINITE,
)
_line(
    "payback_year",
    N,
    "Payback year (cumulative net savings first at or above 0)",
    "year",
    "the first year paid back",
    lambda v, o: o.first_year(v.year_paid_back),
    "int",
    "formula",
    NEVER,
)
_line(
    "discounted_payback_year",
    N,
    "Discounted payback year",
    "year",
    "the first year paid back after discounting",
    lambda v, o: o.first_year(v.year_paid_back_discounted),
    "int",
    "formula",
    NEVER,
)

# ---------------------------------------------------------------------------------------------
# Outcome contracts (docs/outcome-contracts.md): the council pays for the outcomes measured
# against the contract's own baseline, at the rate card's prices, up to a cap over the contract,
# a co-funder paying a share of each payment. The outcomes are the lines above, so in a
# simulation each draw pays for that draw's outcomes.
# ---------------------------------------------------------------------------------------------

_line(
    "contract_deadweight_outcomes",
    N,
    "Outcomes paid for that would have happened anyway (contract baseline - appraisal's)",
    "outcomes",
    "reach x (contract baseline - the effect's baseline risk), where the contract has a "
    "baseline: deadweight in contract form",
    lambda v, o: (
        v.contract_has_baseline * v.reach * (v.contract_baseline - o.first_effect(v.effect_a))
    ),
    "n2",
)
_line(
    "contract_paid_outcomes",
    N,
    "Outcomes the contract pays for a year (measured against its baseline)",
    "outcomes",
    "outcomes averted + those the contract's baseline pays for anyway",
    lambda v, o: v.outcomes_averted + v.contract_deadweight_outcomes,
    "n2",
)
_line(
    "contract_rate_per_outcome",
    N,
    "Outcome payment per outcome paid for (the rate card)",
    "£ per outcome",
    "price per outcome + (price per care day + price per care week / 7) x care days per outcome",
    lambda v, o: (
        v.contract_price_outcome
        + (v.contract_price_day + v.contract_price_week / 7) * v.contract_days_per_outcome
    ),
    "money2",
)
_line(
    "year_contract_in_term",
    NH,
    "Share of the year within the contract's term",
    "share",
    "term - (year - 1), kept within 0..1",
    lambda v, o: o.maximum(0, o.minimum(1, v.contract_term_years - v.year + 1)),
    "n4",
)
_line(
    "year_contract_paid_outcomes",
    NH,
    "Outcomes paid for",
    "outcomes",
    "outcomes paid for a year x savings weight x share of the year in the term",
    lambda v, o: v.contract_paid_outcomes * v.benefit_weight * v.year_contract_in_term,
    "n2",
)
_line(
    "year_contract_paid_days",
    NH,
    "Care days avoided, against the contract's baseline",
    "days",
    "outcomes paid for x care days per outcome",
    lambda v, o: v.year_contract_paid_outcomes * v.contract_days_per_outcome,
    "n1",
)
_line(
    "year_contract_due",
    NH,
    "Outcome payments earned, before the cap",
    "£",
    "outcomes paid for x payment per outcome (0 under a fee)",
    lambda v, o: v.year_contract_paid_outcomes * v.contract_rate_per_outcome * v.contract_on,
    "money",
)
_line(
    "year_contract_uncapped_to_date",
    NH,
    "Outcome payments made to the end of the year, before the cap",
    "£",
    "earned to date - this year's earned x lag / 12: the last lag months are paid the year after",
    lambda v, o: (
        o.cumsum_years(v.year_contract_due) - v.year_contract_due * v.contract_lag_months / 12
    ),
    "money",
)
_line(
    "year_contract_paid_to_date",
    NH,
    "Outcome payments made to the end of the year, capped",
    "£",
    "payments to date, no more than the cap (where there is one)",
    lambda v, o: o.where(
        o.eq(v.contract_has_cap, 1),
        o.minimum(v.year_contract_uncapped_to_date, v.contract_cap),
        v.year_contract_uncapped_to_date,
    ),
    "money",
)
for key, to_date, label in (
    ("year_contract_uncapped", "year_contract_uncapped_to_date", "Outcome payments before the cap"),
    ("year_contract_payments", "year_contract_paid_to_date", "Outcome payments"),
):
    _line(
        key,
        NH,
        label,
        "£",
        "made to the end of the year - made to the end of the year before",
        lambda v, o, to_date=to_date: (
            getattr(v, to_date) - o.year_value(getattr(v, to_date), v.year - 1)
        ),
        "money",
    )
_line(
    "year_contract_top_up",
    NH,
    "Outcome payments the co-funder makes (top-up)",
    "£",
    "outcome payments x the co-funder's share",
    lambda v, o: v.year_contract_payments * v.contract_top_up,
    "money",
)
_line(
    "year_contract_council_payments",
    NH,
    "Outcome payments the council makes",
    "£",
    "outcome payments - the co-funder's top-up",
    lambda v, o: v.year_contract_payments - v.year_contract_top_up,
    "money",
)
for key, fee, label in (
    ("year_contract_fixed_fee", "contract_fixed_fee", "Fixed fee"),
    ("year_contract_own_costs", "contract_own_costs", "Council's own costs of the contract"),
):
    _line(
        key,
        NH,
        label,
        "£",
        "a year's x share of the year in the term (0 under a fee)",
        lambda v, o, fee=fee: getattr(v, fee) * v.year_contract_in_term * v.contract_on,
        "money",
    )
_line(
    "year_contract_council_net",
    NH,
    "Council's net position",
    "£",
    "under an outcome contract: gross savings - its outcome payments - fixed fee - its own "
    "costs; under a fee: net savings (gross savings - cost)",
    lambda v, o: o.where(
        o.eq(v.contract_on, 1),
        v.year_gross_savings
        - v.year_contract_council_payments
        - v.year_contract_fixed_fee
        - v.year_contract_own_costs,
        v.year_net_savings,
    ),
    "money",
)
_line(
    "year_provider_net",
    NH,
    "Provider's (or investors') net position",
    "£",
    "outcome payments + fixed fee - the cost of delivering the service",
    lambda v, o: v.year_contract_payments + v.year_contract_fixed_fee - v.year_cost,
    "money",
)
for key, year_key, label in (
    ("contract_payments", "year_contract_payments", "Outcome payments over the horizon"),
    ("contract_uncapped", "year_contract_uncapped", "Outcome payments over the horizon, uncapped"),
    (
        "contract_council_payments",
        "year_contract_council_payments",
        "Outcome payments the council makes",
    ),
    ("contract_top_up_paid", "year_contract_top_up", "Outcome payments the co-funder makes"),
    ("contract_fixed_fees", "year_contract_fixed_fee", "Fixed fees over the horizon"),
    ("contract_own_costs_total", "year_contract_own_costs", "Council's own contract costs"),
    ("contract_paid_days", "year_contract_paid_days", "Care days paid for over the horizon"),
    (
        "contract_council_net",
        "year_contract_council_net",
        "Council's net position under the contract",
    ),
    ("direct_net", "year_net_savings", "Council's net position under direct delivery (a fee)"),
    ("provider_net", "year_provider_net", "Provider's net position under the contract"),
):
    _line(
        key,
        N,
        label,
        "days" if key == "contract_paid_days" else "£",
        "the sum over the years appraised (undiscounted)",
        lambda v, o, year_key=year_key: o.sum_years(getattr(v, year_key)),
        "n1" if key == "contract_paid_days" else "money",
    )
_line(
    "contract_cap_binds",
    N,
    "The cap binds (1 = yes)",
    "switch",
    "1 where there is a cap and payments before it exceed it",
    lambda v, o: o.where(
        o.and_(o.eq(v.contract_has_cap, 1), o.lt(v.contract_cap, v.contract_uncapped)), 1, 0
    ),
    "int",
)
_line(
    "contract_cap_scale",
    N,
    "Share of the expected outcomes paid for at which the cap binds",
    "fraction",
    'cap / payments before the cap (0 without a cap; "never" when nothing is paid): payments '
    "are in proportion to the outcomes paid for",
    lambda v, o: o.where(
        o.eq(v.contract_has_cap, 1),
        o.ratio(v.contract_cap, v.contract_uncapped, signed=False),
        0,
    ),
    "pct2",
    infinite=NEVER,
)
_line(
    "contract_cap_binds_at_days",
    N,
    "Care days paid for at which the cap binds",
    "days",
    "care days paid for x the share at which the cap binds",
    lambda v, o: v.contract_paid_days * v.contract_cap_scale,
    "n1",
    infinite=NEVER,
)
_line(
    "contract_cap_binds_at_share",
    N,
    "Share in care achieved at which the cap binds (contracts with a baseline)",
    "fraction",
    "contract baseline - the share at which the cap binds x outcomes paid for a year / reach",
    lambda v, o: (
        v.contract_baseline
        - v.contract_cap_scale * o.ratio(v.contract_paid_outcomes, v.reach, signed=False)
    ),
    "pct2",
    infinite=NEVER,
)
