"""The app's Verify page: claims checked and savings tracked as `appraise verify` and `appraise
track` do, against the portfolio open in the app (with its edits).

Expected figures come from the CLI's JSON on the same files (with `--portfolio` for an edited
portfolio written out), from APHR 2017 Tables 6 and 7, or are worked by hand in the test.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from appraise.display import claimed_text, figure, input_values, money
from appraise.model.load import load_portfolio
from appraise.model.save import portfolio_to_data, set_at, to_yaml
from appraise.ui.claims import STATUS_TEXT
from tests.conftest import EXAMPLES, THURROCK, run_cli
from tests.test_app import (
    MST,
    PROPORTION,
    cli_json,
    errors,
    go,
    in_project_folder,  # noqa: F401 (autouse: run from the project)
    metrics,
    open_app,
    row,
)

CLAIMS = "examples/thurrock-2017-claims.yaml"
ACTUALS = "examples/thurrock-2018-actuals.yaml"
USE_CLAIMS = "example-claims:thurrock-2017-claims.yaml"
USE_ACTUALS = "example-actuals:thurrock-2018-actuals.yaml"
# Uploaders' keys: a new one after an example is chosen or the file cleared (none yet: 0).
CLAIMS_UPLOAD = "claims-upload:0"
ACTUALS_UPLOAD = "actuals-upload:0"
LAC_YEAR = 35 * 1072 / 0.53  # APHR 2017: one child looked after for a year

BROKEN_CLAIMS = """\
portfolio: thurrock-2017.yaml
claims:
  - id: mst-net
    intervention: edge-of-care-mst
    metric: net_savings
    value: lots
  - id: mst-cost
    intervention: edge-of-care-mst
    metric: cost
    value: 309618
    tolerance: -1
"""


def on_verify_page(at: AppTest | None = None) -> AppTest:
    at = go(at or open_app(), "Verify")
    assert not at.error, errors(at)
    return at


def status_table(at: AppTest) -> dict[str, dict[str, str]]:
    """The claims' status table (the one with a Status column), by claim id."""
    table = next(t.value for t in at.table if "Status" in t.value.columns)
    return {r["Claim"]: r for r in table.to_dict("records")}


def assert_matches_verify(at: AppTest, cli: dict) -> None:
    shown = status_table(at)
    assert list(shown) == [c["id"] for c in cli["claims"]]
    for c in cli["claims"]:
        assert shown[c["id"]]["Claimed"] == claimed_text(c), c["id"]
        assert shown[c["id"]]["Recomputed"] == figure(c["recomputed"], c["unit"]), c["id"]
        assert shown[c["id"]]["Status"] == STATUS_TEXT[c["status"]], c["id"]
    for status, count in cli["summary"].items():
        assert metrics(at)[status.replace("_", " ").capitalize()] == str(count)


def test_example_claims_are_offered_for_thurrock_and_match_the_cli():
    at = on_verify_page()
    at.button(key=USE_CLAIMS).click().run()
    assert not at.exception and not at.error, errors(at)
    assert_matches_verify(at, cli_json("verify", CLAIMS))


def test_published_figures_hold_or_fail_as_the_report_rounded_them():
    at = on_verify_page()
    at.button(key=USE_CLAIMS).click().run()
    shown = status_table(at)
    # APHR 2017 Table 7: MST net savings £1,225,153 holds with the report's £70,792 a child-year:
    # 21.68 x £70,792 - 135.5 x £2,285 = £1,225,153.06.
    assert shown["mst-net"]["Recomputed"] == money(21.68 * 70_792 - 135.5 * 2285, 2)
    assert shown["mst-net"]["Status"] == "✓ consistent"
    # Table 6: STEPS gross £170,300 does not: 60 added places x 2.4 = 144 incidents x £1,183
    # = £170,352, £52 more than the table states.
    assert shown["steps-gross"]["Recomputed"] == money(144 * 1183, 2) == "£170,352.00"
    assert shown["steps-gross"]["Status"] == "✗ inconsistent"


def test_each_inconsistent_claim_lists_its_implied_inputs_in_the_clis_order():
    at = on_verify_page()
    at.button(key=USE_CLAIMS).click().run()
    cli = cli_json("verify", CLAIMS)
    wrong = [c for c in cli["claims"] if c["status"] != "consistent"]
    titles = [e.label for e in at.expander]
    for c in wrong:
        title = (
            f"{c['id']}: claimed {claimed_text(c)}, recomputed {figure(c['recomputed'], c['unit'])}"
        )
        expander = at.expander[titles.index(title)]
        implied = expander.table[0].value
        assert list(implied["Field"]) == [i["path"] for i in c["implied"]], c["id"]
        expected = [input_values(i["stated"], i["implied_value"], i["unit"]) for i in c["implied"]]
        assert list(zip(implied["Stated"], implied["Implied"], strict=True)) == expected, c["id"]


def test_claims_are_checked_against_the_edited_portfolio(tmp_path: Path):
    at = go(open_app(), "Intervention")
    at.number_input(key=PROPORTION).set_value(5.0).run()
    at = on_verify_page(at)
    at.button(key=USE_CLAIMS).click().run()
    assert not at.error, errors(at)
    data = portfolio_to_data(load_portfolio(THURROCK))
    set_at(data, "interventions[0].reach.proportion", 0.05)
    edited = tmp_path / "five-percent.yaml"
    edited.write_text(to_yaml(data))
    cli = cli_json("verify", CLAIMS, "--portfolio", str(edited))
    assert_matches_verify(at, cli)
    # 67.75 families x 16% x £70,792 (the claims file's assumed cost) - 67.75 x £2,285.
    shown = status_table(at)["mst-net"]
    assert shown["Recomputed"] == money(67.75 * 0.16 * 70_792 - 67.75 * 2285, 2)
    assert shown["Status"] == "✗ inconsistent"
    assert any("with 1 edit (not saved)" in c.value for c in at.caption)


def test_a_broken_claims_file_shows_the_clis_field_path_errors_and_the_app_keeps_running(
    tmp_path: Path, thurrock_json
):
    (tmp_path / "thurrock-2017.yaml").write_text(THURROCK.read_text())
    (tmp_path / "broken-claims.yaml").write_text(BROKEN_CLAIMS)
    cli = run_cli("verify", "broken-claims.yaml", cwd=tmp_path)
    assert cli.returncode == 2
    expected = cli.stderr.strip().splitlines()
    assert any("claims[0].value" in line for line in expected)
    assert any("claims[1].tolerance" in line for line in expected)

    at = on_verify_page()
    uploader = at.file_uploader(key=CLAIMS_UPLOAD)
    uploader.upload("broken-claims.yaml", BROKEN_CLAIMS.encode(), "application/x-yaml").run()
    assert not at.exception
    shown = errors(at)
    assert "Could not check broken-claims.yaml: 2 problems." in shown
    for line in expected:
        assert line in shown
    go(at, "Portfolio")  # still running, still showing the portfolio
    mst = next(r for r in thurrock_json["interventions"] if r["id"] == "edge-of-care-mst")
    assert row(at, MST)["Net savings"] == money(mst["net_savings"])


def test_claims_naming_another_portfolio_are_checked_against_the_open_one_with_a_warning():
    at = open_app()
    at.selectbox(key="example").set_value("examples/thurrock-2017-uncertain.yaml").run()
    at = on_verify_page(at)
    assert not at.button  # the bundled claims are written for thurrock-2017.yaml, not this one
    text = (EXAMPLES / "thurrock-2017-claims.yaml").read_bytes()
    at.file_uploader(key=CLAIMS_UPLOAD).upload("claims.yaml", text, "application/x-yaml").run()
    assert not at.error, errors(at)
    assert "written for thurrock-2017.yaml" in at.warning[0].value
    cli = cli_json("verify", CLAIMS, "--portfolio", "examples/thurrock-2017-uncertain.yaml")
    assert_matches_verify(at, cli)


def test_example_actuals_are_tracked_as_the_cli_tracks_them():
    at = on_verify_page()
    at.button(key=USE_ACTUALS).click().run()
    assert not at.exception and not at.error, errors(at)
    cli = cli_json("track", ACTUALS)
    total = cli["portfolio_to_date"]
    shown = metrics(at)
    assert shown["Spend to date"] == money(total["actual"]["cost"])
    assert shown["Net savings to date"] == money(total["actual"]["net_savings"])
    table = next(t.value for t in at.table if "Flags" in t.value.columns)
    mst = table[table["Intervention"] == "edge-of-care-mst"].set_index("Period")
    # 2018-Q1 by hand: 2 children kept out of care x £70,792.45 - £62,000 spent = £79,585; the
    # plan is a quarter of the year: 135.5 / 4 = 33.9 families, and 24 is more than 10% short.
    assert mst.loc["2018-Q1", "Net savings (actual)"] == money(2 * LAC_YEAR - 62_000) == "£79,585"
    assert mst.loc["2018-Q1", "Cases (plan)"] == "33.9"
    assert mst.loc["2018-Q1", "Flags"] == "⚠ under reach"
    to_date = cli["interventions"][0]["to_date"]
    assert mst.loc["to date", "Net savings (actual)"] == money(to_date["actual"]["net_savings"])


def test_actuals_as_csv_give_the_same_report_and_a_bad_row_names_its_row_and_column():
    text = (EXAMPLES / "thurrock-2018-actuals.csv").read_bytes()
    at = on_verify_page()
    at.file_uploader(key=ACTUALS_UPLOAD).upload("actuals.csv", text, "text/csv").run()
    assert not at.error, errors(at)
    cli = cli_json("track", "examples/thurrock-2018-actuals.csv")
    assert metrics(at)["Net savings to date"] == money(
        cli["portfolio_to_date"]["actual"]["net_savings"]
    )
    broken = text.replace(b"62000", b"sixty")
    at.button(key="clear-actuals").click().run()
    at.file_uploader(key="actuals-upload:1").upload("bad.csv", broken, "text/csv").run()
    assert not at.exception
    assert "bad.csv: row 5, column spend: expected a number (got 'sixty')" in errors(at)
