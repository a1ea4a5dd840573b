"""The parameter registry's parts: `Param` (one numeric input of a portfolio, with where it sits
in the core's arrays and where its value came from) and `Model` (a portfolio ready to run).

`appraise.engine.params.build` makes a `Model` by walking a portfolio's declared inputs.
Simulation, sensitivity, verification, the workbook, the app and the paper all address inputs
through this one registry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from appraise.engine import core, evaluate
from appraise.model.contract import Contract, ContractBaseline, RateEntry, TopUp
from appraise.model.limits import UNIT_COST
from appraise.model.numbers import Dist, Domain, Input, Num, central, input_of
from appraise.model.pricing import PriceTable
from appraise.model.provenance import (
    CITED,
    DERIVED,
    NOT_STATED,
    NOT_STATED_PROVENANCE,
    Provenance,
    attach,
)
from appraise.model.provenance import provenance_of as carried
from appraise.model.ratings import rating
from appraise.model.savings import Booking
from appraise.model.schema import (
    CHILDRENS_SOCIAL_CARE,
    EFFECT_EVIDENCE_TYPES,
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
    "contract": Contract,
    "contract_baseline": ContractBaseline,
    "rate_card": RateEntry,
    "top_up": TopUp,
}


@cache  # read from the schema once per field, however many interventions have it
def declared(field_key: str) -> Input:
    """The declaration (label, unit, domain, default's provenance) of an input field such as
    "reach.eligible"; "cost" is an outcome component's cost, a name without a section a
    portfolio's setting."""
    section, _, name = field_key.rpartition(".")
    model = SECTION_MODELS[section] if section else Component if name == "cost" else Portfolio
    return input_of(model, name)


def field_info(field_key: str) -> tuple[str, str, Domain]:
    """(label, unit, domain) of an input field (see `declared`)."""
    found = declared(field_key)
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


@dataclass(frozen=True, init=False)
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
    sources: tuple[
        str, ...
    ] = ()  # what its intervention or outcome cites (context, not a citation)
    provenance: Provenance = NOT_STATED_PROVENANCE  # where this value came from
    written: bool = True  # False: the file leaves it at its default (the declaration's value)

    def __init__(
        self,
        key: str,
        path: str,
        label: str,
        unit: str,
        owner: str,
        owner_kind: str,
        value: Num,
        target: str,
        index: int | None,
        domain: Domain,
        sources: tuple[str, ...] = (),
        provenance: Provenance = NOT_STATED_PROVENANCE,
        written: bool = True,
    ) -> None:
        # The fields set in one step, not one `object.__setattr__` each as a frozen dataclass's
        # own __init__ does: a portfolio of 10,000 interventions has 130,000 inputs, and this
        # took a fifth of building its model (tests/test_parameters.py holds it to the fields).
        self.__dict__.update(
            key=key,
            path=path,
            label=label,
            unit=unit,
            owner=owner,
            owner_kind=owner_kind,
            value=value,
            target=target,
            index=index,
            domain=domain,
            sources=sources,
            provenance=provenance,
            written=written,
        )

    @property
    def central(self) -> float:
        return float(central(self.value))

    @property
    def uncertain(self) -> bool:
        return isinstance(self.value, Dist)

    @property
    def traced(self) -> Num:
        """The value carrying its provenance as resolved (a fallback included; none if "not
        stated"): what an edit keeps as the value it replaced."""
        stated = self.provenance.status != NOT_STATED
        return attach(self.value, self.provenance if stated else None)

    @property
    def grounded(self) -> bool:
        """Cited, or derived from cited figures only: a value a source stands behind."""
        return grounded(self.provenance)

    def to_data(
        self,
        citations: Mapping[str, str] | None = None,
        written_out: dict[int, dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """The input as `appraise evaluate --format json` lists it. `written_out`: provenance
        data already made in this listing, by the provenance's id, for inputs that share one
        (10,000 interventions cite the same few sources): the same data, made once."""
        value = self.value
        found = self.provenance
        if written_out is None:
            provenance = found.to_data(citations)
        else:
            provenance = written_out.get(id(found))
            if provenance is None:
                provenance = written_out[id(found)] = found.to_data(citations)
        if isinstance(value, Dist):
            shown, centre = value.to_data(), float(value.central)
        else:
            shown = centre = float(value)
        return {
            "key": self.key,
            "path": self.path,
            "label": self.label,
            "unit": self.unit,
            "owner": self.owner,
            "value": shown,
            "central": centre,
            "written": self.written,
            "provenance": provenance,
        }


def grounded(provenance: Provenance | None) -> bool:
    """Whether a provenance is a citation, or a derivation every input of which is grounded."""
    if provenance is None:
        return False
    if provenance.status == CITED:
        return True
    if provenance.status == DERIVED:
        return all(grounded(carried(v)) for _, v in provenance.inputs)
    return False


WHOLE_OUTCOME_SUFFIX = ".unit_cost"


def whole_outcome_key(outcome: str) -> str:
    """`outcomes.lac_year.unit_cost`: an outcome's whole cost, its components scaled together."""
    return f"outcomes.{outcome}{WHOLE_OUTCOME_SUFFIX}"


def is_whole_outcome(key: str) -> bool:
    return key.startswith("outcomes.") and key.endswith(WHOLE_OUTCOME_SUFFIX)


@dataclass
class DrawBuffers:
    """Where a simulation's draws go, made once for chunks of up to `chunk` draws.

    An array [chunk, ...] for each input line that uncertain inputs set, holding the central
    values elsewhere, and for each uncertain input the [chunk] column its draws are written to.
    The draws axis varies fastest, so each column is contiguous (a generator fills only a
    contiguous array). A portfolio-wide input (no position) draws into a column of its own,
    spread over its line's array afterwards, as `Model.inputs` spreads it.
    """

    arrays: dict[str, np.ndarray]  # input line -> [chunk, ...its own axes]
    columns: list[np.ndarray]  # per uncertain input: [chunk]
    spread: list[tuple[str, int]]  # (input line, position in `columns`) to spread, in order

    def values(self, size: int) -> dict[str, np.ndarray]:
        """The input arrays holding the first `size` draws written to the columns."""
        for target, k in self.spread:
            array = self.arrays[target][:size]
            array[...] = self.columns[k][:size].reshape((size,) + (1,) * (array.ndim - 1))
        return {target: array[:size] for target, array in self.arrays.items()}


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
    # How each component's saving is booked (class, recurrence, why), in core order.
    bookings: list[Booking] = field(default_factory=list)
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
        # One pass over the inputs for all keys (as `target` finds each), not one pass per key.
        where = {p.key: (p.target, p.index) for p in reversed(self.solvable)}
        for key, value in self._expand(values).items():
            target, index = where[key] if key in where and key not in SETTINGS else self.target(key)
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

    def draw_buffers(self, params: Sequence[Param], chunk: int) -> DrawBuffers:
        """Buffers for draws of `params` (each sets a position of an input line, or a whole
        line), `chunk` at a time: the same input arrays as `inputs` makes of the draws."""
        arrays: dict[str, np.ndarray] = {}
        columns, spread = [], []
        for k, p in enumerate(params):
            array = arrays.get(p.target)
            if array is None:
                base = self.base.values[p.target]
                array = np.moveaxis(np.empty(base.shape + (chunk,)), -1, 0)
                array[...] = base
                arrays[p.target] = array
            if p.index is None:
                columns.append(np.empty(chunk))
                spread.append((p.target, k))
            else:
                at = p.index if isinstance(p.index, tuple) else (p.index,)
                columns.append(array[(slice(None), *at)])
        return DrawBuffers(arrays, columns, spread)

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

    def effect_params(self, i: int) -> list[Param]:
        """Intervention i's effect figures (of each of its effects)."""
        item = self.interventions[i]
        paths = tuple({f"interventions[{i}].{path}." for _, _, path in item.effect_list})
        # Scanning every parameter for each intervention took n^2 (19 of 21 s at 2,000).
        return [p for p in self._params_of.get(i, ()) if p.path.startswith(paths)]

    @property
    def _params_of(self) -> dict[int, list[Param]]:
        """The parameters under `interventions[i].`, by i (built once, as `params` is)."""
        built = self.__dict__.get("_params_by_intervention")
        if built is None or built[0] is not self.params or built[1] != len(self.params):
            index: dict[int, list[Param]] = {}
            head = "interventions["
            for p in self.params:
                path = p.path
                if path.startswith(head):
                    end = path.find("]", len(head))
                    number = path[len(head) : end]
                    if end > 0 and number.isdigit():
                        index.setdefault(int(number), []).append(p)
            built = (self.params, len(self.params), index)
            self.__dict__["_params_by_intervention"] = built
        return built[2]

    def know_params_of(self, index: dict[int, list[Param]]) -> None:
        """Take the parameters under `interventions[i].` by i from the walk that put them, in
        the order of `params` (what `_params_of` would find by reading each one's path)."""
        self.__dict__["_params_by_intervention"] = (self.params, len(self.params), index)

    def evidence_supports(self, i: int) -> bool:
        """Whether intervention i's effect is cited (or derived from citations) and rated 3 or
        above: only then may a paper say "the evidence supports" it."""
        item = self.interventions[i]
        effects = self.effect_params(i)
        return (
            rating(item.evidence.rating).evidence_based
            and bool(effects)
            and all(p.grounded for p in effects)
        )

    def citations(self) -> dict[str, str]:
        """Evidence id -> its short citation ('Walby (2004)')."""
        return {key: entry.citation for key, entry in self.evidence.items()}

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
# The portfolio's conventions, which a claim may assume: setting -> (input, value of each choice).
SETTINGS: dict[str, tuple[str, dict[str, float]]] = {
    "cashable_method": ("pro_rata", {"strict": 0.0, "pro_rata": 1.0}),
    "perspective": ("public_sector", {CHILDRENS_SOCIAL_CARE: 0.0, "public_sector": 1.0}),
}


# How a whole-outcome cost follows from its terms (the lines of appraise.engine.lines).
WHOLE_FORMULA = {
    "derive": "weeks_per_year * weekly_placement_cost / (1 - non_placement_share)",
    "components": "the sum of its components counted from the headline perspective",
}


def add_whole_outcomes(model: Model) -> None:
    """A whole-outcome cost for each outcome with two or more components counted in the headline."""
    base = model.base
    lines = evaluate.run(base.values, base.structure, ("outcome_headline", "component_counted"))
    unit, counted = lines["outcome_headline"], lines["component_counted"] != 0
    outcomes = model.portfolio.outcomes
    # The outcomes' own inputs, in order: found once, not among every intervention's for each
    # outcome (130,000 inputs at 10,000 interventions).
    owned = [p for p in model.params if p.owner_kind == "outcome"]
    for o, key in enumerate(outcomes):
        if int(np.sum(counted & (base.component_outcome == o))) < 2 or unit[o] <= 0:
            continue
        terms = [p for p in owned if p.owner == key]
        parts = [p for p in terms if p.target in ("component_cost_given", "derive_weekly_cost")]
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
                provenance=Provenance(
                    DERIVED,
                    formula=WHOLE_FORMULA["derive" if outcomes[key].derive else "components"],
                    inputs=tuple((p.path.rsplit(".", 1)[-1], p.traced) for p in terms),
                    note="the outcome's cost to the headline perspective, in base-year prices",
                ),
            )
        )
