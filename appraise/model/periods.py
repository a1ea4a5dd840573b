"""Periods as councils write them: calendar years, quarters and months, financial years and their
quarters, and ranges of months; each read as (first month, number of months).

A month is counted as year x 12 + month - 1 (March 2018 is 2018 x 12 + 2), so a period is a
half-open run of whole months and two periods overlap when their runs do.

| Written | Reads as |
|---|---|
| `2018` | the calendar year: January to December 2018 (12 months) |
| `2018-Q1` | a calendar quarter: January to March 2018 (3) |
| `2018-03` | a month: March 2018 (1) |
| `Mar 2018` or `March 2018` | the same month, by name |
| `2017-18` or `2017/18` | a financial year: April 2017 to March 2018 (12) |
| `2017-18-Q1` or `2017/18-Q1` | a quarter of one: April to June 2017 (3) |
| `2017-05..2017-07` | a range of months, both ends included: May to July 2017 (3) |

Financial years start in April unless a file sets `financial_year_start_month` (2 to 12; one
starting in January is a calendar year, written `2018`). Every period is read one way or refused:
`2011-12` is the financial year 2011-12 everywhere (a year followed by the next year's last two
digits), so the month December 2011 is written by name (`Dec 2011`); where only a month may be
written (a programme's dates) `2011-12` is refused with both readings. A form that could be read
more than one way (`11/12`, `12/2011`, `2011-1`) is refused, naming the readings it could have.
Nothing here reads files; errors are ValueError with a message for the user.
"""

from __future__ import annotations

import re
from typing import NoReturn

DEFAULT_FINANCIAL_YEAR_START_MONTH = 4  # April: English local government
MAX_RANGE_MONTHS = 1200  # a hundred years: a range that drives work has an upper bound
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
PERIOD_FORMS = (
    '"2018" (a year), "2018-Q1" (a quarter), "2018-03" or "Mar 2018" (a month), "2017-18" or '
    '"2017/18" (a financial year), "2017-18-Q1" (a quarter of one) or "2017-05..2017-07" (a range '
    "of months)"
)

_YEAR = re.compile(r"^(?P<year>\d{4})$")
_QUARTER = re.compile(r"^(?P<year>\d{4})-Q(?P<quarter>\d+)$")
_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])$")
_FINANCIAL_YEAR = re.compile(
    r"^(?P<year>\d{4})(?P<sep>[-/])(?P<next>\d{2})(?:-Q(?P<quarter>\d+))?$"
)
_LONG_FINANCIAL_YEAR = re.compile(r"^(?P<year>\d{4})[-/](?P<next>\d{4})(?:-Q\d+)?$")
_RANGE = re.compile(r"^(?P<first>[^.]+)\.\.(?P<last>[^.]+)$")
_NAMED_MONTH = re.compile(r"^(?P<name>[A-Za-z]{3,9})\.?\s+(?P<year>\d{4})$")
# Forms that could be read more than one way: two-digit years, a month before its year, a month
# of one digit.
_SHORT_YEARS = re.compile(r"^(?P<a>\d{2})[-/](?P<b>\d{2})$")
_MONTH_FIRST = re.compile(r"^(?P<month>\d{1,2})[-/](?P<year>\d{4})$")
_ONE_DIGIT_MONTH = re.compile(r"^(?P<year>\d{4})[-/](?P<month>[1-9])$")


def check_start_month(start_month: int) -> int:
    """The month financial years start in, 2 (February) to 12 (December)."""
    if isinstance(start_month, bool) or not isinstance(start_month, int):
        raise ValueError("financial_year_start_month is a month number, 2 to 12 (4 is April)")
    if start_month == 1:
        raise ValueError(
            "a financial year starting in January is a calendar year: write periods as 2018"
        )
    if not 2 <= start_month <= 12:
        raise ValueError("financial_year_start_month is a month number, 2 to 12 (4 is April)")
    return start_month


def month_index(year: int, month: int) -> int:
    """March 2018 -> 2018 x 12 + 2."""
    return year * 12 + month - 1


def month_label(index: int) -> str:
    """2018 x 12 + 2 -> '2018-03'."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def financial_year_label(year: int) -> str:
    """The financial year starting in `year`: 2018 -> '2018-19'."""
    return f"{year:04d}-{(year + 1) % 100:02d}"


def financial_year_months(year: int, start_month: int = DEFAULT_FINANCIAL_YEAR_START_MONTH) -> int:
    """The first month of the financial year starting in `year` (April 2018 for 2018)."""
    return month_index(year, check_start_month(start_month))


def financial_year_of(month: int, start_month: int = DEFAULT_FINANCIAL_YEAR_START_MONTH) -> int:
    """The year in which the financial year holding `month` starts: March 2018 -> 2017."""
    year, calendar_month = divmod(month, 12)
    return year if calendar_month + 1 >= check_start_month(start_month) else year - 1


def financial_year_labels(
    start: str | int, count: int, start_month: int = DEFAULT_FINANCIAL_YEAR_START_MONTH
) -> list[str]:
    """Labels of `count` financial years from the one holding `start` (a month, '2018-04', or its
    index): `start: 2018-04` -> ['2018-19', '2019-20', ...]."""
    first = financial_year_of(parse_month(start) if isinstance(start, str) else start, start_month)
    return [financial_year_label(first + k) for k in range(count)]


def financial_years_spanned(
    first: int, months: int, start_month: int = DEFAULT_FINANCIAL_YEAR_START_MONTH
) -> str:
    """The financial year a run of months lies in, '2017-18', or the first and last it spans,
    '2017-18..2018-19'."""
    start = financial_year_of(first, start_month)
    end = financial_year_of(first + months - 1, start_month)
    if start == end:
        return financial_year_label(start)
    return f"{financial_year_label(start)}..{financial_year_label(end)}"


def _named_month(text: str) -> int | None:
    """'Dec 2011' or 'December 2011' -> its month index (None if not a month by name)."""
    found = _NAMED_MONTH.match(text)
    if found is None:
        return None
    name = found["name"].lower()
    for k, full in enumerate(MONTH_NAMES):
        if name == full.lower() or (len(name) == 3 and full.lower().startswith(name)):
            return month_index(int(found["year"]), k + 1)
    return None


def _month_name(index: int) -> str:
    """Its unambiguous name: 'Dec 2011'."""
    return f"{MONTH_NAMES[index % 12][:3]} {index // 12}"


def is_financial_year_form(text: str) -> bool:
    """Whether `text` is a year followed by the next year's last two digits (2011-12, 2011/12),
    which is always read as the financial year, never as a month."""
    found = _FINANCIAL_YEAR.match(text.strip())
    return (
        found is not None
        and found["quarter"] is None
        and int(found["next"]) == (int(found["year"]) + 1) % 100
    )


def ambiguity(text: str) -> str | None:
    """Why `text` could be read more than one way, with each reading (None if it cannot)."""
    text = text.strip()
    short = _SHORT_YEARS.match(text)
    if short:
        a, b = int(short["a"]), int(short["b"])
        readings = []
        if b == (a + 1) % 100:
            readings.append(f"the financial year 20{a:02d}-{b:02d} (write 20{a:02d}-{b:02d})")
        for year, month in ((a, b), (b, a)):
            if 1 <= month <= 12:
                readings.append(
                    f"{MONTH_NAMES[month - 1]} 20{year:02d} (write "
                    f"{_month_name(month_index(2000 + year, month))})"
                )
        readings = list(dict.fromkeys(readings))
        if readings:
            return f"{text} could be " + ", or ".join(readings) + ": write the year in full"
        return f"{text}: write the year in full"
    first = _MONTH_FIRST.match(text)
    if first and 1 <= int(first["month"]) <= 12:
        index = month_index(int(first["year"]), int(first["month"]))
        return (
            f"{text} looks like {MONTH_NAMES[index % 12]} {index // 12} written month first: "
            f"write {_month_name(index)}"
        )
    single = _ONE_DIGIT_MONTH.match(text)
    if single:
        index = month_index(int(single["year"]), int(single["month"]))
        return (
            f"{text} looks like {MONTH_NAMES[index % 12]} {index // 12}: a month is written with "
            f"two digits, {month_label(index)}"
        )
    return None


def parse_month(text: str) -> int:
    """'2018-03' or 'Mar 2018' -> its month index; anything else is a ValueError. A financial
    year's form (2011-12) is refused with both readings: it is never a month."""
    text = text.strip()
    named = _named_month(text)
    if named is not None:
        return named
    found = _MONTH.match(text)
    if found and not is_financial_year_form(text):
        return month_index(int(found["year"]), int(found["month"]))
    if found:  # 2011-12: December 2011, or the financial year 2011-12?
        index = month_index(int(found["year"]), int(found["month"]))
        end = month_label(financial_year_months(int(found["year"])) + 11)
        raise ValueError(
            f"{text} reads as the financial year {text}, not a month: for the month "
            f"{MONTH_NAMES[index % 12]} {index // 12} write {_month_name(index)}; for the last "
            f"month of that financial year (April to March) write {end}"
        )
    odd = ambiguity(text)
    if odd is not None:
        raise ValueError(f'a month is written as year and month, "2018-03" or "Mar 2018"; {odd}')
    raise ValueError('a month is written as year and month, "2018-03" or "Mar 2018"')


def _start_month_name(start_month: int) -> str:
    return MONTH_NAMES[start_month - 1]


def _financial_year_problem(text: str, start_month: int, any_period: bool) -> str | None:
    """Why `text` looks like a financial year written wrongly (None if it does not).

    `any_period`: where a month may also be written, so `2018-13` may be a month gone wrong.
    """
    first, last = _start_month_name(start_month), _start_month_name((start_month - 2) % 12 + 1)
    if _LONG_FINANCIAL_YEAR.match(text):
        year = int(text[:4])
        return (
            f"write a financial year with the last two digits of its second year: "
            f"{financial_year_label(year)} or {year}/{(year + 1) % 100:02d}"
        )
    found = _FINANCIAL_YEAR.match(text)
    if found is None:
        return None
    year, after = int(found["year"]), int(found["next"])
    if after != (year + 1) % 100:
        runs = (
            f"a financial year runs from {first} of one year to {last} of the next, written "
            f"{financial_year_label(year)} or {year}/{(year + 1) % 100:02d}"
        )
        if any_period and found["sep"] == "-" and found["quarter"] is None:
            return f"{text} is neither a month (01 to 12) nor a financial year: {runs}"
        if not any_period and _MONTH.match(text):
            return f"{text} is a month, not a financial year: {runs}"
        if found["sep"] == "/" and found["quarter"] is None and 1 <= after <= 12:
            month = month_label(month_index(year, after))
            return f"{text} is not a financial year: {runs}; for the month {month} write {month}"
        return f"{text} is not a financial year: {runs}"
    if found["quarter"] is not None and not 1 <= int(found["quarter"]) <= 4:
        return "a quarter is Q1 to Q4"
    return None


def parse_financial_year(text: str, start_month: int = DEFAULT_FINANCIAL_YEAR_START_MONTH) -> int:
    """'2017-18' or '2017/18' -> 2017, the year it starts in (`2011-12` is a financial year here)."""
    text = text.strip()
    found = _FINANCIAL_YEAR.match(text)
    if found and found["quarter"] is None and int(found["next"]) == (int(found["year"]) + 1) % 100:
        return int(found["year"])
    problem = _financial_year_problem(text, check_start_month(start_month), any_period=False)
    if problem is None and found is not None:  # a quarter: not a whole year
        problem = f"{text} is a quarter; a whole financial year is written {text[:7]}"
    if problem is None and _YEAR.match(text):
        problem = f"{text} is a calendar year; the financial year starting in it is " + (
            financial_year_label(int(text))
        )
    spans = describe(financial_year_months(2017, start_month), 12)
    _fail(f'a financial year is written "2017-18" or "2017/18" ({spans})', problem)


def _fail(message: str, problem: str | None) -> NoReturn:
    raise ValueError(f"{message}; {problem}" if problem else message)


def period_months(
    text: str, start_month: int = DEFAULT_FINANCIAL_YEAR_START_MONTH
) -> tuple[int, int]:
    """(first month, number of months) of a period in any form in the module docstring."""
    text = text.strip()
    check_start_month(start_month)
    ranged = _RANGE.match(text)
    if ranged:
        return _month_range(ranged["first"].strip(), ranged["last"].strip())
    if _YEAR.match(text):
        return month_index(int(text), 1), 12
    quarter = _QUARTER.match(text)
    if quarter:
        q = int(quarter["quarter"])
        if not 1 <= q <= 4:
            _fail(f"a period is {PERIOD_FORMS}", "a quarter is Q1 to Q4")
        return month_index(int(quarter["year"]), 1) + 3 * (q - 1), 3
    if _MONTH.match(text) and not is_financial_year_form(text):
        return parse_month(text), 1
    named = _named_month(text)
    if named is not None:
        return named, 1
    found = _FINANCIAL_YEAR.match(text)
    problem = _financial_year_problem(text, start_month, any_period=True)
    if found is not None and problem is None:
        first = financial_year_months(int(found["year"]), start_month)
        if found["quarter"] is None:
            return first, 12
        return first + 3 * (int(found["quarter"]) - 1), 3
    _fail(f"a period is {PERIOD_FORMS}", problem or ambiguity(text))


def _range_end(text: str) -> int:
    """A range's end: a month, written 2017-05 (a range's ends are months, so 2011-12 is
    December 2011 there) or by name."""
    found = _MONTH.match(text)
    if found:
        return month_index(int(found["year"]), int(found["month"]))
    named = _named_month(text)
    if named is None:
        _fail(
            f"a period is {PERIOD_FORMS}",
            'a range of months is two months joined by "..", "2017-05..2017-07"',
        )
    return named


def _month_range(first: str, last: str) -> tuple[int, int]:
    start, end = _range_end(first), _range_end(last)
    if end < start:
        _fail(f"a period is {PERIOD_FORMS}", f"the range ends ({last}) before it starts ({first})")
    months = end - start + 1
    if months > MAX_RANGE_MONTHS:
        _fail(
            f"a period is {PERIOD_FORMS}",
            f"a range of months spans at most {MAX_RANGE_MONTHS} months ({months} given)",
        )
    return start, months


def describe(first: int, months: int) -> str:
    """'April 2017 to March 2018' (or 'March 2018' for one month), for people."""

    def name(index: int) -> str:
        return f"{MONTH_NAMES[index % 12]} {index // 12}"

    last = first + months - 1
    return name(first) if months == 1 else f"{name(first)} to {name(last)}"
