"""Options: an option's figures over its own interventions, its place on the efficiency frontier
and its incremental figures, each defined once.

An option's figures are those of its interventions taken together by each line's own `total`
rule (`appraise.engine.lines`): a sum of the money, the same formula over the sums for a ratio or
a payback year, exactly as the portfolio total is made (`appraise.engine.evaluate.totals`), only
over a subset. Doing nothing (no interventions) has every figure 0.

Which options are worth comparing, and with what, is the incremental analysis of health
economics, on the efficiency frontier: dampack's `calculate_icers` (DARTH-git/dampack,
R/icers.R; Alarid-Escudero et al.) is the reference this follows. Cost is the present value of
cost and effect the present value of gross savings (HM Treasury Green Book: both in £, so the
incremental cost-effectiveness ratio is the reciprocal of the incremental benefit-cost ratio):

- an option is **dominated** when another costs no more and saves no less (and differs, or comes
  first in the file: of two identical options the later is dominated, as dampack's stable sort
  by cost and then effect makes it);
- an option is ruled out by **extended dominance** when it lies below the straight line between
  two others, one cheaper and one dearer: a mix of those two would save more for the same cost.
  dampack removes, again and again, any option whose ICER exceeds that of the next; what remains
  is the upper concave hull of the points, and a point is off that hull exactly when it lies
  strictly below some chord between a cheaper and a dearer point, which is the test written here
  (one pass, so that a spreadsheet can hold it as a formula);
- the options left form the **frontier**, in order of cost; each is compared with the option
  before it on the frontier (not merely the next cheaper), the cheapest with nothing.

Doing nothing is always a point (it costs and saves nothing; Green Book, business as usual), last
in the order, so an option in the file that is itself doing nothing takes its place.

These rules are lines over the options (axis `K`), written with the operations of
`appraise.engine.ops`: `evaluate_options` runs them over numpy arrays and the workbook's Options
sheet writes the same definitions as its formulas, so an edit re-ranks the options and moves the
frontier. An operand `other_<key>` is every option's figure (axis `A`, a column of the sheet),
`chord_<key>` the same again across (axis `B`, a row), for the pairs the chord test needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np

from appraise.engine import evaluate
from appraise.engine.evaluate import Structure
from appraise.engine.lines import LINES, Line, define
from appraise.engine.ops import NumpyOps

# How an incremental benefit-cost ratio over no extra cost is shown (a ratio over zero).
NO_EXTRA_COST = "infinite (no extra cost)"
# Where an option is on the frontier (`status`), and the words the workbook shows for each.
FRONTIER, DOMINATED, EXTENDED = 0, 1, 2
STATUS = {FRONTIER: "frontier", DOMINATED: "dominated", EXTENDED: "extended_dominance"}
STATUS_WORDS = {
    FRONTIER: "on the frontier",
    DOMINATED: "dominated",
    EXTENDED: "dominated (extended dominance)",
}
NOT_COMPARED = {  # an incremental figure that is not worked out, and why
    FRONTIER: "none: the cheapest on the frontier",
    DOMINATED: "none: dominated",
    EXTENDED: "none: extended dominance",
}
NOT_AN_OPTION = "not an option in the file"

K, A, B = ("K",), ("A",), ("B",)
OPTION: dict[str, Line] = {}
_option = partial(define, OPTION)

# Inputs: each option's figures (doing nothing, the last point, all 0) and its place in the file.
for key, label, unit, fmt in (
    ("pv_cost", "Present value of cost", "£", "money"),
    ("pv_gross_savings", "Present value of gross savings", "£", "money"),
    ("npv", "Net present value", "£", "money"),
    ("listed", "An option in the file (1), or doing nothing (0)", "switch", "int"),
    ("order", "Position in the file (doing nothing last)", "position", "int"),
):
    _option(key, K, label, unit, "the option's own figure", fmt=fmt)
# The same figures of every option: a column (A) and a row (B) of the options table.
SEEN = ("pv_cost", "pv_gross_savings", "npv", "listed", "order", "frontier", "frontier_position")
for key in SEEN:
    _option(f"other_{key}", A, f"Every option's: {key}", "", "the options' column", fmt="")
for key in ("pv_cost", "pv_gross_savings"):
    _option(f"chord_{key}", B, f"Every option's, across: {key}", "", "the options' row", fmt="")


def _dominated(v: Any, o: Any) -> Any:
    """1 when another option costs no more and saves no less (and differs, or comes first)."""
    no_dearer = o.le(v.other_pv_cost, v.pv_cost) * o.ge(
        v.other_pv_gross_savings, v.pv_gross_savings
    )
    better = (
        o.lt(v.other_pv_cost, v.pv_cost)
        + o.lt(v.pv_gross_savings, v.other_pv_gross_savings)
        + o.lt(v.other_order, v.order)
    )
    return o.where(o.lt(0, o.count(no_dearer * o.lt(0, better))), 1, 0)


def _below_a_chord(v: Any, o: Any) -> Any:
    """1 when the option lies strictly below the line from a cheaper option (A) to a dearer
    one (B): (savings - S_a)(C_b - C_a) < (S_b - S_a)(cost - C_a)."""
    between = o.lt(v.other_pv_cost, v.pv_cost) * o.lt(v.pv_cost, v.chord_pv_cost)
    below = o.lt(
        (v.pv_gross_savings - v.other_pv_gross_savings) * (v.chord_pv_cost - v.other_pv_cost),
        (v.chord_pv_gross_savings - v.other_pv_gross_savings) * (v.pv_cost - v.other_pv_cost),
    )
    return o.where(o.eq(v.dominated, 1), 0, o.where(o.lt(0, o.count(between * below)), 1, 0))


def _why_not(v: Any, o: Any, value: Any) -> Any:
    """`value` for an option compared with another on the frontier; otherwise why it is not."""
    return o.where(
        o.lt(0, v.comparator),
        value,
        o.where(
            o.eq(v.status, DOMINATED),
            o.not_applicable(NOT_COMPARED[DOMINATED]),
            o.where(
                o.eq(v.status, EXTENDED),
                o.not_applicable(NOT_COMPARED[EXTENDED]),
                o.not_applicable(NOT_COMPARED[FRONTIER]),
            ),
        ),
    )


for key, label, unit, how, formula, fmt in (
    (
        "dominated",
        "Dominated: another option costs no more and saves no more (1 = yes)",
        "switch",
        "1 if some other option has a present value of cost no higher and of gross savings no "
        "lower (and differs, or comes first)",
        _dominated,
        "int",
    ),
    (
        "extended",
        "Ruled out by extended dominance (1 = yes)",
        "switch",
        "1 if not dominated and strictly below the line joining a cheaper and a dearer option",
        _below_a_chord,
        "int",
    ),
    (
        "status",
        "Status: 0 on the frontier, 1 dominated, 2 extended dominance",
        "code",
        "dominated first, then extended dominance",
        lambda v, o: o.where(o.eq(v.dominated, 1), DOMINATED, o.where(o.eq(v.extended, 1), 2, 0)),
        "int",
    ),
    (
        "frontier",
        "On the efficiency frontier (1 = yes)",
        "switch",
        "neither dominated nor ruled out by extended dominance",
        lambda v, o: o.where(o.eq(v.status, FRONTIER), 1, 0),
        "int",
    ),
    (
        "frontier_position",
        "Place on the frontier, cheapest first (0 = not on it)",
        "position",
        "the options on the frontier costing no more than this one",
        lambda v, o: o.where(
            o.eq(v.frontier, 1),
            o.count(v.other_frontier * o.le(v.other_pv_cost, v.pv_cost)),
            0,
        ),
        "int",
    ),
    (
        "comparator",
        "Compared with: the option before it on the frontier (its row; 0 = none)",
        "position",
        "the option whose place on the frontier is one less",
        lambda v, o: o.where(
            o.lt(1, v.frontier_position),
            o.match(v.frontier_position - 1, v.other_frontier_position),
            0,
        ),
        "int",
    ),
):
    _option(key, K, label, unit, how, formula, fmt)
for key in ("pv_cost", "pv_gross_savings", "npv"):
    _option(
        f"base_{key}",
        K,
        f"{OPTION[key].label} of the option compared with",
        "£",
        "its figure, from its row (0 when compared with none)",
        lambda v, o, key=key: o.where(
            o.lt(0, v.comparator), o.pick(getattr(v, f"other_{key}"), v.comparator), 0
        ),
        "money",
    )
    _option(
        f"step_{key}",
        K,
        f"{OPTION[key].label}: this option's less that of the option compared with",
        "£",
        "the option's figure - the figure of the option compared with",
        lambda v, o, key=key: getattr(v, key) - getattr(v, f"base_{key}"),
        "money",
    )
for key, label, how, step in (
    (
        "incremental_pv_cost",
        "Extra present value of cost over the option before it on the frontier",
        "present value of cost - that of the option compared with",
        "step_pv_cost",
    ),
    (
        "incremental_pv_gross_savings",
        "Extra present value of gross savings over the option before it on the frontier",
        "present value of gross savings - that of the option compared with",
        "step_pv_gross_savings",
    ),
    (
        "incremental_npv",
        "Incremental NPV over the option before it on the frontier",
        "NPV - the NPV of the option compared with",
        "step_npv",
    ),
):
    _option(
        key,
        K,
        label,
        "£",
        how,
        lambda v, o, step=step: _why_not(v, o, getattr(v, step)),
        "money",
    )
_option(
    "incremental_bcr",
    K,
    "Incremental benefit-cost ratio over the option before it on the frontier",
    "ratio",
    f'extra present value of gross savings / extra present value of cost ("{NO_EXTRA_COST}" '
    "when there is no extra cost)",
    lambda v, o: _why_not(v, o, o.ratio(v.step_pv_gross_savings, v.step_pv_cost)),
    "n2",
    infinite=NO_EXTRA_COST,
)
_option(
    "rank",
    K,
    "Rank by NPV (1 = the highest)",
    "rank",
    "1 + the options with a higher NPV, or the same NPV and a lower present value of cost, or "
    "both the same and listed first",
    lambda v, o: o.where(
        o.eq(v.listed, 1),
        1
        + o.count(
            v.other_listed
            * (
                o.lt(v.npv, v.other_npv)
                + o.eq(v.other_npv, v.npv)
                * (
                    o.lt(v.other_pv_cost, v.pv_cost)
                    + o.eq(v.other_pv_cost, v.pv_cost) * o.lt(v.other_order, v.order)
                )
            )
        ),
        o.not_applicable(NOT_AN_OPTION),
    ),
    "int",
)

INCREMENTAL = ("incremental_pv_cost", "incremental_pv_gross_savings", "incremental_npv")
INCREMENTAL_KEYS = (*INCREMENTAL, "incremental_bcr")
OPTION_INPUTS = ("pv_cost", "pv_gross_savings", "npv", "listed", "order")


class _PairOps(NumpyOps):
    """The operations over the options: an option's own figure on axis 0, every option's
    (`other_`) on axis 1 and again (`chord_`) on axis 2, so that pairs broadcast."""

    def count(self, x: Any) -> Any:
        """How many options (or pairs of options) satisfy x, for each option."""
        return np.sum(np.asarray(x, dtype=float), axis=(1, 2), keepdims=True)

    def match(self, x: Any, column: Any) -> Any:
        """The 1-based row of the first option whose figure in `column` is x (0: none)."""
        hits = np.asarray(column) == np.asarray(x)
        return np.where(hits.any(axis=1, keepdims=True), hits.argmax(axis=1)[:, None] + 1, 0)

    def pick(self, column: Any, row: Any) -> Any:
        """The figure in `column` of the option at a 1-based row (any value where row is 0)."""
        values = np.asarray(column, dtype=float).reshape(-1)
        index = np.clip(np.asarray(row, dtype=int) - 1, 0, len(values) - 1)
        return values[index]


class _PairNames:
    def __init__(self, values: Mapping[str, np.ndarray]):
        self._values = values

    def __getattr__(self, name: str) -> np.ndarray:
        for prefix, shape in (("other_", (1, -1, 1)), ("chord_", (1, 1, -1))):
            if name.startswith(prefix):
                return self._values[name.removeprefix(prefix)].reshape(shape)
        return self._values[name].reshape(-1, 1, 1)


def evaluate_options(inputs: Mapping[str, Sequence[float]]) -> dict[str, np.ndarray]:
    """The option lines over numpy arrays, one value per option (`OPTION_INPUTS` given, in the
    order of the options table: the file's options, then doing nothing)."""
    values: dict[str, np.ndarray] = {
        key: np.asarray(inputs[key], dtype=float).reshape(-1, 1, 1) for key in OPTION_INPUTS
    }
    ops = _PairOps()
    names = _PairNames(values)
    for key, line in OPTION.items():
        if line.formula is not None:
            with np.errstate(invalid="ignore", divide="ignore"):
                result = np.asarray(line.formula(names, ops), dtype=float)
            values[key] = np.broadcast_to(result, values["order"].shape).copy()
    return {key: array.reshape(-1) for key, array in values.items()}


def _n_axis(line: Line) -> int:
    """Position of the interventions axis, counted from the end."""
    return line.level.index("n") - len(line.level)


def option_totals(
    per: Mapping[str, np.ndarray], structure: Structure, members: Sequence[int]
) -> dict[str, np.ndarray]:
    """The figures of the interventions `members` taken together (an option), by the lines' own
    `total` rules: what `appraise.engine.core.appraise` gives as the portfolio total, over a subset.

    `per` holds per-intervention arrays [..., n, ...] as the core returns them (leading axes are
    draws); the result drops the interventions axis. Payback years are whole numbers, 0 = never.
    """
    index = np.asarray(members, dtype=int)
    subset: dict[str, np.ndarray] = {}
    for key, array in per.items():
        line = LINES.get(key)
        if line is None:
            continue  # breakdowns by payer or component: not lines
        subset[key] = np.take(array, index, axis=_n_axis(line)) if "n" in line.level else array
    own = replace(structure, n=len(index), outcome_index=structure.outcome_index[index])
    out: dict[str, np.ndarray] = {}
    for key, array in evaluate.totals(subset, own).items():
        line = LINES[key]
        out[key] = np.squeeze(array, axis=_n_axis(line)) if "n" in line.level else array
    for key in ("payback_year", "discounted_payback_year"):
        if key in out:
            out[key] = out[key].astype(int)
    return out
