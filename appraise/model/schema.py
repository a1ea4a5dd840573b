"""The validated file format: pydantic models for portfolios, interventions, outcomes and evidence.

Validation lives here so the loader, the CLI and the app all reject the same things the same way.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    ValidationError,
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from appraise.errors import InputError
from appraise.model import limits, periods, ratings, savings
from appraise.model.base import PAYER, Base, Text, check_slug, made_once, one_form
from appraise.model.baseline import Baseline, FinancialYearStartMonth, StartMonth, at
from appraise.model.contract import Contract
from appraise.model.costs import cost_item
from appraise.model.council import CouncilPaper
from appraise.model.discounting import DiscountInput, DiscountRate
from appraise.model.limits import (
    BENEFIT_YEARS,
    CASES,
    COHENS_D,
    COST_MONTHS,
    FTE,
    LAG_MONTHS,
    ON_COSTS,
    PER_CASE,
    PER_COSTED_CASE,
    POSITIVE_RATIO,
    PROBABILITY,
    RATIO,
    SALARY,
    SHARE,
    TOTAL_COST,
    UNIT_COST,
    UNITS,
    WEEKLY_COST,
    WEEKS,
)
from appraise.model.numbers import Input, Num, central
from appraise.model.prices.years import PriceYearField
from appraise.model.provenance import (
    Provenance,
    assumed,
    attach,
    cited,
    figure_data,
    is_figure_form,
    parse_figure,
)

RATINGS = ratings.CODES  # the Guidebook's ratings, defined once in appraise.model.ratings
CATEGORIES = (
    "edge_of_care",
    "repeat_removal",
    "dv_victims",
    "dv_perpetrators",
    "parenting",
    "other",
)
EVIDENCE_TYPES = (
    "trial",
    "meta_analysis",
    "quasi_experimental",
    "evaluation",
    "economic_evaluation",
    "cost_data",
    "local_data",
    "report",
    "method",
    "guidance",
)
# Source types that can establish an effect (as opposed to a cost, a method or guidance).
EFFECT_EVIDENCE_TYPES = ("trial", "meta_analysis", "quasi_experimental", "evaluation", "local_data")

# The project's own judgement, not a published standard (docs/defaults.md), each value carrying
# that provenance.
DEFAULT_OPTIMISM_BIAS: dict[str, float] = {
    r.code: attach(r.optimism_bias, r.haircut_basis) for r in ratings.REGISTRY
}
CHILDRENS_SOCIAL_CARE = "childrens_social_care"


REACH_FORMS = {
    "eligible": ("eligible", "proportion"),
    "count": ("count",),
    "capacity": ("from_capacity", "to_capacity"),
}
UNIT_COST_FORMS = {"per_case": ("amount",), "total": ("total",), "staff": ("staff",)}
RISK_EFFECT_FORMS = ("treated_risk", "relative_risk", "odds_ratio", "cohens_d")
EFFECT_FORMS = {
    "success_rate": ("success_rate",),
    "treated_risk": ("baseline_risk", "treated_risk"),
    "per_case": ("per_case",),
    "relative_risk": ("baseline_risk", "relative_risk"),
    "odds_ratio": ("baseline_risk", "odds_ratio"),
    "cohens_d": ("baseline_risk", "cohens_d"),
}


def _default(why: str) -> Provenance:
    """The provenance of a default the project chose (docs/defaults.md)."""
    return assumed("appraise default (docs/defaults.md)", why)


class Reach(Base):
    """Cases served per year: eligible x proportion, a count, or the places added to capacity."""

    eligible: Annotated[Num, Input("Eligible cases a year", "cases", CASES)] | None = None
    proportion: (
        Annotated[Num, Input("Proportion of eligible cases served", "fraction", PROBABILITY)] | None
    ) = None
    count: Annotated[Num, Input("Cases served a year", "cases", CASES)] | None = None
    from_capacity: Annotated[Num, Input("Current capacity", "places", CASES)] | None = None
    to_capacity: Annotated[Num, Input("Recommended capacity", "places", CASES)] | None = None
    unit: Text | None = None
    # Reach counts one unit (children) and the cost another (families): units per costed case.
    per_case: (
        Annotated[
            Num,
            Input(
                "Reach units per costed case",
                "per costed case",
                PER_COSTED_CASE,
                _default("reach is counted in the units the cost is per"),
            ),
        ]
        | None
    ) = None
    note: Text | None = None

    @model_validator(mode="after")
    def _form(self) -> Reach:
        form = one_form(self, REACH_FORMS, "reach")
        if form == "capacity" and central(self.to_capacity) < central(self.from_capacity):
            raise ValueError(
                f"to_capacity ({central(self.to_capacity):g}) is below from_capacity "
                f"({central(self.from_capacity):g}): the appraisal is of added places"
            )
        return self

    @property
    def form(self) -> str:
        return one_form(self, REACH_FORMS, "reach")


class Staff(Base):
    """One line of a staffed service's establishment: a year's cost is FTE x salary x (1 +
    on-costs)."""

    role: Text
    fte: Annotated[Num, Input("Full-time equivalents", "FTE", FTE)]
    salary: Annotated[Num, Input("Salary a year", "£ a year", SALARY)]
    on_costs: Annotated[
        Num, Input("On-costs (employer's pension and NI, share of salary)", "fraction", ON_COSTS)
    ] = 0.0
    note: Text | None = None


class UnitCost(Base):
    """What the service costs: per case (`amount`, `per`), in total for the year's reach, or
    from its staff (`staff` lines and `non_staff` a year)."""

    amount: Annotated[Num, Input("Unit cost", "£ per case", UNIT_COST)] | None = None
    per: Text = "case"
    total: Annotated[Num, Input("Total cost a year", "£", TOTAL_COST)] | None = None
    staff: Annotated[list[Staff], Field(min_length=1, max_length=limits.MAX_STAFF)] | None = None
    non_staff: Annotated[Num, Input("Non-staff cost a year", "£", TOTAL_COST)] | None = None
    price_year: PriceYearField | None = None  # the prices the figure is in (default: the base)
    note: Text | None = None

    @model_validator(mode="after")
    def _form(self) -> UnitCost:
        form = one_form(self, UNIT_COST_FORMS, "unit_cost")
        if self.non_staff is not None and form != "staff":
            raise ValueError("non_staff goes with staff lines (unit_cost: {staff: [...]})")
        if form == "staff":
            roles = [line.role for line in self.staff or ()]
            repeated = sorted({r for r in roles if roles.count(r) > 1})
            if repeated:
                raise ValueError(f"staff roles must be unique; repeated: {repeated}")
        return self

    @property
    def form(self) -> str:
        return one_form(self, UNIT_COST_FORMS, "unit_cost")

    _made_once = made_once()  # last: it holds the validators above (appraise.model.base)


class Effect(Base):
    """The effect on the costly outcome, in the form the study reported it."""

    success_rate: (
        Annotated[Num, Input("Success rate (outcome averted per case)", "fraction", PROBABILITY)]
        | None
    ) = None
    baseline_risk: (
        Annotated[Num, Input("Risk of the outcome without the service", "fraction", PROBABILITY)]
        | None
    ) = None
    treated_risk: (
        Annotated[Num, Input("Risk of the outcome with the service", "fraction", PROBABILITY)]
        | None
    ) = None
    per_case: (
        Annotated[Num, Input("Outcomes averted per case", "outcomes per case", PER_CASE)] | None
    ) = None
    relative_risk: (
        Annotated[Num, Input("Relative risk (with / without)", "ratio", RATIO)] | None
    ) = None
    odds_ratio: (
        Annotated[Num, Input("Odds ratio (with / without)", "ratio", POSITIVE_RATIO)] | None
    ) = None
    cohens_d: (
        Annotated[
            Num,
            Input("Standardised effect (Cohen's d, negative = fewer outcomes)", "d", COHENS_D),
        ]
        | None
    ) = None
    conversion: Literal["cox", "logit"] | None = None
    # The months the effect was observed over ("23 of 26 children did not enter care" in three
    # months): under a year, it is taken as a year's result and flagged wherever it is shown.
    observed_months: (
        Annotated[float, Field(gt=0, le=limits.MAX_MONTHS, allow_inf_nan=False)] | None
    ) = None
    note: Text | None = None

    @property
    def part_year(self) -> bool:
        """Observed over less than a year, and taken as a year's result."""
        return self.observed_months is not None and self.observed_months < 12

    @model_validator(mode="after")
    def _form(self) -> Effect:
        form = one_form(self, EFFECT_FORMS, "effect")
        if self.conversion is not None and form != "cohens_d":
            raise ValueError("conversion applies only to an effect given as cohens_d")
        b = central(self.baseline_risk) if self.baseline_risk is not None else None
        if form == "treated_risk" and central(self.treated_risk) > b:
            raise ValueError(
                f"treated_risk ({central(self.treated_risk):g}) is above baseline_risk ({b:g}): "
                "the intervention would cause outcomes, not avert them"
            )
        if form == "relative_risk" and b * central(self.relative_risk) > 1:
            raise ValueError(
                f"baseline_risk x relative_risk = {b * central(self.relative_risk):g} is a "
                "treated risk above 1"
            )
        return self

    @property
    def form(self) -> str:
        return one_form(self, EFFECT_FORMS, "effect")

    _made_once = made_once()  # last: it holds the validators above (appraise.model.base)


def _named_once(names: list[str] | None, what: str) -> list[str] | None:
    """Refuse a list naming the same id twice (a source cited twice would count twice)."""
    repeated = sorted({n for n in names or () if names.count(n) > 1})  # type: ignore[union-attr]
    if repeated:
        raise ValueError(f"names the {what} {', '.join(map(repr, repeated))} more than once")
    return names


class Finding(Base):
    """A study's finding against the effect an intervention is credited with (a trial that
    found no effect), shown in the intervention's own section, not only in a methods note."""

    source: Text  # an evidence id among the intervention's sources
    found: Text  # what it found, in the project's words unless quoted with its locator
    at: Text | None = None  # where in the source


# How the effect was found (docs/additionality.md): against a randomised control group (`rct`),
# a matched comparison group (`quasi_experimental`), the rate before the service
# (`historical_baseline`), the same cases before and after (`before_after`), or no comparison.
# Each design in plain words, as a paper or a page names it (one place for the wording).
DESIGN_NAMES = {
    "rct": "Randomised controlled trial",
    "quasi_experimental": "Matched comparison group",
    "historical_baseline": "The rate before the service",
    "before_after": "The same cases before and after",
    "none": "No comparison",
}
DESIGNS = tuple(DESIGN_NAMES)
# Designs whose comparison group already is what would have happened anyway: no deadweight.
CONTROLLED_DESIGNS = {"rct": "a randomised trial", "quasi_experimental": "a matched comparison"}


UNEVIDENCED = "NL2"  # the Guidebook's rating for a service whose evidence does not meet level 2


class EvidenceRef(Base):
    """How strong the evidence is, how the effect was found, and where it comes from."""

    rating: str
    design: Literal[DESIGNS] | None = None  # type: ignore[valid-type]
    # None only where no source stands behind the effect: rated NL2, each figure `assumed`.
    sources: Annotated[list[Text], Field(max_length=limits.MAX_SOURCES)] = []
    effect_sources: Annotated[list[Text], Field(max_length=limits.MAX_SOURCES)] | None = None
    # Findings against the effect used (its own section of the paper and the app say so).
    against: Annotated[list[Finding], Field(max_length=limits.MAX_SOURCES)] = []
    note: Text | None = None

    @field_validator("rating", mode="before")
    @classmethod
    def _rating(cls, v: Any) -> str:
        if isinstance(v, int) and not isinstance(v, bool):
            v = str(v)
        if v not in RATINGS:
            raise ValueError(f"rating must be one of {', '.join(RATINGS)} (got {v!r})")
        return v

    @field_validator("sources", "effect_sources")
    @classmethod
    def _once(cls, v: list[str] | None) -> list[str] | None:
        return _named_once(v, "source")

    @model_validator(mode="after")
    def _effect_sources_subset(self) -> EvidenceRef:
        if not self.sources and self.rating != UNEVIDENCED:
            raise at(
                "sources",
                f"a rating of {self.rating} needs the sources it rests on; with none, rate "
                f"it {UNEVIDENCED} (no evidence meets level 2) and mark the effect `assumed`",
            )
        extra = set(self.effect_sources or ()) - set(self.sources)
        if extra:
            raise ValueError(f"effect_sources {sorted(extra)} are not listed in sources")
        for j, finding in enumerate(self.against):
            if finding.source not in self.sources:
                raise at(
                    f"against[{j}].source",
                    "not listed in sources: a finding against the effect is one of its sources",
                    finding.source,
                )
        return self

    _made_once = made_once()  # last: it holds the validators above (appraise.model.base)


_TIMING = (
    "a steady annual service whose outcomes save one year each, so year 1 is the one-year appraisal"
)


class Timing(Base):
    """When a cohort's costs fall and how long its savings last (multi-year appraisal)."""

    cohorts: Annotated[StrictInt, Field(ge=0, le=limits.MAX_COHORTS)] = 0
    cost_months: Annotated[
        Num,
        Input(
            "Months over which a cohort's cost is spent", "months", COST_MONTHS, _default(_TIMING)
        ),
    ] = 12.0
    benefit_lag_months: Annotated[
        Num,
        Input("Months from cohort start to first savings", "months", LAG_MONTHS, _default(_TIMING)),
    ] = 0.0
    benefit_years: Annotated[
        Num,
        Input("Years each averted outcome keeps saving", "years", BENEFIT_YEARS, _default(_TIMING)),
    ] = 1.0
    annual_decay: Annotated[
        Num,
        Input(
            "Share of the effect lost each year after the first",
            "fraction",
            PROBABILITY,
            _default(_TIMING),
        ),
    ] = 0.0
    ramp_up: Annotated[
        Num,
        Input(
            "Share of reach achieved in the first year", "fraction", PROBABILITY, _default(_TIMING)
        ),
    ] = 1.0

    _made_once = made_once()  # last: it holds the validators above (appraise.model.base)


class EffectEntry(Effect):
    """One of several effects of an intervention: the outcome it averts, and by how much."""

    averts: str


_ALL_ADDED = "none taken off: the effect is the service's own unless the file says otherwise"


class Additionality(Base):
    """How much of an observed change the service adds (HM Treasury Green Book; docs/additionality.md):
    effect used = effect x (1 - deadweight) x attribution x (1 - displacement)."""

    deadweight: Annotated[
        Num,
        Input(
            "Deadweight: share that would have happened anyway",
            "fraction",
            PROBABILITY,
            _default(_ALL_ADDED),
        ),
    ] = 0.0
    attribution: Annotated[
        Num,
        Input(
            "Attribution: share of the change due to this service",
            "fraction",
            PROBABILITY,
            _default(_ALL_ADDED),
        ),
    ] = 1.0
    displacement: Annotated[
        Num,
        Input(
            "Displacement: share merely moved elsewhere",
            "fraction",
            PROBABILITY,
            _default(_ALL_ADDED),
        ),
    ] = 0.0
    note: Text | None = None


class Intervention(Base):
    """One service in the library or a portfolio."""

    id: str
    name: Text
    description: Text | None = None
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    averts: str | None = None  # with `effect`: the one outcome it averts
    reach: Reach
    unit_cost: UnitCost
    effect: Effect | None = None
    # Several outcomes: one entry each (`effect` + `averts` is the one-outcome shorthand).
    effects: (
        Annotated[list[EffectEntry], Field(min_length=1, max_length=limits.MAX_EFFECTS)] | None
    ) = None
    additionality: Additionality | None = None  # none: the service adds all of its effect
    evidence: EvidenceRef
    timing: Timing = Timing()
    price_year: PriceYearField | None = None  # for all its money, unless a block says otherwise
    contract: Contract | None = None  # none: the council pays its cost (a fee)
    notes: Text | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        return check_slug(v, "id")

    @model_validator(mode="after")
    def _effects(self) -> Intervention:
        if self.effects is None:
            if self.effect is None or self.averts is None:
                missing = "averts" if self.averts is None else "effect"
                raise at(
                    missing,
                    "missing required key (an intervention takes averts and effect for one "
                    "outcome, or effects: a list with one entry per outcome, each with averts)",
                )
        elif self.effect is not None or self.averts is not None:
            raise at(
                "effects",
                "give either effects (a list) or averts and effect (one outcome), not both",
            )
        else:
            seen: dict[str, int] = {}
            for k, entry in enumerate(self.effects):
                if entry.averts in seen:
                    raise at(
                        f"effects[{k}].averts",
                        f"effects[{seen[entry.averts]}] already averts this outcome: give each "
                        "outcome once (an effect on one outcome is one entry)",
                        entry.averts,
                    )
                seen[entry.averts] = k
        self._deadweight_fits_design()
        if self.contract is not None and self.contract.baseline is not None:
            forms = [e.form for _, e, _ in self.effect_list]
            if len(forms) != 1 or forms[0] not in RISK_EFFECT_FORMS:
                raise at(
                    "contract.baseline",
                    "a contract baseline is a share in care, measured against the appraisal's "
                    "baseline risk: it needs one risk-based effect (treated_risk, relative_risk, "
                    f"odds_ratio or cohens_d); this intervention's effects are {', '.join(forms)}",
                )
        return self

    def _deadweight_fits_design(self) -> None:
        """Deadweight is refused only where the effect comes from a randomised or matched
        comparison, whose control group already is what would have happened anyway; a risk-based
        effect must say its design (`evidence.design`) before deadweight is taken off it."""
        dead = self.adds.deadweight
        if isinstance(dead, float) and dead == 0.0:
            return
        shown = dead if isinstance(dead, float) else str(dead)
        design = self.evidence.design
        if design in CONTROLLED_DESIGNS:
            raise at(
                "additionality.deadweight",
                f"deadweight does not apply to an effect from {CONTROLLED_DESIGNS[design]} "
                f"(evidence.design: {design}): its control group already is what would have "
                "happened anyway, so taking deadweight off would count it twice",
                shown,
            )
        risky = [(path, e) for _, e, path in self.effect_list if e.form in RISK_EFFECT_FORMS]
        if risky and design is None:
            path, effect = risky[0]
            raise at(
                "additionality.deadweight",
                f"{path} is given as {effect.form}, against a baseline risk: say how the effect "
                "was found (evidence.design). From a randomised or matched comparison "
                "(rct, quasi_experimental) deadweight does not apply, its control group already "
                "is what would have happened anyway; against a historical baseline "
                "(historical_baseline: the rate before the service), before_after or none, it "
                "does",
                shown,
            )

    @property
    def effect_list(self) -> list[tuple[str, Effect, str]]:
        """Each effect: (the outcome it averts, the effect, its field path)."""
        if self.effects is not None:
            return [(e.averts, e, f"effects[{k}]") for k, e in enumerate(self.effects)]
        assert self.effect is not None and self.averts is not None
        return [(self.averts, self.effect, "effect")]

    @property
    def adds(self) -> Additionality:
        """Its additionality (all of its effect, unless the file says otherwise)."""
        return self.additionality or _all_added()

    @property
    def outcomes_averted(self) -> list[str]:
        """The outcomes it averts, in the order of its effects."""
        return [key for key, _, _ in self.effect_list]


@cache
def _all_added() -> Additionality:
    """Additionality the file leaves out: made once (a model is never changed once made)."""
    return Additionality()


def check_payer(v: str) -> str:
    """A payer is a snake_case name (`health`, `childrens_social_care`)."""
    if not PAYER.match(v):
        raise ValueError(f"payer must be a snake_case name such as 'health' (got {v!r})")
    return v


def from_library(raw: Any, field: str) -> Any:
    """Raw data with `field: {item: CODE}` replaced by the unit-cost library item's value, its
    code kept in `item` and its price year taken unless the data gives one. An unknown code is
    blamed on `<field>.item`, with the code as the rejected value."""
    if not (isinstance(raw, dict) and isinstance(raw.get(field), dict)):
        return raw
    reference = raw[field]
    if set(reference) != {"item"}:
        return raw  # a distribution: validated as a number
    code = reference["item"]
    try:
        found = cost_item(code)
    except InputError as exc:
        message = exc.problems[0].message.replace("{", "(").replace("}", ")")
        raise PydanticCustomError(
            "appraise_number", message, {"subkey": f"{field}.item", "value": code}
        ) from None
    out = {**raw, field: found.value, "item": found.code}
    out.setdefault("price_year", found.price_year)
    return out


SavingsClass = Literal[savings.SAVINGS_CLASSES]  # type: ignore[valid-type]
Recurrence = Literal[savings.RECURRENCES]  # type: ignore[valid-type]


def _booked(line: Any, **where: Any) -> savings.Booking:
    """A saving line's booking (appraise.model.savings), a disagreement blamed on its key."""
    try:
        return savings.booking(line.savings_class, line.recurrence, line.cashable, **where)
    except savings.BookingError as exc:
        value = getattr(line, exc.field, None)
        if value is None:  # the key is the placement's (a change leaving an in-house placement)
            raise at(exc.field, str(exc)) from None
        raise at(exc.field, str(exc), value) from None


class Component(Base):
    """One part of what an outcome costs, who pays it, and how the saving is booked (its class
    and whether it recurs: appraise.model.savings)."""

    name: Text
    cost: Annotated[Num, Input("Cost of one outcome (component)", "£ per outcome", UNIT_COST)]
    cashable: StrictBool | None = None  # true: cash-releasing (not given: not cashable)
    savings_class: SavingsClass | None = None
    recurrence: Recurrence | None = None
    in_house: StrictBool = False  # an in-house placement or service: capacity unless released
    released: StrictBool = False  # carers or beds released when fewer children use it
    payer: str = CHILDRENS_SOCIAL_CARE
    price_year: PriceYearField | None = None
    # The unit-cost library's item the cost was taken from (`cost: {item: gmca:SS1.0}`).
    item: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_library(cls, raw: Any) -> Any:
        """`cost: {item: CODE}`: the library item's value, with its price year and source."""
        return from_library(raw, "cost")

    @model_validator(mode="after")
    def _booking(self) -> Component:
        _booked(self, in_house=self.in_house, released=self.released)
        return self

    @property
    def booking(self) -> savings.Booking:
        """Its class and recurrence, and why (docs/defaults.md)."""
        return _booked(self, in_house=self.in_house, released=self.released)

    @field_validator("payer")
    @classmethod
    def _payer(cls, v: str) -> str:
        return check_payer(v)


class Derive(Base):
    """Thurrock's derivation of the annual cost of a looked-after child (APHR 2017)."""

    weekly_placement_cost: Annotated[
        Num, Input("Average placement cost a week", "£ per week", WEEKLY_COST)
    ]
    weeks_per_year: Annotated[Num, Input("Average weeks in care a year", "weeks", WEEKS)]
    non_placement_share: Annotated[
        Num, Input("Non-placement share of total cost", "fraction", SHARE)
    ]
    price_year: PriceYearField | None = None  # of the weekly placement cost


class Placement(Base):
    """A type of placement (or any service bought by the unit) and its price per unit, which a
    change of placement is priced from (`cost: {item: CODE}` takes a library item's)."""

    weekly_cost: Annotated[
        Num, Input("Price per unit (a week of the placement)", "£ per unit", WEEKLY_COST)
    ]
    per: Text = "week"
    price_year: PriceYearField | None = None
    item: Text | None = None
    # In-house: a change from it frees capacity, not cash, unless carers or beds are released.
    in_house: StrictBool = False
    released: StrictBool = False
    note: Text | None = None

    @model_validator(mode="after")
    def _released(self) -> Placement:
        if self.released and not self.in_house:
            raise at(
                "released",
                "released applies to an in-house placement (in_house: true)",
                self.released,
            )
        return self

    @model_validator(mode="before")
    @classmethod
    def _from_library(cls, raw: Any) -> Any:
        """`weekly_cost: {item: CODE}`: the library item's value, price year and source."""
        return from_library(raw, "weekly_cost")


class Change(Base):
    """An outcome that is a change of placement (or of who provides a service): each change saves
    (price from - price to) x units, which is negative when the new placement costs more."""

    # A placement type of the portfolio's `placements`, or a price per unit written here.
    from_: Annotated[str | float, Field(alias="from")]
    to: str | float
    units: Annotated[Num, Input("Units per change (weeks for a placement)", "units", UNITS)]
    # Placement spend comes off a budget line: cash-releasing unless the file says otherwise, or
    # the placement left is in-house (appraise.model.savings).
    cashable: StrictBool | None = None
    savings_class: SavingsClass | None = None
    recurrence: Recurrence | None = None  # not given: one-off, once per change
    payer: str = CHILDRENS_SOCIAL_CARE

    @field_validator("from_", "to", mode="plain")
    @classmethod
    def _price_or_type(cls, v: Any) -> Any:
        if is_figure_form(v):  # a price with its provenance: {value: 95, cited: {...}}
            return parse_figure(v, lambda x: cls._price_or_type(x))
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            raise ValueError("expected a placement type (a name in placements) or a price")
        if isinstance(v, int | float):
            price = float(v)
            if not (0 <= price <= limits.MAX_WEEKLY_COST):
                raise ValueError(
                    f"a price per unit must be between 0 and {limits.MAX_WEEKLY_COST:,.0f}"
                )
            return price
        return v

    @field_serializer("from_", "to")
    def _price_data(self, v: str | float) -> Any:
        return v if isinstance(v, str) else figure_data(v)

    @field_validator("payer")
    @classmethod
    def _payer(cls, v: str) -> str:
        return check_payer(v)

    @property
    def ends(self) -> tuple[str | float, str | float]:
        return self.from_, self.to

    def booking(self, placements: dict[str, Placement]) -> savings.Booking:
        """Its class and recurrence: the placement it leaves decides whether it is in-house."""
        left = placements.get(self.from_) if isinstance(self.from_, str) else None
        where = {"in_house": False, "released": False}
        if left is not None:
            where = {"in_house": left.in_house, "released": left.released}
        return _booked(self, change=True, **where)


class Outcome(Base):
    """A costly outcome an intervention averts, priced by components."""

    name: Text
    description: Text | None = None
    unit: Text | None = None
    derive: Derive | None = None
    components: (
        Annotated[list[Component], Field(min_length=1, max_length=limits.MAX_COMPONENTS)] | None
    ) = None
    change: Change | None = None
    sources: Annotated[list[Text], Field(max_length=limits.MAX_SOURCES)] = []
    price_year: PriceYearField | None = None  # for all its money, unless a part says otherwise

    @field_validator("sources")
    @classmethod
    def _once(cls, v: list[str]) -> list[str]:
        return _named_once(v, "source") or []

    @model_validator(mode="after")
    def _one(self) -> Outcome:
        given = [k for k in ("derive", "components", "change") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "an outcome takes one of derive, components or change (got "
                f"{', '.join(given) or 'none'})"
            )
        if self.components:
            names = [c.name for c in self.components]
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                raise ValueError(f"component names must be unique; repeated: {dupes}")
            # A cost from the unit-cost library brings its source with it.
            for c in self.components:
                source = cost_item(c.item).evidence if c.item else None
                if source and source not in self.sources:
                    self.sources.append(source)
        return self


class Evidence(Base):
    """One source in the evidence registry."""

    id: str
    authors: Text
    year: Annotated[StrictInt, Field(ge=1800, le=2100)]
    title: Text
    journal: Text | None = None
    publisher: Text | None = None
    url: Text | None = None
    country: Text
    type: Literal[EVIDENCE_TYPES]  # type: ignore[valid-type]
    found: Text
    figures: Annotated[list[dict[str, Any]], Field(max_length=limits.MAX_FIGURES)] = []
    licence: Text | None = None  # the terms its figures are used under (shown on Evidence)
    # A plain-text copy of the source shipped with the project (evidence/texts/README.md): every
    # quotation from it in the library and the examples is checked against it.
    text: Annotated[str, Field(pattern=r"^texts/[a-z0-9][a-z0-9._-]*\.txt$")] | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        return check_slug(v, "id")

    @model_validator(mode="after")
    def _where(self) -> Evidence:
        if self.journal is None and self.publisher is None:
            raise ValueError("an evidence entry needs journal or publisher")
        return self

    @property
    def surnames(self) -> list[str]:
        """Author surnames from 'Surname, I., Surname, I. and Surname, I.' (or one organisation)."""
        tokens = [t.strip() for t in re.split(r",| and | & ", self.authors) if t.strip()]
        return [t for t in tokens if not re.fullmatch(r"(?:[A-Z][a-z]?\.?[\s-]*)+", t)]

    @property
    def citation(self) -> str:
        """Short citation: 'Walby (2004)', 'Hasselblad and Hedges (1995)', 'Swenson et al. (2010)'."""
        names = self.surnames or [self.authors]
        if len(names) == 1:
            who = names[0]
        elif len(names) == 2:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        return f"{who} ({self.year})"

    @property
    def reference(self) -> str:
        """Full reference in one line."""
        where = self.journal or self.publisher
        url = f" {self.url}" if self.url else ""
        return f"{self.authors} ({self.year}). {self.title}. {where}.{url}"

    @property
    def is_uk(self) -> bool:
        return self.country.strip().lower() in {"uk", "england", "united kingdom", "gb", "wales"}


# The Green Book's discount rate for the first 30 years (its Annex A6 on discounting).
GREEN_BOOK_RATE = cited("green-book-2022", "Annex A6 (discounting), paragraphs A6.5 to A6.8")


class ValueOfInformation(Base):
    """Groups of uncertain inputs whose value of information is wanted together (one local
    audit would settle them all), by name: `{cost of care: [outcomes.lac_year.derive.weeks_per_year,
    ...]}`. Each input's own value, and each intervention's and outcome's, come anyway."""

    groups: dict[Text, list[str]] = {}

    @field_validator("groups", mode="before")
    @classmethod
    def _bound(cls, v: Any) -> Any:
        if isinstance(v, dict):
            if len(v) > limits.MAX_VOI_GROUPS:
                raise ValueError(f"at most {limits.MAX_VOI_GROUPS} groups (got {len(v):,})")
            for name, keys in v.items():
                if isinstance(keys, list) and not 1 <= len(keys) <= limits.MAX_VOI_GROUP_INPUTS:
                    raise ValueError(
                        f"group {name!r} names {len(keys):,} inputs; a group takes 1 to "
                        f"{limits.MAX_VOI_GROUP_INPUTS}"
                    )
        return v


class Option(Base):
    """One of several mutually exclusive ways to spend, judged against doing nothing: the
    interventions it would fund (none: doing nothing)."""

    name: Text
    interventions: list[str] = []
    description: Text | None = None

    @field_validator("interventions", mode="before")
    @classmethod
    def _bound(cls, v: Any) -> Any:
        if isinstance(v, list) and len(v) > limits.MAX_INTERVENTIONS:
            raise ValueError(
                f"an option funds at most {limits.MAX_INTERVENTIONS:,} interventions, as a "
                f"portfolio holds (got {len(v):,})"
            )
        return v


class Portfolio(Base):
    """A set of interventions appraised together, with the outcomes they avert."""

    # The file it was read from (for messages about it), set by the loader.
    _file: str = PrivateAttr(default="portfolio")
    # Indices as read when the portfolio was loaded (appraise.model.pricing): a file is read once.
    _indices: dict[str, Any] = PrivateAttr(default_factory=dict)

    portfolio: Text
    # The price base: every money figure is brought to this year's prices (docs/prices.md).
    price_year: PriceYearField
    # The index to uprate each payer's money by (default: the GDP deflator; the NHS cost inflation
    # index for health): a shipped index's name, a CSV file beside the portfolio, or a series.
    price_index: dict[str, Any] = {}
    description: Text | None = None
    cashable_method: Literal["strict", "pro_rata"] = "strict"
    perspective: Literal["childrens_social_care", "public_sector"] = CHILDRENS_SOCIAL_CARE
    horizon_years: Annotated[StrictInt, Field(ge=1, le=limits.MAX_HORIZON_YEARS)] = 5
    # Numbers like any other input: each may be a range, simulated, swept, solved for, assumed.
    # Or a schedule falling with time: `green_book` or {first year: rate} (docs/multi-year.md).
    discount_rate: Annotated[
        DiscountRate,
        DiscountInput("Discount rate", "fraction a year", limits.DISCOUNT_RATE, GREEN_BOOK_RATE),
    ] = 0.035
    optimism_bias: dict[
        str, Annotated[Num, Input("Optimism-bias haircut", "fraction", PROBABILITY)]
    ] = Field(default_factory=dict, validate_default=True)
    apply_optimism_bias: StrictBool = False
    non_uk_evidence_haircut: Annotated[
        Num,
        Input(
            "Haircut on effects established only outside the UK",
            "fraction",
            PROBABILITY,
            _default("no cut: how far an effect transfers is a judgement about the service"),
        ),
    ] = 0.0
    # Prices per unit by type of placement (a week of residential care), for changes of placement.
    placements: Annotated[dict[str, Placement], Field(max_length=limits.MAX_PLACEMENTS)] = {}
    outcomes: Annotated[dict[str, Outcome], Field(min_length=1, max_length=limits.MAX_OUTCOMES)]
    interventions: Annotated[
        list[Intervention], Field(min_length=1, max_length=limits.MAX_INTERVENTIONS)
    ]
    evidence: Annotated[dict[str, Evidence], Field(max_length=limits.MAX_EVIDENCE)] = {}
    # The cost of doing nothing (appraise.model.baseline); `baseline: file.yaml` is read by the loader.
    baseline: Baseline | None = None
    # Mutually exclusive options (docs/options.md); without them the interventions add up.
    options: Annotated[list[Option], Field(min_length=1)] | None = None
    # The month the first cohort starts: years are then labelled by financial year.
    start: StartMonth | None = None
    financial_year_start_month: FinancialYearStartMonth | None = None  # None: April
    # Named groups of inputs for the value of information (docs/value-of-information.md).
    value_of_information: ValueOfInformation | None = None
    # What only the council can write in its committee paper (appraise.model.council).
    paper: CouncilPaper | None = None

    @field_validator("evidence", mode="before")
    @classmethod
    def _evidence_ids(cls, v: Any) -> Any:
        # An entry's id is its key: `evidence: {my-study: {title: ...}}` need not repeat it.
        if isinstance(v, dict):
            return {k: {"id": k, **e} if isinstance(e, dict) else e for k, e in v.items()}
        return v

    @field_validator("optimism_bias")
    @classmethod
    def _ob(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(map(str, set(v) - set(RATINGS)))
        if unknown:
            raise ValueError(f"unknown evidence ratings {unknown}; use {', '.join(RATINGS)}")
        return {**DEFAULT_OPTIMISM_BIAS, **v}

    @field_validator("outcomes")
    @classmethod
    def _outcome_keys(cls, v: dict[str, Outcome]) -> dict[str, Outcome]:
        for key in v:
            check_slug(key, "outcome key")
        return v

    @field_validator("options", mode="before")
    @classmethod
    def _options_bound(cls, v: Any) -> Any:
        if isinstance(v, list) and len(v) > limits.MAX_OPTIONS:
            raise ValueError(f"at most {limits.MAX_OPTIONS} options can be compared (got {len(v)})")
        return v

    @model_validator(mode="after")
    def _options(self) -> Portfolio:
        """Options name known interventions, each in one option only, under distinct names; with
        options, every intervention is in one (docs/options.md says why)."""
        if self.options is None:
            return self
        ids = [i.id for i in self.interventions]
        known = set(ids)
        listed = ", ".join(ids) if len(ids) <= 12 else f"{len(ids):,} of them"
        hints = 0  # suggestions cost a search each: a hostile file gets the first few only
        problems = []
        names: dict[str, int] = {}
        owner: dict[str, int] = {}
        for k, option in enumerate(self.options):
            folded = option.name.casefold()
            if folded in names:
                problems.append(
                    at(
                        f"options[{k}].name",
                        f"duplicate option name (also options[{names[folded]}])",
                        option.name,
                    )
                )
            names.setdefault(folded, k)
            for j, ident in enumerate(option.interventions):
                where = f"options[{k}].interventions[{j}]"
                if ident not in known:
                    hints += 1
                    hint = difflib.get_close_matches(ident, ids, n=1) if hints <= 10 else []
                    also = f"; did you mean {hint[0]!r}?" if hint else ""
                    problems.append(
                        at(
                            where,
                            f"not an intervention of this portfolio (interventions: {listed}){also}",
                            ident,
                        )
                    )
                elif ident in owner:
                    first = owner[ident]
                    same = first == k
                    problems.append(
                        at(
                            where,
                            "listed twice in this option"
                            if same
                            else f"already in options[{first}]: options are mutually exclusive, "
                            "so an intervention belongs to one only",
                            ident,
                        )
                    )
                else:
                    owner[ident] = k
        for i, ident in enumerate(ids):
            if ident not in owner:
                problems.append(
                    at(
                        "options",
                        f"intervention {ident!r} (interventions[{i}]) is in no option: with "
                        "options, every intervention belongs to exactly one (add it to an option, "
                        "or take it out of the file)",
                    )
                )
        if problems:
            details = [InitErrorDetails(type=p, loc=(), input=None) for p in problems]
            raise ValidationError.from_exception_data("Portfolio", details)
        return self

    @model_validator(mode="after")
    def _change_bookings(self) -> Portfolio:
        """A change leaving an in-house placement is capacity unless its carers are released."""
        for key, outcome in self.outcomes.items():
            if outcome.change is None:
                continue
            try:
                outcome.change.booking(self.placements)
            except PydanticCustomError as exc:
                context = dict(exc.context or {})
                where = f"outcomes.{key}.change.{context.pop('subkey', '')}".rstrip(".")
                raise at(where, exc.message(), *context.values()) from None
        return self

    @model_validator(mode="after")
    def _start_with_baseline(self) -> Portfolio:
        """With both a portfolio's and its baseline's `start`, the two label years alike, and the
        portfolio's year 1 is the forecast year its first cohort starts in."""
        baseline = self.baseline
        if self.start is None or baseline is None or baseline.start is None:
            return self
        month = self.year_start_month
        if baseline.year_start_month != month:
            raise at(
                "financial_year_start_month",
                f"the baseline's is {baseline.year_start_month}: give both the same, so "
                "that the two label years alike",
                month,
            )
        year_one = baseline.with_portfolio.start_year or baseline.start_year + 1
        offset = periods.parse_month(self.start) - periods.parse_month(baseline.start)
        found = baseline.start_year + offset // 12
        if not baseline.start_year <= found <= baseline.last_year:
            raise at(
                "start",
                f"outside the baseline's forecast, which begins {baseline.start} and runs "
                f"{baseline.start_year} to {baseline.last_year}",
                self.start,
            )
        if found != year_one:
            raise at(
                "start",
                f"the forecast year this falls in is {found}, but the portfolio's year 1 in the "
                f"forecast is {year_one}: set baseline.with_portfolio.start_year: {found}",
                self.start,
            )
        return self

    def financial_years(self, count: int | None = None) -> list[str] | None:
        """Each appraisal year's label, the financial year in which it begins, for `count` years
        (the horizon by default); None without `start`: `start: 2018-04` -> ['2018-19', ...]."""
        if self.start is None:
            return None
        return periods.financial_year_labels(
            self.start, count or self.horizon_years, self.year_start_month
        )

    @property
    def year_start_month(self) -> int:
        """The month financial years start in (`financial_year_start_month`, April if unset)."""
        return self.financial_year_start_month or periods.DEFAULT_FINANCIAL_YEAR_START_MONTH

    @property
    def file(self) -> str:
        """The file the portfolio was read from ("portfolio" when it was built in code)."""
        return self._file

    @property
    def optimism_bias_table(self) -> dict[str, Num]:
        """Haircut by evidence rating: the defaults with this portfolio's entries over them."""
        return self.optimism_bias


def lac_outcome(portfolio: Portfolio, file: str) -> str:
    """The outcome that is one child in care for a year: `baseline.with_portfolio.lac_outcome`,
    or else the portfolio's only outcome priced with `derive` (Thurrock's LAC derivation)."""
    path = "baseline.with_portfolio.lac_outcome"
    named = portfolio.baseline.with_portfolio.lac_outcome if portfolio.baseline else None
    keys = list(portfolio.outcomes)
    if named is not None:
        if named not in portfolio.outcomes:
            raise InputError.one(
                file, path, f"not an outcome of this portfolio (outcomes: {', '.join(keys)})", named
            )
        return named
    derived = [k for k, o in portfolio.outcomes.items() if o.derive is not None]
    if len(derived) != 1:
        found = f"{len(derived)} outcomes use derive" if derived else "no outcome uses derive"
        raise InputError.one(
            file,
            path,
            f"cannot tell which outcome is a child in care for a year ({found}); name it here "
            f"(outcomes: {', '.join(keys)})",
        )
    return derived[0]
