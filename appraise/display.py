"""Display formatting shared by the CLI and the app: money, rates, plain-text tables, JSON, CSV."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from appraise.model.discounting import GREEN_BOOK, bands_within, parse_discount_rate
from appraise.model.savings import NAMES


def money(x: float | None, decimals: int = 0) -> str:
    """£1,225,153 / -£7,298; 'n/a' for a missing value."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if math.isinf(x):
        return "never" if x > 0 else "-inf"
    # Written once, rounded as `round` rounds (half to even, exactly): the sign is shown when
    # what is written is not zero ("-£0" is not a figure).
    text = f"{x:,.{decimals}f}"
    if text[0] != "-":
        return f"£{text}"
    return f"-£{text[1:]}" if text.strip("-0.,") else f"£{text[1:]}"


def counted(n: int, noun: str) -> str:
    """'1 intervention', '5 interventions' (a noun that takes an s)."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def pct(x: float | None, decimals: int = 1) -> str:
    """0.1605 -> 16.1%."""
    if x is None:
        return "n/a"
    if math.isinf(x):
        return "never"
    return f"{x * 100:.{decimals}f}%"


def rate_pct(x: float) -> str:
    """A rate as written: 0.035 -> 3.5%, 0.03 -> 3.0%, 0.0375 -> 3.75%."""
    text = f"{x * 100:.2f}".rstrip("0")
    return f"{text}0%" if text.endswith(".") else f"{text}%"


def discount_text(rate: Any, horizon: int, a_year: bool = False) -> str:
    """How NPV is discounted, from the JSON `discount_rate` (a rate, `green_book` or {first year:
    rate}): '3.5%', or "the Green Book's declining rate (3.5% for years 0-30, 3.0% from year
    31)", its years counted from 0 as the Green Book counts them (year 0 is appraise's year 1)."""
    if isinstance(rate, int | float):
        return f"{pct(rate)} a year" if a_year else pct(rate)
    schedule = parse_discount_rate(rate)
    bands = bands_within(schedule, horizon)
    if len(bands) == 1:
        parts = [f"{rate_pct(bands[0][1])} in every year of these {horizon}"]
    else:
        parts = [
            f"{rate_pct(r)} for years {year}-{bands[k + 1][0] - 1}"
            if k + 1 < len(bands)
            else f"{rate_pct(r)} from year {year}"
            for k, (year, r) in enumerate(bands)
        ]
    named = getattr(schedule, "name", "") == GREEN_BOOK
    whose = "the Green Book's declining rate" if named else "a declining schedule"
    return f"{whose} ({', '.join(parts)})"


def num(x: float | None, decimals: int = 2) -> str:
    """Thousands separators and a fixed number of decimals; 'n/a' or 'never' for no value."""
    if x is None:
        return "n/a"
    if math.isinf(x):
        return "never"
    return f"{x:,.{decimals}f}"


NO_COST = "infinite (no cost)"


def ratio_text(x: float | None, cost: float | None, decimals: int = 2) -> str:
    """An ROI or benefit-cost ratio. With no cost the ratio is infinite, and JSON holds it as
    null: that is said ("infinite (no cost)"), never shown as a missing "n/a"."""
    if x is None and cost == 0:
        return NO_COST
    return num(x, decimals)


PAYER_NAMES = {
    "childrens_social_care": "children's social care",
    "public_sector": "the public sector",
}


def payer_name(key: str) -> str:
    """'childrens_social_care' -> "children's social care"; other payers with spaces."""
    return PAYER_NAMES.get(key, key.replace("_", " "))


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool] | None = None
) -> str:
    """A plain-text table with aligned columns."""
    right = right or [i > 0 for i in range(len(headers))]
    texts = [[str(c) for c in r] for r in rows]
    columns = list(zip(*texts, strict=True)) if texts else [()] * len(headers)
    widths = [
        max(len(str(h)), *map(len, column)) if texts else len(h)
        for h, column in zip(headers, columns, strict=True)
    ]
    # One format for every line (a table may have 100,000 rows): each cell padded on the side
    # `right` says, as str.rjust and str.ljust pad it.
    form = "  ".join(f"{{:{'>' if r else '<'}{w}}}" for w, r in zip(widths, right, strict=True))
    rule = "  ".join("-" * w for w in widths)
    lines = [form.format(*map(str, headers)).rstrip(), rule]
    lines += [form.format(*cells).rstrip() for cells in texts]
    return "\n".join(lines)


def to_json(data: Any) -> str:
    """Strict JSON (no NaN or Infinity), two-space indent; characters that a terminal would act on
    or that reorder text (ESC, U+202E) written as \\u escapes, so the data is unchanged.

    Written by orjson, byte for byte what `json.dumps(data, indent=2, ensure_ascii=False)` writes
    (tests/test_json_golden.py), at a tenth of the time: data holding anything but plain JSON
    values (a NaN, an int past 64 bits, a key that is not a string, an object) goes to the
    standard library, which writes it or refuses it as it always has."""
    text = _orjson_text(data) if _plain(data) else None
    if text is None:
        text = json.dumps(data, indent=2, allow_nan=False, ensure_ascii=False)
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _orjson_text(data: Any) -> str | None:
    import orjson

    try:
        text = orjson.dumps(data, option=orjson.OPT_INDENT_2).decode()
    except (TypeError, orjson.JSONEncodeError):  # too deep, an int past 64 bits, a lone surrogate
        return None
    # orjson writes 1e-05 as 0.00001 and 1e-09 as 1e-9: every such number, the whole value of its
    # line, is written again as Python writes it (the same float, so the same shortest digits).
    return _mend_numbers(text)


def _mend_numbers(text: str) -> str:
    """`_ODD_NUMBER` applied to the lines that could hold such a number: run over every line of
    a 141 MB output it took 4.7 s, where orjson took 0.33 s (issue 27)."""
    out, last = [], 0
    for found in _CANDIDATE.finditer(text):
        if found.start() < last:
            continue  # on a line already mended
        start = text.rfind("\n", 0, found.start()) + 1
        end = text.find("\n", found.end())
        end = len(text) if end < 0 else end
        out += [text[last:start], _ODD_NUMBER.sub(_written_as_python, text[start:end])]
        last = end
    out.append(text[last:])
    return "".join(out)


def _written_as_python(m: re.Match[str]) -> str:
    return m[1] + repr(float(m[2])) + m[3]


# A line of indented JSON whose value is a number in exponent form or below 1e-4. The key, if
# any, is matched as a whole string, so text inside a string is never taken for a number.
_ODD_NUMBER = re.compile(
    r'^( *(?:"(?:[^"\\]|\\.)*": )?)(-?(?:0\.0000\d*|\d+(?:\.\d+)?e[-+]?\d+))(,?)$', re.M
)
# Every number `_ODD_NUMBER` mends holds one of these (a line with none is left as it is).
_CANDIDATE = re.compile(r"0\.0000|\de[-+]?\d")
_SCALARS = (str, int, bool, type(None))


def _plain(data: Any) -> bool:
    """True when `data` holds only dicts with string keys, lists, strings, ints, bools, None and
    finite floats: the values orjson and the standard library write alike."""
    stack = [data]
    while stack:
        x = stack.pop()
        kind = type(x)
        if kind is float:
            if not math.isfinite(x):
                return False
        elif kind is dict:
            for key in x:
                if type(key) is not str:
                    return False
            stack.extend(x.values())
        elif kind is list or kind is tuple:
            stack.extend(x)
        elif kind not in _SCALARS:
            return False
    return True


# Characters that change what a terminal shows rather than being shown: C0 and C1 controls (ESC
# starts an escape sequence, BEL rings, CR returns to the line's start), DEL, and the Unicode
# controls that reorder or hide text (U+202E makes "exe.txt" look like "txt.exe").
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)


def terminal_text(text: str) -> str:
    """Text safe to print: every control and bidi character shown as what it is (`\\x1b`,
    `U+202E`) rather than acted on. Line breaks and tabs are kept."""

    def shown(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"U+{code:04X}"

    return _INVISIBLE.sub(shown, text)


# Markdown that would make text a link, an image or HTML, or break a table row.
_MARKDOWN = re.compile(r"([\\\[\]<>|])")
# GitHub-flavoured Markdown also links bare addresses; an invisible word joiner breaks them.
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)")


def markdown_text(text: Any) -> str:
    """Text from a file as Markdown shows it, literally and on one line: never a link, an image,
    HTML or a new table cell (`[x](http://...)` stays those characters)."""
    one_line = " ".join(str(text).splitlines())
    return _AUTOLINK.sub("\N{WORD JOINER}", _MARKDOWN.sub(r"\\\1", one_line))


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV text; cells that a spreadsheet would read as a formula are quoted as text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return buffer.getvalue()


# A spreadsheet reads a cell as a formula if it starts with = + - @; a cell it splits at a tab,
# a semicolon (the separator in much of Europe) or a comma makes each part a cell of its own.
_TRIGGER = re.compile(r"(?<=[\s,;|])(?=[=+\-@])")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet could read as a formula is kept as text: a ' before = + - @ at the
    start, and after any separator or whitespace (`x;=1+1`, `x<TAB>=1+1`); a cell starting with
    a tab or carriage return gets a ' too."""
    if not isinstance(value, str):
        return "" if value is None else value
    text = _TRIGGER.sub("'", value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def success_rate_text(value: float | None, per_case: bool, decimals: int = 2) -> str:
    """A success rate as a percentage, or outcomes per case where the effect is counted per case."""
    if value is None:
        return "n/a"
    return f"{num(value)}/case" if per_case else pct(value, decimals)


def rate(record: dict[str, Any], key: str) -> str:
    """A figure of an `evaluate` record as a success rate (see `success_rate_text`)."""
    return success_rate_text(record[key], record["effect_form"] == "per_case")


# Scalar JSON keys that go into CSV columns (nested ones are flattened, `years` left to JSON).
CSV_SKIP = {
    "years",
    "savings_by_payer",
    "savings_by_component",
    "savings_by_class",
    "effect_conversion",
    "flags",
}


# Columns added when a portfolio has options: each intervention's option; each option's own.
OPTION_CSV = (
    "option",
    "rank",
    "status",
    "compared_with",
    "incremental_pv_cost",
    "incremental_pv_gross_savings",
    "incremental_npv",
    "incremental_bcr",
)


OPTION_STATUS = {
    "frontier": "on the frontier",
    "dominated": "dominated",
    "extended_dominance": "dominated (extended dominance)",
}


def compared_text(option: dict[str, Any]) -> str:
    """What an option (`options[]` of `appraise evaluate`) is compared with, or why it is not:
    dominated, ruled out by extended dominance, or the cheapest on the frontier."""
    if option["status"] != "frontier":
        return OPTION_STATUS[option["status"]]
    if option["incremental_npv"] is None:
        return "nothing cheaper"
    return option["compared_with"] or "doing nothing"


def evaluation_csv(data: dict[str, Any]) -> str:
    """One row per intervention plus a total row; nested figures flattened to columns.

    With options, the total row (a sum across options) gives way to a row per option (id
    `option`), and columns name each intervention's option and each option's rank and
    incremental figures.
    """
    first = data["interventions"][0]
    payers = list(first["savings_by_payer"])
    from appraise.engine.results import INTERVENTION_KEYS

    headers = [k for k in INTERVENTION_KEYS if k not in CSV_SKIP]
    scalars = list(headers)
    headers += [f"savings_by_payer.{p}" for p in payers]
    options = data.get("options")
    if options is not None:
        headers += OPTION_CSV
        chosen = {i: o["name"] for o in options for i in o["interventions"]}
    rows = []
    for r in data["interventions"]:
        row = [r[k] for k in scalars] + [r["savings_by_payer"][p] for p in payers]
        if options is not None:
            row += [chosen.get(r["id"])] + [None] * (len(OPTION_CSV) - 1)
        rows.append(row)
    if options is None:
        total = data["portfolio"]
        rows.append(
            [("total" if k == "id" else total.get(k)) for k in scalars]
            + [total["savings_by_payer"].get(p) for p in payers]
        )
        return to_csv(headers, rows)
    for o in options:
        own = {"id": "option", **o, "option": o["name"]}
        rows.append(
            [own.get(k) for k in scalars] + [None] * len(payers) + [own.get(k) for k in OPTION_CSV]
        )
    return to_csv(headers, rows)


# ---------------------------------------------------------------------------------------------
# Claims (`appraise verify`): figures in their units
# ---------------------------------------------------------------------------------------------


def assumed_value(value: Any) -> str:
    """An assumed input's value: a number, or the name of a convention's choice."""
    return value if isinstance(value, str) else f"{value:,g}"


def figure(value: float | None, unit: str, decimals: int = 2) -> str:
    """A claimed or recomputed figure in its unit: money, a percentage, a count, a year."""
    if value is None:
        return "never" if unit == "year" else "n/a"
    if unit == "£":
        return money(value, decimals)
    if unit == "fraction":
        return pct(value, decimals)
    if unit == "year":
        return f"year {value:g}"
    return num(value, decimals)


def claimed_text(claim: dict[str, Any]) -> str:
    """The claimed figure as written: text as it is, a number formatted to its written decimals."""
    written = claim["written"].replace("_", "")
    try:
        float(written)
    except ValueError:
        return claim["written"]
    mantissa = written.lower().split("e")[0]
    decimals = len(mantissa.split(".", 1)[1]) if "." in mantissa else 0
    if claim["unit"] == "fraction":  # 0.032 written with 3 decimals is 3.2%
        decimals = max(decimals - 2, 0)
    return figure(claim["claimed"], claim["unit"], decimals)


def tolerance_text(tol: float, unit: str) -> str:
    if unit == "£":
        return "±" + money(tol, 2 if tol < 1 else 0)
    if unit == "fraction":
        return f"±{tol * 100:g}%"
    return f"±{tol:g}"


def input_values(stated: float, implied: float | None, unit: str) -> tuple[str, str]:
    """An input's stated and implied values in its unit, with enough decimals to tell them apart."""
    if unit.startswith("£"):
        show, low = money, 2
    elif unit == "fraction":
        show, low = (lambda x, d: pct(x, d)), 2  # noqa: E731
    else:
        show, low = num, 2 if abs(stated) >= 10 else 4
    if implied is None:
        return show(stated, low), "none"
    decimals = low
    while decimals < low + 4 and show(stated, decimals) == show(implied, decimals):
        decimals += 1
    return show(stated, decimals), show(implied, decimals)


def difference_text(claim: dict[str, Any]) -> str:
    diff, rel = claim["difference"], claim["relative_difference"]
    if diff is None:
        return "n/a"
    shown = figure(diff, claim["unit"]) if claim["unit"] != "year" else f"{diff:+g}"
    if claim["unit"] == "fraction":
        shown = f"{diff * 100:+.2f} points"
    return shown + (f" ({rel * 100:+.2f}%)" if rel is not None and math.isfinite(rel) else "")


# ---------------------------------------------------------------------------------------------
# Uncertainty (`appraise sensitivity`)
# ---------------------------------------------------------------------------------------------


def value_text(x: float | None, unit: str) -> str:
    """An input's value in its unit: pounds with £, other quantities to 4 significant figures."""
    if x is None:
        return "none"
    if unit.startswith("£"):
        return money(x, 2 if abs(x) < 100 and x != round(x) else 0)
    return f"{x:,.4g}"


# ---------------------------------------------------------------------------------------------
# Inputs and where they came from (docs/provenance.md)
# ---------------------------------------------------------------------------------------------

PROVENANCE_KEY = "C cited, D derived, A assumed, E edited, ? not stated"
SOURCE_CHARS = 90  # of the table's "where it came from" (the JSON gives it whole)


def provenance_line(provenance: dict[str, Any]) -> str:
    """Where an input came from, in one line, from its JSON provenance."""
    status, source, locator, why = provenance_cells(provenance)
    if status == "cited":
        return source + (f", {locator}" if locator else " (no locator)")
    if status == "derived":
        return locator
    if status == "assumed":
        return f"{source}: {why}" if source else why
    if status == "edited":
        return source
    return "the file states no source"


def provenance_cells(provenance: dict[str, Any] | None) -> tuple[str, str, str, str]:
    """(status, source, locator, reason) of an input for a table's columns, from its JSON
    provenance: who is cited and where, what a value is derived from and how, whose assumption
    and why, or what an edit replaced."""
    if not provenance:
        return "", "", "", ""
    status = provenance["status"]
    if status == "cited":
        quote = provenance.get("quote")
        why = f"“{quote}”" if quote else ""
        if provenance.get("note"):
            why = f"{why} ({provenance['note']})" if why else provenance["note"]
        return status, provenance["citation"], provenance.get("at") or "", why
    if status == "derived":
        parts = [
            f"{name} = {_figure_value(item['value'])}"
            + (f" ({provenance_line(item['provenance'])})" if item.get("provenance") else "")
            for name, item in provenance["from"].items()
        ]
        return status, "; ".join(parts), provenance["formula"], provenance.get("note") or ""
    if status == "assumed":
        return status, provenance.get("by") or "", "", provenance["why"]
    if status == "edited":
        before = provenance.get("was_provenance")
        was = _figure_value(provenance["was"])
        shown = f"{before['status']}: {provenance_line(before)}" if before else "no source stated"
        where = f" ({provenance['file']})" if provenance.get("file") else ""
        return (
            status,
            f"edited in the {provenance['by']}{where}; was {was} ({shown})",
            "",
            provenance.get("note") or "",
        )
    return status, "", "", ""


def _figure_value(value: Any) -> str:
    if isinstance(value, int | float):
        return f"{value:,g}"
    if isinstance(value, dict) and "central" in value:
        return f"{value['central']:,g} (a range)"
    return str(value)


def input_lines(params: Sequence[Any], citations: Mapping[str, str]) -> list[str]:
    """The inputs the file gives, one a line with a one-letter mark of where each came from;
    those left at appraise's defaults are counted, not listed. `params`: the model's inputs
    (`appraise.engine.registry.Param`), read as `--format json` lists them (`Param.to_data`),
    without making that listing: 130,000 records at 10,000 interventions, for 40,000 lines."""
    marks = {"cited": "C", "derived": "D", "assumed": "A", "edited": "E", "not stated": "?"}
    written = [p for p in params if p.written]
    # Inputs that share a provenance (10,000 interventions cite the same few sources): its
    # status and line are made once. The params hold their provenances, so no id is reused.
    made: dict[int, tuple[str, str]] = {}

    def source(provenance: Any) -> tuple[str, str]:
        found = made.get(id(provenance))
        if found is None:
            data = provenance.to_data(citations)
            line = _shortened(provenance_line(data), SOURCE_CHARS)
            found = made[id(provenance)] = (data["status"], line)
        return found

    # A value many inputs share (a template's figure, made once when read) is written once.
    values: dict[tuple[int, str], str] = {}
    rows = []
    counts = dict.fromkeys(marks, 0)
    for p in written:
        status, line = source(p.provenance)
        counts[status] += 1
        value = values.get((id(p.value), p.unit))
        if value is None:
            value = values[id(p.value), p.unit] = value_text(p.central, p.unit)
        rows.append([marks[status], p.key, value, p.unit, line])
    shown = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    defaults = len(params) - len(written)
    return [
        f"Inputs the file gives ({PROVENANCE_KEY}): {shown}."
        + (f" {defaults} more at appraise's defaults (docs/defaults.md)." if defaults else ""),
        table(
            ["", "Input", "Value", "Unit", "Where it came from (in full: --format json)"],
            rows,
            [False, False, True, False, False],
        ),
    ]


def _shortened(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 3].rstrip() + "..."


# ---------------------------------------------------------------------------------------------
# Forecast (`appraise forecast`): table columns and notes
# ---------------------------------------------------------------------------------------------


def _signed(x: float) -> str:
    return ("+" if round(x) > 0 else "") + money(x)


def _portfolio_year(row: dict[str, Any]) -> str:
    year = row["portfolio_year"]
    return "" if not year else str(year) + ("" if row["within_portfolio_horizon"] else " *")


Column = tuple[str, Callable[[dict[str, Any]], str]]


def _column(header: str, key: str, show: Callable[[Any], str]) -> Column:
    return header, lambda row: show(row[key])


def year_text(row: dict[str, Any]) -> str:
    """A year as printed: its financial year where it has one (`start` given), else its number."""
    return row.get("financial_year") or str(row["year"])


def _whole(x: float) -> str:
    return num(x, 0)


def _tenth(x: float) -> str:
    return num(x, 1)


SCENARIO_COLUMNS = [
    ("Year", year_text),
    _column("Children", "child_population", _whole),
    _column("Rate/10k", "lac_rate_per_10k", _tenth),
    _column("In care (non-UASC)", "children_in_care_non_uasc", _tenth),
    _column("UASC", "uasc", _whole),
    _column("In care", "children_in_care", _tenth),
    _column("Weeks of care", "weeks_of_care", _whole),
    _column("Placement cost", "placement_cost", money),
    _column("Non-placement cost", "non_placement_cost", money),
    _column("Total cost", "total_cost", money),
    _column("Change in total", "change_in_total_cost", _signed),
    _column("Change in cashable", "change_in_cashable_cost", _signed),
]
COMPARISON_COLUMNS = [
    ("Year", year_text),
    ("Portfolio year", _portfolio_year),
    _column("LAC-years averted", "lac_years_averted", num),
    _column("Spend without", "spend_without", money),
    _column("Care cost with", "care_cost_with", money),
    _column("Intervention cost", "intervention_cost", money),
    _column("Spend with", "spend_with", money),
    _column("Net savings", "net_saving", money),
    _column("Cumulative net savings", "cumulative_net_saving", money),
    _column("Cash-releasing savings", "cashable_care_saving", money),
]


def describe_rate(rate: dict[str, Any]) -> str:
    """How a scenario sets its non-UASC rate, in words with its numbers."""
    kind = rate["kind"]
    if kind == "constant":
        return f"rate held at {num(rate['value'], 1)} per 10,000"
    if kind == "target":
        return f"rate glides to {num(rate['value'], 1)} per 10,000 over {rate['over_years']} years, then flat"
    if kind == "trend":
        x = f"ln(year - {rate['t0'] - 1})" if rate["form"] == "log" else f"(year - {rate['t0']})"
        return (
            f"rate moves in proportion to the {rate['form']} trend {rate['a']:.2f} + "
            f"{rate['b']:.2f} x {x}, fitted to {len(rate['history'])} years of history"
        )
    return f"children in care reduced by the LAC-years {rate['portfolio']} averts"


def comparison_notes(data: dict[str, Any]) -> list[str]:
    """What the comparison counts and how, one sentence each (the CLI and the app print them)."""
    notes = [
        f"Counted: {', '.join(data['interventions']) or 'none'} (they avert {data['lac_outcome']}).",
        f"A LAC-year averted saves the baseline's cost of a child in care, "
        f"{money(data['lac_year_cost_baseline'])} a year"
        + (
            f" (the portfolio prices it at {money(data['lac_year_cost_portfolio'])})."
            if data["lac_year_cost_portfolio"] is not None
            else "."
        ),
    ]
    if data["excluded"]:
        notes.append(
            f"Not counted (they avert other outcomes, outside a forecast of care costs): "
            f"{', '.join(data['excluded'])}."
        )
    if not all(y["within_portfolio_horizon"] for y in data["years"] if y["portfolio_year"]):
        notes.append(
            f"* after the portfolio's {data['horizon_years']}-year horizon: its services run on as "
            "their timing says (cohorts: 0 = every year)."
        )
    return notes


# ---------------------------------------------------------------------------------------------
# Programme (`appraise programme`): table columns and notes
# ---------------------------------------------------------------------------------------------


def count_text(x: float | None) -> str:
    """A count as written: 571, or 12.50 where it has a fraction; 'n/a' if not known."""
    if x is None:
        return "n/a"
    return num(x, 0) if float(x).is_integer() else num(x, 2)


def signed_text(x: float | None, show: Callable[[float], str] = count_text) -> str:
    """+11, -£50,000: a difference with its sign; 'n/a' if not known."""
    if x is None:
        return "n/a"
    return ("+" if x > 0 else "") + show(x)


def _avoided_text(row: dict[str, Any]) -> str:
    return money(row["avoided_spend"]) + (
        " *" if row["avoided_spend_basis"] == "as reported" else ""
    )


def _met_text(met: bool | None) -> str:
    return "n/a" if met is None else ("yes" if met else "no")


def _forecast_text(row: dict[str, Any]) -> str:
    """'18,200 (+1,751; reported 2012-09)': a forecast beside the actual, never instead of it."""
    if row["forecast"] is None:
        return ""
    when = f"; reported {row['forecast_reported_at']}" if row["forecast_reported_at"] else ""
    return f"{count_text(row['forecast'])} ({signed_text(row['forecast_variance'])}{when})"


def _next_text(row: dict[str, Any]) -> str:
    return f"{count_text(row['next_target'])} at {row['next_at']}" if row["next_at"] else ""


PROGRAMME_YEAR_COLUMNS: list[Column] = [
    _column("Financial year", "financial_year", str),
    _column("Projected spend", "projected_spend", money),
    _column("Actual spend", "actual_spend", money),
    ("Avoided spend", _avoided_text),
    _column("Investment", "investment", money),
    _column("Net avoided", "net_avoided_spend", money),
    _column("Cumulative avoided", "cumulative_avoided_spend", money),
    _column("Cumulative net", "cumulative_net_avoided_spend", money),
]
PROGRAMME_TARGET_COLUMNS: list[Column] = [
    _column("Measure", "name", str),
    _column("At", "at", str),
    _column("Target", "target", count_text),
    _column("Actual", "actual", count_text),
    _column("Variance", "variance", signed_text),
    _column("Met", "met", _met_text),
    ("Next target", _next_text),
    ("Still to go", lambda r: count_text(r["still_to_go"]) if r["still_to_go"] is not None else ""),
    ("Forecast", lambda r: _forecast_text(r)),
]
PROGRAMME_SAVINGS_COLUMNS: list[Column] = [
    _column("Workstream", "workstream", str),
    _column("Year", "year", str),
    _column("Target", "target", money),
    ("Achieved", lambda r: money(r["achieved"]) + (" (part-year)" if r["part_year"] else "")),
    ("Forecast", lambda r: money(r["forecast"]) if r["forecast"] is not None else ""),
    ("Variance", lambda r: signed_text(r["variance"], money)),
    _column("Status", "status", str),
    ("Council reported", lambda r: r["reported_status"] or ""),
    ("Class", lambda r: f"{NAMES[r['savings_class']]}, {NAMES[r['recurrence']]}"),
]


def _pressures_text(row: dict[str, Any]) -> str:
    """'Purchase placements and in-house fostering: overspend £5,000,000 (forecast); ...'.

    In words, not signed: a cell of text never holds a + or - a spreadsheet could take for a
    formula (`safe_cell`), and a pressure is an overspend by definition."""
    parts = [
        f"{p['line']}: overspend {money(p['variance'])}"
        + (f" ({p['basis']})" if p["basis"] else "")
        for p in row["pressures"]
    ]
    parts += [f"{r['line']}: {r['reported']}" for r in row["reported"]]
    return "; ".join(parts)


def _variance_text(row: dict[str, Any]) -> str:
    if row["variance"] is None:
        return "not given" if row["lines_without_variance"] else ""
    return signed_text(row["variance"], money)


PROGRAMME_BY_YEAR_COLUMNS: list[Column] = [
    _column("Financial year", "financial_year", str),
    (
        "Savings target",
        lambda r: money(r["savings_target"]) if r["savings_target"] is not None else "",
    ),
    ("Achieved", lambda r: money(r["savings_achieved"]) if r["savings_target"] is not None else ""),
    ("Status", lambda r: r["savings_status"] or ""),
    ("Council reported", lambda r: r["savings_reported_status"] or ""),
    ("Variance against budget", _variance_text),
    ("Outturn is", lambda r: r["variance_basis"] or ""),
    ("Pressures and the council's words", _pressures_text),
]


def _figure_kind(row: dict[str, Any]) -> str:
    """Whether a budget line's figures are actuals or a forecast: a period not ended by the
    reporting date has a forecast only."""
    if row["outturn_basis"] is not None:
        return row["outturn_basis"]
    return "actual" if row["ended"] else "forecast"


PROGRAMME_BUDGET_COLUMNS: list[Column] = [
    _column("Budget line", "line", str),
    ("Period", lambda r: f"{r['period']} ({r['reads_as']})"),
    ("Figures are", _figure_kind),
    _column("Budget", "budget", money),
    _column("Outturn", "outturn", money),
    ("Variance", lambda r: signed_text(r["variance"], money)),
    ("Variance from", lambda r: r["variance_basis"] or ""),
    ("Reported", lambda r: r["reported"] or ""),
]
PROGRAMME_MEASURE_COLUMNS: list[Column] = [
    _column("Measure", "name", str),
    ("Counted", lambda r: "over the year to" if r["counted"] == "over_year" else "at"),
    (
        "Latest",
        lambda r: f"{count_text(r['latest'])} ({r['latest_at']})" if r["latest_at"] else "n/a",
    ),
    (
        "Baseline",
        lambda r: (
            f"{count_text(r['baseline']['value'])} ({r['baseline']['at']})" if r["baseline"] else ""
        ),
    ),
    (
        "Since baseline",
        lambda r: (
            signed_text(r["change_since_baseline"])
            if r["change_since_baseline"] is not None
            else ""
        ),
    ),
    ("Unit", lambda r: r["unit"] or ""),
]
PROGRAMME_REPORTED_SAVINGS_COLUMNS: list[Column] = [
    _column("Saving", "name", str),
    ("Period", lambda r: f"{r['period']} ({r['reads_as']})"),
    _column("Value", "value", money),
    ("Class", lambda r: NAMES[r["savings_class"]]),
    ("Recurrence", lambda r: NAMES[r["recurrence"]]),
    _column("Status", "status", str),
    ("Sources", lambda r: ", ".join(r["sources"])),
]


def funding_sections(
    data: dict[str, Any],
) -> list[tuple[str, list[Column], list[dict[str, Any]], list[str]]]:
    """(title, columns, rows, notes) of the funding tables: each source and what was drawn on
    it, year by year; then the investment by line."""
    f = data["funding"]
    if f is None:
        return []
    years = [y["financial_year"] for y in data["years"]]

    missing = set(f["years_not_given"])

    def by_year(year: str) -> Column:
        def show(r: dict[str, Any]) -> str:
            value = r["by_year"][year]
            if value is not None:
                return money(value)
            return "not given" if r.get("total") and year in missing else ""

        return year, show

    def figure(key: str) -> Column:
        return key.capitalize(), lambda r: "" if r.get("stated") else money(r[key])

    sources: list[Column] = [
        _column("Source", "source", str),
        ("Kind", lambda r: r["kind"].replace("_", " ")),
        figure("amount"),
        *(by_year(y) for y in years),
        figure("drawn"),
        figure("remaining"),
    ]
    total = {
        "source": "total of the lines",
        "total": True,
        "kind": "",
        "amount": f["envelope"],
        "by_year": f["drawn_by_year"],
        "drawn": f["drawn"],
        "remaining": f["remaining"],
    }
    stated = {
        "source": "investment, as the programme gives it",
        "stated": True,
        "total": True,
        "kind": "",
        "amount": None,
        "by_year": f["investment_by_year"],
        "drawn": None,
        "remaining": None,
    }
    notes = (
        [f"Envelope: {money(f['envelope'])} set aside for the programme (the total's amount)."]
        if f["envelope"] is not None
        else ["No envelope is given; each source's amount is shown where it is."]
    )
    if f["note"]:
        notes.append(f["note"])
    if f["drawn_capital"]:
        notes.append(
            f"Drawn: capital {money(f['drawn_capital'])}, revenue {money(f['drawn_revenue'])} "
            "(a line is capital when its source is)."
        )
    if f["years_not_given"]:
        notes.append(
            f"Not given: what was drawn in {', '.join(f['years_not_given'])} (not zero), so the "
            "total drawn is of the years given only and what remains is not known."
        )
    for c in f["investment_against_lines"]:
        notes.append(
            f"{c['financial_year']}: the lines add up to {money(c['lines'])}; the programme's "
            f"investment that year is given as {money(c['investment'])} "
            f"({signed_text(c['difference'], money)})."
        )
    lines: list[Column] = [
        _column("Investment line", "line", str),
        ("Source", lambda r: ", ".join(r["sources"])),
        *(by_year(y) for y in years),
        _column("Total", "total", money),
    ]
    rows = [*f["sources"], total, stated]
    out = [("Funding: sources and what was drawn on each", sources, rows, notes)]
    if f["lines"]:
        out.append(("Investment by line", lines, f["lines"], []))
    return out


def savings_class_notes(data: dict[str, Any]) -> list[str]:
    """Savings targets, achieved and reported with no target, each split by class."""
    out = []
    for key, what in (
        ("targets", "Savings targets"),
        ("achieved", "Achieved"),
        ("reported_no_target", "Reported, no target set"),
    ):
        split = data["savings_by_class"][key]
        if not any(split.values()):
            continue
        parts = ", ".join(f"{NAMES[k]} {money(v)}" for k, v in split.items() if v)
        out.append(f"{what} by class: {parts}.")
    return out


def programme_heading(data: dict[str, Any]) -> str:
    """'THRIVE: 2012-04 to 2015-03 (financial years April to March); actuals to 2014-03'."""
    start = data["financial_year_start_month"]
    years = "April to March" if start == 4 else f"starting in month {start}"
    as_at = f"; actuals to {data['as_at']}" if data["as_at"] else "; no actuals"
    return f"{data['programme']}: {data['start']} to {data['end']} (financial years {years}){as_at}"


def programme_spend_notes(data: dict[str, Any]) -> list[str]:
    """Where the projection comes from, then the report's own notes on spend."""
    p = data["projection"]
    if p["kind"] == "forecast":
        source = (
            f"Projection: the {p['cost'].replace('_', ' ')} of the baseline forecast "
            f"{p['forecast_file']} ({p['scenario']}); {p['year_rule']}."
        )
    elif p["kind"] == "none":
        source = "Projection: none given."
    else:
        source = f"Projection: the outline business case, {p['kind']}."
    return [source, *data["notes"]]


def programme_measure_notes(data: dict[str, Any]) -> list[str]:
    """Where each measure stands against its targets: its latest value and how far it is from
    its next target; what variance and a forecast mean."""
    out = []
    for m in data["measures"]:
        if m["latest_at"] is None or m["next_at"] is None:
            continue
        out.append(
            f"{m['name']}: latest {count_text(m['latest'])} ({m['latest_at']}); next target "
            f"{count_text(m['next_target'])} at {m['next_at']}, {count_text(m['still_to_go'])} "
            "still to go."
        )
    named = [
        m for m in data["measures"] if any(t["measure"] == m["measure"] for t in data["targets"])
    ]
    better = "; ".join(f"{m['name']}: {m['better']} is better" for m in named)
    if any(t["forecast"] is not None for t in data["targets"]):
        better += (
            ". Forecast: a forecast of the value at that month, beside the actual and never "
            "instead of it, with its variance from the target"
        )
    return [*out, f"Variance = actual - target; {better}."]


def measure_table_notes(data: dict[str, Any]) -> list[str]:
    """How the measures are counted, their baselines and their comparators, in words."""
    out = [line for m in data["measures"] for line in measure_context(m)]
    counted = [m["name"] for m in data["measures"] if m["counted"] == "over_year"]
    if counted:
        out.append(
            f"Counted over the twelve months to the month shown (activity): {', '.join(counted)}; "
            "the others are counts at the end of the month."
        )
    return out


def measure_context(m: dict[str, Any]) -> list[str]:
    """A measure's baseline before the programme and its comparators, in words."""
    out = []
    base = m["baseline"]
    if base is not None:
        line = f"{m['name']}: {count_text(base['value'])} at {base['at']}, before the programme"
        if m["change_since_baseline"] is not None:
            line += (
                f"; {signed_text(m['change_since_baseline'])} since, to {count_text(m['latest'])} "
                f"at {m['latest_at']}"
            )
        out.append(line + ".")
    for c in m["comparators"]:
        line = f"{m['name']} against {c['name']}: {num(c['rate_per_10000'], 1)} per 10,000 at {c['at']}"
        if c["population"]:
            line += f" (of {num(c['population'], 0)} children)"
        if c["local_rate_per_10000"] is not None:
            line += (
                f"; here {num(c['local_rate_per_10000'], 1)} at {c['local_at']} "
                f"({signed_text(c['difference'], lambda x: num(x, 1))})"
            )
        out.append(line + ".")
    return out


def programme_status_notes(data: dict[str, Any]) -> list[str]:
    """What each savings status shown means."""
    used = dict.fromkeys(s["status"] for s in data["savings"])
    return [f"{status}: {data['savings_statuses'][status]}." for status in used]


STALE_YEARS = 5  # a figure this many years older than the price base is flagged


Section = tuple[str, list[Column], list[dict[str, Any]], list[bool], list[str]]


def programme_sections(data: dict[str, Any]) -> list[Section]:
    """(title, columns, rows, right-aligned, notes) of each table the report shows; the spend
    table only where some year has a figure."""
    out: list[Section] = []
    figures = ("projected_spend", "actual_spend", "avoided_spend", "investment")
    if any(y[k] is not None for y in data["years"] for k in figures):
        out.append(
            (
                "Spend against the projection, by financial year",
                PROGRAMME_YEAR_COLUMNS,
                data["years"],
                [False, *[True] * 7],
                programme_spend_notes(data),
            )
        )
    if any(m["values"] or m["baseline"] for m in data["measures"]):
        out.append(
            (
                "Measures",
                PROGRAMME_MEASURE_COLUMNS,
                data["measures"],
                [False, False, True, True, True, False],
                measure_table_notes(data),
            )
        )
    if data["targets"]:
        forecasts = any(t["forecast"] is not None for t in data["targets"])
        columns = PROGRAMME_TARGET_COLUMNS if forecasts else PROGRAMME_TARGET_COLUMNS[:-1]
        out.append(
            (
                "Measures against targets",
                columns,
                data["targets"],
                [False, False, True, True, True, False, True, True, True][: len(columns)],
                programme_measure_notes(data),
            )
        )
    if data["savings"]:
        out.append(
            (
                "Savings targets",
                PROGRAMME_SAVINGS_COLUMNS,
                data["savings"],
                [False, False, True, True, True, True, False, False, False],
                [*programme_status_notes(data), *part_year_notes(data)],
            )
        )
    if data["reported_savings"]:
        out.append(
            (
                "Savings reported with no target set",
                PROGRAMME_REPORTED_SAVINGS_COLUMNS,
                data["reported_savings"],
                [False, False, True, False, False, False, False],
                [
                    "Reported, no target set: a saving the report states that no savings target "
                    "names; recorded as reported, with its class (docs/defaults.md).",
                    *(f"{r['name']}: {r['note']}" for r in data["reported_savings"] if r["note"]),
                ],
            )
        )
    if data["savings"] or data["reported_savings"]:
        out[-1][4].extend(savings_class_notes(data))
    if data["by_year"] and data["budget"]:
        out.append(
            (
                "Savings beside the budget, by financial year",
                PROGRAMME_BY_YEAR_COLUMNS,
                data["by_year"],
                [False, True, True, False, False, True, False, False],
                [
                    "Variance against budget = outturn - budget, + an overspend; the outturn is "
                    "the actual for a year that has ended and the forecast for one that has not "
                    f"(as at {data['as_at']}). Savings achieved and a service overspent can both "
                    "be true: the table shows both.",
                ],
            )
        )
    if data["budget"]:
        out.append(
            (
                f"Budget monitoring as at {data['as_at']}",
                PROGRAMME_BUDGET_COLUMNS,
                data["budget"],
                [False, False, False, True, True, True, False, False],
                budget_notes(data),
            )
        )
    for title, columns, rows, notes in funding_sections(data):
        out.append((title, columns, rows, [False] * 2 + [True] * (len(columns) - 2), notes))
    return out


def part_year_notes(data: dict[str, Any]) -> list[str]:
    """Which amounts achieved are for part of a year."""
    part = [f"{s['workstream']} {s['year']}" for s in data["savings"] if s["part_year"]]
    if not part:
        return []
    return [
        f"part-year: achieved to {data['as_at']}, in a year not ended by then ({', '.join(part)})."
    ]


def budget_notes(data: dict[str, Any]) -> list[str]:
    """What forecast and actual mean here, and the notes of each line."""
    out = [
        "actual: the outturn of a period that has ended by the reporting date; forecast: the "
        "forecast outturn of one that has not (never shown as an actual).",
    ]
    if any(b["variance_basis"] == "as reported" for b in data["budget"]):
        out.append(
            "Variance from: as reported where the report states the over- or underspend, not "
            "the budget; outturn - budget where both are given."
        )
    out += [f"{b['line']} {b['period']}: {b['note']}" for b in data["budget"] if b["note"]]
    return out


def price_notes(prices: dict[str, Any] | None) -> list[str]:
    """What the results say about prices: how the base was read, each figure uprated to it (with
    its factor and index), those assumed to be in base-year prices, and any resting on forecasts."""
    if not prices:
        return []
    base = prices["price_base"]
    out = [f"Prices: every figure is in {base} prices (the price base)."]
    out += [f"  {n}." for n in prices["notes"]]
    for r in prices["uprated"]:
        if r["price_year"] == base:
            continue
        flags = list(r["notes"])  # how its year was read; forecast or provisional values used
        if stale_years(r, base) > STALE_YEARS:
            flags.append(f"more than {STALE_YEARS} years older than the price base")
        extra = f" ({'; '.join(flags)})" if flags else ""
        out.append(
            f"  {r['field']}: {money(r['original'], 2)} in {r['price_year']} prices x "
            f"{r['factor']:.4f} ({r['index_label']}) = {money(r['result'], 2)}{extra}."
        )
    return out


def stale_years(record: dict[str, Any], base: str) -> int:
    """How many years older than the price base an uprated figure's own prices are."""
    return int(base[:4]) - int(record["price_year"][:4])


def effect_notes(records: list[dict[str, Any]]) -> list[str]:
    """For a service averting several outcomes, each outcome's share; for a reach counted in
    other units than its cost, how many cases were costed."""
    out = []
    for r in records:
        effects = r.get("effects") or []
        if len(effects) > 1:
            parts = "; ".join(
                f"{e['averts']} {num(e['outcomes_averted'])} averted, {money(e['gross_savings'])}"
                f" ({_alone(e)})"
                for e in effects
            )
            share = r.get("break_even_effect_share")
            even = f"{pct(share)} of its expected effect" if share is not None else "never"
            out.append(
                f"{r['id']} averts {len(effects)} outcomes: {parts}. It breaks even at {even}."
            )
        per = r.get("cost_per")
        if per and r.get("cases_costed") is not None and r["cases_costed"] != r["reach"]:
            unit = r.get("reach_unit") or "cases"
            one = SINGULAR.get(unit, "unit of reach")
            out.append(
                f"{r['id']}: reach {num(r['reach'], 1)} {unit}, costed as "
                f"{num(r['cases_costed'], 1)} cases of one {per}; cost per {one} "
                f"{money(r['cost_per_case'])}."
            )
    return out


SINGULAR = {
    "children": "child",
    "families": "family",
    "contacts": "contact",
    "places": "place",
    "women": "woman",
    "cases": "case",
}


def _alone(effect: dict[str, Any]) -> str:
    """What an effect must achieve to break even with the others as expected."""
    rate = effect["break_even_success_rate"]
    if rate == 0:
        return "the others alone pay for the service"
    return f"breaks even at {success_rate_text(rate, False)} a case with the others as expected"


# ---------------------------------------------------------------------------------------------
# The value of information (`appraise simulate --voi`): what to check first, in words
# ---------------------------------------------------------------------------------------------


def check_first(voi: dict[str, Any], horizon: int) -> list[str]:
    """Sentences saying what the uncertainty costs the decision and which input to check first,
    and what a local audit of it could be worth at most, from the JSON `value_of_information`."""
    decisions = voi["decisions"]
    one = len(decisions) == 1
    which = (
        "this decision" if one else f"the {len(decisions)} decisions to fund each service or not"
    )
    them = "this decision" if one else "them"
    total = voi["evpi"]
    if not voi["inputs"]:
        return ["No input is given as a range, so there is nothing to learn before committing."]
    if total <= 0:
        return [
            f"In every draw the same choice is best, so the ranges cannot change {which}: no "
            "check before committing can pay for itself (the value of perfect information is £0)."
        ]
    reach = ""
    if one and decisions[0]["evpi_per_case"] is not None:
        d = decisions[0]
        reach = (
            f", {money(d['evpi_per_case'])} for each of the {num(d['cases'], 1)} {d['unit']} "
            f"it reaches over {years_text(horizon)}"
        )
    out = [
        f"All the uncertainty in the ranges costs {which} {money(total)} in expected NPV (the "
        f"expected value of perfect information, give or take {money(voi['evpi_se'])}){reach}: "
        "the most that removing every doubt before choosing could be worth."
    ]
    worth = [r for r in voi["inputs"] if r["evppi"] > 0.5]
    if not worth:
        out.append(
            "No input alone could change the choice: only several learnt together could (see "
            "the groups)."
        )
        return out
    top = worth[0]
    out.append(
        f"Check first: {top['label']}. Knowing it exactly would be worth at most "
        f"{money(top['evppi'])} to {them} ({pct(top['share_of_evpi'], 0)} of what all the "
        "uncertainty costs): a local audit or study of it costing more cannot pay for itself, "
        "and one that only narrows its range is worth less."
    )
    if len(worth) > 1:
        rest = ", ".join(f"{r['label']} ({money(r['evppi'])})" for r in worth[1:3])
        out.append(f"Then: {rest}.")
    # The lesson where the rankings differ: an input high on the tornado that cannot change it.
    moved = sorted(
        (r for r in voi["inputs"] if r.get("tornado_rank") and r["tornado_rank"] <= 3),
        key=lambda r: r["tornado_rank"],
    )
    idle = next((r for r in moved if r["evppi"] <= 0.5), None)
    if idle is not None:
        place = ORDINALS.get(idle["tornado_rank"], f"number {idle['tornado_rank']}")
        out.append(
            f"{idle['label']} is {place} on the tornado (it moves the NPV by up to "
            f"{money(idle['tornado_swing'])}), yet knowing it is worth nothing here: however it "
            "turns out, the same choice stays best."
        )
    return out


ORDINALS = {1: "first", 2: "second", 3: "third"}


def years_text(count: int) -> str:
    """'1 year', '10 years': a horizon or period in words."""
    return f"{count} year" if count == 1 else f"{count} years"
