"""Altair charts of appraisal results: each takes the CLI's JSON records and draws, never computes.

The app shows them (`appraise.ui.charts`) and the committee paper renders them to PNG
(`appraise.paper.charts`): one definition of every chart, no Streamlit here.

Colours are the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies);
evidence ratings keep one colour each across every chart, strongest evidence in blues.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

from appraise.display import money, num, payer_name, pct, rate, years_text
from appraise.model.schema import RATINGS

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
TALL = 360  # pixels high for a chart of years
BAR = 24  # pixels a bar of a pair gets (low and high, planned and actual): the step of the offset


def spec(figure: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart's Vega-Lite spec, as the app renders it.

    Altair's JSON-schema check is skipped here: it is a third of the time from an edit to a
    re-rendered page. The tests run it instead, on every chart of every page of the examples.
    """
    drawn = figure.to_dict(validate=False)
    # Room beyond the plot for the labels at the ends of bars: without it "£1,225,153" is clipped.
    drawn.setdefault("padding", {"left": 5, "top": 5, "right": 90, "bottom": 5})
    # Fitted to the page's width only: Streamlit's default fits the height too, and a legend of
    # a line an intervention then squeezes the plot to a sliver.
    drawn.setdefault("autosize", {"type": "fit-x", "contains": "padding"})
    return drawn


# A legend along a chart's foot starts under the plot's left edge, and in the app the plot may
# be as narrow as this many pixels (a bar chart beside 320 px of names, in a 1280-px window),
# with the padding beyond it.
LEGEND_ROOM = 420
CHARACTER = 6.5  # pixels an 11-px label takes a character, on average
ENTRY = 25  # pixels of symbol and gap an entry takes beside its label


def below(labels: Sequence[Any], title: str | None = None) -> alt.Legend:
    """A legend along the chart's foot that fits under its plot: one row if the entries fit,
    else two columns if two fit side by side, else one entry a line; never cut off at the right."""
    widths = [len(str(label)) * CHARACTER + ENTRY for label in labels] or [0.0]
    if sum(widths) <= LEGEND_ROOM:
        columns = len(widths)
    elif 2 * max(widths) <= LEGEND_ROOM:
        columns = 2
    else:
        columns = 1
    return alt.Legend(title=title, orient="bottom", columns=columns, labelLimit=LEGEND_ROOM)


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


# Room beside the bars, as a share of the span of the values, for the labels at their ends: a
# label never runs into the axis or off the chart.
LABEL_ROOM = 0.45


def _room_for_labels(values: Sequence[float]) -> alt.Scale:
    """A money scale from zero that leaves room beyond each bar's end for its label."""
    lo, hi = min(0.0, *values), max(0.0, *values)
    pad = LABEL_ROOM * ((hi - lo) or 1.0)
    return alt.Scale(domain=[lo - pad if lo < 0 else lo, hi + pad if hi > 0 else hi], nice=False)


def _end_labels(text: alt.Chart, test: str) -> tuple[alt.Chart, alt.Chart]:
    """Labels at the ends of bars: to the right of those for which `test` holds, else to the left."""
    return (
        text.mark_text(align="left", dx=4, color=BLACK).transform_filter(test),
        text.mark_text(align="right", dx=-4, color=BLACK).transform_filter(f"!({test})"),
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
            x=alt.X(
                "Net savings:Q",
                axis=_money_axis("Net savings a year"),
                scale=_room_for_labels([r["net_savings"] for r in records]),
            ),
            color=alt.Color(
                "Evidence rating:N",
                scale=_rating_scale(),
                legend=below(list(RATINGS), "Evidence rating (EIF level)"),
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
    gains, losses = _end_labels(text, "datum['Net savings'] >= 0")
    return alt.layer(bars, gains, losses, _zero_rule("x")).properties(height=alt.Step(ROW))


BEST_OPTION, OTHER_OPTION = "Best option (highest NPV)", "Other options"


def option_npv_chart(options: Sequence[dict[str, Any]], horizon: int) -> alt.LayerChart:
    """NPV by option, best first (`options` of `appraise evaluate --format json`)."""
    ranked = sorted(options, key=lambda o: o["rank"])
    frame = pd.DataFrame(
        {
            "Option": [o["name"] for o in ranked],
            "NPV": [o["npv"] for o in ranked],
            "Rank": [BEST_OPTION if o["rank"] == 1 else OTHER_OPTION for o in ranked],
            "label": [money(o["npv"]) for o in ranked],
            "bcr": ["n/a" if o["bcr"] is None else num(o["bcr"]) for o in ranked],
        }
    )
    order = list(frame["Option"])
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("Option:N", sort=order, axis=NAME_AXIS),
            x=alt.X(
                "NPV:Q",
                axis=_money_axis(f"NPV over {years_text(horizon)}"),
                scale=_room_for_labels([o["npv"] for o in ranked]),
            ),
            color=alt.Color(
                "Rank:N",
                scale=alt.Scale(domain=[BEST_OPTION, OTHER_OPTION], range=[BLUE, SKY_BLUE]),
                legend=below([BEST_OPTION, OTHER_OPTION]),
            ),
            tooltip=[
                alt.Tooltip("Option:N"),
                alt.Tooltip("label:N", title="NPV"),
                alt.Tooltip("bcr:N", title="Benefit-cost ratio"),
            ],
        )
    )
    text = alt.Chart(frame).encode(
        y=alt.Y("Option:N", sort=order), x=alt.X("NPV:Q"), text=alt.Text("label:N")
    )
    gains, losses = _end_labels(text, "datum['NPV'] >= 0")
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
        legend=below([CLEARS, FALLS_SHORT]),
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
            x=alt.X(
                "sum(Gross savings):Q",
                axis=_money_axis("Gross savings a year"),
                scale=alt.Scale(zero=True),
            ),
            color=alt.Color(
                "Payer:N",
                scale=alt.Scale(domain=payers, range=list(SERIES_COLOURS[: len(payers)])),
                legend=below(payers, "Who saves"),
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
            y=alt.Y(
                "Cumulative net savings:Q",
                axis=_money_axis("Cumulative net savings"),
                scale=alt.Scale(zero=True),
            ),
            color=alt.Color(
                "Series:N",
                scale=alt.Scale(domain=names, range=colours),
                legend=below(names),
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
    # A plot of its own height: the legend, a line an intervention, goes beneath it (without a
    # height of its own the app squeezes the plot into what the legend leaves).
    return alt.layer(lines, _zero_rule("y")).properties(height=TALL)


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
            y=alt.Y("start:Q", axis=_money_axis("£ a year"), scale=alt.Scale(zero=True)),
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
            y=alt.Y(
                "net_savings:Q", axis=_money_axis("Net savings a year"), scale=alt.Scale(zero=True)
            ),
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
        legend=below(["Break-even", "Evidence-based"]),
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


def _pair(
    field: str, names: tuple[str, str], colours: tuple[str, str]
) -> tuple[alt.YOffset, alt.Color]:
    """Two bars a row, side by side (low and high, planned and actual): offset and colour."""
    return (
        alt.YOffset(f"{field}:N", sort=list(names)),
        alt.Color(
            f"{field}:N",
            scale=alt.Scale(domain=list(names), range=list(colours)),
            legend=below(list(names)),
        ),
    )


# ---------------------------------------------------------------------------------------------
# Uncertainty
# ---------------------------------------------------------------------------------------------

AT_LOW, AT_HIGH = "Input at its low", "Input at its high"
MIDDLE, MEDIAN, MEAN = "5th to 95th percentile", "Median", "Mean"


def npv_range_chart(rows: Sequence[dict[str, Any]], horizon: int) -> alt.LayerChart:
    """Each row's NPV across the draws: a bar from p5 to p95, the median and the mean marked.

    `rows`: {"name", "prob_break_even", "npv": {"mean", "p5", "p50", "p95"}} as `appraise simulate
    --format json` gives each intervention and the portfolio (named by the caller).
    """
    frame = pd.DataFrame(
        [
            {
                "Intervention": r["name"],
                **{k: r["npv"][k] for k in ("p5", "p50", "p95", "mean")},
                "range_label": f"{money(r['npv']['p5'])} to {money(r['npv']['p95'])}",
                "median_label": money(r["npv"]["p50"]),
                "mean_label": money(r["npv"]["mean"]),
                "chance": f"breaks even in {pct(r['prob_break_even'])} of draws",
            }
            for r in rows
        ]
    )
    order = list(frame["Intervention"])
    base = alt.Chart(frame).encode(
        y=alt.Y("Intervention:N", sort=order, axis=NAME_AXIS),
        tooltip=[
            alt.Tooltip("Intervention:N"),
            alt.Tooltip("range_label:N", title="NPV, 5th to 95th percentile"),
            alt.Tooltip("median_label:N", title="NPV, median"),
            alt.Tooltip("mean_label:N", title="NPV, mean"),
            alt.Tooltip("chance:N", title="Chance"),
        ],
    )
    mark = alt.Color(
        "Mark:N",
        scale=alt.Scale(domain=[MIDDLE, MEDIAN, MEAN], range=[SKY_BLUE, BLACK, VERMILLION]),
        legend=below([MIDDLE, MEDIAN, MEAN]),
    )
    band = (
        base.mark_bar(size=16)
        .encode(
            x=alt.X(
                "p5:Q",
                axis=_money_axis(f"NPV over {years_text(horizon)}"),
                scale=alt.Scale(zero=True),
            ),
            x2=alt.X2("p95:Q"),
            color=mark,
        )
        .transform_calculate(Mark=f"'{MIDDLE}'")
    )
    median = base.mark_tick(thickness=3, size=22).encode(x=alt.X("p50:Q"), color=mark)
    median = median.transform_calculate(Mark=f"'{MEDIAN}'")
    mean = base.mark_point(shape="diamond", size=120, filled=True, opacity=1).encode(
        x=alt.X("mean:Q"), color=mark
    )
    mean = mean.transform_calculate(Mark=f"'{MEAN}'")
    chance = base.mark_text(align="left", dx=8, color=BLACK).encode(
        x=alt.X("p95:Q"), text=alt.Text("chance:N")
    )
    return alt.layer(band, _zero_rule("x"), median, mean, chance).properties(height=alt.Step(ROW))


def tornado_chart(swings: Sequence[dict[str, Any]], central: float) -> alt.LayerChart:
    """NPV with each input at its low and at its high, the others central: widest swing on top.

    `swings`: {"input" (a label), "low_text", "high_text", "npv_low", "npv_high"}, widest first
    (as `appraise sensitivity` orders them). Bars start at the NPV at central values.
    """
    rows = []
    for s in swings:
        for setting, npv, shown in (
            (AT_LOW, s["npv_low"], s["low_text"]),
            (AT_HIGH, s["npv_high"], s["high_text"]),
        ):
            rows.append(
                {
                    "Input": s["input"],
                    "Setting": setting,
                    "start": central,
                    "NPV": npv,
                    "npv_label": money(npv),
                    "value_label": shown,
                    "right": npv >= central,
                }
            )
    frame = pd.DataFrame(rows)
    order = [s["input"] for s in swings]
    # 'Whose: what' on two lines, so long names stay readable.
    axis = alt.Axis(title=None, labelLimit=360, labelExpr="split(datum.label, ': ')")
    y = alt.Y("Input:N", sort=order, axis=axis)
    offset, setting = _pair("Setting", (AT_LOW, AT_HIGH), (ORANGE, BLUE))
    tooltip = [
        alt.Tooltip("Input:N"),
        alt.Tooltip("Setting:N"),
        alt.Tooltip("value_label:N", title="Input value"),
        alt.Tooltip("npv_label:N", title="NPV"),
    ]
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=y,
            yOffset=offset,
            x=alt.X("start:Q", axis=_money_axis("NPV"), scale=alt.Scale(zero=True)),
            x2=alt.X2("NPV:Q"),
            color=setting,
            tooltip=tooltip,
        )
    )
    text = alt.Chart(frame).encode(
        y=y, yOffset=offset, x=alt.X("NPV:Q"), text=alt.Text("value_label:N")
    )
    right, left = _end_labels(text, "datum.right")
    centre = (
        alt.Chart(pd.DataFrame({"central": [central], "label": [f"Central: {money(central)}"]}))
        .mark_rule(color=BLACK, strokeDash=[6, 4])
        .encode(x=alt.X("central:Q"), tooltip=[alt.Tooltip("label:N", title="NPV")])
    )
    return alt.layer(bars, right, left, _zero_rule("x"), centre).properties(height=alt.Step(BAR))


def value_of_information_chart(inputs: Sequence[dict[str, Any]]) -> alt.LayerChart:
    """What knowing each input exactly would be worth to the decision (EVPPI), highest first,
    each labelled with its place on the tornado (`value_of_information.inputs` of `appraise
    simulate --voi --format json`, with "input" the label to show)."""
    frame = pd.DataFrame(
        {
            "Input": [r["input"] for r in inputs],
            "EVPPI": [r["evppi"] for r in inputs],
            "label": [
                f"{money(r['evppi'])}  (tornado: #{r['tornado_rank']})"
                if r.get("tornado_rank")
                else money(r["evppi"])
                for r in inputs
            ],
        }
    )
    order = list(frame["Input"])
    axis = alt.Axis(title=None, labelLimit=360, labelExpr="split(datum.label, ': ')")
    bars = (
        alt.Chart(frame)
        .mark_bar(color=BLUE)
        .encode(
            y=alt.Y("Input:N", sort=order, axis=axis),
            x=alt.X(
                "EVPPI:Q",
                axis=_money_axis("Worth knowing exactly (EVPPI)"),
                scale=alt.Scale(zero=True),
            ),
            tooltip=[alt.Tooltip("Input:N"), alt.Tooltip("label:N", title="EVPPI")],
        )
    )
    text = (
        alt.Chart(frame)
        .mark_text(align="left", dx=4, color=BLACK)
        .encode(y=alt.Y("Input:N", sort=order), x=alt.X("EVPPI:Q"), text=alt.Text("label:N"))
    )
    return alt.layer(bars, text).properties(height=alt.Step(ROW))


NONE_AFFORDABLE = "No option affordable"


def acceptability_chart(data: dict[str, Any]) -> alt.LayerChart:
    """For each budget a year, the chance each option is the best affordable one
    (`acceptability_by_budget` of `appraise simulate --voi --format json`)."""
    rows = []
    names = [o["name"] for o in data["options"]]
    series = [*data["options"]]
    if any(p > 0 for p in data["none_affordable"]):
        series.append({"name": NONE_AFFORDABLE, "probability": data["none_affordable"]})
    for o in series:
        for budget, p in zip(data["budgets"], o["probability"], strict=True):
            rows.append(
                {
                    "Option": o["name"],
                    "Budget": budget,
                    "Chance": p,
                    "budget_label": money(budget),
                    "chance_label": pct(p),
                }
            )
    domain = [*names, *([NONE_AFFORDABLE] if len(series) > len(names) else [])]
    colours = [SERIES_COLOURS[k % len(SERIES_COLOURS)] for k in range(len(names))]
    lines = (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "Budget:Q", axis=_money_axis("Money available a year"), scale=alt.Scale(zero=True)
            ),
            y=alt.Y(
                "Chance:Q",
                axis=alt.Axis(title="Chance it is the best affordable option", format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=alt.Color(
                "Option:N",
                scale=alt.Scale(domain=domain, range=[*colours, GREY][: len(domain)]),
                legend=below(domain),
            ),
            tooltip=[
                alt.Tooltip("Option:N"),
                alt.Tooltip("budget_label:N", title="Budget a year"),
                alt.Tooltip("chance_label:N", title="Chance best"),
            ],
        )
    )
    return alt.layer(lines).properties(height=TALL)


# ---------------------------------------------------------------------------------------------
# Forecast
# ---------------------------------------------------------------------------------------------

SPEND_WITHOUT = "Spend without the portfolio"
SPEND_WITH = "Spend with the portfolio"
CARE_WITH = "Care cost with the portfolio"
INTERVENTION_COST = "Intervention cost"
NET_SAVING = "Net savings (spend without - spend with)"


def scenario_chart(scenarios: Sequence[dict[str, Any]]) -> alt.LayerChart:
    """Total cost of children in care by year, one line a scenario (`appraise forecast` JSON)."""
    frame = pd.DataFrame(
        [
            {
                "Scenario": s["name"],
                "Year": y["year"],
                "Total cost": y["total_cost"],
                "label": money(y["total_cost"]),
                "children": num(y["children_in_care"], 1),
            }
            for s in scenarios
            for y in s["years"]
        ]
    )
    names = [s["name"] for s in scenarios]
    lines = (
        alt.Chart(frame)
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=alt.X("Year:O", axis=alt.Axis(labelAngle=0)),
            y=alt.Y(
                "Total cost:Q",
                axis=_money_axis("Spend a year"),
                scale=alt.Scale(zero=True),
            ),
            color=alt.Color(
                "Scenario:N",
                scale=alt.Scale(domain=names, range=list(SERIES_COLOURS[: len(names)])),
                legend=below(names),
                sort=names,
            ),
            tooltip=[
                alt.Tooltip("Scenario:N"),
                alt.Tooltip("Year:O"),
                alt.Tooltip("label:N", title="Total cost"),
                alt.Tooltip("children:N", title="Children in care"),
            ],
        )
    )
    return alt.layer(lines).properties(height=TALL)


def with_without_chart(years: Sequence[dict[str, Any]]) -> alt.LayerChart:
    """Spend without and with the portfolio by year; between the care cost with it and the spend
    with it, the intervention cost; between the two spends, the net saving.

    `years`: the `with_portfolio.years` rows of `appraise forecast --format json`.
    """
    frame = pd.DataFrame(years)
    for key in ("spend_without", "spend_with", "care_cost_with", "intervention_cost", "net_saving"):
        frame[f"{key}_label"] = [money(x) for x in frame[key]]
    domain = [SPEND_WITHOUT, SPEND_WITH, CARE_WITH, INTERVENTION_COST, NET_SAVING]
    colour = alt.Color(
        "Series:N",
        scale=alt.Scale(domain=domain, range=[VERMILLION, BLUE, SKY_BLUE, ORANGE, GREEN]),
        legend=below(domain),
        sort=domain,
    )
    x = alt.X("year:O", axis=alt.Axis(labelAngle=0, title="Year"))
    tooltip = [
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip("spend_without_label:N", title=SPEND_WITHOUT),
        alt.Tooltip("care_cost_with_label:N", title=CARE_WITH),
        alt.Tooltip("intervention_cost_label:N", title=INTERVENTION_COST),
        alt.Tooltip("spend_with_label:N", title=SPEND_WITH),
        alt.Tooltip("net_saving_label:N", title="Net savings"),
    ]
    base = alt.Chart(frame).encode(x=x, tooltip=tooltip)
    money_axis = _money_axis("Spend a year")
    cost_band = (
        base.mark_area(opacity=0.55)
        .encode(
            y=alt.Y("care_cost_with:Q", axis=money_axis, scale=alt.Scale(zero=True)),
            y2=alt.Y2("spend_with:Q"),
            color=colour,
        )
        .transform_calculate(Series=f"'{INTERVENTION_COST}'")
    )
    saving_band = (
        base.mark_area(opacity=0.35)
        .encode(y=alt.Y("spend_with:Q"), y2=alt.Y2("spend_without:Q"), color=colour)
        .transform_calculate(Series=f"'{NET_SAVING}'")
    )

    def line(key: str, name: str, dash: list[int] | None = None) -> alt.Chart:
        return (
            base.mark_line(point=True, strokeWidth=2.5, strokeDash=dash or [1, 0])
            .encode(y=alt.Y(f"{key}:Q"), color=colour)
            .transform_calculate(Series=f"'{name}'")
        )

    return alt.layer(
        cost_band,
        saving_band,
        line("care_cost_with", CARE_WITH, [4, 3]),
        line("spend_with", SPEND_WITH),
        line("spend_without", SPEND_WITHOUT),
    ).properties(height=TALL)


# ---------------------------------------------------------------------------------------------
# Tracking
# ---------------------------------------------------------------------------------------------

PLANNED, ACTUAL = "Planned (business case)", "Actual (realised)"


def tracking_chart(interventions: Sequence[dict[str, Any]]) -> alt.LayerChart:
    """Net savings to date, planned against realised, per intervention (`appraise track` JSON)."""
    rows = [
        {
            "Intervention": t["name"],
            "Side": side,
            "Net savings": t["to_date"][key]["net_savings"],
            "label": money(t["to_date"][key]["net_savings"]),
        }
        for t in interventions
        for side, key in ((PLANNED, "planned"), (ACTUAL, "actual"))
    ]
    frame = pd.DataFrame(rows)
    order = [t["name"] for t in interventions]
    y = alt.Y("Intervention:N", sort=order, axis=NAME_AXIS)
    offset, side = _pair("Side", (PLANNED, ACTUAL), (SKY_BLUE, BLUE))
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=y,
            yOffset=offset,
            x=alt.X(
                "Net savings:Q", axis=_money_axis("Net savings to date"), scale=alt.Scale(zero=True)
            ),
            color=side,
            tooltip=[
                alt.Tooltip("Intervention:N"),
                alt.Tooltip("Side:N", title="Figure"),
                alt.Tooltip("label:N", title="Net savings to date"),
            ],
        )
    )
    text = alt.Chart(frame).encode(
        y=y, yOffset=offset, x=alt.X("Net savings:Q"), text=alt.Text("label:N")
    )
    gains, losses = _end_labels(text, "datum['Net savings'] >= 0")
    return alt.layer(bars, gains, losses, _zero_rule("x")).properties(height=alt.Step(BAR))


# ---------------------------------------------------------------------------------------------
# Programme
# ---------------------------------------------------------------------------------------------

PROJECTED_SPEND = "Projected spend without the programme"
ACTUAL_SPEND = "Actual spend"
AVOIDED_SPEND = "Spend avoided in the year"
CUMULATIVE_AVOIDED = "Spend avoided, cumulative"
MEASURE_VALUE = "Actual"
MEASURE_TARGET = "Target"
SAVINGS_TARGET, SAVINGS_ACHIEVED = "Savings target", "Achieved"
_YEAR_AXIS = alt.Axis(labelAngle=0, title="Financial year")


def programme_spend_chart(years: Sequence[dict[str, Any]]) -> alt.LayerChart:
    """Projected spend without the programme against actual spend, by financial year
    (`appraise programme` JSON `years`; a year without a figure has no point)."""
    rows = [
        {
            "Financial year": y["financial_year"],
            "Series": name,
            "Spend": y[key],
            "label": money(y[key]),
        }
        for y in years
        for name, key in ((PROJECTED_SPEND, "projected_spend"), (ACTUAL_SPEND, "actual_spend"))
        if y[key] is not None
    ]
    order = [y["financial_year"] for y in years]
    lines = (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=alt.X("Financial year:O", sort=order, axis=_YEAR_AXIS, scale=alt.Scale(domain=order)),
            y=alt.Y("Spend:Q", axis=_money_axis("Spend a year"), scale=alt.Scale(zero=True)),
            color=alt.Color(
                "Series:N",
                scale=alt.Scale(domain=[PROJECTED_SPEND, ACTUAL_SPEND], range=[VERMILLION, BLUE]),
                legend=below([PROJECTED_SPEND, ACTUAL_SPEND]),
                sort=[PROJECTED_SPEND, ACTUAL_SPEND],
            ),
            tooltip=[
                alt.Tooltip("Financial year:O"),
                alt.Tooltip("Series:N"),
                alt.Tooltip("label:N", title="Spend"),
            ],
        )
    )
    return alt.layer(lines).properties(height=TALL)


def avoided_spend_chart(years: Sequence[dict[str, Any]]) -> alt.LayerChart:
    """Spend avoided each financial year (bars) and its running total (a line); a difference a
    report states, with no spend levels, is drawn as it is, and its tooltip says so."""
    rows = [
        {
            "Financial year": y["financial_year"],
            "Avoided": y["avoided_spend"],
            "Cumulative": y["cumulative_avoided_spend"],
            "avoided_label": money(y["avoided_spend"]),
            "cumulative_label": money(y["cumulative_avoided_spend"]),
            "basis": y["avoided_spend_basis"] or "not known",
        }
        for y in years
    ]
    frame = pd.DataFrame(rows)
    order = [y["financial_year"] for y in years]
    colour = alt.Color(
        "Series:N",
        scale=alt.Scale(domain=[AVOIDED_SPEND, CUMULATIVE_AVOIDED], range=[SKY_BLUE, BLACK]),
        legend=below([AVOIDED_SPEND, CUMULATIVE_AVOIDED]),
        sort=[AVOIDED_SPEND, CUMULATIVE_AVOIDED],
    )
    x = alt.X("Financial year:O", sort=order, axis=_YEAR_AXIS, scale=alt.Scale(domain=order))
    tooltip = [
        alt.Tooltip("Financial year:O"),
        alt.Tooltip("avoided_label:N", title=AVOIDED_SPEND),
        alt.Tooltip("basis:N", title="Found as"),
        alt.Tooltip("cumulative_label:N", title=CUMULATIVE_AVOIDED),
    ]
    base = alt.Chart(frame).encode(x=x, tooltip=tooltip)
    bars = (
        base.mark_bar(size=36)
        .encode(
            y=alt.Y("Avoided:Q", axis=_money_axis("Spend avoided"), scale=alt.Scale(zero=True)),
            color=colour,
        )
        .transform_filter("isValid(datum.Avoided)")
        .transform_calculate(Series=f"'{AVOIDED_SPEND}'")
    )
    running = (
        base.mark_line(point=True, strokeWidth=2.5)
        .encode(y=alt.Y("Cumulative:Q"), color=colour)
        .transform_filter("isValid(datum.Cumulative)")
        .transform_calculate(Series=f"'{CUMULATIVE_AVOIDED}'")
    )
    return alt.layer(bars, running, _zero_rule("y")).properties(height=TALL)


def measure_chart(measure: dict[str, Any]) -> alt.LayerChart:
    """One measure over time: its values (a line) and its targets (diamonds), month by month
    (an entry of `appraise programme` JSON `measures`)."""
    unit = measure["unit"] or measure["name"]
    rows = [
        {"date": f"{v['at']}-01", "Month": v["at"], "Value": v["value"], "Series": MEASURE_VALUE}
        for v in measure["values"]
    ] + [
        {"date": f"{t['at']}-01", "Month": t["at"], "Value": t["value"], "Series": MEASURE_TARGET}
        for t in measure["targets"]
    ]
    frame = pd.DataFrame(rows)
    frame["label"] = [f"{v:,g}" for v in frame["Value"]]
    colour = alt.Color(
        "Series:N",
        scale=alt.Scale(domain=[MEASURE_VALUE, MEASURE_TARGET], range=[BLUE, BLACK]),
        legend=below([MEASURE_VALUE, MEASURE_TARGET]),
        sort=[MEASURE_VALUE, MEASURE_TARGET],
    )
    base = alt.Chart(frame).encode(
        x=alt.X(
            "utcyearmonth(date):T",
            axis=alt.Axis(title="Month (the value at its end)", format="%b %Y", labelAngle=0),
        ),
        y=alt.Y("Value:Q", axis=alt.Axis(title=unit), scale=alt.Scale(zero=False)),
        color=colour,
        tooltip=[
            alt.Tooltip("Series:N"),
            alt.Tooltip("Month:N"),
            alt.Tooltip("label:N", title=unit),
        ],
    )
    is_value = f"datum.Series == '{MEASURE_VALUE}'"
    values = base.mark_line(point=alt.OverlayMarkDef(size=80), strokeWidth=2.5).transform_filter(
        is_value
    )
    targets = base.mark_point(shape="diamond", size=140, filled=True, opacity=1).transform_filter(
        f"!({is_value})"
    )

    def labels(test: str, dy: int) -> alt.Chart:  # values above, targets below: both readable
        marks = base.mark_text(align="left", dx=10, dy=dy, fontWeight="bold")
        return marks.encode(text="label:N").transform_filter(test)

    return alt.layer(
        values, targets, labels(is_value, -8), labels(f"!({is_value})", 10)
    ).properties(height=280)


def savings_chart(savings: Sequence[dict[str, Any]]) -> alt.LayerChart:
    """Each savings target against what was achieved (no bar where nothing is reported)."""
    rows = []
    for s in savings:
        name = f"{s['workstream']} {s['year']}"
        rows.append(
            {"Target": name, "Side": SAVINGS_TARGET, "Amount": s["target"], "status": s["status"]}
        )
        if s["achieved"] is not None:
            rows.append(
                {
                    "Target": name,
                    "Side": SAVINGS_ACHIEVED,
                    "Amount": s["achieved"],
                    "status": s["status"],
                }
            )
    frame = pd.DataFrame(rows)
    frame["label"] = [money(x) for x in frame["Amount"]]
    order = list(dict.fromkeys(frame["Target"]))
    y = alt.Y("Target:N", sort=order, axis=NAME_AXIS)
    offset, side = _pair("Side", (SAVINGS_TARGET, SAVINGS_ACHIEVED), (SKY_BLUE, BLUE))
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=y,
            yOffset=offset,
            x=alt.X("Amount:Q", axis=_money_axis("Savings"), scale=alt.Scale(zero=True)),
            color=side,
            tooltip=[
                alt.Tooltip("Target:N", title="Workstream and year"),
                alt.Tooltip("Side:N", title="Figure"),
                alt.Tooltip("label:N", title="Amount"),
                alt.Tooltip("status:N", title="Status"),
            ],
        )
    )
    text = alt.Chart(frame).encode(
        y=y, yOffset=offset, x=alt.X("Amount:Q"), text=alt.Text("label:N")
    )
    return alt.layer(bars, text.mark_text(align="left", dx=4, color=BLACK)).properties(
        height=alt.Step(BAR)
    )


# ---------------------------------------------------------------------------------------------
# Outcome contracts (docs/outcome-contracts.md)
# ---------------------------------------------------------------------------------------------

UNDER_CONTRACT = "Council, under the outcome contract"
DIRECT = "Council, under direct delivery (paying the cost)"
PAYMENTS = "Outcome payments"


def contract_position_chart(rows: Sequence[dict[str, Any]], expected: float) -> alt.LayerChart:
    """The council's net position against the outcome achieved, under the contract and under
    direct delivery, with the outcome payments; a rule at the outcome expected.

    `rows`: `appraise.analyses.contracts.positions_by_outcome`; x is the share in care achieved
    where the contract has a baseline (lower is better), else the outcomes as a share of those
    expected. `expected`: that x at the appraisal's central figures.
    """
    share = all(r.get("achieved_share") is not None for r in rows)
    key, title = (
        ("achieved_share", "Share in care achieved")
        if share
        else ("scale", "Outcomes achieved, share of those expected")
    )
    frame = pd.DataFrame(
        [
            {"x": r[key], "Series": name, "value": r[field], "label": money(r[field])}
            for r in rows
            for name, field in (
                (UNDER_CONTRACT, "contract_council_net"),
                (DIRECT, "direct_net"),
                (PAYMENTS, "contract_payments"),
            )
        ]
    )
    frame["x_label"] = [pct(x, 1) for x in frame["x"]]
    domain = [UNDER_CONTRACT, DIRECT, PAYMENTS]
    colour = alt.Color(
        "Series:N",
        scale=alt.Scale(domain=domain, range=[BLUE, VERMILLION, GREY]),
        legend=below(domain),
        sort=domain,
    )
    lines = (
        alt.Chart(frame)
        .mark_line(strokeWidth=2.5)
        .encode(
            x=alt.X("x:Q", title=title, axis=alt.Axis(format=".0%")),
            y=alt.Y(
                "value:Q",
                axis=_money_axis("£ over the horizon (undiscounted)"),
                scale=alt.Scale(zero=True),
            ),
            color=colour,
            strokeDash=alt.condition(
                f"datum.Series == '{PAYMENTS}'", alt.value([4, 3]), alt.value([1, 0])
            ),
            tooltip=[
                alt.Tooltip("x_label:N", title=title),
                alt.Tooltip("Series:N", title="Line"),
                alt.Tooltip("label:N", title="£"),
            ],
        )
    )
    mark = pd.DataFrame({"x": [expected], "text": ["expected"]})
    rule = alt.Chart(mark).mark_rule(color=BLACK, strokeDash=[2, 2]).encode(x="x:Q")
    note = (
        alt.Chart(mark)
        .mark_text(align="left", dx=4, dy=-6, color=BLACK)
        .encode(x="x:Q", y=alt.value(0), text="text:N")
    )
    return alt.layer(_zero_rule(), lines, rule, note).properties(height=TALL)


def contract_payments_chart(years: Sequence[dict[str, Any]]) -> alt.Chart:
    """Outcome payments by year, the council's and a co-funder's stacked, with any fixed fee.

    `years`: the `contract.years` rows of `appraise evaluate --format json`.
    """
    parts = (
        ("Council: outcome payments", "contract_council_payments"),
        ("Co-funder: outcome payments (top-up)", "contract_top_up"),
        ("Council: fixed fee", "contract_fixed_fee"),
    )
    frame = pd.DataFrame(
        [
            {"year": y["year"], "Part": name, "value": y[key], "label": money(y[key])}
            for y in years
            for name, key in parts
        ]
    )
    domain = [name for name, _ in parts]
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("year:O", axis=alt.Axis(labelAngle=0, title="Year")),
            y=alt.Y(
                "value:Q",
                stack="zero",
                axis=_money_axis("Paid in the year"),
                scale=alt.Scale(zero=True),
            ),
            color=alt.Color(
                "Part:N",
                scale=alt.Scale(domain=domain, range=[BLUE, SKY_BLUE, ORANGE]),
                legend=below(domain),
                sort=domain,
            ),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("Part:N", title="Paid"),
                alt.Tooltip("label:N", title="£"),
            ],
        )
        .properties(height=TALL)
    )


def variants_chart(rows: Sequence[dict[str, Any]]) -> alt.LayerChart:
    """Net savings a year and NPV (over each one's horizon) of each named variant of a
    portfolio (the app's Scenarios page), side by side; `rows` are {"name", "net_savings", "npv"}."""
    measures = {"Net savings a year": "net_savings", "NPV": "npv"}
    frame = pd.DataFrame(
        [
            {"Scenario": r["name"], "Measure": shown, "£": r[key], "label": money(r[key])}
            for r in rows
            for shown, key in measures.items()
        ]
    )
    order = [r["name"] for r in rows]
    base = alt.Chart(frame).encode(
        y=alt.Y("Scenario:N", sort=order, axis=NAME_AXIS),
        yOffset=alt.YOffset("Measure:N", sort=list(measures)),
        x=alt.X(
            "£:Q",
            axis=_money_axis("£ (net savings a year; NPV)"),
            scale=_room_for_labels([r[k] for r in rows for k in measures.values()]),
        ),
    )
    bars = base.mark_bar(height=BAR - 4).encode(
        color=alt.Color(
            "Measure:N",
            sort=list(measures),
            legend=below(list(measures)),
        ),
        tooltip=[alt.Tooltip("Scenario:N"), alt.Tooltip("Measure:N"), alt.Tooltip("label:N")],
    )
    text = base.encode(text=alt.Text("label:N"))
    gains, losses = _end_labels(text, "datum['£'] >= 0")
    return alt.layer(bars, gains, losses, _zero_rule("x")).properties(height=alt.Step(BAR))
