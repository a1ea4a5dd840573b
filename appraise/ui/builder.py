"""The Build page: start a new portfolio and shape it without writing YAML.

Every change is made to the portfolio's file data and goes through `session.rebuild`, which
validates it exactly as `appraise validate` validates a file: what the page builds is always a
valid portfolio, and Save (Export page) writes it as YAML that reloads to the same figures. A
rejected change leaves the portfolio as it was and shows its problems beside the form.
"""

from __future__ import annotations

import copy
from typing import Any

import streamlit as st
import yaml

from appraise.engine.params import Param
from appraise.model.costs import load_cost_library
from appraise.model.load import load_library
from appraise.model.numbers import Dist
from appraise.model.save import set_at
from appraise.model.schema import CATEGORIES, RATINGS
from appraise.model.starter import STARTER
from appraise.ui import inputs, session
from appraise.ui.layout import View
from appraise.ui.text import plain

PROBLEMS = "build_problems"  # {form: [problem lines]} of the last change refused
NEW_NAME = "new-portfolio.yaml"
COUNCIL = "The council"  # whose judgement a typed-in figure is, unless the user says


def _refused(form: str) -> None:
    problems = st.session_state.get(PROBLEMS, {}).get(form)
    if problems:
        inputs.problems_box("Not applied:", problems)


def _apply(form: str, data: dict[str, Any]) -> bool:
    """Rebuild the portfolio from `data`; on problems, remember them against `form`."""
    problems = session.rebuild(data)
    st.session_state[PROBLEMS] = {form: problems} if problems else {}
    return not problems


def _assumed(value: Any, by: str, why: str) -> dict[str, Any]:
    return {"value": value, "assumed": {"by": by.strip() or COUNCIL, "why": why.strip()}}


def new_portfolio() -> None:
    """Start again from the starter: one service and one outcome, figures to replace."""
    with st.form("new-portfolio"):
        st.markdown("**Start a new portfolio**")
        name = st.text_input("Portfolio name", value="My invest-to-save case")
        year = st.text_input("Price year", value="2024-25", help="The year its money is in.")
        started = st.form_submit_button("Start a new portfolio")
    st.caption(
        "It starts with one service and one outcome, each figure marked as the council's own "
        "assumption: replace them, add services from the library, remove the placeholder."
    )
    if started:
        raw = yaml.safe_load(STARTER)
        raw["portfolio"], raw["price_year"] = name.strip() or raw["portfolio"], year.strip()
        st.session_state[PROBLEMS] = {}
        if session.open_data(raw, NEW_NAME) is not None:
            st.rerun()


def interventions_section(view: View) -> None:
    data = view.loaded.data
    items = data["interventions"]
    st.subheader("Interventions")
    for i, item in enumerate(items):
        cols = st.columns([4, 3, 1, 1])
        cols[0].markdown(f"**{plain(item['name'])}**  \n`{plain(item['id'])}`")
        renamed = cols[1].text_input(
            "Name",
            value=item["name"],
            key=f"rename:{view.loaded.generation}:{i}",
            label_visibility="collapsed",
        )
        if renamed.strip() and renamed.strip() != item["name"]:
            changed = copy.deepcopy(data)
            changed["interventions"][i]["name"] = renamed.strip()
            _apply(f"row:{i}", changed)
            st.rerun()
        if cols[2].button("Duplicate", key=f"duplicate:{i}"):
            changed = copy.deepcopy(data)
            twin = copy.deepcopy(item)
            taken = {x["id"] for x in items}
            twin["id"] = next(
                f"{item['id']}-{n}" for n in range(2, 10_000) if f"{item['id']}-{n}" not in taken
            )
            twin["name"] = f"{item['name']} (copy)"
            changed["interventions"].insert(i + 1, twin)
            _apply(f"row:{i}", changed)
            st.rerun()
        if cols[3].button("Remove", key=f"remove:{i}", disabled=len(items) == 1):
            changed = copy.deepcopy(data)
            del changed["interventions"][i]
            _apply(f"row:{i}", changed)
            st.rerun()
        _refused(f"row:{i}")
    if len(items) == 1:
        st.caption("A portfolio holds at least one intervention: add another before removing it.")


def library_section(view: View) -> None:
    library = {item.id: item for item in load_library()}
    outcomes = view.loaded.data["outcomes"]
    with st.form("add-library"):
        st.markdown("**Add an intervention from the library**")
        chosen = st.selectbox(
            "Library intervention",
            list(library),
            format_func=lambda k: f"{library[k].name} ({k})",
        )
        added = st.form_submit_button("Add from the library")
    if added and chosen:
        averts = sorted(set(library[chosen].outcomes_averted) - set(outcomes))
        if averts:
            st.session_state[PROBLEMS] = {
                "add-library": [
                    f"{chosen} averts {', '.join(averts)}, which this portfolio does not price: "
                    "add that outcome first (Add an outcome, below)"
                ]
            }
        else:
            data = view.loaded.data
            data["interventions"].append({"use": chosen})
            _apply("add-library", data)
        st.rerun()
    _refused("add-library")


def blank_section(view: View) -> None:
    outcomes = list(view.loaded.data["outcomes"])
    with st.form("add-blank"):
        st.markdown("**Add a new intervention** (each figure is marked as your assumption)")
        a, b = st.columns(2)
        ident = a.text_input("Id", help="Lower-case letters, digits and dashes: my-service")
        name = b.text_input("Name")
        category = a.selectbox("Category", list(CATEGORIES))
        averts = b.selectbox("Outcome it averts", outcomes)
        count = a.number_input("Cases a year", min_value=0, value=100, step=1)
        cost = b.number_input("Cost of one case (£)", min_value=0.0, value=1000.0, step=100.0)
        per = a.text_input("A case is one", value="family")
        rate = b.number_input(
            "Share of cases in which the outcome is averted (%)",
            min_value=0.0,
            max_value=100.0,
            value=10.0,
            step=1.0,
        )
        by = a.text_input("Whose figures these are", value=COUNCIL)
        why = b.text_input("Why (the basis of the figures)", value="the service's own estimate")
        rating = a.selectbox(
            "Evidence rating",
            list(RATINGS),
            index=list(RATINGS).index("NL2"),
            help="NL2: no evidence meets level 2, so no source is needed.",
        )
        added = st.form_submit_button("Add this intervention")
    if added:
        data = view.loaded.data
        data["interventions"].append(
            {
                "id": ident.strip(),
                "name": name.strip() or ident.strip(),
                "category": category,
                "averts": averts,
                "reach": {"count": _assumed(int(count), by, why)},
                "unit_cost": {
                    "amount": _assumed(float(cost), by, why),
                    "per": per.strip() or "case",
                },
                "effect": {"success_rate": _assumed(round(rate / 100, 12), by, why)},
                "evidence": {"rating": rating},
            }
        )
        _apply("add-blank", data)
        st.rerun()
    _refused("add-blank")


def outcome_section(view: View) -> None:
    library = load_cost_library()
    codes = [item.code for item in library.items]
    by_code = {item.code: item for item in library.items}
    with st.form("add-outcome"):
        st.markdown("**Add an outcome** (what an intervention averts, and its cost)")
        a, b = st.columns(2)
        key = a.text_input("Key", help="Lower-case letters, digits and underscores: care_order")
        name = b.text_input("Name", help="One child looked after for a year")
        item = a.selectbox(
            "Cost from the unit-cost library",
            codes,
            index=None,
            placeholder="or type a cost",
            format_func=lambda c: f"{c}: {by_code[c].item[:60]}",
        )
        cost = b.number_input("Or a cost of your own (£)", min_value=0.0, value=0.0, step=100.0)
        by = a.text_input("Whose figure (a typed cost)", value=COUNCIL)
        why = b.text_input("Why (a typed cost)", value="local data")
        added = st.form_submit_button("Add this outcome")
    if added:
        data = view.loaded.data
        if item:
            priced: Any = {"item": item}
        else:
            priced = _assumed(float(cost), by, why)
        data["outcomes"][key.strip()] = {
            "name": name.strip() or key.strip(),
            "components": [{"name": "cost", "cost": priced, "cashable": True}],
        }
        _apply("add-outcome", data)
        st.rerun()
    _refused("add-outcome")


def _param_label(p: Param) -> str:
    return f"{p.label} ({p.path})"


def _raw_value(p: Param) -> Any:
    return p.value.to_data() if isinstance(p.value, Dist) else p.value


def range_section(view: View) -> None:
    params = [p for p in view.appraisal.model.params if p.written]
    paths = [p.path for p in params]
    by_path = {p.path: p for p in params}
    with st.form("set-range"):
        st.markdown("**Set a range on an input** (simulations draw from it)")
        path = st.selectbox(
            "Input", paths, format_func=lambda x: _param_label(by_path[x]), key="range-input"
        )
        a, b = st.columns(2)
        low = a.number_input("Low", value=0.0, format="%.6g", key="range-low")
        high = b.number_input("High", value=0.0, format="%.6g", key="range-high")
        st.caption("In the input's own unit: a rate as a fraction (0.1 for 10%), money in £.")
        applied = st.form_submit_button("Set this range")
    if applied and path:
        p = by_path[path]
        data = view.loaded.data
        ranged = {"low": float(low), "central": p.central, "high": float(high)}
        set_at(data, path, session.edited(view.loaded, path, ranged)[1])
        _apply("set-range", data)
        st.rerun()
    _refused("set-range")


def assumption_section(view: View) -> None:
    params = [p for p in view.appraisal.model.params if p.written]
    by_path = {p.path: p for p in params}
    with st.form("mark-assumed"):
        st.markdown("**Mark an input as the council's own assumption**")
        path = st.selectbox(
            "Input",
            list(by_path),
            format_func=lambda x: _param_label(by_path[x]),
            key="assume-input",
        )
        a, b = st.columns(2)
        by = a.text_input("Whose judgement", value=COUNCIL)
        why = b.text_input("Why", value="")
        applied = st.form_submit_button("Mark as assumed")
    if applied and path:
        data = view.loaded.data
        set_at(data, path, _assumed(_raw_value(by_path[path]), by, why))
        _apply("mark-assumed", data)
        st.rerun()
    _refused("mark-assumed")


def page(view: View) -> None:
    """The Build page."""
    st.title("Build a portfolio")
    st.caption(
        "Each change is checked as `appraise validate` checks a file; save the result on the "
        "Export page. Edit the figures themselves on the Intervention and Portfolio pages."
    )
    # Each section in a container of its own: a row added or removed moves no later widget, so
    # the browser never briefly holds two copies of a form while a run redraws the page.
    with st.container():
        new_portfolio()
    with st.container():
        interventions_section(view)
    left, right = st.columns(2)
    with left:
        library_section(view)
        outcome_section(view)
        range_section(view)
    with right:
        blank_section(view)
        assumption_section(view)
