"""The appraisal workbook's sheets: one builder function per sheet over a shared `Book`.

Each builder takes the `Book` (portfolio, model, results and the anchors of cells that sheets
built before it registered) and returns a `Sheet`. Formulas mirror appraise/core.py and
appraise/timeline.py line by line; the Checks sheet and the LibreOffice test prove they agree.

Adding a sheet takes one builder (appraise/excel_forecast.py and excel_claims.py are two):

    def my_sheet(book: Book) -> Sheet | None:
        if book.claims is None:
            return None  # the sheet does not apply to this workbook
        sheet = book.sheet("My sheet")
        sheet.put(1, 1, "Claim", "header")
        sheet.put(2, 2, Formula(book.at("summary.net_savings.0")), "calc:money")
        book.checks.append(Check(book.ref(sheet, 2, 2), "total", "net_savings", 1234.5, 1.0))
        return sheet

then list it in `appraise.excel.BUILDERS` after every sheet it refers to (it may use the anchors
those registered: "in.<input>", "outcome.<key>.<cost>", "calc.<line>.<i>", "cash.<figure>.<i|total>",
"cashyear.<line>.<i|total>" (a Cash flows line, at year 1), "summary.<key>.<i|total>"), and its
title in `appraise.excel.TAB_ORDER`. A sheet built before Checks may add figures to it
(`book.checks`: the engine's value against a cell) and TRUE/FALSE cells to its master check
(`book.flags`); and headline figures to the About sheet (`book.facts`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from openpyxl.utils import column_index_from_string, get_column_letter

from appraise.display import payer_name
from appraise.engine import core
from appraise.engine.params import Model, build
from appraise.engine.results import EFFECT_FORM_NAMES, Appraisal, run
from appraise.errors import InputError
from appraise.model.schema import Evidence, Portfolio
from appraise.workbook.inputs import INPUT_KEY_HEADER, Section, input_rows
from appraise.workbook.writer import Formula, Sheet, cell, ref, safe_title

if TYPE_CHECKING:
    from appraise.analyses.forecast import PortfolioComparison
    from appraise.analyses.verify import ClaimsCheck

INPUTS, OUTCOMES, CALCULATIONS, SUMMARY = "Inputs", "Outcomes", "Calculations", "Summary"
CASH_FLOWS, EVIDENCE, CHECKS, ABOUT, SOURCE = (
    "Cash flows",
    "Evidence",
    "Checks",
    "About",
    "Portfolio file",
)
FORECAST, CLAIMS_CHECK = "Forecast", "Claims check"  # only when there is a baseline, or claims
NEVER, INFINITE = "never", "infinite (no cost)"


@dataclass(frozen=True)
class Check:
    """A figure for the Checks sheet: a workbook cell against the engine's own value."""

    ref: str  # absolute reference of the workbook's cell
    owner: str  # the intervention, scenario or claim it belongs to
    figure: str  # its JSON key (and year)
    engine: Any  # the engine's value (a number, or text where it has none)
    tolerance: float
    fmt: str = ""  # number format of the two values


@dataclass
class Book:
    """Everything the sheet builders share: the portfolio, its results and the cells placed so far."""

    portfolio: Portfolio
    evidence: dict[str, Evidence]
    model: Model
    appraisal: Appraisal
    today: dt.date
    claims: ClaimsCheck | None = None  # the Claims check sheet's claims, verified
    anchors: dict[str, str] = field(default_factory=dict)
    titles: set[str] = field(default_factory=set)
    checks: list[Check] = field(default_factory=list)  # Checks rows beyond the Summary's
    flags: list[tuple[str, str]] = field(default_factory=list)  # (what, TRUE/FALSE cell)
    facts: list[tuple[str, Any, str]] = field(default_factory=list)  # About: (label, value, style)

    @classmethod
    def of(
        cls,
        portfolio: Portfolio,
        evidence: Mapping[str, Evidence],
        today: dt.date | None = None,
        claims: ClaimsCheck | None = None,
    ) -> Book:
        model = build(portfolio, evidence)
        return cls(portfolio, dict(evidence), model, run(model), today or dt.date.today(), claims)

    @cached_property
    def comparison(self) -> tuple[PortfolioComparison | None, str]:
        """Spend with and without the portfolio over its baseline's forecast, or why there is none.

        (None, "") without a baseline; (None, the reason) when the comparison cannot be made
        (e.g. the portfolio averts more LAC-years than the baseline has children in care).
        """
        from appraise.analyses.forecast import with_portfolio

        if self.portfolio.baseline is None:
            return None, ""
        try:
            return with_portfolio(self.portfolio, self.evidence), ""
        except InputError as exc:
            return None, "; ".join(f"{p.path}: {p.message}" for p in exc.problems)

    @cached_property
    def results(self) -> dict[str, Any]:
        """The engine's figures, as `appraise evaluate --format json` prints them."""
        return self.appraisal.to_data()

    @property
    def n(self) -> int:
        return len(self.model.interventions)

    @property
    def horizon(self) -> int:
        return self.portfolio.horizon_years

    def sheet(self, name: str, **settings: Any) -> Sheet:
        """A new sheet with a safe, unique title."""
        title = safe_title(name, self.titles)
        self.titles.add(title)
        return Sheet(title, **settings)

    def anchor(self, name: str, sheet: Sheet, row: int, col: int) -> str:
        """Register a cell for later sheets; returns its absolute reference."""
        self.anchors[name] = ref(sheet.title, row, col)
        return self.anchors[name]

    def at(self, name: str) -> str:
        """The absolute reference of a registered cell, e.g. 'Inputs!$B$5'."""
        try:
            return self.anchors[name]
        except KeyError:
            raise KeyError(
                f"no cell registered as {name!r} (is its sheet built earlier?)"
            ) from None

    @staticmethod
    def ref(sheet: Sheet, row: int, col: int) -> str:
        """The absolute reference of a cell of `sheet`."""
        return ref(sheet.title, row, col)


_REF = re.compile(r"^(?P<sheet>.*!)\$(?P<col>[A-Z]+)\$(?P<row>\d+)$")


def shift(reference: str, cols: int) -> str:
    """An absolute reference moved `cols` columns right: 'Cash flows'!$D$9 -> 'Cash flows'!$F$9."""
    m = _REF.match(reference)
    if m is None:
        raise ValueError(f"not an absolute cell reference: {reference!r}")
    col = get_column_letter(column_index_from_string(m["col"]) + cols)
    return f"{m['sheet']}${col}${m['row']}"


def row_span(reference: str, count: int) -> str:
    """`count` cells along a row from `reference`: 'Cash flows'!$D$9:$M$9."""
    end = shift(reference, count - 1)
    return reference + ":" + end.rsplit("!", 1)[1]


# ---------------------------------------------------------------------------------------------
# Formats and small formula helpers
# ---------------------------------------------------------------------------------------------


def input_format(unit: str) -> str:
    """Number format of an input value by its unit: exact enough to show what was typed."""
    if unit.startswith("£"):
        return "money2"
    if unit.startswith("fraction"):
        return "pct_in"
    return ""


def ratio(num: str, den: str, text: str, signed: bool = True) -> str:
    """core.ratio as a formula: num / den, text where den is 0 and num is not, 0 for 0 / 0."""
    inf = f'IF({num}>0,"{text}","-{text}")' if signed else f'"{text}"'
    return f"IF({den}=0,IF({num}=0,0,{inf}),{num}/{den})"


def fill(template: str, refs: Mapping[str, str]) -> Formula:
    """A formula from a template whose {names} are replaced by cell references."""
    return Formula(template.format_map(refs))


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------

INPUT_HEADERS = (
    "Input",
    "Value",
    "Unit",
    "Belongs to",
    "Sources",
    "Citation",
    "Note",
    INPUT_KEY_HEADER,
)
INPUT_HEADER_ROW = 3


def inputs_sheet(book: Book) -> Sheet:
    """Every assumption, one per row; yellow cells may be changed, grey ones are structure."""
    widths = {1: 58, 2: 14, 3: 16, 4: 26, 5: 32, 6: 40, 7: 50, 8: 40}
    sheet = book.sheet(INPUTS, freeze="B4", print_rows="3:3", widths=widths)
    sheet.put(1, 1, "Inputs: every assumption the workbook uses, one a row", "title")
    sheet.put(
        2,
        1,
        "Change a yellow value and every figure moves. Grey values are fixed by the portfolio "
        "file's structure. `appraise import-xlsx` reads this sheet back into a portfolio file.",
        "note",
    )
    sheet.row(INPUT_HEADER_ROW, [(h, "header") for h in INPUT_HEADERS])
    citations = {key: entry.citation for key, entry in book.evidence.items()}
    r = INPUT_HEADER_ROW
    for item in input_rows(book.model, book.evidence):
        r += 1
        if isinstance(item, Section):
            r += 1 if r > INPUT_HEADER_ROW + 1 else 0
            sheet.put(r, 1, item.title, "section")
            continue
        role = "input" if item.kind in ("param", "setting") else "fixed"
        cites = "; ".join(citations[s] for s in item.sources if s in citations)
        sheet.row(
            r,
            [
                (item.label, "user"),
                (item.value, f"{role}:{input_format(item.unit)}"),
                (item.unit, "text"),
                (item.owner, "user"),
                (", ".join(item.sources), "user"),
                (cites, "user"),
                (item.note, "note"),
                (item.key, "user"),
            ],
        )
        book.anchor(f"in.{item.anchor}", sheet, r, 2)
    return sheet


# ---------------------------------------------------------------------------------------------
# Outcomes
# ---------------------------------------------------------------------------------------------

OUTCOME_HEADERS = (
    "Line",
    "Unit",
    "Value",
    "Cashable (1 = yes)",
    "Paid by children's social care (1 = yes)",
    "Counts in the headline perspective (1 = yes)",
    "Payer",
    "How it is worked out",
)


def outcomes_sheet(book: Book) -> Sheet:
    """The cost of one of each outcome, built from its components (formulas over Inputs)."""
    sheet = book.sheet(OUTCOMES, freeze="A4", print_rows="3:3", widths={1: 50, 8: 60})
    sheet.put(1, 1, "Outcomes: what one of each averted outcome saves, and whom", "title")
    sheet.put(2, 1, "£ per outcome, prices of the portfolio's price year.", "note")
    sheet.row(3, [(h, "header") for h in OUTCOME_HEADERS])
    public = book.at("in.public_sector")
    r = 4
    for key, outcome in book.portfolio.outcomes.items():
        r += 1
        sheet.put(r, 1, f"{key}: {outcome.name}", "section")
        # Components: (label, formula, anchor prefix of its switches, payer, how it is worked out)
        parts: list[tuple[str, str, str, str, str]] = []
        if outcome.derive is not None:
            at = f"outcomes.{key}.derive"
            rows = {}
            for name, label, unit, fmt in (
                ("weeks_per_year", "Average weeks in care a year", "weeks", "n2"),
                ("weekly_placement_cost", "Average placement cost a week", "£ per week", "money"),
                ("non_placement_share", "Non-placement share of total cost", "fraction", "pct"),
            ):
                r += 1
                sheet.row(r, [(label, "text"), (unit, "text")])
                sheet.put(r, 3, Formula(book.at(f"in.o.{at}.{name}")), f"calc:{fmt}")
                rows[name] = cell(r, 3)
            weeks, weekly, share = (
                rows["weeks_per_year"],
                rows["weekly_placement_cost"],
                rows["non_placement_share"],
            )
            placement_row = r + 1
            parts = [
                (
                    "Placement cost (component)",
                    f"{weeks}*{weekly}",
                    f"o.{key}.placement",
                    "childrens_social_care",
                    "weeks in care x weekly placement cost",
                ),
                (
                    "Non-placement cost: staff, travel, overheads (component)",
                    f"C{placement_row}*({share}/(1-{share}))",
                    f"o.{key}.non_placement",
                    "childrens_social_care",
                    "placement x share / (1 - share): non-placement is that share of the total",
                ),
            ]
        for j, comp in enumerate(outcome.components or []):
            path = f"outcomes.{key}.components[{j}]"
            parts.append(
                (
                    f"{comp.name} (component)",
                    book.at(f"in.o.{path}.cost"),
                    f"o.{path}",
                    comp.payer,
                    "from Inputs",
                )
            )
        first = r + 1
        for label, formula, prefix, payer, how in parts:
            r += 1
            sheet.row(
                r,
                [
                    (label, "user"),
                    ("£ per outcome", "text"),
                    (Formula(formula), "calc:money"),
                    (Formula(book.at(f"in.{prefix}.cashable")), "calc:int"),
                    (Formula(book.at(f"in.{prefix}.csc")), "calc:int"),
                    (Formula(f"MAX(E{r},{public})"), "calc:int"),
                    (payer_name(payer), "user"),
                    (how, "text"),
                ],
            )
        last = r
        span = {c: f"{c}{first}:{c}{last}" for c in "CDEF"}
        for name, label, formula, how in (
            ("all", "Cost of one outcome to all payers", f"SUM({span['C']})", "sum of components"),
            (
                "csc",
                "Cost of one outcome to children's social care",
                f"SUMPRODUCT({span['C']},{span['E']})",
                "components paid by children's social care",
            ),
            (
                "headline",
                "Cost of one outcome in the headline perspective",
                f"SUMPRODUCT({span['C']},{span['F']})",
                "components that count in the headline perspective",
            ),
            (
                "cashable",
                "Cashable cost of one outcome in the headline perspective",
                f"SUMPRODUCT({span['C']},{span['D']},{span['F']})",
                "cashable components that count in the headline perspective",
            ),
        ):
            r += 1
            sheet.row(
                r,
                [
                    (label, "bold"),
                    ("£ per outcome", "text"),
                    (Formula(formula), "output:money"),
                    None,
                    None,
                    None,
                    None,
                    (how, "text"),
                ],
            )
            book.anchor(f"outcome.{key}.{name}", sheet, r, 3)
    return sheet


# ---------------------------------------------------------------------------------------------
# Calculations
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line item: the same formula template in every intervention's column."""

    key: str
    label: str
    unit: str
    how: str
    template: str
    fmt: str = "n2"


def _choose(by_code: Mapping[int, str]) -> str:
    """CHOOSE over the effect-form codes of appraise.core, in code order."""
    codes = sorted(by_code)
    assert codes == list(range(len(EFFECT_FORM_NAMES))), codes
    return "CHOOSE({effect_form}+1," + ",".join(by_code[c] for c in codes) + ")"


_BY_ODDS = "{effect_a}*{odds_ratio}/(1-{effect_a}+{effect_a}*{odds_ratio})"

CALC_LINES: tuple[Line | str, ...] = (
    "Reach",
    Line(
        "reach_base",
        "Eligible cases, cases served or capacity",
        "cases",
        "Inputs",
        "{in_reach_base}",
        "n1",
    ),
    Line("reach_share", "Proportion served", "fraction", "Inputs", "{in_reach_share}", "pct"),
    Line("reach_offset", "Places already provided", "cases", "Inputs", "{in_reach_offset}", "n1"),
    Line(
        "reach",
        "Cases served a year (reach)",
        "cases",
        "eligible x proportion - places already provided",
        "{reach_base}*{reach_share}-{reach_offset}",
        "n1",
    ),
    "Cost",
    Line("unit_cost", "Unit cost", "£ per case", "Inputs", "{in_unit_cost}", "money"),
    Line(
        "fixed_cost",
        "Total cost (when given as a total)",
        "£",
        "Inputs",
        "{in_fixed_cost}",
        "money",
    ),
    Line(
        "cost",
        "Cost a year",
        "£",
        "unit cost x reach + total cost",
        "{unit_cost}*{reach}+{fixed_cost}",
        "money",
    ),
    "Effect",
    Line(
        "effect_form",
        "Effect form code",
        "code",
        "Inputs: " + ", ".join(f"{c} {n}" for c, n in sorted(EFFECT_FORM_NAMES.items())),
        "{in_effect_form}",
        "int",
    ),
    Line("effect_a", "First effect figure", "as reported", "Inputs", "{in_effect_a}", "n4"),
    Line(
        "effect_b",
        "Second effect figure (0 if none)",
        "as reported",
        "Inputs",
        "{in_effect_b}",
        "n4",
    ),
    Line(
        "odds_ratio",
        "Odds ratio the effect stands for",
        "ratio",
        "as given, or EXP(factor x d) from Cohen's d (Cox or logistic); 1 for other forms",
        _choose(
            {
                core.SUCCESS_RATE: "1",
                core.PER_CASE: "1",
                core.TREATED_RISK: "1",
                core.RELATIVE_RISK: "1",
                core.ODDS_RATIO: "{effect_b}",
                core.COHENS_D_COX: "EXP({in_cox}*{effect_b})",
                core.COHENS_D_LOGIT: "EXP({in_logit}*{effect_b})",
            }
        ),
        "n4",
    ),
    Line(
        "treated_risk",
        "Risk of the outcome with the service",
        "fraction",
        "treated risk as given; baseline x RR (kept within 0..1); or p0 OR / (1 - p0 + p0 OR)",
        _choose(
            {
                core.SUCCESS_RATE: "{effect_a}",
                core.PER_CASE: "{effect_a}",
                core.TREATED_RISK: "{effect_b}",
                core.RELATIVE_RISK: "MIN(MAX({effect_a}*{effect_b},0),1)",
                core.ODDS_RATIO: _BY_ODDS,
                core.COHENS_D_COX: _BY_ODDS,
                core.COHENS_D_LOGIT: _BY_ODDS,
            }
        ),
        "pct2",
    ),
    Line(
        "effect_raw",
        "Outcomes averted per case, before haircuts",
        "per case",
        "the success rate or per-case figure; for risks, baseline - treated risk",
        _choose(
            {
                core.SUCCESS_RATE: "{effect_a}",
                core.PER_CASE: "{effect_a}",
                **{
                    c: "{effect_a}-{treated_risk}"
                    for c in (
                        core.TREATED_RISK,
                        core.RELATIVE_RISK,
                        core.ODDS_RATIO,
                        core.COHENS_D_COX,
                        core.COHENS_D_LOGIT,
                    )
                },
            }
        ),
        "n4",
    ),
    Line(
        "optimism_bias",
        "Optimism-bias haircut",
        "fraction",
        "switch on Inputs x the rate for this evidence rating",
        "{in_apply_optimism_bias}*{in_ob}",
        "pct",
    ),
    Line(
        "non_uk_haircut",
        "Non-UK evidence haircut",
        "fraction",
        "this intervention's non-UK switch x the haircut rate",
        "{in_non_uk}*{in_non_uk_rate}",
        "pct",
    ),
    Line(
        "effect_adjusted",
        "Outcomes averted per case, after haircuts",
        "per case",
        "effect x (1 - optimism bias) x (1 - non-UK haircut)",
        "{effect_raw}*(1-{optimism_bias})*(1-{non_uk_haircut})",
        "n4",
    ),
    Line(
        "outcomes_averted",
        "Outcomes averted a year",
        "outcomes",
        "reach x outcomes averted per case",
        "{reach}*{effect_adjusted}",
        "n2",
    ),
    "Savings (£ a year; positive = money saved, negative = a loss)",
    Line(
        "outcome_cost",
        "Cost of one outcome, headline perspective",
        "£ per outcome",
        "Outcomes",
        "{out_headline}",
        "money",
    ),
    Line(
        "cashable_outcome_cost",
        "Cashable cost of one outcome, headline perspective",
        "£ per outcome",
        "Outcomes",
        "{out_cashable}",
        "money",
    ),
    Line(
        "outcome_cost_csc",
        "Cost of one outcome to children's social care",
        "£ per outcome",
        "Outcomes",
        "{out_csc}",
        "money",
    ),
    Line(
        "outcome_cost_all",
        "Cost of one outcome to all payers",
        "£ per outcome",
        "Outcomes",
        "{out_all}",
        "money",
    ),
    Line(
        "gross_savings",
        "Gross savings",
        "£",
        "outcomes averted x cost of one outcome",
        "{outcomes_averted}*{outcome_cost}",
        "money",
    ),
    Line(
        "net_savings", "Net savings", "£", "gross savings - cost", "{gross_savings}-{cost}", "money"
    ),
    Line(
        "cashable_gross_savings",
        "Cashable gross savings",
        "£",
        "outcomes averted x cashable cost of one outcome",
        "{outcomes_averted}*{cashable_outcome_cost}",
        "money",
    ),
    Line(
        "cashable_share",
        "Cashable share of one outcome's cost",
        "fraction",
        "cashable cost / cost of one outcome (0 when both are 0)",
        ratio("{cashable_outcome_cost}", "{outcome_cost}", INFINITE),
        "pct",
    ),
    Line(
        "cashable_net_savings_strict",
        "Cashable net savings, strict",
        "£",
        "cashable gross savings - the full cost",
        "{cashable_gross_savings}-{cost}",
        "money",
    ),
    Line(
        "cashable_net_savings_pro_rata",
        "Cashable net savings, pro rata",
        "£",
        "net savings x cashable share (Thurrock's convention)",
        "{net_savings}*{cashable_share}",
        "money",
    ),
    Line(
        "cashable_net_savings",
        "Cashable net savings, convention in force",
        "£",
        "pro rata if the switch on Inputs is 1, else strict",
        "IF({in_pro_rata}=1,{cashable_net_savings_pro_rata},{cashable_net_savings_strict})",
        "money",
    ),
    Line(
        "net_savings_childrens_social_care",
        "Net savings to children's social care",
        "£",
        "outcomes averted x cost to children's social care - cost",
        "{outcomes_averted}*{outcome_cost_csc}-{cost}",
        "money",
    ),
    Line(
        "net_savings_public_sector",
        "Net savings to the public sector (all payers)",
        "£",
        "outcomes averted x cost to all payers - cost",
        "{outcomes_averted}*{outcome_cost_all}-{cost}",
        "money",
    ),
    Line(
        "roi",
        "Return: gross savings per £1 of cost",
        "ratio",
        f'gross savings / cost ("{INFINITE}" when the cost is 0)',
        ratio("{gross_savings}", "{cost}", INFINITE),
        "n2",
    ),
    "Break-even",
    Line(
        "break_even_outcomes",
        "Outcomes averted needed to break even",
        "outcomes",
        f'cost / cost of one outcome ("{NEVER}" when an outcome saves nothing)',
        ratio("{cost}", "{outcome_cost}", NEVER, signed=False),
        "n2",
    ),
    Line(
        "break_even_success_rate",
        "Outcomes averted per case needed to break even",
        "per case",
        "break-even outcomes / reach",
        f'IF(ISTEXT({{break_even_outcomes}}),"{NEVER}",'
        + ratio("{break_even_outcomes}", "{reach}", NEVER, signed=False)
        + ")",
        "n4",
    ),
)

CALC_FIRST_COL = 4


def _calc_refs(book: Book, i: int) -> dict[str, str]:
    """Names a Calculations template may use for intervention i, other than its own lines."""
    item = book.model.interventions[i]
    refs = {f"in_{slot}": book.at(f"in.i{i}.{slot}") for slot in _SLOTS}
    refs.update(
        in_cox=book.at("in.cox"),
        in_logit=book.at("in.logit"),
        in_apply_optimism_bias=book.at("in.apply_optimism_bias"),
        in_ob=book.at(f"in.ob.{item.evidence.rating}"),
        in_non_uk_rate=book.at("in.non_uk_rate"),
        in_pro_rata=book.at("in.pro_rata"),
    )
    for name in ("headline", "cashable", "csc", "all"):
        refs[f"out_{name}"] = book.at(f"outcome.{item.averts}.{name}")
    return refs


_SLOTS = (
    "reach_base",
    "reach_share",
    "reach_offset",
    "unit_cost",
    "fixed_cost",
    "effect_form",
    "effect_a",
    "effect_b",
    "non_uk",
)


def rate_format(book: Book, i: int) -> str:
    """Per-case effects show as numbers, success rates and risks as percentages."""
    per_case = int(book.model.base.effect_form[i]) == core.PER_CASE
    return "n3" if per_case else "pct2"


def calculations_sheet(book: Book) -> Sheet:
    """Every step from reach to break-even, one line a row, one intervention a column."""
    n = book.n
    sheet = book.sheet(
        CALCULATIONS,
        freeze=cell(4, CALC_FIRST_COL),
        print_rows="1:3",
        print_cols="A:C",
        pages_wide=1 if n <= 8 else 0,
        widths={1: 48, 2: 14, 3: 60, **{CALC_FIRST_COL + i: 22 for i in range(n)}},
    )
    sheet.put(
        1, 1, "Calculations: one line a row, the same formula for every intervention", "title"
    )
    sheet.row(2, [("Line", "header"), ("Unit", "header"), ("How it is worked out", "header")])
    sheet.row(3, [("", "header"), ("", "header"), ("Intervention name", "header")])
    items = book.model.interventions
    for i, item in enumerate(items):
        sheet.put(2, CALC_FIRST_COL + i, item.id, "header")
        sheet.put(3, CALC_FIRST_COL + i, item.name, "user_wrap")
    r = 4
    for k, label in enumerate(("What it is", "Effect reported as", "Evidence rating")):
        sheet.row(r + k, [(label, "text"), ("", "text"), ("from the portfolio file", "text")])
    for i, item in enumerate(items):
        form = EFFECT_FORM_NAMES[int(book.model.base.effect_form[i])]
        sheet.put(r, CALC_FIRST_COL + i, item.description, "user")
        sheet.put(r + 1, CALC_FIRST_COL + i, form, "text")
        sheet.put(r + 2, CALC_FIRST_COL + i, item.evidence.rating, "user")
    r += 2
    # Per column: the Inputs and Outcomes cells it uses, then its own earlier lines as placed.
    refs = [_calc_refs(book, i) for i in range(n)]
    for line in CALC_LINES:
        r += 1
        if isinstance(line, str):
            r += 1
            sheet.put(r, 1, line, "section")
            continue
        sheet.row(r, [(line.label, "text"), (line.unit, "text"), (line.how, "text")])
        for i in range(n):
            col = CALC_FIRST_COL + i
            fmt = rate_format(book, i) if line.unit == "per case" else line.fmt
            sheet.put(r, col, fill(line.template, refs[i]), f"calc:{fmt}")
            refs[i][line.key] = cell(r, col)
            book.anchor(f"calc.{line.key}.{i}", sheet, r, col)
    return sheet
