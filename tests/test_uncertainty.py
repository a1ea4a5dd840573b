"""Monte Carlo simulation and sensitivity: closed forms worked by hand, determinism, chunking."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from appraise.analyses.uncertainty import (
    BLOCK,
    RELATIVE_PRECISION,
    input_stream,
    sensitivity,
    simulate,
    uncertain_params,
)
from appraise.engine import core
from appraise.engine.params import Model, build
from appraise.model.load import evidence_for, load_portfolio, portfolio_from_data
from tests.conftest import EXAMPLES, by_id, run_cli
from tests.helpers import intervention, portfolio_data

UNCERTAIN = EXAMPLES / "thurrock-2017-uncertain.yaml"
# One looked-after child-year (Thurrock APHR 2017): 35 weeks x £1,072 a week / 0.53.
LAC_YEAR = 35 * 1072 / 0.53
MST_REACH = 1355 * 0.10  # 135.5 families (Table 7)
MST_COST = MST_REACH * 2285  # £309,617.50 (Table 7: £309,618)
# The success rate at which MST's savings equal its cost: 309,617.50 / 135.5 / 70,792.45 = 2285 /
# 70,792.45 = 0.03228 (Table 7: "3.2%").
BREAK_EVEN_RATE = 2285 / LAC_YEAR


def write(tmp_path: Path, data: dict, name: str = "portfolio.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def model_of(data: dict) -> Model:
    portfolio = portfolio_from_data(data, "test.yaml")
    return build(portfolio, evidence_for(portfolio))


def mst_with_range(**extra) -> dict:
    """Thurrock's MST (library entry) with only its success rate uncertain; horizon one year."""
    data = portfolio_data(
        horizon_years=1,
        cashable_method="pro_rata",
        interventions=[
            {
                "use": "edge-of-care-mst",
                "reach": {"eligible": 1355, "proportion": 0.10},
                "effect": {"success_rate": {"low": 0.0, "central": 0.16, "high": 0.32}},
            }
        ],
        **extra,
    )
    del data["evidence"]
    return data


def test_break_even_rate_worked_by_hand_matches_evaluate():
    # The closed form below rests on this: NPV > 0 exactly when the rate exceeds 0.03228.
    from appraise.engine.results import run

    record = run(model_of(mst_with_range())).record(0)
    assert record["break_even_success_rate"] == pytest.approx(BREAK_EVEN_RATE, rel=1e-12)
    assert abs(BREAK_EVEN_RATE - 0.03228) < 5e-6


def test_probability_of_breaking_even_matches_the_triangular_closed_form(tmp_path):
    # Success rate ~ triangular(0, 0.16, 0.32). Below the mode its distribution function is
    # F(s) = s^2 / ((0.32 - 0) x (0.16 - 0)), so P(rate > 0.03228) = 1 - 0.03228^2 / (0.32 x 0.16)
    # = 1 - 0.0010420 / 0.0512 = 0.9797.
    expected = 1 - BREAK_EVEN_RATE**2 / (0.32 * 0.16)
    assert expected == pytest.approx(0.9797, abs=5e-5)
    path = write(tmp_path, mst_with_range())
    proc = run_cli("simulate", path, "--draws", "200000", "--seed", "17", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["seed"] == 17 and data["draws"] == 200_000
    mst = by_id(data, "edge-of-care-mst")
    assert mst["prob_break_even"] == pytest.approx(expected, abs=0.005)
    assert data["portfolio"]["prob_break_even"] == mst["prob_break_even"]  # one intervention


def test_mean_net_savings_matches_the_formula_and_seeds_differ_within_monte_carlo_error():
    # Net = 135.5 x rate x £70,792.45 - £309,617.50 is linear in the rate, so its mean is the net
    # at the mean rate (0 + 0.16 + 0.32) / 3 = 0.16. The rate's standard deviation is
    # sqrt((0^2 + 0.16^2 + 0.32^2 - 0 x 0.16 - 0 x 0.32 - 0.16 x 0.32) / 18) = sqrt(0.0768 / 18).
    model = model_of(mst_with_range())
    draws = 100_000
    mean = MST_REACH * 0.16 * LAC_YEAR - MST_COST
    se = MST_REACH * LAC_YEAR * math.sqrt(0.0768 / 18) / math.sqrt(draws)
    first = simulate(model, draws, seed=1).to_data()
    second = simulate(model, draws, seed=2).to_data()
    for data in (first, second):
        stats = by_id(data, "edge-of-care-mst")["net_savings"]
        assert abs(stats["mean"] - mean) < 5 * se
    a, b = (by_id(d, "edge-of-care-mst") for d in (first, second))
    assert a["net_savings"]["mean"] != b["net_savings"]["mean"]  # other draws
    p = a["prob_break_even"]
    assert abs(a["prob_break_even"] - b["prob_break_even"]) < 5 * math.sqrt(2 * p * (1 - p) / draws)
    # One-year horizon, no discounting: NPV is the year's net savings, draw by draw.
    assert a["npv"] == a["net_savings"]


def test_same_seed_same_result_bit_for_bit():
    model = build(load_portfolio(UNCERTAIN), evidence_for(load_portfolio(UNCERTAIN)))
    once = simulate(model, 20_000, seed=2017).to_data()
    again = simulate(model, 20_000, seed=2017).to_data()
    assert json.dumps(once) == json.dumps(again)


@pytest.mark.parametrize("chunk", [BLOCK, 3 * BLOCK, 5000, 10 * BLOCK, 40_000])
def test_results_do_not_depend_on_chunk_size(chunk):
    # 10,007 draws: not a whole number of blocks, so the last chunk is a part block whatever the
    # chunking. Means, shares and percentiles must be identical to the last bit.
    portfolio = load_portfolio(UNCERTAIN)
    model = build(portfolio, evidence_for(portfolio))
    reference = simulate(model, 10_007, seed=5, chunk_size=BLOCK).to_data()
    result = simulate(model, 10_007, seed=5, chunk_size=chunk)
    assert result.chunk_size % BLOCK == 0
    assert result.to_data() == reference


def test_simulation_runs_the_core_over_the_draws():
    # Regenerate every draw from the same streams, run the core on all of them at once, and
    # compare with the chunked, streaming summary: means and shares to rounding, percentiles to
    # the histogram's stated precision.
    portfolio = load_portfolio(UNCERTAIN)
    model = build(portfolio, evidence_for(portfolio))
    draws = 30_000
    result = simulate(model, draws, seed=9, chunk_size=BLOCK).to_data()
    values = {p.key: p.value.draw(input_stream(9, p.key), draws) for p in uncertain_params(model)}
    per, totals = core.appraise(model.inputs(values), detail=False, money_only=True)
    n = len(model.ids)
    for key in ("net_savings", "npv"):
        columns = [np.broadcast_to(per[key], (draws, n))[:, i] for i in range(n)]
        records = result["interventions"] + [result["portfolio"]]
        for column, record in zip([*columns, totals[key]], records, strict=True):
            stats = record[key]
            assert stats["mean"] == pytest.approx(column.mean(), rel=1e-12, abs=1e-6)
            for name, q in (("p5", 0.05), ("p50", 0.50), ("p95", 0.95)):
                exact = np.quantile(column, q)
                assert abs(stats[name] - exact) <= RELATIVE_PRECISION * abs(exact) + 1.0
            if key == "npv":
                assert record["prob_break_even"] == np.count_nonzero(column > 0) / draws


def test_uncertain_timing_runs_year_profiles_per_draw():
    # A lag of 0 to 24 months before savings begin, 3 years: NPV now varies with the lag, so the
    # core works out a cash-flow profile per draw. The streaming mean and share must match the
    # core run on all the draws at once.
    item = intervention(timing={"benefit_lag_months": {"low": 0, "central": 6, "high": 24}})
    model = model_of(portfolio_data(interventions=[item], horizon_years=3))
    draws = 5000
    result = simulate(model, draws, seed=4, chunk_size=BLOCK).to_data()
    values = {p.key: p.value.draw(input_stream(4, p.key), draws) for p in uncertain_params(model)}
    per, _ = core.appraise(model.inputs(values), detail=False, money_only=True)
    npv = per["npv"][:, 0]
    assert np.ptp(npv) > 0
    record = result["interventions"][0]
    assert record["npv"]["mean"] == pytest.approx(npv.mean(), rel=1e-12)
    assert record["prob_break_even"] == np.count_nonzero(npv > 0) / draws


def test_a_shared_outcome_cost_moves_every_intervention_together():
    # Only the weekly placement cost is uncertain, and both services avert a child-year in care,
    # so in every draw both nets rise and fall together: the total's 5th percentile is then the
    # sum of the two 5th percentiles (quantiles add for comonotone figures). Drawn separately for
    # each service, the total's 5th percentile would lie above that sum.
    outcomes = portfolio_data()["outcomes"]
    outcomes["lac_year"]["derive"]["weekly_placement_cost"] = {
        "low": 800,
        "central": 1072,
        "high": 1400,
    }
    items = [intervention(id="a"), intervention(id="b", reach={"count": 40})]
    model = model_of(portfolio_data(outcomes=outcomes, interventions=items))
    data = simulate(model, 50_000, seed=3).to_data()
    p5 = [by_id(data, k)["net_savings"]["p5"] for k in ("a", "b")]
    total = data["portfolio"]["net_savings"]["p5"]
    assert total == pytest.approx(sum(p5), rel=4 * RELATIVE_PRECISION)


def test_no_uncertain_input_gives_the_deterministic_figures():
    from appraise.engine.results import run

    model = model_of(portfolio_data())
    record = run(model).record(0)
    data = simulate(model, 1000, seed=0).to_data()
    stats = data["interventions"][0]["npv"]
    assert stats == {k: record["npv"] for k in ("mean", "p5", "p50", "p95")}
    assert data["interventions"][0]["prob_break_even"] == 1.0
    assert data["uncertain_inputs"] == []


def test_draws_and_seed_must_be_sensible():
    model = model_of(mst_with_range())
    with pytest.raises(ValueError, match="draws"):
        simulate(model, 0, seed=1)
    with pytest.raises(ValueError, match="seed"):
        simulate(model, 10, seed=-1)


# ---------------------------------------------------------------------------------------------
# Sensitivity
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def uncertain_sensitivity() -> dict:
    proc = run_cli("sensitivity", UNCERTAIN, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_thurrock_mst_tornado_ranks_success_rate_and_lac_cost_above_mst_unit_cost(
    uncertain_sensitivity,
):
    mst = by_id(uncertain_sensitivity, "edge-of-care-mst")
    order = [s["key"] for s in mst["tornado"]]
    swings = [s["swing"] for s in mst["tornado"]]
    assert swings == sorted(swings, reverse=True)
    unit_cost = order.index("edge-of-care-mst.unit_cost.amount")
    for key in (
        "edge-of-care-mst.effect.success_rate",
        "outcomes.lac_year.derive.weekly_placement_cost",
        "outcomes.lac_year.derive.weeks_per_year",
        "outcomes.lac_year.derive.non_placement_share",
    ):
        assert order.index(key) < unit_cost, key
    # Inputs of other services do not move MST's NPV, so they are not in its tornado.
    assert not any(k.startswith("pause.") for k in order)


def test_success_rate_threshold_is_the_break_even_success_rate_from_evaluate(
    uncertain_sensitivity,
):
    proc = run_cli("evaluate", UNCERTAIN, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    evaluated = by_id(json.loads(proc.stdout), "edge-of-care-mst")
    mst = by_id(uncertain_sensitivity, "edge-of-care-mst")
    rate = next(s for s in mst["tornado"] if s["key"] == "edge-of-care-mst.effect.success_rate")
    assert rate["threshold"] == pytest.approx(evaluated["break_even_success_rate"], rel=1e-9)
    assert rate["threshold"] == pytest.approx(0.032, abs=5e-4)  # Table 7: 3.2%
    assert rate["threshold_in_range"] is True


def test_tornado_npv_at_low_and_high_worked_by_hand(uncertain_sensitivity):
    # MST, five years, a cohort every year, discounted at 3.5%: NPV = net a year x (1 + 1/1.035 +
    # ... + 1/1.035^4). At a success rate of 0 the service saves nothing: NPV = -£309,617.50 x that
    # sum; at 0.32, net = 135.5 x 0.32 x £70,792.45 - £309,617.50.
    annuity = sum(1.035**-t for t in range(5))
    mst = by_id(uncertain_sensitivity, "edge-of-care-mst")
    rate = next(s for s in mst["tornado"] if s["key"] == "edge-of-care-mst.effect.success_rate")
    assert (rate["low"], rate["high"], rate["basis"]) == (0.0, 0.32, "bounds")
    assert rate["npv_low"] == pytest.approx(-MST_COST * annuity)
    assert rate["npv_high"] == pytest.approx((MST_REACH * 0.32 * LAC_YEAR - MST_COST) * annuity)
    assert rate["swing"] == pytest.approx(MST_REACH * 0.32 * LAC_YEAR * annuity)


def test_unit_cost_threshold_is_where_a_case_costs_what_it_saves(uncertain_sensitivity):
    # MST breaks even when a case costs what it saves: 0.16 x £70,792.45 = £11,326.79, far above
    # the £2,000-£3,000 range.
    mst = by_id(uncertain_sensitivity, "edge-of-care-mst")
    cost = next(s for s in mst["tornado"] if s["key"] == "edge-of-care-mst.unit_cost.amount")
    assert cost["threshold"] == pytest.approx(0.16 * LAC_YEAR, rel=1e-9)
    assert cost["threshold_in_range"] is False


def test_no_threshold_when_npv_never_reaches_zero(uncertain_sensitivity):
    # MST's saving per child is placement / (1 - share) >= 35 x £1,072 = £37,520 for any share, and
    # 135.5 x 0.16 x £37,520 = £813,434 already exceeds the £309,618 cost: no share breaks even.
    mst = by_id(uncertain_sensitivity, "edge-of-care-mst")
    share = next(s for s in mst["tornado"] if s["key"].endswith("non_placement_share"))
    assert share["threshold"] is None and share["threshold_in_range"] is False


def test_portfolio_tornado_lists_every_uncertain_input(uncertain_sensitivity):
    keys = {s["key"] for s in uncertain_sensitivity["portfolio"]["tornado"]}
    assert keys == set(uncertain_sensitivity["uncertain_inputs"])


def test_open_ended_distributions_swing_between_their_5th_and_95th_percentiles():
    # A beta success rate with mean 0.16 and sd 0.05, one year: NPV at the 5th percentile is
    # 135.5 x q05 x £70,792.45 - £309,617.50, with q05 from the beta's quantile function.
    item = intervention(effect={"success_rate": {"dist": "beta", "mean": 0.16, "sd": 0.05}})
    model = model_of(portfolio_data(interventions=[item]))
    dist = model.param("svc.effect.success_rate").value
    (swing,) = sensitivity(model).interventions[0].swings
    assert swing.basis == "5th-95th percentile"
    assert (swing.low, swing.high) == (dist.quantile(0.05), dist.quantile(0.95))
    assert swing.npv_low == pytest.approx(MST_REACH * swing.low * LAC_YEAR - MST_COST)
    assert swing.threshold == pytest.approx(BREAK_EVEN_RATE, rel=1e-9)
    assert swing.threshold_in_range is False  # 0.032 is far below the 5th percentile


# ---------------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------------


def test_simulate_table_prints_the_seed_and_every_intervention():
    proc = run_cli("simulate", UNCERTAIN, "--draws", "2000", "--seed", "42")
    assert proc.returncode == 0, proc.stderr
    assert "seed 42" in proc.stdout and "2,000 draws" in proc.stdout
    ids = [i.id for i in load_portfolio(UNCERTAIN).interventions]
    rows = {line.split()[0] for line in proc.stdout.splitlines() if line.strip()}
    assert set(ids) | {"total"} <= rows


def test_simulate_without_a_seed_chooses_one_and_prints_it():
    proc = run_cli("simulate", UNCERTAIN, "--draws", "1000", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    first = json.loads(proc.stdout)
    again = run_cli(
        "simulate", UNCERTAIN, "--draws", "1000", "--seed", str(first["seed"]), "--format", "json"
    )
    assert json.loads(again.stdout) == first


def test_sensitivity_table_names_inputs_and_thresholds():
    proc = run_cli("sensitivity", UNCERTAIN)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "edge-of-care-mst.effect.success_rate" in out
    assert "0.03228 (within low-high)" in out
    assert "none in range" in out
    assert "Portfolio total" in out
