"""The validated file format: pydantic models for portfolios, interventions, outcomes and evidence.

Validation lives here so the loader, the CLI and the app all reject the same things the same way.
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails

from appraise.errors import InputError
from appraise.model.base import PAYER, Base, Text, check_slug, one_form
from appraise.model.baseline import Baseline, at
from appraise.model.numbers import (
    AnyReal,
    FiniteFloat,
    NonNeg,
    Num,
    Positive,
    Prob,
    Rate,
    Share,
    Weeks,
    central,
)

RATINGS = ("4+", "4", "3+", "3", "2+", "2", "NL2", "NE")
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

# The project's own judgement, not a published standard: see README "Optimism bias".
DEFAULT_OPTIMISM_BIAS: dict[str, float] = {
    "4+": 0.0,
    "4": 0.0,
    "3+": 0.1,
    "3": 0.2,
    "2+": 0.3,
    "2": 0.4,
    "NL2": 0.6,
    "NE": 1.0,
}
CHILDRENS_SOCIAL_CARE = "childrens_social_care"


REACH_FORMS = {
    "eligible": ("eligible", "proportion"),
    "count": ("count",),
    "capacity": ("from_capacity", "to_capacity"),
}
UNIT_COST_FORMS = {"per_case": ("amount",), "total": ("total",)}
EFFECT_FORMS = {
    "success_rate": ("success_rate",),
    "treated_risk": ("baseline_risk", "treated_risk"),
    "per_case": ("per_case",),
    "relative_risk": ("baseline_risk", "relative_risk"),
    "odds_ratio": ("baseline_risk", "odds_ratio"),
    "cohens_d": ("baseline_risk", "cohens_d"),
}


class Reach(Base):
    """Cases served per year: eligible x proportion, a count, or the places added to capacity."""

    eligible: NonNeg | None = None
    proportion: Prob | None = None
    count: NonNeg | None = None
    from_capacity: NonNeg | None = None
    to_capacity: NonNeg | None = None
    unit: Text | None = None
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


class UnitCost(Base):
    """What the service costs: per case (`amount`, `per`) or in total for the year's reach."""

    amount: NonNeg | None = None
    per: Text = "case"
    total: NonNeg | None = None
    period_months: Annotated[FiniteFloat, Field(gt=0)] | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _form(self) -> UnitCost:
        one_form(self, UNIT_COST_FORMS, "unit_cost")
        return self

    @property
    def form(self) -> str:
        return one_form(self, UNIT_COST_FORMS, "unit_cost")


class Effect(Base):
    """The effect on the costly outcome, in the form the study reported it."""

    success_rate: Prob | None = None
    baseline_risk: Prob | None = None
    treated_risk: Prob | None = None
    per_case: NonNeg | None = None
    relative_risk: NonNeg | None = None
    odds_ratio: Positive | None = None
    cohens_d: AnyReal | None = None
    conversion: Literal["cox", "logit"] | None = None
    note: Text | None = None

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


class EvidenceRef(Base):
    """How strong the evidence is and where it comes from."""

    rating: str
    sources: Annotated[list[Text], Field(min_length=1)]
    effect_sources: list[Text] | None = None
    note: Text | None = None

    @field_validator("rating", mode="before")
    @classmethod
    def _rating(cls, v: Any) -> str:
        if isinstance(v, int) and not isinstance(v, bool):
            v = str(v)
        if v not in RATINGS:
            raise ValueError(f"rating must be one of {', '.join(RATINGS)} (got {v!r})")
        return v

    @model_validator(mode="after")
    def _effect_sources_subset(self) -> EvidenceRef:
        extra = set(self.effect_sources or ()) - set(self.sources)
        if extra:
            raise ValueError(f"effect_sources {sorted(extra)} are not listed in sources")
        return self


class Timing(Base):
    """When a cohort's costs fall and how long its savings last (multi-year appraisal)."""

    cohorts: Annotated[StrictInt, Field(ge=0)] = 0
    cost_months: Positive = 12.0
    benefit_lag_months: NonNeg = 0.0
    benefit_years: Positive = 1.0
    annual_decay: Prob = 0.0
    ramp_up: Prob = 1.0


class Intervention(Base):
    """One service in the library or a portfolio."""

    id: str
    name: Text
    description: Text | None = None
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    averts: str
    reach: Reach
    unit_cost: UnitCost
    effect: Effect
    evidence: EvidenceRef
    timing: Timing = Timing()
    notes: Text | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        return check_slug(v, "id")


class Component(Base):
    """One part of what an outcome costs, and who pays it."""

    name: Text
    cost: NonNeg
    cashable: StrictBool = False
    payer: str = CHILDRENS_SOCIAL_CARE

    @field_validator("payer")
    @classmethod
    def _payer(cls, v: str) -> str:
        if not PAYER.match(v):
            raise ValueError(f"payer must be a snake_case name such as 'health' (got {v!r})")
        return v


class Derive(Base):
    """Thurrock's derivation of the annual cost of a looked-after child (APHR 2017)."""

    weekly_placement_cost: NonNeg
    weeks_per_year: Weeks
    non_placement_share: Share


class Outcome(Base):
    """A costly outcome an intervention averts, priced by components."""

    name: Text
    description: Text | None = None
    unit: Text | None = None
    derive: Derive | None = None
    components: Annotated[list[Component], Field(min_length=1)] | None = None
    sources: list[Text] = []

    @model_validator(mode="after")
    def _one(self) -> Outcome:
        if (self.derive is None) == (self.components is None):
            raise ValueError("an outcome takes either derive or components (exactly one)")
        if self.components:
            names = [c.name for c in self.components]
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                raise ValueError(f"component names must be unique; repeated: {dupes}")
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
    figures: list[dict[str, Any]] = []

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


# Options compared in one appraisal, and interventions in one option: a board paper weighs a
# handful of options; the bounds keep the work a hostile file can ask for small.
MAX_OPTIONS = 100
MAX_OPTION_INTERVENTIONS = 1000


class Option(Base):
    """One of several mutually exclusive ways to spend, judged against doing nothing: the
    interventions it would fund (none: doing nothing)."""

    name: Text
    interventions: list[str] = []
    description: Text | None = None

    @field_validator("interventions", mode="before")
    @classmethod
    def _bound(cls, v: Any) -> Any:
        if isinstance(v, list) and len(v) > MAX_OPTION_INTERVENTIONS:
            raise ValueError(
                f"an option funds at most {MAX_OPTION_INTERVENTIONS:,} interventions (got {len(v):,})"
            )
        return v


class Portfolio(Base):
    """A set of interventions appraised together, with the outcomes they avert."""

    portfolio: Text
    price_year: Annotated[StrictInt, Field(ge=1900, le=2100)]
    description: Text | None = None
    cashable_method: Literal["strict", "pro_rata"] = "strict"
    perspective: Literal["childrens_social_care", "public_sector"] = CHILDRENS_SOCIAL_CARE
    horizon_years: Annotated[StrictInt, Field(ge=1, le=60)] = 5
    # Numbers like any other input: each may be a range, simulated, swept, solved for, assumed.
    discount_rate: Rate = 0.035
    optimism_bias: dict[str, Prob] = Field(default_factory=dict, validate_default=True)
    apply_optimism_bias: StrictBool = False
    non_uk_evidence_haircut: Prob = 0.0
    outcomes: Annotated[dict[str, Outcome], Field(min_length=1)]
    interventions: Annotated[list[Intervention], Field(min_length=1)]
    evidence: dict[str, Evidence] = {}
    # The cost of doing nothing (appraise.model.baseline); `baseline: file.yaml` is read by the loader.
    baseline: Baseline | None = None
    # Mutually exclusive options (docs/options.md); without them the interventions add up.
    options: Annotated[list[Option], Field(min_length=1)] | None = None

    @field_validator("optimism_bias")
    @classmethod
    def _ob(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - set(RATINGS))
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
        if isinstance(v, list) and len(v) > MAX_OPTIONS:
            raise ValueError(f"at most {MAX_OPTIONS} options can be compared (got {len(v)})")
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
