"""Price years and uprating by the shipped indices, with the expected figures worked by hand."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appraise.errors import InputError
from appraise.model.prices import (
    DATA,
    PriceYear,
    load_index,
    parse_index_csv,
    parse_price_year,
    shipped_index,
    shipped_index_names,
)

GDP_FILE = DATA / "indices" / "gdp-deflator-fy-2026-03.csv"
NHS_FILE = DATA / "indices" / "nhs-cost-inflation-index-2025.csv"


def problems(exc: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(p) for p in exc.value.problems]


# --- The two figures in the issue, worked by hand ---------------------------------------------


def test_the_shipped_deflator_has_2009_10_at_67_7042_with_2024_25_as_100():
    with GDP_FILE.open() as f:
        rows = {r["financial_year"]: r for r in csv.DictReader(f)}
    assert float(rows["2009-10"]["index"]) == 67.7042
    assert float(rows["2024-25"]["index"]) == 100.0
    assert rows["2009-10"]["status"] == rows["2024-25"]["status"] == "outturn"


def test_mst_2285_in_2009_10_prices_is_3374_98_in_2024_25_prices_by_the_gdp_deflator():
    # 2285 x 100 / 67.7042 = 3,374.9753 (the "Done when" figure).
    uprating = shipped_index("gdp_deflator").uprate(2285, "2009-10", "2024-25")
    assert round(uprating.result, 2) == 3374.98
    assert uprating.result == pytest.approx(2285 * 100 / 67.7042, rel=1e-15)
    assert uprating.factor == pytest.approx(100 / 67.7042, rel=1e-15)
    assert [(p.year.label, p.value) for p in uprating.values_used] == [
        ("2009-10", 67.7042),
        ("2024-25", 100.0),
    ]
    assert not uprating.uses_forecast
    assert "= £3,374.98 in 2024-25 prices" in uprating.describe()


def test_the_nhs_index_is_shipped_as_annual_percentage_changes():
    with NHS_FILE.open() as f:
        header = next(csv.reader(f))
    assert header == ["series", "financial_year", "annual_pct_change", "status"]
    index = shipped_index("nhs_cost_inflation")
    assert index.form == "annual_change"
    # Changes from 2015/16 are each against the year before, so 2014-15 is the first year covered.
    assert index.coverage == "2014-15 to 2024-25"


def test_a_health_cost_in_2016_17_uprated_to_2024_25_is_the_product_of_the_changes_2017_18_on():
    # NHS cost inflation index, pay and prices (Unit Costs of Health and Social Care 2025 Manual):
    # 2017/18 1.24%, 2018/19 1.60%, 2019/20 2.14%, 2020/21 2.49%, 2021/22 2.58%,
    # 2022/23 7.32%, 2023/24 2.47%, 2024/25 4.02% (provisional).
    by_hand = 1.0124 * 1.0160 * 1.0214 * 1.0249 * 1.0258 * 1.0732 * 1.0247 * 1.0402
    assert by_hand == pytest.approx(1.263514, abs=5e-7)
    uprating = shipped_index("nhs_cost_inflation").uprate(1000, "2016-17", "2024-25")
    assert uprating.factor == pytest.approx(by_hand, rel=1e-14)
    assert uprating.result == pytest.approx(1000 * by_hand, rel=1e-14)
    assert [p.year.label for p in uprating.values_used] == [
        "2017-18",
        "2018-19",
        "2019-20",
        "2020-21",
        "2021-22",
        "2022-23",
        "2023-24",
        "2024-25",
    ]
    assert uprating.uses_provisional and not uprating.uses_forecast
    assert "uses provisional index values for 2024-25" in uprating.notes


def test_the_nhs_pay_and_prices_series_are_shipped_too():
    assert set(shipped_index_names()) >= {
        "gdp_deflator",
        "nhs_cost_inflation",
        "nhs_cost_inflation_pay",
        "nhs_cost_inflation_prices",
    }
    # 2024/25 pay rose 5.11% (the manual's pay series): 100 in 2023-24 prices is 105.11.
    assert shipped_index("nhs_cost_inflation_pay").factor("2023-24", "2024-25") == pytest.approx(
        1.0511
    )


# --- Price years ------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["2009-10", "2009/10", "2009–10"])
def test_a_financial_year_is_written_2009_10_or_2009_slash_10(written):
    year = parse_price_year(written)
    assert year == PriceYear(2009) and year.label == "2009-10"
    assert year.note is None


@pytest.mark.parametrize("written", [2017, "2017"])
def test_a_bare_year_is_read_as_the_financial_year_starting_in_it_and_says_so(written):
    year = parse_price_year(written)
    assert year.label == "2017-18" and year == parse_price_year("2017-18")
    assert year.from_bare_year
    assert year.note == "2017 read as the financial year 2017-18"


def test_uprating_from_a_bare_year_says_how_it_was_read():
    uprating = shipped_index("gdp_deflator").uprate(100, 2017, "2024-25")
    assert "2017 read as the financial year 2017-18" in uprating.notes
    # 100 x 100 / 77.0388 (2017-18) = 129.8047
    assert uprating.result == pytest.approx(129.8047, abs=5e-5)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2009-11", "the year after 2009 ends in 10"),
        ("09-10", "not a financial year"),
        ("2009 10", "not a financial year"),
        (2009.0, "expected a financial year"),
        (True, "expected a financial year"),
        (None, "expected a financial year"),
        (1850, "between 1900-01 and 2099-00"),
    ],
)
def test_a_year_written_wrongly_is_an_input_error_naming_file_field_and_value(value, message):
    with pytest.raises(InputError) as exc:
        parse_price_year(value, "portfolio.yaml", "outcomes.lac_year.price_year")
    (line,) = problems(exc)
    assert line.startswith("portfolio.yaml: outcomes.lac_year.price_year: ")
    assert message in line and f"(got {value!r})" in line


# --- Factors ----------------------------------------------------------------------------------


def test_going_back_in_time_is_the_inverse_and_the_same_year_is_one():
    gdp = shipped_index("gdp_deflator")
    assert gdp.factor("2024-25", "2009-10") == pytest.approx(67.7042 / 100)
    assert gdp.factor("2013-14", "2013-14") == 1.0
    nhs = shipped_index("nhs_cost_inflation")
    assert nhs.factor("2024-25", "2023-24") == pytest.approx(1 / 1.0402)


def test_a_year_outside_the_index_names_the_block_the_year_and_the_years_covered():
    with pytest.raises(InputError) as exc:
        shipped_index("gdp_deflator").factor(
            "2009-10", "2031-32", "p.yaml", "interventions[0].unit_cost.price_year"
        )
    (line,) = problems(exc)
    assert line.startswith("p.yaml: interventions[0].unit_cost.price_year: price year 2031-32")
    assert "GDP deflator (HM Treasury, March 2026)" in line
    assert "covers 2000-01 to 2030-31" in line and "never extrapolated" in line

    with pytest.raises(InputError) as exc:
        shipped_index("nhs_cost_inflation").factor("2013-14", "2024-25", "p.yaml", "health")
    assert "price year 2013-14" in str(exc.value) and "covers 2014-15 to 2024-25" in str(exc.value)


def test_a_figure_resting_on_a_forecast_index_value_is_marked():
    gdp = shipped_index("gdp_deflator")
    assert gdp.status("2025-26") == "forecast" and gdp.status("2024-25") == "outturn"
    ahead = gdp.uprate(1000, "2024-25", "2026-27")
    # 1000 x 105.3095 / 100
    assert ahead.result == pytest.approx(1053.095)
    assert ahead.uses_forecast
    assert ahead.to_data()["uses_forecast"] is True
    assert "uses forecast index values for 2026-27" in ahead.describe()
    assert not gdp.uprate(1000, "2009-10", "2024-25").uses_forecast


def test_the_audit_record_gives_original_year_index_release_factor_and_result():
    data = shipped_index("gdp_deflator").uprate(2285, "2009/10", "2024-25").to_data()
    assert data["original"] == 2285
    assert data["price_year"] == "2009-10" and data["price_year_written"] == "2009/10"
    assert data["index"] == "gdp_deflator" and data["release"] == "March 2026"
    assert data["factor"] == pytest.approx(100 / 67.7042)
    assert round(data["result"], 2) == 3374.98
    assert data["index_values"][0] == {"year": "2009-10", "value": 67.7042, "status": "outturn"}


def test_levels_of_a_series_of_changes_are_chained_from_its_first_year():
    nhs = shipped_index("nhs_cost_inflation")
    levels = {p.year.label: p.value for p in nhs.levels()}
    assert levels["2014-15"] == 100.0
    assert levels["2015-16"] == pytest.approx(100.4)  # +0.4% in 2015/16
    assert levels["2024-25"] / levels["2016-17"] == pytest.approx(
        nhs.factor("2016-17", "2024-25"), rel=1e-12
    )


YEARS = st.integers(min_value=2000, max_value=2030)


@given(YEARS, YEARS, YEARS)
def test_uprating_in_two_steps_is_uprating_in_one(a, b, c):
    gdp = shipped_index("gdp_deflator")
    two_steps = gdp.factor(PriceYear(a), PriceYear(b)) * gdp.factor(PriceYear(b), PriceYear(c))
    assert two_steps == pytest.approx(gdp.factor(PriceYear(a), PriceYear(c)), rel=1e-12)


@given(st.integers(2014, 2024), st.integers(2014, 2024), st.integers(2014, 2024))
def test_uprating_by_annual_changes_in_two_steps_is_uprating_in_one(a, b, c):
    nhs = shipped_index("nhs_cost_inflation")
    two_steps = nhs.factor(PriceYear(a), PriceYear(b)) * nhs.factor(PriceYear(b), PriceYear(c))
    assert two_steps == pytest.approx(nhs.factor(PriceYear(a), PriceYear(c)), rel=1e-12)


# --- A portfolio's own series -----------------------------------------------------------------


def test_an_own_series_inline_as_a_mapping_of_years_to_values(tmp_path):
    index = load_index({"2015-16": 90.0, "2016/17": 95.0, 2017: 100.0}, tmp_path, "p.yaml")
    assert index.coverage == "2015-16 to 2017-18"
    assert index.factor("2015-16", "2017-18") == pytest.approx(100 / 90)
    assert index.source == "p.yaml"


def test_an_own_series_of_annual_changes_with_forecasts_marked(tmp_path):
    spec = {
        "name": "local-pay",
        "release": "council budget 2025",
        "annual_change": {"2024-25": 3.0, "2025-26": 2.0},
        "forecast_from": "2025-26",
    }
    index = load_index(spec, tmp_path, "p.yaml", "price_index.childrens_social_care")
    assert index.name == "local-pay" and index.label == "local-pay (council budget 2025)"
    assert index.coverage == "2023-24 to 2025-26"
    assert index.factor("2023-24", "2025-26") == pytest.approx(1.03 * 1.02)
    assert index.uprate(100, "2024-25", "2025-26").uses_forecast


def test_an_own_series_from_a_csv_next_to_the_portfolio(tmp_path):
    (tmp_path / "deflator.csv").write_text(
        "# our finance team's deflator, from the budget book\n"
        "financial_year,index,status\n2022-23,91.3,outturn\n2023-24,96.1,outturn\n"
        "2024-25,100,outturn\n2025-26,103.2,forecast\n"
    )
    index = load_index("deflator.csv", tmp_path, str(tmp_path / "p.yaml"))
    assert index.name == "deflator" and index.coverage == "2022-23 to 2025-26"
    assert index.factor("2022-23", "2024-25") == pytest.approx(100 / 91.3)
    assert index.status("2025-26") == "forecast"


def test_a_csv_named_outside_the_portfolio_folder_is_refused(tmp_path):
    (tmp_path / "outside.csv").write_text("financial_year,index\n2022-23,1\n2023-24,2\n")
    inner = tmp_path / "portfolios"
    inner.mkdir()
    with pytest.raises(InputError) as exc:
        load_index("../outside.csv", inner, "p.yaml", "price_index.health")
    assert "p.yaml: price_index.health: a path that leaves its folder" in str(exc.value)
    assert str(tmp_path) not in str(exc.value)  # the file as the user named it, no server path


def test_an_unknown_index_name_lists_the_shipped_ones():
    with pytest.raises(InputError) as exc:
        load_index("rpi", None, "p.yaml", "price_index.health")
    line = str(exc.value)
    assert line.startswith("p.yaml: price_index.health: unknown index")
    assert "gdp_deflator" in line and "nhs_cost_inflation" in line and "(got 'rpi')" in line


# --- Bad series: a gap, a value at or below zero, a year written wrongly ----------------------


def bad_csv(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "index.csv"
    path.write_text(body)
    with pytest.raises(InputError) as exc:
        load_index("index.csv", tmp_path, "p.yaml")
    return problems(exc)


def test_an_index_csv_with_a_gap_is_an_error_naming_the_missing_year(tmp_path):
    lines = bad_csv(tmp_path, "financial_year,index\n2010-11,68.9\n2011-12,70.3\n2013-14,73.0\n")
    (line,) = lines
    assert line.startswith(f"{tmp_path / 'index.csv'}: row 3.financial_year: a gap: no value for ")
    assert "2012-13 (between 2011-12 and 2013-14)" in line and "(got '2013-14')" in line


@pytest.mark.parametrize("value", ["0", "-4.2"])
def test_an_index_csv_with_a_value_at_or_below_zero_is_an_error(tmp_path, value):
    (line,) = bad_csv(tmp_path, f"financial_year,index\n2010-11,68.9\n2011-12,{value}\n")
    assert (
        line
        == f"{tmp_path / 'index.csv'}: row 2.index: an index value must be above 0 (got {value!r})"
    )


def test_an_index_csv_with_a_year_written_wrongly_or_twice_is_an_error(tmp_path):
    lines = bad_csv(
        tmp_path, "financial_year,index\n2010-11,68.9\n2011-13,70.3\n2010/11,69\n2012-13,nan\n"
    )
    path = tmp_path / "index.csv"
    assert lines[0].startswith(f"{path}: row 2.financial_year: not a financial year")
    assert lines[1].startswith(f"{path}: row 3.financial_year: 2010-11 is given twice")
    assert lines[2] == f"{path}: row 4.index: expected a finite number (got 'nan')"


def test_a_change_of_minus_100_percent_or_less_is_an_error(tmp_path):
    (line,) = bad_csv(tmp_path, "financial_year,annual_pct_change\n2010-11,2\n2011-12,-100\n")
    assert "row 2.annual_pct_change: an annual change must be above -100" in line


def test_an_index_csv_without_the_columns_says_what_it_needs(tmp_path):
    (line,) = bad_csv(tmp_path, "year,value\n2010,1\n")
    assert "header: an index CSV needs a financial_year column and one of index" in line


def test_an_inline_series_with_a_gap_names_the_field(tmp_path):
    with pytest.raises(InputError) as exc:
        load_index({"values": {"2010-11": 1.0, "2012-13": 1.1}}, tmp_path, "p.yaml", "price_index")
    (line,) = problems(exc)
    assert line.startswith("p.yaml: price_index.values.2012-13: a gap: no value for 2011-12")


def test_an_inline_value_must_be_a_number_not_text(tmp_path):
    with pytest.raises(InputError) as exc:
        load_index({"2010-11": 1.0, "2011-12": "1.1"}, tmp_path, "p.yaml", "price_index")
    assert problems(exc) == ["p.yaml: price_index.2011-12: expected a number (got '1.1')"]


def test_a_file_holding_several_series_must_name_one(tmp_path):
    path = tmp_path / "nhs.csv"
    path.write_bytes(NHS_FILE.read_bytes())
    with pytest.raises(InputError) as exc:
        load_index("nhs.csv", tmp_path, "p.yaml")
    assert "holds several series (pay, pay_and_prices, prices)" in str(exc.value)
    chosen = load_index({"csv": "nhs.csv", "series": "prices"}, tmp_path, "p.yaml")
    assert chosen.factor("2023-24", "2024-25") == pytest.approx(1.0204)


def test_the_shipped_files_pass_the_same_checks_as_a_users():
    for name in shipped_index_names():
        index = shipped_index(name)
        assert all(math.isfinite(p.value) for p in index.points)
        assert index.evidence and index.licence and index.release
    gdp = parse_index_csv(GDP_FILE.read_text(), str(GDP_FILE))
    assert [p.year.label for p in gdp.points if p.is_forecast] == [
        "2025-26",
        "2026-27",
        "2027-28",
        "2028-29",
        "2029-30",
        "2030-31",
    ]
