"""The registry of result figures: every figure `appraise evaluate` reports, described once.

The twin of the parameter registry. Each entry holds the figure's key (its JSON key), label,
unit, kind (money, count, rate, ratio, year, text), whether it adds up across interventions, its
display format, a one-line meaning, and the tolerance within which two workings of it agree
(the workbook against the engine; a recomputed claim's unit). Figures that are line items take
their label, unit, format and meaning from their line (`appraise.engine.lines`); the CLI's table
headers, the app's labels and help, the workbook's headings and the About sheet, `verify` and
`track` all read them here.
"""

from __future__ import annotations

from dataclasses import dataclass

from appraise.engine.lines import LINES

# How close two workings of a figure must be, by kind: £1 for money, 0.001 for counts (children,
# outcomes), a millionth for rates and ratios, half a year for a payback year.
TOLERANCE = {"money": 1.0, "count": 1e-3, "rate": 1e-6, "ratio": 1e-6, "year": 0.5, "text": 0.0}
# The unit a claim about a figure of each kind is checked in (`appraise verify`).
CLAIM_UNIT = {"money": "£", "count": "count", "rate": "fraction", "ratio": "ratio", "year": "year"}
# The workbook number format of each kind, where the line does not say.
FORMAT = {"money": "money", "count": "n2", "rate": "pct2", "ratio": "n2", "year": "int", "text": ""}


@dataclass(frozen=True)
class Figure:
    """One reported figure: what it is called, what it measures, how it is shown and checked."""

    key: str
    label: str
    unit: str
    kind: str  # money | count | rate | ratio | year | text
    sums: bool  # adds up across interventions (a portfolio figure is their sum)
    fmt: str  # workbook number format (appraise.workbook.writer.FORMATS)
    meaning: str
    short: str  # a column header for a narrow table (the CLI's)
    infinite: str | None = None  # how an infinite value (a ratio over zero) is shown
    name: str = ""  # what the app and reports call it (the label where empty)
    help: str = ""  # a sentence for a reader (the meaning where empty)

    @property
    def title(self) -> str:
        """The figure's name for people: the app's metrics and tables, the report."""
        return self.name or self.label

    @property
    def explained(self) -> str:
        """A sentence saying what the figure is, for help text."""
        return self.help or (self.meaning[:1].upper() + self.meaning[1:] + ".")

    @property
    def tolerance(self) -> float:
        return TOLERANCE[self.kind]

    @property
    def claim_unit(self) -> str:
        return CLAIM_UNIT.get(self.kind, "")

    @property
    def per_case(self) -> bool:
        """A rate that is outcomes per case where the effect is given per case."""
        return self.unit == "per case"


def _kind(unit: str) -> str:
    if unit.startswith("£"):
        return "money"
    if unit in ("cases", "outcomes", "children", "child-years", "weeks", "days", "places"):
        return "count"
    if unit in ("fraction", "per case", "share"):
        return "rate"
    if unit == "year":
        return "year"
    if unit in ("ratio", "factor"):
        return "ratio"
    return "text"


# Short headers for the CLI's tables, where a label is too long for a column.
SHORT = {
    "reach": "Reach",
    "cost": "Cost",
    "outcomes_averted": "Averted",
    "gross_savings": "Gross savings",
    "net_savings": "Net savings",
    "cashable_net_savings": "Cashable net",
    "roi": "ROI",
    "break_even_success_rate": "Break-even rate",
    "effect_adjusted": "Expected rate",
    "npv": "NPV",
    "bcr": "BCR",
    "payback_year": "Payback",
    "break_even_outcomes": "Break-even outcomes",
    "pv_cost": "PV cost",
    "cashable_gross_savings": "Cash-releasing",
    "cost_avoidance_savings": "Cost avoidance",
    "capacity_savings": "Capacity",
    "recurring_savings": "Recurring",
    "one_off_savings": "One-off",
    "pv_gross_savings": "PV savings",
}


# What the app and reports call a figure, and how they explain it (where not the line's own).
NAME = {
    "reach": ("Reach", "Families, women or places served in a year."),
    "cost": ("Cost", "What a year of the service costs."),
    "outcomes_averted": ("Outcomes averted", "The costly outcomes avoided in a year."),
    "gross_savings": ("Gross savings", "Outcomes averted x their cost."),
    "net_savings": ("Net savings", "Gross savings minus the cost."),
    "cashable_net_savings": (
        "Cashable net savings",
        "The part that comes off a budget line quickly (placement spend).",
    ),
    "cashable_gross_savings": (
        "Cash-releasing savings",
        "Gross savings that come off a budget: the cashable part.",
    ),
    "cost_avoidance_savings": (
        "Cost avoidance",
        "Gross savings as spend avoided: no budget is reduced.",
    ),
    "capacity_savings": ("Capacity freed", "Gross savings as staff time or places freed."),
    "recurring_savings": (
        "Recurring savings",
        "Gross savings that recur each year an outcome stays averted.",
    ),
    "one_off_savings": ("One-off savings", "Gross savings made once per outcome averted."),
    "roi": ("ROI", "Gross savings per pound spent."),
    "break_even_success_rate": (
        "Break-even success rate",
        "The success rate at which the service just pays for itself.",
    ),
    "effect_adjusted": ("Expected success rate", "Outcomes averted per case, after haircuts."),
    "break_even_effect_share": (
        "Break-even share of the effect",
        "The share of the expected effect (every outcome scaled together) at which the service "
        "just pays for itself.",
    ),
    "cost_per_case": ("Cost per case", "Cost / reach."),
    "net_savings_per_case": ("Net savings per case", "Net savings / reach."),
    "npv": ("NPV", "Net savings discounted to today's money."),
    "bcr": ("Benefit-cost ratio", "Discounted savings per pound spent."),
    "payback_year": ("Pays back", "First year cumulative net savings reach 0."),
    "discounted_payback_year": ("Pays back, discounted", "The same, after discounting."),
    "pv_cost": ("Cost (present value)", "The cost over the horizon, discounted."),
    "pv_gross_savings": (
        "Gross savings (present value)",
        "Gross savings over the horizon, discounted.",
    ),
}


# "1 in N" is a ratio of cases to successes, though counted in cases.
KIND = {"cases_per_success_at_break_even": "ratio"}


def _from_line(key: str, meaning: str | None = None) -> Figure:
    line = LINES[key]
    kind = KIND.get(key) or _kind(line.unit)
    unit = (
        "£"
        if kind == "money" and key not in ("outcome_cost", "cashable_outcome_cost")
        else line.unit
    )
    return Figure(
        key,
        line.label,
        unit,
        kind,
        line.total == "sum",
        line.fmt,
        meaning or line.how,
        SHORT.get(key, line.label),
        line.infinite,
        *NAME.get(key, ("", "")),
    )


_LINE_FIGURES = (
    "reach",
    "cases_costed",
    "cost",
    "cost_per_case",
    "effect_raw",
    "optimism_bias",
    "non_uk_haircut",
    "additionality",
    "effect_adjusted",
    "treated_risk",
    "outcomes_averted",
    "outcome_cost",
    "cashable_outcome_cost",
    "gross_savings",
    "net_savings",
    "net_savings_per_case",
    "cashable_gross_savings",
    "cost_avoidance_savings",
    "capacity_savings",
    "recurring_savings",
    "one_off_savings",
    "cashable_net_savings",
    "cashable_net_savings_strict",
    "cashable_net_savings_pro_rata",
    "net_savings_childrens_social_care",
    "net_savings_public_sector",
    "roi",
    "break_even_outcomes",
    "break_even_success_rate",
    "break_even_effect_share",
    "cases_per_success_at_break_even",
    "safety_margin",
    "pv_cost",
    "pv_gross_savings",
    "npv",
    "bcr",
    "payback_year",
    "discounted_payback_year",
)

# An outcome contract's figures (docs/outcome-contracts.md): claimable, not in the Summary.
CONTRACT_FIGURES = (
    "contract_payments",
    "contract_uncapped",
    "contract_council_payments",
    "contract_top_up_paid",
    "contract_fixed_fees",
    "contract_paid_days",
    "contract_council_net",
    "direct_net",
    "provider_net",
    "contract_cap_binds_at_days",
    "contract_cap_binds_at_share",
)

FIGURES: dict[str, Figure] = {key: _from_line(key) for key in (*_LINE_FIGURES, *CONTRACT_FIGURES)}
# Figures that are not line items: descriptions, breakdowns and the year-by-year flows.
for figure in (
    Figure(
        "id",
        "Intervention",
        "",
        "text",
        False,
        "",
        "The intervention's id in the portfolio file",
        "Intervention",
    ),
    Figure("name", "Name", "", "text", False, "", "The intervention's name", "Name"),
    Figure("category", "Category", "", "text", False, "", "The kind of service", "Category"),
    Figure("averts", "Averts", "", "text", False, "", "The outcome it averts", "Averts"),
    Figure(
        "evidence_rating",
        "Evidence rating",
        "",
        "text",
        False,
        "",
        "EIF Guidebook level",
        "Rating",
        name="Evidence",
    ),
    Figure(
        "evidence_design",
        "How the effect was found",
        "",
        "text",
        False,
        "",
        "The comparison behind the effect: rct, quasi_experimental, historical_baseline, "
        "before_after or none (not stated: null)",
        "Design",
    ),
    Figure(
        "effect_form",
        "Effect reported as",
        "",
        "text",
        False,
        "",
        "How the study reported the effect",
        "Effect form",
    ),
    Figure(
        "effect_conversion",
        "Effect conversion",
        "",
        "text",
        False,
        "",
        "From the effect as reported to outcomes averted per case, with its numbers",
        "Conversion",
    ),
    Figure(
        "savings_by_payer",
        "Gross savings by payer",
        "£",
        "money",
        True,
        "money",
        "Who saves",
        "By payer",
    ),
    Figure(
        "flags",
        "Flags",
        "",
        "text",
        False,
        "",
        "What a reader must know before using the figures: an effect observed over part of a "
        "year and taken as a year's",
        "Flags",
    ),
    Figure(
        "savings_by_class",
        "Gross savings by class",
        "£",
        "money",
        True,
        "money",
        "Gross savings as councils book them: cash-releasing, cost avoidance and capacity (adding "
        "up to gross savings), and recurring and one-off (adding up to it too)",
        "By class",
    ),
    Figure(
        "savings_by_component",
        "Gross savings by component",
        "£",
        "money",
        True,
        "money",
        "Gross savings split over the parts of one outcome's cost",
        "By component",
    ),
    Figure(
        "outcomes_averted_by_outcome",
        "Outcomes averted, by outcome",
        "outcomes",
        "count",
        True,
        "n2",
        "Each outcome's averted count, over the interventions averting it",
        "Averted by outcome",
    ),
    Figure(
        "savings_by_outcome",
        "Gross savings by outcome",
        "£",
        "money",
        True,
        "money",
        "Gross savings from each outcome the intervention averts",
        "By outcome",
    ),
    Figure(
        "reach_unit",
        "Reach counted in",
        "",
        "text",
        False,
        "",
        "What reach counts (families, children, places), as the file says",
        "Unit",
    ),
    Figure(
        "cost_per",
        "Unit cost per",
        "",
        "text",
        False,
        "",
        "What a unit cost is per (case, family, place), as the file says",
        "Per",
    ),
    Figure(
        "effects",
        "Effects",
        "",
        "text",
        False,
        "",
        "Each outcome the intervention averts: its effect, outcomes averted, savings and "
        "break-even with the others as expected",
        "Effects",
    ),
    Figure(
        "discount_factor",
        "Discount factor",
        "factor",
        "ratio",
        False,
        "n4",
        "1 / (1 + rate)^(year - 1)",
        "Discount factor",
    ),
    Figure(
        "cumulative_net",
        "Cumulative net savings",
        "£",
        "money",
        False,
        "money",
        "Net savings to the end of the year",
        "Cumulative",
    ),
    Figure(
        "discounted_net",
        "Discounted net savings",
        "£",
        "money",
        False,
        "money",
        "Net savings x discount factor",
        "Discounted",
    ),
    Figure(
        "cumulative_discounted_net",
        "Cumulative discounted net savings",
        "£",
        "money",
        False,
        "money",
        "Discounted net savings to the end of the year",
        "Cumulative discounted",
    ),
):
    FIGURES[figure.key] = figure


def figure(key: str) -> Figure:
    """The figure with this key; a year's figure (`years.2.net_savings`) is its flow's."""
    if key.startswith("years."):
        key = key.rsplit(".", 1)[-1]
    return FIGURES[key.split(".")[0]]


def kind_of(key: str) -> str:
    """money, count, rate, ratio, year or text."""
    return figure(key).kind


def summable(key: str) -> bool:
    """Whether adding the figure over interventions means something (money and counts, not
    prices, rates, ratios or years)."""
    found = figure(key)
    return found.kind in ("money", "count") and not found.unit.startswith("£ per")
