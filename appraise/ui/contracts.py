"""The app's outcome-contract section on an intervention's page (docs/outcome-contracts.md): the
council's net position against the outcome achieved under the contract and under direct
delivery, payments by year, and each party's position."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from appraise.analyses.contracts import (
    YEAR_COLUMNS,
    contract_lines,
    expected_x,
    positions_by_outcome,
)
from appraise.display import money
from appraise.ui import charts
from appraise.ui.layout import View, chart, show_table
from appraise.ui.text import plain


def payments_table(contract: dict[str, Any]) -> pd.DataFrame:
    """Payments and each party's position, a row a year."""
    return pd.DataFrame(
        [
            {"Year": str(y["year"]), **{title: money(y[key]) for title, key in YEAR_COLUMNS}}
            for y in contract["years"]
        ]
    )


def contract_section(view: View, index: int, record: dict[str, Any]) -> None:
    """An intervention's outcome contract, if it has one."""
    contract = record.get("contract")
    if not contract:
        return
    h = view.totals["horizon_years"]
    st.subheader("Outcome contract: who pays, and who carries the risk")
    for line in contract_lines([record], h)[1:]:
        st.markdown(plain(line.strip()))
    rows = positions_by_outcome(view.appraisal.model, index)
    st.caption(
        "The council's net position over the horizon against the outcome achieved, under the "
        "contract and if it paid for the service directly: the engine's figures at each outcome."
    )
    chart(charts.contract_position_chart(rows, expected_x(rows)))
    st.caption("Outcome payments by year.")
    chart(charts.contract_payments_chart(contract["years"]))
    with st.expander("Payments year by year"):
        show_table(payments_table(contract))
