"""The Formula check written straight to XML (issue 27: 1.3 million checks at 1,000
interventions x 30 years): each line of years' check is made once, escaped, with a stand-in for
its column's letter. Its rows must be exactly those of the general way, each check's text
(`Checked.rows`, which check-xlsx and import read) escaped a cell at a time, and the sheet's
chunks exactly those of the same cells written one by one, whatever the labels, titles and
formulas hold: & < > and quotes, a letter's stand-in, descriptions long enough to be cut, text
that looks like a formula."""

from __future__ import annotations

from typing import Any

import pytest

import appraise.workbook.formulas as formula_check
import appraise.workbook.writer as writer
from appraise.workbook.cellstore import Formula
from appraise.workbook.writer import QUOTED, Generated, Sheet
from appraise.workbook.yearline import COLUMN as Y

HEAD, TAIL = ' s="1" t="b"><f>', "</f><v>1</v></c>"
STYLES = ["text", "calc", "header", "note", "section", "user", "title"]


class _Book:
    """What `formula_check_sheet` reads of a `Book`."""

    def __init__(self, built: list[Sheet]):
        self.built, self.formula_checks = built, []

    def sheet(self, name: str, **settings: Any) -> Sheet:
        return Sheet(name, **settings)


def _checked_sheet(second_title: str) -> tuple[Sheet, list[Sheet]]:
    """A Formula check over two sheets with awkward labels and formulas."""
    first = Sheet("Calc 'Q' 1", print_rows="1:1")
    headers = ["Line", 'Head & <b> "q"', "=SUM(A1)", "_x0041_ \x01", "XFE col", "2026/27"]
    headers += ["2027/28", "2028/29", "2029/30", "Year " * 30, "Year & <y> " * 12, "2032/33"]
    for c, text in enumerate(headers, start=1):
        first.put(1, c, text, "header")
    first.put(2, 1, "Section & <s>: a user's name", "section")
    first.put(3, 1, 'Label & <x> "q" XFE', "text")
    first.put(3, 4, Formula('IF(B3>0,"a&b<c>","x""y")&C3', True), "calc")
    first.put(3, 5, Formula("B3<>C3", False), "calc")
    first.put(4, 1, "A long label " * 25, "text")
    first.put_years(4, 2, 9, f'IF({Y}3<>{Y}2,"<&>",{Y}2&"""q""")', [1.0] * 8, "calc")
    first.put(5, 1, "=a user's text", "user")
    first.put_years(5, 2, 9, f"XFE1+{Y}4", None, "calc")  # the stand-in itself: each alone
    first.put(6, 2, "short", "text")
    first.put_years(6, 6, 9, f"{Y}4*2", [2.0, 2.0], "calc")
    first.put(7, 3, "cut", "text")
    first.put_years(7, 10, 12, f"{Y}6&{Y}$1", None, "calc")  # long headers: cut descriptions
    first.put(8, 1, "Note & <n>", "note")
    for r in range(9, 40):
        first.put(r, 2, f"Row {r} <{r}>", "text")
        for c in (4, 5, 6):
            first.put(r, c, Formula(f"B{r}*2+'Other & sheet'!$A$1&\"<{c}>\"", r * 1.5), "calc")
    second = Sheet(second_title)
    second.put(1, 1, "Title", "title")
    for r in range(2, 20):
        second.put(r, 1, f"Line {r} & co", "text")
        second.put_years(r, 2, 8, f'{Y}{r - 1}+Inputs!$B$2&"&"', None, "calc")
    book = _Book([first, second])
    sheet = formula_check.formula_check_sheet(book)  # type: ignore[arg-type]
    assert sheet is not None
    return sheet, [first, second]


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Columns of the Formula check 38 rows long, XML made 5 cells at a time."""
    monkeypatch.setattr(formula_check, "EXCEL_ROWS", 40)
    monkeypatch.setattr(formula_check, "BATCH", 5)


def _rows(batches: Any) -> list[tuple[int, str]]:
    return [(width, row) for width, rows in batches for row in rows]


@pytest.mark.parametrize("second", ["Lines", "P&L <x>"])
def test_the_formula_checks_xml_is_the_general_ways(small, second):
    """A title XML leaves alone makes its checks straight as XML; one it escapes ("P&L <x>")
    goes the general way."""
    sheet, _ = _checked_sheet(second)
    checked = sheet.generated
    assert isinstance(checked, formula_check.Checked) and checked.max_col >= 4
    assert checked.count % checked.per_column  # the last column ends before the others
    fast = _rows(checked.xml_rows(HEAD, TAIL))
    general = _rows(Generated.xml_rows(checked, HEAD, TAIL))
    assert fast == general
    assert len(fast) == checked.per_column and sum(w for w, _ in fast) == checked.count
    xml = "".join(row for _, row in fast)
    for awkward in ("&amp;", "&lt;&amp;&gt;", '""q""', "XFE1+", "Year Year", "&lt;&gt;"):
        assert awkward in xml, awkward
    assert "=a user" not in xml and "Section &amp;" not in xml  # the user's text: never


def _style_ids() -> dict[str, int]:
    return {name: k for k, name in enumerate(s + q for s in STYLES for q in ("", QUOTED))}


@pytest.mark.parametrize("chunk", [7, 40, 101])
def test_the_formula_checks_chunks_are_those_of_its_cells_written_one_by_one(
    small, monkeypatch, chunk
):
    """`_generated_rows` counts each row as the parts it would be a cell at a time, so the
    chunks (and so the compressed bytes) are those of the same cells held in the sheet."""
    monkeypatch.setattr(writer, "CHUNK", chunk)
    generated, _ = _checked_sheet("Lines")
    held, _ = _checked_sheet("Lines")
    held.materialise()
    assert generated.generated is not None and held.generated is None
    ids, width = _style_ids(), generated.max_col
    assert held.max_col == width and held.max_row == generated.max_row
    chunks = list(writer._sheet_data(generated, ids, {}, width))
    assert chunks == list(writer._sheet_data(held, ids, {}, width)) and len(chunks) > 2
