"""How councils book a saving: its class (cash-releasing, cost avoidance or capacity) and whether
it recurs, for every saving line of a portfolio (docs/defaults.md gives each default with the
sources' examples).

- **cash-releasing**: a budget is reduced: the money can be taken out (a purchased placement no
  longer bought). "Cashable" in a portfolio file is this class; the cashable share and its two
  conventions (strict, pro rata) are its share of the savings.
- **cost avoidance**: spend that would have happened does not, but no budget is reduced (THRIVE's
  £6.4M a year below the projection of spend without the programme; a cost to another payer).
- **capacity**: staff time or places freed, not money (a social worker's hours; an in-house foster
  placement, whose cost does not fall when fewer children use it unless carers are released).

and **recurring** (it saves again each year the outcome stays averted: a year in care) or
**one-off** (it saves once per outcome averted: care proceedings, a change of placement for a
number of weeks). In a multi-year appraisal a one-off saving falls once, in the first benefit
year, whatever `benefit_years` says.

Nothing here reads files. `classify` is the rule; errors are ValueError for the schema to place.
"""

from __future__ import annotations

from dataclasses import dataclass

CASH_RELEASING, COST_AVOIDANCE, CAPACITY = "cash_releasing", "cost_avoidance", "capacity"
SAVINGS_CLASSES = (CASH_RELEASING, COST_AVOIDANCE, CAPACITY)
RECURRING, ONE_OFF = "recurring", "one_off"
RECURRENCES = (RECURRING, ONE_OFF)
# What people call each (tables, the app, the paper).
NAMES = {
    CASH_RELEASING: "cash-releasing",
    COST_AVOIDANCE: "cost avoidance",
    CAPACITY: "capacity",
    RECURRING: "recurring",
    ONE_OFF: "one-off",
}
MEANINGS = {
    CASH_RELEASING: "a budget is reduced: the money can be taken out (what 'cashable' means)",
    COST_AVOIDANCE: "spend that would have happened does not, but no budget is reduced",
    CAPACITY: "staff time or places freed, not money",
    RECURRING: "saves again each year the outcome stays averted",
    ONE_OFF: "saves once per outcome averted",
}

STATED = "stated in the file"
IN_HOUSE = (
    "in-house: its cost does not fall when fewer children use it, unless carers or beds are "
    "released (released: true)"
)
RELEASED = "in-house, with carers or beds released (released: true)"
FROM_CASHABLE = "cashable: true"
FROM_NOT_CASHABLE = "not cashable: spend avoided that comes off no budget"
CHANGE_DEFAULT = "a change of placement: the spend on the placement left comes off a budget line"
ONCE_A_CHANGE = "a change of placement saves for its units once per change"
EACH_YEAR = "saves again each year the outcome stays averted (the default)"
# The two parts of a cost derived as Thurrock's (weeks x weekly cost / placement share).
DERIVED_PLACEMENT_BASIS = "the derivation's placement part: placement spend comes off a budget line"
DERIVED_NON_PLACEMENT_BASIS = (
    "the derivation's non-placement part (staff, travel, overheads): freed, not removed"
)


@dataclass(frozen=True)
class Booking:
    """How one saving line is booked, and why (the rule that set each part)."""

    savings_class: str
    recurrence: str
    class_basis: str
    recurrence_basis: str

    @property
    def cash_releasing(self) -> bool:
        return self.savings_class == CASH_RELEASING

    def to_data(self) -> dict[str, str]:
        return {
            "savings_class": self.savings_class,
            "recurrence": self.recurrence,
            "class_basis": self.class_basis,
            "recurrence_basis": self.recurrence_basis,
        }


DERIVED_PLACEMENT = Booking(CASH_RELEASING, RECURRING, DERIVED_PLACEMENT_BASIS, EACH_YEAR)
DERIVED_NON_PLACEMENT = Booking(CAPACITY, RECURRING, DERIVED_NON_PLACEMENT_BASIS, EACH_YEAR)


class BookingError(ValueError):
    """A saving line whose keys disagree; `field` is the key to blame."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def classify(
    savings_class: str | None,
    cashable: bool | None,
    in_house: bool,
    released: bool,
    default_cashable: bool,
) -> tuple[str, str]:
    """(class, why) of a saving line from what its file says (docs/defaults.md).

    `savings_class` stated decides, and `cashable`, if also stated, must agree with it. Otherwise
    an in-house placement or service is capacity unless carers or beds are released; else
    `cashable` (or the line's default) makes it cash-releasing, and not cashable cost avoidance.
    """
    if released and not in_house:
        raise BookingError(
            "released", "released applies to an in-house placement or service (in_house: true)"
        )
    if savings_class is not None:
        if cashable is not None and cashable != (savings_class == CASH_RELEASING):
            raise BookingError(
                "cashable",
                f"cashable: {str(cashable).lower()} disagrees with savings_class: {savings_class} "
                "(cashable means cash-releasing): give one of the two",
            )
        if in_house and not released and savings_class == CASH_RELEASING:
            raise BookingError(
                "savings_class",
                "an in-house placement or service is not cash-releasing unless carers or beds "
                "are released: say released: true, or class it capacity",
            )
        return savings_class, STATED
    if in_house:
        if released:
            if cashable is False:
                raise BookingError(
                    "cashable",
                    "released carers or beds come off a budget (cash-releasing): drop "
                    "cashable: false or released: true",
                )
            return CASH_RELEASING, RELEASED
        if cashable:
            raise BookingError(
                "cashable",
                "an in-house placement or service is not cashable unless carers or beds are "
                "released: say released: true, or drop cashable: true (it is capacity)",
            )
        return CAPACITY, IN_HOUSE
    if cashable is None:
        cashable = default_cashable
    return (CASH_RELEASING, FROM_CASHABLE) if cashable else (COST_AVOIDANCE, FROM_NOT_CASHABLE)


def booking(
    savings_class: str | None,
    recurrence: str | None,
    cashable: bool | None,
    in_house: bool = False,
    released: bool = False,
    *,
    change: bool = False,
) -> Booking:
    """The booking of a component (`change` False) or a change of placement (True)."""
    found, why = classify(savings_class, cashable, in_house, released, default_cashable=change)
    if change and why == FROM_CASHABLE and cashable is None:
        why = CHANGE_DEFAULT
    if recurrence is not None:
        return Booking(found, recurrence, why, STATED)
    if change:
        return Booking(found, ONE_OFF, why, ONCE_A_CHANGE)
    return Booking(found, RECURRING, why, EACH_YEAR)
