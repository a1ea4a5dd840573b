"""Benchmark: the calculation core on a 10,000-intervention portfolio, and CLI start-up time.

Prints one JSON line. Targets (issue 2): the core under 50 ms for 10,000 interventions;
`appraise evaluate` on the example under 1 s end to end. Run: .venv/bin/python benchmarks/core.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _figures import figure

from appraise.engine import core
from appraise.engine.params import build
from appraise.model.load import evidence_for, load_portfolio
from appraise.model.schema import Portfolio

ROOT = Path(__file__).resolve().parent.parent
N = 10_000


def big_portfolio(n: int) -> Portfolio:
    """The Thurrock example's interventions repeated with distinct ids and varied reach."""
    example = load_portfolio(ROOT / "examples" / "thurrock-2017.yaml")
    items = []
    for i in range(n):
        template = example.interventions[i % len(example.interventions)]
        reach = template.reach.model_copy(
            update={"count": float(10 + i % 90)} if template.reach.form == "count" else {}
        )
        items.append(template.model_copy(update={"id": f"{template.id}-{i}", "reach": reach}))
    return example.model_copy(update={"interventions": items})


def best_of(fn, repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    portfolio = big_portfolio(N)
    model = build(portfolio, evidence_for(portfolio))
    inputs = model.inputs()
    core.appraise(inputs)  # warm up
    best, median = best_of(lambda: core.appraise(inputs), repeats=20)
    snapshot_best, _ = best_of(lambda: core.snapshot(inputs), repeats=20)

    cli = str(Path(sys.executable).parent / "appraise")
    example = str(ROOT / "examples" / "thurrock-2017.yaml")
    cli_best, cli_median = best_of(
        lambda: subprocess.run([cli, "evaluate", example], check=True, capture_output=True),
        repeats=5,
    )
    print(
        json.dumps(
            {
                "interventions": N,
                "horizon_years": portfolio.horizon_years,
                "core_seconds_best": round(best, 4),
                "core_seconds_median": round(median, 4),
                "snapshot_seconds_best": round(snapshot_best, 4),
                "cli_evaluate_seconds_best": round(cli_best, 3),
                "cli_evaluate_seconds_median": round(cli_median, 3),
            }
        )
    )
    figure(f"the core, {N:,} interventions", round(best * 1000, 1), "ms", target=50)


if __name__ == "__main__":
    main()
