"""Checking a stated figure: the arithmetic of `appraise verify`, defined once.

A claim holds when |claimed - figure| <= tolerance + an allowance for binary rounding relative to
the claimed figure (309,617.5 against 309,618 is exactly 0.5 off). `appraise.analyses.verify`
evaluates these lines; the workbook's Claims check sheet writes them as its formulas.
"""

from __future__ import annotations

from appraise.engine.lines import Line

# Relative allowance for binary rounding when comparing a claim with its tolerance.
ROUNDING_ALLOWANCE = 1e-12

P = ()
CLAIM: dict[str, Line] = {
    key: Line(key, P, label, unit, "input", fmt=fmt)
    for key, label, unit, fmt in (
        ("claimed", "Claimed", "as written", "n4"),
        ("figure", "The recomputed figure", "as claimed", "n4"),
        ("tolerance", "Tolerance (±)", "as claimed", "n4"),
        ("allowance", "Allowance for binary rounding, relative to the claimed figure", "", "sci"),
        ("engine_figure", "The engine's figure under the claim's assumptions", "", "n4"),
        ("own_figure", "The portfolio's own figure", "", "n4"),
    )
}
for key, label, how, formula in (
    (
        "claim_holds",
        "The claim holds (within tolerance)",
        "|claimed - figure| <= tolerance + allowance x max(1, |claimed|)",
        lambda v, o: o.le(
            o.abs(v.claimed - v.figure), v.tolerance + v.allowance * o.maximum(1, o.abs(v.claimed))
        ),
    ),
    (
        "claim_difference",
        "Difference: claimed - figure",
        "claimed - figure",
        lambda v, o: v.claimed - v.figure,
    ),
    (
        "assumptions_move",
        "The assumptions move the figure by (engine - workbook)",
        "the engine's figure - the portfolio's own",
        lambda v, o: v.engine_figure - v.own_figure,
    ),
):
    CLAIM[key] = Line(key, P, label, "as claimed", how, formula, "n4")
