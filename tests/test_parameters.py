"""Every number in a portfolio is a parameter: the discount rate, each optimism-bias rate and the
non-UK haircut can be ranged and simulated, swept, solved for and assumed; a claim may assume the
cashable convention, and `verify` says first when a claim holds under the other convention.

Figures are Thurrock's (APHR 2017): MST serves 135.5 families at £2,285 a case (£309,617.50,
Table 7); one looked-after child-year costs 35 x £1,072 / 0.53 = £70,792.45, of which 53% is
placement spend; MST averts 0.16 child-years a family.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from appraise.analyses.uncertainty import sensitivity, simulate
from appraise.analyses.verify import verify
from appraise.engine import core
from appraise.engine.params import build
from appraise.model.files import load_claims
from appraise.model.load import evidence_for, portfolio_from_data
from tests.helpers import portfolio_data

LAC_YEAR = 35 * 1072 / 0.53
MST_COST = 135.5 * 2285
MST_GROSS = 135.5 * 0.16 * LAC_YEAR
MST_NET = MST_GROSS - MST_COST  # £1,225,162.88
STRICT = MST_GROSS * 0.53 - MST_COST  # cashable gross - the full cost: £503,816.10
PRO_RATA = MST_NET * 0.53  # Thurrock's convention: net x 53% = £649,336.32


def mst(**extra) -> dict:
    """Thurrock's MST over 5 years (a cohort every year, each saving in its own year)."""
    return portfolio_data(
        interventions=[{"use": "edge-of-care-mst", "reach": {"eligible": 1355, "proportion": 0.1}}],
        **{"horizon_years": 5, **extra},
    )


def model_of(data: dict):
    portfolio = portfolio_from_data(data, "p.yaml")
    return build(portfolio, evidence_for(portfolio))


def test_the_discount_rate_is_a_parameter_with_its_source():
    model = model_of(mst(discount_rate=0.035))
    rate = model.param("discount_rate")
    assert rate.central == 0.035 and rate.sources == ("green-book-2022",)
    assert {"optimism_bias.3", "non_uk_evidence_haircut"} <= {p.key for p in model.params}


def test_a_simulation_over_a_ranged_discount_rate_spreads_npv_as_the_rate_does():
    # Constant flows over 5 years (MST's default timing): NPV = net x sum of 1 / (1 + r)^(t - 1).
    data = mst(discount_rate={"low": 0.015, "central": 0.035, "high": 0.05})
    model = model_of(data)
    sim = simulate(model, draws=20_000, seed=7).to_data()
    npv = sim["interventions"][0]["npv"]

    def npv_at(rate: float) -> float:
        return MST_NET * sum((1 + rate) ** -t for t in range(5))

    assert npv_at(0.05) < npv["p5"] < npv["p50"] < npv["p95"] < npv_at(0.015)
    assert npv["p50"] == pytest.approx(npv_at(0.0333), rel=2e-3)  # triangular median ~ 3.33%
    # The core agrees year by year with the hand formula at any rate drawn.
    per, _ = core.appraise(model.inputs({"discount_rate": np.array([0.015, 0.05])}))
    assert per["npv"][:, 0] == pytest.approx([npv_at(0.015), npv_at(0.05)])


def test_sensitivity_sweeps_the_discount_rate_and_an_optimism_bias_rate():
    data = mst(
        discount_rate={"low": 0.015, "central": 0.035, "high": 0.05},
        apply_optimism_bias=True,
        optimism_bias={"3": {"low": 0.1, "central": 0.2, "high": 0.3}},
    )
    result = sensitivity(model_of(data)).to_data()
    swept = {s["key"] for s in result["interventions"][0]["tornado"]}
    assert {"discount_rate", "optimism_bias.3"} <= swept


def test_the_optimism_bias_rate_of_the_rating_haircuts_the_effect():
    # MST is rated 3 in the library: its effect is cut by the rating's rate when switched on.
    model = model_of(mst(apply_optimism_bias=True, optimism_bias={"3": 0.25}))
    per, _ = core.appraise(model.base)
    assert per["effect_adjusted"][0] == pytest.approx(0.16 * 0.75)
    per, _ = core.appraise(model.inputs({"optimism_bias.3": 0.5}))
    assert per["effect_adjusted"][0] == pytest.approx(0.16 * 0.5)


def claims(tmp_path: Path, portfolio: dict, *items: dict) -> Path:
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(portfolio, sort_keys=False))
    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump({"portfolio": "p.yaml", "claims": list(items)}, sort_keys=False))
    return path


def checked(path: Path) -> dict:
    return {c["id"]: c for c in verify(load_claims(path)).to_data()["claims"]}


def test_a_claim_may_assume_the_cashable_convention(tmp_path):
    # Table 7's "directly cashable net savings" £649,331 (written "£649k": +/- £500) is Thurrock's
    # pro-rata figure; the portfolio here is strict, under which MST's is £503,816.
    claim = {
        "id": "cashable",
        "intervention": "edge-of-care-mst",
        "metric": "cashable_net_savings",
        "value": "£649k",
    }
    assumed = {
        **claim,
        "id": "assumed",
        "assume": [{"input": "cashable_method", "value": "pro_rata"}],
    }
    found = checked(claims(tmp_path, mst(cashable_method="strict"), claim, assumed))
    assert found["assumed"]["status"] == "consistent"
    assert found["assumed"]["recomputed"] == pytest.approx(PRO_RATA)
    assert found["cashable"]["status"] == "inconsistent"
    assert found["cashable"]["recomputed"] == pytest.approx(STRICT)


def test_verify_says_first_when_a_claim_holds_under_the_other_convention(tmp_path):
    claim = {
        "id": "cashable",
        "intervention": "edge-of-care-mst",
        "metric": "cashable_net_savings",
        "value": "£649k",
    }
    path = claims(tmp_path, mst(cashable_method="strict"), claim)
    found = checked(path)["cashable"]
    assert found["holds_under_cashable_method"] == "pro_rata"
    from tests.conftest import run_cli

    text = run_cli("verify", path).stdout
    said = text.index("It holds under the other cashable convention: cashable_method = pro_rata")
    assert said < text.index("The claim holds if one input alone were:")


def test_an_assumed_convention_must_name_a_choice(tmp_path):
    from tests.conftest import run_cli

    claim = {
        "id": "c",
        "intervention": "edge-of-care-mst",
        "metric": "net_savings",
        "value": 1,
        "assume": [{"input": "cashable_method", "value": "generous"}],
    }
    proc = run_cli("verify", claims(tmp_path, mst(), claim))
    assert proc.returncode == 2
    assert (
        "claims[0].assume[0].value: must be one of strict, pro_rata (got 'generous')" in proc.stderr
    )


def test_verify_solves_for_the_discount_rate(tmp_path):
    # MST's 5-year NPV at 3.5% is £5,725,283; a claim of £5.9M implies a lower rate.
    claim = {
        "id": "npv",
        "intervention": "edge-of-care-mst",
        "metric": "npv",
        "value": 5_900_000,
        "tolerance": 1,
    }
    found = checked(claims(tmp_path, mst(), claim))["npv"]
    rate = next(i for i in found["implied"] if i["input"] == "discount_rate")["implied_value"]
    assert MST_NET * sum((1 + rate) ** -t for t in range(5)) == pytest.approx(5_900_000, abs=1)


def test_param_init_takes_every_field_in_order_with_its_default():
    """`Param` sets its fields in its own __init__ (built 130,000 times at 10,000
    interventions): it must take the dataclass's fields, in order, with their defaults, and
    stay frozen and comparable."""
    import dataclasses
    import inspect

    from appraise.engine.registry import Param
    from appraise.model.numbers import Domain

    fields = dataclasses.fields(Param)
    parameters = list(inspect.signature(Param.__init__).parameters.values())[1:]
    assert [p.name for p in parameters] == [f.name for f in fields]
    for p, f in zip(parameters, fields, strict=True):
        assert p.default == (
            inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default
        )
    a = Param("k", "p", "l", "u", "o", "intervention", 1.0, "t", 0, Domain())
    assert a == dataclasses.replace(a) and hash(a) == hash(dataclasses.replace(a))
    assert dataclasses.replace(a, written=False).written is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.key = "other"  # type: ignore[misc]
