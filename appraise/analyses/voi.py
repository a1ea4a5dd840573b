"""Value of information: what uncertainty costs a decision, and which input is worth checking.

A file describes decisions: with options, which option to fund (the highest NPV); without them,
whether to fund each service, each its own decision. On the simulation's draws (each uncertain
input's values and each choice's NPV), for a decision whose choices have NPVs Y[n, d]:

- EVPI, the expected value of perfect information: mean over draws of the best choice's NPV,
  minus the NPV of the choice best on average, mean_n max_d Y - max_d mean_n Y. What the decision
  loses, in expected pounds, by being made under uncertainty.
- EVPPI, of partial perfect information about an input (or a group of inputs) X: how much of that
  loss knowing X would remove, E_X[max_d E(Y_d | X)] - max_d E(Y_d).

How EVPPI is estimated (no second simulation is run). The regression method of Strong, Oakley and
Brennan (2014, Medical Decision Making 34(3): 311-326) fits each choice's NPV, relative to the
choice best on average, as a smooth function of X (a natural cubic spline of each input, with
products of the inputs of a group for their interactions), which says which choice would be made
knowing X. Its value is then counted on the draws themselves: the draws are split into cells by
the choice the fit makes, and in each cell the choice with the highest mean NPV there is taken;
EVPPI is the mean over draws of the NPV so chosen minus max_d mean Y. That is the partition
estimator of Strong and Oakley (2013, Medical Decision Making 33(6): 755-766) with its cells at
the points where the choice changes, as Sadatsafavi et al. (2013, Value in Health 16(2): 438-448)
place them for one input, found here by the regression so that groups work too.

Why count on the draws rather than on the fitted values: whatever the fit, the estimate is the
value of a rule that chooses in each cell, so it can never exceed EVPI (choosing draw by draw
is the best any rule can do) nor fall below 0 (one choice in every cell is a rule too); and a
group's cells are split further by each member's choices, so a group's value is never below any
member's (a finer partition loses nothing: the mean of the cell maxima of a coarser partition is
at most that of a finer one). All three hold exactly for any draws, by Jensen's inequality, not
only in expectation. The estimate's Monte Carlo standard error treats the cells as fixed: the
standard deviation over draws of (chosen NPV - NPV of the choice best on average) / sqrt(draws).
For two choices linear in one normal input it reproduces the closed form sigma phi(z) -
|mean| (1 - Phi(z)) (tests/test_voi.py).

Nothing here prints or reads files.
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from appraise.analyses.budget import acceptability
from appraise.analyses.options import option_members
from appraise.analyses.uncertainty import (
    Simulation,
    one_at_a_time,
    simulate,
    swing_range,
    uncertain_params,
)
from appraise.engine import evaluate
from appraise.engine.options import option_totals
from appraise.engine.params import Model, Param
from appraise.engine.results import number
from appraise.errors import InputError, Problem
from appraise.model.limits import check_kept

KNOTS = 6  # knots of each input's natural cubic spline: 5 degrees of freedom beyond a constant
# A group's interactions: products of pairs of its inputs up to this many inputs, of triples up
# to the next; past them a group is fitted additively (its value is still at least any member's).
PAIRS_UP_TO = 12
TRIPLES_UP_TO = 5


@dataclass(frozen=True)
class Decision:
    """One choice the file describes, with the NPV of each way it can go in every draw."""

    name: str  # "Options", or the id of a service funded or not
    choices: tuple[str, ...]
    npv: np.ndarray  # [draws, choices]
    cases: float  # the cases (families) the decision reaches over the horizon, at central values
    unit: str  # what a case is ("families", "women", "cases")

    @cached_property
    def best_on_average(self) -> int:
        """The choice with the highest mean NPV (the first of equal ones)."""
        return int(np.argmax(self.npv.mean(axis=0)))

    def incremental(self) -> np.ndarray:
        """NPV of each choice minus that of the choice best on average [draws, choices]."""
        return self.npv - self.npv[:, [self.best_on_average]]


def evpi(decision: Decision) -> tuple[float, np.ndarray]:
    """The decision's EVPI and, per draw, what choosing in that draw gains over the choice best
    on average (their mean is the EVPI)."""
    gain = decision.incremental().max(axis=1)
    return float(gain.mean()), gain


def partition_value(incremental: np.ndarray, cells: np.ndarray, reference: int) -> np.ndarray:
    """Per draw, what choosing in each cell gains over the choice best on average: the
    incremental NPV [draws, choices] of the choice with the highest total in the draw's cell,
    the reference (`reference`, 0 in every draw) winning ties (cells: a number per draw,
    0..k-1). The mean of these gains is the partition estimate of EVPPI."""
    count = int(cells.max()) + 1
    others = [d for d in range(incremental.shape[1]) if d != reference]
    if not others:
        return np.zeros(len(cells))
    totals = np.stack(
        [np.bincount(cells, weights=incremental[:, d], minlength=count) for d in others]
    )
    best = totals.argmax(axis=0)
    chosen = np.where(totals[best, np.arange(count)] > 0, np.asarray(others)[best], reference)
    return np.take_along_axis(incremental, chosen[cells][:, None], axis=1)[:, 0]


def natural_spline(x: np.ndarray, knots: int = KNOTS) -> np.ndarray:
    """The non-constant columns of a natural cubic spline basis of x [draws, knots - 1], knots at
    equally spaced quantiles (Hastie, Tibshirani and Friedman, The Elements of Statistical
    Learning, 2009, eq. 5.4-5.5), x scaled to 0..1 first so the cubes stay well conditioned."""
    lo, hi = float(x.min()), float(x.max())
    if hi <= lo:
        return np.zeros((len(x), 0))
    z = (x - lo) / (hi - lo)
    xi = np.unique(np.quantile(z, np.linspace(0, 1, knots)))
    if len(xi) < 3:  # two values, or nearly: a straight line is all there is to fit
        return z[:, None]

    def d(k: int) -> np.ndarray:
        return (np.maximum(z - xi[k], 0) ** 3 - np.maximum(z - xi[-1], 0) ** 3) / (xi[-1] - xi[k])

    last = d(len(xi) - 2)
    return np.column_stack([z, *(d(k) - last for k in range(len(xi) - 2))])


def group_basis(columns: Sequence[np.ndarray], splines: Sequence[np.ndarray]) -> np.ndarray:
    """A group's regressors: each member's spline, and products of pairs and triples of the
    members (scaled 0..1) for how they act together (reach x effect x cost of care)."""
    k = len(columns)
    parts = [*splines]
    if k <= PAIRS_UP_TO:
        parts += [(a * b)[:, None] for a, b in itertools.combinations(columns, 2)]
    if k <= TRIPLES_UP_TO:
        parts += [(a * b * c)[:, None] for a, b, c in itertools.combinations(columns, 3)]
    return np.column_stack(parts) if parts else np.zeros((len(columns[0]) if k else 0, 0))


@dataclass(frozen=True)
class Responses:
    """Every decision's incremental NPVs side by side, centred, for one least-squares fit per
    set of regressors to serve every decision: each decision's choices but the one best on
    average, whose incremental NPV is 0 in every draw and so needs no fit."""

    centred: np.ndarray  # [draws, fitted columns]
    mean: np.ndarray
    blocks: tuple[tuple[int, tuple[int, ...]], ...]  # each decision: (reference, others)

    @classmethod
    def of(cls, decisions: Sequence[Decision], incremental: Sequence[np.ndarray]) -> Responses:
        blocks, columns = [], []
        for decision, block in zip(decisions, incremental, strict=True):
            ref = decision.best_on_average
            others = tuple(d for d in range(block.shape[1]) if d != ref)
            blocks.append((ref, others))
            columns += [block[:, d] for d in others]
        draws = incremental[0].shape[0]
        y = np.column_stack(columns) if columns else np.zeros((draws, 0))
        mean = y.mean(axis=0)
        return cls(y - mean, mean, tuple(blocks))


def fitted_choices(responses: Responses, basis: np.ndarray) -> list[np.ndarray]:
    """For each decision, the choice each draw's inputs point to: the highest of its incremental
    NPVs fitted by least squares on the basis (with a constant), the choice best on average
    (fitted at 0 exactly) winning ties.

    The normal equations of the centred basis are solved (a few columns: fast, and the spline's
    columns on 0..1 keep them well conditioned); a column repeating others is dropped by the
    pseudo-inverse, so an input drawn as one value fits a constant."""
    y = responses.centred
    draws = len(y)
    if basis.shape[1] and y.shape[1]:
        centred = basis - basis.mean(axis=0)
        # einsum rather than BLAS for the products with the tall, narrow basis: as fast alone
        # and several times faster on a busy machine, where BLAS threads wait on each other.
        cross = np.einsum("nk,nd->kd", centred, y)
        coef = np.linalg.pinv(centred.T @ centred, hermitian=True) @ cross
        fitted = np.einsum("kd,nk->dn", coef, centred)  # a row per choice: contiguous
    else:
        fitted = np.zeros((y.shape[1], draws))
    fitted += responses.mean[:, None]
    out, at = [], 0
    for ref, others in responses.blocks:
        chosen = np.full(draws, ref, dtype=np.int8)  # at most MAX_OPTIONS (100) choices
        top = np.zeros(draws)
        for d in others:
            better = fitted[at] > top
            chosen[better] = d
            np.maximum(top, fitted[at], out=top)
            at += 1
        out.append(chosen)
    return out


def cells_of(labels: Sequence[np.ndarray]) -> np.ndarray:
    """One cell number per draw for each combination of the labels that occurs (0..k-1)."""
    code = np.zeros(len(labels[0]), dtype=np.int64)
    cells = 1
    for label in labels:
        code = code * (int(label.max()) + 1) + label
        # Renumber the combinations that occur 0..k-1, so codes stay below the draws.
        present = np.zeros(int(code.max()) + 1, dtype=bool)
        present[code] = True
        code = (np.cumsum(present) - 1)[code]
        cells = int(present.sum())
    assert cells <= len(code)
    return code


@dataclass(frozen=True)
class Estimate:
    """The value of knowing some inputs, in each decision and in all: per draw gains kept."""

    value: float  # summed over the decisions
    se: float
    by_decision: tuple[float, ...]

    def to_data(self) -> dict[str, Any]:
        return {
            "evppi": number(self.value),
            "evppi_se": number(self.se),
            "by_decision": [number(v) for v in self.by_decision],
        }


def _estimate(gains: Sequence[np.ndarray]) -> Estimate:
    total = np.sum(gains, axis=0)
    se = float(total.std(ddof=1) / math.sqrt(len(total))) if len(total) > 1 else 0.0
    return Estimate(float(total.mean()), se, tuple(float(g.mean()) for g in gains))


class Evppi:
    """EVPPI of inputs and groups of inputs for a set of decisions on the same draws."""

    def __init__(self, decisions: Sequence[Decision], inputs: Mapping[str, np.ndarray]):
        self.decisions = list(decisions)
        self.inputs = inputs
        self._incremental = [d.incremental() for d in self.decisions]
        self._responses = Responses.of(self.decisions, self._incremental)
        self._labels: dict[str, list[np.ndarray]] = {}  # input -> its choice in each decision

    def spline(self, key: str) -> np.ndarray:
        return natural_spline(self.inputs[key])  # cheap to make again: not kept

    def labels(self, key: str) -> list[np.ndarray]:
        """The choice one input alone points to, in each decision."""
        if key not in self._labels:
            self._labels[key] = fitted_choices(self._responses, self.spline(key))
        return self._labels[key]

    def single(self, key: str) -> Estimate:
        return self._value([[labels] for labels in self.labels(key)])

    def group(self, keys: Sequence[str]) -> Estimate:
        """A group: cells by the group's fitted choice and by each member's own."""
        if len(keys) == 1:
            return self.single(keys[0])
        scaled = [self._scaled(k) for k in keys]
        own = fitted_choices(self._responses, group_basis(scaled, [self.spline(k) for k in keys]))
        return self._value(
            [[mine, *(self.labels(k)[d] for k in keys)] for d, mine in enumerate(own)]
        )

    def _value(self, labels: Sequence[Sequence[np.ndarray]]) -> Estimate:
        """The partition estimate in each decision, its cells made by that decision's labels."""
        gains = [
            partition_value(incremental, cells_of(found), decision.best_on_average)
            for decision, incremental, found in zip(
                self.decisions, self._incremental, labels, strict=True
            )
        ]
        return _estimate(gains)

    def _scaled(self, key: str) -> np.ndarray:
        x = self.inputs[key]
        lo, hi = float(x.min()), float(x.max())
        return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


# ---------------------------------------------------------------------------------------------
# The decisions a portfolio describes
# ---------------------------------------------------------------------------------------------


def cases_over_horizon(model: Model, index: int, reach: float) -> float:
    """Cases an intervention serves over the horizon at central values: a full cohort each
    year it starts one (its first at `ramp_up` of full size)."""
    item = model.interventions[index]
    h = model.portfolio.horizon_years
    started = h if item.timing.cohorts == 0 else min(item.timing.cohorts, h)
    ramp = float(model.base.values["ramp_up"][index])
    return reach * (started - 1 + ramp) if started else 0.0


def decisions_of(
    model: Model, figures: Mapping[str, np.ndarray], reach: Sequence[float]
) -> list[Decision]:
    """The decisions of a file: one among its options, or fund-or-not for each service.

    `figures` holds each intervention's simulated `npv` and `pv_cost` [draws, n]; `reach` the
    cases each serves a year at central values.
    """
    groups = option_members(model.portfolio)
    items = model.interventions
    cases = [cases_over_horizon(model, i, reach[i]) for i in range(len(items))]
    if groups is not None and model.portfolio.options is not None:
        npv = np.column_stack(
            [
                np.broadcast_to(
                    option_totals(figures, model.base.structure, members)["npv"],
                    (figures["npv"].shape[0],),
                )
                for members in groups
            ]
        )
        reached = max((sum(cases[i] for i in members) for members in groups), default=0.0)
        units = {items[i].reach.unit or "cases" for members in groups for i in members}
        return [
            Decision(
                "Options",
                tuple(o.name for o in model.portfolio.options),
                npv,
                reached,
                units.pop() if len(units) == 1 else "cases",
            )
        ]
    return [
        Decision(
            item.id,
            ("Do not fund", f"Fund {item.id}"),
            np.column_stack([np.zeros(figures["npv"].shape[0]), figures["npv"][:, i]]),
            cases[i],
            item.reach.unit or "cases",
        )
        for i, item in enumerate(items)
    ]


# ---------------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    """An input or a group, with what knowing it is worth and where the tornado puts it."""

    key: str  # the input's key, or the group's name
    label: str
    inputs: tuple[str, ...]
    estimate: Estimate
    swing: float | None = None  # the tornado's widest swing in NPV (inputs only)
    tornado_rank: int | None = None

    def to_data(self, evpi_total: float) -> dict[str, Any]:
        share = self.estimate.value / evpi_total if evpi_total > 0 else 0.0
        data: dict[str, Any] = {"key": self.key, "label": self.label}
        if len(self.inputs) != 1 or self.inputs[0] != self.key:
            data["inputs"] = list(self.inputs)
        data.update(self.estimate.to_data())
        data["share_of_evpi"] = number(share)
        if self.swing is not None:
            data["tornado_swing"] = number(self.swing)
            data["tornado_rank"] = self.tornado_rank
        return data


@dataclass
class ValueOfInformation:
    """EVPI of each decision, and EVPPI of each uncertain input and group, ranked."""

    draws: int
    decisions: list[Decision]
    evpi: list[float]
    evpi_se: float
    inputs: list[Ranked]  # highest EVPPI first
    groups: list[Ranked] = field(default_factory=list)

    @property
    def total_evpi(self) -> float:
        return float(sum(self.evpi))

    def to_data(self) -> dict[str, Any]:
        total = self.total_evpi
        return {
            "method": (
                "EVPI from the draws; EVPPI by regression (Strong, Oakley and Brennan 2014) "
                "counted on the draws in the cells where the fitted choice changes (Strong and "
                "Oakley 2013; Sadatsafavi et al. 2013)"
            ),
            "draws": self.draws,
            "evpi": number(total),
            "evpi_se": number(self.evpi_se),
            "decisions": [
                {
                    "name": d.name,
                    "choices": list(d.choices),
                    "best_on_average": d.choices[d.best_on_average],
                    "evpi": number(v),
                    "cases": number(d.cases),
                    "unit": d.unit,
                    "evpi_per_case": number(v / d.cases) if d.cases > 0 else None,
                }
                for d, v in zip(self.decisions, self.evpi, strict=True)
            ],
            "inputs": [r.to_data(total) for r in self.inputs],
            "groups": [r.to_data(total) for r in self.groups],
        }


def rank(
    decisions: Sequence[Decision],
    inputs: Mapping[str, np.ndarray],
    params: Sequence[Param],
    groups: Mapping[str, Sequence[str]],
    swings: Mapping[str, float],
    labels: Mapping[str, str],
) -> ValueOfInformation:
    """EVPI of every decision and EVPPI of every uncertain input and group, highest first.

    `swings` is each input's widest swing in NPV on the tornado (for its rank beside EVPPI);
    `labels` names each input and group for people.
    """
    draws = len(next(iter(inputs.values()))) if inputs else decisions[0].npv.shape[0]
    found = [evpi(d) for d in decisions]
    gains = np.sum([g for _, g in found], axis=0)
    se = float(gains.std(ddof=1) / math.sqrt(draws)) if draws > 1 else 0.0
    estimator = Evppi(decisions, inputs)
    order = sorted(swings, key=lambda k: -swings[k])
    tornado_rank = {k: order.index(k) + 1 for k in order}
    ranked = [
        Ranked(
            p.key,
            labels.get(p.key, p.label),
            (p.key,),
            estimator.single(p.key),
            swings.get(p.key),
            tornado_rank.get(p.key),
        )
        for p in params
    ]
    # Equal values (most often nothing) in the tornado's order.
    ranked.sort(key=lambda r: (-r.estimate.value, r.tornado_rank or len(ranked) + 1))
    grouped = [
        Ranked(name, labels.get(name, name), tuple(keys), estimator.group(keys))
        for name, keys in groups.items()
    ]
    grouped.sort(key=lambda r: -r.estimate.value)
    return ValueOfInformation(draws, list(decisions), [v for v, _ in found], se, ranked, grouped)


# ---------------------------------------------------------------------------------------------
# From a simulation that kept its draws
# ---------------------------------------------------------------------------------------------


def input_label(model: Model, param: Param) -> str:
    """'MST: Success rate', the owner's name before the input's label (as the app shows it)."""
    names = {
        **{i.id: i.name for i in model.interventions},
        **{k: o.name for k, o in model.portfolio.outcomes.items()},
    }
    whose = names.get(param.owner, param.owner)
    if param.owner_kind == "portfolio" or param.label.startswith(f"{whose}:"):
        return param.label
    return f"{whose}: {param.label}"


def owner_groups(model: Model, params: Sequence[Param]) -> dict[str, list[str]]:
    """Each intervention's and each outcome's uncertain inputs, where it has two or more: what
    one study of a service, or one audit of a cost, would settle together."""
    out: dict[str, list[str]] = {}
    names = {
        **{i.id: i.name for i in model.interventions},
        **{k: o.name for k, o in model.portfolio.outcomes.items()},
    }
    for owner in dict.fromkeys(p.owner for p in params if p.owner_kind != "portfolio"):
        keys = [p.key for p in params if p.owner == owner]
        if len(keys) >= 2:
            out[f"{names.get(owner, owner)}: all its uncertain inputs"] = keys
    return out


def file_groups(model: Model, params: Sequence[Param]) -> dict[str, list[str]]:
    """The groups the file names (`value_of_information.groups`), each input checked."""
    section = model.portfolio.value_of_information
    if section is None:
        return {}
    known = [p.key for p in params]
    problems = []
    for name, keys in section.groups.items():
        for j, key in enumerate(keys):
            if key not in known:
                hint = difflib.get_close_matches(key, known, n=1)
                problems.append(
                    Problem(
                        model.portfolio._file,
                        f"value_of_information.groups.{name}[{j}]",
                        "not an input given as a range or distribution"
                        + (f"; did you mean {hint[0]!r}?" if hint else ""),
                        key,
                    )
                )
    if problems:
        raise InputError(problems)
    return {name: list(dict.fromkeys(keys)) for name, keys in section.groups.items()}


def tornado_swings(model: Model, params: Sequence[Param]) -> dict[str, float]:
    """Each input's swing on the tornado, as `appraise sensitivity` measures it: the NPV with the
    input at its low and at its high, the others central. Without options, the portfolio's NPV
    (its Portfolio total tornado); with them, the widest swing of any option's NPV."""
    if not params:
        return {}
    ranges = [swing_range(p.value) for p in params]
    npv = one_at_a_time(model, params, [r[0] for r in ranges], [r[1] for r in ranges])
    k = len(params)
    groups = option_members(model.portfolio)
    if groups is None:
        whole = npv[:, -1:]
    else:
        whole = np.column_stack([npv[:, members].sum(axis=1) for members in groups])
    return {p.key: float(np.abs(whole[k + j] - whole[j]).max()) for j, p in enumerate(params)}


def information(simulation: Simulation) -> ValueOfInformation:
    """The value of information of a simulation that kept its draws (`simulate(keep=True)`)."""
    kept = simulation.kept
    assert kept is not None, "simulate(..., keep=True) keeps the draws this needs"
    model, params = simulation.model, simulation.inputs
    reach = evaluate.run(model.base.values, model.base.structure, ("reach",))["reach"]
    decisions = decisions_of(model, kept.figures, [float(r) for r in reach])
    groups = {**owner_groups(model, params), **file_groups(model, params)}
    labels = {p.key: input_label(model, p) for p in params}
    return rank(decisions, kept.inputs, params, groups, tornado_swings(model, params), labels)


def simulation_with_information(
    model: Model, draws: int, seed: int, where: str = "--draws", skip: bool = False
) -> dict[str, Any]:
    """`appraise simulate --voi --format json`: the simulation, its `value_of_information` and,
    with options, `acceptability_by_budget`, all from the same draws.

    Keeping every draw must fit the work budget (`check_kept`): past it, an InputError; or with
    `skip` (a page or a paper that shows the simulation anyway) the simulation alone, with
    `voi_skipped` saying why, as also for a group the file names that is not an uncertain input.
    """
    try:
        check_kept(draws, len(uncertain_params(model)), len(model.ids), where)
    except InputError as error:
        if not skip:
            raise
        return {**simulate(model, draws, seed).to_data(), "voi_skipped": str(error.problems[0])}
    result = simulate(model, draws, seed, keep=True)
    assert result.kept is not None
    data = result.to_data()
    try:
        data["value_of_information"] = information(result).to_data()
    except InputError as error:
        if not skip:
            raise
        data["voi_skipped"] = "; ".join(str(p) for p in error.problems)
    budget = acceptability(model, result.kept)
    if budget is not None:
        data["acceptability_by_budget"] = budget
    return data
