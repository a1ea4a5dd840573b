"""The workbook's Claims check sheet as written (`appraise export --claims`): one row a claim, the
workbook's figure a formula where a cell holds the metric, claim text kept as text, the rule for
a claims file naming another portfolio, and a broken claims file leaving no workbook. (Statuses
after LibreOffice recalculates are tested in test_excel_libreoffice.py.)"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook

from appraise.analyses.verify import check_claims
from appraise.model.load import load_portfolio
from appraise.workbook.claims import HEADERS
from appraise.workbook.export import workbook_bytes
from tests.conftest import EXAMPLES, THURROCK
from tests.helpers import summary_keys
from tests.test_excel import CLAIMS_TABS, INJECTED_NAME, literals

CLAIMS = EXAMPLES / "thurrock-2017-claims.yaml"
HEADER_ROW = 8


def column(name: str) -> int:
    return HEADERS.index(name) + 1


def claim_rows(ws: Any) -> dict[str, dict[str, Any]]:
    """Claims check rows by claim id: header -> cell."""
    out = {}
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        if row[0].value:
            out[row[0].value] = {h: row[k] for k, h in enumerate(HEADERS)}
    return out


@pytest.fixture(scope="module")
def thurrock_claims() -> Any:
    portfolio = load_portfolio(THURROCK)
    checked = check_claims(CLAIMS, portfolio, THURROCK)
    return load_workbook(io.BytesIO(workbook_bytes(portfolio, claims=checked)))


def claims_file(folder: Path, claims: list[dict[str, Any]], **top: Any) -> Path:
    path = folder / "claims.yaml"
    path.write_text(yaml.safe_dump({"portfolio": str(THURROCK), **top, "claims": claims}))
    return path


def test_claims_check_follows_forecast_with_a_row_per_claim(thurrock_claims):
    assert thurrock_claims.sheetnames == CLAIMS_TABS
    ws = thurrock_claims["Claims check"]
    assert [c.value for c in ws[HEADER_ROW]] == list(HEADERS)
    rows = claim_rows(ws)
    ids = [c["id"] for c in yaml.safe_load(CLAIMS.read_text())["claims"]]
    assert list(rows) == ids and len(ids) == 30
    assert ws.freeze_panes == f"B{HEADER_ROW + 1}"
    assert ws.page_setup.orientation == "landscape"


def test_workbook_figure_is_a_formula_on_summary_or_text_where_no_cell_holds_it(thurrock_claims):
    rows = claim_rows(thurrock_claims["Claims check"])
    summary = thurrock_claims["Summary"]
    header = summary_keys(summary)

    def at(key: str, row: int) -> str:
        return f"Summary!${'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[header.index(key)]}${row}"

    workbook = "Workbook: the portfolio's own figure (formula)"
    # MST is Summary row 2; STEPS and the perpetrator programme rows 4 and 5 (portfolio order).
    assert rows["mst-gross"][workbook].value == "=" + at("gross_savings", 2)
    assert rows["dv-total-gross"][workbook].value == (
        f"={at('gross_savings', 4)}+{at('gross_savings', 5)}"
    )  # a claim over two interventions is their sum
    assert rows["mst-break-even-rate"][workbook].value == "=" + at("break_even_success_rate", 2)
    # Savings to the health service by intervention are not on the workbook's sheets.
    health = rows["dv-health-saving"][workbook]
    assert health.data_type == "s" and health.value.startswith("no cell:")
    assert rows["dv-health-saving"]["Status checked on"].value == "engine"


def test_the_claims_file_assumption_is_visible_and_decides_where_the_status_is_checked(
    thurrock_claims,
):
    rows = claim_rows(thurrock_claims["Claims check"])
    assumption = "outcomes.lac_year.unit_cost = 70,792 (claims file)"
    assert rows["mst-gross"]["Assumptions the check sets"].value == assumption
    # APHR 2017 multiplies by the rounded £70,792: 135.5 x 16% x £70,792 = £1,534,770.56, where
    # the portfolio's own cost of a year in care, 35 x £1,072 / 0.53 = £70,792.45, gives
    # £1,534,780.38. That figure moves, so the status is checked on the engine's.
    assert rows["mst-gross"]["Engine: recomputed under those assumptions"].value == pytest.approx(
        135.5 * 0.16 * 70792
    )
    assert rows["mst-gross"]["Status checked on"].value == "engine"
    moved = rows["mst-gross"]["The assumptions move the figure by (engine - workbook)"].value
    assert moved.startswith("=IF(AND(ISNUMBER(I") and moved.endswith(',"n/a")')
    # The cost of MST (135.5 x £2,285) does not depend on the cost of care: checked on the
    # workbook's own figure, so the status moves with Inputs.
    assert rows["mst-cost"]["Status checked on"].value == "workbook"
    # A claim's own assumption is shown as the claim's.
    assert rows["pause-savings-lower"]["Assumptions the check sets"].value == (
        f"{assumption}; pause.effect.per_case = 0.17 (this claim)"
    )


def test_status_is_a_formula_and_verify_says_is_the_engines_text(thurrock_claims):
    ws = thurrock_claims["Claims check"]
    rows = claim_rows(ws)
    steps = rows["steps-gross"]
    status = steps["Status (formula)"].value
    assert status.startswith("=IF(AND(D") and "ABS(F" in status and "$C$4*MAX(1,ABS(F" in status
    assert steps["appraise verify says"].value == "inconsistent"
    assert (
        steps["Agrees with appraise verify"].value
        == f"=O{steps['Claim'].row}=P{steps['Claim'].row}"
    )
    # STEPS: 60 added places x 2.4 incidents x £1,183 = £170,352 against the report's £170,300;
    # the engine solves for the per-place effect that gives £170,300: 170,300 / (60 x 1,183).
    assert steps["First implied input (engine)"].value == (
        "Outcomes averted per case (steps-expansion.effect.per_case)"
    )
    assert steps["Its stated value"].value == 2.4
    assert steps["Its implied value"].value == pytest.approx(170300 / (60 * 1183), rel=1e-9)
    assert ws["C4"].value == 1e-12  # verify.ROUNDING_ALLOWANCE, shown and used by every status
    # "unchanged since export" on Checks includes "every status agrees" (a status may change
    # after a sound edit, so it is not part of the master check)
    unchanged = thurrock_claims["Checks"]["D4"].value
    assert unchanged.endswith(",'Claims check'!$C$3)")


def test_claims_formulas_have_no_literal_other_than_0_1_12_100(thurrock_claims):
    literals(thurrock_claims)  # fails on any other


def test_claim_text_is_written_as_text_never_a_formula(tmp_path):
    path = claims_file(
        tmp_path,
        [
            {
                "id": "=cmd|' /C calc'!A0",
                "intervention": "pause",
                "metric": "cost",
                "value": 303030,
                "quote": INJECTED_NAME,
                "source": "@SUM(1+1)",
                "note": "+1-2",
            }
        ],
    )
    portfolio = load_portfolio(THURROCK)
    data = workbook_bytes(portfolio, claims=check_claims(path, portfolio, THURROCK))
    row = claim_rows(load_workbook(io.BytesIO(data))["Claims check"])["=cmd|' /C calc'!A0"]
    for name, text in (("Quote", INJECTED_NAME), ("Source", "@SUM(1+1)"), ("Note", "+1-2")):
        assert (row[name].value, row[name].data_type) == (text, "s")
    sheets = zipfile.ZipFile(io.BytesIO(data))
    xml = "".join(sheets.read(n).decode() for n in sheets.namelist() if "worksheets/sheet" in n)
    assert "<f>HYPERLINK" not in xml and "<f>cmd" not in xml


def test_export_with_claims_command(tmp_path, cli):
    out = tmp_path / "t.xlsx"
    code, stdout, err = cli("export", THURROCK, "--xlsx", out, "--claims", CLAIMS)
    assert code == 0, err
    # the tally `appraise verify examples/thurrock-2017-claims.yaml` prints
    assert (
        "Claims check sheet: 30 claims: 20 consistent, 10 inconsistent, 0 not checkable" in stdout
    )
    assert "Forecast sheet: children in care and their cost, 2017 to 2027" in stdout
    assert err == ""
    assert load_workbook(out).sheetnames == CLAIMS_TABS


@pytest.mark.parametrize(
    ("claim", "where", "message"),
    [
        ({"metric": "cost", "value": "lots"}, "claims[0].value", "cannot read 'lots'"),
        ({"metric": "nett_savings", "value": 1}, "claims[0].metric", "did you mean 'net_savings'"),
        ({"metric": "cost", "value": 1, "intervention": "paws"}, "claims[0].intervention", "paws"),
    ],
)
def test_a_broken_claims_file_exits_2_naming_the_field_and_writes_nothing(
    tmp_path, cli, claim, where, message
):
    path = claims_file(tmp_path, [{"id": "c", "intervention": "pause", **claim}])
    out = tmp_path / "t.xlsx"
    code, stdout, err = cli("export", THURROCK, "--xlsx", out, "--claims", path)
    assert code == 2 and "Traceback" not in err
    assert f"{path}: {where}" in err and message in err
    assert not out.exists() and stdout == ""
    # and an existing workbook is left as it was
    out.write_bytes(b"the user's workbook")
    assert cli("export", THURROCK, "--xlsx", out, "--claims", path)[0] == 2
    assert out.read_bytes() == b"the user's workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.yaml", "t.xlsx"]


def test_a_missing_claims_file_exits_2(tmp_path, cli):
    code, _, err = cli(
        "export", THURROCK, "--xlsx", tmp_path / "t.xlsx", "--claims", tmp_path / "no.yaml"
    )
    assert code == 2 and "no.yaml" in err and not (tmp_path / "t.xlsx").exists()


def test_claims_naming_another_portfolio_are_checked_against_the_exported_one(tmp_path, cli):
    # The rule: the Claims check sheet checks FILE's figures (as `appraise verify --portfolio
    # FILE` would), and says so when the claims file names another portfolio.
    data = yaml.safe_load(CLAIMS.read_text())
    data["portfolio"] = "thurrock-2017-edited.yaml"
    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump(data))
    out = tmp_path / "t.xlsx"
    code, stdout, err = cli("export", THURROCK, "--xlsx", out, "--claims", path)
    assert code == 0, err
    named = tmp_path / "thurrock-2017-edited.yaml"
    assert err.strip() == (
        f"note: {path} names the portfolio {named}; its claims were checked against {THURROCK}, "
        "the portfolio this workbook holds"
    )
    text = load_workbook(out)["Claims check"]["A2"].value
    # The sheet names files relative to the portfolio's folder: no path of this machine in it.
    assert text == (
        "Claims in claims.yaml (outside the portfolio's folder) checked against "
        f"{THURROCK.name} (Thurrock prevention portfolio (APHR 2017)). The claims file names "
        "another portfolio (thurrock-2017-edited.yaml (outside the portfolio's folder)); its "
        "claims were checked against this workbook's portfolio instead."
    )
    assert str(tmp_path) not in text


def test_claims_naming_the_same_file_by_another_path_say_nothing_more(tmp_path):
    portfolio = load_portfolio(THURROCK)
    path = claims_file(
        tmp_path, [{"id": "c", "intervention": "pause", "metric": "cost", "value": 303030}]
    )
    checked = check_claims(path, portfolio, EXAMPLES / ".." / "examples" / THURROCK.name)
    assert checked.named is None
    assert checked.summary == "1 claims: 1 consistent, 0 inconsistent, 0 not checkable"
