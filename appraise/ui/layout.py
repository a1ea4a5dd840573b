"""What every page shares: the `View` a page is given, the `Page` menu entry, and layout pieces."""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from appraise.display import discount_text, payer_name, years_text
from appraise.engine.results import Appraisal
from appraise.ui import charts, inputs, session
from appraise.ui.runs import Evaluation


@dataclass(frozen=True)
class View:
    """What a page is given: the portfolio as edited, and its results."""

    loaded: session.Loaded
    evaluation: Evaluation

    @property
    def results(self) -> dict[str, Any]:
        """`{"portfolio": {...}, "interventions": [...]}` as `appraise evaluate --format json`."""
        return self.evaluation.results

    @property
    def records(self) -> list[dict[str, Any]]:
        return self.results["interventions"]

    @property
    def totals(self) -> dict[str, Any]:
        return self.results["portfolio"]

    @property
    def appraisal(self) -> Appraisal:
        return self.evaluation.appraisal

    def names(self) -> dict[str, str]:
        """Intervention id -> its name, and outcome key -> its name."""
        portfolio = self.appraisal.model.portfolio
        return {
            **{i.id: i.name for i in portfolio.interventions},
            **{k: o.name for k, o in portfolio.outcomes.items()},
        }

    def input_labels(self) -> dict[str, str]:
        """Input key -> 'Whose: what' (e.g. 'Pause: Outcomes averted per case')."""
        names = self.names()
        out = {}
        for p in self.appraisal.model.params:
            whose = names.get(p.owner, p.owner)
            out[p.key] = p.label if p.label.startswith(f"{whose}:") else f"{whose}: {p.label}"
        return out

    def edits_note(self) -> str:
        """'examples/x.yaml' or 'examples/x.yaml with 2 edits (not saved)'."""
        count = len(session.edited_values(self.loaded)) if self.loaded.edited else 0
        if not count:
            return self.loaded.name
        return f"{self.loaded.name} with {count} edit{'s' if count != 1 else ''} (not saved)"


@dataclass(frozen=True)
class Page:
    """A menu entry: its title and the function that lays it out."""

    title: str
    render: Callable[[View], None]


def payback(year: int | None, horizon: int) -> str:
    """'year 2', or 'not within 5 years' (payback years are null when never reached)."""
    return f"year {year}" if year else f"not within {years_text(horizon)}"


def conventions(totals: dict[str, Any]) -> str:
    """One line saying how the figures were counted."""
    return (
        f"Prices {totals['price_year']}; savings to {payer_name(totals['perspective'])}; cashable "
        f"savings {totals['cashable_method'].replace('_', ' ')}; NPV over "
        f"{years_text(totals['horizon_years'])} at "
        f"{discount_text(totals['discount_rate'], totals['horizon_years'], a_year=True)}."
    )


def headline(figures: list[tuple[str, str, str | None]], per_row: int = 4) -> None:
    """Metrics in rows: (label, value, help)."""
    for start in range(0, len(figures), per_row):
        for column, (label, value, help) in zip(
            st.columns(per_row), figures[start : start + per_row], strict=False
        ):
            column.metric(label, value, help=help, border=True)


def chart(figure: Any) -> None:
    """An Altair chart across the page."""
    st.vega_lite_chart(spec=charts.spec(figure), width="stretch")


# A cell that is a figure as the pages show it: -£1,225,153, 12.5%, 135.5, 0.80, n/a.
_FIGURE_CELL = re.compile(
    r"[-+]?£?[0-9][0-9,]*(\.[0-9]+)?( ?%|/case| [a-z-]+)?|n/a|never|none|year [0-9]+|"
)


def figure_columns(frame: pd.DataFrame) -> list[Any]:
    """The columns whose every cell is a number or a figure written as text."""
    return [
        c
        for c in frame.columns
        if len(frame)
        and all(
            isinstance(v, int | float) or (isinstance(v, str) and _FIGURE_CELL.fullmatch(v.strip()))
            for v in frame[c]
        )
    ]


FIGURE_TABLE = "figure-table"  # the CSS class prefix (appraise.ui.main.FIT_TILES) of such tables
MAX_STYLED_COLUMNS = 16
TABLES_SHOWN = "tables_shown"  # tables of figures drawn so far in this run (reset by main)  # the page's style has a rule for each column up to this one


def show_table(frame: pd.DataFrame | Any) -> None:
    """A static table without the index (a DataFrame, or a Styler of one). Its columns of
    figures are named in the key of a container the page's style knows, which right-aligns them
    and never wraps them, so a minus sign stays with its number."""
    figures = figure_columns(frame) if isinstance(frame, pd.DataFrame) else []
    if not figures:
        st.table(frame, hide_index=True)
        return
    # nth-child counts from 1; the columns the style names are "-x2-x5-".
    named = "".join(f"x{list(frame.columns).index(c) + 1}-" for c in figures)
    # Keys must be unique in a run: the content and the table's place among this run's tables.
    shown = st.session_state[TABLES_SHOWN] = st.session_state.get(TABLES_SHOWN, 0) + 1
    shape = (tuple(map(str, frame.columns)), tuple(map(str, frame.iloc[:, 0])))
    key = f"{FIGURE_TABLE}-{named}{zlib.crc32(repr(shape).encode()):08x}-{shown}"
    with st.container(key=key):
        st.table(frame, hide_index=True)


def problems(heading: str, lines: list[str] | tuple[str, ...]) -> None:
    """Problems with a user's file, one line each exactly as the CLI prints them."""
    count = f"{len(lines)} problem{'s' if len(lines) != 1 else ''}"
    inputs.problems_box(f"{heading}: {count}.", list(lines))
