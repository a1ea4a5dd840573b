"""Benchmark: the app's two slow first visits (issue 26, item 7): Verify with the example claims,
and Uncertainty with 10,000 draws. Target: each under 1 s on this machine.

Each is the work the page does on its first visit, called as the page calls it (no cache):
Verify checks examples/thurrock-2017-claims.yaml against the Thurrock portfolio
(`runs.checked`); Uncertainty simulates examples/thurrock-2017-uncertain.yaml with the page's
defaults, 10,000 draws and seed 1 (`runs.simulation`), and works out its tornado
(`runs.tornadoes`), both of which the page shows at once. The best of REPEATS runs is the figure
(the machine is shared: the best is the cost, the rest is waiting). Prints each as a figure line
(benchmarks/README.md) with its target and whether it is met.
Run: .venv/bin/python benchmarks/app_slow_steps.py
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from _figures import figure

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 1.0
REPEATS = 3


def best(step: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "no ScriptRunContext" warnings
    from appraise.model.load import read_yaml
    from appraise.model.save import portfolio_to_data
    from appraise.ui import runs

    def key_of(example: str) -> tuple[str, str]:
        from appraise.model.load import portfolio_from_data

        name = f"examples/{example}"
        with_data = portfolio_from_data(read_yaml(ROOT / name), name)
        return runs.canonical(portfolio_to_data(with_data)), name

    thurrock, thurrock_name = key_of("thurrock-2017.yaml")
    claims = (ROOT / "examples" / "thurrock-2017-claims.yaml").read_bytes()
    uncertain, uncertain_name = key_of("thurrock-2017-uncertain.yaml")

    def verify() -> None:
        runs.checked.clear()
        runs.evaluate.clear()
        result = runs.checked(
            "claims", thurrock, thurrock_name, claims, "thurrock-2017-claims.yaml"
        )
        assert not result.problems, result.problems

    def uncertainty() -> None:
        runs.simulation.clear()
        runs.tornadoes.clear()
        runs.evaluate.clear()
        runs.tornadoes(uncertain, uncertain_name)
        runs.simulation(uncertain, uncertain_name, 10_000, 1)

    for label, step in (
        ("app: Verify with the example claims (first visit)", verify),
        ("app: Uncertainty with 10,000 draws, tornado included (first visit)", uncertainty),
    ):
        figure(label, round(best(step), 3), "s", target=TARGET_SECONDS)


if __name__ == "__main__":
    main()
