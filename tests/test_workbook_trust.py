"""A workbook a finance officer can trust after editing it (issue 13): each defect the review found,
with the sheet and cell it concerns. (Checks that need LibreOffice to recalculate are at the end,
marked slow.)

Figures are Thurrock's (APHR 2017): STEPS averts 2.4 incidents a place (a per-case effect, Table 6);
MST's effect is a risk reduction from 30% to 14% (Table 7).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from appraise.engine.figures import FIGURES
from appraise.engine.lines import NOT_A_RISK
from appraise.errors import InputError
from appraise.model.load import load_portfolio
from appraise.workbook.export import export_workbook, layout, workbook_bytes
from appraise.workbook.importing import import_workbook
from appraise.workbook.recalc import recalculate
from appraise.workbook.summary import KEY_NOTE, SUMMARY_KEYS
from tests.conftest import EXAMPLES, THURROCK, by_id, require_tool, run_cli
from tests.helpers import place, summary_keys
from tests.test_excel import KEY, input_cell, input_row, set_input


@pytest.fixture(scope="module")
def written() -> bytes:
    return workbook_bytes(load_portfolio(THURROCK))


@pytest.fixture(scope="module")
def book(written: bytes) -> Any:
    return load_workbook(io.BytesIO(written))


@pytest.fixture(scope="module")
def cached(written: bytes) -> Any:
    """The workbook as a reader that does not recalculate sees it (the cached results)."""
    return load_workbook(io.BytesIO(written), data_only=True)


def row_of(ws: Any, label: str, col: int = 1) -> int:
    return next(r[0].row for r in ws.iter_rows() if str(r[col - 1].value).startswith(label))


def column_of(ws: Any, header: str, row: int = 2) -> int:
    return next(c.column for c in ws[row] if c.value == header)


# ---------------------------------------------------------------------------------------------
# Cells that say what they hold
# ---------------------------------------------------------------------------------------------


def test_the_risk_with_the_service_is_not_shown_for_a_per_case_effect(book, cached):
    # Calculations F24 showed 240.00% for STEPS's 2.4 incidents a place, a per-case figure.
    ws, shown = book["Calculations"], cached["Calculations"]
    r = row_of(ws, "Risk of the outcome with the service")
    steps, mst = column_of(ws, "steps-expansion"), column_of(ws, "edge-of-care-mst")
    assert shown.cell(r, steps).value == NOT_A_RISK
    assert shown.cell(r, mst).value == pytest.approx(0.14)  # MST-CAN: 30% -> 14%


def test_summary_shows_names_with_the_json_key_in_each_note(book):
    ws = book["Summary"]
    assert [c.value for c in ws[1]][2:] == [FIGURES[k].title for k in SUMMARY_KEYS[2:]]
    assert ws["A1"].value == "Intervention"
    assert ws.cell(1, 2 + SUMMARY_KEYS.index("cashable_net_savings_pro_rata") - 1).value == (
        "Cashable net savings, pro rata"
    )
    assert all(KEY_NOTE in c.comment.text for c in ws[1])
    assert summary_keys(ws) == list(SUMMARY_KEYS)


def test_summary_read_without_recalculation_gives_the_engines_figures(written, thurrock_json):
    frame = pd.read_excel(io.BytesIO(written), sheet_name="Summary")
    mst = frame[frame["Intervention"] == "edge-of-care-mst"].iloc[0]
    engine = by_id(thurrock_json, "edge-of-care-mst")
    assert mst["Net savings"] == pytest.approx(engine["net_savings"])  # £1,225,163
    assert mst["Cashable net savings"] == pytest.approx(engine["cashable_net_savings"])
    assert mst["NPV"] == pytest.approx(engine["npv"])
    total = frame[frame["Intervention"] == "total"].iloc[0]
    assert total["Net savings"] == pytest.approx(thurrock_json["portfolio"]["net_savings"])


def test_checks_show_the_engines_values_in_the_figures_format(book):
    ws = book["Checks"]
    r = next(r[0].row for r in ws.iter_rows(min_row=5) if r[2].value == "roi")
    assert ws.cell(r, 4).number_format == "#,##0.00"  # 4.96, not 4.95702767102933
    r = next(r[0].row for r in ws.iter_rows(min_row=5) if r[2].value == "net_savings")
    assert "£" in ws.cell(r, 4).number_format


def test_about_links_the_years_appraised_to_inputs(book):
    ws = book["About"]
    r = row_of(ws, "Years appraised")
    assert ws.cell(r, 2).value == "=" + "Inputs!" + input_cell(
        book["Inputs"], "fixed:horizon_years"
    ).coordinate.replace("B", "$B$")


# ---------------------------------------------------------------------------------------------
# Switches that accept only what they mean
# ---------------------------------------------------------------------------------------------


def validation_of(ws: Any, coordinate: str) -> Any:
    return next(v for v in ws.data_validations.dataValidation if coordinate in v.sqref)


def test_switches_ratings_and_rates_have_data_validation(book):
    ws = book["Inputs"]
    perspective = input_cell(ws, "perspective").coordinate
    assert validation_of(ws, perspective).formula1 == '"0,1"'
    rating = input_cell(ws, "edge-of-care-mst.evidence.rating").coordinate
    assert validation_of(ws, rating).formula1 == '"4+,4,3+,3,2+,2,NL2,NE"'
    rate = validation_of(ws, input_cell(ws, "edge-of-care-mst.effect.baseline_risk").coordinate)
    assert (rate.type, rate.formula1, rate.formula2) == ("decimal", "0.0", "1.0")
    assert (
        validation_of(ws, input_cell(ws, "edge-of-care-mst.timing.cohorts").coordinate).type
        == "whole"
    )


def test_every_input_of_every_sheet_has_data_validation_refusing_blanks(book):
    # Once, the Forecast sheet's 15 inputs and the Programme sheet had none, and a cleared unit
    # cost gave a cost of £0. Every cell registered as an input (Inputs, Forecast) now has a
    # rule from its domain that refuses a blank, and cells sharing a rule share one object.
    from appraise.workbook.export import layout

    registered, _ = layout(load_portfolio(THURROCK))
    by_sheet: dict[str, list[str]] = {}
    for item in registered.inputs:
        by_sheet.setdefault(item.sheet, []).append(f"{get_column_letter(item.col)}{item.row}")
    assert set(by_sheet) == {"Inputs", "Forecast"}
    assert len(by_sheet["Forecast"]) >= 15
    for title, cells in by_sheet.items():
        ws = book[title]
        for at in cells:
            rule = validation_of(ws, at)
            assert rule is not None and not rule.allow_blank, (title, at)
        rules = ws.data_validations.dataValidation
        assert len(rules) < len(cells)  # one rule over many cells
        assert len({(r.type, r.operator, r.formula1, r.formula2) for r in rules}) == len(rules)
    # The Forecast's rate per 10,000: a number from 0 (a rate of -66 is refused).
    ws = book["Forecast"]
    rate = next(r for r in ws.iter_rows() if str(r[0].value).endswith("(lac_rate_per_10k)"))[
        2
    ].coordinate
    assert validation_of(ws, rate).formula1 == "0.0"


def test_a_perspective_of_2_no_longer_doubles_the_cost_of_an_outcome(book):
    # Outcomes F9 was =MAX(E9,Inputs!$B$7): a switch of 2 counted every component twice.
    ws = book["Outcomes"]
    counted = [
        c for r in ws.iter_rows(min_row=4) for c in r if str(c.value).startswith("=IF(Inputs!")
    ]
    assert counted and all("MAX(" not in c.value for c in counted)
    assert all(c.value.startswith("=IF(Inputs!$B$") and "=1,1," in c.value for c in counted)


def test_import_refuses_a_perspective_switch_outside_0_or_1(tmp_path):
    path = export_workbook(load_portfolio(THURROCK), tmp_path / "t.xlsx")
    set_input(path, "perspective", 2)
    at = input_cell(load_workbook(path)["Inputs"], "perspective").coordinate
    proc = run_cli("import-xlsx", path, "--out", tmp_path / "back.yaml")
    assert proc.returncode == 2
    assert f"Inputs!{at}: Headline perspective" in proc.stderr and "must be 1 or 0" in proc.stderr


def test_formula_sheets_are_protected_and_inputs_left_open(book):
    for title in ("Outcomes", "Calculations", "Summary", "Cash flows", "Checks", "Integrity"):
        assert book[title].protection.sheet is True, title
        assert not book[title].protection.password, title
    ws = book["Inputs"]
    assert ws.protection.sheet is True
    assert input_cell(ws, "discount_rate").protection.locked is False
    assert input_cell(ws, "fixed:cox_factor").protection.locked is True
    assert ws["A5"].protection.locked is True


# ---------------------------------------------------------------------------------------------
# Live lookups, totals by structure, one cell for each assumption
# ---------------------------------------------------------------------------------------------


def test_the_optimism_bias_is_looked_up_from_the_rating_on_inputs(book):
    ws = book["Calculations"]
    r = row_of(ws, "Optimism-bias haircut")
    formula = ws.cell(r, column_of(ws, "edge-of-care-mst")).value
    rating = input_cell(book["Inputs"], "edge-of-care-mst.evidence.rating").coordinate
    assert "INDEX(Inputs!$B$" in formula and "MATCH(" in formula
    assert f"Inputs!${rating[0]}${rating[1:]}" in formula  # the rating cell, not a fixed row


def test_totals_add_up_structure_not_labels(book):
    ws = book["Cash flows"]
    formulas = [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert not any("SUMIF" in f for f in formulas)
    r = row_of(ws, "Cost", col=1)  # the portfolio's block comes first
    assert ws.cell(r, 4).value.startswith("=SUM(D") and ":D" in ws.cell(r, 4).value


def test_the_forecast_reads_the_outcomes_weekly_cost_cell(book):
    forecast = book["Forecast"]
    r = row_of(forecast, "Average placement cost a week")
    cell = input_cell(book["Inputs"], "outcomes.lac_year.derive.weekly_placement_cost")
    assert forecast.cell(r, 3).value == f"=Inputs!$B${cell.row}"


def test_import_carries_a_shared_assumption_back_to_both(tmp_path):
    path = export_workbook(load_portfolio(THURROCK), tmp_path / "t.xlsx")
    set_input(path, "outcomes.lac_year.derive.weekly_placement_cost", 1100)
    data = import_workbook(path).data
    cost = data["outcomes"]["lac_year"]["derive"]["weekly_placement_cost"]
    assert cost["value"] == 1100 and cost["edited"]["by"] == "workbook import"
    assert data["baseline"]["weekly_placement_cost"] == cost


# ---------------------------------------------------------------------------------------------
# Sources, notes, printing, paths, the hidden sheet
# ---------------------------------------------------------------------------------------------


def test_every_input_says_where_it_came_from_and_defaults_cite_the_projects_judgement(book):
    ws = book["Inputs"]
    keys = [
        r[KEY].value
        for r in ws.iter_rows(min_row=4)
        if r[KEY].value and not str(r[KEY].value).startswith("fixed:")
    ]
    rows = {key: input_row(ws, key) for key in keys}
    assert rows and all(r["Status"] for r in rows.values())
    assert not [k for k, r in rows.items() if r["Status"] == "not stated"]
    # Settings the project chose cite its page of defaults; inputs at their defaults are its
    # assumptions (docs/defaults.md).
    for key in ("perspective", "apply_optimism_bias"):
        assert rows[key]["Source"] == "appraise contributors (2026)", key
    for key in ("optimism_bias.3", "non_uk_evidence_haircut"):
        assert rows[key]["Status"] == "assumed" and "docs/defaults.md" in rows[key]["Source"], key
    # MST's timing is the default: the project's assumption, not the MST trials'.
    timing = rows["edge-of-care-mst.timing.benefit_years"]
    assert (timing["Status"], timing["Source"]) == (
        "assumed",
        "appraise default (docs/defaults.md)",
    )


def test_notes_written_in_the_yaml_reach_the_note_column(book):
    library = yaml.safe_load(
        (EXAMPLES.parent / "interventions" / "edge-of-care-mst.yaml").read_text()
    )
    note = input_row(book["Inputs"], "edge-of-care-mst.unit_cost.amount")["Note"]
    assert library["unit_cost"]["note"].split()[0] in note


def test_print_set_up_is_a4_landscape_without_squeezing_to_one_page(book):
    for ws in book.worksheets:
        # fitted to a number of pages wide, never to one page tall (tests/test_workbook_print.py)
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToHeight == 0
    assert len(book["Cash flows"].row_breaks.brk) == 5  # a page for each intervention


def test_no_sheet_holds_an_absolute_path(tmp_path):
    claims = tmp_path / "claims.yaml"
    data = yaml.safe_load((EXAMPLES / "thurrock-2017-claims.yaml").read_text())
    data["portfolio"] = str(THURROCK)
    claims.write_text(yaml.safe_dump(data))
    out = tmp_path / "t.xlsx"
    assert run_cli("export", THURROCK, "--xlsx", out, "--claims", claims).returncode == 0
    raw = zipfile.ZipFile(out)
    text = "".join(raw.read(n).decode("utf-8", "replace") for n in raw.namelist())
    assert str(tmp_path) not in text and str(THURROCK.parent) not in text


def test_an_edit_of_the_hidden_portfolio_sheet_is_refused(tmp_path):
    # The review changed MST's rating 3 -> NE there, with optimism bias on: the workbook showed
    # MST's net savings £918,207 while the imported file gave -£309,618.
    path = export_workbook(load_portfolio(THURROCK), tmp_path / "t.xlsx")
    wb = load_workbook(path)
    ws = wb["Portfolio file"]
    for row in ws.iter_rows(min_row=3):
        if row[0].value and '"rating": "3"' in str(row[0].value):
            row[0].value = str(row[0].value).replace('"3"', '"NE"')
            break
    wb.save(path)
    with pytest.raises(InputError, match="was edited"):
        import_workbook(path)
    proc = run_cli("import-xlsx", path, "--out", tmp_path / "back.yaml")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_the_integrity_sheet_has_a_master_check_per_group(book, cached):
    ws, shown = book["Integrity"], cached["Integrity"]
    masters = [r for r in range(4, 9) if str(ws.cell(r, 1).value).startswith("Master check")]
    # inputs, formulas, totals, present values (and Forecast inputs are among the inputs)
    assert len(masters) == 4 and all(shown.cell(r, 6).value is True for r in masters)
    assert ws["F3"].value == "=AND(F4,F5,F6,F7)" and shown["F3"].value is True
    assert shown["G3"].value == "nothing"  # what failed, in words
    labels = [str(r[0].value) for r in ws.iter_rows(min_row=10)]
    assert any("Discount rate (discount_rate)" in t for t in labels)
    assert any("net present value (Summary) = year net savings" in t for t in labels)


# ---------------------------------------------------------------------------------------------
# Recalculated by LibreOffice (slow)
# ---------------------------------------------------------------------------------------------


def _recalculated(path: Path) -> Any:
    require_tool("soffice")
    (copy,) = recalculate(path, path.parent / "recalculated")
    return load_workbook(copy, data_only=True)


@pytest.mark.slow
def test_changing_a_rating_on_inputs_moves_the_figures_as_evaluate_does(tmp_path):
    # MST rated 3 (20% optimism bias when on); on Inputs it becomes NE (100%): no effect at all.
    data = yaml.safe_load(THURROCK.read_text())
    data["apply_optimism_bias"] = True
    for name in ("thurrock-2017-baseline.yaml", "thurrock-lac-2011-2017.csv"):
        (tmp_path / name).write_bytes((EXAMPLES / name).read_bytes())  # beside the portfolio
    source = tmp_path / "p.yaml"
    source.write_text(yaml.safe_dump(data))
    data["interventions"][0]["evidence"] = {"rating": "NE"}
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(data))
    book = export_workbook(load_portfolio(source), tmp_path / "t.xlsx")
    wb = load_workbook(book)
    input_cell(wb["Inputs"], "edge-of-care-mst.evidence.rating").value = "NE"
    wb.save(book)
    expected = run_cli("evaluate", changed, "--format", "json")
    assert expected.returncode == 0, expected.stderr
    mst = by_id(__import__("json").loads(expected.stdout), "edge-of-care-mst")
    summary = _recalculated(book)["Summary"]
    keys = summary_keys(load_workbook(book)["Summary"])
    row = next(r for r in summary.iter_rows(min_row=2) if r[0].value == "edge-of-care-mst")
    assert row[keys.index("net_savings")].value == pytest.approx(mst["net_savings"], abs=0.01)
    assert mst["net_savings"] == pytest.approx(-135.5 * 2285)  # NE: the whole cost, no saving


@pytest.mark.slow
def test_integrity_holds_after_a_legal_edit_and_fails_for_a_switch_of_2(tmp_path):
    path = export_workbook(load_portfolio(THURROCK), tmp_path / "t.xlsx")
    set_input(path, "discount_rate", 0.05, tmp_path / "legal.xlsx")
    set_input(path, "perspective", 2, tmp_path / "illegal.xlsx")
    legal, illegal = recalculate(
        [tmp_path / "legal.xlsx", tmp_path / "illegal.xlsx"], tmp_path / "recalculated"
    )
    legal_book, illegal_book = (load_workbook(p, data_only=True) for p in (legal, illegal))
    assert legal_book["Integrity"]["F3"].value is True
    assert legal_book["Checks"]["D2"].value is True  # the master check: sound after the edit
    assert legal_book["Checks"]["D4"].value is False  # moved from the appraisal exported
    assert illegal_book["Integrity"]["F3"].value is False
    assert illegal_book["Integrity"]["F4"].value is False  # the group of inputs' ranges
    assert illegal_book["Checks"]["D2"].value is False
    assert illegal_book["Checks"]["D3"].value.startswith(
        "an input blank, not a number or outside the range it may take: Inputs!B"
    )


def test_a_formula_changed_outside_inputs_stops_the_import_naming_the_cell(tmp_path):
    # import-xlsx reads Inputs only: a constant pasted over MST's net savings (the audit's
    # Calculations!D66, lower now) would make the workbook's figures differ from the file's.
    path = export_workbook(load_portfolio(THURROCK), tmp_path / "t.xlsx")
    book, _ = layout(load_portfolio(THURROCK))
    sheet, at = place(book, "net_savings", "i0")
    wb = load_workbook(path)
    formula = wb[sheet][at].value
    assert sheet == "Calculations" and formula.endswith("-D26"), formula
    wb[sheet][at].value = 1225163
    wb.save(path)
    with pytest.raises(InputError) as caught:
        import_workbook(path)
    assert [p.path for p in caught.value.problems] == [f"Calculations!{at}"]
    assert f"expected the formula {formula}, found 1225163" in caught.value.problems[0].message
    proc = run_cli("import-xlsx", path, "--out", tmp_path / "back.yaml")
    assert proc.returncode == 2 and f"Calculations!{at}" in proc.stderr
    assert not (tmp_path / "back.yaml").exists()
    proc = run_cli("check-xlsx", path)
    assert proc.returncode == 1 and f"Calculations!{at} (Net savings)" in proc.stdout


def test_hidden_data_changed_with_its_checksum_recomputed_shows_in_the_cells(tmp_path):
    # The audit changed the baseline's child population on the hidden sheet and wrote the new
    # SHA-256 beside it: a checksum, not a signature, so the hash alone cannot tell. The cells
    # derived from that file at export (the Forecast's, the Checks' engine values) do.
    import hashlib

    from appraise.workbook.source import SOURCE_FIRST_ROW, source_text

    path = export_workbook(load_portfolio(THURROCK), tmp_path / "t.xlsx")
    wb = load_workbook(path)
    ws = wb["Portfolio file"]
    rows = list(ws.iter_rows(min_row=SOURCE_FIRST_ROW))
    changed = next(r for r in rows if '"value": 42073' in str(r[0].value))
    changed[0].value = str(changed[0].value).replace("42073", "52073")
    text = source_text([(r[0].value, r[1].value) for r in rows])
    ws["B2"].value = hashlib.sha256(text.encode("utf-8")).hexdigest()
    wb.save(path)
    with pytest.raises(InputError) as caught:
        import_workbook(path)
    places = {p.path.split("!")[0] for p in caught.value.problems}
    assert places & {"Forecast", "Checks"}, places
    assert run_cli("check-xlsx", path).returncode == 1


def test_check_xlsx_refuses_a_file_that_is_not_an_exported_workbook(tmp_path):
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook")
    proc = run_cli("check-xlsx", text)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "notes.xlsx" in proc.stderr


def _exported_with_claims(tmp_path: Path) -> Path:
    out = tmp_path / "t.xlsx"
    claims = EXAMPLES / "thurrock-2017-claims.yaml"
    proc = run_cli("export", THURROCK, "--xlsx", out, "--claims", claims)
    assert proc.returncode == 0, proc.stderr
    return out


def test_a_workbook_exported_with_claims_is_laid_out_again_from_the_claims_file_it_holds(tmp_path):
    # The Claims check sheet and the Checks rows it adds come from a claims file: the workbook
    # holds it (hidden), so check-xlsx and import-xlsx's pre-check lay those out again too.
    # Without it, an unedited workbook exported with --claims was refused, 329 cells "changed".
    path = _exported_with_claims(tmp_path)
    assert load_workbook(path)["Claims file"].sheet_state == "hidden"
    proc = run_cli("check-xlsx", path)
    assert proc.returncode == 0, proc.stdout
    assert run_cli("import-xlsx", path, "--out", tmp_path / "back.yaml").returncode == 0
    # a formula of the Claims check sheet pasted over is named
    wb = load_workbook(path)
    ws = wb["Claims check"]
    assert str(ws["C3"].value).startswith("=AND(")
    ws["C3"].value = True
    wb.save(path)
    proc = run_cli("check-xlsx", path)
    assert proc.returncode == 1
    listed = proc.stdout.splitlines()[1:]
    assert len(listed) == 1 and listed[0].startswith("Claims check!C3 "), proc.stdout
    proc = run_cli("import-xlsx", path, "--out", tmp_path / "back2.yaml")
    assert proc.returncode == 2 and "Claims check!C3" in proc.stderr
    assert not (tmp_path / "back2.yaml").exists()


def test_an_edit_of_the_hidden_claims_file_is_refused(tmp_path):
    path = _exported_with_claims(tmp_path)
    wb = load_workbook(path)
    ws = wb["Claims file"]
    line = next(r[0] for r in ws.iter_rows(min_row=3) if "value:" in str(r[0].value))
    line.value = str(line.value) + "0"
    wb.save(path)
    for command in ("check-xlsx", "import-xlsx"):
        proc = run_cli(command, path, *(["--out", tmp_path / "b.yaml"] * (command != "check-xlsx")))
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert "'Claims file'" in proc.stderr and "claims file was edited" in proc.stderr
    # A Claims check sheet without the claims file it came from cannot be laid out again.
    del wb["Claims file"]
    wb.save(path)
    proc = run_cli("check-xlsx", path)
    assert proc.returncode == 2 and "not the claims file it was checked from" in proc.stderr


def test_check_xlsx_says_a_programme_workbook_is_not_one_it_reads(tmp_path):
    out = tmp_path / "p.xlsx"
    programme = EXAMPLES / "east-sussex-thrive-programme.yaml"
    assert run_cli("export", programme, "--xlsx", out).returncode == 0
    for command in ("check-xlsx", "import-xlsx"):
        proc = run_cli(command, out, *(["--out", tmp_path / "b.yaml"] * (command != "check-xlsx")))
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert "a programme's workbook holds no portfolio file" in proc.stderr, proc.stderr
