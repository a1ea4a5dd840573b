"""A line of years held as one: a formula shape and its cached values, not a cell object a year.

A line of years (`Book.write_years`, a row of Cash flows) has the same formula in every column
but for the column's letter. At 1,000 interventions x 30 years there are 1.35 million such cells;
held one `Formula` each they took about 700 MB and most of the export's time (issue 27). A
`Years` holds the formula once, with `COLUMN` standing for the letter, and one cached value a
column; the cells it stands for are worked out as the sheet is written (or laid out cell by cell,
`Sheet.materialise`), each exactly the `Formula` that would have been put there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openpyxl.utils import get_column_letter

COLUMN = "\x00"  # stands for a year's column letter until a year line is written out


class Years:
    """The formula `shape` (`COLUMN` for the column letter) in columns `first` to `end` of one
    row, all in one `style`; column `first + k` caches `values[k]` (none past the values given:
    a value a spreadsheet works out alone)."""

    __slots__ = ("shape", "first", "end", "values", "style")

    def __init__(self, shape: str, first: int, end: int, values: list[Any], style: str):
        if COLUMN in style or end < first:
            raise ValueError(f"not a line of years: columns {first} to {end}, style {style!r}")
        self.shape, self.first, self.end, self.values, self.style = (
            shape,
            first,
            end,
            values,
            style,
        )

    def __len__(self) -> int:
        return self.end - self.first + 1

    def __contains__(self, col: int) -> bool:
        return self.first <= col <= self.end

    def text(self, col: int) -> str:
        """The formula text of column `col`."""
        return self.shape.replace(COLUMN, get_column_letter(col))

    def cached(self, col: int) -> Any:
        """The cached value of column `col` (None: none)."""
        k = col - self.first
        return self.values[k] if k < len(self.values) else None

    def cells(self) -> Iterator[tuple[int, str, Any]]:
        """(column, formula text, cached value) of each of its cells, left to right."""
        values, shape = self.values, self.shape
        for k, col in enumerate(range(self.first, self.end + 1)):
            yield (
                col,
                shape.replace(COLUMN, get_column_letter(col)),
                (values[k] if k < len(values) else None),
            )
