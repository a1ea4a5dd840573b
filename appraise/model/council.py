"""The `paper:` block of a portfolio: what only the council can write in its committee paper.

Everything here is the council's own words (committee, author, recommendations, legal and
equalities implications, a risk register); appraise never writes them. Where the block is
silent the paper still has the section, with a placeholder naming what is needed
(`appraise.paper.council`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from appraise.model.base import Base, Text

# A paper is read by people: these bound the work a hostile file can ask for.
MAX_ITEMS = 50
MAX_TEXT = 20_000

Words = Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
Rating = Literal["low", "medium", "high"]


class Risk(Base):
    """One row of the risk register: the council's judgement, never the engine's."""

    risk: Words
    likelihood: Rating
    impact: Rating
    mitigation: Words
    owner: Text


class CouncilPaper(Base):
    """What a cabinet or committee paper holds that only the council can supply."""

    committee: Text | None = None
    date: Text | None = None  # as the council writes it ("14 March 2018")
    author: Text | None = None
    portfolio_holder: Text | None = None
    wards: Annotated[list[Text], Field(min_length=1, max_length=MAX_ITEMS)] | None = None
    key_decision: bool | None = None
    forward_plan_reference: Text | None = None
    # Open to the public, or exempt under a paragraph of Schedule 12A (the council says which).
    access: Literal["open", "exempt"] | None = None
    exempt_reason: Words | None = None
    purpose: Words | None = None
    recommendations: Annotated[list[Words], Field(min_length=1, max_length=MAX_ITEMS)] | None = None
    reasons: Words | None = None
    background: Words | None = None
    funding: Words | None = None  # the funding source and budget line of the investment
    medium_term_financial_strategy: Words | None = None
    legal: Words | None = None
    equalities: Words | None = None
    hr: Words | None = None
    consultation: Words | None = None
    data_protection: Words | None = None
    safeguarding: Words | None = None
    monitoring: Words | None = None
    risks: Annotated[list[Risk], Field(min_length=1, max_length=MAX_ITEMS)] | None = None
    background_papers: Annotated[list[Words], Field(min_length=1, max_length=MAX_ITEMS)] | None = (
        None
    )
    legal_sign_off: Text | None = None
    finance_sign_off: Text | None = None
