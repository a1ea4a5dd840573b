"""What a finance officer monitors beside a programme's business case (docs/programme.md): budget,
forecast outturn and variance as at a reporting date; funding and investment by line and source;
savings reported with no target set; savings by class; measures with baselines, comparators and
forecasts.

The Suffolk and THRIVE figures are checked against the reports' own text (evidence/texts/): each
expected figure is asserted twice, once in appraise's output and once in the report's words.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appraise.analyses.monitoring import NO_TARGET
from appraise.analyses.programme import report
from appraise.model.audit import Texts
from appraise.model.load import load_evidence
from appraise.model.programme import programme_from_text
from appraise.model.savings import RECURRENCES, SAVINGS_CLASSES
from tests.conftest import EXAMPLES, ROOT, run_cli
from tests.test_programme import (
    HAND,
    SUFFOLK,
    THRIVE,
    changed,
    programme_json,
    rejected,
    write,
)


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts.of(load_evidence(), ROOT / "evidence")


def row_of(table: str, start: str) -> str:
    return next(line for line in table.splitlines() if line.startswith(start))


# ---------------------------------------------------------------------------------------------
# Suffolk: savings achieved, service overspent
# ---------------------------------------------------------------------------------------------


def test_suffolk_2016_17_shows_its_saving_beside_the_forecast_overspends(texts):
    """June 2016 review, Key MEIC Drivers and Financial Challenges: a £0.5M saving "on track",
    and forecast overspends of £5M (purchased placements and in-house fostering) and £1M (SGOs)."""
    for words in (
        "Development Team, Legal Services and the Engagement Hub have been reduced by £0.5m.",
        "Current 2016/17 forecasts are for an over-spend against the Purchase Placement and "
        "In-House Fostering budgets of £5m",
        "with a further £1m for Special Guardianship Orders",
        "Currently these are covered by underspends elsewhere.",
        "In 2015/16 there was a small overspend versus budget across CYP services.",
        "The £5.1m of savings for 15/16 have been achieved",
    ):
        assert texts.holds("suffolk-meic-2016", words), words
    data = programme_json(SUFFOLK)
    year = next(y for y in data["by_year"] if y["financial_year"] == "2016-17")
    assert (year["savings_target"], year["savings_reported_status"]) == (500_000, "on track")
    assert year["savings_status"] == "not reported"  # no amount achieved is given
    assert [(p["line"], p["variance"], p["basis"]) for p in year["pressures"]] == [
        ("Purchase placements and in-house fostering", 5_000_000, "forecast"),
        ("Special guardianship orders", 1_000_000, "forecast"),
    ]
    assert year["variance"] == 5_000_000 + 1_000_000
    # 2016-17 had not ended by June 2016: every figure for it is a forecast, none an actual.
    assert {b["outturn_basis"] for b in data["budget"] if b["year"] == "2016-17"} == {"forecast"}
    # 2015-16: savings achieved beside the small overspend the review gives no amount for.
    first = data["by_year"][0]
    assert (first["savings_achieved"], first["savings_status"], first["variance"]) == (
        5_100_000,
        "achieved",
        None,
    )
    table = run_cli("programme", SUFFOLK).stdout
    row = row_of(table, "2016-17 ")
    for shown in (
        "£500,000",
        "not reported",
        "on track",
        "+£6,000,000  forecast",
        "Purchase placements and in-house fostering: overspend £5,000,000 (forecast)",
        "Special guardianship orders: overspend £1,000,000 (forecast)",
    ):
        assert shown in row, shown
    assert "a small overspend versus budget (no amount given)" in row_of(table, "2015-16 ")


def test_suffolk_measures_and_funding(texts):
    """Children in care 800 after a 12% rise over two years; the staff establishment down about
    135 FTE; Troubled Families payment-by-results money, no amount given."""
    for words in (
        "to a current position of 800",
        "the 12% growth in the numbers of children in care",
        "the staff establishment reducing by approximately 135 FTEs",
        "Suffolk Family Focus (Troubled Families) Payments By Results monies",
    ):
        assert texts.holds("suffolk-meic-2016", words), words
    data = programme_json(SUFFOLK)
    measures = {m["measure"]: m for m in data["measures"]}
    care = measures["children_in_care"]
    assert (care["latest"], care["baseline"]["value"]) == (800, 714.29)  # 800 / 1.12
    assert care["change_since_baseline"] == pytest.approx(800 - 800 / 1.12, abs=0.01)
    assert (measures["staff_reduction"]["latest"], measures["staff_reduction"]["unit"]) == (
        135,
        "FTE",
    )
    [source] = data["funding"]["sources"]
    assert (source["kind"], source["amount"]) == ("payment_by_results", None)


# ---------------------------------------------------------------------------------------------
# THRIVE: savings with no target, funding
# ---------------------------------------------------------------------------------------------


def test_thrive_reported_savings_have_no_target_and_a_class(texts):
    """June 2014 report, appendix 1, 5.3, 5.4 and the paragraph after: at least £600k (adoption),
    at least £400k (foster carers) and £504k (supervised contact), no target naming any."""
    for words in (
        "at least £600k of spend has been avoided through greater adoption rates",
        "at least £400k additional spend has been avoided",
        "costs have fallen by £504k",
    ):
        assert texts.holds("east-sussex-thrive-2014", words), words
    data = programme_json(THRIVE)
    rows = [
        (r["name"], r["value"], r["savings_class"], r["recurrence"], r["status"])
        for r in data["reported_savings"]
    ]
    assert rows == [
        ("adoption", 600_000, "cost_avoidance", "recurring", NO_TARGET),
        ("in-house foster carers", 400_000, "cost_avoidance", "recurring", NO_TARGET),
        ("supervised contact", 504_000, "cost_avoidance", "recurring", NO_TARGET),
    ]
    assert data["savings"] == []  # none is a savings target, and none is refused
    split = data["savings_by_class"]["reported_no_target"]
    assert split["cost_avoidance"] == split["recurring"] == 600_000 + 400_000 + 504_000
    table = run_cli("programme", THRIVE).stdout
    assert "Savings reported with no target set" in table
    assert "£504,000  cost avoidance  recurring   reported, no target set" in table


def test_thrive_funding_shows_the_envelope_and_year_2s_draw(texts):
    """June 2014 report, appendix 1, 1.1 and 6.6: £9.7M set aside; £3.9M used in year 2, of which
    £1.4M on new activities and programme support and £2.6M on placements (£4.0M: the report
    rounds)."""
    for words in (
        "with £9.7m of financial support set aside if needed",
        "In the second year £3.9m additional funding has been used within the programme.",
        "£1.4m has been spent on new activities and programme support",
        "£2.6m has been spent on placements for children",
    ):
        assert texts.holds("east-sussex-thrive-2014", words), words
    f = programme_json(THRIVE)["funding"]
    assert f["envelope"] == 9_700_000
    assert f["investment_by_year"]["2013-14"] == 3_900_000
    assert [(line["line"], line["by_year"]["2013-14"]) for line in f["lines"]] == [
        ("new activities and programme support", 1_400_000),
        ("placements", 2_600_000),
    ]
    assert f["drawn_by_year"]["2013-14"] == 1_400_000 + 2_600_000
    assert f["investment_against_lines"] == [
        {
            "financial_year": "2013-14",
            "lines": 4_000_000,
            "investment": 3_900_000,
            "difference": 100_000,
        }
    ]
    # What 2012-13 drew is not given: the total drawn and what remains are not known.
    assert (f["years_not_given"], f["remaining"]) == (["2012-13"], None)
    table = run_cli("programme", THRIVE).stdout
    assert "Envelope: £9,700,000 set aside for the programme" in table
    assert "investment, as the programme gives it" in row_of(table, "investment, as the")
    assert "£3,900,000" in row_of(table, "investment, as the")
    assert "£1,400,000" in row_of(table, "new activities and programme support")
    assert "£2,600,000" in row_of(table, "placements ")


def test_thrive_measures_as_the_reports_give_them():
    """CP plans 704 in February 2012 (before the programme), 590 at Q2; contacts "in the region
    of 18,200" forecast for 2012/13 against a target under 16,449; looked after during the year
    800 in 2011/12 and 774 in 2013/14; the 2012/13 targets LAC under 591 and CP under 587."""
    data = programme_json(THRIVE)
    measures = {m["measure"]: m for m in data["measures"]}
    assert measures["cp_plans"]["baseline"] == {"at": "2012-02", "value": 704, "note": None}
    assert measures["cp_plans"]["change_since_baseline"] == 590 - 704
    during = measures["looked_after_during_year"]
    assert (during["counted"], during["baseline"]["value"], during["latest"]) == (
        "over_year",
        800,
        774,
    )
    targets = {(t["measure"], t["at"]): t for t in data["targets"]}
    assert targets[("children_in_care", "2013-03")]["target"] == 591
    assert targets[("cp_plans", "2013-03")]["target"] == 587
    contacts = targets[("initial_contacts", "2013-03")]
    assert (contacts["target"], contacts["actual"]) == (16_449, None)  # a forecast is no actual
    assert (contacts["forecast"], contacts["forecast_reported_at"]) == (18_200, "2012-09")
    assert (contacts["forecast_variance"], contacts["forecast_met"]) == (18_200 - 16_449, False)


# ---------------------------------------------------------------------------------------------
# Budget monitoring on a hand-worked programme
# ---------------------------------------------------------------------------------------------


def with_budget(*rows: dict, as_at: str = "2022-09") -> dict:
    return changed(actuals={"as_at": as_at, "budget": list(rows)})


def test_budget_variance_by_year_and_quarter(tmp_path):
    data = programme_json(
        write(
            tmp_path,
            with_budget(
                # 2021-22 has ended by 2022-09: its outturn is an actual.
                {"line": "placements", "year": "2021-22", "budget": 40_000, "actual": 43_500},
                # 2022-23 has not: a forecast outturn, 1,000 under budget.
                {
                    "line": "placements",
                    "year": "2022-23",
                    "budget": 42_000,
                    "forecast_outturn": 41_000,
                },
                # Its first quarter (April to June 2022) has ended.
                {
                    "line": "placements",
                    "year": "2022-23",
                    "period": "2022-23-Q1",
                    "budget": 10_500,
                    "actual": 11_000,
                },
                {"line": "sgo", "year": "2022-23", "variance": 2_000},
            ),
        )
    )
    rows = [
        (b["period"], b["outturn_basis"], b["variance"], b["variance_basis"], b["overspend"])
        for b in data["budget"]
    ]
    assert rows == [
        ("2021-22", "actual", 43_500 - 40_000, "outturn - budget", True),
        ("2022-23", "forecast", 41_000 - 42_000, "outturn - budget", False),
        ("2022-23-Q1", "actual", 11_000 - 10_500, "outturn - budget", True),
        ("2022-23", "forecast", 2_000, "as reported", True),
    ]
    assert data["budget"][2]["reads_as"] == "April 2022 to June 2022"
    year = next(y for y in data["by_year"] if y["financial_year"] == "2022-23")
    # The year's whole-year lines only (a quarter is shown on its own): -1,000 + 2,000.
    assert year["variance"] == 1_000
    assert [p["line"] for p in year["pressures"]] == ["sgo"]


@pytest.mark.parametrize(
    ("row", "says"),
    [
        (
            {"line": "placements", "year": "2022-23", "budget": 1, "actual": 2},
            "actuals.budget[0].actual: 2022-23 has not ended by the reporting date (2022-09): a "
            "figure for it is a forecast, never an actual; give it as forecast_outturn",
        ),
        (
            {"line": "placements", "year": "2022-23", "period": "2022-23-Q3", "actual": 2},
            "2022-23-Q3 has not ended by the reporting date",
        ),
        (
            {"line": "placements", "year": "2022-23", "period": "2021-22-Q1", "budget": 1},
            "actuals.budget[0].period: not a period within 2022-23",
        ),
        (
            {"line": "placements", "year": "2023-24", "budget": 1},
            "actuals.budget[0].year: not a year of the programme",
        ),
        (
            {
                "line": "placements",
                "year": "2021-22",
                "budget": 1,
                "actual": 2,
                "variance": 5,
            },
            "give those or the variance as the report states it, not both",
        ),
        ({"line": "placements", "year": "2021-22"}, "give budget, forecast_outturn, actual"),
    ],
)
def test_budget_lines_refused(tmp_path, row, says):
    rejected(write(tmp_path, with_budget(row)), says)


def test_spend_for_a_year_not_ended_is_refused_as_an_actual(tmp_path):
    data = changed(actuals={"as_at": "2022-09", "spend": {"2022-23": 5_000_000}})
    rejected(
        write(tmp_path, data),
        "actuals.spend.2022-23: 2022-23 has not ended by as_at (2022-09): a figure for it is a "
        "forecast, never an actual",
    )


def test_budget_monitoring_needs_a_reporting_date(tmp_path):
    data = json.loads(json.dumps(HAND))
    del data["actuals"]["as_at"]
    data["actuals"]["budget"] = [{"line": "placements", "year": "2021-22", "budget": 1}]
    rejected(write(tmp_path, data), "actuals.as_at: budget monitoring is as at a reporting date")


# ---------------------------------------------------------------------------------------------
# Funding, reported savings, measures
# ---------------------------------------------------------------------------------------------


def test_funding_by_source_and_line(tmp_path):
    funding = {
        "envelope": 900_000,
        "sources": [
            {"name": "reserve", "kind": "reserves", "amount": 600_000},
            {"name": "grant", "kind": "grant", "amount": 300_000},
            {"name": "early help budget", "kind": "substitution"},
            {"name": "capital programme", "kind": "capital", "amount": 80_000},
        ],
    }
    lines = [
        {"line": "staff", "source": "reserve", "year": "2020-21", "value": 200_000},
        {"line": "staff", "source": "grant", "year": "2020-21", "value": 100_000},
        {"line": "staff", "source": "reserve", "year": "2021-22", "value": 250_000},
        {"line": "venues", "source": "early help budget", "year": "2021-22", "value": 150_000},
        {
            "line": "family hub refit",
            "source": "capital programme",
            "year": "2021-22",
            "value": 50_000,
        },
    ]
    path = write(tmp_path, changed(programme={"funding": funding, "investment_lines": lines}))
    data = programme_json(path)
    assert "Drawn: capital £50,000, revenue £700,000" in run_cli("programme", path).stdout
    f = data["funding"]
    by_source = {s["source"]: (s["drawn"], s["remaining"]) for s in f["sources"]}
    # Every year up to the last with a line is given: what remains is known.
    assert by_source == {
        "reserve": (450_000, 150_000),
        "grant": (100_000, 200_000),
        "early help budget": (150_000, None),  # substitution: a source with no amount given
        "capital programme": (50_000, 30_000),
    }
    assert [(x["line"], x["total"], x["sources"]) for x in f["lines"]] == [
        ("staff", 550_000, ["grant", "reserve"]),
        ("venues", 150_000, ["early help budget"]),
        ("family hub refit", 50_000, ["capital programme"]),
    ]
    assert (f["drawn"], f["remaining"]) == (750_000, 150_000)
    assert (f["drawn_capital"], f["drawn_revenue"]) == (50_000, 700_000)
    # HAND's investment is 300,000 in 2020-21 (the lines agree) and 400,000 in 2021-22: the
    # lines add to 450,000 there, and the report says so rather than altering either.
    assert f["investment_against_lines"] == [
        {"financial_year": "2021-22", "lines": 450_000, "investment": 400_000, "difference": 50_000}
    ]
    # Substitution is money, never a saving.
    assert data["savings_by_class"]["reported_no_target"]["cash_releasing"] == 0


def test_an_investment_line_must_name_a_source(tmp_path):
    data = changed(
        programme={
            "funding": {"sources": [{"name": "reserve", "kind": "reserves"}]},
            "investment_lines": [
                {"line": "staff", "source": "reserves", "year": "2020-21", "value": 1}
            ],
        }
    )
    rejected(
        write(tmp_path, data),
        "programme.investment_lines[0].source: not a source under programme.funding "
        "(sources: reserve) (got 'reserves')",
    )


def test_a_reported_saving_outside_the_programme_is_refused(tmp_path):
    saving = {
        "name": "contact",
        "value": 1,
        "period": "2019-20",
        "savings_class": "cost_avoidance",
        "recurrence": "one_off",
    }
    rejected(
        write(tmp_path, changed(actuals={"reported_savings": [saving]})),
        "actuals.reported_savings[0].period: outside the programme",
    )


def test_comparators_beside_the_local_rate(tmp_path):
    measures = {
        "children_in_care": {
            "population": 40_000,  # children: 386 of them is 96.5 per 10,000
            "baseline": {"at": "2020-03", "value": 420},
            "comparators": [
                {"name": "England", "kind": "england", "at": "2022-03", "rate_per_10000": 67},
                {
                    "name": "Statistical neighbours",
                    "kind": "statistical_neighbours",
                    "at": "2022-03",
                    "rate_per_10000": 80.5,
                },
            ],
        }
    }
    data = programme_json(write(tmp_path, changed(programme={"measures": measures})))
    [care] = data["measures"]
    assert care["latest_rate_per_10000"] == pytest.approx(386 / 40_000 * 10_000)
    assert care["change_since_baseline"] == 386 - 420
    assert [(c["name"], c["difference"]) for c in care["comparators"]] == [
        ("England", pytest.approx(96.5 - 67)),
        ("Statistical neighbours", pytest.approx(96.5 - 80.5)),
    ]
    table = run_cli("programme", write(tmp_path, changed(programme={"measures": measures}))).stdout
    assert (
        "children_in_care against England: 67.0 per 10,000 at 2022-03; here 96.5 at 2022-09 (+29.5)."
        in table
    )


def test_thurrock_cp_plans_beside_the_eastern_region_average(texts):
    """Children's Social Care Performance, 12 December 2017, appendix 1, indicator 1.6: 73, 67,
    72, 70, 68, 67 per 10,000 (2016/17 Q1 to 2017/18 Q2) against the Eastern Region's 31."""
    row = (
        "1.6 Children subject of a child protection plan (CPP) at period end per 10,000 0-17 "
        "population 73 67 72 70 68 67 31 Higher than ER"
    )
    assert texts.holds("thurrock-aphr-2017", row)
    # The seventh figure is the region's average: 3.4 reads row 2.1's sixth and seventh so.
    assert texts.holds("thurrock-aphr-2017", "the eastern region average of 21%")
    assert texts.holds(
        "thurrock-aphr-2017",
        "2.1 % of referrals which are repeat referrals 15% 14% 14% 14% 10% 9% 21%",
    )
    data = programme_json(EXAMPLES / "thurrock-2017-benchmarks.yaml")
    [cp] = data["measures"]
    assert [v["value"] for v in cp["values"]] == [73, 67, 72, 70, 68, 67]
    assert (cp["latest"], cp["latest_rate_per_10000"]) == (67, 67)
    [region] = cp["comparators"]
    assert (region["kind"], region["rate_per_10000"], region["difference"]) == ("region", 31, 36)


def test_a_baseline_is_before_the_start_and_a_forecast_after_it_is_made(tmp_path):
    late = {"children_in_care": {"baseline": {"at": "2020-04", "value": 1}}}
    rejected(
        write(tmp_path, changed(programme={"measures": late})),
        "programme.measures.children_in_care.baseline.at: a baseline is the value before the "
        "programme starts (2020-04)",
    )
    forecast = {"measure": "children_in_care", "at": "2022-06", "value": 380}
    rejected(
        write(tmp_path, changed(actuals={"forecasts": [forecast]})),
        "actuals.forecasts[0].at: a forecast is of a month after the reporting date (as_at), "
        "2022-09",
    )


# ---------------------------------------------------------------------------------------------
# Savings by class add up
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("example", [THRIVE, SUFFOLK])
def test_every_programme_example_splits_its_savings_by_class(example):
    data = programme_json(example)
    split = data["savings_by_class"]
    totals = {
        "targets": sum(s["target"] for s in data["savings"]),
        "achieved": sum(s["achieved"] or 0 for s in data["savings"]),
        "reported_no_target": sum(r["value"] for r in data["reported_savings"]),
    }
    assert any(totals.values())
    for key, total in totals.items():
        assert sum(split[key][c] for c in SAVINGS_CLASSES) == pytest.approx(total)
        assert sum(split[key][r] for r in RECURRENCES) == pytest.approx(total)


saving = st.fixed_dictionaries(
    {
        "value": st.integers(0, 10**9),
        "savings_class": st.sampled_from(SAVINGS_CLASSES),
        "recurrence": st.sampled_from(RECURRENCES),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(targets=st.lists(saving, max_size=6), reported=st.lists(saving, max_size=6))
def test_classes_and_recurrences_add_up_over_random_programmes(targets, reported):
    data = json.loads(json.dumps(HAND))
    data["programme"]["savings_targets"] = [
        {"workstream": f"w{i}", "year": "2021-22", **t} for i, t in enumerate(targets)
    ]
    data["actuals"]["savings"] = []
    data["actuals"]["reported_savings"] = [
        {"name": f"r{i}", "period": "2021-22", **r} for i, r in enumerate(reported)
    ]
    out = report(programme_from_text(json.dumps(data), "random.yaml")).to_data()
    for key, rows, figure in (
        ("targets", targets, "value"),
        ("reported_no_target", reported, "value"),
    ):
        split = out["savings_by_class"][key]
        for c in SAVINGS_CLASSES:
            assert split[c] == sum(r[figure] for r in rows if r["savings_class"] == c)
        for r in RECURRENCES:
            assert split[r] == sum(x[figure] for x in rows if x["recurrence"] == r)
        assert sum(split[c] for c in SAVINGS_CLASSES) == sum(r[figure] for r in rows)
