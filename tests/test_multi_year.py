"""Multi-year appraisal: cash flows worked by hand, effect forms, haircuts and properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import intervention, one, portfolio_data

# An outcome costing £1,000 to children's social care keeps the hand arithmetic readable.
SIMPLE_OUTCOMES = {
    "thing": {
        "name": "A costly thing",
        "components": [{"name": "care", "cost": 1000, "cashable": True}],
    }
}


def flows(
    timing: dict,
    horizon: int,
    rate: float = 0.0,
    count: float = 10,
    unit: float = 1000,
    success: float = 0.5,
    **extra,
) -> dict:
    """10 cases x £1,000 = £10,000 a cohort; 10 x 0.5 = 5 outcomes x £1,000 = £5,000 a year."""
    item = intervention(
        averts="thing",
        reach={"count": count},
        effect={"success_rate": success},
        unit_cost={"amount": unit, "per": "case"},
        timing=timing,
    )
    data = portfolio_data(
        interventions=[item],
        outcomes=SIMPLE_OUTCOMES,
        horizon_years=horizon,
        discount_rate=rate,
        **extra,
    )
    return one(data)


def column(result: dict, key: str) -> list[float]:
    return [y[key] for y in result["years"]]


def test_one_off_cohort_cost_over_18_months_savings_after_18_month_lag():
    r = flows({"cohorts": 1, "cost_months": 18, "benefit_lag_months": 18}, horizon=4, rate=0.035)
    # Cost £10,000 spread over months 0-17: 12/18 in year 1, 6/18 in year 2.
    assert column(r, "cost") == pytest.approx([10000 * 12 / 18, 10000 * 6 / 18, 0, 0])
    # Savings £5,000 a year from month 18 to 30: half in year 2, half in year 3.
    assert column(r, "gross_savings") == pytest.approx([0, 2500, 2500, 0])
    net = [-6666.6667, 2500 - 3333.3333, 2500, 0]
    assert column(r, "net_savings") == pytest.approx(net)
    assert column(r, "cumulative_net") == pytest.approx([-6666.6667, -7500, -5000, -5000])
    assert r["payback_year"] is None  # never pays back: cumulative stays below zero
    factors = [1, 1 / 1.035, 1 / 1.035**2, 1 / 1.035**3]
    assert column(r, "discount_factor") == pytest.approx(factors)
    assert r["npv"] == pytest.approx(sum(n * f for n, f in zip(net, factors, strict=True)))
    assert r["pv_cost"] == pytest.approx(6666.6667 + 3333.3333 / 1.035)
    assert r["bcr"] == pytest.approx((2500 / 1.035 + 2500 / 1.035**2) / r["pv_cost"])


def test_persistence_over_several_years_with_decay():
    # One cohort; each outcome keeps saving for 3 years, losing half of what remains each year.
    r = flows({"cohorts": 1, "benefit_years": 3, "annual_decay": 0.5}, horizon=4)
    assert column(r, "gross_savings") == pytest.approx([5000, 2500, 1250, 0])
    assert column(r, "cost") == pytest.approx([10000, 0, 0, 0])
    assert column(r, "cumulative_net") == pytest.approx([-5000, -2500, -1250, -1250])


def test_fractional_persistence_and_annual_cohorts_overlap():
    # A cohort every year, each saving for 2.5 years: year 3 holds cohort 1's half year,
    # cohort 2's second year and cohort 3's first.
    r = flows({"benefit_years": 2.5}, horizon=3)
    assert column(r, "gross_savings") == pytest.approx([5000, 10000, 12500])
    assert column(r, "cost") == pytest.approx([10000, 10000, 10000])
    # Net: 5,000 - 10,000, 10,000 - 10,000, 12,500 - 10,000.
    assert column(r, "cumulative_net") == pytest.approx([-5000, -5000, -2500])
    assert r["payback_year"] is None


def test_payback_year_is_first_year_cumulative_net_reaches_zero():
    r = flows({"benefit_years": 2.5}, horizon=3, success=0.7)
    # gross a year of full effect: 7 x £1,000 = £7,000; cohorts as above.
    assert column(r, "gross_savings") == pytest.approx([7000, 14000, 17500])
    assert column(r, "cumulative_net") == pytest.approx([-3000, 1000, 8500])
    assert r["payback_year"] == 2


def test_ramp_up_scales_the_first_cohort():
    r = flows({"ramp_up": 0.5}, horizon=2)
    assert column(r, "cost") == pytest.approx([5000, 10000])
    assert column(r, "gross_savings") == pytest.approx([2500, 5000])


def test_discounting_constant_flows():
    r = flows({}, horizon=3, rate=0.035, success=0.5, unit=100)
    # Net each year: £5,000 - 10 x £100 = £4,000.
    assert r["npv"] == pytest.approx(4000 * (1 + 1 / 1.035 + 1 / 1.035**2))
    assert column(r, "cumulative_discounted_net") == pytest.approx(
        [4000, 4000 + 4000 / 1.035, 4000 + 4000 / 1.035 + 4000 / 1.035**2]
    )
    assert r["discounted_payback_year"] == 1


def test_horizon_one_with_default_timing_equals_the_single_year_figures_exactly():
    r = flows({}, horizon=1)
    (year,) = r["years"]
    assert year["cost"] == r["cost"]
    assert year["gross_savings"] == r["gross_savings"]
    assert year["net_savings"] == r["net_savings"]
    assert year["cashable_net_savings"] == r["cashable_net_savings"]
    assert r["npv"] == r["net_savings"]


def test_flows_after_the_horizon_are_not_counted():
    r = flows({"cohorts": 1, "benefit_lag_months": 24}, horizon=2)
    assert column(r, "gross_savings") == [0, 0]


# --- effect forms, each against a hand-computed value --------------------------------------


def effect_of(effect: dict, **extra) -> dict:
    return one(portfolio_data(interventions=[intervention(effect=effect)], **extra))


def test_relative_risk_form():
    r = effect_of({"baseline_risk": 0.30, "relative_risk": 0.4667})
    assert r["treated_risk"] == pytest.approx(0.30 * 0.4667)  # 0.14001
    assert r["effect_raw"] == pytest.approx(0.30 - 0.14001)
    assert "0.3 x relative risk 0.4667 = 0.14" in r["effect_conversion"]


def test_odds_ratio_form():
    r = effect_of({"baseline_risk": 0.30, "odds_ratio": 0.38})
    odds = 0.30 / 0.70 * 0.38  # 0.162857
    assert r["treated_risk"] == pytest.approx(odds / (1 + odds))  # 0.140049
    assert r["effect_raw"] == pytest.approx(0.30 - 0.140049, abs=1e-6)


def test_cohens_d_cox_form():
    r = effect_of({"baseline_risk": 0.30, "cohens_d": -0.5})
    odds = 0.30 / 0.70 * math.exp(1.65 * -0.5)  # log OR = 1.65 d (Cox)
    assert r["treated_risk"] == pytest.approx(odds / (1 + odds))  # 0.158118
    assert r["effect_raw"] == pytest.approx(0.30 - odds / (1 + odds))  # 0.141882
    assert "(Cox)" in r["effect_conversion"]


def test_cohens_d_logit_form():
    r = effect_of({"baseline_risk": 0.30, "cohens_d": -0.5, "conversion": "logit"})
    odds = 0.30 / 0.70 * math.exp(-0.5 * math.pi / math.sqrt(3))  # Hasselblad & Hedges
    assert r["treated_risk"] == pytest.approx(odds / (1 + odds))  # 0.147519
    assert r["effect_raw"] == pytest.approx(0.30 - odds / (1 + odds))  # 0.152481


def test_treated_risk_and_direct_forms():
    assert effect_of({"baseline_risk": 0.30, "treated_risk": 0.14})["effect_raw"] == pytest.approx(
        0.16
    )
    assert effect_of({"success_rate": 0.16})["effect_raw"] == 0.16
    assert effect_of({"per_case": 2.4})["effect_raw"] == 2.4


def test_relative_risk_that_makes_a_probability_above_one_is_rejected(tmp_path):
    import yaml

    from tests.conftest import run_cli

    data = portfolio_data(
        interventions=[intervention(effect={"baseline_risk": 0.3, "relative_risk": 4})]
    )
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data))
    proc = run_cli("evaluate", path)
    assert proc.returncode == 2
    assert (
        "interventions[0].effect: baseline_risk x relative_risk = 1.2 is a treated risk above 1"
        in proc.stderr
    )


# --- optimism bias and non-UK evidence ------------------------------------------------------


def test_optimism_bias_is_off_by_default_and_applies_by_rating_when_on():
    off = effect_of({"success_rate": 0.16})
    on = effect_of({"success_rate": 0.16}, apply_optimism_bias=True)  # rating "3": 20%
    assert off["effect_adjusted"] == 0.16 and off["optimism_bias"] == 0
    assert on["optimism_bias"] == 0.2
    assert on["effect_adjusted"] == pytest.approx(0.16 * 0.8)
    assert on["outcomes_averted"] == pytest.approx(135.5 * 0.128)


def test_optimism_bias_table_is_replaceable_per_portfolio():
    r = effect_of({"success_rate": 0.16}, apply_optimism_bias=True, optimism_bias={"3": 0.5})
    assert r["effect_adjusted"] == pytest.approx(0.08)


def test_non_uk_haircut_applies_only_to_effects_established_outside_the_uk():
    us = {
        "id": "us-trial",
        "authors": "A, B and C",
        "year": 2010,
        "title": "t",
        "journal": "j",
        "country": "US",
        "type": "trial",
        "found": "an effect",
    }
    item = intervention(evidence={"rating": "3", "sources": ["us-trial"]})
    data = portfolio_data(
        interventions=[item], non_uk_evidence_haircut=0.5, evidence={"us-trial": us}
    )
    assert one(data)["effect_adjusted"] == pytest.approx(0.08)
    uk = portfolio_data(non_uk_evidence_haircut=0.5)  # source is UK local data
    assert one(uk)["effect_adjusted"] == pytest.approx(0.16)


# --- properties -------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(r1=st.floats(0, 0.2), r2=st.floats(0, 0.2), success=st.floats(0.01, 1))
def test_npv_is_monotone_in_the_discount_rate_when_costs_come_first(r1, r2, success):
    low, high = sorted((r1, r2))
    timing = {"cohorts": 1, "benefit_lag_months": 12, "benefit_years": 3}
    a = flows(timing, horizon=5, rate=low, success=success)
    b = flows(timing, horizon=5, rate=high, success=success)
    assert b["npv"] <= a["npv"] + 1e-9


@settings(max_examples=30, deadline=None)
@given(rate=st.floats(0, 0.2), months=st.floats(1, 36), horizon=st.integers(1, 10))
def test_zero_effect_gives_minus_present_value_of_cost(rate, months, horizon):
    r = flows({"cost_months": months}, horizon=horizon, rate=rate, success=0.0)
    assert r["npv"] == pytest.approx(-r["pv_cost"])
    pv = sum(y["cost"] * y["discount_factor"] for y in r["years"])
    assert r["pv_cost"] == pytest.approx(pv)


@settings(max_examples=30, deadline=None)
@given(
    count=st.floats(1, 1000),
    lag=st.floats(0, 30),
    persist=st.floats(0.5, 4),
    decay=st.floats(0, 1),
    ramp=st.floats(0, 1),
)
def test_doubling_reach_doubles_every_money_figure(count, lag, persist, decay, ramp):
    timing = {
        "benefit_lag_months": lag,
        "benefit_years": persist,
        "annual_decay": decay,
        "ramp_up": ramp,
    }
    a = flows(timing, horizon=6, rate=0.035, count=count)
    b = flows(timing, horizon=6, rate=0.035, count=2 * count)
    for key in ("cost", "gross_savings", "net_savings", "npv", "pv_cost", "pv_gross_savings"):
        assert b[key] == pytest.approx(2 * a[key], rel=1e-9, abs=1e-9)
    for ya, yb in zip(a["years"], b["years"], strict=True):
        for key in ("cost", "gross_savings", "net_savings", "cumulative_net", "discounted_net"):
            assert yb[key] == pytest.approx(2 * ya[key], rel=1e-9, abs=1e-9)
    assert a["payback_year"] == b["payback_year"]
