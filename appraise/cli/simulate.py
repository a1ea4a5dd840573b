"""`appraise simulate` (Monte Carlo) and `appraise sensitivity` (tornado and thresholds)."""

from __future__ import annotations

import math
import secrets
from pathlib import Path
from typing import Any

import typer

from appraise.analyses.uncertainty import (
    DEFAULT_DRAWS,
    RELATIVE_PRECISION,
    Sensitivity,
    Simulation,
    Swing,
    sensitivity,
    simulate,
    uncertain_params,
)
from appraise.cli._app import TableOrJson, app, emit, guarded
from appraise.display import money, pct, table, to_json, value_text
from appraise.engine.params import Model, build
from appraise.model.limits import MAX_DRAWS, MAX_SEED, check_draws, check_uncertain
from appraise.model.load import evidence_for, listed_interventions, load_portfolio
from appraise.model.numbers import count_dists, count_ranges

FILE = typer.Argument(..., help="Portfolio YAML file.", show_default=False)
FORMAT = typer.Option(TableOrJson.table, "--format", "-f", help="table or json.")
# Table columns: NPV over the horizon first (the headline), then one year's net savings.
COLUMNS = (("npv", "NPV"), ("net_savings", "Net/yr"))


def model_of(file: Path, draws: int | None = None, sensitivity: bool = False) -> Model:
    """The model of a portfolio file, refused as soon as the run's work is known to be over
    budget: the draws against the interventions listed, before any is validated; the uncertain
    inputs, before the model is built (each refusal comes in seconds at the largest portfolio)."""

    def listed(raw: Any) -> None:
        interventions = listed_interventions(raw)
        if draws is not None:
            check_draws(draws, interventions)
        check_uncertain(str(file), count_ranges(raw), interventions, sensitivity=sensitivity)

    portfolio = load_portfolio(file, check=listed)
    check_uncertain(
        str(file), count_dists(portfolio), len(portfolio.interventions), sensitivity=sensitivity
    )
    return build(portfolio, evidence_for(portfolio))


def simulation_table(sim: Simulation) -> str:
    """The readable table printed by `appraise simulate`."""
    data = sim.to_data()
    p = data["portfolio"]
    h = p["horizon_years"]
    headers = ["Intervention", "P(NPV > 0)"]
    for _, title in COLUMNS:
        headers += [f"{title} mean", f"{title} p5", f"{title} p50", f"{title} p95"]
    options = data.get("options")
    rows = []
    # With options, a total would add up alternatives: each option has its own rows instead.
    total = [{"id": "total", **p}] if options is None else []
    for record in [*data["interventions"], *total]:
        row = [record["id"], pct(record["prob_break_even"])]
        for key, _ in COLUMNS:
            row += [money(record[key][k]) for k in ("mean", "p5", "p50", "p95")]
        rows.append(row)
    inputs = data["uncertain_inputs"]
    se = 0.5 / math.sqrt(sim.draws)
    head = (
        f"{p['portfolio']}: Monte Carlo, {sim.draws:,} draws, seed {sim.seed} "
        f"({len(inputs)} uncertain inputs; NPV over {h} years at {pct(p['discount_rate'])})"
    )
    notes = [
        "",
        f"NPV: over {h} years, discounted; Net/yr: net savings in one year of full service.",
        "P(NPV > 0) is the share of draws in which the NPV is above zero (the probability of "
        f"breaking even); its Monte Carlo standard error is at most {pct(se, 2)} at this many draws.",
        f"p5, p50 and p95 are percentiles of the draws, read from a histogram: each within "
        f"{pct(RELATIVE_PRECISION, 2)} (or £1 near zero) of the exact sample percentile.",
        f"Same seed, same result: rerun with --seed {sim.seed} --draws {sim.draws}.",
    ]
    if not inputs:
        notes.append("No input has a range or distribution, so every draw is the same.")
    blocks = [head, "", table(headers, rows)]
    if options is not None:
        blocks += ["", *options_block(options, sim.draws)]
    return "\n".join([*blocks, *notes])


def options_block(options: list[dict[str, Any]], draws: int) -> list[str]:
    """Each option's chance of being the best, and its NPV and net savings across the draws."""
    headers = ["Option", "P(best)", "P(NPV > 0)"]
    for _, title in COLUMNS:
        headers += [f"{title} mean", f"{title} p5", f"{title} p50", f"{title} p95"]
    rows = []
    for o in options:
        row = [o["name"], pct(o["prob_best"]), pct(o["prob_break_even"])]
        for key, _ in COLUMNS:
            row += [money(o[key][k]) for k in ("mean", "p5", "p50", "p95")]
        rows.append(row)
    return [
        "Options (mutually exclusive, never added up), on the same draws:",
        "",
        table(headers, rows),
        "",
        f"P(best): the share of the {draws:,} draws in which the option has the highest NPV (equal "
        "NPVs go to the cheaper by present value of cost, then to the first listed); the shares "
        "add up to 100%.",
    ]


@app.command("simulate")
@guarded
def simulate_command(
    file: Path = FILE,
    draws: int = typer.Option(
        DEFAULT_DRAWS, "--draws", "-n", min=1, max=MAX_DRAWS, help="Number of draws."
    ),
    seed: int | None = typer.Option(
        None,
        "--seed",
        "-s",
        min=0,
        max=MAX_SEED,
        help="Random seed (printed; a fresh one if not given).",
    ),
    format: TableOrJson = FORMAT,
) -> None:
    """Monte Carlo over every input given as a range: the probability of breaking even and percentiles."""
    model = model_of(file, draws)
    check_draws(draws, len(model.ids))
    check_uncertain(str(file), len(uncertain_params(model)), len(model.ids))
    chosen = secrets.randbits(32) if seed is None else seed
    result = simulate(model, draws, chosen)
    emit(to_json(result.to_data()) if format is TableOrJson.json else simulation_table(result))


def threshold_text(swing: Swing) -> str:
    if swing.threshold is None:
        return "none in range"
    where = "within low-high" if swing.threshold_in_range else "outside low-high"
    return f"{value_text(swing.threshold, swing.param.unit)} ({where})"


def tornado_rows(swings: list[Swing]) -> list[list[str]]:
    rows = []
    for s in swings:
        unit = s.param.unit
        rows.append(
            [
                s.param.key,
                value_text(s.low, unit),
                value_text(s.param.central, unit),
                value_text(s.high, unit),
                "5-95%" if s.basis != "bounds" else "bounds",
                money(s.npv_low),
                money(s.npv_high),
                money(s.swing),
                threshold_text(s),
            ]
        )
    return rows


def sensitivity_table(result: Sensitivity) -> str:
    """The readable tornado tables printed by `appraise sensitivity`."""
    data: dict[str, Any] = result.to_data()
    p = data["portfolio"]
    h = p["horizon_years"]
    headers = [
        "Input",
        "Low",
        "Central",
        "High",
        "Range",
        "NPV at low",
        "NPV at high",
        "Swing",
        "NPV = 0 at",
    ]
    blocks = [
        f"{p['portfolio']}: one-way sensitivity of NPV over {h} years at "
        f"{pct(p['discount_rate'])} (each input at its low and its high, the others central)"
    ]
    if not result.inputs:
        blocks.append("No input has a range or distribution: nothing to vary.")
        return "\n".join(blocks)
    # With options, the portfolio total would add up alternatives: each intervention's only.
    whole = [result.portfolio] if result.model.portfolio.options is None else []
    for tornado in [*result.interventions, *whole]:
        name = tornado.id if tornado.id is not None else "Portfolio total"
        blocks += ["", f"{name}: NPV {money(tornado.npv)} at central values"]
        if tornado.swings:
            blocks.append(table(headers, tornado_rows(tornado.swings)))
        else:
            blocks.append("No uncertain input moves this NPV.")
    blocks += [
        "",
        "Range: triangular, PERT and uniform inputs at their bounds; normal, lognormal and beta "
        "inputs at their 5th and 95th percentiles (5-95%).",
        "NPV = 0 at: the value of the input, the others central, at which NPV is zero (the one "
        "nearest the central value, searched over every value the input may take); 'none in "
        "range' when no value the input may take makes NPV zero.",
    ]
    return "\n".join(blocks)


@app.command("sensitivity")
@guarded
def sensitivity_command(file: Path = FILE, format: TableOrJson = FORMAT) -> None:
    """Tornado of NPV (each uncertain input at its low and high) and the break-even value of each."""
    model = model_of(file, sensitivity=True)
    check_uncertain(str(file), len(uncertain_params(model)), len(model.ids), sensitivity=True)
    result = sensitivity(model)
    emit(to_json(result.to_data()) if format is TableOrJson.json else sensitivity_table(result))
