"""A sheet's cells held compactly (`appraise.workbook.cellstore.Cells`, issue 27): whatever order
cells are placed in, placed again or not, the store reads as the dict of (row, column) ->
(value, style) it replaced, in the same order, and a sheet written from it is byte for byte the
one written from that dict's cells."""

from __future__ import annotations

import io
import zipfile
from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appraise.model.load import load_portfolio
from appraise.workbook.cellstore import Cells, Formula
from appraise.workbook.export import layout
from appraise.workbook.writer import Sheet, render, settle_references
from appraise.workbook.yearline import COLUMN
from tests.conftest import THURROCK

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
    st.builds(Formula, st.sampled_from(["A1", "SUM(B1:B3)", "Inputs!$B$2"]), st.floats(0, 9)),
)
PUTS = st.lists(
    st.tuples(
        st.integers(1, 40),
        st.integers(1, 40),
        VALUES,
        st.sampled_from(["text", "calc", "calc:money", "header"]),
    ),
    max_size=120,
)


def _as_dict(cells: Cells) -> list[tuple[tuple[int, int], tuple[object, str, object]]]:
    """Items in order, a formula's cached value and class beside it (== ignores them)."""
    return [
        ((r, c), (value, style, (value.__class__, getattr(value, "value", None))))
        for (r, c), (value, style) in cells.items()
    ]


@settings(max_examples=200, deadline=None)
@given(PUTS)
def test_cells_read_as_the_dict_they_replace(puts):
    held: dict[tuple[int, int], tuple[object, str]] = {}
    cells = Cells()
    for r, c, value, style in puts:
        held[(r, c)] = (value, style)
        cells[(r, c)] = (value, style)
    assert list(cells) == list(held)  # first placed first, as a dict keeps them
    assert len(cells) == len(held)
    assert _as_dict(cells) == [
        ((r, c), (v, s, (v.__class__, getattr(v, "value", None))))
        for (r, c), (v, s) in held.items()
    ]
    for r in range(0, 42):
        for c in range(0, 42):
            assert ((r, c) in cells) == ((r, c) in held)
            assert cells.get((r, c)) == held.get((r, c))
            found, value = Sheet("S", cells=cells).saved(r, c)
            was = held.get((r, c))
            assert found == (was is not None)
            if was is not None:
                assert value == (was[0].value if isinstance(was[0], Formula) else was[0])
    rows = [r for r, _ in held]
    assert cells.max_row == max(rows, default=0)
    assert cells.max_col == max((c for _, c in held), default=0)
    assert [cells.codes[p] for p in cells.order()] == sorted(cells.codes)
    assert cells.style_names() == {s for _, s in held.values()}
    for r in range(1, 41):
        assert cells.any_in_row(r, 5, 9) == any((r, c) in held for c in range(5, 10))


@settings(max_examples=100, deadline=None)
@given(PUTS, st.lists(st.tuples(st.integers(41, 60), st.integers(1, 40)), max_size=40, unique=True))
def test_cells_placed_many_at_once_are_those_placed_one_by_one(puts, more):
    one, many = Cells(), Cells()
    for r, c, value, style in puts:
        one[(r, c)] = many[(r, c)] = (value, style)
    for r, c in more:
        one.place(r, c, (f"A{r}", 1.5), "calc")
    many.place_many((r, c, (f"A{r}", 1.5), "calc") for r, c in more)
    assert _as_dict(one) == _as_dict(many)
    assert [one.codes[p] for p in one.order()] == [many.codes[p] for p in many.order()]
    if more:
        with pytest.raises(ValueError, match="already"):
            many.place_many([(more[0][0], more[0][1], 1.0, "calc")])


def test_a_cell_past_excels_last_column_or_before_the_first_row_is_refused():
    cells = Cells()
    with pytest.raises(ValueError):
        cells.place(1, 2**15, 1.0, "calc")
    with pytest.raises(ValueError):
        cells.place(0, 1, 1.0, "calc")
    with pytest.raises(TypeError):
        cells[(1, 1)] = ((1, 2), "calc")  # a tuple would read as a formula
    cells[(1, 1)] = (1.0, "calc")
    for other in ("A1", ("1", 1), (1,), (1, 1, 1)):  # not an address: in no dict of addresses
        assert other not in cells and cells.get(other) is None


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {name: book.read(name) for name in book.namelist() if "docProps" not in name}


def test_a_sheet_placed_out_of_order_is_written_as_one_placed_in_order():
    """Cells placed column by column, a cell placed again, a line of years and a formula that
    is one reference (settled from its target): the same file as those placed row by row."""
    placed = [
        (r, c, Formula(f"A{r}*{c}", float(r * c)) if (r + c) % 3 else f"t{r}", "calc")
        for c in range(1, 6)
        for r in range(1, 8)
    ]
    ahead, behind = Sheet("S"), Sheet("S")
    for r, c, value, style in sorted(placed):
        ahead.put(r, c, value, style)
    for r, c, value, style in placed:
        behind.put(r, c, "first", "text")
        behind.put(r, c, value, style)
    for sheet in (ahead, behind):
        sheet.put_years(9, 2, 5, f"{COLUMN}1", [1.0, 2.0, 3.0, 4.0], "calc")
        sheet.put(10, 1, Formula("B9", None), "calc")
        settle_references([sheet])
    assert behind.cells._at is not None and ahead.cells._at is None
    # B9 is the line's B1, the text t1: settled through the line into the cell that reads it
    assert behind.cells[(10, 1)][0].value == ahead.cells[(10, 1)][0].value == "t1"
    assert _parts(render([behind])) == _parts(render([ahead]))


def test_a_laid_out_workbook_holds_every_cell_it_did_as_a_dict():
    """Each sheet laid out cell by cell reads through `Cells` exactly as the dict it was: the
    same cells in the same order, Formula check's and lines of years' among them."""
    _, sheets = layout(load_portfolio(THURROCK))
    for sheet in sheets:
        as_dict = dict(sheet.cells.items())
        assert list(as_dict) == list(sheet.cells)
        for key, (value, style) in as_dict.items():
            assert sheet.cells[key] == (value, style)
            if isinstance(value, Formula):
                assert sheet.cells[key][0].value == value.value


def test_a_sheet_refuses_a_tuple_and_writes_formula_like_text_as_text():
    """A sheet holds a formula as the pair (text, cached value): a pair put by a builder would
    be written as a formula, so `put` refuses one; text that looks like a formula stays text."""
    sheet = Sheet("S")
    with pytest.raises(TypeError, match="holds no tuple"):
        sheet.put(1, 1, ("SUM(A2:A3)", 1.0), "calc")  # type: ignore[arg-type]
    sheet.put(1, 1, "=SUM(A2:A3)", "text")
    sheet.put(2, 1, Formula("SUM(A3:A4)", 1.0), "calc")
    xml = _parts(render([sheet]))["xl/worksheets/sheet1.xml"].decode()
    assert "<f>SUM(A3:A4)</f>" in xml and "<f>SUM(A2:A3)</f>" not in xml
    assert "=SUM(A2:A3)</t>" in xml


AWKWARD = st.sampled_from(
    ["=SUM(A1)", "+1", "-A1", "@x", "a\x01b", "_x0041_", "x" * 40_000, "'q\"", "& < >", "", " "]
)
ROWS = st.lists(
    st.tuples(
        st.integers(1, 30),  # row
        st.integers(1, 6),  # first column
        st.lists(
            st.one_of(
                st.none(),
                st.tuples(
                    st.one_of(VALUES, AWKWARD), st.sampled_from(["text", "calc", "header", "note"])
                ),
            ),
            max_size=8,
        ),
    ),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(ROWS, st.booleans())
def test_a_row_placed_at_once_is_the_row_put_cell_by_cell(rows, years):
    """`Sheet.row` places a row's cells together (`Cells.place_row`): the same cells, in the
    same order, as `put` one by one, whether the row follows every cell so far or not."""
    import numpy as np

    at_once, one_by_one = Sheet("S"), Sheet("S")
    if years:  # a row holding a line of years: its cells go through `put`'s check
        for sheet in (at_once, one_by_one):
            sheet.put_years(31, 9, 12, f"{COLUMN}1", [1.0, 2.0, 3.0, 4.0], "calc")
        rows = [*rows, (31, 1, [(np.float64(2.5), "calc"), ("t", "text")])]
    for r, start, items in rows:
        at_once.row(r, items, start)
        for offset, item in enumerate(items):
            if item is not None and item[0] is not None:
                one_by_one.put(r, start + offset, item[0], item[1])
    assert _as_dict(at_once.cells) == _as_dict(one_by_one.cells)
    for a, b in ((at_once.cells, one_by_one.cells),):
        assert (a.max_col, a.max_row, list(a.order()), a.names) == (
            b.max_col,
            b.max_row,
            list(b.order()),
            b.names,
        )
        assert [type(v) for v in a.held] == [type(v) for v in b.held]
    assert _parts(render([at_once])) == _parts(render([one_by_one]))


def test_a_row_refuses_what_put_refuses():
    sheet = Sheet("S")
    with pytest.raises(TypeError, match="holds no tuple"):
        sheet.row(1, [("a", "text"), (("SUM(A1)", 1.0), "calc")])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="not a finite number"):
        sheet.row(2, [(float("nan"), "calc")])
    with pytest.raises(ValueError, match="no cell"):
        sheet.row(3, [("a", "text")], start=2**15)
    sheet.put_years(4, 2, 3, f"{COLUMN}1", [1.0, 2.0], "calc")
    with pytest.raises(ValueError, match="in a line of years"):
        sheet.row(4, [("a", "text"), ("b", "text")])


FORMULAS = st.lists(
    st.tuples(
        st.integers(1, 12),
        st.integers(1, 12),
        st.one_of(st.sampled_from(["A1", "Inputs!$B$2", "SUM(B1:B3)", ""]), st.text(max_size=4)),
        st.one_of(st.none(), st.booleans(), st.floats(allow_nan=False), st.text(max_size=3)),
        st.sampled_from(["calc", "calc:money", "output"]),
        st.booleans(),  # the text given as a str subclass (a Formula's own, say)
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(FORMULAS)
def test_a_formula_put_as_its_text_and_value_is_the_formula_put(puts):
    """`Sheet.put_formula(text, value)` holds what `put(Formula(text, value))` holds, placed
    in order or not, over a line of years or not (refused alike)."""
    quick, general = Sheet("S"), Sheet("S")
    for sheet in (quick, general):
        sheet.put_years(5, 4, 8, f"{COLUMN}1", [1.0] * 5, "calc")
    for r, c, text, value, style, subclass in puts:
        given = Formula(text, 2.0) if subclass else text
        outcomes = []
        for quickly in (True, False):
            try:
                if quickly:
                    quick.put_formula(r, c, given, value, style)
                else:
                    general.put(r, c, Formula(given, value), style)
                outcomes.append(None)
            except ValueError as exc:
                outcomes.append(str(exc))
        assert outcomes[0] == outcomes[1]
    assert _as_dict(quick.cells) == _as_dict(general.cells)
    assert [type(v[0]) for v in quick.cells.held if v.__class__ is tuple] == [
        str for v in general.cells.held if v.__class__ is tuple
    ]
    assert quick.cells.held == general.cells.held
    assert _parts(render([quick])) == _parts(render([general]))


def _held_testing_each(sheet: Sheet, row: int, col: int, value: object) -> object:
    """`Sheet._held` as it was, every test made of every value."""
    import math

    if value.__class__ is str:
        return sheet._shared.setdefault(value, value)  # type: ignore[arg-type]
    if value.__class__ is Formula:
        return (str(value), value.value)  # type: ignore[attr-defined]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if value.__class__ is float and not math.isfinite(value):  # type: ignore[arg-type]
        raise ValueError(f"not a finite number: {value}")
    if isinstance(value, tuple):
        raise TypeError("a cell holds no tuple")
    return value


HELD = st.one_of(
    VALUES,
    st.sampled_from([float("inf"), float("-inf"), float("nan"), 2**70, -0.0]),
    st.floats().map(np.float64),
    st.integers(-5, 5).map(np.int64),
    st.booleans().map(np.bool_),
    st.tuples(st.integers()),
)


@settings(max_examples=300, deadline=None)
@given(HELD)
def test_a_value_is_held_as_testing_each_held_it(value):
    """`Sheet._held` takes a finite float, an int or a bool as it is: what testing each way a
    value may need converting or refusing made of it."""
    outcomes = []
    for held in (Sheet("S")._held, partial(_held_testing_each, Sheet("S"))):
        try:
            kept = held(1, 1, value)
            outcomes.append((type(kept), repr(kept)))
        except (ValueError, TypeError) as exc:
            outcomes.append(type(exc))
    assert outcomes[0] == outcomes[1]


def _cacheable_testing_each(value: object) -> object:
    """`cacheable` as it was, every test made of every value."""
    import math

    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    return value


class _Text(str):
    """Text of a str subclass (as numpy's str_ is)."""


@settings(max_examples=300, deadline=None)
@given(st.one_of(HELD, st.none(), st.text(max_size=3).map(_Text), st.text(max_size=3).map(np.str_)))
def test_a_cached_value_is_what_testing_each_way_made_it(value):
    """`cacheable` takes floats, text, ints, booleans and None at once: the cached value testing
    each way a value may need converting made of it."""
    from appraise.workbook.cellstore import cacheable

    made, expected = cacheable(value), _cacheable_testing_each(value)
    assert (type(made), repr(made)) == (type(expected), repr(expected))
