"""The app's pages. Each is one function taking a `View`; `PAGES` lists them in menu order.

To add a page: write `def my_page(view: View) -> None` (lay out widgets and charts over
`view.results`, the JSON of `appraise evaluate`, or over `view.appraisal` for arrays), then add
`Page("My page", my_page)` to `PAGES`. A page with much of its own (Uncertainty, Forecast, Verify)
lives in a module of its own (`appraise.ui.uncertainty`, `.forecast`, `.claims`) and computes
only when it is open, through a cached run in `appraise.ui.runs`.

The files the Export page offers are in `appraise.ui.downloads`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from appraise.display import (
    STALE_YEARS,
    compared_text,
    discount_text,
    money,
    num,
    pct,
    rate,
    ratio_text,
    stale_years,
    success_rate_text,
    years_text,
)
from appraise.engine.figures import FIGURES
from appraise.errors import InputError
from appraise.model import ratings
from appraise.model.schema import RATINGS
from appraise.ui import (
    builder,
    charts,
    claims,
    classes,
    contracts,
    forecast,
    inputs,
    programme,
    scenarios,
    session,
    uncertainty,
)
from appraise.ui.downloads import DOWNLOADS, offer
from appraise.ui.layout import Page, View, chart, conventions, headline, payback, show_table
from appraise.ui.paper import paper_section, stem
from appraise.ui.runs import success_rate_curve
from appraise.ui.text import plain

CASHABLE_METHODS = {
    "strict": "Strict: cashable gross savings minus the whole cost",
    "pro_rata": "Pro rata: net savings x the cashable share (Thurrock's convention)",
}
PERSPECTIVES = {
    "childrens_social_care": "Children's social care",
    "public_sector": "The public sector (every payer)",
}


# ---------------------------------------------------------------------------------------------
# Portfolio
# ---------------------------------------------------------------------------------------------


def _unit(view: View, record: dict[str, Any]) -> tuple[str, str]:
    """(unit of reach, unit of the averted outcome) as the portfolio names them."""
    portfolio = view.appraisal.model.portfolio
    item = next(i for i in portfolio.interventions if i.id == record["id"])
    keys = item.outcomes_averted
    outcome = portfolio.outcomes[keys[0]]
    units = outcome.unit or "outcomes" if len(keys) == 1 else "outcomes (all kinds)"
    return item.reach.unit or "cases", units


def _one_year(r: dict[str, Any]) -> dict[str, str]:
    """The money columns an intervention shares with the portfolio total."""
    keys = ("cost", "gross_savings", "net_savings", "cashable_net_savings")
    return {FIGURES[k].title: money(r[k]) for k in keys}


def _year_metric(key: str, figures: dict[str, Any]) -> tuple[str, str, str]:
    """A money figure of a year's service as a headline metric: '<name> a year', £, its help."""
    figure = FIGURES[key]
    return f"{figure.title} a year", money(figures[key]), figure.explained


def comparison_table(view: View) -> pd.DataFrame:
    """One year of every intervention as displayed (a row each, then the total)."""
    rows = []
    for r in view.records:
        reach_unit, outcome_unit = _unit(view, r)
        rows.append(
            {
                "Intervention": plain(r["name"]),
                FIGURES["evidence_rating"].title: r["evidence_rating"],
                FIGURES["reach"].title: f"{num(r['reach'], 1)} {plain(reach_unit)}",
                FIGURES["outcomes_averted"].title: (
                    f"{num(r['outcomes_averted'])} {plain(outcome_unit)}"
                ),
                **_one_year(r),
                **{
                    FIGURES[k].title: rate(r, k)
                    for k in ("break_even_success_rate", "effect_adjusted")
                },
            }
        )
    if "options" not in view.results:  # with options a total would add up alternatives
        rows.append({"Intervention": "Total", **_one_year(view.totals)})
    return pd.DataFrame(rows).fillna("")


def horizon_table(view: View) -> pd.DataFrame:
    """Every intervention over the horizon: present values, NPV, BCR and payback."""
    h = view.totals["horizon_years"]
    return pd.DataFrame(
        [
            {
                "Intervention": plain(r.get("name", "Total")),
                **{FIGURES[k].title: money(r[k]) for k in ("pv_cost", "pv_gross_savings", "npv")},
                FIGURES["bcr"].title: ratio_text(r["bcr"], r["pv_cost"]),
                **{
                    FIGURES[k].title: payback(r[k], h)
                    for k in ("payback_year", "discounted_payback_year")
                },
            }
            for r in [*view.records, *([view.totals] if "options" not in view.results else [])]
        ]
    )


def portfolio_page(view: View) -> None:
    """Headline figures and every intervention side by side."""
    t = view.totals
    st.title(plain(t["portfolio"]))
    description = view.appraisal.model.portfolio.description
    if description:
        st.markdown(plain(description))
    st.caption(conventions(t))
    prices = view.results.get("prices")
    stale_warning(prices)
    for r in view.records:
        for flag in r["flags"]:  # an effect seen over part of a year, taken as a year's
            st.warning(plain(flag) + ".")
    h = t["horizon_years"]
    options = view.results.get("options")
    if options is not None:
        options_headline(options, h)
    else:
        portfolio_headline(t)
    st.subheader("Every intervention: one year of service")
    show_table(comparison_table(view))
    st.caption(
        "Success rates are the share of cases in which the outcome is averted ('/case': outcomes "
        "averted per case). Evidence is the EIF level (4+ strongest ... NL2 not yet level 2)."
    )
    st.subheader(
        f"Over {years_text(h)}, discounted at {discount_text(t['discount_rate'], h, a_year=True)}"
    )
    show_table(horizon_table(view))
    classes.class_section(view.records, None if options is not None else view.totals)
    if options is None:
        st.subheader("When does the portfolio pay back?")
        chart(charts.cumulative_chart({}, t["years"]))
    prices_section(prices)
    with st.expander("Portfolio settings (whose savings count, cashable convention, horizon)"):
        portfolio_settings(view)


def stale_warning(prices: dict[str, Any] | None) -> None:
    """A warning naming every figure more than 5 years older than the price base."""
    if not prices:
        return
    base = prices["price_base"]
    stale = [r for r in prices["uprated"] if stale_years(r, base) > STALE_YEARS]
    if stale:
        listed = "; ".join(f"{plain(r['field'])} ({r['price_year']})" for r in stale)
        st.warning(
            f"{len(stale)} figure{'s' if len(stale) > 1 else ''} more than {STALE_YEARS} years "
            f"older than the price base {base}: {listed}. Each is uprated by its index, but a "
            "newer source would be better."
        )


def prices_section(prices: dict[str, Any] | None) -> None:
    """Every money figure's uprating to the price base: as given, year, index, factor, result."""
    if not prices:
        return
    base = prices["price_base"]
    records = prices["uprated"]
    assumed = sum(r["assumed"] for r in records)
    title = f"Prices: every figure in {base} prices"
    if assumed:
        title += f" ({assumed} of {len(records)} assumed to be in them already)"
    with st.expander(title):
        for note in prices["notes"]:
            st.caption(plain(note))
        frame = pd.DataFrame(
            [
                {
                    "Figure": plain(r["field"]),
                    "As given": money(r["original"], 2),
                    "Price year": r["price_year"] + (" (assumed)" if r["assumed"] else ""),
                    "Index": plain(r["index_label"]),
                    "Factor": f"{r['factor']:.4f}",
                    f"In {base} prices": money(r["result"], 2),
                    "Note": plain("; ".join(r["notes"])),
                }
                for r in records
            ]
        )
        show_table(frame)


def options_headline(options: list[dict[str, Any]], horizon: int) -> None:
    """For a file of options: the best option's figures, never a sum across options."""
    best = next(o for o in options if o["rank"] == 1)
    st.info(
        f"This file holds {len(options)} mutually exclusive options, so its interventions are "
        "alternatives and are never added up. The best by NPV is shown here; the Compare page sets "
        "every option side by side."
    )
    headline(
        [
            ("Best option", plain(best["name"]), "The option with the highest NPV."),
            (f"Its NPV over {years_text(horizon)}", money(best["npv"]), FIGURES["npv"].explained),
            (
                FIGURES["bcr"].title,
                ratio_text(best["bcr"], best["pv_cost"]),
                FIGURES["bcr"].explained,
            ),
            ("Its cost a year", money(best["cost"]), "What a year of its services costs."),
        ]
    )


def portfolio_headline(t: dict[str, Any]) -> None:
    """The portfolio's totals as headline metrics."""
    h = t["horizon_years"]
    headline(
        [
            ("Total cost a year", money(t["cost"]), "What a year of every service costs."),
            _year_metric("gross_savings", t),
            _year_metric("net_savings", t),
            (
                "Cashable net savings a year",
                money(t["cashable_net_savings"]),
                "The part that comes off a budget line quickly (placement spend), by the "
                f"{t['cashable_method'].replace('_', ' ')} convention. Strict: "
                f"{money(t['cashable_net_savings_strict'])}; pro rata: "
                f"{money(t['cashable_net_savings_pro_rata'])}.",
            ),
            ("ROI", ratio_text(t["roi"], t["cost"]), FIGURES["roi"].explained),
            (f"NPV over {years_text(h)}", money(t["npv"]), FIGURES["npv"].explained),
            (FIGURES["bcr"].title, ratio_text(t["bcr"], t["pv_cost"]), FIGURES["bcr"].explained),
            (
                FIGURES["payback_year"].title,
                payback(t["payback_year"], h),
                FIGURES["payback_year"].explained,
            ),
        ]
    )


def portfolio_settings(view: View) -> None:
    """Widgets for the portfolio-wide conventions."""
    t = view.totals
    portfolio = view.appraisal.model.portfolio
    left, right = st.columns(2)
    with left:
        inputs.choice(
            "perspective",
            "Whose savings the headline figures count",
            list(PERSPECTIVES),
            t["perspective"],
            labels=PERSPECTIVES,
        )
        inputs.choice(
            "cashable_method",
            "Cashable savings convention",
            list(CASHABLE_METHODS),
            t["cashable_method"],
            labels=CASHABLE_METHODS,
        )
        inputs.flag(
            "apply_optimism_bias",
            "Haircut effects by evidence rating (optimism bias)",
            portfolio.apply_optimism_bias,
        )
    with right:
        inputs.number("horizon_years", "Horizon (years)", t["horizon_years"], integer=True)
        if isinstance(t["discount_rate"], int | float):
            inputs.number("discount_rate", "Discount rate a year", t["discount_rate"], percent=True)
        else:  # a schedule is edited in the file: the page says which one is in force
            st.caption(f"Discounting: {discount_text(t['discount_rate'], t['horizon_years'])}.")
        inputs.number(
            "non_uk_evidence_haircut",
            "Haircut for effects found only outside the UK",
            portfolio.non_uk_evidence_haircut,
            percent=True,
        )


# ---------------------------------------------------------------------------------------------
# Compare
# ---------------------------------------------------------------------------------------------


def options_table(options: list[dict[str, Any]], names: dict[str, str]) -> pd.DataFrame:
    """The options side by side, best first (`options` of `appraise evaluate --format json`)."""
    rows = []
    for o in sorted(options, key=lambda o: o["rank"]):
        compared = o["incremental_npv"] is not None
        spends = o["pv_cost"] != 0 or o["pv_gross_savings"] != 0
        rows.append(
            {
                "Rank": o["rank"],
                "Option": plain(o["name"]),
                "Interventions": plain(", ".join(names[i] for i in o["interventions"]) or "none"),
                **{
                    FIGURES[k].title: money(o[k])
                    for k in ("cost", "net_savings", "cashable_net_savings", "pv_cost", "npv")
                },
                FIGURES["bcr"].title: ratio_text(o["bcr"], o["pv_cost"]) if spends else "n/a",
                "Compared with": plain(compared_text(o)),
                "Incremental NPV": money(o["incremental_npv"]) if compared else "",
                "Incremental BCR": (
                    ("infinite" if o["incremental_bcr"] is None else num(o["incremental_bcr"]))
                    if compared
                    else ""
                ),
            }
        )
    return pd.DataFrame(rows)


def options_section(view: View, options: list[dict[str, Any]]) -> None:
    """The options side by side: a table, and NPV by option."""
    h = view.totals["horizon_years"]
    best = next(o for o in options if o["rank"] == 1)
    st.subheader("The options side by side")
    st.write(
        f"Only one option will be chosen, so each has its own figures and they are never added up. "
        f"Ranked by NPV over {years_text(h)}: **{plain(best['name'])}** first. An option is dominated when "
        "another costs no more and saves no less, and ruled out by extended dominance when a mix "
        "of a cheaper and a dearer option would save more for its cost. Each of the rest, the "
        "efficiency frontier, is set against the option before it there: the incremental NPV is "
        "what spending the difference adds, and an incremental benefit-cost ratio above 1 means "
        "the extra spending pays for itself."
    )
    show_table(options_table(options, view.names()))
    st.subheader(f"NPV over {years_text(h)}, by option")
    chart(charts.option_npv_chart(options, h))


def compare_page(view: View) -> None:
    """Charts across interventions: net savings, margin of safety, who saves, payback (and the
    options side by side, when the portfolio has them)."""
    options = view.results.get("options")
    st.title("Compare the options" if options is not None else "Compare the interventions")
    st.caption(conventions(view.totals))
    if options is not None:
        options_section(view, options)
    st.subheader("Net savings a year, by strength of evidence")
    chart(charts.net_savings_chart(view.records))
    st.subheader("Margin of safety: expected against break-even success rate")
    st.caption(
        "Black diamond: the success rate needed just to break even. Circle: the expected rate, "
        "which the evidence supports only for a cited effect rated 3 or above (the Intervention "
        "page says which); otherwise it is an assumed rate. A blue line means the service pays "
        "for itself; the longer it is, the more the effect can fall short before it stops paying."
    )
    for panel in charts.success_rates_charts(view.records):
        chart(panel)
    st.subheader("Who saves: gross savings by payer")
    chart(charts.payer_chart(view.records))
    st.subheader("Cumulative net savings: when does each pay back?")
    # With options the portfolio's line would add up alternatives.
    total = view.totals["years"] if options is None else None
    chart(charts.cumulative_chart({r["name"]: r["years"] for r in view.records}, total))


# ---------------------------------------------------------------------------------------------
# Intervention
# ---------------------------------------------------------------------------------------------


def intervention_page(view: View) -> None:
    """One intervention: its figures, waterfall, break-even, cash flow, evidence and inputs."""
    names = [r["name"] for r in view.records]
    index = st.selectbox(
        "Intervention",
        range(len(names)),
        format_func=lambda i: names[i],
        key=f"intervention:{view.loaded.generation}",
    )
    r = view.records[index]
    model = view.appraisal.model
    item = model.interventions[index]
    h = view.totals["horizon_years"]
    st.title(plain(r["name"]))
    if item.description:
        st.markdown(plain(item.description))
    for flag in r["flags"]:
        st.warning(plain(flag) + ".")
    headline(
        [
            ("Cost a year", money(r["cost"]), f"Reach {num(r['reach'], 1)} x unit cost."),
            (
                _year_metric("gross_savings", r)[0],
                money(r["gross_savings"]),
                r["effect_conversion"],
            ),
            _year_metric("net_savings", r),
            _year_metric("cashable_net_savings", r),
            *(
                [
                    (FIGURES[k].title, rate(r, k), FIGURES[k].explained)
                    for k in ("break_even_success_rate", "effect_adjusted")
                ]
                if len(item.effect_list) == 1
                else [
                    (
                        FIGURES["break_even_effect_share"].title,
                        pct(r["break_even_effect_share"]),
                        FIGURES["break_even_effect_share"].explained,
                    ),
                    (
                        "Outcomes averted",
                        ", ".join(
                            f"{k} {num(v)}" for k, v in r["outcomes_averted_by_outcome"].items()
                        ),
                        "Each outcome it averts, a year.",
                    ),
                ]
            ),
            (f"NPV over {years_text(h)}", money(r["npv"]), FIGURES["npv"].explained),
            (
                FIGURES["payback_year"].title,
                payback(r["payback_year"], h),
                FIGURES["payback_year"].explained,
            ),
        ]
    )
    settings, figures = st.columns([1, 2], gap="large")
    with settings:
        st.subheader("Assumptions")
        st.caption("Change any figure: every number on every page follows.")
        intervention_inputs(view, index)
    with figures:
        st.subheader("From gross savings to cashable net savings")
        chart(charts.waterfall_chart(r))
        if len(item.effect_list) == 1:
            st.subheader("Net savings at each success rate")
            curve = success_rate_curve(view.loaded.key, view.loaded.name, index)
            chart(charts.break_even_chart(curve, r))
        else:
            st.subheader("Each outcome it averts")
            show_table(effects_table(r))
            st.caption(
                "Break-even for one outcome holds the others at their expected values; the "
                "service breaks even at "
                f"{pct(r['break_even_effect_share'])} of its expected effect, every outcome "
                "scaled together."
            )
        st.subheader("Cumulative net savings, year by year")
        chart(charts.cumulative_chart({r["name"]: r["years"]}))
        with st.expander("Cash flow year by year"):
            show_table(cash_flow_table(r))
        contracts.contract_section(view, index, r)
        evidence_section(view, index)


def effects_table(record: dict[str, Any]) -> pd.DataFrame:
    """One row per outcome a service averts: its effect, count, savings and break-even."""
    return pd.DataFrame(
        [
            {
                "Outcome": plain(e["averts"]),
                "Effect": plain(e["effect_conversion"]),
                "Averted a year": num(e["outcomes_averted"]),
                "Cost of one": money(e["outcome_cost"]),
                "Gross savings": money(e["gross_savings"]),
                "Break-even a case (others as expected)": success_rate_text(
                    e["break_even_success_rate"], e["effect_form"] == "per_case"
                ),
            }
            for e in record["effects"]
        ]
    )


def cash_flow_table(record: dict[str, Any]) -> pd.DataFrame:
    """One intervention's `years`, as displayed."""
    return pd.DataFrame(
        [
            {
                "Year": y["year"],
                "Cost": money(y["cost"]),
                "Gross savings": money(y["gross_savings"]),
                **{FIGURES[k].title: money(y[k]) for k in classes.COLUMNS[1:]},
                "Net savings": money(y["net_savings"]),
                "Cashable net savings": money(y["cashable_net_savings"]),
                "Cumulative net": money(y["cumulative_net"]),
                "Discounted net": money(y["discounted_net"]),
            }
            for y in record["years"]
        ]
    )


def evidence_section(view: View, index: int) -> None:
    """The evidence rating, the effect's conversion and every source in full."""
    model = view.appraisal.model
    item = model.interventions[index]
    record = view.records[index]
    grade = ratings.rating(item.evidence.rating)
    st.subheader(f"Evidence: rating {grade.described}")
    st.caption(f"{grade.meaning} (Foundations Guidebook, {ratings.STANDARDS_PAGE})")
    st.markdown(f"**Effect used**: {record['effect_conversion']}.")
    st.markdown(
        "**The evidence supports the expected rate**: a cited effect rated 3 or above."
        if model.evidence_supports(index)
        else "**The expected rate is an assumed success rate**, not one the evidence supports: "
        "the effect is not cited, or is rated below 3."
    )
    for finding in item.evidence.against:
        entry = model.evidence.get(finding.source)
        who = entry.citation if entry else finding.source
        st.info(f"**A finding against this effect** ({plain(who)}): {plain(finding.found)}")
    for averts, effect, _ in item.effect_list:
        if effect.note:
            lead = f"{averts}: " if len(item.effect_list) > 1 else ""
            st.markdown(plain(lead + effect.note))
    if item.evidence.note:
        st.markdown(plain(item.evidence.note))
    effect_sources = set(model.effect_sources[index])
    for source in item.evidence.sources:
        entry = model.evidence.get(source)
        if entry is None:
            continue
        tag = " (establishes the effect)" if source in effect_sources else ""
        st.markdown(
            f"- **{plain(entry.citation)}**{tag}, {plain(entry.country)}, "
            f"{entry.type.replace('_', ' ')}"
        )
        st.caption(plain(entry.reference))  # its address shown, not a link
        with st.expander(f"What {plain(entry.citation)} found"):
            st.markdown(plain(entry.found))


def intervention_inputs(view: View, index: int) -> None:
    """Every input of one intervention, and of the outcome it averts (shared)."""
    model = view.appraisal.model
    item = model.interventions[index]
    at = f"interventions[{index}]"
    sections = {
        "reach": "Reach",
        "unit_cost": "Cost",
        "effect": "Effect" if len(item.effect_list) == 1 else "Effects (one per outcome averted)",
        "additionality": "Additionality (what the service adds: deadweight, attribution, "
        "displacement)",
        "timing": "Timing",
    }
    mine = [p for p in model.params if p.owner_kind == "intervention" and p.owner == item.id]
    citations = model.citations()
    for section, title in sections.items():
        st.markdown(f"**{title}**")
        for p in mine:
            if p.path.startswith((f"{at}.{section}.", f"{at}.{section}s[")):
                inputs.param(p, ", ".join(item.evidence.sources), citations)
        if section == "effect":
            st.caption(f"In use: {view.records[index]['effect_conversion']}.")
            inputs.choice(
                f"{at}.evidence.rating",
                "Evidence rating (Foundations Guidebook)",
                RATINGS,
                item.evidence.rating,
                labels={code: ratings.rating(code).described for code in RATINGS},
                help=ratings.legend() + " Used for the optimism-bias haircut when that is on.",
            )
        if section == "timing":
            inputs.number(
                f"{at}.timing.cohorts",
                "Cohorts started (0 = one every year)",
                item.timing.cohorts,
                integer=True,
            )
    for key in item.outcomes_averted:
        outcome = model.portfolio.outcomes[key]
        st.markdown(f"**Cost of the outcome: {plain(outcome.name)}**")
        st.caption("Shared by every intervention that averts this outcome.")
        for p in model.params:
            if p.owner_kind == "outcome" and p.owner == key:
                inputs.param(p, ", ".join(outcome.sources), citations)
        if outcome.change is not None:  # the placement types it moves between
            for end in outcome.change.ends:
                for p in model.params:
                    if p.owner_kind == "placement" and p.owner == end:
                        inputs.param(p, ", ".join(p.sources), citations)


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


def export_page(view: View) -> None:
    """Downloads of the edited portfolio and its results; saving to a new file."""
    loaded = view.loaded
    st.title("Export")
    name = stem(loaded.name)
    st.subheader("Download")
    for column, download in zip(st.columns(len(DOWNLOADS)), DOWNLOADS, strict=True):
        with column:
            offer(download, view, name)
    paper_section(view)
    st.subheader("Your edits")
    edits = session.edited_values(loaded)
    if edits:
        labels = {p.path: p.label for p in view.appraisal.model.params}
        st.table(
            pd.DataFrame(
                [
                    {
                        "Input": plain(labels.get(path.removesuffix(".central"), path)),
                        "Field": path,
                        "As loaded": plain(_plain(before)),
                        "Now": plain(_plain(after)),
                    }
                    for path, before, after in edits
                ]
            ),
            hide_index=True,
        )
        st.button("Discard edits", on_click=session.discard_edits, key="discard-export")
    else:
        st.write(f"None: the figures are those of {plain(loaded.name)}.")
    st.subheader("Save to a file")
    st.caption(
        "Writes a YAML file into the app's workspace folder (to a temporary file first, then "
        "renamed). A file this session did not write is replaced only "
        "if you tick the box; the bundled examples and the library never are."
    )
    target = st.text_input("File name", value=f"{name}-edited.yaml", key="save-as")
    overwrite = st.checkbox("Overwrite the file if it exists", key="save-overwrite")
    if st.button("Save", key="save"):
        try:
            path = session.save(target, overwrite)
        except InputError as error:
            st.error(plain("\n".join(str(p) for p in error.problems)))
        else:
            st.success(f"Saved {plain(path)}")


def _plain(value: Any) -> str:
    if isinstance(value, dict) and "value" in value:  # a value with its provenance
        status = next((k for k in value if k != "value"), None)
        return _plain(value["value"]) + (f" ({status})" if status else "")
    return "" if value is None else str(value)


PAGES: list[Page] = [
    Page("Portfolio", portfolio_page),
    Page("Compare", compare_page),
    Page("Intervention", intervention_page),
    Page("Uncertainty", uncertainty.page),
    Page("Forecast", forecast.page),
    Page("Verify", claims.page),
    Page("Programme", programme.page),
    Page("Build", builder.page),
    Page("Scenarios", scenarios.page),
    Page("Export", export_page),
]
