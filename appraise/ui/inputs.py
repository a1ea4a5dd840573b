"""Widgets bound to field paths of the edited portfolio: every change goes through `session.edit`.

A widget's key is its field path plus the load generation, so opening another file or discarding
edits starts every widget again from the data. Rates are shown as percentages and stored as
fractions. A rejected value is put back and the validation message shown under the widget.

An input holding a distribution shows its central value (what every deterministic figure uses).
Editing it changes `central` only (for a `{low, central, high}` range that is also its most likely
value) and keeps the bounds; a value outside them is rejected with the validator's message.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from appraise.display import provenance_line
from appraise.engine.params import Param
from appraise.model.numbers import Dist
from appraise.ui import session
from appraise.ui.text import fenced, plain

PERCENT_UNITS = ("fraction",)
STEPS = {"£": 100.0, "£ per case": 10.0, "£ per week": 10.0, "£ per outcome": 10.0}


def _key(path: str) -> str:
    loaded = session.current()
    return f"edit:{loaded.generation if loaded else 0}:{path}"


def _decimals(x: float) -> int:
    """Enough decimals to show `x` exactly (at least 2, at most 6)."""
    return next((d for d in range(2, 7) if abs(round(x, d) - x) <= 1e-9 * max(1.0, abs(x))), 6)


def problems_box(heading: str, problems: list[str]) -> None:
    """An error box: a heading, then one line per problem exactly as the CLI prints them (in a
    code block that no text from a file can close)."""
    st.error(f"{plain(heading)}\n\n{fenced(problems)}")


def _show_problems(path: str) -> None:
    problems = session.edit_problems(path)
    if problems:
        problems_box("Not applied:", problems)


def _changed(key: str, path: str, to_data: Callable[[Any], Any], shown: Any) -> None:
    value = st.session_state[key]
    if value is None or session.edit(path, to_data(value)):
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
) -> None:
    """A number input for the value at `path` (a percentage on screen if `percent`)."""
    key = _key(path)
    shown: float | int = int(value) if integer else round(value * 100, 10) if percent else value
    _bind(key, shown)

    def to_data(x: Any) -> Any:
        if integer:
            return int(x)
        return round(float(x) / 100, 12) if percent else float(x)

    st.number_input(
        f"{label} (%)" if percent else label,
        key=key,
        step=1 if integer else (step or 1.0),
        format="%d" if integer else f"%.{_decimals(float(st.session_state[key]))}f",
        help=help,
        on_change=_changed,
        args=(key, path, to_data, shown),
    )
    _show_problems(path)


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
    )
    if uncertain:
        st.caption(
            f"Range {_range_text(p.value, percent)}: the figures use the central value, which "
            "may move within the range; simulations draw from the range."
        )
    provenance_badge(p, citations or {})
