"""Net savings over a range of success rates: the curve behind the break-even chart.

The app's Intervention page and the committee paper draw the same curve from this function.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from appraise.engine import core
from appraise.engine.params import build
from appraise.model.load import evidence_for, portfolio_from_data

CURVE_POINTS = 2001


def success_rate_curve(
    data: dict[str, Any], name: str, index: int, record: dict[str, Any]
) -> pd.DataFrame:
    """Net savings of one intervention over a range of success rates, computed by the core.

    `data` is the portfolio's file data (it is changed: pass a copy), `name` the file problems
    name, `index` the intervention's position and `record` its `appraise evaluate` JSON record.
    The intervention's effect is restated as the success rate it stands for (its `effect_raw`:
    e.g. 30% - 14% = 16% for a baseline and a treated risk; outcomes per case where it is counted
    per case), so one input spans every effect form; the core then runs once over the whole grid
    through `Model.inputs`. Columns: `success_rate` (after any evidence haircuts, as the core
    applies them: the figure the break-even rate compares with) and `net_savings`.
    """
    per_case = record["effect_form"] == "per_case"
    form = "per_case" if per_case else "success_rate"
    item = data["interventions"][index]
    item["effect"] = {form: record["effect_raw"]}
    # Net savings do not depend on how the service is paid for; a contract's baseline needs the
    # risk-based effect just restated.
    item.pop("contract", None)
    # The one intervention alone (its figures do not depend on the others): the grid then costs
    # memory in proportion to its points, not to points x interventions (20,000 allowed).
    data["interventions"] = [item]
    data.pop("options", None)  # options name the others: the one intervention stands alone
    index = 0
    portfolio = portfolio_from_data(data, name)
    model = build(portfolio, evidence_for(portfolio))
    expected = record["effect_adjusted"]
    break_even = record["break_even_success_rate"]
    marks = [x for x in (record["effect_raw"], expected, break_even) if x is not None]
    top = 1.0 if not per_case else 10 * max(*marks, 0.1)
    grid = np.unique(np.append(np.linspace(0.0, top, CURVE_POINTS), record["effect_raw"]))
    per, _ = core.appraise(model.inputs({f"{item['id']}.effect.{form}": grid}), detail=False)
    curve = pd.DataFrame(
        {
            "success_rate": per["effect_adjusted"][:, index],
            "net_savings": per["net_savings"][:, index],
        }
    )
    # Show the stretch a reader needs: past both the expected and the break-even rate.
    finite = [x for x in (expected, break_even) if x is not None and math.isfinite(x)]
    window = 1.5 * max(*finite, 0.01 if not per_case else 0.1)
    return curve[curve["success_rate"] <= window].reset_index(drop=True)
