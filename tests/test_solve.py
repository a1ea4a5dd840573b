"""The one-input solver behind sensitivity thresholds and back-solved claims."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appraise.engine.solve import Metric, solve, solve_one
from tests.conftest import ROOT
from tests.helpers import appraise_data, intervention, portfolio_data

LAC_YEAR = 35 * 1072 / 0.53  # APHR 2017: £70,792.45
MST_COST = 135.5 * 2285  # £309,617.50


@pytest.fixture(scope="module")
def mst():
    item = intervention(effect={"baseline_risk": 0.30, "treated_risk": 0.14})
    return appraise_data(portfolio_data(interventions=[item], horizon_years=5)).model


def test_treated_risk_at_which_mst_breaks_even(mst):
    # Net is zero when 0.30 - p1 = cost / (reach x LAC year) = 0.03228 (Table 7's 3.2%).
    found = solve_one(mst, "svc.effect.treated_risk", Metric("net_savings", 0), 0.0)
    assert found == pytest.approx(0.30 - MST_COST / (135.5 * LAC_YEAR), rel=1e-9)


def test_npv_root_of_millions_found_with_the_default_tolerance(mst):
    # NPV is in millions; a root is accepted to a billionth of the figures in play.
    found = solve_one(mst, "svc.effect.treated_risk", Metric("npv", 0), 0.0)
    assert found == pytest.approx(0.30 - MST_COST / (135.5 * LAC_YEAR), rel=1e-9)


def test_claimed_break_even_of_5_children_implies_a_weekly_placement_cost(mst):
    # 5 children = £309,617.50 / LAC year, so LAC year = £61,923.50 and the weekly placement
    # cost (53% of it over 35 weeks) = 61,923.50 x 0.53 / 35 = £937.70.
    found = solve_one(
        mst, "outcomes.lac_year.derive.weekly_placement_cost", Metric("break_even_outcomes", 0), 5
    )
    assert found == pytest.approx(MST_COST / 5 * 0.53 / 35, rel=1e-9)


def test_no_value_in_the_allowed_range_gives_none(mst):
    # However small the non-placement share, a year of care costs at least 35 x £1,072 = £37,520,
    # so break-even can never reach 100 children.
    assert (
        solve(
            mst,
            "outcomes.lac_year.derive.non_placement_share",
            Metric("break_even_outcomes", 0),
            100.0,
        )
        == []
    )


def test_several_roots_come_nearest_the_stated_value_first(mst):
    # Net savings are a straight line in reach proportion, so there is exactly one root: zero
    # reach gives zero net. Stated 0.10; the root at 0 is the only one.
    assert solve(mst, "svc.reach.proportion", Metric("net_savings", 0), 0.0) == [0.0]


def test_solving_many_inputs_together_gives_what_each_gives_alone():
    """`solve_many` runs every problem's grid and bisections in one run of the core each step
    (the paper's break-even values): each answer is exactly `solve` of that problem alone."""
    from appraise.engine.params import build
    from appraise.engine.solve import solve_many
    from appraise.model.load import evidence_for, load_portfolio

    portfolio = load_portfolio(ROOT / "examples" / "thurrock-2017.yaml")
    model = build(portfolio, evidence_for(portfolio))
    problems = [
        ("edge-of-care-mst.effect.baseline_risk", Metric("npv", 0)),
        ("outcomes.lac_year.unit_cost", Metric("npv", 0)),
        ("pause.unit_cost.amount", Metric("npv", 1)),
        ("outcomes.lac_year.unit_cost", Metric("npv", 1)),  # the same input, another metric
        ("steps-expansion.reach.to_capacity", Metric("npv", 2)),
        ("parenting-capacity-expansion.reach.to_capacity", Metric("npv", 4)),  # no root
    ]
    together = solve_many(model, problems, 0.0, money_only=True)
    alone = [solve(model, key, metric, 0.0, money_only=True) for key, metric in problems]
    assert together == alone
    assert all(together[:5]) and together[5] == []


def plain_bisection(brackets, evaluate, done, steps, above):
    """Bisection one step per evaluation: what `bisect` must reproduce bit for bit."""
    out = list(brackets)
    for _ in range(steps):
        live = [i for i, (lo, _, _) in enumerate(out) if lo.size and not done(out[i][0], out[i][1])]
        if not live:
            break
        for i in live:
            lo, hi, f_lo = out[i]
            mid = (lo + hi) / 2
            f_mid = evaluate([i], [mid])[0]
            up = above(f_mid, f_lo)
            out[i] = (np.where(up, mid, lo), np.where(up, hi, mid), np.where(up, f_mid, f_lo))
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-1e6, 1e6), st.floats(1e-3, 1e6), st.floats(-5, 5), st.integers(1, 3)),
        min_size=1,
        max_size=4,
    ),
    st.integers(1, 70),
)
def test_bisecting_by_trees_is_plain_bisection_step_for_step(problems, steps):
    """`bisect` takes TREE_LEVELS steps per run of the core; its brackets must be exactly those
    of bisection taking one step per run, stopping rule and step limit included. The test
    functions step (a payback year) and go undefined (NaN) in places, as the core's figures do."""
    from appraise.engine.solve import _narrow, _same_side, bisect

    def f(i, x):
        start, _, shift, kind = problems[i]
        if kind == 1:
            return np.sin(x - start - shift)
        if kind == 2:
            return np.floor(x - start) - shift  # steps
        return np.where(x > start + abs(shift), np.nan, x - start - shift / 2)

    brackets = []
    for start, width, _, count in problems:
        lo = start + np.arange(count) * width
        brackets.append((lo, lo + width, np.full(count, -1.0)))

    def evaluate(asked, points):
        return [f(i, x) for i, x in zip(asked, points, strict=True)]

    tree = bisect(brackets, evaluate, _narrow, steps, _same_side)
    plain = plain_bisection(brackets, evaluate, _narrow, steps, _same_side)
    for (a, b, c), (x, y, z) in zip(tree, plain, strict=True):
        assert a.tobytes() == x.tobytes() and b.tobytes() == y.tobytes()
        assert c.tobytes() == z.tobytes()
