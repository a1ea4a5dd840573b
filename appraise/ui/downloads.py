"""The files the app offers for download: the portfolio as YAML, its results as CSV and JSON,
and its workbook. The Export page offers them for the open portfolio, the Scenarios page for
each kept scenario.

To offer another file, add one `Download(...)` to `DOWNLOADS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from appraise.display import evaluation_csv, to_json
from appraise.errors import InputError
from appraise.ui import session
from appraise.ui.layout import View
from appraise.ui.paper import run_of
from appraise.ui.text import plain


@dataclass(frozen=True)
class Download:
    """A file the Export page offers: its button, name, type and how to make it from the view."""

    label: str
    suffix: str  # appended to the portfolio file's stem
    mime: str
    help: str
    content: Callable[[View], str | bytes]
    # The label of a button that makes the file, for a file slow to make (a workbook of
    # thousands of interventions takes minutes): made when clicked, not on every rerun.
    make: str = ""


MADE = "made-downloads"  # session state: {(label, where): (the portfolio data it was made from, bytes)}


def offer(download: Download, view: View, stem: str, where: str = "") -> None:
    """One download button. Its bytes are handed to Streamlit, never a callable: a deferred
    download's id can be dropped by another session's end-of-run clean-up, and the click then
    does nothing. `where` tells apart the same file offered in several places on a page (each
    scenario's)."""
    key = view.loaded.key
    if download.make:
        made = st.session_state.setdefault(MADE, {})
        slot = (download.label, where)  # one file kept a place: an edit replaces it
        if made.get(slot, (None,))[0] != key:
            if st.button(download.make, key=f"make{download.suffix}{where}"):
                with st.spinner(download.make + "..."):
                    try:
                        made[slot] = (key, download.content(view))
                    except InputError as error:
                        st.error(plain("\n".join(str(p) for p in error.problems)))
            if made.get(slot, (None,))[0] != key:
                st.caption(download.help)
                return
        data = made[slot][1]
    else:
        data = download.content(view)
    st.download_button(
        download.label,
        data,
        file_name=stem + download.suffix,
        mime=download.mime,
        help=download.help,
        key=f"download{download.suffix}{where}",
    )


def workbook(view: View) -> bytes:
    """The appraisal workbook of the edited portfolio (openpyxl is loaded only when asked)."""
    from appraise.workbook.export import workbook_bytes

    model = view.appraisal.model
    return workbook_bytes(model.portfolio, model.evidence, identity=run_of(view))


DOWNLOADS: list[Download] = [
    Download(
        "Portfolio (YAML)",
        ".yaml",
        "application/x-yaml",
        "The portfolio with your edits, every intervention written out in full.",
        lambda view: session.yaml_text(view.loaded),
    ),
    Download(
        "Results (CSV)",
        "-results.csv",
        "text/csv",
        "As `appraise evaluate --format csv`.",
        lambda view: evaluation_csv(view.results),
    ),
    Download(
        "Results (JSON)",
        "-results.json",
        "application/json",
        "As `appraise evaluate --format json`, year-by-year cash flows included.",
        lambda view: to_json(view.results),
    ),
    Download(
        "Workbook (Excel)",
        ".xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "As `appraise export --xlsx`: inputs, calculations with live formulas, summary, cash "
        "flows, evidence and checks, with your edits.",
        workbook,
        make="Make the workbook",
    ),
]
