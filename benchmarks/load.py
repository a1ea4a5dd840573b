"""Benchmark: the whole `appraise evaluate` process on 1,000 and 10,000 inline interventions.

Loading used to dominate (PyYAML's pure-Python scanner: 3.7 s for 1,000 interventions, issue 11);
this measures the process a user runs, start-up, parsing, validation, the core and printing
included. Each portfolio is the Thurrock example's five interventions written out in full (no
`use:`) and repeated with distinct ids and reach, without their notes, into a temporary folder.

Prints one JSON line: min and median seconds over several runs on this noisy machine, then a
figure for each size, and for 10,000 the same portfolio as a `.json` file (read by `json.loads`).
Targets: under 1 s for 1,000 interventions (issue 11); under 2 s for 10,000
(issue 27; issue 11 asked for 5 s). Also how loading alone grows, in this process: the exponent k
of time ~ n^k from 1,000 to 10,000 interventions, which should be about 1 (linear).
Run: .venv/bin/python benchmarks/load.py
"""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from _figures import byte_compiled, figure

from appraise.model.load import load_portfolio
from appraise.model.save import portfolio_to_data, to_yaml

ROOT = Path(__file__).resolve().parent.parent
SIZES = {1_000: 7, 10_000: 5}  # interventions: runs
TEXT_KEYS = ("note", "notes", "description", "quote", "against")


def _defaulted(value: Any) -> bool:
    """Whether a figure is one appraise fills in itself when a file leaves it out."""
    assumed = value.get("assumed") if isinstance(value, dict) else None
    return isinstance(assumed, dict) and str(assumed.get("by", "")).startswith("appraise default")


def _without_text(data: Any) -> Any:
    """File data without notes, descriptions, quotes and the figures appraise fills in by default
    (text the benchmark need not carry: with them, 10,000 interventions pass the 10 MiB limit)."""
    if isinstance(data, dict):
        return {
            k: _without_text(v) for k, v in data.items() if k not in TEXT_KEYS and not _defaulted(v)
        }
    if isinstance(data, list):
        return [_without_text(v) for v in data]
    return data


def portfolio_file(n: int, folder: Path, suffix: str = ".yaml") -> Path:
    """A portfolio of `n` interventions written out in full, and where it was written: a YAML
    file with one intervention a line (flow style, the block style's indentation would take
    10,000 past the 10 MiB limit), or with `suffix` ".json" a JSON file."""
    example = portfolio_to_data(load_portfolio(ROOT / "examples" / "thurrock-2017.yaml"))
    example.pop("baseline", None)  # the forecast is not what is measured
    templates = _without_text(example["interventions"])
    items = []
    for i in range(n):
        item = json.loads(json.dumps(templates[i % len(templates)]))
        item["id"] = f"{item['id']}-{i}"
        reach = item["reach"]
        if "count" in reach:
            reach["count"] = 10 + i % 90
        elif "eligible" in reach:
            reach["eligible"] = 1000 + i % 700
        items.append(item)
    path = folder / f"portfolio-{n}{suffix}"
    if suffix == ".json":
        text = json.dumps({**example, "interventions": items}, ensure_ascii=False)
    else:
        lines = (yaml.safe_dump(item, default_flow_style=True, width=1e9) for item in items)
        header = {k: v for k, v in example.items() if k != "interventions"}
        text = to_yaml(header) + "interventions:\n" + "".join(f"- {line}" for line in lines)
    path.write_text(text, encoding="utf-8")
    return path


def timed(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def growth(folder: Path) -> dict[str, Any]:
    """How loading (parsing and validating, as `load_portfolio` does) grows with the portfolio, in
    this process: CPU seconds at 1,000, 3,000 and 10,000 interventions (the least of 5 runs) and
    the exponent k of time ~ n^k from 1,000 to 10,000 (1: linear). A `.json` file, so that parsing
    is a small part of what is timed. Beside it, the same exponent for `json.loads` alone on the
    same files: the machine's own growth for work that is linear by construction (a larger heap
    falls out of the processor's caches), the yardstick the loading exponent is read against."""
    seconds, floor = {}, {}
    for n in (1_000, 3_000, 10_000):
        path = portfolio_file(n, folder, ".json")
        text = path.read_text(encoding="utf-8")
        times, parse_times = [], []
        for _ in range(5):
            start = time.process_time()
            load_portfolio(path)
            times.append(time.process_time() - start)
            start = time.process_time()
            json.loads(text)
            parse_times.append(time.process_time() - start)
        seconds[n] = round(min(times), 3)
        floor[n] = round(min(parse_times), 4)

    def exponent(by_size: dict[int, float]) -> float:
        return round(math.log(by_size[10_000] / by_size[1_000]) / math.log(10), 2)

    return {
        "cpu_seconds": seconds,
        "exponent": exponent(seconds),
        "json_loads_cpu_seconds": floor,
        "json_loads_exponent": exponent(floor),
    }


def main() -> None:
    byte_compiled()
    cli = str(Path(sys.executable).parent / "appraise")
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="appraise-load-") as folder:
        for n, runs in SIZES.items():
            for suffix in (".yaml", ".json") if n == 10_000 else (".yaml",):
                path = portfolio_file(n, Path(folder), suffix)
                times = timed([cli, "evaluate", str(path)], runs)
                out[f"{n}{suffix}"] = {
                    "file_mib": round(path.stat().st_size / 2**20, 2),
                    "runs": runs,
                    "seconds_min": round(min(times), 3),
                    "seconds_median": round(statistics.median(times), 3),
                }
        grown = growth(Path(folder))
    print(json.dumps({"appraise_evaluate_inline_interventions": out, "loading_growth": grown}))
    figure(
        "loading (parse and validate) time ~ n^k, k from 1,000 to 10,000 interventions (in-process)",
        grown["exponent"],
        "",
        target=1.1,
        note="1 is linear",
        yardstick="json.loads alone on the same files, its exponent",
        yardstick_value=grown["json_loads_exponent"],
    )
    for key, target in ((f"{1_000}.yaml", 1.0), (f"{10_000}.yaml", 2.0), (f"{10_000}.json", 2.0)):
        n, suffix = key.split(".")
        figure(
            f"appraise evaluate, {int(n):,} inline interventions, .{suffix} (whole process)",
            out[key]["seconds_min"],
            "s",
            target=target,
        )


if __name__ == "__main__":
    main()
