"""The parameter registry: a validated portfolio turned into core arrays plus a list of its inputs.

Every numeric input in a portfolio becomes a `Param` with a stable key, the field path it came
from, a label, a unit, its sources and where it sits in `CoreInputs`. Simulation, sensitivity,
verification and the workbook all address inputs through this one registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from appraise.engine import core, evaluate
from appraise.engine.evaluate import Structure
from appraise.model.costs import cost_item
from appraise.model.discounting import first_rate, year_rates
from appraise.model.limits import UNIT_COST
from appraise.model.numbers import Dist, Domain, Num, central, input_of
from appraise.model.pricing import PriceRow, PriceTable, change_ends, price_rows, price_table
from appraise.model.schema import (
    CHILDRENS_SOCIAL_CARE,
    EFFECT_EVIDENCE_TYPES,
    RATINGS,
    Additionality,
    Change,
    Component,
    Derive,
    Effect,
    Evidence,
    Intervention,
    Placement,
    Portfolio,
    Reach,
    Staff,
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
    "staff": Staff,
    "additionality": Additionality,
    "placements": Placement,
    "change": Change,
}


@cache  # read from the schema once per field, however many interventions have it
def field_info(field_key: str) -> tuple[str, str, Domain]:
    """(label, unit, domain) of an input field such as "reach.eligible", read from the schema;
    "cost" is an outcome component's cost, a name without a section a portfolio's setting."""
    section, _, name = field_key.rpartition(".")
    model = SECTION_MODELS[section] if section else Component if name == "cost" else Portfolio
    found = input_of(model, name)
    return found.label, found.unit, found.domain


TIMING_FIELDS = ("cost_months", "benefit_lag_months", "benefit_years", "annual_decay", "ramp_up")
DERIVE_FIELDS = ("weekly_placement_cost", "weeks_per_year", "non_placement_share")
DERIVE_TARGET = {
    "weekly_placement_cost": "weekly_cost",
    "weeks_per_year": "weeks",
    "non_placement_share": "non_placement_share",
}
# The effect terms of each form: (first, second), as the lines' effect_a and effect_b.
EFFECT_TERMS = {
    "success_rate": ("success_rate", None),
    "per_case": ("per_case", None),
    "treated_risk": ("baseline_risk", "treated_risk"),
    "relative_risk": ("baseline_risk", "relative_risk"),
    "odds_ratio": ("baseline_risk", "odds_ratio"),
    "cohens_d": ("baseline_risk", "cohens_d"),
}


@dataclass(frozen=True)
class Param:
    """One numeric input of a portfolio, and where it lives in the core's arrays."""

    key: str  # stable name, e.g. "edge-of-care-mst.effect.baseline_risk"
    path: str  # field path in the portfolio file, e.g. "interventions[0].effect.baseline_risk"
    label: str
    unit: str
    owner: str  # intervention id or outcome key
    owner_kind: str  # "intervention" | "outcome" | "portfolio"
    value: Num
    target: str  # the input (a line of appraise.engine.lines) it sets
    index: int | None  # position along that input's axis (None: a portfolio-wide input)
    domain: Domain
    sources: tuple[str, ...] = ()

    @property
    def central(self) -> float:
        return central(self.value)

    @property
    def uncertain(self) -> bool:
        return isinstance(self.value, Dist)


WHOLE_OUTCOME_SUFFIX = ".unit_cost"


def whole_outcome_key(outcome: str) -> str:
    """`outcomes.lac_year.unit_cost`: an outcome's whole cost, its components scaled together."""
    return f"outcomes.{outcome}{WHOLE_OUTCOME_SUFFIX}"


def is_whole_outcome(key: str) -> bool:
    return key.startswith("outcomes.") and key.endswith(WHOLE_OUTCOME_SUFFIX)


@dataclass
class Model:
    """A portfolio ready to run: core inputs at central values and the registry of its inputs.

    Besides the portfolio's own inputs (`params`), every outcome whose cost to the headline
    perspective has two or more components (a derived cost of care has placement and
    non-placement) has a whole-outcome input (`whole_outcome`, keyed `outcomes.<key>.unit_cost`):
    setting it scales all the outcome's component costs together, so the cashable share is kept.
    "A break-even of 5 children implies an LAC unit cost of £61,923.50" is about this input.
    """

    portfolio: Portfolio
    evidence: dict[str, Evidence]
    base: core.CoreInputs
    params: list[Param]
    components: list[tuple[str, str]]  # (outcome key, component name) in core order
    effect_sources: list[tuple[str, ...]] = field(default_factory=list)
    whole_outcome: list[Param] = field(default_factory=list)
    scaled: dict[str, list[Param]] = field(default_factory=dict)  # whole-outcome key -> parts
    outcome_cost: dict[str, float] = field(default_factory=dict)  # whole-outcome key -> cost
    prices: PriceTable | None = None  # the indices used and each money block's price year
    # Inputs held as positions in a list (an evidence rating, a price year): the names shown.
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.portfolio.interventions]

    @property
    def interventions(self) -> list[Intervention]:
        return self.portfolio.interventions

    def form_code(self, i: int) -> int:
        """The code of the form intervention i's (first) effect was reported in."""
        return int(self.base.values["effect_form"][i, 0])

    def per_case(self, i: int) -> bool:
        """Whether intervention i's one effect is outcomes averted per case (not a rate)."""
        return len(self.interventions[i].effect_list) == 1 and self.form_code(i) == core.PER_CASE

    @property
    def solvable(self) -> list[Param]:
        """Every input a claim can be solved for or assume: the params and whole-outcome costs."""
        return [*self.params, *self.whole_outcome]

    def param(self, key: str) -> Param:
        """The input with this key (KeyError otherwise)."""
        for p in self.solvable:
            if p.key == key:
                return p
        raise KeyError(key)

    def conflict(self, a: str, b: str) -> bool:
        """Whether inputs `a` and `b` cannot both be set: a unit cost and one of its components."""
        if a == b:
            return False
        whole, other = (a, b) if a in self.scaled else (b, a)
        return whole in self.scaled and any(p.key == other for p in self.scaled[whole])

    def inputs(self, values: Mapping[str, Any] | None = None) -> core.CoreInputs:
        """Core inputs with some inputs (by key) replaced by values or arrays of draws [D].

        Keys are params, whole-outcome costs or settings (`cashable_method`, whose values are
        its choices' names). Arrays gain a leading draw axis; inputs not given stay central.
        """
        if not values:
            return self.base
        by_target: dict[str, list[tuple[int | None, np.ndarray]]] = {}
        for key, value in self._expand(values).items():
            target, index = self.target(key)
            by_target.setdefault(target, []).append((index, np.asarray(value, dtype=float)))
        replaced = {}
        for target, items in by_target.items():
            base = self.base.values[target]
            lead = np.broadcast_shapes(*(v.shape for _, v in items))
            arr = np.array(np.broadcast_to(base, lead + base.shape), dtype=float)
            for index, v in items:
                if index is None:
                    arr[...] = v.reshape(v.shape + (1,) * base.ndim)
                else:  # a position, or (intervention, effect) for an effect's figure
                    at = index if isinstance(index, tuple) else (index,)
                    arr[(Ellipsis, *at)] = v
            replaced[target] = arr
        return self.base.with_arrays(**replaced)

    def _expand(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Whole-outcome costs as their scaled components; settings' choices as numbers."""
        out: dict[str, Any] = {}
        for key, value in values.items():
            if key in self.scaled:
                factor = core.ratio(np.asarray(value, dtype=float), self.outcome_cost[key])
                for p in self.scaled[key]:
                    out[p.key] = p.central * factor
            elif key in SETTINGS and isinstance(value, str):
                out[key] = SETTINGS[key][1][value]
            else:
                out[key] = value
        return out

    def target(self, key: str) -> tuple[str, int | None]:
        """The input array a parameter or a setting (`cashable_method`) sets, and where."""
        if key in SETTINGS:
            return SETTINGS[key][0], None
        p = self.param(key)
        return p.target, p.index


def effect_code(effect: Effect) -> int:
    """The code of the form an effect was reported in (`effect_form`)."""
    form = effect.form
    if form == "cohens_d":
        return core.COHENS_D_LOGIT if effect.conversion == "logit" else core.COHENS_D_COX
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


DEFAULTS = (
    "appraise-defaults"  # the evidence entry citing docs/defaults.md: the project's judgement
)
PORTFOLIO_PARAMS = {key: field_info(key) for key in ("discount_rate", "non_uk_evidence_haircut")}
# The portfolio's conventions, which a claim may assume: setting -> (input, value of each choice).
SETTINGS: dict[str, tuple[str, dict[str, float]]] = {
    "cashable_method": ("pro_rata", {"strict": 0.0, "pro_rata": 1.0}),
    "perspective": ("public_sector", {CHILDRENS_SOCIAL_CARE: 0.0, "public_sector": 1.0}),
}


def build(portfolio: Portfolio, evidence: Mapping[str, Evidence]) -> Model:
    """Turn a validated portfolio into core arrays (central values) and its parameter registry."""
    items = portfolio.interventions
    n = len(items)
    k_max = max(len(item.effect_list) for item in items)
    params: list[Param] = []
    values: dict[str, np.ndarray] = {
        name: np.zeros(n)
        for name in (
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
        )
    }
    values["attribution"] = np.ones(n)
    values["reach_per_case"] = np.ones(n)
    for name in ("effect_a", "effect_b", "effect_used"):
        values[name] = np.zeros((n, k_max))
    outcome_keys = list(portfolio.outcomes)

    def add(param: Param) -> None:
        params.append(param)
        if param.index is None:
            values[param.target] = np.asarray(param.central, dtype=float)
        else:
            values[param.target][param.index] = param.central

    for key, (label, unit, domain) in PORTFOLIO_PARAMS.items():
        target = "non_uk_rate" if key == "non_uk_evidence_haircut" else key
        # A schedule's parameter is its first rate: setting it (a claim, a sweep) sets a flat rate.
        value = (
            first_rate(portfolio.discount_rate)
            if key == "discount_rate"
            else getattr(portfolio, key)
        )
        sources = ("green-book-2022",) if key == "discount_rate" else (DEFAULTS,)
        add(
            Param(
                key,
                key,
                label,
                unit,
                "portfolio",
                "portfolio",
                value,
                target,
                None,
                domain,
                sources,
            )
        )
    values["discount_rate"] = year_rates(portfolio.discount_rate, portfolio.horizon_years)
    values["optimism_bias_table"] = np.zeros(len(RATINGS))
    for r, rating in enumerate(RATINGS):
        key = f"optimism_bias.{rating}"
        add(
            Param(
                key,
                key,
                f"Optimism-bias haircut for evidence rating {rating}",
                "fraction",
                "portfolio",
                "portfolio",
                portfolio.optimism_bias_table[rating],
                "optimism_bias_table",
                r,
                PROB,
                (DEFAULTS,),
            )
        )
    values["apply_optimism_bias"] = np.asarray(float(portfolio.apply_optimism_bias))
    values["pro_rata"] = np.asarray(float(portfolio.cashable_method == "pro_rata"))
    values["public_sector"] = np.asarray(float(portfolio.perspective == "public_sector"))
    values["cox"] = np.asarray(core.COX_FACTOR)
    values["logit"] = np.asarray(core.LOGIT_FACTOR)
    values["year"] = np.arange(1.0, portfolio.horizon_years + 1)

    codes = np.zeros((n, k_max))
    effect_outcome = np.zeros((n, k_max), dtype=int)
    ratings = np.zeros(n)
    staff_owner: list[int] = []
    n_staff = sum(len(item.unit_cost.staff or ()) for item in items)
    for name in ("staff_fte", "staff_salary", "staff_on_costs"):
        values[name] = np.zeros(n_staff)
    sources_for_effect = []
    for i, item in enumerate(items):
        at = f"interventions[{i}]"
        src = tuple(item.evidence.sources)

        def put(
            section: str,
            name: str,
            value: Num,
            target: str,
            index: Any = None,
            i: int = i,
            at: str = at,
            item: Intervention = item,
            src: tuple[str, ...] = src,
            label: str | None = None,
            info: str | None = None,
        ) -> None:
            found_label, unit, domain = field_info(info or f"{section}.{name}")
            add(
                Param(
                    f"{item.id}.{section}.{name}",
                    f"{at}.{section}.{name}",
                    label or found_label,
                    unit,
                    item.id,
                    "intervention",
                    value,
                    target,
                    i if index is None else index,
                    domain,
                    src,
                )
            )

        r = item.reach
        if r.form == "eligible":
            put("reach", "eligible", r.eligible, "reach_base")
            put("reach", "proportion", r.proportion, "reach_share")
        elif r.form == "count":
            put("reach", "count", r.count, "reach_base")
            values["reach_share"][i] = 1.0
        else:
            put("reach", "to_capacity", r.to_capacity, "reach_base")
            put("reach", "from_capacity", r.from_capacity, "reach_offset")
            values["reach_share"][i] = 1.0
        # Every intervention has these, written or not, so each can be ranged, swept or solved.
        put(
            "reach",
            "per_case",
            r.per_case if r.per_case is not None else 1.0,
            "reach_per_case",
            src=src if r.per_case is not None else (DEFAULTS,),
        )
        cost = item.unit_cost
        if cost.form == "per_case":
            put("unit_cost", "amount", cost.amount, "unit_cost")
        elif cost.form == "total":
            put("unit_cost", "total", cost.total, "fixed_cost")
        else:
            for line in cost.staff or ():
                g = len(staff_owner)
                staff_owner.append(i)
                for name, target in (
                    ("fte", "staff_fte"),
                    ("salary", "staff_salary"),
                    ("on_costs", "staff_on_costs"),
                ):
                    put(
                        "unit_cost",
                        f"staff[{g - _first_staff(staff_owner, i)}].{name}",
                        getattr(line, name),
                        target,
                        g,
                        label=f"{line.role}: {field_info(f'staff.{name}')[0].lower()}",
                        info=f"staff.{name}",
                    )
            if cost.non_staff is not None:
                put("unit_cost", "non_staff", cost.non_staff, "non_staff")
        for k, (averts, e, path) in enumerate(item.effect_list):
            codes[i, k] = effect_code(e)
            effect_outcome[i, k] = outcome_keys.index(averts)
            values["effect_used"][i, k] = 1.0
            first, second = EFFECT_TERMS[e.form]
            section = "effect" if path == "effect" else path
            several = len(item.effect_list) > 1
            for name, target in ((first, "effect_a"), (second, "effect_b")):
                if not name:
                    continue
                label = field_info(f"effect.{name}")[0]
                put(
                    section,
                    name,
                    getattr(e, name),
                    target,
                    (i, k),
                    label=f"{averts}: {label[0].lower()}{label[1:]}" if several else label,
                    info=f"effect.{name}",
                )
        adds = item.adds
        for name in ("deadweight", "attribution", "displacement"):
            written = item.additionality is not None and name in adds.model_fields_set
            put(
                "additionality",
                name,
                getattr(adds, name),
                name,
                src=src if written else (DEFAULTS,),
            )
        ratings[i] = RATINGS.index(item.evidence.rating)
        found_by = effect_sources(item, evidence)
        sources_for_effect.append(found_by)
        if found_by and not any(evidence[s].is_uk for s in found_by if s in evidence):
            values["non_uk"][i] = 1.0
        written = item.timing.model_fields_set
        for name in TIMING_FIELDS:
            # A default timing was not supplied by the effect's studies: cite the project's page.
            cited = src if name in written else (DEFAULTS,)
            put("timing", name, getattr(item.timing, name), name, src=cited)
    # Unused effect slots are success rates of 0 (effect_used 0), averting the first outcome.
    values["effect_form"] = codes
    values["effect_count"] = np.array([float(len(item.effect_list)) for item in items])
    values["rating"] = ratings
    values["cohorts"] = np.array([float(i.timing.cohorts) for i in items])

    explicit = [k for k, o in portfolio.outcomes.items() if o.components is not None]
    derived = [k for k, o in portfolio.outcomes.items() if o.derive is not None]
    changes = [k for k, o in portfolio.outcomes.items() if o.change is not None]
    given: list[float] = []
    comp_outcome, comp_payer_name, comp_cashable, components = [], [], [], []
    values["component_cost_given"] = np.zeros(
        sum(len(portfolio.outcomes[k].components or []) for k in explicit)
    )
    for key in explicit:
        outcome = portfolio.outcomes[key]
        for j, c in enumerate(outcome.components or []):
            path = f"outcomes.{key}.components[{j}].cost"
            label, unit, domain = field_info("cost")
            add(
                Param(
                    path,
                    path,
                    f"{outcome.name}: {c.name}",
                    unit,
                    key,
                    "outcome",
                    c.cost,
                    "component_cost_given",
                    len(given),
                    domain,
                    tuple(outcome.sources),
                )
            )
            given.append(central(c.cost))
            comp_outcome.append(outcome_keys.index(key))
            comp_payer_name.append(c.payer)
            comp_cashable.append(c.cashable)
            components.append((key, c.name))
    for name in DERIVE_FIELDS:
        values[f"derive_{DERIVE_TARGET[name]}"] = np.zeros(len(derived))
    for d, key in enumerate(derived):
        outcome = portfolio.outcomes[key]
        for name in DERIVE_FIELDS:
            path = f"outcomes.{key}.derive.{name}"
            label, unit, domain = field_info(f"derive.{name}")
            add(
                Param(
                    path,
                    path,
                    label,
                    unit,
                    key,
                    "outcome",
                    getattr(outcome.derive, name),
                    f"derive_{DERIVE_TARGET[name]}",
                    d,
                    domain,
                    tuple(outcome.sources),
                )
            )
    # Derived components follow the explicit ones: all placements, then all non-placements.
    for part, cashable in (("placement", True), ("non_placement", False)):
        for key in derived:
            comp_outcome.append(outcome_keys.index(key))
            comp_payer_name.append(CHILDRENS_SOCIAL_CARE)
            comp_cashable.append(cashable)
            components.append((key, part))
    # The placement table (types, then the prices changes write themselves), then each change.
    rows = price_rows(portfolio)
    names = [row.name for row in rows]
    values["placement_weekly_cost"] = np.zeros(len(rows))
    for w, row in enumerate(rows):
        label, unit, domain = field_info("placements.weekly_cost")
        owner = row.path.split(".")[1]
        path = f"{row.path}.weekly_cost" if row.path.startswith("placements.") else row.path
        add(
            Param(
                path,
                path,
                f"{row.name}: price per {row.per}",
                f"£ per {row.per}",
                owner,
                "placement" if row.path.startswith("placements.") else "outcome",
                row.value,
                "placement_weekly_cost",
                w,
                domain,
                tuple(portfolio.outcomes[owner].sources)
                if owner in portfolio.outcomes
                else _placement_sources(portfolio, row.name),
            )
        )
    values["change_from"] = np.zeros(len(changes))
    values["change_to"] = np.zeros(len(changes))
    values["change_units"] = np.zeros(len(changes))
    for x, key in enumerate(changes):
        outcome = portfolio.outcomes[key]
        change = outcome.change
        assert change is not None
        start, end = change_ends(portfolio, key)
        values["change_from"][x] = names.index(start)
        values["change_to"][x] = names.index(end)
        label, unit, domain = field_info("change.units")
        add(
            Param(
                f"outcomes.{key}.change.units",
                f"outcomes.{key}.change.units",
                f"{outcome.name}: {label.lower()}",
                unit,
                key,
                "outcome",
                change.units,
                "change_units",
                x,
                domain,
                tuple(outcome.sources),
            )
        )
        comp_outcome.append(outcome_keys.index(key))
        comp_payer_name.append(change.payer)
        comp_cashable.append(change.cashable)
        components.append((key, "change"))

    payers = tuple(
        sorted(
            set(comp_payer_name) | {CHILDRENS_SOCIAL_CARE},
            key=lambda p: (p != CHILDRENS_SOCIAL_CARE, p),
        )
    )
    values["component_cashable"] = np.array(comp_cashable, dtype=float)
    values["component_csc"] = np.array([float(p == CHILDRENS_SOCIAL_CARE) for p in comp_payer_name])
    prices = price_table(portfolio)
    price_names = _price_inputs(portfolio, prices, values, explicit, derived, rows)
    structure = Structure(
        n=n,
        horizon=portfolio.horizon_years,
        outcome_index=effect_outcome[:, 0].copy(),
        component_outcome=np.array(comp_outcome, dtype=int),
        n_outcomes=len(outcome_keys),
        n_derived=len(derived),
        n_ratings=len(RATINGS),
        n_given=len(given),
        extra={
            "Q": len(prices.years),
            "S": len(prices.series),
            "W": len(rows),
            "X": len(changes),
        },
        effect_outcome=effect_outcome,
        staff_owner=np.array(staff_owner, dtype=int),
    )
    base = core.CoreInputs(
        values=values,
        structure=structure,
        payers=payers,
        component_payer=np.array([payers.index(p) for p in comp_payer_name], dtype=int),
    )
    model = Model(
        portfolio,
        dict(evidence),
        base,
        params,
        components,
        sources_for_effect,
        prices=prices,
        names={
            "rating": RATINGS,
            "change_from": tuple(names),
            "change_to": tuple(names),
            **price_names,
        },
    )
    _add_whole_outcomes(model)
    return model


def _first_staff(owner: list[int], i: int) -> int:
    """The position of intervention i's first staff line among all staff lines."""
    return owner.index(i)


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


def _price_inputs(
    portfolio: Portfolio,
    prices: PriceTable,
    values: dict[str, np.ndarray],
    explicit: list[str],
    derived: list[str],
    rows: list[PriceRow],
) -> dict[str, tuple[str, ...]]:
    """Each money block's price year and index as positions in the price table (the workbook
    shows their names); returns the names each position stands for, by input."""
    values["price_indices"] = np.array(prices.levels, dtype=float).reshape(
        len(prices.years), len(prices.series)
    )
    values["price_base"] = np.asarray(float(prices.year_at(prices.base)))
    paths = {
        "cost": [f"interventions[{i}].unit_cost" for i in range(len(portfolio.interventions))],
        "component": [
            f"outcomes.{key}.components[{j}]"
            for key in explicit
            for j in range(len(portfolio.outcomes[key].components or []))
        ],
        "derive": [f"outcomes.{key}.derive" for key in derived],
        "placement": [row.path for row in rows],
    }
    for slot, at in paths.items():
        values[f"{slot}_price_year"] = np.array(
            [float(prices.year_at(prices.blocks[p].year)) for p in at]
        )
        values[f"{slot}_index"] = np.array([float(prices.series_at(prices.names[p])) for p in at])
    names: dict[str, tuple[str, ...]] = {"price_base": prices.labels}
    for slot in paths:
        names[f"{slot}_price_year"] = prices.labels
        names[f"{slot}_index"] = prices.series
    return names


def _add_whole_outcomes(model: Model) -> None:
    """A whole-outcome cost for each outcome with two or more components counted in the headline."""
    base = model.base
    lines = evaluate.run(base.values, base.structure, ("outcome_headline", "component_counted"))
    unit, counted = lines["outcome_headline"], lines["component_counted"] != 0
    outcomes = model.portfolio.outcomes
    for o, key in enumerate(outcomes):
        if int(np.sum(counted & (base.component_outcome == o))) < 2 or unit[o] <= 0:
            continue
        parts = [
            p
            for p in model.params
            if p.owner == key and p.target in ("component_cost_given", "derive_weekly_cost")
        ]
        whole = whole_outcome_key(key)
        model.scaled[whole] = parts
        model.outcome_cost[whole] = float(unit[o])
        model.whole_outcome.append(
            Param(
                key=whole,
                path=f"outcomes.{key}",
                label=f"{outcomes[key].name}: whole unit cost (components scaled together)",
                unit="£ per outcome",
                owner=key,
                owner_kind="outcome",
                value=float(unit[o]),
                target="",
                index=o,
                domain=UNIT_COST,
                sources=parts[0].sources if parts else (),
            )
        )
