"""Display formatting shared by the CLI and the app: money, rates, plain-text tables, JSON, CSV."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import Any


def money(x: float | None, decimals: int = 0) -> str:
    """£1,225,153 / -£7,298; 'n/a' for a missing value."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if math.isinf(x):
        return "never" if x > 0 else "-inf"
    sign = "-" if round(x, decimals) < 0 else ""
    return f"{sign}£{abs(x):,.{decimals}f}"


def pct(x: float | None, decimals: int = 1) -> str:
    """0.1605 -> 16.1%."""
    if x is None:
        return "n/a"
    if math.isinf(x):
        return "never"
    return f"{x * 100:.{decimals}f}%"


def num(x: float | None, decimals: int = 2) -> str:
    """Thousands separators and a fixed number of decimals; 'n/a' or 'never' for no value."""
    if x is None:
        return "n/a"
    if math.isinf(x):
        return "never"
    return f"{x:,.{decimals}f}"


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
    widths = [
        max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(h)
        for i, h in enumerate(headers)
    ]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            str(c).rjust(w) if r else str(c).ljust(w)
            for c, w, r in zip(cells, widths, right, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def to_json(data: Any) -> str:
    """Strict JSON (no NaN or Infinity), two-space indent."""
    return json.dumps(data, indent=2, allow_nan=False, ensure_ascii=False)


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV text; cells that a spreadsheet would read as a formula are quoted as text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return buffer.getvalue()


def safe_cell(value: Any) -> Any:
    """Text starting with = + - @ (or a tab/CR) is prefixed with ' so spreadsheets keep it as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def rate(record: dict[str, Any], key: str) -> str:
    """A success rate as a percentage, or outcomes per case where the effect is counted per case."""
    if record["effect_form"] == "per_case":
        return f"{num(record[key])}/case"
    return pct(record[key], 2)


# Scalar JSON keys that go into CSV columns (nested ones are flattened, `years` left to JSON).
CSV_SKIP = {"years", "savings_by_payer", "savings_by_component", "effect_conversion"}


def evaluation_csv(data: dict[str, Any]) -> str:
    """One row per intervention plus a total row; nested figures flattened to columns."""
    first = data["interventions"][0]
    payers = list(first["savings_by_payer"])
    from appraise.results import INTERVENTION_KEYS

    headers = [k for k in INTERVENTION_KEYS if k not in CSV_SKIP]
    headers += [f"savings_by_payer.{p}" for p in payers]
    rows = []
    for r in data["interventions"]:
        rows.append(
            [r[k] for k in headers if "." not in k] + [r["savings_by_payer"][p] for p in payers]
        )
    total = data["portfolio"]
    rows.append(
        [("total" if k == "id" else total.get(k)) for k in headers if "." not in k]
        + [total["savings_by_payer"].get(p) for p in payers]
    )
    return to_csv(headers, rows)
