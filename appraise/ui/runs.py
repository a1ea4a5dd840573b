"""Runs of the core for the app, cached on the portfolio's file data (as canonical JSON text)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from appraise import core
from appraise.load import evidence_for, portfolio_from_data
from appraise.params import build
from appraise.results import Appraisal, appraise_portfolio

CURVE_POINTS = 2001


@dataclass(frozen=True)
class Evaluation:
    """One run of a portfolio: the appraisal and its JSON (as `appraise evaluate --format json`)."""

    appraisal: Appraisal
    results: dict[str, Any]


def canonical(data: Any) -> str:
    """The cache key for file data: JSON in the data's own key order (0.1 ms; YAML takes 10)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@st.cache_data(max_entries=64, show_spinner=False)
def evaluate(key: str, name: str) -> Evaluation:
    """Validate and appraise the portfolio whose file data is the JSON text `key`."""
    appraisal = appraise_portfolio(portfolio_from_data(json.loads(key), name))
    return Evaluation(appraisal, appraisal.to_data())


@st.cache_data(max_entries=64, show_spinner=False)
def success_rate_curve(key: str, name: str, index: int) -> pd.DataFrame:
    """Net savings of one intervention over a range of success rates, computed by the core.

    The intervention's effect is restated as the success rate it stands for (its `effect_raw`:
    e.g. 30% - 14% = 16% for a baseline and a treated risk; outcomes per case where it is counted
    per case), so one input spans every effect form; the core then runs once over the whole grid
    through `Model.inputs`. Columns: `success_rate` (after any evidence haircuts, as the core
    applies them: the figure the break-even rate compares with) and `net_savings`.
    """
    record = evaluate(key, name).results["interventions"][index]
    per_case = record["effect_form"] == "per_case"
    form = "per_case" if per_case else "success_rate"
    data = json.loads(key)
    item = data["interventions"][index]
    item["effect"] = {form: record["effect_raw"]}
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
