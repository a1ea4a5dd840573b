"""The Scenarios page: named variants of a portfolio kept in the session ("as proposed", "at
half the effect"), compared in one table and one chart (the table downloadable as CSV), each
exported as the Export page exports the open portfolio: YAML, results as CSV and JSON, workbook.

A scenario is the portfolio's file data as it stood when kept (canonical JSON, as the session
holds it) and the file it was made from: it is appraised exactly as the open portfolio is, and
opening it makes it the portfolio being edited.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from appraise.display import money, ratio_text, to_csv
from appraise.ui import charts, session
from appraise.ui.downloads import DOWNLOADS, offer
from appraise.ui.layout import View, chart, show_table
from appraise.ui.runs import evaluate
from appraise.ui.text import plain

SCENARIOS = "scenarios"  # name -> (canonical JSON of the file data, the file it came from)
MAX_SCENARIOS = 12  # a table and chart a committee can read


def kept() -> dict[str, tuple[str, str]]:
    """The scenarios of this session, in the order they were kept."""
    return st.session_state.setdefault(SCENARIOS, {})


def keep(name: str, loaded: session.Loaded) -> str | None:
    """Keep the open portfolio as scenario `name`; a problem line if refused."""
    name = name.strip()
    scenarios = kept()
    if not name:
        return "give the scenario a name, e.g. as proposed"
    if name not in scenarios and len(scenarios) >= MAX_SCENARIOS:
        return f"at most {MAX_SCENARIOS} scenarios are kept: remove one first"
    scenarios[name] = (loaded.key, loaded.name)
    return None


def rows(scenarios: dict[str, tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """Each scenario's headline figures (`appraise evaluate --format json`'s portfolio totals),
    of this session's scenarios unless given."""
    out = []
    for name, (key, file) in (kept() if scenarios is None else scenarios).items():
        totals = evaluate(key, file).results["portfolio"]
        out.append({"name": name, "file": file, **totals})
    return out


def table(found: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Scenario": r["name"],
                "Cost a year": money(r["cost"]),
                "Gross savings a year": money(r["gross_savings"]),
                "Net savings a year": money(r["net_savings"]),
                "Cashable net a year": money(r["cashable_net_savings"]),
                "ROI": ratio_text(r["roi"], r["cost"]),
                "NPV": money(r["npv"]),
                "Years": r["horizon_years"],
            }
            for r in found
        ]
    )


def _open(name: str) -> None:
    key, file = kept()[name]
    loaded = session.current()
    generation = loaded.generation + 1 if loaded else 0
    original = loaded.original if loaded and loaded.name == file else key
    st.session_state[session.LOADED] = session.Loaded(file, original, key, generation)


def _remove(name: str) -> None:
    kept().pop(name, None)


def page(view: View) -> None:
    """The Scenarios page."""
    st.title("Scenarios side by side")
    st.caption(
        "Keep the portfolio as it stands under a name, change inputs on any page, keep it "
        "again under another name; each is appraised in full and compared here."
    )
    with st.form("keep-scenario", clear_on_submit=True):
        name = st.text_input("Scenario name", placeholder="as proposed")
        kept_now = st.form_submit_button("Keep the open portfolio as this scenario")
    if kept_now:
        refused = keep(name, view.loaded)
        if refused:
            st.error(plain(refused))
    found = rows()
    if not found:
        st.info("No scenario kept yet.")
        return
    show_table(table(found))
    chart(charts.variants_chart(found))
    st.download_button(
        "Download the comparison (CSV)",
        comparison_csv(found).encode(),
        file_name="scenarios.csv",
        mime="text/csv",
        help="Each scenario's portfolio totals, in pounds and fractions, one row a scenario.",
    )
    st.subheader("Each scenario")
    for r in found:
        key, file = kept()[r["name"]]
        a, b = st.columns([1, 3])
        a.markdown(f"**{plain(r['name'])}**  \nfrom {plain(file)}")
        a.button("Open", key=f"scenario-open:{r['name']}", on_click=_open, args=(r["name"],))
        a.button("Remove", key=f"scenario-remove:{r['name']}", on_click=_remove, args=(r["name"],))
        view = View(session.Loaded(file, key, key, 0), evaluate(key, file))
        slug = "".join(ch if ch.isalnum() else "-" for ch in r["name"].lower()).strip("-")
        with b:
            for column, download in zip(st.columns(len(DOWNLOADS)), DOWNLOADS, strict=True):
                with column:
                    offer(download, view, slug or "scenario", where=f":{r['name']}")


COMPARED = ("cost", "gross_savings", "net_savings", "cashable_net_savings", "roi", "npv")


def comparison_csv(found: list[dict[str, Any]]) -> str:
    """The comparison as CSV: figures as `appraise evaluate --format json` gives them (pounds,
    fractions), unrounded, each scenario's name written as text a spreadsheet will not run."""
    headers = ["scenario", "file", *COMPARED, "horizon_years"]
    rows = [[r["name"], r["file"], *(r[k] for k in COMPARED), r["horizon_years"]] for r in found]
    return to_csv(headers, rows)
