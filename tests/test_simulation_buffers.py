"""What `simulate` does to be quick must not change a figure (issue 27): triangular draws made from
uniform ones are numpy's own, bit for bit; the buffers the draws go into give the core the arrays
`Model.inputs` gives; and the lines worked out once per run (`core.settled`) are those a chunk
would work out."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appraise.analyses.uncertainty import (
    BLOCK,
    Accumulator,
    draw_inputs,
    input_stream,
    uncertain_params,
)
from appraise.engine import core, evaluate
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


def chunk_arrays(size: int = 2048) -> tuple[core.CoreInputs, dict[str, np.ndarray]]:
    """Settled inputs and a chunk of draws as `simulate` makes them (draws fastest in memory),
    for the uncertain example's services four times over: a total over 20 interventions, which
    numpy adds in another order down a column than along a row."""
    portfolio = load_portfolio(EXAMPLES / "thurrock-2017-uncertain.yaml")
    items = [
        item.model_copy(update={"id": f"{item.id}-{k}"})
        for k in range(4)
        for item in portfolio.interventions
    ]
    portfolio = portfolio.model_copy(update={"interventions": items})
    model = build(portfolio, evidence_for(portfolio))
    params = uncertain_params(model)
    buffers = model.draw_buffers(params, size)
    draw_inputs(params, [input_stream(4, p.key) for p in params], size, buffers.columns)
    settled = core.settled(model.base, tuple(buffers.arrays))
    return settled, buffers.values(size)


@pytest.mark.parametrize("money_only", [True, False])
def test_draws_fastest_layout_gives_the_same_figures(money_only):
    settled, drawn = chunk_arrays()
    assert any(a.ndim > 1 and not a.flags.c_contiguous for a in drawn.values())
    by_intervention = {key: np.ascontiguousarray(a) for key, a in drawn.items()}
    per, totals = core.appraise(settled.with_arrays(**drawn), money_only=money_only)
    per2, totals2 = core.appraise(settled.with_arrays(**by_intervention), money_only=money_only)
    assert per.keys() == per2.keys() and totals.keys() == totals2.keys()
    for got, expected in ((per, per2), (totals, totals2)):
        for key in expected:
            assert np.array_equal(got[key], expected[key], equal_nan=True), key
    # The run kept the draws' layout: no figure of a whole chunk came out interventions-fastest.
    for key in ("cost", "effect_rate", "effect_outcome_cost", "npv"):
        if key in per:
            assert per[key].flags.f_contiguous, key


def test_a_lean_run_gives_only_the_wanted_lines_and_the_same_figures():
    settled, drawn = chunk_arrays()
    inp = settled.with_arrays(**drawn)
    full, full_totals = core.appraise(inp, detail=False, money_only=True)
    lean, lean_totals = core.appraise(inp, detail=False, money_only=True, lean=True)
    settled_lines = set(full) & set(inp.values)  # worked out ahead, so given to the run
    assert set(lean) == set(core.MONEY_ONLY) | settled_lines < set(full)
    for key in lean:
        assert np.array_equal(lean[key], full[key]), key
    assert set(lean_totals) >= {k for k in core.MONEY_ONLY if k in full_totals}
    for key in lean_totals:
        assert np.array_equal(lean_totals[key], full_totals[key]), key


def summaries(acc: Accumulator) -> list[tuple]:
    out = []
    for s in range(acc.series):
        x = acc.summary(s)
        out.append((x.draws, x.mean, x.minimum, x.maximum, x.positive, x.histogram.first))
        out.append(tuple(x.histogram.counts))
    return out


def test_accumulator_gives_the_same_summaries_whichever_layout_a_chunk_comes_in():
    # Figures spanning many magnitudes, so that adding a block in any other order would show.
    rng = np.random.default_rng(2)
    draws, series, chunk = 10_007, 5, 3 * BLOCK
    x = rng.normal(0, 1, (draws, series)) * np.exp(rng.normal(0, 12, (draws, series)))
    x[:, 3] = 7.5  # a figure that never varies
    layouts = {
        "series fastest": lambda part: np.ascontiguousarray(part),
        "draws fastest": lambda part: np.asfortranarray(part),
        "part of a bigger buffer": lambda part: np.asfortranarray(
            np.concatenate([part, part[:, :2]], axis=1)
        )[:, :series],
        "every other draw": lambda part: np.repeat(part, 2, axis=0)[::2],
    }
    results = {}
    for name, lay in layouts.items():
        acc = Accumulator(series, chunk)
        for start in range(0, draws, chunk):
            acc.add(lay(x[start : start + chunk]))
        results[name] = summaries(acc)
    acc = Accumulator(series, chunk)  # both layouts handed over, as `simulate` does
    for start in range(0, draws, chunk):
        part = x[start : start + chunk]
        acc.add(np.ascontiguousarray(part), np.ascontiguousarray(part.T))
    results["both layouts"] = summaries(acc)
    reference = results.pop("series fastest")
    for name, got in results.items():
        assert got == reference, name
    # And the figures themselves: blocks of 1,024 draws, each added in draw order.
    acc = Accumulator(series, chunk)
    for start in range(0, draws, chunk):
        acc.add(np.asfortranarray(x[start : start + chunk]))
    for s in range(series):
        column = x[:, s]
        blocks = [
            sum(column[b : b + BLOCK].tolist()[1:], column[b]) for b in range(0, draws, BLOCK)
        ]
        summary = acc.summary(s)
        assert (summary.minimum, summary.maximum) == (column.min(), column.max())
        assert summary.positive == np.count_nonzero(column > 0)
        if s != 3:
            assert summary.mean == pytest.approx(math.fsum(blocks) / draws, rel=1e-9)


def test_the_draws_fastest_layout_picks_each_effect_form_where_it_applies():
    # Three services with two effects each, reported in two forms (per case, treated risk): a
    # branch of `choose` picks its elements from the draws laid out the other way round.
    portfolio = load_portfolio(EXAMPLES / "family-group-conferences.yaml")
    item = portfolio.interventions[0]
    items = [item.model_copy(update={"id": f"{item.id}-{k}"}) for k in range(3)]
    model = build(portfolio.model_copy(update={"interventions": items}), evidence_for(portfolio))
    forms = model.base.values["effect_form"]
    assert forms.shape == (3, 2) and len(set(forms[0])) == 2
    rng = np.random.default_rng(8)
    size = 1500
    drawn = {
        key: np.moveaxis(
            model.base.values[key][..., None] * rng.uniform(0.9, 1.1, (*forms.shape, size)), -1, 0
        )
        for key in ("effect_a", "effect_b")
    }
    # As `Model.draw_buffers` lays them out: the draws fastest, then the effects, then services.
    assert all(a.strides[0] == a.itemsize and not a.flags.c_contiguous for a in drawn.values())
    per, totals = core.appraise(model.base.with_arrays(**drawn))
    per2, totals2 = core.appraise(
        model.base.with_arrays(**{k: np.ascontiguousarray(a) for k, a in drawn.items()})
    )
    for got, expected in ((per, per2), (totals, totals2)):
        for key in expected:
            assert np.array_equal(got[key], expected[key], equal_nan=True), key
    assert not np.array_equal(per["effect_rate_raw"][:, 0], per["effect_rate_raw"][:, 1])


@pytest.mark.parametrize("n", [*range(1, 40), 127, 128, 129, 130, 255, 300, 1000])
def test_totals_of_draws_fastest_figures_add_as_numpy_adds_a_row(n):
    # `evaluate._pairwise` stands in for numpy's own order of adding along a row; a total
    # must be the same to the last bit, signed zeros, infinities and NaN included.
    rng = np.random.default_rng(n)
    rows = rng.normal(0, 1, (64, n)) * np.exp(rng.normal(0, 12, (64, n)))
    rows[0] = -0.0
    rows[1, : (n + 1) // 2] = np.inf
    rows[2, n // 2] = np.nan
    rows[3, 0], rows[3, -1] = np.inf, -np.inf
    with np.errstate(invalid="ignore"):  # inf - inf
        expected = rows.sum(axis=1)
        got = evaluate._summed(np.asfortranarray(rows), -1)[:, 0]
    assert np.array_equal(got, expected, equal_nan=True)
    assert np.array_equal(np.signbit(got), np.signbit(expected))
