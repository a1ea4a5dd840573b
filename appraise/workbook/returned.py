"""A workbook as it came back: what `appraise import-xlsx` reads of it and checks before it
reads any input back.

The workbook is read once, within bounds (`appraise.workbook.guard` for the zip,
`appraise.workbook.cells` for each sheet, streamed), and only the sheets needed are read: the
hidden `Portfolio file` sheet (the file it was exported from) and Inputs. `CHECKS` are run on
the result before a value is taken from it; edits of the other sheets are reported, not refused
(`appraise.workbook.edits`, which reads them through `Exported.book`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appraise.engine.params import build
from appraise.errors import InputError, Problem
from appraise.model.load import evidence_for, portfolio_from_data
from appraise.model.reading import read_file
from appraise.model.schema import Evidence, Portfolio
from appraise.workbook.book import INPUTS, SOURCE
from appraise.workbook.cells import CellValue, Workbook
from appraise.workbook.guard import MAX_WORKBOOK_BYTES, check_workbook_zip
from appraise.workbook.inputs import INPUT_KEY_HEADER, InputRow, input_rows
from appraise.workbook.programme_sheet import PROGRAMME_SHEET
from appraise.workbook.source import (
    HASH_LABEL,
    INPUTS_HASH,
    SOURCE_FIRST_ROW,
    fingerprint,
    inputs_fingerprint,
    source_text,
)
from appraise.workbook.writer import cell


def same(a: float, b: float) -> bool:
    """Two numbers equal but for the last bits of a float (a value written and read back)."""
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)


# Cells read from the hidden sheet: a line of the portfolio file a row (about 60 an intervention,
# 300,000 for the 5,000 a workbook may hold), and text up to Excel's 32,767 characters a cell.
MAX_HIDDEN_CELLS = 1_000_000
MAX_HIDDEN_TEXT = 64 * 2**20
# Cells read from the Inputs sheet beyond what the export wrote (a user's own notes), and how
# many columns a row of it may have.
SPARE_INPUT_ROWS = 1_000
INPUT_COLUMNS = 20


@dataclass
class Exported:
    """A workbook `appraise export` wrote, as import reads it: the portfolio file it was exported
    from (the hidden sheet, checked), the Inputs rows that portfolio gives, and the Inputs
    sheet's cells as they are now. `book` reads any other sheet (streaming, bounded), for a check
    that needs one (`CHECKS`)."""

    path: Path
    book: Workbook
    portfolio: Portfolio
    evidence: Mapping[str, Evidence]
    rows: list[InputRow]
    value_col: int
    cells: dict[str, tuple[int, CellValue]]  # key -> (row, the value cell) on Inputs now
    recorded: str | None  # the SHA-256 of the Inputs values as exported, as recorded
    model: Any = None  # the parameters the portfolio gives (its prices: a price base edited)

    @property
    def name(self) -> str:
        return str(self.path)


def read_exported(path: str | Path, data: bytes | None = None) -> Exported:
    """Read an exported workbook once: its bytes bounded and its zip checked before anything is
    parsed, then the hidden portfolio file and the Inputs sheet streamed, each within a bound.
    InputError for a workbook appraise did not write, or one whose hidden sheet was edited."""
    path = Path(path)
    name = str(path)
    if data is None:  # else: the bytes already read, and checked, by the caller
        data = read_file(path, MAX_WORKBOOK_BYTES)
        check_workbook_zip(data, name)  # what each part inflates to, before any is parsed
    book = Workbook(data, name)
    not_a_portfolio_book(book.titles, name)
    for title in (SOURCE, INPUTS):
        if title not in book.titles:
            raise InputError.one(
                name,
                "",
                f"no sheet named {title!r}: import-xlsx reads workbooks made by `appraise export`",
            )
    portfolio, recorded = _embedded_portfolio(book, path)
    evidence = evidence_for(portfolio)
    model = build(portfolio, evidence)
    rows = [r for r in input_rows(model, evidence) if isinstance(r, InputRow)]
    limit = (len(rows) * 2 + SPARE_INPUT_ROWS) * INPUT_COLUMNS
    value_col, cells = _input_cells(book.cells(INPUTS, limit), path)
    return Exported(path, book, portfolio, evidence, rows, value_col, cells, recorded, model)


def not_a_portfolio_book(titles: Any, name: str) -> None:
    """InputError for a programme's workbook, which holds no portfolio file to read back."""
    if SOURCE not in titles and PROGRAMME_SHEET in titles:
        raise InputError.one(
            name,
            "",
            "a programme's workbook holds no portfolio file to read back or lay out again: "
            "check-xlsx and import-xlsx read the workbook of a portfolio; a programme's "
            "workbook is checked by its own Integrity sheet when a spreadsheet program opens it",
        )


def _embedded_portfolio(book: Workbook, path: Path) -> tuple[Portfolio, str | None]:
    """The portfolio file held on the hidden sheet (refused if its lines no longer match the
    hash recorded with them), and the recorded hash of the Inputs values as exported."""
    found = book.cells(SOURCE, MAX_HIDDEN_CELLS)
    name = f"{path} (sheet {SOURCE!r})"
    last = max((r for r, _ in found), default=0)
    rows = [
        (found.get((r, 1), CellValue(None)).value, found.get((r, 2), CellValue(None)).value)
        for r in range(SOURCE_FIRST_ROW, last + 1)
    ]
    if sum(len(str(a or "")) for a, _ in rows) > MAX_HIDDEN_TEXT:
        raise InputError.one(name, "", f"holds more than {MAX_HIDDEN_TEXT // 2**20} MiB of text")
    text = source_text(rows)
    label, recorded = (found.get((2, c), CellValue(None)).value for c in (1, 2))
    if label != HASH_LABEL or recorded != fingerprint(text):
        raise InputError.one(
            name,
            "",
            "the hidden sheet holding the portfolio file was edited (its SHA-256 no longer "
            "matches the one recorded at export), so the interventions' structure (ids, forms, "
            "ratings, sources) cannot be trusted; change the portfolio file, or the Inputs sheet "
            "(where the evidence rating is an input), and export again",
        )
    try:
        raw = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InputError.one(
            name, f"line {exc.lineno}", f"the portfolio file held there does not parse: {exc.msg}"
        ) from None
    except (ValueError, RecursionError) as exc:
        # int() refuses more than 4,300 digits; nesting deeper than Python recurses.
        why = "nests too deeply" if isinstance(exc, RecursionError) else str(exc).split(";")[0]
        raise InputError.one(
            name, "", f"the portfolio file held there holds a value that cannot be read: {why}"
        ) from None
    inputs_hash = found.get(INPUTS_HASH, CellValue(None)).value
    return portfolio_from_data(raw, name), inputs_hash if isinstance(inputs_hash, str) else None


def _no_constant(word: str) -> Any:
    raise ValueError(f"{word} is not a number a portfolio file may hold")


def _input_cells(
    cells: dict[tuple[int, int], CellValue], path: Path
) -> tuple[int, dict[str, tuple[int, CellValue]]]:
    """The value column, and key -> (row, value cell), wherever the header row is. A key on two
    rows is refused: which of the two values was meant cannot be told."""
    header_row = value_col = key_col = None
    for r in range(1, 11):
        texts = {
            v.value: c for (row, c), v in cells.items() if row == r and isinstance(v.value, str)
        }
        if "Value" in texts and INPUT_KEY_HEADER in texts:
            header_row, value_col, key_col = r, texts["Value"], texts[INPUT_KEY_HEADER]
            break
    if header_row is None or value_col is None or key_col is None:
        raise InputError.one(
            str(path), f"{INPUTS}!", f"cannot find the header row (Value ... {INPUT_KEY_HEADER})"
        )
    found: dict[str, tuple[int, CellValue]] = {}
    problems = []
    for (r, c), key in sorted(cells.items()):
        if (
            c != key_col
            or r <= header_row
            or not isinstance(key.value, str)
            or not key.value.strip()
        ):
            continue
        name = key.value.strip()
        if name in found:
            problems.append(
                Problem(
                    str(path),
                    f"{INPUTS}!{cell(r, key_col)}",
                    f"the key {name!r} is on two rows ({found[name][0]} and {r}); which value "
                    "was meant cannot be told: delete one of them",
                )
            )
            continue
        found[name] = (r, cells.get((r, value_col), CellValue(None)))
    if problems:
        raise InputError(problems)
    return value_col, found


def hidden_data_matches(exported: Exported) -> list[Problem]:
    """The hidden portfolio file gives the Inputs values the workbook was exported with (their
    recorded hash): data changed there after export, to a value the Inputs sheet does not show,
    is refused rather than imported behind the user's back."""
    if exported.recorded == inputs_fingerprint(exported.rows):
        return []
    name = f"{exported.path} (sheet {SOURCE!r})"
    if exported.recorded is None:
        return [
            Problem(
                name,
                "",
                "the workbook does not record the Inputs values it was exported with (it was "
                "made by an older appraise, or the record was removed): export it again",
            )
        ]
    shown = []
    for row in exported.rows:
        at = exported.cells.get(row.key)
        if at is None:
            continue
        now = at[1].value
        agrees = (
            str(now).strip() == row.value
            if isinstance(row.value, str)
            else isinstance(now, int | float) and same(float(now), row.value)
        )
        if not agrees:
            was = row.value if isinstance(row.value, str) else f"{row.value:g}"
            shown.append(f"{INPUTS}!{cell(at[0], exported.value_col)} shows {now!r}, it says {was}")
    detail = f" ({'; '.join(shown[:5])}{'; ...' if len(shown) > 5 else ''})" if shown else ""
    return [
        Problem(
            name,
            "",
            "the portfolio file held there was changed after export: it no longer gives the "
            f"Inputs values the workbook was exported with{detail}. Only the Inputs sheet is "
            "read back; export the portfolio file again, or import a workbook as exported "
            "(or exported by another version of appraise: use that version)",
        )
    ]


# The checks a workbook passes before its Inputs are read back: each returns its problems.
# (Further checks of the sheets import does not read back plug in here.)
CHECKS: list[Callable[[Exported], list[Problem]]] = [hidden_data_matches]


class SharedFormula(str):
    """A formula cell saved as part of a shared formula: its text is on the range's first cell
    only (Excel and LibreOffice write them so), so it counts as the formula laid out there."""


@dataclass
class _Cell:
    value: Any
    row: int
    column: int

    @property
    def coordinate(self) -> str:
        return cell(self.row, self.column)


@dataclass
class _Protection:
    sheet: bool


class StreamedSheet:
    """One sheet of a streamed workbook, read within a bound, as the audit reads a sheet: a
    formula is its text with '=' (openpyxl's form), a value is itself."""

    def __init__(self, cells: dict[tuple[int, int], CellValue], protected: bool):
        self._cells = {
            at: _as_openpyxl(content)
            for at, content in cells.items()
            if _as_openpyxl(content) is not None
        }
        self.protection = _Protection(protected)
        self.max_row = max((r for r, _ in self._cells), default=0)

    def cell(self, r: int, c: int) -> _Cell:
        return _Cell(self._cells.get((r, c)), r, c)

    def iter_rows(self, min_row: int = 1) -> Any:
        rows: dict[int, list[_Cell]] = {}
        for (r, c), value in sorted(self._cells.items()):
            if r >= min_row:
                rows.setdefault(r, []).append(_Cell(value, r, c))
        return iter(rows.values())


def _as_openpyxl(content: CellValue) -> Any:
    if content.formula is None:
        return content.value
    if content.formula == "":
        return SharedFormula("=")
    return "=" + content.formula


class StreamedBook:
    """A streamed workbook as the audit (`appraise.workbook.audit.compare`) reads one: its sheet
    titles, and each sheet read once, bounded by what export wrote there."""

    def __init__(self, book: Workbook, bound: Callable[[str], int]):
        self._book = book
        self._bound = bound
        self._read: dict[str, StreamedSheet] = {}
        self.sheetnames = book.titles

    def __getitem__(self, title: str) -> StreamedSheet:
        if title not in self._read:
            cells = self._book.cells(title, self._bound(title))
            self._read[title] = StreamedSheet(cells, self._book.protected.get(title, False))
        return self._read[title]
