"""Widgets bound to field paths of the edited portfolio: every change goes through `session.edit`.

A widget's key is its field path plus the load generation, so opening another file or discarding
edits starts every widget again from the data. Rates are shown as percentages and stored as
fractions. A rejected value is put back and the validation message shown under the widget.

An input holding a distribution shows its central value (what every deterministic figure uses).
Editing it changes `central` only (for a `{low, central, high}` range that is also its most likely
value) and keeps the bounds; a value outside them is rejected with the validator's message.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import streamlit as st

from appraise.display import provenance_line
from appraise.engine.params import Param
from appraise.model.numbers import Dist, Domain
from appraise.ui import session
from appraise.ui.text import code, fenced, plain

PERCENT_UNITS = ("fraction",)
STEPS = {"£": 100.0, "£ per case": 10.0, "£ per week": 10.0, "£ per outcome": 10.0}


def _key(path: str) -> str:
    loaded = session.current()
    return f"edit:{loaded.generation if loaded else 0}:{path}"


def _decimals(x: float) -> int:
    """Enough decimals to show `x` exactly (none for a whole number: 1355, not 1355.00; at most 6)."""
    return next((d for d in range(7) if abs(round(x, d) - x) <= 1e-9 * max(1.0, abs(x))), 6)


def problems_box(heading: str, problems: list[str]) -> None:
    """An error box: a heading, then one line per problem exactly as the CLI prints them (in a
    code block that no text from a file can close)."""
    st.error(f"{plain(heading)}\n\n{fenced(problems)}")


def _show_problems(path: str) -> None:
    """The last rejected edit of this field, in full and wrapped to the column, under it."""
    problems = session.edit_problems(path)
    if problems:
        # Inline code, not a code block: shown as written, and wrapped to the column.
        st.error("Not applied:  \n" + "  \n".join(code(p) for p in problems))


def outside(domain: Domain, shown: float, percent: bool, label: str, why: str = "") -> str | None:
    """Why a value typed into a field is outside the input's domain, in the field's own units
    ("must be between 0 and 100% (got 150%)"); None if it is inside. `why` follows the bounds
    where the domain is narrower than the input's own (", the range set for it")."""
    x = shown / 100 if percent else shown
    if domain.contains(x):
        return None
    if not percent:
        if not domain.natural(x):
            return f"{label}: {domain.text}{why} (got {shown:,.10g})"
        return f"{label}: {domain.limit_text} (got {shown:,.10g})"
    scaled = Domain(domain.lo * 100, domain.hi * 100, domain.lo_open, domain.hi_open)
    if not scaled.natural(shown):
        closed = not (scaled.lo_open or scaled.hi_open) and math.isfinite(scaled.hi - scaled.lo)
        text = f"must be between {scaled.lo:g} and {scaled.hi:g}" if closed else scaled.text
        return f"{label}: {text}%{why} (got {shown:,.10g}%)"
    return f"{label}: {domain.limit_text} (got {shown:,.10g}%)"


RANGE_WHY = ", the range set for it"


def within_range(domain: Domain, value: Dist) -> Domain:
    """The values a ranged input's central value may take: its own domain, and within the range
    (a central value outside a bounded distribution's support is refused)."""
    low, high = value.support
    if not (math.isfinite(low) and math.isfinite(high)):
        return domain
    return dataclasses.replace(
        domain,
        lo=max(domain.lo, low),
        hi=min(domain.hi, high),
        lo_open=domain.lo_open and domain.lo >= low,
        hi_open=domain.hi_open and domain.hi <= high,
    )


def _changed(
    key: str,
    path: str,
    to_data: Callable[[Any], Any],
    shown: Any,
    check: Callable[[Any], str | None] | None = None,
) -> None:
    value = st.session_state[key]
    refused = check(value) if check is not None and value is not None else None
    if refused:
        session.refuse(path, [refused])
        st.session_state[key] = shown
    elif value is None or session.edit(path, to_data(value)):
        st.session_state[key] = shown  # rejected or emptied: back to the value in use


def _bind(key: str, shown: Any) -> None:
    if key not in st.session_state:
        st.session_state[key] = shown


def number(
    path: str,
    label: str,
    value: float | int,
    *,
    percent: bool = False,
    integer: bool = False,
    step: float | None = None,
    help: str | None = None,
    domain: Domain | None = None,
    why: str = "",
) -> None:
    """A number input for the value at `path` (a percentage on screen if `percent`); a value
    outside `domain` is refused in the field's own units (`why`: see `outside`)."""
    key = _key(path)
    shown: float | int = int(value) if integer else round(value * 100, 10) if percent else value
    _bind(key, shown)

    def to_data(x: Any) -> Any:
        if integer:
            return int(x)
        return round(float(x) / 100, 12) if percent else float(x)

    shown_label = f"{label} (%)" if percent else label
    check = None if domain is None else partial(_outside_check, domain, percent, label, why)
    st.number_input(
        shown_label,
        key=key,
        step=1 if integer else (step or 1.0),
        format="%d" if integer else f"%.{_decimals(float(st.session_state[key]))}f",
        help=help,
        on_change=_changed,
        args=(key, path, to_data, shown, check),
    )
    _show_problems(path)


def _outside_check(domain: Domain, percent: bool, label: str, why: str, value: Any) -> str | None:
    return outside(domain, float(value), percent, label, why)


def choice(
    path: str,
    label: str,
    options: Sequence[Any],
    value: Any,
    *,
    labels: dict[Any, str] | None = None,
    help: str | None = None,
) -> None:
    """A select box for the value at `path`."""
    key = _key(path)
    _bind(key, value)
    st.selectbox(
        label,
        list(options),
        key=key,
        format_func=(lambda o: labels.get(o, str(o))) if labels else str,
        help=help,
        on_change=_changed,
        args=(key, path, lambda x: x, value),
    )
    _show_problems(path)


def flag(path: str, label: str, value: bool, *, help: str | None = None) -> None:
    """A checkbox for the true/false setting at `path`."""
    key = _key(path)
    _bind(key, value)
    st.checkbox(label, key=key, help=help, on_change=_changed, args=(key, path, bool, value))
    _show_problems(path)


def _range_text(value: Dist, percent: bool) -> str:
    """'5% to 15% (triangular)', or the parameters of an unbounded distribution."""
    low, high = value.support
    if math.isinf(low) or math.isinf(high):
        shown = ", ".join(f"{k} {v:g}" for k, v in value.params.items())
        return f"a {value.kind} distribution ({shown})"
    scale, unit = (100, "%") if percent else (1, "")
    return f"{low * scale:g}{unit} to {high * scale:g}{unit} ({value.kind})"


# The colour of each provenance's badge: a cited figure green, an assumption orange, an edit
# violet, a figure with no stated source grey.
BADGE_COLOURS = {
    "cited": "green",
    "derived": "blue",
    "assumed": "orange",
    "edited": "violet",
    "not stated": "gray",
}


def provenance_badge(p: Param, citations: dict[str, str]) -> None:
    """Where an input's value came from: a badge with its status, and what it rests on."""
    status = p.provenance.status
    st.badge(status, color=BADGE_COLOURS[status])
    st.caption(plain(provenance_line(p.provenance.to_data(citations))))


def param(p: Param, sources: str = "", citations: dict[str, str] | None = None) -> None:
    """A number input for one registered input (`Model.params`), with its unit, path, sources
    and a badge saying where its value came from."""
    percent = p.unit in PERCENT_UNITS
    unit = "" if percent else f" ({p.unit})"
    where = f"Field `{p.path}`" + (f"; sources: {sources}" if sources else "")
    uncertain = isinstance(p.value, Dist)
    number(
        f"{p.path}.central" if uncertain else p.path,
        plain(p.label) + unit,  # a component's label holds names from the file
        p.central,
        percent=percent,
        step=0.01 if p.unit in ("ratio", "d") else STEPS.get(p.unit),
        help=where,
        domain=within_range(p.domain, p.value) if uncertain else p.domain,
        why=RANGE_WHY if uncertain else "",
    )
    if uncertain:
        st.caption(
            f"Range {_range_text(p.value, percent)}: the figures use the central value, which "
            "may move within the range; simulations draw from the range."
        )
    provenance_badge(p, citations or {})
