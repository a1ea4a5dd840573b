"""A workbook with more formulas than one column of the Formula check sheet holds (issue 27: 1,000
interventions x 30 years have 1.3 million formulas, past Excel's 1,048,576 rows): the checks go
on in the next column, each column's part its own row of the Integrity sheet. Shown here with the
column's last row made small, on the Thurrock example (APHR 2017)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections import Counter

import pytest
from openpyxl import load_workbook

import appraise.workbook.formulas as formula_check
from appraise.model.load import load_portfolio
from appraise.workbook.export import export_workbook, layout
from appraise.workbook.recalc import recalculate
from appraise.workbook.writer import Formula, cell, render
from tests.conftest import THURROCK, require_tool

LAST_ROW = 400  # stands for Excel's last row


@pytest.fixture
def small_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formula_check, "EXCEL_ROWS", LAST_ROW)


def test_every_formula_is_checked_once_over_several_columns(small_columns):
    book, sheets = layout(load_portfolio(THURROCK))
    checks = next(s for s in sheets if s.title == formula_check.FORMULA_CHECK)
    formulas = Counter()
    for built in sheets:
        if built.title in (formula_check.FORMULA_CHECK, "Checks", "Integrity", "About"):
            continue  # built after the Formula check, or not checked by it
        for (r, c), (value, _) in built.cells.items():
            if value.__class__ is Formula:
                formulas[f"{formula_check.quote_title(built.title)}{cell(r, c)},"] += 1
    checked = Counter()
    for (r, _c), (value, _) in checks.cells.items():
        if value.__class__ is Formula:
            assert formula_check.FIRST_ROW <= r <= LAST_ROW
            at = value.split("ISFORMULA(")[1].split(")")[0] + ","
            checked[at] += 1
    assert checked == formulas and sum(formulas.values()) > 3 * LAST_ROW  # several columns
    parts = book.formula_checks
    assert {p.col for p in parts} == set(range(1, max(p.col for p in parts) + 1))
    assert sum(p.count for p in parts) == sum(formulas.values())
    later = [p for p in parts if p.col > 1]
    assert later and all(f"column {p.span.split('$')[1]}" in p.said for p in later)
    for col in {p.col for p in parts}:  # each column's parts follow on, from the first row
        rows = [(p.first, p.last) for p in parts if p.col == col]
        assert rows[0][0] == formula_check.FIRST_ROW and rows[-1][1] <= LAST_ROW
        assert all(b[0] == a[1] + 1 for a, b in zip(rows, rows[1:], strict=False))


@pytest.mark.slow
def test_the_integrity_sheet_holds_and_names_a_formula_pasted_over_in_a_later_column(
    small_columns, tmp_path
):
    book, _ = layout(load_portfolio(THURROCK))
    part = next(p for p in book.formula_checks if p.col > 1)
    path = export_workbook(load_portfolio(THURROCK), tmp_path / "t.xlsx")
    wb = load_workbook(path)
    check = wb[formula_check.FORMULA_CHECK].cell(part.first, part.col).value
    target = check.split("ISFORMULA(")[1].split(")")[0]
    title, _, at = target.rpartition("!")
    wb[title.strip("'").replace("''", "'")][at.replace("$", "")].value = 123456789
    wb.save(tmp_path / "edited.xlsx")
    require_tool("soffice")
    sound, edited = (
        load_workbook(p, data_only=True)
        for p in recalculate([path, tmp_path / "edited.xlsx"], tmp_path / "recalculated")
    )
    assert sound["Integrity"]["F3"].value is True
    assert edited["Integrity"]["F3"].value is False
    failed = [
        r[6].value
        for r in edited["Integrity"].iter_rows(min_row=10)
        if r[0].value == part.said and r[5].value is False
    ]
    assert failed and failed[0].startswith(f"{title.strip(chr(39))}!{at.replace('$', '')} "), failed


def _parts(data: bytes) -> list[tuple[str, bytes]]:
    """Each part of a workbook in order, the document's creation and change times taken out."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:  # reading checks each part's CRC
        return [
            (name, re.sub(rb"<dcterms:(created|modified)[^<]*</dcterms:\1>", b"", book.read(name)))
            for name in book.namelist()
        ]


def test_the_formula_check_worked_out_as_written_is_the_one_held_cell_by_cell(small_columns):
    """`workbook_bytes` lays out the Formula check's cells only as it writes them (issue 27:
    1.3 million at 1,000 x 30): every part of the file is byte for byte the one written from
    the same cells held in the sheet, the checks running over several columns."""
    portfolio, today = load_portfolio(THURROCK), dt.date(2026, 1, 15)
    _, held = layout(portfolio, today=today)
    _, generated = layout(portfolio, today=today, materialised=False)
    later = next(s for s in generated if s.generated is not None)
    assert later.title == formula_check.FORMULA_CHECK and later.generated.max_col > 2
    assert all(s.generated is None for s in held)
    assert _parts(render(generated)) == _parts(render(held))


def test_each_check_says_what_its_cell_is_as_what_does():
    book, sheets = layout(load_portfolio(THURROCK))
    for built in sheets:
        texts = formula_check._texts(built)
        described = formula_check._Described(texts)
        for r, c in built.cells:
            assert described(r, c) == formula_check.what(built, texts, r, c)
