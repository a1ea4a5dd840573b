"""Options appraisal: mutually exclusive options, each against doing nothing, ranked by NPV, with
the incremental analysis on the efficiency frontier: dominance, extended dominance and the
incremental NPV and BCR of each option on the frontier over the one before it (docs/options.md).

The edge-of-care example's figures are worked by hand from APHR 2017 (Thurrock): 135.5 families
(10% of 1,355 on CiN or CP plans), MST at £2,285 a case (Cary et al., 2013) with a 16% success rate
(Swenson et al., 2010), a year in care at 35 weeks x £1,072 / 0.53 = £70,792.45; FFT at the
library's £2,550 a case (an appraise assumption from WSIPP, 2023) with no effect credited. Every
cohort is a year's spending and a year's saving, so over 5 years at 3.5% each option's present
values are its annual figures x the annuity factor 1 + 1/1.035 + ... + 1/1.035^4.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from appraise.analyses.options import compare_options, evaluation_data, frontier
from appraise.analyses.uncertainty import BLOCK, input_stream, simulate, uncertain_params
from appraise.engine import core
from appraise.engine.options import option_totals
from appraise.engine.params import build
from appraise.engine.results import appraise_portfolio, run
from appraise.model.limits import MAX_OPTIONS
from appraise.model.load import evidence_for, load_portfolio, portfolio_from_data
from tests.conftest import EXAMPLES, THURROCK, run_cli
from tests.helpers import intervention, portfolio_data

OPTIONS_EXAMPLE = EXAMPLES / "edge-of-care-options.yaml"

ANNUITY = sum(1 / 1.035**t for t in range(5))  # 4.6731 (Green Book 3.5%, year 1 undiscounted)
LAC_YEAR = 35 * 1072 / 0.53  # £70,792.45 (APHR 2017, section 2.1)
FAMILIES = 1355 * 0.10  # 135.5
MST_COST = FAMILIES * 2285  # £309,617.50 (Table 7)
MST_GROSS = FAMILIES * 0.16 * LAC_YEAR  # 21.68 children x £70,792.45 = £1,534,780.38
FFT_COST = FAMILIES * 2550  # £345,525; no effect on care entry is credited
MST_NPV = (MST_GROSS - MST_COST) * ANNUITY  # £5,725,283
FFT_NPV = -FFT_COST * ANNUITY  # -£1,614,666


def write(tmp_path: Path, data: dict, name: str = "options.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def two_services(**overrides) -> dict:
    """Two services a commissioner would fund one of: `svc` (MST-like) and `alt`."""
    alt = intervention(id="alt", unit_cost={"amount": 1500, "per": "case"})
    data = portfolio_data(horizon_years=3, interventions=[intervention(), alt])
    data["options"] = [
        {"name": "Do nothing", "interventions": []},
        {"name": "Service", "interventions": ["svc"]},
        {"name": "Alternative", "interventions": ["alt"]},
    ]
    data.update(overrides)
    return data


def evaluate_json(path: Path) -> dict:
    proc = run_cli("evaluate", path, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# ---------------------------------------------------------------------------------------------
# The example, by hand
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> dict:
    return {o["name"]: o for o in evaluate_json(OPTIONS_EXAMPLE)["options"]}


def test_each_option_has_its_own_totals_worked_by_hand(example):
    assert list(example) == ["Do nothing", "MST", "FFT"]
    mst, fft, nothing = example["MST"], example["FFT"], example["Do nothing"]
    assert mst["interventions"] == ["edge-of-care-mst"]
    assert mst["cost"] == pytest.approx(309617.5)
    assert mst["net_savings"] == pytest.approx(MST_GROSS - MST_COST)  # £1,225,163 (Table 7)
    assert mst["pv_cost"] == pytest.approx(MST_COST * ANNUITY)  # £1,446,867
    assert mst["npv"] == pytest.approx(MST_NPV)  # £5,725,283
    assert mst["bcr"] == pytest.approx(MST_GROSS / MST_COST)  # 4.96
    assert mst["payback_year"] == 1
    assert fft["cost"] == pytest.approx(345525)
    assert fft["net_savings"] == pytest.approx(-345525)
    assert fft["npv"] == pytest.approx(FFT_NPV)  # -£1,614,666
    assert fft["bcr"] == 0 and fft["payback_year"] is None
    for key in ("cost", "net_savings", "cashable_net_savings", "pv_cost", "npv"):
        assert nothing[key] == 0


def test_ranked_by_npv_mst_then_doing_nothing_then_fft(example):
    assert [example[n]["rank"] for n in ("MST", "Do nothing", "FFT")] == [1, 2, 3]


def test_incremental_figures_on_the_frontier_by_hand(example):
    mst, fft, nothing = example["MST"], example["FFT"], example["Do nothing"]
    # Doing nothing costs nothing: nothing is cheaper, so it has no incremental figures.
    assert nothing["compared_with"] is None
    assert nothing["incremental_npv"] is None and nothing["incremental_bcr"] is None
    # MST (PV cost £1,446,867) over doing nothing (£0): its own NPV and BCR.
    assert mst["compared_with"] == "Do nothing"
    assert mst["incremental_npv"] == pytest.approx(MST_NPV)
    assert mst["incremental_bcr"] == pytest.approx(MST_GROSS / MST_COST)
    assert (nothing["status"], mst["status"]) == ("frontier", "frontier")
    # FFT (PV cost £1,614,666) costs more than MST (£1,446,867) and saves less (nothing): it is
    # dominated, so it has no incremental figures (once, the table showed -42.74 here).
    assert fft["status"] == "dominated"
    assert fft["compared_with"] is None
    assert all(
        fft[k] is None for k in ("incremental_npv", "incremental_bcr", "incremental_pv_cost")
    )


def test_the_table_gives_options_and_never_their_sum():
    proc = run_cli("evaluate", OPTIONS_EXAMPLE)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert not any(line.startswith("total") for line in lines)
    assert "all interventions" not in proc.stdout
    ranked = [line.split()[:2] for line in lines if line[:1] in "123" and "£" in line]
    assert ranked == [["1", "MST"], ["2", "Do"], ["3", "FFT"]]
    mst = next(line for line in lines if line.startswith("1 "))
    assert "£5,725,283" in mst and "4.96" in mst and "Do nothing" in mst
    fft = next(line for line in lines if line.startswith("3 "))
    assert "dominated" in fft and "-42.74" not in fft


def test_csv_has_a_row_per_option_and_no_total():
    proc = run_cli("evaluate", OPTIONS_EXAMPLE, "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert [r["id"] for r in rows] == [
        "edge-of-care-mst",
        "edge-of-care-fft",
        "option",
        "option",
        "option",
    ]
    assert [r["option"] for r in rows] == ["MST", "FFT", "Do nothing", "MST", "FFT"]
    fft = rows[-1]
    assert (fft["name"], fft["rank"], fft["status"]) == ("FFT", "3", "dominated")
    assert fft["compared_with"] == fft["incremental_npv"] == ""
    assert float(fft["npv"]) == pytest.approx(FFT_NPV)


def test_without_options_the_output_is_as_before(thurrock_json):
    assert "options" not in thurrock_json
    appraisal = appraise_portfolio(load_portfolio(THURROCK))
    assert evaluation_data(appraisal) == appraisal.to_data()
    assert compare_options(appraisal) is None


# ---------------------------------------------------------------------------------------------
# The rules: totals by the engine's own rules, ranking, the next cheaper option
# ---------------------------------------------------------------------------------------------


def test_an_options_totals_are_those_of_a_portfolio_of_its_interventions_alone():
    data = two_services(
        interventions=[
            intervention(timing={"cost_months": 18, "benefit_lag_months": 6}),
            intervention(id="alt", effect={"success_rate": 0.05}),
            intervention(id="third", unit_cost={"total": 90000}),
        ]
    )
    data["options"] = [
        {"name": "Two", "interventions": ["third", "svc"]},
        {"name": "One", "interventions": ["alt"]},
    ]
    appraisal = run(build(portfolio_from_data(data, "t.yaml", evidence={}), {}))
    alone = {**data, "interventions": [data["interventions"][0], data["interventions"][2]]}
    del alone["options"]
    own = run(build(portfolio_from_data(alone, "t.yaml", evidence={}), {})).portfolio_record()
    totals = option_totals(appraisal.per, appraisal.model.base.structure, [2, 0])
    for key in ("cost", "net_savings", "cashable_net_savings", "roi", "npv", "bcr", "pv_cost"):
        assert float(totals[key]) == pytest.approx(own[key], rel=1e-12), key
    assert int(totals["payback_year"]) == own["payback_year"]


def points(pv_cost, pv_gross_savings):
    """Option figures for `frontier` (NPV = savings - cost)."""
    return [
        {"pv_cost": c, "pv_gross_savings": b, "npv": b - c}
        for c, b in zip(pv_cost, pv_gross_savings, strict=True)
    ]


def test_ranking_breaks_ties_by_present_value_of_cost_then_file_order():
    # NPVs 5, 9, 5, 5 at costs 3, 1, 2, 2: 9 first, then the NPVs of 5 by cost, then file order.
    found = frontier(points([3.0, 1.0, 2.0, 2.0], [8.0, 10.0, 7.0, 7.0]))
    assert list(found["rank"][:4]) == [4, 1, 2, 3]


def test_the_mst_and_fft_edit_makes_fft_best_and_mst_extendedly_dominated():
    # The audit's edit of the example: MST at a 2% success rate, FFT at 16%. Doing nothing
    # (0, 0), MST (1,446,867; 135.5 x 0.02 x 70,792.45 x 4.6731 = 896,519) and FFT (1,614,666;
    # 7,172,150): MST lies below the line from doing nothing to FFT (7,172,150 x 1,446,867 /
    # 1,614,666 = 6,426,778 > 896,519), so a mix of those two would save more for its cost.
    mst_gross = FAMILIES * 0.02 * LAC_YEAR * ANNUITY
    found = frontier(
        points([0.0, MST_COST * ANNUITY, FFT_COST * ANNUITY], [0.0, mst_gross, MST_GROSS * ANNUITY])
    )
    assert list(found["rank"][:3]) == [2, 3, 1]
    assert list(found["status"][:3]) == [0, 2, 0]  # frontier, extended dominance, frontier
    # FFT is compared with doing nothing (row 1), the option before it on the frontier.
    assert found["comparator"][2] == 1
    assert found["incremental_bcr"][2] == pytest.approx(MST_GROSS / FFT_COST)


def test_incremental_figures_are_over_the_option_before_on_the_frontier_not_the_next_cheaper():
    # Costs 0 < 10 < 12 < 20 with savings 0, 50, 52, 80: the option at 12 lies below the line
    # from 10 to 20 (50 + 2 x 30/10 = 56 > 52), so the option at 20 is compared with the one at
    # 10, not the next cheaper at 12.
    found = frontier(points([0.0, 10.0, 12.0, 20.0], [0.0, 50.0, 52.0, 80.0]))
    assert list(found["status"][:4]) == [0, 0, 2, 0]
    assert found["comparator"][3] == 2
    assert found["incremental_pv_cost"][3] == 10
    assert found["incremental_bcr"][3] == pytest.approx(3.0)
    assert np.isnan(found["incremental_npv"][2])  # ruled out: no incremental figure


def test_without_a_do_nothing_option_doing_nothing_is_the_first_point():
    # Doing nothing is the last point (row 3): the cheaper option is compared with it.
    found = frontier(points([4.0, 2.0], [9.0, 5.0]))
    assert list(found["comparator"]) == [2, 3, 0]
    # An option that costs nothing and saves something dominates doing nothing, and is then the
    # cheapest on the frontier: compared with nothing.
    found = frontier(points([0.0, 3.0], [1.0, 9.0]))
    assert list(found["status"]) == [0, 0, 1]
    assert list(found["comparator"]) == [0, 1, 0]


def dampack_icers(cost, effect):
    """The statuses dampack's `calculate_icers` gives (R/icers.R, DARTH-git/dampack), as a test
    oracle written from its steps: sort by cost, then effect descending (stable); a strategy is
    dominated when one before it in that order has an effect at least as high; then, over the
    rest in that order, repeatedly mark any strategy (not the first or the last) whose ICER
    against the one before is above the next one's, until none is. 0 ND, 1 D, 2 ED."""
    n = len(cost)
    order = sorted(range(n), key=lambda k: (cost[k], -effect[k]))
    status = [0] * n
    for a, i in enumerate(order):
        if any(effect[j] >= effect[i] for j in order[:a]):
            status[i] = 1
    while True:
        rest = [i for i in order if status[i] == 0]
        if len(rest) <= 2:
            break

        def icer(p, q):
            return (cost[q] - cost[p]) / (effect[q] - effect[p])

        marked = [
            rest[a]
            for a in range(1, len(rest) - 1)
            if icer(rest[a - 1], rest[a]) > icer(rest[a], rest[a + 1])
        ]
        if not marked:
            break
        for i in marked:
            status[i] = 2
    return status


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 12), st.integers(-6, 30)),
        min_size=1,
        max_size=8,
    )
)
def test_dominance_and_extended_dominance_agree_with_dampack(options):
    # Whole numbers, so that ties of cost, of savings and of ICERs (collinear options) are common.
    cost = [float(c) for c, _ in options]
    savings = [float(b) for _, b in options]
    found = frontier(points(cost, savings))
    # dampack sees the same points: the options, then doing nothing (0, 0), last.
    expected = dampack_icers([*cost, 0.0], [*savings, 0.0])
    assert [int(s) for s in found["status"]] == expected
    # Each option on the frontier is compared with the one before it there, in order of cost.
    on = sorted(
        (k for k in range(len(expected)) if expected[k] == 0),
        key=lambda k: cost[k] if k < len(cost) else 0.0,
    )
    for before, after in zip(on, on[1:], strict=False):
        assert found["comparator"][after] == before + 1


def test_without_a_do_nothing_option_the_cheapest_is_compared_with_doing_nothing(tmp_path):
    data = two_services()
    data["options"] = data["options"][1:]
    options = evaluate_json(write(tmp_path, data))["options"]
    service, alternative = options
    assert alternative["compared_with"] is None  # the cheaper: against doing nothing
    assert alternative["status"] == "frontier"
    assert alternative["incremental_npv"] == pytest.approx(alternative["npv"])
    assert alternative["incremental_bcr"] == pytest.approx(alternative["bcr"])
    # The service costs more than the alternative and saves the same: dominated.
    assert service["pv_gross_savings"] == pytest.approx(alternative["pv_gross_savings"])
    assert service["status"] == "dominated" and service["incremental_npv"] is None


# ---------------------------------------------------------------------------------------------
# Bad input: a clear line naming file, field path and value; exit 2
# ---------------------------------------------------------------------------------------------


def rejected(path: Path, *expected: str) -> None:
    for command in ("evaluate", "validate"):
        proc = run_cli(command, path)
        assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr and proc.stdout == ""
        for fragment in expected:
            assert fragment in proc.stderr, (fragment, proc.stderr)


def test_an_option_naming_an_unknown_intervention(tmp_path):
    data = two_services()
    data["options"][2]["interventions"] = ["alternative"]
    path = write(tmp_path, data)
    rejected(
        path,
        f"{path}: options[2].interventions[0]: not an intervention of this portfolio",
        "(got 'alternative')",
    )


def test_an_intervention_in_two_options(tmp_path):
    data = two_services()
    data["options"].append({"name": "Both", "interventions": ["alt", "svc"]})
    path = write(tmp_path, data)
    rejected(
        path,
        f"{path}: options[3].interventions[0]: already in options[2]: options are mutually "
        "exclusive",
        "(got 'alt')",
        f"{path}: options[3].interventions[1]: already in options[1]",
    )


def test_an_intervention_listed_twice_in_one_option(tmp_path):
    data = two_services()
    data["options"][1]["interventions"] = ["svc", "svc"]
    path = write(tmp_path, data)
    rejected(path, f"{path}: options[1].interventions[1]: listed twice in this option (got 'svc')")


def test_duplicate_option_names(tmp_path):
    data = two_services()
    data["options"][2]["name"] = "service"
    path = write(tmp_path, data)
    rejected(path, f"{path}: options[2].name: duplicate option name (also options[1])", "'service'")


def test_an_intervention_in_no_option(tmp_path):
    data = two_services()
    data["options"] = data["options"][:2]
    path = write(tmp_path, data)
    rejected(path, f"{path}: options: intervention 'alt' (interventions[1]) is in no option")


def test_more_options_than_the_bound(tmp_path):
    data = two_services()
    data["options"] += [{"name": f"Nothing {k}"} for k in range(MAX_OPTIONS)]
    path = write(tmp_path, data)
    rejected(path, f"{path}: options: at most {MAX_OPTIONS} options can be compared (got 103)")


@pytest.mark.parametrize(
    "options,expected",
    [
        ([], "options: must not be empty"),
        ([{"name": "x", "interventions": "svc"}], "options[0].interventions: expected a list"),
        ([{"interventions": ["svc"]}], "options[0].name: missing required key"),
        ([{"name": "x", "services": ["svc"]}], "options[0].services: unknown key"),
    ],
)
def test_malformed_options(tmp_path, options, expected):
    path = write(tmp_path, two_services(options=options))
    rejected(path, f"{path}: {expected}")


# ---------------------------------------------------------------------------------------------
# Simulation: each option's chance of being the best, on the same draws
# ---------------------------------------------------------------------------------------------


def options_model():
    portfolio = load_portfolio(OPTIONS_EXAMPLE)
    return build(portfolio, evidence_for(portfolio))


def test_chance_of_being_best_counts_the_draws_by_hand():
    # Regenerate every draw from the same streams and run the core on all of them at once: in
    # each draw the best option has the highest NPV (doing nothing: 0), and equal NPVs go to the
    # cheaper. Counted here with plain numpy, the shares must be the simulation's exactly.
    model = options_model()
    draws = 20_000
    result = simulate(model, draws, seed=11, chunk_size=BLOCK).to_data()["options"]
    values = {p.key: p.value.draw(input_stream(11, p.key), draws) for p in uncertain_params(model)}
    per, _ = core.appraise(model.inputs(values), detail=False, money_only=True)
    npv = np.broadcast_to(per["npv"], (draws, 2))
    mst, fft = npv[:, 0], npv[:, 1]
    pv_cost = np.broadcast_to(per["pv_cost"], (draws, 2))
    # Doing nothing (NPV 0) costs least, so it wins any tie at 0.
    nothing_best = (mst <= 0) & (fft <= 0)
    mst_best = ~nothing_best & ((mst > fft) | ((mst == fft) & (pv_cost[:, 0] <= pv_cost[:, 1])))
    fft_best = ~nothing_best & ~mst_best
    counted = [nothing_best.sum(), mst_best.sum(), fft_best.sum()]
    assert [o["name"] for o in result] == ["Do nothing", "MST", "FFT"]
    assert [o["prob_best"] * draws for o in result] == pytest.approx(counted, abs=1e-9)
    assert sum(o["prob_best"] for o in result) == pytest.approx(1.0)
    assert result[1]["prob_best"] > 0.5 > result[2]["prob_best"] > result[0]["prob_best"] > 0


def test_an_option_of_one_intervention_is_summarised_as_that_intervention():
    data = simulate(options_model(), 10_007, seed=3).to_data()
    options = {o["name"]: o for o in data["options"]}
    for option, record in (("MST", data["interventions"][0]), ("FFT", data["interventions"][1])):
        for key in ("prob_break_even", "npv", "net_savings"):
            assert options[option][key] == record[key], (option, key)
    assert options["Do nothing"]["npv"] == {"mean": 0.0, "p5": 0.0, "p50": 0.0, "p95": 0.0}


@pytest.mark.parametrize("chunk", [BLOCK, 5000, 10 * BLOCK])
def test_options_do_not_depend_on_chunk_size(chunk):
    model = options_model()
    reference = simulate(model, 10_007, seed=5, chunk_size=BLOCK).to_data()["options"]
    assert simulate(model, 10_007, seed=5, chunk_size=chunk).to_data()["options"] == reference


def test_simulate_table_gives_each_option_and_no_total():
    proc = run_cli("simulate", OPTIONS_EXAMPLE, "--draws", "5000", "--seed", "1")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert not any(line.startswith("total") for line in lines)
    assert [line.split()[0] for line in lines if line.startswith(("Do nothing", "MST", "FFT"))] == [
        "Do",
        "MST",
        "FFT",
    ]
    assert "P(best)" in proc.stdout


def test_sensitivity_table_gives_each_intervention_and_no_total():
    proc = run_cli("sensitivity", OPTIONS_EXAMPLE)
    assert proc.returncode == 0, proc.stderr
    assert "Portfolio total" not in proc.stdout
    assert "edge-of-care-mst: NPV £5,725,283" in proc.stdout
    assert "edge-of-care-fft: NPV -£1,614,666" in proc.stdout
