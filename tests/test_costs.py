"""The unit-cost library: what is shipped, with its price year, source and licence."""

from __future__ import annotations

import hashlib
import re

import pytest

from appraise.errors import InputError
from appraise.model.costs import (
    GMCA_COLUMNS,
    cost_item,
    load_cost_library,
    parse_gmca_csv,
    search_costs,
)
from appraise.model.prices import DATA, PriceYear, shipped_index


def test_the_vendored_files_are_the_ones_the_data_readme_describes():
    readme = (DATA / "README.md").read_text()
    sections = re.findall(r"^## (\S+):.*?SHA-256: `([0-9a-f]{64})`", readme, re.M | re.S)
    assert {name for name, _ in sections} == {
        "indices/gdp-deflator-fy-2026-03.csv",
        "indices/nhs-cost-inflation-index-2025.csv",
        "unit-costs/gmca-ucd-v1.4-children.csv",
    }
    for name, digest in sections:
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest, name


def test_the_library_holds_the_108_children_and_families_lines_of_the_gmca_database():
    gmca = [i for i in load_cost_library() if i.prefix == "gmca"]
    assert len(gmca) == 108
    assert sum(i.from_comment for i in gmca) == 20  # values quoted in a line's comment cell
    assert {i.licence for i in gmca} == {"CC BY 4.0"}
    for item in gmca:
        assert "New Economy" in item.attribution and "CC BY 4.0" in item.attribution
        assert item.evidence == "gmca-ucd-2015"


def test_every_item_records_its_price_year_source_and_licence():
    library = load_cost_library()
    assert len(library) == len({i.code for i in library})
    for item in library:
        assert isinstance(item.price_year, PriceYear)
        assert item.value > 0 and item.unit and item.source and item.licence and item.attribution
        assert item.prefix in library.sources


def test_gmca_ss1_0_is_the_average_cost_of_a_child_in_care_in_2013_14_prices():
    # Unit Cost Database v1.4, SS1.0: 51,080 pounds a year, 2013-14, grade A.
    item = cost_item("gmca:SS1.0")
    assert item.value == 51080 and item.unit == "Per year"
    assert item.price_year.label == "2013-14"
    assert item.confidence == "A" and item.confidence_name == "amber"
    assert item.source.startswith("DfE Section 251 data")


def test_the_pssru_foster_care_weekly_cost_is_646_pounds_in_the_2017_volume():
    # Curtis and Burns (2017), Unit Costs of Health and Social Care 2017, p.86: 646 pounds a week.
    item = cost_item("pssru2017:foster-care")
    assert item.value == 646 and item.unit == "Per week"
    assert item.price_year.label == "2016-17"
    assert "p.86" in item.source and item.evidence == "curtis-2017"
    assert "not read from page 86" in item.notes  # how sure the price year is, said plainly
    assert item.confidence is None


def test_foster_search_finds_the_foster_care_lines():
    codes = [i.code for i in search_costs("foster")]
    assert {"gmca:SS2.0", "gmca:SS2.0.1", "gmca:SS2.3-c1", "pssru2017:foster-care"} <= set(codes)
    for item in search_costs("foster"):
        assert "foster" in f"{item.code} {item.item} {item.source} {item.notes}".lower()
    assert search_costs("FOSTER care week") == [
        i for i in search_costs("foster") if "week" in f"{i.item} {i.unit} {i.notes}".lower()
    ]


def test_an_unknown_item_code_is_an_input_error_with_the_closest_codes():
    with pytest.raises(InputError) as exc:
        cost_item("gmca:ss2.0", "portfolio.yaml", "outcomes.lac_year.cost.item")
    line = str(exc.value)
    assert line.startswith("portfolio.yaml: outcomes.lac_year.cost.item: unknown unit-cost item")
    assert "(did you mean 'gmca:SS2.0'?)" in line and "(got 'gmca:ss2.0')" in line
    with pytest.raises(InputError) as exc:
        cost_item("gmca:SS99.1", "portfolio.yaml", "outcomes.lac_year.cost.item")
    assert "codes start with gmca:, pssru2017:, nao2025:" in str(exc.value)


def test_a_code_without_its_prefix_is_pointed_at_the_prefixed_one():
    with pytest.raises(InputError) as exc:
        cost_item("SS1.0", "portfolio.yaml", "outcomes.lac_year.cost.item")
    assert "did you mean 'gmca:SS1.0'?" in str(exc.value)


def test_an_item_uprated_to_2024_25_by_the_gdp_deflator():
    # SS2.0: 700 pounds a week in 2013-14; 700 x 100 / 73.0337 = 958.4616.
    uprating = cost_item("gmca:SS2.0").uprate(shipped_index("gdp_deflator"), "2024-25")
    assert uprating.result == pytest.approx(958.4616, abs=5e-5)


def test_an_item_older_than_the_index_is_refused_not_extrapolated():
    with pytest.raises(InputError) as exc:
        cost_item("gmca:SS2.1").uprate(shipped_index("nhs_cost_inflation"), "2024-25")
    line = str(exc.value)
    assert "gmca:SS2.1: price year 2009-10 is outside the NHS cost inflation index" in line
    assert "covers 2014-15 to 2024-25" in line


def test_a_library_line_with_a_bad_value_or_year_is_refused_naming_the_row():
    source = load_cost_library().sources["gmca"]
    text = ",".join(GMCA_COLUMNS) + "\nSS1.0,x,0,Per year,2013-15,s,a,o,G,False,\n"
    with pytest.raises(InputError) as exc:
        parse_gmca_csv(text, "lib.csv", source)
    assert [str(p) for p in exc.value.problems] == [
        "lib.csv: row 1.value: a unit cost must be a finite amount above 0 (got '0')",
        "lib.csv: row 1.price_year: not a financial year: the year after 2013 ends in 14; "
        "write a financial year as 2009-10 (or 2009/10); a bare 2017 is read as 2017-18 "
        "(got '2013-15')",
    ]
