"""`appraise costs`: the unit-cost library listed, searched and brought to one price base."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli


def test_costs_foster_lists_the_foster_care_lines_with_their_sources(cli):
    code, out, _ = cli("costs", "foster")
    assert code == 0
    assert "Unit costs matching 'foster' (15 of 110 items)" in out
    row = next(line for line in out.splitlines() if line.startswith("gmca:SS2.0 "))
    assert "£700" in row and "Per week" in row and "2013-14" in row and " G " in row
    assert "Unit Costs of Health & Social Care 2014" in row
    assert "pssru2017:foster-care" in out
    # CC BY 4.0 asks for attribution wherever the items are shown.
    assert "gmca: Unit Cost Database v1.4 (March 2015), New Economy" in out
    assert "licensed under CC BY 4.0" in out


def test_costs_uprated_to_one_price_base_says_which_index(cli):
    code, out, _ = cli("costs", "foster", "--uprate-to", "2024-25")
    assert code == 0
    assert "brought to 2024-25 prices by the GDP deflator (HM Treasury, March 2026)" in out
    ss20 = next(line for line in out.splitlines() if line.startswith("gmca:SS2.0 "))
    assert "1.3692" in ss20 and "£958.46" in ss20  # 700 x 100 / 73.0337
    pssru = next(line for line in out.splitlines() if line.startswith("pssru2017:foster-care"))
    assert "£849.16" in pssru  # 646 x 100 / 76.0754 = 849.1575


def test_costs_marks_figures_that_rest_on_a_forecast(cli):
    code, out, _ = cli("costs", "gmca:SS1.0", "--uprate-to", "2026-27")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("gmca:SS1.0 "))
    # 51,080 x 105.3095 / 73.0337 = 73,653.80, resting on the OBR forecast for 2026-27.
    assert "£73,653.80*" in row
    assert "* rests on a forecast index value: 2025-26 to 2030-31 are OBR forecasts" in out


def test_costs_as_json_carries_the_audit_record(cli):
    code, out, _ = cli("costs", "pssru2017", "--uprate-to", "2024-25", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["price_base"] == "2024-25" and data["index"]["name"] == "gdp_deflator"
    (item,) = data["items"]
    assert item["licence"].startswith("PSSRU copyright")
    assert item["uprated"]["factor"] == pytest.approx(100 / 76.0754)
    assert item["uprated"]["index_values"][0] == {
        "year": "2016-17",
        "value": 76.0754,
        "status": "outturn",
    }
    assert [s["prefix"] for s in data["sources"]] == ["pssru2017"]


def test_costs_with_a_bare_year_says_how_it_was_read(cli):
    code, out, _ = cli("costs", "SS1.0", "--uprate-to", "2017")
    assert code == 0 and "Price base: 2017 read as the financial year 2017-18." in out


def test_costs_with_no_match_says_so(cli):
    code, out, _ = cli("costs", "zebra")
    assert code == 0 and "No unit costs matching 'zebra'" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["costs", "gmca:SS99.1"], "SEARCH: unknown unit-cost item"),
        (["costs", "foster", "--uprate-to", "2031-32"], "covers 2000-01 to 2030-31"),
        (["costs", "foster", "--uprate-to", "2024-26"], "--uprate-to: not a financial year"),
        (["costs", "SS2.1", "--uprate-to", "2024-25", "--index", "nhs_cost_inflation"], "2009-10"),
        (["costs", "foster", "--uprate-to", "2024-25", "--index", "rpi"], "unknown index"),
        (["costs", "foster", "--index", "nhs_cost_inflation"], "--index goes with --uprate-to"),
    ],
)
def test_costs_bad_input_exits_2_with_one_line_and_no_traceback(args, expected):
    proc = run_cli(*args)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    assert expected in proc.stderr


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("financial_year,index\n2012-13,71.5\n2014-15,74.1\n", "a gap: no value for 2013-14"),
        ("financial_year,index\n2012-13,71.5\n2013-14,0\n", "row 2.index: an index value must"),
    ],
)
def test_costs_with_a_bad_index_csv_exits_2(tmp_path, body, expected):
    (tmp_path / "deflator.csv").write_text(body)
    proc = run_cli(
        "costs", "SS1.0", "--uprate-to", "2013-14", "--index", "deflator.csv", cwd=tmp_path
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{tmp_path / 'deflator.csv'}: " in proc.stderr and expected in proc.stderr
