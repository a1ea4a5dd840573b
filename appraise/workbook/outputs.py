"""The workbook's output and reference sheets: Summary, Evidence, Checks, About, Portfolio file."""

from __future__ import annotations

import json
import math
from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from appraise.display import payer_name
from appraise.engine.core import PORTFOLIO_SUMS
from appraise.engine.results import INTERVENTION_KEYS, PORTFOLIO_KEYS
from appraise.model.save import portfolio_to_data
from appraise.version import __version__
from appraise.workbook.book import (
    ABOUT,
    CALCULATIONS,
    CASH_FLOWS,
    CHECKS,
    CLAIMS_CHECK,
    EVIDENCE,
    FORECAST,
    INFINITE,
    INPUTS,
    NEVER,
    OUTCOMES,
    SOURCE,
    SUMMARY,
    Book,
    Check,
    rate_format,
    ratio,
)
from appraise.workbook.cashflows import RESULTS
from appraise.workbook.writer import Formula, Sheet, cell, quote_title, read_text

# The Summary's figures (JSON keys of `appraise evaluate --format json`, in its order), and how
# close the workbook must come to the engine on each: £1 for money, tighter for the rest.
MONEY = {*PORTFOLIO_SUMS, "outcome_cost"}  # the money lines the core sums, and one outcome's cost
COUNTS = {"reach": "n1", "outcomes_averted": "n2", "break_even_outcomes": "n2"}
RATES = {"effect_adjusted", "break_even_success_rate"}  # per case: a share, or outcomes per case
RATIOS = {"roi", "bcr"}
YEARS = {"payback_year", "discounted_payback_year"}
FIGURES = tuple(k for k in INTERVENTION_KEYS if k in MONEY | set(COUNTS) | RATES | RATIOS | YEARS)
SUMMARY_KEYS = ("id", "name", *FIGURES)
TOLERANCE = {
    **dict.fromkeys(MONEY, 1.0),
    **dict.fromkeys(COUNTS, 1e-3),
    **dict.fromkeys(RATES | RATIOS, 1e-6),
    **dict.fromkeys(YEARS, 0.5),
}
MEANING = {
    "id": ("The intervention's id in the portfolio file", ""),
    "name": ("The intervention's name", ""),
    "reach": ("Cases served a year", "cases"),
    "cost": ("Cost of a year's service", "£"),
    "effect_adjusted": ("Outcomes averted per case, after haircuts", "share or per case"),
    "outcomes_averted": ("Outcomes averted a year", "outcomes"),
    "outcome_cost": ("What one averted outcome saves, headline perspective", "£"),
    "gross_savings": ("Outcomes averted x cost of one outcome", "£"),
    "net_savings": ("Gross savings - cost (negative = a loss)", "£"),
    "cashable_gross_savings": ("Outcomes averted x cashable cost of one outcome", "£"),
    "cashable_net_savings": ("Cashable net savings under the convention in force", "£"),
    "cashable_net_savings_strict": ("Cashable gross savings - the full cost", "£"),
    "cashable_net_savings_pro_rata": ("Net savings x cashable share of an outcome's cost", "£"),
    "net_savings_childrens_social_care": ("Net savings to children's social care", "£"),
    "net_savings_public_sector": ("Net savings to every public payer", "£"),
    "roi": ("Gross savings per £1 of cost", "ratio"),
    "break_even_outcomes": ("Outcomes averted needed for net savings of 0", "outcomes"),
    "break_even_success_rate": ("Break-even outcomes / reach", "share or per case"),
    "pv_cost": ("Present value of cost over the horizon", "£"),
    "pv_gross_savings": ("Present value of gross savings over the horizon", "£"),
    "npv": ("Net present value over the horizon", "£"),
    "bcr": ("Present value of savings / present value of cost", "ratio"),
    "payback_year": ("First year cumulative net savings reach 0", "year"),
    "discounted_payback_year": ("The same, after discounting", "year"),
}


def figure_format(book: Book, key: str, i: int | None) -> str:
    if key in MONEY:
        return "money"
    if key in COUNTS:
        return COUNTS[key]
    if key in RATES:
        return rate_format(book, i) if i is not None else "pct2"
    if key in YEARS:
        return "int"
    return "n2"


# ---------------------------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------------------------


def _figure_source(book: Book, key: str, i: int) -> str:
    return book.at(f"cash.{key}.{i}" if key in RESULTS else f"calc.{key}.{i}")


def summary_sheet(book: Book) -> Sheet:
    """Row 1: the JSON keys; one row per intervention, then the total; a chart of net savings."""
    n = book.n
    widths = {c: max(12, len(key) + 2) for c, key in enumerate(SUMMARY_KEYS, 1) if c > 2}
    widths[2] = 36
    sheet = book.sheet(
        SUMMARY,
        freeze="C2",
        print_rows="1:1",
        print_cols="A:B",
        pages_wide=3,  # 24 columns: three pages across, each repeating the ids and names
        widths=widths,
    )
    sheet.row(1, [(key, "header") for key in SUMMARY_KEYS])
    cols = {key: c for c, key in enumerate(SUMMARY_KEYS, 1)}
    for i, item in enumerate(book.model.interventions):
        r = i + 2
        sheet.put(r, 1, item.id, "user")
        sheet.put(r, 2, item.name, "user")
        for key in FIGURES:
            formula = Formula(_figure_source(book, key, i))
            sheet.put(r, cols[key], formula, f"output:{figure_format(book, key, i)}")
            book.anchor(f"summary.{key}.{i}", sheet, r, cols[key])
    total = n + 2
    sheet.put(total, 1, "total", "bold")
    sheet.put(total, 2, "Portfolio total", "bold")

    def col_of(key: str) -> str:
        return cell(total, cols[key])[: -len(str(total))]

    def at_total(key: str) -> str:
        return cell(total, cols[key])

    for key in FIGURES:
        if key not in PORTFOLIO_KEYS:
            continue  # no portfolio figure: reach and outcomes of different kinds don't add up
        if key in MONEY:
            letter = col_of(key)
            formula = f"SUM({letter}2:{letter}{n + 1})"
        elif key == "roi":
            formula = ratio(at_total("gross_savings"), at_total("cost"), INFINITE)
        elif key == "bcr":
            formula = ratio(at_total("pv_gross_savings"), at_total("pv_cost"), INFINITE)
        else:
            formula = book.at(f"cash.{key}.total")
        sheet.put(total, cols[key], Formula(formula), f"output:{figure_format(book, key, None)}")
        book.anchor(f"summary.{key}.total", sheet, total, cols[key])
    sheet.put(
        total + 2,
        1,
        f'Ratios with a zero denominator show as text ("{NEVER}", "{INFINITE}"), as the '
        "engine's JSON shows null. The total row leaves blank the figures that do not add up across "
        "different outcomes.",
        "note",
    )
    sheet.decorate.append(_net_savings_chart(n, cols["net_savings"], total + 4))
    return sheet


def _net_savings_chart(n: int, col: int, row: int) -> Any:
    def add(ws: Worksheet) -> None:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Net savings by intervention (£ a year)"
        chart.add_data(Reference(ws, min_col=col, min_row=1, max_row=n + 1), titles_from_data=True)
        ids = Reference(ws, min_col=1, min_row=2, max_row=n + 1)
        chart.series[0].cat = AxDataSource(strRef=StrRef(f=str(ids)))  # ids are text
        chart.legend = None
        chart.x_axis.delete = False
        chart.x_axis.scaling.orientation = "maxMin"  # first intervention at the top, as listed
        chart.x_axis.tickLblPos = "low"  # names clear of the bars that go below zero
        chart.y_axis.delete = False
        chart.y_axis.numFmt = '"£"#,##0'
        chart.y_axis.title = "£ a year"
        chart.width = 24
        chart.height = max(7.5, 0.5 * n + 3)
        ws.add_chart(chart, f"A{row}")

    return add


# ---------------------------------------------------------------------------------------------
# Evidence
# ---------------------------------------------------------------------------------------------


def cited_sources(book: Book) -> dict[str, list[str]]:
    """Every source id the workbook cites, with what it is cited for, in order of first citation."""
    cited: dict[str, list[str]] = {}

    def cite(ids: Any, what: str) -> None:
        for s in ids:
            if s in book.evidence and what not in cited.setdefault(s, []):
                cited[s].append(what)

    cite(["green-book-2022"], "discount rate")
    for key, outcome in book.portfolio.outcomes.items():
        cite(outcome.sources, key)
    for item in book.model.interventions:
        cite(item.evidence.sources, item.id)
    cite(["sanchez-meca-2003"], "Cox factor")
    cite(["hasselblad-1995", "chinn-2000"], "logistic factor")
    return cited


def evidence_sheet(book: Book) -> Sheet:
    """Every cited source: full reference and what it found."""
    sheet = book.sheet(
        EVIDENCE, freeze="B3", print_rows="2:2", widths={1: 24, 2: 28, 3: 60, 6: 80, 7: 30}
    )
    sheet.put(1, 1, "Evidence: every source the workbook cites", "title")
    headers = ("Id", "Citation", "Full reference", "Type", "Country", "What it found", "Cited for")
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
            ],
        )
    return sheet


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------

CHECK_HEADERS = (
    "Cell",
    "Intervention, scenario or claim",
    "Figure",
    "Engine value",
    "Workbook value",
    "Difference",
    "Tolerance",
    "Within tolerance",
    "Note",
)
CHECK_FIRST_ROW = 5
NOT_FINITE = "none: not a finite number"
GOOD, BAD = "C6EFCE", "FFC7CE"


def _engine(value: Any) -> Any:
    """The engine's JSON value, or text where JSON has null (an infinite ratio, no payback)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return NOT_FINITE
    return value


def check_rows(book: Book) -> list[Check]:
    """Every Summary figure against the engine's, then the figures other sheets added."""
    rows = []

    def add(anchor: str, owner: str, key: str, value: Any) -> None:
        fmt = figure_format(book, key, None) if key in MONEY | YEARS else ""
        rows.append(Check(book.at(anchor), owner, key, value, TOLERANCE[key], fmt))

    records = book.results["interventions"]
    for i, item in enumerate(book.model.interventions):
        for key in FIGURES:
            add(f"summary.{key}.{i}", item.id, key, records[i][key])
    totals = book.results["portfolio"]
    for key in FIGURES:
        if key in PORTFOLIO_KEYS:
            add(f"summary.{key}.total", "total", key, totals[key])
    return rows + book.checks


def checks_sheet(book: Book) -> Sheet:
    """For each Summary figure: the engine's value, the workbook's, their difference; a master check."""
    sheet = book.sheet(
        CHECKS,
        freeze=cell(CHECK_FIRST_ROW, 1),
        print_rows=f"{CHECK_FIRST_ROW - 1}:{CHECK_FIRST_ROW - 1}",
    )
    sheet.put(1, 1, "Checks: the workbook's formulas against the engine's own figures", "title")
    rows = check_rows(book)
    last = CHECK_FIRST_ROW + len(rows) - 1
    flags = "".join(f",{cell_ref}" for _, cell_ref in book.flags)
    also = "".join(f"; and {what}" for what, _ in book.flags)
    sheet.put(2, 1, f"Master check (TRUE when every figure is within tolerance{also})", "bold")
    sheet.put(2, 4, Formula(f"AND(H{CHECK_FIRST_ROW}:H{last}{flags})"), "output")
    book.anchor("checks.master", sheet, 2, 4)
    sheet.put(
        3,
        1,
        "Engine values were typed in at export (appraise "
        f"{__version__}). Tolerance: £1 for money; 0.001 for counts; 0.000001 for "
        "rates and ratios; half a year for payback years. Change an input and the differences show "
        "how far the workbook has moved from the exported appraisal.",
        "note",
    )
    sheet.row(CHECK_FIRST_ROW - 1, [(h, "header") for h in CHECK_HEADERS])
    summary = quote_title(SUMMARY)
    for r, check in enumerate(rows, CHECK_FIRST_ROW):
        target, owner, key, fmt = check.ref, check.owner, check.figure, check.fmt
        engine = _engine(check.engine)
        note = ""
        if isinstance(engine, str):
            note = (
                "Not compared in £: the engine's figure is not a finite number (a zero "
                "denominator, or no payback); passes when the workbook shows text too"
            )
        sheet.row(
            r,
            [
                (target.removeprefix(summary).replace("$", ""), "text"),
                (owner, "user"),
                (key, "text"),
                (engine, f"engine:{fmt}"),
                (Formula(target), f"calc:{fmt}"),
                (
                    Formula(
                        f"IF(AND(ISNUMBER(D{r}),ISNUMBER(E{r})),E{r}-D{r},"
                        f'IF(AND(ISTEXT(D{r}),ISTEXT(E{r})),0,"mismatch"))'
                    ),
                    "calc",
                ),
                (check.tolerance, "engine"),
                (Formula(f"IF(ISNUMBER(F{r}),ABS(F{r})<G{r},FALSE)"), "calc"),
                (note, "note"),
            ],
        )
    sheet.decorate.append(pass_fail_colours(f"H{CHECK_FIRST_ROW}:H{last}"))
    sheet.decorate.append(pass_fail_colours("D2"))
    return sheet


def pass_fail_colours(span: str) -> Any:
    def add(ws: Worksheet) -> None:
        for value, colour in (("TRUE", GOOD), ("FALSE", BAD)):
            ws.conditional_formatting.add(
                span,
                CellIsRule(
                    operator="equal",
                    formula=[value],
                    fill=PatternFill("solid", bgColor=colour),
                    font=Font(bold=True),
                ),
            )

    return add


# ---------------------------------------------------------------------------------------------
# About
# ---------------------------------------------------------------------------------------------

SHEET_GUIDE = (
    (ABOUT, "This page: what the workbook is and how to read it."),
    (
        INPUTS,
        "Every assumption, one a row, with its unit, owner and source. Yellow cells are inputs.",
    ),
    (OUTCOMES, "What one of each averted outcome costs, built from its components."),
    (
        CALCULATIONS,
        "Every step from reach to break-even: one line a row, one intervention a column, the "
        "same formula across each row.",
    ),
    (SUMMARY, "The headline figures, headed by the JSON keys of `appraise evaluate`; a chart."),
    (
        CASH_FLOWS,
        "Costs and savings by year: cohorts, their timing, discounting, NPV and payback.",
    ),
    (
        FORECAST,
        "With a baseline: children in care and their cost by year under each scenario, and spend "
        "with and without the portfolio (with a chart).",
    ),
    (
        CLAIMS_CHECK,
        "With a claims file: each claimed figure against the engine's and the workbook's own, "
        "with a status formula and the first implied input.",
    ),
    (EVIDENCE, "Every cited source: full reference and what it found."),
    (
        CHECKS,
        "Each Summary (and Forecast, Claims check) figure against the engine's own value, and the "
        "master check.",
    ),
)
HOW_TO_READ = (
    "Click any figure on Summary to see its formula; it points at a line on Calculations or Cash "
    "flows, whose formulas point at labelled rows on Inputs and Outcomes.",
    "Change a yellow cell on Inputs and every figure moves; the Checks sheet then shows how far "
    "the workbook has moved from the exported appraisal (its master check turns FALSE).",
    "Money is in pounds a year at the price year's prices; savings are positive, costs are "
    "positive, net = savings - cost (negative = a loss).",
    f'A ratio whose denominator is 0 shows as text: "{NEVER}" for a break-even that cannot be '
    f'reached, "{INFINITE}" for a return on a service that costs nothing; a payback '
    f'that does not happen within the horizon shows "{NEVER}".',
    "Nothing is pasted as a number: every figure outside Inputs is a formula, except the "
    "baseline's inputs on Forecast, a claim's figure and tolerance on Claims check, and the "
    "engine's own values (italic grey). The file is saved without calculated values; Excel and "
    "LibreOffice calculate every figure when they open it.",
    "`appraise import-xlsx` reads the Inputs sheet back into a portfolio file; the hidden sheet "
    f"'{SOURCE}' holds the portfolio file this workbook was exported from, for that purpose.",
)
COLOUR_KEY = (
    ("input", "Input: change it here (Inputs; the baseline's inputs on Forecast)"),
    (
        "fixed",
        "Fixed: set by a file's structure (an unused term, a code, a constant, a claimed figure)",
    ),
    ("calc", "Calculation: a formula"),
    ("output", "Output: a headline figure"),
    ("engine", "The engine's own figure, typed in at export for comparison (Checks, Claims check)"),
)


def about_sheet(book: Book) -> Sheet:
    """Portfolio, price year, date, engine version, how to read, colour key, cashable convention."""
    p = book.portfolio
    sheet = book.sheet(ABOUT, widths={1: 44, 2: 90})
    pro_rata, public = book.at("in.pro_rata"), book.at("in.public_sector")
    strict = "strict: cashable gross savings - the full cost"
    prorata = "pro rata: net savings x the cashable share of one outcome's cost (Thurrock 2017)"
    r = 1
    sheet.put(r, 1, "Invest-to-save appraisal workbook", "title")
    facts: list[tuple[str, Any, str]] = [
        ("Portfolio", p.portfolio, "user_wrap"),
        ("Description", p.description or "", "user_wrap"),
        ("Price year", p.price_year, "text:int"),
        ("Exported on", book.today.isoformat(), "text"),
        ("Engine", f"appraise {__version__}", "text"),
        (
            "Headline perspective",
            Formula(
                f'IF({public}=1,"{payer_name("public_sector")} (all payers)",'
                f'"{payer_name("childrens_social_care")}")'
            ),
            "calc",
        ),
        ("Years appraised", p.horizon_years, "text:int"),
        ("Discount rate", Formula(book.at("in.discount_rate")), "calc:pct2"),
        ("Master check (Checks)", Formula(book.at("checks.master")), "output"),
        (
            "Cashable convention in force",
            Formula(f'IF({pro_rata}=1,"{prorata}","{strict}")'),
            "calc",
        ),
        (
            "Portfolio cashable net savings under it",
            Formula(book.at("summary.cashable_net_savings.total")),
            "output:money",
        ),
        ("The other convention", Formula(f'IF({pro_rata}=1,"{strict}","{prorata}")'), "calc"),
        (
            "would give",
            Formula(
                f"IF({pro_rata}=1,{book.at('summary.cashable_net_savings_strict.total')},"
                f"{book.at('summary.cashable_net_savings_pro_rata.total')})"
            ),
            "output:money",
        ),
        *book.facts,
    ]
    r += 1
    for label, value, style in facts:
        r += 1
        sheet.put(r, 1, label, "bold")
        sheet.put(r, 2, value, style)
        if style == "output" and value == book.at("checks.master"):
            sheet.decorate.append(pass_fail_colours(f"B{r}"))
    r += 2
    sheet.put(r, 1, "How to read it", "section")
    for k, text in enumerate(HOW_TO_READ, 1):
        r += 1
        sheet.put(r, 1, f"{k}.", "text")
        sheet.put(r, 2, text, "wrap")
    r += 2
    sheet.put(r, 1, "Colour key", "section")
    for role, text in COLOUR_KEY:
        r += 1
        sheet.put(r, 1, "123", role)
        sheet.put(r, 2, text, "text")
    r += 2
    sheet.put(r, 1, "Sheets", "section")
    for title, text in SHEET_GUIDE:
        if title not in book.titles:
            continue  # Forecast and Claims check are there only when they apply
        r += 1
        sheet.put(r, 1, title, "bold")
        sheet.put(r, 2, text, "wrap")
    r += 2
    sheet.put(r, 1, "Summary columns", "section")
    for key in SUMMARY_KEYS:
        r += 1
        meaning, unit = MEANING[key]
        sheet.put(r, 1, key, "bold")
        sheet.put(r, 2, f"{meaning}{f' ({unit})' if unit else ''}", "text")
    return sheet


# ---------------------------------------------------------------------------------------------
# Portfolio file (hidden)
# ---------------------------------------------------------------------------------------------

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
    r = SOURCE_FIRST_ROW
    text = json.dumps(portfolio_to_data(book.portfolio), indent=1, ensure_ascii=False)
    for line in text.splitlines():
        pieces = [line[k : k + CHUNK] for k in range(0, len(line), CHUNK)] or [""]
        for j, piece in enumerate(pieces):
            if piece:
                sheet.put(r, 1, piece, "user")
            if j:
                sheet.put(r, 2, "+", "text")  # continues the line above
            r += 1
    return sheet


def source_text(rows: list[tuple[Any, Any]]) -> str:
    """The portfolio file (JSON) from (column A, column B) pairs read from the hidden sheet."""
    lines: list[str] = []
    for text, more in rows:
        piece = "" if text is None else read_text(str(text))
        if more == "+" and lines:
            lines[-1] += piece
        else:
            lines.append(piece)
    return "\n".join(lines) + "\n"
