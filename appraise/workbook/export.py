"""The appraisal workbook: build its sheets and write it to .xlsx with live formulas.

`workbook_bytes(portfolio)` is what the app offers for download and `export_workbook` writes for
`appraise export`. Reading an edited workbook back is `appraise.workbook.importing`; having
LibreOffice recompute it, `appraise.workbook.recalc`.

The sheets come from one builder function each, one module a sheet. To add a sheet, write
`def my_sheet(book: Book) -> Sheet | None` (None: the sheet does not apply), put it in BUILDERS
after every sheet it refers to, and its title in TAB_ORDER. A portfolio with a baseline gets a
`Forecast` sheet; `claims=` (from `appraise.analyses.verify.check_claims`) adds a `Claims check`
and, hidden, the claims file it was checked from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path

from appraise.analyses.verify import ClaimsCheck
from appraise.errors import InputError
from appraise.model.identity import RunIdentity
from appraise.model.limits import check_workbook
from appraise.model.load import evidence_for
from appraise.model.save import write_atomic
from appraise.model.schema import Evidence, Portfolio
from appraise.model.yamltext import collector_paused
from appraise.workbook.about import about_sheet
from appraise.workbook.book import (
    ABOUT,
    CALCULATIONS,
    CASH_FLOWS,
    CHECKS,
    CLAIMS_CHECK,
    CLAIMS_FILE,
    EVIDENCE,
    FORECAST,
    INDICES,
    INPUTS,
    OUTCOMES,
    SOURCE,
    SUMMARY,
    Book,
)
from appraise.workbook.calculations import calculations_sheet
from appraise.workbook.cashflows import cash_flows_sheet
from appraise.workbook.checks import checks_sheet
from appraise.workbook.claims import claims_sheet
from appraise.workbook.evidence import evidence_sheet
from appraise.workbook.forecast import forecast_sheet
from appraise.workbook.formulas import FORMULA_CHECK, formula_check_sheet
from appraise.workbook.indices import indices_sheet
from appraise.workbook.inputs import inputs_sheet
from appraise.workbook.integrity import INTEGRITY, integrity_sheet
from appraise.workbook.options import OPTIONS, options_sheet
from appraise.workbook.outcomes import outcomes_sheet
from appraise.workbook.programme_sheet import PROGRAMME_SHEET, programme_sheet
from appraise.workbook.source import claims_file_sheet, source_sheet
from appraise.workbook.staffing import STAFFING, staffing_sheet
from appraise.workbook.summary import summary_sheet
from appraise.workbook.writer import Sheet, render, settle_references

# Built in this order: a sheet may refer to cells of any sheet built before it. A builder returns
# None when its sheet does not apply (Forecast without a baseline, Claims check without claims).
BUILDERS: list[Callable[[Book], Sheet | None]] = [
    indices_sheet,
    inputs_sheet,
    staffing_sheet,
    outcomes_sheet,
    calculations_sheet,
    cash_flows_sheet,
    options_sheet,
    summary_sheet,
    forecast_sheet,
    programme_sheet,
    claims_sheet,
    evidence_sheet,
    formula_check_sheet,
    integrity_sheet,
    checks_sheet,
    about_sheet,
    source_sheet,
    claims_file_sheet,
]
# Shown in this order; a sheet not named here follows these, in build order.
TAB_ORDER = (
    ABOUT,
    INPUTS,
    OUTCOMES,
    STAFFING,
    CALCULATIONS,
    SUMMARY,
    OPTIONS,
    CASH_FLOWS,
    FORECAST,
    PROGRAMME_SHEET,
    CLAIMS_CHECK,
    EVIDENCE,
    INDICES,
    CHECKS,
    INTEGRITY,
    SOURCE,
    CLAIMS_FILE,
    FORMULA_CHECK,
)


def layout(
    portfolio: Portfolio,
    evidence: Mapping[str, Evidence] | None = None,
    today: dt.date | None = None,
    claims: ClaimsCheck | None = None,
    identity: RunIdentity | None = None,
    materialised: bool = True,
) -> tuple[Book, list[Sheet]]:
    """The workbook laid out: the Book (where every line was placed) and its sheets in tab order.
    `identity`: the run's (file, content hash, version, date), shown on About. `materialised`:
    every cell in its sheet's `cells`, the Formula check's too (else they are worked out as the
    workbook is written, `Sheet.generated`)."""
    registry = evidence_for(portfolio) if evidence is None else evidence
    book = Book.of(portfolio, registry, today, claims, identity)
    for build in BUILDERS:
        sheet = build(book)
        if sheet is not None:
            book.built.append(sheet)
        for built in book.built:
            built._shared.clear()  # its cells share what they can: no more needed
    sheets = book.built
    settle_references(sheets)
    footer = run_text(book)
    for sheet in sheets:
        sheet.footer = footer
        if materialised:
            sheet.materialise()
    rank = {title: k for k, title in enumerate(TAB_ORDER)}
    return book, sorted(sheets, key=lambda s: rank.get(s.title, len(rank)))


def run_text(book: Book) -> str:
    """The run a printed page comes from: the portfolio file, its content hash, appraise's
    version and the date (as About and the committee paper give them)."""
    from appraise.version import __version__

    if book.identity is not None:
        return f"{book.portfolio.portfolio}: {book.identity.short}"
    return f"{book.portfolio.portfolio}: appraise {__version__}, {book.today.isoformat()}"


def build_sheets(
    portfolio: Portfolio,
    evidence: Mapping[str, Evidence] | None = None,
    today: dt.date | None = None,
    claims: ClaimsCheck | None = None,
    identity: RunIdentity | None = None,
) -> list[Sheet]:
    """Every sheet of the workbook, in tab order, as `render` writes them (the Formula check's
    cells worked out as they are written)."""
    return layout(portfolio, evidence, today, claims, identity, materialised=False)[1]


def workbook_bytes(
    portfolio: Portfolio,
    evidence: Mapping[str, Evidence] | None = None,
    today: dt.date | None = None,
    claims: ClaimsCheck | None = None,
    identity: RunIdentity | None = None,
) -> bytes:
    """The appraisal workbook as .xlsx bytes (what `appraise export --xlsx` writes); InputError
    for a portfolio too large for one (`appraise.model.limits.check_workbook`)."""
    from appraise.version import __version__

    check_workbook(portfolio.file, len(portfolio.interventions), portfolio.horizon_years)
    props = {
        "title": f"Appraisal: {portfolio.portfolio}",
        "creator": f"appraise {__version__}",
    }
    # Laying out and writing a workbook makes millions of cells and strings and no cycles: with
    # the collector scanning them again and again, export took a third more CPU (issue 27).
    with collector_paused():
        return render(build_sheets(portfolio, evidence, today, claims, identity), props)


def export_workbook(
    portfolio: Portfolio,
    path: str | Path,
    evidence: Mapping[str, Evidence] | None = None,
    claims: ClaimsCheck | None = None,
    identity: RunIdentity | None = None,
) -> Path:
    """Write the workbook to `path` atomically (a failed export leaves no partial file)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputError.one(str(path), "", "the workbook's file name must end in .xlsx")
    data = workbook_bytes(portfolio, evidence, claims=claims, identity=identity)
    return write_atomic(path, data)
