"""Benchmark: the value of information on 100,000 draws. The 20-intervention, 10-year portfolio of
benchmarks/monte_carlo.py (the uncertain Thurrock example's services four times over, 39 uncertain
inputs) is simulated over 100,000 draws, keeping them; then the EVPPI of 20 of its inputs is
estimated for its 20 decisions (each service funded or not), and, for scale, everything `appraise
simulate --voi` adds: every input's EVPPI, each intervention's and outcome's group, the tornado
beside it; and the same with the services grouped into five options and doing nothing (one
decision among six, and the acceptability by budget).

Prints one JSON line. Target: EVPPI for 20 inputs on 100,000 draws in under 5 s (issue 28).
Timings are the best of several runs, wall-clock and, beside them, the process's own CPU time and
the machine's load average: on a shared machine the wall clock also counts time waiting for a
core. Run:
.venv/bin/python benchmarks/voi.py [--draws N] [--inputs K]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from _figures import figure

from appraise.analyses.budget import acceptability
from appraise.analyses.uncertainty import simulate
from appraise.analyses.voi import Evppi, decisions_of, information
from appraise.engine import evaluate
from appraise.engine.params import build
from appraise.model.load import evidence_for

sys.path.insert(0, str(Path(__file__).resolve().parent))
from monte_carlo import SEED, YEARS, benchmark_portfolio  # noqa: E402
from options_simulation import best_of, in_options, peak_mib  # noqa: E402

TARGET_SECONDS = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=100_000)
    parser.add_argument("--inputs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    portfolio = benchmark_portfolio()
    model = build(portfolio, evidence_for(portfolio))
    start = time.perf_counter()
    sim = simulate(model, args.draws, SEED, keep=True)
    simulate_seconds = time.perf_counter() - start
    assert sim.kept is not None
    reach = evaluate.run(model.base.values, model.base.structure, ("reach",))["reach"]
    decisions = decisions_of(model, sim.kept.figures, [float(r) for r in reach])
    keys = [p.key for p in sim.inputs[: args.inputs]]

    def evppi_of_inputs() -> list[float]:
        estimator = Evppi(decisions, sim.kept.inputs)
        return [estimator.single(k).value for k in keys]

    values = evppi_of_inputs()
    evppi_seconds = best_of(args.repeats, evppi_of_inputs)
    cpu = time.process_time()
    evppi_of_inputs()
    evppi_cpu = time.process_time() - cpu
    everything_seconds = best_of(args.repeats, lambda: information(sim))

    ids = [i.id for i in portfolio.interventions]
    grouped = in_options(portfolio)
    grouped_model = build(grouped, evidence_for(grouped))
    grouped_sim = simulate(grouped_model, args.draws, SEED, keep=True)
    assert grouped_sim.kept is not None
    kept = grouped_sim.kept
    options_seconds = best_of(
        args.repeats,
        lambda: (information(grouped_sim), acceptability(grouped_model, kept)),
    )
    figure(
        f"value of information: EVPPI of {len(keys)} inputs on {args.draws:,} draws",
        round(evppi_seconds, 3),
        "s",
        target=TARGET_SECONDS,
        note=f"best of {args.repeats}; CPU {evppi_cpu:.3f} s",
    )
    print(
        json.dumps(
            {
                "draws": args.draws,
                "interventions": len(ids),
                "years": YEARS,
                "uncertain_inputs": len(sim.inputs),
                "inputs_timed": len(keys),
                "decisions": len(decisions),
                "seconds_simulate_keeping_draws": round(simulate_seconds, 3),
                "seconds_evppi_of_inputs": round(evppi_seconds, 3),
                "target_seconds": TARGET_SECONDS,
                "within_target": evppi_seconds < TARGET_SECONDS,
                "cpu_seconds_evppi_of_inputs": round(evppi_cpu, 3),
                "load_average_1_min": round(os.getloadavg()[0], 2),
                "seconds_everything_simulate_voi_adds": round(everything_seconds, 3),
                "seconds_with_six_options_and_budget": round(options_seconds, 3),
                "peak_mib": peak_mib(),
                "evppi_total_of_inputs_timed": round(sum(values)),
            }
        )
    )


if __name__ == "__main__":
    main()
