"""The app's charts and cached runs: valid Vega-Lite, drawn from the core's figures, colour-blind safe."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from appraise.model.load import read_yaml
from appraise.model.schema import RATINGS
from appraise.ui import charts, runs
from appraise.ui.pages import PAGES
from tests.conftest import ROOT, THURROCK

# Okabe & Ito (2008), "Color Universal Design": the eight colours and the grey often added.
PALETTE = "#000000 #E69F00 #56B4E9 #009E73 #F0E442 #0072B2 #D55E00 #CC79A7 #999999"
OKABE_ITO = set(PALETTE.split(" "))
LAC_YEAR = 35 * 1072 / 0.53  # APHR 2017: one child looked after for a year


@pytest.fixture(autouse=True)
def in_project_folder(monkeypatch):
    """The app names files relative to where it runs, as `make app` runs it: the project folder."""
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def thurrock_key() -> str:
    """The example as the app holds it: resolved file data as canonical JSON."""
    from appraise.model.load import portfolio_from_data
    from appraise.model.save import portfolio_to_data

    name = "examples/thurrock-2017.yaml"
    return runs.canonical(portfolio_to_data(portfolio_from_data(read_yaml(THURROCK), name)))


def test_every_chart_on_every_page_is_valid_vega_lite(monkeypatch):
    """The app skips Altair's schema check for speed; here every chart it draws is checked."""
    drawn = []

    def validated(figure):
        drawn.append(figure)
        return figure.to_dict(validate=True)

    monkeypatch.setattr(charts, "spec", validated)
    examples = (
        AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        .run()
        .selectbox(key="example")
        .options
    )
    assert "examples/thurrock-2017.yaml" in examples
    for example in examples:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        at.selectbox(key="example").set_value(example).run()
        for page in PAGES:
            at.radio(key="page").set_value(page.title).run()
            assert not at.exception, (example, page.title, [e.value for e in at.exception])
            assert not at.error, (example, page.title, [e.value for e in at.error])
        at.radio(key="page").set_value("Intervention").run()
        every_choice(at, "intervention:1", example)  # every effect form's curve and inputs
        at.radio(key="page").set_value("Uncertainty").run()
        if "tornado:1" in {w.key for w in at.selectbox}:  # an example with ranges
            every_choice(at, "tornado:1", example)  # the portfolio's and each one's tornado
        at.radio(key="page").set_value("Verify").run()
        for button in [b for b in at.button if b.key.startswith("example-")]:
            button.click().run()  # the example claims and actuals: the tracking chart
            assert not at.exception and not at.error, (example, button.key)
    assert len(drawn) >= 8 * len(examples)  # at least eight charts an example
    # Among them the Uncertainty, Forecast and Verify pages' charts, each named by a legend entry.
    specs = [str(f.to_dict(validate=False)) for f in drawn]
    for legend in (charts.MEDIAN, charts.AT_HIGH, charts.SPEND_WITHOUT, charts.ACTUAL):
        assert any(legend in spec for spec in specs), legend


def every_choice(at: AppTest, key: str, example: str) -> None:
    """Choose each option of the select box `key` in turn (its first is shown already)."""
    for index in range(1, len(at.selectbox(key=key).options)):
        at.selectbox(key=key).set_value(index).run()
        assert not at.exception, (example, key, index, [e.value for e in at.exception])


def test_break_even_curve_meets_zero_at_the_cores_break_even_rate(thurrock_key):
    results = runs.evaluate(thurrock_key, "thurrock").results
    for i, record in enumerate(results["interventions"]):
        curve = runs.success_rate_curve(thurrock_key, "thurrock", i)
        rates, net = curve["success_rate"].to_numpy(), curve["net_savings"].to_numpy()
        assert np.all(np.diff(net) >= 0), record["id"]  # more success never saves less
        assert np.interp(0.0, net, rates) == pytest.approx(record["break_even_success_rate"])
        expected = np.interp(record["effect_adjusted"], rates, net)
        assert expected == pytest.approx(record["net_savings"], abs=0.01), record["id"]


def test_break_even_curve_for_mst_worked_by_hand(thurrock_key):
    curve = runs.success_rate_curve(thurrock_key, "thurrock", 0)
    # At a 10% success rate: 135.5 families x 10% x £70,792.45 - 135.5 x £2,285 = £649,620.24.
    at_ten = np.interp(0.10, curve["success_rate"], curve["net_savings"])
    assert at_ten == pytest.approx(135.5 * 0.10 * LAC_YEAR - 135.5 * 2285)
    # With no success the service simply costs what it costs.
    assert curve["net_savings"].iloc[0] == pytest.approx(-135.5 * 2285)


def test_evidence_colours_are_okabe_ito_one_per_rating(thurrock_key):
    records = runs.evaluate(thurrock_key, "thurrock").results["interventions"]
    spec = charts.net_savings_chart(records).to_dict()
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    assert scale["domain"] == list(RATINGS)
    assert len(set(scale["range"])) == len(RATINGS)
    assert set(scale["range"]) <= OKABE_ITO


def test_waterfall_runs_from_gross_through_cost_to_net_and_cashable(thurrock_key):
    mst = runs.evaluate(thurrock_key, "thurrock").results["interventions"][0]
    bars = charts.waterfall_chart(mst).layer[0].data.set_index("Step")
    assert bars.loc["Gross savings", "end"] == mst["gross_savings"]
    assert bars.loc["Cost of the service", ["start", "end"]].tolist() == [
        mst["gross_savings"],
        mst["net_savings"],
    ]
    assert bars.loc["Net savings", "end"] == mst["net_savings"]
    assert bars.loc["Cashable net savings", "end"] == mst["cashable_net_savings"]
    # The cost step is the cost: gross minus net, as the core computed both.
    assert bars.loc["Cost of the service", "label"] == "-£309,618"


def test_results_are_cached_on_the_inputs(monkeypatch):
    """Switching pages reruns the script but not the appraisal; an edit runs it once."""
    calls = []
    real = runs.appraise_portfolio

    def counted(portfolio):
        calls.append(portfolio.portfolio)
        return real(portfolio)

    monkeypatch.setattr(runs, "appraise_portfolio", counted)
    runs.evaluate.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert len(calls) == 1
    for page in PAGES:
        at.radio(key="page").set_value(page.title).run()
    assert len(calls) == 1
    at.radio(key="page").set_value("Intervention").run()
    at.number_input(key="edit:0:interventions[0].reach.proportion").set_value(5.0).run()
    assert len(calls) == 2
    at.radio(key="page").set_value("Portfolio").run()
    assert len(calls) == 2


def test_with_without_chart_draws_the_forecast_lines_and_the_cost_between_them(thurrock_key):
    run = runs.forecast(thurrock_key, "thurrock")
    years = run.data["with_portfolio"]["years"]
    figure = charts.with_without_chart(years)
    frame = figure.data
    assert list(frame["spend_with"]) == [y["spend_with"] for y in years]
    assert list(frame["spend_without"]) == [y["spend_without"] for y in years]
    cost_band, saving_band = figure.layer[0], figure.layer[1]
    assert (cost_band.encoding.y.shorthand, cost_band.encoding.y2.shorthand) == (
        "care_cost_with:Q",
        "spend_with:Q",
    )
    assert (saving_band.encoding.y.shorthand, saving_band.encoding.y2.shorthand) == (
        "spend_with:Q",
        "spend_without:Q",
    )
    # The orange band's height is the intervention cost: MST £309,617.50 + Pause £303,030 +
    # parenting £237,162 (APHR 2017) in every year the portfolio runs.
    year_one = frame[frame["portfolio_year"] == 1].iloc[0]
    assert year_one["spend_with"] - year_one["care_cost_with"] == pytest.approx(
        135.5 * 2285 + 303_030 + 237_162
    )


def test_tornado_bars_run_from_the_central_npv_to_the_npv_at_each_end():
    from appraise.model.load import portfolio_from_data
    from appraise.model.save import portfolio_to_data

    name = "examples/thurrock-2017-uncertain.yaml"
    raw = read_yaml(ROOT / name)
    key = runs.canonical(portfolio_to_data(portfolio_from_data(raw, name)))
    tornado = runs.tornadoes(key, name)["portfolio"]
    swings = [{"input": s["key"], "low_text": "", "high_text": "", **s} for s in tornado["tornado"]]
    figure = charts.tornado_chart(swings, tornado["npv"])
    bars = figure.layer[0].data
    assert set(bars["start"]) == {tornado["npv"]}
    low = bars[bars["Setting"] == charts.AT_LOW]
    high = bars[bars["Setting"] == charts.AT_HIGH]
    assert list(low["NPV"]) == [s["npv_low"] for s in tornado["tornado"]]
    assert list(high["NPV"]) == [s["npv_high"] for s in tornado["tornado"]]
    # Widest first: the order of the bars is the order of the swings.
    widths = [abs(h - lo) for h, lo in zip(high["NPV"], low["NPV"], strict=True)]
    assert widths == sorted(widths, reverse=True)


def test_new_charts_use_only_okabe_ito_colours(thurrock_key):
    run = runs.forecast(thurrock_key, "thurrock")
    figures = [
        charts.with_without_chart(run.data["with_portfolio"]["years"]),
        charts.scenario_chart(run.data["scenarios"]),
        charts.npv_range_chart(
            [
                {
                    "name": "x",
                    "prob_break_even": 0.5,
                    "npv": dict.fromkeys(("p5", "p50", "p95", "mean"), 1.0),
                }
            ],
            5,
        ),
    ]
    for figure in figures:
        spec = figure.to_dict()
        ranges = [
            layer["encoding"]["color"]["scale"]["range"]
            for layer in spec.get("layer", [spec])
            if "scale" in layer.get("encoding", {}).get("color", {})
        ]
        assert ranges
        for colours in ranges:
            assert set(colours) <= OKABE_ITO
