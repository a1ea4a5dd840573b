"""Figures as a business case writes them: "£1.2M", "3.2%", "1 in 31", 4.40, and the tolerance
each carries (half a unit in the last digit written; see `appraise.analyses.verify`)."""

from __future__ import annotations

import math
import re
from typing import Any

_SCALES = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "million": 1e6,
    "bn": 1e9,
    "billion": 1e9,
}
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_MONEY_TEXT = re.compile(
    rf"^(?P<neg>[-\u2212])?\s*(?P<open>\()?\s*£?\s*(?P<neg2>[-\u2212])?\s*(?P<digits>{_DIGITS})"
    r"\s*(?P<scale>k|K|m|M|bn|Bn|BN|thousand|million|billion)?\s*(?P<pct>%)?\s*(?P<close>\))?$"
)
_ONE_IN = re.compile(rf"^1\s+in\s+(?P<digits>{_DIGITS})$", re.IGNORECASE)
TEXT_FORMS = '"£1.2M", "£649k", "3.2%", "£1,225,153", "-£7,293", "(£7,293)" or "1 in 31"'


def _half_last_digit(digits: str) -> float:
    """Half a unit in the last written digit of '1,225,153' or '4.40'."""
    decimals = len(digits.split(".", 1)[1]) if "." in digits else 0
    return 0.5 * 10.0**-decimals


def read_claimed_text(text: str) -> tuple[float, float]:
    """A claimed figure written as text ("£1.2M", "3.2%", "1 in 31") -> (value, tolerance)."""
    stripped = text.strip()
    one_in = _ONE_IN.match(stripped)
    if one_in:
        digits = one_in.group("digits")
        value = float(digits.replace(",", ""))
        if not math.isfinite(value):
            raise ValueError(f"{text[:20]!r}... is too large for a number")
        return value, _half_last_digit(digits)
    m = _MONEY_TEXT.match(stripped)
    if not m or bool(m.group("open")) != bool(m.group("close")):
        raise ValueError(
            f"cannot read {text!r} as a figure; write a number or text like {TEXT_FORMS}"
        )
    digits = m.group("digits")
    scale = _SCALES[m.group("scale").lower()] if m.group("scale") else 1.0
    if m.group("pct"):
        scale /= 100.0
    negative = bool(m.group("neg") or m.group("neg2") or m.group("open"))
    value = float(digits.replace(",", "")) * scale
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]!r}... is too large for a number")
    return (-value if negative else value), _half_last_digit(digits) * scale


def read_claimed_number(written: str) -> float:
    """Tolerance for a figure written as a YAML number ('4.40', '1_225_153', '1.2e6')."""
    text = written.strip().lstrip("+-").replace("_", "")
    mantissa, _, exponent = text.lower().partition("e")
    if not re.fullmatch(r"\d*\.?\d*", mantissa) or not mantissa.strip("."):
        return 0.5  # hexadecimal, octal or other integer notation: whole units
    shift = int(exponent) if exponent else 0
    try:
        return _half_last_digit(mantissa) * 10.0**shift
    except OverflowError:
        raise ValueError("written with an exponent too large for a number") from None


def claimed_value(v: Any) -> float | str:
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        raise ValueError(f"expected a number or text like {TEXT_FORMS}")
    if isinstance(v, str):
        read_claimed_text(v)  # reject unreadable text here, with the claim's path
        return v
    if not math.isfinite(_as_float(v)):
        raise ValueError("must be a finite number")
    return v  # an int stays an int, so that without the file's text 5 still reads as +/- 0.5


def finite_number(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(_as_float(v)):
        raise ValueError("expected a finite number")
    return float(v)


def _as_float(v: int | float) -> float:
    """The number as a float; an integer too large for one (310 nines) is a ValueError."""
    try:
        return float(v)
    except OverflowError:
        raise ValueError(f"is too large for a number ({len(str(abs(v)))} digits)") from None
