"""Numbers and labels as the app shows them, for the committee paper's tables and text.

Money to the pound, success rates as percentages (or outcomes per case), inputs in their units;
result figures in the kind and format the registry (`appraise.engine.figures`) gives them.
"""

from __future__ import annotations

from typing import Any

from appraise.display import (
    Column,
    discount_text,
    money,
    num,
    payer_name,
    pct,
    rate,
    years_text,
)
from appraise.engine.figures import FIGURES
from appraise.paper.content import Paper

TOTAL = "Portfolio total"


def payback(year: int | None, horizon: int) -> str:
    """'year 2', or 'not within 5 years' (the app's wording)."""
    return f"year {year}" if year else f"not within {years_text(horizon)}"


def figure_text(key: str, record: dict[str, Any], horizon: int) -> str:
    """A result figure of an `evaluate` record in the registry's kind and format, as the app
    shows it: money to the pound, success rates as percentages (or per case), ratios to 2 places."""
    spec = FIGURES[key]
    value = record.get(key)
    if spec.kind == "text":
        return "" if value is None else str(value)
    if spec.kind == "year":
        return payback(value, horizon)
    if value is None:
        return "n/a"
    if spec.kind == "money":
        return money(value)
    if spec.kind == "rate":
        if spec.per_case and "effect_form" in record:
            return rate(record, key)
        return pct(value, 2 if spec.fmt == "pct2" else 0)
    decimals = int(spec.fmt[1:]) if spec.fmt[1:].isdigit() else 0
    return num(value, decimals)


def input_text(value: float | str | None, unit: str, digits: int = 4) -> str:
    """An input's value in its unit, as the app shows it: rates as percentages, money with £
    (pence where it has them), other quantities to `digits` significant figures."""
    if value is None:
        return "none"
    if isinstance(value, str):
        return value
    if unit.startswith("fraction"):  # as written, to 2 decimals of a percent (4 in the log)
        most = 4 if digits > 4 else 2
        shown = next(
            (d for d in range(most) if abs(round(value * 100, d) - value * 100) < 1e-9), most
        )
        return pct(value, shown)
    if unit.startswith("£"):
        return money(value, 0 if float(value).is_integer() else 2)
    if unit in ("switch", "code", "cohorts"):
        return f"{value:g}"
    return f"{value:,.{digits}g}"


def conventions(t: dict[str, Any]) -> str:
    """One line saying how the figures were counted (the app's caption)."""
    return (
        f"Prices {t['price_year']}; savings to {payer_name(t['perspective'])}; cashable net savings "
        f"{t['cashable_method'].replace('_', ' ')}; NPV over {years_text(t['horizon_years'])} at "
        f"{discount_text(t['discount_rate'], t['horizon_years'], a_year=True)}."
    )


def cells(columns: list[Column], rows: list[dict[str, Any]]) -> list[list[str]]:
    return [[show(r) for _, show in columns] for r in rows]


def input_labels(paper: Paper) -> dict[str, str]:
    """Input key -> 'Whose: what', as the app labels inputs."""
    return {
        p.key: paper.input_label(p.key, p.label, p.owner)
        for p in [*paper.model.params, *paper.model.whole_outcome]
    }


def zero_text(s: dict[str, Any]) -> str:
    if s["threshold"] is None:
        return "none: no value the input may take"
    where = "within" if s["threshold_in_range"] else "outside"
    return f"{input_text(s['threshold'], s['unit'])} ({where} the range)"


def swing_row(s: dict[str, Any], labels: dict[str, str]) -> list[str]:
    unit = s["unit"]
    return [
        labels.get(s["key"], s["label"]),
        input_text(s["low"], unit),
        input_text(s["central"], unit),
        input_text(s["high"], unit),
        money(s["npv_low"]),
        money(s["npv_high"]),
        zero_text(s),
    ]
