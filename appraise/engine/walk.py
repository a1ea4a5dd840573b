"""What a walk over a portfolio's declared inputs builds (`appraise.engine.params.build`): the
core's arrays, the `Param`s with their provenance, and the components of every outcome's cost;
the prices it resolves once before it starts; and, when it is done, the core's structure.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from appraise.engine import core
from appraise.engine.evaluate import Structure
from appraise.engine.registry import DEFAULTS, Param, declared, effect_sources
from appraise.model.numbers import Domain, Input, Num, central
from appraise.model.pricing import PriceRow, PriceTable, change_ends, price_rows, price_table
from appraise.model.provenance import NOT_STATED_PROVENANCE, Provenance, provenance_of
from appraise.model.savings import CAPACITY, ONE_OFF, Booking
from appraise.model.schema import CHILDRENS_SOCIAL_CARE, RATINGS, Evidence, Intervention, Portfolio


def standing(
    value: Num, info: Input, written: bool, fallback: Provenance | None = None
) -> tuple[bool, Provenance]:
    """Whether an input counts as written, and its provenance.

    Written: in the file, and not with its declaration's default provenance (a portfolio the app
    writes out carries it back). Provenance: its own; else, left at its default, its
    declaration's; else the fallback the walk gives it; else "not stated". One call for both:
    it runs for every input of every intervention (130,000 times at 10,000 interventions).
    """
    own, basis = provenance_of(value), info.basis
    if own is not None:
        return written and not (basis is not None and (own is basis or own == basis)), own
    if not written and basis is not None:
        return written, basis
    return written, fallback or NOT_STATED_PROVENANCE


@dataclass(frozen=True)
class Prices:
    """A portfolio's prices, resolved once before the walk: each money block's price year and
    index, the placement table, and the ends each change of placement runs between."""

    table: PriceTable
    rows: list[PriceRow]
    ends: dict[str, tuple[str, str]]

    @property
    def names(self) -> list[str]:
        return [row.name for row in self.rows]

    @classmethod
    def of(cls, portfolio: Portfolio) -> Prices:
        changes = [k for k, o in portfolio.outcomes.items() if o.change is not None]
        return cls(
            price_table(portfolio),
            price_rows(portfolio),
            {key: change_ends(portfolio, key) for key in changes},
        )


@dataclass
class Walk:
    """What the walk over a portfolio's inputs builds: the core's arrays, the params, and the
    components of every outcome's cost in the core's order."""

    portfolio: Portfolio
    evidence: Mapping[str, Evidence]
    prices: Prices
    values: dict[str, np.ndarray] = field(default_factory=dict)
    params: list[Param] = field(default_factory=list)
    components: list[tuple[str, str]] = field(default_factory=list)  # (outcome, component name)
    component_payer: list[str] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)  # each component's class, recurrence
    staff_owner: list[int] = field(default_factory=list)
    effect_sources: list[tuple[str, ...]] = field(default_factory=list)
    # The params of each intervention (under `interventions[i].`), by i, as they are put.
    by_intervention: dict[int, list[Param]] = field(default_factory=dict)
    _established: dict[int, tuple[Any, tuple[str, ...], bool]] = field(default_factory=dict)

    @property
    def outcome_keys(self) -> list[str]:
        return list(self.portfolio.outcomes)

    @cached_property
    def outcome_at(self) -> dict[str, int]:
        """Each outcome's position in the core's order, by key."""
        return {key: o for o, key in enumerate(self.portfolio.outcomes)}

    def established_by(self, item: Intervention) -> tuple[tuple[str, ...], bool]:
        """The sources that establish an intervention's effect (`effect_sources`), and whether
        they are all from outside the UK: worked out once per evidence part, which interventions
        that write it alike share (`appraise.model.base.made_once`), by its id while it is held."""
        part = item.evidence
        found = self._established.get(id(part))
        if found is None or found[0] is not part:
            by = effect_sources(item, self.evidence)
            evidence = self.evidence
            abroad = bool(by) and not any(evidence[s].is_uk for s in by if s in evidence)
            found = self._established[id(part)] = (part, by, abroad)
        return found[1], found[2]

    def add(self, param: Param) -> None:
        self.params.append(param)
        if param.index is None:
            self.values[param.target] = np.asarray(param.central, dtype=float)
        else:
            self.values[param.target][param.index] = param.central

    def component(self, outcome: str, name: str, payer: str, booked: Booking) -> None:
        self.components.append((outcome, name))
        self.component_payer.append(payer)
        self.bookings.append(booked)

    def outcome_input(
        self,
        key: str,
        path: str,
        info: str,
        value: Num,
        target: str,
        index: int,
        label: str = "",
        fallback: Provenance | None = None,
    ) -> None:
        """An input of outcome `key` (a component's cost, a derivation's term, a change's units)."""
        found = declared(info)
        outcome = self.portfolio.outcomes[key]
        self.add(
            Param(
                path,
                path,
                label or found.label,
                found.unit,
                key,
                "outcome",
                value,
                target,
                index,
                found.domain,
                tuple(outcome.sources),
                standing(value, found, True, fallback)[1],
            )
        )


# One input as the walk puts it, less what is its intervention's own (the heads of its key and
# path, its owner, its sources, its position): its field, label, unit, value, input line,
# domain, provenance, whether it counts as written, and its central value.
Entry = tuple[str, str, str, Num, str, Domain, Provenance, bool, float]


def entry(
    field: str,
    found: Input,
    value: Num,
    target: str,
    written: bool,
    fallback: Provenance | None,
    label: str,
) -> Entry:
    """What an input of field `field` (declared as `found`) holding `value` puts, whichever
    intervention it belongs to."""
    written, own = standing(value, found, written, fallback)
    return (
        field,
        label or found.label,
        found.unit,
        value,
        target,
        found.domain,
        own,
        written,
        central(value),
    )


class Plans:
    """The entries of a part of an intervention that many interventions share (their timing, an
    effect, a default additionality: `appraise.model.base.made_once` makes one part for all that
    write it alike), worked out once per part and detail, not once per intervention. A part is
    never changed once made; it is kept with its entries, so that its id stands for it while
    kept. At most `kept` are held (all let go when full)."""

    def __init__(self, kept: int) -> None:
        self.kept = kept
        self.found: dict[tuple[int, Hashable], tuple[object, tuple[Entry, ...]]] = {}

    def get(
        self, part: object, detail: Hashable, make: Callable[..., tuple[Entry, ...]], *args: Any
    ) -> tuple[Entry, ...]:
        """The entries `make(*args)` gives for `part` with `detail` (what else they depend on),
        made the first time only."""
        key = (id(part), detail)
        found = self.found.get(key)
        if found is None or found[0] is not part:
            if len(self.found) >= self.kept:
                self.found.clear()
            found = self.found[key] = (part, make(*args))
        return found[1]


PLANS = Plans(kept=4096)


def _each(section: str, part: Any, names: tuple[str, ...], given: set[str]) -> tuple[Entry, ...]:
    """The entries of `Put.each`: the inputs `names` of `part`, each into the line of its name."""
    return tuple(
        entry(
            f"{section}.{name}",
            declared(f"{section}.{name}"),
            getattr(part, name),
            name,
            name in given,
            None,
            "",
        )
        for name in names
    )


class Put:
    """Puts one intervention's inputs into the walk: keys, paths and provenance alike.

    What every input of the intervention shares (its key's and path's heads, its sources, its
    list in `Walk.by_intervention`) is worked out once, here; what an input shares with the
    same input of every intervention made from the same part (`Entry`), once per part (`Plans`):
    a portfolio of 10,000 interventions has 130,000 inputs (benchmarks/load.py)."""

    __slots__ = ("walk", "i", "item", "_id", "_key", "_path", "_sources", "_mine")

    def __init__(self, walk: Walk, i: int, item: Intervention) -> None:
        self.walk, self.i, self.item = walk, i, item
        self._id = item.id
        self._key = f"{item.id}."
        self._path = f"interventions[{i}]."
        self._sources = tuple(item.evidence.sources)
        self._mine = walk.by_intervention.setdefault(i, [])

    def __call__(
        self,
        section: str,
        name: str,
        value: Num,
        target: str,
        *,
        index: Any = None,
        written: bool = True,
        fallback: Provenance | None = None,
        label: str = "",
        info: str = "",
    ) -> None:
        field = f"{section}.{name}"
        found = declared(info or field)
        at = self.i if index is None else index
        self.entries((entry(field, found, value, target, written, fallback, label),), at)

    def each(self, section: str, part: Any, names: tuple[str, ...], given: set[str]) -> None:
        """The inputs `names` of a part of the intervention (its timing, its additionality),
        each into the line of its own name; written where `given` (the part's fields set by the
        file) holds it."""

        detail = (section, names, frozenset(given))
        self.entries(PLANS.get(part, detail, _each, section, part, names, given), self.i)

    def entries(self, entries: tuple[Entry, ...], at: Any) -> None:
        """The intervention's inputs `entries`, each at position `at` of its input line."""
        walk, key, path, owner, sources = self.walk, self._key, self._path, self._id, self._sources
        params, values, mine = walk.params, walk.values, self._mine
        for name, label, unit, value, target, domain, own, written, centre in entries:
            param = Param(
                key + name,
                path + name,
                label,
                unit,
                owner,
                "intervention",
                value,
                target,
                at,
                domain,
                sources if written else (DEFAULTS,),
                own,
                written,
            )
            # `Walk.add` for a position, as `Param.central` reads the value.
            params.append(param)
            values[target][at] = centre
            mine.append(param)


# ---------------------------------------------------------------------------------------------
# Prices and the core's structure
# ---------------------------------------------------------------------------------------------


def price_inputs(walk: Walk, derived: list[str]) -> dict[str, tuple[str, ...]]:
    """Each money block's price year and index as positions in the price table (the workbook
    shows their names); returns the names each position stands for, by input."""
    portfolio, prices, values = walk.portfolio, walk.prices.table, walk.values
    values["price_indices"] = np.array(prices.levels, dtype=float).reshape(
        len(prices.years), len(prices.series)
    )
    values["price_base"] = np.asarray(float(prices.year_at(prices.base)))
    explicit = [k for k, o in portfolio.outcomes.items() if o.components is not None]
    paths = {
        "cost": [f"interventions[{i}].unit_cost" for i in range(len(portfolio.interventions))],
        "component": [
            f"outcomes.{key}.components[{j}]"
            for key in explicit
            for j in range(len(portfolio.outcomes[key].components or []))
        ],
        "derive": [f"outcomes.{key}.derive" for key in derived],
        "placement": [row.path for row in walk.prices.rows],
    }
    # Each year's and index's position found once, by the year's id (the blocks hold their
    # years while this runs) and the index's name: 10,000 interventions' costs share a few.
    years: dict[int, float] = {}
    series = {name: float(k) for k, name in enumerate(prices.series)}
    for slot, at in paths.items():
        found = []
        for p in at:
            year = prices.blocks[p].year
            position = years.get(id(year))
            if position is None:
                position = years[id(year)] = float(prices.year_at(year))
            found.append(position)
        values[f"{slot}_price_year"] = np.array(found)
        values[f"{slot}_index"] = np.array([series[prices.names[p]] for p in at])
    names: dict[str, tuple[str, ...]] = {"price_base": prices.labels}
    for slot in paths:
        names[f"{slot}_price_year"] = prices.labels
        names[f"{slot}_index"] = prices.series
    return names


def core_inputs(walk: Walk, derived: list[str]) -> core.CoreInputs:
    """The walk's arrays with the structure of the portfolio's axes."""
    portfolio, values, prices = walk.portfolio, walk.values, walk.prices
    keys = walk.outcome_keys
    payers = tuple(
        sorted(
            set(walk.component_payer) | {CHILDRENS_SOCIAL_CARE},
            key=lambda p: (p != CHILDRENS_SOCIAL_CARE, p),
        )
    )
    # How each saving is booked (appraise.model.savings): cash-releasing is the cashable part;
    # the rest is capacity or cost avoidance; one-off or recurring.
    booked = walk.bookings
    values["component_cashable"] = np.array([float(b.cash_releasing) for b in booked])
    values["component_capacity"] = np.array([float(b.savings_class == CAPACITY) for b in booked])
    values["component_one_off"] = np.array([float(b.recurrence == ONE_OFF) for b in booked])
    values["component_csc"] = np.array(
        [float(p == CHILDRENS_SOCIAL_CARE) for p in walk.component_payer]
    )
    effect_outcome = values.pop("effect_outcome").astype(int)
    structure = Structure(
        n=len(portfolio.interventions),
        horizon=portfolio.horizon_years,
        outcome_index=effect_outcome[:, 0].copy(),
        component_outcome=np.array([keys.index(k) for k, _ in walk.components], dtype=int),
        n_outcomes=len(keys),
        n_derived=len(derived),
        n_ratings=len(RATINGS),
        n_given=len(values["component_cost_given"]),
        extra={
            "Q": len(prices.table.years),
            "S": len(prices.table.series),
            "W": len(prices.rows),
            "X": len(prices.ends),
        },
        effect_outcome=effect_outcome,
        staff_owner=np.array(walk.staff_owner, dtype=int),
    )
    return core.CoreInputs(
        values=values,
        structure=structure,
        payers=payers,
        component_payer=np.array([payers.index(p) for p in walk.component_payer], dtype=int),
    )
