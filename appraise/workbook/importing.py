"""Reading an exported workbook back: its Inputs sheet (as edited) into portfolio file data."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appraise.engine.params import build
from appraise.errors import InputError, Problem
from appraise.model.discounting import Schedule, parse_discount_rate
from appraise.model.load import evidence_for, portfolio_from_data
from appraise.model.provenance import edited_data
from appraise.model.save import portfolio_to_data, set_at, to_yaml
from appraise.model.schema import Evidence, Portfolio
from appraise.workbook.book import CLAIMS_CHECK, CLAIMS_FILE, FORECAST, INPUTS, SOURCE, Book
from appraise.workbook.export import BUILDERS
from appraise.workbook.forecast import forecast_sheet, shared_assumptions
from appraise.workbook.guard import check_workbook_zip
from appraise.workbook.inputs import INPUT_KEY_HEADER, InputRow, input_rows
from appraise.workbook.programme_sheet import PROGRAMME_SHEET
from appraise.workbook.source import HASH_LABEL, SOURCE_FIRST_ROW, fingerprint, source_text
from appraise.workbook.writer import cell, read_text

if TYPE_CHECKING:
    from appraise.analyses.verify import ClaimsCheck


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


MAX_WORKBOOK_BYTES = 200 * 2**20  # a 200-intervention workbook is about 1 MiB


def _open(path: Path, data_only: bool = False) -> Any:
    from openpyxl import load_workbook

    try:
        if path.is_file() and path.stat().st_size > MAX_WORKBOOK_BYTES:
            raise InputError.one(
                str(path), "", f"file is larger than {MAX_WORKBOOK_BYTES // 2**20} MiB"
            )
        check_workbook_zip(path)  # what each part inflates to, before openpyxl parses any
        return load_workbook(path, data_only=data_only, read_only=False)
    except FileNotFoundError:
        raise InputError.one(str(path), "", "file not found") from None
    except IsADirectoryError:
        raise InputError.one(str(path), "", "is a folder, not a file") from None
    except InputError:
        raise
    except Exception as exc:  # whatever a damaged or foreign file makes openpyxl raise
        raise InputError.one(
            str(path), "", f"not an .xlsx workbook that appraise can read ({exc})"
        ) from None


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


def _embedded_portfolio(wb: Any, path: Path) -> Portfolio:
    if SOURCE not in wb.sheetnames and PROGRAMME_SHEET in wb.sheetnames:
        raise InputError.one(
            str(path),
            "",
            "a programme's workbook holds no portfolio file to read back or lay out again: "
            "check-xlsx and import-xlsx read the workbook of a portfolio; a programme's "
            "workbook is checked by its own Integrity sheet when a spreadsheet program opens it",
        )
    name, text = _held_text(wb, SOURCE, path, "portfolio file")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError.one(
            name, f"line {exc.lineno}", f"the portfolio file held there does not parse: {exc.msg}"
        ) from None
    return portfolio_from_data(raw, name)


def _input_cells(ws: Any, path: Path) -> tuple[int, dict[str, tuple[int, Any]]]:
    """The value column, and key -> (row, value cell content), wherever the header row is."""
    header_row = value_col = key_col = None
    for row in ws.iter_rows(min_row=1, max_row=10):
        texts = {c.value: c.column for c in row if isinstance(c.value, str)}
        if "Value" in texts and INPUT_KEY_HEADER in texts:
            header_row, value_col, key_col = row[0].row, texts["Value"], texts[INPUT_KEY_HEADER]
            break
    if header_row is None:
        raise InputError.one(
            str(path), f"{INPUTS}!", f"cannot find the header row (Value ... {INPUT_KEY_HEADER})"
        )
    found: dict[str, tuple[int, Any]] = {}
    for r in range(header_row + 1, ws.max_row + 1):
        key = ws.cell(r, key_col).value
        if isinstance(key, str) and key.strip():
            found[read_text(key.strip())] = (r, ws.cell(r, value_col).value)
    return value_col, found


def _number(content: Any, cached: Callable[[], Any]) -> float:
    """A cell's number; a formula counts by its saved value. ValueError if there is none."""
    if isinstance(content, str) and content.startswith("="):
        content = cached()
        if content is None:
            raise ValueError("holds a formula with no saved value: type a number instead")
    if isinstance(content, bool) or not isinstance(content, int | float):
        raise ValueError(f"expected a number, got {content!r}")
    if not math.isfinite(content):
        raise ValueError(f"must be a finite number (got {content!r})")
    return float(content)


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)


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


def _forecast_edits(wb: Any, portfolio: Portfolio, evidence: Mapping[str, Evidence]) -> list[str]:
    """The baseline inputs changed on the Forecast sheet, which import does not carry back."""
    if FORECAST not in wb.sheetnames or portfolio.baseline is None:
        return []
    book = Book.of(portfolio, evidence)
    for build_sheet in BUILDERS[: BUILDERS.index(forecast_sheet) + 1]:
        exported = build_sheet(book)  # the Forecast sheet comes last: as it was exported
    assert exported is not None and exported.title == FORECAST
    ws = wb[FORECAST]
    out = []
    for (r, c), (value, style) in sorted(exported.cells.items()):
        now = ws.cell(r, c).value
        if not style.startswith("input"):
            continue
        if isinstance(value, str):
            if str(now or "").strip() == value:
                continue
        elif isinstance(now, int | float) and _same(now, value):
            continue
        was = value if isinstance(value, str) else f"{value:g}"
        out.append(
            f"{FORECAST}!{cell(r, c)}: {exported.cells[(r, 1)][0]} was changed from {was} "
            f"to {now!r} on the workbook; import-xlsx reads the Inputs sheet only, so the "
            "imported file keeps the baseline as it was: change the baseline itself to keep it"
        )
    return out


def _unchanged_outside_inputs(
    wb: Any, portfolio: Portfolio, evidence: Mapping[str, Evidence], path: Path
) -> None:
    """InputError naming each cell outside the inputs that differs from the workbook the
    portfolio file gives (`appraise check-xlsx`): the imported file would not give its figures."""
    from appraise.workbook.audit import MAX_LISTED, compare, laid_out

    book, sheets = laid_out(portfolio, evidence, embedded_claims(wb, path, portfolio))
    differences = compare(sheets, wb, book)
    if not differences:
        return
    problems = [
        Problem(
            str(path),
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
            Problem(str(path), "", f"and {len(differences) - MAX_LISTED:,} more cells like these")
        )
    raise InputError(problems)


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


def opened(path: str | Path) -> tuple[Any, Portfolio, ClaimsCheck | None]:
    """An exported workbook (openpyxl, formulas as text), the portfolio file it holds and, when
    it was exported with claims, their check worked out again."""
    path = Path(path)
    wb = _open(path)
    portfolio = _embedded_portfolio(wb, path)
    return wb, portfolio, embedded_claims(wb, path, portfolio)


def import_workbook(path: str | Path) -> Imported:
    """Read an exported workbook's Inputs sheet (as edited) back into portfolio file data.

    An input whose value is unchanged keeps its distribution; an edited one becomes a plain number
    (the change is listed in `warnings`). Rows fixed by the file's structure cannot be edited:
    changing one is an InputError naming the cell, as is any value the file format rejects.
    """
    path = Path(path)
    wb = _open(path)
    portfolio = _embedded_portfolio(wb, path)
    evidence = evidence_for(portfolio)
    _unchanged_outside_inputs(wb, portfolio, evidence, path)
    model = build(portfolio, evidence)
    rows = [r for r in input_rows(model, evidence) if isinstance(r, InputRow)]
    value_col, cells = _input_cells(_sheet(wb, INPUTS, path), path)
    cached_book: list[Any] = []

    def cached(r: int) -> Callable[[], Any]:
        def value() -> Any:
            if not cached_book:
                cached_book.append(_open(path, data_only=True))
            return cached_book[0][INPUTS].cell(r, value_col).value

        return value

    data = portfolio_to_data(portfolio)
    result = Imported(data)
    problems: list[Problem] = []
    where: dict[str, str] = {}
    for item in rows:
        if item.key not in cells:
            problems.append(
                Problem(
                    str(path), f"{INPUTS}!", f"the row for {item.key!r} ({item.label}) is missing"
                )
            )
            continue
        r, content = cells.pop(item.key)
        at = f"{INPUTS}!{cell(r, value_col)}"
        if item.kind == "fixed" and isinstance(item.value, str):  # a name the file decides
            if str(content if content is not None else "").strip() != item.value:
                problems.append(
                    Problem(
                        str(path),
                        at,
                        f"{item.label} is fixed by the portfolio file and cannot be imported "
                        f"(it was {item.value}); change the portfolio file and export again",
                        content,
                    )
                )
            continue
        if item.choices:  # a name (an evidence rating, a price year), typed as text or a number
            try:
                chosen = item.to_file(content) if item.to_file else content
            except ValueError as exc:
                problems.append(Problem(str(path), at, f"{item.label}: {exc}", content))
                continue
            if chosen != item.value:
                _set(data, item.path, chosen)
                where[item.path] = at
                result.changes.append(f"{item.path}: {item.value} -> {chosen} ({at})")
            continue
        try:
            value = _number(content, cached(r))
        except ValueError as exc:
            problems.append(Problem(str(path), at, f"{item.label}: {exc}"))
            continue
        if _same(value, item.value):
            continue
        if item.kind == "fixed":
            problems.append(
                Problem(
                    str(path),
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
            problems.append(Problem(str(path), at, f"{item.label}: {exc}", value))
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
        problems.append(
            Problem(str(path), f"{INPUTS}!row {r}", "not an input of this portfolio", key)
        )
    result.warnings += _forecast_edits(wb, portfolio, evidence)
    result.changes += _keep_assumed_price_years(data, model, rows, where)
    # An assumption the baseline shares with the LAC outcome's cost is one cell: both follow it.
    for name, key in shared_assumptions(portfolio).items():
        if key in where:
            data["baseline"][name] = _get(data, key)
            result.changes.append(f"baseline.{name}: follows {key} (the same cell, {where[key]})")
    if problems:
        raise InputError(problems)
    try:
        portfolio_from_data(data, str(path))
    except InputError as exc:
        raise InputError([_at_cell(p, where) for p in exc.problems]) from None
    return result
