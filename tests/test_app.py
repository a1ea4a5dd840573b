"""The Streamlit app, driven with AppTest: every page, figures equal to the CLI's, live edits, uploads.

Expected figures come from the CLI's JSON (`thurrock_json`), from APHR 2017 Table 7, or are worked
by hand in the test.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from appraise.display import money, num, rate
from appraise.engine.results import appraise_portfolio
from appraise.model.load import load_portfolio
from appraise.model.save import portfolio_to_data, set_at, to_yaml
from appraise.ui.downloads import DOWNLOADS
from appraise.ui.pages import PAGES, View
from tests.conftest import EXAMPLES, ROOT, by_id, run_cli
from tests.helpers import intervention, portfolio_data

APP = str(ROOT / "app.py")
MST = "Edge-of-care service based on Multisystemic Therapy"
# Widget keys: "edit:<load generation>:<field path in the portfolio file>".
TREATED_RISK = "edit:0:interventions[0].effect.treated_risk"
PROPORTION = "edit:0:interventions[0].reach.proportion"
# APHR 2017: one child looked after for a year = 35 weeks x £1,072 / 0.53.
LAC_YEAR = 35 * 1072 / 0.53


@pytest.fixture(autouse=True)
def in_project_folder(monkeypatch, tmp_path):
    """The app names files relative to where it runs, as `make app` runs it: the project folder.
    Save writes only into its workspace folder: here the test's own folder."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("APPRAISE_WORKSPACE", str(tmp_path))


def cli_json(*args: str) -> dict:
    """The installed `appraise` command's `--format json` output, as a user would run it."""
    proc = run_cli(*args, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def open_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def go(at: AppTest, page: str) -> AppTest:
    at.radio(key="page").set_value(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def row(at: AppTest, name: str, table: int = 0) -> dict[str, str]:
    """One intervention's row, as displayed, in a Portfolio page table (0: one year, 1: horizon)."""
    shown = at.table[table].value
    return shown[shown["Intervention"] == name].iloc[0].to_dict()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


def test_every_page_opens_on_the_example_without_exception_or_error():
    at = open_app()
    for page in PAGES:
        go(at, page.title)
        assert not at.error, errors(at)
        assert at.title, f"{page.title} shows no title"


def test_portfolio_table_shows_the_cli_figures_for_mst(thurrock_json):
    at = open_app()
    mst = by_id(thurrock_json, "edge-of-care-mst")
    shown = row(at, MST)
    assert shown["Reach"] == f"{num(mst['reach'], 1)} families"
    assert shown["Cost"] == money(mst["cost"])
    assert shown["Outcomes averted"] == f"{num(mst['outcomes_averted'])} child-years"
    assert shown["Gross savings"] == money(mst["gross_savings"])
    assert shown["Net savings"] == money(mst["net_savings"])
    assert shown["Cashable net savings"] == money(mst["cashable_net_savings"])
    assert shown["Break-even success rate"] == rate(mst, "break_even_success_rate")
    assert shown["Expected success rate"] == rate(mst, "effect_adjusted")
    assert shown["Evidence"] == mst["evidence_rating"]
    horizon = row(at, MST, table=1)
    assert horizon["NPV"] == money(mst["npv"])
    assert horizon["Cost (present value)"] == money(mst["pv_cost"])
    assert horizon["Benefit-cost ratio"] == num(mst["bcr"])
    assert horizon["Pays back"] == f"year {mst['payback_year']}"
    # And they are the report's (APHR 2017, Table 7) to its rounding: net £1,225,153, 3.2%.
    assert shown["Net savings"].startswith("£1,225,1")
    assert shown["Break-even success rate"].startswith("3.2")


def test_portfolio_headline_metrics_are_the_cli_totals(thurrock_json):
    totals = thurrock_json["portfolio"]
    shown = metrics(open_app())
    assert shown["Total cost a year"] == money(totals["cost"])
    assert shown["Gross savings a year"] == money(totals["gross_savings"])
    assert shown["Net savings a year"] == money(totals["net_savings"])
    assert shown["Cashable net savings a year"] == money(totals["cashable_net_savings"])
    assert shown["NPV over 5 years"] == money(totals["npv"])


def test_intervention_page_shows_the_cli_figures_for_mst(thurrock_json):
    at = go(open_app(), "Intervention")
    mst = by_id(thurrock_json, "edge-of-care-mst")
    shown = metrics(at)
    assert at.title[0].value == MST
    assert shown["Cost a year"] == money(mst["cost"])
    assert shown["Gross savings a year"] == money(mst["gross_savings"])
    assert shown["Net savings a year"] == money(mst["net_savings"])
    assert shown["Cashable net savings a year"] == money(mst["cashable_net_savings"])
    assert shown["Break-even success rate"] == rate(mst, "break_even_success_rate")
    assert shown["Expected success rate"] == rate(mst, "effect_adjusted")


def test_editing_mst_treated_risk_moves_the_success_rate_and_every_figure(thurrock_json):
    at = go(open_app(), "Intervention")
    at.number_input(key=TREATED_RISK).set_value(20.0).run()  # percent on screen
    assert not at.exception and not at.error, errors(at)
    # Success rate 30% - 20% = 10% of 1,355 x 10% = 135.5 families = 13.55 children kept out of
    # care; gross 13.55 x £70,792.45 = £959,237.74; cost 135.5 x £2,285 = £309,617.50.
    net = 135.5 * (0.30 - 0.20) * LAC_YEAR - 135.5 * 2285
    assert net == pytest.approx(649_620.24, abs=0.01)
    shown = metrics(at)
    assert shown["Expected success rate"] == "10.00%"
    assert shown["Net savings a year"] == money(net) == "£649,620"
    # The change reaches the portfolio page: MST's row and the total.
    go(at, "Portfolio")
    assert row(at, MST)["Net savings"] == money(net)
    mst_before = by_id(thurrock_json, "edge-of-care-mst")["net_savings"]
    total = thurrock_json["portfolio"]["net_savings"] - mst_before + net
    assert metrics(at)["Net savings a year"] == money(total)


def test_what_if_only_5_percent_of_cin_cpp_children_are_suitable():
    at = go(open_app(), "Intervention")
    at.number_input(key=PROPORTION).set_value(5.0).run()
    assert not at.exception and not at.error, errors(at)
    # 1,355 x 5% = 67.75 families; cost 67.75 x £2,285 = £154,808.75; 16% of them = 10.84
    # children; gross 10.84 x £70,792.45 = £767,390.19; net £612,581.44.
    cost = 1355 * 0.05 * 2285
    net = 1355 * 0.05 * 0.16 * LAC_YEAR - cost
    shown = metrics(at)
    assert shown["Cost a year"] == money(cost) == "£154,809"
    assert shown["Net savings a year"] == money(net) == "£612,581"
    # The break-even rate does not depend on reach: £2,285 / £70,792.45 = 3.23% either way.
    assert shown["Break-even success rate"] == "3.23%"


def test_an_invalid_edit_is_refused_with_its_field_path_and_nothing_changes(thurrock_json):
    at = go(open_app(), "Intervention")
    at.number_input(key=TREATED_RISK).set_value(40.0).run()  # above the 30% baseline risk
    assert not at.exception
    message = errors(at)
    assert "examples/thurrock-2017.yaml: interventions[0].effect:" in message
    assert "treated_risk (0.4) is above baseline_risk (0.3)" in message
    assert at.number_input(key=TREATED_RISK).value == 14.0  # put back to the value in use
    mst = by_id(thurrock_json, "edge-of-care-mst")
    assert metrics(at)["Net savings a year"] == money(mst["net_savings"])


def test_portfolio_settings_are_editable_too(thurrock_json):
    at = open_app()
    at.selectbox(key="edit:0:cashable_method").set_value("strict").run()
    assert not at.exception and not at.error, errors(at)
    # Strict: cashable gross minus the whole cost; the CLI reports it alongside the pro rata one.
    strict = thurrock_json["portfolio"]["cashable_net_savings_strict"]
    assert metrics(at)["Cashable net savings a year"] == money(strict)


BROKEN = """\
portfolio: Broken
price_year: 2017
outcomes:
  lac_year:
    name: One child looked after for a year
    derive: {weekly_placement_cost: 1072, weeks_per_year: 35, non_placement_share: 0.47}
interventions:
  - use: edge-of-care-mst
    reach: {eligible: 1355, proportion: 1.5}
  - use: pause
    effect: {per_case: -0.2}
"""


def test_uploading_a_broken_file_shows_the_clis_field_path_messages(tmp_path: Path, thurrock_json):
    (tmp_path / "broken.yaml").write_text(BROKEN)
    cli = run_cli("validate", "broken.yaml", cwd=tmp_path)
    assert cli.returncode == 2
    expected = cli.stderr.strip().splitlines()
    assert any("interventions[0].reach.proportion" in line for line in expected)

    at = open_app()
    at.sidebar.file_uploader[0].upload("broken.yaml", BROKEN.encode(), "application/x-yaml").run()
    assert not at.exception
    shown = errors(at)
    assert "Could not open broken.yaml" in shown
    for line in expected:
        assert line in shown
    # The app keeps running on the portfolio it had.
    mst = by_id(thurrock_json, "edge-of-care-mst")
    assert row(at, MST)["Net savings"] == money(mst["net_savings"])


def test_uploading_a_valid_file_replaces_the_portfolio():
    text = (EXAMPLES / "pause-cash-flow.yaml").read_bytes()
    at = open_app()
    at.sidebar.file_uploader[0].upload("pause-cash-flow.yaml", text, "application/x-yaml").run()
    assert not at.exception and not at.error, errors(at)
    expected = appraise_portfolio(load_portfolio(EXAMPLES / "pause-cash-flow.yaml")).to_data()
    lower = expected["interventions"][0]
    assert row(at, lower["name"])["Net savings"] == money(lower["net_savings"])


def test_choosing_an_example_opens_it():
    at = open_app()
    at.sidebar.selectbox(key="example").set_value("examples/pause-cash-flow.yaml").run()
    assert not at.exception and not at.error, errors(at)
    assert at.title[0].value.startswith("Pause cash flow")


def test_a_distribution_shows_its_central_value_and_edits_keep_the_range(tmp_path: Path):
    item = intervention(effect={"success_rate": {"low": 0.10, "central": 0.16, "high": 0.20}})
    text = to_yaml(portfolio_data(interventions=[item], evidence={}))
    text = text.replace("local-test-source", "swenson-2010")
    key = "edit:1:interventions[0].effect.success_rate.central"
    at = open_app()
    at.sidebar.file_uploader[0].upload("ranged.yaml", text.encode(), "application/x-yaml").run()
    go(at, "Intervention")
    assert not at.error, errors(at)
    assert at.number_input(key=key).value == 16.0
    assert any("Range 10% to 20% (triangular)" in c.value for c in at.caption)
    at.number_input(key=key).set_value(18.0).run()
    assert not at.error, errors(at)
    # 135.5 families x 18% = 24.39 children x £70,792.45, less 135.5 x £2,285.
    assert metrics(at)["Net savings a year"] == money(135.5 * 0.18 * LAC_YEAR - 135.5 * 2285)
    at.number_input(key=key).set_value(25.0).run()  # outside the 10%-20% range
    message = errors(at)
    # Refused beside the field in its units, naming the range (not the schema's fractions).
    assert "must be between 10 and 20%, the range set for it (got 25%)" in message
    assert at.number_input(key=key).value == 18.0
    # The edit that was applied is written with what it replaced (docs/provenance.md).
    data = at.session_state["loaded"].data
    written = data["interventions"][0]["effect"]["success_rate"]
    assert written["value"] == {"low": 0.10, "central": 0.18, "high": 0.20}
    assert "edited" in written


def test_edits_can_be_discarded():
    at = go(open_app(), "Intervention")
    at.number_input(key=PROPORTION).set_value(5.0).run()
    assert at.sidebar.button(key="discard")
    at.sidebar.button(key="discard").click().run()
    assert metrics(at)["Cost a year"] == money(1355 * 0.10 * 2285)
    # Widgets start again from the data (a new load generation).
    assert at.number_input(key="edit:1:interventions[0].reach.proportion").value == 10.0


def save_as(at: AppTest, target: str, overwrite: bool = False) -> AppTest:
    at.text_input(key="save-as").set_value(target)
    at.checkbox(key="save-overwrite").set_value(overwrite)
    return at.button(key="save").click().run()


def test_saving_writes_a_new_file_that_loads_back_to_the_edited_figures(tmp_path: Path):
    at = go(open_app(), "Intervention")
    at.number_input(key=PROPORTION).set_value(5.0).run()
    go(at, "Export")
    target = tmp_path / "five-percent.yaml"
    save_as(at, str(target))
    assert not at.error, errors(at)
    assert at.success[0].value == "Saved five-percent.yaml"  # no folder of the server shown
    saved = appraise_portfolio(load_portfolio(target)).record(0)
    assert saved["net_savings"] == pytest.approx(1355 * 0.05 * 0.16 * LAC_YEAR - 1355 * 0.05 * 2285)
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file left behind"


def test_saving_refuses_examples_the_library_and_existing_files(tmp_path: Path):
    before = (EXAMPLES / "thurrock-2017.yaml").read_bytes()
    at = go(open_app(), "Export")
    save_as(at, str(EXAMPLES / "thurrock-2017.yaml"), overwrite=True)
    assert "does not write into examples/" in errors(at)
    save_as(at, str(ROOT / "evidence" / "new.yaml"))
    assert "does not write into evidence/" in errors(at)
    assert not (ROOT / "evidence" / "new.yaml").exists()
    assert (EXAMPLES / "thurrock-2017.yaml").read_bytes() == before

    existing = tmp_path / "mine.yaml"
    existing.write_text("keep me")
    save_as(at, str(existing))
    assert "already exists; tick 'overwrite'" in errors(at)
    assert existing.read_text() == "keep me"
    save_as(at, str(existing), overwrite=True)
    assert not at.error, errors(at)
    assert load_portfolio(existing).portfolio == "Thurrock prevention portfolio (APHR 2017)"


def test_export_offers_yaml_csv_json_and_the_workbook_once_made():
    at = go(open_app(), "Export")
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Portfolio (YAML)", "Results (CSV)", "Results (JSON)"]
    at.button(key="make.xlsx").click().run()
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Portfolio (YAML)", "Results (CSV)", "Results (JSON)", "Workbook (Excel)"]
    # An edit makes the workbook stale: it is offered again only once made again.
    go(at, "Intervention").number_input(key=PROPORTION).set_value(5.0).run()
    go(at, "Export")
    assert "Workbook (Excel)" not in [b.label for b in at.get("download_button")]


def inputs_sheet(book) -> dict[str, object]:
    """The workbook's Inputs sheet: each input's value by its key (the sheet's last column)."""
    ws = book["Inputs"]
    header = next(r for r in ws.iter_rows(values_only=True) if r and r[0] == "Input")
    value, key = header.index("Value"), header.index("Key")
    return {r[key]: r[value] for r in ws.iter_rows(values_only=True) if r and r[key]}


def test_the_workbook_download_is_the_cli_export_of_the_edited_portfolio(tmp_path: Path):
    from openpyxl import load_workbook

    at = go(open_app(), "Intervention")
    at.number_input(key=PROPORTION).set_value(5.0).run()
    go(at, "Export")
    # The Excel button's content, made as a click makes it, from the session's edited portfolio.
    download = next(d for d in DOWNLOADS if d.label == "Workbook (Excel)")
    loaded = at.session_state["loaded"]
    content = download.content(View(loaded, loaded.evaluation()))
    book = load_workbook(io.BytesIO(content))
    # The same edit written into a file and exported by the CLI.
    data = portfolio_to_data(load_portfolio(EXAMPLES / "thurrock-2017.yaml"))
    set_at(data, "interventions[0].reach.proportion", 0.05)
    (tmp_path / "edited.yaml").write_text(to_yaml(data))
    exported = run_cli("export", "edited.yaml", "--xlsx", "edited.xlsx", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    cli_book = load_workbook(tmp_path / "edited.xlsx")
    assert book.sheetnames == cli_book.sheetnames
    assert {"Inputs", "Calculations", "Summary", "Checks"} <= set(book.sheetnames)
    shown = inputs_sheet(book)
    assert shown == inputs_sheet(cli_book)
    assert shown["edge-of-care-mst.reach.proportion"] == 0.05
