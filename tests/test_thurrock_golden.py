"""Golden tests: the Thurrock 2017 example reproduces the report's published figures.

Source: Thurrock Director of Public Health annual report 2017, "A Sustainable Children's Social
Care System for the Future" (APHR 2017). Each expected figure is the published one, with its table.
"""

from __future__ import annotations

import pytest

from tests.conftest import by_id

REQUIRED_KEYS = {
    "id",
    "name",
    "reach",
    "cost",
    "outcomes_averted",
    "gross_savings",
    "net_savings",
    "cashable_gross_savings",
    "cashable_net_savings",
    "cashable_net_savings_strict",
    "cashable_net_savings_pro_rata",
    "roi",
    "break_even_outcomes",
    "break_even_success_rate",
    "safety_margin",
    "savings_by_payer",
}


def test_json_has_the_documented_keys(thurrock_json):
    for record in thurrock_json["interventions"]:
        assert set(record) >= REQUIRED_KEYS
    assert {"cost", "gross_savings", "net_savings"} <= set(thurrock_json["portfolio"])


def test_lac_unit_cost_matches_report_derivation(thurrock_json):
    # APHR 2017: 35 weeks x £1,072 / 0.53 = £70,792.45 a year; placements (53%) are cashable.
    mst = by_id(thurrock_json, "edge-of-care-mst")
    assert mst["outcome_cost"] == pytest.approx(70_792.45, abs=0.01)
    assert mst["cashable_outcome_cost"] == pytest.approx(35 * 1072, abs=1e-6)


class TestTable7EdgeOfCareMST:
    """APHR 2017, Table 7: edge-of-care service based on MST."""

    @pytest.fixture
    def mst(self, thurrock_json):
        return by_id(thurrock_json, "edge-of-care-mst")

    def test_table7_mst_reach_is_10_percent_of_1355(self, mst):
        assert mst["reach"] == pytest.approx(135.5)

    def test_table7_mst_cost(self, mst):
        assert mst["cost"] == pytest.approx(309_617.50, abs=0.005)

    def test_table7_mst_lac_prevented(self, mst):
        assert mst["outcomes_averted"] == pytest.approx(21.68, abs=0.005)

    def test_table7_mst_gross_savings_matches_report(self, mst):
        assert mst["gross_savings"] == pytest.approx(1_534_771, abs=10)

    def test_table7_mst_net_savings_matches_report(self, mst):
        assert mst["net_savings"] == pytest.approx(1_225_153, abs=10)

    def test_table7_mst_directly_cashable_net_savings_pro_rata(self, mst):
        # The report's "directly cashable net savings" = net x 53%.
        assert mst["cashable_net_savings_pro_rata"] == pytest.approx(649_331, abs=10)
        assert mst["cashable_net_savings"] == mst["cashable_net_savings_pro_rata"]

    def test_table7_mst_cashable_net_savings_strict(self, mst):
        # Stricter reading: cashable gross - full cost = 1,534,771 x 0.53 - 309,618 = 503,811.
        assert mst["cashable_net_savings_strict"] == pytest.approx(503_811, abs=10)

    def test_table7_mst_break_even(self, mst):
        # Report: break-even at 4.4 children a year, a 3.2% success rate (4.37 and 3.23%).
        assert mst["break_even_outcomes"] == pytest.approx(4.37, abs=0.005)
        assert mst["break_even_success_rate"] == pytest.approx(0.0323, abs=0.00005)


class TestTable6DomesticViolence:
    """APHR 2017, Table 6: domestic-violence programmes (within 0.5% of the published figures)."""

    def test_table6_steps_row(self, thurrock_json):
        steps = by_id(thurrock_json, "steps-expansion")
        assert steps["reach"] == 135 - 75
        assert steps["cost"] == pytest.approx(37_080)
        assert steps["outcomes_averted"] == pytest.approx(144, rel=0.005)
        assert steps["gross_savings"] == pytest.approx(170_300, rel=0.005)
        assert steps["net_savings"] == pytest.approx(133_220, rel=0.005)

    def test_table6_dv_perpetrators_row_loses_money_for_social_care(self, thurrock_json):
        perps = by_id(thurrock_json, "dv-perpetrator-expansion")
        assert perps["reach"] == 20 - 10
        assert perps["cost"] == pytest.approx(30_000)
        assert perps["outcomes_averted"] == pytest.approx(19, rel=0.011)  # table rounds 19.19
        assert perps["gross_savings"] == pytest.approx(22_707, rel=0.005)
        assert perps["net_savings"] == pytest.approx(-7_293, rel=0.005)
        assert perps["net_savings"] < 0

    def test_table6_totals(self, thurrock_json):
        rows = [by_id(thurrock_json, i) for i in ("steps-expansion", "dv-perpetrator-expansion")]
        assert sum(r["outcomes_averted"] for r in rows) == pytest.approx(163, rel=0.005)
        assert sum(r["cost"] for r in rows) == pytest.approx(67_080)
        assert sum(r["gross_savings"] for r in rows) == pytest.approx(193_006, rel=0.005)
        assert sum(r["net_savings"] for r in rows) == pytest.approx(125_926, rel=0.005)

    def test_table6_health_saving_shown_under_payer_health(self, thurrock_json):
        # Brief/APHR 2017: £7,230 to health per incident; "about £1.2M" on 163 incidents.
        rows = [by_id(thurrock_json, i) for i in ("steps-expansion", "dv-perpetrator-expansion")]
        for r in rows:
            assert r["savings_by_payer"]["health"] == pytest.approx(r["outcomes_averted"] * 7230)
            assert r["savings_by_payer"]["childrens_social_care"] == pytest.approx(
                r["gross_savings"]
            )
        assert sum(r["savings_by_payer"]["health"] for r in rows) == pytest.approx(1.2e6, rel=0.02)

    def test_perpetrators_save_money_for_the_public_sector_as_a_whole(self, thurrock_json):
        perps = by_id(thurrock_json, "dv-perpetrator-expansion")
        assert perps["net_savings_childrens_social_care"] < 0 < perps["net_savings_public_sector"]


def test_pause_cost_matches_report(thurrock_json):
    # APHR 2017 section 2.4.2: £20,202 per woman x 15 women = £303,030.
    assert by_id(thurrock_json, "pause")["cost"] == pytest.approx(303_030)


def test_table5_parenting_expansion(thurrock_json):
    # APHR 2017 Table 5: 283 - 148 = 135 families, £237,162; cost-neutral at about 3.4 children.
    parenting = by_id(thurrock_json, "parenting-capacity-expansion")
    assert parenting["reach"] == 135
    assert parenting["cost"] == pytest.approx(237_162)
    assert parenting["break_even_outcomes"] == pytest.approx(3.35, abs=0.005)


def test_portfolio_totals_are_sums_of_interventions(thurrock_json):
    total = thurrock_json["portfolio"]
    for key in ("cost", "gross_savings", "net_savings", "cashable_net_savings"):
        assert total[key] == pytest.approx(sum(r[key] for r in thurrock_json["interventions"]))
