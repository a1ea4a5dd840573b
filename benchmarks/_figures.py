"""The one format every benchmark reports its figures in (benchmarks/README.md).

A figure is one line of stdout holding a JSON object with a "figure" key; `make bench`
(benchmarks/_run.py) collects those lines from every benchmarks/*.py into RESULTS.md. A benchmark
may print other lines too (its details); they are kept, not tabled. Import it from a benchmark
with `from _figures import figure` (a script's own folder is on its import path).
"""

from __future__ import annotations

import json
from typing import Any


def figure(
    name: str,
    value: float,
    unit: str,
    *,
    target: float | None = None,
    better: str = "lower",
    yardstick: str | None = None,
    yardstick_value: float | None = None,
    note: str = "",
) -> dict[str, Any]:
    """Print one figure as a line of JSON and return it.

    `target` is met when `value` is below it (`better="lower"`, a time or memory) or at least it
    (`better="higher"`, a speed-up). `yardstick` names what the figure is measured against in
    the same run (numpy's floor for the same arithmetic, the interpreter's own start-up...), and
    `yardstick_value` is its measure in the same unit; the ratio is value / yardstick_value.
    """
    if better not in ("lower", "higher"):
        raise ValueError(f"better must be 'lower' or 'higher', not {better!r}")
    met = None
    if target is not None:
        met = value < target if better == "lower" else value >= target
    ratio = None
    if yardstick_value:
        ratio = round(value / yardstick_value, 2)
    row = {
        "figure": name,
        "value": value,
        "unit": unit,
        "target": target,
        "better": better,
        "met": met,
        "yardstick": yardstick,
        "yardstick_value": yardstick_value,
        "ratio": ratio,
        "note": note,
    }
    print(json.dumps(row), flush=True)
    return row


def byte_compiled() -> None:
    """Compile appraise's modules to bytecode (`__pycache__`, ignored by git) before a process is
    timed, as installing a package does. An editable checkout run with PYTHONDONTWRITEBYTECODE=1
    (as on the machine the figures come from) otherwise compiles every module it imports from
    source on every start, 0.05 s that no installed copy spends."""
    import compileall
    from pathlib import Path

    compileall.compile_dir(Path(__file__).resolve().parent.parent / "appraise", quiet=1)
