"""The appraisal workbook: export to .xlsx with live formulas, import edited inputs back, recalculate.

`workbook_bytes(portfolio)` is what the app offers for download and `export_workbook` writes for
`appraise export`; `import_workbook(path)` reads a workbook's Inputs sheet back into portfolio file
data; `recalculate(path)` has LibreOffice recompute every formula (for tests and benchmarks).

The sheets come from one builder function each (appraise.excel_sheets, excel_cashflows,
excel_forecast, excel_claims, excel_outputs). To add a sheet, write
`def my_sheet(book: Book) -> Sheet | None` (None: the sheet does not apply), put it in BUILDERS
after every sheet it refers to, and its title in TAB_ORDER. A portfolio with a baseline gets a
`Forecast` sheet; `claims=` (from `excel_claims.check_claims`) adds a `Claims check` sheet.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appraise.analyses.verify import ClaimsCheck
from appraise.engine.params import build
from appraise.errors import InputError, Problem
from appraise.model.load import evidence_for, portfolio_from_data
from appraise.model.save import portfolio_to_data, set_at, to_yaml, write_atomic
from appraise.model.schema import Evidence, Portfolio
from appraise.workbook.book import (
    ABOUT,
    CALCULATIONS,
    CASH_FLOWS,
    CHECKS,
    CLAIMS_CHECK,
    EVIDENCE,
    FORECAST,
    INPUTS,
    OUTCOMES,
    SOURCE,
    SUMMARY,
    Book,
    calculations_sheet,
    inputs_sheet,
    outcomes_sheet,
)
from appraise.workbook.cashflows import cash_flows_sheet
from appraise.workbook.claims import claims_sheet
from appraise.workbook.forecast import forecast_sheet
from appraise.workbook.guard import check_workbook_zip
from appraise.workbook.inputs import INPUT_KEY_HEADER, InputRow, input_rows
from appraise.workbook.outputs import (
    SOURCE_FIRST_ROW,
    about_sheet,
    checks_sheet,
    evidence_sheet,
    source_sheet,
    source_text,
    summary_sheet,
)
from appraise.workbook.writer import Sheet, cell, read_text, render

# Built in this order: a sheet may refer to cells of any sheet built before it. A builder returns
# None when its sheet does not apply (Forecast without a baseline, Claims check without claims).
BUILDERS: list[Callable[[Book], Sheet | None]] = [
    inputs_sheet,
    outcomes_sheet,
    calculations_sheet,
    cash_flows_sheet,
    summary_sheet,
    forecast_sheet,
    claims_sheet,
    evidence_sheet,
    checks_sheet,
    about_sheet,
    source_sheet,
]
# Shown in this order; a sheet not named here follows these, in build order.
TAB_ORDER = (
    ABOUT,
    INPUTS,
    OUTCOMES,
    CALCULATIONS,
    SUMMARY,
    CASH_FLOWS,
    FORECAST,
    CLAIMS_CHECK,
    EVIDENCE,
    CHECKS,
    SOURCE,
)


def build_sheets(
    portfolio: Portfolio,
    evidence: Mapping[str, Evidence] | None = None,
    today: dt.date | None = None,
    claims: ClaimsCheck | None = None,
) -> list[Sheet]:
    """Every sheet of the workbook, in tab order."""
    registry = evidence_for(portfolio) if evidence is None else evidence
    book = Book.of(portfolio, registry, today, claims)
    sheets = [sheet for build in BUILDERS if (sheet := build(book)) is not None]
    rank = {title: k for k, title in enumerate(TAB_ORDER)}
    return sorted(sheets, key=lambda s: rank.get(s.title, len(rank)))


def workbook_bytes(
    portfolio: Portfolio,
    evidence: Mapping[str, Evidence] | None = None,
    today: dt.date | None = None,
    claims: ClaimsCheck | None = None,
) -> bytes:
    """The appraisal workbook as .xlsx bytes (what `appraise export --xlsx` writes)."""
    from appraise.version import __version__

    props = {
        "title": f"Appraisal: {portfolio.portfolio}",
        "creator": f"appraise {__version__}",
    }
    return render(build_sheets(portfolio, evidence, today, claims), props)


def export_workbook(
    portfolio: Portfolio,
    path: str | Path,
    evidence: Mapping[str, Evidence] | None = None,
    claims: ClaimsCheck | None = None,
) -> Path:
    """Write the workbook to `path` atomically (a failed export leaves no partial file)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputError.one(str(path), "", "the workbook's file name must end in .xlsx")
    return write_atomic(path, workbook_bytes(portfolio, evidence, claims=claims))


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------


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


def _embedded_portfolio(wb: Any, path: Path) -> Portfolio:
    ws = _sheet(wb, SOURCE, path)
    rows = [
        (ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(SOURCE_FIRST_ROW, ws.max_row + 1)
    ]
    name = f"{path} (sheet {SOURCE!r})"
    try:
        raw = json.loads(source_text(rows))
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


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    # Optimism-bias ratings such as "3" are dictionary keys, not list positions.
    if path.startswith("optimism_bias."):
        data["optimism_bias"][path.split(".", 1)[1]] = value
    else:
        set_at(data, path, value)


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
        if style.startswith("input") and not (isinstance(now, int | float) and _same(now, value)):
            out.append(
                f"{FORECAST}!{cell(r, c)}: {exported.cells[(r, 1)][0]} was changed from {value:g} "
                f"to {now!r} on the workbook; import-xlsx reads the Inputs sheet only, so the "
                "imported file keeps the baseline as it was: change the baseline itself to keep it"
            )
    return out


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
    rows = [r for r in input_rows(build(portfolio, evidence), evidence) if isinstance(r, InputRow)]
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
        _set(data, item.path, new)
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
    if problems:
        raise InputError(problems)
    try:
        portfolio_from_data(data, str(path))
    except InputError as exc:
        raise InputError(
            [
                Problem(p.file, f"{p.path} ({where[p.path]})", p.message, p.value)
                if p.path in where
                else p
                for p in exc.problems
            ]
        ) from None
    return result


# ---------------------------------------------------------------------------------------------
# Recalculation (LibreOffice)
# ---------------------------------------------------------------------------------------------

# A private LibreOffice profile that recalculates every formula on load, whatever values the file
# has saved (LibreOffice's default for .xlsx is to trust them).
_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    """Path of LibreOffice's command-line program, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def recalculate(
    paths: Path | Sequence[Path], outdir: Path | None = None, timeout: float = 600
) -> list[Path]:
    """Have LibreOffice (headless) open, recalculate and save each workbook into `outdir`.

    Returns the recalculated copies (same names, in `outdir`, a new temporary folder by default).
    Each run uses its own LibreOffice profile, so several can run at once.
    """
    paths = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    program = soffice()
    if program is None:
        raise FileNotFoundError("LibreOffice (soffice) is not installed")
    outdir = Path(outdir) if outdir else Path(tempfile.mkdtemp(prefix="appraise-recalc-"))
    outdir.mkdir(parents=True, exist_ok=True)
    if any(p.resolve().parent == outdir.resolve() for p in paths):
        raise ValueError("recalculate writes copies with the same names: use another folder")
    with tempfile.TemporaryDirectory(prefix="appraise-lo-profile-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_RECALC_ALWAYS, encoding="utf-8")
        command = [
            program,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(outdir),
            *map(str, paths),
        ]
        proc = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    out = [outdir / (p.stem + ".xlsx") for p in paths]
    missing = [str(p) for p in out if not p.exists()]
    if missing:
        raise RuntimeError(
            f"LibreOffice did not write {', '.join(missing)} (exit {proc.returncode}): "
            f"{proc.stderr.strip() or proc.stdout.strip()}"
        )
    return out
