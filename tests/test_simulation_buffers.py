"""What `simulate` does to be quick must not change a figure (issue 27): triangular draws made from
uniform ones are numpy's own, bit for bit; the buffers the draws go into give the core the arrays
`Model.inputs` gives; and the lines worked out once per run (`core.settled`) are those a chunk
would work out."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appraise.analyses.uncertainty import draw_inputs, input_stream, uncertain_params
from appraise.engine import core
from appraise.engine.params import build
from appraise.model.load import evidence_for, load_portfolio
from appraise.model.numbers import Dist, triangular
from tests.conftest import EXAMPLES

FINITE = st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(
    low=FINITE,
    width=st.floats(1e-9, 1e12),
    at=st.floats(0.0, 1.0) | st.sampled_from([0.0, 1.0]),
    seed=st.integers(0, 2**32 - 1),
    size=st.integers(1, 3000),
)
def test_triangular_draws_are_numpys_value_for_value(low, width, at, seed, size):
    high = low + width
    mode = min(max(low + at * (high - low), low), high)
    if not low < high:
        return  # numpy refuses a range of width zero; `Dist.draw` makes it a fixed number
    expected = np.random.default_rng(seed).triangular(low, mode, high, size)
    got = triangular(np.random.default_rng(seed), low, mode, high, np.empty(size))
    assert np.array_equal(got, expected)


def uncertain_model():
    portfolio = load_portfolio(EXAMPLES / "thurrock-2017-uncertain.yaml")
    model = build(portfolio, evidence_for(portfolio))
    params = uncertain_params(model)
    # A portfolio-wide input (no position: the discount rate of every year) drawn too.
    rate = next(p for p in model.params if p.target == "discount_rate")
    ranged = Dist("triangular", {"low": 0.02, "mode": 0.035, "high": 0.05}, 0.035)
    return model, [*params, dataclasses.replace(rate, value=ranged)]


@pytest.mark.parametrize("size", [1024, 700])  # a whole chunk, and a last one cut short
def test_draw_buffers_give_the_arrays_inputs_gives(size):
    model, params = uncertain_model()
    buffers = model.draw_buffers(params, 1024)
    streams = [input_stream(5, p.key) for p in params]
    drawn = draw_inputs(params, streams, size, buffers.columns)
    again = draw_inputs(params, [input_stream(5, p.key) for p in params], size)
    assert drawn.keys() == again.keys()
    for key in drawn:
        assert np.array_equal(drawn[key], again[key]), key
    expected = model.inputs(again).values
    got = buffers.values(size)
    assert set(got) == {p.target for p in params}
    for target, array in got.items():
        assert array.shape == expected[target].shape, target
        assert np.array_equal(array, expected[target]), target


def test_lines_settled_once_are_those_a_chunk_works_out():
    model, params = uncertain_model()
    values = draw_inputs(params, [input_stream(3, p.key) for p in params], 2048)
    inp = model.inputs(values)
    settled = core.settled(model.base, tuple({p.target for p in params}))
    assert len(settled.values) > len(model.base.values)  # some lines are worked out ahead
    draws = {p.target: inp.values[p.target] for p in params}
    for totals_of in (None, ("net_savings", "npv")):
        per, totals = core.appraise(inp, detail=False, money_only=True, totals_of=totals_of)
        per2, totals2 = core.appraise(
            settled.with_arrays(**draws), detail=False, money_only=True, totals_of=totals_of
        )
        assert per.keys() == per2.keys() and totals.keys() == totals2.keys()
        for key in per:
            assert np.array_equal(per[key], per2[key], equal_nan=True), key  # NaN: n/a
        for key in totals:
            assert np.array_equal(totals[key], totals2[key], equal_nan=True), key
