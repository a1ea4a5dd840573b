"""The hidden `Formula check` sheet: every formula of the model sheets worked out once more.

Each formula cell of the sheets built before it (Outcomes, Calculations, Summary, Cash flows,
Options, Forecast, Programme, Claims check, ...) gets a row: its address, what it is, and its own
formula written again, with every reference qualified by its sheet, beside a check that the cell
still holds a formula and that its value equals the formula's worked out again. The formula
written again is the line's definition rendered a second time (`appraise.engine.lines` via
`Book.write`), so the check holds after any edit of an input and fails when a constant is pasted
over a formula, when a formula is re-pointed (`=E65-D26` where the line reads `=E65-E26`), or when
one is cleared. It needs no macros: ISFORMULA and plain arithmetic.

The Integrity sheet adds these rows up, a sheet at a time, into its master check, and names the
first cell that fails. `appraise check-xlsx` makes the strong version of the same check without a
spreadsheet program: it lays the workbook out again from its portfolio file and compares every
formula's text (`appraise.workbook.audit`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
from openpyxl.utils import get_column_letter

from appraise.workbook.book import CHECKS, Book
from appraise.workbook.cellstore import COLUMN_BITS, SHIFT, Cells
from appraise.workbook.writer import EXCEL_ROWS, Generated, Sheet, quote_title
from appraise.workbook.yearline import COLUMN, Years

FORMULA_CHECK = "Formula check"
FIRST_ROW = 3
HEADER = "TRUE: the cell holds its formula; else the cell and what it is"
MAX_WHAT = 120  # characters of a cell's description (a formula's text may be at most 255)


@dataclass(frozen=True)
class Covered:
    """The rows of the Formula check sheet that check one sheet's formulas (or, for a sheet
    with more formulas than one column of the Formula check holds, some of them)."""

    title: str
    first: int
    last: int
    col: int = 1  # a column after the first: the checks went past Excel's last row

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    @property
    def span(self) -> str:
        letter = get_column_letter(self.col)
        return f"{quote_title(FORMULA_CHECK)}${letter}${self.first}:${letter}${self.last}"

    @property
    def said(self) -> str:
        """Which formulas these are, for the Integrity sheet."""
        if self.col == 1:
            return f"{self.title}: each of its {self.count} formulas (Formula check sheet)"
        return (
            f"{self.title}: {self.count} of its formulas (Formula check sheet, column "
            f"{get_column_letter(self.col)})"
        )


# A cell or range reference that names no sheet: not part of a name, a function (LOG10( is a
# function), a sheet-qualified reference or the second half of a range.
_LOCAL = re.compile(
    r"(?<![A-Za-z0-9_!'$.:])(\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)(?![A-Za-z0-9_(!.])"
)
_TEXT = re.compile(r'("(?:[^"]|"")*")')


def qualify(formula: str, title: str, prefix: str = "") -> str:
    """`formula` (text without '=', as the builders write it) with every reference that names
    no sheet given `title`'s (`prefix`: `quote_title(title)`, if known), so that it works out the
    same on another sheet. Quoted text is left alone."""
    prefix = prefix or quote_title(title)
    if '"' not in formula:
        return _LOCAL.sub(lambda m: prefix + m.group(1), formula)
    parts = _TEXT.split(formula)
    for k in range(0, len(parts), 2):  # the even parts lie outside quotes
        parts[k] = _LOCAL.sub(lambda m: prefix + m.group(1), parts[k])
    return "".join(parts)


# The character before a reference `_LOCAL` would match (`_LOCAL`'s lookbehind, as a character
# taken: one a reference cannot hold, so none lies inside another's match): the regex looks
# only at such characters, a quarter of a formula's, and the sheet's prefix goes in after each
# with no call per reference.
_BEFORE_LOCAL = re.compile(
    r"([^A-Za-z0-9_!'$.:])(?=\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?(?![A-Za-z0-9_(!.]))"
)
# `_TEXT` unrolled: the same quoted texts, found without an alternative tried a character.
_QUOTED = re.compile(r'("[^"]*(?:""[^"]*)*")')
# Put between the formulas worked out at once: no formula a builder writes holds them (XML
# forbids them), and `qualify_many` checks that none does.
_SEP, _SEP2 = "\x00", "\x01"


def qualify_many(
    formulas: list[str], title: str, prefix: str = "", escaped: bool = False
) -> list[str]:
    """`qualify` of each formula (escaped for XML if `escaped`), worked out for them all at once:
    one regex over them joined (issue 27: a call and a regex a formula were a third of the Formula
    check's time). Held to `qualify` by tests/test_workbook_formula_check_xml.py."""
    prefix = prefix or quote_title(title)
    joined = _SEP.join(formulas)
    if (
        not formulas
        or _SEP2 in joined
        or joined.count(_SEP) != len(formulas) - 1
        or _SEP in prefix
        or _SEP2 in prefix
    ):
        return [
            _escaped(qualify(f, title, prefix)) if escaped else qualify(f, title, prefix)
            for f in formulas
        ]
    if '"' not in joined:
        done = _prefixed(joined, prefix)
    else:
        # Quoted text left alone, as `qualify` leaves it, unless a quote runs on past its
        # formula's end (one with an odd number of quotes): then each alone.
        parts = _QUOTED.split(joined)
        if any(_SEP in quoted for quoted in parts[1::2]):
            return [
                _escaped(qualify(f, title, prefix)) if escaped else qualify(f, title, prefix)
                for f in formulas
            ]
        parts[::2] = _prefixed(_SEP2.join(parts[::2]), prefix).split(_SEP2)
        done = "".join(parts)
    return (_escaped(done) if escaped else done).split(_SEP)


def _prefixed(text: str, prefix: str) -> str:
    """`text` (formulas outside quotes, separated) with `prefix` before each reference."""
    parts = _BEFORE_LOCAL.split(_SEP + text)  # a character before the first formula too
    before = parts[1::2]
    after = {c: c + prefix for c in set(before)}
    parts[1::2] = map(after.__getitem__, before)
    return "".join(parts)[1:]


def _header_rows(sheet: Sheet) -> set[int]:
    """The rows a sheet repeats at the top of each printed page: its column headers."""
    if not sheet.print_rows:
        return set()
    top, _, bottom = sheet.print_rows.partition(":")
    return set(range(int(top), int(bottom or top) + 1))


def _within(sections: dict[int, str], last_row: int) -> dict[int, str]:
    """The section each row from 1 to `last_row` is in, from the rows that start one."""
    section, within = "", {}
    for r in range(1, last_row + 1):
        section = sections.get(r, section)
        within[r] = section
    return within


def _texts(
    sheet: Sheet, placed: int | None = None, max_row: int | None = None, quick: bool = False
) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """Each row's label, the section it is in, and each column's header, to say what a cell is
    (from the first `placed` cells placed, rows 1 to `max_row`: the sheet as it was then).
    `quick`: reading only the cells `_readable` finds, those that can say anything (held to
    reading every cell by tests/test_workbook_formula_check_xml.py).

    Only the builders' own words and ids go into the description, which the Formula check writes
    as text inside a formula: never a name or other text from the user's file (`user` styles,
    and a section heading after its colon, which names an intervention or a scenario)."""
    labels: dict[int, str] = {}
    sections: dict[int, str] = {}
    headers: dict[int, str] = {}
    header_rows = _header_rows(sheet)
    cells = sheet.cells
    codes, held, styles, names = cells.codes, cells.held, cells.styles, cells.names
    positions = _readable(cells, placed, header_rows) if quick else cells.order(placed)
    for p in positions:
        value = held[p]
        if value.__class__ is tuple:  # a formula, (text, cached value)
            continue
        key = codes[p]
        r = key >> SHIFT
        # A row's label found: nothing after it says more (a section heading is in column 1,
        # before any label of its row), but in a header row.
        if r in labels and r not in header_rows:
            continue
        style = names[styles[p]]
        if value in (None, "") or style.startswith("user"):
            continue  # nothing, or the user's text
        c = key & COLUMN_BITS
        if r in header_rows and style != "title" and c not in headers:
            headers[c] = str(value)
        elif style == "section" and c == 1:
            sections[r] = str(value).split(":")[0].split(" (")[0]
        elif c <= 3 and r not in labels and isinstance(value, str) and style != "note":
            labels[r] = value
    return labels, _within(sections, sheet.max_row if max_row is None else max_row), headers


def _texts_quick(
    sheet: Sheet, placed: int | None = None, max_row: int | None = None
) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """`_texts`, reading only the cells that can say anything (issue 27)."""
    return _texts(sheet, placed, max_row, quick=True)


def _readable(cells: Cells, placed: int | None, header_rows: set[int]) -> Sequence[int]:
    """The positions `_texts` reads, in its order: of the first `placed` cells, those in the first
    three columns or a header row, where alone a label, section or header is (found by numpy:
    most of a sheet's cells lie elsewhere)."""
    order = cells.order(placed)
    if len(order) < 64:
        return order
    at = (
        np.arange(order.start, order.stop, dtype=np.int64)
        if isinstance(order, range)
        else np.asarray(order, dtype=np.int64)
    )
    keys = np.frombuffer(cells.codes, dtype=np.int64, count=len(cells.codes))[at]
    keep = (keys & COLUMN_BITS) <= 3
    if header_rows:
        keep |= np.isin(keys >> SHIFT, np.fromiter(header_rows, dtype=np.int64))
    return at[keep].tolist()


_UNSAFE = re.compile(r"[^A-Za-z0-9 ,.;:/()'£%+_-]")


def what(sheet: Sheet, texts: Any, r: int, c: int) -> str:
    """What the formula at (r, c) is, from its row's label, its section and its column's header
    (ids only where they are the header): plain characters, no quotes."""
    labels, sections, headers = texts
    parts = [sections.get(r, ""), labels.get(r, ""), headers.get(c, "")]
    return _UNSAFE.sub("", " / ".join(p for p in parts if p and p != "Line"))


class _Described:
    """`what` for the cells of one sheet, its row's part and its column's worked out once each
    (the characters `_UNSAFE` drops are dropped from each part alike, and " / " keeps none)."""

    def __init__(self, texts: Any):
        self.labels, self.sections, self.headers = texts
        self.rows: dict[int, tuple[bool, str]] = {}
        self.cols: dict[int, tuple[bool, str]] = {}
        self.after: tuple[list[str], list[str]] | None = None  # `split`'s: alone, after a row's
        self.longest = 0
        # Each label's and section's safe characters, worked out once: a sheet's rows repeat a
        # few hundred labels (" / " keeps all of its characters, so each part alike).
        self.cleaned: dict[str, str] = {}

    def _clean(self, text: str) -> str:
        found = self.cleaned.get(text)
        if found is None:
            found = self.cleaned[text] = _UNSAFE.sub("", text)
        return found

    def _part(self, *parts: str) -> tuple[bool, str]:
        kept = [self._clean(p) for p in parts if p and p != "Line"]
        return bool(kept), " / ".join(kept)

    def __call__(self, r: int, c: int) -> str:
        row = self.rows.get(r)
        if row is None:
            row = self.rows[r] = self._part(self.sections.get(r, ""), self.labels.get(r, ""))
        col = self.cols.get(c)
        if col is None:
            col = self.cols[c] = self._part(self.headers.get(c, ""))
        if row[0] and col[0]:
            return " / ".join((row[1], col[1]))
        return row[1] if row[0] else col[1]

    def split(self, r: int, columns: int) -> tuple[str, list[str]]:
        """`self(r, c)` as `base + after[c]` for columns 0 to `columns`: the row's part once,
        each column's once for the sheet."""
        row = self.rows.get(r)
        if row is None:
            row = self.rows[r] = self._part(self.sections.get(r, ""), self.labels.get(r, ""))
        if self.after is None:
            cols = [self._part(self.headers.get(c, "")) for c in range(columns + 1)]
            self.after = ([text for _, text in cols], [" / " + t if k else "" for k, t in cols])
            self.longest = max(map(len, self.after[1]))  # of any column's part
        return (row[1], self.after[1]) if row[0] else ("", self.after[0])


def formula_check_sheet(book: Book) -> Sheet | None:
    """A row for every formula of the sheets built so far (but Checks): the cell still holds a
    formula, and its value is its formula worked out again. The rows are worked out only as the
    sheet is written (`Checked`): at 1,000 interventions x 30 years they are 1.3 million."""
    sheet = book.sheet(FORMULA_CHECK, hidden=True, widths={1: 90})
    sheet.put(
        1,
        1,
        "Every formula of the model sheets, worked out once more, a row each: TRUE when the cell "
        "is still a formula and its value equals its formula's written again here; otherwise the "
        "cell, and what it is. The Integrity sheet adds these up.",
        "note",
    )
    sheet.put(FIRST_ROW - 1, 1, HEADER, "header")
    checked = Checked(EXCEL_ROWS - FIRST_ROW + 1)
    r, col = FIRST_ROW, 1
    for built in book.built:
        if built.title == CHECKS:
            continue
        # What it holds now: a sheet built later may add to this one, and this sheet checks
        # what was there when it was built (its first `placed` cells, its lines of years now).
        placed, lines = len(built.cells), sorted(built.years.items())
        count = sum(v.__class__ is tuple for v in built.cells.held)  # formulas: (text, value)
        count += sum(len(line) for _, line in lines)
        if not count:
            continue
        checked.sources.append(Source(built, placed, lines, count, built.max_row))
        first, left = r, count
        while left:
            if r > EXCEL_ROWS:  # a very large workbook: its checks go on in the next column
                r = first = FIRST_ROW
                col += 1
                sheet.put(FIRST_ROW - 1, col, HEADER, "header")
                sheet.widths[col] = 90
            step = min(left, EXCEL_ROWS - r + 1)
            r += step
            left -= step
            book.formula_checks.append(Covered(built.title, first, r - 1, col))
            first = r
        checked.count += count
    if not checked.count:
        return None
    checked.max_col = col
    checked.max_row = EXCEL_ROWS if col > 1 else r - 1
    sheet.generated = checked
    return sheet


@dataclass(frozen=True)
class Source:
    """A sheet the Formula check checks, as it was when the check was built: its first `placed`
    cells, its lines of years by row, how many formulas they are, its last row."""

    sheet: Sheet
    placed: int
    lines: list[tuple[int, Years]]
    count: int
    max_row: int

    def formulas(self) -> list[tuple[int, int, int, Years | None]]:
        """Its formulas in order, row by row: (row, column, the cell's position, None) a
        formula cell, (row, first column, -1, the line) a line of years."""
        cells = self.sheet.cells
        codes, held = cells.codes, cells.held
        found: list[tuple[int, int, int, Years | None]] = [
            (codes[p] >> SHIFT, codes[p] & COLUMN_BITS, p, None)
            for p in cells.order(self.placed)
            if held[p].__class__ is tuple
        ]
        if self.lines:  # each line of years in its place among the cells (none lies within one)
            found = sorted([*found, *((r, line.first, -1, line) for r, line in self.lines)])
        return found

    def places(self) -> list[tuple[int, int, int, Years | None, int, int]]:
        """`formulas`, each with the columns of its checks: 0 and 1 a formula cell's, 0 and its
        length a line's (`Checked._places`' places, the sheet's checks all wanted), made at
        once. Held to `formulas` by tests/test_workbook_formula_check_xml.py."""
        cells = self.sheet.cells
        codes, held = cells.codes, cells.held
        found: list[tuple[int, int, int, Years | None, int, int]] = [
            (codes[p] >> SHIFT, codes[p] & COLUMN_BITS, p, None, 0, 1)
            for p in cells.order(self.placed)
            if held[p].__class__ is tuple
        ]
        if self.lines:  # each line of years in its place among the cells (none lies within one)
            found = sorted(
                [*found, *((r, line.first, -1, line, 0, len(line)) for r, line in self.lines)]
            )
        return found


# Stands for a line of years' column letter while its formula is qualified: a column past
# Excel's last (XFD), so that `_LOCAL` reads it as the letter it stands for.
_LETTER = "XFE"


def _qualified_years(
    line: Years, lo: int, hi: int, title: str, prefix: str
) -> list[tuple[int, str]]:
    """(column, the formula qualified) of columns `first + lo` to `first + hi - 1` of a line
    of years: its formula qualified once, the column's letter put in after."""
    columns = range(line.first + lo, line.first + hi)
    shape = line.shape
    if _LETTER in shape or _LETTER in prefix:  # the stand-in would be ambiguous: each alone
        return [(col, qualify(line.text(col), title, prefix)) for col in columns]
    qualified = qualify(shape.replace(COLUMN, _LETTER), title, prefix)
    return [(col, qualified.replace(_LETTER, get_column_letter(col))) for col in columns]


# A cell of a reference `_LOCAL` matched: its anchor, its column's letters, the rest.
_CELL = re.compile(r"(\$?)([A-Z]{1,3})(\$?\d+)")


def _stand_in(formula: str, letter: str, prefix: str) -> str | None:
    """`formula` with `_LETTER` for `letter` wherever that is a reference's column, as a line of
    years' formula has it: None where the stand-in is found already. The letters of the
    references `_LOCAL` matches are the whole of their run, so another column's letters in
    their place leave its matches, and so `qualify`, as they are (one in quoted text, which
    `qualify` leaves alone, is put back as it was)."""
    if _LETTER in formula or _LETTER in prefix:
        return None

    def swapped(found: re.Match[str]) -> str:
        return _CELL.sub(
            lambda cell: (
                cell.group(1)
                + (_LETTER if cell.group(2) == letter else cell.group(2))
                + cell.group(3)
            ),
            found.group(1),
        )

    return _LOCAL.sub(swapped, formula)


def _againsts(
    places: list[tuple[int, int, int, Years | None, int, int]], context: _Context
) -> tuple[list[str], list[bool]]:
    """Each place's formula qualified and escaped (`qualify_many`), a line's with `_LETTER` for
    its column's letter; and whether a formula cell's is so too. The formula cells of a row
    that are one formula with their column's letter (a line laid out across interventions)
    are qualified once, as a line's is, each cell's made by putting in its letter (`_again`);
    the others each alone. Held to `qualify` a cell at a time by
    tests/test_workbook_formula_check_xml.py."""
    held, letters = context.held, context.letters
    wanted: list[str] = []  # to be qualified
    made: list[int] = []  # each place's in `wanted`
    shaped: list[bool] = []  # each place's with the stand-in for its letter
    row_at, shape, at, count = 0, None, -1, len(places)
    for k, (row, column, p, line, _, _) in enumerate(places):
        if line is not None:
            made.append(len(wanted))
            shaped.append(True)
            wanted.append(line.shape.replace(COLUMN, _LETTER))
            continue
        text, letter = held[p][0], letters[column]
        if row != row_at:  # a row's first formula cell: its shape, if another cell follows
            row_at, shape, at = row, None, -1
            if k + 1 < count and places[k + 1][0] == row and places[k + 1][3] is None:
                shape = _stand_in(text, letter, context.prefix)
        if shape is not None and shape.replace(_LETTER, letter) == text:
            if at < 0:
                at = len(wanted)
                wanted.append(shape)
            made.append(at)
            shaped.append(True)
        else:
            made.append(len(wanted))
            shaped.append(False)
            wanted.append(text)
    done = qualify_many(wanted, context.title, context.prefix, escaped=True)
    return list(map(done.__getitem__, made)), shaped


def _again(again: str, shaped: bool, letter: str) -> str:
    """A formula cell's formula qualified, from `_againsts`' for it."""
    return again.replace(_LETTER, letter) if shaped else again


def _escaped(text: str) -> str:
    return escape(text) if "&" in text or "<" in text or ">" in text else text


def _check_head(prefix: str, cell: str, again: str) -> str:
    """A check of the formula at `cell` (on the sheet of `prefix`) up to its description: TRUE
    when the cell still holds a formula and its value equals `again`'s."""
    return f'IF(IFERROR(AND(_xlfn.ISFORMULA({prefix}{cell}),{prefix}{cell}=({again})),FALSE),TRUE,"'


def _shaped(
    line: Years,
    context: _Context,
    number: str,
    base: str,
    after: list[str],
    again: str | None = None,
) -> str | None:
    """A check of a line of years, escaped for XML, with `_LETTER` for its column's letter,
    up to its description's column part: None where that would not be the same as each cell's
    check made alone (the stand-in found elsewhere, or a description that could be cut).
    `again`: its formula with the stand-in, qualified and escaped, if already worked out."""
    title, prefix, shape = context.title, context.prefix, line.shape
    if _LETTER in shape or _LETTER in prefix or _LETTER in base:
        return None
    lead = f"{title}!{_LETTER}{number} {base}"  # the letter: at most as long as its stand-in
    if len(lead) + context.described.longest > MAX_WHAT and (
        len(lead) + max(len(after[c]) for c in range(line.first, line.end + 1)) > MAX_WHAT
    ):
        return None
    if again is None:
        again = _escaped(qualify(shape.replace(COLUMN, _LETTER), title, prefix))
    return _check_head(prefix, f"{_LETTER}{number}", again) + lead


def _shaped_cells(
    context: _Context, head: str, number: str, base: str, again: str
) -> list[str] | None:
    """The check of a formula cell in row `number` whose formula (qualified, escaped) is
    `again` with `_LETTER` for its column's letter, as `_xml` writes a cell from `"` on, up to
    its description's column part, split at `_LETTER`: None where that would not be each
    cell's check made alone (the stand-in found elsewhere, or a description that could be
    cut)."""
    title, prefix = context.title, context.prefix
    if _LETTER in base or _LETTER in head or _LETTER in prefix:
        return None
    lead = f"{title}!{_LETTER}{number} {base}"  # the letter: at most as long as its stand-in
    if len(lead) + context.described.longest > MAX_WHAT:
        return None
    cell = f"{_LETTER}{number}"
    return f'"{head}{_check_head(prefix, cell, again)}{lead}'.split(_LETTER)


class _Context:
    """What the checks of one sheet share: its title, its reference prefix, its column
    letters, its cells, what each is (`_Described`)."""

    def __init__(self, source: Source):
        built = source.sheet
        self.title, self.prefix = built.title, quote_title(built.title)
        self.letters = [""] + [get_column_letter(c) for c in range(1, built.max_col + 1)]
        self.held = built.cells.held
        self.described = _Described(_texts_quick(built, source.placed, source.max_row))

    def againsts(
        self, row: int, column: int, p: int, line: Years | None, lo: int, hi: int, escaped: bool
    ) -> list[tuple[int, str]]:
        """(column, formula qualified) of the cells of a place (`Checked._places`), the
        formulas escaped for XML if `escaped`."""
        if line is None:
            found = [(column, qualify(self.held[p][0], self.title, self.prefix))]
        else:
            found = _qualified_years(line, lo, hi, self.title, self.prefix)
        return [(col, _escaped(again)) for col, again in found] if escaped else found


def _texts_of(context: _Context, row: int, againsts: list[tuple[int, str]]) -> list[str]:
    """The checks of the cells of one place, as text."""
    title, prefix, described = context.title, context.prefix, context.described
    letters, number = context.letters, str(row)
    return [
        _check_head(prefix, f"{letters[col]}{number}", again)
        + f'{f"{title}!{letters[col]}{number} {described(row, col)}"[:MAX_WHAT]}")'
        for col, again in againsts
    ]


def _grouped(
    places: Iterator[tuple[_Context, int, int, int, Years | None, int, int]],
) -> Iterator[tuple[_Context, list[tuple[int, int, int, Years | None, int, int]]]]:
    """Places (`Checked._places`), GROUP at a time at most, each group's of one sheet."""
    context, group = None, []
    for place in places:
        if place[0] is not context or len(group) >= GROUP:
            if group:
                yield context, group  # type: ignore[misc]
            context, group = place[0], []
        group.append(place[1:])
    if group:
        yield context, group  # type: ignore[misc]


BATCH = 4096  # cells of the Formula check's XML made at a time (a column's)
GROUP = 1024  # places whose formulas are qualified at once


class Checked(Generated):
    """The Formula check's rows: for each formula of the sheets checked, in their order, a check
    that it is still that formula, `per_column` rows to a column."""

    first_row = FIRST_ROW

    def __init__(self, per_column: int):
        self.per_column = per_column
        # Each sheet checked, as it was when it was built (its formulas' places and its labels
        # are worked out only as they are written).
        self.sources: list[Source] = []

    def _checks(self, start: int, stop: int) -> Iterator[str]:
        """The checks numbered `start` to `stop` - 1, in order."""
        return itertools.chain.from_iterable(self._runs(start, stop))

    def _places(
        self, start: int, stop: int, first: int = 0
    ) -> Iterator[tuple[_Context, int, int, int, Years | None, int, int]]:
        """The places of the checks numbered `start` to `stop` - 1, in order: (its sheet, row,
        column, the cell's position, None, 0, 1) a formula cell, (its sheet, row, first column,
        -1, the line, lo, hi) columns `first + lo` to `first + hi - 1` of a line of years
        (numbered from the sheet checked `first`)."""
        for source in self.sources[first:]:
            count = source.count
            if start >= count:
                start, stop = start - count, stop - count
                continue
            context = _Context(source)
            done = 0  # checks of this sheet before the place at hand
            for row, column, p, line in source.formulas():
                size = 1 if line is None else len(line)
                if done + size <= start:
                    done += size
                    continue
                if done >= stop:
                    break
                yield context, row, column, p, line, max(start - done, 0), min(stop - done, size)
                done += size
            start, stop = 0, stop - count
            if stop <= 0:
                return

    def _groups(
        self, start: int, stop: int
    ) -> Iterator[tuple[_Context, list[tuple[int, int, int, Years | None, int, int]]]]:
        """`_places`, GROUP at a time at most, each group's of one sheet: (its sheet, the
        places without it). A sheet whose checks are all wanted, its places at once."""
        for k, source in enumerate(self.sources):
            count = source.count
            if start >= count:
                start, stop = start - count, stop - count
                continue
            if start or stop < count:  # a part of its checks (a column's end): as `_places`
                yield from _grouped(self._places(start, stop, k))
                return
            context, places = _Context(source), source.places()
            for at in range(0, len(places), GROUP):
                yield context, places[at : at + GROUP]
            start, stop = 0, stop - count
            if stop <= 0:
                return

    def _runs(self, start: int, stop: int) -> Iterator[list[str]]:
        """`_checks` a formula cell or a line of years at a time."""
        for context, row, column, p, line, lo, hi in self._places(start, stop):
            yield _texts_of(context, row, context.againsts(row, column, p, line, lo, hi, False))

    def _xml(self, start: int, stop: int, col: int, head: str, tail: str) -> Iterator[list[str]]:
        """The checks numbered `start` to `stop` - 1 as the cells of column `col` from
        FIRST_ROW (`<c r="..."` + `head` + the text escaped + `tail`; in column A each opens
        its row), BATCH at a time (the last fewer). The texts are `_runs`'s, but a line of
        years' check is made once, escaped, with a stand-in for the column's letter (its
        formula's, its cells' and its description's), and each cell's from it by a join."""
        opened = col == 1
        at = '<row r="' if opened else f'<c r="{get_column_letter(col)}'
        then = '"><c r="A' if opened else ""
        end = f'"){tail}'
        r, batch = FIRST_ROW, []
        # A title XML does not leave alone (none of the builders' so far): as text, escaped.
        plain = all(_escaped(source.sheet.title) == source.sheet.title for source in self.sources)
        if not plain:
            for context, row, column, p, line, lo, hi in self._places(start, stop):
                texts = _texts_of(
                    context, row, context.againsts(row, column, p, line, lo, hi, False)
                )
                batch += [
                    f'{at}{r}{then}{r if opened else ""}"{head}{escape(text)}{tail}'
                    for r, text in enumerate(texts, r)
                ]
                r += len(texts)
                while len(batch) >= BATCH:  # exactly BATCH: the columns' batches line up
                    yield batch[:BATCH]
                    del batch[:BATCH]
            if batch:
                yield batch
            return
        for context, places in self._groups(start, stop):
            title, prefix, letters = context.title, context.prefix, context.letters
            split, columns = context.described.split, len(letters) - 1
            # Each formula of the group (a line's with the stand-in), qualified and escaped
            # at once: a line's is used only where `_shaped` makes its check from it.
            againsts, shapes = _againsts(places, context)
            opening = f'"{head}IF(IFERROR(AND(_xlfn.ISFORMULA({prefix}'
            row_at = 0
            for (row, column, p, line, lo, hi), again, shaped in zip(
                places, againsts, shapes, strict=True
            ):
                if row != row_at:  # a row's places come together
                    row_at, number = row, str(row)
                    base, after = split(row, columns)
                    made_of = None  # the row's formula whose check `row_made` is
                if line is None:
                    if shaped:  # the row's formula: its check made once, as a line's is
                        if again is not made_of:
                            made_of = again
                            row_made = _shaped_cells(context, head, number, base, again) or []
                        if row_made:
                            batch.append(
                                f"{at}{r}{then}{r if opened else ''}"
                                f"{letters[column].join(row_made)}{after[column]}{end}"
                            )
                            r += 1
                            continue
                        again = again.replace(_LETTER, letters[column])
                    cell = f"{letters[column]}{number}"
                    batch.append(
                        f"{at}{r}{then}{r if opened else ''}{opening}{cell}),{prefix}{cell}"
                        f'=({again})),FALSE),TRUE,"'
                        f"{f'{title}!{cell} {base}{after[column]}'[:MAX_WHAT]}{end}"
                    )
                    r += 1
                    continue
                shaped = _shaped(line, context, number, base, after, again)
                if shaped is not None:
                    made = f'"{head}{shaped}'.split(_LETTER)  # a join: 4 times a replace
                    batch += [
                        f"{at}{r}{then}{r if opened else ''}{letters[c].join(made)}{after[c]}{end}"
                        for r, c in enumerate(range(line.first + lo, line.first + hi), r)
                    ]
                    r += hi - lo
                else:
                    for c, again in context.againsts(row, column, p, line, lo, hi, True):
                        cell = f"{letters[c]}{number}"
                        batch.append(
                            f'{at}{r}{then}{r if opened else ""}"{head}'
                            f"{_check_head(prefix, cell, again)}"
                            f"{f'{title}!{cell} {base}{after[c]}'[:MAX_WHAT]}{end}"
                        )
                        r += 1
            while len(batch) >= BATCH:  # exactly BATCH: the columns' batches line up
                yield batch[:BATCH]
                del batch[:BATCH]
        if batch:
            yield batch

    def xml_rows(self, head: str, tail: str) -> Iterator[tuple[int, list[str]]]:
        """`Generated.xml_rows`, made straight as XML (`_xml`): the same rows, held to the
        general way by tests/test_workbook_formula_check_xml.py."""
        per, count, closed = self.per_column, self.count, tail + "</row>"
        if count <= per:
            for batch in self._xml(0, count, 1, head, closed):
                yield 1, batch
            return
        # As `rows`: column k holds checks k*per to (k+1)*per - 1, the last ending before the
        # others. Each column's cells come BATCH at a time, so that a batch of rows is its
        # columns' batches added up; the last column's cells close their rows, and past its end
        # the ones before's are closed here.
        *before, last = [
            self._xml(
                k * per, (k + 1) * per, k + 1, head, closed if k == self.max_col - 1 else tail
            )
            for k in range(self.max_col)
        ]
        for batches in zip(*before, strict=True):
            rows = batches[0]
            for cells in batches[1:]:
                rows = list(map(str.__add__, rows, cells))
            ends = next(last, [])
            if ends:
                yield self.max_col, list(map(str.__add__, rows[: len(ends)], ends))
            if len(ends) < len(rows):
                yield self.max_col - 1, [f"{row}</row>" for row in rows[len(ends) :]]
        if next(last, None) is not None:
            raise RuntimeError("the Formula check's last column runs past the others")

    def formulas(self) -> Iterator[tuple[int, int, str]]:
        """Each check's (row, column, text), as `rows` lays them out."""
        for r, texts in self.rows():
            for c, text in enumerate(texts, start=1):
                yield r, c, text

    def rows(self) -> Iterator[tuple[int, Sequence[str]]]:
        per, count = self.per_column, self.count
        if count <= per:
            r = FIRST_ROW
            for run in self._runs(0, count):
                for text in run:
                    yield r, (text,)
                    r += 1
            return
        # Column k holds checks k*per to (k+1)*per - 1: the last ends before the others. Rows
        # are paired up by `zip` (a million of them at 1,000 x 30), each part stopping where its
        # first column ends, so that no column gives up a check the rows after need.
        columns = [self._checks(k * per, (k + 1) * per) for k in range(self.max_col)]
        full = count - (self.max_col - 1) * per  # rows that every column reaches
        r = FIRST_ROW
        for texts in zip(*(itertools.islice(column, full) for column in columns), strict=True):
            yield r, texts
            r += 1
        for texts in zip(*columns[:-1], strict=True):
            yield r, texts
            r += 1
