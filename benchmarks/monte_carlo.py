"""Benchmark: Monte Carlo over 1,000,000 draws x 20 interventions x 10 years, against a plain-Python
reference that evaluates the same formulas one draw at a time.

Prints one JSON line. Targets (issue 4), on the project's 2-core machine: the simulation under 3 s
with peak memory under 2 GiB, and at least 200 times the scalar reference's cell-years a second
(a cell-year is one draw of one intervention in one year of the horizon).

The scalar reference below is a deliberate second copy of the formulas, for measurement only: it
runs on a small sample of the same draws, and the benchmark fails unless its summaries agree with
`appraise.uncertainty.simulate` on that sample, which shows the two compute the same thing. It is
timed on the arithmetic alone (its draws are made beforehand), so the speed-up is if anything
understated. Two variants are timed: `scalar` works out each draw's yearly cost and savings
profile from the timing inputs, as a per-draw model must when timing may be uncertain; `hoisted`
works the profile out once and loops over the years for each draw. The vectorised simulation goes
further: with timing fixed, an NPV is a fixed linear combination of a draw's cost and savings.

Timings are the best of several runs (the machine is shared); `seconds_median` and `cpu_seconds`
are printed too. Run: .venv/bin/python benchmarks/monte_carlo.py [--draws N] [--scalar-draws M]
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from _figures import figure

from appraise.analyses.uncertainty import (
    RELATIVE_PRECISION,
    chunk_draws,
    input_stream,
    simulate,
    uncertain_params,
)
from appraise.engine import core
from appraise.engine.params import Model, build
from appraise.model.load import evidence_for, load_portfolio
from appraise.model.schema import Portfolio, Timing

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "thurrock-2017-uncertain.yaml"
INTERVENTIONS = 20
YEARS = 10
SEED = 20170
# The floor's chunk, fixed so that the yardstick stays the same work whatever chunk the
# simulation takes (`uncertainty.CHUNK_CELLS`); it is a little faster at smaller chunks still.
FLOOR_CHUNK_CELLS = 2**17
# Fixed (not uncertain) timing profiles, so the cohorts, lags and persistence really shape the
# years: as Thurrock assumes; Pause-like (18 months of cost, a 9-month lag); effects lasting 3
# years and fading 30% a year; three cohorts only, the first at half size.
TIMINGS = (
    Timing.model_validate({}),
    Timing.model_validate({"cost_months": 18, "benefit_lag_months": 9}),
    Timing.model_validate({"benefit_years": 3, "annual_decay": 0.3}),
    Timing.model_validate({"cohorts": 3, "ramp_up": 0.5}),
)


def benchmark_portfolio() -> Portfolio:
    """The uncertain Thurrock example's five services, four times over with four timings."""
    example = load_portfolio(EXAMPLE)
    items = []
    for i in range(INTERVENTIONS):
        template = example.interventions[i % len(example.interventions)]
        timing = TIMINGS[(i // len(example.interventions)) % len(TIMINGS)]
        items.append(template.model_copy(update={"id": f"{template.id}-{i}", "timing": timing}))
    return example.model_copy(update={"interventions": items, "horizon_years": YEARS})


# ---------------------------------------------------------------------------------------------
# The scalar reference: plain Python, one draw at a time
# ---------------------------------------------------------------------------------------------


def overlap(start: float, end: float, lo: float, hi: float) -> float:
    return max(min(end, hi) - max(start, lo), 0.0)


def year_weights(
    cohorts: int,
    cost_months: float,
    lag: float,
    persist: float,
    decay: float,
    ramp_up: float,
    horizon: int,
) -> tuple[list[float], list[float]]:
    """Each year's share of one cohort-year's cost and savings, summed over cohorts."""
    cost = [0.0] * horizon
    benefit = [0.0] * horizon
    for k in range(horizon):
        if cohorts and k >= cohorts:
            continue
        scale = ramp_up if k == 0 else 1.0
        start = 12.0 * k
        for t in range(horizon):
            lo, hi = 12.0 * t, 12.0 * t + 12.0
            cost[t] += scale * overlap(start, start + cost_months, lo, hi)
            for j in range(math.ceil(persist)):
                begin = start + lag + 12.0 * j
                end = start + lag + 12.0 * min(j + 1.0, persist)
                benefit[t] += scale * (1.0 - decay) ** j * overlap(begin, end, lo, hi)
    return [c / cost_months for c in cost], [b / 12.0 for b in benefit]


class Scalar:
    """Net savings and NPV of every intervention, draw by draw, from the model's inputs."""

    def __init__(self, model: Model, draws: dict[str, list[float]]):
        self.model, self.base = model, model.base
        self.draws = draws
        self.where = {(p.target, p.index): p.key for p in model.params if p.key in draws}

    def value(self, target: str, index: int | tuple[int, int], d: int) -> float:
        key = self.where.get((target, index))
        return self.draws[key][d] if key else float(self.base.values[target][index])

    def outcome_costs(self, d: int) -> list[float]:
        """Cost of one of each outcome in the headline perspective."""
        b = self.base
        given = b.values["component_cost_given"]
        costs = [self.value("component_cost_given", c, d) for c in range(len(given))]
        derived = range(len(b.derive_weeks))
        placement = [
            self.value("derive_weekly_cost", k, d) * self.value("derive_weeks", k, d)
            for k in derived
        ]
        shares = [self.value("derive_non_placement_share", k, d) for k in derived]
        costs += placement + [p * s / (1.0 - s) for p, s in zip(placement, shares, strict=True)]
        unit = [0.0] * b.n_outcomes
        public = b.values["public_sector"] == 1
        for c, cost in enumerate(costs):
            if public or b.payers[b.component_payer[c]] == "childrens_social_care":
                unit[b.component_outcome[c]] += cost
        return unit

    def effect(self, i: int, d: int) -> float:
        b = self.base
        form = int(b.effect_form[i, 0])  # the example's services each avert one outcome
        a = self.value("effect_a", (i, 0), d)
        if form in (core.SUCCESS_RATE, core.PER_CASE):
            raw = a
        else:
            x = self.value("effect_b", (i, 0), d)
            if form == core.TREATED_RISK:
                treated = x
            elif form == core.RELATIVE_RISK:
                treated = min(max(a * x, 0.0), 1.0)
            else:
                if form == core.ODDS_RATIO:
                    odds_ratio = x
                else:
                    factor = core.COX_FACTOR if form == core.COHENS_D_COX else core.LOGIT_FACTOR
                    odds_ratio = math.exp(factor * x)
                treated = a * odds_ratio / (1.0 - a + a * odds_ratio)
            raw = a - treated
        v = b.values
        bias = v["apply_optimism_bias"] * v["optimism_bias_table"][int(v["rating"][i])]
        return raw * (1.0 - bias) * (1.0 - v["non_uk"][i] * v["non_uk_rate"])

    def weights(self, i: int, d: int) -> tuple[list[float], list[float]]:
        return year_weights(
            int(self.base.cohorts[i]),
            self.value("cost_months", i, d),
            self.value("benefit_lag_months", i, d),
            self.value("benefit_years", i, d),
            self.value("annual_decay", i, d),
            self.value("ramp_up", i, d),
            self.base.horizon_years,
        )

    def run(self, n_draws: int, hoisted: bool) -> list[list[float]]:
        """Per draw: [net_0 .. net_{n-1}, net total, npv_0 .. npv_{n-1}, npv total]."""
        b = self.base
        n = len(self.model.ids)
        # A rate for each year (a schedule may vary it): year 1 undiscounted, then each year
        # divided by one plus its own rate.
        rates = [float(r) for r in b.values["discount_rate"]]
        factors = [1.0]
        for t in range(1, b.horizon_years):
            factors.append(factors[-1] / (1.0 + rates[t]))
        fixed = [self.weights(i, 0) for i in range(n)] if hoisted else None
        rows = []
        for d in range(n_draws):
            unit = self.outcome_costs(d)
            nets, npvs = [], []
            for i in range(n):
                cases = self.value("reach_base", i, d) * self.value(
                    "reach_share", i, d
                ) - self.value("reach_offset", i, d)
                cost = self.value("unit_cost", i, d) * cases + self.value("fixed_cost", i, d)
                gross = cases * self.effect(i, d) * unit[b.outcome_index[i]]
                cost_w, benefit_w = fixed[i] if fixed else self.weights(i, d)
                npv = 0.0
                for t, f in enumerate(factors):
                    npv += (gross * benefit_w[t] - cost * cost_w[t]) * f
                nets.append(gross - cost)
                npvs.append(npv)
            rows.append([*nets, sum(nets), *npvs, sum(npvs)])
        return rows


def summarise(rows: list[list[float]]) -> list[dict[str, float]]:
    """Mean, percentiles (numpy's linear rule) and share above zero of each column."""
    out = []
    for column in zip(*rows, strict=True):
        ordered = sorted(column)
        count = len(ordered)

        def quantile(q: float, ordered: list[float] = ordered, count: int = count) -> float:
            h = (count - 1) * q
            lo = math.floor(h)
            hi = min(lo + 1, count - 1)
            return ordered[lo] + (h - lo) * (ordered[hi] - ordered[lo])

        out.append(
            {
                "mean": math.fsum(ordered) / count,
                "p5": quantile(0.05),
                "p50": quantile(0.5),
                "p95": quantile(0.95),
                "positive": (count - bisect.bisect_right(ordered, 0.0)) / count,
            }
        )
    return out


def vectorised_summaries(model: Model, draws: int, seed: int) -> list[dict[str, float]]:
    """The same columns from `simulate`."""
    sim = simulate(model, draws, seed)
    out = []
    for key in ("net_savings", "npv"):
        for s in sim.summaries[key]:
            out.append(
                {
                    "mean": s.mean,
                    "p5": s.quantile(0.05),
                    "p50": s.quantile(0.5),
                    "p95": s.quantile(0.95),
                    "positive": s.share_positive,
                }
            )
    return out


def check_agreement(scalar: list[dict[str, float]], vector: list[dict[str, float]]) -> None:
    """Fail loudly unless the scalar and vectorised summaries agree (to the histogram's precision)."""
    for k, (a, b) in enumerate(zip(scalar, vector, strict=True)):
        scale = max(abs(a["p5"]), abs(a["p95"]), 1.0)
        problems = []
        if abs(a["mean"] - b["mean"]) > 1e-9 * scale:
            problems.append(("mean", a["mean"], b["mean"]))
        for q in ("p5", "p50", "p95"):
            if abs(a[q] - b[q]) > RELATIVE_PRECISION * abs(a[q]) + 1.0 + 1e-9 * scale:
                problems.append((q, a[q], b[q]))
        if a["positive"] != b["positive"]:
            problems.append(("positive", a["positive"], b["positive"]))
        if problems:
            sys.exit(f"scalar and vectorised results disagree in column {k}: {problems}")


def numpy_floor(draws: int, inputs: int, interventions: int, seed: int) -> None:
    """numpy's floor for the same work (issue 27): one triangular draw of every uncertain input
    for every draw, from a stream of its own, then `a * b + c` over every draw, intervention and
    year, into buffers made once, in chunks of FLOOR_CHUNK_CELLS draws x interventions (the
    simulation's own chunks when this yardstick was set). Nothing the simulation does costs less
    than this."""
    chunk = chunk_draws(FLOOR_CHUNK_CELLS // interventions, interventions)
    streams = [np.random.default_rng([seed, k]) for k in range(inputs)]
    a = np.empty((YEARS, interventions, chunk))
    b = np.empty((interventions, chunk))
    c = np.empty((YEARS, interventions, chunk))
    out = np.empty((YEARS, interventions, chunk))
    a.fill(0.5)
    c.fill(1.0)
    for start in range(0, draws, chunk):
        size = min(chunk, draws - start)
        for stream in streams:
            stream.triangular(0.5, 1.0, 2.0, size)
        b[:, :size] = 1.0
        np.multiply(a[:, :, :size], b[:, :size], out=out[:, :, :size])
        out[:, :, :size] += c[:, :, :size]


def timed(fn: Any) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1_000_000)
    parser.add_argument("--scalar-draws", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    portfolio = benchmark_portfolio()
    model = build(portfolio, evidence_for(portfolio))
    n = len(model.ids)

    # The scalar reference on the first draws of the same streams, checked against simulate.
    params = uncertain_params(model)
    sample = {
        p.key: p.value.draw(input_stream(SEED, p.key), args.scalar_draws).tolist() for p in params
    }
    scalar = Scalar(model, sample)
    scalar_seconds, _, rows = timed(lambda: scalar.run(args.scalar_draws, hoisted=False))
    hoisted = [timed(lambda: scalar.run(args.scalar_draws, hoisted=True)) for _ in range(3)]
    hoisted_seconds, hoisted_rows = min(r[0] for r in hoisted), hoisted[0][2]
    reference = summarise(rows)
    check_agreement(reference, summarise(hoisted_rows))
    check_agreement(reference, vectorised_summaries(model, args.scalar_draws, SEED))

    simulate(model, 10_000, SEED)  # warm up
    # The simulation and numpy's floor for the same work, taken in turns so that a busy moment
    # of the shared machine touches both alike; the ratio of the best of each is the figure.
    runs, floors = [], []
    for _ in range(args.repeats):
        runs.append(timed(lambda: simulate(model, args.draws, SEED)))
        floors.append(timed(lambda: numpy_floor(args.draws, len(params), n, SEED))[1])
    best = min(runs, key=lambda r: r[0])
    # CPU seconds: on a shared machine a process waits for a core, which wall time counts and
    # CPU time does not (both run on one core).
    best_cpu = min(r[1] for r in runs)
    cell_years = args.draws * n * YEARS
    scalar_cell_years = args.scalar_draws * n * YEARS
    rate = cell_years / best[0]
    scalar_rate = scalar_cell_years / scalar_seconds
    hoisted_rate = scalar_cell_years / hoisted_seconds
    print(
        json.dumps(
            {
                "draws": args.draws,
                "interventions": n,
                "years": YEARS,
                "uncertain_inputs": len(params),
                "seconds": round(best[0], 3),
                "seconds_median": round(statistics.median(r[0] for r in runs), 3),
                "cpu_seconds": round(best[1], 3),
                "cell_years_per_second": round(rate),
                "scalar_draws": args.scalar_draws,
                "scalar_cell_years_per_second": round(scalar_rate),
                "speedup": round(rate / scalar_rate, 1),
                "scalar_hoisted_cell_years_per_second": round(hoisted_rate),
                "speedup_vs_hoisted": round(rate / hoisted_rate, 1),
                "scalar_agrees": True,
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "numpy_floor_cpu_seconds": round(min(floors), 3),
            }
        )
    )
    figure(
        f"simulate, {args.draws:,} draws x {n} interventions x {YEARS} years",
        round(best_cpu, 3),
        "CPU s",
        target=round(2.0 * min(floors), 3),
        yardstick=f"numpy's floor: {len(params)} triangular draws and a*b+c over every cell-year",
        yardstick_value=round(min(floors), 3),
        note="target: 2 x numpy's floor",
    )


if __name__ == "__main__":
    main()
