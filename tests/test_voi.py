"""The value of information: closed forms, the properties that hold by construction, the example.

For two choices whose NPVs differ by D = m + b X + g W, with X and W independent normals, the
value of knowing X is that of a normal decision: with s the standard deviation of E(D | X) = m +
b X, s = |b| sd(X), and z = |m| / s,

    EVPPI(X) = E[max(0, E(D | X))] - max(0, m) = s phi(z) - |m| (1 - Phi(z)),

and EVPI is the same with s = sqrt(b^2 sd(X)^2 + g^2 sd(W)^2) (knowing everything). Each
estimate must land within three of its own stated Monte Carlo standard errors of the closed form.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appraise.analyses.uncertainty import simulate
from appraise.analyses.voi import Decision, Evppi, evpi, information
from appraise.engine.params import build
from appraise.model.load import evidence_for, load_portfolio, portfolio_from_data
from tests.conftest import EXAMPLES, run_cli
from tests.helpers import intervention, portfolio_data

STANDARD = NormalDist()


def normal_decision_value(m: float, s: float) -> float:
    """E[max(0, D)] - max(0, m) for D ~ Normal(m, s): s phi(z) - |m| (1 - Phi(z)), z = |m| / s."""
    z = abs(m) / s
    return s * STANDARD.pdf(z) - abs(m) * (1 - STANDARD.cdf(z))


def two_choices(draws: int, seed: int, g: float = 0.0) -> tuple[Decision, dict[str, np.ndarray]]:
    """Choice A: NPV 1,000 + 50 X. Choice B: 1,200 - 30 X + g W. X ~ N(2, 4), W ~ N(0, 1).

    D = B - A = 200 - 80 X + g W: mean m = 200 - 160 = 40; the part X explains has s = 80 x 4.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(2, 4, draws)
    w = rng.normal(0, 1, draws)
    npv = np.column_stack([1000 + 50 * x, 1200 - 30 * x + g * w])
    return Decision("A or B", ("A", "B"), npv, 100.0, "families"), {"x": x, "w": w}


def test_two_choices_linear_in_one_normal_input_match_the_closed_form_at_a_million_draws():
    decision, inputs = two_choices(1_000_000, 28)
    closed = normal_decision_value(40.0, 320.0)
    # z = 40 / 320 = 0.125: 320 x phi(0.125) - 40 x (1 - Phi(0.125)) = 320 x 0.395838 - 40 x
    # 0.450262 = 126.668 - 18.010.
    assert closed == pytest.approx(108.658, abs=0.001)
    found, gains = evpi(decision)
    se = gains.std() / math.sqrt(len(gains))
    assert abs(found - closed) < 3 * se
    estimator = Evppi([decision], inputs)
    known = estimator.single("x")
    assert abs(known.value - closed) < 3 * known.se
    # X decides everything, so knowing it is worth all of EVPI, draw for draw.
    assert known.value == pytest.approx(found, rel=1e-12)
    # W plays no part: knowing it is worth nothing, exactly.
    assert estimator.single("w").value == 0.0


def test_knowing_one_of_two_inputs_is_worth_its_own_closed_form():
    decision, inputs = two_choices(1_000_000, 29, g=250.0)
    estimator = Evppi([decision], inputs)
    found, gains = evpi(decision)
    total = normal_decision_value(40.0, math.hypot(320.0, 250.0))
    assert abs(found - total) < 3 * gains.std() / math.sqrt(len(gains))
    x = estimator.single("x")
    assert abs(x.value - normal_decision_value(40.0, 320.0)) < 3 * x.se
    w = estimator.single("w")
    assert abs(w.value - normal_decision_value(40.0, 250.0)) < 3 * w.se + 0.5
    both = estimator.group(["x", "w"])
    assert x.value < both.value <= found
    assert abs(both.value - found) < 3 * both.se


# ---------------------------------------------------------------------------------------------
# Properties: EVPPI <= EVPI, and a group is worth at least any member, on random portfolios
# ---------------------------------------------------------------------------------------------

RANGES = {
    "proportion": st.tuples(st.floats(0.02, 0.1), st.floats(0.0, 0.1)),
    "amount": st.tuples(st.floats(500, 5000), st.floats(0, 2000)),
    "success_rate": st.tuples(st.floats(0.0, 0.2), st.floats(0.0, 0.15)),
}


def _range(low: float, width: float) -> dict[str, float]:
    return {"low": low, "central": low + width / 2, "high": low + width}


@st.composite
def random_portfolio(draw) -> dict:
    """One to four services with ranges on reach, cost and effect, the cost of care ranged;
    as options or as services funded each on its own; some groups named in the file."""
    count = draw(st.integers(1, 4))
    items = []
    for k in range(count):
        share, cost, effect = (draw(RANGES[r]) for r in ("proportion", "amount", "success_rate"))
        items.append(
            intervention(
                id=f"s{k}",
                reach={"eligible": 1355, "proportion": _range(*share)},
                unit_cost={"amount": _range(*cost), "per": "case"},
                effect={"success_rate": _range(*effect)},
            )
        )
    data = portfolio_data(interventions=items, horizon_years=draw(st.integers(1, 6)))
    data["outcomes"]["lac_year"]["derive"]["weeks_per_year"] = {
        "low": 30,
        "central": 35,
        "high": draw(st.sampled_from([36, 40, 45])),
    }
    if draw(st.booleans()):
        data["options"] = [{"name": "Do nothing", "interventions": []}] + [
            {"name": f"Option {k}", "interventions": [f"s{k}"]} for k in range(count)
        ]
    keys = [f"s{k}.{f}" for k in range(count) for f in ("reach.proportion", "effect.success_rate")]
    keys.append("outcomes.lac_year.derive.weeks_per_year")
    groups = {
        f"group {j}": draw(st.lists(st.sampled_from(keys), min_size=2, max_size=4, unique=True))
        for j in range(draw(st.integers(0, 3)))
    }
    if groups:
        data["value_of_information"] = {"groups": groups}
    return data


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_portfolio(), st.integers(0, 1000))
def test_evppi_never_exceeds_evpi_and_a_group_never_falls_below_a_member(data, seed):
    """Each holds exactly for any draws (appraise.analyses.voi says why): no tolerance for
    Monte Carlo error is needed, only for the rounding of sums of pounds."""
    portfolio = portfolio_from_data(data, "random.yaml")
    model = build(portfolio, evidence_for(portfolio))
    found = information(simulate(model, 3000, seed, keep=True))
    total = found.total_evpi
    tiny = 1e-9 * max(1.0, total)
    by_key = {r.key: r for r in found.inputs}
    for ranked in found.inputs + found.groups:
        assert -tiny <= ranked.estimate.value <= total + tiny
        for value, ceiling in zip(ranked.estimate.by_decision, found.evpi, strict=True):
            assert -tiny <= value <= ceiling + tiny
    for group in found.groups:
        for member in group.inputs:
            for mine, theirs in zip(
                group.estimate.by_decision, by_key[member].estimate.by_decision, strict=True
            ):
                assert mine >= theirs - tiny, (group.key, member)


# ---------------------------------------------------------------------------------------------
# The example: MST, FFT or doing nothing
# ---------------------------------------------------------------------------------------------

OPTIONS = EXAMPLES / "edge-of-care-options.yaml"


@pytest.fixture(scope="module")
def options_voi():
    portfolio = load_portfolio(OPTIONS)
    model = build(portfolio, evidence_for(portfolio))
    return information(simulate(model, 100_000, 2017, keep=True))


def test_edge_of_care_options_rank_mst_effect_first_and_fft_effect_at_nothing(options_voi):
    """MST's effect decides the choice; FFT's cannot change it.

    The choice is made on expected NPV. Over 5 years at 3.5% (x 4.6731) for 135.5 families a
    year, FFT's expected NPV with its effect at the very top of its range, 16 points, is
    4.6731 x 135.5 x (0.16 x E[a year in care] - £2,550), with E[a year in care] = E[weekly cost]
    x E[weeks] x E[1 / (1 - non-placement share)] = £1,074 x 35 x 1.8896 = £71,030 (the three
    drawn independently): £5,581,587, below MST's expected £5,647,348. So no value of FFT's
    effect alone would make FFT the choice, and knowing it is worth nothing to this decision,
    however wide its range; MST's effect, below about 7.8%, hands the choice to FFT.
    """
    ranked = options_voi.inputs
    assert ranked[0].key == "edge-of-care-mst.effect.success_rate"
    fft = next(r for r in ranked if r.key == "edge-of-care-fft.effect.success_rate")
    assert fft.estimate.value == 0.0
    # The tornado ranks FFT's effect second: its swing is wide, but it never changes the choice.
    assert fft.tornado_rank == 2 and ranked[0].tornado_rank == 1
    one_over = 1 / (1 - np.linspace(0.42, 0.52, 200_001))  # E[1/(1-s)], s triangular(.42,.47,.52)
    density = np.interp(np.linspace(0.42, 0.52, 200_001), [0.42, 0.47, 0.52], [0, 20, 0])
    mean_inverse = float(np.trapezoid(one_over * density, dx=0.1 / 200_000))
    assert mean_inverse == pytest.approx(1.8896, abs=1e-4)
    care = 1074 * 35 * mean_inverse
    assert 4.6731 * 135.5 * (0.16 * care - 2550) < 5_647_348


def test_mst_effect_evppi_matches_its_semi_closed_form(options_voi):
    """Knowing MST's success rate s, the choice is the best of doing nothing (£0), FFT at its
    expected NPV and MST at its expected NPV given s; without knowing it, MST. Every expectation
    is linear in the inputs drawn independently, so with a = 4.6731 x 135.5 (5 years at 3.5%,
    135.5 families a year) and C = £71,030 the expected cost of a year in care:

        MST given s: a (s C - (2,000 + 2,285 + 3,000) / 3);  FFT: a (0.08 C - 2,550),

    and EVPPI = E[max(MST given s, FFT, 0) - MST given s] over s ~ triangular(0, 0.16, 0.32),
    integrated numerically."""
    mst = options_voi.inputs[0]
    s = np.linspace(0.0, 0.32, 320_001)
    density = np.interp(s, [0.0, 0.16, 0.32], [0.0, 1 / 0.16, 0.0])
    share = np.linspace(0.42, 0.52, 200_001)
    mean_inverse = np.trapezoid(
        1 / (1 - share) * np.interp(share, [0.42, 0.47, 0.52], [0, 20, 0]), share
    )
    care = 1074 * 35 * float(mean_inverse)
    a = 4.6731 * 135.5
    given_s = a * (s * care - (2000 + 2285 + 3000) / 3)
    fft = a * (0.08 * care - 2550)
    closed = float(np.trapezoid((np.maximum(np.maximum(given_s, fft), 0.0) - given_s) * density, s))
    assert abs(mst.estimate.value - closed) < 3 * mst.estimate.se


def test_the_population_figure_is_per_case_times_the_cases_over_the_horizon(options_voi):
    decision = options_voi.to_data()["decisions"][0]
    # 135.5 families a year (10% of 1,355), a cohort each of 5 years: 677.5 families.
    assert decision["cases"] == pytest.approx(677.5)
    assert decision["unit"] == "families"
    assert decision["evpi_per_case"] * 677.5 == pytest.approx(decision["evpi"])


# ---------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------


def test_simulate_voi_prints_the_ranking_beside_the_tornado_and_json():
    proc = run_cli("simulate", OPTIONS, "--voi", "--draws", "20000", "--seed", "2017")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "What to check first" in out
    ranking = out.split("What to check first", 1)[1]
    assert ranking.index("edge-of-care-mst.effect.success_rate") < ranking.index(
        "edge-of-care-fft.effect.success_rate"
    )
    assert "Check first: Edge-of-care service based on Multisystemic Therapy: Success rate" in out
    assert "Tornado rank" in out
    data = json.loads(
        run_cli(
            "simulate", OPTIONS, "--voi", "--draws", "20000", "--seed", "2017", "--format", "json"
        ).stdout
    )
    voi = data["value_of_information"]
    values = [r["evppi"] for r in voi["inputs"]]
    assert values == sorted(values, reverse=True)
    assert voi["inputs"][0]["key"] == "edge-of-care-mst.effect.success_rate"
    assert all(0 <= v <= voi["evpi"] + 1e-6 for v in values)
    assert voi["decisions"][0]["choices"] == ["Do nothing", "MST", "FFT"]


def test_a_group_naming_an_unknown_input_is_refused_with_its_path(tmp_path: Path):
    data = yaml.safe_load(OPTIONS.read_text())
    data["value_of_information"] = {
        "groups": {"audit": ["edge-of-care-mst.effect.success_rate", "mst.effect.sucess_rate"]}
    }
    path = tmp_path / "groups.yaml"
    path.write_text(yaml.safe_dump(data))
    for args in (("simulate", path, "--voi", "--draws", "2000"), ("validate", path)):
        proc = run_cli(*args)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert f"{path}: value_of_information.groups.audit[1]:" in proc.stderr
        assert "did you mean 'edge-of-care-mst.effect.success_rate'?" in proc.stderr


def test_keeping_every_draw_is_bounded(tmp_path: Path):
    proc = run_cli("simulate", OPTIONS, "--voi", "--draws", "9000000")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "the value of information keeps every draw" in proc.stderr


# ---------------------------------------------------------------------------------------------
# The committee paper
# ---------------------------------------------------------------------------------------------


def test_the_paper_says_what_to_check_first_and_draws_the_budget_curve(tmp_path: Path):
    from docx.table import Table

    from appraise.display import check_first, money
    from tests.test_paper import blocks_under, pictures, report, rows_of

    document = report(tmp_path, str(OPTIONS))
    cli = json.loads(
        run_cli(
            "simulate", OPTIONS, "--voi", "--draws", "10000", "--seed", "1", "--format", "json"
        ).stdout
    )
    voi = cli["value_of_information"]
    section = blocks_under(document, "What to check first")
    text = [b.text for b in section if not isinstance(b, Table)]
    for sentence in check_first(voi, 5):
        assert sentence in text
    ranked = rows_of(next(b for b in section if isinstance(b, Table)))
    assert [r["EVPPI"] for r in ranked] == [money(r["evppi"]) for r in voi["inputs"]]
    assert ranked[0]["Input"].startswith(
        "Edge-of-care service based on Multisystemic Therapy: Success rate"
    )
    assert "Which option, for the money available" in text
    # The EVPPI chart and the budget curve.
    assert sum("image/png" in pictures(b, document) for b in section) == 2
