"""A small declarative layer over openpyxl: sheets as cells plus settings, rendered to .xlsx bytes.

Sheet builders (the sheet modules of appraise.workbook) describe cells as `(value, style)`, which
a sheet holds compactly (`appraise.workbook.cellstore.Cells`, a formula as its text and cached
value, a pair no builder can place: `Sheet.put` refuses a tuple); this module turns them into a
workbook. Two rules hold by construction:

- a plain `str` is always written as text, never as a formula, whatever it starts with (`=`, `+`,
  `-`, `@`): only a `Formula` becomes a formula, so text from a user's file cannot; and a text
  cell that starts with one of those (or a tab or carriage return) gets Excel's quote prefix
  whatever its style, so that editing the cell in Excel keeps it text rather than making it a
  formula; `_xHHHH_`, which Excel decodes as a character, is escaped in cells, comments and the
  document properties alike (`excel_text`);
- sheet titles are sanitised (Excel's forbidden characters, 31 characters, unique).

openpyxl writes everything except the cell data (styles, column widths, frozen panes, print
set-up, charts, conditional formats); the cell data is serialised here, straight to XML, which is
about ten times quicker than openpyxl's per-cell writer and keeps a 200-intervention export fast.
Each sheet's XML goes into the zip a chunk at a time as it is made, never held whole; a sheet's
`generated` cells (the Formula check's, a million and more in a large workbook) are worked out
only then, and so are the cells of its lines of years (`Sheet.years`: one formula and a cached
value a column each, `appraise.workbook.yearline`).
"""

from __future__ import annotations

import functools
import io
import math
import re
import zipfile
from array import array
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
from isal import isal_zlib
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from appraise.workbook.cellstore import COLUMN_BITS, SHIFT, Cells, Formula, cacheable
from appraise.workbook.yearline import COLUMN, Years

# Number formats by short name; a style is "role" or "role:format", e.g. "input:pct2".
FORMATS = {
    "": "General",
    "money": '"£"#,##0;-"£"#,##0',
    "money2": '"£"#,##0.00;-"£"#,##0.00',
    "pct": "0.0%",
    "pct2": "0.00%",
    "pct_in": "0.0###%",
    "n0": "#,##0",
    "n1": "#,##0.0",
    "n2": "#,##0.00",
    "n3": "#,##0.000",
    "n4": "0.0000",
    "int": "0",
    "sci": "0.0E+00",
}

# Colour key (explained on the About sheet): yellow = an input you may change; grey = fixed by
# the portfolio file's structure; white = a calculation; blue = an output; italic grey = the
# engine's own figure, typed in for comparison.
INPUT_FILL, FIXED_FILL, OUTPUT_FILL, HEADER_FILL = "FFF2CC", "E7E6E6", "DDEBF7", "D9D9D9"
_THIN = Side(style="thin", color="808080")
TOP = Alignment(vertical="top")
ROLES: dict[str, dict[str, Any]] = {
    "text": {},
    "user": {"quotePrefix": True},  # text from the user's file: Excel keeps it text when edited
    "wrap": {"alignment": Alignment(wrap_text=True, vertical="top")},
    "user_wrap": {"alignment": Alignment(wrap_text=True, vertical="top"), "quotePrefix": True},
    "title": {"font": Font(bold=True, size=14)},
    "header": {
        "font": Font(bold=True),
        "fill": PatternFill("solid", fgColor=HEADER_FILL),
        "border": Border(bottom=_THIN),
        "alignment": Alignment(wrap_text=True, vertical="top"),
    },
    "section": {"font": Font(bold=True, size=12)},
    "bold": {"font": Font(bold=True)},
    "bold_wrap": {"font": Font(bold=True), "alignment": Alignment(wrap_text=True, vertical="top")},
    "note": {"font": Font(italic=True, color="595959")},
    "input": {
        "font": Font(color="0000FF"),
        "fill": PatternFill("solid", fgColor=INPUT_FILL),
        "protection": Protection(locked=False),  # the cells a user is meant to change
    },
    # an input that is a name (an evidence rating): kept as text however it is typed
    "user_in": {
        "font": Font(color="0000FF"),
        "fill": PatternFill("solid", fgColor=INPUT_FILL),
        "quotePrefix": True,
        "protection": Protection(locked=False),
    },
    "fixed": {"font": Font(color="595959"), "fill": PatternFill("solid", fgColor=FIXED_FILL)},
    "user_fixed": {  # a name fixed by the file's structure (the index that uprates a figure)
        "font": Font(color="595959"),
        "fill": PatternFill("solid", fgColor=FIXED_FILL),
        "quotePrefix": True,
    },
    "calc": {},
    "output": {"font": Font(bold=True), "fill": PatternFill("solid", fgColor=OUTPUT_FILL)},
    "engine": {"font": Font(italic=True, color="7F7F7F")},
}

Value = float | int | bool | str | None
_FLOATS = {float}  # `put_years`: values all exactly floats


@dataclass
class Sheet:
    """One worksheet: cells by (row, column), 1-based, and how to show and print it."""

    title: str
    cells: Cells = field(default_factory=Cells)
    widths: dict[int, float] = field(default_factory=dict)
    freeze: str | None = None  # top-left cell of the scrolling pane, e.g. "D3"
    print_rows: str | None = None  # rows repeated on every printed page, e.g. "1:2"
    print_cols: str | None = None  # columns repeated on every printed page, e.g. "A:C"
    # Printed this many pages wide, as many tall as it takes (0: as many as keep the print at
    # least MIN_SCALE of actual size, the title columns repeated on each).
    pages_wide: int = 0
    print_area: str | None = None  # the part printed (None: all of it)
    footer: str = ""  # printed at the foot of every page: the run's identity
    hidden: bool = False
    protect: bool = True  # formula cells refuse an accidental overwrite (no password)
    row_breaks: list[int] = field(default_factory=list)  # print a new page after these rows
    # Data validation: (cell, what is allowed): a tuple of names, ("number"|"whole", lo, hi)
    # with None for no limit, or ("range", an absolute range of the allowed values). Cells with
    # the same rule share one rule in the file.
    validations: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    notes: dict[tuple[int, int], str] = field(default_factory=dict)  # cell comments
    # Called with the openpyxl worksheet after it is set up: charts, conditional formats.
    decorate: list[Callable[[Worksheet], None]] = field(default_factory=list)
    # Formula cells worked out only as they are written, below every cell of `cells` (the
    # Formula check's: a million and more in a large workbook, never all held at once).
    generated: Generated | None = None
    # Lines of years by row, each held as one formula and its cached values (`Years`): the
    # cells they stand for are worked out as the sheet is written, or by `materialise`.
    years: dict[int, Years] = field(default_factory=dict)
    # Each text placed, while the sheet is built: a label repeated a thousand times is held
    # once (issue 27: cells are most of an export's memory).
    _shared: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.cells, Cells):  # given as a dict of (value, style) by cell
            self.cells = Cells(self.cells)

    def put(self, row: int, col: int, value: Value, style: str = "text") -> None:
        """Place a value: a number, text (always written as text) or a Formula."""
        value = self._held(row, col, value)
        if self.years and row in self.years and col in self.years[row]:
            raise ValueError(f"{self.title}!{cell(row, col)} is in a line of years")
        self.cells.place(row, col, value, style)

    def put_formula(self, row: int, col: int, text: str, value: Value, style: str) -> None:
        """`put` of `Formula(text, value)`, held as the pair it would be held as without the
        `Formula` made (a third of `put`'s time for a formula; issue 27)."""
        if self.years and row in self.years and col in self.years[row]:
            raise ValueError(f"{self.title}!{cell(row, col)} is in a line of years")
        self.cells.place(row, col, (text if text.__class__ is str else str(text), value), style)

    def _held(self, row: int, col: int, value: Value) -> Any:
        """A value as `cells` holds it: text shared, a Formula as (text, cached value), a number
        as a Python one; a tuple refused (it would read as a formula)."""
        kind = value.__class__
        if kind is str:  # one text object for every cell holding it
            return self._shared.setdefault(value, value)  # type: ignore[arg-type]
        if kind is Formula:
            return (str(value), value.value)  # type: ignore[union-attr]
        # A finite float, an int or a bool: held as it is, without the tests below (looking for
        # a numpy number's `item` on a float is an exception caught, issue 27).
        if (kind is float and value - value == 0.0) or kind is int or kind is bool:  # type: ignore[operator]
            return value
        if hasattr(value, "item") and not isinstance(value, str):  # a numpy number
            value = value.item()
        if value.__class__ is float and not math.isfinite(value):  # type: ignore[arg-type]
            raise ValueError(f"{self.title}!{cell(row, col)}: not a finite number: {value}")
        if isinstance(value, tuple):
            raise TypeError(f"{self.title}!{cell(row, col)}: a cell holds no tuple")
        return value

    def put_years(
        self, row: int, first: int, end: int, shape: str, values: Any, style: str
    ) -> None:
        """Place a line of years: the formula `shape` (`COLUMN` for the column letter) in
        columns `first` to `end`, column `first + k` caching `values[k]` (if given)."""
        if row in self.years or self.cells.any_in_row(row, first, end):
            raise ValueError(f"{self.title}!{cell(row, first)}: a line of years over other cells")
        given = list(values)[: end - first + 1] if values is not None else []
        # Finite numbers, the commonest, held as doubles: 8 bytes a number, not 32. Their sum is
        # finite only if each is (one not finite, or a sum too large, goes the way below, which
        # holds finite floats the same).
        if given and {*map(type, given)} == _FLOATS and math.isfinite(sum(given)):
            kept: Any = array("d", given)
        else:
            kept = [cacheable(v) for v in given]
            if kept and all(v.__class__ is float for v in kept):
                kept = array("d", kept)
        self.years[row] = Years(shape, first, end, kept, style)

    def saved(self, row: int, col: int) -> tuple[bool, Any]:
        """Whether the cell holds anything, and its saved value (a formula's cached result)."""
        at = self.cells.find(row, col)
        if at >= 0:
            held = self.cells.held[at]
            return True, held[1] if held.__class__ is tuple else held
        line = self.years.get(row)
        if line is not None and col in line:
            return True, line.cached(col)
        return False, None

    def row(self, row: int, values: list[tuple[Value, str] | None], start: int = 1) -> None:
        """Place several (value, style) pairs along one row from column `start`."""
        if self.years and row in self.years:  # each cell checked against the line's columns
            for offset, item in enumerate(values):
                if item is not None and item[0] is not None:
                    self.put(row, start + offset, item[0], item[1])
            return
        # As `put` each, placed together (issue 27: the Inputs and Checks sheets are rows).
        held = self._held
        self.cells.place_row(
            row,
            [
                (col, held(row, col, item[0]), item[1])
                for col, item in enumerate(values, start)
                if item is not None and item[0] is not None
            ],
        )

    @property
    def max_row(self) -> int:
        if self.generated is not None and self.generated.count:
            return self.generated.max_row
        return max(self.cells.max_row, max(self.years, default=1))

    @property
    def max_col(self) -> int:
        most = max(self.cells.max_col, max((line.end for line in self.years.values()), default=1))
        if self.generated is not None and self.generated.count:
            most = max(most, self.generated.max_col)
        return most

    def materialise(self) -> None:
        """Put the lines of years' and the generated cells into `cells`, as any other sheet
        holds them (for reading a laid-out workbook cell by cell)."""
        self.cells.place_many(
            (r, c, (text, value), line.style)
            for r, line in self.years.items()
            for c, text, value in line.cells()
        )
        self.years = {}
        if self.generated is not None:
            value, style = self.generated.value, self.generated.style
            self.cells.place_many(
                (r, c, (text, value), style) for r, c, text in self.generated.formulas()
            )
            self.generated = None


class Generated:
    """Formula cells of one style and one cached value, worked out when asked for, in the order
    they are written (row by row, then column): `count` of them, in rows `first_row` (below
    the sheet's other cells) to `max_row` and columns 1 to `max_col`."""

    style: str = "calc"
    value: bool | int | float = True
    count: int = 0
    first_row: int = 1
    max_row: int = 1
    max_col: int = 1

    def formulas(self) -> Iterator[tuple[int, int, str]]:
        """(row, column, formula text) of each cell."""
        raise NotImplementedError

    def rows(self) -> Iterator[tuple[int, Sequence[str]]]:
        """Each row and the formula texts of its columns from the first: the cells of
        `formulas`, row by row, where each row's cells lie side by side from column 1."""
        row, texts = 0, []
        for r, c, text in self.formulas():
            if r != row:
                if texts:
                    yield row, texts
                row, texts = r, []
            if c != len(texts) + 1:
                raise ValueError(f"generated cells of row {r} leave a gap before column {c}")
            texts.append(text)
        if texts:
            yield row, texts

    def xml_rows(self, head: str, tail: str) -> Iterator[tuple[int, list[str]]]:
        """The rows of `rows` as XML, in batches: (cells a row, each row's whole `<row>`
        element), every cell `<c r="..."` + `head` + its text escaped + `tail`. This general way
        is the reference a faster one (`formulas.Checked`) is held to."""
        for r, texts in self.rows():
            cells = "".join(
                f'<c r="{get_column_letter(c)}{r}"{head}{escape(text)}{tail}'
                for c, text in enumerate(texts, start=1)
            )
            yield len(texts), [f'<row r="{r}">{cells}</row>']


def cell(row: int, col: int, abs_row: bool = False, abs_col: bool = False) -> str:
    """A1 address; `abs_*` add the `$` anchors."""
    return f"{'$' if abs_col else ''}{get_column_letter(col)}{'$' if abs_row else ''}{row}"


@functools.lru_cache(maxsize=256)  # a few titles, asked for at every reference
def quote_title(title: str) -> str:
    """A sheet title as a formula reference prefix: Inputs!, 'Cash flows'!."""
    if _PLAIN_TITLE.fullmatch(title):
        return f"{title}!"
    return "'" + title.replace("'", "''") + "'!"


def ref(title: str, row: int, col: int) -> str:
    """An absolute reference to a cell on a (possibly other) sheet: 'Cash flows'!$D$5."""
    return quote_title(title) + cell(row, col, abs_row=True, abs_col=True)


_PLAIN_TITLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def safe_title(name: str, taken: set[str] | None = None) -> str:
    """A legal, unique sheet title: no []:*?/\\, no leading or trailing ', at most 31 characters."""
    title = _BAD_TITLE.sub(" ", name).strip().strip("'").strip() or "Sheet"
    title = title[:31].rstrip()
    taken = taken or set()
    base, n = title, 2
    while title.lower() in {t.lower() for t in taken} or title.lower() == "history":
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)].rstrip() + suffix
        n += 1
    return title


# ---------------------------------------------------------------------------------------------
# Cell XML
# ---------------------------------------------------------------------------------------------

# XML 1.0 forbids most control characters; Excel would refuse the file.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Excel decodes _xHHHH_ in cell text as a character; a literal one is escaped as _x005F_xHHHH_.
_EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
MAX_CELL_TEXT = 32767
# Text `clean_text` leaves as it is: no XML-illegal character, within Excel's length.
_PLAIN_TEXT = re.compile(
    f"[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]{{0,{MAX_CELL_TEXT}}}"
)


_ESCAPED = re.compile(r"_x005F_(x[0-9A-Fa-f]{4}_)")


def read_text(value: str) -> str:
    """Cell text as written here: undo the escape above, which openpyxl keeps in inline strings."""
    return _ESCAPED.sub(r"_\1", value)


def clean_text(text: str) -> str:
    """Text a spreadsheet can hold exactly: no XML-illegal characters, within Excel's length limit."""
    if _ILLEGAL_XML.search(text):
        text = _ILLEGAL_XML.sub("\N{REPLACEMENT CHARACTER}", text)
    if len(text) > MAX_CELL_TEXT:
        text = text[: MAX_CELL_TEXT - 1] + "\N{HORIZONTAL ELLIPSIS}"
    return text


def excel_text(text: str) -> str:
    """Text as Excel will show it: XML-legal, within Excel's length, and `_xHHHH_` escaped (Excel
    would read `_x003D_` as `=`). Every text the workbook holds goes through here."""
    text = clean_text(text)
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub(r"_x005F_\1", text)
    return text


def _xml_text(text: str) -> str:
    return escape(excel_text(text))


# Excel makes a cell a formula when text starting with one of these is edited (and a tab or CR
# at the start is dropped, leaving the rest to be read so): such text cells carry a quote prefix.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTED = "|quoted"  # a style's variant with Excel's quote prefix


def _quoted(value: Value) -> bool:
    return (
        isinstance(value, str)
        and not isinstance(value, Formula)
        and value.startswith(FORMULA_START)
    )


def _cell_xml(address: str, value: Value, s: str) -> str:
    """One <c> element; `s` is its style attribute (or empty)."""
    if isinstance(value, Formula):  # built from references and the builders' own text
        formula = f"<f>{escape(value)}</f>"
        cached = value.value
        if cached is None:
            return f'<c r="{address}"{s}>{formula}</c>'
        if isinstance(cached, bool):
            return f'<c r="{address}"{s} t="b">{formula}<v>{int(cached)}</v></c>'
        if isinstance(cached, str):
            return f'<c r="{address}"{s} t="str">{formula}<v>{_xml_text(cached)}</v></c>'
        return f'<c r="{address}"{s}>{formula}<v>{cached!r}</v></c>'
    if isinstance(value, str):
        text = _xml_text(value)
        return f'<c r="{address}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{address}"{s} t="b"><v>{int(value)}</v></c>'
    return f'<c r="{address}"{s}><v>{value!r}</v></c>'


CHUNK = 20_000  # cells of XML encoded at a time: the sheet is never held whole as text


def _sheet_data(
    sheet: Sheet, style_ids: dict[str, int], heights: dict[int, float], max_col: int
) -> Iterator[bytes]:
    """The sheet's <sheetData> element, UTF-8, a chunk of cells at a time."""
    attrs = {name: f' s="{i}"' if i else "" for name, i in style_ids.items()}
    letters = [""] + [get_column_letter(c) for c in range(1, max_col + 1)]
    cells = sheet.cells
    names = cells.names
    used = set(cells.styles)
    # By style number: its attribute, and the XML of a text's cell after its address, made once
    # for each text (`_text_after`): 124,000 text cells hold 17,000 texts at 200 interventions
    # (labels repeated down a sheet).
    by_style = [attrs[name] if sid in used else "" for sid, name in enumerate(names)]
    made: list[dict[str, str]] = [{} for _ in names]
    reprs = _Reprs()  # the lines of years' numbers as text
    parts = ["<sheetData>"]
    add = parts.append
    row, at = 0, ""  # the open row, and its number as text
    years = sheet.years
    year_rows = sorted(years)
    y = 0  # the next line of years not yet written
    line: Years | None = None  # the open row's line of years, until it is written
    codes, held, styles = cells.codes, cells.held, cells.styles
    order = cells.order()
    if order.__class__ is not range and len(order) > 1:  # in row order, then column
        # Read by numpy: a third of the time of a map of __getitem__ each (issue 27: 10 ms at
        # 200 x 5, where most sheets' cells are placed out of order).
        at = np.asarray(order, dtype=np.int64)
        codes = np.frombuffer(codes, dtype=np.int64, count=len(codes))[at].tolist()
        held = np.fromiter(held, dtype=object, count=len(held))[at].tolist()
        styles = np.frombuffer(styles, dtype=np.uint16, count=len(styles))[at].tolist()
    # The row of the next line of years not yet written (past any row once none is left).
    next_year = year_rows[0] if year_rows else EXCEL_ROWS + 1
    shift, column_bits = SHIFT, COLUMN_BITS
    for key, value, sid in zip(codes, held, styles, strict=True):
        kind = value.__class__
        # Empty cells are not written; the commonest kinds checked first, without a call.
        if kind is str:
            if not value:
                continue
        elif kind is tuple:
            if value[0] == "":
                continue
        elif kind is not float and kind is not int and (value is None or value == ""):
            continue
        r = key >> shift
        if r != row:
            if row:
                if line is not None:
                    _years_xml(line, row, parts, attrs, letters, reprs)
                    line = None
                add("</row>")  # `_row_end`, without a call
                if len(parts) > CHUNK:
                    yield "".join(parts).encode("utf-8")
                    parts.clear()
            if next_year <= r:
                while y < len(year_rows) and year_rows[y] < r:  # rows of a line of years alone
                    _open_row(year_rows[y], heights, parts)
                    _years_xml(years[year_rows[y]], year_rows[y], parts, attrs, letters, reprs)
                    y += 1
                    if chunk := _row_end(parts):
                        yield chunk
                if y < len(year_rows) and year_rows[y] == r:
                    line = years[r]
                    y += 1
                next_year = year_rows[y] if y < len(year_rows) else EXCEL_ROWS + 1
            row, at = r, str(r)
            add(
                f'<row r="{at}" ht="{heights[r]}" customHeight="1">'
                if r in heights
                else f'<row r="{at}">'
            )
        c = key & column_bits
        if line is not None and c > line.first:
            _years_xml(line, row, parts, attrs, letters, reprs)
            line = None
        if kind is str:
            after = made[sid].get(value)
            if after is None:
                after = made[sid][value] = _text_after(value, names[sid], attrs)
            add(f'<c r="{letters[c]}{at}"{after}')
        elif kind is tuple:  # a formula: (text, cached value)
            text, cached = value
            kind = cached.__class__
            if kind is float or kind is int:
                if "&" in text or "<" in text or ">" in text:
                    text = escape(text)
                add(f'<c r="{letters[c]}{at}"{by_style[sid]}><f>{text}</f><v>{cached!r}</v></c>')
            elif kind is bool:  # a check's result
                if "&" in text or "<" in text or ">" in text:
                    text = escape(text)
                add(
                    f'<c r="{letters[c]}{at}"{by_style[sid]} t="b"><f>{text}</f>'
                    f"<v>{int(cached)}</v></c>"
                )
            elif kind is str:  # a text worked out (a label, a rating): `_cell_xml`'s, no Formula
                add(
                    f'<c r="{letters[c]}{at}"{by_style[sid]} t="str"><f>{escape(text)}</f>'
                    f"<v>{_xml_text(cached)}</v></c>"
                )
            else:
                add(_cell_xml(f"{letters[c]}{at}", Formula(text, cached), by_style[sid]))
        elif kind is float or kind is int:
            add(f'<c r="{letters[c]}{at}"{by_style[sid]}><v>{value!r}</v></c>')
        else:
            # Any text starting with = + - @ (or a tab or CR), from whichever builder, gets the
            # quote prefix.
            style = names[sid]
            chosen = style + QUOTED if _quoted(value) else style
            add(_cell_xml(f"{letters[c]}{at}", value, attrs[chosen]))
    if line is not None:
        _years_xml(line, row, parts, attrs, letters, reprs)
    for r in year_rows[y:]:
        if row and (chunk := _row_end(parts)):
            yield chunk
        row = r
        _open_row(r, heights, parts)
        _years_xml(years[r], r, parts, attrs, letters, reprs)
    if sheet.generated is not None:
        row = yield from _generated_rows(sheet.generated, parts, row, attrs)
    if row:
        add("</row>")
    add("</sheetData>")
    yield "".join(parts).encode("utf-8")


def _open_row(r: int, heights: dict[int, float], parts: list[str]) -> None:
    parts.append(
        f'<row r="{r}" ht="{heights[r]}" customHeight="1">' if r in heights else f'<row r="{r}">'
    )


def _text_after(value: str, style: str, attrs: dict[str, str]) -> str:
    """A text cell's XML after its address (`<c r="A1"`), as `_cell_xml` writes it. Any text
    starting with = + - @ (or a tab or CR), from whichever builder, gets the quote prefix."""
    s = attrs[style + QUOTED if value.startswith(FORMULA_START) else style]
    if "_x" in value or not (
        # printable ASCII (told in C, a byte at a time) is XML-legal: only other text is matched
        (value.isascii() and value.isprintable() and len(value) <= MAX_CELL_TEXT)
        or _PLAIN_TEXT.fullmatch(value) is not None
    ):
        return _cell_xml("", value, s).removeprefix('<c r=""')
    # The commonest text, without _cell_xml's calls: XML-legal, within Excel's length, no
    # `_xHHHH_` to escape.
    if "&" in value or "<" in value or ">" in value:
        value = escape(value)
    return f'{s} t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'


class _Reprs(dict[float, str]):
    """Each number's `repr`, worked out once: a sheet's lines of years cache a few hundred
    numbers between them (39,085 cells hold 442 at 200 x 5: years' discount factors and
    counts). Not for zero: 0.0 and -0.0 are one key, and their reprs differ."""

    def __missing__(self, value: float) -> str:
        text = self[value] = repr(value)
        return text


def _years_xml(
    line: Years,
    r: int,
    parts: list[str],
    attrs: dict[str, str],
    letters: list[str],
    reprs: _Reprs,
) -> None:
    """The cells of a line of years, as `_cell_xml` writes each one's Formula (a part each)."""
    s, values = attrs[line.style], line.values
    first, end = line.first, line.end
    if values.__class__ is array and len(values) == end - first + 1:  # numbers in every column
        shape = line.shape
        if "&" in shape or "<" in shape or ">" in shape:
            shape = escape(shape)
        at = str(r)
        parts += [
            f'<c r="{letter}{at}"{s}><f>{shape.replace(COLUMN, letter)}</f>'
            f"<v>{reprs[cached] if cached else repr(cached)}</v></c>"
            for letter, cached in zip(letters[first : end + 1], values, strict=True)
        ]
        return
    parts.extend(
        [
            _cell_xml(f"{letters[c]}{r}", Formula(text, cached), s)
            for c, text, cached in line.cells()
        ]
    )


def _row_end(parts: list[str]) -> bytes | None:
    """Close the open row; the parts so far as a chunk to write, when there are enough."""
    parts.append("</row>")
    if len(parts) <= CHUNK:
        return None
    chunk = "".join(parts).encode("utf-8")
    parts.clear()
    return chunk


def _generated_rows(
    generated: Generated, parts: list[str], row: int, attrs: dict[str, str]
) -> Generator[bytes, None, int]:
    """The generated cells' rows, after the sheet's own (`parts` so far, `row` the last open),
    as `generated.xml_rows` makes them; returns the row left open (none, once a generated row
    is written: each comes closed); the rows come with their cells' addresses."""
    if generated.count and generated.first_row <= row:
        raise RuntimeError("generated cells must lie below a sheet's other cells")
    value = generated.value
    if value.__class__ is bool:
        after, tail = ' t="b"><f>', f"</f><v>{int(value)}</v></c>"
    else:
        after, tail = "><f>", f"</f><v>{value!r}</v></c>"
    # Each row counts as the parts `_row_end` would have held a cell at a time (its opening,
    # its cells, its closing), so that the chunks, and so the compressed bytes, are those of
    # any other sheet: a chunk ends after the row whose closing takes the count past CHUNK,
    # unless no row follows it.
    count, full = len(parts), False
    for width, xml in generated.xml_rows(attrs[generated.style] + after, tail):
        if not xml:
            continue
        if row:  # the sheet's own last row, closed before the first generated one
            parts.append("</row>")
            count, full, row = count + 1, count + 1 > CHUNK, 0
        each, k = width + 2, 0
        while k < len(xml):
            if full:
                yield "".join(parts).encode("utf-8")
                parts.clear()
                count = 0
            rows = xml[k : k + (CHUNK - count) // each + 1]  # up to the one past CHUNK
            parts.extend(rows)
            count += each * len(rows)
            k += len(rows)
            full = count > CHUNK
    return row


# ---------------------------------------------------------------------------------------------
# Workbook
# ---------------------------------------------------------------------------------------------


def _style_ids(ws: Worksheet, styles: set[str]) -> dict[str, int]:
    """Register each "role:format" style in the workbook's style table; return its index."""
    ids = {}
    for name in sorted(styles):
        role, _, fmt = name.removesuffix(QUOTED).partition(":")
        probe = Cell(ws)
        probe.alignment = TOP  # labels line up with the first line of wrapped text beside them
        for attr, value in ROLES[role].items():
            setattr(probe, attr, value)
        if name.endswith(QUOTED):
            probe.quotePrefix = True
        probe.number_format = FORMATS[fmt]
        ids[name] = probe.style_id
    return ids


WRAPPED = {"wrap", "user_wrap", "header", "bold_wrap"}
LINE_HEIGHT = 15  # points a line of 11-point text needs


def _survey(sheet: Sheet) -> tuple[dict[int, float], dict[int, float], set[str]]:
    """Column widths, row heights and the quoted styles text starting `=` needs.

    Widths: from the longest text in each column (formulas count as a number's width); headers
    make a column at most 20 characters wide and other text 60; they wrap beyond. Heights: of
    rows holding wrapped text that needs more than one line.

    Worked out over the arrays of cells (`Cells`): Python looks at each distinct text once and
    at each cell in a wrapping style, numpy at the rest (issue 27: a million cells at
    1,000 x 30, most of them numbers, formulas or a label repeated down a sheet).
    """
    fixed = sheet.widths
    cells = sheet.cells
    held, names = cells.held, cells.names
    count = len(held)
    codes = np.frombuffer(cells.codes, dtype=np.int64, count=count)
    styles = np.frombuffer(cells.styles, dtype=np.uint16, count=count)
    columns = codes & COLUMN_BITS
    # Each text cell's widest line (+2) and whether it needs the quote prefix, a text at a time.
    is_text = np.fromiter(map(isinstance, held, repeat(str)), dtype=bool, count=count)
    at_text = np.flatnonzero(is_text)
    texts = np.fromiter(held, dtype=object, count=count)[at_text].tolist()  # (read in C)
    widest = {
        text: (max(map(len, text.split("\n"))) if "\n" in text else len(text)) + 2
        for text in set(texts)
    }
    lengths = np.full(count, 12, dtype=np.int64)  # a number's or formula's width
    lengths[at_text] = np.fromiter(map(widest.__getitem__, texts), np.int64, count=len(texts))
    cap = np.array([20 if name == "header" else 60 for name in names], dtype=np.int64)
    np.minimum(lengths, cap[styles], out=lengths, where=is_text)
    quoted: set[str] = set()
    starting = {text for text in widest if text.startswith(FORMULA_START)}
    if starting:
        marked = np.fromiter(map(starting.__contains__, texts), dtype=bool, count=len(texts))
        quoted = {names[s] + QUOTED for s in np.unique(styles[at_text[marked]]).tolist()}
    # Widths: the most of each column's lengths, where more than the default 8; a column set by
    # the builder, or a title or note running across empty cells, is left alone.
    counted = np.array([name not in ("title", "section", "note") for name in names], dtype=bool)
    counts = counted[styles] & (lengths > 8)
    if fixed:
        counts &= ~np.isin(columns, np.fromiter(fixed, dtype=np.int64, count=len(fixed)))
    most = np.zeros(cells.max_col + 1, dtype=np.int64)
    np.maximum.at(most, columns[counts], lengths[counts])
    found, first = np.unique(columns[counts], return_index=True)
    found = found[np.argsort(first, kind="stable")].tolist()  # in the order first seen
    widths: dict[int, float] = dict(zip(found, most[found].tolist(), strict=True))
    # Formulas: a number's width; each span of columns once, in the order first seen (39,000
    # lines of 30 years at 1,000 x 30 span the same columns).
    spans = dict.fromkeys(
        (line.first, line.end)
        for line in sheet.years.values()
        if line.style not in ("title", "section", "note")
    )
    for first, end in spans:
        for c in range(first, end + 1):
            if c not in fixed and widths.get(c, 8) < 12:
                widths[c] = 12
    generated = sheet.generated
    if generated is not None and generated.count:  # formulas: a number's width, each column
        for c in range(1, generated.max_col + 1):
            if c not in fixed and widths.get(c, 8) < 12:
                widths[c] = 12
    widths = {**widths, **fixed}
    # Heights, from the text of each cell in a wrapping style (a formula's own text).
    wraps = np.array([name.partition(":")[0] in WRAPPED for name in names], dtype=bool)
    heights: dict[int, float] = {}
    for p in np.flatnonzero(wraps[styles]).tolist():
        value = held[p]
        if value.__class__ is tuple:
            value = value[0]
        if not isinstance(value, str):
            continue
        key = cells.codes[p]
        r, c = key >> SHIFT, key & COLUMN_BITS
        per_line = max(int(widths.get(c, 8.43)) - 1, 1)
        if len(value) <= per_line and "\n" not in value:
            continue  # one line: most labels
        lines = sum(max(1, math.ceil(len(part) / per_line)) for part in value.split("\n"))
        if lines > 1:
            heights[r] = max(heights.get(r, 0), min(LINE_HEIGHT * lines, 409))
    return widths, heights, quoted


def _set_up(ws: Worksheet, sheet: Sheet, widths: dict[int, float]) -> None:
    for c, width in widths.items():
        ws.column_dimensions[get_column_letter(c)].width = width
    if sheet.freeze:
        ws.freeze_panes = sheet.freeze
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = sheet.pages_wide or pages_wide(sheet, widths)
    ws.page_setup.fitToHeight = 0  # as many pages tall as it takes: never squeezed to one
    if sheet.print_area:
        ws.print_area = sheet.print_area
    # Every page says which sheet it is, where it falls, and which run it comes from.
    ws.oddHeader.left.text = "&A"
    ws.oddHeader.right.text = "Page &P of &N"
    ws.oddFooter.left.text = _header_text(sheet.footer)
    ws.oddFooter.right.text = "&A, page &P of &N"
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.25
    if sheet.print_rows:
        ws.print_title_rows = sheet.print_rows
    if sheet.print_cols:
        ws.print_title_cols = sheet.print_cols
    if sheet.hidden:
        ws.sheet_state = "hidden"
    if sheet.protect:  # no password: an accidental overwrite is refused, a deliberate one easy
        ws.protection.sheet = True
        ws.protection.formatColumns = ws.protection.formatRows = False  # widths stay adjustable
    if sheet.row_breaks:  # at once: RowBreak.append copies and checks every break each time (n^2)
        ws.row_breaks.brk = [Break(id=row) for row in sheet.row_breaks]
    rules: dict[tuple[Any, ...], list[str]] = {}
    for span, allowed in sheet.validations:
        rules.setdefault(allowed, []).append(span)
    for allowed, spans in rules.items():
        ws.add_data_validation(_validation(spans, allowed))
    for (r, c), text in sheet.notes.items():
        ws.cell(r, c).comment = Comment(excel_text(text), "appraise")
    for hook in sheet.decorate:
        hook(ws)


# A4 landscape between 0.5-inch margins holds about 146 characters of 11-point text at actual size.
PAGE_CHARACTERS = 146
MIN_SCALE = 0.6  # smaller than this and a printed figure is hard to read


def pages_wide(sheet: Sheet, widths: dict[int, float]) -> int:
    """How many pages wide to print a sheet so that the print is at least MIN_SCALE of actual
    size, its title columns (`print_cols`) repeated on each page."""
    total = sum(widths.get(c, 8.43) for c in range(1, sheet.max_col + 1))
    titles = 0.0
    if sheet.print_cols:
        first, _, last = sheet.print_cols.partition(":")
        span = range(column_index_from_string(first), column_index_from_string(last or first) + 1)
        titles = sum(widths.get(c, 8.43) for c in span)
    room = PAGE_CHARACTERS / MIN_SCALE - titles
    return max(1, math.ceil((total - titles) / room)) if room > 0 else 1


def _header_text(text: str) -> str:
    """Text for a page header or footer: "&" starts a code there, so a literal one is doubled;
    at most 200 characters (Excel's limit for a header section is 255 with its codes)."""
    text = clean_text(text).replace("\n", " ")
    if len(text) > 200:
        text = text[:199] + "\N{HORIZONTAL ELLIPSIS}"
    return text.replace("&", "&&")


def _validation(spans: list[str], allowed: tuple[Any, ...]) -> DataValidation:
    """A list of allowed names, a range of allowed numbers, or the values of a range of cells;
    anything else, a blank included, is refused."""
    if allowed[0] == "range":
        rule = DataValidation(type="list", formula1=allowed[1], allow_blank=False)
        rule.error = "Choose one of the listed values"
    elif allowed[0] == "custom":  # a formula of the cell, TRUE when its value is allowed
        rule = DataValidation(type="custom", formula1=allowed[1], allow_blank=False)
        rule.error = "Not a value this cell takes (see the note beside it)"
    elif allowed[0] not in ("number", "whole"):
        names = [str(a) for a in allowed]
        rule = DataValidation(type="list", formula1='"' + ",".join(names) + '"', allow_blank=False)
        rule.error = f"Choose one of: {', '.join(names)}"
    else:
        kind, low, high = allowed
        kind = "decimal" if kind == "number" else "whole"
        if high is None and low is None:
            rule = DataValidation(
                type=kind, operator="between", formula1="-1E+300", formula2="1E+300"
            )
            rule.allow_blank = False
            rule.error = "A number"
        elif high is None:
            rule = DataValidation(
                type=kind, operator="greaterThanOrEqual", formula1=repr(low), allow_blank=False
            )
            rule.error = f"A number, at least {low:g}"
        elif low is None:
            rule = DataValidation(
                type=kind, operator="lessThanOrEqual", formula1=repr(high), allow_blank=False
            )
            rule.error = f"A number, at most {high:g}"
        else:
            rule = DataValidation(
                type=kind,
                operator="between",
                formula1=repr(low),
                formula2=repr(high),
                allow_blank=False,
            )
            rule.error = f"A number between {low:g} and {high:g}"
    rule.errorTitle, rule.showErrorMessage, rule.errorStyle = "Not allowed", True, "stop"
    rule.sqref = _sqref(spans)
    return rule


# A span as the builders write one: a cell or a range of cells, no anchors, within Excel's grid.
_SPAN = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})(?::([A-Z]{1,3})([1-9][0-9]{0,6}))?")


class _Spans(MultiCellRange):
    """A rule's cells as `MultiCellRange` writes them, without a `CellRange` made of each
    (`_sqref`): only written (openpyxl takes its `str`), in a worksheet `render` alone sees."""

    def __init__(self, text: str) -> None:  # no super().__init__: no CellRange is made
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"<_Spans [{self.text}]>"


def _sqref(spans: list[str]) -> MultiCellRange:
    """The cells a validation rule applies to, as openpyxl writes them: each span once, by
    column then row. Worked out here for spans as the builders write them (issue 27: openpyxl
    makes and checks a `CellRange` of each, 3,228 at 200 interventions); any other span, as
    openpyxl reads it (at once: adding one by one takes n^2)."""
    boxes = set()
    for span in spans:
        found = _SPAN.fullmatch(span)
        if found is None:
            return MultiCellRange(" ".join(spans))
        first, top, last, bottom = found.groups()
        box = (column_index_from_string(first), int(top))
        box += (column_index_from_string(last), int(bottom)) if last else box
        if box[0] > box[2] or box[1] > box[3] or box[2] > EXCEL_COLUMNS or box[3] > EXCEL_ROWS:
            return MultiCellRange(" ".join(spans))
        boxes.add(box)
    return _Spans(
        " ".join(
            cell(top, first)
            if (first, top) == (last, bottom)
            else f"{cell(top, first)}:{cell(bottom, last)}"
            for first, top, last, bottom in sorted(boxes)
        )
    )


_REFERENCE = re.compile(
    r"^(?:(?:'((?:[^']|'')+)'|([A-Za-z_][A-Za-z0-9_.]*))!)?\$?([A-Z]{1,3})\$?(\d+)$"
)


def settle_references(sheets: list[Sheet]) -> None:
    """Give a formula that is one cell reference (`=Summary!$J$2`) its target's saved value, so
    that every formula's saved value is what a spreadsheet works out (a reference to a cell
    whose value was worked out later than it, or to a text the builder did not know)."""
    by_title = {sheet.title: sheet for sheet in sheets}
    # The formulas that are one reference to a cell there is, found once: only they change.
    # Each is (its sheet's values, its position, then where its target's value is: the target
    # sheet's values and the position there of a placed cell, which settling moves no cell of;
    # else None and the target, for a cell of a line of years or none).
    links: list[tuple[list[Any], int, Any, Any]] = []
    match = _REFERENCE.match
    for sheet in sheets:
        held = sheet.cells.held
        # Formulas, (text, cached value), that may be one reference (which holds no bracket
        # but in a quoted title, which starts it): picked out of every cell in one pass.
        maybe = [
            p
            for p, value in enumerate(held)
            if value.__class__ is tuple and ("(" not in value[0] or value[0][:1] == "'")
        ]
        for p in maybe:
            found = match(held[p][0])
            target = None if found is None else _target_of(found, sheet.title, by_title)
            if target is None:
                continue
            other, (row, col) = target
            at = other.cells.find(row, col)
            if at >= 0:
                links.append((held, p, other.cells.held, at))
            else:
                links.append((held, p, None, (other, row, col)))
    # Lines of years that are one reference in each column (to its own column's cell of a row,
    # or to one cell): their cached values, column by column.
    lines = []
    for sheet in sheets:
        for line in sheet.years.values():
            target = _target(line.shape.replace(COLUMN, "A"), sheet.title, by_title)
            if target is not None:  # COLUMN, if anywhere, is the column: no title holds it
                lines.append((line, *target, COLUMN in line.shape))
    for _ in range(4):  # a reference to a reference: settled in a few passes
        changed = False
        for held, p, source, at in links:
            if source is not None:  # a placed cell: its value, a formula's cached one
                result = source[at]
                if result.__class__ is tuple:
                    result = result[1]
            else:
                found, result = at[0].saved(at[1], at[2])
                if not found:
                    continue
            text, cached = held[p]
            if result is not None and result != cached:
                held[p] = (text, cacheable(result))
                changed = True
        for line, target, (row, col), columnwise in lines:
            values = line.values
            other = target.years.get(row) if columnwise else None
            if (
                other is not None
                and (other.first, other.end) == (line.first, line.end)
                and values == other.values
            ):
                continue  # each column already its target's value (compared in C)
            for k, c in enumerate(range(line.first, line.end + 1)):
                found, result = target.saved(row, c if columnwise else col)
                if (
                    found
                    and result is not None
                    and result != (values[k] if k < len(values) else None)
                ):
                    if values.__class__ is not list:  # numbers only, held compactly
                        line.values = values = list(values)
                    values.extend([None] * (k + 1 - len(values)))
                    values[k] = cacheable(result)
                    changed = True
        if not changed:
            return


def _target(
    formula: str, title: str, by_title: dict[str, Sheet]
) -> tuple[Sheet, tuple[int, int]] | None:
    """The sheet and (row, column) a formula that is one cell reference refers to."""
    found = _REFERENCE.match(formula)
    return None if found is None else _target_of(found, title, by_title)


def _target_of(
    found: re.Match[str], title: str, by_title: dict[str, Sheet]
) -> tuple[Sheet, tuple[int, int]] | None:
    """`_target` of the formula `_REFERENCE` matched as `found`."""
    quoted, plain, col, row = found.groups()
    target = by_title.get(quoted.replace("''", "'") if quoted else plain or title)
    return None if target is None else (target, (int(row), _column_number(col)))


# A column's number from its letters, each worked out once (at most 18,278: three letters,
# `_REFERENCE`'s most): 25,000 references at 200 x 5 name a few hundred columns.
_column_number = functools.lru_cache(maxsize=None)(column_index_from_string)


_SHEET_DATA = re.compile(r"<sheetData\s*/>|<sheetData>.*?</sheetData>", re.DOTALL)
_DIMENSION = re.compile(r'<dimension ref="[^"]*"\s*/>')


EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384  # a worksheet's last row and column (XFD)
BYTES_PER_CELL = 1_000  # of a sheet part's XML, at most, but for long text


def render(sheets: list[Sheet], properties: dict[str, str] | None = None) -> bytes:
    """The .xlsx file for these sheets, in this order (titles must already be unique).
    ValueError for a sheet past Excel's last row or column: every file written opens in Excel."""
    bounds = [(sheet.max_row, sheet.max_col) for sheet in sheets]
    for sheet, (rows, cols) in zip(sheets, bounds, strict=True):
        if rows > EXCEL_ROWS or cols > EXCEL_COLUMNS:
            raise ValueError(
                f"sheet {sheet.title!r} runs to {cell(rows, cols)}, past "
                f"Excel's last cell {cell(EXCEL_ROWS, EXCEL_COLUMNS)}"
            )
    wb = Workbook()
    wb.remove(wb.active)
    # Formulas carry the engine's results as cached values; a spreadsheet recalculates on opening.
    wb.calculation.fullCalcOnLoad = True
    for key, value in (properties or {}).items():
        # Document properties are XML too (docProps/core.xml): a control character in a
        # portfolio's name would make a workbook that no spreadsheet program opens.
        setattr(wb.properties, key, excel_text(value))
    worksheets, heights = [], []
    used = set().union(*(sheet.cells.style_names() for sheet in sheets))
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title)
        widths, rows, quoted = _survey(sheet)
        _set_up(ws, sheet, widths)
        worksheets.append(ws)
        heights.append(rows)
        used |= quoted
    for sheet in sheets:
        for line in sheet.years.values():
            if line.style.partition(":")[0] in WRAPPED:  # heights come from cells' text
                raise ValueError(f"sheet {sheet.title!r}: a line of years cannot wrap")
            used.add(line.style)
        if sheet.generated is not None:
            if sheet.generated.style.partition(":")[0] in WRAPPED:  # heights come from cells
                raise ValueError(f"sheet {sheet.title!r}: generated cells cannot wrap")
            used.add(sheet.generated.style)
    style_ids = _style_ids(worksheets[0], used)
    buffer = io.BytesIO()
    wb.save(buffer)
    # openpyxl has written every sheet with an empty <sheetData>; fill each one in.
    data = {
        ws.path.lstrip("/"): (sheet, rows, bound)
        for ws, sheet, rows, bound in zip(worksheets, sheets, heights, bounds, strict=True)
    }
    out = io.BytesIO()
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for info in source.infolist():
            payload = source.read(info.filename)
            # Deflate's fastest level: a third of the time of its default for a file about a
            # quarter larger (issue 27); the parts themselves are unchanged.
            if info.filename not in data:
                target.writestr(info, payload, compresslevel=1)
                continue
            sheet, rows, bound = data[info.filename]
            head, tail = _around_cells(payload.decode("utf-8"), sheet, bound)
            # Written as it is worked out, a chunk at a time: never held whole (the Formula
            # check's part is 400 MB at 1,000 x 30). Its size is not known before, so zip64
            # headers go to a part whose cells might need them (none of a workbook within
            # `check_workbook`'s bounds: the 1.3 million cells of its largest sheet are far
            # below); open() replaces the estimate by the size written.
            count = len(sheet.cells) + (sheet.generated.count if sheet.generated else 0)
            info.file_size = len(head) + len(tail) + BYTES_PER_CELL * count
            info._compresslevel = 1  # what writestr(compresslevel=1) sets, for open()
            with target.open(info, "w") as stream:
                # ISA-L's deflate: a valid deflate stream, as small as zlib's level 1 makes, in a
                # quarter of the time (issue 27: 2.6 s of zlib for 590 MB of cells at 1,000 x 30).
                stream._compressor = isal_zlib.compressobj(1, isal_zlib.DEFLATED, -15)
                write = _writer(stream)
                write(head)
                for chunk in _sheet_data(sheet, style_ids, rows, bound[1]):
                    write(chunk)
                write(tail)
    return out.getvalue()


# What a zip member being written (zipfile's `_ZipWriteFile`) keeps of what it is given.
_WRITTEN = ("_file_size", "_crc", "_compressor", "_compress_size", "_fileobj")


def _writer(stream: Any) -> Callable[[bytes], None]:
    """`stream.write` (a zip member being written) with the data's CRC-32 worked out by ISA-L,
    the same number in a fifth of zlib's time (issue 27: 10 ms for a 200-intervention export's
    43 MB); `stream.write` itself where the member does not keep what it is expected to."""
    if not all(hasattr(stream, name) for name in _WRITTEN) or stream._compressor is None:
        return stream.write
    crc32, fileobj = isal_zlib.crc32, stream._fileobj
    compress = stream._compressor.compress

    def write(data: bytes) -> None:
        if stream.closed:
            raise ValueError("I/O operation on closed file.")
        stream._file_size += len(data)
        stream._crc = crc32(data, stream._crc)
        packed = compress(data)
        stream._compress_size += len(packed)
        fileobj.write(packed)

    return write


def _around_cells(xml: str, sheet: Sheet, bound: tuple[int, int]) -> tuple[bytes, bytes]:
    """A sheet part openpyxl wrote, UTF-8, before and after its empty cell data, with the
    dimension of the cells that go between."""
    found = _SHEET_DATA.search(xml)
    if found is None:
        raise RuntimeError(f"cannot find the cell data of sheet {sheet.title!r} to fill in")
    span = f"A1:{cell(*bound)}"
    head = _DIMENSION.sub(f'<dimension ref="{span}" />', xml[: found.start()], count=1)
    return head.encode("utf-8"), xml[found.end() :].encode("utf-8")
