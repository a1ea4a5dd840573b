"""Altair charts of appraisal results: each takes the CLI's JSON records and draws, never computes.

Colours are the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies);
evidence ratings keep one colour each across every chart, strongest evidence in blues.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

from appraise.model import RATINGS
from appraise.report import money, payer_name, rate

# Okabe & Ito (2008), "Color Universal Design".
BLACK, ORANGE, SKY_BLUE, GREEN, YELLOW, BLUE, VERMILLION, PURPLE, GREY = (
    "#000000",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#999999",
)
RATING_COLOURS = dict(
    zip(RATINGS, (BLUE, SKY_BLUE, GREEN, ORANGE, PURPLE, VERMILLION, BLACK, GREY), strict=True)
)
SERIES_COLOURS = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE, YELLOW, GREY)
PORTFOLIO_LINE = "Portfolio total"
CLEARS = "Expected rate clears break-even: pays for itself"
FALLS_SHORT = "Expected rate falls short of break-even"

# Axis labels: -£7,298 rather than Vega's default £-7.3k.
MONEY_LABELS = "(datum.value < 0 ? '-£' : '£') + format(abs(datum.value), ',.0f')"
NAME_AXIS = alt.Axis(title=None, labelLimit=320)
ROW = 40  # pixels a bar chart gives each intervention


def spec(figure: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart's Vega-Lite spec, as the app renders it.

    Altair's JSON-schema check is skipped here: it is a third of the time from an edit to a
    re-rendered page. The tests run it instead, on every chart of every page of the examples.
    """
    return figure.to_dict(validate=False)


def _money_axis(title: str | None) -> alt.Axis:
    return alt.Axis(title=title, labelExpr=MONEY_LABELS)


def _rating_scale() -> alt.Scale:
    return alt.Scale(domain=list(RATINGS), range=list(RATING_COLOURS.values()))


def _zero_rule(axis: str = "y") -> alt.Chart:
    zero = pd.DataFrame({"zero": [0.0]})
    return (
        alt.Chart(zero)
        .mark_rule(color=GREY)
        .encode(**{axis: (alt.X if axis == "x" else alt.Y)("zero:Q")})
    )


def net_savings_chart(records: Sequence[dict[str, Any]]) -> alt.LayerChart:
    """Net savings by intervention, coloured by evidence rating."""
    frame = pd.DataFrame(
        {
            "Intervention": [r["name"] for r in records],
            "Net savings": [r["net_savings"] for r in records],
            "Evidence rating": [r["evidence_rating"] for r in records],
            "label": [money(r["net_savings"]) for r in records],
        }
    )
    order = list(frame["Intervention"])
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("Intervention:N", sort=order, axis=NAME_AXIS),
            x=alt.X("Net savings:Q", axis=_money_axis("Net savings a year")),
            color=alt.Color(
                "Evidence rating:N",
                scale=_rating_scale(),
                legend=alt.Legend(title="Evidence rating (EIF level)", orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("Intervention:N"),
                alt.Tooltip("label:N", title="Net savings"),
                alt.Tooltip("Evidence rating:N"),
            ],
        )
    )
    text = alt.Chart(frame).encode(
        y=alt.Y("Intervention:N", sort=order), x=alt.X("Net savings:Q"), text=alt.Text("label:N")
    )
    gains = text.mark_text(align="left", dx=4, color=BLACK).transform_filter(
        "datum['Net savings'] >= 0"
    )
    losses = text.mark_text(align="right", dx=-4, color=BLACK).transform_filter(
        "datum['Net savings'] < 0"
    )
    return alt.layer(bars, gains, losses, _zero_rule("x")).properties(height=alt.Step(ROW))


def _rate_panel(frame: pd.DataFrame, title: str, axis_format: str) -> alt.LayerChart:
    order = list(frame["Intervention"])
    y = alt.Y("Intervention:N", sort=order, axis=NAME_AXIS)
    tooltip = [
        alt.Tooltip("Intervention:N"),
        alt.Tooltip("expected_label:N", title="Expected"),
        alt.Tooltip("break_even_label:N", title="Break-even"),
        alt.Tooltip("margin_label:N", title="Margin of safety"),
    ]
    verdict = alt.Color(
        "Verdict:N",
        scale=alt.Scale(
            domain=[CLEARS, FALLS_SHORT],
            range=[BLUE, VERMILLION],
        ),
        legend=alt.Legend(title=None, orient="bottom", labelLimit=400),
    )
    base = alt.Chart(frame).encode(y=y, tooltip=tooltip)
    gap = base.mark_rule(strokeWidth=3).encode(
        x=alt.X("Break-even:Q", axis=alt.Axis(format=axis_format, title=title)),
        x2=alt.X2("Expected:Q"),
        color=verdict,
    )
    break_even = base.mark_point(shape="diamond", size=140, filled=True, color=BLACK).encode(
        x=alt.X("Break-even:Q")
    )
    expected = base.mark_circle(size=160, opacity=1).encode(x=alt.X("Expected:Q"), color=verdict)
    return alt.layer(gap, break_even, expected).properties(height=alt.Step(ROW))


def success_rates_charts(records: Sequence[dict[str, Any]]) -> list[alt.LayerChart]:
    """Expected against break-even success rate per intervention: the gap is the margin of safety.

    Rates (share of cases) and counts (outcomes averted per case) get separate charts: one axis
    would mix units.
    """
    rows = [
        {
            "Intervention": r["name"],
            "Expected": r["effect_adjusted"],
            "Break-even": r["break_even_success_rate"],
            "Verdict": CLEARS if r["net_savings"] >= 0 else FALLS_SHORT,
            "expected_label": rate(r, "effect_adjusted"),
            "break_even_label": rate(r, "break_even_success_rate"),
            "margin_label": "n/a" if r["safety_margin"] is None else f"{r['safety_margin']:.2f}x",
            "per_case": r["effect_form"] == "per_case",
        }
        for r in records
        if r["break_even_success_rate"] is not None
    ]
    frame = pd.DataFrame(rows, columns=["per_case"] if not rows else None)
    panels = []
    for per_case, title, axis_format in (
        (False, "Success rate: share of cases in which the outcome is averted", "%"),
        (True, "Outcomes averted per case", ",.2f"),
    ):
        part = frame[frame["per_case"] == per_case]
        if len(part):
            panels.append(_rate_panel(part, title, axis_format))
    return panels


def payer_chart(records: Sequence[dict[str, Any]]) -> alt.Chart:
    """Gross savings by intervention, stacked by who saves (children's social care, health, ...)."""
    rows = [
        {
            "Intervention": r["name"],
            "Payer": payer_name(payer),
            "Gross savings": value,
            "label": money(value),
        }
        for r in records
        for payer, value in r["savings_by_payer"].items()
    ]
    frame = pd.DataFrame(rows)
    payers = list(dict.fromkeys(frame["Payer"]))
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("Intervention:N", sort=[r["name"] for r in records], axis=NAME_AXIS),
            x=alt.X("sum(Gross savings):Q", axis=_money_axis("Gross savings a year")),
            color=alt.Color(
                "Payer:N",
                scale=alt.Scale(domain=payers, range=list(SERIES_COLOURS[: len(payers)])),
                legend=alt.Legend(title="Who saves", orient="bottom"),
                sort=payers,
            ),
            order=alt.Order("payer_rank:Q"),
            tooltip=[
                alt.Tooltip("Intervention:N"),
                alt.Tooltip("Payer:N"),
                alt.Tooltip("label:N", title="Gross savings"),
            ],
        )
        .transform_calculate(payer_rank=f"indexof({payers!r}, datum.Payer)")
        .properties(height=alt.Step(ROW))
    )


def cumulative_chart(
    series: dict[str, list[dict[str, Any]]], portfolio: list[dict[str, Any]] | None = None
) -> alt.LayerChart:
    """Cumulative net savings year by year ("when does it pay back?"), one line a series.

    `series` maps a name to its `years` records; `portfolio` adds the total as a thick black line.
    """
    named = dict(series)
    if portfolio is not None:
        named[PORTFOLIO_LINE] = portfolio
    rows = [
        {
            "Series": name,
            "Year": y["year"],
            "Cumulative net savings": y["cumulative_net"],
            "label": money(y["cumulative_net"]),
            "weight": 4 if name == PORTFOLIO_LINE else 2,  # line width in pixels
        }
        for name, years in named.items()
        for y in years
    ]
    frame = pd.DataFrame(rows)
    names = list(named)
    colours = [BLACK if n == PORTFOLIO_LINE else SERIES_COLOURS[i % 8] for i, n in enumerate(names)]
    lines = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("Year:O", axis=alt.Axis(labelAngle=0, title="Year of operation")),
            y=alt.Y("Cumulative net savings:Q", axis=_money_axis("Cumulative net savings")),
            color=alt.Color(
                "Series:N",
                scale=alt.Scale(domain=names, range=colours),
                legend=alt.Legend(title=None, orient="bottom", columns=2, labelLimit=360),
                sort=names,
            ),
            strokeWidth=alt.StrokeWidth("weight:Q", scale=None, legend=None),
            tooltip=[
                alt.Tooltip("Series:N"),
                alt.Tooltip("Year:O"),
                alt.Tooltip("label:N", title="Cumulative net"),
            ],
        )
    )
    return alt.layer(lines, _zero_rule("y"))


def waterfall_chart(record: dict[str, Any]) -> alt.LayerChart:
    """From gross savings, less the cost, to net savings, less what is not cashable, to cashable net."""
    gross, net, cashable = (
        record["gross_savings"],
        record["net_savings"],
        record["cashable_net_savings"],
    )
    steps = [
        ("Gross savings", 0.0, gross, "Total"),
        ("Cost of the service", gross, net, "Step"),
        ("Net savings", 0.0, net, "Total"),
        ("Not cashable", net, cashable, "Step"),
        ("Cashable net savings", 0.0, cashable, "Total"),
    ]
    frame = pd.DataFrame(
        [
            {
                "Step": step,
                "start": start,
                "end": end,
                "Kind": kind if kind == "Total" else ("Decrease" if end < start else "Increase"),
                # A step's label is its length: the two core figures it joins, subtracted for show.
                "label": money(end - start if kind == "Step" else end),
            }
            for step, start, end, kind in steps
        ]
    )
    order = [s[0] for s in steps]
    x = alt.X("Step:N", sort=order, axis=alt.Axis(title=None, labelAngle=0, labelLimit=160))
    bars = (
        alt.Chart(frame)
        .mark_bar(size=56)
        .encode(
            x=x,
            y=alt.Y("start:Q", axis=_money_axis(None)),
            y2=alt.Y2("end:Q"),
            color=alt.Color(
                "Kind:N",
                scale=alt.Scale(
                    domain=["Total", "Decrease", "Increase"], range=[BLUE, VERMILLION, GREEN]
                ),
                legend=None,
            ),
            tooltip=[alt.Tooltip("Step:N"), alt.Tooltip("label:N", title="Amount")],
        )
    )
    labels = (
        alt.Chart(frame)
        .mark_text(dy=-8, color=BLACK)
        .encode(x=x, y=alt.Y("max_end:Q"), text=alt.Text("label:N"))
        .transform_calculate(max_end="max(datum.start, datum.end)")
    )
    return alt.layer(bars, labels, _zero_rule("y"))


def break_even_chart(curve: pd.DataFrame, record: dict[str, Any]) -> alt.LayerChart:
    """Net savings against success rate, with the break-even and the evidence-based rate marked."""
    per_case = record["effect_form"] == "per_case"
    axis_format = ",.2f" if per_case else "%"
    title = "Outcomes averted per case" if per_case else "Success rate (share of cases)"
    line = (
        alt.Chart(curve)
        .mark_line(color=BLUE, strokeWidth=3)
        .encode(
            x=alt.X("success_rate:Q", axis=alt.Axis(format=axis_format, title=title)),
            y=alt.Y("net_savings:Q", axis=_money_axis("Net savings a year")),
        )
    )
    marks = pd.DataFrame(
        [
            {
                "rate": record["break_even_success_rate"],
                "net": 0.0,
                "Mark": "Break-even",
                "text": f"Break-even: {rate(record, 'break_even_success_rate')}",
            },
            {
                "rate": record["effect_adjusted"],
                "net": record["net_savings"],
                "Mark": "Evidence-based",
                "text": f"Evidence-based: {rate(record, 'effect_adjusted')}, "
                f"{money(record['net_savings'])}",
            },
        ]
    )
    marks = marks[marks["rate"].notna()]
    colour = alt.Color(
        "Mark:N",
        scale=alt.Scale(domain=["Break-even", "Evidence-based"], range=[VERMILLION, BLACK]),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    rules = (
        alt.Chart(marks)
        .mark_rule(strokeDash=[6, 4])
        .encode(x=alt.X("rate:Q"), color=colour, tooltip=[alt.Tooltip("text:N")])
    )
    points = (
        alt.Chart(marks)
        .mark_point(size=140, filled=True)
        .encode(x=alt.X("rate:Q"), y=alt.Y("net:Q"), color=colour)
    )
    text = (
        alt.Chart(marks)
        .mark_text(align="left", dx=8, dy=-10, fontWeight="bold")
        .encode(x=alt.X("rate:Q"), y=alt.Y("net:Q"), text=alt.Text("text:N"), color=colour)
    )
    return alt.layer(line, _zero_rule("y"), rules, points, text)
