"""Prices in a portfolio (issue 14): every money figure brought from its own price year to the
price base, in the engine, the JSON, the workbook (recalculated by LibreOffice) and the app.

Expected figures are worked by hand from the published index values: HM Treasury's GDP deflator
(March 2026; 2009-10 = 67.7042, 2024-25 = 100) and the PSSRU NHS cost inflation index, pay and
prices (Unit Costs of Health and Social Care 2025: annual % changes 2017-18 to 2024-25 of 1.24,
1.6, 2.14, 2.49, 2.58, 7.32, 2.47 and 4.02, the last provisional).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from appraise.engine.results import appraise_portfolio
from appraise.model.load import portfolio_from_data
from appraise.workbook.book import Cell
from appraise.workbook.export import export_workbook, layout
from appraise.workbook.importing import import_workbook
from appraise.workbook.recalc import recalculate
from tests.conftest import EXAMPLES, ROOT, THURROCK, require_tool, run_cli
from tests.helpers import intervention, portfolio_data
from tests.test_excel import KEY

MST_2024_25 = 2285 * 100 / 67.7042  # £3,374.98
NHS_2016_17_TO_2024_25 = (
    1.0124 * 1.016 * 1.0214 * 1.0249 * 1.0258 * 1.0732 * 1.0247 * 1.0402
)  # 1.2635


def write(folder: Path, data: dict[str, Any], name: str = "portfolio.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def mst_portfolio(**unit_cost: Any) -> dict[str, Any]:
    """One MST-like service for one case, its cost in 2009-10 prices, in a 2024-25 portfolio."""
    item = intervention(
        reach={"count": 1},
        unit_cost={"amount": 2285, "per": "case", "price_year": "2009-10", **unit_cost},
    )
    return portfolio_data(price_year="2024-25", interventions=[item])


def evaluate_json(path: Path) -> dict[str, Any]:
    proc = run_cli("evaluate", path, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_mst_at_2285_in_2009_10_prices_costs_3374_98_a_case_in_a_2024_25_portfolio(tmp_path):
    data = evaluate_json(write(tmp_path, mst_portfolio()))
    assert data["interventions"][0]["cost"] == pytest.approx(MST_2024_25, abs=0.005)
    assert round(data["interventions"][0]["cost"], 2) == 3374.98
    record = next(
        r for r in data["prices"]["uprated"] if r["block"] == "interventions[0].unit_cost"
    )
    assert record["field"] == "interventions[0].unit_cost.amount"
    assert (record["original"], record["price_year"], record["to_price_year"]) == (
        2285.0,
        "2009-10",
        "2024-25",
    )
    assert record["index"] == "gdp_deflator" and "March 2026" in record["release"]
    assert record["factor"] == pytest.approx(100 / 67.7042)
    assert [p["value"] for p in record["index_values"]] == [67.7042, 100.0]
    assert record["assumed"] is False and record["result"] == pytest.approx(MST_2024_25)


def test_a_health_component_in_2016_17_is_uprated_by_the_nhs_index_changes_2017_18_on(tmp_path):
    data = portfolio_data(
        price_year="2024-25",
        perspective="public_sector",
        interventions=[
            intervention(
                averts="dv_incident",
                reach={"count": 1},
                effect={"per_case": 1},
                unit_cost={"amount": 0, "per": "case"},
            )
        ],
    )
    health = data["outcomes"]["dv_incident"]["components"][1]
    health["price_year"] = "2016-17"
    data["outcomes"]["dv_incident"]["components"][0]["price_year"] = "2024-25"
    out = evaluate_json(write(tmp_path, data))
    by_payer = out["interventions"][0]["savings_by_payer"]
    assert by_payer["health"] == pytest.approx(7230 * NHS_2016_17_TO_2024_25)
    assert by_payer["childrens_social_care"] == pytest.approx(1183)  # the base year: factor 1
    record = next(
        r for r in out["prices"]["uprated"] if r["block"] == "outcomes.dv_incident.components[1]"
    )
    assert record["index"] == "nhs_cost_inflation" and record["form"] == "annual_change"
    assert [p["year"] for p in record["index_values"]] == [
        f"{y}-{(y + 1) % 100:02d}" for y in range(2017, 2025)
    ]
    assert record["uses_provisional"] is True
    assert any("provisional" in n and "2024-25" in n for n in record["notes"])


def test_thurrock_stays_in_2017_18_prices_with_the_assumption_stated():
    data = evaluate_json(THURROCK)
    prices = data["prices"]
    assert prices["price_base"] == "2017-18" and prices["price_base_written"] == "2017"
    assert all(r["assumed"] and r["factor"] == 1 for r in prices["uprated"])
    assert "2017 read as the financial year 2017-18" in prices["notes"]
    assert any("9 of 9 money figures give no price year" in n for n in prices["notes"])
    assert data["portfolio"]["price_year"] == "2017-18"
    # APHR 2017 Table 7: MST cost £309,618 (135.5 cases x £2,285), unchanged.
    assert round(data["interventions"][0]["cost"]) == 309_618
    text = run_cli("evaluate", THURROCK).stdout
    assert "Prices: every figure is in 2017-18 prices (the price base)." in text


def test_the_uprated_thurrock_example_brings_each_cost_from_its_own_year_to_2024_25():
    data = evaluate_json(EXAMPLES / "thurrock-2017-uprated.yaml")
    assert data["portfolio"]["price_year"] == "2024-25"
    by_block = {r["block"]: r for r in data["prices"]["uprated"]}
    assert by_block["interventions[0].unit_cost"]["result"] == pytest.approx(MST_2024_25)
    assert by_block["outcomes.dv_incident.components[1]"]["index"] == "gdp_deflator"
    assert by_block["outcomes.dv_incident.components[1]"]["price_year"] == "2004-05"
    assert not any(r["assumed"] for r in data["prices"]["uprated"])
    mst = data["interventions"][0]
    assert mst["cost"] == pytest.approx(135.5 * MST_2024_25)
    text = run_cli("evaluate", EXAMPLES / "thurrock-2017-uprated.yaml").stdout
    assert "2004 read as the financial year 2004-05" in text
    assert "more than 5 years older than the price base" in text


def test_a_component_from_the_unit_cost_library_carries_its_price_year_source_and_licence(
    tmp_path,
):
    data = portfolio_data(price_year="2024-25")
    data["outcomes"]["lac_year"] = {
        "name": "A child in care for a year",
        "components": [{"name": "care", "cost": {"item": "gmca:SS1.0"}, "cashable": True}],
    }
    portfolio = portfolio_from_data(data, str(tmp_path / "p.yaml"))
    component = portfolio.outcomes["lac_year"].components[0]
    assert (component.cost, component.price_year.label, component.item) == (
        51080.0,
        "2013-14",
        "gmca:SS1.0",
    )
    assert "gmca-ucd-2015" in portfolio.outcomes["lac_year"].sources
    record = next(
        r
        for r in appraise_portfolio(portfolio).to_data()["prices"]["uprated"]
        if r["block"] == "outcomes.lac_year.components[0]"
    )
    assert record["price_year"] == "2013-14" and record["factor"] > 1
    book = load_workbook(export_workbook(portfolio, tmp_path / "book.xlsx"))
    rows = {r[0].value: [c.value for c in r] for r in book["Evidence"].iter_rows(min_row=3)}
    headers = [c.value for c in book["Evidence"][2]]
    licence = rows["gmca-ucd-2015"][headers.index("Licence")]
    assert licence.startswith("CC BY 4.0") and "New Economy" in licence


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            lambda d: d["outcomes"]["dv_incident"]["components"][0].update(
                cost={"item": "gmca:NOPE"}
            ),
            "outcomes.dv_incident.components[0].cost.item: unknown unit-cost item; codes start "
            "with gmca:",
        ),
        (
            lambda d: d["interventions"][0]["unit_cost"].update(price_year="1990-91"),
            "interventions[0].unit_cost.price_year: its price year 1990-91 is outside GDP "
            "deflator (HM Treasury, March 2026), which covers 2000-01 to 2030-31 (appraise does "
            "not extrapolate an index) (got '1990-91')",
        ),
        (
            lambda d: d.update(price_index={"childrens_social_care": "local.csv"}),
            "local.csv: row 3.financial_year: a gap: no value for 2012-13",
        ),
        (
            lambda d: d.update(price_index={"childrens_social_care": "negative.csv"}),
            "negative.csv: row 2.index: an index value must be above 0",
        ),
    ],
)
def test_bad_prices_exit_2_naming_the_file_the_field_and_the_value(tmp_path, change, expected):
    (tmp_path / "local.csv").write_text(
        "financial_year,index\n2010-11,68.9\n2011-12,70.3\n2013-14,73.0\n"
    )
    (tmp_path / "negative.csv").write_text("financial_year,index\n2010-11,68.9\n2011-12,-1\n")
    data = mst_portfolio(price_year="2011-12")
    change(data)
    path = write(tmp_path, data)
    proc = run_cli("evaluate", path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert expected in proc.stderr, proc.stderr
    assert str(path) in proc.stderr or str(tmp_path) in proc.stderr


def test_a_price_base_no_index_covers_still_appraises_figures_in_that_year(tmp_path):
    data = evaluate_json(write(tmp_path, portfolio_data(price_year="1995-96")))
    assert all(r["factor"] == 1 for r in data["prices"]["uprated"])


def test_a_price_year_changed_on_the_workbook_is_imported_to_its_block(tmp_path):
    path = export_workbook(
        portfolio_from_data(mst_portfolio(), str(tmp_path / "p.yaml")), tmp_path / "b.xlsx"
    )
    wb = load_workbook(path)
    ws = wb["Inputs"]
    row = next(
        r
        for r in ws.iter_rows(min_row=4)
        if r[KEY].value == "interventions[0].unit_cost.price_year"
    )
    assert row[1].value == "2009-10"
    row[1].value = "2016-17"
    wb.save(path)
    imported = import_workbook(path)
    assert imported.data["interventions"][0]["unit_cost"]["price_year"] == "2016-17"
    assert any("unit_cost.price_year: 2009-10 -> 2016-17" in c for c in imported.changes)


def test_the_index_that_uprates_a_figure_cannot_be_changed_on_the_workbook(tmp_path):
    path = export_workbook(
        portfolio_from_data(mst_portfolio(), str(tmp_path / "p.yaml")), tmp_path / "b.xlsx"
    )
    wb = load_workbook(path)
    ws = wb["Inputs"]
    row = next(
        r
        for r in ws.iter_rows(min_row=4)
        if r[KEY].value == "fixed:interventions[0].unit_cost.index"
    )
    row[1].value = "nhs_cost_inflation"
    wb.save(path)
    proc = run_cli("import-xlsx", path, "--out", tmp_path / "back.yaml")
    assert proc.returncode == 2 and "fixed by the portfolio file" in proc.stderr


def test_a_baselines_weekly_cost_is_uprated_to_the_portfolios_price_base(tmp_path):
    raw = yaml.safe_load((EXAMPLES / "thurrock-2017-baseline.yaml").read_text())["baseline"]
    raw["lac_rate_trend"] = None
    raw["scenarios"] = [{"name": "Population growth only"}]
    raw.pop("levers")
    data = portfolio_data(price_year="2024-25")
    data["outcomes"]["lac_year"]["derive"]["price_year"] = "2009-10"
    data["evidence"]["thurrock-aphr-2017"] = yaml.safe_load(
        (ROOT / "evidence" / "thurrock-aphr-2017.yaml").read_text()
    )
    data["baseline"] = {k: v for k, v in raw.items() if v is not None}
    data["baseline"]["price_year"] = "2009-10"
    out = json.loads(run_cli("forecast", write(tmp_path, data), "--format", "json").stdout)
    placement = 1072 * 100 / 67.7042
    assert out["cost_per_child_year"] == pytest.approx(35 * placement / 0.53)


@pytest.mark.slow
def test_the_workbook_uprates_mst_to_3374_98_and_a_changed_price_year_flows_through(tmp_path):
    require_tool("soffice")
    portfolio = portfolio_from_data(mst_portfolio(), str(tmp_path / "p.yaml"))
    book, _ = layout(portfolio)
    path = export_workbook(portfolio, tmp_path / "b.xlsx")
    edited = tmp_path / "edited.xlsx"  # (a name of its own: LibreOffice writes both to out/)
    wb = load_workbook(path)
    place = book.places[("cost_price_year", "i0")]
    # The Calculations row shows the Inputs cell; change the input itself.
    source = wb["Inputs"]
    row = next(
        r
        for r in source.iter_rows(min_row=4)
        if r[KEY].value == "interventions[0].unit_cost.price_year"
    )
    row[1].value = "2024-25"
    wb.save(edited)
    first, second = recalculate([path, edited], tmp_path / "out")
    unit = book.places[("unit_cost_in_base", "i0")]
    assert isinstance(unit, Cell) and isinstance(place, Cell)
    value = load_workbook(first, data_only=True)[unit.sheet].cell(unit.row, unit.col).value
    assert round(value, 2) == 3374.98
    factor = book.places[("cost_uprate", "i0")]
    assert load_workbook(first, data_only=True)[factor.sheet].cell(
        factor.row, factor.col
    ).value == pytest.approx(100 / 67.7042)
    assert load_workbook(second, data_only=True)[unit.sheet].cell(unit.row, unit.col).value == 2285


def test_the_app_shows_the_price_base_and_flags_figures_over_5_years_older(monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("APPRAISE_WORKSPACE", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.sidebar.selectbox(key="example").set_value("examples/thurrock-2017-uprated.yaml").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(c.value.startswith("Prices 2024-25;") for c in at.caption)
    warning = " ".join(w.value for w in at.warning)
    assert "more than 5 years older than the price base 2024-25" in warning
    assert "interventions\\[0\\].unit_cost.amount (2009-10)" in warning  # escaped markdown
    titles = [e.label for e in at.expander]
    assert "Prices: every figure in 2024-25 prices" in titles
