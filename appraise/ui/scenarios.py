"""The Scenarios page: named variants of a portfolio kept in the session ("as proposed", "at
half the effect"), compared in one table and one chart, each exported as its own YAML file.

A scenario is the portfolio's file data as it stood when kept (canonical JSON, as the session
holds it) and the file it was made from: it is appraised exactly as the open portfolio is, and
opening it makes it the portfolio being edited.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from appraise.display import money, ratio_text
from appraise.model.save import to_yaml
from appraise.ui import charts, session
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


def rows() -> list[dict[str, Any]]:
    """Each scenario's headline figures (`appraise evaluate --format json`'s portfolio totals)."""
    out = []
    for name, (key, file) in kept().items():
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
    st.subheader("Each scenario")
    for r in found:
        a, b, c = st.columns([3, 2, 1])
        a.markdown(f"**{plain(r['name'])}** (from {plain(r['file'])})")
        key, _ = kept()[r["name"]]
        slug = "".join(ch if ch.isalnum() else "-" for ch in r["name"].lower()).strip("-")
        b.download_button(
            "Download as YAML",
            data=to_yaml(json.loads(key)).encode(),  # bytes, never a deferred callable
            file_name=f"{slug or 'scenario'}.yaml",
            mime="application/x-yaml",
            key=f"scenario-download:{r['name']}",
        )
        c.button("Open", key=f"scenario-open:{r['name']}", on_click=_open, args=(r["name"],))
        c.button("Remove", key=f"scenario-remove:{r['name']}", on_click=_remove, args=(r["name"],))
