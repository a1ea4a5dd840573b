"""Outcome contracts (docs/outcome-contracts.md): payments worked out by hand, against the JSON."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.helpers import appraise_data, intervention, portfolio_data


def hand_worked(**contract: Any) -> dict[str, Any]:
    """100 children; 50% of days in care without the service (the contract's baseline and the
    appraisal's), 40% with it; £150 a care day avoided; a cap of £500,000; a 20% top-up; one
    cohort, paid six months after its outcomes, over two years."""
    terms: dict[str, Any] = {
        "kind": "outcomes",
        "metric": "care_days_avoided",
        "baseline": {"share_in_care": 0.5, "source": "the hand-worked test"},
        "rate_card": [{"metric": "care_days_avoided", "price": 150}],
        "cap": 500000,
        "payment_lag_months": 6,
        "top_up": {"payer": "central_government", "share": 0.2},
        "term_years": 2,
    }
    terms.update(contract)
    terms = {k: v for k, v in terms.items() if v is not None}  # None: leave the term out
    item = intervention(
        reach={"count": 100},
        unit_cost={"amount": 3000, "per": "case"},
        effect={"baseline_risk": 0.5, "treated_risk": 0.4},
        timing={"cohorts": 1},
        contract=terms,
    )
    data = portfolio_data(horizon_years=2, apply_optimism_bias=False, interventions=[item])
    # A year in care at £200 a day: 365 x 200 = £73,000.
    data["outcomes"]["lac_year"] = {
        "name": "A year in care",
        "components": [{"name": "placement", "cost": 73000, "payer": "childrens_social_care"}],
    }
    return data


def contract_of(data: dict[str, Any]) -> dict[str, Any]:
    return appraise_data(data).to_data()["interventions"][0]["contract"]


def test_hand_worked_contract() -> None:
    c = contract_of(hand_worked())
    # 100 x (0.50 - 0.40) = 10 years in care avoided = 3,650 care days; x £150 = £547,500 earned.
    assert c["paid_days"] == pytest.approx(3650)
    assert c["uncapped"] == pytest.approx(547_500)
    # Six months' lag: half is paid in year 1 (£273,750); the cap stops year 2 at £500,000.
    years = c["years"]
    assert years[0]["contract_payments"] == pytest.approx(273_750)
    assert years[1]["contract_payments"] == pytest.approx(500_000 - 273_750)
    assert c["payments"] == pytest.approx(500_000)
    assert c["cap_binds"] is True
    # The council pays 80%, the co-funder 20%.
    assert c["council_payments"] == pytest.approx(400_000)
    assert c["top_up_paid"] == pytest.approx(100_000)
    # Savings 10 x £73,000 = £730,000; the council's net = 730,000 - 400,000.
    assert c["council_net"] == pytest.approx(330_000)
    # Direct delivery: 730,000 - 100 x £3,000.
    assert c["direct_net"] == pytest.approx(430_000)
    # The provider: paid £500,000 for a service costing £300,000.
    assert c["provider_net"] == pytest.approx(200_000)
    # The cap binds at 500,000 / 150 = 3,333.3 care days: a share in care of
    # 0.5 - 3,333.3 / (100 x 365) = 40.87%.
    assert c["cap_binds_at_days"] == pytest.approx(500_000 / 150)
    assert c["cap_binds_at_share"] == pytest.approx(0.5 - 500_000 / 150 / 36_500)
    assert c["deadweight_outcomes"] == pytest.approx(0)


def test_generous_baseline_pays_for_deadweight() -> None:
    """A contract baseline of 55% against the appraisal's 50%: 5 more years in care are paid for
    than the service averts, and the output names them."""
    c = contract_of(hand_worked(baseline={"share_in_care": 0.55}, cap=None))
    assert c["deadweight_outcomes"] == pytest.approx(100 * 0.05)
    assert c["paid_outcomes"] == pytest.approx(15)
    assert c["uncapped"] == pytest.approx(15 * 365 * 150)
    assert c["baseline_contract"] == 0.55 and c["baseline_appraisal"] == 0.5
    assert c["cap_binds"] is False and c["cap_binds_at_share"] is None


def test_clawback_and_blended() -> None:
    """A negative price (a clawback) pays back; a fixed fee adds to outcome payments."""
    card = [
        {"metric": "care_days_avoided", "price": 150},
        {"metric": "outcomes_averted", "price": -10000},
    ]
    c = contract_of(hand_worked(kind="blended", rate_card=card, fixed_fee=20000, cap=None))
    # 10 outcomes: 3,650 x 150 - 10 x 10,000 = £447,500.
    assert c["uncapped"] == pytest.approx(447_500)
    assert c["fixed_fees"] == pytest.approx(40_000)  # two years in the term
    assert c["council_net"] == pytest.approx(730_000 - 0.8 * 447_500 - 40_000)
    assert c["provider_net"] == pytest.approx(447_500 + 40_000 - 300_000)


FEE = dict.fromkeys(
    ("rate_card", "cap", "baseline", "top_up", "payment_lag_months", "term_years", "metric")
)
FEE["kind"] = "fee"


def test_fee_is_todays_behaviour() -> None:
    fee = appraise_data(hand_worked(**FEE))
    plain = copy.deepcopy(hand_worked())
    del plain["interventions"][0]["contract"]
    assert fee.to_data()["interventions"][0]["contract"] is None
    assert fee.record(0)["net_savings"] == appraise_data(plain).record(0)["net_savings"]


@pytest.mark.parametrize(
    ("terms", "fragment"),
    [
        ({"cap": -1}, "interventions[0].contract.cap: must not be below 0 (got -1)"),
        (
            {"rate_card": [{"metric": "care_nights", "price": 1}]},
            "interventions[0].contract.rate_card[0].metric: unknown metric 'care_nights'",
        ),
        (
            {"top_up": {"share": 1.2}},
            "interventions[0].contract.top_up.share: must be between 0 and 1 (got 1.2)",
        ),
        ({"kind": "outcomes", "fixed_fee": 5}, "interventions[0].contract.fixed_fee: a fixed fee"),
        (
            {**FEE, "rate_card": [{"metric": "care_days_avoided", "price": 1}]},
            "interventions[0].contract.rate_card: a fee contract pays no outcome",
        ),
        ({**FEE, "cap": 5}, "interventions[0].contract.cap: a fee contract"),
        ({"payment_lag_months": 13}, "interventions[0].contract.payment_lag_months"),
    ],
)
def test_bad_contract_exits_2(tmp_path, terms: dict[str, Any], fragment: str) -> None:
    from tests.test_bad_input import rejected, write

    rejected(write(tmp_path, hand_worked(**terms)), fragment)


def test_contract_baseline_needs_a_risk(tmp_path) -> None:
    from tests.test_bad_input import rejected, write

    data = hand_worked()
    data["interventions"][0]["effect"] = {"success_rate": 0.1}
    rejected(write(tmp_path, data), "interventions[0].contract.baseline: a contract baseline")


@pytest.mark.slow
def test_hand_worked_contract_in_the_recalculated_workbook(tmp_path) -> None:
    """The same figures, from the workbook's formulas as LibreOffice recalculates them."""
    from openpyxl import load_workbook

    from appraise.engine.lines import LINES
    from appraise.model.load import load_portfolio
    from appraise.model.save import to_yaml
    from appraise.workbook.export import export_workbook
    from appraise.workbook.recalc import recalculate
    from tests.conftest import require_tool

    require_tool("soffice")
    source = tmp_path / "hand.yaml"
    source.write_text(to_yaml(hand_worked()))
    written = export_workbook(load_portfolio(source), tmp_path / "hand.xlsx")
    (out,) = recalculate([written], tmp_path / "recalculated")
    book = load_workbook(out, data_only=True)
    assert book["Checks"]["D2"].value is True
    rows = {row[0]: row for row in book["Cash flows"].iter_rows(values_only=True) if row[0]}

    def figure(key: str) -> Any:
        return rows[LINES[key].label][2]

    def years(key: str) -> tuple[Any, ...]:
        return rows[LINES[key].label][3:5]

    assert years("year_contract_payments") == pytest.approx((273_750, 226_250))
    assert figure("contract_payments") == pytest.approx(500_000)
    assert figure("contract_council_payments") == pytest.approx(400_000)
    assert figure("contract_council_net") == pytest.approx(330_000)
    assert figure("direct_net") == pytest.approx(430_000)
    assert figure("provider_net") == pytest.approx(200_000)
    assert figure("contract_cap_binds_at_days") == pytest.approx(500_000 / 150)
    assert figure("contract_cap_binds_at_share") == pytest.approx(0.5 - 500_000 / 150 / 36_500)


def simulated_contract(data: dict[str, Any], draws: int = 20_000) -> dict[str, Any]:
    from appraise.analyses.uncertainty import simulate
    from appraise.engine.params import build
    from appraise.model.load import portfolio_from_data

    portfolio = portfolio_from_data(data, "test.yaml", evidence={})
    result = simulate(build(portfolio, {**portfolio.evidence}), draws, seed=7).to_data()
    return result["interventions"][0]["contract"]


def test_simulated_mean_payment_matches_the_closed_form() -> None:
    """Uniform treated risk on 0.35..0.45, no cap, no lag, one year: care days avoided are
    100 x (0.5 - U) x 365, so the mean payment is £150 x 100 x (0.5 - 0.40) x 365 = £547,500,
    and the council pays 80% of it."""
    data = hand_worked(cap=None, payment_lag_months=0, term_years=1)
    data["horizon_years"] = 1
    data["interventions"][0]["effect"]["treated_risk"] = {
        "dist": "uniform",
        "low": 0.35,
        "high": 0.45,
    }
    c = simulated_contract(data)
    se = 150 * 100 * 365 * (0.1 / 12**0.5) / 20_000**0.5  # the mean's standard error
    assert c["mean_outcome_payment"] == pytest.approx(547_500, abs=4 * se)
    assert c["mean_council_payment"] == pytest.approx(0.8 * c["mean_outcome_payment"])
    assert c["prob_cap_binds"] == 0


def test_simulated_chance_of_loss_and_of_the_cap_binding() -> None:
    """Treated risk uniform on 0.30..0.50: the payment is 150 x 36,500 x (0.5 - U), above the
    £500,000 cap when U < 0.5 - 500,000 / 5,475,000 = 0.40868: P(cap binds) = 0.10868 / 0.2.
    Direct delivery (cost £300,000) loses when 73,000 x 100 x (0.5 - U) < 300,000, U > 0.45890:
    P = 0.04110 / 0.2. Under the contract the council pays 80% of 150 x 365 = £43,800 a year in
    care avoided and saves £73,000, so it never loses."""
    data = hand_worked(payment_lag_months=0, term_years=1)
    data["horizon_years"] = 1
    data["interventions"][0]["effect"]["treated_risk"] = {
        "dist": "uniform",
        "low": 0.30,
        "high": 0.50,
    }
    c = simulated_contract(data)
    tol = 4 * (0.25 / 20_000) ** 0.5
    assert c["prob_cap_binds"] == pytest.approx((0.5 - 500_000 / 5_475_000 - 0.30) / 0.2, abs=tol)
    assert c["prob_council_loses_direct"] == pytest.approx(
        (0.50 - (0.5 - 300_000 / 7_300_000)) / 0.2, abs=tol
    )
    assert c["prob_council_loses"] == 0


def test_verify_checks_a_contract_claim(tmp_path) -> None:
    """A claim on the council's position after payments is recomputed over the horizon (£330,000
    in the hand-worked case) and a wrong one back-solved."""
    from appraise.analyses.verify import check_claims
    from appraise.model.load import load_portfolio
    from appraise.model.save import to_yaml

    (tmp_path / "hand.yaml").write_text(to_yaml(hand_worked()))
    claims = {
        "portfolio": "hand.yaml",
        "claims": [
            {
                "id": "right",
                "intervention": "svc",
                "metric": "contract_council_net",
                "value": 330000,
            },
            {
                "id": "wrong",
                "intervention": "svc",
                "metric": "contract_council_net",
                "value": 400000,
            },
            {"id": "paid", "intervention": "svc", "metric": "contract_payments", "value": 500000},
        ],
    }
    (tmp_path / "claims.yaml").write_text(to_yaml(claims))
    portfolio = load_portfolio(tmp_path / "hand.yaml")
    checked = check_claims(tmp_path / "claims.yaml", portfolio, tmp_path / "hand.yaml")
    data = checked.verification.to_data()
    by_id = {c["id"]: c for c in data["claims"]}
    assert by_id["right"]["status"] == "consistent"
    assert by_id["right"]["recomputed"] == pytest.approx(330_000)
    assert by_id["paid"]["status"] == "consistent"
    assert by_id["wrong"]["status"] == "inconsistent"
    # £400,000 after payments: the price would have to fall so the council pays £330,000 ...
    implied = {i["input"]: i["implied_value"] for i in by_id["wrong"]["implied"]}
    assert implied["svc.contract.rate_card[0].price"] == pytest.approx(
        (730_000 - 400_000) / 0.8 / 3650
    )


def test_sensitivity_ranges_the_price_and_the_baseline() -> None:
    """The council's position with the price and the contract's baseline each at its low and its
    high; where the cap binds, a higher price changes nothing."""
    from appraise.analyses.uncertainty import sensitivity
    from appraise.engine.params import build
    from appraise.model.load import portfolio_from_data

    data = hand_worked(
        cap=None,
        payment_lag_months=0,
        baseline={"share_in_care": {"low": 0.45, "central": 0.5, "high": 0.55}},
        rate_card=[
            {"metric": "care_days_avoided", "price": {"low": 100, "central": 150, "high": 200}}
        ],
    )
    portfolio = portfolio_from_data(data, "test.yaml", evidence={})
    result = sensitivity(build(portfolio, {**portfolio.evidence})).to_data()
    (tornado,) = result["contracts"]
    assert tornado["figure"] == "contract_council_net"
    swings = {s["key"]: s for s in tornado["tornado"]}
    price = swings["svc.contract.rate_card[0].price"]
    # 730,000 - 0.8 x price x 3,650 (no cap): 438,000 at £100, 146,000 at £200.
    assert (price["npv_low"], price["npv_high"]) == pytest.approx((438_000, 146_000))
    # Break-even price: 730,000 / (0.8 x 3,650) = £250.
    assert price["threshold"] == pytest.approx(250)
    base = swings["svc.contract.baseline.share_in_care"]
    # A baseline of 45% pays for 100 x 5% fewer outcomes: 10 - 5 = 5 years, 1,825 days.
    assert base["npv_low"] == pytest.approx(730_000 - 0.8 * 150 * 1825)
    assert base["npv_high"] == pytest.approx(730_000 - 0.8 * 150 * 5475)


ESSEX = "examples/essex-mst-sib.yaml"


def test_essex_runs_through_evaluate_simulate_export_and_report(tmp_path) -> None:
    """The Essex social impact bond example end to end, as a user runs it."""
    import json

    from tests.conftest import ROOT, run_cli

    essex = ROOT / ESSEX
    proc = run_cli("evaluate", essex, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    c = json.loads(proc.stdout)["interventions"][0]["contract"]
    # The council keeps savings less payments; the cap (£7.1m, Big Society Capital) does not bind
    # at the 27% target, and the contract's baseline is the appraisal's (no deadweight).
    assert c["council_net"] == pytest.approx(c["direct_net"] + 388 * 8157.89 - c["payments"], abs=5)
    assert c["cap_binds"] is False and c["deadweight_outcomes"] == 0
    assert c["payments"] < 7_100_000 == pytest.approx(c["uncapped"] * c["cap_scale"])
    proc = run_cli("simulate", essex, "--draws", "2000", "--seed", "3", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    odds = json.loads(proc.stdout)["interventions"][0]["contract"]
    assert odds["prob_council_loses"] <= odds["prob_council_loses_direct"]
    assert 0 < odds["prob_cap_binds"] < 1
    for command, flag, name in (
        ("export", "--xlsx", "essex.xlsx"),
        ("report", "--docx", "essex.docx"),
    ):
        proc = run_cli(command, essex, flag, tmp_path / name)
        assert proc.returncode == 0, proc.stderr
        assert (tmp_path / name).stat().st_size > 0
    from docx import Document

    headings = [p.text for p in Document(str(tmp_path / "essex.docx")).paragraphs]
    assert "Outcome contracts: what the council pays, and who carries the risk" in headings
    proc = run_cli("verify", ROOT / "examples/essex-mst-sib-claims.yaml", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    statuses = {c["id"]: c["status"] for c in json.loads(proc.stdout)["claims"]}
    assert statuses == {"council-keeps": "inconsistent", "investors-repaid": "consistent"}


def test_the_chart_lines_are_the_engine_at_each_outcome() -> None:
    """The chart's council positions at a share s of the expected outcomes: under the contract
    730,000 s - 80% x min(547,500 s, 500,000); directly 730,000 s - 300,000; the x axis is the
    share in care achieved, 50% - 10% x s."""
    from appraise.analyses.contracts import expected_x, positions_by_outcome
    from appraise.engine.params import build
    from appraise.model.load import portfolio_from_data

    portfolio = portfolio_from_data(hand_worked(), "test.yaml", evidence={})
    rows = positions_by_outcome(build(portfolio, {**portfolio.evidence}), 0)
    assert len(rows) == 41 and expected_x(rows) == pytest.approx(0.4)
    for r in rows:
        s = r["scale"]
        assert r["achieved_share"] == pytest.approx(0.5 - 0.1 * s)
        assert r["contract_council_net"] == pytest.approx(
            730_000 * s - 0.8 * min(547_500 * s, 500_000)
        )
        assert r["direct_net"] == pytest.approx(730_000 * s - 300_000)
