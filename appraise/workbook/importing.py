"""Reading an exported workbook back: its Inputs sheet (as edited) into portfolio file data."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appraise.errors import InputError, Problem
from appraise.model.discounting import Schedule, parse_discount_rate
from appraise.model.load import portfolio_from_data
from appraise.model.provenance import edited_data
from appraise.model.save import portfolio_to_data, set_at, to_yaml
from appraise.model.schema import Portfolio
from appraise.workbook.book import CLAIMS_CHECK, CLAIMS_FILE, FORECAST, INPUTS, Book
from appraise.workbook.cells import CellValue
from appraise.workbook.export import BUILDERS
from appraise.workbook.forecast import forecast_sheet, shared_assumptions
from appraise.workbook.inputs import InputRow
from appraise.workbook.returned import (
    CHECKS,
    INPUT_COLUMNS,
    MAX_HIDDEN_CELLS,
    SPARE_INPUT_ROWS,
    Exported,
    StreamedBook,
    read_exported,
    same,
)
from appraise.workbook.source import HASH_LABEL, SOURCE_FIRST_ROW, fingerprint, source_text
from appraise.workbook.writer import cell

if TYPE_CHECKING:
    from appraise.analyses.verify import ClaimsCheck
    from appraise.workbook.audit import Difference
    from appraise.workbook.writer import Sheet


@dataclass
class Imported:
    """A workbook read back: portfolio file data, the inputs that changed, and what was dropped."""

    data: dict[str, Any]
    changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def yaml(self, source: str) -> str:
        """The portfolio file, headed by a comment saying where it came from."""
        head = (
            f"# Imported by appraise import-xlsx from {source}: "
            f"{len(self.changes)} input(s) changed on its Inputs sheet.\n"
        )
        return head + "".join(f"#   {c}\n" for c in self.changes) + to_yaml(self.data)


def _formula_text(content: CellValue) -> str:
    return (
        f"holds a formula (={(content.formula or '')[:40]}): type the value itself; import-xlsx "
        "never reads a formula's saved result"
    )


def _number(content: CellValue) -> float:
    """An input cell's number. A formula is refused, whatever result it saved: a cell that says
    `=0.035` and saved 0.9 must not be read as either without the user seeing which."""
    if content.formula is not None:
        raise ValueError(_formula_text(content))
    value = content.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"must be a finite number (got {value!r})")
    return float(value)


def _get(data: dict[str, Any], path: str) -> Any:
    """The value at a field path such as `interventions[0].unit_cost` in file data."""
    node: Any = data
    for part in re.findall(r"[^.\[\]]+", path):
        node = node[int(part)] if part.isdigit() and isinstance(node, list) else node[part]
    return node


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    # Optimism-bias ratings such as "3" are dictionary keys, not list positions.
    if path.startswith("optimism_bias."):
        data["optimism_bias"][path.split(".", 1)[1]] = value
    elif path.startswith("discount_rate."):  # a band of a schedule, keyed by its first year
        schedule = parse_discount_rate(data["discount_rate"])
        assert isinstance(schedule, Schedule)
        bands = {str(year): rate for year, rate in schedule.bands}
        data["discount_rate"] = {**bands, path.split(".", 1)[1]: value}
    else:
        set_at(data, _writable(data, path), value)


# What owns the money of a block: its price year is written there when the block is a bare number.
_OWNER = re.compile(r"^(interventions\[\d+\]|outcomes\.[^.]+|placements\.[^.]+|baseline)\.")


def _writable(data: dict[str, Any], path: str) -> str:
    """Where a price year is written: on its block, or, for a block the file writes as a bare
    number (a change of placement's price), on the intervention or outcome that owns it, whose
    price year such a number takes."""
    block = path.removesuffix(".price_year")
    if block == path:
        return path
    try:
        node = _get(data, block)
    except (KeyError, IndexError, TypeError, ValueError):
        return path
    found = _OWNER.match(block + ".")
    # A dict with a `value` is a number with its provenance (cited, derived, ...), not a block.
    if (isinstance(node, dict) and "value" not in node) or found is None:
        return path
    return f"{found.group(1)}.price_year"


def _edited(item: InputRow, new: Any, path: Path, at: str) -> Any:
    """An input changed on the sheet, marked edited by the workbook import with the value and
    provenance it replaced (docs/provenance.md); a setting as it is."""
    if item.param is None:
        return new
    return edited_data(new, item.param.traced, "workbook import", str(path), note=f"cell {at}")


def _at_cell(problem: Problem, where: dict[str, str]) -> Problem:
    """A problem with an imported value, at the cell it came from (an edited value is written
    `{value: ..., edited: ...}`: its `.value` is the cell's)."""
    path = problem.path.removesuffix(".value")
    if path not in where:
        return problem
    return Problem(problem.file, f"{path} ({where[path]})", problem.message, problem.value)


def _forecast_edits(exported: Exported) -> list[str]:
    """The baseline inputs changed on the Forecast sheet, which import does not carry back."""
    portfolio = exported.portfolio
    if FORECAST not in exported.book.titles or portfolio.baseline is None:
        return []
    book = Book.of(portfolio, exported.evidence)
    for build_sheet in BUILDERS[: BUILDERS.index(forecast_sheet) + 1]:
        sheet = build_sheet(book)  # the Forecast sheet comes last: as it was exported
    assert sheet is not None and sheet.title == FORECAST
    now_cells = exported.book.cells(FORECAST, (len(sheet.cells) + SPARE_INPUT_ROWS) * INPUT_COLUMNS)
    out = []
    for (r, c), (value, style) in sorted(sheet.cells.items()):
        now = now_cells.get((r, c), CellValue(None)).value
        if not style.startswith("input"):
            continue
        if isinstance(value, str):
            if str(now or "").strip() == value:
                continue
        elif isinstance(now, int | float) and same(now, value):
            continue
        was = value if isinstance(value, str) else f"{value:g}"
        out.append(
            f"{FORECAST}!{cell(r, c)}: {sheet.cells[(r, 1)][0]} was changed from {was} "
            f"to {now!r} on the workbook; import-xlsx reads the Inputs sheet only, so the "
            "imported file keeps the baseline as it was: change the baseline itself to keep it"
        )
    return out


def import_workbook(path: str | Path) -> Imported:
    """Read an exported workbook's Inputs sheet (as edited) back into portfolio file data.

    The workbook is read once and checked first (`read_exported`, then each of `CHECKS`): its
    hidden portfolio file must be as exported, and give the Inputs values it was exported with.
    Then each input: an unchanged one keeps its distribution; an edited one becomes a plain number
    (listed in `warnings`). A formula in an input cell, a row fixed by the file's structure that
    was changed, a key on two rows, or a value the file format rejects is an InputError naming
    the cell.
    """
    exported = read_exported(path)
    name = exported.name
    problems = [p for check in CHECKS for p in check(exported)]
    if problems:
        raise InputError(problems)
    unprotected = _unchanged_outside_inputs(exported)
    cells = dict(exported.cells)
    data = portfolio_to_data(exported.portfolio)
    result = Imported(data, warnings=unprotected)
    where: dict[str, str] = {}
    for item in exported.rows:
        if item.key not in cells:
            problems.append(
                Problem(name, f"{INPUTS}!", f"the row for {item.key!r} ({item.label}) is missing")
            )
            continue
        r, content = cells.pop(item.key)
        at = f"{INPUTS}!{cell(r, exported.value_col)}"
        if content.formula is not None and (item.kind != "fixed" or item.choices):
            problems.append(Problem(name, at, f"{item.label}: {_formula_text(content)}"))
            continue
        shown = content.value
        if item.kind == "fixed" and isinstance(item.value, str):  # a name the file decides
            if str(shown if shown is not None else "").strip() != item.value:
                problems.append(
                    Problem(
                        name,
                        at,
                        f"{item.label} is fixed by the portfolio file and cannot be imported "
                        f"(it was {item.value}); change the portfolio file and export again",
                        shown,
                    )
                )
            continue
        if item.choices:  # a name (an evidence rating, a price year), typed as text or a number
            try:
                chosen = item.to_file(shown) if item.to_file else shown
            except ValueError as exc:
                problems.append(Problem(name, at, f"{item.label}: {exc}", shown))
                continue
            if chosen != item.value:
                _set(data, item.path, chosen)
                where[item.path] = at
                result.changes.append(f"{item.path}: {item.value} -> {chosen} ({at})")
            continue
        try:
            value = _number(content)
        except ValueError as exc:
            problems.append(Problem(name, at, f"{item.label}: {exc}"))
            continue
        if same(value, item.value):
            continue
        if item.kind == "fixed":
            problems.append(
                Problem(
                    name,
                    at,
                    f"{item.label} is fixed by the portfolio file's structure and cannot be "
                    f"imported (it was {item.value:g}); change the portfolio file and export again",
                    value,
                )
            )
            continue
        try:
            new = item.to_file(value) if item.to_file else value
        except ValueError as exc:
            problems.append(Problem(name, at, f"{item.label}: {exc}", value))
            continue
        _set(data, item.path, _edited(item, new, path, at))
        where[item.path] = at
        result.changes.append(f"{item.path}: {item.value:g} -> {value:g} ({at})")
        if item.param is not None and item.param.uncertain:
            result.warnings.append(
                f"{item.path}: had a {item.param.value.kind} distribution; its value was changed "
                f"on the workbook ({at}), so the imported file holds the plain number {value:g}"
            )
    for key, (r, _) in cells.items():
        problems.append(Problem(name, f"{INPUTS}!row {r}", "not an input of this portfolio", key))
    result.warnings += _forecast_edits(exported)
    result.changes += _keep_assumed_price_years(data, exported.model, exported.rows, where)
    # An assumption the baseline shares with the LAC outcome's cost is one cell: both follow it.
    for shared, key in shared_assumptions(exported.portfolio).items():
        if key in where:
            data["baseline"][shared] = _get(data, key)
            result.changes.append(f"baseline.{shared}: follows {key} (the same cell, {where[key]})")
    if problems:
        raise InputError(problems)
    try:
        portfolio_from_data(data, name)
    except InputError as exc:
        raise InputError([_at_cell(p, where) for p in exc.problems]) from None
    return result


def _keep_assumed_price_years(
    data: dict[str, Any], model: Any, rows: list[InputRow], where: dict[str, str]
) -> list[str]:
    """When the price base was changed on Inputs, the figures that gave no price year keep the
    one the workbook showed them in (the old base): written into the file, since a file's
    missing price year means the base, which has moved. Returns the changes made."""
    prices = model.prices
    if prices is None or "price_year" not in where:
        return []
    old = prices.base.label
    out = []
    for item in rows:
        block = prices.blocks.get(item.path.removesuffix(".price_year"))
        edited = item.path in where
        if item.line.endswith("_price_year") and not edited and block and block.assumed:
            written = _writable(data, item.path)
            _set(data, item.path, old)
            change = f"{written}: stays {old} (it gave no price year; the base moved)"
            if change not in out:
                out.append(change)
    baseline, block = data.get("baseline"), prices.blocks.get("baseline")
    if isinstance(baseline, dict) and block is not None and block.assumed:
        baseline["price_year"] = old
        out.append(f"baseline.price_year: stays {old} (it gave no price year; the base moved)")
    return out


def _sheet(wb: Any, title: str, path: Path) -> Any:
    if title not in wb.sheetnames:
        raise InputError.one(
            str(path),
            "",
            f"no sheet named {title!r}: import-xlsx reads workbooks made by `appraise export`",
        )
    return wb[title]


def _held_text(wb: Any, title: str, path: Path, what: str) -> tuple[str, str]:
    """(the file's name for messages, its text) held on the hidden sheet `title`, refused when
    the text no longer matches the fingerprint recorded beside it at export."""
    ws = _sheet(wb, title, path)
    rows = [
        (ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(SOURCE_FIRST_ROW, ws.max_row + 1)
    ]
    name = f"{path} (sheet {title!r})"
    text = source_text(rows)
    recorded = ws.cell(2, 2).value
    if ws.cell(2, 1).value != HASH_LABEL or recorded != fingerprint(text):
        raise InputError.one(
            name,
            "",
            f"the hidden sheet holding the {what} was edited (its SHA-256 no longer matches the "
            "one recorded at export), so the interventions' structure (ids, forms, ratings, "
            "sources) cannot be trusted; change the portfolio file, or the Inputs sheet (where "
            "the evidence rating is an input), and export again",
        )
    return name, text


def embedded_claims(wb: Any, path: Path, portfolio: Portfolio) -> ClaimsCheck | None:
    """The claims check of a workbook exported with claims, worked out again from the claims
    file it holds (hidden); None for a workbook without a Claims check sheet."""
    from appraise.analyses.verify import claims_check_from_text

    if CLAIMS_FILE not in wb.sheetnames:
        if CLAIMS_CHECK in wb.sheetnames:
            raise InputError.one(
                str(path),
                "",
                f"the workbook has a {CLAIMS_CHECK!r} sheet but not the claims file it was "
                "checked from (a workbook exported by an earlier appraise): export it again",
            )
        return None
    name, text = _held_text(wb, CLAIMS_FILE, path, "claims file")
    return claims_check_from_text(text, name, portfolio, path)


def streamed(exported: Exported) -> tuple[StreamedBook, dict[str, int]]:
    """The workbook's sheets as the audit reads them, each bounded by the cells export wrote
    there (filled in once they are laid out again; a hidden sheet by its own bound)."""
    bounds: dict[str, int] = {}
    book = StreamedBook(exported.book, lambda title: bounds.get(title, MAX_HIDDEN_CELLS))
    return book, bounds


@dataclass(frozen=True)
class Opened:
    """An exported workbook beside the workbook its portfolio file gives, laid out once: what
    `audit.compare` takes (for import-xlsx and check-xlsx alike)."""

    wb: StreamedBook  # the file's sheets, streamed, each bounded by what export wrote there
    book: Book  # the workbook laid out again: where it places the cells a user may change
    sheets: list[Sheet]
    portfolio: Portfolio
    claims: ClaimsCheck | None  # the claims check, when it was exported with one

    def differences(self) -> list[Difference]:
        """Each cell of the file that differs from the workbook laid out again."""
        from appraise.workbook.audit import compare

        return compare(self.sheets, self.wb, self.book)


def _beside_its_layout(exported: Exported) -> Opened:
    """The workbook streamed, its claims check worked out again from the claims file it holds,
    and the workbook its portfolio file gives laid out, whose cells bound each sheet's read."""
    from appraise.workbook.audit import laid_out

    wb, bounds = streamed(exported)
    claims = embedded_claims(wb, exported.path, exported.portfolio)
    book, sheets = laid_out(exported.portfolio, exported.evidence, claims)
    bounds.update({s.title: len(s.cells) * 2 + SPARE_INPUT_ROWS * INPUT_COLUMNS for s in sheets})
    return Opened(wb, book, sheets, exported.portfolio, claims)


def _unchanged_outside_inputs(exported: Exported) -> list[str]:
    """InputError naming each cell outside the inputs that differs from the workbook the
    portfolio file gives (`appraise check-xlsx`): the imported file would not give its figures.
    Returns the warnings: sheets whose protection was removed."""
    from appraise.workbook.audit import MAX_LISTED, PROTECTION_REMOVED

    # An input cell holding a formula is refused by the import itself, in the input's own words;
    # a sheet's protection removed changes no figure, so it is said, not refused.
    found = [d for d in _beside_its_layout(exported).differences() if d.what != "an input"]
    differences = [d for d in found if d.found != PROTECTION_REMOVED]
    unprotected = [
        f"{d.sheet}: its protection was removed (no formula on it was changed)"
        for d in found
        if d.found == PROTECTION_REMOVED
    ]
    if not differences:
        return unprotected
    name = exported.name
    problems = [
        Problem(
            name,
            d.where,
            f"{d.what + ': ' if d.what else ''}expected {d.expected}, found {d.found}: changed "
            "outside the inputs, so the portfolio file import-xlsx writes would not give this "
            "workbook's figures; undo the change (appraise check-xlsx lists every one) or edit "
            "the portfolio file and export again",
        )
        for d in differences[:MAX_LISTED]
    ]
    if len(differences) > MAX_LISTED:
        problems.append(
            Problem(name, "", f"and {len(differences) - MAX_LISTED:,} more cells like these")
        )
    raise InputError(problems)


def opened(path: str | Path) -> Opened:
    """An exported workbook as the audit reads it (streamed, each sheet bounded) beside the
    workbook the portfolio file it holds gives, with its claims check when it was exported with
    claims (for `appraise check-xlsx`). The file is read once, bounded and checked as import reads
    it, and laid out once."""
    return _beside_its_layout(read_exported(path))
