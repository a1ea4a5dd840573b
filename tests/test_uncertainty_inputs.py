"""Uncertain inputs: each distribution's draws, mean and quantiles, and bad ranges rejected."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from appraise.analyses.uncertainty import RELATIVE_PRECISION, Accumulator, input_stream
from appraise.model.numbers import Domain, parse_num
from tests.conftest import run_cli
from tests.helpers import intervention, portfolio_data

# (file form, mean and variance from the textbook formulas, written out here)
A, C, B = 2.0, 3.0, 7.0  # low, mode, high
PERT_ALPHA = 1 + 4 * (C - A) / (B - A)  # 1.8
PERT_BETA = 1 + 4 * (B - C) / (B - A)  # 4.2
DISTRIBUTIONS = {
    "triangular": (
        {"low": A, "central": C, "high": B},
        (A + B + C) / 3,
        (A**2 + B**2 + C**2 - A * B - A * C - B * C) / 18,
    ),
    "pert": (
        {"dist": "pert", "low": A, "mode": C, "high": B},
        (A + 4 * C + B) / 6,
        (B - A) ** 2
        * PERT_ALPHA
        * PERT_BETA
        / ((PERT_ALPHA + PERT_BETA) ** 2 * (PERT_ALPHA + PERT_BETA + 1)),
    ),
    "uniform": ({"dist": "uniform", "low": A, "high": B}, (A + B) / 2, (B - A) ** 2 / 12),
    "normal": ({"dist": "normal", "mean": 5.0, "sd": 1.5}, 5.0, 1.5**2),
    "lognormal": (
        {"dist": "lognormal", "mu": 1.0, "sigma": 0.5},
        math.exp(1.0 + 0.5**2 / 2),
        (math.exp(0.5**2) - 1) * math.exp(2 * 1.0 + 0.5**2),
    ),
    "lognormal (mean, sd)": ({"dist": "lognormal", "mean": 3.0, "sd": 1.2}, 3.0, 1.2**2),
    "beta": ({"dist": "beta", "alpha": 2.0, "beta": 5.0}, 2 / 7, 2 * 5 / (7**2 * 8)),
    "beta (mean, sd)": ({"dist": "beta", "mean": 0.16, "sd": 0.05}, 0.16, 0.05**2),
}


@pytest.mark.parametrize("name", DISTRIBUTIONS)
def test_sample_mean_matches_the_formula(name):
    raw, mean, variance = DISTRIBUTIONS[name]
    dist = parse_num(raw)
    assert dist.mean == pytest.approx(mean, rel=1e-12)
    draws = 400_000
    x = dist.draw(np.random.default_rng(11), draws)
    assert abs(x.mean() - mean) < 5 * math.sqrt(variance / draws)
    assert x.var() == pytest.approx(variance, rel=0.02)
    lo, hi = dist.support
    assert lo <= x.min() and x.max() <= hi


@pytest.mark.parametrize("name", DISTRIBUTIONS)
def test_draws_are_the_same_in_one_call_or_several(name):
    # What makes simulation results independent of chunk size.
    dist = parse_num(DISTRIBUTIONS[name][0])
    whole = dist.draw(input_stream(7, "an.input"), 10_000)
    stream = input_stream(7, "an.input")
    parts = [dist.draw(stream, n) for n in (1, 1024, 3001, 5974)]
    assert np.array_equal(whole, np.concatenate(parts))


def test_each_input_has_its_own_stream_keyed_by_name():
    dist = parse_num({"low": 0, "central": 1, "high": 2})
    a = dist.draw(input_stream(7, "a"), 5)
    assert np.array_equal(a, dist.draw(input_stream(7, "a"), 5))
    assert not np.array_equal(a, dist.draw(input_stream(7, "b"), 5))
    assert not np.array_equal(a, dist.draw(input_stream(8, "a"), 5))


def test_a_range_of_width_zero_is_a_fixed_number():
    dist = parse_num({"low": 4, "central": 4, "high": 4})
    assert np.array_equal(dist.draw(input_stream(1, "x"), 3), [4.0, 4.0, 4.0])
    assert dist.quantile(0.05) == 4.0


def test_quantiles_against_their_formulas():
    # Triangular(0, 0.16, 0.32): F(x) = x^2 / (0.32 x 0.16) below the mode, so the 5th percentile
    # is sqrt(0.05 x 0.0512) = 0.0506; above it, 1 - F = (0.32 - x)^2 / 0.0512.
    tri = parse_num({"low": 0.0, "central": 0.16, "high": 0.32})
    assert tri.quantile(0.05) == pytest.approx(math.sqrt(0.05 * 0.0512))
    assert tri.quantile(0.95) == pytest.approx(0.32 - math.sqrt(0.05 * 0.0512))
    assert tri.quantile(0.5) == pytest.approx(0.16)
    # Normal: mean -/+ 1.6449 sd (standard normal table).
    normal = parse_num({"dist": "normal", "mean": 10, "sd": 2})
    assert normal.quantile(0.05) == pytest.approx(10 - 1.644854 * 2, abs=1e-5)
    assert normal.quantile(0.95) == pytest.approx(10 + 1.644854 * 2, abs=1e-5)
    lognormal = parse_num({"dist": "lognormal", "mu": 1.0, "sigma": 0.5})
    assert lognormal.quantile(0.05) == pytest.approx(math.exp(1.0 - 1.644854 * 0.5), rel=1e-5)
    # Beta(2, 2): F(x) = 3x^2 - 2x^3; Beta(3, 1): F(x) = x^3.
    beta = parse_num({"dist": "beta", "alpha": 2, "beta": 2})
    q = beta.quantile(0.05)
    assert 3 * q**2 - 2 * q**3 == pytest.approx(0.05, abs=1e-12)
    assert parse_num({"dist": "beta", "alpha": 3, "beta": 1}).quantile(0.05) == pytest.approx(
        0.05 ** (1 / 3)
    )
    uniform = parse_num({"dist": "uniform", "low": 2, "high": 6})
    assert uniform.quantile(0.25) == 3.0
    # PERT(0, 1, 4) is 4 x Beta(2, 4) (alpha = 1 + 4 x 1/4, beta = 1 + 4 x 3/4); Beta(2, 4) has
    # F(x) = 1 - (1 - x)^4 (1 + 4x) ... its median solves F = 0.5.
    pert = parse_num({"dist": "pert", "low": 0, "mode": 1, "high": 4})
    x = pert.quantile(0.5) / 4
    assert 1 - (1 - x) ** 4 * (1 + 4 * x) == pytest.approx(0.5, abs=1e-12)


def test_histogram_percentiles_against_numpy():
    # Money-like series: symmetric, heavy-tailed, all negative, constant, and straddling zero.
    rng = np.random.default_rng(0)
    n = 60_000
    x = np.column_stack(
        [
            rng.normal(1e5, 3e5, n),
            rng.lognormal(8, 2, n),
            -rng.lognormal(10, 1, n),
            np.full(n, 7.5),
            rng.normal(0, 2, n),
        ]
    )
    acc = Accumulator(x.shape[1], 4096)
    for start in range(0, n, 4096):
        acc.add(np.ascontiguousarray(x[start : start + 4096]))
    for s in range(x.shape[1]):
        summary = acc.summary(s)
        assert summary.mean == pytest.approx(x[:, s].mean(), rel=1e-12, abs=1e-12)
        assert (summary.minimum, summary.maximum) == (x[:, s].min(), x[:, s].max())
        assert summary.positive == np.count_nonzero(x[:, s] > 0)
        for q in (0.0, 0.05, 0.5, 0.95, 1.0):
            exact = np.quantile(x[:, s], q)
            # Within 2^-11 (relative) of numpy's value, or £1 where values are under £1.
            assert abs(summary.quantile(q) - exact) <= RELATIVE_PRECISION * abs(exact) + 1.0


# ---------------------------------------------------------------------------------------------
# Bad ranges: the same clear one-line errors from simulate and sensitivity as from evaluate
# (the validation is shared; one test runs both commands, the rest `simulate`)
# ---------------------------------------------------------------------------------------------


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "portfolio.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def rejected(path: Path, *expected: str, commands: tuple[str, ...] = ("simulate",)) -> None:
    for command in commands:
        proc = run_cli(command, path)
        assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert proc.stdout == ""
        for fragment in (str(path), *expected):
            assert fragment in proc.stderr, (fragment, proc.stderr)


def test_low_above_central_is_rejected(tmp_path):
    item = intervention(effect={"success_rate": {"low": 0.2, "central": 0.16, "high": 0.32}})
    path = write(tmp_path, portfolio_data(interventions=[item]))
    rejected(
        path,
        "interventions[0].effect.success_rate.low: low (0.2) is above central (0.16)",
        commands=("simulate", "sensitivity"),
    )


def test_negative_sd_is_rejected(tmp_path):
    item = intervention(unit_cost={"amount": {"dist": "normal", "mean": 2285, "sd": -100}})
    path = write(tmp_path, portfolio_data(interventions=[item]))
    rejected(path, "interventions[0].unit_cost.amount.sd: sd must not be negative (got -100)")


def test_beta_mean_outside_0_1_is_rejected(tmp_path):
    item = intervention(effect={"success_rate": {"dist": "beta", "mean": 1.6, "sd": 0.05}})
    path = write(tmp_path, portfolio_data(interventions=[item]))
    rejected(
        path,
        "interventions[0].effect.success_rate.mean: beta mean must be strictly between 0 and 1",
        "1.6",
    )


def test_normal_on_a_rate_is_rejected(tmp_path):
    item = intervention(effect={"success_rate": {"dist": "normal", "mean": 0.16, "sd": 0.05}})
    path = write(tmp_path, portfolio_data(interventions=[item]))
    rejected(
        path,
        "interventions[0].effect.success_rate: a normal distribution can take values outside the "
        "allowed range",
    )


def test_range_reaching_outside_the_allowed_values_is_rejected(tmp_path):
    item = intervention(
        reach={"eligible": 1355, "proportion": {"low": 0, "central": 0.1, "high": 1.2}}
    )
    path = write(tmp_path, portfolio_data(interventions=[item]))
    rejected(path, "interventions[0].reach.proportion.high: high (1.2) is out of range")


def test_unknown_distribution_is_rejected(tmp_path):
    item = intervention(unit_cost={"amount": {"dist": "gamma", "shape": 2, "scale": 1000}})
    path = write(tmp_path, portfolio_data(interventions=[item]))
    rejected(path, "interventions[0].unit_cost.amount.dist: unknown distribution 'gamma'")


def test_draws_below_one_is_a_usage_error(tmp_path):
    path = write(tmp_path, portfolio_data())
    proc = run_cli("simulate", path, "--draws", "0")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--draws" in proc.stderr


def test_domain_check_lives_in_the_model():
    # The same validation serves evaluate, simulate, sensitivity and the app.
    with pytest.raises(ValueError):
        parse_num({"low": 0.5, "central": 0.2, "high": 0.9}, Domain(0.0, 1.0))


def test_lognormal_fits_an_input_that_must_be_above_zero():
    # A lognormal never draws 0, so it suits an odds ratio (which must be above 0).
    value = parse_num({"dist": "lognormal", "mu": -0.5, "sigma": 0.3}, Domain(0.0, lo_open=True))
    assert value.kind == "lognormal"
    with pytest.raises(Exception, match="can take values outside the allowed range"):
        parse_num({"dist": "normal", "mean": 0.6, "sd": 0.1}, Domain(0.0, lo_open=True))


def test_a_mean_given_in_the_file_is_the_central_value_exactly():
    # exp(mu + sigma^2 / 2) gives 2284.999999999999 back; the file said 2285.
    assert parse_num({"dist": "lognormal", "mean": 2285, "sd": 300}, Domain(0.0)).central == 2285
    assert parse_num({"dist": "beta", "mean": 0.16, "sd": 0.05}, Domain(0.0, 1.0)).central == 0.16


def test_drawn_capacities_never_give_negative_reach():
    from appraise.engine import core
    from tests.helpers import appraise_data

    item = intervention(
        reach={
            "from_capacity": {"low": 60, "central": 75, "high": 90},
            "to_capacity": {"low": 70, "central": 80, "high": 135},
        },
        unit_cost={"amount": 618},
    )
    model = appraise_data(portfolio_data(interventions=[item])).model
    inputs = model.inputs(
        {
            "svc.reach.from_capacity": np.array([75.0, 90.0]),
            "svc.reach.to_capacity": np.array([80.0, 70.0]),
        }
    )
    per, _ = core.appraise(inputs)
    # 80 - 75 = 5 added places; 70 - 90 would be -20 places: none are added, nothing is spent.
    assert per["reach"][:, 0].tolist() == [5.0, 0.0]
    assert per["cost"][:, 0].tolist() == [5 * 618, 0.0]
