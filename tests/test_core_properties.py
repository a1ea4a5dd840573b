"""Invariants of the calculation core (hypothesis), and its defined results at the edges."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import intervention, one, portfolio_data

money = st.floats(min_value=0, max_value=1e7, allow_nan=False)
rate = st.floats(min_value=0, max_value=1, allow_nan=False)
cases = st.floats(min_value=0, max_value=1e4, allow_nan=False)


def mst_like(eligible: float, proportion: float, unit: float, success: float, **extra) -> dict:
    item = intervention(
        reach={"eligible": eligible, "proportion": proportion},
        unit_cost={"amount": unit, "per": "case"},
        effect={"success_rate": success},
    )
    return portfolio_data(interventions=[item], **extra)


@settings(max_examples=60, deadline=None)
@given(
    eligible=cases,
    proportion=rate,
    unit=money,
    success=rate,
    method=st.sampled_from(["strict", "pro_rata"]),
)
def test_net_is_gross_minus_cost(eligible, proportion, unit, success, method):
    r = one(mst_like(eligible, proportion, unit, success, cashable_method=method))
    assert r["net_savings"] == pytest.approx(r["gross_savings"] - r["cost"], abs=1e-6)
    assert r["cashable_net_savings_strict"] == pytest.approx(
        r["cashable_gross_savings"] - r["cost"], abs=1e-6
    )
    chosen = r[f"cashable_net_savings_{method}"]
    assert r["cashable_net_savings"] == chosen


@settings(max_examples=60, deadline=None)
@given(eligible=st.floats(1, 1e4), proportion=st.floats(0.01, 1), unit=st.floats(1, 1e5))
def test_break_even_success_rate_gives_zero_net(eligible, proportion, unit):
    first = one(mst_like(eligible, proportion, unit, 0.1))
    be = first["break_even_success_rate"]
    if be > 1:  # a success rate above 1 is not a valid input; the identity still holds per case
        return
    again = one(mst_like(eligible, proportion, unit, be))
    assert again["net_savings"] == pytest.approx(0, abs=1e-6 * max(1.0, first["cost"]))
    assert again["safety_margin"] == pytest.approx(1.0)


MONEY_KEYS = (
    "cost",
    "gross_savings",
    "net_savings",
    "cashable_gross_savings",
    "cashable_net_savings_strict",
    "cashable_net_savings_pro_rata",
    "npv",
)


@settings(max_examples=40, deadline=None)
@given(count=st.floats(0.5, 5000), factor=st.floats(0.1, 10), unit=money, success=rate)
def test_results_scale_linearly_with_reach(count, factor, unit, success):
    def with_reach(n: float) -> dict:
        item = intervention(
            reach={"count": n},
            unit_cost={"amount": unit, "per": "case"},
            effect={"success_rate": success},
        )
        return one(portfolio_data(interventions=[item], horizon_years=3))

    small, big = with_reach(count), with_reach(count * factor)
    for key in MONEY_KEYS + ("outcomes_averted",):
        assert big[key] == pytest.approx(small[key] * factor, rel=1e-9, abs=1e-6)
    # Rates do not depend on scale.
    assert big["break_even_success_rate"] == pytest.approx(small["break_even_success_rate"])


def test_zero_cost_is_free_to_break_even():
    r = one(mst_like(1355, 0.1, 0, 0.16))
    assert r["cost"] == 0
    assert r["break_even_outcomes"] == 0
    assert r["break_even_success_rate"] == 0
    assert r["roi"] is None  # savings for nothing spent: an infinite ratio, written as null
    assert r["safety_margin"] is None


def test_zero_cost_and_zero_effect_gives_zero_ratios():
    r = one(mst_like(1355, 0.1, 0, 0.0))
    assert r["roi"] == 0 and r["safety_margin"] == 0 and r["net_savings"] == 0


def test_zero_reach_spends_nothing_and_never_divides_by_zero():
    r = one(mst_like(0, 0.1, 2285, 0.16))
    assert r["reach"] == 0 and r["cost"] == 0 and r["gross_savings"] == 0
    assert r["break_even_success_rate"] == 0


def test_zero_reach_with_fixed_cost_can_never_break_even():
    item = intervention(reach={"count": 0}, unit_cost={"total": 1000}, effect={"success_rate": 0.5})
    r = one(portfolio_data(interventions=[item]))
    assert r["break_even_outcomes"] == pytest.approx(1000 / 70792.45283)
    assert r["break_even_success_rate"] is None  # infinite: no reach to achieve it with
    assert r["cases_per_success_at_break_even"] == 0


def test_zero_outcome_cost_never_breaks_even():
    data = mst_like(1355, 0.1, 2285, 0.16)
    data["outcomes"]["lac_year"]["derive"]["weekly_placement_cost"] = 0
    r = one(data)
    assert r["gross_savings"] == 0
    assert r["break_even_outcomes"] is None  # infinite
    assert r["net_savings"] == pytest.approx(-309617.5)
    assert r["cashable_net_savings_pro_rata"] == 0  # no cashable share of nothing
    for value in r.values():
        assert not (isinstance(value, float) and math.isnan(value))


def test_ratio_is_defined_everywhere():
    from appraise.engine.core import ratio

    got = ratio(np.array([1.0, -2.0, 0.0, 6.0]), np.array([0.0, 0.0, 0.0, 3.0]))
    assert got.tolist() == [math.inf, -math.inf, 0.0, 2.0]


def test_public_sector_perspective_counts_health_savings():
    item = intervention(
        averts="dv_incident",
        reach={"count": 10},
        unit_cost={"total": 30000},
        effect={"per_case": 1.919},
    )
    csc = one(portfolio_data(interventions=[item]))
    public = one(portfolio_data(interventions=[item], perspective="public_sector"))
    assert csc["gross_savings"] == pytest.approx(19.19 * 1183)
    assert public["gross_savings"] == pytest.approx(19.19 * (1183 + 7230))
    assert csc["net_savings_public_sector"] == public["net_savings"]
