"""The `Claims check` sheet: a business case's figures against the engine's and the workbook's own.

Added by `appraise export FILE --xlsx OUT --claims CLAIMS.yaml`. The claims are checked against
FILE's portfolio, the one the workbook holds, whatever portfolio the claims file names (as
`appraise verify CLAIMS --portfolio FILE` does); when the claims file names another file, the sheet
and the command say so.

One row a claim: the figure as written and as a number, its tolerance, the assumptions the check
sets (the claims file's `assume:`), the engine's recomputed figure under them (`appraise.verify`),
and the workbook's own figure for the portfolio as exported (a formula pointing at Summary,
Calculations or Cash flows; text where no cell holds the metric). The status is a formula:
checked on the workbook's figure, so it moves with Inputs, unless the assumptions change the
figure or no cell holds it, when it is checked on the engine's. It must agree with
`appraise verify`; the Checks sheet's master check includes that agreement.
"""

from __future__ import annotations

import math
from typing import Any

from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from appraise.analyses.verify import PORTFOLIO, ClaimResult, resolve_metric
from appraise.display import assumed_value
from appraise.engine.claims import CLAIM, ROUNDING_ALLOWANCE
from appraise.engine.lines import LINES
from appraise.engine.results import YEAR_KEYS
from appraise.workbook.book import CLAIMS_CHECK, Book, Cell, Check
from appraise.workbook.checks import BAD, GOOD, pass_fail_colours
from appraise.workbook.writer import Formula, Sheet, cell, quote_title

WORKBOOK, ENGINE = "workbook", "engine"
UNIT_FORMATS = {
    "£": "money2",
    "fraction": "pct2",
    "per case": "n4",
    "count": "n2",
    "ratio": "n2",
    "year": "int",
}
TOLERANCE_FORMATS = {"£": "money2", "fraction": "pct_in"}
NO_CELL = "no cell: the workbook does not show this figure (the status uses the engine's)"
CHECK_TOLERANCE = {"£": 1.0, "count": 1e-3, "year": 0.5}  # Checks: workbook against engine
UNDECIDED = "D9D9D9"


# ---------------------------------------------------------------------------------------------
# The sheet
# ---------------------------------------------------------------------------------------------

HEADERS = (
    "Claim",
    "Intervention(s)",
    "Metric",
    "Unit",
    "Claimed, as written",
    "Claimed",
    "Tolerance (±)",
    "Assumptions the check sets",
    "Engine: recomputed under those assumptions",
    "Workbook: the portfolio's own figure (formula)",
    "The assumptions move the figure by (engine - workbook)",
    "Status checked on",
    "Figure the status uses",
    "Difference: claimed - figure",
    "Status (formula)",
    "appraise verify says",
    "Agrees with appraise verify",
    "First implied input (engine)",
    "Its stated value",
    "Its implied value",
    "Quote",
    "Source",
    "Note",
)
COL = {h: c for c, h in enumerate(HEADERS, 1)}
HEADER_ROW = 8
FIRST_ROW = HEADER_ROW + 1


def letter(header: str) -> str:
    """The column letter of a header."""
    return cell(1, COL[header])[:-1]


def workbook_figure(book: Book, metric: str, members: list[int] | None) -> str | None:
    """A formula for a claim's metric on the workbook's sheets (a sum over a list), if any."""
    owners = ["total"] if members is None else [f"i{i}" for i in members]
    refs: list[str] = []
    for owner in owners:
        if metric.startswith("years."):
            _, year, key = metric.split(".", 2)
            line = YEAR_KEYS.get(key, "")
            found = book.year_cell(line, "" if line == "discount_factor" else owner, int(year))
        else:  # the Summary's cell where it has one (the headline figures)
            summary = book.anchors.get(f"summary.{metric}.{owner.removeprefix('i')}")
            found = summary or book.cell_ref(metric, owner)
        if found is None:
            return None
        refs.append(found)
    return "+".join(refs)


def _members(book: Book, result: ClaimResult) -> list[int] | None:
    claim = result.claim
    return (
        None
        if claim.intervention == PORTFOLIO
        else [book.model.ids.index(m) for m in claim.members]
    )


def own_figure(book: Book, result: ClaimResult) -> float:
    """The claim's metric for the portfolio as exported, without the claims file's assumptions."""
    metric = resolve_metric(book.model, result.claim.metric, _members(book, result))
    a = book.appraisal
    return float(metric.values(a.per, a.totals, book.model.base.payers))


def _unchanged(result: ClaimResult, own: float) -> bool:
    """Whether the engine's figure under the assumptions is the portfolio's own figure."""
    if result.recomputed is None:  # undefined, or a payback that never comes
        return not math.isfinite(own) or (result.unit == "year" and own == 0)
    return math.isclose(result.recomputed, own, rel_tol=1e-9, abs_tol=1e-9)


def _assumptions(result: ClaimResult) -> str:
    own = {a.input for a in result.claim.assume}
    return "; ".join(
        f"{key} = {assumed_value(value)} ({'this claim' if key in own else 'claims file'})"
        for key, value in result.assumed.items()
    )


def _engine_text(result: ClaimResult) -> Any:
    if result.recomputed is not None:
        return result.recomputed
    if result.unit == "year":
        return "never: no payback within the horizon"
    return "none: undefined (a zero denominator)"


def claims_sheet(book: Book) -> Sheet | None:
    """One row a claim: claimed, engine, workbook, status formula, first implied input, quote."""
    if book.claims is None:
        return None
    checked = book.claims
    results = checked.verification.results
    widths = {1: 26, 2: 30, 3: 28, 4: 9, 8: 36, 21: 50, 22: 26, 23: 40}
    sheet = book.sheet(
        CLAIMS_CHECK,
        freeze=cell(FIRST_ROW, 2),
        print_rows=f"{HEADER_ROW}:{HEADER_ROW}",
        print_cols="A:A",
        widths={**{c: 16 for c in range(5, len(HEADERS) + 1)}, **widths},
    )
    last = FIRST_ROW + len(results) - 1
    sheet.put(1, 1, "Claims check: the business case's figures, recomputed", "title")
    sheet.put(2, 1, checked.against + ".", "user")
    agree = f"{letter('Agrees with appraise verify')}{FIRST_ROW}:{letter('Agrees with appraise verify')}{last}"
    sheet.put(3, 1, "Every status agrees with appraise verify", "bold")
    sheet.put(3, 3, Formula(f"AND({agree})", True), "output")
    book.flags.append(
        ("every claim's status agrees with appraise verify (Claims check)", book.ref(sheet, 3, 3))
    )
    sheet.put(4, 1, "Allowance for binary rounding, relative to the claimed figure", "text")
    sheet.put(4, 3, ROUNDING_ALLOWANCE, "fixed:sci")
    assumed = checked.claims.assume
    sheet.put(
        5,
        1,
        "Assumed for every claim (claims file): "
        + (
            "; ".join(
                f"{a.input} = {assumed_value(a.value)}"
                + (f" ({a.note}{'; ' + a.source if a.source else ''})" if a.note else "")
                for a in assumed
            )
            or "nothing"
        ),
        "user",
    )
    notes = (
        "Engine: the figure appraise verify recomputes, under the assumptions the check sets. "
        "Workbook: the same figure for the portfolio as exported, a formula pointing at Summary, "
        "Calculations or Cash flows (text where no cell holds it).",
        "The status is checked on the workbook's figure, so it moves when Inputs change, unless the "
        "assumptions move the figure or no cell holds it: then on the engine's. Consistent = "
        "|claimed - figure| <= tolerance (+ the rounding allowance). Implied inputs are solved "
        "numerically by the engine at export (typed in, not formulas): the value of one input, the "
        "others as stated, at which the claim holds.",
    )
    for r, text in enumerate(notes, 6):
        sheet.put(r, 1, text, "note")
    sheet.row(HEADER_ROW, [(h, "header") for h in HEADERS])
    horizon = book.at("horizon")
    allowance = Cell(sheet.title, 4, 3)
    for r, result in enumerate(results, FIRST_ROW):
        _claim_row(book, sheet, r, result, horizon, allowance)
    status = f"{letter('Status (formula)')}{FIRST_ROW}:{letter('Status (formula)')}{last}"
    statuses = quote_title(sheet.title) + status
    book.facts.append(
        (
            "Claims check: claims consistent (status formulas)",
            Formula(
                f'COUNTIF({statuses},"consistent")&" of "&ROWS({statuses})',
                f"{checked.verification.counts()['consistent']} of {len(results)}",
            ),
            "output",
        )
    )
    sheet.decorate.append(_status_colours(status))
    sheet.decorate.append(
        _status_colours(
            f"{letter('appraise verify says')}{FIRST_ROW}:{letter('appraise verify says')}{last}"
        )
    )
    sheet.decorate.append(pass_fail_colours(agree))
    sheet.decorate.append(pass_fail_colours("C3"))
    return sheet


def _claim_row(
    book: Book, sheet: Sheet, r: int, result: ClaimResult, horizon: str, allowance: Cell
) -> None:
    claim = result.claim
    fmt = UNIT_FORMATS.get(result.unit, "n4")
    at = {h: f"{letter(h)}{r}" for h in HEADERS}
    members = _members(book, result)
    formula = workbook_figure(book, claim.metric, members)
    basis = (
        WORKBOOK if formula is not None and _unchanged(result, own_figure(book, result)) else ENGINE
    )
    who = " + ".join(claim.members) if members is not None else PORTFOLIO
    engine = _engine_text(result)
    first = result.implied[0] if result.implied else None
    claimed, used = at["Claimed"], at["Figure the status uses"]
    here = {h: Cell(sheet.title, r, COL[h]) for h in HEADERS}
    local = {
        "claimed": here["Claimed"],
        "figure": here["Figure the status uses"],
        "tolerance": here["Tolerance (±)"],
        "allowance": allowance,
        "engine_figure": here["Engine: recomputed under those assumptions"],
        "own_figure": here["Workbook: the portfolio's own figure (formula)"],
    }

    def line(key: str) -> str:  # a check of `appraise.engine.claims`, written in this row
        return book.formula(key, "", here[HEADERS[0]], local, CLAIM)

    status = (
        f'IF(AND({at["Unit"]}="year",OR({claimed}<1,{claimed}>{horizon})),"not_checkable",'
        f'IF(ISNUMBER({used}),IF({line("claim_holds")},"consistent","inconsistent"),'
        f'IF({at["Unit"]}="year","inconsistent","not_checkable")))'
    )
    engine_cell, workbook_cell = (
        at["Engine: recomputed under those assumptions"],
        at["Workbook: the portfolio's own figure (formula)"],
    )
    moved = (
        (
            Formula(
                f"IF(AND(ISNUMBER({engine_cell}),ISNUMBER({workbook_cell})),"
                f'{line("assumptions_move")},"n/a")'
            ),
            f"calc:{fmt}",
        )
        if result.assumed and formula is not None
        else None
    )
    own = own_figure(book, result)
    own_value = None if not math.isfinite(own) or (result.unit == "year" and own == 0) else own
    # What the workbook's cell shows where the figure is not a number: its line's own text.
    own_shown: Any = own_value
    if own_value is None:
        single = members is not None and len(members) == 1 and claim.metric in LINES
        own_shown = book.value_of(claim.metric, f"i{members[0]}") if single else "never"
    used_value = (
        (own_value if basis == WORKBOOK else result.recomputed) if formula else result.recomputed
    )
    difference = result.claimed - used_value if used_value is not None else "n/a"
    move = (
        result.recomputed - own_value
        if result.recomputed is not None and own_value is not None
        else "n/a"
    )
    if moved is not None:
        moved = (Formula(moved[0], move), moved[1])
    other = result.other_convention
    convention = f"holds under the other cashable convention ({other})" if other else None
    notes = [text for text in (convention, claim.note, result.reason) if text]
    values: dict[str, tuple[Any, str] | None] = {
        "Claim": (claim.id, "user"),
        "Intervention(s)": (who, "user"),
        "Metric": (claim.metric, "user"),
        "Unit": (result.unit, "text"),
        "Claimed, as written": (claim.written, "user"),
        "Claimed": (result.claimed, f"fixed:{fmt}"),
        "Tolerance (±)": (result.tolerance, f"fixed:{TOLERANCE_FORMATS.get(result.unit, '')}"),
        "Assumptions the check sets": (_assumptions(result), "user_wrap"),
        "Engine: recomputed under those assumptions": (engine, f"engine:{fmt}"),
        "Workbook: the portfolio's own figure (formula)": (
            (Formula(formula, own_shown), f"calc:{fmt}")
            if formula is not None
            else (NO_CELL, "note")
        ),
        "The assumptions move the figure by (engine - workbook)": moved,
        "Status checked on": (basis, "text"),
        "Figure the status uses": (
            Formula(
                f'IF({at["Status checked on"]}="{WORKBOOK}",{workbook_cell},{engine_cell})',
                used_value
                if used_value is not None
                else (own_shown if formula and basis == WORKBOOK else engine),
            ),
            f"calc:{fmt}",
        ),
        "Difference: claimed - figure": (
            Formula(f'IF(ISNUMBER({used}),{line("claim_difference")},"n/a")', difference),
            f"calc:{fmt}",
        ),
        "Status (formula)": (Formula(status, result.status), "output"),
        "appraise verify says": (result.status, "engine"),
        "Agrees with appraise verify": (
            Formula(f"{at['Status (formula)']}={at['appraise verify says']}", True),
            "calc",
        ),
        "First implied input (engine)": (f"{first.label} ({first.input})", "user_wrap")
        if first
        else None,
        "Its stated value": (first.stated, "engine") if first else None,
        "Its implied value": (
            (
                first.implied_value
                if first.implied_value is not None
                else "none: no value in its allowed range gives the claimed figure",
                "engine",
            )
            if first
            else None
        ),
        "Quote": (claim.quote or "", "user_wrap"),
        "Source": (claim.source or "", "user_wrap"),
        "Note": ("; ".join(notes), "user_wrap"),
    }
    sheet.row(r, [values[h] for h in HEADERS])
    if basis == WORKBOOK and result.recomputed is not None:
        tolerance = CHECK_TOLERANCE.get(result.unit, 1e-6)
        ref = book.ref(sheet, r, COL["Workbook: the portfolio's own figure (formula)"])
        book.checks.append(
            Check(
                ref,
                claim.id,
                claim.metric,
                result.recomputed,
                tolerance,
                fmt if result.unit in ("£", "year") else "",
            )
        )


def _status_colours(span: str) -> Any:
    def add(ws: Worksheet) -> None:
        for value, colour in (
            ("consistent", GOOD),
            ("inconsistent", BAD),
            ("not_checkable", UNDECIDED),
        ):
            ws.conditional_formatting.add(
                span,
                CellIsRule(
                    operator="equal",
                    formula=[f'"{value}"'],
                    fill=PatternFill("solid", bgColor=colour),
                    font=Font(bold=True),
                ),
            )

    return add
