"""The parameter registry: a validated portfolio turned into core arrays plus a list of its inputs.

`build` resolves the portfolio's prices once (price years and indices, the placement table, the
ends of each change of placement), then walks its declared inputs kind by kind, one small
function each: the portfolio's settings, each intervention's reach, cost, effects, additionality
and timing, then the outcomes' components, derivations, placement prices and changes. Each input
becomes a `Param` (`appraise.engine.registry`) with a stable key, its field path, the label, unit
and domain its schema field declares, and its provenance: its own, else the fallback this module
gives it (a library price is cited to its database row; a default to its declaration; an effect
to the intervention's `effect_sources`), else "not stated".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from appraise.engine import core
from appraise.engine.registry import (
    DEFAULTS,
    DERIVE_FIELDS,
    DERIVE_TARGET,
    EFFECT_CODES,
    EFFECT_TERMS,
    PROB,
    SETTINGS,
    TIMING_FIELDS,
    Model,
    Param,
    add_whole_outcomes,
    declared,
    effect_code,
    effect_sources,
    field_info,
    is_whole_outcome,
    whole_outcome_key,
)
from appraise.engine.walk import (
    PLANS,
    Entry,
    Prices,
    Put,
    Walk,
    core_inputs,
    entry,
    price_inputs,
    standing,
)
from appraise.model.contract import METRICS
from appraise.model.costs import cost_item
from appraise.model.discounting import GREEN_BOOK, Schedule, first_rate, year_rates
from appraise.model.provenance import CITED, Provenance, cited, provenance_of
from appraise.model.ratings import rating
from appraise.model.savings import DERIVED_NON_PLACEMENT, DERIVED_PLACEMENT
from appraise.model.schema import CHILDRENS_SOCIAL_CARE, RATINGS, Evidence, Intervention, Portfolio

__all__ = [
    "DEFAULTS",
    "EFFECT_CODES",
    "SETTINGS",
    "Model",
    "Param",
    "build",
    "effect_code",
    "effect_sources",
    "field_info",
    "is_whole_outcome",
    "standing",
    "whole_outcome_key",
]

# An intervention's contract: every intervention has one of each (a fee, paying no outcomes, unless
# its file gives a contract), so the lines run over the whole portfolio alike.
CONTRACT_ARRAYS = (
    "contract_on",
    "contract_baseline",
    "contract_has_baseline",
    *(target for target, _ in METRICS.values()),
    "contract_days_per_outcome",
    "contract_cap",
    "contract_has_cap",
    "contract_fixed_fee",
    "contract_own_costs",
    "contract_lag_months",
    "contract_top_up",
    "contract_term_years",
)

# Every intervention has one of each (zero unless set), so each can be ranged, swept or solved.
INTERVENTION_ARRAYS = (
    "reach_base",
    "reach_share",
    "reach_offset",
    "unit_cost",
    "fixed_cost",
    "non_uk",
    "cost_months",
    "benefit_lag_months",
    "benefit_years",
    "annual_decay",
    "ramp_up",
    "deadweight",
    "displacement",
    "non_staff",
    *CONTRACT_ARRAYS,
)
ADDITIONALITY_FIELDS = ("deadweight", "attribution", "displacement")
STAFF_FIELDS = (("fte", "staff_fte"), ("salary", "staff_salary"), ("on_costs", "staff_on_costs"))


def build(portfolio: Portfolio, evidence: Mapping[str, Evidence]) -> Model:
    """Turn a validated portfolio into core arrays (central values) and its parameter registry."""
    walk = Walk(portfolio, evidence, Prices.of(portfolio))
    _portfolio_inputs(walk)
    _intervention_arrays(walk)
    for i, item in enumerate(portfolio.interventions):
        _intervention(walk, i, item)
    _components(walk)
    derived = _derivations(walk)
    _placements(walk)
    _changes(walk)
    price_names = price_inputs(walk, derived)
    model = Model(
        portfolio,
        dict(evidence),
        core_inputs(walk, derived),
        walk.params,
        walk.components,
        walk.effect_sources,
        prices=walk.prices.table,
        bookings=walk.bookings,
        names={
            "rating": RATINGS,
            "change_from": tuple(walk.prices.names),
            "change_to": tuple(walk.prices.names),
            **price_names,
        },
    )
    add_whole_outcomes(model)
    model.know_params_of(walk.by_intervention)
    return model


# ---------------------------------------------------------------------------------------------
# The portfolio's own inputs
# ---------------------------------------------------------------------------------------------


def _schedule_basis(portfolio: Portfolio, key: str, info: Any) -> Provenance | None:
    """The Green Book's schedule is cited as the flat rate is; a schedule the file writes out
    states nothing of its own."""
    rate = portfolio.discount_rate
    if key == "discount_rate" and isinstance(rate, Schedule) and rate.name == GREEN_BOOK:
        return info.basis
    return None


def _portfolio_inputs(walk: Walk) -> None:
    """The discount rate, the non-UK haircut, the optimism-bias table and the switches."""
    portfolio, values = walk.portfolio, walk.values
    written = portfolio.model_fields_set
    for key, target in (
        ("discount_rate", "discount_rate"),
        ("non_uk_evidence_haircut", "non_uk_rate"),
    ):
        info = declared(key)
        # A schedule's parameter is its first rate: setting it (a claim, a sweep) sets a flat rate.
        value = (
            first_rate(portfolio.discount_rate)
            if key == "discount_rate"
            else getattr(portfolio, key)
        )
        sources = ("green-book-2022",) if key == "discount_rate" else (DEFAULTS,)
        is_written, own = standing(
            value, info, key in written, _schedule_basis(portfolio, key, info)
        )
        walk.add(
            Param(
                key,
                key,
                info.label,
                info.unit,
                "portfolio",
                "portfolio",
                value,
                target,
                None,
                info.domain,
                sources,
                own,
                is_written,
            )
        )
    values["discount_rate"] = year_rates(portfolio.discount_rate, portfolio.horizon_years)
    values["optimism_bias_table"] = np.zeros(len(RATINGS))
    for r, code in enumerate(RATINGS):
        key = f"optimism_bias.{code}"
        value = portfolio.optimism_bias_table[code]
        walk.add(
            Param(
                key,
                key,
                f"Optimism-bias haircut for evidence rating {code}",
                "fraction",
                "portfolio",
                "portfolio",
                value,
                "optimism_bias_table",
                r,
                PROB,
                (DEFAULTS,),
                provenance_of(value) or rating(code).haircut_basis,
                provenance_of(value) != rating(code).haircut_basis,
            )
        )
    values["apply_optimism_bias"] = np.asarray(float(portfolio.apply_optimism_bias))
    values["pro_rata"] = np.asarray(float(portfolio.cashable_method == "pro_rata"))
    values["public_sector"] = np.asarray(float(portfolio.perspective == "public_sector"))
    values["cox"] = np.asarray(core.COX_FACTOR)
    values["logit"] = np.asarray(core.LOGIT_FACTOR)
    values["year"] = np.arange(1.0, portfolio.horizon_years + 1)


# ---------------------------------------------------------------------------------------------
# Interventions
# ---------------------------------------------------------------------------------------------


def _intervention_arrays(walk: Walk) -> None:
    """Each intervention's arrays at their unset values, sized for the whole portfolio."""
    items = walk.portfolio.interventions
    n, k_max = len(items), max(len(item.effect_list) for item in items)
    values = walk.values
    values.update({name: np.zeros(n) for name in INTERVENTION_ARRAYS})
    values["attribution"] = np.ones(n)
    values["reach_per_case"] = np.ones(n)
    for name in ("effect_a", "effect_b", "effect_used", "effect_form"):
        values[name] = np.zeros((n, k_max))
    values["effect_count"] = np.array([float(len(item.effect_list)) for item in items])
    values["rating"] = np.array([float(RATINGS.index(item.evidence.rating)) for item in items])
    values["cohorts"] = np.array([float(item.timing.cohorts) for item in items])
    n_staff = sum(len(item.unit_cost.staff or ()) for item in items)
    for _, target in STAFF_FIELDS:
        values[target] = np.zeros(n_staff)
    values["effect_outcome"] = np.zeros((n, k_max))


def _intervention(walk: Walk, i: int, item: Intervention) -> None:
    put = Put(walk, i, item)
    _reach(walk, put)
    _unit_cost(walk, put)
    _effects(walk, put)
    _additionality(put)
    _timing(put)
    _contract(walk, put)


def _reach(walk: Walk, put: Put) -> None:
    """Eligible x proportion, a count, or the places added; and reach units per costed case."""
    r, i = put.item.reach, put.i
    if r.form == "eligible":
        put("reach", "eligible", r.eligible, "reach_base")
        put("reach", "proportion", r.proportion, "reach_share")
    elif r.form == "count":
        put("reach", "count", r.count, "reach_base")
        walk.values["reach_share"][i] = 1.0
    else:
        put("reach", "to_capacity", r.to_capacity, "reach_base")
        put("reach", "from_capacity", r.from_capacity, "reach_offset")
        walk.values["reach_share"][i] = 1.0
    given = r.per_case is not None
    put("reach", "per_case", r.per_case if given else 1.0, "reach_per_case", written=given)


def _unit_cost(walk: Walk, put: Put) -> None:
    """A cost per case, a total, or staff lines and a non-staff cost."""
    cost, i = put.item.unit_cost, put.i
    if cost.form == "per_case":
        put("unit_cost", "amount", cost.amount, "unit_cost")
    elif cost.form == "total":
        put("unit_cost", "total", cost.total, "fixed_cost")
    for s, line in enumerate(cost.staff or ()):
        g = len(walk.staff_owner)
        walk.staff_owner.append(i)
        for name, target in STAFF_FIELDS:
            label = field_info(f"staff.{name}")[0]
            put(
                "unit_cost",
                f"staff[{s}].{name}",
                getattr(line, name),
                target,
                index=g,
                label=f"{line.role}: {label[0].lower()}{label[1:]}",
                info=f"staff.{name}",
            )
    if cost.non_staff is not None:
        put("unit_cost", "non_staff", cost.non_staff, "non_staff")


def _effects(walk: Walk, put: Put) -> None:
    """Each effect's terms in the form reported, the sources that establish it, and whether
    they are all from outside the UK."""
    item, i, values = put.item, put.i, walk.values
    # A citation for these figures, if the file names one.
    stated = tuple(item.evidence.effect_sources or ()) or None
    effects = item.effect_list
    several = len(effects) > 1
    for k, (averts, e, path) in enumerate(effects):
        values["effect_form"][i, k] = effect_code(e)
        values["effect_outcome"][i, k] = walk.outcome_at[averts]
        values["effect_used"][i, k] = 1.0
        # The same for every intervention that shares the effect (made once per text) and
        # states the same sources for it: worked out once (`Plans`).
        detail = (path, averts if several else None, stated)
        terms = PLANS.get(e, detail, _effect_terms, e, averts, path, stated, several)
        put.entries(terms, (i, k))
    found_by, abroad = walk.established_by(item)
    walk.effect_sources.append(found_by)
    if abroad:
        values["non_uk"][i] = 1.0


def _effect_terms(
    e: Any, averts: str, path: str, stated: tuple[str, ...] | None, several: bool
) -> tuple[Entry, ...]:
    """The inputs of effect `e` (at `path`, averting `averts`) in the form reported; cited to
    the sources `stated` for the effect, where its figures carry no provenance of their own."""
    fallback = Provenance(CITED, stated) if stated else None
    found = []
    for name, target in zip(EFFECT_TERMS[e.form], ("effect_a", "effect_b"), strict=True):
        if not name:
            continue
        info = declared(f"effect.{name}")
        label = info.label
        found.append(
            entry(
                f"{'effect' if path == 'effect' else path}.{name}",
                info,
                getattr(e, name),
                target,
                True,
                fallback,
                f"{averts}: {label[0].lower()}{label[1:]}" if several else label,
            )
        )
    return tuple(found)


def _additionality(put: Put) -> None:
    """Deadweight, attribution and displacement: the file's, else none taken off."""
    adds = put.item.adds
    given = adds.model_fields_set if put.item.additionality is not None else set()
    put.each("additionality", adds, ADDITIONALITY_FIELDS, given)


def _timing(put: Put) -> None:
    """When a cohort's costs fall and its savings run: the file's, else the defaults."""
    timing = put.item.timing
    put.each("timing", timing, TIMING_FIELDS, timing.model_fields_set)


def _contract(walk: Walk, put: Put) -> None:
    """An outcome contract's terms (docs/outcome-contracts.md); none: a fee, no outcome payments."""
    contract, i, values = put.item.contract, put.i, walk.values
    if contract is None or not contract.pays_outcomes:
        return
    given = contract.model_fields_set
    values["contract_on"][i] = 1.0
    if contract.baseline is not None:
        values["contract_has_baseline"][i] = 1.0
        put(
            "contract",
            "baseline.share_in_care",
            contract.baseline.share_in_care,
            "contract_baseline",
            info="contract_baseline.share_in_care",
        )
    for k, rated in enumerate(contract.rate_card):
        target, unit = METRICS[rated.metric]
        put(
            "contract",
            f"rate_card[{k}].price",
            rated.price,
            target,
            label=f"Price per {unit} (negative: a clawback)",
            info="rate_card.price",
        )
    if contract.cap is not None:
        values["contract_has_cap"][i] = 1.0
        put("contract", "cap", contract.cap, "contract_cap")
    for name, target in (
        ("fixed_fee", "contract_fixed_fee"),
        ("own_costs", "contract_own_costs"),
        ("payment_lag_months", "contract_lag_months"),
        ("days_per_outcome", "contract_days_per_outcome"),
    ):
        put("contract", name, getattr(contract, name), target, written=name in given)
    if contract.top_up is not None:
        put(
            "contract",
            "top_up.share",
            contract.top_up.share,
            "contract_top_up",
            info="top_up.share",
        )
    term = contract.term_years
    if term is None:  # every year appraised
        values["contract_term_years"][i] = float(walk.portfolio.horizon_years)
    else:
        put("contract", "term_years", term, "contract_term_years")


# ---------------------------------------------------------------------------------------------
# Outcomes, placements and changes
# ---------------------------------------------------------------------------------------------


def _library_price(item: str | None) -> Provenance | None:
    """A price taken from the unit-cost library: cited to its source, at the item's row."""
    if not item:
        return None
    found = cost_item(item)
    source = found.evidence or found.library
    return cited(source, f"item {found.code} ({found.item}, {found.price_year.label} prices)")


def _components(walk: Walk) -> None:
    """Each cost an outcome gives as components (the core's first components)."""
    explicit = [(k, o) for k, o in walk.portfolio.outcomes.items() if o.components is not None]
    walk.values["component_cost_given"] = np.zeros(
        sum(len(o.components or ()) for _, o in explicit)
    )
    given = 0
    for key, outcome in explicit:
        for j, c in enumerate(outcome.components or ()):
            path = f"outcomes.{key}.components[{j}].cost"
            label = f"{outcome.name}: {c.name}"
            fallback = _library_price(c.item)
            walk.outcome_input(
                key, path, "cost", c.cost, "component_cost_given", given, label, fallback
            )
            walk.component(key, c.name, c.payer, c.booking)
            given += 1


def _derivations(walk: Walk) -> list[str]:
    """Each outcome whose cost is derived (Thurrock's weeks x weekly cost / placement share):
    its three terms; then its placement and non-placement components."""
    derived = [k for k, o in walk.portfolio.outcomes.items() if o.derive is not None]
    for name in DERIVE_FIELDS:
        walk.values[f"derive_{DERIVE_TARGET[name]}"] = np.zeros(len(derived))
    for d, key in enumerate(derived):
        derive = walk.portfolio.outcomes[key].derive
        for name in DERIVE_FIELDS:
            walk.outcome_input(
                key,
                f"outcomes.{key}.derive.{name}",
                f"derive.{name}",
                getattr(derive, name),
                f"derive_{DERIVE_TARGET[name]}",
                d,
            )
    # Derived components follow the explicit ones: all placements, then all non-placements.
    for part, booked in (
        ("placement", DERIVED_PLACEMENT),
        ("non_placement", DERIVED_NON_PLACEMENT),
    ):
        for key in derived:
            walk.component(key, part, CHILDRENS_SOCIAL_CARE, booked)
    return derived


def _placements(walk: Walk) -> None:
    """The placement table: every placement type's price, then the prices changes write."""
    portfolio, rows = walk.portfolio, walk.prices.rows
    walk.values["placement_weekly_cost"] = np.zeros(len(rows))
    info = declared("placements.weekly_cost")
    for w, row in enumerate(rows):
        owner = row.path.split(".")[1]
        typed = row.path.startswith("placements.")
        path = f"{row.path}.weekly_cost" if typed else row.path
        item = portfolio.placements[row.name].item if typed else None
        walk.add(
            Param(
                path,
                path,
                f"{row.name}: price per {row.per}",
                f"£ per {row.per}",
                owner,
                "placement" if typed else "outcome",
                row.value,
                "placement_weekly_cost",
                w,
                info.domain,
                tuple(portfolio.outcomes[owner].sources)
                if owner in portfolio.outcomes
                else _placement_sources(portfolio, row.name),
                standing(row.value, info, True, _library_price(item))[1],
            )
        )


def _changes(walk: Walk) -> None:
    """Each change of placement: the rows it runs between and its units."""
    ends, names = walk.prices.ends, walk.prices.names
    for name in ("change_from", "change_to", "change_units"):
        walk.values[name] = np.zeros(len(ends))
    for x, (key, (start, end)) in enumerate(ends.items()):
        outcome = walk.portfolio.outcomes[key]
        change = outcome.change
        assert change is not None
        walk.values["change_from"][x] = names.index(start)
        walk.values["change_to"][x] = names.index(end)
        label = field_info("change.units")[0]
        path = f"outcomes.{key}.change.units"
        walk.outcome_input(
            key,
            path,
            "change.units",
            change.units,
            "change_units",
            x,
            f"{outcome.name}: {label.lower()}",
        )
        walk.component(key, "change", change.payer, change.booking(walk.portfolio.placements))


def _placement_sources(portfolio: Portfolio, name: str) -> tuple[str, ...]:
    """The sources of a placement type's price: its library item's, else every change's using it."""
    placement = portfolio.placements[name]
    if placement.item:
        source = cost_item(placement.item).evidence
        if source:
            return (source,)
    out: list[str] = []
    for outcome in portfolio.outcomes.values():
        if outcome.change is not None and name in outcome.change.ends:
            out += [s for s in outcome.sources if s not in out]
    return tuple(out)
