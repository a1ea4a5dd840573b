"""Reading the cells of a returned .xlsx: streaming, bounded, one sheet at a time.

`appraise import-xlsx` reads a workbook that came back from someone else, so it reads only the
sheets it needs (the hidden portfolio file and Inputs; then the formula sheets, compared with
those exported), each as a stream of XML events:
no sheet is ever held whole, and a sheet with more cells than the bound given is refused as soon
as the bound is passed, however large its part (a 203 MiB Inputs part is refused after its
first few thousand cells, not parsed for a minute). Shared strings are read in one further
stream, keeping only those the sheets read refer to.

Each cell is its value (a number, text or a boolean, `_xHHHH_` escapes decoded) and, if it holds
a formula, the formula: a formula's saved result is never taken for an input.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from lxml import etree
from openpyxl.utils import column_index_from_string

from appraise.errors import InputError

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_M = f"{{{MAIN}}}"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_ADDRESS = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


@dataclass(frozen=True)
class CellValue:
    """A cell as stored: its value, and its formula (without '=') if it holds one."""

    value: Any
    formula: str | None = None


def decode(text: str) -> str:
    """Cell text with OOXML's `_xHHHH_` escapes decoded (`_x005F_` is a literal underscore, so
    `_x005F_x003D_` reads back as the text `_x003D_` it was written for)."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _parse(stream: Any) -> Any:
    return etree.iterparse(
        stream,
        events=("end",),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )


class _SharedRef:
    """A cell value that is an index into the shared strings, resolved after the sheets."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index


class Workbook:
    """An .xlsx's sheets by title, read on demand; InputError naming `name` for anything that is
    not a workbook appraise can read."""

    def __init__(self, data: bytes, name: str):
        self.name = name
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.zip.infolist()
        except (zipfile.BadZipFile, OSError, EOFError):
            raise self._not_readable("it is not a zip package") from None
        self.parts = self._sheet_parts()
        self._shared: dict[int, str] = {}
        self.protected: dict[str, bool] = {}  # title -> sheet protection on, for sheets read

    def _not_readable(self, why: str) -> InputError:
        return InputError.one(
            self.name, "", f"not an .xlsx workbook that appraise can read ({why})"
        )

    def _xml(self, part: str) -> Any:
        try:
            data = self.zip.read(part)
            root = etree.fromstring(
                data,
                etree.XMLParser(
                    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
                ),
            )
        except KeyError:
            raise self._not_readable(f"no part {part}") from None
        except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, EOFError) as exc:
            raise self._not_readable(f"part {part} is damaged: {exc}") from None
        return root

    def _sheet_parts(self) -> dict[str, str]:
        """Sheet title -> the zip part holding it."""
        rels = {
            rel.get("Id"): rel.get("Target") or ""
            for rel in self._xml("xl/_rels/workbook.xml.rels").iter(f"{{{PKG}}}Relationship")
        }
        out = {}
        for sheet in self._xml("xl/workbook.xml").iter(f"{_M}sheet"):
            target = rels.get(sheet.get(f"{{{REL}}}id"), "")
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            out[sheet.get("name") or ""] = str(PurePosixPath(part))
        return out

    @property
    def titles(self) -> list[str]:
        return list(self.parts)

    def cells(
        self, title: str, max_cells: int, min_row: int = 1
    ) -> dict[tuple[int, int], CellValue]:
        """The non-empty cells of sheet `title` from `min_row` on, by (row, column): at most
        `max_cells` of them (InputError past that, as soon as it is passed)."""
        part = self.parts.get(title)
        if part is None:
            raise InputError.one(self.name, "", f"no sheet named {title!r}")
        found: dict[tuple[int, int], CellValue] = {}
        self.protected[title] = False
        for seen, ((r, c), value, formula) in enumerate(self._stream(part, title), start=1):
            if seen > max_cells:
                raise InputError.one(
                    self.name,
                    f"{title}!",
                    f"holds more than {max_cells:,} cells; an exported sheet holds far fewer "
                    "(appraise reads no more of it)",
                )
            if r >= min_row and (value is not None or formula is not None):
                found[(r, c)] = CellValue(value, formula)
        self._resolve(found)
        return found

    def _stream(self, part: str, title: str) -> Iterator[tuple[tuple[int, int], Any, str | None]]:
        try:
            handle = self.zip.open(part)
        except KeyError:
            raise self._not_readable(f"no part {part}") from None
        try:
            for _, node in _parse(handle):
                if node.tag != f"{_M}c":
                    if node.tag == f"{_M}sheetProtection":  # after the cells, when there is one
                        self.protected[title] = node.get("sheet") in ("1", "true")
                    elif node.tag == f"{_M}row":  # its cells are read: free it and those before
                        node.clear()
                        while node.getprevious() is not None:
                            del node.getparent()[0]
                    continue
                yield self._address(node), self._value(node), self._formula(node)
        except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, EOFError) as exc:
            raise self._not_readable(f"part {part} is damaged: {exc}") from None
        finally:
            handle.close()

    def _address(self, node: Any) -> tuple[int, int]:
        found = _ADDRESS.fullmatch(node.get("r") or "")
        if found is None:
            raise self._not_readable("a cell without an address")
        return int(found.group(2)), column_index_from_string(found.group(1))

    def _formula(self, node: Any) -> str | None:
        formula = node.find(f"{_M}f")
        return None if formula is None else (formula.text or "")

    def _value(self, node: Any) -> Any:
        kind = node.get("t") or "n"
        if kind == "inlineStr":
            holder = node.find(f"{_M}is")
            return None if holder is None else decode("".join(holder.itertext()))
        raw = node.find(f"{_M}v")
        text = raw.text if raw is not None else None
        if text is None:
            return None
        if kind == "s":
            try:
                return _SharedRef(int(text))
            except ValueError:
                raise self._not_readable("a shared string without an index") from None
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind in ("str", "e"):
            return decode(text)
        try:
            number = float(text)
        except ValueError:
            raise self._not_readable("a number cell that holds no number") from None
        return (
            int(number)
            if number.is_integer() and "." not in text and "E" not in text.upper()
            else number
        )

    def _resolve(self, cells: dict[tuple[int, int], CellValue]) -> None:
        """Replace shared-string references by their text, reading only the strings used."""
        wanted = {
            v.value.index
            for v in cells.values()
            if isinstance(v.value, _SharedRef) and v.value.index not in self._shared
        }
        if wanted:
            self._read_shared(wanted)
        for key, v in cells.items():
            if isinstance(v.value, _SharedRef):
                text = self._shared.get(v.value.index)
                if text is None:
                    raise self._not_readable(f"shared string {v.value.index} does not exist")
                cells[key] = CellValue(text, v.formula)

    def _read_shared(self, wanted: set[int]) -> None:
        if "xl/sharedStrings.xml" not in self.zip.namelist():
            raise self._not_readable("its cells name shared strings, and it has none")
        index = 0
        last = max(wanted)
        with self.zip.open("xl/sharedStrings.xml") as handle:
            try:
                for _, node in _parse(handle):
                    if node.tag != f"{_M}si":
                        continue
                    if index in wanted:
                        # The string's text runs, not its phonetic guide (rPh).
                        parts = [
                            t.text or ""
                            for t in node.iter(f"{_M}t")
                            if t.getparent().tag != f"{_M}rPh"
                        ]
                        self._shared[index] = decode("".join(parts))
                    node.clear()
                    index += 1
                    if index > last:
                        break
            except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, EOFError) as exc:
                raise self._not_readable(f"its shared strings are damaged: {exc}") from None
