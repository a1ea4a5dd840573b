"""The Programme page: a programme against its outline business case, as `appraise programme`
reports it.

Figures are `appraise programme FILE [--actuals A] --format json` (`analyses.programme.report`),
run on a bundled example or an uploaded file; tables use the CLI's own columns
(`display.PROGRAMME_*_COLUMNS`). The page does not depend on the portfolio open in the app.

Text from a file (names, descriptions, notes, workstreams) is shown as text: `st.text` and
`st.dataframe`, which render no Markdown, never `st.markdown`, `st.table` or a widget label.
An uploaded programme cannot name other files (its actuals, a baseline to forecast from): there
is no folder to read them from, and the page says so; a separate actuals file may be uploaded.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from appraise.analyses.programme import report
from appraise.display import Column, money, programme_heading, programme_sections, safe_cell
from appraise.errors import InputError
from appraise.model.programme import programme_from_text
from appraise.model.reading import read_file
from appraise.ui import charts, session
from appraise.ui.layout import View, chart, headline, problems

CHOSEN = "programme-file"  # (name, content, folder or None) of the programme shown
ACTUALS = "programme-actuals"  # (name, content) of an uploaded actuals file, or None
EXAMPLE = "programme-example"
STATUS_TEXT = {
    "achieved": "✓ achieved",
    "on track": "→ on track",
    "at risk": "⚠ at risk",
    "missed": "✗ missed",
    "not reported": "? not reported",
}

INTRO = (
    "A programme file gives the outline business case: the programme's financial years, its "
    "investment, the projection of spend without it, targets for measures (children in care at a "
    "date) and savings targets. Its actuals give spend, measures and savings as they turned out. "
    "Every figure below is what `appraise programme FILE --format json` reports."
)


def _uploads(name: str) -> str:
    """An uploader's key; a new one (an empty uploader) after an example is chosen."""
    return f"{name}-upload:{st.session_state.get(f'{name}-uploads', 0)}"


def _reset(name: str) -> None:
    st.session_state[f"{name}-uploads"] = st.session_state.get(f"{name}-uploads", 0) + 1


def example_programmes() -> list[Path]:
    """The programme files in examples/."""
    return session.examples_of("programme")


def _example_chosen() -> None:
    shown = st.session_state.get(EXAMPLE)
    if shown:
        path = session.bundled(shown)
        st.session_state[CHOSEN] = (shown, read_file(path), str(path.parent))
        _reset("programme")
    st.session_state[EXAMPLE] = None  # a chooser, not a state: the same example can be reopened


def _uploaded(key: str) -> None:
    upload = st.session_state.get(key)
    if upload is not None:
        st.session_state[CHOSEN] = (upload.name, upload.getvalue(), None)


def _actuals_uploaded(key: str) -> None:
    upload = st.session_state.get(key)
    st.session_state[ACTUALS] = None if upload is None else (upload.name, upload.getvalue())


@st.cache_data(max_entries=32, show_spinner=False)
def run(
    name: str,
    content: bytes,
    folder: str | None,
    actuals: tuple[str, bytes] | None,
    stamp: tuple[tuple[str, float], ...] = (),
) -> tuple[dict[str, Any] | None, tuple[str, ...]]:
    """(the report's JSON, no problems) or (None, one line per problem as the CLI prints them).

    `stamp` (the folder's files and their times) makes a changed file beside it a new run.
    """
    del stamp
    wrong = session.misplaced(name, content, ("programme",))
    if wrong is not None:
        return None, (wrong,)
    try:
        loaded = programme_from_text(
            content, name, Path(folder) if folder else None, _swap(actuals)
        )
    except InputError as error:
        return None, tuple(str(p) for p in error.problems)
    return report(loaded).to_data(), ()


def _swap(actuals: tuple[str, bytes] | None) -> tuple[bytes, str] | None:
    """(name, content) as the page keeps it -> (content, name) as the loader takes it."""
    return None if actuals is None else (actuals[1], actuals[0])


def chooser() -> tuple[str, bytes, str | None] | None:
    """An example chooser and uploaders for a programme and its actuals; what is chosen."""
    left, right = st.columns(2)
    left.selectbox(
        "Open an example programme",
        [session.relative(p) for p in example_programmes()],
        index=None,
        placeholder="Choose an example",
        key=EXAMPLE,
        on_change=_example_chosen,
    )
    key = _uploads("programme")
    left.file_uploader(
        "Or open a programme file (YAML)",
        type=["yaml", "yml"],
        key=key,
        on_change=_uploaded,
        args=(key,),
        help="Checked as `appraise validate` checks it; nothing is written. An uploaded file "
        "cannot name other files: give its actuals as a section, or upload them here.",
    )
    actuals_key = _uploads("programme-actuals")
    right.file_uploader(
        "Actuals file (optional: one key, actuals:)",
        type=["yaml", "yml"],
        key=actuals_key,
        on_change=_actuals_uploaded,
        args=(actuals_key,),
        help="As `appraise programme FILE --actuals A`: replaces any actuals the programme holds.",
    )
    return st.session_state.get(CHOSEN)


def frame(columns: list[Column], rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A table with the CLI's columns: each a header and how to show a row's value."""
    return pd.DataFrame([{h: show(r) for h, show in columns} for r in rows])


def _texts(lines: list[str]) -> None:
    for line in lines:
        st.text(line)


# A signed figure the page writes itself ("+11", "-£1,200", "+5.0%"): a spreadsheet reads it as a
# number, not a formula, so it is left as it is shown.
_FIGURE = re.compile(r"[-+]?£?[0-9][0-9,]*(\.[0-9]+)?%?")


def _table(table: pd.DataFrame) -> None:
    """A table that renders no Markdown in its cells. Its toolbar's "Download as CSV" writes the
    cells as they are, so text a spreadsheet would read as a formula (a workstream named
    `=HYPERLINK(...)`) is shown, and downloaded, with a leading ' (`display.safe_cell`)."""
    shown = table.map(
        lambda v: v if not isinstance(v, str) or _FIGURE.fullmatch(v) else safe_cell(v)
    )
    st.dataframe(shown, hide_index=True, width="stretch")


def _last(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return known[-1] if known else None


def headlines(data: dict[str, Any], spend: bool) -> None:
    """The headline figures of the sections the programme has."""
    years, targets = data["years"], data["targets"]
    figures = []
    if spend:
        figures += [
            (
                "Spend avoided to date",
                money(_last([y["cumulative_avoided_spend"] for y in years])),
                "Projected - actual spend (or the difference a report states), summed over the "
                "years known so far.",
            ),
            (
                "Net of investment",
                money(_last([y["cumulative_net_avoided_spend"] for y in years])),
                "Spend avoided less the programme's investment (none taken off when actual spend "
                "already includes it).",
            ),
        ]
    reported = [t for t in targets if t["met"] is not None]
    if targets:
        figures.append(
            (
                "Targets met",
                f"{sum(t['met'] for t in reported)} of {len(reported)}",
                "Of the targets whose month has an actual value reported.",
            )
        )
    if data["savings"]:
        figures.append(
            (
                "Savings achieved",
                money(data["savings_total"]["achieved"]),
                f"Against savings targets of {money(data['savings_total']['target'])}.",
            )
        )
    if figures:
        headline(figures)


SPEND, MEASURES, TARGETS, SAVINGS = (
    "Spend against the projection, by financial year",
    "Measures",
    "Measures against targets",
    "Savings targets",
)


def charts_for(title: str, data: dict[str, Any], drawn: set[str]) -> None:
    """The charts that go above a section's table: spend, each measure, savings."""
    years = data["years"]
    if title == SPEND:
        if any(y["projected_spend"] is not None or y["actual_spend"] is not None for y in years):
            chart(charts.programme_spend_chart(years))
        if any(y["avoided_spend"] is not None for y in years):
            chart(charts.avoided_spend_chart(years))
    elif title in (MEASURES, TARGETS) and "measures" not in drawn:
        drawn.add("measures")
        for measure in data["measures"]:
            if measure["values"] or measure["targets"]:
                st.text(f"{measure['name']} ({measure['better']} is better)")
                chart(charts.measure_chart(measure))
    elif title == SAVINGS:
        chart(charts.savings_chart(data["savings"]))


def sections(data: dict[str, Any]) -> None:
    """Every table `appraise programme` prints, in its order, with its notes and the charts."""
    drawn: set[str] = set()
    for title, columns, rows, _right, notes in programme_sections(data):
        st.subheader(title)
        charts_for(title, data, drawn)
        table = frame(columns, rows)
        if title == SAVINGS:
            table["Status"] = [STATUS_TEXT[s["status"]] for s in rows]
        _table(table)
        _texts(notes)


def page(view: View) -> None:
    """A programme against its outline business case: spend avoided, targets and savings."""
    del view  # the programme stands apart from the portfolio open in the app
    st.title("Programme against its business case")
    st.write(INTRO)
    current = chooser()
    if current is None:
        st.info("Choose an example programme or open a programme file.")
        return
    name, content, folder = current
    stamp = session.stamp_of(Path(folder)) if folder else ()
    data, found = run(name, content, folder, st.session_state.get(ACTUALS), stamp)
    if data is None:
        problems("Could not read the programme", list(found))
        return
    st.text(programme_heading(data))
    if data["description"]:
        st.text(data["description"])
    figures = ("projected_spend", "actual_spend", "avoided_spend", "investment")
    spend = any(y[k] is not None for y in data["years"] for k in figures)
    headlines(data, spend)
    sections(data)
