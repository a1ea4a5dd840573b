"""Acceptability by budget: for each sum available a year, the chance each option is the best
one the money covers.

In each draw an option is affordable when a year of its services (its `cost`, the sum over its
interventions) is within the budget; the best affordable option is the one of highest NPV among
those, by the ranking's rule (equal NPVs to the cheaper by present value of cost, then the first
listed: `appraise.analyses.options.best`). The chance is the share of draws. As the budget grows
the curves settle at each option's chance of being best outright (`simulate`'s P(best)). Where
no option is affordable (the file lists no doing nothing) the share of such draws is reported.
This is the cost-effectiveness acceptability curve of health economics with the money available
in place of the willingness to pay. Nothing here prints.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from appraise.analyses.options import best, option_members
from appraise.analyses.uncertainty import Kept
from appraise.engine.options import option_totals
from appraise.engine.params import Model
from appraise.engine.results import number

LEVELS = 41  # budgets from £0 to the dearest option's dearest draw, evenly spaced


def acceptability(model: Model, kept: Kept, levels: int = LEVELS) -> dict[str, Any] | None:
    """Each option's chance of being the best affordable one at each budget (None: no options)."""
    groups = option_members(model.portfolio)
    if groups is None or model.portfolio.options is None:
        return None
    draws = kept.figures["npv"].shape[0]
    totals = [option_totals(kept.figures, model.base.structure, members) for members in groups]

    def column(key: str) -> np.ndarray:
        return np.column_stack([np.broadcast_to(t[key], (draws,)) for t in totals])

    npv, pv_cost, cost = column("npv"), column("pv_cost"), column("cost")
    top = float(cost.max()) if cost.size else 0.0
    budgets = np.linspace(0.0, top, levels) if top > 0 else np.zeros(1)
    shares = np.zeros((len(budgets), len(groups)))
    none = np.zeros(len(budgets))
    for b, budget in enumerate(budgets):
        affordable = cost <= budget
        some = affordable.any(axis=1)
        chosen = best(np.where(affordable, npv, -np.inf), pv_cost)[some]
        shares[b] = np.bincount(chosen, minlength=len(groups)) / draws
        none[b] = 1.0 - some.mean()
    return {
        "basis": "a year's cost of each option (its services' cost a year, summed)",
        "draws": draws,
        "budgets": [number(x) for x in budgets],
        "options": [
            {"name": option.name, "probability": [float(p) for p in shares[:, j]]}
            for j, option in enumerate(model.portfolio.options)
        ],
        "none_affordable": [float(p) for p in none],
    }
