"""`make bench`: run every benchmarks/*.py (but these helpers, whose names start with "_") and
write benchmarks/RESULTS.md: the machine, the date, the commit, and each figure with its target,
whether it was met, its yardstick and the ratio to it (benchmarks/README.md gives the format).

Run: .venv/bin/python benchmarks/_run.py [NAME ...] [--out FILE]
(NAME: a benchmark's file name without .py, to run only those; their figures alone are written.)
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


@dataclass
class Run:
    name: str
    seconds: float
    code: int
    figures: list[dict[str, Any]] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    error: str = ""


def benchmarks() -> list[Path]:
    return sorted(p for p in HERE.glob("*.py") if not p.name.startswith("_"))


def run(path: Path) -> Run:
    """Run one benchmark; its figure lines and its other JSON lines (details)."""
    print(f"running {path.name} ...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, cwd=ROOT, check=False
    )
    result = Run(path.stem, time.perf_counter() - start, proc.returncode)
    for line in proc.stdout.splitlines():
        line = line.strip()
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict) and "figure" in data:
            result.figures.append(data)
        elif isinstance(data, dict):
            result.details.append(line)
    if proc.returncode != 0:
        result.error = "\n".join(proc.stderr.strip().splitlines()[-5:])
    return result


def machine() -> list[str]:
    """The machine the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.1f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    import numpy

    return [
        f"- Machine: {cpu}, {os.cpu_count()} cores{memory}; {platform.system()} "
        f"{platform.release()}",
        f"- Python {platform.python_version()}, numpy {numpy.__version__}",
        "- Load average when the run ended (1, 5, 15 minutes; the machine has "
        f"{os.cpu_count()} cores): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()),
    ]


def commit() -> str:
    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT)
        return proc.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + (
        " (with uncommitted changes)" if git("status", "--porcelain", "--", "appraise") else ""
    )


def number(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return f"{x:,.3g}" if abs(x) < 100 else f"{x:,.0f}"
    return f"{x:,}" if isinstance(x, int) else str(x)


def target_text(f: dict[str, Any]) -> str:
    if f.get("target") is None:
        return ""
    sign = "<" if f.get("better", "lower") == "lower" else "≥"
    return f"{sign} {number(f['target'])} {f['unit']}"


def met_text(f: dict[str, Any]) -> str:
    return {True: "met", False: "**not met**", None: ""}[f.get("met")]


def markdown(runs: list[Run], started: datetime.datetime) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (benchmarks/_run.py) from every benchmarks/*.py; do not edit by "
        "hand. The docs quote their figures from this file. Times are wall-clock on a shared "
        "machine: each benchmark measures its yardstick in the same run, so the ratio is the "
        "steadier figure.",
        "",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC",
        f"- Commit: {commit()}",
        *machine(),
        "",
        "| Benchmark | Figure | Value | Target | Met | Yardstick | Yardstick value | Ratio |",
        "|---|---|---:|---|---|---|---:|---:|",
    ]
    for r in runs:
        for f in r.figures:
            unit = f.get("unit", "")
            yard = f.get("yardstick_value")
            lines.append(
                "| "
                + " | ".join(
                    [
                        r.name,
                        f["figure"] + (f" ({f['note']})" if f.get("note") else ""),
                        f"{number(f['value'])} {unit}",
                        target_text(f),
                        met_text(f),
                        f.get("yardstick") or "",
                        f"{number(yard)} {unit}" if yard is not None else "",
                        f"{f['ratio']:.2f}" if f.get("ratio") is not None else "",
                    ]
                )
                + " |"
            )
    failed = [r for r in runs if r.code != 0]
    if failed:
        lines += ["", "## Failed", ""]
        for r in failed:
            lines += [f"- {r.name}: exit {r.code}", "", "```", r.error, "```", ""]
    lines += ["", "## Details", "", "Each benchmark's other output, as it printed it.", ""]
    for r in runs:
        lines += [f"### {r.name} ({r.seconds:.0f} s)", ""]
        if r.details:
            lines += ["```json", *r.details, "```", ""]
        elif not r.figures:
            lines += ["(no output)", ""]
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: every one)")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    paths = benchmarks()
    if args.names:
        unknown = set(args.names) - {p.stem for p in paths}
        if unknown:
            sys.exit(f"no such benchmark: {', '.join(sorted(unknown))}")
        paths = [p for p in paths if p.stem in args.names]
    started = datetime.datetime.now(datetime.UTC)
    runs = [run(p) for p in paths]
    text = markdown(runs, started)
    temporary = args.out.with_suffix(".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    unmet = [f"{r.name}: {f['figure']}" for r in runs for f in r.figures if f.get("met") is False]
    if unmet:
        print("targets not met:\n  " + "\n  ".join(unmet), file=sys.stderr)
    if any(r.code != 0 for r in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
