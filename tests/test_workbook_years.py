"""A line of years held as one (`appraise.workbook.yearline.Years`, issue 27): its formula once
and a cached value a column. Whatever reads it (the writer, the Formula check, the references
settled, a workbook laid out cell by cell) sees exactly the cells it stands for."""

from __future__ import annotations

import io
import math
import zipfile
from array import array

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appraise.engine.lines import SEVERAL
from appraise.model.load import load_portfolio, portfolio_from_data
from appraise.workbook import writer
from appraise.workbook.book import Book
from appraise.workbook.export import layout
from appraise.workbook.formulas import _qualified_years, qualify
from appraise.workbook.writer import Formula, Sheet, render, settle_references
from appraise.workbook.yearline import COLUMN, Years
from tests.conftest import EXAMPLES, THURROCK
from tests.test_ways_to_save import fgc

LETTERS = {4: "D", 5: "E", 6: "F", 7: "G", 8: "H"}


def _sheet_with_lines() -> Sheet:
    """Lines of years among other cells: before and after them on their row, rows of a line
    alone, each kind of cached value (number, whole number, text, TRUE, none), text to escape."""
    sheet = Sheet("Cash flows")
    sheet.put(1, 1, "Year lines", "title")
    sheet.put(2, 1, "A label", "text")
    sheet.put(2, 2, "£", "text")
    sheet.put_years(2, 4, 8, f"{COLUMN}1*2", [1.5, 2.0, np.float64(3.25)], "calc:money")
    sheet.put(2, 9, Formula("SUM(D2:H2)", 6.75), "calc:money")
    sheet.put_years(3, 4, 6, f'IF({COLUMN}2>0,"a&b",{COLUMN}2)', ["a&b", 4, True], "calc")
    sheet.put_years(5, 4, 5, f"{COLUMN}3", None, "calc")
    sheet.put(6, 1, "after", "text")
    return sheet


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {name: book.read(name) for name in book.namelist() if "docProps" not in name}


def test_a_line_of_years_is_the_cells_it_stands_for():
    sheet = _sheet_with_lines()
    line = sheet.years[2]
    assert isinstance(line.values, array)  # numbers only: held as doubles
    assert isinstance(sheet.years[3].values, list)  # text and a whole number kept as they are
    assert (sheet.max_row, sheet.max_col) == (6, 9)
    sheet.materialise()
    assert not sheet.years
    expected = {4: 3.0, 5: 4.0, 6: 6.5, 7: None, 8: None}  # shapes' values as given, then none
    for col, letter in LETTERS.items():
        value, style = sheet.cells[(2, col)]
        assert value.__class__ is Formula and style == "calc:money"
        assert value == f"{letter}1*2"
        assert value.value == [1.5, 2.0, 3.25, None, None][col - 4]
        assert value.value is None or value.value.__class__ is float
        assert expected[col] is None or expected[col] == 2 * value.value
    cached = [sheet.cells[(3, c)][0].value for c in (4, 5, 6)]
    assert cached == ["a&b", 4, True] and cached[1].__class__ is int
    assert sheet.cells[(5, 4)][0] == "D3" and sheet.cells[(5, 5)][0].value is None


def test_a_line_of_years_is_written_as_its_cells_would_be():
    compact, held = _sheet_with_lines(), _sheet_with_lines()
    held.materialise()
    assert _parts(render([compact])) == _parts(render([held]))


def test_a_line_of_years_cannot_overlap_other_cells():
    sheet = _sheet_with_lines()
    with pytest.raises(ValueError, match="line of years"):
        sheet.put(2, 5, 1.0)
    with pytest.raises(ValueError, match="line of years"):
        sheet.put_years(6, 1, 3, f"{COLUMN}1", None, "calc")  # over "after" in A6
    with pytest.raises(ValueError, match="not a line of years"):
        Years("A1", 5, 4, [], "calc")


def test_references_into_and_out_of_a_line_of_years_are_settled():
    source = Sheet("Source")
    source.put_years(1, 4, 6, f"{COLUMN}9+1", [1.0, 2.0, 3.0], "calc")
    source.put(2, 1, "text the builder did not know", "text")
    sheet = Sheet("Uses")
    sheet.put_years(1, 4, 6, f"Source!{COLUMN}1", [None, 9.0], "calc")  # each its own column
    sheet.put_years(2, 4, 5, "Source!$A$2", [], "calc")  # one cell in every column
    sheet.put(3, 1, Formula("Source!$E$1"), "calc")  # a cell of a line of years
    sheet.put(3, 2, Formula("Uses!F1"), "calc")  # a reference to a reference
    settle_references([source, sheet])
    assert list(sheet.years[1].values) == [1.0, 2.0, 3.0]
    assert list(sheet.years[2].values) == ["text the builder did not know"] * 2
    assert sheet.cells[(3, 1)][0].value == 2.0 and sheet.cells[(3, 2)][0].value == 3.0


@pytest.mark.parametrize(
    "shape",
    [
        f"{COLUMN}5-$C5+Inputs!$B$3*SUM({COLUMN}7:{COLUMN}9)",
        f'IF({COLUMN}4="XFE",0,{COLUMN}4)',  # the stand-in in quoted text: each alone
        f"XFE1+{COLUMN}2",  # the stand-in itself: each alone
        f"'Cash flows'!{COLUMN}3+C{COLUMN}",
    ],
)
def test_a_line_of_years_is_qualified_as_each_of_its_cells(shape):
    line = Years(shape, 3, 30, [], "calc")
    prefix = "'Cash flows'!"
    got = dict(_qualified_years(line, 2, 25, "Cash flows", prefix))
    assert list(got) == list(range(5, 28))
    assert got == {c: qualify(line.text(c), "Cash flows", prefix) for c in range(5, 28)}


@pytest.mark.parametrize("example", [THURROCK, EXAMPLES / "essex-mst-sib.yaml"])
def test_the_engines_values_read_from_lists_are_those_read_from_the_arrays(example, monkeypatch):
    """`Book.value_of` reads the commonest owners' figures from lists made once: the same
    values, of the same types, as indexing the engine's arrays each time."""
    book, _ = layout(load_portfolio(example))
    quick = {at: _outcome(book, *at) for at in book.places}
    monkeypatch.setattr(Book, "_lists", lambda self, key: False)
    slow = Book.of(book.portfolio, book.evidence, book.today)
    assert sum(kind == "value" for kind, _ in quick.values()) > 100
    for (key, owner), outcome in quick.items():
        again = _outcome(slow, key, owner)
        assert outcome[0] == again[0] and _same(outcome[1], again[1]), (key, owner)


def _outcome(book: Book, key: str, owner: str) -> tuple[str, object]:
    try:
        return "value", book.value_of(key, owner)
    except (KeyError, IndexError, ValueError, TypeError) as error:  # not an engine line's
        return "error", type(error)


def _same(a: object, b: object) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return type(a) is type(b) and a == b


def test_a_figure_of_one_outcome_shows_n_a_for_a_service_averting_several(monkeypatch):
    """`Book.value_of` shows the text for a figure that does not apply to a service averting
    two outcomes (the engine's NaN: FGC's break-even success rate), and the number for one
    averting one, read from lists or from the engine's arrays alike."""
    data = fgc()
    one = dict(data["interventions"][0], id="one", averts="lac", effects=None)
    one["effect"] = {"baseline_risk": 0.448, "treated_risk": 0.362}
    del one["effects"]
    data["interventions"].append(one)
    portfolio = portfolio_from_data(data, "p.yaml", evidence={})
    keys = ("break_even_success_rate", "outcome_cost")

    def shown(book: Book) -> list[object]:
        return [book.value_of(key, owner) for key in keys for owner in ("i0", "i1")]

    quick = shown(Book.of(portfolio, {}))  # read from lists (`_lists`), as they are asked for
    monkeypatch.setattr(Book, "_lists", lambda self, key: False)
    for values in (quick, shown(Book.of(portfolio, {}))):
        assert values[0] == values[2] == SEVERAL
        rate, cost = values[1], values[3]
        assert isinstance(rate, float) and 0 < rate < 1 and isinstance(cost, float) and cost > 0


def _rows_of_lines(kinds: list[int]) -> Sheet:
    """A row for each kind: 0 cells only, 1 a line of years alone, 2 cells before and after a
    line, 3 nothing (a row left out)."""
    sheet = Sheet("Lines")
    for r, kind in enumerate(kinds, start=1):
        if kind in (0, 2):
            sheet.put(r, 1, f"Row {r}", "text")
            sheet.put(r, 2, float(r), "calc")
        if kind in (1, 2):
            sheet.put_years(r, 4, 6, f"{COLUMN}{r}*2", [1.5 * r, 2.0, 3.0], "calc:money")
        if kind == 2:
            sheet.put(r, 9, Formula(f"SUM(D{r}:F{r})", 6.5), "calc")
    return sheet


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=12),
    st.sampled_from([1, 3, 8, 20_000]),
)
def test_lines_of_years_among_rows_are_written_as_their_cells_would_be(kinds, chunk):
    """Whatever rows hold lines, alone or among cells, in a row or apart, the chunks (and so
    the compressed bytes) are those of the same cells held one by one."""
    compact, held = _rows_of_lines(kinds), _rows_of_lines(kinds)
    held.materialise()
    ids = {name: k for k, name in enumerate(["text", "calc", "calc:money"])}
    saved = writer.CHUNK
    writer.CHUNK = chunk
    try:
        width = max(compact.max_col, 1)
        got = list(writer._sheet_data(compact, ids, {}, width))
        assert got == list(writer._sheet_data(held, ids, {}, width))
    finally:
        writer.CHUNK = saved
