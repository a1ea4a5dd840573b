"""Options: an option's figures over its own interventions, and the incremental figures, defined once.

An option's figures are those of its interventions taken together by each line's own `total`
rule (`appraise.engine.lines`): a sum of the money, the same formula over the sums for a ratio or
a payback year, exactly as the portfolio total is made (`appraise.engine.evaluate.totals`), only
over a subset. Doing nothing (no interventions) has every figure 0.

The incremental figures of an option over a cheaper one (HM Treasury Green Book; docs/options.md)
are lines like any other: `appraise.analyses.options` evaluates them over numpy arrays, and the
workbook's Options sheet writes the same definitions as its formulas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from appraise.engine import evaluate
from appraise.engine.evaluate import Structure
from appraise.engine.lines import LINES, Line

# How an incremental benefit-cost ratio over no extra cost is shown (a ratio over zero).
NO_EXTRA_COST = "infinite (no extra cost)"

P = ()
OPTION: dict[str, Line] = {
    key: Line(key, P, label, "£", "input", fmt="money")
    for key, label in (
        ("pv_cost", "Present value of cost (this option)"),
        ("pv_gross_savings", "Present value of gross savings (this option)"),
        ("npv", "Net present value (this option)"),
        ("base_pv_cost", "Present value of cost (the next cheaper option)"),
        ("base_pv_gross_savings", "Present value of gross savings (the next cheaper option)"),
        ("base_npv", "Net present value (the next cheaper option)"),
    )
}
for key, label, unit, how, formula, fmt, infinite in (
    (
        "incremental_pv_cost",
        "Extra present value of cost over the next cheaper option",
        "£",
        "present value of cost - that of the next cheaper option",
        lambda v, o: v.pv_cost - v.base_pv_cost,
        "money",
        None,
    ),
    (
        "incremental_pv_gross_savings",
        "Extra present value of gross savings over the next cheaper option",
        "£",
        "present value of gross savings - that of the next cheaper option",
        lambda v, o: v.pv_gross_savings - v.base_pv_gross_savings,
        "money",
        None,
    ),
    (
        "incremental_npv",
        "Incremental NPV over the next cheaper option",
        "£",
        "NPV - the NPV of the next cheaper option",
        lambda v, o: v.npv - v.base_npv,
        "money",
        None,
    ),
    (
        "incremental_bcr",
        "Incremental benefit-cost ratio over the next cheaper option",
        "ratio",
        f'extra present value of gross savings / extra present value of cost ("{NO_EXTRA_COST}" '
        "when there is no extra cost)",
        lambda v, o: o.ratio(v.incremental_pv_gross_savings, v.incremental_pv_cost),
        "n2",
        NO_EXTRA_COST,
    ),
):
    OPTION[key] = Line(key, P, label, unit, how, formula, fmt, infinite=infinite)

INCREMENTAL = ("incremental_pv_cost", "incremental_pv_gross_savings", "incremental_npv")
INCREMENTAL_KEYS = (*INCREMENTAL, "incremental_bcr")


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
