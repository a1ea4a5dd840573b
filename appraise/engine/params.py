"""The parameter registry: a validated portfolio turned into core arrays plus a list of its inputs.

Every numeric input in a portfolio becomes a `Param` with a stable key, the field path it came
from, a label, a unit, its sources and where it sits in `CoreInputs`. Simulation, sensitivity,
verification and the workbook all address inputs through this one registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from appraise.engine import core
from appraise.model.numbers import Dist, Domain, Num, central, input_of
from appraise.model.schema import (
    CHILDRENS_SOCIAL_CARE,
    EFFECT_EVIDENCE_TYPES,
    Component,
    Derive,
    Effect,
    Evidence,
    Intervention,
    Portfolio,
    Reach,
    Timing,
    UnitCost,
)

EFFECT_CODES = {
    "success_rate": core.SUCCESS_RATE,
    "per_case": core.PER_CASE,
    "treated_risk": core.TREATED_RISK,
    "relative_risk": core.RELATIVE_RISK,
    "odds_ratio": core.ODDS_RATIO,
}

PROB = Domain(0.0, 1.0)
NONNEG = Domain(0.0)
POSITIVE = Domain(0.0, lo_open=True)

# The schema model holding each section of input fields (labels, units and domains are declared
# once, on the fields: `appraise.model.numbers.Input`).
SECTION_MODELS: dict[str, type] = {
    "reach": Reach,
    "unit_cost": UnitCost,
    "effect": Effect,
    "timing": Timing,
    "derive": Derive,
}


def field_info(field_key: str) -> tuple[str, str, Domain]:
    """(label, unit, domain) of an input field such as "reach.eligible", read from the schema;
    "cost" is an outcome component's cost."""
    section, _, name = field_key.rpartition(".")
    found = input_of(SECTION_MODELS[section], name) if section else input_of(Component, name)
    return found.label, found.unit, found.domain


TIMING_FIELDS = ("cost_months", "benefit_lag_months", "benefit_years", "annual_decay", "ramp_up")
TIMING_TARGET = {
    "cost_months": "cost_months",
    "benefit_lag_months": "benefit_lag_months",
    "benefit_years": "benefit_years",
    "annual_decay": "annual_decay",
    "ramp_up": "ramp_up",
}


@dataclass(frozen=True)
class Param:
    """One numeric input of a portfolio, and where it lives in the core's arrays."""

    key: str  # stable name, e.g. "edge-of-care-mst.effect.baseline_risk"
    path: str  # field path in the portfolio file, e.g. "interventions[0].effect.baseline_risk"
    label: str
    unit: str
    owner: str  # intervention id or outcome key
    owner_kind: str  # "intervention" | "outcome"
    value: Num
    target: str  # CoreInputs field
    index: int  # position along that field's last axis
    domain: Domain
    sources: tuple[str, ...] = ()

    @property
    def central(self) -> float:
        return central(self.value)

    @property
    def uncertain(self) -> bool:
        return isinstance(self.value, Dist)


@dataclass
class Model:
    """A portfolio ready to run: core inputs at central values and the registry of its inputs."""

    portfolio: Portfolio
    evidence: dict[str, Evidence]
    base: core.CoreInputs
    params: list[Param]
    components: list[tuple[str, str]]  # (outcome key, component name) in core order
    effect_sources: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.portfolio.interventions]

    @property
    def interventions(self) -> list[Intervention]:
        return self.portfolio.interventions

    def param(self, key: str) -> Param:
        """The input with this key (KeyError naming close matches otherwise)."""
        for p in self.params:
            if p.key == key:
                return p
        raise KeyError(key)

    def inputs(self, values: Mapping[str, Any] | None = None) -> core.CoreInputs:
        """Core inputs with some params (by key) replaced by values or arrays of draws [D].

        Arrays gain a leading draw axis; params not given stay at their central values.
        """
        if not values:
            return self.base
        by_target: dict[str, list[tuple[int, np.ndarray]]] = {}
        for key, value in values.items():
            p = self.param(key)
            by_target.setdefault(p.target, []).append((p.index, np.asarray(value, dtype=float)))
        replaced = {}
        for target, items in by_target.items():
            base = getattr(self.base, target)
            lead = np.broadcast_shapes(*(v.shape for _, v in items))
            arr = np.array(np.broadcast_to(base, lead + base.shape[-1:]), dtype=float)
            for index, v in items:
                arr[..., index] = v
            replaced[target] = arr
        return self.base.with_arrays(**replaced)


def effect_code(item: Intervention) -> int:
    form = item.effect.form
    if form == "cohens_d":
        return core.COHENS_D_LOGIT if item.effect.conversion == "logit" else core.COHENS_D_COX
    return EFFECT_CODES[form]


def effect_sources(item: Intervention, evidence: Mapping[str, Evidence]) -> tuple[str, ...]:
    """Sources that establish the effect: stated, or those in `sources` of an effect-study type."""
    if item.evidence.effect_sources is not None:
        return tuple(item.evidence.effect_sources)
    return tuple(
        s
        for s in item.evidence.sources
        if s in evidence and evidence[s].type in EFFECT_EVIDENCE_TYPES
    )


def build(portfolio: Portfolio, evidence: Mapping[str, Evidence]) -> Model:
    """Turn a validated portfolio into core arrays (central values) and its parameter registry."""
    items = portfolio.interventions
    n = len(items)
    params: list[Param] = []
    arrays: dict[str, np.ndarray] = {
        name: np.zeros(n)
        for name in (
            "reach_base",
            "reach_share",
            "reach_offset",
            "unit_cost",
            "fixed_cost",
            "effect_a",
            "effect_b",
            "optimism_bias",
            "non_uk_haircut",
            "cost_months",
            "benefit_lag_months",
            "benefit_years",
            "annual_decay",
            "ramp_up",
        )
    }
    outcome_keys = list(portfolio.outcomes)

    def add(
        item_or_outcome: str,
        kind: str,
        path: str,
        field_key: str,
        value: Num,
        target: str,
        index: int,
        key: str,
        sources: tuple[str, ...],
    ) -> None:
        label, unit, domain = field_info(field_key)
        params.append(
            Param(
                key, path, label, unit, item_or_outcome, kind, value, target, index, domain, sources
            )
        )
        arrays[target][index] = central(value)

    codes = np.zeros(n, dtype=int)
    ob_table = portfolio.optimism_bias_table
    sources_for_effect = []
    for i, item in enumerate(items):
        at = f"interventions[{i}]"
        src = tuple(item.evidence.sources)

        def put(
            section: str,
            name: str,
            value: Num,
            target: str,
            i: int = i,
            at: str = at,
            item: Intervention = item,
            src: tuple[str, ...] = src,
        ) -> None:
            add(
                item.id,
                "intervention",
                f"{at}.{section}.{name}",
                f"{section}.{name}",
                value,
                target,
                i,
                f"{item.id}.{section}.{name}",
                src,
            )

        r = item.reach
        if r.form == "eligible":
            put("reach", "eligible", r.eligible, "reach_base")
            put("reach", "proportion", r.proportion, "reach_share")
        elif r.form == "count":
            put("reach", "count", r.count, "reach_base")
            arrays["reach_share"][i] = 1.0
        else:
            put("reach", "to_capacity", r.to_capacity, "reach_base")
            put("reach", "from_capacity", r.from_capacity, "reach_offset")
            arrays["reach_share"][i] = 1.0
        if item.unit_cost.form == "per_case":
            put("unit_cost", "amount", item.unit_cost.amount, "unit_cost")
        else:
            put("unit_cost", "total", item.unit_cost.total, "fixed_cost")
        e = item.effect
        codes[i] = effect_code(item)
        first, second = {
            "success_rate": ("success_rate", None),
            "per_case": ("per_case", None),
            "treated_risk": ("baseline_risk", "treated_risk"),
            "relative_risk": ("baseline_risk", "relative_risk"),
            "odds_ratio": ("baseline_risk", "odds_ratio"),
            "cohens_d": ("baseline_risk", "cohens_d"),
        }[e.form]
        put("effect", first, getattr(e, first), "effect_a")
        if second:
            put("effect", second, getattr(e, second), "effect_b")
        if portfolio.apply_optimism_bias:
            arrays["optimism_bias"][i] = ob_table[item.evidence.rating]
        found_by = effect_sources(item, evidence)
        sources_for_effect.append(found_by)
        if found_by and not any(evidence[s].is_uk for s in found_by if s in evidence):
            arrays["non_uk_haircut"][i] = portfolio.non_uk_evidence_haircut
        t = item.timing
        for name in TIMING_FIELDS:
            put("timing", name, getattr(t, name), TIMING_TARGET[name])

    explicit, derived = [], []
    for key, outcome in portfolio.outcomes.items():
        (derived if outcome.derive is not None else explicit).append(key)
    comp_cost: list[float] = []
    comp_outcome, comp_payer_name, comp_cashable, components = [], [], [], []
    for key in explicit:
        outcome = portfolio.outcomes[key]
        for j, c in enumerate(outcome.components or []):
            path = f"outcomes.{key}.components[{j}].cost"
            label, unit, domain = field_info("cost")
            params.append(
                Param(
                    path,
                    path,
                    f"{outcome.name}: {c.name}",
                    unit,
                    key,
                    "outcome",
                    c.cost,
                    "component_cost",
                    len(comp_cost),
                    domain,
                    tuple(outcome.sources),
                )
            )
            comp_cost.append(central(c.cost))
            comp_outcome.append(outcome_keys.index(key))
            comp_payer_name.append(c.payer)
            comp_cashable.append(c.cashable)
            components.append((key, c.name))
    derive_arrays: dict[str, list[float]] = {
        "derive_weekly_cost": [],
        "derive_weeks": [],
        "derive_non_placement_share": [],
    }
    for d, key in enumerate(derived):
        outcome = portfolio.outcomes[key]
        spec = outcome.derive
        for name, target in (
            ("weekly_placement_cost", "derive_weekly_cost"),
            ("weeks_per_year", "derive_weeks"),
            ("non_placement_share", "derive_non_placement_share"),
        ):
            path = f"outcomes.{key}.derive.{name}"
            label, unit, domain = field_info(f"derive.{name}")
            params.append(
                Param(
                    path,
                    path,
                    label,
                    unit,
                    key,
                    "outcome",
                    getattr(spec, name),
                    target,
                    d,
                    domain,
                    tuple(outcome.sources),
                )
            )
            derive_arrays[target].append(central(getattr(spec, name)))
    # Derived components follow the explicit ones: all placements, then all non-placements.
    for part, cashable in (("placement", True), ("non_placement", False)):
        for key in derived:
            comp_outcome.append(outcome_keys.index(key))
            comp_payer_name.append(CHILDRENS_SOCIAL_CARE)
            comp_cashable.append(cashable)
            components.append((key, part))

    payers = sorted(
        set(comp_payer_name) | {CHILDRENS_SOCIAL_CARE},
        key=lambda p: (p != CHILDRENS_SOCIAL_CARE, p),
    )
    perspective = np.array(
        [portfolio.perspective == "public_sector" or p == CHILDRENS_SOCIAL_CARE for p in payers]
    )
    base = core.CoreInputs(
        reach_base=arrays["reach_base"],
        reach_share=arrays["reach_share"],
        reach_offset=arrays["reach_offset"],
        unit_cost=arrays["unit_cost"],
        fixed_cost=arrays["fixed_cost"],
        effect_form=codes,
        effect_a=arrays["effect_a"],
        effect_b=arrays["effect_b"],
        optimism_bias=arrays["optimism_bias"],
        non_uk_haircut=arrays["non_uk_haircut"],
        outcome_index=np.array([outcome_keys.index(i.averts) for i in items], dtype=int),
        component_cost=np.array(comp_cost, dtype=float),
        derive_weekly_cost=np.array(derive_arrays["derive_weekly_cost"], dtype=float),
        derive_weeks=np.array(derive_arrays["derive_weeks"], dtype=float),
        derive_non_placement_share=np.array(
            derive_arrays["derive_non_placement_share"], dtype=float
        ),
        component_outcome=np.array(comp_outcome, dtype=int),
        component_payer=np.array([payers.index(p) for p in comp_payer_name], dtype=int),
        component_cashable=np.array(comp_cashable, dtype=bool),
        n_outcomes=len(outcome_keys),
        payers=tuple(payers),
        perspective=perspective,
        pro_rata=portfolio.cashable_method == "pro_rata",
        cohorts=np.array([i.timing.cohorts for i in items], dtype=int),
        cost_months=arrays["cost_months"],
        benefit_lag_months=arrays["benefit_lag_months"],
        benefit_years=arrays["benefit_years"],
        annual_decay=arrays["annual_decay"],
        ramp_up=arrays["ramp_up"],
        horizon_years=portfolio.horizon_years,
        discount_rate=portfolio.discount_rate,
    )
    return Model(portfolio, dict(evidence), base, params, components, sources_for_effect)
