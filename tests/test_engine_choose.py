"""A choose over a fixed code (an effect's form) works each branch out only where it applies
(`NumpyOps.choose` with narrowed operands): the figures must be those of working every branch out
everywhere and picking, bit for bit, for every form at once and with draws."""

from __future__ import annotations

import numpy as np
import pytest

from appraise.analyses.uncertainty import draw_inputs, input_stream, uncertain_params
from appraise.engine import core, evaluate
from appraise.engine.params import build
from appraise.model.load import evidence_for, load_portfolio
from tests.conftest import EXAMPLES


@pytest.mark.parametrize("drawn", [False, True])
def test_narrowed_branches_give_the_figures_of_every_branch_everywhere(monkeypatch, drawn):
    portfolio = load_portfolio(EXAMPLES / "thurrock-2017-uncertain.yaml")
    model = build(portfolio, evidence_for(portfolio))
    forms = set(np.unique(model.base.values["effect_form"]).astype(int))
    assert len(forms) >= 3, forms  # success rate, per case and Cohen's d: the branches differ
    params = uncertain_params(model)
    values = draw_inputs(params, [input_stream(7, p.key) for p in params], 500) if drawn else {}
    inp = model.inputs(values)
    wanted = tuple(core.MONEY_ONLY) + ("effect_treated_risk", "effect_odds_ratio")
    narrowed = evaluate.run(inp.values, inp.structure, wanted)
    monkeypatch.setattr(evaluate._Names, "can_narrow", lambda self, code: False)
    everywhere = evaluate.run(inp.values, inp.structure, wanted)
    assert narrowed.keys() == everywhere.keys()
    for key, value in everywhere.items():
        assert np.asarray(narrowed[key]).shape == np.asarray(value).shape, key
        assert np.array_equal(narrowed[key], value, equal_nan=True), key
