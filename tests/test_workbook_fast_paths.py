"""The export's quick paths (issue 27: 200 interventions x 5 years) write what the paths they
replace wrote: a text cell's XML made once for each text and style of a sheet is `_cell_xml`'s
for every cell holding it; a formula's operands, looked up in `_Reading.__getattribute__`, are
the references the lines' definitions name. Each comparison is shown to catch a planted
difference."""

from __future__ import annotations

import re
from functools import partial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appraise.engine.care import CARE
from appraise.engine.lines import LINES
from appraise.engine.programme import PROGRAMME
from appraise.model.load import load_portfolio
from appraise.workbook import writer
from appraise.workbook.book import Book, Cell, _operand
from appraise.workbook.options import OPTION
from appraise.workbook.shapes import _Reading
from appraise.workbook.writer import (
    QUOTED,
    Formula,
    Sheet,
    _cell_xml,
    _quoted,
    _sheet_data,
    _text_after,
    cell,
)
from tests.conftest import THURROCK

STYLES = ("text", "user", "header", "calc:money")
STYLE_IDS = {name: k for k, name in enumerate(STYLES)}
STYLE_IDS |= {name + QUOTED: k + 10 for k, name in enumerate(STYLES)}
ATTRS = {name: f' s="{k}"' if k else "" for name, k in STYLE_IDS.items()}  # as _sheet_data has them

# Text a spreadsheet cell must be written with care: XML's specials, characters XML forbids,
# Excel's `_xHHHH_` escape, a formula's first characters, and text past Excel's length.
AWKWARD = [
    "",
    "Reach",
    "a & b < c > d",
    "=SUM(A1:A2)",
    "+1",
    "-1",
    "@here",
    "\tindented",
    "\rreturn",
    "bell\x07and\x00nul",
    "_x0041_ is A to Excel",
    "surrogate \ud800 alone",
    "\ufffe\uffff",
    "line one\nline two",
    "x" * 40_000,
]


def _per_cell(value: str, style: str) -> str:
    """A text cell's XML as `_cell_xml` writes it, the path the quick one replaces."""
    chosen = style + QUOTED if _quoted(value) else style
    return _cell_xml("B7", value, ATTRS[chosen])


def _differences(texts: list[str]) -> list[tuple[str, str]]:
    """(text, style) pairs whose quick XML is not `_cell_xml`'s."""
    return [
        (text, style)
        for text in texts
        for style in STYLES
        if '<c r="B7"' + _text_after(text, style, ATTRS) != _per_cell(text, style)
    ]


def test_a_text_cells_xml_made_once_is_what_cell_xml_writes_for_it():
    assert _differences(AWKWARD) == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=[]), max_size=60))
def test_any_text_gets_the_xml_cell_xml_gives_it(text: str):
    assert _differences([text, "=" + text, "_x00" + text]) == []


def test_the_comparison_catches_a_quick_path_that_skips_the_cleaning(monkeypatch):
    # Planted: the quick path takes every text as plain, so a control character or an
    # over-long text would reach the file as it is.
    monkeypatch.setattr(writer, "_PLAIN_TEXT", re.compile(r".*", re.DOTALL))
    assert ("bell\x07and\x00nul", "text") in _differences(AWKWARD)
    assert ("x" * 40_000, "text") in _differences(AWKWARD)


def _sheet_xml(sheet: Sheet) -> str:
    return b"".join(_sheet_data(sheet, STYLE_IDS, {}, sheet.max_col)).decode("utf-8")


def _expected_xml(sheet: Sheet) -> str:
    """The sheet's cell data written a cell at a time by `_cell_xml`."""
    rows: dict[int, list[str]] = {}
    for (r, c), (value, style) in sorted(sheet.cells.items()):
        if value is None or value == "":
            continue
        chosen = style + QUOTED if _quoted(value) else style
        rows.setdefault(r, []).append(_cell_xml(cell(r, c), value, ATTRS[chosen]))
    body = "".join(f'<row r="{r}">{"".join(cells)}</row>' for r, cells in rows.items())
    return f"<sheetData>{body}</sheetData>"


def _repeating_sheet() -> Sheet:
    """The same texts down many rows, in several styles, among numbers and formulas."""
    sheet = Sheet("Inputs")
    for r in range(1, 40):
        sheet.put(r, 1, AWKWARD[r % len(AWKWARD)], STYLES[r % 3])
        sheet.put(r, 2, AWKWARD[(r * 7) % len(AWKWARD)], "user")
        sheet.put(r, 3, "=not a formula", STYLES[r % 4])
        sheet.put(r, 4, float(r) / 3, "calc:money")
        sheet.put(r, 5, Formula(f"D{r}*2", 2 * r / 3), "calc:money")
    return sheet


def test_a_sheet_of_repeated_texts_is_written_as_cell_by_cell():
    sheet = _repeating_sheet()
    assert _sheet_xml(sheet) == _expected_xml(sheet)


def test_the_sheet_comparison_catches_a_text_written_once_with_the_wrong_style(monkeypatch):
    # Planted: the XML made for a text is kept by text alone, so the same text in another
    # style (or quoted) takes the first one's style.
    kept: dict[str, str] = {}

    def by_text_only(value, style, attrs):
        if value not in kept:
            kept[value] = _text_after(value, style, attrs)
        return kept[value]

    monkeypatch.setattr(writer, "_text_after", by_text_only)
    sheet = _repeating_sheet()
    assert _sheet_xml(sheet) != _expected_xml(sheet)


# -- formula operands -----------------------------------------------------------------------


def test_no_line_key_starts_with_an_underscore():
    # `_Reading` takes a name starting with "_" for its own (its slot, Python's __class__ ...).
    for registry in (LINES, CARE, OPTION, PROGRAMME):
        assert [key for key in registry if key.startswith("_")] == []


def test_operands_are_the_references_of_where_lines_were_placed():
    book = Book.of(load_portfolio(THURROCK), {})
    book.place("reach", "i0", Cell("Calculations", 12, 4))
    book.place("unit_cost", "i0", Cell("Inputs", 30, 5))
    here = Cell("Calculations", 20, 4)
    names = _Reading(partial(_operand, (book, LINES["cost"].level, "i0", here, {}, LINES, ())))
    assert isinstance(names, _Reading)  # Python's own attributes are still its own
    assert str(names.reach) == "D12"  # the intervention's own column: relative
    assert str(names.unit_cost) == "Inputs!$E$30"
    with pytest.raises(KeyError, match="fixed_cost"):
        _ = names.fixed_cost  # not placed
    summary = Cell("Summary", 3, 2)
    elsewhere = _Reading(
        partial(_operand, (book, LINES["cost"].level, "i0", summary, {}, LINES, ()))
    )
    assert str(elsewhere.reach) == "Calculations!$D$12"
