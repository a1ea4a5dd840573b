"""The `About` sheet: what the workbook is, how to read it, its conventions and its sheets."""

from __future__ import annotations

from typing import Any

from appraise.display import discount_text, payer_name
from appraise.engine.figures import FIGURES as REGISTRY
from appraise.engine.ops import INFINITE, NEVER
from appraise.model.discounting import Schedule, rate_data
from appraise.version import __version__
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
)
from appraise.workbook.checks import pass_fail_colours
from appraise.workbook.integrity import INTEGRITY
from appraise.workbook.summary import SUMMARY_KEYS
from appraise.workbook.writer import Formula, Sheet

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
    (
        SUMMARY,
        "The headline figures, each column's note giving its JSON key in `appraise evaluate`; a "
        "chart.",
    ),
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
    (
        INTEGRITY,
        "Checks that hold whatever you change on Inputs: every input within its range, totals "
        "equal to their parts, the Summary's present values equal to the Cash flows' years.",
    ),
)
HOW_TO_READ = (
    "Click any figure on Summary to see its formula; it points at a line on Calculations or Cash "
    "flows, whose formulas point at labelled rows on Inputs and Outcomes.",
    "Change a yellow cell on Inputs and every figure moves; the Checks sheet then shows how far "
    "the workbook has moved from the exported appraisal (its master check turns FALSE), while "
    "the Integrity sheet's master check stays TRUE as long as every input is within its range. "
    "Formula sheets are protected without a password: an accidental overwrite is refused; "
    "Review > Unprotect Sheet allows a deliberate one.",
    "Money is in pounds a year at the price year's prices; savings are positive, costs are "
    "positive, net = savings - cost (negative = a loss).",
    f'A ratio whose denominator is 0 shows as text: "{NEVER}" for a break-even that cannot be '
    f'reached, "{INFINITE}" for a return on a service that costs nothing; a payback '
    f'that does not happen within the horizon shows "{NEVER}".',
    "Nothing is pasted as a number: every figure outside Inputs is a formula, except the "
    "baseline's inputs on Forecast, a claim's figure and tolerance on Claims check, and the "
    "engine's own values (italic grey). Each formula is saved with the engine's result, so a "
    "reader that does not calculate (a previewer, a phone) shows the figures; Excel and "
    "LibreOffice calculate every figure again when they open the file.",
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


def price_summary(book: Book) -> str:
    """How the workbook's money is priced: the base, the indices and what was assumed."""
    prices = book.model.prices
    if prices is None:
        return ""
    used = sorted({prices.names[path] for path in prices.blocks})
    labels = "; ".join(prices.indices[name].label for name in used)
    assumed = [path for path, b in prices.blocks.items() if b.assumed]
    text = (
        f"Every money figure is brought from its own price year to the price base by {labels} "
        "(Indices sheet; its price year is on Inputs)."
    )
    if prices.base.note:
        text += f" {prices.base.note}."
    if assumed:
        text += (
            f" {len(assumed)} of {len(prices.blocks)} figures give no price year and are taken "
            f"to be in base-year prices: {', '.join(assumed)}."
        )
    return text


def _cashable(book: Book, pro_rata: str, strict: str, prorata: str) -> list[tuple[str, Any, str]]:
    """The portfolio's cashable net savings under the convention in force and the other; for a
    portfolio of options, each option's under the convention in force (never a sum of them)."""
    pro = book.portfolio.cashable_method == "pro_rata"
    if book.portfolio.options is not None:
        return [
            (
                f"Option {name}: cashable net savings under it",
                cells["cashable_net_savings"],
                "output:money",
            )
            for name, cells in book.option_figures
        ]
    totals = book.results["portfolio"]
    return [
        (
            "Portfolio cashable net savings under it",
            Formula(book.at("summary.cashable_net_savings.total"), totals["cashable_net_savings"]),
            "output:money",
        ),
        (
            "The other convention",
            Formula(f'IF({pro_rata}=1,"{strict}","{prorata}")', strict if pro else prorata),
            "calc",
        ),
        (
            "would give",
            Formula(
                f"IF({pro_rata}=1,{book.at('summary.cashable_net_savings_strict.total')},"
                f"{book.at('summary.cashable_net_savings_pro_rata.total')})",
                totals[f"cashable_net_savings_{'strict' if pro else 'pro_rata'}"],
            ),
            "output:money",
        ),
    ]


def discount_fact(book: Book) -> tuple[str, Any, str]:
    """The discount rate in force: the Inputs cell of a flat rate, or the schedule in words."""
    p = book.portfolio
    if not isinstance(p.discount_rate, Schedule):
        rate = float(book.model.base.values["discount_rate"][0])
        return ("Discount rate", Formula(book.at("discount_rate"), rate), "calc:pct2")
    text = discount_text(rate_data(p.discount_rate), p.horizon_years)
    return ("Discount rate", f"{text[0].upper()}{text[1:]}: its rates are on Inputs", "wrap")


def about_sheet(book: Book) -> Sheet:
    """Portfolio, price year, date, engine version, how to read, colour key, cashable convention."""
    p = book.portfolio
    sheet = book.sheet(ABOUT, widths={1: 44, 2: 90}, pages_wide=1)
    pro_rata, public = book.at("pro_rata"), book.at("public_sector")
    pro = p.cashable_method == "pro_rata"
    strict = "strict: cashable gross savings - the full cost"
    prorata = "pro rata: net savings x the cashable share of one outcome's cost (Thurrock 2017)"
    r = 1
    sheet.put(r, 1, "Invest-to-save appraisal workbook", "title")
    facts: list[tuple[str, Any, str]] = [
        ("Portfolio", p.portfolio, "user_wrap"),
        ("Description", p.description or "", "user_wrap"),
        ("Price base", Formula(book.at("price_base"), p.price_year.label), "calc"),
        ("Prices", price_summary(book), "wrap"),
        ("Exported on", book.today.isoformat(), "text"),
        (
            "Run identity",
            book.identity.text
            if book.identity is not None
            else "not from a saved file (no content hash)",
            "user_wrap",
        ),
        ("Engine", f"appraise {__version__}", "text"),
        (
            "Headline perspective",
            Formula(
                f'IF({public}=1,"{payer_name("public_sector")} (all payers)",'
                f'"{payer_name("childrens_social_care")}")',
                f"{payer_name('public_sector')} (all payers)"
                if p.perspective == "public_sector"
                else payer_name("childrens_social_care"),
            ),
            "calc",
        ),
        ("Years appraised", Formula(book.at("horizon"), p.horizon_years), "calc:int"),
        discount_fact(book),
        (
            "Master check: the workbook is sound (Checks; every check on Integrity holds, "
            "after any sound edit too)",
            Formula(book.at("checks.master"), True),
            "output",
        ),
        ("What failed, and where", Formula(book.at("integrity.failed"), "nothing"), "calc"),
        (
            "Unchanged since export: every figure as the engine exported it (Checks)",
            Formula(book.at("checks.unchanged"), True),
            "output",
        ),
        (
            "Cashable convention in force",
            Formula(f'IF({pro_rata}=1,"{prorata}","{strict}")', prorata if pro else strict),
            "calc",
        ),
        *_cashable(book, pro_rata, strict, prorata),
        *book.facts,
    ]
    r += 1
    for label, value, style in facts:
        r += 1
        sheet.put(r, 1, label, "bold_wrap")
        sheet.put(r, 2, value, style)
        if style == "output" and value in (book.at("checks.master"), book.at("checks.unchanged")):
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
        figure = REGISTRY[key]
        meaning, unit = figure.meaning, figure.unit
        sheet.put(r, 1, key, "bold")
        sheet.put(r, 2, f"{meaning}{f' ({unit})' if unit else ''}", "text")
    return sheet
