"""The export's quick paths (issue 27: 200 interventions x 5 years) write what the paths they
replace wrote: a text cell's XML made once for each text and style of a sheet is `_cell_xml`'s
for every cell holding it; a formula's operands, looked up in `_Reading.__getattribute__`, are
the references the lines' definitions name. Each comparison is shown to catch a planted
difference."""

from __future__ import annotations

import datetime
import io
import math
import re
import zipfile
import zlib
from functools import partial
from pathlib import Path

import numpy as np
import openpyxl.packaging.core
import openpyxl.writer.excel
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.xml.functions import tostring

from appraise.engine.care import CARE
from appraise.engine.lines import LINES
from appraise.engine.programme import PROGRAMME
from appraise.model.load import load_portfolio
from appraise.workbook import book as book_module
from appraise.workbook import writer
from appraise.workbook.book import Book, Cell, Row, _operand
from appraise.workbook.export import layout
from appraise.workbook.options import OPTION
from appraise.workbook.shapes import _Reading, shape_of
from appraise.workbook.writer import (
    QUOTED,
    Formula,
    Sheet,
    _cell_xml,
    _quoted,
    _sheet_data,
    _Spans,
    _sqref,
    _survey,
    _text_after,
    cell,
)
from appraise.workbook.yearline import COLUMN
from tests.conftest import EXAMPLES, THURROCK

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
    "x" * 32_767,  # Excel's longest
    "x" * 32_768,
    "tab\tinside, delete\x7f",
    "caf\u00e9 & <b>",
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


def _sheet_xml(sheet: Sheet, ids: dict[str, int] = STYLE_IDS) -> str:
    return b"".join(_sheet_data(sheet, ids, {}, sheet.max_col)).decode("utf-8")


def _expected_xml(sheet: Sheet, ids: dict[str, int] = STYLE_IDS) -> str:
    """The sheet's cell data written a cell at a time by `_cell_xml`."""
    attrs = {name: f' s="{k}"' if k else "" for name, k in ids.items()}
    rows: dict[int, list[str]] = {}
    for (r, c), (value, style) in sorted(sheet.cells.items()):
        if value is None or value == "":
            continue
        chosen = style + QUOTED if _quoted(value) else style
        rows.setdefault(r, []).append(_cell_xml(cell(r, c), value, attrs[chosen]))
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


class _Forgetful(dict):
    """A memo that never holds: every look-up made afresh (the general path)."""

    def __setitem__(self, key: object, value: object) -> None:
        pass


def _laid_out(path: Path, monkeypatch: pytest.MonkeyPatch | None = None) -> list:
    """Every sheet's cells and lines of years, as laid out (the Formula check's among them)."""
    if monkeypatch is not None:
        monkeypatch.setattr(Book, "_owners", property(lambda self: _Forgetful()))
    _, sheets = layout(load_portfolio(path))
    return [
        (s.title, s.cells.items(), [(r, y.shape, y.first, y.end) for r, y in s.years.items()])
        for s in sheets
    ]


@pytest.mark.parametrize("name", ["thurrock-2017.yaml", "edge-of-care-options.yaml"])
def test_operands_looked_for_under_owners_worked_out_once_are_those_worked_out_afresh(
    name, monkeypatch
):
    """`_operand` works out once the owners it looks an operand for under, by the line's and
    the operand's levels, the line's owner and the owners `also` given (the Forecast's): every
    formula is the one each worked out afresh gives."""
    remembered = _laid_out(EXAMPLES / name)
    assert remembered == _laid_out(EXAMPLES / name, monkeypatch)


def test_operands_owners_differ_by_the_owners_also_given():
    """The owners worked out once are told apart by each part of what they come from: an
    operand placed only under an owner given `also` is found with it, and only with it."""
    book = Book.of(load_portfolio(THURROCK), {})
    book.place("reach", "x", Cell("Calculations", 12, 4))
    here = Cell("Summary", 3, 2)
    for also, found in (((), False), (("x",), True), ((), False)):
        state = (book, LINES["cost"].level, "i0", here, {}, LINES, also)
        if found:
            assert str(_operand(state, "reach")) == "Calculations!$D$12"
        else:
            with pytest.raises(KeyError, match="reach"):
                _operand(state, "reach")
    state = (book, LINES["cost"].level, "i1", here, {}, LINES, ())
    book.place("reach", "i1", Cell("Calculations", 12, 5))
    assert str(_operand(state, "reach")) == "Calculations!$E$12"


def _write_each(book, sheet, key, owners, row, first, styles) -> None:
    """`Book.write_across` the general way: `write` a cell at a time, through `_operand`."""
    book._read_by_line.clear()
    reads = Book._reads
    try:
        Book._reads = lambda self, line, lines: None  # type: ignore[method-assign]
        for k, owner in enumerate(owners):
            book.write(sheet, key, owner, row, first + k, styles[k])
    finally:
        Book._reads = reads  # type: ignore[method-assign]


def _laid_out_with_places(path: Path) -> tuple[list, dict]:
    book, sheets = layout(load_portfolio(path))
    cells = [
        (s.title, s.cells.items(), [(r, y.shape, y.first, y.end) for r, y in s.years.items()])
        for s in sheets
    ]
    return cells, book.places


@pytest.mark.parametrize(
    "name",
    ["thurrock-2017.yaml", "edge-of-care-options.yaml", "essex-mst-sib.yaml", "step-down.yaml"],
)
def test_a_line_written_across_the_interventions_is_the_line_written_cell_by_cell(
    name, monkeypatch
):
    """`Book.write_across` (Calculations' lines: the operands worked out for the row, not each
    cell) and `_formula_text`'s operands straight to their references (`_operands`) write the
    cells, and place the lines, that `write` a cell at a time through `_operand` does."""
    quick = _laid_out_with_places(EXAMPLES / name)
    monkeypatch.setattr(Book, "write_across", _write_each)
    monkeypatch.setattr(Book, "_reads", lambda self, line, lines: None)
    assert quick == _laid_out_with_places(EXAMPLES / name)


def test_a_line_written_across_reads_a_cell_not_placed_as_write_does(monkeypatch):
    """An operand not placed for an intervention (its cell written the general way): the same
    refusal as `write`'s."""
    book = Book.of(load_portfolio(THURROCK), {})
    sheet = Sheet("Calculations")
    book.place("reach", "i0", Cell("Calculations", 12, 4))
    book.place("reach_per_case", "i0", Cell("Calculations", 13, 4))
    book.place("reach", "i1", Cell("Calculations", 12, 5))
    with pytest.raises(KeyError, match="reach_per_case"):
        book.write_across(sheet, "cases_costed", ["i0", "i1"], 20, 4, ["calc", "calc"])
    assert sheet.cells[(20, 4)][0] == _first_formula(book, "cases_costed", "i0", 4)


# Lines of Calculations and what they read: an intervention's figures, the portfolio's (a
# non-UK rate), a figure that may show as text (cashable share: infinite over no savings).
READING = {
    "cases_costed": ["reach", "reach_per_case"],
    "non_uk_haircut": ["non_uk", "non_uk_rate"],
    "cashable_net_savings_pro_rata": ["net_savings", "cashable_share"],
}
PLACES = st.sampled_from(sorted(READING)).flatmap(
    lambda key: st.tuples(
        st.just(key),
        st.lists(
            st.tuples(
                st.sampled_from(READING[key]),
                st.sampled_from(["i0", "i1", "i2", ""]),  # an intervention's, or the portfolio's
                st.sampled_from(["Calculations", "Inputs"]),
                st.integers(1, 30),
                st.integers(3, 7),  # the interventions' columns, 4 to 6, and either side
            ),
            max_size=12,
        ),
    )
)


@settings(max_examples=300, deadline=None)
@given(PLACES)
def test_a_line_written_across_any_placed_operands_is_the_line_written_cell_by_cell(given_places):
    """Operands placed anywhere (the intervention's own column or another, this sheet or
    another, the intervention's or the portfolio's, or nowhere): `write_across` writes what
    `write` a cell at a time does, or refuses as it does."""
    key, placed = given_places
    outcomes = []
    for write in (Book.write_across, _write_each):
        book = Book.of(THURROCK_PORTFOLIO, {})
        sheet = Sheet("Calculations")
        for name, owner, title, row, col in placed:
            book.place(name, owner, Cell(title, row, col))
        try:
            write(book, sheet, key, ["i0", "i1", "i2"], 40, 4, ["calc"] * 3)
            outcomes.append(None)
        except KeyError as exc:
            outcomes.append(str(exc))
        outcomes.append(sheet.cells.items())
    assert outcomes[:2] == outcomes[2:]


THURROCK_PORTFOLIO = load_portfolio(THURROCK)
LAID_OUT = layout(THURROCK_PORTFOLIO)[0]  # its lines' operands known


# Cash flows' lines and what they read: a line of years reading its own owner's figures and
# years, the years' own lines; a figure reading lines of years whole.
CASH_READING = {
    "cost_weight": ["ramp_up", "cost_profile", "cost_profile_to_date", "year", "cohorts_running"],
    "cost_pv_factor": ["cost_weight", "discount_factor"],
}
SHEETS = ["Cash flows", "Calculations", "Inputs"]
A_PLACE = st.one_of(
    st.builds(Cell, st.sampled_from(SHEETS), st.integers(1, 9), st.integers(2, 5)),
    st.builds(
        lambda sheet, row, first, years, more: Row(sheet, row, first, first + years, first + more),
        st.sampled_from(SHEETS),
        st.integers(1, 9),
        st.integers(3, 5),
        st.integers(0, 3),
        st.integers(3, 6),
    ),
)
TEXTS = st.sampled_from(
    sorted(CASH_READING)
).flatmap(
    lambda key: st.tuples(
        st.just(key),
        st.lists(  # placed for an owner: the intervention's, the one given also, the portfolio's
            st.tuples(
                st.sampled_from(CASH_READING[key]), st.sampled_from(["i0", "x", ""]), A_PLACE
            ),
            max_size=10,
        ),
        st.dictionaries(st.sampled_from(CASH_READING[key]), A_PLACE, max_size=3),  # local
        st.one_of(  # the cell, or the line of years, written
            st.builds(Cell, st.sampled_from(SHEETS[:2]), st.integers(1, 9), st.integers(2, 5)),
            st.builds(
                Row,
                st.sampled_from(SHEETS[:2]),
                st.integers(1, 9),
                st.just(4),
                st.just(7),
                st.just(9),
            ),
        ),
        st.sampled_from([(), ("x",)]),  # owners given also
    )
)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
@example(  # a figure copied beside its line, read on its own row: relative
    (
        "cost_weight",
        [
            (name, "i0", Row("Cash flows", row, 4, 8, 9))
            for row, name in enumerate(CASH_READING["cost_weight"][1:], start=6)
        ],
        {"ramp_up": Cell("Cash flows", 5, 3)},
        Cell("Cash flows", 5, 4),
        (),
    )
)
def test_operands_straight_to_their_references_give_the_general_ways_text(given_cell):
    """`_formula_text`'s operands worked out straight (`_operands`): the text, or the refusal,
    that `Shapes.text` reading each through `_operand` gives, wherever the operands are placed
    (for the owner, an owner given also, the portfolio, or this cell only) and whatever the
    cell (a cell, a line of years) and sheet."""
    key, placed, local, here, also = given_cell
    book = Book.of(THURROCK_PORTFOLIO, {})
    book.__dict__["_shapes"] = LAID_OUT._shapes  # the lines' operands known
    for name, owner, where in placed:
        book.place(name, owner, where)
    outcomes = []
    for quick in (True, False):
        try:
            if quick:
                assert book._reads(LINES[key], LINES) is not None
                text = book._formula_text(key, "i0", here, local, LINES, also)
            else:
                state = (book, LINES[key].level, "i0", here, local, LINES, also)
                text = book._shapes.text(LINES[key], partial(_operand, state))
            outcomes.append(text)
        except KeyError as exc:
            outcomes.append(str(exc))
    assert outcomes[0] == outcomes[1]


def _first_formula(book: Book, key: str, owner: str, col: int) -> str:
    return book.formula(key, owner, Cell("Calculations", 20, col))


# -- column widths, row heights and quoted styles ----------------------------------------------


def _survey_cell_by_cell(sheet: Sheet) -> tuple[dict[int, float], dict[int, float], set[str]]:
    """`_survey` as it was written before it worked over arrays: a cell at a time, in the order
    placed (the constants written out, so that a change to the writer's shows)."""
    wrapped_roles = {"wrap", "user_wrap", "header", "bold_wrap"}
    widths: dict[int, float] = {}
    wrapped: list[tuple[int, int, str]] = []
    quoted: set[str] = set()
    for (r, c), (value, style) in sheet.cells.items():  # in the order placed
        text = isinstance(value, str) and not isinstance(value, Formula)
        if text and value.startswith(("=", "+", "-", "@", "\t", "\r")):
            quoted.add(style + QUOTED)
        if style.partition(":")[0] in wrapped_roles and isinstance(value, str):
            wrapped.append((r, c, value))  # a formula's own text, for a wrapped one's height
        if c in sheet.widths or style in ("title", "section", "note"):
            continue
        length = 12
        if text:
            length = min(max(map(len, value.split("\n"))) + 2, 20 if style == "header" else 60)
        if length > widths.get(c, 8):
            widths[c] = length
    spans = [
        (line.first, line.end)
        for line in sheet.years.values()
        if line.style not in ("title", "section", "note")
    ]
    if sheet.generated is not None and sheet.generated.count:
        spans.append((1, sheet.generated.max_col))
    for first, end in spans:
        for c in range(first, end + 1):
            if c not in sheet.widths and widths.get(c, 8) < 12:
                widths[c] = 12
    widths = {**widths, **sheet.widths}
    heights: dict[int, float] = {}
    for r, c, value in wrapped:
        per_line = max(int(widths.get(c, 8.43)) - 1, 1)
        lines = sum(max(1, math.ceil(len(part) / per_line)) for part in value.split("\n"))
        if lines > 1:
            heights[r] = max(heights.get(r, 0), min(15 * lines, 409))
    return widths, heights, quoted


class _Name(str):
    """Text of a str subclass (as numpy's str_ is), which the writer takes as text."""


def _awkward_survey_sheet() -> Sheet:
    """Awkward text in every style that changes a width, a height or a quote prefix, among
    numbers, formulas, blanks, a line of years, columns the builder set, and cells placed out
    of order (the arrays then not sorted)."""
    sheet = Sheet("Awkward", widths={6: 31.5})
    styles = ["text", "user", "header", "wrap", "user_wrap", "bold_wrap", "title", "note"]
    for r in range(1, 3 * len(AWKWARD)):
        text = AWKWARD[r % len(AWKWARD)]
        sheet.put(r, 1, text, styles[r % len(styles)])
        sheet.put(r, 2, _Name(AWKWARD[(r * 5) % len(AWKWARD)]), styles[(r + 3) % len(styles)])
        sheet.put(r, 3, float(r) * 1e9 if r % 4 else None, "calc:money")
        sheet.put(r, 4, Formula(f'"{r} & <b>"&A{r}', text[:50]), styles[(r + 1) % len(styles)])
        sheet.put(r, 5, Formula(f"C{r}>1", r % 2 == 0 if r % 3 else None), "calc")
        sheet.put(r, 6, "a header in a set column\n" * (r % 3), "header")
        sheet.put(r, 9 + r % 3, "" if r % 2 else "wide " * r, "wrap")
    sheet.put(2, 7, "placed after", "text")
    sheet.put(3, 13, Formula("", 1.0), "calc")  # no formula: not written
    sheet.put(1, 8, "placed before row 2's last", "user")  # out of order
    sheet.put(201, 1, "\rthe only text in bold: its style quoted", "bold")
    sheet.put_years(200, 3, 9, f"{COLUMN}1*2", [1.5] * 7, "calc")
    sheet.put_years(202, 14, 17, f"{COLUMN}2*2", [2.5] * 4, "calc")  # columns holding no cell
    sheet.put_years(205, 14, 17, f"{COLUMN}5", [3.5] * 4, "calc")  # the same columns again
    # Numbers repeated (their text made once), and both zeros, whose texts differ.
    sheet.put_years(206, 3, 9, f"{COLUMN}6", [0.0, -0.0, 0.1, 0.1, -0.0, 0.0, 1e-300], "calc")
    sheet.put_years(203, 13, 16, f"{COLUMN}3", None, "note")  # a note's: no width
    sheet.put_years(204, 2, 18, f"{COLUMN}4", None, "section")  # a section's: no width
    return sheet


def test_the_survey_over_arrays_is_the_survey_cell_by_cell():
    sheet = _awkward_survey_sheet()
    assert sheet.cells._at is not None  # placed out of order: the arrays are not sorted
    widths, heights, quoted = _survey(sheet)
    assert (widths, heights, quoted) == _survey_cell_by_cell(sheet)
    assert heights and quoted and widths[6] == 31.5  # what is compared is there to compare
    assert all(type(key) is int for key in [*widths, *heights])
    assert all(type(widths[c]) is int for c in widths if c != 6)  # numbers as openpyxl takes them
    assert _survey(Sheet("Empty")) == ({}, {}, set())


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 30),
            st.integers(1, 12),
            st.one_of(st.text(max_size=90), st.floats(allow_nan=False, allow_infinity=False)),
            st.sampled_from(["text", "user", "header", "wrap", "user_wrap", "section", "calc"]),
        ),
        max_size=60,
    )
)
def test_any_cells_get_the_widths_and_heights_cell_by_cell_gives_them(placed):
    sheet = Sheet("Any", widths={5: 14.0})
    for r, c, value, style in placed:
        sheet.put(r, c, value, style)
    assert _survey(sheet) == _survey_cell_by_cell(sheet)


@pytest.mark.parametrize(
    ("name", "planted"),
    [
        ("WRAPPED", {"wrap", "user_wrap", "bold_wrap"}),  # headers no longer counted as wrapping
        ("FORMULA_START", ("=", "+", "-", "@")),  # a tab or CR first no longer quoted
    ],
)
def test_the_survey_comparison_catches_a_planted_difference(monkeypatch, name, planted):
    monkeypatch.setattr(writer, name, planted)
    sheet = _awkward_survey_sheet()
    assert _survey(sheet) != _survey_cell_by_cell(sheet)


# -- the cells a validation rule applies to ----------------------------------------------------

AWKWARD_SPANS = [
    ["B5", "B10", "B11:B12", "A7", "C1:D2", "B5", "A7:A7"],  # repeated, out of order, one cell
    ["XFD1048576", "A1", "ZZ10:AAA12", "B2:C3", "B2:C3"],  # Excel's last cell, wide columns
    ["$B$5", "B6"],  # anchored: openpyxl's reading
    ["b5", "B6"],  # lower case
    ["A01", "A2"],  # a leading zero
    ["A:A", "B2"],  # a whole column
    ["1:3", "B2"],  # whole rows
    ["B5:A1"],  # backwards: refused, as openpyxl refuses it
    ["A0"],  # no row 0
    ["XFE1", "A1"],  # past Excel's last column
    ["A1048577"],  # past Excel's last row
    ["B5 C6", "A1"],  # two spans in one
    ["Inputs!B5"],  # another sheet's
    [],
]


def _sqref_openpyxl(spans: list[str]) -> str:
    """The rule's cells as openpyxl's MultiCellRange writes them, the path `_sqref` replaces."""
    return str(MultiCellRange(" ".join(spans)))


def _sqref_outcome(spans: list[str]) -> str:
    try:
        return str(_sqref(spans))
    except (ValueError, TypeError) as error:  # openpyxl's refusals, the same either way
        return f"refused: {error!r}"


def _sqref_openpyxl_outcome(spans: list[str]) -> str:
    try:
        return _sqref_openpyxl(spans)
    except (ValueError, TypeError) as error:  # openpyxl's refusals, the same either way
        return f"refused: {error!r}"


@pytest.mark.parametrize("spans", AWKWARD_SPANS)
def test_a_rules_cells_are_written_as_openpyxl_writes_them(spans):
    assert _sqref_outcome(spans) == _sqref_openpyxl_outcome(spans)


def test_the_builders_spans_take_the_quick_path():
    assert isinstance(_sqref(["B5", "C1:D2"]), _Spans)
    assert not isinstance(_sqref(["$B$5"]), _Spans)  # any other span: openpyxl reads them all


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 40),
            st.integers(1, 40),
            st.integers(0, 3),
            st.integers(0, 3),
            st.booleans(),
        ),
        max_size=30,
    )
)
def test_any_spans_are_written_as_openpyxl_writes_them(boxes):
    spans = [
        cell(r, c) if one else f"{cell(r, c)}:{cell(r + dr, c + dc)}" for r, c, dr, dc, one in boxes
    ]
    assert str(_sqref(spans)) == _sqref_openpyxl(spans)


def test_the_span_comparison_catches_anchors_taken_as_written(monkeypatch):
    # Planted: anchored spans taken by the quick path, which then writes them with their `$`.
    monkeypatch.setattr(writer, "_SPAN", re.compile(r"(\$?[A-Z]{1,3}\$?)([1-9][0-9]*)"))
    monkeypatch.setattr(writer, "column_index_from_string", lambda s: 2)
    assert _sqref_outcome(["$B$5", "B6"]) != _sqref_openpyxl_outcome(["$B$5", "B6"])


def test_an_awkward_sheet_is_written_as_cell_by_cell():
    # Placed out of order (the cells read in row order), blanks, text of a str subclass,
    # formulas caching text, and a line of years written among a row's cells.
    sheet, laid_out = _awkward_survey_sheet(), _awkward_survey_sheet()
    laid_out.put(200, 1, "before the line", "text")
    sheet.put(200, 1, "before the line", "text")
    laid_out.put(200, 12, "after the line", "user")
    sheet.put(200, 12, "after the line", "user")
    laid_out.materialise()
    styles = set(laid_out.cells.style_names())
    ids = {name: k for k, name in enumerate(sorted(styles | {s + QUOTED for s in styles}))}
    written = _sheet_xml(sheet, ids)
    assert written == _expected_xml(laid_out, ids)
    assert "A200" in written and "D200" in written and "L200" in written


def test_page_breaks_set_at_once_are_those_appended_one_by_one():
    sheet = Sheet("Breaks", row_breaks=[5, 9, 40, 41, 300])
    sheet.put(1, 1, "x")
    ws = Workbook().active
    writer._set_up(ws, sheet, {})
    one_by_one = Workbook().active
    for row in sheet.row_breaks:
        one_by_one.row_breaks.append(Break(id=row))
    assert tostring(ws.row_breaks.to_tree()) == tostring(one_by_one.row_breaks.to_tree())
    assert b'count="5"' in tostring(ws.row_breaks.to_tree())


# -- a line of years' cached values ------------------------------------------------------------


def _kept_one_by_one(values: list) -> object:
    """`Sheet.put_years`'s cached values as it held them testing each value in turn."""
    from array import array

    from appraise.workbook.cellstore import cacheable

    if values and all(v.__class__ is float for v in values) and not any(v - v for v in values):
        return array("d", values)
    kept = [cacheable(v) for v in values]
    return array("d", kept) if kept and all(v.__class__ is float for v in kept) else kept


YEAR_VALUES = st.lists(
    st.one_of(
        st.floats(),  # infinities and not-a-number among them
        st.sampled_from([1e308, -1e308, 0.0, -0.0]),  # sums past the largest double
        st.integers(-5, 5),
        st.booleans(),
        st.none(),
        st.text(max_size=2),
        st.floats(allow_nan=False).map(np.float64),  # a float subclass
    ),
    max_size=8,
)


@settings(max_examples=400, deadline=None)
@given(YEAR_VALUES)
def test_a_line_of_years_holds_its_values_as_testing_each_in_turn_held_them(values):
    sheet = Sheet("S")
    sheet.put_years(1, 2, 9, f"{COLUMN}1", values, "calc")
    kept, expected = sheet.years[1].values, _kept_one_by_one(values)
    assert type(kept) is type(expected)
    assert [(type(v), repr(v)) for v in kept] == [(type(v), repr(v)) for v in expected]


# -- the engine's figures by owner --------------------------------------------------------------


FIGURES_BY_OWNER = st.tuples(
    st.sampled_from(["reach", "npv", "payback_year", "discounted_payback_year", "treated_risk"]),
    st.lists(
        st.one_of(st.floats(), st.sampled_from([0.0, -0.0, math.inf, -math.inf, math.nan])),
        min_size=1,
        max_size=6,
    ),
)


@settings(max_examples=300, deadline=None)
@given(FIGURES_BY_OWNER)
def test_figures_by_owner_taken_as_they_are_are_those_shown_each_in_turn(given_figures):
    """`Book._lists` of a line of one figure an owner: finite figures of a line that is no
    payback year taken as they are, the figures `shown` gives each in turn."""
    from appraise.workbook.book import _NOT_A_NUMBER, shown

    key, figures = given_figures
    book = Book.of(THURROCK_PORTFOLIO, {})
    per = dict(book.engine[0])
    per[key] = np.array(figures)
    book.__dict__["engine"] = (per, book.engine[1])
    line = LINES[key]
    expected = [_NOT_A_NUMBER if v != v else shown(line, v) for v in figures]
    got = book._lists(key)
    assert [(type(v), repr(v)) for v in got] == [(type(v), repr(v)) for v in expected]


# -- a zip member's CRC ---------------------------------------------------------------------


class _StoppedClock:
    """`datetime` as openpyxl's modules use it, with the clock stopped."""

    timezone = datetime.timezone

    class datetime(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(2026, 1, 2, 3, 4, 5, tzinfo=tz)


def _rendered(monkeypatch, general: bool) -> bytes:
    """A workbook of several sheets, its members written through zipfile's own `write` if
    `general`, else through `_writer`'s (CRC-32 by ISA-L)."""
    if general:
        monkeypatch.setattr(writer, "_writer", lambda stream: stream.write)
    # docProps/core.xml holds the time of writing: two renders a second apart differ there.
    for clocked in (openpyxl.packaging.core, openpyxl.writer.excel):
        monkeypatch.setattr(clocked, "datetime", _StoppedClock)
    sheets = [_repeating_sheet(), _awkward_survey_sheet()]
    sheets[1].title = "Awkward"
    try:
        return writer.render(sheets, {"title": "crc"})
    finally:
        monkeypatch.undo()


def test_members_written_with_isal_crc_are_what_zipfile_writes(monkeypatch):
    quick = _rendered(monkeypatch, general=False)
    assert quick == _rendered(monkeypatch, general=True)
    with zipfile.ZipFile(io.BytesIO(quick)) as written:
        assert written.testzip() is None  # every member's CRC is its data's


def test_the_crc_comparison_catches_a_crc_of_each_chunk_alone(monkeypatch):
    # Planted: each chunk's CRC worked out afresh, not carried on from the chunk before.
    monkeypatch.setattr(writer.isal_zlib, "crc32", lambda data, crc=0: zlib.crc32(data))
    quick = _rendered(monkeypatch, general=False)
    assert quick != _rendered(monkeypatch, general=True)


def test_a_member_that_keeps_nothing_expected_is_written_by_its_own_write():
    class Member:
        def write(self, data: bytes) -> int:
            return len(data)

    member = Member()
    assert writer._writer(member) == member.write


# -- a cell's operands' shape, without their references made -------------------------------------


TITLES = st.sampled_from(["Calculations", "Inputs", "Cash flows", "It's", "a!b", "Q1 (2017)"])
SMALL = st.integers(1, 40)
PLACES = st.one_of(
    st.builds(book_module.Cell, TITLES, SMALL, SMALL),
    st.builds(book_module.Row, TITLES, SMALL, SMALL, SMALL, SMALL),
    st.builds(book_module.Column, TITLES, SMALL, SMALL, SMALL),
    st.builds(book_module.Across, TITLES, SMALL, SMALL, SMALL),
    st.builds(book_module.Block, TITLES, SMALL, SMALL),
    st.builds(
        book_module.Table, TITLES, SMALL, SMALL, SMALL, SMALL, st.sampled_from(["", "k:", "a'b"])
    ),
    st.builds(book_module.Grid, TITLES, SMALL, SMALL, SMALL, SMALL, SMALL, SMALL),
)
HERE = st.one_of(
    st.builds(book_module.Cell, TITLES, SMALL, SMALL),
    st.builds(book_module.Row, TITLES, SMALL, SMALL, SMALL, SMALL),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(PLACES, st.booleans(), st.booleans(), st.booleans()), max_size=4), HERE)
def test_operands_shaped_without_their_references_are_the_references_shapes(placed, here):
    """`_shaped_operands` against `shape_of` of the references `_operands` makes."""
    # A reference is read relatively only from its own sheet's cell (as `_placed` finds it).
    placed = [
        (place, text, columnwise, relative and place.__class__ is book_module.Cell)
        for place, text, columnwise, relative in placed
    ]
    expected = shape_of(book_module._operands(placed, here))
    assert book_module._shaped_operands(placed, here) == expected
