"""The Uncertainty page: Monte Carlo over every input given as a range, and the tornado.

Figures are `appraise simulate --draws N --seed S --format json` and `appraise sensitivity
--format json` of the portfolio as edited (`runs.simulation`, `runs.tornadoes`), laid out here.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from appraise.analyses.uncertainty import DEFAULT_DRAWS, RELATIVE_PRECISION
from appraise.display import check_first, money, pct, value_text, years_text
from appraise.ui import charts, runs
from appraise.ui.layout import View, chart, conventions, headline, show_table
from appraise.ui.text import code, plain

DRAWS = "draws"
SEED = "seed"
TORNADO = "tornado"
DEFAULT_SEED = 1  # shown and editable; a fixed default keeps the page the same on every visit
MAX_DRAWS = 1_000_000
MAX_SEED = 2**32 - 1
PORTFOLIO = "Portfolio total"
STATS = (("mean", "mean"), ("p5", "5th percentile"), ("p50", "median"), ("p95", "95th percentile"))

NO_RANGES = """\
No input of this portfolio is given as a range, so there is nothing to simulate: every draw
would give the figures on the Portfolio page.

Write a range as `{low, central, high}` in the portfolio file (a triangular distribution: the
figures on the other pages use the central value), for example

```yaml
effect:
  success_rate: {low: 0.0, central: 0.16, high: 0.32}
```

or name a distribution (`{pert: ...}`, `{normal: {mean, sd}}`, ...). Open
`examples/thurrock-2017-uncertain.yaml` in the sidebar to see one with ranges on twelve inputs.
"""


def _in_unit(x: float | None, unit: str) -> str:
    """An input's value as people read it: rates as percentages, money with £, else as the CLI."""
    if x is None:
        return "none"
    if unit == "fraction":
        shown = next((d for d in (0, 1) if abs(round(x * 100, d) - x * 100) < 1e-9), 2)
        return pct(x, shown)
    return value_text(x, unit)


def summary_table(data: dict[str, Any], names: dict[str, str]) -> pd.DataFrame:
    """Each intervention and the portfolio total, as displayed: chance of breaking even, then NPV
    and one year's net savings (mean and percentiles of the draws)."""
    h = data["portfolio"]["horizon_years"]
    records = [*data["interventions"], *_wholes(data)]
    options = data.get("options")
    rows = []
    for r in records:
        row = {
            "Intervention": plain(names[r["id"]] if r.get("id") else r["name"]),
            "Chance of breaking even (NPV > 0)": pct(r["prob_break_even"]),
        }
        if options is not None:
            row["Chance of being the best option"] = pct(r["prob_best"]) if "prob_best" in r else ""
        for key, title in (
            ("npv", f"NPV over {years_text(h)}"),
            ("net_savings", "Net savings a year"),
        ):
            for stat, word in STATS:
                row[f"{title}, {word}"] = money(r[key][stat])
        rows.append(row)
    return pd.DataFrame(rows)


def _wholes(data: dict[str, Any]) -> list[dict[str, Any]]:
    """What the interventions make up: the portfolio total, or each option (never their sum)."""
    options = data.get("options")
    if options is None:
        return [{"id": None, "name": PORTFOLIO, **data["portfolio"]}]
    return [{**o, "name": f"Option: {o['name']}"} for o in options]


def thresholds_table(tornado: dict[str, Any], labels: dict[str, str]) -> pd.DataFrame:
    """The tornado's inputs, widest swing first: range, NPV at each end, and where NPV is zero."""
    rows = []
    for s in tornado["tornado"]:
        unit = s["unit"]
        if s["threshold"] is None:
            zero = "none: no value the input may take"
        else:
            where = "within" if s["threshold_in_range"] else "outside"
            zero = f"{_in_unit(s['threshold'], unit)} ({where} the range)"
        rows.append(
            {
                "Input": plain(labels.get(s["key"], s["label"])),
                "Low": _in_unit(s["low"], unit),
                "Central": _in_unit(s["central"], unit),
                "High": _in_unit(s["high"], unit),
                "Range from": "its bounds" if s["basis"] == "bounds" else "5th-95th percentile",
                "NPV at low": money(s["npv_low"]),
                "NPV at high": money(s["npv_high"]),
                "Swing": money(s["swing"]),
                "NPV is zero at": zero,
            }
        )
    return pd.DataFrame(rows)


def _whole(
    column: Any, label: str, key: str, bounds: tuple[int, int], value: int, **kw: Any
) -> int:
    low, high = bounds
    return int(column.number_input(label, low, high, value, key=key, **kw))


def _settings() -> tuple[int, int]:
    """The number of draws and the seed, side by side."""
    left, right, _ = st.columns([1, 1, 2])
    draws = _whole(
        left,
        "Draws",
        DRAWS,
        (1, MAX_DRAWS),
        DEFAULT_DRAWS,
        step=1000,
        help="How many times every uncertain input is drawn and the portfolio appraised.",
    )
    seed = _whole(
        right,
        "Random seed",
        SEED,
        (0, MAX_SEED),
        DEFAULT_SEED,
        help="Same seed, same draws, same figures: `appraise simulate FILE --seed S --draws N`.",
    )
    return draws, seed


def page(view: View) -> None:
    """Chance of breaking even, ranges of NPV, and the inputs that move it most."""
    loaded = view.loaded
    t = view.totals
    st.title("Uncertainty")
    st.caption(conventions(t))
    tornadoes = runs.tornadoes(loaded.key, loaded.name)
    if not tornadoes["uncertain_inputs"]:
        st.info(NO_RANGES)
        return
    names = view.names()
    labels = view.input_labels()
    count = len(tornadoes["uncertain_inputs"])
    st.write(
        f"{count} input{'s are' if count != 1 else ' is'} given as a range. Each draw takes a "
        "value of every one of them at once and appraises the whole portfolio, as the other "
        "pages do with the central values."
    )
    draws, seed = _settings()
    with st.spinner("Simulating..."):
        data = runs.simulation(loaded.key, loaded.name, draws, seed)
    p = data["portfolio"]
    h = p["horizon_years"]
    options = data.get("options")
    if options is not None:
        headline(
            [
                (
                    f"Chance {plain(o['name'])} is the best option",
                    pct(o["prob_best"]),
                    f"Share of the {draws:,} draws in which its NPV over {years_text(h)} is the highest "
                    "of the options (every option on the same draws).",
                )
                for o in options
            ]
        )
    else:
        portfolio_chances(p, draws)
    st.subheader("How likely is each to break even, and how wide is the range?")
    show_table(summary_table(data, names))
    se = 0.5 / math.sqrt(draws)
    st.caption(
        f"{draws:,} draws, seed {seed}: "
        f"{code(f'appraise simulate {loaded.name} --draws {draws} --seed {seed}')} gives the "
        f"same figures. Breaking even means an NPV over {years_text(h)} "
        f"above zero; at this many draws its Monte Carlo error is at most {pct(se, 2)}. "
        "Percentiles are read from a histogram of the draws, each within "
        f"{pct(RELATIVE_PRECISION, 2)} (or £1 near zero) of the exact one."
    )
    rows = [{**r, "name": names[r["id"]]} for r in data["interventions"]] + _wholes(data)
    chart(charts.npv_range_chart(rows, h))
    st.caption(
        "The bar holds the middle 90% of the draws (5th to 95th percentile); the black tick is "
        "the median and the diamond the mean. Left of the grey line at zero, the NPV is a loss."
    )
    tornado_section(view, tornadoes, labels)
    check_first_section(data, labels)


def voi_table(voi: dict[str, Any], labels: dict[str, str]) -> pd.DataFrame:
    """Every uncertain input by what knowing it exactly would be worth, beside its tornado rank."""
    return pd.DataFrame(
        [
            {
                "Input": plain(labels.get(r["key"], r["label"])),
                "Worth knowing exactly (EVPPI)": money(r["evppi"]),
                "Give or take": money(r["evppi_se"]),
                "Share of all the uncertainty costs": pct(r["share_of_evpi"]),
                "Place on the tornado": str(r["tornado_rank"]),
            }
            for r in voi["inputs"]
        ]
    )


def check_first_section(data: dict[str, Any], labels: dict[str, str]) -> None:
    """What to check first: inputs ranked by the value of knowing them, in words; then, with
    options, the chance each is the best the money covers at each budget."""
    st.subheader("What to check first")
    voi = data.get("value_of_information")
    if voi is None:
        st.info(f"Not worked out for this run: {plain(data.get('voi_skipped', ''))}")
        return
    h = data["portfolio"]["horizon_years"]
    for sentence in check_first(voi, h):
        st.write(plain(sentence))
    inputs = [{**r, "input": labels.get(r["key"], r["label"])} for r in voi["inputs"]]
    chart(charts.value_of_information_chart(inputs))
    show_table(voi_table(voi, labels))
    if voi["groups"]:
        st.markdown("**Inputs a single study or audit would settle together**")
        show_table(
            pd.DataFrame(
                [
                    {
                        "Group": plain(g["label"]),
                        "Inputs": len(g["inputs"]),
                        "Worth knowing exactly (EVPPI)": money(g["evppi"]),
                        "Give or take": money(g["evppi_se"]),
                    }
                    for g in voi["groups"]
                ]
            )
        )
    st.caption(
        "The expected value of perfect information (EVPI) is what the choice loses, in expected "
        "NPV, by being made with these ranges; each input's EVPPI is how much of that knowing it "
        "exactly would remove, the most a study or local audit of it could be worth. The tornado "
        "ranks by how far an input moves the NPV; an input can move it a long way and still never "
        "change the choice. Method and sources: docs/value-of-information.md."
    )
    budget = data.get("acceptability_by_budget")
    if budget is not None:
        st.subheader("Which option, for the money available?")
        chart(charts.acceptability_chart(budget))
        st.caption(
            "For each sum available a year, the share of draws in which each option is the best "
            "(highest NPV) of those whose services cost no more than that a year. With enough "
            "money the lines settle at each option's chance of being the best."
        )


def portfolio_chances(p: dict[str, Any], draws: int) -> None:
    """The portfolio's chance of breaking even and its range of NPV, as headline metrics."""
    h = p["horizon_years"]
    headline(
        [
            (
                "Chance the portfolio breaks even",
                pct(p["prob_break_even"]),
                f"Share of the {draws:,} draws in which the portfolio's NPV over {years_text(h)} is "
                "above zero.",
            ),
            (f"NPV over {years_text(h)}, mean", money(p["npv"]["mean"]), None),
            ("NPV, 5th percentile", money(p["npv"]["p5"]), "1 draw in 20 is below this."),
            ("NPV, 95th percentile", money(p["npv"]["p95"]), "1 draw in 20 is above this."),
        ]
    )


def tornado_section(view: View, data: dict[str, Any], labels: dict[str, str]) -> None:
    """The tornado of one intervention or the portfolio, and the break-even value of each input."""
    st.subheader("Which inputs matter most?")
    # With options the portfolio total would add up alternatives: each intervention's only.
    whole = [] if "options" in view.results else [PORTFOLIO]
    choices = [*whole, *(r["name"] for r in view.records)]
    tornadoes = [*([data["portfolio"]] if whole else []), *data["interventions"]]
    chosen = st.selectbox(
        "NPV of",
        range(len(choices)),
        format_func=lambda i: choices[i],
        key=f"{TORNADO}:{view.loaded.generation}",
    )
    tornado = tornadoes[chosen]
    swings = tornado["tornado"]
    h = data["portfolio"]["horizon_years"]
    st.write(
        f"NPV over {years_text(h)} of {plain(choices[chosen])} at central values: "
        f"**{money(tornado['npv'])}**. "
        "Each bar moves one input to its low or its high, the others at their central values; "
        "the widest swing is on top."
    )
    if not swings:
        st.info(f"No input given as a range moves the NPV of {plain(choices[chosen])}.")
        return
    chart(
        charts.tornado_chart(
            [
                {
                    "input": labels.get(s["key"], s["label"]),
                    "low_text": _in_unit(s["low"], s["unit"]),
                    "high_text": _in_unit(s["high"], s["unit"]),
                    "npv_low": s["npv_low"],
                    "npv_high": s["npv_high"],
                }
                for s in swings
            ],
            tornado["npv"],
        )
    )
    st.markdown("**Where each input makes the NPV zero (the others central)**")
    show_table(thresholds_table(tornado, labels))
    st.caption(
        "Range: triangular, PERT and uniform inputs at their bounds; normal, lognormal and beta "
        "at their 5th and 95th percentiles. 'NPV is zero at' is the value nearest the central "
        "one, searched over every value the input may take: within the range, the input alone "
        "can turn the NPV from gain to loss."
    )
