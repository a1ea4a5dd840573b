"""Benchmark: how long the CLI takes to start, as a user runs it (the whole process).

Targets (issue 27): `appraise --help`, `appraise report --help`, `appraise validate` on the
example and an argument error (`appraise report --bogus`) under 0.3 s; `appraise evaluate` on the
example under 0.4 s. The yardstick, measured in the same run: the interpreter starting and
exiting (`python -c pass`). Each figure is the least of several runs, interleaved with the
yardstick's, so that a busy moment of the shared machine touches both alike.
Run: .venv/bin/python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from _figures import byte_compiled, figure

ROOT = Path(__file__).resolve().parent.parent
APPRAISE = str(Path(sys.executable).parent / "appraise")
EXAMPLE = str(ROOT / "examples" / "thurrock-2017.yaml")
COMMANDS = {
    "appraise --help": ([APPRAISE, "--help"], 0, 0.3),
    "appraise report --help": ([APPRAISE, "report", "--help"], 0, 0.3),
    "appraise report --bogus (an argument error)": ([APPRAISE, "report", "--bogus"], 2, 0.3),
    "appraise validate (the Thurrock example)": ([APPRAISE, "validate", EXAMPLE], 0, 0.3),
    "appraise evaluate (the Thurrock example)": ([APPRAISE, "evaluate", EXAMPLE], 0, 0.4),
}
YARDSTICK = [sys.executable, "-c", "pass"]


def seconds(command: list[str], code: int) -> float:
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, cwd=ROOT, check=False)
    taken = time.perf_counter() - start
    if proc.returncode != code:
        sys.exit(f"{command}: exit {proc.returncode}, expected {code}: {proc.stderr.decode()}")
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    byte_compiled()
    for name, (command, code, target) in COMMANDS.items():
        seconds(command, code)  # warm the file cache
        times, floor = [], []
        for _ in range(args.runs):
            floor.append(seconds(YARDSTICK, 0))
            times.append(seconds(command, code))
        figure(
            name,
            round(min(times), 3),
            "s",
            target=target,
            yardstick="python -c pass",
            yardstick_value=round(min(floor), 3),
        )


if __name__ == "__main__":
    main()
