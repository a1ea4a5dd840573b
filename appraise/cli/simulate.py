"""`appraise simulate` (Monte Carlo) and `appraise sensitivity` (tornado and thresholds)."""

from __future__ import annotations

import math
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from appraise.cli._app import TableOrJson, app, emit, guarded
from appraise.model.limits import DEFAULT_DRAWS, MAX_DRAWS, MAX_SEED

if TYPE_CHECKING:
    from appraise.analyses.uncertainty import Sensitivity, Swing
    from appraise.engine.params import Model

FILE = typer.Argument(..., help="Portfolio YAML file.", show_default=False)
FORMAT = typer.Option(TableOrJson.table, "--format", "-f", help="table or json.")
# Table columns: NPV over the horizon first (the headline), then one year's net savings.
COLUMNS = (("npv", "NPV"), ("net_savings", "Net/yr"))


def model_of(file: Path, draws: int | None = None, sensitivity: bool = False) -> Model:
    """The model of a portfolio file, refused as soon as the run's work is known to be over
    budget: the draws against the interventions listed, before any is validated; the uncertain
    inputs, before the model is built (each refusal comes in seconds at the largest portfolio)."""
    from appraise.engine.params import build
    from appraise.model.limits import check_draws, check_uncertain
    from appraise.model.load import evidence_for, listed_interventions, load_portfolio
    from appraise.model.numbers import count_dists, count_ranges

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


def simulation_table(data: dict[str, Any]) -> str:
    """The readable table printed by `appraise simulate`, from its JSON."""
    from appraise.analyses.uncertainty import RELATIVE_PRECISION
    from appraise.display import discount_text, money, pct, table, years_text

    p = data["portfolio"]
    draws, seed = data["draws"], data["seed"]
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
    se = 0.5 / math.sqrt(draws)
    head = (
        f"{p['portfolio']}: Monte Carlo, {draws:,} draws, seed {seed} "
        f"({len(inputs)} uncertain inputs; NPV over {years_text(h)} at "
        f"{discount_text(p['discount_rate'], h)})"
    )
    notes = [
        "",
        f"NPV: over {years_text(h)}, discounted; Net/yr: net savings in one year of full service.",
        "P(NPV > 0) is the share of draws in which the NPV is above zero (the probability of "
        f"breaking even); its Monte Carlo standard error is at most {pct(se, 2)} at this many draws.",
        f"p5, p50 and p95 are percentiles of the draws, read from a histogram: each within "
        f"{pct(RELATIVE_PRECISION, 2)} (or £1 near zero) of the exact sample percentile.",
        f"Same seed, same result: rerun with --seed {seed} --draws {draws}.",
    ]
    if not inputs:
        notes.append("No input has a range or distribution, so every draw is the same.")
    blocks = [head, "", table(headers, rows)]
    if options is not None:
        blocks += ["", *options_block(options, draws)]
    contracts = [r["contract"] for r in data["interventions"] if r.get("contract")]
    if contracts:
        blocks += ["", *contracts_block(contracts, h)]
    return "\n".join([*blocks, *notes])


def contracts_block(contracts: list[dict[str, Any]], horizon: int) -> list[str]:
    """Each outcome contract: the council's position under it and under direct delivery, side
    by side, the chance each loses money, the payments expected and how often the cap binds."""
    from appraise.display import money, pct, table, years_text

    headers = ["Intervention", "Arrangement", "P(council loses)", "Mean", "p5", "p50", "p95"]
    rows = []
    for c in contracts:
        for title, key, loses in (
            ("outcome contract", "council_net", "prob_council_loses"),
            ("direct delivery (fee)", "direct_net", "prob_council_loses_direct"),
        ):
            rows.append(
                [c["id"], title, pct(c[loses])]
                + [money(c[key][k]) for k in ("mean", "p5", "p50", "p95")]
            )
    lines = [
        f"Outcome contracts: the council's net position over {years_text(horizon)} (undiscounted), "
        "under the contract and under direct delivery, on the same draws:",
        "",
        table(headers, rows),
        "",
    ]
    for c in contracts:
        lines.append(
            f"{c['id']}: mean outcome payment {money(c['mean_outcome_payment'])} "
            f"(the council's share {money(c['mean_council_payment'])}); "
            f"P(cap binds) {pct(c['prob_cap_binds'])}; provider's position: mean "
            f"{money(c['provider_net']['mean'])}, p5 {money(c['provider_net']['p5'])}."
        )
    return lines


def options_block(options: list[dict[str, Any]], draws: int) -> list[str]:
    """Each option's chance of being the best, and its NPV and net savings across the draws."""
    from appraise.display import money, pct, table

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
    voi: bool = typer.Option(
        False,
        "--voi",
        help="Also the value of information: what the uncertainty costs the decision and which "
        "input is worth checking first, beside the tornado's ranking (and, with options, the "
        "chance each is the best affordable at each budget).",
    ),
) -> None:
    """Monte Carlo over every input given as a range: the probability of breaking even and percentiles."""
    from appraise.analyses.uncertainty import simulate, uncertain_params
    from appraise.analyses.voi import simulation_with_information
    from appraise.display import to_json
    from appraise.model.limits import check_draws, check_uncertain

    model = model_of(file, draws)
    check_draws(draws, len(model.ids))
    check_uncertain(str(file), len(uncertain_params(model)), len(model.ids))
    chosen = secrets.randbits(32) if seed is None else seed
    if voi:
        data = simulation_with_information(model, draws, chosen)
    else:
        result = simulate(model, draws, chosen)
        data = result.to_data()
    if format is TableOrJson.json:
        emit(to_json(data))
        return
    text = simulation_table(data)
    if voi:
        text += "\n\n" + voi_table(data)
    emit(text)


def voi_table(data: dict[str, Any]) -> str:
    """What to check first: EVPI of each decision, then every input and group by EVPPI, with the
    tornado's rank beside each; the chances by budget where the file has options."""
    from appraise.display import check_first, money, num, pct, table, years_text

    voi = data["value_of_information"]
    h = data["portfolio"]["horizon_years"]
    blocks = [f"What to check first: the value of information ({voi['draws']:,} draws)", ""]
    rows = [
        [
            d["name"],
            ", ".join(d["choices"]),
            d["best_on_average"],
            money(d["evpi"]),
            f"{num(d['cases'], 1)} {d['unit']}",
            money(d["evpi_per_case"]) if d["evpi_per_case"] is not None else "n/a",
        ]
        for d in voi["decisions"]
    ]
    blocks.append(
        table(
            [
                "Decision",
                "Choices",
                "Best on average",
                "EVPI",
                f"Reaches ({years_text(h)})",
                "EVPI each",
            ],
            rows,
            [False, False, False, True, True, True],
        )
    )
    if not voi["inputs"]:
        return "\n".join([*blocks, "", *check_first(voi, h)])
    headers = ["Rank", "Input", "EVPPI", "+/- s.e.", "Share of EVPI", "Tornado rank", "Swing"]
    ranked = [
        [
            str(k),
            r["key"],
            money(r["evppi"]),
            money(r["evppi_se"]),
            pct(r["share_of_evpi"]),
            str(r["tornado_rank"]),
            money(r["tornado_swing"]),
        ]
        for k, r in enumerate(voi["inputs"], 1)
    ]
    blocks += ["", table(headers, ranked, [True, False, *[True] * 5])]
    if voi["groups"]:
        groups = [
            [
                r["key"],
                str(len(r["inputs"])),
                money(r["evppi"]),
                money(r["evppi_se"]),
                pct(r["share_of_evpi"]),
            ]
            for r in voi["groups"]
        ]
        blocks += [
            "",
            table(
                ["Group", "Inputs", "EVPPI", "+/- s.e.", "Share of EVPI"],
                groups,
                [False, *[True] * 4],
            ),
        ]
    budget = data.get("acceptability_by_budget")
    if budget is not None:
        blocks += ["", *budget_block(budget)]
    blocks += ["", *check_first(voi, h), "", *VOI_NOTES]
    return "\n".join(blocks)


def budget_block(budget: dict[str, Any]) -> list[str]:
    """The chance each option is the best affordable at every fifth budget level."""
    from appraise.display import money, pct, table

    names = [o["name"] for o in budget["options"]]
    picked = range(0, len(budget["budgets"]), 5)
    rows = [
        [money(budget["budgets"][b]), *(pct(o["probability"][b]) for o in budget["options"])]
        + ([pct(budget["none_affordable"][b])] if any(budget["none_affordable"]) else [])
        for b in picked
    ]
    headers = ["Budget a year", *names] + (
        ["None affordable"] if any(budget["none_affordable"]) else []
    )
    return [
        "Acceptability by budget: the chance each option is the best one the money covers (its "
        "services' cost a year within the budget; the highest NPV among those):",
        "",
        table(headers, rows),
    ]


VOI_NOTES = (
    "EVPI (expected value of perfect information): the mean over draws of the best choice's NPV "
    "minus the NPV of the choice best on average; what the decision loses, in expected pounds, "
    "by being made under uncertainty. EVPPI (of partial perfect information): how much of that "
    "knowing one input (or a group) exactly would remove. Without options each service is its own "
    "decision, fund or not, and the figures add up over them.",
    "EVPPI by regression on the draws (Strong, Oakley and Brennan 2014), counted on the draws where "
    "the fitted choice changes (Strong and Oakley 2013; Sadatsafavi et al. 2013): never above EVPI, "
    "never below 0, a group never below any of its inputs. +/- s.e.: Monte Carlo standard error. "
    "Tornado rank: the input's place by its swing in NPV (`appraise sensitivity`); the two rankings "
    "differ where an input moves the NPV without changing the choice.",
    "Groups: each intervention's and each outcome's uncertain inputs together, and any the file "
    "names (value_of_information.groups).",
)


def threshold_text(swing: Swing) -> str:
    from appraise.display import value_text

    if swing.threshold is None:
        return "none in range"
    where = "within low-high" if swing.threshold_in_range else "outside low-high"
    return f"{value_text(swing.threshold, swing.param.unit)} ({where})"


def tornado_rows(swings: list[Swing]) -> list[list[str]]:
    from appraise.display import money, value_text

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
    from appraise.display import discount_text, money, table, years_text

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
        f"{p['portfolio']}: one-way sensitivity of NPV over {years_text(h)} at "
        f"{discount_text(p['discount_rate'], h)} (each input at its low and its high, the others central)"
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
    for tornado in result.contracts:
        blocks += [
            "",
            f"{tornado.id}, outcome contract: the council's net position over {years_text(h)} "
            f"(undiscounted) {money(tornado.npv)} at central values",
            table(
                [
                    "Input",
                    "Low",
                    "Central",
                    "High",
                    "Range",
                    "Council at low",
                    "Council at high",
                    "Swing",
                    "Council = 0 at",
                ],
                tornado_rows(tornado.swings),
            )
            if tornado.swings
            else "No uncertain input moves it.",
        ]
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
    from appraise.analyses.uncertainty import sensitivity, uncertain_params
    from appraise.display import to_json
    from appraise.model.limits import check_uncertain

    model = model_of(file, sensitivity=True)
    check_uncertain(str(file), len(uncertain_params(model)), len(model.ids), sensitivity=True)
    result = sensitivity(model)
    emit(to_json(result.to_data()) if format is TableOrJson.json else sensitivity_table(result))
