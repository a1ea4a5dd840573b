"""The calculation core: every appraisal formula, once, over numpy arrays.

Arrays are indexed `[..., i]` by intervention (or `[..., c]` by outcome component); any leading
axes are simulation draws or candidate values, so `evaluate`, `simulate`, `sensitivity` and
`verify` all run these same functions. Nothing here reads files or prints.

Division conventions (documented in the README): `ratio(x, 0)` is +inf or -inf by the sign of x
and `ratio(0, 0)` is 0, so zero cost, zero reach or a zero-cost outcome never produce NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import numpy as np

from appraise.engine import timeline

# How an effect was reported (see `effect_per_case`).
SUCCESS_RATE, PER_CASE, TREATED_RISK, RELATIVE_RISK, ODDS_RATIO, COHENS_D_COX, COHENS_D_LOGIT = (
    range(7)
)
RISK_FORMS = (TREATED_RISK, RELATIVE_RISK, ODDS_RATIO, COHENS_D_COX, COHENS_D_LOGIT)
COX_FACTOR = 1.65  # log OR = 1.65 d (Cox transformation; Sanchez-Meca et al., 2003; WSIPP)
LOGIT_FACTOR = math.pi / math.sqrt(
    3
)  # log OR = d pi / sqrt(3) (Hasselblad & Hedges, 1995; Chinn, 2000)


@dataclass(frozen=True)
class CoreInputs:
    """Everything the core needs, as arrays. Leading axes (draws) broadcast against the last one."""

    # per intervention [..., n]
    reach_base: np.ndarray  # eligible | count | to_capacity
    reach_share: np.ndarray  # proportion | 1 | 1
    reach_offset: np.ndarray  # 0 | 0 | from_capacity
    unit_cost: np.ndarray  # pounds per case (0 when a total is given)
    fixed_cost: np.ndarray  # pounds in total (0 when a unit cost is given)
    effect_form: np.ndarray  # int codes, structural [n]
    effect_a: np.ndarray  # success rate | per-case | baseline risk
    effect_b: np.ndarray  # treated risk | relative risk | odds ratio | Cohen's d (else 0)
    optimism_bias: np.ndarray  # haircut for evidence strength (0 unless applied)
    non_uk_haircut: np.ndarray  # haircut for effects established only outside the UK
    outcome_index: np.ndarray  # structural [n]: which outcome each intervention averts
    # outcome components [..., c]: explicit components, then placement and non-placement per derive
    component_cost: np.ndarray  # explicit components only
    derive_weekly_cost: np.ndarray  # [..., d]
    derive_weeks: np.ndarray  # [..., d]
    derive_non_placement_share: np.ndarray  # [..., d]
    component_outcome: np.ndarray  # structural [C]
    component_payer: np.ndarray  # structural [C]
    component_cashable: np.ndarray  # structural [C] bool
    n_outcomes: int
    payers: tuple[str, ...]
    perspective: np.ndarray  # structural [P] bool: payers whose savings count in the headline
    pro_rata: bool  # cashable_method
    # timing [..., n]
    cohorts: np.ndarray
    cost_months: np.ndarray
    benefit_lag_months: np.ndarray
    benefit_years: np.ndarray
    annual_decay: np.ndarray
    ramp_up: np.ndarray
    horizon_years: int
    discount_rate: float

    def with_arrays(self, **arrays: np.ndarray) -> CoreInputs:
        """A copy with some arrays replaced (e.g. by simulation draws)."""
        return replace(self, **arrays)

    @property
    def draw_shape(self) -> tuple[int, ...]:
        """Shape of the leading (draw) axes shared by the uncertain inputs."""
        shapes = [
            getattr(self, f.name).shape[:-1]
            for f in fields(self)
            if isinstance(getattr(self, f.name), np.ndarray) and getattr(self, f.name).ndim > 1
        ]
        return np.broadcast_shapes(*shapes) if shapes else ()


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, defined everywhere: x / 0 is +inf or -inf by the sign of x, and 0 / 0 is 0."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    out = np.empty(np.broadcast_shapes(num.shape, den.shape))
    # A tiny denominator overflowing to inf is the right answer; zero denominators are set below.
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        np.divide(num, den, out=out)
    zero = den == 0
    if zero.any():
        zero = np.broadcast_to(zero, out.shape)
        top = np.broadcast_to(num, out.shape)[zero]
        out[zero] = np.where(top != 0, np.copysign(np.inf, top), 0.0)
    return out


def reach(base: np.ndarray, share: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """Cases a year: eligible x proportion, a count, or to_capacity - from_capacity.

    Never below zero: independent ranges on the two capacities can draw to < from, which would be
    negative places (files are validated so that the central values never do).
    """
    return np.maximum(base * share - offset, 0.0)


def intervention_cost(
    unit_cost: np.ndarray, fixed_cost: np.ndarray, cases: np.ndarray
) -> np.ndarray:
    """A year's cost: unit cost x reach, or the stated total."""
    return unit_cost * cases + fixed_cost


def implied_odds_ratio(form: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The odds ratio an effect stands for: as given, or from Cohen's d (1 for other forms).

    Cohen's d becomes a log odds ratio by the Cox transformation (1.65 d; Sanchez-Meca et al.,
    2003, as used by WSIPP) or the logistic one (d pi / sqrt 3; Hasselblad & Hedges, 1995; Chinn,
    2000).
    """
    factor = np.select(
        [form == COHENS_D_COX, form == COHENS_D_LOGIT], [COX_FACTOR, LOGIT_FACTOR], 0.0
    )
    log_or = factor * np.where(form >= COHENS_D_COX, b, 0.0)
    return np.where(form == ODDS_RATIO, b, np.exp(log_or))


def treated_risk(form: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Probability of the outcome with the intervention, for the risk-based effect forms.

    relative risk: p1 = p0 x RR. Odds ratio (given or from Cohen's d): odds1 = odds0 x OR, so
    p1 = p0 OR / (1 - p0 + p0 OR). For the success-rate and per-case forms it equals `a` (unused).
    """
    odds_ratio = implied_odds_ratio(form, b)
    by_odds = ratio(a * odds_ratio, 1.0 - a + a * odds_ratio)
    # Uncertain inputs can push a drawn relative risk past 1 / p0; a probability stays in 0..1.
    by_rr = np.clip(a * b, 0.0, 1.0)
    return np.select(
        [form == TREATED_RISK, form == RELATIVE_RISK, form >= ODDS_RATIO], [b, by_rr, by_odds], a
    )


def effect_per_case(form: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Outcomes averted per case: the success rate, the per-case figure, or p0 - p1 for risk forms."""
    direct = (form == SUCCESS_RATE) | (form == PER_CASE)
    if np.ndim(form) != 1 or direct.all() or not direct.any():
        return np.where(direct, a, a - treated_risk(form, a, b))
    # Mixed forms: work out treated risks only where an effect is risk-based (a large saving
    # over many simulation draws; element by element the arithmetic is the same).
    shape = np.broadcast_shapes(np.shape(form), np.shape(a), np.shape(b))
    out = np.array(np.broadcast_to(a, shape), dtype=float)
    risky = np.flatnonzero(~direct)
    a_r, b_r = np.asarray(a)[..., risky], np.asarray(b)[..., risky]
    out[..., risky] = a_r - treated_risk(form[risky], a_r, b_r)
    return out


def adjusted_effect(
    effect: np.ndarray, optimism_bias: np.ndarray, non_uk: np.ndarray
) -> np.ndarray:
    """The effect after the evidence-strength and non-UK haircuts."""
    return effect * (1.0 - optimism_bias) * (1.0 - non_uk)


def non_placement_cost(placement: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Non-placement cost from placement cost when non-placement is `share` of the total."""
    return placement * ratio(share, 1.0 - share)


def component_costs(inp: CoreInputs) -> np.ndarray:
    """Cost of every outcome component [..., C]: explicit ones, then placement, then non-placement.

    Thurrock (APHR 2017): placement = weeks x weekly cost; non-placement makes up `share` of the total.
    """
    placement = inp.derive_weekly_cost * inp.derive_weeks
    non_placement = non_placement_cost(placement, inp.derive_non_placement_share)
    parts = (np.asarray(inp.component_cost, dtype=float), placement, non_placement)
    lead = np.broadcast_shapes(*(p.shape[:-1] for p in parts))
    return np.concatenate([np.broadcast_to(p, lead + p.shape[-1:]) for p in parts], axis=-1)


def outcome_cost_by_payer(inp: CoreInputs, costs: np.ndarray, cashable_only: bool) -> np.ndarray:
    """Cost of one of each outcome [..., O, P] split by payer (optionally the cashable part only)."""
    n_payers = len(inp.payers)
    cells = inp.component_outcome * n_payers + inp.component_payer
    onehot = np.zeros((cells.size, inp.n_outcomes * n_payers))  # [C, O x P]
    onehot[np.arange(cells.size), cells] = 1.0
    weights = costs * inp.component_cashable if cashable_only else costs
    by_cell = weights @ onehot
    return by_cell.reshape(by_cell.shape[:-1] + (inp.n_outcomes, n_payers))


def pick(by_outcome: np.ndarray, outcome_index: np.ndarray) -> np.ndarray:
    """[..., O] -> [..., n]: each intervention's outcome, as a row-major array."""
    return np.ascontiguousarray(np.take(by_outcome, outcome_index, axis=-1))


def snapshot(
    inp: CoreInputs, detail: bool = True, money_only: bool = False
) -> dict[str, np.ndarray]:
    """One year of service: cost, outcomes averted, savings, net, cashable, ROI and break-even.

    With `detail`, also savings by payer and by component (not needed for Monte Carlo). With
    `money_only`, just cost, gross_savings and net_savings: what a simulation summarises.
    """
    cases = reach(inp.reach_base, inp.reach_share, inp.reach_offset)
    cost = intervention_cost(inp.unit_cost, inp.fixed_cost, cases)
    effect_raw = effect_per_case(inp.effect_form, inp.effect_a, inp.effect_b)
    effect = adjusted_effect(effect_raw, inp.optimism_bias, inp.non_uk_haircut)
    averted = cases * effect

    costs = component_costs(inp)
    outcome_by_payer = outcome_cost_by_payer(inp, costs, cashable_only=False)  # [..., O, P]
    headline = inp.perspective.astype(float)
    # One outcome in the headline perspective, priced per outcome and then picked per intervention
    # (cheaper than picking first when draws x interventions is large). Row-major like the other
    # lines, so that sums over interventions add in the same order.
    unit = pick(outcome_by_payer @ headline, inp.outcome_index)
    gross = averted * unit
    net = gross - cost
    if money_only:
        return {"cost": cost, "gross_savings": gross, "net_savings": net}

    by_payer = np.ascontiguousarray(outcome_by_payer[..., inp.outcome_index, :])
    cash_unit = pick(
        outcome_cost_by_payer(inp, costs, cashable_only=True) @ headline, inp.outcome_index
    )
    cashable_gross = averted * cash_unit
    strict = cashable_gross - cost
    # Thurrock's convention: net x the cashable share of what one outcome costs (= cashable gross /
    # gross whenever gross is not zero, and still defined when it is).
    pro_rata = net * ratio(cash_unit, unit)
    break_even = ratio(cost, unit)
    out = {
        "reach": cases,
        "cost": cost,
        "effect_raw": effect_raw,
        "effect_adjusted": effect,
        "treated_risk": treated_risk(inp.effect_form, inp.effect_a, inp.effect_b),
        "outcomes_averted": averted,
        "outcome_cost": unit,
        "cashable_outcome_cost": cash_unit,
        "gross_savings": gross,
        "net_savings": net,
        "cashable_gross_savings": cashable_gross,
        "cashable_net_savings_strict": strict,
        "cashable_net_savings_pro_rata": pro_rata,
        "cashable_net_savings": pro_rata if inp.pro_rata else strict,
        "roi": ratio(gross, cost),
        "break_even_outcomes": break_even,
        "break_even_success_rate": ratio(break_even, cases),
        "cases_per_success_at_break_even": ratio(cases, break_even),
        "safety_margin": ratio(averted, break_even),
    }
    if detail:
        savings_by_payer = averted[..., None] * by_payer
        out["savings_by_payer"] = savings_by_payer
        csc = (
            inp.payers.index("childrens_social_care")
            if "childrens_social_care" in inp.payers
            else None
        )
        csc_savings = savings_by_payer[..., csc] if csc is not None else np.zeros_like(cost)
        out["net_savings_childrens_social_care"] = csc_savings - cost
        out["net_savings_public_sector"] = savings_by_payer.sum(axis=-1) - cost
        mine = inp.component_outcome[None, :] == inp.outcome_index[:, None]  # [n, C]
        out["savings_by_component"] = averted[..., None] * costs[..., None, :] * mine
    return out


def multi_year(
    inp: CoreInputs, snap: dict[str, np.ndarray], detail: bool = True, money_only: bool = False
) -> dict[str, np.ndarray]:
    """Cash flows over the horizon, present values, NPV, BCR and payback (HM Treasury Green Book).

    A year's cost is the snapshot cost times the share of cohort spending falling in it; a year's
    savings are the snapshot savings times the (persisting, decaying) benefit weight falling in it.
    Year 1 is undiscounted; year t is divided by (1 + r)^(t - 1). With `money_only`, just the
    present values and NPV.
    """
    cost_w, benefit_w = timeline.weights(
        cohorts=inp.cohorts,
        cost_months=inp.cost_months,
        benefit_lag_months=inp.benefit_lag_months,
        benefit_years=inp.benefit_years,
        annual_decay=inp.annual_decay,
        ramp_up=inp.ramp_up,
        horizon_years=inp.horizon_years,
    )
    factors = discount_factors(inp.horizon_years, inp.discount_rate)
    pv_cost = snap["cost"] * (cost_w @ factors)
    pv_gross = snap["gross_savings"] * (benefit_w @ factors)
    out = {"pv_cost": pv_cost, "pv_gross_savings": pv_gross, "npv": pv_gross - pv_cost}
    if money_only:
        return out
    out["bcr"] = ratio(pv_gross, pv_cost)
    if detail:
        out["year_outcomes_averted"] = snap["outcomes_averted"][..., None] * benefit_w
        out.update(
            yearly(
                snap["cost"][..., None] * cost_w,
                snap["gross_savings"][..., None] * benefit_w,
                snap["cashable_gross_savings"][..., None] * benefit_w,
                ratio(snap["cashable_outcome_cost"], snap["outcome_cost"])[..., None],
                inp.pro_rata,
                factors,
            )
        )
    return out


def discount_factors(horizon_years: int, rate: float) -> np.ndarray:
    """[H] factors 1, 1/(1+r), 1/(1+r)^2, ... (year 1 undiscounted)."""
    return (1.0 + rate) ** -np.arange(horizon_years, dtype=float)


def yearly(
    cost: np.ndarray,
    gross: np.ndarray,
    cashable_gross: np.ndarray,
    cashable_share: np.ndarray,
    pro_rata: bool,
    factors: np.ndarray,
) -> dict[str, np.ndarray]:
    """Year-by-year lines [..., H] from cost and savings flows, with cumulative and payback figures."""
    flows = {
        "year_cost": cost,
        "year_gross_savings": gross,
        "year_cashable_net_savings": (
            (gross - cost) * cashable_share if pro_rata else cashable_gross - cost
        ),
    }
    return {**flows, **cumulate(cost, gross, factors)}


def cumulate(cost: np.ndarray, gross: np.ndarray, factors: np.ndarray) -> dict[str, np.ndarray]:
    """Net, discounted and cumulative lines [..., H] and the payback years they imply."""
    net = gross - cost
    discounted = net * factors
    cumulative = np.cumsum(net, axis=-1)
    cumulative_discounted = np.cumsum(discounted, axis=-1)
    return {
        "year_net_savings": net,
        "year_cumulative_net": cumulative,
        "year_discount_factor": np.broadcast_to(factors, net.shape),
        "year_discounted_net": discounted,
        "year_cumulative_discounted_net": cumulative_discounted,
        "payback_year": first_year_at_or_above_zero(cumulative),
        "discounted_payback_year": first_year_at_or_above_zero(cumulative_discounted),
    }


def first_year_at_or_above_zero(cumulative: np.ndarray) -> np.ndarray:
    """1-based first year whose cumulative figure is >= 0; 0 where it never is (output as null)."""
    reached = cumulative >= 0
    return np.where(reached.any(axis=-1), reached.argmax(axis=-1) + 1, 0)


YEAR_FLOWS = ("year_cost", "year_gross_savings", "year_cashable_net_savings")
# Outcomes averted in each year [..., H]: the number of (e.g.) LAC-years not spent in care that
# year, as the baseline forecast needs them. Summed per outcome for the portfolio.
PORTFOLIO_SUMS = (
    "cost",
    "gross_savings",
    "net_savings",
    "cashable_gross_savings",
    "cashable_net_savings",
    "cashable_net_savings_strict",
    "cashable_net_savings_pro_rata",
    "net_savings_childrens_social_care",
    "net_savings_public_sector",
    "pv_cost",
    "pv_gross_savings",
    "npv",
)


def portfolio_totals(inp: CoreInputs, res: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Portfolio figures: money sums over interventions, ratios and payback recomputed on the sums."""
    tot = {k: res[k].sum(axis=-1) for k in PORTFOLIO_SUMS if k in res}
    tot["roi"] = ratio(tot["gross_savings"], tot["cost"])
    if "pv_cost" in tot:
        tot["bcr"] = ratio(tot["pv_gross_savings"], tot["pv_cost"])
    if "savings_by_payer" in res:
        tot["savings_by_payer"] = res["savings_by_payer"].sum(axis=-2)
    if "outcomes_averted" in res:
        onehot = np.arange(inp.n_outcomes)[:, None] == inp.outcome_index[None, :]  # [O, n]
        tot["outcomes_averted_by_outcome"] = res["outcomes_averted"] @ onehot.T.astype(float)
    if "year_cost" in res:
        flows = {k: res[k].sum(axis=-2) for k in YEAR_FLOWS}
        factors = discount_factors(inp.horizon_years, inp.discount_rate)
        tot.update(flows)
        tot.update(cumulate(flows["year_cost"], flows["year_gross_savings"], factors))
        onehot = np.arange(inp.n_outcomes)[:, None] == inp.outcome_index[None, :]  # [O, n]
        tot["year_outcomes_averted_by_outcome"] = np.einsum(
            "on,...nh->...oh", onehot.astype(float), res["year_outcomes_averted"]
        )
    return tot


def appraise(
    inp: CoreInputs, detail: bool = True, money_only: bool = False
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Run the whole appraisal: per-intervention results and portfolio totals.

    `money_only` keeps just the money lines (cost, gross and net savings, present values, NPV and
    their totals): the same formulas, the others skipped, for Monte Carlo.
    """
    res = snapshot(inp, detail=detail and not money_only, money_only=money_only)
    res.update(multi_year(inp, res, detail=detail and not money_only, money_only=money_only))
    return res, portfolio_totals(inp, res)
