"""The `Evidence` sheet: every source the workbook cites, with what it found."""

from __future__ import annotations

from typing import Any

from appraise.model.provenance import sources_of
from appraise.workbook.book import EVIDENCE, Book
from appraise.workbook.writer import Sheet


def cited_sources(book: Book) -> dict[str, list[str]]:
    """Every source id the workbook cites, with what it is cited for, in order of first citation."""
    cited: dict[str, list[str]] = {}
    # What each source is already cited for, looked up in a set: a source cited by every
    # intervention made each look-up a search of a list as long as the portfolio (issue 27).
    known: set[tuple[str, str]] = set()

    def cite(ids: Any, what: str) -> None:
        for s in ids:
            if s in book.evidence and (s, what) not in known:
                known.add((s, what))
                cited.setdefault(s, []).append(what)

    cite(["green-book-2022"], "discount rate")
    for key, outcome in book.portfolio.outcomes.items():
        cite(outcome.sources, key)
    for item in book.model.interventions:
        cite(item.evidence.sources, item.id)
    cite(["sanchez-meca-2003"], "Cox factor")
    cite(["hasselblad-1995", "chinn-2000"], "logistic factor")
    for p in book.model.params:  # the sources of every input, the project's defaults included
        cite(p.sources, p.owner)
        cite(sources_of(p.provenance), p.owner)
    prices = book.model.prices
    if prices is not None:
        cite(["green-book-2022"], "price base")
        used = sorted({prices.names[path] for path in prices.blocks})
        for name in used:
            source = prices.indices[name].evidence
            if source:
                cite([source], f"price index {name}")
    return cited


def evidence_sheet(book: Book) -> Sheet:
    """Every cited source: full reference and what it found."""
    sheet = book.sheet(
        EVIDENCE,
        freeze="B3",
        print_rows="2:2",
        widths={1: 24, 2: 28, 3: 60, 6: 80, 7: 30, 8: 40},
        pages_wide=1,  # text that wraps: one page wide, the rows as tall as they need
    )
    sheet.put(1, 1, "Evidence: every source the workbook cites", "title")
    headers = (
        "Id",
        "Citation",
        "Full reference",
        "Type",
        "Country",
        "What it found",
        "Cited for",
        "Licence",
    )
    sheet.row(2, [(h, "header") for h in headers])
    for r, (sid, owners) in enumerate(cited_sources(book).items(), 3):
        e = book.evidence[sid]
        sheet.row(
            r,
            [
                (sid, "user_wrap"),
                (e.citation, "user_wrap"),
                (e.reference, "user_wrap"),
                (e.type, "user_wrap"),
                (e.country, "user_wrap"),
                (e.found, "user_wrap"),
                (", ".join(owners), "user_wrap"),
                (e.licence or "", "user_wrap"),
            ],
        )
    return sheet
