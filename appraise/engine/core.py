"""The calculation core: a portfolio's inputs as arrays, run through the line definitions.

Arrays are indexed `[..., i]` by intervention (or by outcome, component, year); any leading axes
are simulation draws or candidate values, so `evaluate`, `simulate`, `sensitivity` and `verify`
all run the same formulas (`appraise.engine.lines`). Nothing here reads files or prints.

Division conventions (documented in the README): `ratio(x, 0)` is +inf or -inf by the sign of x
and `ratio(0, 0)` is 0, so zero cost, zero reach or a zero-cost outcome never produce NaN.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from appraise.engine import evaluate
from appraise.engine.evaluate import Structure
from appraise.engine.lines import (  # noqa: F401  (the effect-form codes, for callers)
    COHENS_D_COX,
    COHENS_D_LOGIT,
    COX_FACTOR,
    EFFECT_FORM_NAMES,
    LINES,
    LOGIT_FACTOR,
    ODDS_RATIO,
    PER_CASE,
    RELATIVE_RISK,
    RISK_FORMS,
    SUCCESS_RATE,
    TREATED_RISK,
)
from appraise.engine.ops import ratio  # noqa: F401  (the division convention, for callers)

# What a year of service and its cash flows give, per intervention.
SNAPSHOT = (
    "reach",
    "cases_costed",
    "cost",
    "cost_per_case",
    "additionality",
    "effect_rate_raw",
    "effect_rate",
    "effect_treated_risk",
    "effect_odds_ratio",
    "effect_outcomes_averted",
    "effect_outcome_cost",
    "effect_gross_savings",
    "effect_break_even_outcomes",
    "effect_break_even_success_rate",
    "net_savings_per_case",
    "break_even_effect_share",
    "effect_raw",
    "effect_adjusted",
    "odds_ratio",
    "treated_risk",
    "optimism_bias",
    "non_uk_haircut",
    "outcomes_averted",
    "outcome_cost",
    "cashable_outcome_cost",
    "outcome_cost_csc",
    "outcome_cost_all",
    "gross_savings",
    "net_savings",
    "cashable_gross_savings",
    "cost_avoidance_savings",
    "capacity_savings",
    "one_off_savings",
    "recurring_savings",
    "cashable_share",
    "cashable_net_savings_strict",
    "cashable_net_savings_pro_rata",
    "cashable_net_savings",
    "net_savings_childrens_social_care",
    "net_savings_public_sector",
    "roi",
    "break_even_outcomes",
    "break_even_success_rate",
    "cases_per_success_at_break_even",
    "safety_margin",
)
MULTI_YEAR = (
    "pv_cost",
    "pv_gross_savings",
    "npv",
    "bcr",
    "payback_year",
    "discounted_payback_year",
)
YEAR_LINES = (
    "year_cost",
    "year_gross_savings",
    "year_cashable_gross_savings",
    "year_cost_avoidance_savings",
    "year_capacity_savings",
    "year_one_off_savings",
    "year_recurring_savings",
    "year_net_savings",
    "year_cashable_net_savings",
    "year_cumulative_net",
    "discount_factor",
    "year_discounted_net",
    "year_cumulative_discounted_net",
    "year_outcomes_averted",
)
# An outcome contract's figures (appraise.model.contract; docs/outcome-contracts.md).
CONTRACT = (
    "contract_deadweight_outcomes",
    "contract_paid_outcomes",
    "contract_rate_per_outcome",
    "contract_payments",
    "contract_uncapped",
    "contract_council_payments",
    "contract_top_up_paid",
    "contract_fixed_fees",
    "contract_own_costs_total",
    "contract_paid_days",
    "contract_council_net",
    "direct_net",
    "provider_net",
    "contract_cap_binds",
    "contract_cap_scale",
    "contract_cap_binds_at_days",
    "contract_cap_binds_at_share",
)
CONTRACT_YEARS = (
    "year_contract_paid_days",
    "year_contract_uncapped",
    "year_contract_payments",
    "year_contract_council_payments",
    "year_contract_top_up",
    "year_contract_fixed_fee",
    "year_contract_own_costs",
    "year_contract_council_net",
    "year_provider_net",
)
MONEY_ONLY = ("cost", "gross_savings", "net_savings", "pv_cost", "pv_gross_savings", "npv")
# Portfolio figures that add up over interventions (the lines whose `total` is "sum").
PORTFOLIO_SUMS = tuple(k for k in (*SNAPSHOT, *MULTI_YEAR) if LINES[k].total == "sum")


@dataclass(frozen=True)
class CoreInputs:
    """Everything the core needs: input arrays by line key, and the portfolio's structure.

    Leading axes of an array (draws) broadcast against its line's own axes.
    """

    values: dict[str, np.ndarray]
    structure: Structure
    payers: tuple[str, ...]
    component_payer: np.ndarray  # [C] index into `payers`

    def with_arrays(self, **arrays: np.ndarray) -> CoreInputs:
        """A copy with some input arrays replaced (e.g. by simulation draws)."""
        return replace(self, values={**self.values, **arrays})

    def with_horizon(self, horizon: int) -> CoreInputs:
        """The same inputs appraised over another number of years."""
        values = {**self.values, "year": np.arange(1.0, horizon + 1)}
        return replace(self, values=values, structure=replace(self.structure, horizon=horizon))

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("values")
        if values is not None and name in values:
            return values[name]
        raise AttributeError(name)

    @property
    def horizon_years(self) -> int:
        return self.structure.horizon

    @property
    def outcome_index(self) -> np.ndarray:
        return self.structure.outcome_index

    @property
    def component_outcome(self) -> np.ndarray:
        return self.structure.component_outcome

    @property
    def n_outcomes(self) -> int:
        return self.structure.n_outcomes

    @property
    def draw_shape(self) -> tuple[int, ...]:
        """Shape of the leading (draw) axes shared by the uncertain inputs."""
        shapes = [
            array.shape[: array.ndim - len(LINES[key].level)]
            for key, array in self.values.items()
            if array.ndim > len(LINES[key].level)
        ]
        return np.broadcast_shapes(*shapes) if shapes else ()


def outcome_cost_by_payer(inp: CoreInputs, costs: np.ndarray) -> np.ndarray:
    """Cost of one of each outcome [..., O, P] split by payer."""
    n_payers = len(inp.payers)
    cells = inp.component_outcome * n_payers + inp.component_payer
    onehot = np.zeros((cells.size, inp.n_outcomes * n_payers))  # [C, O x P]
    onehot[np.arange(cells.size), cells] = 1.0
    by_cell = costs @ onehot
    return by_cell.reshape(by_cell.shape[:-1] + (inp.n_outcomes, n_payers))


def effect_outcomes(inp: CoreInputs) -> np.ndarray:
    """[n, F] the outcome each effect of each intervention averts."""
    found = inp.structure.effect_outcome
    return inp.outcome_index[:, None] if found is None else found


def _breakdowns(inp: CoreInputs, per: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each intervention's savings by payer [..., n, P] and by component [..., n, C], summed
    over its effects."""
    costs = per["component_cost"]
    outcome = effect_outcomes(inp)  # [n, F]
    by_payer = outcome_cost_by_payer(inp, costs)[..., outcome, :]  # [..., n, F, P]
    averted = per["effect_outcomes_averted"]  # [..., n, F]
    mine = inp.component_outcome[None, None, :] == outcome[:, :, None]  # [n, F, C]
    return {
        "savings_by_payer": (averted[..., None] * by_payer).sum(axis=-2),
        "savings_by_component": (averted[..., None] * costs[..., None, None, :] * mine).sum(
            axis=-2
        ),
    }


def outcome_sums(inp: CoreInputs, effect_values: np.ndarray) -> np.ndarray:
    """Per-effect values [..., n, F] summed for each outcome [..., O] over every intervention."""
    outcome = effect_outcomes(inp)
    onehot = (np.arange(inp.n_outcomes)[:, None, None] == outcome[None, :, :]).astype(float)
    # einsum's order of adding follows the operands' layout: one layout, the same sums.
    return np.einsum("...nf,onf->...o", np.ascontiguousarray(effect_values), onehot)


def year_by_outcome(inp: CoreInputs, per: Mapping[str, np.ndarray]) -> np.ndarray:
    """Outcomes averted in each year, by outcome [..., O, H]: each effect's a year's worth x its
    intervention's savings weight."""
    outcome = effect_outcomes(inp)
    onehot = (np.arange(inp.n_outcomes)[:, None, None] == outcome[None, :, :]).astype(float)
    averted, weight = (
        np.ascontiguousarray(per[k]) for k in ("effect_outcomes_averted", "benefit_weight")
    )
    return np.einsum("...nf,...nh,onf->...oh", averted, weight, onehot)  # as `outcome_sums`


def snapshot(inp: CoreInputs) -> dict[str, np.ndarray]:
    """One year of service per intervention: cost, outcomes averted, savings, ratios, break-even."""
    values = evaluate.run(inp.values, inp.structure, SNAPSHOT)
    return {k: values[k] for k in SNAPSHOT}


def settled(
    inp: CoreInputs, varying: tuple[str, ...], wanted: tuple[str, ...] = MONEY_ONLY
) -> CoreInputs:
    """`inp` with the lines the figures `wanted` need that read none of the inputs `varying`
    worked out ahead (`evaluate.constant`). A simulation runs the core chunk after chunk over
    draws of `varying`: these lines would come out the same in every chunk."""
    lines = tuple(k for k in wanted if k in LINES)
    with np.errstate(over="ignore", invalid="ignore"):  # as in `appraise`
        fixed = evaluate.constant(inp.values, inp.structure, lines, varying)
    return inp.with_arrays(**fixed)


def appraise(
    inp: CoreInputs,
    detail: bool = True,
    money_only: bool = False,
    wanted: tuple[str, ...] | None = None,
    totals_of: tuple[str, ...] | None = None,
    lean: bool = False,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Run the whole appraisal: per-intervention results and portfolio totals.

    `money_only` keeps just the money lines (cost, gross and net savings, present values, NPV and
    their totals): the same formulas, the others skipped, for Monte Carlo. `detail` adds the
    savings by payer and by component. `wanted` names the only figures needed (lines, or the
    breakdowns): the rest are skipped, which is what makes back-solving quick. `totals_of` names
    the only portfolio totals wanted (None: every line's), as a simulation summarises but a few.
    `lean` returns only the lines `wanted` names (and what their totals are worked out from),
    letting the others go as soon as they are used (`evaluate.run`'s `keep`).
    """
    if wanted is None:
        wanted = (
            MONEY_ONLY
            if money_only
            else (*SNAPSHOT, *MULTI_YEAR, *YEAR_LINES, *CONTRACT, *CONTRACT_YEARS)
        )
        breakdowns = detail and not money_only
        by_outcome = not money_only
    else:
        breakdowns = bool({"savings_by_payer", "savings_by_component"} & set(wanted))
        by_outcome = bool(
            {"outcomes_averted_by_outcome", "year_outcomes_averted_by_outcome"} & set(wanted)
        )
        wanted = tuple(k for k in wanted if k in LINES)
        if breakdowns or by_outcome:
            wanted += ("outcomes_averted", "year_outcomes_averted", "component_cost")
    if breakdowns or by_outcome:
        wanted += ("effect_outcomes_averted", "benefit_weight")
    # An overflow shows as inf or NaN, which `results.check_finite` refuses with the inputs named.
    with np.errstate(over="ignore", invalid="ignore"):
        keep = evaluate.totals_needed(frozenset(wanted)) if lean else None
        values = evaluate.run(inp.values, inp.structure, wanted, keep=keep)
        per = {k: values[k] for k in values if k in LINES and not LINES[k].is_input}
        if breakdowns:
            per.update(_breakdowns(inp, per))
    summed = evaluate.totals(per, inp.structure, totals_of)
    totals: dict[str, np.ndarray] = {}
    for key, array in summed.items():
        level = LINES[key].level
        totals[key] = (
            np.squeeze(array, axis=evaluate._n_axis(LINES[key])) if "n" in level else array
        )
    if by_outcome:
        totals["outcomes_averted_by_outcome"] = outcome_sums(inp, per["effect_outcomes_averted"])
        totals["year_outcomes_averted_by_outcome"] = year_by_outcome(inp, per)
    if breakdowns:
        totals["savings_by_payer"] = per["savings_by_payer"].sum(axis=-2)
    # Payback years count from 1; 0 means never within the horizon.
    for key in ("payback_year", "discounted_payback_year"):
        for source in (per, totals):
            if key in source:
                source[key] = source[key].astype(int)
    return per, totals
