"""The Verify page: a business case's claims checked against the open portfolio, and realised
savings tracked against it.

Figures are `appraise verify CLAIMS --portfolio P --format json` and `appraise track ACTUALS
--portfolio P --format json`, where P is the portfolio open in the app with its edits
(`runs.checked`); claimed, recomputed, difference and tolerance are shown with the CLI's own
formatting (`appraise.cli.claims`).

The claims file's own `portfolio:` line names the portfolio its figures were written for; here
the claims are checked against the portfolio open in the app instead (so an edit shows at once
which claims still hold), and the page says so, with a warning when the file names another file.
Assumptions (`assume:`) override the open portfolio's value of those inputs for the claims they
apply to, as in the CLI: the file's are listed above the table, a claim's own in its row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from appraise.display import (
    assumed_value,
    claimed_text,
    difference_text,
    figure,
    input_values,
    money,
    num,
    pct,
    success_rate_text,
    tolerance_text,
)
from appraise.errors import InputError
from appraise.model.load import detect_kind, read_yaml
from appraise.model.reading import read_file
from appraise.ui import charts, runs, session
from appraise.ui.layout import View, chart, headline, problems, show_table
from appraise.ui.text import code, plain

# What each status is called on screen: a word and a sign, so colour is never the only cue.
STATUS_TEXT = {
    "consistent": "✓ consistent",
    "inconsistent": "✗ inconsistent",
    "not_checkable": "? not checkable",
}
# Okabe-Ito tints (a light green, a light vermillion, a light grey) behind each status.
STATUS_BACKGROUND = {
    "consistent": "#CCEBE3",
    "inconsistent": "#F7D7C4",
    "not_checkable": "#E6E6E6",
}
FLAG_TEXT = {"below_break_even": "⚠ below break-even", "under_reach": "⚠ under reach"}


@dataclass(frozen=True)
class Kind:
    """A file the page checks: claims or actuals, its widgets' keys and how it is run."""

    name: str  # "claims" or "actuals" (as `load.detect_kind` and `runs.CHECKS` name them)
    label: str
    types: tuple[str, ...]
    verb: str  # what is done to it: "check", "track"

    @property
    def chosen_key(self) -> str:
        return f"{self.name}-file"

    @property
    def upload_key(self) -> str:
        """The uploader's key; a new one (an empty uploader) after an example or Clear."""
        return f"{self.name}-upload:{st.session_state.get(f'{self.name}-uploads', 0)}"

    def reset_uploader(self) -> None:
        counter = f"{self.name}-uploads"
        st.session_state[counter] = st.session_state.get(counter, 0) + 1


CLAIMS = Kind("claims", "Claims file (YAML)", ("yaml", "yml"), "check")
ACTUALS = Kind("actuals", "Actuals file (YAML or CSV)", ("yaml", "yml", "csv"), "track")


# ---------------------------------------------------------------------------------------------
# Choosing a file: an upload or a bundled example that names the open portfolio
# ---------------------------------------------------------------------------------------------


def chosen(kind: Kind) -> tuple[str, bytes] | None:
    """(file name, content) of the claims or actuals file being checked, if any."""
    return st.session_state.get(kind.chosen_key)


def _uploaded(kind: Kind, key: str) -> None:
    upload = st.session_state.get(key)
    st.session_state[kind.chosen_key] = None if upload is None else (upload.name, upload.getvalue())


def _use_example(kind: Kind, path: str) -> None:
    st.session_state[kind.chosen_key] = (path, read_file(session.bundled(path)))
    kind.reset_uploader()


def _forget(kind: Kind) -> None:
    st.session_state[kind.chosen_key] = None
    kind.reset_uploader()


@st.cache_data(show_spinner=False)
def _examples_in(folder: str, stamp: tuple[tuple[str, float], ...]) -> list[tuple[str, str, str]]:
    """(file name, kind, the `portfolio:` it names) of every claims or actuals YAML file."""
    found = []
    for name, _ in stamp:
        try:
            raw = read_yaml(Path(folder) / name)
        except InputError:
            continue
        kind = detect_kind(raw)
        if kind in ("claims", "actuals") and isinstance(raw.get("portfolio"), str):
            found.append((name, kind, raw["portfolio"]))
    return found


def examples_for(kind: Kind, portfolio_file: str) -> list[Path]:
    """The bundled examples of `kind` whose `portfolio:` is the file open in the app."""
    folder = session.EXAMPLES
    stamp = tuple(sorted((p.name, p.stat().st_mtime) for p in folder.glob("*.yaml")))
    target = Path(portfolio_file).resolve()
    return [
        folder / name
        for name, found, names in _examples_in(str(folder), stamp)
        if found == kind.name and (folder / names).resolve() == target
    ]


def file_chooser(view: View, kind: Kind) -> tuple[str, bytes] | None:
    """An uploader, a button for each bundled example for the open portfolio, and what is chosen."""
    left, right = st.columns([3, 2])
    key = kind.upload_key
    left.file_uploader(
        kind.label, type=list(kind.types), key=key, on_change=_uploaded, args=(kind, key)
    )
    with right:
        for path in examples_for(kind, view.loaded.name):
            shown = session.relative(path)
            st.button(
                f"Use the example {kind.name}: {path.name}",
                key=f"example-{kind.name}:{path.name}",
                on_click=_use_example,
                args=(kind, shown),
                help=f"{shown}, bundled with appraise, written for this portfolio.",
            )
    current = chosen(kind)
    if current is not None:
        right.button(
            f"Clear the {kind.name}", key=f"clear-{kind.name}", on_click=_forget, args=(kind,)
        )
    return current


def _portfolio_note(view: View, file: str, names: str | None) -> None:
    """Say which portfolio the file is checked against, and warn if it names another."""
    st.caption(
        f"Checked against the portfolio open in the app, {plain(view.edits_note())}: edit an "
        "input on any page and the checks follow. The file's own `portfolio:` line"
        + (f" ({code(names)})" if names else "")
        + " is not used here; `appraise verify` and `appraise track` use it."
    )
    if names is None:
        return
    named = Path(names)
    if named.name != Path(view.loaded.name).name:
        st.warning(
            f"{plain(file)} was written for {plain(names)}, not for {plain(view.loaded.name)}: "
            "figures it states for that portfolio may not hold for this one. Open that portfolio "
            "to check it as written."
        )


def checked_file(view: View, kind: Kind) -> dict[str, Any] | None:
    """The chooser for a claims or actuals file, then what checking it against the open
    portfolio gives; None (with its problems shown) until a valid file is chosen."""
    current = file_chooser(view, kind)
    if current is None:
        return None
    file, content = current
    loaded = view.loaded
    wrong = session.misplaced(
        file, content, (kind.name, "csv") if kind.name == "actuals" else (kind.name,)
    )
    if wrong is not None:
        problems(f"Could not {kind.verb} {file}", [wrong])
        return None
    with st.spinner(f"Checking {plain(file)}..."):
        run = runs.checked(kind.name, loaded.key, loaded.name, content, file)
    if run.problems:
        problems(f"Could not {kind.verb} {file}", run.problems)
        return None
    _portfolio_note(view, file, run.names)
    return run.data


# ---------------------------------------------------------------------------------------------
# Claims
# ---------------------------------------------------------------------------------------------


def _assumed(assume: list[dict[str, Any]]) -> str:
    return "; ".join(f"{a['input']} = {assumed_value(a['value'])}" for a in assume)


def _figure(claim: dict[str, Any]) -> str:
    """'gross savings', with the claim's own assumptions if it makes any."""
    shown = claim["metric"].replace("_", " ")
    return shown + (f", assuming {_assumed(claim['assume'])}" if claim["assume"] else "")


def status_frame(data: dict[str, Any]) -> pd.DataFrame:
    """One row per claim as displayed: what was claimed, what the core recomputes, the verdict.

    Interventions are named by id, as the claims file names them.
    """
    return pd.DataFrame(
        [
            {
                "Claim": plain(c["id"]),
                "Intervention": plain(
                    " + ".join(c["intervention"])
                    if isinstance(c["intervention"], list)
                    else c["intervention"]
                ),
                "Figure": plain(_figure(c)),
                "Claimed": plain(claimed_text(c)),
                "Recomputed": figure(c["recomputed"], c["unit"]),
                "Difference": difference_text(c),
                "Tolerance": tolerance_text(c["tolerance"], c["unit"]),
                "Status": STATUS_TEXT[c["status"]],
                "Source": plain(c["source"] or ""),
            }
            for c in data["claims"]
        ]
    )


def _status_colour(text: str) -> str:
    status = next(k for k, v in STATUS_TEXT.items() if v == text)
    return f"background-color: {STATUS_BACKGROUND[status]}"


def implied_frame(claim: dict[str, Any], labels: dict[str, str]) -> pd.DataFrame:
    """The inputs that would each alone make a claim hold, nearest to the stated value first."""
    rows = []
    for rank, item in enumerate(claim["implied"], 1):
        stated, implied = input_values(item["stated"], item["implied_value"], item["unit"])
        rows.append(
            {
                "Rank": rank,
                "Input": plain(labels.get(item["input"], item["label"])),
                "Field": item["path"],
                "Stated": stated,
                "Implied": implied,
            }
        )
    return pd.DataFrame(rows)


def assumptions_frame(assume: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Input": plain(a["input"]),
                "Value used": plain(assumed_value(a["value"])),
                "Why": plain(a.get("note") or ""),
                "Source": plain(a.get("source") or ""),
            }
            for a in assume
        ]
    )


def claims_section(view: View) -> None:
    st.subheader("Claims in a business case")
    st.write(
        "A claims file lists the figures a business case states (net savings, a break-even "
        "rate, ...). Each is recomputed from the portfolio's inputs and compared with the claim "
        "to half a unit in its last written digit, unless the file gives a tolerance."
    )
    data = checked_file(view, CLAIMS)
    if data is None:
        return
    counts = data["summary"]
    headline(
        [
            ("Claims", str(sum(counts.values())), None),
            ("Consistent", str(counts["consistent"]), "Within the claim's tolerance."),
            (
                "Inconsistent",
                str(counts["inconsistent"]),
                "Outside it: see below what each implies.",
            ),
            ("Not checkable", str(counts["not_checkable"]), None),
        ]
    )
    if data["assume"]:
        st.markdown(
            "**Assumed for every claim** (the value the business case used, in place of the "
            "portfolio's; a claim's own `assume:` is shown in its row). An edit to one of these "
            "inputs does not change the claims that assume it."
        )
        show_table(assumptions_frame(data["assume"]))
    frame = status_frame(data)
    show_table(frame.style.map(_status_colour, subset=["Status"]))
    wrong = [c for c in data["claims"] if c["status"] != "consistent"]
    if not wrong:
        return
    st.markdown(
        "**Claims that do not hold.** Each implied value moves one input alone, the others as "
        "stated, to make the claim exactly as written; the nearest to its stated value first."
    )
    labels = view.input_labels()
    for n, c in enumerate(wrong):
        recomputed = figure(c["recomputed"], c["unit"])
        title = plain(f"{c['id']}: claimed {claimed_text(c)}, recomputed {recomputed}")
        with st.expander(title, expanded=n == 0):  # the first open, to show what is inside
            said = f'"{c["quote"]}" ' if c["quote"] else ""
            if said or c["source"]:
                st.markdown(plain(f"{said}({c['source'] or 'no source given'})"))
            if c["note"]:
                st.caption(plain(c["note"]))
            if c["assume"]:
                st.caption(plain(f"Checked with {_assumed(c['assume'])}."))
            if c.get("holds_under_cashable_method"):
                st.write(
                    "It holds under the other cashable convention: cashable_method = "
                    f"{c['holds_under_cashable_method']}."
                )
            if c["reason"]:
                st.write(plain(f"Not checkable: {c['reason']}."))
            elif c["implied"]:
                show_table(implied_frame(c, labels))
            else:
                st.write("No single input can make this claim hold.")


# ---------------------------------------------------------------------------------------------
# Actuals
# ---------------------------------------------------------------------------------------------


def _flags(flags: str) -> str:
    """'below_break_even, under_reach' (as `Tracking.rows()` joins them), in words."""
    shown = [FLAG_TEXT.get(f.strip(), f.strip()) for f in flags.split(",") if f.strip()]
    return ", ".join(shown) or "none"


def tracking_frame(data: dict[str, Any]) -> pd.DataFrame:
    """Every reported period and the total to date of each intervention, plan beside actual
    (`Tracking.rows()`; interventions by id, as the actuals file names them)."""
    per_case = {t["id"]: t["effect_form"] == "per_case" for t in data["interventions"]}
    rows = []
    for r in data["rows"]:
        by_case = per_case[r["intervention"]]
        rows.append(
            {
                "Intervention": plain(r["intervention"]),
                "Period": r["period"],
                "Cases (plan)": num(r["planned_reach"], 1),
                "Cases (actual)": num(r["actual_reach"], 0),
                "Spend (plan)": money(r["planned_cost"]),
                "Spend (actual)": money(r["actual_cost"]),
                "Averted (plan)": num(r["planned_outcomes_averted"]),
                "Averted (actual)": num(r["actual_outcomes_averted"]),
                "Gross savings (actual)": money(r["actual_gross_savings"]),
                "Net savings (plan)": money(r["planned_net_savings"]),
                "Net savings (actual)": money(r["actual_net_savings"]),
                "Cashable net (actual)": money(r["actual_cashable_net_savings"]),
                "Success rate (actual)": success_rate_text(r["actual_success_rate"], by_case, 1),
                "Break-even rate": success_rate_text(
                    r["actual_break_even_success_rate"], by_case, 1
                ),
                "Flags": _flags(r["flags"]),
            }
        )
    return pd.DataFrame(rows)


def actuals_section(view: View) -> None:
    st.subheader("Realised savings against the business case")
    st.write(
        "An actuals file gives, for each intervention and period (a year, a quarter or a month), "
        "the cases served, the outcomes averted and the spend. Each period is set against the "
        "plan: the portfolio's annual figure x months in the period / 12."
    )
    data = checked_file(view, ACTUALS)
    if data is None:
        return
    total = data["portfolio_to_date"]
    headline(
        [
            (
                "Spend to date",
                money(total["actual"]["cost"]),
                f"Plan: {money(total['planned']['cost'])}.",
            ),
            (
                "Gross savings to date",
                money(total["actual"]["gross_savings"]),
                f"Plan: {money(total['planned']['gross_savings'])}.",
            ),
            (
                "Net savings to date",
                money(total["actual"]["net_savings"]),
                f"Plan: {money(total['planned']['net_savings'])}.",
            ),
            (
                "Cashable net savings to date",
                money(total["actual"]["cashable_net_savings"]),
                f"Plan: {money(total['planned']['cashable_net_savings'])} "
                f"({data['cashable_method'].replace('_', ' ')}).",
            ),
        ]
    )
    chart(charts.tracking_chart(data["interventions"]))
    show_table(tracking_frame(data))
    notes = [
        "Gross savings = outcomes averted x the cost of one outcome; net = gross - spend.",
        "Flags: below break-even = fewer outcomes averted than the spend needs; under reach = "
        f"cases more than {pct(data['reach_tolerance'], 0)} below plan.",
    ]
    if data["not_reported"]:
        notes.append(f"No actuals reported for: {', '.join(data['not_reported'])}.")
    st.caption(" ".join(notes))


def page(view: View) -> None:
    """Check a business case's claims and track realised savings, against the open portfolio."""
    st.title("Verify claims and track savings")
    claims_section(view)
    st.divider()
    actuals_section(view)
