"""Benchmark: the cost of options in a Monte Carlo run. The 20-intervention, 10-year portfolio of
benchmarks/monte_carlo.py, simulated over 1,000,000 draws, first as it is, then grouped into five
options of four interventions and doing nothing (each option's NPV and net savings summarised and
the best counted in every draw, in the same pass).

Prints one JSON line. Targets: options add under 75% to the simulation's time (six options add 12
summarised series to the 42 of the interventions and the total, and a best option per draw), and
peak memory stays under 2 GiB (the issue-4 target for the simulation itself): the options' figures
are worked out chunk by chunk from the same per-intervention arrays, never kept. Measured on the
project's 2-core machine: 2.0 s without options, 3.0 s with (48% more), peak 206 MiB.

Timings are the best of several runs (the machine is shared). Run:
.venv/bin/python benchmarks/options_simulation.py [--draws N]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from _figures import figure

from appraise.analyses.uncertainty import simulate
from appraise.engine.params import build
from appraise.model.load import evidence_for
from appraise.model.schema import Option, Portfolio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from monte_carlo import SEED, YEARS, benchmark_portfolio  # noqa: E402

GROUPS = 5


def peak_mib() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def best_of(repeats: int, run: object) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def in_options(plain: Portfolio) -> Portfolio:
    """The portfolio's interventions as GROUPS options of equal size, and doing nothing."""
    ids = [i.id for i in plain.interventions]
    size = len(ids) // GROUPS
    options = [Option(name="Do nothing", interventions=[])] + [
        Option(name=f"Package {g + 1}", interventions=ids[g * size : (g + 1) * size])
        for g in range(GROUPS)
    ]
    return plain.model_copy(update={"options": options})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    plain = benchmark_portfolio()
    ids = [i.id for i in plain.interventions]
    grouped = in_options(plain)
    options = grouped.options or []
    models = {
        name: build(p, evidence_for(p)) for name, p in (("plain", plain), ("options", grouped))
    }

    simulate(models["plain"], 10_000, SEED)  # warm up
    plain_seconds = best_of(args.repeats, lambda: simulate(models["plain"], args.draws, SEED))
    plain_peak = peak_mib()
    result = simulate(models["options"], args.draws, SEED)
    options_seconds = best_of(args.repeats, lambda: simulate(models["options"], args.draws, SEED))
    shares = [o.best / args.draws for o in result.options or []]
    figure(
        f"options in a simulation ({len(options)} options, {args.draws:,} draws): time added",
        round(100 * (options_seconds / plain_seconds - 1), 1),
        "%",
        target=75.0,
        note=f"{plain_seconds:.3f} s without options, {options_seconds:.3f} s with",
    )
    figure(
        "options in a simulation: peak memory",
        float(peak_mib()),
        "MiB",
        target=2048.0,
    )
    print(
        json.dumps(
            {
                "draws": args.draws,
                "interventions": len(ids),
                "years": YEARS,
                "options": len(options),
                "seconds_without_options": round(plain_seconds, 3),
                "seconds_with_options": round(options_seconds, 3),
                "overhead": round(options_seconds / plain_seconds - 1, 3),
                "peak_rss_mib_without_options": plain_peak,
                "peak_rss_mib_with_options": peak_mib(),
                "prob_best_sums_to": round(sum(shares), 12),
            }
        )
    )


if __name__ == "__main__":
    main()
