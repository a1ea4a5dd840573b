"""The evidence ratings: one meaning each, as the Foundations (formerly EIF) Guidebook defines them.

A rating says how confident we can be that an effect is real, not how large it is. The meanings
are the Guidebook's own words (`GUIDEBOOK`, quoted from its "EIF evidence standards" page and,
for the plus ratings, its "Welcome to the new Guidebook" page); the optimism-bias haircut beside
each is the appraise project's judgement, not the Guidebook's (docs/defaults.md). The paper's
legend, the app, the workbook and the docs read the ratings from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from appraise.model.provenance import Provenance, assumed, cited

GUIDEBOOK = "eif-guidebook"  # the evidence entry for the Guidebook
STANDARDS_PAGE = "EIF evidence standards (guidebook.eif.org.uk/eif-evidence-standards)"
PLUS_PAGE = "Welcome to the new Guidebook (guidebook.eif.org.uk/welcome-to-the-new-guidebook)"
# The Guidebook's words for a plus rating.
PLUS_MEANING = "indicates that a programme exceeds the basic threshold for a rating"
# Level 3 is where the Guidebook's "evidence-based" begins: a causal relationship can be assumed.
EVIDENCE_BASED_QUOTE = (
    "The term ‘evidence-based’ is frequently applied to programmes with level 3 evidence or "
    "higher, because this is the point at which there is sufficient confidence that a causal "
    "relationship can be assumed."
)


@dataclass(frozen=True)
class Rating:
    """One evidence rating: its code, its name, the Guidebook's definition, and appraise's
    default optimism-bias haircut for it."""

    code: str
    name: str
    meaning: str  # the Guidebook's words, verbatim
    optimism_bias: float  # appraise's default haircut (docs/defaults.md), not the Guidebook's
    plus: bool = False

    @property
    def evidence_based(self) -> bool:
        """Level 3 or above: where the Guidebook says a causal relationship can be assumed."""
        return self.code[0] in "34"

    @property
    def described(self) -> str:
        """'3+ (moderate, plus)': the code and its name."""
        return f"{self.code} ({self.name}{', plus' if self.plus else ''})"

    @property
    def basis(self) -> Provenance:
        """Where the meaning comes from: the Guidebook page that defines it."""
        if self.plus:
            return cited(GUIDEBOOK, PLUS_PAGE, PLUS_MEANING)
        return cited(GUIDEBOOK, STANDARDS_PAGE, self.meaning)

    @property
    def haircut_basis(self) -> Provenance:
        """Where the default optimism-bias haircut comes from: the project's judgement."""
        return assumed(
            "appraise (docs/defaults.md)",
            f"the default optimism-bias haircut for rating {self.code}: a judgement, not a "
            "published standard",
        )


_LEVEL_4 = (
    "Level 4 recognises programmes with evidence of a long-term positive impact through multiple "
    "rigorous evaluations. At least one of these studies must have evidence of improving a child "
    "outcome lasting a year or longer."
)
_LEVEL_3 = (
    "Level 3 recognises programmes with evidence of a short-term positive impact from at least "
    "one rigorous evaluation – that is, where a judgment about causality can be made."
)
_LEVEL_2 = (
    "Level 2 recognises programmes with preliminary evidence of improving a child outcome, but "
    "where an assumption of causal impact cannot be drawn."
)

REGISTRY: tuple[Rating, ...] = (
    Rating("4+", "strong", _LEVEL_4, 0.0, plus=True),
    Rating("4", "strong", _LEVEL_4, 0.0),
    Rating("3+", "moderate", _LEVEL_3, 0.1, plus=True),
    Rating("3", "moderate", _LEVEL_3, 0.2),
    Rating("2+", "preliminary", _LEVEL_2, 0.3, plus=True),
    Rating("2", "preliminary", _LEVEL_2, 0.4),
    Rating(
        "NL2",
        "not level 2",
        "The rating of NL2 – ‘not level 2’ – distinguishes programmes whose most robust "
        "evaluation evidence does not meet the level 2 threshold for a child outcome.",
        0.6,
    ),
    Rating(
        "NE",
        "found not to be effective",
        "The rating of NE — ‘found not to be effective in at least one rigorously conducted "
        "study’ — is reserved for programmes where a rigorous programme evaluation (equivalent "
        "to a level 3) has found no evidence of improving one of our child outcomes or providing "
        "significant benefits to other participants.",
        1.0,
    ),
)
BY_CODE = {r.code: r for r in REGISTRY}
CODES = tuple(r.code for r in REGISTRY)


def rating(code: str) -> Rating:
    """The rating with this code (KeyError if none)."""
    return BY_CODE[code]


def legend() -> str:
    """One line naming every rating, for a table's key."""
    levels = "; ".join(
        f"{'/'.join(r.code for r in REGISTRY if r.name == name)} {name}"
        for name in dict.fromkeys(r.name for r in REGISTRY)
    )
    return (
        f"Foundations (formerly EIF) Guidebook ratings: {levels}; a plus (+) exceeds the basic "
        "threshold for its level. appraise rates a service with no evaluation at all NL2 (no evidence "
        "that meets level 2); NE is only for a service a rigorous study found not to work."
    )
