"""A sheet's cells held compactly: three parallel arrays, not a dict of (row, column) pairs.

At 1,000 interventions x 30 years the sheets hold about a million cells besides their lines of
years. Held as a dict of `(row, col) -> (value, style)` with a `Formula` object a formula, they
were about 200 MB, a third of the export's peak memory (issue 27). `Cells` holds a cell as a key
in an array of 8-byte integers (the row and column packed), a slot in a list of values and a
2-byte style number: about 20 bytes a cell besides its value. A formula is held as the pair
(its text, its cached value), a plain `str` and the value, rather than a `Formula`, a str with a
dict of its own.

It reads as the dict it replaces (`Mapping`): `cells[(row, col)]` is `(value, style)`, a formula
made into its `Formula` when asked for, and the cells come in the order they were first placed.
The writer, the references settled and the Formula check read the arrays directly.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

SHIFT = 15  # a key is row << SHIFT | column: Excel's last column, 16,384, fits in 15 bits
COLUMN_BITS = (1 << SHIFT) - 1


class Formula(str):
    """A spreadsheet formula, without the leading '='. Plain `str` values are always text.

    `value` is its result as the engine works it out, saved in the file as the formula's cached
    value so that a reader which does not recalculate (a previewer, pandas) still shows it.
    """

    value: float | int | bool | str | None

    def __new__(cls, text: str, value: float | int | bool | str | None = None) -> Formula:
        made = super().__new__(cls, text)
        # A str subclass's attributes live in a dict of its own (no __slots__ for str): given
        # whole it is a dict of one entry, 150 bytes smaller than one grown by setting the
        # attribute (a sheet holds a formula as a (text, value) pair instead: `Cells`).
        made.__dict__ = {"value": value}
        return made

    def cached(self, value: Any) -> Formula:
        """The same formula with a cached result (numpy numbers become Python ones)."""
        return Formula(str(self), cacheable(value))


def cacheable(value: Any) -> Any:
    """A formula's result as a cell can hold it: numpy numbers become Python ones, and a number
    a spreadsheet cannot hold (infinite, not a number) no cached value at all."""
    kind = value.__class__
    if kind is float:  # the commonest, without the tests below (`hasattr` raises on a float)
        return value if value - value == 0.0 else None
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    return value


class Cells(Mapping[tuple[int, int], tuple[Any, str]]):
    """Cells by (row, column), 1-based, each a value and a style name.

    Position p holds the cell keyed `codes[p]` (row << SHIFT | column), its value `held[p]`
    (a formula: the tuple (text, cached value); no other value is a tuple) and its style
    `names[styles[p]]`. Positions are in the order cells were first placed; placing a cell
    again replaces it where it is, as a dict would. While each cell placed lies after the last
    (row by row, then column: how builders write), the keys are sorted and a cell is found by
    bisection; after the first that does not, through an index by key.
    """

    __slots__ = ("codes", "held", "styles", "names", "_ids", "_last", "_by_key", "_at", "max_col")

    def __init__(self, cells: Mapping[tuple[int, int], tuple[Any, str]] | None = None):
        self.codes = array("q")
        self.held: list[Any] = []
        self.styles = array("H")
        self.names: list[str] = []  # style names by number
        self._ids: dict[str, int] = {}
        self._last = -1  # the greatest key
        # Once a cell is placed before another, the keys sorted and their positions (16 bytes a
        # cell, where an index by key would take a hundred).
        self._by_key: array[int] | None = None
        self._at: array[int] | None = None
        self.max_col = 0
        for (row, col), (value, style) in (cells or {}).items():
            self[(row, col)] = (value, style)

    def _key(self, row: int, col: int, style: str) -> tuple[int, int]:
        """The cell's key and its style's number."""
        if not 0 < col <= COLUMN_BITS or row < 1:
            raise ValueError(f"no cell at row {row}, column {col}")
        sid = self._ids.get(style)
        if sid is None:
            sid = self._ids[style] = len(self.names)
            self.names.append(style)
        if col > self.max_col:
            self.max_col = col
        return row << SHIFT | col, sid

    def place(self, row: int, col: int, value: Any, style: str) -> None:
        """Place a cell: `value` a plain value, or (text, cached value) for a formula."""
        sid = self._ids.get(style)
        if sid is None or not 0 < col <= self.max_col or row < 1:
            key, sid = self._key(row, col, style)
        else:  # `_key`, without a call: a known style, a column within those so far
            key = row << SHIFT | col
        if key > self._last:  # the commonest: after every cell so far
            self._last = key
            if self._by_key is not None and self._at is not None:
                self._by_key.append(key)
                self._at.append(len(self.codes))
        else:
            at = self.position(key)
            if at >= 0:  # placed again: replaced where it is
                self.held[at], self.styles[at] = value, sid
                return
            if self._by_key is None or self._at is None:
                self._by_key, self._at = array("q", self.codes), array("q", range(len(self.codes)))
            i = bisect_left(self._by_key, key)
            self._by_key.insert(i, key)
            self._at.insert(i, len(self.codes))
        self.codes.append(key)
        self.held.append(value)
        self.styles.append(sid)

    def place_row(self, row: int, items: list[tuple[int, Any, str]]) -> None:
        """Place cells of one row, (column, value, style) with columns rising, as `place` each:
        appended at once where they follow every cell so far (the commonest)."""
        if (
            not items
            or self._by_key is not None
            or row < 1
            or items[0][0] < 1
            or items[-1][0] > COLUMN_BITS
            or row << SHIFT | items[0][0] <= self._last
        ):
            for col, value, style in items:
                self.place(row, col, value, style)
            return
        ids, names, codes, held, styles = self._ids, self.names, self.codes, self.held, self.styles
        base = row << SHIFT
        for col, value, style in items:
            sid = ids.get(style)
            if sid is None:
                sid = ids[style] = len(names)
                names.append(style)
            codes.append(base | col)
            held.append(value)
            styles.append(sid)
        last = items[-1][0]
        self._last = base | last
        if last > self.max_col:
            self.max_col = last

    def place_many(self, cells: Iterable[tuple[int, int, Any, str]]) -> None:
        """Place cells (row, column, value, style) where none is yet, sorting the keys once
        (a sheet laid out cell by cell: its lines of years' cells, and its generated ones)."""
        codes, held, styles = self.codes, self.held, self.styles
        for row, col, value, style in cells:
            key, sid = self._key(row, col, style)
            codes.append(key)
            held.append(value)
            styles.append(sid)
        order = sorted(range(len(codes)), key=codes.__getitem__)
        by_key = array("q", map(codes.__getitem__, order))
        if any(a == b for a, b in zip(by_key, by_key[1:], strict=False)):
            raise ValueError("a cell placed where one already is")
        self._last = by_key[-1] if by_key else -1
        if any(a > b for a, b in zip(codes, codes[1:], strict=False)):
            self._by_key, self._at = by_key, array("q", order)

    def position(self, key: int) -> int:
        """The position of the cell keyed `key`, or -1."""
        keys = self.codes if self._by_key is None else self._by_key
        i = bisect_left(keys, key)
        if i == len(keys) or keys[i] != key:
            return -1
        return i if self._at is None else self._at[i]

    def find(self, row: int, col: int) -> int:
        """The position of the cell at (row, col), or -1."""
        return self.position(row << SHIFT | col) if row > 0 and 0 < col <= COLUMN_BITS else -1

    def any_in_row(self, row: int, first: int, last: int) -> bool:
        """Whether any cell lies in columns `first` to `last` of `row`."""
        keys = self.codes if self._by_key is None else self._by_key
        i = bisect_left(keys, row << SHIFT | first)
        return i < len(keys) and keys[i] <= row << SHIFT | last

    @property
    def max_row(self) -> int:
        """The last row holding a cell (0: none)."""
        return self._last >> SHIFT if self.codes else 0

    def order(self, count: int | None = None) -> Sequence[int]:
        """Positions (of the first `count` placed, or all) in row order, then column."""
        count = len(self.codes) if count is None else count
        if self._at is None:
            return range(count)
        if count == len(self.codes):
            return self._at
        return [p for p in self._at if p < count]

    def style_names(self) -> set[str]:
        """The styles of the cells held."""
        return {self.names[sid] for sid in set(self.styles)}

    def pair(self, p: int) -> tuple[Any, str]:
        """(value, style) of position p, a formula as its `Formula`."""
        value = self.held[p]
        if value.__class__ is tuple:
            value = Formula(value[0], value[1])
        return value, self.names[self.styles[p]]

    # -- as the dict it replaces ------------------------------------------------------------------

    def __getitem__(self, rc: tuple[int, int]) -> tuple[Any, str]:
        at = self.find(*rc) if _is_address(rc) else -1
        if at < 0:
            raise KeyError(rc)
        return self.pair(at)

    def __contains__(self, rc: object) -> bool:
        return _is_address(rc) and self.find(*rc) >= 0  # type: ignore[misc]

    def __setitem__(self, rc: tuple[int, int], item: tuple[Any, str]) -> None:
        value, style = item
        if value.__class__ is Formula:
            value = (str(value), value.value)
        elif isinstance(value, tuple):
            raise TypeError(f"a cell holds no tuple: {value!r}")
        self.place(rc[0], rc[1], value, style)

    def __len__(self) -> int:
        return len(self.codes)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return ((key >> SHIFT, key & COLUMN_BITS) for key in self.codes)

    def items(self) -> list[tuple[tuple[int, int], tuple[Any, str]]]:  # type: ignore[override]
        return [((k >> SHIFT, k & COLUMN_BITS), self.pair(p)) for p, k in enumerate(self.codes)]

    def values(self) -> list[tuple[Any, str]]:  # type: ignore[override]
        """(value, style) of each cell, in the order placed."""
        return [self.pair(p) for p in range(len(self.codes))]

    def __repr__(self) -> str:
        return f"Cells({dict(self.items())!r})"


def _is_address(rc: object) -> bool:
    """Whether `rc` is a (row, column) pair of whole numbers."""
    return (
        isinstance(rc, tuple) and len(rc) == 2 and isinstance(rc[0], int) and isinstance(rc[1], int)
    )
