"""The hidden `Portfolio file` sheet: the portfolio file the workbook was exported from (for
`appraise import-xlsx`), one line a row."""

from __future__ import annotations

import hashlib
import json
import math
from json.encoder import encode_basestring
from typing import Any

import yaml

from appraise.model.save import portfolio_to_data
from appraise.workbook.book import CLAIMS_FILE, SOURCE, Book
from appraise.workbook.inputs import InputRow, input_rows
from appraise.workbook.writer import Sheet, read_text

SOURCE_FIRST_ROW = 3
CHUNK = 30000  # under Excel's 32,767 characters a cell


def source_sheet(book: Book) -> Sheet:
    """The portfolio file the workbook was exported from, as JSON one line a row (for import-xlsx).

    JSON rather than YAML: it is what a YAML file holds, exactly, and a hundred times quicker to
    write for a large portfolio.
    """
    sheet = book.sheet(SOURCE, hidden=True, widths={1: 100})
    sheet.put(
        1,
        1,
        "The portfolio file this workbook was exported from, one line a row. appraise import-xlsx "
        "reads it together with the Inputs sheet. Do not edit.",
        "note",
    )
    text = indented_json(portfolio_to_data(book.portfolio))
    _put_lines(sheet, text)
    # And of the Inputs values as exported: hidden data changed to say otherwise (a value the
    # Inputs sheet does not show) is refused on import, even with its own hash recomputed.
    sheet.put(2, 3, INPUTS_HASH_LABEL, "text")
    rows = book.input_rows if book.input_rows is not None else input_rows(book.model)
    sheet.put(2, 4, inputs_fingerprint(rows), "text")
    return sheet


def claims_file_sheet(book: Book) -> Sheet | None:
    """The claims file a `Claims check` sheet was checked from, its text one line a row, so that
    the sheet can be laid out again from it (check-xlsx, import-xlsx). None without claims."""
    if book.claims is None or not book.claims.text:
        return None
    sheet = book.sheet(CLAIMS_FILE, hidden=True, widths={1: 100})
    sheet.put(
        1,
        1,
        "The claims file the Claims check sheet was checked from, one line a row. appraise "
        "check-xlsx and import-xlsx check the Claims check sheet against it. Do not edit.",
        "note",
    )
    # Line ends and trailing spaces, which a cell may not keep, mean nothing in YAML here.
    _put_lines(sheet, claims_text(book.claims.text))
    return sheet


def claims_text(text: str) -> str:
    """A claims file's text as the hidden sheet holds it: without the path of the portfolio it
    names (a workbook carries no path of the machine, and the claims are checked against the
    workbook's own portfolio), lines without trailing spaces, no blank lines at the end."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:  # it was read as a claims file at export: not expected
        root = None
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if getattr(key, "value", None) == "portfolio" and isinstance(value, yaml.ScalarNode):
                start, end = value.start_mark.index, value.end_mark.index
                text = text[:start] + "null" + text[end:]
                break
    return "\n".join(line.rstrip() for line in text.splitlines()).rstrip("\n")


def _put_lines(sheet: Sheet, text: str) -> None:
    """`text` one line a row from SOURCE_FIRST_ROW (a line longer than a cell holds goes on,
    marked '+'), headed by its fingerprint."""
    # Import takes the file's structure (ids, forms, ratings, sources) from here only while this
    # fingerprint of it still matches: an edit of the hidden sheet is refused, not imported.
    sheet.put(2, 1, HASH_LABEL, "text")
    sheet.put(2, 2, fingerprint(text + "\n"), "text")
    r = SOURCE_FIRST_ROW
    for line in text.splitlines():
        if len(line) <= CHUNK:  # the commonest: one cell (none for a blank line)
            if line:
                sheet.put(r, 1, line, "user")
            r += 1
            continue
        pieces = [line[k : k + CHUNK] for k in range(0, len(line), CHUNK)]
        for j, piece in enumerate(pieces):
            if piece:
                sheet.put(r, 1, piece, "user")
            if j:
                sheet.put(r, 2, "+", "text")  # continues the line above
            r += 1


class _Other(Exception):
    """A value `indented_json` leaves to json (a key not text, a subclass, any other type)."""


def indented_json(data: Any) -> str:
    """`json.dumps(data, indent=1, ensure_ascii=False)`, three times quicker (issue 27: json's
    indented encoder is its pure-Python one): the same pieces (its C `encode_basestring`,
    `float.__repr__`, `int.__repr__`) joined the same way; anything but plain dicts with text
    keys, lists, tuples, text, numbers, booleans and None left to json itself."""
    out: list[str] = []
    try:
        _encode(data, out, "\n")
    except (_Other, RecursionError):
        return json.dumps(data, indent=1, ensure_ascii=False)
    return "".join(out)


def _encode(o: Any, out: list[str], newline: str) -> None:
    """Append `o`'s JSON to `out`, its lines after the first starting with `newline`."""
    kind = o.__class__
    if kind is str:
        out.append(encode_basestring(o))
    elif kind is dict:
        if not o:
            out.append("{}")
            return
        inner = newline + " "
        sep = "{" + inner
        for key, value in o.items():
            if key.__class__ is not str:
                raise _Other
            out.append(sep)
            out.append(encode_basestring(key))
            out.append(": ")
            _encode(value, out, inner)
            sep = "," + inner
        out.append(newline + "}")
    elif kind is list or kind is tuple:
        if not o:
            out.append("[]")
            return
        inner = newline + " "
        sep = "[" + inner
        for value in o:
            out.append(sep)
            _encode(value, out, inner)
            sep = "," + inner
        out.append(newline + "]")
    elif kind is float:
        if o != o:
            out.append("NaN")
        elif o == math.inf:
            out.append("Infinity")
        elif o == -math.inf:
            out.append("-Infinity")
        else:
            out.append(float.__repr__(o))
    elif kind is int:
        out.append(int.__repr__(o))
    elif kind is bool:
        out.append("true" if o else "false")
    elif o is None:
        out.append("null")
    else:
        raise _Other


HASH_LABEL = "SHA-256 of the lines below (import-xlsx refuses them if it no longer matches)"
INPUTS_HASH_LABEL = (
    "SHA-256 of the Inputs values as exported (import-xlsx checks the lines below give them)"
)
INPUTS_HASH = (2, 4)  # where that hash is


def inputs_fingerprint(rows: list[Any]) -> str:
    """The SHA-256 of every Inputs row's key and value as exported (`Section` rows skipped)."""
    digest = hashlib.sha256()
    for row in rows:
        if isinstance(row, InputRow):
            value = row.value if isinstance(row.value, str) else repr(float(row.value))
            digest.update(f"{row.key}\t{value}\n".encode())
    return digest.hexdigest()


def fingerprint(text: str) -> str:
    """The SHA-256 of the portfolio file's text held on the sheet."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def source_text(rows: list[tuple[Any, Any]]) -> str:
    """The portfolio file (JSON) from (column A, column B) pairs read from the hidden sheet."""
    lines: list[str] = []
    for text, more in rows:
        piece = "" if text is None else read_text(str(text))
        if more == "+" and lines:
            lines[-1] += piece
        else:
            lines.append(piece)
    # Blank rows after the last line (a sheet saved by another program may keep some) are no part
    # of the file: the text is the same however many there are.
    return "\n".join(lines).rstrip("\n") + "\n"
