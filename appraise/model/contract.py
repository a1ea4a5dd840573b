"""An outcome contract on an intervention: what the council pays for, at what price, up to what cap
(payment by results, social impact bonds; docs/outcome-contracts.md).

Every number is an input like any other (it can be ranged, swept, solved for and checked); the
payments themselves are lines of `appraise.engine.lines`, worked out from the same outcomes that
produce the savings.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from appraise.model.base import PAYER, Base, Text
from appraise.model.baseline import at
from appraise.model.limits import (
    BENEFIT_YEARS,
    MAX_UNIT_COST,
    PROBABILITY,
    TOTAL_COST,
    UNIT_COST_WHY,
)
from appraise.model.numbers import Domain, Input, Num
from appraise.model.provenance import assumed

CONTRACT_KINDS = ("fee", "outcomes", "blended")
DAYS_A_YEAR = 365.0
# What a rate card can price: outcomes averted, and the care days or weeks they stand for (an
# outcome averted x the days one outcome stands for). Each maps to the input holding its price.
METRICS: dict[str, tuple[str, str]] = {
    "outcomes_averted": ("contract_price_outcome", "outcome averted"),
    "care_days_avoided": ("contract_price_day", "care day avoided"),
    "care_weeks_avoided": ("contract_price_week", "care week avoided"),
}
# A price may be negative: a clawback, paid back for each unit of a bad outcome.
PRICE = Domain(limit=MAX_UNIT_COST, why=UNIT_COST_WHY)
PAYMENT_LAG = Domain(0.0, 12.0)  # within a year: the outcomes of a year are paid by the next
DAYS = Domain(0.0, 366.0)


def _default(why: str) -> Any:
    return assumed("appraise default (docs/outcome-contracts.md)", why)


_NO_FEE = _default("no fixed fee unless the contract gives one (a fee and outcomes is blended)")
_NO_OWN_COSTS = _default("none unless the file gives the council's own costs of the contract")
_NO_LAG = _default("outcomes paid as they happen unless the contract gives a lag")
_ONE_YEAR = assumed(
    "appraise default (docs/outcome-contracts.md)",
    "an outcome averted is a year in care (as Thurrock's lac_year is), so it stands for 365 days",
)


class ContractBaseline(Base):
    """The counterfactual the contract pays against (which may differ from the appraisal's)."""

    share_in_care: Annotated[
        Num,
        Input(
            "Contract baseline: share of days in care without the service", "fraction", PROBABILITY
        ),
    ]
    source: Text | None = None


class RateEntry(Base):
    """One line of the rate card: a metric and its price (negative: a clawback)."""

    metric: str
    price: Annotated[Num, Input("Price per unit of the metric (negative: a clawback)", "£", PRICE)]

    @field_validator("metric")
    @classmethod
    def _metric(cls, v: str) -> str:
        if v not in METRICS:
            raise ValueError(f"unknown metric {v!r}: a rate card prices {', '.join(METRICS)}")
        return v


class TopUp(Base):
    """A co-funder (the Life Chances Fund, say) paying a share of each outcome payment."""

    payer: str = "central_government"
    share: Annotated[
        Num, Input("Share of each outcome payment the co-funder pays", "fraction", PROBABILITY)
    ]

    @field_validator("payer")
    @classmethod
    def _payer(cls, v: str) -> str:
        if not PAYER.match(v):
            raise ValueError(f"payer must be lower-case letters, digits or '_' (got {v!r})")
        return v


class Contract(Base):
    """How the council pays for an intervention: a fee (it pays the cost), outcome payments, or
    a fixed fee plus outcome payments (blended)."""

    kind: Literal["fee", "outcomes", "blended"]
    metric: str | None = None  # the headline metric (default: the rate card's first)
    baseline: ContractBaseline | None = None
    rate_card: Annotated[list[RateEntry], Field(max_length=len(METRICS))] = []
    cap: (
        Annotated[Num, Input("Cap on outcome payments over the contract", "£", TOTAL_COST)] | None
    ) = None
    fixed_fee: Annotated[
        Num, Input("Fixed fee a year (blended contracts)", "£ a year", TOTAL_COST, _NO_FEE)
    ] = 0.0
    own_costs: Annotated[
        Num,
        Input("Council's own costs of the contract a year", "£ a year", TOTAL_COST, _NO_OWN_COSTS),
    ] = 0.0
    payment_lag_months: Annotated[
        Num, Input("Months from an outcome to its payment", "months", PAYMENT_LAG, _NO_LAG)
    ] = 0.0
    top_up: TopUp | None = None
    term_years: (
        Annotated[Num, Input("Years of outcomes the contract pays for", "years", BENEFIT_YEARS)]
        | None
    ) = None  # none: every year appraised
    days_per_outcome: Annotated[
        Num, Input("Care days one averted outcome stands for", "days", DAYS, _ONE_YEAR)
    ] = DAYS_A_YEAR
    notes: Text | None = None

    @model_validator(mode="after")
    def _card(self) -> Contract:
        seen: dict[str, int] = {}
        for k, entry in enumerate(self.rate_card):
            if entry.metric in seen:
                raise at(
                    f"rate_card[{k}].metric",
                    f"rate_card[{seen[entry.metric]}] already prices this metric",
                    entry.metric,
                )
            seen[entry.metric] = k
        if self.metric is not None and self.metric not in METRICS:
            raise at(
                "metric", f"unknown metric: a contract measures {', '.join(METRICS)}", self.metric
            )
        if self.metric is not None and self.rate_card and self.metric not in seen:
            raise at("metric", "the rate card does not price this metric", self.metric)
        if self.kind == "fee":
            for name in ("rate_card", "baseline", "cap", "top_up", "term_years", "metric"):
                if name in self.model_fields_set and getattr(self, name):
                    raise at(
                        name,
                        "a fee contract pays no outcome payments, so it takes no "
                        f"{name}: give kind outcomes or blended",
                    )
            for name in ("fixed_fee", "own_costs", "payment_lag_months"):
                if name in self.model_fields_set:
                    raise at(name, f"a fee contract takes no {name}: the council pays the cost")
        elif not self.rate_card:
            raise at(
                "rate_card", f"a contract of kind {self.kind} needs a rate card (metric and price)"
            )
        fee = self.fixed_fee
        if self.kind == "outcomes" and not (isinstance(fee, float) and fee == 0.0):
            raise at(
                "fixed_fee",
                "a fixed fee with outcome payments is kind blended",
                fee if isinstance(fee, float) else str(fee),
            )
        return self

    @property
    def pays_outcomes(self) -> bool:
        return self.kind != "fee"

    @property
    def headline_metric(self) -> str:
        if self.metric is not None:
            return self.metric
        return self.rate_card[0].metric if self.rate_card else "outcomes_averted"
