"""`appraise verify`: tolerance from the figure as written, statuses, back-solved inputs.

Published figures are from Thurrock's Director of Public Health annual report 2017 (APHR 2017);
every other expected value is worked by hand in the test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from appraise.analyses.verify import verify
from appraise.errors import InputError
from appraise.model.files import ClaimsFile, claims_from_text, load_claims
from appraise.model.stated import read_claimed_number, read_claimed_text
from tests.conftest import EXAMPLES, run_cli, thurrock_in
from tests.helpers import intervention, portfolio_data

CLAIMS = EXAMPLES / "thurrock-2017-claims.yaml"
LAC_YEAR = 35 * 1072 / 0.53  # APHR 2017: 35 weeks x £1,072 / 0.53 = £70,792.45
MST_COST = 1355 * 0.10 * 2285  # APHR 2017 Table 7: 135.5 families x £2,285 = £309,617.50


def write(tmp_path: Path, data: dict, name: str = "claims.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def claims_on_thurrock(tmp_path: Path, *claims: dict, **extra) -> Path:
    return write(
        tmp_path, {"portfolio": str(thurrock_in(tmp_path)), **extra, "claims": list(claims)}
    )


def claim(ident: str, metric: str, value, who="edge-of-care-mst", **extra) -> dict:
    return {"id": ident, "intervention": who, "metric": metric, "value": value, **extra}


def results(path: Path) -> dict:
    return {c["id"]: c for c in verify(load_claims(path)).to_data()["claims"]}


def implied(result: dict) -> dict:
    return {i["input"]: i["implied_value"] for i in result["implied"]}


# ---------------------------------------------------------------------------------------------
# Tolerance inferred from the figure as written
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "tolerance"),
    [
        ("£1.2M", 1_200_000, 50_000),  # half of the last digit, 0.1 million
        ("£649k", 649_000, 500),
        ("3.2%", 0.032, 0.0005),  # rates are fractions: half of 0.1 percentage point
        ("£1,225,153", 1_225_153, 0.5),
        ("-£7,293", -7_293, 0.5),
        ("(£7,293)", -7_293, 0.5),
        ("£-7,293", -7_293, 0.5),
        ("1 in 31", 31, 0.5),
        ("£1.25bn", 1_250_000_000, 5_000_000),
        ("2.1 million", 2_100_000, 50_000),
        ("£0.5", 0.5, 0.05),
    ],
)
def test_tolerance_of_a_figure_written_as_text(text, value, tolerance):
    got_value, got_tolerance = read_claimed_text(text)
    assert got_value == pytest.approx(value)
    assert got_tolerance == pytest.approx(tolerance)


@pytest.mark.parametrize(
    ("written", "tolerance"),
    [("4.4", 0.05), ("1225153", 0.5), ("4.40", 0.005), ("1_225_153", 0.5), ("1.2e6", 50_000)],
)
def test_tolerance_of_a_figure_written_as_a_number(written, tolerance):
    assert read_claimed_number(written) == pytest.approx(tolerance)


def test_trailing_zero_written_in_yaml_is_kept():
    # YAML reads 4.40 as 4.4; the check must use the text as written (+/- 0.005, not 0.05).
    text = (
        "claims:\n"
        "  - {id: a, intervention: x, metric: cost, value: 4.40}\n"
        "  - {id: b, intervention: x, metric: cost, value: 4.4}\n"
        "  - {id: c, intervention: x, metric: cost, value: 4.40, tolerance: 1}\n"
    )
    a, b, c = claims_from_text(text).claims
    assert (a.claimed, a.check_tolerance, a.written) == (4.4, pytest.approx(0.005), "4.40")
    assert b.check_tolerance == pytest.approx(0.05)
    assert c.check_tolerance == 1  # a stated tolerance wins


def test_claims_built_in_code_read_their_numbers_as_given():
    # No file text (the app builds claims from a form): 5 is whole units, 4.4 one decimal.
    rows = [{"id": "a", "intervention": "x", "metric": "cost", "value": v} for v in (5, 4.4)]
    data = {"claims": rows}
    whole, decimal = ClaimsFile.model_validate(data).claims
    assert whole.check_tolerance == 0.5 and decimal.check_tolerance == pytest.approx(0.05)


@pytest.mark.parametrize("text", ["about £5", "£5 or so", "five", "£1.2MM", "(£7,293", ""])
def test_unreadable_claimed_text_is_an_input_error(text):
    source = (
        "claims:\n  - {id: a, intervention: x, metric: cost, value: " + json.dumps(text) + "}\n"
    )
    with pytest.raises(InputError) as err:
        claims_from_text(source, "c.yaml")
    assert err.value.problems[0].path == "claims[0].value"


# ---------------------------------------------------------------------------------------------
# The Thurrock claims file
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def thurrock() -> dict:
    return {c["id"]: c for c in verify(load_claims(CLAIMS)).to_data()["claims"]}


TABLE7 = [
    "mst-families",
    "mst-cost",
    "mst-lac-prevented",
    "mst-gross",
    "mst-net",
    "mst-cashable-net",
    "mst-break-even-children",
    "mst-break-even-rate",
]


@pytest.mark.parametrize("ident", TABLE7)
def test_table7_mst_claims_are_consistent(thurrock, ident):
    assert thurrock[ident]["status"] == "consistent", thurrock[ident]


def test_table7_net_savings_recomputed_at_the_reports_rounded_unit_cost(thurrock):
    # 21.68 LAC prevented x £70,792 (the report's rounding) - £309,617.50 = £1,225,153.06.
    assert thurrock["mst-net"]["recomputed"] == pytest.approx(21.68 * 70_792 - MST_COST)
    assert thurrock["mst-net"]["claimed"] == 1_225_153
    # Pro rata cashable: £1,225,153.06 x 53% = £649,331.12 against the published £649,331.
    assert thurrock["mst-cashable-net"]["recomputed"] == pytest.approx(
        (21.68 * 70_792 - MST_COST) * 0.53
    )


def test_break_even_claims_of_the_report_are_consistent(thurrock):
    # Table 7: 4.4 children (309,617.5 / 70,792 = 4.374) and 3.2% (4.374 / 135.5 = 3.228%);
    # Table 5: parenting is cost-neutral at about 3.4 children (237,162 / 70,792 = 3.350).
    be = thurrock["mst-break-even-children"]
    assert be["recomputed"] == pytest.approx(MST_COST / 70_792)
    assert be["tolerance"] == pytest.approx(0.05)
    rate = thurrock["mst-break-even-rate"]
    assert rate["claimed"] == pytest.approx(0.032)
    assert rate["tolerance"] == pytest.approx(0.0005)
    assert rate["recomputed"] == pytest.approx(MST_COST / 70_792 / 135.5)
    parenting = thurrock["parenting-break-even"]
    assert parenting["status"] == "consistent"
    assert parenting["recomputed"] == pytest.approx(237_162 / 70_792)


def test_every_inconsistent_claim_names_an_input_with_a_value(thurrock):
    inconsistent = [c for c in thurrock.values() if c["status"] == "inconsistent"]
    assert inconsistent
    for c in inconsistent:
        first = c["implied"][0]
        assert first["implied_value"] is not None, c["id"]
        assert set(first) >= {"input", "stated", "implied_value"}


def test_table6_steps_gross_does_not_follow_from_144_incidents(thurrock):
    # Table 6 shows 144 incidents at £1,183 = £170,352, but prints £170,300.
    steps = thurrock["steps-gross"]
    assert steps["status"] == "inconsistent"
    assert steps["recomputed"] == pytest.approx(144 * 1183)
    assert steps["difference"] == pytest.approx(170_300 - 144 * 1183)
    values = implied(steps)
    # 170,300 / 1,183 = 143.956 incidents: 2.39927 per added place, or 59.98 places.
    assert values["steps-expansion.effect.per_case"] == pytest.approx(170_300 / 1183 / 60)
    assert values["steps-expansion.reach.to_capacity"] == pytest.approx(75 + 170_300 / 1183 / 2.4)
    assert values["outcomes.dv_incident.components[0].cost"] == pytest.approx(170_300 / 144)
    # The recommended capacity moves least (0.014% against 0.03%), but 134.98 places is not a
    # possible capacity, so the incidents averted per place (143.96 for 60 places) come first.
    order = [item["input"] for item in steps["implied"]]
    assert order[0] == "steps-expansion.effect.per_case"
    # Attribution is as linear as the effect (170,300 / 170,352 of it), so it ties and follows.
    assert values["steps-expansion.additionality.attribution"] == pytest.approx(170_300 / 170_352)
    # Places already provided come after the places recommended (75 of them are not in doubt);
    # displacement, stated as 0, comes after every input with a stated value to move from.
    assert order.index("steps-expansion.reach.from_capacity") > order.index(
        "steps-expansion.reach.to_capacity"
    )
    assert order[-1] == "steps-expansion.additionality.displacement"


def test_table6_totals_are_sums_over_the_two_programmes(thurrock):
    assert thurrock["dv-total-cost"]["recomputed"] == pytest.approx(37_080 + 30_000)
    assert thurrock["dv-total-cost"]["status"] == "consistent"
    assert thurrock["dv-total-incidents"]["recomputed"] == pytest.approx(144 + 10 * 1.919)
    # The £1.2M health saving: 163.19 incidents x £7,230 = £1,179,863.70, within £50,000.
    health = thurrock["dv-health-saving"]
    assert health["recomputed"] == pytest.approx((144 + 19.19) * 7230)
    assert health["status"] == "consistent"
    assert thurrock["dv-total-gross"]["status"] == "inconsistent"


def test_pause_summary_of_10_women_disagrees_with_the_15_in_the_text(thurrock):
    summary = thurrock["pause-women-summary"]
    assert summary["status"] == "inconsistent"
    assert summary["recomputed"] == 15
    assert implied(summary) == {"pause.reach.count": pytest.approx(10)}


def test_pause_savings_range_upper_end_is_gross_savings_at_435_removals(thurrock):
    # 4.35 removals x £70,792 = £307,945.20: the upper figure is gross, not net of Pause's cost.
    assert thurrock["pause-savings-upper"]["status"] == "consistent"
    assert thurrock["pause-cashable-upper"]["status"] == "consistent"  # x 53% = £163,210.96
    as_net = thurrock["pause-savings-upper-as-net"]
    assert as_net["status"] == "inconsistent"
    assert as_net["recomputed"] == pytest.approx(4.35 * 70_792 - 15 * 20_202)
    # As net savings it holds only if Pause cost (4.35 x 70,792 - 307,945) / 15 = £0.013 a woman.
    assert implied(as_net)["pause.unit_cost.amount"] == pytest.approx(0.2 / 15, abs=1e-6)


def test_pause_savings_range_lower_end_does_not_follow_from_255_removals(thurrock):
    # 2.55 removals x £70,792 = £180,519.60, not £128,520; the report's figure implies a LAC year
    # of 128,520 / 2.55 = £50,400, or 128,520 / 70,792 = 1.815 removals (0.121 per woman).
    lower = thurrock["pause-savings-lower"]
    assert lower["status"] == "inconsistent"
    assert lower["recomputed"] == pytest.approx(2.55 * 70_792)
    values = implied(lower)
    assert values["outcomes.lac_year.unit_cost"] == pytest.approx(128_520 / 2.55)
    assert values["pause.effect.per_case"] == pytest.approx(128_520 / 70_792 / 15)
    stated = {i["input"]: i["stated"] for i in lower["implied"]}
    assert stated["pause.effect.per_case"] == 0.17  # the claim's own assumption is the stated value
    # The cashable lower figure is that same slip x 53%: 128,520 x 0.53 = 68,115.6.
    assert implied(thurrock["pause-cashable-lower"])["pause.effect.per_case"] == pytest.approx(
        68_116 / (0.53 * 70_792) / 15
    )


# ---------------------------------------------------------------------------------------------
# Back-solving
# ---------------------------------------------------------------------------------------------


def test_break_even_of_5_children_implies_an_lac_unit_cost_of_61923(tmp_path):
    path = claims_on_thurrock(tmp_path, claim("be", "break_even_outcomes", 5))
    result = results(path)["be"]
    assert result["status"] == "inconsistent"
    values = implied(result)
    # Break-even = cost / unit cost, so 5 children needs a unit cost of 309,617.5 / 5 = £61,923.50.
    assert values["outcomes.lac_year.unit_cost"] == pytest.approx(MST_COST / 5)
    # ... or a weekly placement cost of 61,923.5 x 0.53 / 35 = £937.70,
    assert values["outcomes.lac_year.derive.weekly_placement_cost"] == pytest.approx(
        MST_COST / 5 * 0.53 / 35
    )
    # ... or a cost of 5 x 70,792.45 = £353,962.26, i.e. 353,962.26 / 228.5 = 1,549.07 eligible.
    assert values["edge-of-care-mst.reach.eligible"] == pytest.approx(5 * LAC_YEAR / 228.5)
    assert values["edge-of-care-mst.unit_cost.amount"] == pytest.approx(5 * LAC_YEAR / 135.5)
    # The success rate does not enter the break-even, so it is not listed.
    assert "edge-of-care-mst.effect.baseline_risk" not in values
    # Ranked by relative distance: a unit cost 12.5% lower beats a cost 14.3% higher.
    first = result["implied"][0]
    assert first["input"] == "outcomes.lac_year.unit_cost"
    assert first["stated"] == pytest.approx(LAC_YEAR)
    # (Equal distances, as for every input of a product, tie: the whole unit cost comes first.)
    # 1,549.07 eligible children is not a possible count, so it ranks after every other input.
    assert result["implied"][-1]["input"] == "edge-of-care-mst.reach.eligible"
    distances = [round(abs(i["implied_value"] / i["stated"] - 1), 9) for i in result["implied"]]
    assert distances[:-1] == sorted(distances[:-1])


def test_without_the_rounding_assumption_table7_gross_is_9_pounds_off(tmp_path):
    # At the derived £70,792.45, 21.68 x 70,792.45 = £1,534,780.38; the report's £1,534,771
    # implies a LAC year of 1,534,771 / 21.68 = £70,792.02: the rounded unit cost.
    path = claims_on_thurrock(tmp_path, claim("gross", "gross_savings", 1_534_771))
    result = results(path)["gross"]
    assert result["status"] == "inconsistent"
    assert result["recomputed"] == pytest.approx(21.68 * LAC_YEAR)
    assert implied(result)["outcomes.lac_year.unit_cost"] == pytest.approx(1_534_771 / 21.68)


def test_an_input_that_cannot_reach_the_claim_is_none(tmp_path):
    # MST net savings of £20M. Each family nets 0.16 x 70,792.45 - 2,285 = £9,041.79, so serving
    # every one of the 1,355 eligible families nets only £12.25M: no proportion served (at most
    # 100%) gets there, while 20,000,000 / (0.1 x 9,041.79) = 22,120 eligible families would.
    path = claims_on_thurrock(tmp_path, claim("big", "net_savings", "£20M"))
    result = results(path)["big"]
    values = implied(result)
    per_family = 0.16 * LAC_YEAR - 2285
    assert 1355 * per_family < 20e6
    assert values["edge-of-care-mst.reach.proportion"] is None
    assert values["edge-of-care-mst.reach.eligible"] == pytest.approx(20e6 / (0.1 * per_family))
    assert result["implied"][-1]["implied_value"] is None  # no solution: listed last


def test_payback_year_claim_implies_the_edge_of_the_interval(tmp_path):
    # One cohort of 10 cases costs £10,000 in year 1; each success saves £1,000 a year for 5
    # years. At a 50% success rate savings are £5,000 a year and cumulative net reaches zero in
    # year 2. Payback in year 4 needs 3S < 10,000 <= 4S, S = 10 x s x 1,000: s in [0.25, 1/3).
    # The edge nearest the stated 0.5 is 1/3.
    data = portfolio_data(
        horizon_years=5,
        outcomes={"thing": {"name": "A thing", "components": [{"name": "c", "cost": 1000}]}},
        interventions=[
            intervention(
                averts="thing",
                reach={"count": 10},
                unit_cost={"amount": 1000, "per": "case"},
                effect={"success_rate": 0.5},
                timing={"cohorts": 1, "benefit_years": 5},
            )
        ],
    )
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(data))
    path = write(
        tmp_path,
        {"portfolio": "p.yaml", "claims": [claim("pb", "payback_year", 4, who="svc")]},
    )
    result = results(path)["pb"]
    assert result["recomputed"] == 2
    assert result["status"] == "inconsistent"
    assert implied(result)["svc.effect.success_rate"] == pytest.approx(1 / 3, abs=1e-6)


# ---------------------------------------------------------------------------------------------
# Statuses and metrics
# ---------------------------------------------------------------------------------------------


def free_service_portfolio(tmp_path: Path) -> None:
    free = intervention(unit_cost={"amount": 0, "per": "case"})
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(portfolio_data(interventions=[free])))


def test_undefined_recomputed_figure_is_not_checkable(tmp_path):
    # A service that costs nothing has an infinite ROI (gross / 0): there is nothing to compare.
    free_service_portfolio(tmp_path)
    path = write(tmp_path, {"portfolio": "p.yaml", "claims": [claim("r", "roi", 5, who="svc")]})
    result = results(path)["r"]
    assert result["status"] == "not_checkable"
    assert "zero denominator" in result["reason"]
    assert result["recomputed"] is None and result["difference"] is None
    assert result["implied"] == []


def test_payback_beyond_the_horizon_is_not_checkable(tmp_path):
    path = claims_on_thurrock(tmp_path, claim("pb", "payback_year", 7))
    result = results(path)["pb"]
    assert result["status"] == "not_checkable"
    assert "horizon (5 years)" in result["reason"]


def test_json_keys_and_differences(tmp_path, cli):
    path = claims_on_thurrock(tmp_path, claim("cost", "cost", 300_000), claim("ok", "reach", 135.5))
    code, out, err = cli("verify", path, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["summary"] == {"consistent": 1, "inconsistent": 1, "not_checkable": 0}
    cost = next(c for c in data["claims"] if c["id"] == "cost")
    keys = {"id", "status", "claimed", "recomputed", "difference", "relative_difference"}
    assert set(cost) >= keys | {"tolerance", "implied"}
    assert cost["difference"] == pytest.approx(300_000 - MST_COST)  # claimed - recomputed
    assert cost["relative_difference"] == pytest.approx((300_000 - MST_COST) / MST_COST)
    assert cost["tolerance"] == 0.5
    assert {"input", "stated", "implied_value"} <= set(cost["implied"][0])
    # The unit cost per case that makes it true: 300,000 / 135.5 = £2,214.02.
    assert implied(cost)["edge-of-care-mst.unit_cost.amount"] == pytest.approx(300_000 / 135.5)


def test_claims_on_nested_and_yearly_figures(tmp_path):
    path = claims_on_thurrock(
        tmp_path,
        claim("placement", "savings_by_component.lac_year.placement", round(21.68 * 35 * 1072)),
        claim("y1", "years.1.net_savings", "£1,225,163"),
        claim("lac", "outcomes_averted_by_outcome.lac_year", 25.13, who="portfolio"),
    )
    got = results(path)
    # Placement share of MST's gross: 21.68 x 35 x £1,072 = £813,433.60.
    assert got["placement"]["recomputed"] == pytest.approx(21.68 * 35 * 1072)
    assert got["y1"]["status"] == "consistent"  # year 1 of the default profile = the snapshot
    # LAC-years averted across the portfolio: MST 21.68 + Pause 15 x 0.23 = 3.45 -> 25.13.
    assert got["lac"]["recomputed"] == pytest.approx(21.68 + 3.45)
    assert all(c["status"] == "consistent" for c in got.values())


def test_markdown_and_table_output(tmp_path, cli):
    path = claims_on_thurrock(tmp_path, claim("be", "break_even_outcomes", 5, quote="1 in 5"))
    code, out, _ = cli("verify", path, "--format", "markdown")
    assert code == 0
    assert "| be | edge-of-care-mst: break_even_outcomes | 5 | 4.37 |" in out
    assert "£61,923.50" in out
    code, out, _ = cli("verify", path)
    assert code == 0
    assert "inconsistent" in out and "stated £70,792.45, implied £61,923.50" in out


def test_portfolio_option_overrides_the_file(tmp_path, cli):
    free_service_portfolio(tmp_path)
    path = write(tmp_path, {"claims": [claim("c", "cost", 0, who="svc")]})
    code, _, err = cli("verify", path)
    assert code == 2 and "portfolio: name the portfolio" in err
    code, out, err = cli("verify", path, "--portfolio", tmp_path / "p.yaml", "-f", "json")
    assert code == 0, err
    assert json.loads(out)["claims"][0]["status"] == "consistent"


# ---------------------------------------------------------------------------------------------
# Bad claims files: exit 2, file, path, value, no traceback
# ---------------------------------------------------------------------------------------------


def rejected(
    path: Path, *fragments: str, commands: tuple[str, ...] = ("verify", "validate")
) -> str:
    """Each command exits 2 with every fragment on stderr, nothing on stdout, no traceback."""
    for command in commands:
        proc = run_cli(command, path)
        assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr and proc.stdout == ""
        for fragment in fragments:
            assert fragment in proc.stderr, (fragment, proc.stderr)
    return proc.stderr


def test_claim_on_a_metric_that_does_not_exist(tmp_path):
    path = claims_on_thurrock(tmp_path, claim("x", "net_saving", 5))
    rejected(
        path,
        f"{path}: claims[0].metric: unknown metric for an intervention's figure "
        "(did you mean 'net_savings'?) (got 'net_saving')",
    )


def test_unknown_intervention_ratio_over_a_list_and_unknown_assumption(tmp_path):
    path = claims_on_thurrock(
        tmp_path,
        claim("a", "cost", 5, who="edge-of-care-mts"),
        claim("b", "roi", 5, who=["pause", "steps-expansion"]),
        claim("c", "reach", 5, who="portfolio"),
        claim("d", "cost", 5, assume=[{"input": "pause.effect.percase", "value": 1}]),
        claim("e", "cost", 5, assume=[{"input": "pause.effect.per_case", "value": -1}]),
    )
    rejected(
        path,
        "claims[0].intervention: no such intervention in the portfolio (did you mean "
        "'edge-of-care-mst'?)",
        "claims[1].metric: roi is a rate, ratio, price or year and cannot be summed",
        "claims[2].metric: reach is not a portfolio total",
        "claims[3].assume[0].input: unknown input (did you mean 'pause.effect.per_case'?)",
        "claims[4].assume[0].value: Outcomes averted per case: must",
        "(got -1.0)",
    )


def test_schema_problems_and_duplicate_ids(tmp_path):
    path = write(
        tmp_path,
        {
            "portfolio": str(thurrock_in(tmp_path)),
            "claims": [
                {"id": "a", "intervention": "pause", "metric": "cost", "value": True},
                {"id": "a", "intervention": "pause", "metric": "cost", "valeu": 5},
            ],
        },
    )
    rejected(
        path,
        "claims[0].value: expected a number or text like",
        "claims[1].valeu: unknown key (did you mean 'value'?)",
    )
    path = write(
        tmp_path, {"portfolio": str(thurrock_in(tmp_path)), "claims": [claim("a", "cost", 1)] * 2}
    )
    rejected(path, "claims[1].id: duplicate id (also claims[0]) (got 'a')")


def test_conflicting_assumptions_are_rejected(tmp_path):
    path = claims_on_thurrock(
        tmp_path,
        claim("a", "cost", 309_618),
        assume=[
            {"input": "outcomes.lac_year.unit_cost", "value": 70_792},
            {"input": "outcomes.lac_year.derive.weekly_placement_cost", "value": 1000},
        ],
    )
    rejected(path, "assume[1].input: assume either an outcome's unit cost or its components")


def test_missing_portfolio_file_is_named(tmp_path):
    path = write(tmp_path, {"portfolio": "nope.yaml", "claims": [claim("a", "cost", 1)]})
    rejected(path, f"{tmp_path / 'nope.yaml'}: file not found")


def test_validate_accepts_the_shipped_claims_file():
    proc = run_cli("validate", CLAIMS)
    assert proc.returncode == 0, proc.stderr
    assert "valid claims file: 30 claims" in proc.stdout


def test_flat_rows_for_a_sheet_name_the_input_to_check_first(tmp_path):
    path = claims_on_thurrock(
        tmp_path, claim("be", "break_even_outcomes", 5), claim("ok", "reach", 135.5)
    )
    be, ok = verify(load_claims(path)).rows()
    assert be["status"] == "inconsistent" and be["intervention"] == "edge-of-care-mst"
    assert be["check_first_input"] == "outcomes.lac_year.unit_cost"
    assert be["check_first_implied_value"] == pytest.approx(MST_COST / 5)
    assert "outcomes.lac_year.unit_cost: stated 70792.5, implied 61923.5" in be["implied_all"]
    assert ok["check_first_input"] is None and ok["implied_all"] == ""
