"""Reading an exported workbook back: its Inputs sheet (as edited) into portfolio file data."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appraise.errors import InputError, Problem
from appraise.model.discounting import Schedule, parse_discount_rate
from appraise.model.load import portfolio_from_data
from appraise.model.provenance import edited_data
from appraise.model.save import portfolio_to_data, set_at, to_yaml
from appraise.workbook.book import FORECAST, INPUTS, Book
from appraise.workbook.cells import CellValue
from appraise.workbook.edits import edits_outside_inputs
from appraise.workbook.export import BUILDERS
from appraise.workbook.forecast import forecast_sheet, shared_assumptions
from appraise.workbook.inputs import InputRow
from appraise.workbook.returned import (
    CHECKS,
    INPUT_COLUMNS,
    SPARE_INPUT_ROWS,
    Exported,
    read_exported,
    same,
)
from appraise.workbook.writer import cell


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
    node: Any = data
    for part in path.split("."):
        node = node[part]
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
        set_at(data, path, value)


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
    cells = dict(exported.cells)
    data = portfolio_to_data(exported.portfolio)
    result = Imported(data)
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
    result.warnings += edits_outside_inputs(exported)
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
