"""Savings as councils book them, for the app: each intervention's gross savings by class
(cash-releasing, cost avoidance, capacity) and by recurrence (docs/defaults.md)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from appraise.display import money
from appraise.engine.figures import FIGURES
from appraise.engine.results import SAVINGS_BY_CLASS
from appraise.model.savings import MEANINGS, NAMES
from appraise.ui.layout import show_table
from appraise.ui.text import plain

COLUMNS = ("gross_savings", *SAVINGS_BY_CLASS.values())


def class_table(records: list[dict[str, Any]], total: dict[str, Any] | None) -> pd.DataFrame:
    """One row an intervention (then the total, if any): gross savings and their split."""
    rows = [*records, *([{**total, "name": "Total"}] if total is not None else [])]
    return pd.DataFrame(
        [
            {
                "Intervention": plain(r["name"]),
                **{FIGURES[k].title: money(r[k]) for k in COLUMNS},
            }
            for r in rows
        ]
    )


def class_section(records: list[dict[str, Any]], total: dict[str, Any] | None) -> None:
    """The table, with what each class means and the rule that set each component's."""
    st.subheader("Gross savings by class: how a council books them")
    show_table(class_table(records, total))
    st.caption(
        "; ".join(f"{NAMES[k].capitalize()}: {MEANINGS[k]}" for k in SAVINGS_BY_CLASS)
        + ". The three classes add up to gross savings, and so do recurring and one-off. "
        "Cash-releasing is the cashable part."
    )
