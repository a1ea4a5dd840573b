"""The Programme sheet: a programme against its outline business case, with live formulas.

`appraise export PROGRAMME --xlsx OUT` writes the sheet and its Checks. Without LibreOffice: the
figures are formulas (their cached results `appraise programme --format json`'s), the inputs are
the file's figures and every JSON figure has a row on Checks. With LibreOffice (slow): every
example's workbook, recalculated, gives `appraise programme --format json`'s figures and a TRUE
master check, and an input edited on the sheet moves the figures worked out from it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from appraise.analyses.programme import savings_status
from appraise.engine.programme import NOT_KNOWN
from appraise.workbook.checks import CHECK_FIRST_ROW
from appraise.workbook.programme_sheet import NOT_GIVEN, SAVINGS_COLUMNS
from appraise.workbook.recalc import recalculate
from tests.conftest import EXAMPLES, THURROCK, require_tool, run_cli
from tests.test_programme import HAND, SUFFOLK, THRIVE

ILLUSTRATION = EXAMPLES / "thurrock-programme-illustration.yaml"
YEAR_KEYS = (
    "projected_spend",
    "actual_spend",
    "avoided_spend",
    "investment",
    "net_avoided_spend",
    "cumulative_avoided_spend",
    "cumulative_net_avoided_spend",
)
TARGET_KEYS = ("target", "actual", "variance", "met", "next_target", "still_to_go")
SAVINGS_KEYS = (
    "target",
    "achieved",
    "part_year",
    "forecast",
    "variance",
    "due_to_date",
    "status",
)


def programme_json(path: Path) -> dict[str, Any]:
    proc = run_cli("programme", path, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def export(path: Path, out: Path) -> Path:
    proc = run_cli("export", path, "--xlsx", out)
    assert proc.returncode == 0, proc.stderr
    return out


def hand_file(folder: Path) -> Path:
    path = folder / "hand.yaml"
    path.write_text(yaml.safe_dump(HAND, sort_keys=False))
    return path


def read_sheet(path: Path, data_only: bool = True) -> dict[str, Any]:
    """The Programme sheet by JSON key: years (key -> a value a year), targets and savings (a
    record a row, keyed by the JSON keys under the tables' headers)."""
    ws = load_workbook(path, data_only=data_only)["Programme"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    years = {r[2]: tuple(r[3:]) for r in rows if r[2] in YEAR_KEYS}
    # The sums by class: column C their JSON key, column D the figure.
    by_class = {
        r[2]: r[3] for r in rows if str(r[2]).startswith(("savings_by_class.", "savings_total."))
    }
    tables: dict[str, list[dict[str, Any]]] = {"targets": [], "savings": [], "budget": []}
    for i, row in enumerate(rows):
        name = {"name": "targets", "workstream": "savings", "line": "budget"}.get(row[0])
        if name is None:
            continue
        for record in rows[i + 1 :]:
            if record[0] is None or record[1] is None:
                break
            tables[name].append({k: v for k, v in zip(row, record, strict=True) if k})
    return {"years": years, "by_class": by_class, **tables}


def same(workbook: Any, engine: Any, money: bool) -> bool:
    """Money within £1, counts to 0.001; where the engine has null the sheet shows text."""
    if engine is None:
        return isinstance(workbook, str)
    if isinstance(engine, bool):
        engine = float(engine)
    if isinstance(engine, str):
        return workbook == engine
    tolerance = 1 if money else 1e-3
    return isinstance(workbook, int | float) and abs(workbook - engine) < tolerance


def assert_sheet_matches(sheet: dict[str, Any], data: dict[str, Any]) -> int:
    """Every figure of the JSON on the sheet; returns how many were compared."""
    compared = 0
    for t, year in enumerate(data["years"]):
        for key in YEAR_KEYS:
            assert same(sheet["years"][key][t], year[key], True), (year["financial_year"], key)
            compared += 1
    assert len(sheet["targets"]) == len(data["targets"])
    for row, record in zip(sheet["targets"], data["targets"], strict=True):
        assert (row["name"], row["at"]) == (record["name"], record["at"])
        for key in TARGET_KEYS:
            engine = record[key]
            if key == "next_target" and engine is None:
                assert row[key] == 0 and row["next_at"] is None  # no next target
            else:
                assert same(row[key], engine, False), (record["at"], key, row[key], engine)
            compared += 1
    assert len(sheet["savings"]) == len(data["savings"])
    for row, record in zip(sheet["savings"], data["savings"], strict=True):
        assert (row["workstream"], row["year"]) == (record["workstream"], record["year"])
        for key in SAVINGS_KEYS:
            assert same(row[key], record[key], True), (record["year"], key, row[key])
            compared += 1
        assert (row["reported_status"] or None) == record["reported_status"]
    # Savings by class, where there are savings targets: each sum a formula over the table.
    assert len(sheet["by_class"]) == (12 if data["savings"] else 0)
    for key, value in sheet["by_class"].items():
        engine = data
        for part in key.split("."):  # savings_by_class.targets.capacity
            engine = engine[part]
        assert same(value, engine, True), key
        compared += 1
    assert len(sheet["budget"]) == len(data["budget"])
    for row, record in zip(sheet["budget"], data["budget"], strict=True):
        assert row["line"] == record["line"]
        for key in ("budget", "outturn", "variance"):
            assert same(row[key], record[key], True), (record["line"], key, row[key])
            compared += 1
    return compared


# ---------------------------------------------------------------------------------------------
# Without LibreOffice: the sheet as written
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("example", [THRIVE, SUFFOLK, ILLUSTRATION])
def test_cached_results_are_the_programme_json(tmp_path, example):
    # A reader that does not recalculate (a previewer, pandas) sees the engine's figures.
    book = export(example, tmp_path / "programme.xlsx")
    assert assert_sheet_matches(read_sheet(book), programme_json(example)) > 0


def test_thrive_figures_are_formulas_over_the_files_inputs(tmp_path):
    sheet = read_sheet(export(THRIVE, tmp_path / "thrive.xlsx"), data_only=False)
    years = sheet["years"]
    # The report's differences are inputs, "not given" where it gives none; what is worked out
    # from them is a formula.
    assert years["projected_spend"][:3] == ("not given",) * 3
    assert all(str(c).startswith("=") for c in years["avoided_spend"][:3])
    assert "SUM(" in years["cumulative_avoided_spend"][1]
    # The first target, under 591 by 2013-03 (November 2012 report), has no actual given.
    assert (sheet["targets"][0]["target"], sheet["targets"][0]["actual"]) == (591, "not given")
    first = sheet["targets"][1]
    assert (first["target"], first["actual"]) == (560, 571)  # June 2014 report
    assert str(first["variance"]).startswith("=") and str(first["still_to_go"]).startswith("=")
    # The next target is the next row's own target cell, not a copy of its value.
    assert str(first["next_target"]).startswith("=$D$")


def by_part_year(rows: list[tuple]) -> dict[str, float]:
    return {r[1]: r[3] for r in rows if r[2] == "part_year"}


def test_every_figure_has_a_row_on_checks(tmp_path):
    path = hand_file(tmp_path)
    book = export(path, tmp_path / "hand.xlsx")
    data = programme_json(path)
    checks = load_workbook(book)["Checks"]
    rows = [r for r in checks.iter_rows(min_row=CHECK_FIRST_ROW, values_only=True) if r[0]]
    figures = len(data["years"]) * len(YEAR_KEYS)
    figures += len(data["targets"]) * len(TARGET_KEYS) + len(data["savings"]) * len(SAVINGS_KEYS)
    figures += 12  # the savings targets and achieved, each by class and recurrence, and totals
    assert len(rows) == figures  # 3 x 7 + 2 x 6 + 2 x 7 + 12 = 59
    assert figures == 59
    # The contact saving, £90,000 achieved six months into 2022-23, is part of a year.
    assert by_part_year(rows) == {"placements 2020-21": 0, "contact 2022-23": 1}
    by_figure = {(r[1], r[2]): r for r in rows}
    # A figure the file does not give is checked by its switch: 2022-23 has no actual spend.
    assert by_figure[("2022-23", "actual_spend given")][3] == 0
    # A status is checked by its code (2: at risk, for contact 2022-23 in the hand-worked case).
    assert by_figure[("contact 2022-23", "status")][3] == 2
    assert by_figure[("2022-23", "avoided_spend")][3] == NOT_KNOWN


def test_a_programme_export_refuses_what_goes_with_a_portfolio(tmp_path):
    proc = run_cli("export", THRIVE, "--xlsx", tmp_path / "a.xlsx", "--claims", THRIVE)
    assert proc.returncode == 2 and "--claims goes with a portfolio" in proc.stderr
    proc = run_cli("export", THURROCK, "--xlsx", tmp_path / "b.xlsx", "--actuals", THRIVE)
    assert proc.returncode == 2 and "--actuals goes with a programme file" in proc.stderr
    proc = run_cli("export", THRIVE, "--xlsx", tmp_path / "c.txt")
    assert proc.returncode == 2 and "must end in .xlsx" in proc.stderr
    assert not any(tmp_path.iterdir())  # nothing written


def test_a_bad_actuals_file_leaves_no_workbook(tmp_path):
    actuals = tmp_path / "actuals.yaml"
    actuals.write_text(yaml.safe_dump({"actuals": {"avoided_spend": {"2016-17": 1}}}))
    out = tmp_path / "thrive.xlsx"
    proc = run_cli("export", THRIVE, "--xlsx", out, "--actuals", actuals)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{actuals}: actuals.avoided_spend.2016-17: the programme has no financial year" in (
        proc.stderr
    )
    assert not out.exists()


def _documented_status(
    target: float, achieved: float | None, forecast: float | None, elapsed: int | None
) -> str:
    """The statuses as docs/programme.md's table states them, written out independently."""
    ended = elapsed is not None and elapsed >= 12
    if achieved is not None and achieved >= target:
        return "achieved"
    if achieved is None and (forecast is None or ended):
        return "not reported"
    if ended:
        return "missed"
    if forecast is not None:
        return "on track" if forecast >= target else "at risk"
    due = target * (elapsed or 0) / 12
    return "on track" if achieved >= due else "at risk"


AMOUNT = st.one_of(st.none(), st.integers(0, 2_000_000).map(float))


@settings(max_examples=300, deadline=None)
@given(
    target=st.integers(0, 2_000_000).map(float),
    achieved=AMOUNT,
    forecast=AMOUNT,
    elapsed=st.one_of(st.none(), st.integers(0, 12)),
)
def test_the_status_line_is_the_documented_rule(target, achieved, forecast, elapsed):
    assert savings_status(target, achieved, forecast, elapsed) == _documented_status(
        target, achieved, forecast, elapsed
    )


# ---------------------------------------------------------------------------------------------
# With LibreOffice: recalculated
# ---------------------------------------------------------------------------------------------


def _set(path: Path, out: Path, changes: dict[tuple[str, int], Any]) -> Path:
    """A copy of a workbook with Programme cells changed: (JSON key or row label, column)."""
    wb = load_workbook(path)
    ws = wb["Programme"]
    for (label, col), value in changes.items():
        row = next(r for r in ws.iter_rows() if label in (r[0].value, r[2].value))
        row[col - 1].value = value
    wb.save(out)
    return out


def _set_cell(path: Path, out: Path, coordinate: str, value: Any) -> Path:
    wb = load_workbook(path)
    wb["Programme"][coordinate].value = value
    wb.save(out)
    return out


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """name -> (programme file, its LibreOffice-recalculated workbook)."""
    require_tool("soffice")
    folder = tmp_path_factory.mktemp("programme-books")
    sources = {"thrive": THRIVE, "suffolk": SUFFOLK, "illustration": ILLUSTRATION}
    sources["hand"] = hand_file(folder)
    written = {name: export(path, folder / f"{name}.xlsx") for name, path in sources.items()}
    # THRIVE with 2013/14's £6.4M typed as £5.4M on the sheet.
    written["thrive-edited"] = _set(
        written["thrive"],
        folder / "thrive-edited.xlsx",
        {("Spend avoided, as a report states it", 5): 5_400_000},
    )
    sources["thrive-edited"] = THRIVE
    # The audit's edits: £5M typed into a figure the file does not give, its switch left at 0;
    # and "6.4m" typed as text into a figure that is given.
    ws = load_workbook(written["thrive"])["Programme"]
    blank = next(c for r in ws.iter_rows() for c in r if c.value == NOT_GIVEN)
    written["thrive-unswitched"] = _set_cell(
        written["thrive"], folder / "thrive-unswitched.xlsx", blank.coordinate, 5_000_000
    )
    written["thrive-text"] = _set(
        written["thrive"],
        folder / "thrive-text.xlsx",
        {("Spend avoided, as a report states it", 5): "6.4m"},
    )
    sources["thrive-unswitched"] = sources["thrive-text"] = THRIVE
    # The hand-worked contact saving: £110,000 achieved instead of £90,000.
    hand = load_workbook(written["hand"])["Programme"]
    contact = next(r for r in hand.iter_rows() if r[0].value == "contact")
    wb = load_workbook(written["hand"])
    wb["Programme"].cell(contact[0].row, 5).value = 110_000
    # The placements target (£500,000) switched from cash-releasing to capacity.
    placements = next(r for r in hand.iter_rows() if r[0].value == "placements")
    for key, value in (("class_cash_releasing", 0), ("class_capacity", 1)):
        col = 1 + [c[2] for c in SAVINGS_COLUMNS].index(key)
        wb["Programme"].cell(placements[0].row, col).value = value
    wb.save(folder / "hand-edited.xlsx")
    written["hand-edited"], sources["hand-edited"] = folder / "hand-edited.xlsx", sources["hand"]
    names = list(written)
    out = recalculate([written[n] for n in names], folder / "recalculated")
    return {n: (sources[n], o) for n, o in zip(names, out, strict=True)}


def master_check(path: Path) -> Any:
    """The master check: the workbook is sound (Integrity's checks, which recompute)."""
    return load_workbook(path, data_only=True)["Checks"]["D2"].value


def unchanged(path: Path) -> Any:
    """Whether every figure is still the engine's as exported (Checks)."""
    return load_workbook(path, data_only=True)["Checks"]["D4"].value


@pytest.mark.slow
@pytest.mark.parametrize("name", ["thrive", "suffolk", "illustration", "hand"])
def test_every_programme_recalculates_to_the_programme_json(books, name):
    source, recalculated = books[name]
    assert assert_sheet_matches(read_sheet(recalculated), programme_json(source)) > 0
    assert master_check(recalculated) is True


@pytest.mark.slow
def test_thrive_recalculated_reproduces_the_reports_arithmetic(books):
    sheet = read_sheet(books["thrive"][1])
    years = sheet["years"]
    # June 2014 progress report: £6.4M + £6.4M = £12.8M avoided over 2012/13 and 2013/14.
    assert years["cumulative_avoided_spend"][:2] == (6_400_000, 12_800_000)
    # Spend already includes the £3.9M drawn in 2013/14: nothing more is taken off.
    assert years["cumulative_net_avoided_spend"][1] == 12_800_000
    assert years["avoided_spend"][2] == NOT_KNOWN  # 2014/15: the report gives nothing
    first = sheet["targets"][1]  # the 2013/14 target (the first, 2012/13's 591, has no actual)
    # 571 children in care against 560: 11 over, not met; 571 - 520 = 51 still to go.
    assert (first["variance"], first["met"], first["still_to_go"]) == (11, 0, 51)


@pytest.mark.slow
def test_suffolk_recalculated_shows_the_forecast_overspends(books):
    """June 2016 review, Financial Challenges: +£5M on purchased placements and in-house
    fostering, +£1M on special guardianship orders, forecasts for 2016/17."""
    budget = read_sheet(books["suffolk"][1])["budget"]
    assert [(b["line"], b["outturn_basis"], b["variance"]) for b in budget] == [
        ("CYP services", "actual", NOT_KNOWN),  # "a small overspend", no amount given
        ("Purchase placements and in-house fostering", "forecast", 5_000_000),
        ("Special guardianship orders", "forecast", 1_000_000),
    ]


@pytest.mark.slow
def test_an_input_edited_on_the_sheet_moves_what_follows(books):
    sheet = read_sheet(books["thrive-edited"][1])
    # £6.4M + £5.4M = £11.8M: the running totals follow the edited difference.
    assert sheet["years"]["cumulative_avoided_spend"][:2] == (6_400_000, 11_800_000)
    assert unchanged(books["thrive-edited"][1]) is False  # it no longer matches the export
    assert master_check(books["thrive-edited"][1]) is True  # a sound edit
    contact = read_sheet(books["hand-edited"][1])["savings"][1]
    # £110,000 achieved against £100,000 due by 2022-09 (six months of £200,000): on track.
    assert (contact["variance"], contact["status"]) == (-90_000, "on track")
    # The sums by class follow the switches: £500,000 of the £700,000 of targets is now capacity.
    by_class = read_sheet(books["hand-edited"][1])["by_class"]
    assert by_class["savings_by_class.targets.capacity"] == 500_000
    assert by_class["savings_by_class.targets.cash_releasing"] == 200_000
    assert by_class["savings_by_class.targets.cost_avoidance"] == 0
    # Achieved: £520,000 (placements) is capacity, £110,000 (contact) cash-releasing.
    assert by_class["savings_by_class.achieved.capacity"] == 520_000
    assert by_class["savings_total.achieved"] == 520_000 + 110_000


@pytest.mark.slow
@pytest.mark.parametrize("name", ["thrive", "suffolk", "illustration", "hand"])
def test_every_formula_is_saved_with_the_value_libreoffice_works_out(books, name, tmp_path):
    from tests.test_excel_libreoffice import saved_and_recalculated

    source, recalculated = books[name]
    written = recalculated.parent.parent / f"{name}.xlsx"
    assert saved_and_recalculated(written, recalculated) == []


@pytest.mark.slow
def test_a_figure_typed_without_its_switch_or_as_text_is_flagged(books):
    # Once, £5M typed where the file gives no figure was ignored, and "6.4m" typed as text was
    # dropped from the cumulative total, with every check still TRUE.
    for name in ("thrive-unswitched", "thrive-text"):
        checks = load_workbook(books[name][1], data_only=True)["Checks"]
        assert checks["D2"].value is False, name
        assert "Programme!" in checks["D3"].value, (name, checks["D3"].value)
    text = load_workbook(books["thrive-text"][1], data_only=True)["Checks"]["D3"].value
    assert text.startswith("an input blank, not a number or outside the range it may take")
    switch = load_workbook(books["thrive-unswitched"][1], data_only=True)["Checks"]["D3"].value
    assert "its switch" in switch


@pytest.mark.slow
def test_a_financial_year_workbook_still_checks_out(tmp_path):
    """The Cash flows and Forecast sheets with a row of financial years under their years."""
    require_tool("soffice")
    from tests.test_financial_years import thurrock

    path = thurrock(tmp_path, "start: 2018-04", "  start: 2017-04")
    book = export(path, tmp_path / "fy.xlsx")
    (recalculated,) = recalculate(book, tmp_path / "out")
    assert master_check(recalculated) is True
    forecast = load_workbook(recalculated, data_only=True)["Forecast"]
    assert [forecast.cell(4, c).value for c in (4, 14)] == ["2017-18", "2027-28"]
    assert forecast.cell(3, 14).value == 2027  # the years the formulas read
